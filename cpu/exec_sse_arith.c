/*
 * exec_sse_arith.c - SSE/SSE2 floating-point arithmetic (SDM vol. 2:
 * ADDPS..ADDSD, SUB, MUL, DIV, MIN, MAX, SQRT, RCPPS/RCPSS,
 * RSQRTPS/RSQRTSS, CMPPS..CMPSD, COMISS/UCOMISS/COMISD/UCOMISD) on the
 * host SSE unit (cpu/sse_host.c).  Packed memory operands are 16 bytes
 * with the legacy-SSE alignment #GP(0); scalar ones read only 4/8 bytes
 * and are never checked for alignment (vol. 2 2.4, exception classes 2
 * and 3).  SIMD exceptions (vol. 1 11.5): all lanes are computed, flags
 * reported (#XM / #UD) before the destination is written.  The host runs
 * with every exception masked; the unmasked responses are derived here:
 * pre-computation exceptions suppress post-computation flags, an exact
 * tiny result raises UE when UM=0, and with an unmasked OE/UE the PE flag
 * is that of the result with unbounded exponent (unmasked_post()).
 *
 * CMPxx: legacy encodings use imm8[2:0] only (predicates 0-7; the host
 * ignores imm8[7:3] too, tests/unit/test_sse_fp.c); the larger
 * predicates are VEX-only (not implemented: no VEX).
 */
#include "cpu/sse_host.h"

void sse_fp_report(struct vcpu *v, uint32_t flags)
{
    uint32_t masks = (v->s.fpu.mxcsr >> MXCSR_MASKS_SHIFT) & MXCSR_FLAGS;
    const uint32_t pre = MXCSR_IE | MXCSR_DE | MXCSR_ZE;
    if (flags & ~masks & pre)
        flags &= pre;
    simd_fp_exceptions(v, flags);
}

static void read_src(struct vcpu *v, const struct insn *i, union x86_xmm *s, unsigned size, bool align)
{
    if (size == 16) {
        simd_read128(v, i, s, align);
    } else if (i->mod == 3) {
        *s = *xmm_reg(v, i->rm);
    } else {
        memset(s, 0, sizeof(*s));
        s->q[0] = vm_read(v, i->seg, insn_ea(v, i), size);
    }
}

/* Unmasked underflow is signalled for every tiny result, exact or not
 * (SDM vol. 1 4.9.1.5, 11.5.2.4); the host ran masked, where an exact
 * tiny result raises nothing.  With UM=0 and FTZ off, a lane whose
 * masked result is a nonzero denormal was tiny: add UE.  LANES: 1 = 4
 * floats, 2 = 2 doubles, 3 = float lane 0, 4 = double lane 0, 5 = floats
 * 0-1; 0 = the operation cannot underflow. */
static uint32_t exact_tiny(const struct vcpu *v, const union x86_xmm *r, unsigned lanes, uint32_t fl)
{
    uint32_t mx = v->s.fpu.mxcsr;
    if (!lanes || (mx & (MXCSR_UE << MXCSR_MASKS_SHIFT)) || (fl & MXCSR_UE))
        return fl;
    static const uint8_t n[6] = {0, 4, 2, 1, 1, 2};
    bool dbl = lanes == 2 || lanes == 4;
    for (unsigned k = 0; k < n[lanes]; k++) {
        bool tiny = dbl ? (r->q[k] & 0x7ff0000000000000ull) == 0 && (r->q[k] << 1) != 0
                        : (r->d[k] & 0x7f800000u) == 0 && (r->d[k] << 1) != 0;
        if (tiny)
            return fl | MXCSR_UE;
    }
    return fl;
}

static unsigned uf_lanes(enum sse_hop op)
{
    switch (op) {
    case SH_ADDPS: case SH_SUBPS: case SH_MULPS: case SH_DIVPS:
        return 1;
    case SH_ADDPD: case SH_SUBPD: case SH_MULPD: case SH_DIVPD:
        return 2;
    case SH_ADDSS: case SH_SUBSS: case SH_MULSS: case SH_DIVSS: case SH_CVTSD2SS:
        return 3;
    case SH_ADDSD: case SH_SUBSD: case SH_MULSD: case SH_DIVSD:
        return 4;
    case SH_CVTPD2PS:
        return 5;
    default:
        return 0;
    }
}

