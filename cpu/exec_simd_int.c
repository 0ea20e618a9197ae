/*
 * exec_simd_int.c - MMX and SSE2 integer arithmetic: add/sub (wrapping,
 * signed and unsigned saturation), multiplies (PMULLW, PMULHW, PMULHUW,
 * PMULUDQ, PMADDWD), PSADBW, PAVGB/W, PMIN/PMAX, logic (PAND, PANDN, POR,
 * PXOR), compares (PCMPEQ, PCMPGT) and packs (PACKSSWB, PACKSSDW,
 * PACKUSWB).  SDM vol. 2 instruction pages of each; vol. 1 9.4 (MMX) and
 * 11.4 (SSE2 integer).  Each row has an MMX handler (64-bit, mm) and an
 * XMM one (66 prefix, 128-bit): see cpu/simd_int.h for the order of
 * checks, reads and the MMX state transition.  Portable C lane loops over
 * union x86_xmm; the lane count is a constant after inlining.
 */
#include "cpu/handlers.h"
#include "cpu/simd_int.h"

static inline int8_t sat_s8(int x)
{
    return (int8_t)(x > 127 ? 127 : x < -128 ? -128 : x);
}

static inline uint8_t sat_u8(int x)
{
    return (uint8_t)(x > 255 ? 255 : x < 0 ? 0 : x);
}

static inline int16_t sat_s16(int32_t x)
{
    return (int16_t)(x > 32767 ? 32767 : x < -32768 ? -32768 : x);
}

static inline uint16_t sat_u16(int32_t x)
{
    return (uint16_t)(x > 65535 ? 65535 : x < 0 ? 0 : x);
}

/* Element-wise D.F[k] = EXPR(a = D.F[k], b = S.F[k]) for every lane of
 * type T in N bytes. */
#define LANEWISE(name, T, F, expr) \
    SIMD_INLINE void name##_lanes(union x86_xmm *d, const union x86_xmm *s, unsigned n) \
    { \
        for (unsigned k = 0; k < n / sizeof(T); k++) { \
            T a = d->F[k], b = s->F[k]; \
            d->F[k] = (T)(expr); \
        } \
    } \
    SIMD_BINOP_PAIR(name, 8)

/* ---- add / subtract ---- */
LANEWISE(paddb, uint8_t, b, a + b)
LANEWISE(paddw, uint16_t, w, a + b)
LANEWISE(paddd, uint32_t, d, a + b)
LANEWISE(paddq, uint64_t, q, a + b)
LANEWISE(psubb, uint8_t, b, a - b)
LANEWISE(psubw, uint16_t, w, a - b)
LANEWISE(psubd, uint32_t, d, a - b)
LANEWISE(psubq, uint64_t, q, a - b)
LANEWISE(paddsb, int8_t, sb, sat_s8(a + b))
LANEWISE(paddsw, int16_t, sw, sat_s16(a + b))
LANEWISE(psubsb, int8_t, sb, sat_s8(a - b))
LANEWISE(psubsw, int16_t, sw, sat_s16(a - b))
LANEWISE(paddusb, uint8_t, b, sat_u8(a + b))
LANEWISE(paddusw, uint16_t, w, sat_u16((int32_t)a + b))
LANEWISE(psubusb, uint8_t, b, sat_u8(a - b))
LANEWISE(psubusw, uint16_t, w, sat_u16((int32_t)a - b))

/* ---- multiply ---- */
LANEWISE(pmullw, uint16_t, w, (uint32_t)a * b)
LANEWISE(pmulhw, int16_t, sw, ((int32_t)a * b) >> 16)
LANEWISE(pmulhuw, uint16_t, w, ((uint32_t)a * b) >> 16)

/* PMULUDQ: low dword of each quadword, unsigned 64-bit product. */
SIMD_INLINE void pmuludq_lanes(union x86_xmm *d, const union x86_xmm *s, unsigned n)
{
    for (unsigned k = 0; k < n / 8; k++)
        d->q[k] = (uint64_t)d->d[2 * k] * s->d[2 * k];
}
SIMD_BINOP_PAIR(pmuludq, 8)

/* PMADDWD: pairs of signed word products summed; 0x8000*0x8000 twice
 * wraps to 0x80000000 (SDM PMADDWD page). */
