/*
 * exec_branch.c - control transfer: Jcc, JMP/CALL/RET near (relative and
 * indirect) and far (Ap, Mp), RETF, IRET, LOOP/LOOPcc, JCXZ/JECXZ/JRCXZ,
 * INT n, INT3, INTO, INT1, BOUND (SDM vol. 2; far forms and IRET in cpu/seg.c,
 * delivery in cpu/except.c).
 *
 * Near branches check the target against the CS limit (or canonical form
 * in 64-bit mode) before anything is pushed, so a faulting CALL leaves
 * the stack unchanged.  Not implemented: CET shadow stacks, BND prefix.
 */
#include "cpu/handlers.h"

void op_jcc(struct vcpu *v, const struct insn *i)
{
    if (cpu_cond(v, i->opcode & 0xf))
        jump_to(v, v->next_rip + (uint64_t)i->imm, i->opsize);
}

void op_jmp_J(struct vcpu *v, const struct insn *i)
{
    jump_to(v, v->next_rip + (uint64_t)i->imm, i->opsize);
}

void op_jmp_Ev(struct vcpu *v, const struct insn *i)
{
    jump_to(v, rm_read(v, i, i->opsize), i->opsize);
}

static void call_near(struct vcpu *v, const struct insn *i, uint64_t target)
{
    uint64_t t = branch_target(v, target, i->opsize);
    cpu_push(v, i->opsize, v->next_rip);
    v->next_rip = t;
}

void op_call_Jz(struct vcpu *v, const struct insn *i)
{
    call_near(v, i, v->next_rip + (uint64_t)i->imm);
}

void op_call_Ev(struct vcpu *v, const struct insn *i)
{
    call_near(v, i, rm_read(v, i, i->opsize));
}

void op_ret(struct vcpu *v, const struct insn *i)
{
    uint64_t t = branch_target(v, cpu_stack_read(v, 0, i->opsize), i->opsize);
    uint64_t extra = i->opcode == 0xc2 ? ((uint64_t)i->imm & 0xffff) : 0;
    set_sp(v, get_sp(v) + i->opsize + extra);
    v->next_rip = t;
}

void op_retf(struct vcpu *v, const struct insn *i)
{
    cpu_far_return(v, i->opsize, i->opcode == 0xca ? (uint16_t)i->imm : 0, false);
}

void op_iret(struct vcpu *v, const struct insn *i)
{
    cpu_far_return(v, i->opsize, 0, true);
}

void op_jmpf_Ap(struct vcpu *v, const struct insn *i)
{
    cpu_far_jump(v, i->imm2, (uint64_t)i->imm, false, i->opsize);
}

void op_callf_Ap(struct vcpu *v, const struct insn *i)
{
    cpu_far_jump(v, i->imm2, (uint64_t)i->imm, true, i->opsize);
}

static void far_indirect(struct vcpu *v, const struct insn *i, bool call)
{
    uint64_t ea = insn_ea(v, i);
    uint64_t off = vm_read(v, i->seg, ea, i->opsize);
    uint16_t sel = (uint16_t)vm_read(v, i->seg, (ea + i->opsize) & amask(i), 2);
    cpu_far_jump(v, sel, off, call, i->opsize);
}

void op_jmpf_Mp(struct vcpu *v, const struct insn *i) { far_indirect(v, i, false); }
void op_callf_Mp(struct vcpu *v, const struct insn *i) { far_indirect(v, i, true); }

/* LOOP/LOOPE/LOOPNE count in CX/ECX/RCX by address size. */
void op_loop(struct vcpu *v, const struct insn *i)
{
    uint64_t c = (get_reg(v, R_RCX, i->asize) - 1) & amask(i);
    bool take = c != 0;
    if (i->opcode == 0xe0)
        take = take && !(cpu_get_flags(v) & X86_FLAG_ZF);
    else if (i->opcode == 0xe1)
        take = take && (cpu_get_flags(v) & X86_FLAG_ZF);
    uint64_t t = take ? branch_target(v, v->next_rip + (uint64_t)i->imm, i->opsize) : 0;
    set_reg(v, R_RCX, i->asize, c);
    if (take)
        v->next_rip = t;
}

void op_jcxz(struct vcpu *v, const struct insn *i)
{
    if (get_reg(v, R_RCX, i->asize) == 0)
        jump_to(v, v->next_rip + (uint64_t)i->imm, i->opsize);
}

void op_int(struct vcpu *v, const struct insn *i)
{
    if (v->v86 && iopl(v) < 3)
        cpu_gp(v, 0);
    cpu_deliver(v, (uint8_t)i->imm, INT_SOFT, false, 0, v->next_rip);
}

void op_int3(struct vcpu *v, const struct insn *i)
{
    cpu_deliver(v, EXC_BP, INT_SOFT, false, 0, v->next_rip);
}

void op_into(struct vcpu *v, const struct insn *i)
{
    if (cpu_get_flags(v) & X86_FLAG_OF)
        cpu_deliver(v, EXC_OF, INT_SOFT, false, 0, v->next_rip);
}

void op_int1(struct vcpu *v, const struct insn *i)
{
    cpu_deliver(v, EXC_DB, INT_EXC, false, 0, v->next_rip);
}

/* BOUND: #BR (a fault) when the signed index is outside [lower, upper]. */
void op_bound(struct vcpu *v, const struct insn *i)
{
    unsigned size = i->opsize;
    uint64_t ea = insn_ea(v, i);
    int64_t lo = (int64_t)sext(vm_read(v, i->seg, ea, size), size);
    int64_t hi = (int64_t)sext(vm_read(v, i->seg, (ea + size) & amask(i), size), size);
    int64_t idx = (int64_t)sext(get_reg(v, i->reg, size), size);
    if (idx < lo || idx > hi)
        cpu_raise(v, EXC_BR, false, 0);
}
