/*
 * x87_host.c - the only file with host x87 assembly: one guest x87
 * operation at a time runs on the host's own x87 unit (vireo's host is
 * x86-64), which yields true 80-bit extended precision, the SDM's
 * rounding under every precision/rounding control, NaN propagation,
 * denormal/unnormal handling and exception flags identical to a real
 * x86 (SDM vol. 1 ch. 4 and 8).  A softfloat port can replace this file:
 * the interface is x87_host() in cpu/x87.h.
 *
 * Method.  One asm statement per operation (so the compiler cannot move
 * FP work into the guest's modes), with a memory operand when the guest
 * instruction has one (FADD m32fp, FIST m16int, FBLD, ...), so operand
 * checks and their order are the hardware's.
 *  - Fast path (the guest masks every exception, the usual case): save
 *    the host control word, FLDCW the guest's, FNCLEX, load the operands
 *    with FLD m80 (exact, never raises), run the operation, FNSTSW, store
 *    ST(0)/ST(1) (popping an empty register just stores the indefinite,
 *    so the host stack ends empty), FNCLEX, restore the control word:
 *    about 50 ns.  The condition codes the operation leaves alone are
 *    merged in C (keep_cc), TOP is normalised from a second FNSTSW.
 *  - Slow path (some exception unmasked; also FPREM/FPREM1, whose
 *    untouched codes depend on the operands): FNINIT, load the operands,
 *    FLDENV the guest's control word and condition codes with TOP/tags
 *    describing them, run the operation with the exception really
 *    unmasked - overflow/underflow deliver the biased result (SDM 8.5.4,
 *    8.5.5), pre-computation exceptions leave the operands alone - and
 *    read everything with FNSAVE: non-waiting, it also reinitialises the
 *    FPU, so the pending host exception never reaches a waiting
 *    instruction and never traps.
 *
 * The x86-64 ABI guarantees an empty x87 stack at calls and makes the
 * control word callee-saved: both are preserved.  Transcendentals
 * (FSIN, FCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1, FSINCOS) give the
 * host vendor's results: on an AMD host they may differ from Intel's in
 * the last bit of the significand (SDM 8.3.10 only bounds the error).
 */
#include "cpu/x87.h"

/* operands are loaded first, then FLDENV sets the guest's control word
 * and condition codes (FLD itself would clear C1) with TOP and tags
 * describing the loaded registers */
#define LD0 "fldenv %[genv0]\n\t"
#define LD1 "fldt %[a]\n\tfldenv %[genv1]\n\t"
#define LD2 "fldt %[b]\n\tfldt %[a]\n\tfldenv %[genv2]\n\t"
/* fast path: the control word only (FLDENV and FNINIT are slow
 * microcode); condition codes the operation leaves alone are merged in C */
#define FLD0 ""
#define FLD1 "fldt %[a]\n\t"
#define FLD2 "fldt %[b]\n\tfldt %[a]\n\t"

#define X87_CLOBBERS "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)", "memory", "cc"

/* INSN is the operation, after loading N operands; the fast
 * path stores ST(0) and ST(1) (popping an empty register just stores the
 * indefinite), which leaves the host stack empty again. */
