/*
 * simd_int.h - private helpers of the MMX / SSE2 integer handlers
 * (cpu/exec_simd_int.c, exec_simd_shift.c, exec_simd_move.c).
 *
 * MMX forms (SDM vol. 1 ch. 9, vol. 2 "Exceptions Type" for MMX): the
 * checks of mmx_enter() (#UD CR0.EM, #NM CR0.TS, #MF pending x87
 * exception) come first, then the operands are read from the physical
 * registers R0-R7 *without* entering MMX mode (mmx_peek), then memory is
 * read/written; only when nothing can fault any more does the x87 unit
 * enter MMX mode (TOP=0, tags valid) and the destination get written, so a
 * faulting instruction leaves the x87 state untouched.
 *
 * XMM forms (66 prefix, SSE2): sse_enter(), 128-bit memory operands
 * 16-byte aligned (#GP(0)) except MOVDQU; 64-bit and smaller operands are
 * never alignment-checked.
 */
#ifndef VIREO_CPU_SIMD_INT_H
#define VIREO_CPU_SIMD_INT_H

#include "cpu/fpu.h"

#define SIMD_INLINE static inline __attribute__((always_inline))

/* The checks of mmx_enter() without the state change. */
SIMD_INLINE void mmx_check_only(struct vcpu *v)
{
    if (v->s.cr0 & X86_CR0_EM)
        cpu_ud(v);
    if (v->s.cr0 & X86_CR0_TS)
        cpu_raise(v, EXC_NM, false, 0);
    if (v->s.fpu.fsw & FSW_ES)
        cpu_raise(v, EXC_MF, false, 0);
}

/* Physical register R(n) = ST((n - TOP) & 7), valid before mmx_enter(). */
SIMD_INLINE uint64_t mmx_peek(struct vcpu *v, unsigned n)
{
    unsigned top = (v->s.fpu.fsw & FSW_TOP_MASK) >> FSW_TOP_SHIFT;
    return v->s.fpu.st[(n - top) & 7].mantissa;
}

/* Enter MMX mode and write MMn. */
SIMD_INLINE void mmx_commit(struct vcpu *v, unsigned n, uint64_t val)
{
    mmx_enter(v);
    mmx_set(v, n & 7, val);
}

/* MMX Q operand: mm register or SIZE (4 or 8) bytes of memory. */
SIMD_INLINE uint64_t mmx_src(struct vcpu *v, const struct insn *i, unsigned size)
{
    if (i->mod == 3)
        return mmx_peek(v, i->rm & 7);
    return vm_read(v, i->seg, insn_ea(v, i), size);
}

/* Lane function: D = D op S over the low N bytes (8 or 16). */
typedef void simd_lanes_fn(union x86_xmm *d, const union x86_xmm *s, unsigned n);

SIMD_INLINE void simd_mmx_binop(struct vcpu *v, const struct insn *i, simd_lanes_fn *f, unsigned msize)
{
    union x86_xmm d, s;
    mmx_check_only(v);
    s.q[0] = mmx_src(v, i, msize);
    s.q[1] = 0;
    d.q[0] = mmx_peek(v, i->reg & 7);
    d.q[1] = 0;
    f(&d, &s, 8);
    mmx_commit(v, i->reg, d.q[0]);
}

SIMD_INLINE void simd_xmm_binop(struct vcpu *v, const struct insn *i, simd_lanes_fn *f)
{
    union x86_xmm s, d;
    sse_enter(v);
    simd_read128(v, i, &s, true);
    d = *xmm_reg(v, i->reg);
    f(&d, &s, 16);
    *xmm_reg(v, i->reg) = d;
}

/* Both handlers of a "Pq,Qq" / "Vx,Wx" row pair from lane function
 * NAME##_lanes; MSIZE is the MMX memory operand size. */
#define SIMD_BINOP_PAIR(name, msize) \
    void op_##name##_mmx(struct vcpu *v, const struct insn *i) \
    { \
        simd_mmx_binop(v, i, name##_lanes, msize); \
    } \
    void op_##name##_xmm(struct vcpu *v, const struct insn *i) \
    { \
        simd_xmm_binop(v, i, name##_lanes); \
    }

#endif
