/*
 * exec_alu.c - integer ALU instructions: ADD, OR, ADC, SBB, AND, SUB,
 * XOR, CMP in all their forms, TEST, INC, DEC, NEG, NOT (SDM vol. 2
 * instruction pages; flags per vol. 1 3.4.3.1 and appendix A).
 *
 * Flags are recorded lazily (cpu/flags.c) and only after the destination
 * was written, so a faulting store leaves EFLAGS untouched.  LOCK is
 * accepted where the table allows it; with one vCPU per thread the
 * read-modify-write is already atomic with respect to the guest.
 *
 * Not implemented: nothing in this family.
 */
#include "cpu/handlers.h"

enum { A_ADD, A_OR, A_ADC, A_SBB, A_AND, A_SUB, A_XOR, A_CMP };

static inline uint64_t alu_calc(struct vcpu *v, int op, uint64_t a, uint64_t b, bool *cf)
{
    switch (op) {
    case A_ADD: return a + b;
    case A_OR: return a | b;
    case A_ADC: *cf = cpu_get_cf(v); return a + b + *cf;
    case A_SBB: *cf = cpu_get_cf(v); return a - b - *cf;
    case A_AND: return a & b;
    case A_XOR: return a ^ b;
    default: return a - b;  /* SUB, CMP */
    }
}

static inline void alu_flags(struct vcpu *v, int op, unsigned size, uint64_t r, uint64_t a, uint64_t b)
{
    switch (op) {
    case A_ADD: case A_ADC: lf_set(v, LF_ADD, size, r, a, b); break;
    case A_SUB: case A_SBB: case A_CMP: lf_set(v, LF_SUB, size, r, a, b); break;
    default: lf_set(v, LF_LOGIC, size, r, a, b); break;
    }
}

/* dst = dst OP src, DST in r/m */
static inline void alu_rm(struct vcpu *v, const struct insn *i, int op, unsigned size, uint64_t b)
{
    bool cf = false;
    uint64_t m = size_mask(size);
    b &= m;
    if (i->mod == 3) {
        uint64_t a = size == 1 ? get_reg8(v, i, i->rm) : get_reg(v, i->rm, size);
        uint64_t r = alu_calc(v, op, a, b, &cf) & m;
        if (op != A_CMP) {
            if (size == 1)
                set_reg8(v, i, i->rm, (uint8_t)r);
            else
                set_reg(v, i->rm, size, r);
        }
        alu_flags(v, op, size, r, a, b);
        return;
    }
    uint64_t lin = seg_lin(v, i->seg, insn_ea(v, i), size, op != A_CMP);
    if (op != A_CMP)
        lin_probe_write(v, lin, size);   /* RMW: a #PF reports a write */
    uint64_t a = lin_read(v, lin, size);
    uint64_t r = alu_calc(v, op, a, b, &cf) & m;
    if (op != A_CMP)
        lin_write(v, lin, size, r);
    alu_flags(v, op, size, r, a, b);
}

/* reg = reg OP r/m */
static inline void alu_reg(struct vcpu *v, const struct insn *i, int op, unsigned size, unsigned reg,
                           uint64_t b)
{
    bool cf = false;
    uint64_t m = size_mask(size);
    uint64_t a = size == 1 ? get_reg8(v, i, reg) : get_reg(v, reg, size);
    b &= m;
    uint64_t r = alu_calc(v, op, a, b, &cf) & m;
    if (op != A_CMP) {
        if (size == 1)
            set_reg8(v, i, reg, (uint8_t)r);
        else
            set_reg(v, reg, size, r);
    }
    alu_flags(v, op, size, r, a, b);
}

#define ALU_FORMS(name, OPN) \
    void alu_##name##_EbGb(struct vcpu *v, const struct insn *i) \
    { alu_rm(v, i, OPN, 1, get_reg8(v, i, i->reg)); } \
    void alu_##name##_EvGv(struct vcpu *v, const struct insn *i) \
    { alu_rm(v, i, OPN, i->opsize, get_reg(v, i->reg, i->opsize)); } \
    void alu_##name##_GbEb(struct vcpu *v, const struct insn *i) \
    { alu_reg(v, i, OPN, 1, i->reg, rm_read(v, i, 1)); } \
    void alu_##name##_GvEv(struct vcpu *v, const struct insn *i) \
    { alu_reg(v, i, OPN, i->opsize, i->reg, rm_read(v, i, i->opsize)); } \
    void alu_##name##_ALIb(struct vcpu *v, const struct insn *i) \
    { alu_reg(v, i, OPN, 1, R_RAX, (uint64_t)i->imm); } \
    void alu_##name##_rAXIz(struct vcpu *v, const struct insn *i) \
    { alu_reg(v, i, OPN, i->opsize, R_RAX, (uint64_t)i->imm); } \
    void alu_##name##_EbIb(struct vcpu *v, const struct insn *i) \
    { alu_rm(v, i, OPN, 1, (uint64_t)i->imm); } \
    void alu_##name##_EvIz(struct vcpu *v, const struct insn *i) \
    { alu_rm(v, i, OPN, i->opsize, (uint64_t)i->imm); } \
    void alu_##name##_EvIb(struct vcpu *v, const struct insn *i) \
    { alu_rm(v, i, OPN, i->opsize, (uint64_t)i->imm); }

