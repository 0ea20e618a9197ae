/*
 * exec_sse4_fp.c - the floating-point rows of SSE3 and SSE4.1, and the
 * SSE3 moves: ADDSUBPS/PD, HADDPS/PD, HSUBPS/PD (SDM vol. 2, SSE3),
 * MOVSLDUP, MOVSHDUP, MOVDDUP, LDDQU, and ROUNDPS/PD/SS/SD, DPPS, DPPD
 * (SSE4.1).  The arithmetic runs on the host's own SSE unit through
 * SIMD_HOST (cpu/fpu.h) under the guest MXCSR, so results, flags, NaN
 * propagation, DAZ/FTZ and DPPS's per-step rounding are those of a real
 * CPU; simd_fp_exceptions() then decides #XM/#UD before the destination
 * is written.  Instructions with an imm8 are dispatched over all its
 * values (the host instruction needs it as a constant).
 * Memory operands: packed forms 16-byte aligned (#GP(0)); MOVDDUP m64,
 * ROUNDSS m32, ROUNDSD m64 and LDDQU m128 are not alignment-checked.
 * This file is the only one of the SSE3..SSE4.2 files with host asm.
 * Not implemented: MONITOR/MWAIT (not advertised: #UD).
 */
#include "cpu/fpu.h"
#include "cpu/handlers.h"

typedef long long v2di __attribute__((vector_size(16)));

static inline v2di vload(const union x86_xmm *x)
{
    v2di r;
    memcpy(&r, x, 16);
    return r;
}

static inline void vstore(union x86_xmm *x, v2di r)
{
    memcpy(x, &r, 16);
}

/* two-operand packed FP: xmm1 op= xmm2/m128 (aligned) */
#define FP2(name, mn) \
    void name(struct vcpu *v, const struct insn *i) \
    { \
        sse_enter(v); \
        union x86_xmm s; \
        simd_read128(v, i, &s, true); \
        v2di a = vload(xmm_reg(v, i->reg)), b = vload(&s); \
        uint32_t fl; \
        SIMD_HOST(v, fl, mn " %[s], %[d]", ([d] "+x"(a)), ([s] "x"(b))); \
        simd_fp_exceptions(v, fl); \
        vstore(xmm_reg(v, i->reg), a); \
    }

FP2(sse3_addsubpd, "addsubpd")
FP2(sse3_addsubps, "addsubps")
FP2(sse3_haddpd, "haddpd")
FP2(sse3_haddps, "haddps")
FP2(sse3_hsubpd, "hsubpd")
FP2(sse3_hsubps, "hsubps")

void sse3_movsldup(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    union x86_xmm s;
    simd_read128(v, i, &s, true);
    union x86_xmm *d = xmm_reg(v, i->reg);
    d->d[0] = d->d[1] = s.d[0];
    d->d[2] = d->d[3] = s.d[2];
}

void sse3_movshdup(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    union x86_xmm s;
    simd_read128(v, i, &s, true);
    union x86_xmm *d = xmm_reg(v, i->reg);
    d->d[0] = d->d[1] = s.d[1];
    d->d[2] = d->d[3] = s.d[3];
}

void sse3_movddup(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    uint64_t q = simd_read_xmm_or_mem(v, i, 8);
    union x86_xmm *d = xmm_reg(v, i->reg);
    d->q[0] = d->q[1] = q;
}

void sse3_lddqu(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    union x86_xmm s;
    simd_read128(v, i, &s, false);
    *xmm_reg(v, i->reg) = s;
}

