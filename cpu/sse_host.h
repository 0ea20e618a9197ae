/*
 * sse_host.h - private interface of cpu/sse_host.c, the only place where
 * SSE/SSE2 floating-point instructions of the guest run on the host's own
 * SSE unit (under the guest MXCSR, through SIMD_HOST in cpu/fpu.h).
 * Every function returns the MXCSR exception flags (bits 0-5) raised by
 * the host with all exceptions masked; the callers decide #XM with
 * sse_fp_report() before they write any destination.
 */
#ifndef VIREO_CPU_SSE_HOST_H
#define VIREO_CPU_SSE_HOST_H

#include "cpu/fpu.h"

/* Two-operand forms "op xmm_s, xmm_d" (d = d op s).  Scalar forms leave
 * the upper part of d alone, exactly like the host instruction. */
#define SSE_HOST_OPS(X) \
    X(ADDPS, "addps") X(ADDPD, "addpd") X(ADDSS, "addss") X(ADDSD, "addsd") \
    X(MULPS, "mulps") X(MULPD, "mulpd") X(MULSS, "mulss") X(MULSD, "mulsd") \
    X(SUBPS, "subps") X(SUBPD, "subpd") X(SUBSS, "subss") X(SUBSD, "subsd") \
    X(MINPS, "minps") X(MINPD, "minpd") X(MINSS, "minss") X(MINSD, "minsd") \
    X(DIVPS, "divps") X(DIVPD, "divpd") X(DIVSS, "divss") X(DIVSD, "divsd") \
    X(MAXPS, "maxps") X(MAXPD, "maxpd") X(MAXSS, "maxss") X(MAXSD, "maxsd") \
    X(SQRTPS, "sqrtps") X(SQRTPD, "sqrtpd") X(SQRTSS, "sqrtss") X(SQRTSD, "sqrtsd") \
    X(RSQRTPS, "rsqrtps") X(RSQRTSS, "rsqrtss") X(RCPPS, "rcpps") X(RCPSS, "rcpss") \
    X(CVTPS2PD, "cvtps2pd") X(CVTPD2PS, "cvtpd2ps") X(CVTSS2SD, "cvtss2sd") X(CVTSD2SS, "cvtsd2ss") \
    X(CVTDQ2PS, "cvtdq2ps") X(CVTPS2DQ, "cvtps2dq") X(CVTTPS2DQ, "cvttps2dq") \
    X(CVTTPD2DQ, "cvttpd2dq") X(CVTDQ2PD, "cvtdq2pd") X(CVTPD2DQ, "cvtpd2dq")

enum sse_hop {
#define SSE_HOST_ENUM_(n, s) SH_##n,
    SSE_HOST_OPS(SSE_HOST_ENUM_)
#undef SSE_HOST_ENUM_
    SH_COUNT
};

uint32_t sse_host_op(struct vcpu *v, enum sse_hop op, union x86_xmm *d, const union x86_xmm *s);

/* CMPPS/CMPPD/CMPSS/CMPSD (FORM 0-3 = ps, pd, ss, sd) with predicate
 * PRED (0-7). */
uint32_t sse_host_cmp(struct vcpu *v, unsigned form, unsigned pred, union x86_xmm *d,
                      const union x86_xmm *s);

/* UCOMISS/COMISS/UCOMISD/COMISD (FORM bit 0: double, bit 1: signaling
 * COMIS); *EFL gets ZF/PF/CF as the host set them. */
uint32_t sse_host_comi(struct vcpu *v, unsigned form, const union x86_xmm *d,
                       const union x86_xmm *s, uint32_t *efl);

/* CVTSI2SS/CVTSI2SD (DBL) of a 32- or 64-bit (W64) integer into d. */
uint32_t sse_host_cvtsi(struct vcpu *v, bool dbl, bool w64, union x86_xmm *d, uint64_t val);

/* CVT(T)SS2SI / CVT(T)SD2SI of the low lane of s into a 32- or 64-bit
 * integer (integer indefinite from the host). */
uint32_t sse_host_cvt2si(struct vcpu *v, bool dbl, bool trunc, bool w64, const union x86_xmm *s,
                         uint64_t *out);

/* Report FLAGS of one instruction (cpu/fpu.h simd_fp_exceptions), first
 * reducing them to what a real CPU reports when an exception is
 * unmasked: an unmasked pre-computation exception (IE, DE, ZE) in any
 * lane stops the instruction before post-computation exceptions (OE, UE,
 * PE) are detected (SDM vol. 1 11.5.3.2).  (Unmasked OE/UE: see
 * unmasked_post() in cpu/exec_sse_arith.c.) */
void sse_fp_report(struct vcpu *v, uint32_t flags);



/* Is the exact result of A op B (KIND: SSE_K_*; SSE_K_CVT: A itself)
 * representable with BITS (24 or 53) significant bits when the exponent
 * is unbounded?  (cpu/sse_host.c, host x87) */
enum { SSE_K_ADD, SSE_K_SUB, SSE_K_MUL, SSE_K_DIV, SSE_K_CVT };
bool sse_exact_unbounded(unsigned kind, long double a, long double b, int bits);

/* The common shape "xmm_reg OP= W" (cpu/exec_sse_arith.c): checks
 * (sse_enter), source = xmm rm or SIZE bytes of memory (16: aligned when
 * ALIGN; 4/8: zero-extended into lane 0, no alignment rule), host OP,
 * exception report, then the destination write. */
void sse_run(struct vcpu *v, const struct insn *i, enum sse_hop op, unsigned size, bool align);
#endif
