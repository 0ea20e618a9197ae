/*
 * test_fpstate.c - FXSAVE/FXRSTOR and the XSAVE family against the host
 * CPU (tests/unit/simd_oracle.h): random x87/SSE states saved with
 * FXSAVE64/XSAVE64/XSAVEOPT64/XSAVEC64 must produce the host's bytes, and
 * random images restored with FXRSTOR64/XRSTOR64 the host's state (or the
 * same #GP for reserved MXCSR bits, misalignment and bad XSAVE headers).
 * FOP/FIP/FDP (bytes 6-23) are not compared: they hold host addresses,
 * and AMD CPUs save them only while an x87 exception is pending.
 *
 * Guest-only checks (the host's XCR0 and CPUID are its own): XGETBV and
 * XSETBV rules (SDM vol. 2 XSETBV: #GP for CPL>0, ECX!=0, unsupported or
 * inconsistent bits; #UD without CR4.OSXSAVE), CPUID leaf 0xD sizes and
 * the OSXSAVE bit following CR4, the SSE #UD/#NM rules for FXSAVE.
 */
#include "simd_oracle.h"
#include "tests/vireo_check.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    return vireo_xorshift64(&rng);
}

/* A random but valid x87/SSE state as an FXSAVE image. */
static void random_state(struct so_case *c)
{
    struct x86_fpu f;
    memset(&f, 0, sizeof(f));
    f.fcw = (uint16_t)(0x1040 | (rnd() & 0x0f3f));
    f.fsw = (uint16_t)(rnd() & 0x7f7f);
    /* ES and B mirror "an unmasked exception flag is set" (FXRSTOR
     * recomputes them, SDM vol. 1 8.1.3.1) */
    f.fsw &= (uint16_t)~0x8080u;
    if (f.fsw & ~f.fcw & 0x3f)
        f.fsw |= 0x8080;
    f.ftw = (uint8_t)rnd();
    for (int k = 0; k < 8; k++) {
        f.st[k].mantissa = rnd();
        f.st[k].sign_exp = (uint16_t)rnd();
    }
    f.mxcsr = (uint32_t)(rnd() & 0xffff);
    for (int k = 0; k < 16; k++) {
        f.xmm[k].q[0] = rnd();
        f.xmm[k].q[1] = rnd();
    }
    cpu_fpu_to_fxsave(c->in.fx, &f);
}

static void base_case(struct so_case *c, const char *code, size_t len)
{
    memset(c, 0, sizeof(*c));
    memcpy(c->code, code, len);
    c->mem_at = 0;
    for (int k = 0; k < 16; k++)
        c->in.gpr[k] = rnd();
    c->in.gpr[R_RSP] = 0;
    c->in.rflags = X86_FLAG_FIXED;
    random_state(c);
    for (unsigned k = 0; k < SO_MEMSZ; k++)
        c->mem[k] = (uint8_t)rnd();
}

/* Hide the host-address fields (FOP, FIP, FDP) of a saved image. */
static void hide_pointers(struct so_result *h, const struct so_result *g, unsigned at)
{
    memcpy(h->mem + at + 6, g->mem + at + 6, 18);
}

/* MXCSR_MASK (bytes 28-31) is a property of the CPU model: vireo's is
 * 0xFFFF (SDM vol. 1 11.6.6, DAZ supported); this AMD host adds bit 17. */
static unsigned mask_bad;

static void hide_mxcsr_mask(struct so_result *h, const struct so_result *g, unsigned at)
{
    uint32_t m;
    memcpy(&m, g->mem + at + 28, 4);
    uint32_t hm;
    memcpy(&hm, h->mem + at + 28, 4);
    if (hm != m) {
        if (m != 0xffff)
            mask_bad++;
        memcpy(h->mem + at + 28, &m, 4);
    }
}

static void hide_state_pointers(struct so_result *h, const struct so_result *g)
{
    memcpy(h->out.fx + 6, g->out.fx + 6, 18);
}

struct env {
    struct so_host h;
    struct fake f;
};

