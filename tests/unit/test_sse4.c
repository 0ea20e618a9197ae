/*
 * test_sse4.c - SSE3, SSSE3, SSE4.1 and SSE4.2 (cpu/opcodes_sse4.def)
 * against the host CPU (tests/unit/simd_oracle.h).
 *
 * oracle: every row of opcodes_sse4.def (the file is included here, so a
 * new row is tested without editing this list) runs from random states in
 * register and [rip+disp32] memory forms, with aligned and misaligned
 * memory (the #GP(0) of aligned forms, and its absence for LDDQU, PCMPxSTRx,
 * PMOVSX/ZX, scalar and element operands, is the host's answer), random
 * REX (W selects PEXTRQ/PINSRQ, 64-bit PCMPESTRx lengths and CRC32 r64),
 * 66 with CRC32 (16-bit source), every imm8 value in turn, inputs rich in
 * special values (signed zeros, QNaN/SNaN with payloads, infinities,
 * denormals, extreme normals, values at rounding boundaries; integer lane
 * boundaries; short alphabets with NULs for the string compares), string
 * lengths 0, negative, beyond 8/16 and 64-bit in RAX/RDX, all rounding
 * modes, DAZ/FTZ, masked and unmasked exceptions (#XM from the host's
 * SIGFPE), an x87 stack with TOP != 0 for the MMX forms.  Everything
 * simd_oracle compares is compared (GPRs, arithmetic flags, x87 and MXCSR
 * state, XMM0-15, memory, the exception vector); each row must have been
 * compared at least MIN_REG register and MIN_MEM memory cases.
 *
 * states: without the host: CR4.OSFXSR=0 -> #UD, CR0.EM=1 -> #UD,
 * CR0.TS=1 -> #NM for SSE rows and the MMX forms; CRC32 ignores all three;
 * an unmasked exception is #XM, or #UD with CR4.OSXMMEXCPT=0, with the
 * flag recorded and the destination unchanged.
 * SSE4_SEED=n picks another random sequence, SSE4_VERBOSE=1 prints the
 * per-row counts, SSE4_DUMP=1 the inputs of a mismatch.
 */
#include "simd_oracle.h"
#include "tests/vireo_check.h"

#include "cpu/fpu.h"

struct srow {
    uint8_t map, pfx, op;
    const char *mnem, *ops;
};

static const struct srow srows[] = {
#define OPX(map, p, o, m, ops, fn, fl) {map, p, o, m, ops},
#include "cpu/opcodes_sse4.def"
#undef OPX
};
#define NROWS (sizeof(srows) / sizeof(srows[0]))

#define MIN_REG 40
#define MIN_MEM 40

/* ---- deterministic PRNG ---- */
static uint64_t rs = 0x5eed5e4a11ull;
static uint64_t rnd(void)
{
    return vireo_rand(&rs);
}
static unsigned rndn(unsigned n) { return (unsigned)(rnd() % n); }

static const uint32_t fspecial[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40200000, 0xc0200000, 0x3f000000,
    0xbf000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fc12345, 0x7f800001, 0x7fa00000,
    0xff812345, 0x00000001, 0x807fffff, 0x00400000, 0x7f7fffff, 0xff7fffff, 0x00800000, 0x80800000,
    0x4b000000, 0x4b7fffff, 0x3f800001, 0x3effffff, 0x4effffff, 0x5f000000, 0x3f7fffff, 0xcb000001,
    0x1e3ce508, 0x60ad78ec, 0x0c000000, 0x7e800000,
};
static const uint64_t dspecial[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3ff8000000000000ull, 0x4004000000000000ull, 0xc004000000000000ull, 0x3fe0000000000000ull,
    0xbfe0000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
    0xfff8000000000000ull, 0x7ff8000012345678ull, 0x7ff0000000000001ull, 0x7ff4000000000000ull,
    0x0000000000000001ull, 0x800fffffffffffffull, 0x0008000000000000ull, 0x7fefffffffffffffull,
    0x0010000000000000ull, 0x8010000000000000ull, 0x4330000000000000ull, 0x4330000000000001ull,
    0x432fffffffffffffull, 0x3fefffffffffffffull, 0x3ff0000000000001ull, 0x7fe0000000000000ull,
    0x2000000000000000ull, 0x5ff0000000000000ull, 0x0170000000000000ull,
};
static const uint64_t ispecial[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
    0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, 0xfffffffffffffffeull, 0x00ff00ff00ff00ffull,
};
static const uint8_t alpha8[] = {0, 'a', 'a', 'b', 'c', 'z', 0x80, 0xff, 0x7f, 'a', 'b', 'b'};
static const uint16_t alpha16[] = {0, 1, 1, 2, 3, 0x8000, 0xffff, 0x7fff, 0x0061, 0x6100, 2, 1};

