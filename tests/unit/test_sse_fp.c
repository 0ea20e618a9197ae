/*
 * test_sse_fp.c - SSE/SSE2 floating point, moves, conversions, MXCSR,
 * fences, CLFLUSH and MOVNTI (every row of cpu/opcodes_sse.def) against
 * the host CPU (tests/unit/simd_oracle.h): one instruction from the same
 * random state natively and in the interpreter, compare GPRs, RFLAGS
 * (CF PF AF ZF SF OF), x87 state, MXCSR, XMM0-15 and memory, and the
 * exception vector (#XM 19 from the host's SIGFPE, #GP 13 for misaligned
 * 16-byte operands and reserved MXCSR bits, #MF 16 for MMX forms with a
 * pending x87 exception).
 *
 * Inputs are rich in special values (±0, QNaN/SNaN with payloads, ±inf,
 * denormals, largest/smallest normals, .5 rounding boundaries and values
 * converting to the integer indefinite), all four rounding modes, DAZ and
 * FTZ on and off, masked and unmasked exceptions, register and memory
 * forms, aligned and misaligned memory, random REX bits and imm8.  Each
 * row must be compared at least MIN_PER_ROW times.
 *
 * sse_cr_checks: what the host cannot switch, in the guest only: CR0.EM
 * (#UD), CR0.TS (#NM), CR4.OSFXSR=0 (#UD) for every row (fences, CLFLUSH
 * and MOVNTI have no such checks), CR4.OSXMMEXCPT=0 (#UD for an unmasked
 * exception), CLFLUSH of a non-canonical address (#GP).
 */
#include "simd_oracle.h"
#include "tests/vireo_check.h"

#include "cpu/fpu.h"

#define MIN_PER_ROW 300u

/* ---- my rows, straight from the .def ---- */
struct srow {
    uint8_t pfx, opcode;
    int8_t reg;            /* -1 or group reg */
    bool regonly_rm;       /* OP2R: mod=3 only */
    const char *mnem, *ops;
    unsigned count, faults;
};

static struct srow srows[] = {
#define OPX(map, p, o, m, ops, fn, fl) {p, o, -1, false, m, ops, 0, 0},
#define OP2G(o, r, m, ops, fn, fl) {P_NONE, o, r, false, m, ops, 0, 0},
#define OP2R(o, r, m, ops, fn, fl) {P_NONE, o, r, true, m, ops, 0, 0},
#include "cpu/opcodes_sse.def"
#undef OPX
#undef OP2G
#undef OP2R
    /* not rows of this file: the prefetch / hint-NOP space (opcodes.def
     * NOP Ev rows; prefetches never fault) */
    {P_NONE, 0x0d, -1, false, "prefetch(w)", "Mb", 0, 0},   /* mod=3: #UD on the AMD host, NOP in vireo (not compared) */
    {P_NONE, 0x18, -1, false, "prefetchh", "Ev", 0, 0},
    {P_NONE, 0x19, -1, false, "hint-nop", "Ev", 0, 0},
    {P_NONE, 0x1a, -1, false, "hint-nop", "Ev", 0, 0},
    {P_NONE, 0x1b, -1, false, "hint-nop", "Ev", 0, 0},
    {P_NONE, 0x1c, -1, false, "hint-nop", "Ev", 0, 0},
    {P_NONE, 0x1d, -1, false, "hint-nop", "Ev", 0, 0},
    {P_NONE, 0x1e, -1, false, "hint-nop", "Ev", 0, 0},
    {P_NONE, 0x1f, -1, false, "nop", "Ev", 0, 0},
};
#define NSROWS (sizeof(srows) / sizeof(srows[0]))

/* ---- PRNG ---- */
static uint64_t rs = 0x5eed5eedull;
static uint64_t rnd(void)
{
    return vireo_rand(&rs);
}
static unsigned rndn(unsigned n) { return (unsigned)(rnd() % n); }