static unsigned run_pair(struct env *e, struct so_case *c, const char *what, unsigned at)
{
    struct so_result hr, gr;
    ck_assert(so_prepare(c));
    so_host_run(&e->h, c, &hr);
    so_guest_run(&e->f, c, &gr);
    hide_pointers(&hr, &gr, at);
    hide_mxcsr_mask(&hr, &gr, at);
    hide_state_pointers(&hr, &gr);
    return so_compare(what, c, &hr, &gr, 0x8d5) ? 0 : 1;
}

START_TEST(save_restore_vs_host)
{
    struct env e;
    if (!so_host_init(&e.h)) {
        fprintf(stderr, "host cannot run x86-64 code: skipped\n");
        exit(77);
    }
    so_guest_init(&e.f);
    unsigned bad = 0, n = 0;
    struct so_case c;
    for (unsigned it = 0; it < 300; it++) {
        /* fxsave64 [rip+d] at offset 0 (aligned) */
        base_case(&c, "\x48\x0f\xae\x05\0\0\0\0", 8);
        bad += run_pair(&e, &c, "fxsave64", 0);
        /* fxsave (32-bit format) */
        base_case(&c, "\x0f\xae\x05\0\0\0\0", 7);
        bad += run_pair(&e, &c, "fxsave", 0);
        /* misaligned: #GP */
        base_case(&c, "\x48\x0f\xae\x05\0\0\0\0", 8);
        c.mem_at = 8;
        bad += run_pair(&e, &c, "fxsave64 misaligned", 8);
        /* fxrstor64 from a random image with a random (maybe reserved) MXCSR */
        base_case(&c, "\x48\x0f\xae\x0d\0\0\0\0", 8);
        random_state(&c);
        memcpy(c.mem, c.in.fx, 416);
        random_state(&c);
        if (rnd() & 1) {
            uint32_t m = (uint32_t)rnd();
            memcpy(c.mem + 24, &m, 4);
        }
        c.mem[6] = c.mem[7] = 0;   /* FOP: only 11 bits exist */
        bad += run_pair(&e, &c, "fxrstor64", 0);
        /* xsave64 / xsaveopt64 / xsavec64 with a random RFBM */
        static const char *const saves[3] = {"\x48\x0f\xae\x25\0\0\0\0", "\x48\x0f\xae\x35\0\0\0\0",
                                             "\x48\x0f\xc7\x25\0\0\0\0"};
        static const char *const names[3] = {"xsave64", "xsaveopt64", "xsavec64"};
        for (int k = 0; k < 3; k++) {
            base_case(&c, saves[k], 8);
            c.in.gpr[R_RAX] = rnd() & 3;
            c.in.gpr[R_RDX] = 0;
            memset(c.mem + 512, 0, 64);
            bad += run_pair(&e, &c, names[k], 0);
        }
        /* xrstor64 from a random area: XSTATE_BV/XCOMP_BV random among
         * valid and invalid headers */
        base_case(&c, "\x48\x0f\xae\x2d\0\0\0\0", 8);
        random_state(&c);
        memcpy(c.mem, c.in.fx, 416);
        random_state(&c);
        uint32_t mx = (uint32_t)(rnd() & 0xffff);
        memcpy(c.mem + 24, &mx, 4);
        c.mem[6] = c.mem[7] = 0;
        memset(c.mem + 512, 0, 64);
        uint64_t bv = rnd() & 3, comp = 0;
        static const char *const kinds[6] = {"xrstor64 bv-bit8", "xrstor64 compacted",
                                             "xrstor64 compacted-partial", "xrstor64 reserved-header",
                                             "xrstor64", "xrstor64"};
        unsigned kind = it % 6;
        switch (kind) {
        case 0: bv |= 1u << 8; break;   /* not an XCR0 component on any CPU (PT) */
        case 1: comp = (1ull << 63) | 3; break;               /* compacted */
        case 2: comp = (1ull << 63) | (bv & 1); break;        /* compacted, maybe BV outside */
        case 3: c.mem[512 + 20] = 1; break;                   /* reserved header byte */
        default: break;
        }
        memcpy(c.mem + 512, &bv, 8);
        memcpy(c.mem + 520, &comp, 8);
        c.in.gpr[R_RAX] = rnd() & 3;
        c.in.gpr[R_RDX] = 0;
        bad += run_pair(&e, &c, kinds[kind], 0);
        n += 8;
    }
    fprintf(stderr, "fpstate: %u save/restore cases compared with the host, %u mismatches\n", n, bad);
    ck_assert_uint_eq(bad, 0);
    ck_assert_uint_eq(mask_bad, 0);
    fake_fini(&e.f);
    so_host_fini(&e.h);
}
END_TEST