/* one 16-byte value; STR: prefer string-like contents */
static void fill(uint8_t *p, bool str)
{
    unsigned style = str ? (rndn(4) ? 3 + rndn(2) : rndn(6)) : rndn(6);
    for (unsigned k = 0; k < 16;) {
        switch (style) {
        case 0: p[k++] = (uint8_t)rnd(); break;
        case 1: {
            uint32_t x = rndn(5) ? fspecial[rndn(sizeof(fspecial) / 4)] : (uint32_t)rnd();
            memcpy(p + k, &x, 4);
            k += 4;
            break;
        }
        case 2: {
            uint64_t x = rndn(5) ? dspecial[rndn(sizeof(dspecial) / 8)] : rnd();
            memcpy(p + k, &x, 8);
            k += 8;
            break;
        }
        case 3: p[k++] = rndn(10) ? alpha8[1 + rndn(sizeof(alpha8) - 1)] : 0; break;
        case 4: {
            uint16_t x = rndn(10) ? alpha16[1 + rndn(sizeof(alpha16) / 2 - 1)] : 0;
            memcpy(p + k, &x, 2);
            k += 2;
            break;
        }
        default: {
            static const unsigned sz[] = {1, 2, 4, 8};
            unsigned s = sz[rndn(4)];
            uint64_t x = rndn(4) ? ispecial[rndn(sizeof(ispecial) / 8)] : rnd();
            if (rndn(2))
                x = ~x;
            if (s > 16 - k)
                s = 16 - k;
            memcpy(p + k, &x, s);
            k += s;
            break;
        }
        }
    }
}

static uint64_t len_value(void)
{
    static const uint64_t special[] = {
        0, 1, 7, 8, 9, 15, 16, 17, 100, (uint64_t)-1, (uint64_t)-7, (uint64_t)-8, (uint64_t)-9,
        (uint64_t)-16, (uint64_t)-17, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0, 0x100000005ull,
        0xffffffff00000003ull, 0x8000000000000000ull, 0x7fffffffffffffffull, 0x00000000fffffffbull,
    };
    if (rndn(3))
        return (uint64_t)rndn(19);
    return rndn(4) ? special[rndn(sizeof(special) / 8)] : rnd();
}

static bool has(const char *ops, const char *s) { return strstr(ops, s) != NULL; }

struct gen {
    bool mem, misaligned;
    unsigned imm;
};

