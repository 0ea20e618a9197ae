/*
 * exec_x87_control.c - x87 control instructions and the checks every x87
 * instruction shares (SDM vol. 1 8.1.x, 8.3.12, 8.6; vol. 2 pages):
 * FWAIT, FLDCW, FNSTCW, FNSTSW (m16 and AX), FNCLEX, FNINIT, FNSTENV,
 * FLDENV, FNSAVE, FRSTOR (16- and 32-bit, real and protected formats,
 * figures 8-9..8-12), FFREE, FFREEP, FINCSTP, FDECSTP, FNOP and the
 * 8087/80287 leftovers FNENI/FNDISI/FNSETPM (DB E0/E1/E4: non-waiting
 * no-ops on the 387 and later, as on this host).
 *
 * #NM: CR0.EM or CR0.TS for every x87 instruction; FWAIT only when
 * CR0.MP and CR0.TS (vol. 3A table 2-2).  #MF: a waiting instruction
 * (all but FNINIT/FNCLEX/FNSTSW/FNSTCW/FNSTENV/FNSAVE) raises #MF when
 * FSW.ES is set, i.e. an unmasked exception is pending.  Not modelled:
 * the CR0.NE=0 path (FERR# to the interrupt controller, IGNNE#) - #MF is
 * raised whatever CR0.NE says.  FIP/FCS/FOP/FDP/FDS are recorded by
 * every non-control instruction.
 */
#include "cpu/x87.h"

#include "cpu/handlers.h"

void x87_enter(struct vcpu *v, bool waiting)
{
    if (v->s.cr0 & (X86_CR0_EM | X86_CR0_TS))
        cpu_raise(v, EXC_NM, false, 0);
    if (waiting && (v->s.fpu.fsw & FSW_ES))
        cpu_raise(v, EXC_MF, false, 0);
}

void x87_note(struct vcpu *v, const struct insn *i)
{
    struct x86_fpu *f = &v->s.fpu;
    f->fop = (uint16_t)(((i->opcode & 7u) << 8) | ((unsigned)i->mod << 6) | ((i->reg & 7u) << 3) | (i->rm & 7u));
    f->fip = v->cur_rip;
    f->fcs = v->s.seg[SEG_CS].selector;
    if (i->mod != 3) {
        f->fdp = insn_ea(v, i);
        f->fds = v->s.seg[i->seg].selector;
    }
}

unsigned x87_full_tag(const struct x86_fpu *f, unsigned phys)
{
    if (!((f->ftw >> phys) & 1))
        return 3;
    const fx80 *r = &f->st[(phys - x87_top(f)) & 7];
    unsigned exp = r->sign_exp & 0x7fff;
    if (exp == 0x7fff)
        return 2;
    if (exp == 0)
        return r->mantissa ? 2 : 1;
    return (r->mantissa >> 63) ? 0 : 2;   /* unnormal: special */
}

/* ---- byte blocks in guest memory: checked completely before the first write ---- */

static uint64_t blk_lin(struct vcpu *v, const struct insn *i, unsigned n, bool write)
{
    return seg_lin(v, i->seg, insn_ea(v, i), n, write);
}

static uint64_t lin_add(struct vcpu *v, uint64_t lin, unsigned k)
{
    return v->code64 ? lin + k : (uint32_t)(lin + k);
}

static void blk_read(struct vcpu *v, const struct insn *i, uint8_t *buf, unsigned n)
{
    uint64_t lin = blk_lin(v, i, n, false);
    for (unsigned k = 0; k < n; k++)
        buf[k] = (uint8_t)lin_read(v, lin_add(v, lin, k), 1);
}

static void blk_write(struct vcpu *v, const struct insn *i, const uint8_t *buf, unsigned n)
{
    uint64_t lin = blk_lin(v, i, n, true);
    lin_probe_write(v, lin, n);     /* both pages (n <= 108) before any byte */
    for (unsigned k = 0; k < n; k++)
        lin_write(v, lin_add(v, lin, k), 1, buf[k]);
}

void x87_read80(struct vcpu *v, const struct insn *i, uint8_t out[10])
{
    blk_read(v, i, out, 10);
}

void x87_write80(struct vcpu *v, const struct insn *i, const uint8_t in[10])
{
    blk_write(v, i, in, 10);
}

/* ---- FWAIT ---- */

void op_fwait(struct vcpu *v, const struct insn *i)
{
    (void)i;
    if ((v->s.cr0 & (X86_CR0_MP | X86_CR0_TS)) == (X86_CR0_MP | X86_CR0_TS))
        cpu_raise(v, EXC_NM, false, 0);
    if (v->s.fpu.fsw & FSW_ES)
        cpu_raise(v, EXC_MF, false, 0);
}

