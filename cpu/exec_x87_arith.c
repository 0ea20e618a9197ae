/*
 * exec_x87_arith.c - x87 arithmetic, comparison and transcendental
 * instructions (SDM vol. 1 8.3.5-8.3.10, vol. 2 pages): FADD/FSUB/FSUBR/
 * FMUL/FDIV/FDIVR with m32fp/m64fp/ST(i) (+P forms) and FIxxx m16/m32int,
 * FCOM/FCOMP/FCOMPP/FUCOM/FUCOMP/FUCOMPP/FICOM/FICOMP (also the aliases
 * DC D0+i, DC D8+i, DE D0+i that hardware executes as FCOM/FCOMP),
 * FCOMI/FCOMIP/FUCOMI/FUCOMIP (ZF/PF/CF; OF/SF/AF cleared), FTST, FXAM,
 * FCHS, FABS, FSQRT, FRNDINT, FSCALE, FXTRACT, FPREM, FPREM1, F2XM1,
 * FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS.
 *
 * The computation runs on the host x87 (cpu/x87_host.c) under the guest
 * control word and condition codes - memory forms too, with the memory
 * operand itself (FADD m32fp etc.), so operand checks (NaN before
 * denormal, ...) and C0-C3 are the hardware's.  This file does the stack
 * bookkeeping: empty operands (stack underflow, IE+SF, C1=0; masked:
 * QNaN indefinite / "unordered"), a full register on a push (overflow,
 * C1=1), and the destination rules of SDM 8.5 for unmasked exceptions:
 * IE/DE/ZE leave destination and TOP unchanged, OE/UE store the host's
 * biased result, PE stores normally.  Compares with an unmasked #IA set
 * no condition codes / ZF,PF,CF (SDM FCOM, FUCOM, FCOMI pages) and FCOMI
 * clears C1, where this AMD host differs (tests/unit/test_x87.c checks
 * the SDM rule there).
 */
#include "cpu/x87.h"

#include "cpu/handlers.h"

static bool precomp_stop(uint16_t um)
{
    return um & (FSW_IE | FSW_DE | FSW_ZE);
}

/* ST(d) = result of host OP (RES1: the result is the host's ST(1)) on
 * a=ST(0), b=B; pop afterwards when POP.  C0-C3 from the host. */
static void binary_to(struct vcpu *v, int op, fx80 b, unsigned d, bool res1, bool pop)
{
    struct x86_fpu *f = &v->s.fpu;
    struct x87_hio io;
    memset(&io, 0, sizeof(io));
    io.a = f->st[0];
    io.b = b;
    uint16_t sw = x87_host(op, f, &io);
    uint16_t um = x87_raise(f, sw);
    x87_set_cc(f, FSW_CC, sw);
    if (precomp_stop(um))
        return;
    x87_write(f, d, res1 ? io.r1 : io.r0);
    if (pop)
        x87_pop(f);
}

static const int arith_st0[8] = {XH_ADD, XH_MUL, -1, -1, XH_SUB, XH_SUBR, XH_DIV, XH_DIVR};
/* DC/DE register forms (destination ST(i)): E0+i is FSUBR, E8+i FSUB, ... */
static const int arith_sti[8] = {XH_ADD1, XH_MUL1, -1, -1, XH_SUBR1, XH_SUB1, XH_DIVR1, XH_DIV1};

/* Condition codes of a compare from host status SW, then POPS pops.
 * An unmasked #IA leaves C0/C2/C3 alone (SDM FCOM/FUCOM pages: "flags
 * not set if unmasked invalid-arithmetic-operand exception"; this AMD
 * host sets them anyway); an unmasked #D still sets them, as the host
 * does (the SDM is silent).  Either unmasked exception skips the pops. */
static void compare_done(struct x86_fpu *f, uint16_t sw, unsigned pops)
{
    uint16_t um = x87_raise(f, sw);
    if (um & FSW_IE) {
        x87_set_cc(f, FSW_C1, 0);
        return;
    }
    x87_set_cc(f, FSW_CC, sw);
    if (precomp_stop(um))
        return;
    while (pops--)
        x87_pop(f);
}