#define XH_CASE(op, n, insn) \
    case op: \
        if (fast) \
            __asm__ volatile("fnstcw %[hcw]\n\tfnstsw %[sw0]\n\tfldcw %[gcw]\n\tfnclex\n\t" FLD##n insn \
                             "\n\tsetz %[zf]\n\tsetp %[pf]\n\tsetc %[cf]\n\tfnstsw %[sw]\n\t" \
                             "fstpt %[r0]\n\tfstpt %[r1]\n\tfnclex\n\tfldcw %[hcw]" \
                             : [hcw] "=m"(hcw), [sw0] "=m"(sw0), [sw] "=m"(sw), [r0] "=m"(io->r0), [r1] "=m"(io->r1), \
                               [mem] "+m"(io->mem), [zf] "=m"(zf), [pf] "=m"(pf), [cf] "=m"(cf) \
                             : [gcw] "m"(gcw), [a] "m"(io->a), [b] "m"(io->b) \
                             : X87_CLOBBERS); \
        else \
            __asm__ volatile("fnstcw %[hcw]\n\tfninit\n\t" LD##n insn \
                             "\n\tsetz %[zf]\n\tsetp %[pf]\n\tsetc %[cf]\n\tfnsave %[env]\n\tfldcw %[hcw]" \
                             : [hcw] "=m"(hcw), [env] "=m"(env), [mem] "+m"(io->mem), [zf] "=m"(zf), \
                               [pf] "=m"(pf), [cf] "=m"(cf) \
                             : [genv0] "m"(genv[0]), [genv1] "m"(genv[1]), [genv2] "m"(genv[2]), \
                               [a] "m"(io->a), [b] "m"(io->b) \
                             : X87_CLOBBERS); \
        break;

/* Condition codes each operation leaves unchanged on this class of
 * hardware (the fast path cannot preload them): C0/C2/C3 for arithmetic,
 * loads and stores; C0/C3 for FSIN/FCOS/FPTAN/FSINCOS (C2 = out of
 * range); all for FCOMI.  FPREM/FPREM1 keep C0/C3 only on some inputs:
 * they always take the exact path. */
#define KEEP_ARITH (FSW_C0 | FSW_C2 | FSW_C3)
static uint16_t keep_cc(int op)
{
    switch (op) {
    case XH_COM: case XH_UCOM: case XH_TST: case XH_XAM:
        return 0;
    case XH_COMI: case XH_UCOMI:
        return FSW_CC;
    case XH_SIN: case XH_COS: case XH_SINCOS: case XH_PTAN:
        return FSW_C0 | FSW_C3;
    default:
        if (op >= XH_MEM && ((op - XH_MEM) & 7) >= 2 && ((op - XH_MEM) & 7) <= 3)
            return 0;       /* FCOM/FICOM m */
        return KEEP_ARITH;
    }
}