/* ---- special values ---- */
static uint32_t f32_special(void)
{
    static const uint32_t tab[] = {
        0x00000000, 0x80000000, 0x7f800000, 0xff800000,   /* ±0, ±inf */
        0x7fc00000, 0xffc00000, 0x7fc12345, 0xffd00001,   /* QNaN */
        0x7f800001, 0xff812345, 0x7fa00000, 0xffbfffff,   /* SNaN */
        0x00000001, 0x807fffff, 0x00400000, 0x80000010,   /* denormals */
        0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff,   /* min/max normal */
        0x3f800000, 0xbf800000, 0x3f000000, 0xbf000000,   /* ±1, ±0.5 */
        0x3fc00000, 0x40200000, 0xc0200000, 0x3fa00000,   /* 1.5, 2.5, -2.5, 1.25 */
        0x4effffff, 0x4f000000, 0xcf000000, 0xcf000001,   /* int32 boundaries */
        0x5effffff, 0x5f000000, 0xdf000000, 0xdf000001,   /* int64 boundaries */
        0x4b800000, 0x4b7fffff, 0x34000000, 0x0c000000,   /* 2^24, tiny products */
        0x7e800000, 0x01000000, 0x3f800001, 0x3f7fffff,
    };
    unsigned k = rndn(3);
    if (k == 0)
        return tab[rndn(sizeof(tab) / sizeof(tab[0]))];
    if (k == 1)
        return (uint32_t)rnd();
    /* moderate value with random sign/mantissa, exponent near 0 or edges */
    uint32_t e = rndn(4) ? 100 + rndn(55) : rndn(256);
    return (uint32_t)(rnd() & 0x807fffff) | e << 23;
}

static uint64_t f64_special(void)
{
    static const uint64_t tab[] = {
        0, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
        0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff8000012345678ull, 0xfffc000000000001ull,
        0x7ff0000000000001ull, 0xfff4000000000000ull, 0x7ff7ffffffffffffull, 0xfff0000012345678ull,
        1, 0x800fffffffffffffull, 0x0008000000000000ull, 0x8000000000000100ull,
        0x0010000000000000ull, 0x8010000000000000ull, 0x7fefffffffffffffull, 0xffefffffffffffffull,
        0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3fe0000000000000ull, 0xbfe0000000000000ull,
        0x3ff8000000000000ull, 0x4004000000000000ull, 0xc004000000000000ull, 0x3ff4000000000000ull,
        0x41dfffffffe00000ull, 0x41dfffffffffffffull, 0x41e0000000000000ull, 0xc1e0000000000000ull,
        0xc1e0000000100000ull, 0xc1e0000000200000ull, 0x41dfffffffc00000ull, 0x41efffffffe00000ull,
        0x43dfffffffffffffull, 0x43e0000000000000ull, 0xc3e0000000000000ull, 0xc3e0000000000001ull,
        0x47efffffe0000000ull, 0x47efffff00000000ull, 0x47f0000000000000ull, 0x3690000000000000ull,
        0x36a0000000000000ull, 0x380fffffe0000000ull, 0x3810000000000000ull, 0x369fffffffffffffull,
        0x4340000000000000ull, 0x433fffffffffffffull, 0x3ff0000000000001ull, 0x3fefffffffffffffull,
    };
    unsigned k = rndn(3);
    if (k == 0)
        return tab[rndn(sizeof(tab) / sizeof(tab[0]))];
    if (k == 1)
        return rnd();
    uint64_t e = rndn(4) ? 900 + rndn(250) : rndn(2048);
    if (rndn(4) == 0)
        e = 0x380 - 30 + rndn(60);   /* around the float denormal range */
    return (rnd() & 0x800fffffffffffffull) | e << 52;
}

static uint64_t int_special(unsigned size)
{
    static const uint64_t tab[] = {
        0, 1, ~0ull, 0x7fffffff, 0x80000000, 0x7fffffffffffffffull, 0x8000000000000000ull,
        0x1000000, 0x1000001, 0xffffff, 0x20000000000001ull, 0x1fffffffffffffull, 0xffffffffff000001ull,
        0x7fffffc0, 0x7fffffbf, 0xfffffffe,
    };
    uint64_t v;
    if (rndn(2)) {
        v = tab[rndn(sizeof(tab) / sizeof(tab[0]))];
    } else {
        v = rnd();             /* two statements: a fixed draw order */
        v >>= rndn(64);
    }
    return v & size_mask(size);
}

