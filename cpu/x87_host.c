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
 * FP work into the guest's modes): save the host control word, load the
 * operands with FLD m80 (exact, never raises), FLDENV the guest's control
 * word and condition codes with TOP/tags describing the loaded operands
 * (FLD would have cleared C1; some operations leave codes unchanged), run
 * the operation - with a memory operand when the guest instruction has
 * one (FADD m32fp, FIST m16int, FBLD, ...), so operand checks and their
 * order are the hardware's.  Fast path (the guest masks every exception,
 * the usual case): FNSTSW, store ST(0)/ST(1), FNINIT, restore the host
 * control word.  Slow path (some exception unmasked): the host runs with
 * the unmasked exception too, so overflow/underflow deliver the biased
 * result (SDM 8.5.4, 8.5.5) and pre-computation exceptions leave the
 * operands alone; the state is read with FNSAVE, a non-waiting
 * instruction that also reinitialises the FPU, so the pending host
 * exception never reaches a waiting instruction and never traps.
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

#define X87_CLOBBERS "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)", "memory", "cc"

#define XH_CASE(op, body) \
    case op: \
        if (fast) \
            __asm__ volatile("fnstcw %[hcw]\n\t" body \
                             "\n\tsetz %[zf]\n\tsetp %[pf]\n\tsetc %[cf]\n\tfnstsw %[sw]\n\t" \
                             "fstpt %[r0]\n\tfstpt %[r1]\n\tfninit\n\tfldcw %[hcw]" \
                             : [hcw] "=m"(hcw), [sw] "=m"(sw), [r0] "=m"(io->r0), [r1] "=m"(io->r1), \
                               [mem] "+m"(io->mem), [zf] "=m"(zf), [pf] "=m"(pf), [cf] "=m"(cf) \
                             : [genv0] "m"(genv[0]), [genv1] "m"(genv[1]), [genv2] "m"(genv[2]), [a] "m"(io->a), [b] "m"(io->b) \
                             : X87_CLOBBERS); \
        else \
            __asm__ volatile("fnstcw %[hcw]\n\t" body \
                             "\n\tsetz %[zf]\n\tsetp %[pf]\n\tsetc %[cf]\n\tfnsave %[env]\n\tfldcw %[hcw]" \
                             : [hcw] "=m"(hcw), [env] "=m"(env), [mem] "+m"(io->mem), [zf] "=m"(zf), \
                               [pf] "=m"(pf), [cf] "=m"(cf) \
                             : [genv0] "m"(genv[0]), [genv1] "m"(genv[1]), [genv2] "m"(genv[2]), [a] "m"(io->a), [b] "m"(io->b) \
                             : X87_CLOBBERS); \
        break;

