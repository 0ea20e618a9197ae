/*
 * exec_bcd.c - decimal arithmetic adjustments DAA, DAS, AAA, AAS, AAM,
 * AAD (SDM vol. 2 pseudo-code; invalid in 64-bit mode, enforced by the
 * opcode table).  Flags the SDM leaves undefined: OF is cleared; for
 * AAA/AAS SF/ZF/PF are left unchanged (to be checked against KVM).
 */
#include "cpu/handlers.h"

static uint32_t szp8(uint8_t r)
{
    uint32_t f = 0;
    if (!r)
        f |= X86_FLAG_ZF;
    if (r & 0x80)
        f |= X86_FLAG_SF;
    if (!(__builtin_popcount(r) & 1))
        f |= X86_FLAG_PF;
    return f;
}

#define ALL (X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | X86_FLAG_SF | X86_FLAG_OF)

static void adjust(struct vcpu *v, bool sub)
{
    uint64_t f = cpu_get_flags(v);
    uint8_t al = (uint8_t)v->s.gpr[R_RAX], old = al;
    bool cf = false, af = false, oldcf = f & X86_FLAG_CF;
    if ((al & 0xf) > 9 || (f & X86_FLAG_AF)) {
        cf = oldcf || (sub ? al < 6 : al > 0xf9);
        al = (uint8_t)(sub ? al - 6 : al + 6);
        af = true;
    }
    if (old > 0x99 || oldcf) {
        al = (uint8_t)(sub ? al - 0x60 : al + 0x60);
        cf = true;
    }
    set_reg(v, R_RAX, 1, al);
    cpu_set_arith_flags(v, ALL, szp8(al) | (cf ? X86_FLAG_CF : 0) | (af ? X86_FLAG_AF : 0));
}

void op_daa(struct vcpu *v, const struct insn *i) { adjust(v, false); }
void op_das(struct vcpu *v, const struct insn *i) { adjust(v, true); }

static void ascii_adjust(struct vcpu *v, bool sub)
{
    uint64_t f = cpu_get_flags(v);
    uint16_t ax = (uint16_t)v->s.gpr[R_RAX];
    bool adj = (ax & 0xf) > 9 || (f & X86_FLAG_AF);
    if (adj) {
        if (sub) {
            uint8_t al = (uint8_t)((ax & 0xff) - 6);
            uint8_t ah = (uint8_t)((ax >> 8) - 1);
            ax = (uint16_t)((ah << 8) | al);
        } else {
            ax = (uint16_t)(ax + 0x106);
        }
    }
    ax &= 0xff0f;
    set_reg(v, R_RAX, 2, ax);
    cpu_set_arith_flags(v, X86_FLAG_CF | X86_FLAG_AF, adj ? (X86_FLAG_CF | X86_FLAG_AF) : 0);
}

void op_aaa(struct vcpu *v, const struct insn *i) { ascii_adjust(v, false); }
void op_aas(struct vcpu *v, const struct insn *i) { ascii_adjust(v, true); }

void op_aam(struct vcpu *v, const struct insn *i)
{
    uint8_t base = (uint8_t)i->imm, al = (uint8_t)v->s.gpr[R_RAX];
    if (!base)
        cpu_raise(v, EXC_DE, false, 0);
    uint8_t q = al / base, r = al % base;
    set_reg(v, R_RAX, 2, (uint16_t)((q << 8) | r));
    cpu_set_arith_flags(v, ALL, szp8(r));
}

void op_aad(struct vcpu *v, const struct insn *i)
{
    uint8_t base = (uint8_t)i->imm;
    uint16_t ax = (uint16_t)v->s.gpr[R_RAX];
    uint8_t al = (uint8_t)((ax & 0xff) + (ax >> 8) * base);
    set_reg(v, R_RAX, 2, al);
    cpu_set_arith_flags(v, ALL, szp8(al));
}