static void fill_bytes(uint8_t *p, unsigned n)
{
    unsigned kind = rndn(8);
    for (unsigned k = 0; k < n;) {
        if (kind < 3 && n - k >= 4) {
            uint32_t x = f32_special();
            memcpy(p + k, &x, 4);
            k += 4;
        } else if (kind < 6 && n - k >= 8) {
            uint64_t x = f64_special();
            memcpy(p + k, &x, 8);
            k += 8;
        } else if (kind < 7 && n - k >= 4) {
            uint32_t x = (uint32_t)int_special(4);
            memcpy(p + k, &x, 4);
            k += 4;
        } else {
            p[k++] = (uint8_t)rnd();
        }
    }
}

/* ---- state ---- */
static uint32_t rand_mxcsr(void)
{
    uint32_t m = 0x1f80;
    if (rndn(2))
        m = (m & ~0x6000u) | rndn(4) << 13;   /* rounding */
    if (rndn(4) == 0)
        m |= MXCSR_DAZ;
    if (rndn(4) == 0)
        m |= MXCSR_FZ;
    if (rndn(3) == 0)
        m &= ~((uint32_t)rnd() & 0x1f80);     /* unmask some exceptions */
    if (rndn(4) == 0)
        m |= (uint32_t)rnd() & 0x3f;          /* sticky flags already set */
    return m;
}

static void rand_case(struct so_case *c)
{
    memset(c, 0, sizeof(*c));
    c->mem_at = -1;
    for (int k = 0; k < 16; k++)
        c->in.gpr[k] = int_special(8);
    c->in.gpr[R_RSP] = 0;
    c->in.rflags = X86_FLAG_FIXED | (rnd() & 0x8d5);
    struct x86_fpu fpu;
    memset(&fpu, 0, sizeof(fpu));
    fpu.fcw = 0x37f;
    fpu.fsw = (uint16_t)(rndn(8) << FSW_TOP_SHIFT);
    fpu.ftw = (uint8_t)rnd();
    if (rndn(16) == 0) {
        /* a pending unmasked x87 exception: MMX forms raise #MF */
        fpu.fcw = 0x37e;
        fpu.fsw |= 0x8081;   /* IE, ES and B (B mirrors ES) */
    }
    for (int k = 0; k < 8; k++) {
        fpu.st[k].mantissa = rnd();
        fpu.st[k].sign_exp = (uint16_t)rnd();
    }
    fpu.mxcsr = rand_mxcsr();
    for (int k = 0; k < 16; k++)
        fill_bytes(fpu.xmm[k].b, 16);
    cpu_fpu_to_fxsave(c->in.fx, &fpu);
    fill_bytes(c->mem, SO_MEMSZ);
}

static union x86_xmm *fx_xmm(struct so_case *c, unsigned n)
{
    return (union x86_xmm *)(c->in.fx + 160 + 16 * (n & 15));
}

static bool is_ldmxcsr(const struct srow *r) { return r->opcode == 0xae && r->reg == 2; }