SIMD_INLINE void pmaddwd_lanes(union x86_xmm *d, const union x86_xmm *s, unsigned n)
{
    for (unsigned k = 0; k < n / 4; k++) {
        int64_t p = (int64_t)((int32_t)d->sw[2 * k] * s->sw[2 * k]) +
                    (int32_t)d->sw[2 * k + 1] * s->sw[2 * k + 1];
        d->d[k] = (uint32_t)p;
    }
}
SIMD_BINOP_PAIR(pmaddwd, 8)

/* PSADBW: sum of absolute byte differences per quadword in its low word. */
SIMD_INLINE void psadbw_lanes(union x86_xmm *d, const union x86_xmm *s, unsigned n)
{
    for (unsigned k = 0; k < n / 8; k++) {
        unsigned sum = 0;
        for (unsigned j = 0; j < 8; j++) {
            int a = d->b[8 * k + j], b = s->b[8 * k + j];
            sum += (unsigned)(a > b ? a - b : b - a);
        }
        d->q[k] = sum;
    }
}
SIMD_BINOP_PAIR(psadbw, 8)

/* ---- average, min, max ---- */
LANEWISE(pavgb, uint8_t, b, ((unsigned)a + b + 1) >> 1)
LANEWISE(pavgw, uint16_t, w, ((uint32_t)a + b + 1) >> 1)
LANEWISE(pminub, uint8_t, b, a < b ? a : b)
LANEWISE(pmaxub, uint8_t, b, a > b ? a : b)
LANEWISE(pminsw, int16_t, sw, a < b ? a : b)
LANEWISE(pmaxsw, int16_t, sw, a > b ? a : b)

/* ---- logic ---- */
LANEWISE(pand, uint64_t, q, a & b)
LANEWISE(pandn, uint64_t, q, ~a & b)
LANEWISE(por, uint64_t, q, a | b)
LANEWISE(pxor, uint64_t, q, a ^ b)

/* ---- compares: all ones where true ---- */
LANEWISE(pcmpeqb, uint8_t, b, a == b ? 0xffu : 0)
LANEWISE(pcmpeqw, uint16_t, w, a == b ? 0xffffu : 0)
LANEWISE(pcmpeqd, uint32_t, d, a == b ? 0xffffffffu : 0)
LANEWISE(pcmpgtb, int8_t, sb, a > b ? -1 : 0)
LANEWISE(pcmpgtw, int16_t, sw, a > b ? -1 : 0)
LANEWISE(pcmpgtd, int32_t, sd, a > b ? -1 : 0)

/* ---- packs: the destination's elements fill the low half of the
 * result, the source's the high half ---- */
SIMD_INLINE void packsswb_lanes(union x86_xmm *d, const union x86_xmm *s, unsigned n)
{
    union x86_xmm r;
    r.q[1] = 0;   /* MMX: only the low half is produced */
    unsigned h = n / 2;
    for (unsigned k = 0; k < h; k++) {
        r.sb[k] = sat_s8(d->sw[k]);
        r.sb[h + k] = sat_s8(s->sw[k]);
    }
    memcpy(d, &r, 16);
}
SIMD_BINOP_PAIR(packsswb, 8)

SIMD_INLINE void packuswb_lanes(union x86_xmm *d, const union x86_xmm *s, unsigned n)
{
    union x86_xmm r;
    r.q[1] = 0;   /* MMX: only the low half is produced */
    unsigned h = n / 2;
    for (unsigned k = 0; k < h; k++) {
        r.b[k] = sat_u8(d->sw[k]);
        r.b[h + k] = sat_u8(s->sw[k]);
    }
    memcpy(d, &r, 16);
}
SIMD_BINOP_PAIR(packuswb, 8)

SIMD_INLINE void packssdw_lanes(union x86_xmm *d, const union x86_xmm *s, unsigned n)
{
    union x86_xmm r;
    r.q[1] = 0;   /* MMX: only the low half is produced */
    unsigned h = n / 4;
    for (unsigned k = 0; k < h; k++) {
        r.sw[k] = sat_s16(d->sd[k]);
        r.sw[h + k] = sat_s16(s->sd[k]);
    }
    memcpy(d, &r, 16);
}
SIMD_BINOP_PAIR(packssdw, 8)