/* Compare ST(0) with B through host OP (XH_COM/XH_UCOM). */
static void compare(struct vcpu *v, int op, fx80 b, unsigned pops)
{
    struct x86_fpu *f = &v->s.fpu;
    struct x87_hio io;
    memset(&io, 0, sizeof(io));
    io.a = f->st[0];
    io.b = b;
    compare_done(f, x87_host(op, f, &io), pops);
}

/* Stack underflow of a compare (C1=0): masked, unordered and the pops;
 * unmasked, nothing else. */
static void compare_underflow(struct x86_fpu *f, unsigned pops)
{
    if (!x87_stack_fault(f, false))
        return;
    x87_set_cc(f, FSW_C0 | FSW_C2 | FSW_C3, FSW_C0 | FSW_C2 | FSW_C3);
    while (pops--)
        x87_pop(f);
}

/* D8 (m32fp), DC (m64fp), DA (m32int), DE (m16int) with a memory operand */
void op_x87_arith_m(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    unsigned r = i->reg & 7;
    static const uint8_t size[4] = {4, 4, 8, 2};
    unsigned k = (i->opcode >> 1) & 3;      /* D8 DA DC DE -> 0 1 2 3 */
    uint64_t x = vm_read(v, i->seg, insn_ea(v, i), size[k]);
    bool cmp = r == 2 || r == 3;
    if (!x87_valid(f, 0)) {
        if (cmp)
            compare_underflow(f, r == 3);
        else if (x87_stack_fault(f, false))
            x87_write(f, 0, x87_indefinite());
        return;
    }
    struct x87_hio io;
    memset(&io, 0, sizeof(io));
    memcpy(io.mem, &x, 8);
    io.a = f->st[0];
    uint16_t sw = x87_host(XH_MEM + 8 * (int)k + (int)r, f, &io);
    if (cmp) {
        compare_done(f, sw, r == 3);
        return;
    }
    uint16_t um = x87_raise(f, sw);
    x87_set_cc(f, FSW_CC, sw);
    if (precomp_stop(um))
        return;
    x87_write(f, 0, io.r0);
}

/* D8 C0-FF (except D0-DF): ST(0) = ST(0) op ST(i) */
void op_x87_arith_st0(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    unsigned s = i->rm & 7;
    if (!x87_valid(f, 0) || !x87_valid(f, s)) {
        if (x87_stack_fault(f, false))
            x87_write(f, 0, x87_indefinite());
        return;
    }
    binary_to(v, arith_st0[i->reg & 7], f->st[s], 0, false, false);
}

/* DC C0-FF / DE C0-FF (arithmetic rows): ST(i) = ST(i) op ST(0) [, pop] */
void op_x87_arith_sti(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    unsigned s = i->rm & 7;
    bool pop = i->opcode == 0xde;
    if (!x87_valid(f, 0) || !x87_valid(f, s)) {
        if (x87_stack_fault(f, false)) {
            x87_write(f, s, x87_indefinite());
            if (pop)
                x87_pop(f);
        }
        return;
    }
    binary_to(v, arith_sti[i->reg & 7], f->st[s], s, true, pop);
}

/* D8 D0+i FCOM, D8 D8+i FCOMP, DC D0/D8+i, DE D0+i (aliases),
 * DD E0+i FUCOM, DD E8+i FUCOMP */
void op_x87_fcom_r(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    unsigned s = i->rm & 7, r = i->reg & 7;
    bool unordered = i->opcode == 0xdd;
    unsigned pops = (i->opcode == 0xde || r == 3 || r == 5) ? 1 : 0;
    if (!x87_valid(f, 0) || !x87_valid(f, s)) {
        compare_underflow(f, pops);
        return;
    }
    compare(v, unordered ? XH_UCOM : XH_COM, f->st[s], pops);
}

/* DE D9 FCOMPP, DA E9 FUCOMPP */
void op_x87_fcompp(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    if (!x87_valid(f, 0) || !x87_valid(f, 1)) {
        compare_underflow(f, 2);
        return;
    }
    compare(v, i->opcode == 0xda ? XH_UCOM : XH_COM, f->st[1], 2);
}

