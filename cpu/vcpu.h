/*
 * vcpu.h - the software CPU's private state and the helpers every
 * instruction handler uses: register access, lazy flags, decoded
 * instruction layout, exceptions (longjmp), and the soft-TLB fast path.
 *
 * Models the integer x86-64 CPU of the Intel SDM vol. 1 ch. 3 and
 * vol. 3A ch. 2-6.  The canonical state (cpu/cpu_state.h) is embedded and
 * is the only copy of architectural registers; what lives beside it is
 * derived (CPL, operand sizes, segment access bits) or cached (TLB,
 * decoded blocks) and is recomputed by cpu_refresh_mode() after set_state.
 *
 * x87/SSE state helpers are in cpu/fpu.h.  Not implemented: VMX, SMM.
 */
#ifndef VIREO_CPU_VCPU_H
#define VIREO_CPU_VCPU_H

#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu/bus.h"
#include "cpu/cpu_state.h"

struct vcpu;
struct insn;
typedef void (*insn_fn)(struct vcpu *v, const struct insn *i);

/* Exception vectors (SDM vol. 3A table 6-1). */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5,
    EXC_UD = 6, EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12,
    EXC_GP = 13, EXC_PF = 14, EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19,
};

#define X86_REG_NONE 0xff
#define X86_BASE_RIP  0xfe

/* One row of the opcode table (cpu/opcodes.def), after parsing. */
struct op_entry {
    const char *mnem;
    const char *operands;   /* SDM notation, e.g. "Ev,Gv" */
    insn_fn fn;
    uint32_t flags;         /* OPF_* */
    uint8_t imm1, imm2;     /* IMM_* kinds */
};

/* A decoded instruction: everything a handler needs, no raw bytes. */
struct insn {
    insn_fn fn;
    const struct op_entry *ent;
    int64_t imm;            /* sign-extended (Ib, Iz, Jb, Jz) or raw (Iv, Iw, Ob) */
    int32_t disp;
    uint16_t imm2;          /* ENTER's Ib, far pointer selector */
    uint8_t opcode;         /* last opcode byte */
    uint8_t len;
    uint8_t opsize;         /* 2, 4 or 8 (v size); byte forms know they are bytes */
    uint8_t asize;          /* 2, 4 or 8 */
    uint8_t seg;            /* effective segment of the memory operand */
    uint8_t mod, reg, rm;   /* reg and rm extended by REX.R / REX.B */
    uint8_t base, index, scale;
    uint8_t rep;            /* 0, 0xf2 or 0xf3 */
    uint8_t lock;
    uint8_t rex;            /* REX byte or 0 */
    uint8_t pfx66;          /* 66 prefix present (mandatory-prefix forms) */
};

/* Lazy flags: the last flag-setting operation (SDM vol. 1 3.4.3.1). */
enum lf_op { LF_NONE, LF_ADD, LF_SUB, LF_LOGIC, LF_INC, LF_DEC };

#define TLB_SIZE 256
struct tlb_entry {
    uint64_t tag;           /* page | TLB_VALID | TLB_USER */
    uint8_t *host;          /* host pointer of the page, NULL: go through the bus */
    uint64_t paddr;         /* guest-physical page */
    uint64_t lmask;         /* ~(size - 1) of the page that produced it (4K/2M/4M/1G) */
    bool global;
};
#define TLB_VALID 2u
#define TLB_USER  1u

/* Access kinds for translation */
enum { ACC_R = 0, ACC_W = 1, ACC_X = 2 };
#define ACC_SYS 0x10        /* implicit supervisor access (descriptor tables, TSS) */

/* Segment access bits (derived on load) */
#define SEGF_R       1u
#define SEGF_W       2u
#define SEGF_EXPDOWN 4u
#define SEGF_BIG     8u

struct block;

struct vcpu {
    struct cpu_state s;
    const struct cpu_bus *bus;

    /* lazy flags */
    uint64_t lf_res, lf_s1, lf_s2;
    uint8_t lf_op, lf_size, lf_cf;

