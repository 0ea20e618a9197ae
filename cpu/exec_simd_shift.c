/*
 * exec_simd_shift.c - MMX and SSE2 integer shifts, unpacks and shuffles:
 * PSRLW/D/Q, PSRAW/D, PSLLW/D/Q by register (0F D1-D3, E1-E2, F1-F3) and
 * by immediate (groups 0F 71-73), PSRLDQ/PSLLDQ (66 0F 73 /3, /7),
 * PUNPCKL/H BW/WD/DQ/QDQ (0F 60-62, 68-6A, 66 0F 6C/6D), PSHUFW, PSHUFD,
 * PSHUFHW, PSHUFLW (0F 70).  SDM vol. 2 instruction pages.
 *
 * Shift counts are the whole 64-bit count operand: counts beyond the
 * element width give 0 (logical) or the sign (arithmetic).  The groups
 * 0F 71-73 are decoded without a mandatory prefix (OP2R rows), so the
 * handler selects the XMM form by insn.pfx66 and raises #UD for F2/F3,
 * and for PSRLDQ/PSLLDQ without 66 (SDM table A-6, groups 12-14).
 */
#include "cpu/handlers.h"
#include "cpu/simd_int.h"

/* ---- shifts: D's lanes of type T shifted by C ---- */
#define SHIFT_LOGICAL(name, T, F, bits, dir) \
    SIMD_INLINE void name##_cnt(union x86_xmm *d, uint64_t c, unsigned n) \
    { \
        for (unsigned k = 0; k < n / sizeof(T); k++) \
            d->F[k] = c >= (bits) ? 0 : (T)(d->F[k] dir c); \
    }
#define SHIFT_ARITH(name, T, F, bits) \
    SIMD_INLINE void name##_cnt(union x86_xmm *d, uint64_t c, unsigned n) \
    { \
        unsigned sh = c >= (bits) ? (bits) - 1 : (unsigned)c; \
        for (unsigned k = 0; k < n / sizeof(T); k++) \
            d->F[k] = (T)(d->F[k] >> sh); \
    }

SHIFT_LOGICAL(psrlw, uint16_t, w, 16, >>)
SHIFT_LOGICAL(psrld, uint32_t, d, 32, >>)
SHIFT_LOGICAL(psrlq, uint64_t, q, 64, >>)
SHIFT_LOGICAL(psllw, uint16_t, w, 16, <<)
SHIFT_LOGICAL(pslld, uint32_t, d, 32, <<)
SHIFT_LOGICAL(psllq, uint64_t, q, 64, <<)
SHIFT_ARITH(psraw, int16_t, sw, 16)
SHIFT_ARITH(psrad, int32_t, sd, 32)

/* Whole-register byte shifts (XMM only). */
SIMD_INLINE void psrldq_cnt(union x86_xmm *d, uint64_t c, unsigned n)
{
    union x86_xmm r;
    for (unsigned k = 0; k < n; k++)
        r.b[k] = c < n - k ? d->b[k + c] : 0;
    *d = r;
}

SIMD_INLINE void pslldq_cnt(union x86_xmm *d, uint64_t c, unsigned n)
{
    union x86_xmm r;
    for (unsigned k = 0; k < n; k++)
        r.b[k] = c <= k ? d->b[k - c] : 0;
    *d = r;
}

/* By register: the count is the low quadword of the source operand. */
#define SHIFT_BY_REG(name) \
    SIMD_INLINE void name##_lanes(union x86_xmm *d, const union x86_xmm *s, unsigned n) \
    { \
        name##_cnt(d, s->q[0], n); \
    } \
    SIMD_BINOP_PAIR(name, 8)

SHIFT_BY_REG(psrlw)
SHIFT_BY_REG(psrld)
SHIFT_BY_REG(psrlq)
SHIFT_BY_REG(psllw)
SHIFT_BY_REG(pslld)
SHIFT_BY_REG(psllq)
SHIFT_BY_REG(psraw)
SHIFT_BY_REG(psrad)

/* By immediate: Nq,Ib or (66) Ux,Ib; the register is ModRM.rm. */
typedef void shift_cnt_fn(union x86_xmm *d, uint64_t c, unsigned n);

