/*
 * x87.h - internals shared by the x87 FPU files (cpu/exec_x87_*.c,
 * cpu/x87_host.c): status/control word fields, the register stack in the
 * canonical state, exception bookkeeping and the host-FPU interface.
 *
 * Model (SDM vol. 1 ch. 8): struct x86_fpu keeps st[] in ST(i) order and
 * the ABRIDGED tag (ftw bit i = physical register R(i) valid), so a push
 * or pop rotates st[] by one and moves TOP; ST(i) is R((TOP+i)&7).  The
 * full 2-bit tag of FSTENV/FSAVE is computed from register contents
 * (x87_full_tag).  Arithmetic runs on the host x87 unit (x87_host.c).
 */
#ifndef VIREO_CPU_X87_H
#define VIREO_CPU_X87_H

#include "cpu/fpu.h"

/* FSW (SDM vol. 1 8.1.3) */
#define FSW_IE 0x0001u
#define FSW_DE 0x0002u
#define FSW_ZE 0x0004u
#define FSW_OE 0x0008u
#define FSW_UE 0x0010u
#define FSW_PE 0x0020u
#define FSW_SF 0x0040u
#define FSW_C0 0x0100u
#define FSW_C1 0x0200u
#define FSW_C2 0x0400u
#define FSW_C3 0x4000u
#define FSW_B  0x8000u
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define FSW_EXC 0x3fu

#define FCW_PC_SHIFT 8
#define FCW_RC_SHIFT 10

/* QNaN floating-point indefinite (SDM vol. 1 table 4-3) */
#define X87_INDEF_MANT 0xc000000000000000ull
#define X87_INDEF_SE 0xffffu

typedef struct x87_reg fx80;

static inline fx80 x87_indefinite(void)
{
    fx80 r = {X87_INDEF_MANT, X87_INDEF_SE};
    return r;
}

static inline unsigned x87_top(const struct x86_fpu *f)
{
    return (f->fsw >> FSW_TOP_SHIFT) & 7;
}

static inline void x87_set_top(struct x86_fpu *f, unsigned top)
{
    f->fsw = (uint16_t)((f->fsw & ~FSW_TOP_MASK) | ((top & 7) << FSW_TOP_SHIFT));
}

/* ST(i) holds a value (tag not empty) */
static inline bool x87_valid(const struct x86_fpu *f, unsigned i)
{
    return (f->ftw >> ((x87_top(f) + i) & 7)) & 1;
}

static inline void x87_set_valid(struct x86_fpu *f, unsigned i, bool valid)
{
    unsigned bit = 1u << ((x87_top(f) + i) & 7);
    f->ftw = (uint8_t)(valid ? (f->ftw | bit) : (f->ftw & ~bit));
}

/* Write ST(i) and tag it valid. */
static inline void x87_write(struct x86_fpu *f, unsigned i, fx80 val)
{
    f->st[i & 7] = val;
    x87_set_valid(f, i, true);
}

/* Pop: ST(0) tagged empty, TOP+1 (st[] rotates so st[i] stays ST(i)). */
static inline void x87_pop(struct x86_fpu *f)
{
    x87_set_valid(f, 0, false);
    fx80 t = f->st[0];
    memmove(&f->st[0], &f->st[1], 7 * sizeof(fx80));
    f->st[7] = t;
    x87_set_top(f, x87_top(f) + 1);
}

/* TOP-1 without touching tags; the old ST(7) becomes ST(0). */
static inline void x87_dec_top(struct x86_fpu *f)
{
    fx80 t = f->st[7];
    memmove(&f->st[1], &f->st[0], 7 * sizeof(fx80));
    f->st[0] = t;
    x87_set_top(f, x87_top(f) - 1);
}

static inline void x87_inc_top(struct x86_fpu *f)
{
    fx80 t = f->st[0];
    memmove(&f->st[0], &f->st[1], 7 * sizeof(fx80));
    f->st[7] = t;
    x87_set_top(f, x87_top(f) + 1);
}

/* Load a new TOP keeping the physical registers (FNINIT, FLDENV). */
static inline void x87_retop(struct x86_fpu *f, unsigned top)
{
    while (x87_top(f) != (top & 7))
        x87_inc_top(f);
}

static inline void x87_push(struct x86_fpu *f, fx80 val)
{
    x87_dec_top(f);
    x87_write(f, 0, val);
}

static inline void x87_set_cc(struct x86_fpu *f, uint16_t mask, uint16_t val)
{
    f->fsw = (uint16_t)((f->fsw & ~mask) | (val & mask));
}

/* Exception flags FL (FSW bits 0-6) raised by the current instruction:
 * ORed into FSW, ES and B set when one of them is unmasked.  Returns the
 * unmasked subset (the caller applies SDM 8.5's destination rules). */
static inline uint16_t x87_raise(struct x86_fpu *f, uint16_t fl)
{
    fl &= FSW_EXC | FSW_SF;
    f->fsw |= fl;
    uint16_t unmasked = (uint16_t)(fl & ~f->fcw & FSW_EXC);
    if (unmasked)
        f->fsw |= FSW_ES | FSW_B;
    return unmasked;
}

