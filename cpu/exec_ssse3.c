/*
 * exec_ssse3.c - SSSE3 (SDM vol. 2: PSHUFB, PHADDW/D/SW, PHSUBW/D/SW,
 * PMADDUBSW, PSIGNB/W/D, PMULHRSW, PABSB/W/D, PALIGNR), both forms:
 * no prefix = 64-bit MMX operands (mmx_enter(): x87 state goes to MMX
 * mode), 66 = 128-bit XMM operands (sse_enter(), memory operand 16-byte
 * aligned or #GP(0), exceptions type 4).  Integer only: portable C.
 * Each operation works on N bytes (8 or 16) of union x86_xmm values.
 * Not implemented: nothing known (VEX forms belong to AVX).
 */
#include "cpu/fpu.h"
#include "cpu/handlers.h"

static inline int16_t sat16(int32_t x)
{
    return (int16_t)(x > 32767 ? 32767 : x < -32768 ? -32768 : x);
}

static void op_pshufb(union x86_xmm *d, const union x86_xmm *s, unsigned n, unsigned imm)
{
    (void)imm;
    union x86_xmm r = *d;
    for (unsigned k = 0; k < n; k++)
        r.b[k] = (s->b[k] & 0x80) ? 0 : d->b[s->b[k] & (n - 1)];
    *d = r;
}

/* horizontal pairs: the low half of the result from D, the high half from S */
#define HOR(name, lane, type, expr) \
    static void op_##name(union x86_xmm *d, const union x86_xmm *s, unsigned n, unsigned imm) \
    { \
        (void)imm; \
        union x86_xmm r = *d; \
        unsigned cnt = n / sizeof(type), half = cnt / 2; \
        for (unsigned k = 0; k < cnt; k++) { \
            const union x86_xmm *src = k < half ? d : s; \
            unsigned j = 2 * (k % half); \
            type a = src->lane[j], b = src->lane[j + 1]; \
            r.lane[k] = (type)(expr); \
        } \
        *d = r; \
    }
HOR(phaddw, w, uint16_t, a + b)
HOR(phaddd, d, uint32_t, a + b)
HOR(phaddsw, sw, int16_t, sat16((int32_t)a + b))
HOR(phsubw, w, uint16_t, a - b)
HOR(phsubd, d, uint32_t, a - b)
HOR(phsubsw, sw, int16_t, sat16((int32_t)a - b))

static void op_pmaddubsw(union x86_xmm *d, const union x86_xmm *s, unsigned n, unsigned imm)
{
    (void)imm;
    union x86_xmm r = *d;
    for (unsigned k = 0; k < n / 2; k++)
        r.sw[k] = sat16(d->b[2 * k] * s->sb[2 * k] + d->b[2 * k + 1] * s->sb[2 * k + 1]);
    *d = r;
}

#define SIGN(name, lane, type) \
    static void op_##name(union x86_xmm *d, const union x86_xmm *s, unsigned n, unsigned imm) \
    { \
        (void)imm; \
        for (unsigned k = 0; k < n / sizeof(type); k++) { \
            if (s->lane[k] < 0) \
                d->lane[k] = (type)(0u - (uint32_t)d->lane[k]); \
            else if (s->lane[k] == 0) \
                d->lane[k] = 0; \
        } \
    }
SIGN(psignb, sb, int8_t)
SIGN(psignw, sw, int16_t)
SIGN(psignd, sd, int32_t)

static void op_pmulhrsw(union x86_xmm *d, const union x86_xmm *s, unsigned n, unsigned imm)
{
    (void)imm;
    for (unsigned k = 0; k < n / 2; k++) {
        int32_t p = (int32_t)d->sw[k] * s->sw[k];
        d->w[k] = (uint16_t)((((p >> 14) + 1) >> 1) & 0xffff);
    }
}

#define ABS(name, lane, ulane, utype) \
    static void op_##name(union x86_xmm *d, const union x86_xmm *s, unsigned n, unsigned imm) \
    { \
        (void)imm; \
        for (unsigned k = 0; k < n / sizeof(utype); k++) \
            d->ulane[k] = s->lane[k] < 0 ? (utype)(0u - (utype)s->lane[k]) : (utype)s->lane[k]; \
    }
ABS(pabsb, sb, b, uint8_t)
ABS(pabsw, sw, w, uint16_t)
ABS(pabsd, sd, d, uint32_t)

/* PALIGNR: (D:S) shifted right by IMM bytes, the low N bytes kept */
static void op_palignr(union x86_xmm *d, const union x86_xmm *s, unsigned n, unsigned imm)
{
    uint8_t t[32];
    memcpy(t, s->b, n);
    memcpy(t + n, d->b, n);
    for (unsigned k = 0; k < n; k++)
        d->b[k] = imm + k < 2 * n ? t[imm + k] : 0;
}

#define SSSE3_HANDLERS(name) \
    void ssse3_##name##_mm(struct vcpu *v, const struct insn *i) \
    { \
        mmx_enter(v); \
        union x86_xmm d = {.q = {mmx_get(v, i->reg), 0}}, s = {.q = {mmx_read_rm(v, i), 0}}; \
        op_##name(&d, &s, 8, (unsigned)i->imm & 0xff); \
        mmx_set(v, i->reg, d.q[0]); \
    } \
    void ssse3_##name##_xmm(struct vcpu *v, const struct insn *i) \
    { \
        sse_enter(v); \
        union x86_xmm s, d = *xmm_reg(v, i->reg); \
        simd_read128(v, i, &s, true); \
        op_##name(&d, &s, 16, (unsigned)i->imm & 0xff); \
        *xmm_reg(v, i->reg) = d; \
    }

SSSE3_HANDLERS(pshufb)
SSSE3_HANDLERS(phaddw)
SSSE3_HANDLERS(phaddd)
SSSE3_HANDLERS(phaddsw)
SSSE3_HANDLERS(pmaddubsw)
SSSE3_HANDLERS(phsubw)
SSSE3_HANDLERS(phsubd)
SSSE3_HANDLERS(phsubsw)
SSSE3_HANDLERS(psignb)
SSSE3_HANDLERS(psignw)
SSSE3_HANDLERS(psignd)
SSSE3_HANDLERS(pmulhrsw)
SSSE3_HANDLERS(pabsb)
SSSE3_HANDLERS(pabsw)
SSSE3_HANDLERS(pabsd)
SSSE3_HANDLERS(palignr)