/* Build one encoding of row R; false if this draw is not usable. */
static bool build(struct srow *r, struct so_case *c)
{
    rand_case(c);
    const char *o = r->ops;
    bool has_mem = strchr(o, 'W') || strchr(o, 'M') || strchr(o, 'Q') || strchr(o, 'E');
    bool mem_only = strchr(o, 'M') != NULL;
    bool reg_only = strchr(o, 'U') != NULL || r->regonly_rm || !has_mem;
    bool gpr = strchr(o, 'G') || strchr(o, 'E');   /* keep RSP out of GPR operands */
    bool mem = mem_only || (!reg_only && rndn(2));
    unsigned n = 0;
    /* sometimes an extra 66/F2/F3 (SIMD prefix rules: #UD, or the last
     * F2/F3 wins); not where the AMD host has instructions vireo's
     * profile lacks (F2/F3 0F 2B MOVNTSS/SD, F2/F3 0F 12/16 SSE3) */
    if (rndn(8) == 0 && r->opcode != 0x2b && r->opcode != 0x12 && r->opcode != 0x16 &&
        !(r->opcode == 0x0d || (r->opcode >= 0x18 && r->opcode <= 0x1f))) {
        static const uint8_t extra[3] = {0x66, 0xf2, 0xf3};
        c->code[n++] = extra[rndn(3)];
        gpr = true;   /* may have become a GPR form (F2 0F 2A: CVTSI2SD) */
    }
    if (r->pfx)
        c->code[n++] = r->pfx == P_66 ? 0x66 : r->pfx == P_F3 ? 0xf3 : 0xf2;
    uint8_t rex = 0;
    if (rndn(2))
        rex = (uint8_t)(0x40 | (rnd() & 0xf));
    if (mem)
        rex &= (uint8_t)~2;   /* REX.X is harmless with rip-relative, keep it simple */
    unsigned reg = r->reg >= 0 ? (unsigned)r->reg : rndn(8);
    unsigned rm = rndn(8);
    if (gpr) {
        if (reg == 4 && r->reg < 0 && !(rex & 4))
            reg = 5;
        if (rm == 4 && !(rex & 1))
            rm = 3;
    }
    if (rex)
        c->code[n++] = rex;
    c->code[n++] = 0x0f;
    c->code[n++] = r->opcode;
    if (mem) {
        c->code[n++] = (uint8_t)(reg << 3 | 5);
        n += 4;
        unsigned align16 = strchr(o, 'W') || strchr(o, 'M');
        unsigned at = rndn(SO_MEMSZ - 15);
        if (align16 && rndn(8))
            at &= ~15u;
        c->mem_at = (int)at;
    } else {
        c->code[n++] = (uint8_t)(0xc0 | reg << 3 | rm);
    }
    if (strstr(o, "Ib")) {
        uint8_t imm = (uint8_t)rnd();
        if (r->opcode == 0xc2 && rndn(8))
            imm &= 7;
        c->code[n++] = imm;
    }
    if (mem && c->mem_at >= 0) {
        /* make equal operands and related values likely */
        unsigned xr = (reg | ((rex & 4) << 1)) & 15;
        if (rndn(4) == 0)
            memcpy(c->mem + c->mem_at, fx_xmm(c, xr), 16);
        if (is_ldmxcsr(r)) {
            uint32_t m = rand_mxcsr();
            if (rndn(8) == 0)
                m |= 1u << (18 + rndn(14));   /* reserved: #GP (bit 17 is AMD's MM, the host accepts it) */
            memcpy(c->mem + c->mem_at, &m, 4);
        }
    } else if (rndn(4) == 0) {
        unsigned xr = (reg | ((rex & 4) << 1)) & 15, xm = (rm | ((rex & 1) << 3)) & 15;
        if (!gpr) {
            union x86_xmm *a = fx_xmm(c, xr), *b = fx_xmm(c, xm);
            for (int k = 0; k < 4; k++)
                if (rndn(2))
                    a->d[k] = b->d[k] ^ (rndn(4) == 0 ? 0x80000000u : 0);
        }
    }
    if (strchr(o, 'E') && !mem && rndn(2)) {
        /* integer sources of CVTSI2SS/SD */
        unsigned g = (rm | ((rex & 1) << 3)) & 15;
        if (g != R_RSP)
            c->in.gpr[g] = int_special(8);
    }
    memset(c->code + n, 0x90, sizeof(c->code) - n);
    return so_prepare(c);
}

