/*
 * exec_shift.c - shifts and rotates: ROL, ROR, RCL, RCR, SHL/SAL, SHR,
 * SAR (C0/C1/D0-D3 groups) and SHLD/SHRD (SDM vol. 2 "RCL/RCR/ROL/ROR",
 * "SAL/SAR/SHL/SHR", "SHLD", "SHRD").
 *
 * Count masking: 5 bits (6 for 64-bit operands); RCL/RCR on 8/16-bit
 * operands rotate modulo 9/17.  A masked count of 0 changes no flags,
 * but a 32-bit register destination is still written (zero-extended to
 * 64 bits), as the host-CPU oracle test shows.
 * Flags are set eagerly.  Where the SDM leaves a flag undefined (OF for
 * counts > 1, AF, CF for shift counts >= the operand width) we use the
 * count-1 formula (OF), clear AF, and compute CF from the bit shifted
 * out of a 64-bit intermediate; the differential tests against KVM will
 * show whether that matches Intel's choice.
 *
 * Not implemented: nothing in this family.
 */
#include "cpu/handlers.h"

#define SZAPC (X86_FLAG_SF | X86_FLAG_ZF | X86_FLAG_AF | X86_FLAG_PF | X86_FLAG_CF)
#define ALLF (SZAPC | X86_FLAG_OF)

enum { S_ROL, S_ROR, S_RCL, S_RCR, S_SHL, S_SHR, S_SAL, S_SAR };

static uint32_t szp(uint64_t r, unsigned size)
{
    uint32_t f = 0;
    if ((r & size_mask(size)) == 0)
        f |= X86_FLAG_ZF;
    if ((r >> (size * 8 - 1)) & 1)
        f |= X86_FLAG_SF;
    if (!(__builtin_popcount((unsigned)(r & 0xff)) & 1))
        f |= X86_FLAG_PF;
    return f;
}

static unsigned shift_count(struct vcpu *v, const struct insn *i, unsigned size)
{
    unsigned c;
    if (i->opcode == 0xd0 || i->opcode == 0xd1)
        c = 1;
    else if (i->opcode == 0xd2 || i->opcode == 0xd3)
        c = (unsigned)v->s.gpr[R_RCX] & 0xff;
    else
        c = (unsigned)i->imm & 0xff;
    return c & (size == 8 ? 0x3f : 0x1f);
}

/* Returns the new value; updates flags. */
static uint64_t do_shift(struct vcpu *v, int op, unsigned size, uint64_t a, unsigned cnt)
{
    unsigned bits = size * 8;
    uint64_t m = size_mask(size), r;
    bool cf, of = false;
    a &= m;
    switch (op) {
    case S_ROL: {
        unsigned c = cnt % bits;
        r = c ? ((a << c) | (a >> (bits - c))) & m : a;
        cf = r & 1;
        of = ((r >> (bits - 1)) & 1) ^ cf;
        cpu_set_arith_flags(v, X86_FLAG_CF | X86_FLAG_OF,
                            (cf ? X86_FLAG_CF : 0) | (of ? X86_FLAG_OF : 0));
        return r;
    }
    case S_ROR: {
        unsigned c = cnt % bits;
        r = c ? ((a >> c) | (a << (bits - c))) & m : a;
        cf = (r >> (bits - 1)) & 1;
        of = cf ^ ((r >> (bits - 2)) & 1);
        cpu_set_arith_flags(v, X86_FLAG_CF | X86_FLAG_OF,
                            (cf ? X86_FLAG_CF : 0) | (of ? X86_FLAG_OF : 0));
        return r;
    }
    case S_RCL: case S_RCR: {
        unsigned c = bits < 32 ? cnt % (bits + 1) : cnt;
        bool oldcf = cpu_get_cf(v);
        r = a;
        cf = oldcf;
        if (op == S_RCR)
            of = ((a >> (bits - 1)) & 1) ^ oldcf;   /* before the rotation */
        for (unsigned k = 0; k < c; k++) {
            if (op == S_RCL) {
                bool out = (r >> (bits - 1)) & 1;
                r = ((r << 1) | cf) & m;
                cf = out;
            } else {
                bool out = r & 1;
                r = (r >> 1) | ((uint64_t)cf << (bits - 1));
                cf = out;
            }
        }
        if (op == S_RCL)
            of = ((r >> (bits - 1)) & 1) ^ cf;
        if (c == 0)
            return a;
        cpu_set_arith_flags(v, X86_FLAG_CF | X86_FLAG_OF,
                            (cf ? X86_FLAG_CF : 0) | (of ? X86_FLAG_OF : 0));
        return r;
    }
    case S_SHL: case S_SAL:
        r = cnt >= 64 ? 0 : (a << cnt) & m;
        cf = cnt <= bits ? (a >> (bits - cnt)) & 1 : 0;
        of = ((r >> (bits - 1)) & 1) ^ cf;
        break;
    case S_SHR:
        r = cnt >= 64 ? 0 : a >> cnt;
        cf = (a >> (cnt - 1)) & 1;
        of = (a >> (bits - 1)) & 1;
        break;
    default: { /* SAR */
        int64_t sa = (int64_t)sext(a, size);
        unsigned c = cnt > 63 ? 63 : cnt;
        r = (uint64_t)(sa >> c) & m;
        cf = (sa >> (cnt - 1 > 63 ? 63 : cnt - 1)) & 1;
        of = false;
        break;
    }
    }
    cpu_set_arith_flags(v, ALLF, szp(r, size) | (cf ? X86_FLAG_CF : 0) | (of ? X86_FLAG_OF : 0));
    return r;
}

