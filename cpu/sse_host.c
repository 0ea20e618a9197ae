/*
 * sse_host.c - SSE/SSE2 floating point of the guest executed by the
 * host's SSE unit (SDM vol. 1 ch. 10-11; vol. 2 per instruction).  Each
 * function runs exactly one host instruction under the guest MXCSR with
 * every exception masked (SIMD_HOST, cpu/fpu.h) and returns the flags;
 * results, NaN propagation, DAZ/FTZ, integer indefinite and the RCP/RSQRT
 * approximations are therefore those of the host CPU.  RCPPS/RSQRTPS:
 * the SDM only bounds the relative error (1.5 * 2^-12); the host here is
 * AMD, whose tables differ from Intel's, so a guest sees the host
 * vendor's values.
 *
 * This is the only file with SSE host asm (a softfloat port could replace
 * it).  It also holds sse_exact_unbounded(), which uses the host x87 in
 * extended precision to decide PE for unmasked overflow/underflow.  Not
 * here: the guest's x87 and MMX units.
 */
#include "cpu/sse_host.h"

typedef float sse_vec __attribute__((vector_size(16)));

static inline sse_vec vload(const union x86_xmm *x)
{
    sse_vec r;
    memcpy(&r, x, 16);
    return r;
}

static inline void vstore(union x86_xmm *x, sse_vec r)
{
    memcpy(x, &r, 16);
}

uint32_t sse_host_op(struct vcpu *v, enum sse_hop op, union x86_xmm *d, const union x86_xmm *s)
{
    sse_vec dv = vload(d), sv = vload(s);
    uint32_t fl = 0;
    switch (op) {
#define SSE_HOST_CASE_(n, ins) \
    case SH_##n: \
        SIMD_HOST(v, fl, ins " %[s], %[d]", ([d] "+x"(dv)), ([s] "x"(sv))); \
        break;
        SSE_HOST_OPS(SSE_HOST_CASE_)
#undef SSE_HOST_CASE_
    default:
        break;
    }
    vstore(d, dv);
    return fl;
}

uint32_t sse_host_cmp(struct vcpu *v, unsigned form, unsigned pred, union x86_xmm *d,
                      const union x86_xmm *s)
{
    sse_vec dv = vload(d), sv = vload(s);
    uint32_t fl = 0;
    switch ((form & 3) * 8 + (pred & 7)) {
#define SSE_CMP_CASE_(f, ins, pr) \
    case (f) * 8 + (pr): \
        SIMD_HOST(v, fl, ins " %[imm], %[s], %[d]", ([d] "+x"(dv)), ([s] "x"(sv), [imm] "i"(pr))); \
        break;
#define SSE_CMP_FORM_(f, ins) \
    SSE_CMP_CASE_(f, ins, 0) SSE_CMP_CASE_(f, ins, 1) SSE_CMP_CASE_(f, ins, 2) SSE_CMP_CASE_(f, ins, 3) \
    SSE_CMP_CASE_(f, ins, 4) SSE_CMP_CASE_(f, ins, 5) SSE_CMP_CASE_(f, ins, 6) SSE_CMP_CASE_(f, ins, 7)
        SSE_CMP_FORM_(0, "cmpps")
        SSE_CMP_FORM_(1, "cmppd")
        SSE_CMP_FORM_(2, "cmpss")
        SSE_CMP_FORM_(3, "cmpsd")
#undef SSE_CMP_FORM_
#undef SSE_CMP_CASE_
    default:
        break;
    }
    vstore(d, dv);
    return fl;
}

uint32_t sse_host_comi(struct vcpu *v, unsigned form, const union x86_xmm *d,
                       const union x86_xmm *s, uint32_t *efl)
{
    sse_vec dv = vload(d), sv = vload(s);
    uint32_t fl = 0;
    uint8_t z = 0, p = 0, c = 0;
#define SSE_COMI_(ins) \
    SIMD_HOST(v, fl, ins " %[s], %[d]\n\tsetz %[z]\n\tsetp %[p]\n\tsetc %[c]", \
              ([z] "=qm"(z), [p] "=qm"(p), [c] "=qm"(c)), ([d] "x"(dv), [s] "x"(sv)))
    switch (form & 3) {
    case 0: SSE_COMI_("ucomiss"); break;
    case 1: SSE_COMI_("ucomisd"); break;
    case 2: SSE_COMI_("comiss"); break;
    default: SSE_COMI_("comisd"); break;
    }
#undef SSE_COMI_
    *efl = (z ? X86_FLAG_ZF : 0) | (p ? X86_FLAG_PF : 0) | (c ? X86_FLAG_CF : 0);
    return fl;
}

