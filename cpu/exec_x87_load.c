/*
 * exec_x87_load.c - x87 data transfer (SDM vol. 1 8.3.3, vol. 2 pages):
 * FLD m32/m64/m80/ST(i), FST/FSTP m32/m64/m80/ST(i) (also the aliases
 * D9 D8+i "FSTP1" and DF D0+i/D8+i "FSTP8/9" that Intel and AMD
 * hardware execute as FSTP ST(i)), FILD m16/m32/m64, FIST/FISTP,
 * FISTTP (SSE3), FBLD, FBSTP, FXCH (also the aliases DD C8+i, DF C8+i),
 * FCMOVcc, and the constants FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2,
 * FLDLN2, FLDZ.
 *
 * Conversions run on the host x87 unit (cpu/x87_host.c) under the
 * guest's control word, so rounding, integer indefinite, BCD and the
 * IE/DE/OE/UE/PE flags are the hardware's.  Stack overflow/underflow
 * (IE+SF, C1=1/0) and their masked responses (QNaN indefinite pushed or
 * stored, integer/BCD indefinite stored) are handled here; with the
 * exception unmasked nothing but FSW changes (SDM 8.5.1.1).  A store
 * whose unmasked exception is IE/DE/OE/UE leaves memory and TOP alone
 * (SDM 8.5.4-8.5.5: "destination unchanged" for FST/FSTP/FIST), and its
 * address faults (#GP/#SS/#PF) come before any x87 exception.  FLD of an
 * SNaN or a denormal m32fp/m64fp with that exception unmasked pushes
 * nothing (SDM 8.5.1, 8.5.2; this AMD host pushes the denormal).  Where
 * the SDM leaves condition codes undefined (FCMOVcc, FFREE) they follow
 * the host: FCMOVcc keeps C1, FFREE clears it.  D9 D8+i pops without a
 * stack-underflow check when ST(0) is empty, as the host does.
 */
#include "cpu/x87.h"

#include "cpu/handlers.h"

static uint16_t x87_unmasked(const struct x86_fpu *f, uint16_t sw)
{
    return (uint16_t)(sw & ~f->fcw & FSW_EXC);
}

/* Push VAL (or its masked overflow response).  Returns false when an
 * unmasked stack overflow stopped the instruction. */
static bool push_checked(struct x86_fpu *f, fx80 val)
{
    if (x87_valid(f, 7)) {
        if (!x87_stack_fault(f, true))
            return false;
        val = x87_indefinite();
    } else {
        x87_set_cc(f, FSW_C1, 0);
    }
    x87_push(f, val);
    return true;
}

/* Convert memory operand bytes M with host operation OP and push the result. */
static void push_converted(struct vcpu *v, int op, const uint8_t *m, unsigned n)
{
    struct x86_fpu *f = &v->s.fpu;
    if (x87_valid(f, 7)) {
        if (x87_stack_fault(f, true))
            x87_push(f, x87_indefinite());
        return;
    }
    struct x87_hio io;
    memset(&io, 0, sizeof(io));
    memcpy(io.mem, m, n);
    uint16_t sw = x87_host(op, f, &io);
    uint16_t um = x87_raise(f, sw);
    x87_set_cc(f, FSW_CC, sw);
    /* unmasked #IA/#D: TOP and registers unchanged (SDM 8.5.1, 8.5.2,
     * which names the load of a denormal m32fp/m64fp; this AMD host
     * pushes the value anyway) */
    if (um & (FSW_IE | FSW_DE))
        return;
    x87_push(f, io.r0);
}

/* D9 /0 FLD m32fp, DD /0 FLD m64fp, DB /5 FLD m80fp */
void op_x87_fld_m(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    uint8_t m[10];
    if (i->opcode == 0xdb) {
        x87_read80(v, i, m);
        push_checked(&v->s.fpu, x87_from_bytes(m));
        return;
    }
    unsigned n = i->opcode == 0xd9 ? 4 : 8;
    uint64_t x = vm_read(v, i->seg, insn_ea(v, i), n);
    memcpy(m, &x, 8);
    push_converted(v, n == 4 ? XH_LDF32 : XH_LDF64, m, n);
}