/* Build case C for row R.  Returns false when the encoding was not usable. */
static bool make_case(struct so_case *c, const struct srow *r, unsigned it, struct gen *g)
{
    memset(c, 0, sizeof(*c));
    bool is_str = r->map == 3 && r->op >= 0x60 && r->op <= 0x63;
    bool crc = !strcmp(r->mnem, "crc32");
    bool mem_only = has(r->ops, ",M");
    /* GPR operands: reg field (CRC32's G) and/or rm field (E) */
    bool gpr_reg = r->ops[0] == 'G';
    bool gpr_rm = r->ops[0] == 'E' || has(r->ops, ",E");

    /* ---- encoding ---- */
    unsigned n = 0;
    if (crc && rndn(3) == 0)
        c->code[n++] = 0x66;
    if (r->pfx)
        c->code[n++] = r->pfx == P_66 ? 0x66 : r->pfx == P_F3 ? 0xf3 : 0xf2;
    uint8_t rex = rndn(2) ? (uint8_t)(0x40 | rndn(16)) : 0;
    g->mem = mem_only || rndn(5) < 2;
    unsigned reg = rndn(8), rm = rndn(8);
    if (gpr_reg && (reg | ((rex & 4) << 1)) == R_RSP)
        reg = 0;
    if (!g->mem && gpr_rm && (rm | ((rex & 1) << 3)) == R_RSP) {
        /* CRC32 Eb without REX: rm 4 is AH, fine; otherwise avoid RSP */
        if (!(crc && r->op == 0xf0 && !rex))
            rm = 1;
    }
    if (rex)
        c->code[n++] = rex;
    c->code[n++] = 0x0f;
    if (r->map == 2)
        c->code[n++] = 0x38;
    if (r->map == 3)
        c->code[n++] = 0x3a;
    c->code[n++] = r->op;
    if (g->mem) {
        c->code[n++] = (uint8_t)(reg << 3 | 5);
        n += 4;   /* disp32, patched by so_prepare */
    } else {
        c->code[n++] = (uint8_t)(0xc0 | reg << 3 | rm);
    }
    g->imm = 0;
    if (has(r->ops, "Ib")) {
        g->imm = (it & 0xff) ^ ((it >> 8) * 0x35 & 0xff);
        c->code[n++] = (uint8_t)g->imm;
    }
    g->misaligned = g->mem && rndn(4) == 0;
    c->mem_at = g->mem ? (int)(16 * (1 + rndn(2)) + (g->misaligned ? 1 + rndn(15) : 0)) : -1;

    /* ---- state ---- */
    for (int k = 0; k < 16; k++)
        c->in.gpr[k] = rndn(3) ? ispecial[rndn(sizeof(ispecial) / 8)] ^ (rndn(2) ? 0 : rnd()) : rnd();
    c->in.gpr[R_RSP] = 0;
    if (is_str || rndn(4) == 0) {
        c->in.gpr[R_RAX] = len_value();
        c->in.gpr[R_RDX] = len_value();
    }
    c->in.rflags = X86_FLAG_FIXED | (rnd() & 0x8d5);
    struct x86_fpu fpu;
    memset(&fpu, 0, sizeof(fpu));
    fpu.fcw = 0x37f;
    fpu.fsw = (uint16_t)(rndn(8) << FSW_TOP_SHIFT);
    fpu.ftw = (uint8_t)rnd();
    for (int k = 0; k < 8; k++) {
        fpu.st[k].mantissa = rnd();
        fpu.st[k].sign_exp = (uint16_t)rnd();
    }
    uint32_t mx = (uint32_t)rndn(4) << MXCSR_RC_SHIFT;
    if (rndn(4) == 0)
        mx |= MXCSR_DAZ;
    if (rndn(4) == 0)
        mx |= MXCSR_FZ;
    mx |= rndn(3) ? 0x3fu << MXCSR_MASKS_SHIFT : (uint32_t)rndn(64) << MXCSR_MASKS_SHIFT;
    if (rndn(4) == 0)
        mx |= (uint32_t)rndn(64);
    fpu.mxcsr = mx;
    for (int k = 0; k < 16; k++)
        fill(fpu.xmm[k].b, is_str);
    if (is_str && rndn(2)) {
        /* a needle taken from the haystack, so equal-ordered finds it */
        unsigned a = (reg | ((rex & 4) << 1)) & 15, b = (rm | ((rex & 1) << 3)) & 15, off = rndn(16);
        unsigned len = 1 + rndn(6);
        for (unsigned k = 0; k < len && off + k < 16; k++)
            fpu.xmm[a].b[k] = fpu.xmm[b].b[off + k];
        if (rndn(2))
            fpu.xmm[a].b[len] = 0;
    }
    cpu_fpu_to_fxsave(c->in.fx, &fpu);
    for (unsigned k = 0; k < SO_MEMSZ; k += 16)
        fill(c->mem + k, is_str);
    if (is_str && g->mem && rndn(2)) {
        unsigned a = (reg | ((rex & 4) << 1)) & 15, off = rndn(16), len = 1 + rndn(5);
        for (unsigned k = 0; k < len && off + k < 16; k++)
            c->mem[c->mem_at + (int)off + (int)k] = fpu.xmm[a].b[k];
        cpu_fpu_to_fxsave(c->in.fx, &fpu);
    }
    return so_prepare(c);
}

static unsigned iters_for(const struct srow *r)
{
    if (r->map == 3 && r->op >= 0x60 && r->op <= 0x63)
        return 256 * 12;   /* PCMPxSTRx: every imm8 twelve times */
    if (r->map == 3 && r->pfx == P_66)
        return 256 * 3;    /* other imm8 rows: every imm8 three times */
    if (!strcmp(r->mnem, "crc32"))
        return 1000;
    return 500;
}