/* ---- control and status words ---- */

/* FCW: bits 6 reads as 1, 7 and 13-15 as 0 (bit 12, the 287's infinity
 * control, is kept) - as FLDCW/FNSTCW do on hardware */
static uint16_t fcw_value(uint16_t raw)
{
    return (uint16_t)((raw & 0x1f3f) | 0x40);
}

void op_x87_fldcw(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    uint16_t cw = (uint16_t)vm_read(v, i->seg, insn_ea(v, i), 2);
    v->s.fpu.fcw = fcw_value(cw);
    x87_update_es(&v->s.fpu);
}

void op_x87_fnstcw(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, false);
    vm_write(v, i->seg, insn_ea(v, i), 2, v->s.fpu.fcw);
}

void op_x87_fnstsw(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, false);
    if (i->mod == 3)
        set_reg(v, R_RAX, 2, v->s.fpu.fsw);     /* DF E0: FNSTSW AX */
    else
        vm_write(v, i->seg, insn_ea(v, i), 2, v->s.fpu.fsw);
}

void op_x87_fnclex(struct vcpu *v, const struct insn *i)
{
    (void)i;
    x87_enter(v, false);
    v->s.fpu.fsw &= (uint16_t)~(FSW_EXC | FSW_SF | FSW_ES | FSW_B);
}

static void x87_init(struct x86_fpu *f)
{
    x87_retop(f, 0);
    f->fcw = 0x37f;
    f->fsw = 0;
    f->ftw = 0;
    f->fop = 0;
    f->fip = 0;
    f->fdp = 0;
    f->fcs = 0;
    f->fds = 0;
}

void op_x87_fninit(struct vcpu *v, const struct insn *i)
{
    (void)i;
    x87_enter(v, false);
    x87_init(&v->s.fpu);
}

/* D9 D0 FNOP */
void op_x87_fnop(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
}

/* DB E0/E1/E4 FNENI/FNDISI/FNSETPM: no-ops since the 387, non-waiting */
void op_x87_fnop_legacy(struct vcpu *v, const struct insn *i)
{
    (void)i;
    x87_enter(v, false);
}

/* ---- stack management ---- */

void op_x87_ffree(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    x87_set_valid(&v->s.fpu, i->rm & 7, false);
    x87_set_cc(&v->s.fpu, FSW_C1, 0);
    if (i->opcode == 0xdf)          /* FFREEP (DF C0+i): free, then pop */
        x87_pop(&v->s.fpu);
}

void op_x87_fincdecstp(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    x87_note(v, i);
    struct x86_fpu *f = &v->s.fpu;
    if ((i->rm & 7) == 7)
        x87_inc_top(f);     /* D9 F7 FINCSTP */
    else
        x87_dec_top(f);     /* D9 F6 FDECSTP */
    x87_set_cc(f, FSW_C1, 0);
}

/* ---- environment and state images (SDM vol. 1 8.1.10, figs. 8-9..8-12) ---- */