/* DB /0 FILD m32int, DF /0 FILD m16int, DF /5 FILD m64int */
void op_x87_fild(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    unsigned n = i->opcode == 0xdb ? 4 : (i->reg & 7) == 5 ? 8 : 2;
    uint64_t x = vm_read(v, i->seg, insn_ea(v, i), n);
    uint8_t m[8];
    memcpy(m, &x, 8);
    push_converted(v, n == 2 ? XH_LDI16 : n == 4 ? XH_LDI32 : XH_LDI64, m, n);
}

/* DF /4 FBLD m80bcd */
void op_x87_fbld(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    uint8_t m[10];
    x87_read80(v, i, m);
    push_converted(v, XH_LDBCD, m, 10);
}

/* Address faults (#GP/#SS/#PF) of a store come before any x87
 * exception processing, as on hardware. */
static void probe_store(struct vcpu *v, const struct insn *i, unsigned n)
{
    uint64_t lin = seg_lin(v, i->seg, insn_ea(v, i), n, true);
    lin_probe_write(v, lin, n);
}

/* Store ST(0) to memory through host operation OP (N bytes), popping
 * when POP.  INDEF: the bytes a masked stack underflow stores. */
static void store_converted(struct vcpu *v, const struct insn *i, int op, unsigned n, bool pop,
                            const uint8_t *indef)
{
    struct x86_fpu *f = &v->s.fpu;
    uint8_t out[10];
    uint16_t sw;
    probe_store(v, i, n);
    if (!x87_valid(f, 0)) {
        if (!(f->fcw & FSW_IE)) {
            x87_stack_fault(f, false);
            return;
        }
        memcpy(out, indef, n);
        sw = FSW_IE | FSW_SF;
    } else {
        struct x87_hio io;
        memset(&io, 0, sizeof(io));
        io.a = f->st[0];
        sw = x87_host(op, f, &io);
        memcpy(out, io.mem, n);
        if (x87_unmasked(f, sw) & (FSW_IE | FSW_DE | FSW_OE | FSW_UE)) {
            x87_raise(f, sw);
            x87_set_cc(f, FSW_CC, sw);
            return;
        }
    }
    /* memory faults come before any state change */
    if (n == 10) {
        x87_write80(v, i, out);
    } else {
        uint64_t x = 0;
        memcpy(&x, out, n);
        vm_write(v, i->seg, insn_ea(v, i), n, x);
    }
    x87_raise(f, sw);
    if (sw & FSW_SF)
        x87_set_cc(f, FSW_C1, 0);
    else
        x87_set_cc(f, FSW_CC, sw);
    if (pop)
        x87_pop(f);
}

static const uint8_t indef_f32[4] = {0x00, 0x00, 0xc0, 0xff};
static const uint8_t indef_f64[8] = {0, 0, 0, 0, 0, 0, 0xf8, 0xff};
static const uint8_t indef_i16[2] = {0x00, 0x80};
static const uint8_t indef_i32[4] = {0, 0, 0, 0x80};
static const uint8_t indef_i64[8] = {0, 0, 0, 0, 0, 0, 0, 0x80};
static const uint8_t indef_bcd[10] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff};
static const uint8_t indef_f80[10] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff};

/* D9 /2,/3 FST(P) m32fp, DD /2,/3 FST(P) m64fp, DB /7 FSTP m80fp */
void op_x87_fst_m(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    bool pop = (i->reg & 7) != 2;
    if (i->opcode == 0xdb) {
        uint8_t out[10];
        probe_store(v, i, 10);
        if (!x87_valid(f, 0)) {
            if (!(f->fcw & FSW_IE)) {
                x87_stack_fault(f, false);
                return;
            }
            x87_write80(v, i, indef_f80);
            x87_stack_fault(f, false);
        } else {
            x87_to_bytes(out, f->st[0]);
            x87_write80(v, i, out);
            x87_set_cc(f, FSW_C1, 0);
        }
        x87_pop(f);
        return;
    }
    if (i->opcode == 0xd9)
        store_converted(v, i, XH_STF32, 4, pop, indef_f32);
    else
        store_converted(v, i, XH_STF64, 8, pop, indef_f64);
}