static inline void shift_rm(struct vcpu *v, const struct insn *i, int op, unsigned size)
{
    unsigned cnt = shift_count(v, i, size);
    if (i->mod == 3) {
        uint64_t a = size == 1 ? get_reg8(v, i, i->rm) : get_reg(v, i->rm, size);
        if (!cnt) {
            if (size == 4)
                set_reg(v, i->rm, 4, a);   /* the 32-bit write still zero-extends */
            return;
        }
        uint64_t r = do_shift(v, op, size, a, cnt);
        if (size == 1)
            set_reg8(v, i, i->rm, (uint8_t)r);
        else
            set_reg(v, i->rm, size, r);
        return;
    }
    uint64_t lin = seg_lin(v, i->seg, insn_ea(v, i), size, true);
    lin_probe_write(v, lin, size);   /* RMW (even with count 0): a #PF reports a write */
    uint64_t a = lin_read(v, lin, size);
    if (!cnt)
        return;
    uint64_t r = do_shift(v, op, size, a, cnt);
    lin_write(v, lin, size, r);
}

#define SHIFT_FORMS(name, OPN) \
    void shift_##name##_Eb(struct vcpu *v, const struct insn *i) { shift_rm(v, i, OPN, 1); } \
    void shift_##name##_Ev(struct vcpu *v, const struct insn *i) { shift_rm(v, i, OPN, i->opsize); }

SHIFT_FORMS(rol, S_ROL)
SHIFT_FORMS(ror, S_ROR)
SHIFT_FORMS(rcl, S_RCL)
SHIFT_FORMS(rcr, S_RCR)
SHIFT_FORMS(shl, S_SHL)
SHIFT_FORMS(shr, S_SHR)
SHIFT_FORMS(sar, S_SAR)

/* SHLD/SHRD: double-precision shifts; ops "Ev,Gv,Ib" or "Ev,Gv,CL". */
static void double_shift(struct vcpu *v, const struct insn *i, bool left)
{
    unsigned size = i->opsize, bits = size * 8;
    unsigned cnt = ((i->opcode & 1) ? (unsigned)v->s.gpr[R_RCX] : (unsigned)i->imm) &
                   (size == 8 ? 0x3f : 0x1f);
    uint64_t m = size_mask(size), lin = 0, a;
    if (i->mod == 3) {
        a = get_reg(v, i->rm, size);
    } else {
        lin = seg_lin(v, i->seg, insn_ea(v, i), size, true);
        lin_probe_write(v, lin, size);   /* RMW (even with count 0): a #PF reports a write */
        a = lin_read(v, lin, size);
    }
    if (!cnt) {
        if (i->mod == 3 && size == 4)
            set_reg(v, i->rm, 4, a);       /* the 32-bit write still zero-extends */
        return;
    }
    uint64_t b = get_reg(v, i->reg, size), r;
    bool cf;
    if (bits == 16) {
        /* 16-bit counts above 16 are undefined; use a 48-bit funnel */
        uint64_t x = left ? (a << 32) | (b << 16) | a : (a << 32) | (b << 16) | a;
        if (left) {
            r = (x << cnt >> 32) & m;
            cf = (x >> (48 - cnt)) & 1;
        } else {
            uint64_t y = (a) | (b << 16) | (a << 32);
            r = (y >> cnt) & m;
            cf = (y >> (cnt - 1)) & 1;
        }
    } else if (left) {
        r = ((a << cnt) | (b >> (bits - cnt))) & m;
        cf = (a >> (bits - cnt)) & 1;
    } else {
        r = ((a >> cnt) | (b << (bits - cnt))) & m;
        cf = (a >> (cnt - 1)) & 1;
    }
    bool of = ((r ^ a) >> (bits - 1)) & 1;
    if (i->mod == 3) {
        set_reg(v, i->rm, size, r);
    } else {
        lin_write(v, lin, size, r);
    }
    cpu_set_arith_flags(v, ALLF, szp(r, size) | (cf ? X86_FLAG_CF : 0) | (of ? X86_FLAG_OF : 0));
}

void op_shld(struct vcpu *v, const struct insn *i) { double_shift(v, i, true); }
void op_shrd(struct vcpu *v, const struct insn *i) { double_shift(v, i, false); }
