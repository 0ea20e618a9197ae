/*
 * exec_sse42.c - SSE4.2 (SDM vol. 2): PCMPGTQ, the string compares
 * PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM (vol. 2 4.1 "Imm8 control byte
 * operation for PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM": source data
 * format, aggregation, polarity, output selection; implicit RAX/RDX
 * lengths (EAX/EDX without REX.W), results in ECX / XMM0, CF ZF SF OF set
 * and AF PF cleared), and CRC32 (CRC-32C, polynomial 11EDC6F41h,
 * bit-reflected, no pre/post inversion; Eb, Ew, Ed, Eq sources).
 * All integer: portable C.  The PCMPxSTRx memory operand is not
 * alignment-checked (SDM: exceptions type 4 with unaligned access allowed);
 * PCMPGTQ's is.  CRC32 is a general-purpose instruction: no SSE checks.
 * Not implemented: nothing known.
 */
#include "cpu/fpu.h"
#include "cpu/handlers.h"

void sse42_pcmpgtq(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    union x86_xmm s;
    simd_read128(v, i, &s, true);
    union x86_xmm *d = xmm_reg(v, i->reg);
    for (unsigned k = 0; k < 2; k++)
        d->q[k] = d->sq[k] > s.sq[k] ? ~0ull : 0;
}

/* element K of X as a signed or unsigned value */
static inline int32_t elem(const union x86_xmm *x, unsigned k, unsigned fmt)
{
    switch (fmt) {
    case 0: return x->b[k];
    case 1: return x->w[k];
    case 2: return x->sb[k];
    default: return x->sw[k];
    }
}

/* explicit length: |len| saturated to N */
static unsigned exp_len(uint64_t reg, bool w, unsigned n)
{
    int64_t l = w ? (int64_t)reg : (int64_t)(int32_t)reg;
    if (l < 0)
        l = l < -(int64_t)n ? (int64_t)n : -l;
    return l > (int64_t)n ? n : (unsigned)l;
}

static unsigned imp_len(const union x86_xmm *x, unsigned fmt, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        if (elem(x, k, fmt) == 0)
            return k;
    return n;
}

/* 0F3A 60 PCMPESTRM, 61 PCMPESTRI, 62 PCMPISTRM, 63 PCMPISTRI */
void sse42_pcmpstr(struct vcpu *v, const struct insn *i)
{
    sse_enter(v);
    union x86_xmm b;
    simd_read128(v, i, &b, false);
    const union x86_xmm a = *xmm_reg(v, i->reg);
    unsigned imm = (unsigned)i->imm & 0xff, fmt = imm & 3, agg = (imm >> 2) & 3;
    unsigned n = (imm & 1) ? 8 : 16;
    bool explicit_len = !(i->opcode & 2), index = i->opcode & 1;
    unsigned la, lb;
    if (explicit_len) {
        la = exp_len(v->s.gpr[R_RAX], i->rex & 8, n);
        lb = exp_len(v->s.gpr[R_RDX], i->rex & 8, n);
    } else {
        la = imp_len(&a, fmt, n);
        lb = imp_len(&b, fmt, n);
    }

    /* IntRes1: bit j for element j of the second operand (B) */
    uint32_t r1 = 0;
    for (unsigned j = 0; j < n; j++) {
        bool res;
        int32_t bj = elem(&b, j, fmt);
        switch (agg) {
        case 0:   /* equal any: B[j] is one of the valid A elements */
            res = false;
            if (j < lb)
                for (unsigned k = 0; k < la && !res; k++)
                    res = elem(&a, k, fmt) == bj;
            break;
        case 1:   /* ranges: A[k] <= B[j] <= A[k+1] for a valid pair */
            res = false;
            if (j < lb)
                for (unsigned k = 0; k + 1 < n && !res; k += 2)
                    res = k < la && elem(&a, k, fmt) <= bj && k + 1 < la && bj <= elem(&a, k + 1, fmt);
            break;
        case 2:   /* equal each */
            if (j < la && j < lb)
                res = elem(&a, j, fmt) == bj;
            else
                res = j >= la && j >= lb;
            break;
        default:  /* equal ordered: A is found at B[j] */
            res = true;
            for (unsigned k = 0; k + j < n && res; k++) {
                if (k >= la)
                    break;   /* invalid A elements match anything */
                if (j + k >= lb)
                    res = false;
                else
                    res = elem(&a, k, fmt) == elem(&b, j + k, fmt);
            }
            break;
        }
        r1 |= (uint32_t)res << j;
    }

    uint32_t all = (1u << n) - 1, r2;
    switch ((imm >> 4) & 3) {
    case 1: r2 = ~r1 & all; break;
    case 3: r2 = r1 ^ (((1u << lb) - 1) & all); break;   /* negate the valid B elements */
    default: r2 = r1; break;
    }

    uint32_t f = 0;
    if (r2)
        f |= X86_FLAG_CF;
    if (lb < n)
        f |= X86_FLAG_ZF;
    if (la < n)
        f |= X86_FLAG_SF;
    if (r2 & 1)
        f |= X86_FLAG_OF;

    if (index) {
        unsigned idx = n;
        if (r2)
            idx = (imm & 0x40) ? 31u - (unsigned)__builtin_clz(r2) : (unsigned)__builtin_ctz(r2);
        set_reg(v, R_RCX, 4, idx);
    } else {
        union x86_xmm m = {.q = {0, 0}};
        if (!(imm & 0x40))
            m.d[0] = r2;
        else
            for (unsigned k = 0; k < n; k++) {
                if (!((r2 >> k) & 1))
                    continue;
                if (n == 16)
                    m.b[k] = 0xff;
                else
                    m.w[k] = 0xffff;
            }
        *xmm_reg(v, 0) = m;
    }
    cpu_set_arith_flags(v, X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | X86_FLAG_SF | X86_FLAG_OF, f);
}

/* F2 0F38 F0 CRC32 Gd/Gq, Eb; F2 0F38 F1 CRC32 Gd, Ew/Ed / Gq, Eq */
void sse42_crc32(struct vcpu *v, const struct insn *i)
{
    unsigned size = i->opcode == 0xf0 ? 1 : i->opsize;
    uint64_t src = rm_read(v, i, size);
    uint32_t crc = (uint32_t)v->s.gpr[i->reg];
    for (unsigned k = 0; k < size; k++) {
        crc ^= (uint8_t)(src >> (8 * k));
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
    }
    set_reg(v, i->reg, 4, crc);
}