/* ---- guest-only checks ---- */

/* The harness's guest state (simd_oracle.h) with XCR0 = x87 only, the
 * value after reset, so XSETBV's effect is visible. */
static void guest_state(struct fake *f, struct cpu_state *s)
{
    so_guest_state(f, s);
    s->xcr0 = 1;
}

START_TEST(xcr0_rules)
{
    struct fake f;
    so_guest_init(&f);
    struct cpu_state s;
    static const uint8_t xsetbv[] = {0x0f, 0x01, 0xd1}, xgetbv[] = {0x0f, 0x01, 0xd0};
    static const struct { uint32_t ecx; uint64_t val; int vec; } cases[] = {
        {0, 3, -1}, {0, 1, -1}, {0, 2, 13}, {0, 0, 13}, {0, 7, 13}, {0, 1ull << 32 | 1, 13},
        {1, 1, 13},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        guest_state(&f, &s);
        s.gpr[R_RCX] = cases[k].ecx;
        s.gpr[R_RAX] = (uint32_t)cases[k].val;
        s.gpr[R_RDX] = cases[k].val >> 32;
        ck_assert_int_eq(so_guest_exec(&f, xsetbv, sizeof(xsetbv), &s), cases[k].vec);
        if (cases[k].vec < 0) {
            ck_assert_uint_eq(s.xcr0, cases[k].val);
            s.gpr[R_RCX] = 0;
            ck_assert_int_eq(so_guest_exec(&f, xgetbv, sizeof(xgetbv), &s), -1);
            ck_assert_uint_eq(s.gpr[R_RAX], cases[k].val);
            ck_assert_uint_eq(s.gpr[R_RDX], 0);
        } else {
            ck_assert_uint_eq(s.xcr0, 1);
        }
    }
    /* CPL 3: #GP (delivered on the TSS's RSP0 stack); CR4.OSXSAVE=0: #UD
     * for XSETBV, XGETBV and XSAVE */
    guest_state(&f, &s);
    uint8_t tss[104] = {0};
    uint64_t rsp0 = 0x9000;
    memcpy(tss + 4, &rsp0, 8);
    fake_load(&f, 0x5e000, tss, sizeof(tss));
    s.tr.base = 0x5e000;
    s.tr.limit = sizeof(tss) - 1;
    s.tr.type = 0xb;
    s.tr.present = 1;
    s.tr.selector = 0x18;
    s.seg[SEG_CS].dpl = 3;
    s.seg[SEG_CS].selector |= 3;
    s.seg[SEG_SS].dpl = 3;
    s.seg[SEG_SS].selector |= 3;
    s.gpr[R_RAX] = 3;
    s.gpr[R_RCX] = 0;
    s.gpr[R_RDX] = 0;
    ck_assert_int_eq(so_guest_exec(&f, xsetbv, sizeof(xsetbv), &s), 13);
    static const uint8_t xsave[] = {0x0f, 0xae, 0x20};   /* xsave [rax] */
    const uint8_t *codes[3] = {xsetbv, xgetbv, xsave};
    for (int k = 0; k < 3; k++) {
        guest_state(&f, &s);
        s.cr4 &= ~(uint64_t)X86_CR4_OSXSAVE;
        s.gpr[R_RAX] = 0x3000;
        s.gpr[R_RCX] = 0;
        ck_assert_int_eq(so_guest_exec(&f, codes[k], 3, &s), 6);
    }
    /* CR0.TS: #NM for XSAVE and FXSAVE; CR0.EM: #NM for FXSAVE (SDM
     * FXSAVE "Protected Mode Exceptions") */
    static const uint8_t fxsave[] = {0x0f, 0xae, 0x00};  /* fxsave [rax] */
    guest_state(&f, &s);
    s.cr0 |= X86_CR0_TS;
    s.gpr[R_RAX] = 0x3000;
    ck_assert_int_eq(so_guest_exec(&f, xsave, 3, &s), 7);
    guest_state(&f, &s);
    s.cr0 |= X86_CR0_EM;
    s.gpr[R_RAX] = 0x3000;
    ck_assert_int_eq(so_guest_exec(&f, fxsave, 3, &s), 7);
    fake_fini(&f);
}
END_TEST