/* DB F0+i FCOMI, DB E8+i FUCOMI, DF F0+i FCOMIP, DF E8+i FUCOMIP */
void op_x87_fcomi(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    unsigned s = i->rm & 7;
    bool pop = i->opcode == 0xdf;
    const uint32_t all = X86_FLAG_ZF | X86_FLAG_PF | X86_FLAG_CF | X86_FLAG_OF | X86_FLAG_SF | X86_FLAG_AF;
    /* SDM FCOMI page: C1 set to 0; OF/SF/AF cleared in every case;
     * ZF/PF/CF not set when an unmasked #IA (also a stack underflow)
     * occurs.  (This AMD host keeps C1 and sets ZF/PF/CF anyway.) */
    const uint32_t osa = X86_FLAG_OF | X86_FLAG_SF | X86_FLAG_AF;
    x87_set_cc(f, FSW_C1, 0);
    if (!x87_valid(f, 0) || !x87_valid(f, s)) {
        if (!x87_stack_fault(f, false)) {
            cpu_set_arith_flags(v, osa, 0);
            return;
        }
        cpu_set_arith_flags(v, all, X86_FLAG_ZF | X86_FLAG_PF | X86_FLAG_CF);
        if (pop)
            x87_pop(f);
        return;
    }
    struct x87_hio io;
    memset(&io, 0, sizeof(io));
    io.a = f->st[0];
    io.b = f->st[s];
    uint16_t sw = x87_host((i->reg & 7) == 6 ? XH_COMI : XH_UCOMI, f, &io);
    uint16_t um = x87_raise(f, sw);
    if (um & FSW_IE) {
        cpu_set_arith_flags(v, osa, 0);
        return;
    }
    cpu_set_arith_flags(v, all, io.eflags);
    if (!precomp_stop(um) && pop)
        x87_pop(f);
}

/* D9 E0 FCHS, D9 E1 FABS */
void op_x87_fchs_fabs(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    if (!x87_valid(f, 0)) {
        if (x87_stack_fault(f, false))
            x87_write(f, 0, x87_indefinite());
        return;
    }
    fx80 r = f->st[0];
    if ((i->rm & 7) == 0)
        r.sign_exp ^= 0x8000;
    else
        r.sign_exp &= 0x7fff;
    x87_set_cc(f, FSW_C1, 0);
    x87_write(f, 0, r);
}

/* D9 E4 FTST, D9 E5 FXAM */
void op_x87_ftst_fxam(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    bool xam = (i->rm & 7) == 5;
    if (xam) {
        uint16_t c1 = (f->st[0].sign_exp & 0x8000) ? FSW_C1 : 0;
        if (!x87_valid(f, 0)) {
            x87_set_cc(f, FSW_CC, FSW_C3 | FSW_C0 | c1);    /* empty */
            return;
        }
        struct x87_hio io;
        memset(&io, 0, sizeof(io));
        io.a = f->st[0];
        uint16_t sw = x87_host(XH_XAM, f, &io);
        x87_set_cc(f, FSW_CC, sw);
        return;
    }
    if (!x87_valid(f, 0)) {
        compare_underflow(f, 0);
        return;
    }
    struct x87_hio io;
    memset(&io, 0, sizeof(io));
    io.a = f->st[0];
    compare_done(f, x87_host(XH_TST, f, &io), 0);
}

/* Host stack depth after an operation, from TOP in its status word (the
 * host started empty, TOP=0). */
static unsigned host_depth(uint16_t sw)
{
    return (8 - ((sw >> FSW_TOP_SHIFT) & 7)) & 7;
}

