/*
 * exec_sse4_fp.c - the floating-point rows of SSE3 and SSE4.1, and the
 * SSE3 moves: ADDSUBPS/PD, HADDPS/PD, HSUBPS/PD (SDM vol. 2, SSE3),
 * MOVSLDUP, MOVSHDUP, MOVDDUP, LDDQU, and ROUNDPS/PD/SS/SD, DPPS, DPPD
 * (SSE4.1).
 *
 * The arithmetic runs on the host's own SSE unit (HOST_RUN: the SIMD_HOST
 * scheme of cpu/fpu.h with an explicit MXCSR value) with the guest's
 * rounding, DAZ and FZ and every exception masked, so results, NaN
 * propagation and denormal handling are those of a real CPU.  What a CPU
 * with the guest's *unmasked* exceptions records differs from a masked
 * run, and host_fp()/fp_flags() rebuild it (SDM vol. 1 11.5.1-11.5.2,
 * checked against the host in tests/unit/test_sse4.c): an unmasked
 * pre-computation exception (IE/DE/ZE) faults with only those flags; an
 * unmasked UE fires for exact tiny results too (found by a second run
 * with FZ=1); a lane whose OE/UE is unmasked records PE only if its
 * unbounded-exponent rounding is inexact (products: exact integer check;
 * sums: a run scaled down by 2^-64/2^-512; tiny sums are always exact).
 * Lanes are isolated by zeroing the other inputs (0 op 0 raises nothing).
 * DPPS/DPPD run as the SDM's steps (multiply, pairwise adds), each with
 * those rules; an unmasked exception in a step ends the instruction with
 * the flags of the steps so far.  simd_fp_exceptions() then raises #XM
 * (or #UD when CR4.OSXMMEXCPT=0) before the destination is written.
 * ROUNDxx and imm8 dispatch: a switch over the imm8 values (the host
 * instruction needs a constant).
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

/*
 * Run one host instruction under MXCSR value MX (exceptions masked by the
 * caller's choice of MX) and return the exception flags it raised.  Same
 * scheme as SIMD_HOST (cpu/fpu.h), with the MXCSR value explicit so that
 * host_fp() can run an instruction a second time with FZ=1.
 */