START_TEST(sse_rows)
{
    struct so_host h;
    if (!so_host_init(&h)) {
        fprintf(stderr, "host cannot run x86-64 code: skipped\n");
        exit(77);
    }
    struct fake f;
    so_guest_init(&f);
    struct so_case c;
    struct so_result hr, gr;
    unsigned bad = 0, total = 0, faults[32] = {0}, post_xm = 0;
    unsigned iters = 400;
    if (getenv("SSE_FP_ITERS"))   /* longer local runs: SSE_FP_ITERS=n SSE_FP_SEED=s */
        iters = (unsigned)strtoul(getenv("SSE_FP_ITERS"), NULL, 0);
    if (getenv("SSE_FP_SEED"))
        rs = strtoull(getenv("SSE_FP_SEED"), NULL, 0) | 1;
    for (size_t k = 0; k < NSROWS; k++) {
        struct srow *r = &srows[k];
        for (unsigned it = 0; it < iters; it++) {
            if (!build(r, &c))
                continue;
            so_host_run(&h, &c, &hr);
            so_guest_run(&f, &c, &gr);
            char what[64];
            snprintf(what, sizeof(what), "%s (%s)", r->mnem, r->ops);
            total++;
            if (!so_compare(what, &c, &hr, &gr, 0x8d5))
                bad++;
            else
                r->count++;
            uint32_t mx_in, mx_h;
            memcpy(&mx_in, c.in.fx + 24, 4);
            memcpy(&mx_h, hr.out.fx + 24, 4);
            if (hr.vec == 19 && (mx_h & ~mx_in & (MXCSR_OE | MXCSR_UE)))
                post_xm++;
            if (hr.vec >= 0) {
                r->faults++;
                faults[hr.vec & 31]++;
            }
        }
    }
    fprintf(stderr, "test_sse_fp: %zu rows, %u cases, %u mismatches; faults: #XM %u (unmasked OE/UE %u) #GP %u "
            "#MF %u #UD %u\n", NSROWS, total, bad, faults[19], post_xm, faults[13], faults[16], faults[6]);
    unsigned minc = ~0u;
    for (size_t k = 0; k < NSROWS; k++)
        minc = srows[k].count < minc ? srows[k].count : minc;
    fprintf(stderr, "test_sse_fp: fewest comparisons for one row: %u (required %u)\n", minc, MIN_PER_ROW);
    for (size_t k = 0; k < NSROWS; k++)
        if (srows[k].count < MIN_PER_ROW)
            fprintf(stderr, "  row %02x/%d pfx %u %s: only %u compared\n", srows[k].opcode, srows[k].reg,
                    srows[k].pfx, srows[k].mnem, srows[k].count);
    ck_assert_uint_eq(bad, 0);
    for (size_t k = 0; k < NSROWS; k++)
        ck_assert_uint_ge(srows[k].count, MIN_PER_ROW);
    ck_assert_uint_gt(faults[19], 100);
    ck_assert_uint_gt(faults[13], 50);
    ck_assert_uint_gt(post_xm, 50);
    fake_fini(&f);
    so_host_fini(&h);
}
END_TEST

/* ---- guest-only checks the host cannot switch: CR0.EM/TS, CR4.OSFXSR,
 * CR4.OSXMMEXCPT (SDM vol. 3A 2.5, 13.1; vol. 2 2.4 exception classes) */

static void guest_run_cr(struct fake *f, const struct so_case *c, struct so_result *r, uint64_t cr0_set,
                         uint64_t cr4_clear, uint64_t rax)
{
    fake_load(f, SO_CODE_GPA + SO_MEM_OFF, c->mem, SO_MEMSZ);
    struct cpu_state st;
    so_guest_state(f, &st);
    st.cr0 |= cr0_set;
    st.cr4 &= ~cr4_clear;
    for (int k = 0; k < 16; k++)
        if (k != R_RSP)
            st.gpr[k] = c->in.gpr[k];
    st.gpr[R_RAX] = rax;
    st.rflags = c->in.rflags | X86_FLAG_FIXED;
    cpu_fpu_from_fxsave(c->in.fx, &st.fpu);
    r->vec = so_guest_exec(f, c->code, c->len, &st);
    cpu_fpu_to_fxsave(r->out.fx, &st.fpu);
}

/* rows that are not SSE-state instructions: no CR0/CR4 checks */
static bool no_sse_checks(const struct srow *r)
{
    return !strcmp(r->mnem, "movnti") || r->opcode == 0x0d || (r->opcode >= 0x18 && r->opcode <= 0x1f) || !strcmp(r->mnem, "clflush") || strstr(r->mnem, "fence");
}