uint32_t sse_host_cvtsi(struct vcpu *v, bool dbl, bool w64, union x86_xmm *d, uint64_t val)
{
    sse_vec dv = vload(d);
    uint32_t fl = 0;
    uint32_t v32 = (uint32_t)val;
    if (!dbl && !w64)
        SIMD_HOST(v, fl, "cvtsi2ssl %[s], %[d]", ([d] "+x"(dv)), ([s] "rm"(v32)));
    else if (!dbl)
        SIMD_HOST(v, fl, "cvtsi2ssq %[s], %[d]", ([d] "+x"(dv)), ([s] "rm"(val)));
    else if (!w64)
        SIMD_HOST(v, fl, "cvtsi2sdl %[s], %[d]", ([d] "+x"(dv)), ([s] "rm"(v32)));
    else
        SIMD_HOST(v, fl, "cvtsi2sdq %[s], %[d]", ([d] "+x"(dv)), ([s] "rm"(val)));
    vstore(d, dv);
    return fl;
}

uint32_t sse_host_cvt2si(struct vcpu *v, bool dbl, bool trunc, bool w64, const union x86_xmm *s,
                         uint64_t *out)
{
    sse_vec sv = vload(s);
    uint32_t fl = 0, r32 = 0;
    uint64_t r64 = 0;
    switch ((dbl ? 4 : 0) | (trunc ? 2 : 0) | (w64 ? 1 : 0)) {
    case 0: SIMD_HOST(v, fl, "cvtss2si %[s], %k[r]", ([r] "=r"(r32)), ([s] "x"(sv))); break;
    case 1: SIMD_HOST(v, fl, "cvtss2si %[s], %q[r]", ([r] "=r"(r64)), ([s] "x"(sv))); break;
    case 2: SIMD_HOST(v, fl, "cvttss2si %[s], %k[r]", ([r] "=r"(r32)), ([s] "x"(sv))); break;
    case 3: SIMD_HOST(v, fl, "cvttss2si %[s], %q[r]", ([r] "=r"(r64)), ([s] "x"(sv))); break;
    case 4: SIMD_HOST(v, fl, "cvtsd2si %[s], %k[r]", ([r] "=r"(r32)), ([s] "x"(sv))); break;
    case 5: SIMD_HOST(v, fl, "cvtsd2si %[s], %q[r]", ([r] "=r"(r64)), ([s] "x"(sv))); break;
    case 6: SIMD_HOST(v, fl, "cvttsd2si %[s], %k[r]", ([r] "=r"(r32)), ([s] "x"(sv))); break;
    default: SIMD_HOST(v, fl, "cvttsd2si %[s], %q[r]", ([r] "=r"(r64)), ([s] "x"(sv))); break;
    }
    *out = w64 ? r64 : r32;
    return fl;
}

/* Exactness of a result with unbounded exponent, for the unmasked
 * OE/UE case (cpu/exec_sse_arith.c): the operation runs on the host's
 * x87 unit in extended precision (64-bit significand, 15-bit exponent:
 * no overflow or underflow for float/double operands); if even that is
 * rounded (x87 PE) the BITS-bit result is inexact too, else the exact
 * value must fit in BITS significant bits.  The host's x87 environment
 * is saved and restored around it. */
static bool fits(long double r, int bits)
{
    uint64_t m;
    uint16_t se;
    memcpy(&m, &r, 8);
    memcpy(&se, (const uint8_t *)&r + 8, 2);
    if (m == 0 || (se & 0x7fff) == 0x7fff)
        return true;
    return 64 - __builtin_ctzll(m) <= bits;
}

bool sse_exact_unbounded(unsigned kind, long double a, long double b, int bits)
{
    if (kind == SSE_K_CVT)
        return fits(a, bits);
    long double r = 0;
    uint16_t sw = 0, cw = 0x37f;   /* all masked, 64-bit precision, nearest */
    uint8_t env[28];
#define SSE_X87_(op) \
    __asm__ volatile("fnstenv %[env]\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" op \
                     "\n\tfstpt %[r]\n\tfnstsw %[sw]\n\tfstp %%st(0)\n\tfldenv %[env]" \
                     : [r] "=m"(r), [sw] "=m"(sw), [env] "=m"(env) \
                     : [a] "m"(a), [b] "m"(b), [cw] "m"(cw))
    switch (kind) {
    case SSE_K_ADD: SSE_X87_("fadd %%st(1), %%st"); break;
    case SSE_K_SUB: SSE_X87_("fsub %%st(1), %%st"); break;
    case SSE_K_MUL: SSE_X87_("fmul %%st(1), %%st"); break;
    default: SSE_X87_("fdiv %%st(1), %%st"); break;
    }
#undef SSE_X87_
    if (sw & 0x20)   /* x87 PE */
        return false;
    return fits(r, bits);
}
