/*
 * exec_simd_move.c - MMX and SSE2 integer data movement: MOVD/MOVQ
 * between GPR/memory and mm/xmm (0F 6E/7E, with REX.W), MOVQ mm
 * (0F 6F/7F), MOVDQA/MOVDQU (66/F3 0F 6F/7F), MOVQ xmm (F3 0F 7E,
 * 66 0F D6), MOVQ2DQ/MOVDQ2Q (F3/F2 0F D6), PINSRW/PEXTRW (0F C4/C5),
 * PMOVMSKB (0F D7), MOVNTQ/MOVNTDQ (0F E7), MASKMOVQ/MASKMOVDQU (0F F7),
 * EMMS (0F 77).  SDM vol. 2 instruction pages.
 *
 * Non-temporal hints are ignored (ordinary stores).  MASKMOVQ/MASKMOVDQU
 * write only the selected bytes at DS:rDI (segment override allowed,
 * address size from 67): the segment checks cover the whole operand even
 * for a zero mask (SDM: "a zero byte mask does not prevent addressing
 * faults"), page faults only come from pages holding selected bytes, and
 * every selected byte is checked before the first one is written.
 */
#include "cpu/handlers.h"
#include "cpu/simd_int.h"

static inline unsigned movd_size(const struct insn *i)
{
    return (i->rex & 8) ? 8 : 4;
}

/* ---- MOVD / MOVQ with GPR or memory ---- */
void op_movd_PE(struct vcpu *v, const struct insn *i)
{
    mmx_check_only(v);
    uint64_t val = rm_read(v, i, movd_size(i));
    mmx_commit(v, i->reg, val);
}

void op_movd_VE(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    uint64_t val = rm_read(v, i, movd_size(i));
    union x86_xmm *d = xmm_reg(v, i->reg);
    d->q[0] = val;
    d->q[1] = 0;
}

void op_movd_EP(struct vcpu *v, const struct insn *i)
{
    unsigned size = movd_size(i);
    mmx_check_only(v);
    rm_write(v, i, size, mmx_peek(v, i->reg & 7) & size_mask(size));
    mmx_enter(v);
}

void op_movd_EV(struct vcpu *v, const struct insn *i)
{
    unsigned size = movd_size(i);
    sse_enter(v);
    rm_write(v, i, size, xmm_reg(v, i->reg)->q[0] & size_mask(size));
}

/* ---- MOVQ mm ---- */
void op_movq_PQ(struct vcpu *v, const struct insn *i)
{
    mmx_check_only(v);
    mmx_commit(v, i->reg, mmx_src(v, i, 8));
}

void op_movq_QP(struct vcpu *v, const struct insn *i)
{
    mmx_check_only(v);
    uint64_t val = mmx_peek(v, i->reg & 7);
    if (i->mod == 3) {
        mmx_commit(v, i->rm, val);
    } else {
        vm_write(v, i->seg, insn_ea(v, i), 8, val);
        mmx_enter(v);
    }
}

/* ---- MOVDQA / MOVDQU ---- */
void op_movdqa_VW(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s;
    sse_enter(v);
    simd_read128(v, i, &s, true);
    *xmm_reg(v, i->reg) = s;
}

void op_movdqu_VW(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s;
    sse_enter(v);
    simd_read128(v, i, &s, false);
    *xmm_reg(v, i->reg) = s;
}

void op_movdqa_WV(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    union x86_xmm s = *xmm_reg(v, i->reg);
    simd_write128(v, i, &s, true);
}

void op_movdqu_WV(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    union x86_xmm s = *xmm_reg(v, i->reg);
    simd_write128(v, i, &s, false);
}

/* ---- MOVQ xmm (64-bit, zero-extended into a register) ---- */
void op_movq_VW(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    uint64_t val = simd_read_xmm_or_mem(v, i, 8);
    union x86_xmm *d = xmm_reg(v, i->reg);
    d->q[0] = val;
    d->q[1] = 0;
}

void op_movq_WV(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    uint64_t val = xmm_reg(v, i->reg)->q[0];
    if (i->mod == 3) {
        union x86_xmm *d = xmm_reg(v, i->rm);
        d->q[0] = val;
        d->q[1] = 0;
    } else {
        vm_write(v, i->seg, insn_ea(v, i), 8, val);
    }
}

/* MOVQ2DQ / MOVDQ2Q: SSE checks (#UD CR0.EM / CR4.OSFXSR, #NM CR0.TS),
 * #MF for a pending x87 exception, then the MMX transition. */
static void mmx_sse_check(struct vcpu *v)
{
    sse_enter(v);
    mmx_check_only(v);
}