static void put16(uint8_t *p, uint32_t x) { p[0] = (uint8_t)x; p[1] = (uint8_t)(x >> 8); }
static void put32(uint8_t *p, uint32_t x) { put16(p, x); put16(p + 2, x >> 16); }
static uint32_t get16(const uint8_t *p) { return p[0] | ((uint32_t)p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (get16(p + 2) << 16); }

static bool env_real(struct vcpu *v)
{
    return !v->pe || v->v86;
}

/* Build the environment image; returns its size (14 or 28). */
static unsigned env_store(struct vcpu *v, const struct insn *i, uint8_t *b)
{
    struct x86_fpu *f = &v->s.fpu;
    uint32_t tw = 0;
    for (unsigned n = 0; n < 8; n++)
        tw |= x87_full_tag(f, n) << (2 * n);
    bool real = env_real(v);
    uint32_t fip = (uint32_t)f->fip, fdp = (uint32_t)f->fdp, fop = f->fop & 0x7ffu;
    if (real) {
        /* real-address formats hold 20/32-bit linear pointers */
        fip += (uint32_t)f->fcs << 4;
        fdp += (uint32_t)f->fds << 4;
    }
    if (i->opsize == 2) {
        put16(b + 0, f->fcw);
        put16(b + 2, f->fsw);
        put16(b + 4, tw);
        put16(b + 6, fip);
        if (real) {
            put16(b + 8, ((fip >> 16) & 0xf) << 12 | fop);
            put16(b + 10, fdp);
            put16(b + 12, ((fdp >> 16) & 0xf) << 12);
        } else {
            put16(b + 8, f->fcs);
            put16(b + 10, fdp);
            put16(b + 12, f->fds);
        }
        return 14;
    }
    put32(b + 0, 0xffff0000u | f->fcw);
    put32(b + 4, 0xffff0000u | f->fsw);
    put32(b + 8, 0xffff0000u | tw);
    if (real) {
        put32(b + 12, 0xffff0000u | (fip & 0xffff));
        put32(b + 16, ((fip >> 16) & 0xffff) << 12 | fop);
        put32(b + 20, 0xffff0000u | (fdp & 0xffff));
        put32(b + 24, ((fdp >> 16) & 0xffff) << 12);
    } else {
        put32(b + 12, fip);
        put32(b + 16, f->fcs | fop << 16);
        put32(b + 20, fdp);
        put32(b + 24, 0xffff0000u | f->fds);
    }
    return 28;
}

/* Parse an environment image into F (registers untouched); returns its size. */
static unsigned env_load(struct vcpu *v, const struct insn *i, const uint8_t *b, struct x86_fpu *f)
{
    bool real = env_real(v);
    uint32_t tw;
    uint16_t old_fsw = f->fsw;
    if (i->opsize == 2) {
        f->fcw = fcw_value((uint16_t)get16(b));
        f->fsw = (uint16_t)get16(b + 2);
        tw = get16(b + 4);
        if (real) {
            uint32_t w = get16(b + 8);
            f->fip = get16(b + 6) | ((w >> 12) << 16);
            f->fop = (uint16_t)(w & 0x7ff);
            f->fdp = get16(b + 10) | ((get16(b + 12) >> 12) << 16);
            f->fcs = f->fds = 0;
        } else {
            f->fip = get16(b + 6);
            f->fcs = (uint16_t)get16(b + 8);
            f->fdp = get16(b + 10);
            f->fds = (uint16_t)get16(b + 12);
        }
    } else {
        f->fcw = fcw_value((uint16_t)get16(b));
        f->fsw = (uint16_t)get16(b + 4);
        tw = get16(b + 8);
        if (real) {
            uint32_t w = get32(b + 16);
            f->fip = get16(b + 12) | ((w >> 12) & 0xffff) << 16;
            f->fop = (uint16_t)(w & 0x7ff);
            f->fdp = get16(b + 20) | ((get32(b + 24) >> 12) & 0xffff) << 16;
            f->fcs = f->fds = 0;
        } else {
            uint32_t w = get32(b + 16);
            f->fip = get32(b + 12);
            f->fcs = (uint16_t)w;
            f->fop = (uint16_t)((w >> 16) & 0x7ff);
            f->fdp = get32(b + 20);
            f->fds = (uint16_t)get16(b + 24);
        }
    }
    uint8_t ftw = 0;
    for (unsigned n = 0; n < 8; n++)
        if (((tw >> (2 * n)) & 3) != 3)
            ftw |= (uint8_t)(1u << n);
    f->ftw = ftw;
    x87_update_es(f);
    /* TOP changes, the physical registers stay */
    uint16_t fsw = f->fsw;
    f->fsw = old_fsw;
    x87_retop(f, (fsw >> FSW_TOP_SHIFT) & 7);
    f->fsw = fsw;
    return i->opsize == 2 ? 14 : 28;
}

void op_x87_fnstenv(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, false);
    uint8_t b[28];
    unsigned n = env_store(v, i, b);
    blk_write(v, i, b, n);
    v->s.fpu.fcw |= FSW_EXC;    /* then masks all exceptions: nothing pending */
    x87_update_es(&v->s.fpu);
}

void op_x87_fldenv(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    uint8_t b[28];
    unsigned n = i->opsize == 2 ? 14 : 28;
    blk_read(v, i, b, n);
    struct x86_fpu f = v->s.fpu;
    env_load(v, i, b, &f);
    v->s.fpu = f;
}

void op_x87_fnsave(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, false);
    uint8_t b[108];
    unsigned n = env_store(v, i, b);
    for (unsigned k = 0; k < 8; k++)
        x87_to_bytes(b + n + 10 * k, v->s.fpu.st[k]);
    blk_write(v, i, b, n + 80);
    x87_init(&v->s.fpu);
}

void op_x87_frstor(struct vcpu *v, const struct insn *i)
{
    x87_enter(v, true);
    uint8_t b[108];
    unsigned n = i->opsize == 2 ? 14 : 28;
    blk_read(v, i, b, n + 80);
    struct x86_fpu f = v->s.fpu;
    env_load(v, i, b, &f);
    for (unsigned k = 0; k < 8; k++)
        f.st[k] = x87_from_bytes(b + n + 10 * k);
    v->s.fpu = f;
}
