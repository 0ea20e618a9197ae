/*
 * x87_host.c - the only file with host x87 assembly: one guest x87
 * operation at a time runs on the host's own x87 unit (vireo's host is
 * x86-64), which yields true 80-bit extended precision, the SDM's
 * rounding under every precision/rounding control, NaN propagation,
 * denormal/unnormal handling and exception flags identical to a real
 * x86 (SDM vol. 1 ch. 4 and 8).  A softfloat port can replace this file:
 * the interface is x87_host() in cpu/x87.h.
 *
 * Method.  Fast path (the guest masks every exception, the usual case):
 * save the host control word, load the guest's with all exceptions
 * masked, FNCLEX, load the operands with FLD m80 (exact, never raises),
 * run the operation, FNSTSW, store ST(0)/ST(1), FNINIT and restore the
 * host control word - one asm statement, so the compiler cannot move FP
 * work into the guest's modes.  Slow path (some exception unmasked): the
 * host runs with the guest's control word as is, so unmasked overflow /
 * underflow deliver the biased result (SDM 8.5.4, 8.5.5) and unmasked
 * pre-computation exceptions leave operands alone; the state is then
 * read with FNSAVE, a non-waiting instruction that also reinitialises
 * the FPU, so the pending host exception never traps.  A memory operand
 * (m32/m64 fp, integer, BCD) is converted by its own operation first
 * (XH_LD*), so no waiting instruction ever follows an unmasked exception.
 *
 * The x86-64 ABI guarantees an empty x87 stack at calls and makes the
 * control word callee-saved: both are preserved.  Transcendentals
 * (FSIN, FCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1, FSINCOS) give the
 * host vendor's results: on an AMD host they may differ from Intel's in
 * the last bit of the significand (SDM 8.3.10 only bounds the error).
 */
#include "cpu/x87.h"

#define LD1 "fldt %[a]\n\t"
#define LD2 "fldt %[b]\n\tfldt %[a]\n\t"

#define X87_CLOBBERS "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)", "memory", "cc"

#define XH_CASE(op, body) \
    case op: \
        if (fast) \
            __asm__ volatile("fnstcw %[hcw]\n\tfldcw %[gcw]\n\tfnclex\n\t" body \
                             "\n\tsetz %[zf]\n\tsetp %[pf]\n\tsetc %[cf]\n\tfnstsw %[sw]\n\t" \
                             "fstpt %[r0]\n\tfstpt %[r1]\n\tfninit\n\tfldcw %[hcw]" \
                             : [hcw] "=m"(hcw), [sw] "=m"(sw), [r0] "=m"(io->r0), [r1] "=m"(io->r1), \
                               [mem] "+m"(io->mem), [zf] "=m"(zf), [pf] "=m"(pf), [cf] "=m"(cf) \
                             : [gcw] "m"(gcw), [a] "m"(io->a), [b] "m"(io->b) \
                             : X87_CLOBBERS); \
        else \
            __asm__ volatile("fnstcw %[hcw]\n\tfninit\n\tfldcw %[gcw]\n\t" body \
                             "\n\tsetz %[zf]\n\tsetp %[pf]\n\tsetc %[cf]\n\tfnsave %[env]\n\tfldcw %[hcw]" \
                             : [hcw] "=m"(hcw), [env] "=m"(env), [mem] "+m"(io->mem), [zf] "=m"(zf), \
                               [pf] "=m"(pf), [cf] "=m"(cf) \
                             : [gcw] "m"(gcw), [a] "m"(io->a), [b] "m"(io->b) \
                             : X87_CLOBBERS); \
        break;

uint16_t x87_host(int op, uint16_t cw, struct x87_hio *io)
{
    uint16_t hcw, sw = 0;
    uint8_t env[108];
    uint8_t zf = 0, pf = 0, cf = 0;
    bool fast = (cw & FSW_EXC) == FSW_EXC;
    /* reserved bits of the control word stay as the guest wrote them
     * (the host ignores them like any x87 does) */
    uint16_t gcw = cw;

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
    XH_CASE(XH_LD1, ".byte 0xd9, 0xe8")
    XH_CASE(XH_LDL2T, ".byte 0xd9, 0xe9")
    XH_CASE(XH_LDL2E, ".byte 0xd9, 0xea")
    XH_CASE(XH_LDPI, ".byte 0xd9, 0xeb")
    XH_CASE(XH_LDLG2, ".byte 0xd9, 0xec")
    XH_CASE(XH_LDLN2, ".byte 0xd9, 0xed")
    XH_CASE(XH_LDZ, ".byte 0xd9, 0xee")
    XH_CASE(XH_LDF32, "flds %[mem]")
    XH_CASE(XH_LDF64, "fldl %[mem]")
    XH_CASE(XH_LDI16, "filds %[mem]")
    XH_CASE(XH_LDI32, "fildl %[mem]")
    XH_CASE(XH_LDI64, "fildll %[mem]")
    XH_CASE(XH_LDBCD, "fbld %[mem]")
    XH_CASE(XH_STF32, LD1 "fsts %[mem]")
    XH_CASE(XH_STF64, LD1 "fstl %[mem]")
    XH_CASE(XH_STI16, LD1 "fists %[mem]")
    XH_CASE(XH_STI32, LD1 "fistl %[mem]")
    XH_CASE(XH_STI64, LD1 "fistpll %[mem]")
    XH_CASE(XH_STTI16, LD1 "fisttps %[mem]")
    XH_CASE(XH_STTI32, LD1 "fisttpl %[mem]")
    XH_CASE(XH_STTI64, LD1 "fisttpll %[mem]")
    XH_CASE(XH_STBCD, LD1 "fbstp %[mem]")
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
