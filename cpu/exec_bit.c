/*
 * exec_bit.c - bit tests and scans, and the compare/exchange family:
 * BT/BTS/BTR/BTC (register and immediate offsets; register offsets reach
 * beyond the memory operand, SDM vol. 2 "BT"), BSF/BSR, XADD, CMPXCHG,
 * CMPXCHG8B/CMPXCHG16B.
 *
 * Undefined flags (OF/SF/AF/PF after BT*, all but ZF after BSF/BSR) are
 * left unchanged.  POPCNT, LZCNT (ABM) and MOVBE are here too.
 * Not implemented: TZCNT (BMI1, not advertised: F3 0F BC executes as
 * BSF, as on CPUs without it).
 */
#include "cpu/handlers.h"

static void bt_common(struct vcpu *v, const struct insn *i, int64_t off, bool reg_offset, int op)
{
    unsigned size = i->opsize, bits = size * 8;
    uint64_t val, lin = 0;
    unsigned bit;
    if (i->mod == 3) {
        bit = (unsigned)off & (bits - 1);
        val = get_reg(v, i->rm, size);
    } else {
        uint64_t ea = insn_ea(v, i);
        if (reg_offset) {
            int64_t so = (int64_t)sext((uint64_t)off, size);
            ea = (ea + (uint64_t)((so >> (bits == 16 ? 4 : bits == 32 ? 5 : 6)) * (int64_t)size)) & amask(i);
        }
        bit = (unsigned)off & (bits - 1);
        lin = seg_lin(v, i->seg, ea, size, op != 0);
        if (op)
            lin_probe_write(v, lin, size);   /* RMW: a #PF reports a write */
        val = lin_read(v, lin, size);
    }
    bool cf = (val >> bit) & 1;
    if (op) {
        uint64_t nv = op == 1 ? val | (1ull << bit) : op == 2 ? val & ~(1ull << bit) : val ^ (1ull << bit);
        if (i->mod == 3)
            set_reg(v, i->rm, size, nv);
        else
            lin_write(v, lin, size, nv);
    }
    cpu_set_arith_flags(v, X86_FLAG_CF, cf ? X86_FLAG_CF : 0);
}

/* op from the opcode: A3 bt, AB bts, B3 btr, BB btc; BA /4../7 */
void op_bt_EvGv(struct vcpu *v, const struct insn *i)
{
    int op = i->opcode == 0xa3 ? 0 : i->opcode == 0xab ? 1 : i->opcode == 0xb3 ? 2 : 3;
    bt_common(v, i, (int64_t)get_reg(v, i->reg, i->opsize), true, op);
}

void op_bt_EvIb(struct vcpu *v, const struct insn *i)
{
    bt_common(v, i, i->imm & 0xff, false, (i->reg & 7) - 4);
}

void op_bsf(struct vcpu *v, const struct insn *i)
{
    uint64_t s = rm_read(v, i, i->opsize);
    if (!s) {
        cpu_set_arith_flags(v, X86_FLAG_ZF, X86_FLAG_ZF);
        return;
    }
    set_reg(v, i->reg, i->opsize, (uint64_t)__builtin_ctzll(s));
    cpu_set_arith_flags(v, X86_FLAG_ZF, 0);
}

void op_bsr(struct vcpu *v, const struct insn *i)
{
    uint64_t s = rm_read(v, i, i->opsize);
    if (!s) {
        cpu_set_arith_flags(v, X86_FLAG_ZF, X86_FLAG_ZF);
        return;
    }
    set_reg(v, i->reg, i->opsize, (uint64_t)(63 - __builtin_clzll(s)));
    cpu_set_arith_flags(v, X86_FLAG_ZF, 0);
}

void op_xadd(struct vcpu *v, const struct insn *i)
{
    unsigned size = (i->opcode & 1) ? i->opsize : 1;
    uint64_t m = size_mask(size), lin = 0, d;
    if (i->mod == 3)
        d = size == 1 ? get_reg8(v, i, i->rm) : get_reg(v, i->rm, size);
    else {
        lin = seg_lin(v, i->seg, insn_ea(v, i), size, true);
        lin_probe_write(v, lin, size);   /* RMW: a #PF reports a write */
        d = lin_read(v, lin, size);
    }
    uint64_t s = reg_read(v, i, size);
    uint64_t r = (d + s) & m;
    if (i->mod == 3) {
        reg_write(v, i, size, d);
        rm_write(v, i, size, r);
    } else {
        lin_write(v, lin, size, r);
        reg_write(v, i, size, d);
    }
    lf_set(v, LF_ADD, size, r, d, s);
}

