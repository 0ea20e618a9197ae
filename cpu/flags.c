/*
 * flags.c - lazy evaluation of the arithmetic flags (CF, PF, AF, ZF, SF,
 * OF) and the condition codes of Jcc/SETcc/CMOVcc.
 *
 * ALU handlers record the operation, size, result and operands
 * (lf_set); the flags are computed here only when read.  Definitions
 * follow SDM vol. 1 3.4.3.1 and appendix B (condition codes); the carry
 * and overflow formulas are the bit-level carry/borrow equations, which
 * cover ADC/SBB (carry in) as well as ADD/SUB.
 *
 * Not implemented: nothing known; shifts, multiplies and BCD set their
 * flags eagerly through cpu_set_arith_flags.
 */
#include "cpu/vcpu.h"

#define ARITH (X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | X86_FLAG_SF | X86_FLAG_OF)

static inline uint32_t parity(uint64_t r)
{
    return (__builtin_popcount((unsigned)(r & 0xff)) & 1) ? 0 : X86_FLAG_PF;
}

static uint32_t compute(struct vcpu *v)
{
    unsigned size = v->lf_size;
    unsigned top = size * 8 - 1;
    uint64_t m = size_mask(size);
    uint64_t r = v->lf_res & m, a = v->lf_s1 & m, b = v->lf_s2 & m;
    uint32_t f = parity(r);
    if (r == 0)
        f |= X86_FLAG_ZF;
    if ((r >> top) & 1)
        f |= X86_FLAG_SF;
    switch (v->lf_op) {
    case LF_ADD:
        if ((((a & b) | ((a | b) & ~r)) >> top) & 1)
            f |= X86_FLAG_CF;
        if ((((a ^ r) & (b ^ r)) >> top) & 1)
            f |= X86_FLAG_OF;
        f |= (uint32_t)((a ^ b ^ r) & X86_FLAG_AF);
        break;
    case LF_SUB:
        if ((((~a & b) | (~(a ^ b) & r)) >> top) & 1)
            f |= X86_FLAG_CF;
        if ((((a ^ b) & (a ^ r)) >> top) & 1)
            f |= X86_FLAG_OF;
        f |= (uint32_t)((a ^ b ^ r) & X86_FLAG_AF);
        break;
    case LF_INC:
        if (r == (1ull << top))
            f |= X86_FLAG_OF;
        if ((r & 0xf) == 0)
            f |= X86_FLAG_AF;
        f |= v->lf_cf ? X86_FLAG_CF : 0;
        break;
    case LF_DEC:
        if (r == (1ull << top) - 1)
            f |= X86_FLAG_OF;
        if ((r & 0xf) == 0xf)
            f |= X86_FLAG_AF;
        f |= v->lf_cf ? X86_FLAG_CF : 0;
        break;
    case LF_LOGIC:
    default:
        break;
    }
    return f;
}

/* Fold the lazy state into rflags. */
static void materialize(struct vcpu *v)
{
    if (v->lf_op != LF_NONE) {
        v->s.rflags = (v->s.rflags & ~(uint64_t)ARITH) | compute(v);
        v->lf_op = LF_NONE;
    }
}

uint64_t cpu_get_flags(struct vcpu *v)
{
    materialize(v);
    return v->s.rflags;
}

void cpu_set_flags(struct vcpu *v, uint64_t f)
{
    v->lf_op = LF_NONE;
    v->s.rflags = (f & ~0x8028ull) | X86_FLAG_FIXED;
}

void cpu_set_arith_flags(struct vcpu *v, uint32_t mask, uint32_t val)
{
    materialize(v);
    v->s.rflags = (v->s.rflags & ~(uint64_t)mask) | (val & mask);
}

bool cpu_get_cf(struct vcpu *v)
{
    switch (v->lf_op) {
    case LF_NONE:
        return v->s.rflags & X86_FLAG_CF;
    case LF_LOGIC:
        return false;
    case LF_INC:
    case LF_DEC:
        return v->lf_cf;
    default:
        return compute(v) & X86_FLAG_CF;
    }
}

/* Condition code CC (low nibble of Jcc), SDM vol. 1 appendix B. */
bool cpu_cond(struct vcpu *v, unsigned cc)
{
    bool r;
    uint64_t f;
    unsigned size = v->lf_size;
    /* Fast paths for the common compare-and-branch cases. */
    if (v->lf_op == LF_SUB && (cc & 0xe) != 0 && (cc & 0xe) != 0xa) {
        uint64_t m = size_mask(size);
        uint64_t a = v->lf_s1 & m, b = v->lf_s2 & m, res = v->lf_res & m;
        int64_t sa = (int64_t)sext(a, size), sb = (int64_t)sext(b, size);
        bool borrow_free = res == ((a - b) & m); /* plain SUB/CMP, no borrow in */
        if (borrow_free) {
            switch (cc & 0xe) {
            case 0x2: r = a < b; goto out;
            case 0x4: r = res == 0; goto out;
            case 0x6: r = a <= b; goto out;
            case 0x8: r = (res >> (size * 8 - 1)) & 1; goto out;
            case 0xc: r = sa < sb; goto out;
            case 0xe: r = sa <= sb; goto out;
            default: break;
            }
        }
    }
    f = cpu_get_flags(v);
    switch (cc & 0xe) {
    case 0x0: r = f & X86_FLAG_OF; break;
    case 0x2: r = f & X86_FLAG_CF; break;
    case 0x4: r = f & X86_FLAG_ZF; break;
    case 0x6: r = f & (X86_FLAG_CF | X86_FLAG_ZF); break;
    case 0x8: r = f & X86_FLAG_SF; break;
    case 0xa: r = f & X86_FLAG_PF; break;
    case 0xc: r = !(f & X86_FLAG_SF) != !(f & X86_FLAG_OF); break;
    default: r = (f & X86_FLAG_ZF) || (!(f & X86_FLAG_SF) != !(f & X86_FLAG_OF)); break;
    }
out:
    return (cc & 1) ? !r : r;
}
