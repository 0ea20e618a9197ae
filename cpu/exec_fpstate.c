/*
 * exec_fpstate.c - saving and restoring the x87/SSE state: FXSAVE and
 * FXRSTOR (SDM vol. 1 10.5.1, vol. 2 "FXSAVE"), the XSAVE feature set
 * XSAVE/XSAVEOPT/XSAVEC/XRSTOR with the standard and compacted formats
 * (vol. 1 ch. 13), and XGETBV/XSETBV with XCR0.
 *
 * State components: 0 (x87) and 1 (SSE) only; the XSAVE area is 576
 * bytes (legacy region + header).  XINUSE is treated as always 1 (the
 * SDM allows a processor to do so), so XSTATE_BV gets every requested
 * component and XSAVEOPT behaves exactly like XSAVE, which the SDM
 * permits (its optimizations are optional).  Not implemented: XSAVES/
 * XRSTORS and IA32_XSS (not advertised), AVX and later components, the
 * AMD "fast FXSAVE" (EFER.FFXSR).
 */
#include "cpu/fpu.h"
#include "cpu/handlers.h"

#define XCR0_SUPPORTED 3ull     /* x87 | SSE */
#define XSAVE_AREA 576u
#define XH_XSTATE_BV 512u
#define XH_XCOMP_BV 520u

/* ---- memory access to a save area ---- */

/* Linear address of a SIZE-byte save area at the ModRM operand, aligned
 * to ALIGN (#GP(0) otherwise), checked for writes when WRITE. */
static uint64_t area_lin(struct vcpu *v, const struct insn *i, unsigned size, unsigned align,
                         bool write)
{
    uint64_t lin = seg_lin(v, i->seg, insn_ea(v, i), size, write);
    if (lin & (align - 1))
        cpu_gp(v, 0);
    if (write)
        lin_probe_write(v, lin, size);   /* aligned: at most two pages */
    return lin;
}

static uint64_t area_addr(struct vcpu *v, uint64_t lin, unsigned off)
{
    return v->code64 ? lin + off : (uint32_t)(lin + off);
}

static void area_write(struct vcpu *v, uint64_t lin, const uint8_t *buf, unsigned off, unsigned len)
{
    for (unsigned k = off; k < off + len; k += 8) {
        uint64_t q;
        memcpy(&q, buf + k, 8);
        lin_write(v, area_addr(v, lin, k), 8, q);
    }
}

static void area_read(struct vcpu *v, uint64_t lin, uint8_t *buf, unsigned off, unsigned len)
{
    for (unsigned k = off; k < off + len; k += 8) {
        uint64_t q = lin_read(v, area_addr(v, lin, k), 8);
        memcpy(buf + k, &q, 8);
    }
}

/* ---- the legacy (FXSAVE) image ---- */

/* Build the 512-byte image of the current state.  W64: REX.W in 64-bit
 * mode (64-bit FIP/FDP); otherwise FCS/FDS with 32-bit offsets. */
static void build_image(struct vcpu *v, uint8_t *fx, bool w64)
{
    const struct x86_fpu *f = &v->s.fpu;
    cpu_fpu_to_fxsave(fx, f);
    uint32_t mask = MXCSR_MASK;
    memcpy(fx + 28, &mask, 4);
    if (!w64) {
        uint32_t ip = (uint32_t)f->fip, dp = (uint32_t)f->fdp;
        memcpy(fx + 8, &ip, 4);
        memcpy(fx + 12, &f->fcs, 2);
        memset(fx + 14, 0, 2);
        memcpy(fx + 16, &dp, 4);
        memcpy(fx + 20, &f->fds, 2);
        memset(fx + 22, 0, 2);
    }
}

/* Load the x87 part (bytes 0-23, 32-159) of image FX. */
static void load_x87(struct vcpu *v, const uint8_t *fx, bool w64)
{
    struct x86_fpu *f = &v->s.fpu;
    memcpy(&f->fcw, fx + 0, 2);
    memcpy(&f->fsw, fx + 2, 2);
    /* ES and B follow the exception flags against the masks */
    f->fsw &= (uint16_t)~(FSW_ES | 0x8000u);
    if (f->fsw & ~f->fcw & 0x3f)
        f->fsw |= FSW_ES | 0x8000u;
    f->ftw = fx[4];
    memcpy(&f->fop, fx + 6, 2);
    f->fop &= 0x7ff;
    if (w64) {
        memcpy(&f->fip, fx + 8, 8);
        memcpy(&f->fdp, fx + 16, 8);
        f->fcs = f->fds = 0;
    } else {
        uint32_t ip, dp;
        memcpy(&ip, fx + 8, 4);
        memcpy(&f->fcs, fx + 12, 2);
        memcpy(&dp, fx + 16, 4);
        memcpy(&f->fds, fx + 20, 2);
        f->fip = ip;
        f->fdp = dp;
    }
    for (int k = 0; k < 8; k++) {
        memcpy(&f->st[k].mantissa, fx + 32 + 16 * k, 8);
        memcpy(&f->st[k].sign_exp, fx + 40 + 16 * k, 2);
    }
}