    /* derived mode */
    uint8_t cpl;
    uint8_t csize;          /* default operand/address size of code: 2, 4, 8 */
    uint8_t ssize;          /* stack address size: 2, 4, 8 */
    bool code64, lma, pe, pg, v86;
    uint8_t segf[X86_NR_SREGS];

    /* execution */
    uint64_t cur_rip;       /* RIP of the executing instruction */
    uint64_t next_rip;
    bool stop;              /* end the current block after this instruction */
    uint8_t shadow;         /* STI / MOV SS interrupt shadow */
    bool delivered;         /* an event was delivered during this instruction */
    bool exc_pending;
    uint8_t exc_vec;
    bool exc_has_err;
    uint32_t exc_err;
    int delivering;         /* vector being delivered, -1 none */
    bool shutdown;
    jmp_buf jb;
    volatile sig_atomic_t kick;
    uint64_t icount;
    uint64_t a20_mask;      /* physical-address mask from the A20 gate */
    uint64_t tsc_offset;
    bool (*stop_requested)(void *opaque);
    bool stop_now;

    /* debug-register breakpoints (cpu/debug.c): enabled masks by kind and
     * the data/I/O hits of the current instruction */
    uint8_t dbg_exec, dbg_data, dbg_io, dbg_hits;

    /* soft TLB */
    struct tlb_entry tlb[3][TLB_SIZE];  /* ACC_R, ACC_W, ACC_X */

    /* decoded block cache (cpu/blocks.c) */
    struct block **bhash;
    struct block *bfree;    /* invalidated blocks freed at block boundaries */
    uint8_t **codemap;      /* 2-level bitmap of pages holding decoded code */
    bool block_dead;        /* the running block was invalidated */
    struct block *scratch;  /* single-instruction block for page-crossing code */
};

/* ---- registers ---- */

static inline uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static inline uint64_t sext(uint64_t v, unsigned size)
{
    switch (size) {
    case 1: return (uint64_t)(int64_t)(int8_t)v;
    case 2: return (uint64_t)(int64_t)(int16_t)v;
    case 4: return (uint64_t)(int64_t)(int32_t)v;
    default: return v;
    }
}

/* Byte register N: AL..BL, AH..BH without REX; SPL.. and R8B.. with REX. */
static inline uint8_t get_reg8(struct vcpu *v, const struct insn *i, unsigned n)
{
    if (n >= 4 && n < 8 && !i->rex)
        return (uint8_t)(v->s.gpr[n - 4] >> 8);
    return (uint8_t)v->s.gpr[n];
}

static inline void set_reg8(struct vcpu *v, const struct insn *i, unsigned n, uint8_t val)
{
    if (n >= 4 && n < 8 && !i->rex)
        v->s.gpr[n - 4] = (v->s.gpr[n - 4] & ~0xff00ull) | ((uint64_t)val << 8);
    else
        v->s.gpr[n] = (v->s.gpr[n] & ~0xffull) | val;
}

static inline uint64_t get_reg(struct vcpu *v, unsigned n, unsigned size)
{
    return v->s.gpr[n] & size_mask(size);
}

/* Writes of 32-bit registers zero the upper half (SDM vol. 1 3.4.1.1). */
static inline void set_reg(struct vcpu *v, unsigned n, unsigned size, uint64_t val)
{
    switch (size) {
    case 1: v->s.gpr[n] = (v->s.gpr[n] & ~0xffull) | (val & 0xff); break;
    case 2: v->s.gpr[n] = (v->s.gpr[n] & ~0xffffull) | (val & 0xffff); break;
    case 4: v->s.gpr[n] = (uint32_t)val; break;
    default: v->s.gpr[n] = val; break;
    }
}

/* ---- exceptions (cpu/except.c) ---- */
_Noreturn void cpu_raise(struct vcpu *v, int vec, bool has_err, uint32_t err);
_Noreturn void cpu_ud(struct vcpu *v);
_Noreturn void cpu_gp(struct vcpu *v, uint32_t err);
_Noreturn void cpu_ss(struct vcpu *v, uint32_t err);
/* Deliver vector VEC now (used by INT n and the run loop). */
enum { INT_EXC, INT_SOFT, INT_HW };
void cpu_deliver(struct vcpu *v, int vec, int kind, bool has_err, uint32_t err, uint64_t ret_rip);
void cpu_deliver_pending(struct vcpu *v);
/* Push onto a stack given by linear base and pointer (delivery, gates). */
void cpu_push_raw(struct vcpu *v, uint64_t ssbase, uint64_t *sp, uint64_t mask,
                  unsigned size, uint64_t val);