START_TEST(oracle)
{
    struct so_host h;
    if (!so_host_init(&h)) {
        fprintf(stderr, "host cannot run x86-64 code: skipped\n");
        exit(77);
    }
    struct fake f;
    so_guest_init(&f);
    static unsigned nreg[NROWS], nmem[NROWS], nfault[NROWS], ngp[NROWS], nxm[NROWS], nbad[NROWS];
    unsigned bad = 0, total = 0;
    if (getenv("SSE4_SEED"))
        rs = strtoull(getenv("SSE4_SEED"), NULL, 0) | 1;
    for (size_t k = 0; k < NROWS; k++) {
        const struct srow *r = &srows[k];
        unsigned iters = iters_for(r);
        for (unsigned it = 0; it < iters; it++) {
            struct so_case c;
            struct gen g;
            struct so_result hr, gr;
            if (!make_case(&c, r, it, &g)) {
                fprintf(stderr, "%s: encoding does not decode\n", r->mnem);
                bad++;
                continue;
            }
            so_host_run(&h, &c, &hr);
            so_guest_run(&f, &c, &gr);
            total++;
            char what[64];
            snprintf(what, sizeof(what), "%s imm %#x%s", r->mnem, g.imm, g.mem ? " mem" : "");
            if (!so_compare(what, &c, &hr, &gr, 0x8d5)) {
                bad++;
                nbad[k]++;
                if (getenv("SSE4_DUMP")) {
                    uint32_t mx;
                    memcpy(&mx, c.in.fx + 24, 4);
                    fprintf(stderr, "  in mxcsr %#x host %#x vireo %#x\n", mx, *(uint32_t *)(hr.out.fx + 24), *(uint32_t *)(gr.out.fx + 24));
                    for (int x = 0; x < 16; x++) {
                        uint64_t q[2];
                        memcpy(q, c.in.fx + 160 + 16 * x, 16);
                        uint64_t o[2];
                        memcpy(o, hr.out.fx + 160 + 16 * x, 16);
                        fprintf(stderr, "  xmm%d %016llx%016llx -> host %016llx%016llx\n", x, (unsigned long long)q[1], (unsigned long long)q[0], (unsigned long long)o[1], (unsigned long long)o[0]);
                    }
                }
                continue;
            }
            if (g.mem)
                nmem[k]++;
            else
                nreg[k]++;
            if (hr.vec >= 0)
                nfault[k]++;
            if (hr.vec == EXC_GP)
                ngp[k]++;
            if (hr.vec == EXC_XM)
                nxm[k]++;
        }
    }
    unsigned under = 0;
    for (size_t k = 0; k < NROWS; k++) {
        const struct srow *r = &srows[k];
        if (getenv("SSE4_VERBOSE"))
            fprintf(stderr, "%-10s %u/%02x/%02x: reg %u mem %u faults %u (#GP %u, #XM %u) mismatches %u\n",
                    r->mnem, r->map, r->pfx, r->op, nreg[k], nmem[k], nfault[k], ngp[k], nxm[k], nbad[k]);
        bool mem_only = has(r->ops, ",M");
        if ((!mem_only && nreg[k] < MIN_REG) || nmem[k] < MIN_MEM) {
            fprintf(stderr, "row %s (%u/%02x) compared too rarely: reg %u mem %u\n", r->mnem, r->map, r->op,
                    nreg[k], nmem[k]);
            under++;
        }
    }
    fprintf(stderr, "sse4 oracle: %zu rows, %u cases, %u mismatches\n", NROWS, total, bad);
    ck_assert_uint_eq(bad, 0);
    ck_assert_uint_eq(under, 0);
    fake_fini(&f);
    so_host_fini(&h);
}
END_TEST

/* ---- CR0/CR4 checks (no host: user mode cannot change them) ---- */
static int guest_vec_st(struct fake *f, const uint8_t *code, unsigned len, uint64_t cr0_set, uint64_t cr0_clear,
                        uint64_t cr4_clear, struct cpu_state *io)
{
    struct cpu_state s;
    so_guest_state(f, &s);
    s.cr0 = (s.cr0 | cr0_set) & ~cr0_clear;
    s.cr4 &= ~cr4_clear;
    s.fpu.fcw = 0x37f;
    s.fpu.mxcsr = 0x1f80;
    if (io)
        s.fpu = io->fpu;
    int vec = so_guest_exec(f, code, len, &s);
    if (io)
        *io = s;
    return vec;
}