static unsigned nr_xmm(struct vcpu *v)
{
    return v->code64 ? 16 : 8;
}

static void load_xmm(struct vcpu *v, const uint8_t *fx)
{
    for (unsigned k = 0; k < nr_xmm(v); k++)
        memcpy(&v->s.fpu.xmm[k], fx + 160 + 16 * k, 16);
}

static uint32_t image_mxcsr(struct vcpu *v, const uint8_t *fx)
{
    uint32_t m;
    memcpy(&m, fx + 24, 4);
    if (m & ~MXCSR_MASK)
        cpu_gp(v, 0);
    return m;
}

static void init_x87(struct vcpu *v)
{
    struct x86_fpu *f = &v->s.fpu;
    f->fcw = 0x37f;
    f->fsw = 0;
    f->ftw = 0;
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
    memset(f->st, 0, sizeof(f->st));
}

static void init_sse(struct vcpu *v)
{
    memset(v->s.fpu.xmm, 0, sizeof(v->s.fpu.xmm));
}

/* FXSAVE/FXRSTOR and the XSAVE family are #NM when CR0.TS or CR0.EM
 * (FXSAVE) / CR0.TS (XSAVE) is set (SDM vol. 2 exception tables). */
static void fx_enter(struct vcpu *v)
{
    if (v->s.cr0 & (X86_CR0_TS | X86_CR0_EM))
        cpu_raise(v, EXC_NM, false, 0);
}

static bool rex_w(const struct insn *i)
{
    return (i->rex & 8) != 0;
}

void op_fxsave(struct vcpu *v, const struct insn *i)
{
    fx_enter(v);
    uint64_t lin = area_lin(v, i, FXSAVE_SIZE, 16, true);
    uint8_t fx[FXSAVE_SIZE];
    build_image(v, fx, v->code64 && rex_w(i));
    /* bytes 464-511 are left to software; XMM8-15 exist only in 64-bit mode */
    area_write(v, lin, fx, 0, 160 + 16 * nr_xmm(v));
}

void op_fxrstor(struct vcpu *v, const struct insn *i)
{
    fx_enter(v);
    uint64_t lin = area_lin(v, i, FXSAVE_SIZE, 16, false);
    uint8_t fx[FXSAVE_SIZE];
    area_read(v, lin, fx, 0, 160 + 16 * nr_xmm(v));
    uint32_t mxcsr = image_mxcsr(v, fx);
    load_x87(v, fx, v->code64 && rex_w(i));
    v->s.fpu.mxcsr = mxcsr;
    load_xmm(v, fx);
}

/* ---- XSAVE feature set ---- */

static void xsave_enter(struct vcpu *v)
{
    if (!(v->s.cr4 & X86_CR4_OSXSAVE))
        cpu_ud(v);
    if (v->s.cr0 & X86_CR0_TS)
        cpu_raise(v, EXC_NM, false, 0);
}

static uint64_t rfbm(struct vcpu *v)
{
    uint64_t mask = (v->s.gpr[R_RDX] << 32) | (uint32_t)v->s.gpr[R_RAX];
    return mask & v->s.xcr0;
}

static void xsave_common(struct vcpu *v, const struct insn *i, bool compact)
{
    xsave_enter(v);
    uint64_t lin = area_lin(v, i, XSAVE_AREA, 64, true);
    uint64_t rf = rfbm(v);
    uint8_t fx[XSAVE_AREA];
    build_image(v, fx, v->code64 && rex_w(i));
    if (rf & 1) {
        area_write(v, lin, fx, 0, 24);
        area_write(v, lin, fx, 32, 128);
    }
    if (rf & 2) {
        area_write(v, lin, fx, 24, 8);   /* MXCSR, MXCSR_MASK */
        area_write(v, lin, fx, 160, 16 * nr_xmm(v));
    }
    /* header: XSTATE_BV gets RFBM (XINUSE = 1) */
    uint64_t bv = lin_read(v, area_addr(v, lin, XH_XSTATE_BV), 8);
    bv = compact ? rf : (bv & ~rf) | rf;
    lin_write(v, area_addr(v, lin, XH_XSTATE_BV), 8, bv);
    if (compact)
        lin_write(v, area_addr(v, lin, XH_XCOMP_BV), 8, rf | (1ull << 63));
}