SIMD_INLINE void shift_imm(struct vcpu *v, const struct insn *i, shift_cnt_fn *f, bool xmm_only)
{
    uint64_t c = (uint8_t)i->imm;
    if (i->rep || (xmm_only && !i->pfx66))
        cpu_ud(v);
    if (i->pfx66) {
        sse_enter(v);
        union x86_xmm d = *xmm_reg(v, i->rm);
        f(&d, c, 16);
        *xmm_reg(v, i->rm) = d;
    } else {
        union x86_xmm d;
        mmx_check_only(v);
        d.q[0] = mmx_peek(v, i->rm & 7);
        d.q[1] = 0;
        f(&d, c, 8);
        mmx_commit(v, i->rm, d.q[0]);
    }
}

#define SHIFT_IMM(name, xmm_only) \
    void op_##name##_imm(struct vcpu *v, const struct insn *i) \
    { \
        shift_imm(v, i, name##_cnt, xmm_only); \
    }

SHIFT_IMM(psrlw, false)
SHIFT_IMM(psrld, false)
SHIFT_IMM(psrlq, false)
SHIFT_IMM(psllw, false)
SHIFT_IMM(pslld, false)
SHIFT_IMM(psllq, false)
SHIFT_IMM(psraw, false)
SHIFT_IMM(psrad, false)
SHIFT_IMM(psrldq, true)
SHIFT_IMM(pslldq, true)

/* ---- unpacks: interleave the low (or high) halves of D and S ---- */
#define UNPACK(name, T, F, high) \
    SIMD_INLINE void name##_lanes(union x86_xmm *d, const union x86_xmm *s, unsigned n) \
    { \
        union x86_xmm r; \
        unsigned h = n / 2 / sizeof(T), base = (high) ? h : 0; \
        r.q[1] = 0; \
        for (unsigned k = 0; k < h; k++) { \
            r.F[2 * k] = d->F[base + k]; \
            r.F[2 * k + 1] = s->F[base + k]; \
        } \
        *d = r; \
    }

/* MMX low unpacks read only 32 bits of memory (PUNPCKLBW mm, mm/m32). */
UNPACK(punpcklbw, uint8_t, b, false)
UNPACK(punpcklwd, uint16_t, w, false)
UNPACK(punpckldq, uint32_t, d, false)
UNPACK(punpckhbw, uint8_t, b, true)
UNPACK(punpckhwd, uint16_t, w, true)
UNPACK(punpckhdq, uint32_t, d, true)
UNPACK(punpcklqdq, uint64_t, q, false)
UNPACK(punpckhqdq, uint64_t, q, true)
SIMD_BINOP_PAIR(punpcklbw, 4)
SIMD_BINOP_PAIR(punpcklwd, 4)
SIMD_BINOP_PAIR(punpckldq, 4)
SIMD_BINOP_PAIR(punpckhbw, 8)
SIMD_BINOP_PAIR(punpckhwd, 8)
SIMD_BINOP_PAIR(punpckhdq, 8)

void op_punpcklqdq_xmm(struct vcpu *v, const struct insn *i)
{
    simd_xmm_binop(v, i, punpcklqdq_lanes);
}

void op_punpckhqdq_xmm(struct vcpu *v, const struct insn *i)
{
    simd_xmm_binop(v, i, punpckhqdq_lanes);
}

/* ---- shuffles ---- */
void op_pshufw(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, r;
    unsigned imm = (uint8_t)i->imm;
    mmx_check_only(v);
    s.q[0] = mmx_src(v, i, 8);
    for (unsigned k = 0; k < 4; k++)
        r.w[k] = s.w[(imm >> (2 * k)) & 3];
    mmx_commit(v, i->reg, r.q[0]);
}

void op_pshufd(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, r;
    unsigned imm = (uint8_t)i->imm;
    sse_enter(v);
    simd_read128(v, i, &s, true);
    for (unsigned k = 0; k < 4; k++)
        r.d[k] = s.d[(imm >> (2 * k)) & 3];
    *xmm_reg(v, i->reg) = r;
}

void op_pshufhw(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, r;
    unsigned imm = (uint8_t)i->imm;
    sse_enter(v);
    simd_read128(v, i, &s, true);
    r.q[0] = s.q[0];
    for (unsigned k = 0; k < 4; k++)
        r.w[4 + k] = s.w[4 + ((imm >> (2 * k)) & 3)];
    *xmm_reg(v, i->reg) = r;
}

void op_pshuflw(struct vcpu *v, const struct insn *i)
{
    union x86_xmm s, r;
    unsigned imm = (uint8_t)i->imm;
    sse_enter(v);
    simd_read128(v, i, &s, true);
    r.q[1] = s.q[1];
    for (unsigned k = 0; k < 4; k++)
        r.w[k] = s.w[(imm >> (2 * k)) & 3];
    *xmm_reg(v, i->reg) = r;
}