/* Per-lane shape of the operations that can overflow or underflow:
 * the scalar operation that computes one lane, and the SSE_K_ kind. */
static bool uf_info(enum sse_hop op, enum sse_hop *scalar, unsigned *kind)
{
    switch (op) {
#define UF_(P, S, K) \
    case SH_##P##PS: case SH_##P##SS: *scalar = SH_##P##SS; *kind = K; return true; \
    case SH_##P##PD: case SH_##P##SD: *scalar = SH_##P##SD; *kind = K; return true;
    UF_(ADD, S, SSE_K_ADD)
    UF_(SUB, S, SSE_K_SUB)
    UF_(MUL, S, SSE_K_MUL)
    UF_(DIV, S, SSE_K_DIV)
#undef UF_
    case SH_CVTPD2PS: case SH_CVTSD2SS:
        *scalar = SH_CVTSD2SS;
        *kind = SSE_K_CVT;
        return true;
    default:
        return false;
    }
}

static long double lane_value(uint64_t bits, bool dbl, bool daz)
{
    if (dbl) {
        if (daz && (bits & 0x7ff0000000000000ull) == 0)
            bits &= 0x8000000000000000ull;
        double x;
        memcpy(&x, &bits, 8);
        return x;
    }
    uint32_t b32 = (uint32_t)bits;
    if (daz && (b32 & 0x7f800000u) == 0)
        b32 &= 0x80000000u;
    float x;
    memcpy(&x, &b32, 4);
    return x;
}

/* An unmasked overflow or underflow (SDM vol. 1 4.9.1.4/4.9.1.5,
 * 11.5.3.2 step 5): the flags are those of the unmasked response, where
 * PE says whether the result rounded to the destination precision with
 * an unbounded exponent was inexact.  The host ran everything masked,
 * which reports PE for the denormal/infinite result instead, so each
 * lane is run again on its own (scalar form, masked) to see which lanes
 * overflowed or underflowed, and for those PE is recomputed exactly. */
static uint32_t unmasked_post(struct vcpu *v, enum sse_hop op, const union x86_xmm *d0,
                              const union x86_xmm *s, uint32_t fl)
{
    enum sse_hop sop;
    unsigned kind;
    if (!uf_info(op, &sop, &kind))
        return fl;
    unsigned lanes = uf_lanes(op);
    static const uint8_t n[6] = {0, 4, 2, 1, 1, 2};
    bool src_dbl = lanes == 2 || lanes == 4 || kind == SSE_K_CVT;
    bool dst_dbl = lanes == 2 || lanes == 4;
    uint32_t masks = (v->s.fpu.mxcsr >> MXCSR_MASKS_SHIFT) & MXCSR_FLAGS;
    bool daz = v->s.fpu.mxcsr & MXCSR_DAZ;
    uint32_t out = fl & (MXCSR_IE | MXCSR_DE | MXCSR_ZE);
    for (unsigned k = 0; k < n[lanes]; k++) {
        union x86_xmm a, b, r;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        uint64_t av = dst_dbl ? d0->q[k] : d0->d[k];
        uint64_t bv = src_dbl ? s->q[k] : s->d[k];
        if (dst_dbl)
            a.q[0] = av;
        else
            a.d[0] = (uint32_t)av;
        if (src_dbl)
            b.q[0] = bv;
        else
            b.d[0] = (uint32_t)bv;
        r = a;
        uint32_t f = sse_host_op(v, sop, &r, &b);
        f = exact_tiny(v, &r, dst_dbl ? 4 : 3, f);
        if (f & ~masks & (MXCSR_OE | MXCSR_UE)) {
            f &= ~MXCSR_PE;
            long double x = kind == SSE_K_CVT ? lane_value(bv, true, daz) : lane_value(av, dst_dbl, daz);
            long double y = kind == SSE_K_CVT ? 0 : lane_value(bv, src_dbl, daz);
            if (!sse_exact_unbounded(kind, x, y, dst_dbl ? 53 : 24))
                f |= MXCSR_PE;
        }
        out |= f & (MXCSR_OE | MXCSR_UE | MXCSR_PE);
    }
    return out;
}