/* Read the current TSS at OFF (#TS when beyond its limit). */
uint64_t cpu_tss_read(struct vcpu *v, unsigned off, unsigned size);
/* Hardware task switch to the TSS SEL (cpu/task.c). */
enum { TS_JMP, TS_CALL, TS_INT, TS_IRET };
void cpu_task_switch(struct vcpu *v, uint16_t sel, int src, bool has_err, uint32_t err,
                     uint64_t ret_eip);
void cpu_task_gate(struct vcpu *v, uint16_t gsel, const uint32_t g[2], int src);
/* Far JMP/CALL through the call gate GSEL (cpu/gate.c). */
void cpu_far_gate(struct vcpu *v, uint16_t gsel, bool call);

/* ---- flags (cpu/flags.c) ---- */
uint64_t cpu_get_flags(struct vcpu *v);
void cpu_set_flags(struct vcpu *v, uint64_t f);
bool cpu_get_cf(struct vcpu *v);
bool cpu_cond(struct vcpu *v, unsigned cc);
/* Update only the arithmetic flags in MASK to VAL, keeping lazy state off. */
void cpu_set_arith_flags(struct vcpu *v, uint32_t mask, uint32_t val);

static inline void lf_set(struct vcpu *v, enum lf_op op, unsigned size,
                          uint64_t res, uint64_t s1, uint64_t s2)
{
    v->lf_op = (uint8_t)op;
    v->lf_size = (uint8_t)size;
    v->lf_res = res;
    v->lf_s1 = s1;
    v->lf_s2 = s2;
}

/* ---- mode (cpu/seg.c) ---- */
void cpu_refresh_mode(struct vcpu *v);
void cpu_seg_refresh(struct vcpu *v, int seg);
/* Load segment register SEG from SELECTOR with the checks of MOV/POP sreg. */
void cpu_load_sreg(struct vcpu *v, int seg, uint16_t sel);
/* Read the 8-byte descriptor (16 for system descriptors in long mode)
 * for SEL; raises #GP(sel) (or EXC) when outside the table. */
void cpu_read_desc(struct vcpu *v, uint16_t sel, uint32_t desc[4], int exc, bool wide);
void cpu_desc_to_seg(struct x86_segment *s, uint16_t sel, const uint32_t d[2]);
void cpu_far_jump(struct vcpu *v, uint16_t sel, uint64_t off, bool call, unsigned opsize);
void cpu_far_return(struct vcpu *v, unsigned opsize, uint16_t pop_bytes, bool iret);

/* ---- memory (cpu/mmu.c) ---- */
uint64_t mmu_translate(struct vcpu *v, uint64_t lin, int acc, struct tlb_entry **out);
void mmu_flush(struct vcpu *v, bool keep_global);
void mmu_flush_page(struct vcpu *v, uint64_t lin);
uint64_t lin_read_slow(struct vcpu *v, uint64_t lin, unsigned size, int acc);
void lin_write_slow(struct vcpu *v, uint64_t lin, unsigned size, uint64_t val, int acc);
uint64_t phys_read(struct vcpu *v, uint64_t pa, unsigned size);
void phys_write(struct vcpu *v, uint64_t pa, unsigned size, uint64_t val);
_Noreturn void seg_fault(struct vcpu *v, int seg);

/* Little-endian loads/stores of 1/2/4/8 bytes with constant-size copies
 * (a variable-size memcpy would be a library call on the hot path). */
static inline uint64_t host_load(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t x; memcpy(&x, p, 2); return x; }
    case 4: { uint32_t x; memcpy(&x, p, 4); return x; }
    default: { uint64_t x; memcpy(&x, p, 8); return x; }
    }
}

