/*
 * exec_stack.c - the stack: push/pop helpers (SS:rSP with the stack
 * address size of SS.B, or 64-bit), PUSH/POP of registers, memory,
 * immediates and segment registers, PUSHA/POPA, PUSHF/POPF with the
 * CPL/IOPL rules of the SDM's POPF pseudo-code, ENTER/LEAVE.
 *
 * Every instruction writes memory before it changes rSP, so a fault
 * leaves the stack pointer as it was.  Not implemented: VME (CR4.VME)
 * virtual-interrupt flag handling in virtual-8086 mode.
 */
#include "cpu/handlers.h"

void cpu_push(struct vcpu *v, unsigned size, uint64_t val)
{
    uint64_t sp = (get_sp(v) - size) & size_mask(v->ssize);
    vm_write(v, SEG_SS, sp, size, val);
    set_sp(v, sp);
}

uint64_t cpu_stack_read(struct vcpu *v, unsigned off, unsigned size)
{
    return vm_read(v, SEG_SS, (get_sp(v) + off) & size_mask(v->ssize), size);
}

uint64_t cpu_pop(struct vcpu *v, unsigned size)
{
    uint64_t val = cpu_stack_read(v, 0, size);
    set_sp(v, get_sp(v) + size);
    return val;
}

void op_push_Zv(struct vcpu *v, const struct insn *i) { cpu_push(v, i->opsize, v->s.gpr[i->reg]); }

void op_pop_Zv(struct vcpu *v, const struct insn *i)
{
    uint64_t val = cpu_pop(v, i->opsize);
    set_reg(v, i->reg, i->opsize, val);
}

void op_push_I(struct vcpu *v, const struct insn *i) { cpu_push(v, i->opsize, (uint64_t)i->imm); }
void op_push_Ev(struct vcpu *v, const struct insn *i) { cpu_push(v, i->opsize, rm_read(v, i, i->opsize)); }

/* POP r/m: the address is computed with rSP already incremented. */
void op_pop_Ev(struct vcpu *v, const struct insn *i)
{
    unsigned size = i->opsize;
    uint64_t val = cpu_stack_read(v, 0, size);
    uint64_t old = v->s.gpr[R_RSP];
    set_sp(v, get_sp(v) + size);
    uint64_t newsp = v->s.gpr[R_RSP];
    if (i->mod == 3) {
        set_reg(v, i->rm, size, val);
        return;
    }
    uint64_t ea = insn_ea(v, i);
    v->s.gpr[R_RSP] = old;
    vm_write(v, i->seg, ea, size, val);
    v->s.gpr[R_RSP] = newsp;
}

static int sreg_of(const struct insn *i)
{
    switch (i->opcode) {
    case 0x06: case 0x07: return SEG_ES;
    case 0x0e: return SEG_CS;
    case 0x16: case 0x17: return SEG_SS;
    case 0x1e: case 0x1f: return SEG_DS;
    case 0xa0: case 0xa1: return SEG_FS;
    default: return SEG_GS;
    }
}

void op_push_sreg(struct vcpu *v, const struct insn *i)
{
    cpu_push(v, i->opsize, v->s.seg[sreg_of(i)].selector);
}

void op_pop_sreg(struct vcpu *v, const struct insn *i)
{
    int seg = sreg_of(i);
    uint16_t sel = (uint16_t)cpu_stack_read(v, 0, i->opsize);
    cpu_load_sreg(v, seg, sel);
    set_sp(v, get_sp(v) + i->opsize);
    if (seg == SEG_SS) {
        v->shadow = 1;
        v->stop = true;
    }
}

void op_pusha(struct vcpu *v, const struct insn *i)
{
    unsigned size = i->opsize;
    uint64_t sp = get_sp(v);
    uint64_t nsp = (sp - 8 * size) & size_mask(v->ssize);
    for (int r = 0; r < 8; r++) {
        uint64_t val = r == R_RSP ? sp : v->s.gpr[r];
        vm_write(v, SEG_SS, (sp - (uint64_t)(r + 1) * size) & size_mask(v->ssize), size, val);
    }
    set_sp(v, nsp);
}

void op_popa(struct vcpu *v, const struct insn *i)
{
    unsigned size = i->opsize;
    uint64_t vals[8];
    for (int k = 0; k < 8; k++)   /* EDI first, from the top of stack up */
        vals[7 - k] = cpu_stack_read(v, (unsigned)k * size, size);
    for (int r = 0; r < 8; r++)
        if (r != R_RSP)
            set_reg(v, r, size, vals[r]);
    set_sp(v, get_sp(v) + 8 * size);
}

void op_pushf(struct vcpu *v, const struct insn *i)
{
    if (v->v86 && iopl(v) < 3)
        cpu_gp(v, 0);
    uint64_t f = cpu_get_flags(v) & ~(uint64_t)(X86_FLAG_VM | X86_FLAG_RF);
    cpu_push(v, i->opsize, f);
}

void op_popf(struct vcpu *v, const struct insn *i)
{
    if (v->v86 && iopl(v) < 3)
        cpu_gp(v, 0);
    uint64_t f = cpu_stack_read(v, 0, i->opsize);
    uint64_t old = cpu_get_flags(v);
    uint64_t mask = X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | X86_FLAG_SF |
                    X86_FLAG_TF | X86_FLAG_DF | X86_FLAG_OF | X86_FLAG_NT;
    if (i->opsize > 2)
        mask |= X86_FLAG_AC | X86_FLAG_ID;
    if (v->cpl == 0 && !v->v86)
        mask |= X86_FLAG_IOPL;
    if (v->cpl <= iopl(v))
        mask |= X86_FLAG_IF;
    set_sp(v, get_sp(v) + i->opsize);
    cpu_set_flags(v, ((old & ~mask) | (f & mask)) & ~(uint64_t)X86_FLAG_RF);
    v->stop = true;   /* IF/TF may have changed */
}

void op_enter(struct vcpu *v, const struct insn *i)
{
    unsigned size = i->opsize;
    uint64_t alloc = (uint64_t)i->imm & 0xffff;
    unsigned level = i->imm2 & 31;
    uint64_t m = size_mask(v->ssize);
    uint64_t sp = get_sp(v);
    uint64_t bp = v->s.gpr[R_RBP];
    /* do all stores first, then commit rSP/rBP */
    sp = (sp - size) & m;
    vm_write(v, SEG_SS, sp, size, bp);
    uint64_t frame = sp;
    if (level > 0) {
        for (unsigned k = 1; k < level; k++) {
            bp = (bp - size) & size_mask(v->ssize);
            uint64_t val = vm_read(v, SEG_SS, bp, size);
            sp = (sp - size) & m;
            vm_write(v, SEG_SS, sp, size, val);
        }
        sp = (sp - size) & m;
        vm_write(v, SEG_SS, sp, size, frame);
    }
    sp = (sp - alloc) & m;
    /* the new top of stack is probed for a write (#SS/#PF before any
     * register changes), as the hardware does (Bochs models it as an RMW
     * access; the KVM differential test showed the #PF) */
    lin_probe_write(v, seg_lin(v, SEG_SS, sp, size, true), size);
    set_reg(v, R_RBP, size, frame);
    set_sp(v, sp);
}

void op_leave(struct vcpu *v, const struct insn *i)
{
    uint64_t bp = v->s.gpr[R_RBP] & size_mask(v->ssize);
    uint64_t val = vm_read(v, SEG_SS, bp, i->opsize);
    set_sp(v, bp + i->opsize);
    set_reg(v, R_RBP, i->opsize, val);
}