ALU_FORMS(add, A_ADD)
ALU_FORMS(or, A_OR)
ALU_FORMS(adc, A_ADC)
ALU_FORMS(sbb, A_SBB)
ALU_FORMS(and, A_AND)
ALU_FORMS(sub, A_SUB)
ALU_FORMS(xor, A_XOR)
ALU_FORMS(cmp, A_CMP)

/* ---- TEST ---- */
static inline void test(struct vcpu *v, unsigned size, uint64_t a, uint64_t b)
{
    lf_set(v, LF_LOGIC, size, (a & b) & size_mask(size), a, b);
}

void op_test_EbGb(struct vcpu *v, const struct insn *i) { test(v, 1, rm_read(v, i, 1), reg_read(v, i, 1)); }
void op_test_EvGv(struct vcpu *v, const struct insn *i) { test(v, i->opsize, rm_read(v, i, i->opsize), get_reg(v, i->reg, i->opsize)); }
void op_test_EbIb(struct vcpu *v, const struct insn *i) { test(v, 1, rm_read(v, i, 1), (uint64_t)i->imm); }
void op_test_EvIz(struct vcpu *v, const struct insn *i) { test(v, i->opsize, rm_read(v, i, i->opsize), (uint64_t)i->imm); }
void op_test_ALIb(struct vcpu *v, const struct insn *i) { test(v, 1, v->s.gpr[R_RAX] & 0xff, (uint64_t)i->imm); }
void op_test_rAXIz(struct vcpu *v, const struct insn *i) { test(v, i->opsize, v->s.gpr[R_RAX], (uint64_t)i->imm); }

/* ---- unary r/m: INC, DEC, NEG, NOT ---- */
enum { U_INC, U_DEC, U_NEG, U_NOT };

static inline void unary(struct vcpu *v, const struct insn *i, int op, unsigned size)
{
    uint64_t m = size_mask(size), lin = 0, a, r;
    if (i->mod == 3)
        a = size == 1 ? get_reg8(v, i, i->rm) : get_reg(v, i->rm, size);
    else {
        lin = seg_lin(v, i->seg, insn_ea(v, i), size, true);
        lin_probe_write(v, lin, size);   /* RMW: a #PF reports a write */
        a = lin_read(v, lin, size);
    }
    switch (op) {
    case U_INC: r = (a + 1) & m; break;
    case U_DEC: r = (a - 1) & m; break;
    case U_NEG: r = (0 - a) & m; break;
    default: r = ~a & m; break;
    }
    if (i->mod == 3) {
        if (size == 1)
            set_reg8(v, i, i->rm, (uint8_t)r);
        else
            set_reg(v, i->rm, size, r);
    } else {
        lin_write(v, lin, size, r);
    }
    if (op == U_INC || op == U_DEC) {
        bool cf = cpu_get_cf(v);
        lf_set(v, op == U_INC ? LF_INC : LF_DEC, size, r, a, 1);
        v->lf_cf = cf;
    } else if (op == U_NEG) {
        lf_set(v, LF_SUB, size, r, 0, a);
    }
}

void op_inc_Eb(struct vcpu *v, const struct insn *i) { unary(v, i, U_INC, 1); }
void op_inc_Ev(struct vcpu *v, const struct insn *i) { unary(v, i, U_INC, i->opsize); }
void op_dec_Eb(struct vcpu *v, const struct insn *i) { unary(v, i, U_DEC, 1); }
void op_dec_Ev(struct vcpu *v, const struct insn *i) { unary(v, i, U_DEC, i->opsize); }
void op_neg_Eb(struct vcpu *v, const struct insn *i) { unary(v, i, U_NEG, 1); }
void op_neg_Ev(struct vcpu *v, const struct insn *i) { unary(v, i, U_NEG, i->opsize); }
void op_not_Eb(struct vcpu *v, const struct insn *i) { unary(v, i, U_NOT, 1); }
void op_not_Ev(struct vcpu *v, const struct insn *i) { unary(v, i, U_NOT, i->opsize); }

/* INC/DEC r16/r32 (40+r / 48+r, not in 64-bit mode) */
void op_inc_Zv(struct vcpu *v, const struct insn *i)
{
    struct insn t = *i;
    t.mod = 3;
    t.rm = i->reg;
    unary(v, &t, U_INC, i->opsize);
}

void op_dec_Zv(struct vcpu *v, const struct insn *i)
{
    struct insn t = *i;
    t.mod = 3;
    t.rm = i->reg;
    unary(v, &t, U_DEC, i->opsize);
}