/* DB /1-/3 FISTTP/FIST/FISTP m32int, DD /1 FISTTP m64int,
 * DF /1-/3 m16int, DF /7 FISTP m64int */
void op_x87_fist(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    unsigned r = i->reg & 7;
    unsigned n = i->opcode == 0xdb ? 4 : i->opcode == 0xdd || r == 7 ? 8 : 2;
    bool trunc = r == 1;
    int op = trunc ? (n == 2 ? XH_STTI16 : n == 4 ? XH_STTI32 : XH_STTI64)
                   : (n == 2 ? XH_STI16 : n == 4 ? XH_STI32 : XH_STI64);
    const uint8_t *indef = n == 2 ? indef_i16 : n == 4 ? indef_i32 : indef_i64;
    store_converted(v, i, op, n, r != 2, indef);
}

/* DF /6 FBSTP m80bcd */
void op_x87_fbstp(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    store_converted(v, i, XH_STBCD, 10, true, indef_bcd);
}

/* D9 C0+i FLD ST(i) */
void op_x87_fld_r(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    unsigned s = i->rm & 7;
    if (!x87_valid(f, s)) {
        if (x87_stack_fault(f, false))      /* underflow wins over overflow */
            x87_push(f, x87_indefinite());
        return;
    }
    push_checked(f, f->st[s]);
}

/* DD D0+i FST ST(i), DD D8+i FSTP ST(i), D9 D8+i, DF D0+i, DF D8+i (FSTP aliases) */
void op_x87_fst_r(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    unsigned d = i->rm & 7;
    bool pop = !(i->opcode == 0xdd && (i->reg & 7) == 2);
    fx80 val = f->st[0];
    if (!x87_valid(f, 0) && i->opcode == 0xd9) {
        /* D9 D8+i: no stack-underflow check; the destination is left
         * alone and the pop happens (as this host does) */
        x87_set_cc(f, FSW_C1, 0);
        x87_pop(f);
        return;
    }
    if (!x87_valid(f, 0)) {
        if (!x87_stack_fault(f, false))
            return;
        val = x87_indefinite();
    } else {
        x87_set_cc(f, FSW_C1, 0);
    }
    x87_write(f, d, val);
    if (pop)
        x87_pop(f);
}

/* D9 C8+i FXCH ST(i) (DD C8+i, DF C8+i aliases) */
void op_x87_fxch(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    unsigned s = i->rm & 7;
    fx80 a = f->st[0], b = f->st[s];
    if (!x87_valid(f, 0) || !x87_valid(f, s)) {
        if (!x87_stack_fault(f, false))
            return;
        if (!x87_valid(f, 0))
            a = x87_indefinite();
        if (!x87_valid(f, s))
            b = x87_indefinite();
    } else {
        x87_set_cc(f, FSW_C1, 0);
    }
    x87_write(f, 0, b);
    x87_write(f, s, a);
}

/* DA/DB C0-DF FCMOVcc ST(0), ST(i) */
void op_x87_fcmov(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    unsigned s = i->rm & 7;
    static const uint8_t cc[4] = {0x2, 0x4, 0x6, 0xa};   /* B, E, BE, P (Jcc encodings) */
    bool cond = cpu_cond(v, cc[i->reg & 3]);
    if (i->opcode == 0xdb)
        cond = !cond;
    if (!x87_valid(f, 0) || !x87_valid(f, s)) {
        if (x87_stack_fault(f, false))
            x87_write(f, 0, x87_indefinite());
        return;
    }
    if (cond)
        x87_write(f, 0, f->st[s]);
}

/* D9 E8-EE FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ */
void op_x87_fldc(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    if (x87_valid(f, 7)) {
        if (x87_stack_fault(f, true))
            x87_push(f, x87_indefinite());
        return;
    }
    struct x87_hio io;
    memset(&io, 0, sizeof(io));
    x87_host(XH_LD1 + (i->rm & 7), f, &io);
    x87_set_cc(f, FSW_C1, 0);
    x87_push(f, io.r0);
}
