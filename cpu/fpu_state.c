/*
 * fpu_state.c - shared x87/MMX/SSE state helpers declared in cpu/fpu.h:
 * entering MMX mode (SDM vol. 1 9.5.1: TOP=0, all tags valid), EMMS,
 * 128-bit memory operands with the 16-byte alignment rule (vol. 2 2.4,
 * exceptions type 1), and MXCSR exception reporting (vol. 1 11.5.1:
 * unmasked -> #XM, or #UD when CR4.OSXMMEXCPT=0).
 */
#include "cpu/fpu.h"

static void mmx_check(struct vcpu *v)
{
    if (v->s.cr0 & X86_CR0_EM)
        cpu_ud(v);
    if (v->s.cr0 & X86_CR0_TS)
        cpu_raise(v, EXC_NM, false, 0);
    if (v->s.fpu.fsw & FSW_ES)
        cpu_raise(v, EXC_MF, false, 0);
}

void mmx_enter(struct vcpu *v)
{
    mmx_check(v);
    struct x86_fpu *f = &v->s.fpu;
    unsigned top = (f->fsw & FSW_TOP_MASK) >> FSW_TOP_SHIFT;
    if (top) {
        /* st[] is ST(i) = R((TOP+i)&7); with TOP=0 the new ST(i) is R(i) */
        struct x87_reg r[8];
        for (unsigned k = 0; k < 8; k++)
            r[(top + k) & 7] = f->st[k];
        memcpy(f->st, r, sizeof(r));
        f->fsw &= (uint16_t)~FSW_TOP_MASK;
    }
    f->ftw = 0xff;
}

void mmx_emms(struct vcpu *v)
{
    mmx_check(v);
    v->s.fpu.ftw = 0;
}

void simd_lin_read128(struct vcpu *v, uint64_t lin, union x86_xmm *out)
{
    uint64_t lo = lin_read(v, lin, 8);
    uint64_t hi = lin_read(v, v->code64 ? lin + 8 : (uint32_t)(lin + 8), 8);
    out->q[0] = lo;
    out->q[1] = hi;
}

void simd_lin_write128(struct vcpu *v, uint64_t lin, const union x86_xmm *val)
{
    uint64_t hi_lin = v->code64 ? lin + 8 : (uint32_t)(lin + 8);
    /* both halves must be writable before either is written */
    lin_probe_write(v, lin, 8);
    lin_probe_write(v, hi_lin, 8);
    lin_write(v, lin, 8, val->q[0]);
    lin_write(v, hi_lin, 8, val->q[1]);
}

void simd_read128(struct vcpu *v, const struct insn *i, union x86_xmm *out, bool align)
{
    if (i->mod == 3) {
        *out = *xmm_reg(v, i->rm);
        return;
    }
    uint64_t lin = simd_lin(v, i, 16, false);
    if (align && (lin & 15))
        cpu_gp(v, 0);
    simd_lin_read128(v, lin, out);
}

void simd_write128(struct vcpu *v, const struct insn *i, const union x86_xmm *val, bool align)
{
    if (i->mod == 3) {
        *xmm_reg(v, i->rm) = *val;
        return;
    }
    uint64_t lin = simd_lin(v, i, 16, true);
    if (align && (lin & 15))
        cpu_gp(v, 0);
    simd_lin_write128(v, lin, val);
}

void simd_fp_exceptions(struct vcpu *v, uint32_t flags)
{
    flags &= MXCSR_FLAGS;
    if (!flags)
        return;
    v->s.fpu.mxcsr |= flags;
    uint32_t masks = (v->s.fpu.mxcsr >> MXCSR_MASKS_SHIFT) & MXCSR_FLAGS;
    if (flags & ~masks) {
        if (v->s.cr4 & X86_CR4_OSXMMEXCPT)
            cpu_raise(v, EXC_XM, false, 0);
        cpu_ud(v);
    }
}