static int guest_vec(struct fake *f, const uint8_t *code, unsigned len, uint64_t cr0_set, uint64_t cr0_clear,
                     uint64_t cr4_clear)
{
    return guest_vec_st(f, code, len, cr0_set, cr0_clear, cr4_clear, NULL);
}

START_TEST(states)
{
    struct fake f;
    so_guest_init(&f);
    unsigned checked = 0;
    for (size_t k = 0; k < NROWS; k++) {
        const struct srow *r = &srows[k];
        uint8_t code[16];
        unsigned n = 0;
        bool crc = !strcmp(r->mnem, "crc32");
        bool mmx = r->ops[0] == 'P';
        if (r->pfx)
            code[n++] = r->pfx == P_66 ? 0x66 : r->pfx == P_F3 ? 0xf3 : 0xf2;
        code[n++] = 0x0f;
        if (r->map == 2)
            code[n++] = 0x38;
        if (r->map == 3)
            code[n++] = 0x3a;
        code[n++] = r->op;
        /* memory-only rows: [rip+disp] at SO_CODE_GPA + SO_MEM_OFF */
        if (has(r->ops, ",M")) {
            code[n++] = 0x05;
            memset(code + n, 0, 4);
            n += 4;
        } else {
            code[n++] = 0xc1;   /* reg 0, rm 1 */
        }
        if (has(r->ops, "Ib"))
            code[n++] = 0;
        if (has(r->ops, ",M")) {
            int32_t disp = (int32_t)SO_MEM_OFF - (int32_t)n;   /* [rip+disp] = a 16-aligned address */
            memcpy(code + n - 4, &disp, 4);
        }
        int want_ud = crc ? -1 : EXC_UD, want_nm = crc ? -1 : EXC_NM;
        /* OSFXSR=0: #UD for SSE; MMX forms do not look at OSFXSR */
        ck_assert_msg(guest_vec(&f, code, n, 0, 0, X86_CR4_OSFXSR) == (crc || mmx ? -1 : EXC_UD),
                      "%s: CR4.OSFXSR=0", r->mnem);
        ck_assert_msg(guest_vec(&f, code, n, X86_CR0_EM, 0, 0) == want_ud, "%s: CR0.EM=1", r->mnem);
        ck_assert_msg(guest_vec(&f, code, n, X86_CR0_TS, 0, 0) == want_nm, "%s: CR0.TS=1", r->mnem);
        ck_assert_msg(guest_vec(&f, code, n, 0, 0, 0) == -1, "%s: runs", r->mnem);
        checked++;
    }
    fprintf(stderr, "sse4 states: %u rows checked for #UD/#NM\n", checked);

    /* an unmasked SIMD exception is #XM with CR4.OSXMMEXCPT=1 and #UD
     * without (SDM vol. 3A 2.5); either way IE is recorded and the
     * destination keeps its value: ADDSUBPS xmm0, xmm1 with an SNaN */
    static const uint8_t addsubps[] = {0xf2, 0x0f, 0xd0, 0xc1};
    for (int osx = 0; osx < 2; osx++) {
        struct cpu_state st;
        memset(&st, 0, sizeof(st));
        st.fpu.fcw = 0x37f;
        st.fpu.mxcsr = 0x1f00;   /* IM clear */
        st.fpu.xmm[0].d[0] = 0x3f800000;
        st.fpu.xmm[1].d[0] = 0x7f800001;
        int vec = guest_vec_st(&f, addsubps, sizeof(addsubps), 0, 0, osx ? 0 : X86_CR4_OSXMMEXCPT, &st);
        ck_assert_int_eq(vec, osx ? EXC_XM : EXC_UD);
        ck_assert_uint_eq(st.fpu.mxcsr, 0x1f01);
        ck_assert_uint_eq(st.fpu.xmm[0].d[0], 0x3f800000);
    }
    fake_fini(&f);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("sse4");
    TCase *tc = tcase_create("sse4");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, oracle);
    tcase_add_test(tc, states);
    suite_add_tcase(su, tc);
    return vireo_check_run(su);
}
