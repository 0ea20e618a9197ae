/*
 * exec_sse_move.c - SSE/SSE2 data movement and bitwise operations on
 * ps/pd/ss/sd data (SDM vol. 2: MOVUPS/MOVUPD/MOVSS/MOVSD, MOVLPS/MOVHLPS,
 * MOVLPD, MOVHPS/MOVLHPS, MOVHPD, MOVAPS/MOVAPD, MOVNTPS/MOVNTPD,
 * UNPCKL/HPS/PD, SHUFPS/PD, MOVMSKPS/PD, ANDPS..XORPD), MXCSR access
 * (LDMXCSR, STMXCSR), ordering and cache control (LFENCE, MFENCE,
 * SFENCE, CLFLUSH) and MOVNTI.  No floating-point exceptions here.
 *
 * MOVSS/MOVSD: a load from memory zeroes the rest of the register, a
 * register-to-register move only replaces the low element.  Alignment
 * (#GP(0) unless 16-byte aligned): MOVAPS/MOVAPD/MOVNTPS/MOVNTPD and the
 * 16-byte memory operands of UNPCK/SHUF/logic; MOVUPS/MOVUPD and the
 * 64-bit MOVLPS.. forms never check.  Non-temporal hints and prefetches
 * are plain stores / no-ops (0F 18-1F stay the NOP Ev rows of
 * opcodes.def: prefetches never fault).  CLFLUSH checks the byte like a
 * read (segment, page) but accesses nothing: there is no cache.
 * LDMXCSR: #GP(0) for bits outside MXCSR_MASK (0xFFFF; the AMD host
 * also accepts bit 17, MM, which vireo's CPUID profile does not have).
 */
#include "cpu/sse_host.h"

/* ---- 0F 10 / 11 / 28 / 29 / 2B ---- */

static void load128(struct vcpu *v, const struct insn *i, bool align)
{
    sse_enter(v);
    union x86_xmm s;
    simd_read128(v, i, &s, align);
    *xmm_reg(v, i->reg) = s;
}

static void store128(struct vcpu *v, const struct insn *i, bool align)
{
    sse_enter(v);
    union x86_xmm s = *xmm_reg(v, i->reg);
    simd_write128(v, i, &s, align);
}

void op_sse_movups_ld(struct vcpu *v, const struct insn *i) { load128(v, i, false); }
void op_sse_movups_st(struct vcpu *v, const struct insn *i) { store128(v, i, false); }
void op_sse_movaps_ld(struct vcpu *v, const struct insn *i) { load128(v, i, true); }
void op_sse_movaps_st(struct vcpu *v, const struct insn *i) { store128(v, i, true); }
void op_sse_movntps(struct vcpu *v, const struct insn *i) { store128(v, i, true); }

static void movs_ld(struct vcpu *v, const struct insn *i, unsigned size)
{
    sse_enter(v);
    union x86_xmm *d = xmm_reg(v, i->reg);
    if (i->mod == 3) {
        if (size == 4)
            d->d[0] = xmm_reg(v, i->rm)->d[0];
        else
            d->q[0] = xmm_reg(v, i->rm)->q[0];
        return;
    }
    uint64_t val = vm_read(v, i->seg, insn_ea(v, i), size);
    memset(d, 0, sizeof(*d));
    d->q[0] = val;
}

static void movs_st(struct vcpu *v, const struct insn *i, unsigned size)
{
    sse_enter(v);
    const union x86_xmm *s = xmm_reg(v, i->reg);
    if (i->mod == 3) {
        if (size == 4)
            xmm_reg(v, i->rm)->d[0] = s->d[0];
        else
            xmm_reg(v, i->rm)->q[0] = s->q[0];
        return;
    }
    vm_write(v, i->seg, insn_ea(v, i), size, s->q[0] & size_mask(size));
}

void op_sse_movss_ld(struct vcpu *v, const struct insn *i) { movs_ld(v, i, 4); }
void op_sse_movsd_ld(struct vcpu *v, const struct insn *i) { movs_ld(v, i, 8); }
void op_sse_movss_st(struct vcpu *v, const struct insn *i) { movs_st(v, i, 4); }
void op_sse_movsd_st(struct vcpu *v, const struct insn *i) { movs_st(v, i, 8); }

/* ---- 0F 12 / 13 / 16 / 17: 64-bit halves ---- */

/* MOVLPS/MOVLPD xmm, m64 and MOVHLPS xmm, xmm (mod=3) */
void op_sse_movlps_ld(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    uint64_t val = i->mod == 3 ? xmm_reg(v, i->rm)->q[1] : vm_read(v, i->seg, insn_ea(v, i), 8);
    xmm_reg(v, i->reg)->q[0] = val;
}

/* MOVHPS/MOVHPD xmm, m64 and MOVLHPS xmm, xmm (mod=3) */
void op_sse_movhps_ld(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    uint64_t val = i->mod == 3 ? xmm_reg(v, i->rm)->q[0] : vm_read(v, i->seg, insn_ea(v, i), 8);
    xmm_reg(v, i->reg)->q[1] = val;
}

/* MOVLPS/MOVLPD m64, xmm */
void op_sse_movlps_st(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    vm_write(v, i->seg, insn_ea(v, i), 8, xmm_reg(v, i->reg)->q[0]);
}

/* MOVHPS/MOVHPD m64, xmm */
void op_sse_movhps_st(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    vm_write(v, i->seg, insn_ea(v, i), 8, xmm_reg(v, i->reg)->q[1]);
}

