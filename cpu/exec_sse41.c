/*
 * exec_sse41.c - the integer and data-movement rows of SSE4.1 (SDM vol. 2):
 * PBLENDVB, BLENDVPS, BLENDVPD (implicit XMM0 mask), PTEST, PMOVSX/PMOVZX,
 * PMULDQ, PCMPEQQ, MOVNTDQA, PACKUSDW, PMINSB..PMAXUD, PMULLD, PHMINPOSUW,
 * BLENDPS, BLENDPD, PBLENDW, PEXTRB/W/D/Q, EXTRACTPS, PINSRB/D/Q, INSERTPS,
 * MPSADBW.  Portable C.  Checks: sse_enter() (#UD/#NM), 16-byte alignment
 * #GP(0) for m128 operands (exceptions type 4; MOVNTDQA type 1); PMOVSX/ZX
 * (m16/m32/m64), PEXTR, PINSR, EXTRACTPS, INSERTPS (m8..m64) are not
 * alignment-checked (type 5).  Results are computed into temporaries and
 * written only after every read succeeded.  The non-temporal hint of
 * MOVNTDQA is ignored (an ordinary aligned load).
 * Not implemented: nothing known (the FP rows are in exec_sse4_fp.c).
 */
#include "cpu/fpu.h"
#include "cpu/handlers.h"

/* xmm1 (reg) and xmm2/m128 (aligned) */
static inline union x86_xmm *load2(struct vcpu *v, const struct insn *i, union x86_xmm *s)
{
    sse_enter(v);
    simd_read128(v, i, s, true);
    return xmm_reg(v, i->reg);
}

void sse41_pblendvb(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s);
    const union x86_xmm *m = xmm_reg(v, 0);
    for (unsigned k = 0; k < 16; k++)
        if (m->b[k] & 0x80)
            d->b[k] = s.b[k];
}

void sse41_blendvps(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s);
    const union x86_xmm *m = xmm_reg(v, 0);
    for (unsigned k = 0; k < 4; k++)
        if (m->d[k] >> 31)
            d->d[k] = s.d[k];
}

void sse41_blendvpd(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s);
    const union x86_xmm *m = xmm_reg(v, 0);
    for (unsigned k = 0; k < 2; k++)
        if (m->q[k] >> 63)
            d->q[k] = s.q[k];
}

void sse41_ptest(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s);
    uint32_t f = 0;
    if (!((d->q[0] & s.q[0]) | (d->q[1] & s.q[1])))
        f |= X86_FLAG_ZF;
    if (!((~d->q[0] & s.q[0]) | (~d->q[1] & s.q[1])))
        f |= X86_FLAG_CF;
    cpu_set_arith_flags(v, X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | X86_FLAG_SF | X86_FLAG_OF, f);
}

/* 0F38 20-25 (sign) / 30-35 (zero): source element size and count */
void sse41_pmovx(struct vcpu *v, const struct insn *i)
{
    static const uint8_t from[6] = {1, 1, 1, 2, 2, 4}, to[6] = {2, 4, 8, 4, 8, 8};
    unsigned op = i->opcode & 0xf;
    if (op > 5)
        cpu_ud(v);   /* not reachable: only 20-25/30-35 have rows */
    bool sx = (i->opcode & 0xf0) == 0x20;
    unsigned fs = from[op], ts = to[op], cnt = 16 / ts;
    sse_enter(v);
    uint64_t src = simd_read_xmm_or_mem(v, i, fs * cnt);
    union x86_xmm r;
    for (unsigned k = 0; k < cnt; k++) {
        uint64_t e = (src >> (k * fs * 8)) & size_mask(fs);
        if (sx)
            e = sext(e, fs);
        switch (ts) {
        case 2: r.w[k] = (uint16_t)e; break;
        case 4: r.d[k] = (uint32_t)e; break;
        default: r.q[k] = e; break;
        }
    }
    *xmm_reg(v, i->reg) = r;
}

void sse41_pmuldq(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s);
    int64_t lo = (int64_t)d->sd[0] * s.sd[0], hi = (int64_t)d->sd[2] * s.sd[2];
    d->sq[0] = lo;
    d->sq[1] = hi;
}

void sse41_pcmpeqq(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s);
    for (unsigned k = 0; k < 2; k++)
        d->q[k] = d->q[k] == s.q[k] ? ~0ull : 0;
}

void sse41_movntdqa(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s);
    *d = s;
}

static inline uint16_t usat16(int32_t x)
{
    return (uint16_t)(x < 0 ? 0 : x > 65535 ? 65535 : x);
}

void sse41_packusdw(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s), r;
    for (unsigned k = 0; k < 4; k++) {
        r.w[k] = usat16(d->sd[k]);
        r.w[k + 4] = usat16(s.sd[k]);
    }
    *d = r;
}

