/*
 * exec_mov.c - data movement: MOV (all integer forms, moffs, segment
 * registers), LEA, XCHG, MOVZX, MOVSX, MOVSXD, CBW/CWDE/CDQE,
 * CWD/CDQ/CQO, BSWAP, CMOVcc, SETcc, LAHF/SAHF, XLAT, LDS/LES/LSS/LFS/LGS,
 * NOP/PAUSE (SDM vol. 2).
 *
 * Not implemented: MOVBE (not advertised).
 */
#include "cpu/handlers.h"

void op_mov_EbGb(struct vcpu *v, const struct insn *i) { rm_write(v, i, 1, reg_read(v, i, 1)); }
void op_mov_EvGv(struct vcpu *v, const struct insn *i) { rm_write(v, i, i->opsize, get_reg(v, i->reg, i->opsize)); }
void op_mov_GbEb(struct vcpu *v, const struct insn *i) { reg_write(v, i, 1, rm_read(v, i, 1)); }
void op_mov_GvEv(struct vcpu *v, const struct insn *i) { set_reg(v, i->reg, i->opsize, rm_read(v, i, i->opsize)); }
void op_mov_EbIb(struct vcpu *v, const struct insn *i) { rm_write(v, i, 1, (uint64_t)i->imm); }
void op_mov_EvIz(struct vcpu *v, const struct insn *i) { rm_write(v, i, i->opsize, (uint64_t)i->imm); }
void op_mov_ZbIb(struct vcpu *v, const struct insn *i) { set_reg8(v, i, i->reg, (uint8_t)i->imm); }
void op_mov_ZvIv(struct vcpu *v, const struct insn *i) { set_reg(v, i->reg, i->opsize, (uint64_t)i->imm); }

void op_lea(struct vcpu *v, const struct insn *i)
{
    set_reg(v, i->reg, i->opsize, insn_ea(v, i));
}

/* A0-A3: moffs is an offset of address size in the (overridable) DS. */
void op_mov_moffs(struct vcpu *v, const struct insn *i)
{
    unsigned size = (i->opcode & 1) ? i->opsize : 1;
    uint64_t off = (uint64_t)i->imm & amask(i);
    if (i->opcode & 2)
        vm_write(v, i->seg, off, size, get_reg(v, R_RAX, size));
    else
        set_reg(v, R_RAX, size, vm_read(v, i->seg, off, size));
}

void op_xchg_EbGb(struct vcpu *v, const struct insn *i)
{
    if (i->mod == 3) {
        uint8_t a = get_reg8(v, i, i->rm), b = get_reg8(v, i, i->reg);
        set_reg8(v, i, i->rm, b);
        set_reg8(v, i, i->reg, a);
        return;
    }
    uint64_t lin = seg_lin(v, i->seg, insn_ea(v, i), 1, true);
    lin_probe_write(v, lin, 1);   /* RMW: a #PF reports a write */
    uint8_t a = (uint8_t)lin_read(v, lin, 1);
    lin_write(v, lin, 1, get_reg8(v, i, i->reg));
    set_reg8(v, i, i->reg, a);
}

void op_xchg_EvGv(struct vcpu *v, const struct insn *i)
{
    unsigned size = i->opsize;
    if (i->mod == 3) {
        uint64_t a = get_reg(v, i->rm, size), b = get_reg(v, i->reg, size);
        set_reg(v, i->rm, size, b);
        set_reg(v, i->reg, size, a);
        return;
    }
    uint64_t lin = seg_lin(v, i->seg, insn_ea(v, i), size, true);
    lin_probe_write(v, lin, size);   /* RMW: a #PF reports a write */
    uint64_t a = lin_read(v, lin, size);
    lin_write(v, lin, size, get_reg(v, i->reg, size));
    set_reg(v, i->reg, size, a);
}

void op_xchg_Zv(struct vcpu *v, const struct insn *i)
{
    unsigned size = i->opsize;
    uint64_t a = get_reg(v, i->reg, size), b = get_reg(v, R_RAX, size);
    set_reg(v, i->reg, size, b);
    set_reg(v, R_RAX, size, a);
}

/* 90: NOP, PAUSE (F3 90), or XCHG r8, rAX with REX.B. */
void op_nop90(struct vcpu *v, const struct insn *i)
{
    if (i->rex & 1) {
        struct insn t = *i;
        t.reg = R_R8;
        op_xchg_Zv(v, &t);
    }
}

void op_nop(struct vcpu *v, const struct insn *i) { (void)v; (void)i; }

void op_movzx(struct vcpu *v, const struct insn *i)
{
    unsigned src = (i->opcode & 1) ? 2 : 1;
    set_reg(v, i->reg, i->opsize, rm_read(v, i, src));
}

