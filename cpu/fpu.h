/*
 * fpu.h - what every x87, MMX and SSE handler shares: the availability
 * checks that pick #UD / #NM / #MF (SDM vol. 3A 2.5 CR0.EM/TS/MP, CR4.OSFXSR;
 * vol. 2 2.4 "exception classes"), access to
 * XMM and MMX registers and to 64/128-bit memory operands (with the #GP
 * of misaligned MOVAPS-class accesses), MXCSR exception reporting (#XM,
 * or #UD when CR4.OSXMMEXCPT is clear), and the host-MXCSR wrapper used
 * to run SSE floating point on the host's own SSE unit.
 *
 * Floating point is executed by the host (an x86-64 CPU) with the guest's
 * MXCSR / x87 control word loaded: the host produces exactly the IEEE
 * results, flags, NaN propagation and denormal handling the SDM specifies.
 * See docs/ARCHITECTURE.md "Floating point" for why, and cpu/README.md.
 *
 * MMX registers alias the x87 significands of the physical registers
 * R0-R7; the canonical state keeps st[] in ST(i) order, so mmx_enter()
 * rotates the stack to TOP=0 first, after which MMn == st[n].  MMX
 * register numbers ignore REX (mm0-mm7): use i->reg & 7 / i->rm & 7.
 */
#ifndef VIREO_CPU_FPU_H
#define VIREO_CPU_FPU_H

#include "cpu/vcpu.h"

/* MXCSR fields (SDM vol. 1 10.2.3) */
#define MXCSR_IE  (1u << 0)
#define MXCSR_DE  (1u << 1)
#define MXCSR_ZE  (1u << 2)
#define MXCSR_OE  (1u << 3)
#define MXCSR_UE  (1u << 4)
#define MXCSR_PE  (1u << 5)
#define MXCSR_FLAGS 0x3fu
#define MXCSR_DAZ (1u << 6)
#define MXCSR_MASKS_SHIFT 7       /* IM..PM at bits 7-12 */
#define MXCSR_RC_SHIFT 13
#define MXCSR_FZ  (1u << 15)
#define MXCSR_MASK 0xffffu        /* writable bits (DAZ supported); FXSAVE MXCSR_MASK */

/* x87 status word fields used outside the x87 files */
#define FSW_ES (1u << 7)
#define FSW_TOP_SHIFT 11
#define FSW_TOP_MASK (7u << FSW_TOP_SHIFT)

/* ---- availability checks ---- */

/* SSE/SSE2+ instructions (SDM vol. 3A 13.1 / vol. 2 "Exceptions Type"):
 * CR0.EM=1 or CR4.OSFXSR=0 -> #UD; CR0.TS=1 -> #NM. */
static inline void sse_enter(struct vcpu *v)
{
    if ((v->s.cr0 & X86_CR0_EM) || !(v->s.cr4 & X86_CR4_OSFXSR))
        cpu_ud(v);
    if (v->s.cr0 & X86_CR0_TS)
        cpu_raise(v, EXC_NM, false, 0);
}

/* MMX instructions (SDM vol. 1 9.5, 9.6): CR0.EM -> #UD, CR0.TS ->
 * #NM, an unmasked pending x87 exception -> #MF; then the x87 unit enters
 * MMX mode: TOP=0, all tags valid. */
void mmx_enter(struct vcpu *v);

/* EMMS: all tags empty (after the same checks as mmx_enter). */
void mmx_emms(struct vcpu *v);

/* ---- registers ---- */

static inline union x86_xmm *xmm_reg(struct vcpu *v, unsigned n)
{
    return &v->s.fpu.xmm[n & 15];
}

/* MMn after mmx_enter(); writing sets the exponent field to all ones
 * (SDM vol. 1 9.5.1). */
static inline uint64_t mmx_get(struct vcpu *v, unsigned n)
{
    return v->s.fpu.st[n & 7].mantissa;
}

static inline void mmx_set(struct vcpu *v, unsigned n, uint64_t val)
{
    v->s.fpu.st[n & 7].mantissa = val;
    v->s.fpu.st[n & 7].sign_exp = 0xffff;
}