/* 0F38 38-3F: min (38-3B) / max (3C-3F) of sb, sd, uw, ud */
void sse41_pminmax(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s);
    bool mx = i->opcode & 4;
    switch (i->opcode & 3) {
    case 0:
        for (unsigned k = 0; k < 16; k++)
            if (mx ? s.sb[k] > d->sb[k] : s.sb[k] < d->sb[k])
                d->sb[k] = s.sb[k];
        break;
    case 1:
        for (unsigned k = 0; k < 4; k++)
            if (mx ? s.sd[k] > d->sd[k] : s.sd[k] < d->sd[k])
                d->sd[k] = s.sd[k];
        break;
    case 2:
        for (unsigned k = 0; k < 8; k++)
            if (mx ? s.w[k] > d->w[k] : s.w[k] < d->w[k])
                d->w[k] = s.w[k];
        break;
    default:
        for (unsigned k = 0; k < 4; k++)
            if (mx ? s.d[k] > d->d[k] : s.d[k] < d->d[k])
                d->d[k] = s.d[k];
        break;
    }
}

void sse41_pmulld(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s);
    for (unsigned k = 0; k < 4; k++)
        d->d[k] = (uint32_t)((uint64_t)d->d[k] * s.d[k]);
}

void sse41_phminposuw(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s), r = {.q = {0, 0}};
    unsigned best = 0;
    for (unsigned k = 1; k < 8; k++)
        if (s.w[k] < s.w[best])
            best = k;
    r.w[0] = s.w[best];
    r.w[1] = (uint16_t)best;
    *d = r;
}

void sse41_blendps(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s);
    for (unsigned k = 0; k < 4; k++)
        if ((i->imm >> k) & 1)
            d->d[k] = s.d[k];
}

void sse41_blendpd(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s);
    for (unsigned k = 0; k < 2; k++)
        if ((i->imm >> k) & 1)
            d->q[k] = s.q[k];
}

void sse41_pblendw(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s);
    for (unsigned k = 0; k < 8; k++)
        if ((i->imm >> k) & 1)
            d->w[k] = s.w[k];
}

/* PEXTR and EXTRACTPS: a register destination gets the value zero-extended
 * to 32 (or 64 with REX.W) bits; a memory destination SIZE bytes. */
static void extract(struct vcpu *v, const struct insn *i, unsigned size, uint64_t val)
{
    if (i->mod == 3)
        set_reg(v, i->rm, (i->rex & 8) ? 8 : 4, val);
    else
        vm_write(v, i->seg, insn_ea(v, i), size, val);
}

void sse41_pextrb(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    extract(v, i, 1, xmm_reg(v, i->reg)->b[i->imm & 15]);
}

void sse41_pextrw(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    extract(v, i, 2, xmm_reg(v, i->reg)->w[i->imm & 7]);
}

void sse41_pextrd(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    if (i->rex & 8)
        extract(v, i, 8, xmm_reg(v, i->reg)->q[i->imm & 1]);
    else
        extract(v, i, 4, xmm_reg(v, i->reg)->d[i->imm & 3]);
}

void sse41_extractps(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    extract(v, i, 4, xmm_reg(v, i->reg)->d[i->imm & 3]);
}

/* PINSR*: a register source is a GPR (its low bits), memory SIZE bytes */
static uint64_t insert_src(struct vcpu *v, const struct insn *i, unsigned size)
{
    sse_enter(v);
    if (i->mod == 3)
        return v->s.gpr[i->rm] & size_mask(size);
    return vm_read(v, i->seg, insn_ea(v, i), size);
}

void sse41_pinsrb(struct vcpu *v, const struct insn *i)
{
    uint64_t x = insert_src(v, i, 1);
    xmm_reg(v, i->reg)->b[i->imm & 15] = (uint8_t)x;
}

void sse41_pinsrd(struct vcpu *v, const struct insn *i)
{
    if (i->rex & 8) {
        uint64_t x = insert_src(v, i, 8);
        xmm_reg(v, i->reg)->q[i->imm & 1] = x;
    } else {
        uint64_t x = insert_src(v, i, 4);
        xmm_reg(v, i->reg)->d[i->imm & 3] = (uint32_t)x;
    }
}

void sse41_insertps(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    unsigned imm = (unsigned)i->imm & 0xff;
    uint32_t x;
    if (i->mod == 3)
        x = xmm_reg(v, i->rm)->d[imm >> 6];
    else
        x = (uint32_t)vm_read(v, i->seg, insn_ea(v, i), 4);
    union x86_xmm *d = xmm_reg(v, i->reg);
    d->d[(imm >> 4) & 3] = x;
    for (unsigned k = 0; k < 4; k++)
        if ((imm >> k) & 1)
            d->d[k] = 0;
}

void sse41_mpsadbw(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, *d = load2(v, i, &s), r;
    unsigned so = (i->imm & 3) * 4, dof = ((i->imm >> 2) & 1) * 4;
    for (unsigned k = 0; k < 8; k++) {
        unsigned sum = 0;
        for (unsigned j = 0; j < 4; j++) {
            int a = d->b[dof + k + j], b = s.b[so + j];
            sum += (unsigned)(a > b ? a - b : b - a);
        }
        r.w[k] = (uint16_t)sum;
    }
    *d = r;
}