#define HOST_RUN(mx, flags_out, insn, outs, ins) \
    do { \
        uint32_t host_saved_, host_got_, host_mx_ = (mx); \
        __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[gu]\n\t" insn "\n\tstmxcsr %[go]\n\tldmxcsr %[sv]" \
                         : [sv] "=m"(host_saved_), [go] "=m"(host_got_), \
                           [gu] "+m"(host_mx_), SIMD_STRIP_ outs \
                         : SIMD_STRIP_ ins); \
        (flags_out) = host_got_ & MXCSR_FLAGS; \
    } while (0)

/* A = A op B under MXCSR MX, flags returned (IMM for the imm8 forms) */
typedef uint32_t (*host_fn)(uint32_t mx, v2di *pa, v2di b, unsigned imm);

#define PRE_FLAGS (MXCSR_IE | MXCSR_DE | MXCSR_ZE)
#define POST_FLAGS (MXCSR_OE | MXCSR_UE | MXCSR_PE)

/* Which source elements feed each result lane (for lane-by-lane runs):
 * N lanes, elements of ES bytes, bit masks of the elements of the
 * destination (D) and source (S) operands that lane K reads. */
struct lanes {
    unsigned n, es;
    uint8_t d[4], s[4];
    bool mul;       /* lane K is D[K] * S[K] (for the PE of a faulting product) */
};

/* significand and exponent of a finite IEEE value of ES bytes, X = M * 2^E
 * (denormals as zero when DAZ) */
static void decompose(uint64_t bits, unsigned es, bool daz, uint64_t *m, int *e)
{
    unsigned mbits = es == 4 ? 23 : 52, ebits = es == 4 ? 8 : 11;
    int bias = (1 << (ebits - 1)) - 1;
    uint64_t frac = bits & ((1ull << mbits) - 1);
    int ex = (int)((bits >> mbits) & ((1u << ebits) - 1));
    if (ex == 0) {
        *m = daz ? 0 : frac;
        *e = 1 - bias - (int)mbits;
    } else {
        *m = frac | (1ull << mbits);
        *e = ex - bias - (int)mbits;
    }
}

/* Is the product of lane K of A and B inexact when rounded to the
 * significand width with an unbounded exponent?  That is the PE a CPU
 * records for a product whose overflow/underflow is unmasked. */
static bool product_inexact(v2di a, v2di b, unsigned es, unsigned k, bool daz)
{
    union x86_xmm ua, ub;
    vstore(&ua, a);
    vstore(&ub, b);
    uint64_t ma, mb;
    int ea, eb;
    decompose(es == 4 ? ua.d[k] : ua.q[k], es, daz, &ma, &ea);
    decompose(es == 4 ? ub.d[k] : ub.q[k], es, daz, &mb, &eb);
    unsigned __int128 p = (unsigned __int128)ma * mb;
    if (!p)
        return false;
    unsigned lo = 0, hi = 0;
    while (!((p >> lo) & 1))
        lo++;
    for (unsigned __int128 t = p; t; t >>= 1)
        hi++;
    return hi - lo > (es == 4 ? 24u : 53u);
}

static v2di keep(v2di x, unsigned es, unsigned m)
{
    union x86_xmm u;
    vstore(&u, x);
    for (unsigned e = 0; e < 16 / es; e++)
        if (!((m >> e) & 1))
            memset(u.b + e * es, 0, es);
    return vload(&u);
}

#define HOST1(fname, mn) \
    static uint32_t fname(uint32_t mx, v2di *pa, v2di b, unsigned imm) \
    { \
        (void)imm; \
        v2di a = *pa; \
        uint32_t fl; \
        HOST_RUN(mx, fl, mn " %[s], %[d]", ([d] "+x"(a)), ([s] "x"(b))); \
        *pa = a; \
        return fl; \
    }
HOST1(host_mulps, "mulps")
HOST1(host_mulpd, "mulpd")
HOST1(host_addss, "addss")

/* Is lane op F(A, B) (a sum or difference that overflowed) inexact when
 * rounded with an unbounded exponent?  Scaled down by 2^-64 (2^-512 for
 * doubles) it cannot overflow; a scaling that is itself inexact means an
 * operand far below the other, whose sum is inexact anyway. */
static bool sum_inexact(host_fn f, uint32_t mx, v2di a, v2di b, unsigned imm, unsigned es)
{
    union x86_xmm k;
    for (unsigned e = 0; e < 16 / es; e++) {
        if (es == 4)
            k.d[e] = 0x1f800000u;                 /* 2^-64 */
        else
            k.q[e] = 0x1ff0000000000000ull;       /* 2^-512 */
    }
    host_fn scale = es == 4 ? host_mulps : host_mulpd;
    uint32_t fl = scale(mx, &a, vload(&k), 0) | scale(mx, &b, vload(&k), 0);
    if (fl & MXCSR_PE)
        return true;
    return f(mx, &a, b, imm) & MXCSR_PE;
}

/* post-computation flags of one run, as a CPU with the guest's masks
 * reports them: an unmasked UE for every tiny result, exact or not (a
 * masked run flags only inexact tiny results; a second run with FZ=1
 * flags every tiny one), and no PE from a result whose overflow or
 * underflow is unmasked (the instruction faults before rounding it) */
static uint32_t post_flags(host_fn f, uint32_t mx, uint32_t masks, v2di a, v2di b, unsigned imm, uint32_t fl)
{
    if (!(masks & MXCSR_UE) && !(fl & MXCSR_UE)) {
        v2di t = a;
        if (f(mx | MXCSR_FZ, &t, b, imm) & MXCSR_UE)
            fl |= MXCSR_UE;
    }
    fl &= POST_FLAGS;
    if (fl & (MXCSR_OE | MXCSR_UE) & ~masks)
        fl &= ~MXCSR_PE;
    return fl;
}

/*
 * Run F on the host (*PA = *PA op B) and return the exception flags a real
 * CPU with the guest's masks would record (SDM vol. 1 11.5.1, 11.5.2): F
 * runs with every exception masked.  An unmasked pre-computation exception
 * (IE, DE, ZE) of any lane means a fault with only those flags; otherwise
 * the post-computation flags of the lanes are added (post_flags(), lane by
 * lane when LN says which inputs feed a lane and OE or UE is unmasked).
 * host_fp() reports them and writes the destination only without a fault.
 */
static uint32_t fp_flags(host_fn f, uint32_t mx, uint32_t masks, v2di *pa, v2di b, unsigned imm,
                         const struct lanes *ln)
{
    v2di a = *pa;
    uint32_t fl = f(mx, pa, b, imm);
    if (fl & PRE_FLAGS & ~masks)
        return fl & PRE_FLAGS;
    if ((masks & (MXCSR_OE | MXCSR_UE)) == (MXCSR_OE | MXCSR_UE))
        return fl;
    uint32_t out = fl & PRE_FLAGS;
    if (ln) {
        for (unsigned k = 0; k < ln->n; k++) {
            v2di la = keep(a, ln->es, ln->d[k]), lb = keep(b, ln->es, ln->s[k]), t = la;
            uint32_t lf = f(mx, &t, lb, imm);
            uint32_t pf = post_flags(f, mx, masks, la, lb, imm, lf);
            /* a faulting result: PE when its unbounded-exponent rounding
             * is inexact (sums that underflow are always exact) */
            if (ln->mul && (pf & (MXCSR_OE | MXCSR_UE) & ~masks) &&
                product_inexact(la, lb, ln->es, k, mx & MXCSR_DAZ))
                pf |= MXCSR_PE;
            if (!ln->mul && (pf & MXCSR_OE & ~masks) && sum_inexact(f, mx, la, lb, imm, ln->es))
                pf |= MXCSR_PE;
            out |= pf;
        }
    } else {
        out |= post_flags(f, mx, masks, a, b, imm, fl);
    }
    return out;
}

static void host_fp(struct vcpu *v, host_fn f, v2di *pa, v2di b, unsigned imm, const struct lanes *ln)
{
    uint32_t guest = v->s.fpu.mxcsr;
    uint32_t masks = (guest >> MXCSR_MASKS_SHIFT) & MXCSR_FLAGS;
    uint32_t mx = (guest & ~MXCSR_FLAGS) | (MXCSR_FLAGS << MXCSR_MASKS_SHIFT);
    v2di r = *pa;
    uint32_t fl = fp_flags(f, mx, masks, &r, b, imm, ln);
    simd_fp_exceptions(v, fl);   /* faults on an unmasked one */
    *pa = r;
}

static const struct lanes addsub_ps = {4, 4, {1, 2, 4, 8}, {1, 2, 4, 8}, false};
static const struct lanes addsub_pd = {2, 8, {1, 2}, {1, 2}, false};
static const struct lanes mul_ps = {4, 4, {1, 2, 4, 8}, {1, 2, 4, 8}, true};
static const struct lanes mul_pd = {2, 8, {1, 2}, {1, 2}, true};
static const struct lanes hor_ps = {4, 4, {3, 0xc, 0, 0}, {0, 0, 3, 0xc}, false};
static const struct lanes hor_pd = {2, 8, {3, 0}, {0, 3}, false};

/* two-operand packed FP: xmm1 op= xmm2/m128 (aligned) */
#define FP2(name, mn, ln) \
    static uint32_t host_##name(uint32_t mx, v2di *pa, v2di b, unsigned imm) \
    { \
        (void)imm; \
        v2di a = *pa; \
        uint32_t fl; \
        HOST_RUN(mx, fl, mn " %[s], %[d]", ([d] "+x"(a)), ([s] "x"(b))); \
        *pa = a; \
        return fl; \
    } \
    void name(struct vcpu *v, const struct insn *i) \
    { \
        sse_enter(v); \
        union x86_xmm s; \
        simd_read128(v, i, &s, true); \
        v2di a = vload(xmm_reg(v, i->reg)); \
        host_fp(v, host_##name, &a, vload(&s), 0, &ln); \
        vstore(xmm_reg(v, i->reg), a); \
    }

FP2(sse3_addsubpd, "addsubpd", addsub_pd)
FP2(sse3_addsubps, "addsubps", addsub_ps)
FP2(sse3_haddpd, "haddpd", hor_pd)
FP2(sse3_haddps, "haddps", hor_ps)
FP2(sse3_hsubpd, "hsubpd", hor_pd)
FP2(sse3_hsubps, "hsubps", hor_ps)

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
        HOST_RUN(mx, fl, INSN_NAME " $" #n ", %[s], %[d]", ([d] "+x"(a)), ([s] "x"(b))); \
        break;

/* one host function per ROUNDxx form: "INSN $imm8, %[s], %[d]" under the
 * guest MXCSR, for each of the 16 defined imm8 values */
#define ROUND_HOST(fn) \
    static uint32_t fn(uint32_t mx, v2di *pa, v2di b, unsigned imm) \
    { \
        v2di a = *pa; \
        uint32_t fl = 0; \
        switch (imm & 15) { X16(IMM_CASE, 0) } \
        *pa = a; \
        return fl; \
    }
#define INSN_NAME "roundps"
ROUND_HOST(host_roundps)
#undef INSN_NAME
#define INSN_NAME "roundpd"
ROUND_HOST(host_roundpd)
#undef INSN_NAME
#define INSN_NAME "roundss"
ROUND_HOST(host_roundss)
#undef INSN_NAME
#define INSN_NAME "roundsd"
ROUND_HOST(host_roundsd)
#undef INSN_NAME
#undef ROUND_HOST

/* packed: xmm1 = f(xmm1, xmm2/m128 aligned, imm8) */
static void packed_imm(struct vcpu *v, const struct insn *i, host_fn f)
{
    sse_enter(v);
    union x86_xmm s;
    simd_read128(v, i, &s, true);
    v2di a = vload(xmm_reg(v, i->reg));
    host_fp(v, f, &a, vload(&s), (unsigned)i->imm & 0xff, NULL);
    vstore(xmm_reg(v, i->reg), a);
}

/* scalar: the low SIZE bytes of xmm2 or an unaligned m32/m64 */
static void scalar_imm(struct vcpu *v, const struct insn *i, unsigned size, host_fn f)
{
    sse_enter(v);
    union x86_xmm s = {.q = {simd_read_xmm_or_mem(v, i, size), 0}};
    v2di a = vload(xmm_reg(v, i->reg));
    host_fp(v, f, &a, vload(&s), (unsigned)i->imm & 0xff, NULL);
    vstore(xmm_reg(v, i->reg), a);
}

void sse41_roundps(struct vcpu *v, const struct insn *i) { packed_imm(v, i, host_roundps); }
void sse41_roundpd(struct vcpu *v, const struct insn *i) { packed_imm(v, i, host_roundpd); }
void sse41_roundss(struct vcpu *v, const struct insn *i) { scalar_imm(v, i, 4, host_roundss); }
void sse41_roundsd(struct vcpu *v, const struct insn *i) { scalar_imm(v, i, 8, host_roundsd); }
/* ---- DPPS / DPPD: step by step, as the SDM's pseudo-code (products of the
 * lanes selected by imm8[7:4], then pairwise sums, each step rounded and
 * its exceptions determined separately; an unmasked exception of a step
 * ends the instruction with the flags of the steps so far) ---- */

static const struct lanes lane0_ps = {1, 4, {1}, {1}, false};

struct steps {
    uint32_t mx, masks, acc;
};

static void step(struct vcpu *v, struct steps *st, host_fn f, v2di *pa, v2di b, const struct lanes *ln)
{
    uint32_t fl = fp_flags(f, st->mx, st->masks, pa, b, 0, ln);
    st->acc |= fl;
    if (fl & ~st->masks)
        simd_fp_exceptions(v, st->acc);   /* faults */
}

static void steps_init(struct vcpu *v, struct steps *st)
{
    uint32_t guest = v->s.fpu.mxcsr;
    st->masks = (guest >> MXCSR_MASKS_SHIFT) & MXCSR_FLAGS;
    st->mx = (guest & ~MXCSR_FLAGS) | (MXCSR_FLAGS << MXCSR_MASKS_SHIFT);
    st->acc = 0;
}

void sse41_dpps(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    union x86_xmm s;
    simd_read128(v, i, &s, true);
    unsigned imm = (unsigned)i->imm & 0xff;
    struct steps st;
    steps_init(v, &st);
    /* unselected products are +0.0 without a multiplication: 0 * 0 */
    v2di t = keep(vload(xmm_reg(v, i->reg)), 4, imm >> 4);
    step(v, &st, host_mulps, &t, keep(vload(&s), 4, imm >> 4), &mul_ps);
    v2di h = t;
    step(v, &st, host_sse3_haddps, &h, t, &hor_ps);     /* T0+T1, T2+T3 */
    union x86_xmm hu, yu = {.q = {0, 0}};
    vstore(&hu, h);
    yu.d[0] = hu.d[1];
    step(v, &st, host_addss, &h, vload(&yu), &lane0_ps);
    simd_fp_exceptions(v, st.acc);
    vstore(&hu, h);
    union x86_xmm r;
    for (unsigned k = 0; k < 4; k++)
        r.d[k] = ((imm >> k) & 1) ? hu.d[0] : 0;
    *xmm_reg(v, i->reg) = r;
}

void sse41_dppd(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    union x86_xmm s;
    simd_read128(v, i, &s, true);
    unsigned imm = (unsigned)i->imm & 0xff;
    struct steps st;
    steps_init(v, &st);
    v2di t = keep(vload(xmm_reg(v, i->reg)), 8, (imm >> 4) & 3);
    step(v, &st, host_mulpd, &t, keep(vload(&s), 8, (imm >> 4) & 3), &mul_pd);
    v2di h = t;
    step(v, &st, host_sse3_haddpd, &h, t, &hor_pd);     /* T0+T1 */
    simd_fp_exceptions(v, st.acc);
    union x86_xmm hu, r;
    vstore(&hu, h);
    for (unsigned k = 0; k < 2; k++)
        r.q[k] = ((imm >> k) & 1) ? hu.q[0] : 0;
    *xmm_reg(v, i->reg) = r;
}