/* D9 F0-FF except FDECSTP/FINCSTP (own rows) */
void op_x87_d9f(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    unsigned code = ((i->reg & 1) << 3) | (i->rm & 7);   /* F0..FF -> 0..15 */
    struct x87_hio io;
    memset(&io, 0, sizeof(io));
    io.a = f->st[0];
    io.b = f->st[1];
    uint16_t sw, um;
    /* FSIN FCOS FPTAN FSINCOS FPREM FPREM1 define C2 (incomplete /
     * out of range): a stack fault clears it */
    if ((x87_valid(f, 7) && (code == 0x2 || code == 0xb)) ||
        !x87_valid(f, 0) || (!x87_valid(f, 1) && (code == 0x1 || code == 0x3 || code == 0x9 || code == 0x5 ||
                                                   code == 0x8 || code == 0xd))) {
        if (code == 0xe || code == 0xf || code == 0x2 || code == 0xb || code == 0x5 || code == 0x8)
            x87_set_cc(f, FSW_C2, 0);
    }
    switch (code) {
    case 0x0: case 0xa: case 0xc: case 0xe: case 0xf: {  /* F2XM1 FSQRT FRNDINT FSIN FCOS */
        static const int ops[16] = {[0x0] = XH_F2XM1, [0xa] = XH_SQRT, [0xc] = XH_RNDINT,
                                    [0xe] = XH_SIN, [0xf] = XH_COS};
        if (!x87_valid(f, 0)) {
            if (x87_stack_fault(f, false))
                x87_write(f, 0, x87_indefinite());
            return;
        }
        sw = x87_host(ops[code], f, &io);
        um = x87_raise(f, sw);
        x87_set_cc(f, FSW_CC, sw);
        if (precomp_stop(um))
            return;
        x87_write(f, 0, io.r0);
        return;
    }
    case 0x1: case 0x3: case 0x9: {     /* FYL2X FPATAN FYL2XP1: ST(1) = f(ST(1), ST(0)), pop */
        int op = code == 0x1 ? XH_YL2X : code == 0x3 ? XH_PATAN : XH_YL2XP1;
        if (!x87_valid(f, 0) || !x87_valid(f, 1)) {
            if (x87_stack_fault(f, false)) {
                x87_write(f, 1, x87_indefinite());
                x87_pop(f);
            }
            return;
        }
        sw = x87_host(op, f, &io);
        um = x87_raise(f, sw);
        x87_set_cc(f, FSW_CC, sw);
        if (precomp_stop(um))
            return;
        x87_write(f, 1, io.r0);
        x87_pop(f);
        return;
    }
    case 0x5: case 0x8: case 0xd: {     /* FPREM1 FPREM FSCALE: ST(0) = f(ST(0), ST(1)) */
        int op = code == 0x5 ? XH_PREM1 : code == 0x8 ? XH_PREM : XH_SCALE;
        if (!x87_valid(f, 0) || !x87_valid(f, 1)) {
            if (x87_stack_fault(f, false))
                x87_write(f, 0, x87_indefinite());
            return;
        }
        sw = x87_host(op, f, &io);
        um = x87_raise(f, sw);
        x87_set_cc(f, FSW_CC, sw);
        if (precomp_stop(um))
            return;
        x87_write(f, 0, io.r0);
        return;
    }
    case 0x2: case 0x4: case 0xb: {     /* FPTAN FXTRACT FSINCOS: may push */
        int op = code == 0x2 ? XH_PTAN : code == 0x4 ? XH_XTRACT : XH_SINCOS;
        if (!x87_valid(f, 0)) {
            if (x87_stack_fault(f, false)) {
                x87_write(f, 0, x87_indefinite());
                x87_push(f, x87_indefinite());
            }
            return;
        }
        if (x87_valid(f, 7)) {
            if (x87_stack_fault(f, true)) {
                x87_write(f, 0, x87_indefinite());
                x87_push(f, x87_indefinite());
            }
            return;
        }
        sw = x87_host(op, f, &io);
        um = x87_raise(f, sw);
        x87_set_cc(f, FSW_CC, sw);
        if (precomp_stop(um))
            return;
        if (host_depth(sw) == 2) {
            x87_write(f, 0, io.r1);
            x87_push(f, io.r0);
        } else {
            x87_write(f, 0, io.r0);
        }
        return;
    }
    default:
        cpu_ud(v);
    }
}