/* ---- memory operands ---- */

/* Linear address of the ModRM memory operand of SIZE bytes, with
 * segmentation checks. */
static inline uint64_t simd_lin(struct vcpu *v, const struct insn *i, unsigned size, bool write)
{
    return seg_lin(v, i->seg, insn_ea(v, i), size, write);
}

/* 16-byte operand W (xmm register or memory).  ALIGN: #GP(0) unless the
 * address is 16-byte aligned (MOVAPS, legacy-SSE packed memory operands). */
void simd_read128(struct vcpu *v, const struct insn *i, union x86_xmm *out, bool align);
void simd_write128(struct vcpu *v, const struct insn *i, const union x86_xmm *val, bool align);
/* 16 bytes at an explicit linear address (FXSAVE, string helpers). */
void simd_lin_read128(struct vcpu *v, uint64_t lin, union x86_xmm *out);
void simd_lin_write128(struct vcpu *v, uint64_t lin, const union x86_xmm *val);

/* Scalar or 64-bit memory operand of SIZE (1, 2, 4 or 8) bytes, or the low
 * SIZE bytes of xmm rm when mod=3. */
static inline uint64_t simd_read_xmm_or_mem(struct vcpu *v, const struct insn *i, unsigned size)
{
    if (i->mod == 3)
        return xmm_reg(v, i->rm)->q[0] & size_mask(size);
    return vm_read(v, i->seg, insn_ea(v, i), size);
}

/* Q operand: mm register (rm & 7) or 64-bit memory. */
static inline uint64_t mmx_read_rm(struct vcpu *v, const struct insn *i)
{
    if (i->mod == 3)
        return mmx_get(v, i->rm);
    return vm_read(v, i->seg, insn_ea(v, i), 8);
}

/* CPUID leaf 0xD subleaf SUB for XCR0 (cpu/exec_fpstate.c). */
void cpu_cpuid_xsave(uint64_t xcr0, uint32_t sub, uint32_t out[4]);

/* ---- SSE floating-point exceptions ---- */

/* Report the MXCSR exception flags FLAGS (bits 0-5) of one instruction:
 * they are ORed into MXCSR; if any is unmasked the instruction faults
 * (#XM when CR4.OSXMMEXCPT=1, else #UD) and the caller must not have
 * written its destination yet (SDM vol. 1 11.5.1). */
void simd_fp_exceptions(struct vcpu *v, uint32_t flags);

/*
 * Run one host SSE instruction under the guest's MXCSR with every
 * exception masked, and collect the flags it raised.  OUTS and INS are
 * parenthesized asm operand lists (INS may be empty):
 *
 *     uint32_t fl;
 *     SIMD_HOST(v, fl, "addps %[s], %[d]", ([d] "+x"(a)), ([s] "xm"(b)));
 *     simd_fp_exceptions(v, fl);
 *
 * Loading MXCSR, the instruction and storing MXCSR are one asm
 * statement, so the compiler cannot move the computation outside the
 * guest's rounding mode; the host's MXCSR is restored afterwards.
 */
#define SIMD_STRIP_(...) __VA_ARGS__
#define SIMD_HOST(v, flags_out, insn, outs, ins) \
    do { \
        uint32_t simd_host_saved_, simd_host_got_; \
        uint32_t simd_host_guest_ = ((v)->s.fpu.mxcsr & ~MXCSR_FLAGS) | (0x3fu << MXCSR_MASKS_SHIFT); \
        __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[gu]\n\t" insn "\n\tstmxcsr %[go]\n\tldmxcsr %[sv]" \
                         : [sv] "=m"(simd_host_saved_), [go] "=m"(simd_host_got_), \
                           [gu] "+m"(simd_host_guest_), SIMD_STRIP_ outs \
                         : SIMD_STRIP_ ins); \
        (flags_out) = simd_host_got_ & MXCSR_FLAGS; \
    } while (0)

#endif