uint16_t x87_host(int op, const struct x86_fpu *f, struct x87_hio *io)
{
    uint16_t hcw, sw = 0;
    uint8_t env[108];
    uint8_t zf = 0, pf = 0, cf = 0;
    bool fast = (f->fcw & FSW_EXC) == FSW_EXC;
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
    XH_CASE(XH_ADD, LD2 ".byte 0xd8, 0xc1")
    XH_CASE(XH_MUL, LD2 ".byte 0xd8, 0xc9")
    XH_CASE(XH_SUB, LD2 ".byte 0xd8, 0xe1")
    XH_CASE(XH_SUBR, LD2 ".byte 0xd8, 0xe9")
    XH_CASE(XH_DIV, LD2 ".byte 0xd8, 0xf1")
    XH_CASE(XH_DIVR, LD2 ".byte 0xd8, 0xf9")
    XH_CASE(XH_ADD1, LD2 ".byte 0xdc, 0xc1")
    XH_CASE(XH_MUL1, LD2 ".byte 0xdc, 0xc9")
    XH_CASE(XH_SUBR1, LD2 ".byte 0xdc, 0xe1")
    XH_CASE(XH_SUB1, LD2 ".byte 0xdc, 0xe9")
    XH_CASE(XH_DIVR1, LD2 ".byte 0xdc, 0xf1")
    XH_CASE(XH_DIV1, LD2 ".byte 0xdc, 0xf9")
    XH_CASE(XH_COM, LD2 ".byte 0xd8, 0xd1")
    XH_CASE(XH_UCOM, LD2 ".byte 0xdd, 0xe1")
    XH_CASE(XH_COMI, LD2 ".byte 0xdb, 0xf1")
    XH_CASE(XH_UCOMI, LD2 ".byte 0xdb, 0xe9")
    XH_CASE(XH_PREM, LD2 ".byte 0xd9, 0xf8")
    XH_CASE(XH_PREM1, LD2 ".byte 0xd9, 0xf5")
    XH_CASE(XH_SCALE, LD2 ".byte 0xd9, 0xfd")
    XH_CASE(XH_YL2X, LD2 ".byte 0xd9, 0xf1")
    XH_CASE(XH_YL2XP1, LD2 ".byte 0xd9, 0xf9")
    XH_CASE(XH_PATAN, LD2 ".byte 0xd9, 0xf3")
    XH_CASE(XH_SQRT, LD1 ".byte 0xd9, 0xfa")
    XH_CASE(XH_RNDINT, LD1 ".byte 0xd9, 0xfc")
    XH_CASE(XH_F2XM1, LD1 ".byte 0xd9, 0xf0")
    XH_CASE(XH_SIN, LD1 ".byte 0xd9, 0xfe")
    XH_CASE(XH_COS, LD1 ".byte 0xd9, 0xff")
    XH_CASE(XH_SINCOS, LD1 ".byte 0xd9, 0xfb")
    XH_CASE(XH_PTAN, LD1 ".byte 0xd9, 0xf2")
    XH_CASE(XH_XTRACT, LD1 ".byte 0xd9, 0xf4")
    XH_CASE(XH_TST, LD1 ".byte 0xd9, 0xe4")
    XH_CASE(XH_XAM, LD1 ".byte 0xd9, 0xe5")
    XH_CASE(XH_LD1, LD0 ".byte 0xd9, 0xe8")
    XH_CASE(XH_LDL2T, LD0 ".byte 0xd9, 0xe9")
    XH_CASE(XH_LDL2E, LD0 ".byte 0xd9, 0xea")
    XH_CASE(XH_LDPI, LD0 ".byte 0xd9, 0xeb")
    XH_CASE(XH_LDLG2, LD0 ".byte 0xd9, 0xec")
    XH_CASE(XH_LDLN2, LD0 ".byte 0xd9, 0xed")
    XH_CASE(XH_LDZ, LD0 ".byte 0xd9, 0xee")
    XH_CASE(XH_LDF32, LD0 "flds %[mem]")
    XH_CASE(XH_LDF64, LD0 "fldl %[mem]")
    XH_CASE(XH_LDI16, LD0 "filds %[mem]")
    XH_CASE(XH_LDI32, LD0 "fildl %[mem]")
    XH_CASE(XH_LDI64, LD0 "fildll %[mem]")
    XH_CASE(XH_LDBCD, LD0 "fbld %[mem]")
    XH_CASE(XH_STF32, LD1 "fsts %[mem]")
    XH_CASE(XH_STF64, LD1 "fstl %[mem]")
    XH_CASE(XH_STI16, LD1 "fists %[mem]")
    XH_CASE(XH_STI32, LD1 "fistl %[mem]")
    XH_CASE(XH_STI64, LD1 "fistpll %[mem]")
    XH_CASE(XH_STTI16, LD1 "fisttps %[mem]")
    XH_CASE(XH_STTI32, LD1 "fisttpl %[mem]")
    XH_CASE(XH_STTI64, LD1 "fisttpll %[mem]")
    XH_CASE(XH_STBCD, LD1 "fbstp %[mem]")
    XH_CASE(XH_MEM + 0, LD1 "fadds %[mem]")
    XH_CASE(XH_MEM + 1, LD1 "fmuls %[mem]")
    XH_CASE(XH_MEM + 2, LD1 "fcoms %[mem]")
    XH_CASE(XH_MEM + 3, LD1 "fcoms %[mem]")
    XH_CASE(XH_MEM + 4, LD1 "fsubs %[mem]")
    XH_CASE(XH_MEM + 5, LD1 "fsubrs %[mem]")
    XH_CASE(XH_MEM + 6, LD1 "fdivs %[mem]")
    XH_CASE(XH_MEM + 7, LD1 "fdivrs %[mem]")
    XH_CASE(XH_MEM + 8, LD1 "fiaddl %[mem]")
    XH_CASE(XH_MEM + 9, LD1 "fimull %[mem]")
    XH_CASE(XH_MEM + 10, LD1 "ficoml %[mem]")
    XH_CASE(XH_MEM + 11, LD1 "ficoml %[mem]")
    XH_CASE(XH_MEM + 12, LD1 "fisubl %[mem]")
    XH_CASE(XH_MEM + 13, LD1 "fisubrl %[mem]")
    XH_CASE(XH_MEM + 14, LD1 "fidivl %[mem]")
    XH_CASE(XH_MEM + 15, LD1 "fidivrl %[mem]")
    XH_CASE(XH_MEM + 16, LD1 "faddl %[mem]")
    XH_CASE(XH_MEM + 17, LD1 "fmull %[mem]")
    XH_CASE(XH_MEM + 18, LD1 "fcoml %[mem]")
    XH_CASE(XH_MEM + 19, LD1 "fcoml %[mem]")
    XH_CASE(XH_MEM + 20, LD1 "fsubl %[mem]")
    XH_CASE(XH_MEM + 21, LD1 "fsubrl %[mem]")
    XH_CASE(XH_MEM + 22, LD1 "fdivl %[mem]")
    XH_CASE(XH_MEM + 23, LD1 "fdivrl %[mem]")
    XH_CASE(XH_MEM + 24, LD1 "fiadds %[mem]")
    XH_CASE(XH_MEM + 25, LD1 "fimuls %[mem]")
    XH_CASE(XH_MEM + 26, LD1 "ficoms %[mem]")
    XH_CASE(XH_MEM + 27, LD1 "ficoms %[mem]")
    XH_CASE(XH_MEM + 28, LD1 "fisubs %[mem]")
    XH_CASE(XH_MEM + 29, LD1 "fisubrs %[mem]")
    XH_CASE(XH_MEM + 30, LD1 "fidivs %[mem]")
    XH_CASE(XH_MEM + 31, LD1 "fidivrs %[mem]")
    default:
        return 0;
    }
    if (!fast) {
        memcpy(&sw, env + 4, 2);
        memcpy(&io->r0.mantissa, env + 28, 8);
        memcpy(&io->r0.sign_exp, env + 36, 2);
        memcpy(&io->r1.mantissa, env + 38, 8);
        memcpy(&io->r1.sign_exp, env + 46, 2);
    }
    io->eflags = (zf ? X86_FLAG_ZF : 0u) | (pf ? X86_FLAG_PF : 0u) | (cf ? X86_FLAG_CF : 0u);
    return sw;
}