void sse_run(struct vcpu *v, const struct insn *i, enum sse_hop op, unsigned size, bool align)
{
    sse_enter(v);
    union x86_xmm s, d = *xmm_reg(v, i->reg);
    read_src(v, i, &s, size, align);
    union x86_xmm d0 = d;
    uint32_t fl = sse_host_op(v, op, &d, &s);
    fl = exact_tiny(v, &d, uf_lanes(op), fl);
    uint32_t unmasked = fl & ~(v->s.fpu.mxcsr >> MXCSR_MASKS_SHIFT) & MXCSR_FLAGS;
    if ((unmasked & (MXCSR_OE | MXCSR_UE)) && !(unmasked & (MXCSR_IE | MXCSR_DE | MXCSR_ZE)))
        fl = unmasked_post(v, op, &d0, &s, fl);
    sse_fp_report(v, fl);
    *xmm_reg(v, i->reg) = d;
}

#define SSE_ARITH4(name, NAME) \
    void op_sse_##name##ps(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_##NAME##PS, 16, true); } \
    void op_sse_##name##pd(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_##NAME##PD, 16, true); } \
    void op_sse_##name##ss(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_##NAME##SS, 4, false); } \
    void op_sse_##name##sd(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_##NAME##SD, 8, false); }
SSE_ARITH4(add, ADD)
SSE_ARITH4(mul, MUL)
SSE_ARITH4(sub, SUB)
SSE_ARITH4(min, MIN)
SSE_ARITH4(div, DIV)
SSE_ARITH4(max, MAX)
SSE_ARITH4(sqrt, SQRT)
#undef SSE_ARITH4

void op_sse_rsqrtps(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_RSQRTPS, 16, true); }
void op_sse_rsqrtss(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_RSQRTSS, 4, false); }
void op_sse_rcpps(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_RCPPS, 16, true); }
void op_sse_rcpss(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_RCPSS, 4, false); }

/* CMPPS/CMPPD/CMPSS/CMPSD xmm, xmm/m, imm8 (0F C2) */
static void cmp(struct vcpu *v, const struct insn *i, unsigned form)
{
    static const unsigned size[4] = {16, 16, 4, 8};
    sse_enter(v);
    union x86_xmm s, d = *xmm_reg(v, i->reg);
    read_src(v, i, &s, size[form], form < 2);
    uint32_t fl = sse_host_cmp(v, form, (unsigned)i->imm & 7, &d, &s);
    sse_fp_report(v, fl);
    *xmm_reg(v, i->reg) = d;
}

void op_sse_cmpps(struct vcpu *v, const struct insn *i) { cmp(v, i, 0); }
void op_sse_cmppd(struct vcpu *v, const struct insn *i) { cmp(v, i, 1); }
void op_sse_cmpss(struct vcpu *v, const struct insn *i) { cmp(v, i, 2); }
void op_sse_cmpsd(struct vcpu *v, const struct insn *i) { cmp(v, i, 3); }

/* (U)COMISS/(U)COMISD: ZF/PF/CF from the comparison (unordered: all
 * three set), OF/SF/AF cleared; COMIS signals IE on QNaN too. */
static void comi(struct vcpu *v, const struct insn *i, unsigned form)
{
    sse_enter(v);
    union x86_xmm s;
    read_src(v, i, &s, (form & 1) ? 8 : 4, false);
    uint32_t efl = 0;
    uint32_t fl = sse_host_comi(v, form, xmm_reg(v, i->reg), &s, &efl);
    sse_fp_report(v, fl);
    cpu_set_arith_flags(v, X86_FLAG_ZF | X86_FLAG_PF | X86_FLAG_CF | X86_FLAG_OF | X86_FLAG_SF | X86_FLAG_AF,
                        efl);
}

void op_sse_ucomiss(struct vcpu *v, const struct insn *i) { comi(v, i, 0); }
void op_sse_ucomisd(struct vcpu *v, const struct insn *i) { comi(v, i, 1); }
void op_sse_comiss(struct vcpu *v, const struct insn *i) { comi(v, i, 2); }
void op_sse_comisd(struct vcpu *v, const struct insn *i) { comi(v, i, 3); }