START_TEST(cpuid_profile)
{
    struct fake f;
    so_guest_init(&f);
    struct cpu_state s;
    static const uint8_t cpuid[] = {0x0f, 0xa2};
    /* leaf 1: x86-64-v2 bits; OSXSAVE follows CR4 */
    for (int osx = 0; osx < 2; osx++) {
        guest_state(&f, &s);
        if (!osx)
            s.cr4 &= ~(uint64_t)X86_CR4_OSXSAVE;
        s.gpr[R_RAX] = 1;
        s.gpr[R_RCX] = 0;
        ck_assert_int_eq(so_guest_exec(&f, cpuid, 2, &s), -1);
        uint32_t ecx = (uint32_t)s.gpr[R_RCX], edx = (uint32_t)s.gpr[R_RDX];
        /* SSE3 SSSE3 CX16 SSE4.1 SSE4.2 POPCNT XSAVE */
        uint32_t want_ecx = 1u << 0 | 1u << 9 | 1u << 13 | 1u << 19 | 1u << 20 | 1u << 23 | 1u << 26;
        /* FPU TSC CX8 CMOV MMX FXSR SSE SSE2 */
        uint32_t want_edx = 1u << 0 | 1u << 4 | 1u << 8 | 1u << 15 | 1u << 23 | 1u << 24 | 1u << 25 | 1u << 26;
        ck_assert_uint_eq(ecx & want_ecx, want_ecx);
        ck_assert_uint_eq(edx & want_edx, want_edx);
        ck_assert_uint_eq((ecx >> 27) & 1, (unsigned)osx);
        ck_assert_uint_eq((uint32_t)s.gpr[R_RAX], VIREO_CPU_SIGNATURE);
    }
    /* leaf 0xD: x87|SSE, 576-byte area (512 legacy + 64 header) */
    guest_state(&f, &s);
    s.gpr[R_RAX] = 0xd;
    s.gpr[R_RCX] = 0;
    ck_assert_int_eq(so_guest_exec(&f, cpuid, 2, &s), -1);
    ck_assert_uint_eq((uint32_t)s.gpr[R_RAX], 3);
    ck_assert_uint_eq((uint32_t)s.gpr[R_RBX], 576);
    ck_assert_uint_eq((uint32_t)s.gpr[R_RCX], 576);
    ck_assert_uint_eq((uint32_t)s.gpr[R_RDX], 0);
    s.gpr[R_RAX] = 0xd;
    s.gpr[R_RCX] = 1;
    ck_assert_int_eq(so_guest_exec(&f, cpuid, 2, &s), -1);
    ck_assert_uint_eq((uint32_t)s.gpr[R_RAX] & 3, 3);   /* XSAVEOPT, XSAVEC */
    fake_fini(&f);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("fpstate");
    TCase *tc = tcase_create("fpstate");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, save_restore_vs_host);
    tcase_add_test(tc, xcr0_rules);
    tcase_add_test(tc, cpuid_profile);
    suite_add_tcase(su, tc);
    return vireo_check_run(su);
}