static inline void host_store(uint8_t *p, unsigned size, uint64_t val)
{
    switch (size) {
    case 1: *p = (uint8_t)val; break;
    case 2: { uint16_t x = (uint16_t)val; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)val; memcpy(p, &x, 4); break; }
    default: memcpy(p, &val, 8); break;
    }
}

static inline uint64_t tlb_key(struct vcpu *v, uint64_t lin, int acc)
{
    return (lin & ~0xfffull) | TLB_VALID | ((acc & ACC_SYS) ? 0 : (v->cpl == 3));
}

static inline uint64_t lin_read(struct vcpu *v, uint64_t lin, unsigned size)
{
    if ((lin & 0xfff) <= 0x1000u - size) {
        struct tlb_entry *e = &v->tlb[ACC_R][(lin >> 12) & (TLB_SIZE - 1)];
        if (e->tag == tlb_key(v, lin, 0) && e->host)
            return host_load(e->host + (lin & 0xfff), size);
    }
    return lin_read_slow(v, lin, size, ACC_R);
}

static inline void lin_write(struct vcpu *v, uint64_t lin, unsigned size, uint64_t val)
{
    if ((lin & 0xfff) <= 0x1000u - size) {
        struct tlb_entry *e = &v->tlb[ACC_W][(lin >> 12) & (TLB_SIZE - 1)];
        if (e->tag == tlb_key(v, lin, 0) && e->host) {
            host_store(e->host + (lin & 0xfff), size, val);
            return;
        }
    }
    lin_write_slow(v, lin, size, val, ACC_W);
}

static inline bool canonical(uint64_t a)
{
    uint64_t top = a >> 47;   /* bits 63:47 all equal */
    return top == 0 || top == 0x1ffff;
}

/* Segmentation: offset -> linear with limit/type checks (SDM vol. 3A 5.3). */
static inline uint64_t seg_lin(struct vcpu *v, int seg, uint64_t off, unsigned size, bool write)
{
    if (v->code64) {
        uint64_t lin = off + (seg >= SEG_FS ? v->s.seg[seg].base : 0);
        if (!canonical(lin) || !canonical(lin + size - 1))
            seg_fault(v, seg);
        return lin;
    }
    uint8_t f = v->segf[seg];
    if (!(f & (write ? SEGF_W : SEGF_R)))
        seg_fault(v, seg);
    uint64_t last = off + size - 1;
    if (f & SEGF_EXPDOWN) {
        uint64_t top = (f & SEGF_BIG) ? 0xffffffffull : 0xffffull;
        if (off <= v->s.seg[seg].limit || last > top)
            seg_fault(v, seg);
    } else if (last > v->s.seg[seg].limit) {
        seg_fault(v, seg);
    }
    return (uint32_t)(v->s.seg[seg].base + off);
}

static inline uint64_t vm_read(struct vcpu *v, int seg, uint64_t off, unsigned size)
{
    return lin_read(v, seg_lin(v, seg, off, size, false), size);
}

static inline void vm_write(struct vcpu *v, int seg, uint64_t off, unsigned size, uint64_t val)
{
    lin_write(v, seg_lin(v, seg, off, size, true), size, val);
}

/* Check that [lin, lin+size) is writable (page faults first), for
 * read-modify-write instructions that must not fault half-way.  A hit in
 * the write TLB proves it without a call (the hot RMW path). */
void lin_probe_write_slow(struct vcpu *v, uint64_t lin, unsigned size);

static inline void lin_probe_write(struct vcpu *v, uint64_t lin, unsigned size)
{
    if ((lin & 0xfff) <= 0x1000u - size &&
        v->tlb[ACC_W][(lin >> 12) & (TLB_SIZE - 1)].tag == tlb_key(v, lin, 0))
        return;
    lin_probe_write_slow(v, lin, size);
}

/* ---- operands ---- */
static inline uint64_t amask(const struct insn *i)
{
    return size_mask(i->asize);
}