/* Recompute ES/B from the flags and masks (after FLDCW/FLDENV/FRSTOR). */
static inline void x87_update_es(struct x86_fpu *f)
{
    if (f->fsw & ~f->fcw & FSW_EXC)
        f->fsw |= FSW_ES | FSW_B;
    else
        f->fsw &= (uint16_t)~(FSW_ES | FSW_B);
}

/* Stack underflow (C1=0) / overflow (C1=1): IE+SF.  Returns true when
 * the invalid-operation exception is masked (the caller then delivers the
 * masked response, usually the QNaN indefinite). */
static inline bool x87_stack_fault(struct x86_fpu *f, bool overflow)
{
    x87_set_cc(f, FSW_C1, overflow ? FSW_C1 : 0);
    return !x87_raise(f, FSW_IE | FSW_SF);
}

/* ---- entry checks and pointers (exec_x87_control.c) ---- */

/* #NM when CR0.EM or CR0.TS (SDM vol. 3A table 2-2); for a waiting
 * instruction then #MF when an unmasked exception is pending (ES). */
void x87_enter(struct vcpu *v, bool waiting);

/* Record FIP/FCS/FOP (and FDP/FDS for a memory operand) of the current
 * non-control instruction (SDM vol. 1 8.1.8, 8.1.9). */
void x87_note(struct vcpu *v, const struct insn *i);

/* Full tag of physical register R(n): 0 valid, 1 zero, 2 special, 3 empty. */
unsigned x87_full_tag(const struct x86_fpu *f, unsigned phys);

/* ---- memory operands ---- */
/* 10-byte memory operands (m80fp, m80bcd) */
void x87_read80(struct vcpu *v, const struct insn *i, uint8_t out[10]);
void x87_write80(struct vcpu *v, const struct insn *i, const uint8_t in[10]);

static inline fx80 x87_from_bytes(const uint8_t b[10])
{
    fx80 r;
    memcpy(&r.mantissa, b, 8);
    memcpy(&r.sign_exp, b + 8, 2);
    return r;
}

static inline void x87_to_bytes(uint8_t b[10], fx80 r)
{
    memcpy(b, &r.mantissa, 8);
    memcpy(b + 8, &r.sign_exp, 2);
}

/* ---- the host x87 unit (x87_host.c) ----
 * x87_host() runs operation OP on the host FPU under the guest control
 * word and condition codes of F (precision, rounding and masks) from a fresh stack holding
 * ST(0)=io->a and, for two-operand operations, ST(1)=io->b; io->mem is
 * the memory operand of conversions (in or out).  It returns the host's
 * status word after the operation (exception flags, C0-C3, ES, the
 * host's TOP: 0 empty, 7 one value, 6 two) and leaves
 * ST(0)/ST(1) in io->r0/io->r1.  When CW unmasks an exception the host
 * runs with it unmasked too (biased results of OE/UE, SDM 8.5.4/8.5.5)
 * and the pending exception is discarded by FNSAVE before any waiting
 * instruction, so the host never traps. */
enum x87_hop {
    /* ST(0) op ST(1), the guest's own register encodings with i=1 */
    XH_ADD, XH_MUL, XH_SUB, XH_SUBR, XH_DIV, XH_DIVR,           /* D8 Cx..Fx: ST(0) = ... */
    XH_ADD1, XH_MUL1, XH_SUBR1, XH_SUB1, XH_DIVR1, XH_DIV1,     /* DC: ST(1) = ... */
    XH_COM, XH_UCOM, XH_COMI, XH_UCOMI,
    XH_PREM, XH_PREM1, XH_SCALE, XH_YL2X, XH_YL2XP1, XH_PATAN,
    /* ST(0) only */
    XH_SQRT, XH_RNDINT, XH_F2XM1, XH_SIN, XH_COS, XH_SINCOS, XH_PTAN, XH_XTRACT,
    XH_TST, XH_XAM,
    /* constants */
    XH_LD1, XH_LDL2T, XH_LDL2E, XH_LDPI, XH_LDLG2, XH_LDLN2, XH_LDZ,
    /* mem -> ST(0) */
    XH_LDF32, XH_LDF64, XH_LDI16, XH_LDI32, XH_LDI64, XH_LDBCD,
    /* ST(0) -> mem */
    XH_STF32, XH_STF64, XH_STI16, XH_STI32, XH_STI64, XH_STTI16, XH_STTI32, XH_STTI64, XH_STBCD,
    /* ST(0) op mem: XH_MEM + 8*k + reg, k = 0 m32fp (D8), 1 m32int (DA),
     * 2 m64fp (DC), 3 m16int (DE); reg 2 and 3 both compare (no pop) */
    XH_MEM,
    XH_N = XH_MEM + 32
};

struct x87_hio {
    fx80 a, b;          /* ST(0), ST(1) before */
    fx80 r0, r1;        /* ST(0), ST(1) after */
    uint8_t mem[16];    /* memory operand */
    uint32_t eflags;    /* FCOMI/FUCOMI: ZF, PF, CF */
};

uint16_t x87_host(int op, const struct x86_fpu *f, struct x87_hio *io);

#endif