uint16_t x87_host(int op, const struct x86_fpu *f, struct x87_hio *io)
{
    uint16_t hcw, sw = 0, sw0 = 0;
    uint8_t env[108];
    uint8_t zf = 0, pf = 0, cf = 0;
    bool fast = (f->fcw & FSW_EXC) == FSW_EXC && op != XH_PREM && op != XH_PREM1;
    uint16_t gcw = f->fcw;
    /* the environment after loading 0, 1 or 2 operands: the guest's
     * control word and condition codes (some operations leave codes
     * unchanged), no exception flags */
    struct { uint32_t cw, sw, tw, rest[4]; } genv[3];
    static const uint32_t tw[3] = {0xffff, 0x3fff, 0x0fff};
    for (unsigned d = 0; d < 3; d++) {
        genv[d].cw = 0xffff0000u | f->fcw;
        genv[d].sw = 0xffff0000u | (f->fsw & FSW_CC) | (((8 - d) & 7) << FSW_TOP_SHIFT);
        genv[d].tw = 0xffff0000u | tw[d];
        memset(genv[d].rest, 0, sizeof(genv[d].rest));
    }

    switch (op) {
    XH_CASE(XH_ADD, 2, ".byte 0xd8, 0xc1")
    XH_CASE(XH_MUL, 2, ".byte 0xd8, 0xc9")
    XH_CASE(XH_SUB, 2, ".byte 0xd8, 0xe1")
    XH_CASE(XH_SUBR, 2, ".byte 0xd8, 0xe9")
    XH_CASE(XH_DIV, 2, ".byte 0xd8, 0xf1")
    XH_CASE(XH_DIVR, 2, ".byte 0xd8, 0xf9")
    XH_CASE(XH_ADD1, 2, ".byte 0xdc, 0xc1")
    XH_CASE(XH_MUL1, 2, ".byte 0xdc, 0xc9")
    XH_CASE(XH_SUBR1, 2, ".byte 0xdc, 0xe1")
    XH_CASE(XH_SUB1, 2, ".byte 0xdc, 0xe9")
    XH_CASE(XH_DIVR1, 2, ".byte 0xdc, 0xf1")
    XH_CASE(XH_DIV1, 2, ".byte 0xdc, 0xf9")
    XH_CASE(XH_COM, 2, ".byte 0xd8, 0xd1")
    XH_CASE(XH_UCOM, 2, ".byte 0xdd, 0xe1")
    XH_CASE(XH_COMI, 2, ".byte 0xdb, 0xf1")
    XH_CASE(XH_UCOMI, 2, ".byte 0xdb, 0xe9")
    XH_CASE(XH_PREM, 2, ".byte 0xd9, 0xf8")
    XH_CASE(XH_PREM1, 2, ".byte 0xd9, 0xf5")
    XH_CASE(XH_SCALE, 2, ".byte 0xd9, 0xfd")
    XH_CASE(XH_YL2X, 2, ".byte 0xd9, 0xf1")
    XH_CASE(XH_YL2XP1, 2, ".byte 0xd9, 0xf9")
    XH_CASE(XH_PATAN, 2, ".byte 0xd9, 0xf3")
    XH_CASE(XH_SQRT, 1, ".byte 0xd9, 0xfa")
    XH_CASE(XH_RNDINT, 1, ".byte 0xd9, 0xfc")
    XH_CASE(XH_F2XM1, 1, ".byte 0xd9, 0xf0")
    XH_CASE(XH_SIN, 1, ".byte 0xd9, 0xfe")
    XH_CASE(XH_COS, 1, ".byte 0xd9, 0xff")
    XH_CASE(XH_SINCOS, 1, ".byte 0xd9, 0xfb")
    XH_CASE(XH_PTAN, 1, ".byte 0xd9, 0xf2")
    XH_CASE(XH_XTRACT, 1, ".byte 0xd9, 0xf4")
    XH_CASE(XH_TST, 1, ".byte 0xd9, 0xe4")
    XH_CASE(XH_XAM, 1, ".byte 0xd9, 0xe5")
    XH_CASE(XH_LD1, 0, ".byte 0xd9, 0xe8")
    XH_CASE(XH_LDL2T, 0, ".byte 0xd9, 0xe9")
    XH_CASE(XH_LDL2E, 0, ".byte 0xd9, 0xea")
    XH_CASE(XH_LDPI, 0, ".byte 0xd9, 0xeb")
    XH_CASE(XH_LDLG2, 0, ".byte 0xd9, 0xec")
    XH_CASE(XH_LDLN2, 0, ".byte 0xd9, 0xed")
    XH_CASE(XH_LDZ, 0, ".byte 0xd9, 0xee")
    XH_CASE(XH_LDF32, 0, "flds %[mem]")
    XH_CASE(XH_LDF64, 0, "fldl %[mem]")
    XH_CASE(XH_LDI16, 0, "filds %[mem]")
    XH_CASE(XH_LDI32, 0, "fildl %[mem]")
    XH_CASE(XH_LDI64, 0, "fildll %[mem]")
    XH_CASE(XH_LDBCD, 0, "fbld %[mem]")
    XH_CASE(XH_STF32, 1, "fsts %[mem]")
    XH_CASE(XH_STF64, 1, "fstl %[mem]")
    XH_CASE(XH_STI16, 1, "fists %[mem]")
    XH_CASE(XH_STI32, 1, "fistl %[mem]")
    XH_CASE(XH_STI64, 1, "fistpll %[mem]")
    XH_CASE(XH_STTI16, 1, "fisttps %[mem]")
    XH_CASE(XH_STTI32, 1, "fisttpl %[mem]")
    XH_CASE(XH_STTI64, 1, "fisttpll %[mem]")
    XH_CASE(XH_STBCD, 1, "fbstp %[mem]")
    XH_CASE(XH_MEM + 0, 1, "fadds %[mem]")
    XH_CASE(XH_MEM + 1, 1, "fmuls %[mem]")
    XH_CASE(XH_MEM + 2, 1, "fcoms %[mem]")
    XH_CASE(XH_MEM + 3, 1, "fcoms %[mem]")
    XH_CASE(XH_MEM + 4, 1, "fsubs %[mem]")
    XH_CASE(XH_MEM + 5, 1, "fsubrs %[mem]")
    XH_CASE(XH_MEM + 6, 1, "fdivs %[mem]")
    XH_CASE(XH_MEM + 7, 1, "fdivrs %[mem]")
    XH_CASE(XH_MEM + 8, 1, "fiaddl %[mem]")
    XH_CASE(XH_MEM + 9, 1, "fimull %[mem]")
    XH_CASE(XH_MEM + 10, 1, "ficoml %[mem]")
    XH_CASE(XH_MEM + 11, 1, "ficoml %[mem]")
    XH_CASE(XH_MEM + 12, 1, "fisubl %[mem]")
    XH_CASE(XH_MEM + 13, 1, "fisubrl %[mem]")
    XH_CASE(XH_MEM + 14, 1, "fidivl %[mem]")
    XH_CASE(XH_MEM + 15, 1, "fidivrl %[mem]")
    XH_CASE(XH_MEM + 16, 1, "faddl %[mem]")
    XH_CASE(XH_MEM + 17, 1, "fmull %[mem]")
    XH_CASE(XH_MEM + 18, 1, "fcoml %[mem]")
    XH_CASE(XH_MEM + 19, 1, "fcoml %[mem]")
    XH_CASE(XH_MEM + 20, 1, "fsubl %[mem]")
    XH_CASE(XH_MEM + 21, 1, "fsubrl %[mem]")
    XH_CASE(XH_MEM + 22, 1, "fdivl %[mem]")
    XH_CASE(XH_MEM + 23, 1, "fdivrl %[mem]")
    XH_CASE(XH_MEM + 24, 1, "fiadds %[mem]")
    XH_CASE(XH_MEM + 25, 1, "fimuls %[mem]")
    XH_CASE(XH_MEM + 26, 1, "ficoms %[mem]")
    XH_CASE(XH_MEM + 27, 1, "ficoms %[mem]")
    XH_CASE(XH_MEM + 28, 1, "fisubs %[mem]")
    XH_CASE(XH_MEM + 29, 1, "fisubrs %[mem]")
    XH_CASE(XH_MEM + 30, 1, "fidivs %[mem]")
    XH_CASE(XH_MEM + 31, 1, "fidivrs %[mem]")
    default:
        return 0;
    }
    if (!fast) {
        memcpy(&sw, env + 4, 2);
        memcpy(&io->r0.mantissa, env + 28, 8);
        memcpy(&io->r0.sign_exp, env + 36, 2);
        memcpy(&io->r1.mantissa, env + 38, 8);
        memcpy(&io->r1.sign_exp, env + 46, 2);
    } else {
        uint16_t keep = keep_cc(op);
        sw = (uint16_t)((sw & ~keep) | (f->fsw & keep));
        /* the host's TOP as if it had started at 0 (it starts anywhere) */
        unsigned top = ((sw >> FSW_TOP_SHIFT) - (sw0 >> FSW_TOP_SHIFT)) & 7;
        sw = (uint16_t)((sw & ~FSW_TOP_MASK) | (top << FSW_TOP_SHIFT));
    }
    io->eflags = (zf ? X86_FLAG_ZF : 0u) | (pf ? X86_FLAG_PF : 0u) | (cf ? X86_FLAG_CF : 0u);
    return sw;
}