void op_cmpxchg(struct vcpu *v, const struct insn *i)
{
    unsigned size = (i->opcode & 1) ? i->opsize : 1;
    uint64_t m = size_mask(size), lin = 0, d;
    if (i->mod == 3)
        d = size == 1 ? get_reg8(v, i, i->rm) : get_reg(v, i->rm, size);
    else {
        lin = seg_lin(v, i->seg, insn_ea(v, i), size, true);
        lin_probe_write(v, lin, size);   /* RMW: a #PF reports a write */
        d = lin_read(v, lin, size);
    }
    uint64_t a = v->s.gpr[R_RAX] & m;
    if (a == d) {
        uint64_t s = reg_read(v, i, size);
        if (i->mod == 3)
            rm_write(v, i, size, s);
        else
            lin_write(v, lin, size, s);
    } else {
        if (i->mod != 3)
            lin_write(v, lin, size, d);   /* the processor always writes back */
        set_reg(v, R_RAX, size, d);
    }
    lf_set(v, LF_SUB, size, (a - d) & m, a, d);
}

void op_cmpxchg8b(struct vcpu *v, const struct insn *i)
{
    bool wide = i->rex & 8;
    uint64_t ea = insn_ea(v, i);
    if (!wide) {
        uint64_t lin = seg_lin(v, i->seg, ea, 8, true);
        lin_probe_write(v, lin, 8);   /* always written: a #PF reports a write */
        uint64_t mem = lin_read(v, lin, 8);
        uint64_t cmp = (v->s.gpr[R_RDX] << 32) | (uint32_t)v->s.gpr[R_RAX];
        if (mem == cmp) {
            lin_write(v, lin, 8, (v->s.gpr[R_RCX] << 32) | (uint32_t)v->s.gpr[R_RBX]);
            cpu_set_arith_flags(v, X86_FLAG_ZF, X86_FLAG_ZF);
        } else {
            lin_write(v, lin, 8, mem);
            set_reg(v, R_RAX, 4, (uint32_t)mem);
            set_reg(v, R_RDX, 4, mem >> 32);
            cpu_set_arith_flags(v, X86_FLAG_ZF, 0);
        }
        return;
    }
    if (ea & 15)
        cpu_gp(v, 0);
    uint64_t lin = seg_lin(v, i->seg, ea, 16, true);
    lin_probe_write(v, lin, 16);
    uint64_t lo = lin_read(v, lin, 8), hi = lin_read(v, lin + 8, 8);
    if (lo == v->s.gpr[R_RAX] && hi == v->s.gpr[R_RDX]) {
        lin_write(v, lin, 8, v->s.gpr[R_RBX]);
        lin_write(v, lin + 8, 8, v->s.gpr[R_RCX]);
        cpu_set_arith_flags(v, X86_FLAG_ZF, X86_FLAG_ZF);
    } else {
        lin_write(v, lin, 8, lo);
        lin_write(v, lin + 8, 8, hi);
        v->s.gpr[R_RAX] = lo;
        v->s.gpr[R_RDX] = hi;
        cpu_set_arith_flags(v, X86_FLAG_ZF, 0);
    }
}

/* F3 0F B8 POPCNT: ZF = (src == 0), other arithmetic flags cleared. */
void op_popcnt(struct vcpu *v, const struct insn *i)
{
    uint64_t src = rm_read(v, i, i->opsize);
    set_reg(v, i->reg, i->opsize, (uint64_t)__builtin_popcountll(src));
    cpu_set_arith_flags(v, X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | X86_FLAG_SF |
                        X86_FLAG_OF, src ? 0 : X86_FLAG_ZF);
}

/* F3 0F BD LZCNT: CF = (src == 0), ZF = (result == 0); OF/SF/PF/AF undefined (kept). */
void op_lzcnt(struct vcpu *v, const struct insn *i)
{
    unsigned bits = i->opsize * 8;
    uint64_t src = rm_read(v, i, i->opsize);
    unsigned n = src ? (unsigned)__builtin_clzll(src) - (64 - bits) : bits;
    set_reg(v, i->reg, i->opsize, n);
    cpu_set_arith_flags(v, X86_FLAG_CF | X86_FLAG_ZF,
                        (src ? 0 : X86_FLAG_CF) | (n ? 0 : X86_FLAG_ZF));
}

/* 0F 38 F0/F1 MOVBE: a load or store with the bytes reversed. */
void op_movbe(struct vcpu *v, const struct insn *i)
{
    unsigned size = i->opsize;
    uint64_t ea = insn_ea(v, i);
    if (i->opcode == 0xf0) {
        uint64_t x = vm_read(v, i->seg, ea, size);
        x = size == 8 ? __builtin_bswap64(x) : size == 4 ? __builtin_bswap32((uint32_t)x)
                                                         : __builtin_bswap16((uint16_t)x);
        set_reg(v, i->reg, size, x);
    } else {
        uint64_t x = get_reg(v, i->reg, size);
        x = size == 8 ? __builtin_bswap64(x) : size == 4 ? __builtin_bswap32((uint32_t)x)
                                                         : __builtin_bswap16((uint16_t)x);
        vm_write(v, i->seg, ea, size, x);
    }
}