void op_xsave(struct vcpu *v, const struct insn *i)
{
    xsave_common(v, i, false);
}

void op_xsaveopt(struct vcpu *v, const struct insn *i)
{
    if (i->pfx66)
        cpu_ud(v);   /* 66 0F AE /6 is CLWB, not advertised */
    xsave_common(v, i, false);
}

void op_xsavec(struct vcpu *v, const struct insn *i)
{
    xsave_common(v, i, true);
}

void op_xrstor(struct vcpu *v, const struct insn *i)
{
    xsave_enter(v);
    uint64_t lin = area_lin(v, i, XSAVE_AREA, 64, false);
    uint8_t area[XSAVE_AREA];
    area_read(v, lin, area, 0, XSAVE_AREA);
    uint64_t bv, comp;
    memcpy(&bv, area + XH_XSTATE_BV, 8);
    memcpy(&comp, area + XH_XCOMP_BV, 8);
    bool compact = comp >> 63;
    /* header checks (SDM vol. 1 13.8.1 / 13.8.2) */
    for (unsigned k = 16; k < 64; k++)
        if (area[512 + k])
            cpu_gp(v, 0);
    if (compact) {
        uint64_t c = comp & ~(1ull << 63);
        if ((c & ~v->s.xcr0) || (bv & ~c))
            cpu_gp(v, 0);
    } else if (comp || (bv & ~v->s.xcr0)) {
        cpu_gp(v, 0);
    }
    uint64_t rf = rfbm(v);
    bool w64 = v->code64 && rex_w(i);
    /* MXCSR first: a reserved bit is #GP before anything changes */
    uint32_t mxcsr = v->s.fpu.mxcsr;
    if ((rf & 2) && (!compact || (bv & 2)))
        mxcsr = image_mxcsr(v, area);
    else if ((rf & 2) && compact)
        mxcsr = 0x1f80;
    if (rf & 1) {
        if (bv & 1)
            load_x87(v, area, w64);
        else
            init_x87(v);
    }
    if (rf & 2) {
        if (bv & 2)
            load_xmm(v, area);
        else
            init_sse(v);
        v->s.fpu.mxcsr = mxcsr;
    }
}

void op_xgetbv(struct vcpu *v, const struct insn *i)
{
    if (!(v->s.cr4 & X86_CR4_OSXSAVE))
        cpu_ud(v);
    if ((uint32_t)v->s.gpr[R_RCX] != 0)
        cpu_gp(v, 0);
    set_reg(v, R_RAX, 4, (uint32_t)v->s.xcr0);
    set_reg(v, R_RDX, 4, (uint32_t)(v->s.xcr0 >> 32));
}

void op_xsetbv(struct vcpu *v, const struct insn *i)
{
    if (!(v->s.cr4 & X86_CR4_OSXSAVE))
        cpu_ud(v);
    uint64_t val = (v->s.gpr[R_RDX] << 32) | (uint32_t)v->s.gpr[R_RAX];
    if (v->cpl != 0 || v->v86 || (uint32_t)v->s.gpr[R_RCX] != 0 || (val & ~XCR0_SUPPORTED) ||
        !(val & 1))
        cpu_gp(v, 0);
    v->s.xcr0 = val;
}

/* CPUID leaf 0xD (SDM vol. 2 CPUID, "Processor Extended State
 * Enumeration"), for the profile in cpu/cpuid.c. */
void cpu_cpuid_xsave(uint64_t xcr0, uint32_t sub, uint32_t out[4])
{
    (void)xcr0;
    memset(out, 0, 4 * sizeof(uint32_t));
    if (sub == 0) {
        out[0] = (uint32_t)XCR0_SUPPORTED;
        out[1] = XSAVE_AREA;    /* size for the components enabled in XCR0 */
        out[2] = XSAVE_AREA;    /* size for every supported component */
    } else if (sub == 1) {
        out[0] = (1u << 0) | (1u << 1);   /* XSAVEOPT, XSAVEC */
        out[1] = XSAVE_AREA;
    }
}