/* ---- imm8 dispatch ---- */
#define X16(X, h) X(0x##h##0) X(0x##h##1) X(0x##h##2) X(0x##h##3) X(0x##h##4) X(0x##h##5) \
    X(0x##h##6) X(0x##h##7) X(0x##h##8) X(0x##h##9) X(0x##h##a) X(0x##h##b) X(0x##h##c) \
    X(0x##h##d) X(0x##h##e) X(0x##h##f)
#define X256(X) X16(X, 0) X16(X, 1) X16(X, 2) X16(X, 3) X16(X, 4) X16(X, 5) X16(X, 6) X16(X, 7) \
    X16(X, 8) X16(X, 9) X16(X, a) X16(X, b) X16(X, c) X16(X, d) X16(X, e) X16(X, f)

/* run "INSN $imm, %[s], %[d]" on the host; A is the destination */
#define IMM_CASE(n) \
    case n: \
        SIMD_HOST(v, fl, INSN_NAME " $" #n ", %[s], %[d]", ([d] "+x"(a)), ([s] "x"(b))); \
        break;

#define INSN_NAME "roundps"
static uint32_t host_roundps(struct vcpu *v, v2di *pa, v2di b, unsigned imm)
{
    v2di a = *pa;
    uint32_t fl = 0;
    switch (imm & 15) { X16(IMM_CASE, 0) }
    *pa = a;
    return fl;
}
#undef INSN_NAME
#define INSN_NAME "roundpd"
static uint32_t host_roundpd(struct vcpu *v, v2di *pa, v2di b, unsigned imm)
{
    v2di a = *pa;
    uint32_t fl = 0;
    switch (imm & 15) { X16(IMM_CASE, 0) }
    *pa = a;
    return fl;
}
#undef INSN_NAME
#define INSN_NAME "roundss"
static uint32_t host_roundss(struct vcpu *v, v2di *pa, v2di b, unsigned imm)
{
    v2di a = *pa;
    uint32_t fl = 0;
    switch (imm & 15) { X16(IMM_CASE, 0) }
    *pa = a;
    return fl;
}
#undef INSN_NAME
#define INSN_NAME "roundsd"
static uint32_t host_roundsd(struct vcpu *v, v2di *pa, v2di b, unsigned imm)
{
    v2di a = *pa;
    uint32_t fl = 0;
    switch (imm & 15) { X16(IMM_CASE, 0) }
    *pa = a;
    return fl;
}
#undef INSN_NAME
#define INSN_NAME "dpps"
static uint32_t host_dpps(struct vcpu *v, v2di *pa, v2di b, unsigned imm)
{
    v2di a = *pa;
    uint32_t fl = 0;
    switch (imm & 255) { X256(IMM_CASE) }
    *pa = a;
    return fl;
}
#undef INSN_NAME
#define INSN_NAME "dppd"
static uint32_t host_dppd(struct vcpu *v, v2di *pa, v2di b, unsigned imm)
{
    v2di a = *pa;
    uint32_t fl = 0;
    switch (imm & 255) { X256(IMM_CASE) }
    *pa = a;
    return fl;
}
#undef INSN_NAME

typedef uint32_t (*host_imm_fn)(struct vcpu *v, v2di *pa, v2di b, unsigned imm);

/* packed: xmm1 = f(xmm1, xmm2/m128 aligned, imm8) */
static void packed_imm(struct vcpu *v, const struct insn *i, host_imm_fn f)
{
    sse_enter(v);
    union x86_xmm s;
    simd_read128(v, i, &s, true);
    v2di a = vload(xmm_reg(v, i->reg));
    uint32_t fl = f(v, &a, vload(&s), (unsigned)i->imm & 0xff);
    simd_fp_exceptions(v, fl);
    vstore(xmm_reg(v, i->reg), a);
}

/* scalar: the low SIZE bytes of xmm2 or an unaligned m32/m64 */
static void scalar_imm(struct vcpu *v, const struct insn *i, unsigned size, host_imm_fn f)
{
    sse_enter(v);
    union x86_xmm s = {.q = {simd_read_xmm_or_mem(v, i, size), 0}};
    v2di a = vload(xmm_reg(v, i->reg));
    uint32_t fl = f(v, &a, vload(&s), (unsigned)i->imm & 0xff);
    simd_fp_exceptions(v, fl);
    vstore(xmm_reg(v, i->reg), a);
}

void sse41_roundps(struct vcpu *v, const struct insn *i) { packed_imm(v, i, host_roundps); }
void sse41_roundpd(struct vcpu *v, const struct insn *i) { packed_imm(v, i, host_roundpd); }
void sse41_roundss(struct vcpu *v, const struct insn *i) { scalar_imm(v, i, 4, host_roundss); }
void sse41_roundsd(struct vcpu *v, const struct insn *i) { scalar_imm(v, i, 8, host_roundsd); }
void sse41_dpps(struct vcpu *v, const struct insn *i) { packed_imm(v, i, host_dpps); }
void sse41_dppd(struct vcpu *v, const struct insn *i) { packed_imm(v, i, host_dppd); }