void op_movsx(struct vcpu *v, const struct insn *i)
{
    unsigned src = (i->opcode & 1) ? 2 : 1;
    set_reg(v, i->reg, i->opsize, sext(rm_read(v, i, src), src));
}

void op_movsxd(struct vcpu *v, const struct insn *i)
{
    unsigned src = i->opsize == 8 ? 4 : i->opsize;
    set_reg(v, i->reg, i->opsize, sext(rm_read(v, i, src), src));
}

void op_cbw(struct vcpu *v, const struct insn *i)
{
    unsigned half = i->opsize / 2;
    set_reg(v, R_RAX, i->opsize, sext(v->s.gpr[R_RAX] & size_mask(half), half));
}

void op_cwd(struct vcpu *v, const struct insn *i)
{
    unsigned size = i->opsize;
    uint64_t a = get_reg(v, R_RAX, size);
    set_reg(v, R_RDX, size, ((a >> (size * 8 - 1)) & 1) ? ~0ull : 0);
}

void op_bswap(struct vcpu *v, const struct insn *i)
{
    uint64_t a = v->s.gpr[i->reg];
    if (i->opsize == 8)
        v->s.gpr[i->reg] = __builtin_bswap64(a);
    else if (i->opsize == 4)
        set_reg(v, i->reg, 4, __builtin_bswap32((uint32_t)a));
    else
        set_reg(v, i->reg, 2, 0);   /* undefined in the SDM; Intel CPUs give 0 */
}

void op_cmovcc(struct vcpu *v, const struct insn *i)
{
    uint64_t val = rm_read(v, i, i->opsize);   /* the source is always read */
    if (cpu_cond(v, i->opcode & 0xf))
        set_reg(v, i->reg, i->opsize, val);
    else if (i->opsize == 4)
        set_reg(v, i->reg, 4, get_reg(v, i->reg, 4));  /* 32-bit dest still zero-extends */
}

void op_setcc(struct vcpu *v, const struct insn *i)
{
    rm_write(v, i, 1, cpu_cond(v, i->opcode & 0xf));
}

void op_lahf(struct vcpu *v, const struct insn *i)
{
    struct insn t = *i;
    t.rex = 0;
    set_reg8(v, &t, 4, (uint8_t)cpu_get_flags(v));   /* AH */
}

void op_sahf(struct vcpu *v, const struct insn *i)
{
    uint8_t ah = (uint8_t)(v->s.gpr[R_RAX] >> 8);
    cpu_set_arith_flags(v, X86_FLAG_SF | X86_FLAG_ZF | X86_FLAG_AF | X86_FLAG_PF | X86_FLAG_CF, ah);
}

void op_xlat(struct vcpu *v, const struct insn *i)
{
    uint64_t off = (v->s.gpr[R_RBX] + (v->s.gpr[R_RAX] & 0xff)) & amask(i);
    set_reg(v, R_RAX, 1, vm_read(v, i->seg, off, 1));
}

/* MOV r/m, Sreg: a register destination gets the selector zero-extended
 * (16 bits with 66), memory always 16 bits. */
void op_mov_EvSw(struct vcpu *v, const struct insn *i)
{
    unsigned sr = i->reg & 7;
    if (sr >= X86_NR_SREGS)
        cpu_ud(v);
    uint16_t sel = v->s.seg[sr].selector;
    if (i->mod == 3)
        set_reg(v, i->rm, i->opsize, sel);
    else
        rm_write(v, i, 2, sel);
}

void op_mov_SwEw(struct vcpu *v, const struct insn *i)
{
    unsigned sr = i->reg & 7;
    if (sr >= X86_NR_SREGS || sr == SEG_CS)
        cpu_ud(v);
    cpu_load_sreg(v, (int)sr, (uint16_t)rm_read(v, i, 2));
    if (sr == SEG_SS) {
        v->shadow = 1;   /* MOV SS blocks interrupts for one instruction */
        v->stop = true;
    }
}

/* LES/LDS (C4/C5), LSS/LFS/LGS (0F B2/B4/B5): load far pointer m16:16/32/64. */
void op_lxs(struct vcpu *v, const struct insn *i)
{
    int seg;
    switch (i->opcode) {
    case 0xc4: seg = SEG_ES; break;
    case 0xc5: seg = SEG_DS; break;
    case 0xb2: seg = SEG_SS; break;
    case 0xb4: seg = SEG_FS; break;
    default: seg = SEG_GS; break;
    }
    uint64_t ea = insn_ea(v, i);
    uint64_t off = vm_read(v, i->seg, ea, i->opsize);
    uint16_t sel = (uint16_t)vm_read(v, i->seg, (ea + i->opsize) & amask(i), 2);
    cpu_load_sreg(v, seg, sel);
    set_reg(v, i->reg, i->opsize, off);
}