/* ---- 0F 14 / 15 / C6 / 54-57 ---- */

static void src16(struct vcpu *v, const struct insn *i, union x86_xmm *s, union x86_xmm *d)
{
    sse_enter(v);
    simd_read128(v, i, s, true);
    *d = *xmm_reg(v, i->reg);
}

void op_sse_unpcklps(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, d, r;
    src16(v, i, &s, &d);
    r.d[0] = d.d[0];
    r.d[1] = s.d[0];
    r.d[2] = d.d[1];
    r.d[3] = s.d[1];
    *xmm_reg(v, i->reg) = r;
}

void op_sse_unpckhps(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, d, r;
    src16(v, i, &s, &d);
    r.d[0] = d.d[2];
    r.d[1] = s.d[2];
    r.d[2] = d.d[3];
    r.d[3] = s.d[3];
    *xmm_reg(v, i->reg) = r;
}

void op_sse_unpcklpd(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, d;
    src16(v, i, &s, &d);
    d.q[1] = s.q[0];
    *xmm_reg(v, i->reg) = d;
}

void op_sse_unpckhpd(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, d, r;
    src16(v, i, &s, &d);
    r.q[0] = d.q[1];
    r.q[1] = s.q[1];
    *xmm_reg(v, i->reg) = r;
}

void op_sse_shufps(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, d, r;
    src16(v, i, &s, &d);
    unsigned imm = (unsigned)i->imm;
    r.d[0] = d.d[imm & 3];
    r.d[1] = d.d[(imm >> 2) & 3];
    r.d[2] = s.d[(imm >> 4) & 3];
    r.d[3] = s.d[(imm >> 6) & 3];
    *xmm_reg(v, i->reg) = r;
}

void op_sse_shufpd(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, d, r;
    src16(v, i, &s, &d);
    unsigned imm = (unsigned)i->imm;
    r.q[0] = d.q[imm & 1];
    r.q[1] = s.q[(imm >> 1) & 1];
    *xmm_reg(v, i->reg) = r;
}

#define SSE_LOGIC(name, expr) \
    void op_sse_##name(struct vcpu *v, const struct insn *i) \
    { \
        union x86_xmm s, d; \
        src16(v, i, &s, &d); \
        for (int k = 0; k < 2; k++) \
            d.q[k] = (expr); \
        *xmm_reg(v, i->reg) = d; \
    }
SSE_LOGIC(andps, d.q[k] & s.q[k])
SSE_LOGIC(andnps, ~d.q[k] & s.q[k])
SSE_LOGIC(orps, d.q[k] | s.q[k])
SSE_LOGIC(xorps, d.q[k] ^ s.q[k])
#undef SSE_LOGIC

/* ---- 0F 50 ---- */

void op_sse_movmskps(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    const union x86_xmm *s = xmm_reg(v, i->rm);
    uint32_t m = 0;
    for (int k = 0; k < 4; k++)
        m |= (s->d[k] >> 31) << k;
    set_reg(v, i->reg, 4, m);
}

void op_sse_movmskpd(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    const union x86_xmm *s = xmm_reg(v, i->rm);
    uint32_t m = (uint32_t)(s->q[0] >> 63) | (uint32_t)(s->q[1] >> 63) << 1;
    set_reg(v, i->reg, 4, m);
}

/* ---- 0F AE: MXCSR, fences, CLFLUSH; 0F C3 MOVNTI ---- */

/* The 0F AE group rows do not consume 66/F2/F3: LDMXCSR, STMXCSR and the
 * fences are "NP" (SDM vol. 2 3.1.1.1), #UD with any of them (as on the
 * host); 66 0F AE /7 is CLFLUSHOPT, which runs as CLFLUSH here. */
static inline void np_check(struct vcpu *v, const struct insn *i)
{
    if (i->pfx66 || i->rep)
        cpu_ud(v);
}

void op_ldmxcsr(struct vcpu *v, const struct insn *i)
{
    np_check(v, i);
    sse_enter(v);
    uint32_t val = (uint32_t)vm_read(v, i->seg, insn_ea(v, i), 4);
    if (val & ~MXCSR_MASK)
        cpu_gp(v, 0);
    v->s.fpu.mxcsr = val;
}

void op_stmxcsr(struct vcpu *v, const struct insn *i)
{
    np_check(v, i);
    sse_enter(v);
    vm_write(v, i->seg, insn_ea(v, i), 4, v->s.fpu.mxcsr);
}

/* Guest memory accesses are host loads/stores, ordered by the host's
 * (x86, TSO) memory model; MFENCE also orders stores before later loads
 * as seen by other vCPU threads. */
void op_lfence(struct vcpu *v, const struct insn *i)
{
    np_check(v, i);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

void op_sfence(struct vcpu *v, const struct insn *i)
{
    np_check(v, i);
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

void op_mfence(struct vcpu *v, const struct insn *i)
{
    np_check(v, i);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void op_clflush(struct vcpu *v, const struct insn *i)
{
    if (i->rep)
        cpu_ud(v);
    uint64_t lin = seg_lin(v, i->seg, insn_ea(v, i), 1, false);
    mmu_translate(v, lin, ACC_R, NULL);
}

void op_movnti(struct vcpu *v, const struct insn *i)
{
    unsigned size = (i->rex & 8) ? 8 : 4;
    vm_write(v, i->seg, insn_ea(v, i), size, get_reg(v, i->reg, size));
}