void op_movq2dq(struct vcpu *v, const struct insn *i)
{
    mmx_sse_check(v);
    uint64_t val = mmx_peek(v, i->rm & 7);
    mmx_enter(v);
    union x86_xmm *d = xmm_reg(v, i->reg);
    d->q[0] = val;
    d->q[1] = 0;
}

void op_movdq2q(struct vcpu *v, const struct insn *i)
{
    mmx_sse_check(v);
    mmx_commit(v, i->reg, xmm_reg(v, i->rm)->q[0]);
}

/* ---- PINSRW / PEXTRW / PMOVMSKB ---- */
static inline uint16_t word_src(struct vcpu *v, const struct insn *i)
{
    return (uint16_t)rm_read(v, i, 2);
}

void op_pinsrw_mmx(struct vcpu *v, const struct insn *i)
{
    unsigned sh = 16 * ((unsigned)i->imm & 3);
    mmx_check_only(v);
    uint64_t w = word_src(v, i);
    uint64_t d = mmx_peek(v, i->reg & 7);
    d = (d & ~(0xffffull << sh)) | (w << sh);
    mmx_commit(v, i->reg, d);
}

void op_pinsrw_xmm(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    uint16_t w = word_src(v, i);
    xmm_reg(v, i->reg)->w[i->imm & 7] = w;
}

void op_pextrw_mmx(struct vcpu *v, const struct insn *i)
{
    mmx_check_only(v);
    uint64_t w = (mmx_peek(v, i->rm & 7) >> (16 * ((unsigned)i->imm & 3))) & 0xffff;
    mmx_enter(v);
    set_reg(v, i->reg, 4, w);
}

void op_pextrw_xmm(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    set_reg(v, i->reg, 4, xmm_reg(v, i->rm)->w[i->imm & 7]);
}

static inline uint32_t byte_msbs(const union x86_xmm *x, unsigned n)
{
    uint32_t m = 0;
    for (unsigned k = 0; k < n; k++)
        m |= (uint32_t)(x->b[k] >> 7) << k;
    return m;
}

void op_pmovmskb_mmx(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s;
    mmx_check_only(v);
    s.q[0] = mmx_peek(v, i->rm & 7);
    mmx_enter(v);
    set_reg(v, i->reg, 4, byte_msbs(&s, 8));
}

void op_pmovmskb_xmm(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    set_reg(v, i->reg, 4, byte_msbs(xmm_reg(v, i->rm), 16));
}

/* ---- non-temporal stores (hint ignored) ---- */
void op_movntq(struct vcpu *v, const struct insn *i)
{
    mmx_check_only(v);
    vm_write(v, i->seg, insn_ea(v, i), 8, mmx_peek(v, i->reg & 7));
    mmx_enter(v);
}

void op_movntdq(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    union x86_xmm s = *xmm_reg(v, i->reg);
    simd_write128(v, i, &s, true);
}

/* ---- MASKMOVQ / MASKMOVDQU ---- */
static void masked_store(struct vcpu *v, const struct insn *i, const union x86_xmm *data,
                         const union x86_xmm *mask, unsigned n)
{
    uint64_t off = v->s.gpr[R_RDI] & amask(i);
    uint64_t lin0 = seg_lin(v, i->seg, off, n, true);
    uint64_t lin[16];
    uint64_t probed = ~0ull;
    /* every page holding a selected byte must be writable first */
    for (unsigned k = 0; k < n; k++) {
        lin[k] = v->code64 ? lin0 + k : (uint32_t)(lin0 + k);
        if (!(mask->b[k] & 0x80) || (lin[k] >> 12) == probed)
            continue;
        lin_probe_write(v, lin[k], 1);
        probed = lin[k] >> 12;
    }
    for (unsigned k = 0; k < n; k++)
        if (mask->b[k] & 0x80)
            lin_write(v, lin[k], 1, data->b[k]);
}

void op_maskmovq(struct vcpu *v, const struct insn *i)
{
    union x86_xmm d, m;
    mmx_check_only(v);
    d.q[0] = mmx_peek(v, i->reg & 7);
    m.q[0] = mmx_peek(v, i->rm & 7);
    masked_store(v, i, &d, &m, 8);
    mmx_enter(v);
}

void op_maskmovdqu(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    union x86_xmm d = *xmm_reg(v, i->reg), m = *xmm_reg(v, i->rm);
    masked_store(v, i, &d, &m, 16);
}

/* ---- EMMS ----
 * Like every MMX instruction EMMS sets TOP to 0 (SDM vol. 3A 12.2, table
 * 12-2 "EMMS: tags 11B, TOS 000B"; the host CPU agrees), then empties all
 * tags.  mmx_emms() (cpu/fpu_state.c) only empties the tags, so the MMX
 * transition comes first. */
void op_emms(struct vcpu *v, const struct insn *i)
{
    (void)i;
    mmx_enter(v);
    mmx_emms(v);
}