/* Effective address (offset within the segment), SDM vol. 2 2.1.5. */
static inline uint64_t insn_ea(struct vcpu *v, const struct insn *i)
{
    uint64_t a = (uint64_t)(int64_t)i->disp;
    if (i->base == X86_BASE_RIP)
        a += v->next_rip;
    else if (i->base != X86_REG_NONE)
        a += v->s.gpr[i->base];
    if (i->index != X86_REG_NONE)
        a += v->s.gpr[i->index] << i->scale;
    return a & amask(i);
}

static inline uint64_t rm_read(struct vcpu *v, const struct insn *i, unsigned size)
{
    if (i->mod == 3)
        return size == 1 ? get_reg8(v, i, i->rm) : get_reg(v, i->rm, size);
    return vm_read(v, i->seg, insn_ea(v, i), size);
}

static inline void rm_write(struct vcpu *v, const struct insn *i, unsigned size, uint64_t val)
{
    if (i->mod == 3) {
        if (size == 1)
            set_reg8(v, i, i->rm, (uint8_t)val);
        else
            set_reg(v, i->rm, size, val);
        return;
    }
    vm_write(v, i->seg, insn_ea(v, i), size, val);
}

static inline uint64_t reg_read(struct vcpu *v, const struct insn *i, unsigned size)
{
    return size == 1 ? get_reg8(v, i, i->reg) : get_reg(v, i->reg, size);
}

static inline void reg_write(struct vcpu *v, const struct insn *i, unsigned size, uint64_t val)
{
    if (size == 1)
        set_reg8(v, i, i->reg, (uint8_t)val);
    else
        set_reg(v, i->reg, size, val);
}

/* ---- stack (cpu/exec_stack.c) ---- */
void cpu_push(struct vcpu *v, unsigned size, uint64_t val);
uint64_t cpu_pop(struct vcpu *v, unsigned size);
uint64_t cpu_stack_read(struct vcpu *v, unsigned off, unsigned size);

static inline uint64_t get_sp(struct vcpu *v)
{
    return v->s.gpr[R_RSP] & size_mask(v->ssize);
}

static inline void set_sp(struct vcpu *v, uint64_t sp)
{
    set_reg(v, R_RSP, v->ssize, sp);
}

/* ---- branches ---- */
/* Check a near branch target (CS limit, or canonical in 64-bit mode). */
static inline uint64_t branch_target(struct vcpu *v, uint64_t target, unsigned opsize)
{
    if (opsize != 8)
        target &= size_mask(opsize);
    if (v->code64) {
        if (!canonical(target))
            cpu_gp(v, 0);
    } else if (target > v->s.seg[SEG_CS].limit) {
        cpu_gp(v, 0);
    }
    return target;
}

static inline void jump_to(struct vcpu *v, uint64_t target, unsigned opsize)
{
    v->next_rip = branch_target(v, target, opsize);
}

/* ---- port I/O (cpu/exec_io.c): permission check (IOPL, TSS bitmap) and
 * the bus access, which also polls the machine's stop request ---- */
void cpu_io_check(struct vcpu *v, uint16_t port, unsigned size);
uint32_t cpu_pio_in(struct vcpu *v, uint16_t port, unsigned size);
void cpu_pio_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val);
/* Ask the machine whether vcpu_run should return (after device accesses). */
void cpu_poll_stop(struct vcpu *v);

/* ---- cpuid / msr (cpu/cpuid.c, cpu/msr.c) ---- */
void cpu_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4]);
bool cpu_rdmsr(struct vcpu *v, uint32_t idx, uint64_t *val);
bool cpu_wrmsr(struct vcpu *v, uint32_t idx, uint64_t val);
uint64_t cpu_tsc(struct vcpu *v);
uint64_t cpu_tsc_base(struct vcpu *v);

/* ---- control registers (cpu/exec_system.c) ---- */
void cpu_write_cr0(struct vcpu *v, uint64_t val);
void cpu_write_cr4(struct vcpu *v, uint64_t val);
void cpu_write_cr3(struct vcpu *v, uint64_t val);

/* Privilege checks shared by system instructions. */
static inline void require_cpl0(struct vcpu *v)
{
    if (v->cpl != 0)
        cpu_gp(v, 0);
}

static inline unsigned iopl(struct vcpu *v)
{
    return (unsigned)(v->s.rflags >> 12) & 3;
}

#endif
