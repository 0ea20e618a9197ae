/*
 * exec_muldiv.c - MUL, IMUL (one-, two- and three-operand forms), DIV and
 * IDIV (SDM vol. 2).  Division by zero and quotients that do not fit
 * raise #DE before any register changes.
 *
 * SF/ZF/AF/PF after MUL/IMUL and all flags after DIV/IDIV are undefined
 * in the SDM; we leave them unchanged (to be checked against KVM).
 */
#include "cpu/handlers.h"

static void set_cf_of(struct vcpu *v, bool on)
{
    uint32_t f = on ? (X86_FLAG_CF | X86_FLAG_OF) : 0;
    cpu_set_arith_flags(v, X86_FLAG_CF | X86_FLAG_OF, f);
}

static void mul_common(struct vcpu *v, unsigned size, uint64_t src, bool sign)
{
    uint64_t a = v->s.gpr[R_RAX] & size_mask(size);
    if (size == 1) {
        uint16_t r;
        bool ovf;
        if (sign) {
            int16_t sr = (int16_t)((int8_t)a * (int8_t)src);
            r = (uint16_t)sr;
            ovf = sr != (int8_t)sr;
        } else {
            r = (uint16_t)(a * (uint8_t)src);
            ovf = r >> 8;
        }
        set_reg(v, R_RAX, 2, r);
        set_cf_of(v, ovf);
        return;
    }
    unsigned bits = size * 8;
    unsigned __int128 r;
    bool ovf;
    if (sign) {
        __int128 sr = (__int128)(int64_t)sext(a, size) * (int64_t)sext(src, size);
        r = (unsigned __int128)sr;
        ovf = sr != (__int128)(int64_t)sext((uint64_t)sr, size);
    } else {
        r = (unsigned __int128)a * (src & size_mask(size));
        ovf = (r >> bits) != 0;
    }
    set_reg(v, R_RAX, size, (uint64_t)r);
    set_reg(v, R_RDX, size, (uint64_t)(r >> bits));
    set_cf_of(v, ovf);
}

void op_mul_Eb(struct vcpu *v, const struct insn *i) { mul_common(v, 1, rm_read(v, i, 1), false); }
void op_mul_Ev(struct vcpu *v, const struct insn *i) { mul_common(v, i->opsize, rm_read(v, i, i->opsize), false); }
void op_imul_Eb(struct vcpu *v, const struct insn *i) { mul_common(v, 1, rm_read(v, i, 1), true); }
void op_imul_Ev(struct vcpu *v, const struct insn *i) { mul_common(v, i->opsize, rm_read(v, i, i->opsize), true); }

static void imul_trunc(struct vcpu *v, const struct insn *i, uint64_t a, uint64_t b)
{
    unsigned size = i->opsize;
    __int128 r = (__int128)(int64_t)sext(a, size) * (int64_t)sext(b, size);
    uint64_t lo = (uint64_t)r & size_mask(size);
    set_reg(v, i->reg, size, lo);
    set_cf_of(v, r != (__int128)(int64_t)sext(lo, size));
}

void op_imul_GvEv(struct vcpu *v, const struct insn *i)
{
    imul_trunc(v, i, get_reg(v, i->reg, i->opsize), rm_read(v, i, i->opsize));
}

void op_imul_GvEvI(struct vcpu *v, const struct insn *i)
{
    imul_trunc(v, i, rm_read(v, i, i->opsize), (uint64_t)i->imm);
}

static void div_common(struct vcpu *v, unsigned size, uint64_t src, bool sign)
{
    src &= size_mask(size);
    if (src == 0)
        cpu_raise(v, EXC_DE, false, 0);
    if (size == 1) {
        uint16_t ax = (uint16_t)v->s.gpr[R_RAX];
        if (sign) {
            int q = (int16_t)ax / (int8_t)src, r = (int16_t)ax % (int8_t)src;
            if (q != (int8_t)q)
                cpu_raise(v, EXC_DE, false, 0);
            set_reg(v, R_RAX, 2, (uint16_t)(((uint8_t)r << 8) | (uint8_t)q));
        } else {
            unsigned q = ax / src, r = ax % src;
            if (q > 0xff)
                cpu_raise(v, EXC_DE, false, 0);
            set_reg(v, R_RAX, 2, (uint16_t)((r << 8) | q));
        }
        return;
    }
    unsigned bits = size * 8;
    uint64_t m = size_mask(size);
    unsigned __int128 n = ((unsigned __int128)(v->s.gpr[R_RDX] & m) << bits) |
                          (v->s.gpr[R_RAX] & m);
    if (sign) {
        __int128 sn;
        if (size == 8)
            sn = (__int128)n;
        else
            sn = (int64_t)sext((uint64_t)n, size * 2);
        __int128 d = (int64_t)sext(src, size);
        if (size == 8 && sn == -((__int128)1 << 126) * 2 && d == -1)
            cpu_raise(v, EXC_DE, false, 0);
        __int128 q = sn / d, r = sn % d;
        __int128 lo = -((__int128)1 << (bits - 1)), hi = ((__int128)1 << (bits - 1)) - 1;
        if (q < lo || q > hi)
            cpu_raise(v, EXC_DE, false, 0);
        set_reg(v, R_RAX, size, (uint64_t)q);
        set_reg(v, R_RDX, size, (uint64_t)r);
    } else {
        unsigned __int128 q = n / src, r = n % src;
        if (q >> bits)
            cpu_raise(v, EXC_DE, false, 0);
        set_reg(v, R_RAX, size, (uint64_t)q);
        set_reg(v, R_RDX, size, (uint64_t)r);
    }
}

void op_div_Eb(struct vcpu *v, const struct insn *i) { div_common(v, 1, rm_read(v, i, 1), false); }
void op_div_Ev(struct vcpu *v, const struct insn *i) { div_common(v, i->opsize, rm_read(v, i, i->opsize), false); }
void op_idiv_Eb(struct vcpu *v, const struct insn *i) { div_common(v, 1, rm_read(v, i, 1), true); }
void op_idiv_Ev(struct vcpu *v, const struct insn *i) { div_common(v, i->opsize, rm_read(v, i, i->opsize), true); }