START_TEST(sse_cr_checks)
{
    struct fake f;
    so_guest_init(&f);
    struct so_case c;
    struct so_result gr;
    unsigned checked = 0;
    for (size_t k = 0; k < NSROWS; k++) {
        struct srow *r = &srows[k];
        for (unsigned it = 0; it < 8; it++) {
            if (!build(r, &c))
                continue;
            /* only encodings that complete normally */
            guest_run_cr(&f, &c, &gr, 0, 0, c.in.gpr[R_RAX]);
            if (gr.vec != -1)
                continue;
            bool plain = no_sse_checks(r);
            guest_run_cr(&f, &c, &gr, X86_CR0_EM, 0, c.in.gpr[R_RAX]);
            ck_assert_int_eq(gr.vec, plain ? -1 : EXC_UD);
            guest_run_cr(&f, &c, &gr, X86_CR0_EM | X86_CR0_TS, 0, c.in.gpr[R_RAX]);
            ck_assert_int_eq(gr.vec, plain ? -1 : EXC_UD);
            guest_run_cr(&f, &c, &gr, X86_CR0_TS, 0, c.in.gpr[R_RAX]);
            ck_assert_int_eq(gr.vec, plain ? -1 : EXC_NM);
            guest_run_cr(&f, &c, &gr, 0, X86_CR4_OSFXSR, c.in.gpr[R_RAX]);
            ck_assert_int_eq(gr.vec, plain ? -1 : EXC_UD);
            checked++;
        }
    }
    ck_assert_uint_gt(checked, NSROWS * 3);

    /* unmasked #I with CR4.OSXMMEXCPT=0: #UD, IE set, destination kept */
    struct x86_fpu fpu;
    memset(&c, 0, sizeof(c));
    c.mem_at = -1;
    memset(&fpu, 0, sizeof(fpu));
    fpu.fcw = 0x37f;
    fpu.mxcsr = 0x1f80 & ~(1u << 7);
    fpu.xmm[1].d[0] = 0x7f800001;   /* SNaN */
    fpu.xmm[2].d[0] = 0x3f800000;
    cpu_fpu_to_fxsave(c.in.fx, &fpu);
    memcpy(c.code, "\x0f\x58\xca", 3);   /* addps xmm1, xmm2 */
    ck_assert(so_prepare(&c));
    guest_run_cr(&f, &c, &gr, 0, X86_CR4_OSXMMEXCPT, 0);
    ck_assert_int_eq(gr.vec, EXC_UD);
    struct x86_fpu out;
    cpu_fpu_from_fxsave(gr.out.fx, &out);
    ck_assert_uint_eq(out.mxcsr, fpu.mxcsr | MXCSR_IE);
    ck_assert_uint_eq(out.xmm[1].d[0], 0x7f800001);
    guest_run_cr(&f, &c, &gr, 0, 0, 0);
    ck_assert_int_eq(gr.vec, EXC_XM);

    /* CLFLUSH checks the byte like a read: non-canonical #GP(0), not
     * mapped #PF, mapped: nothing happens */
    memset(&c, 0, sizeof(c));
    c.mem_at = -1;
    cpu_fpu_to_fxsave(c.in.fx, &fpu);
    memcpy(c.code, "\x0f\xae\x38", 3);   /* clflush [rax] */
    ck_assert(so_prepare(&c));
    guest_run_cr(&f, &c, &gr, 0, 0, 0x8000000000000000ull);
    ck_assert_int_eq(gr.vec, EXC_GP);
    guest_run_cr(&f, &c, &gr, 0, 0, 0x7ffffffff000ull);
    ck_assert_int_eq(gr.vec, EXC_PF);
    guest_run_cr(&f, &c, &gr, 0, 0, SO_CODE_GPA + SO_MEM_OFF + 3);
    ck_assert_int_eq(gr.vec, -1);
    fake_fini(&f);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("sse_fp");
    TCase *tc = tcase_create("oracle");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sse_rows);
    tcase_add_test(tc, sse_cr_checks);
    suite_add_tcase(su, tc);
    return vireo_check_run(su);
}
