/*
 * test_simd_int.c - MMX and SSE2 integer instructions (cpu/opcodes_simd_int.def,
 * cpu/exec_simd_*.c) against the host CPU (tests/unit/simd_oracle.h).
 *
 * oracle_rows: every row of opcodes_simd_int.def (the .def itself is
 * included here, so a new row is tested without editing this file) runs
 * with random operands rich in lane boundary values (0, 1, -1, 0x7f, 0x80,
 * 0x7fff, 0x8000, INT32_MIN/MAX, ...), shift counts inside and beyond the
 * element width, random REX, register and [rip+disp32] memory forms, both
 * the MMX (no prefix) and the XMM (66) form of the shift groups 0F 71-73,
 * misaligned 128-bit memory operands (#GP on the aligned forms), a pending
 * x87 exception (#MF for MMX forms) and prefixes without a form of their
 * own (#UD).  The x87 state after MMX instructions (TOP, tag word, the
 * exponent 0xFFFF of the written register) is compared by so_compare().
 * MASKMOVQ/MASKMOVDQU write through rDI, which points at the data area
 * (host and guest addresses differ, RDI is patched for the comparison).
 * Each row must be compared at least MIN_PER_FORM times in each form it
 * has (register / memory).
 *
 * availability: CR0.EM=1 -> #UD, CR0.TS=1 -> #NM for MMX and SSE forms,
 * CR4.OSFXSR=0 -> #UD for SSE forms only (MMX forms ignore it; MOVQ2DQ
 * and MOVDQ2Q touch XMM and need it), run directly in the interpreter
 * (the oracle harness fixes CR0/CR4), with the destination unchanged.
 *
 * page_edge: MASKMOVQ/MASKMOVDQU next to a missing page write only the
 * selected bytes, fault (#PF, nothing written) only when a selected byte
 * lies in the missing page; MOVQ/MOVNTQ/MOVDQU stores crossing into it
 * write nothing and leave the x87 state (TOP, tags) alone.
 * maskmov_addr_size: 32-bit code, 67 (DI instead of EDI) and FS override.
 */
#include "simd_oracle.h"
#include "tests/vireo_check.h"

#include "cpu/fpu.h"

/* ---- the rows under test, straight from the .def ---- */
struct trow {
    uint8_t pfx;        /* P_* */
    uint8_t opcode;
    int8_t reg;         /* group rows (0F 71-73): ModRM.reg, else -1 */
    const char *mnem, *ops;
};

#define OPX(map, p, o, m, ops, fn, fl) {p, o, -1, m, ops},
#define OP2R(o, r, m, ops, fn, fl) {P_NONE, o, r, m, ops},
static const struct trow trows[] = {
#include "cpu/opcodes_simd_int.def"
};
#undef OPX
#undef OP2R
#define NROWS (sizeof(trows) / sizeof(trows[0]))

#define MIN_PER_FORM 40
static unsigned cnt_reg[NROWS][2], cnt_mem[NROWS][2];   /* [row][0 MMX/plain, 1 66 form of a group] */
static unsigned cnt_fault[32], cnt_mf, cnt_badpfx, cnt_misalign;

/* ---- PRNG (xorshift64*) ---- */
static uint64_t rs = 0x5133d1e7u;

static uint64_t rnd(void)
{
    return vireo_rand(&rs);
}

static unsigned rndn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

/* A quadword of lanes rich in boundary values of some element width. */
static uint64_t lane_q(void)
{
    static const uint8_t sp8[] = {0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x81, 0x40};
    static const uint16_t sp16[] = {0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x8001, 0xfffe, 0x7ffe};
    static const uint32_t sp32[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x8000, 0x7fff,
                                    0xffff8000, 0x80000001, 0xfffffffe, 0x10000};
    static const uint64_t sp64[] = {0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull,
                                    0xffffffffull, 0x100000000ull, 0x8000000080000000ull};
    uint64_t q = 0;
    switch (rndn(7)) {
    case 0:
        return rnd();
    case 1:
        for (int k = 0; k < 8; k++)
            q |= (uint64_t)(rndn(3) ? sp8[rndn(sizeof(sp8))] : (uint8_t)rnd()) << (8 * k);
        return q;
    case 2:
        for (int k = 0; k < 4; k++)
            q |= (uint64_t)(rndn(3) ? sp16[rndn(sizeof(sp16) / 2)] : (uint16_t)rnd()) << (16 * k);
        return q;
    case 3:
        for (int k = 0; k < 2; k++)
            q |= (uint64_t)(rndn(3) ? sp32[rndn(sizeof(sp32) / 4)] : (uint32_t)rnd()) << (32 * k);
        return q;
    case 4:
        return sp64[rndn(sizeof(sp64) / 8)];
    case 5:
        return rndn(80);             /* a shift count */
    default:
        return rnd() & 0x8080808080808080ull;   /* byte masks */
    }
}

static uint8_t shift_imm(void)
{
    static const uint8_t c[] = {0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 255};
    return rndn(2) ? c[rndn(sizeof(c))] : (uint8_t)rnd();
}

/* ---- operand kinds of a row in its form ---- */
enum { K_NONE, K_MM, K_XMM, K_GPR };

static int kind_of(char letter)
{
    switch (letter) {
    case 'P': case 'Q': case 'N': return K_MM;
    case 'V': case 'W': case 'U': return K_XMM;
    case 'E': case 'G': return K_GPR;
    default: return K_NONE;
    }
}

struct rowinfo {
    int regk, rmk;      /* kind of ModRM.reg / ModRM.rm register operands */
    bool has_reg_form, has_mem_form, has_imm, modrm;
    unsigned mem_size;  /* bytes of the memory operand */
    bool aligned;       /* 128-bit aligned memory operand */
};

static void row_info(const struct trow *t, bool g66, struct rowinfo *ri)
{
    memset(ri, 0, sizeof(*ri));
    const char *o = t->ops;
    char a = o[0], b = 0;
    const char *comma = strchr(o, ',');
    if (comma)
        b = comma[1];
    ri->modrm = a != 0;
    ri->has_imm = strstr(o, "Ib") != NULL;
    if (t->reg >= 0) {
        /* groups: Nq,Ib / Ux,Ib on ModRM.rm */
        ri->rmk = g66 ? K_XMM : K_MM;
        ri->has_reg_form = true;
        return;
    }
    if (!a)
        return;
    /* ModRM.reg operand is the one whose letter is P/V/G; rm is the other */
    char rl = strchr("PVG", a) ? a : b, ml = strchr("PVG", a) ? b : a;
    ri->regk = kind_of(rl);
    ri->rmk = kind_of(ml);
    ri->has_reg_form = ml != 'M';
    ri->has_mem_form = ml != 'N' && ml != 'U';
    /* memory operand size */
    const char *ms = a == ml ? o + 1 : comma + 2;
    if (ml == 'E')
        ri->mem_size = !strncmp(ms, "w", 1) ? 2 : 8;   /* Ey: 4, or 8 with REX.W */
    else if (!strncmp(ms, "x", 1) || !strncmp(ms, "dq", 2))
        ri->mem_size = 16;
    else if (!strncmp(ms, "d", 1))
        ri->mem_size = 4;
    else
        ri->mem_size = 8;
    ri->aligned = ri->mem_size == 16 && strcmp(t->mnem, "movdqu");
}

static bool slot_has_pfx(uint8_t op, uint8_t pfx)
{
    for (size_t k = 0; k < NROWS; k++)
        if (trows[k].opcode == op && trows[k].pfx == pfx)
            return true;
    return false;
}

/* ---- the state ---- */
static void random_state(struct so_case *c, bool pending_mf)
{
    struct x86_fpu f;
    memset(&f, 0, sizeof(f));
    f.fcw = 0x37f;
    f.mxcsr = 0x1f80;
    unsigned top = rndn(8);
    f.fsw = (uint16_t)(top << FSW_TOP_SHIFT) | (uint16_t)(rndn(2) ? 0 : 0x4700 & rnd());
    if (pending_mf) {
        f.fcw = 0x37e;                 /* IM clear */
        f.fsw |= 0x8081;               /* B, ES, IE */
    }
    f.ftw = (uint8_t)rnd();
    for (int k = 0; k < 8; k++) {
        f.st[k].mantissa = lane_q();
        static const uint16_t ex[] = {0xffff, 0, 0x3fff, 0x7fff, 0x8000};
        f.st[k].sign_exp = rndn(2) ? ex[rndn(5)] : (uint16_t)rnd();
    }
    for (int k = 0; k < 16; k++) {
        f.xmm[k].q[0] = lane_q();
        f.xmm[k].q[1] = lane_q();
    }
    cpu_fpu_to_fxsave(c->in.fx, &f);
    for (int k = 0; k < 16; k++)
        c->in.gpr[k] = rndn(3) ? lane_q() : rnd();
    c->in.gpr[R_RSP] = 0;
    c->in.rflags = X86_FLAG_FIXED | (rnd() & 0x8d5);
    for (unsigned k = 0; k < SO_MEMSZ; k += 8) {
        uint64_t q = lane_q();
        memcpy(c->mem + k, &q, 8);
    }
}

/* Put a small shift count into the count operand (the rm source). */
static bool is_shift_by_reg(uint8_t op)
{
    return (op >= 0xd1 && op <= 0xd3) || op == 0xe1 || op == 0xe2 || (op >= 0xf1 && op <= 0xf3);
}

/* ---- one case ---- */
struct gen {
    size_t row;
    bool g66;           /* group row in its 66 form */
    bool mem;
    bool badpfx;        /* a prefix without a form: #UD expected */
    bool mf;
};

static bool build_case(const struct gen *g, struct so_case *c, unsigned *gpr_rdi_off)
{
    const struct trow *t = &trows[g->row];
    struct rowinfo ri;
    row_info(t, g->g66, &ri);
    memset(c, 0, sizeof(*c));
    c->mem_at = -1;
    random_state(c, g->mf);
    size_t n = 0;
    /* the mandatory prefix, then maybe one without a form of its own
     * (after it, so that it is the deciding F2/F3) */
    if (t->pfx == P_66 || g->g66)
        c->code[n++] = 0x66;
    else if (t->pfx == P_F3)
        c->code[n++] = 0xf3;
    else if (t->pfx == P_F2)
        c->code[n++] = 0xf2;
    uint8_t bad = 0;
    size_t bad_at = n;
    if (g->badpfx) {
        uint8_t cand[3];
        unsigned nc = 0;
        if (t->reg < 0 && t->pfx != P_F3 && t->pfx != P_F2 && !slot_has_pfx(t->opcode, P_66))
            cand[nc++] = 0x66;   /* (66 is the XMM form of a group; F2/F3 outrank it) */
        if (!slot_has_pfx(t->opcode, P_F3))
            cand[nc++] = 0xf3;
        if (!slot_has_pfx(t->opcode, P_F2))
            cand[nc++] = 0xf2;
        if (!nc || g->mem)
            return false;
        bad = cand[rndn(nc)];   /* inserted after so_prepare(), which needs a valid decode */
    }
    uint8_t rex = rndn(2) ? (uint8_t)(0x40 | rndn(16)) : 0;
    if (rex)
        c->code[n++] = rex;
    c->code[n++] = 0x0f;
    c->code[n++] = t->opcode;
    if (ri.modrm) {
        unsigned reg = t->reg >= 0 ? (unsigned)t->reg : rndn(8);
        unsigned rm = rndn(8);
        /* RSP must not be a GPR operand */
        unsigned ereg = reg | ((rex & 4) ? 8 : 0), erm = rm | ((rex & 1) ? 8 : 0);
        if (ri.regk == K_GPR && ereg == R_RSP)
            return false;
        if (!g->mem && ri.rmk == K_GPR && erm == R_RSP)
            return false;
        if (g->mem) {
            c->code[n++] = (uint8_t)(reg << 3 | 5);
            c->code[n++] = 0;
            c->code[n++] = 0;
            c->code[n++] = 0;
            c->code[n++] = 0;
            unsigned sz = ri.mem_size ? ri.mem_size : 8;
            if (ri.aligned && rndn(6) == 0) {
                c->mem_at = (int)(1 + rndn(15)) + 16 * (int)rndn(2);
                cnt_misalign++;
            } else if (ri.aligned) {
                c->mem_at = 16 * (int)rndn(4);
            } else {
                c->mem_at = (int)rndn(SO_MEMSZ - sz + 1);
            }
            if (is_shift_by_reg(t->opcode) && rndn(3)) {
                uint64_t cnt = rndn(3) ? rndn(70) : (uint64_t)rndn(70) | (rnd() << 32);
                memcpy(c->mem + c->mem_at, &cnt, 8);
            }
        } else {
            c->code[n++] = (uint8_t)(0xc0 | reg << 3 | rm);
            if (is_shift_by_reg(t->opcode) && rndn(3)) {
                uint64_t cnt = rndn(3) ? rndn(70) : (uint64_t)rndn(70) | (rnd() << 32);
                struct x86_fpu f;
                cpu_fpu_from_fxsave(c->in.fx, &f);
                if (ri.rmk == K_XMM) {
                    f.xmm[erm].q[0] = cnt;
                } else {
                    unsigned top = (f.fsw >> FSW_TOP_SHIFT) & 7;
                    f.st[(rm - top) & 7].mantissa = cnt;
                }
                cpu_fpu_to_fxsave(c->in.fx, &f);
            }
        }
        if (!strcmp(t->mnem, "maskmovq") || !strcmp(t->mnem, "maskmovdqu"))
            *gpr_rdi_off = rndn(SO_MEMSZ - (ri.regk == K_XMM ? 16 : 8) + 1);
    }
    if (ri.has_imm)
        c->code[n++] = t->reg >= 0 ? shift_imm() : (uint8_t)rnd();
    if (!so_prepare(c))
        return false;
    if (bad) {
        memmove(c->code + bad_at + 1, c->code + bad_at, c->len - bad_at);
        c->code[bad_at] = bad;
        c->len++;
    }
    return true;
}

static struct so_host host;
static struct fake guest;

static void run_case(const struct gen *g)
{
    struct so_case c;
    struct so_result hr, gr;
    unsigned rdi_off = ~0u;
    if (!build_case(g, &c, &rdi_off))
        return;
    struct so_case gc = c;
    if (rdi_off != ~0u) {
        c.in.gpr[R_RDI] = (uint64_t)(uintptr_t)host.page + SO_MEM_OFF + rdi_off;
        gc.in.gpr[R_RDI] = SO_CODE_GPA + SO_MEM_OFF + rdi_off;
    }
    so_host_run(&host, &c, &hr);
    so_guest_run(&guest, &gc, &gr);
    if (rdi_off != ~0u && gr.out.gpr[R_RDI] == gc.in.gpr[R_RDI])
        gr.out.gpr[R_RDI] = hr.out.gpr[R_RDI];
    char what[64];
    snprintf(what, sizeof(what), "%s%s%s", trows[g->row].mnem, g->g66 ? " (66)" : "", g->mem ? " mem" : "");
    ck_assert_msg(so_compare(what, &c, &hr, &gr, 0x8d5), "%s differs from the host", what);
    if (hr.vec >= 0 && hr.vec < 32)
        cnt_fault[hr.vec]++;
    if (g->badpfx) {
        cnt_badpfx++;
        ck_assert_int_eq(hr.vec, EXC_UD);
        return;
    }
    if (g->mf)
        cnt_mf++;
    if (hr.vec < 0) {
        if (g->mem)
            cnt_mem[g->row][g->g66]++;
        else
            cnt_reg[g->row][g->g66]++;
    }
}

START_TEST(oracle_rows)
{
    if (!so_host_init(&host)) {
        fprintf(stderr, "host cannot run x86-64 code: skipped\n");
        exit(77);
    }
    so_guest_init(&guest);
    unsigned iters = 0;
    for (size_t r = 0; r < NROWS; r++) {
        const struct trow *t = &trows[r];
        for (int g66 = 0; g66 < (t->reg >= 0 ? 2 : 1); g66++) {
            struct rowinfo ri;
            row_info(t, g66, &ri);
            for (unsigned k = 0; k < 3 * MIN_PER_FORM; k++) {
                struct gen g = {r, g66, false, false, false};
                g.mem = ri.has_mem_form && (!ri.has_reg_form || (k & 1));
                if (rndn(16) == 0 && (ri.has_reg_form || !ri.modrm)) {
                    g.badpfx = true;
                    g.mem = false;
                }
                else if (rndn(20) == 0)
                    g.mf = true;
                run_case(&g);
                iters++;
            }
        }
    }
    fprintf(stderr, "test_simd_int: %zu rows, %u cases; #UD %u, #NM %u, #MF %u, #GP %u; bad-prefix %u, "
            "pending-x87 %u, misaligned %u\n", NROWS, iters, cnt_fault[EXC_UD], cnt_fault[EXC_NM],
            cnt_fault[EXC_MF], cnt_fault[EXC_GP], cnt_badpfx, cnt_mf, cnt_misalign);
    for (size_t r = 0; r < NROWS; r++) {
        const struct trow *t = &trows[r];
        for (int g66 = 0; g66 < (t->reg >= 0 ? 2 : 1); g66++) {
            struct rowinfo ri;
            row_info(t, g66, &ri);
            bool ud_form = t->reg >= 0 && !g66 && (t->reg == 3 || t->reg == 7);
            if (ud_form) {
                /* PSRLDQ/PSLLDQ without 66: #UD, compared as faults */
                ck_assert_msg(cnt_reg[r][0] == 0, "%s without 66 completed", t->mnem);
                continue;
            }
            if (ri.has_reg_form)
                ck_assert_msg(cnt_reg[r][g66] >= MIN_PER_FORM, "%s%s: only %u register cases", t->mnem,
                              g66 ? " (66)" : "", cnt_reg[r][g66]);
            if (ri.has_mem_form)
                ck_assert_msg(cnt_mem[r][g66] >= MIN_PER_FORM / 2, "%s: only %u memory cases", t->mnem,
                              cnt_mem[r][g66]);
        }
    }
    ck_assert_uint_gt(cnt_fault[EXC_GP], 20);
    ck_assert_uint_gt(cnt_fault[EXC_MF], 20);
    ck_assert_uint_gt(cnt_badpfx, 50);
    fake_fini(&guest);
    so_host_fini(&host);
}
END_TEST

/* ---- CR0.EM / CR0.TS / CR4.OSFXSR, directly in the interpreter ---- */
static int run_with_cr(struct fake *f, const uint8_t *code, unsigned len, uint64_t cr0_set, uint64_t cr0_clr,
                       uint64_t cr4_clr, struct cpu_state *out)
{
    struct cpu_state s;
    so_guest_state(f, &s);
    s.cr0 |= cr0_set;
    s.cr0 &= ~cr0_clr;
    s.cr4 &= ~cr4_clr;
    s.gpr[R_RDI] = SO_CODE_GPA + SO_MEM_OFF;
    s.fpu.fcw = 0x37f;
    s.fpu.fsw = 5u << FSW_TOP_SHIFT;
    s.fpu.ftw = 0x0f;
    for (int k = 0; k < 8; k++) {
        s.fpu.st[k].mantissa = 0x0102030405060708ull * (uint64_t)(k + 1);
        s.fpu.st[k].sign_exp = 0x4000;
    }
    for (int k = 0; k < 16; k++)
        for (int b = 0; b < 16; b++)
            s.fpu.xmm[k].b[b] = (uint8_t)(k * 16 + b + 0x80);
    struct cpu_state before = s;
    *out = s;
    int vec = so_guest_exec(f, code, len, out);
    if (vec >= 0) {
        /* a fault leaves the x87/SSE state as it was */
        ck_assert_uint_eq(out->fpu.fsw, before.fpu.fsw);
        ck_assert_uint_eq(out->fpu.ftw, before.fpu.ftw);
        ck_assert_mem_eq(out->fpu.st, before.fpu.st, sizeof(before.fpu.st));
        ck_assert_mem_eq(out->fpu.xmm, before.fpu.xmm, sizeof(before.fpu.xmm));
    }
    return vec;
}

START_TEST(availability)
{
    struct fake f;
    so_guest_init(&f);
    static const struct {
        const char *name;
        uint8_t code[8];
        unsigned len;
        bool sse;       /* needs CR4.OSFXSR */
    } cases[] = {
        {"paddb mm1, mm2", {0x0f, 0xfc, 0xca}, 3, false},
        {"pshufw mm0, mm7, 0x1b", {0x0f, 0x70, 0xc7, 0x1b}, 4, false},
        {"psllq mm3, 5", {0x0f, 0x73, 0xf3, 0x05}, 4, false},
        {"movd mm2, eax", {0x0f, 0x6e, 0xd0}, 3, false},
        {"maskmovq mm1, mm2", {0x0f, 0xf7, 0xca}, 3, false},
        {"emms", {0x0f, 0x77}, 2, false},
        {"paddb xmm1, xmm2", {0x66, 0x0f, 0xfc, 0xca}, 4, true},
        {"pslldq xmm3, 5", {0x66, 0x0f, 0x73, 0xfb, 0x05}, 5, true},
        {"movdqu xmm0, xmm9", {0xf3, 0x41, 0x0f, 0x6f, 0xc1}, 5, true},
        {"movq2dq xmm1, mm2", {0xf3, 0x0f, 0xd6, 0xca}, 4, true},
        {"movdq2q mm1, xmm2", {0xf2, 0x0f, 0xd6, 0xca}, 4, true},
        {"maskmovdqu xmm1, xmm2", {0x66, 0x0f, 0xf7, 0xca}, 4, true},
    };
    struct cpu_state out;
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const uint8_t *c = cases[k].code;
        unsigned n = cases[k].len;
        ck_assert_msg(run_with_cr(&f, c, n, 0, 0, 0, &out) == -1, "%s: should run", cases[k].name);
        ck_assert_msg(run_with_cr(&f, c, n, X86_CR0_EM, 0, 0, &out) == EXC_UD, "%s: EM", cases[k].name);
        ck_assert_msg(run_with_cr(&f, c, n, X86_CR0_TS, 0, 0, &out) == EXC_NM, "%s: TS", cases[k].name);
        ck_assert_msg(run_with_cr(&f, c, n, X86_CR0_TS | X86_CR0_EM, 0, 0, &out) == EXC_UD, "%s: EM+TS",
                      cases[k].name);
        int want = cases[k].sse ? EXC_UD : -1;
        ck_assert_msg(run_with_cr(&f, c, n, 0, 0, X86_CR4_OSFXSR, &out) == want, "%s: OSFXSR=0",
                      cases[k].name);
    }
    /* MMX state after an MMX instruction: TOP=0, tags valid, written
     * register's exponent all ones; EMMS empties the tags */
    ck_assert_int_eq(run_with_cr(&f, (const uint8_t *)"\x0f\xfc\xca", 3, 0, 0, 0, &out), -1);
    ck_assert_uint_eq(out.fpu.fsw & FSW_TOP_MASK, 0);
    ck_assert_uint_eq(out.fpu.ftw, 0xff);
    ck_assert_uint_eq(out.fpu.st[1].sign_exp, 0xffff);
    ck_assert_uint_eq(out.fpu.st[2].sign_exp, 0x4000);
    ck_assert_int_eq(run_with_cr(&f, (const uint8_t *)"\x0f\x77", 2, 0, 0, 0, &out), -1);
    ck_assert_uint_eq(out.fpu.ftw, 0);
    ck_assert_uint_eq(out.fpu.fsw & FSW_TOP_MASK, 0);   /* EMMS: TOP=0 too (SDM vol. 3A table 12-2) */
    fake_fini(&f);
}
END_TEST

/* ---- MASKMOV and stores at a page boundary, directly in the interpreter:
 * the 2 MiB page at 0x400000 is not present; RDI = 0x400000 - 8 ---- */
#define PF_EDGE 0x400000u

static int run_edge(struct fake *f, const uint8_t *code, unsigned len, uint64_t mask, uint64_t mask_hi,
                    struct cpu_state *out)
{
    uint8_t buf[17];
    memcpy(buf, code, len);
    buf[len] = 0xf4;
    fake_load(f, SO_CODE_GPA, buf, len + 1u);
    struct cpu_state s;
    fake_mode_state(f, &s, MODE_LONG64, SO_CODE_GPA, 0x8000);
    ((uint64_t *)(f->ram + FAKE_PT_BASE + 0x2000))[PF_EDGE >> 21] = 0;
    s.gdtr.base = SO_GDT;
    s.gdtr.limit = 23;
    s.idtr.base = SO_IDT;
    s.idtr.limit = 32 * 16 - 1;
    s.cr0 |= X86_CR0_MP | X86_CR0_NE;
    s.cr4 |= X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
    s.gpr[R_RDI] = PF_EDGE - 8;
    s.fpu.fcw = 0x37f;
    s.fpu.fsw = 3u << FSW_TOP_SHIFT;
    s.fpu.ftw = 0x01;
    for (int k = 0; k < 8; k++) {
        s.fpu.st[k].mantissa = 0x1111111111111111ull * (uint64_t)(k + 1);
        s.fpu.st[k].sign_exp = 0x4000;
    }
    /* data in xmm1 / MM1 (physical R1 = ST((1 - 3) & 7)), mask in xmm2 / MM2 */
    for (int b = 0; b < 16; b++)
        s.fpu.xmm[1].b[b] = (uint8_t)(0x50 + b);
    s.fpu.xmm[2].q[0] = mask;
    s.fpu.xmm[2].q[1] = mask_hi;
    s.fpu.st[6].mantissa = 0x5756555453525150ull;
    s.fpu.st[7].mantissa = mask;
    memset(f->ram + PF_EDGE - 8, 0xee, 8);
    struct cpu_state before = s;
    fake_set(f, &s);
    ck_assert_int_eq(fake_run(f, 10), VCPU_EXIT_HALT);
    fake_get(f, out);
    if (out->rip == SO_CODE_GPA + len + 1)
        return -1;
    ck_assert_uint_eq(out->fpu.fsw, before.fpu.fsw);
    ck_assert_uint_eq(out->fpu.ftw, before.fpu.ftw);
    if (out->rip > SO_STUBS && (out->rip - SO_STUBS) % 16 == 1)
        return (int)((out->rip - SO_STUBS) / 16);
    return 1000;
}

START_TEST(page_edge)
{
    struct fake f;
    so_guest_init(&f);
    struct cpu_state out;
    static const uint8_t maskmovq[] = {0x0f, 0xf7, 0xca}, maskmovdqu[] = {0x66, 0x0f, 0xf7, 0xca};
    static const uint8_t movq_st[] = {0x0f, 0x7f, 0x4f, 0x04};         /* movq [rdi+4], mm1 */
    static const uint8_t movdqu_st[] = {0xf3, 0x0f, 0x7f, 0x0f};       /* movdqu [rdi], xmm1 */
    static const uint8_t movntq[] = {0x0f, 0xe7, 0x4f, 0x01};          /* movntq [rdi+1], mm1 */
    uint8_t mem[8];

    /* MASKMOVQ within the present page: only selected bytes written */
    ck_assert_int_eq(run_edge(&f, maskmovq, 3, 0x80008000800000ffull, 0, &out), -1);
    memcpy(mem, f.ram + PF_EDGE - 8, 8);
    static const uint8_t want_q[8] = {0x50, 0xee, 0xee, 0x53, 0xee, 0x55, 0xee, 0x57};
    ck_assert_mem_eq(mem, want_q, 8);
    ck_assert_uint_eq(out.fpu.fsw & FSW_TOP_MASK, 0);
    ck_assert_uint_eq(out.fpu.ftw, 0xff);

    /* MASKMOVDQU: selected bytes only in the present page -> no fault */
    ck_assert_int_eq(run_edge(&f, maskmovdqu, 4, 0x80, 0, &out), -1);
    ck_assert_uint_eq(f.ram[PF_EDGE - 8], 0x50);
    ck_assert_uint_eq(f.ram[PF_EDGE - 7], 0xee);
    /* a selected byte in the missing page: #PF, nothing written */
    ck_assert_int_eq(run_edge(&f, maskmovdqu, 4, 0x8080808080808080ull, 0x0000000000008000ull, &out), EXC_PF);
    ck_assert_uint_eq(out.cr2 & ~0xfffull, PF_EDGE);
    memcpy(mem, f.ram + PF_EDGE - 8, 8);
    static const uint8_t untouched[8] = {0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee};
    ck_assert_mem_eq(mem, untouched, 8);
    /* zero mask: nothing written, no page fault from the missing page */
    ck_assert_int_eq(run_edge(&f, maskmovdqu, 4, 0, 0, &out), -1);

    /* plain stores crossing into the missing page fault without writing
     * the present half, and an MMX store leaves TOP/tags alone */
    ck_assert_int_eq(run_edge(&f, movq_st, 4, 0, 0, &out), EXC_PF);
    ck_assert_mem_eq(f.ram + PF_EDGE - 8, untouched, 8);
    ck_assert_int_eq(run_edge(&f, movntq, 4, 0, 0, &out), EXC_PF);
    ck_assert_mem_eq(f.ram + PF_EDGE - 8, untouched, 8);
    ck_assert_int_eq(run_edge(&f, movdqu_st, 4, 0, 0, &out), EXC_PF);
    ck_assert_mem_eq(f.ram + PF_EDGE - 8, untouched, 8);
    fake_fini(&f);
}
END_TEST

/* MASKMOVQ/MASKMOVDQU in 32-bit code: 67 selects DI (SDM: "DS:DI/EDI/RDI
 * by address size"), a segment override replaces DS. */
START_TEST(maskmov_addr_size)
{
    struct fake f;
    so_guest_init(&f);
    static const struct {
        uint8_t code[6];
        unsigned len;
        uint32_t at;        /* where the bytes must land */
        unsigned n;
    } cases[] = {
        {{0x0f, 0xf7, 0xca}, 3, 0x12345, 8},                     /* maskmovq [edi] */
        {{0x67, 0x0f, 0xf7, 0xca}, 4, 0x2345, 8},                /* maskmovq [di] */
        {{0x66, 0x67, 0x0f, 0xf7, 0xca}, 5, 0x2345, 16},         /* maskmovdqu [di] */
        {{0x64, 0x66, 0x0f, 0xf7, 0xca}, 5, 0x12345 + 0x30000, 16}, /* fs:[edi] */
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        uint8_t buf[8];
        memcpy(buf, cases[k].code, cases[k].len);
        buf[cases[k].len] = 0xf4;
        fake_load(&f, SO_CODE_GPA, buf, cases[k].len + 1u);
        struct cpu_state s;
        fake_mode_state(&f, &s, MODE_PROT32, SO_CODE_GPA, 0x8000);
        s.cr0 |= X86_CR0_MP | X86_CR0_NE;
        s.cr4 |= X86_CR4_OSFXSR;
        s.seg[SEG_FS].base = 0x30000;
        s.gpr[R_RDI] = 0x12345;
        s.fpu.fcw = 0x37f;
        s.fpu.st[1].mantissa = 0x0807060504030201ull;     /* MM1 (TOP=0) */
        s.fpu.st[2].mantissa = 0x8000800080008000ull;     /* MM2: odd bytes */
        for (int b = 0; b < 16; b++) {
            s.fpu.xmm[1].b[b] = (uint8_t)(b + 1);
            s.fpu.xmm[2].b[b] = (b & 1) ? 0x80 : 0x7f;
        }
        memset(f.ram + 0x2300, 0xee, 0x100);
        memset(f.ram + 0x12300, 0xee, 0x100);
        memset(f.ram + 0x42300, 0xee, 0x100);
        fake_set(&f, &s);
        ck_assert_int_eq(fake_run(&f, 10), VCPU_EXIT_HALT);
        fake_get(&f, &s);
        ck_assert_uint_eq(s.rip, SO_CODE_GPA + cases[k].len + 1);
        for (unsigned b = 0; b < 16; b++) {
            uint8_t want = b < cases[k].n && (b & 1) ? (uint8_t)(b + 1) : 0xee;
            ck_assert_msg(f.ram[cases[k].at + b] == want, "case %zu byte %u: %#x", k, b, f.ram[cases[k].at + b]);
        }
        ck_assert_uint_eq(f.ram[cases[k].at - 1], 0xee);
    }
    fake_fini(&f);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("simd_int");
    TCase *tc = tcase_create("simd_int");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, oracle_rows);
    tcase_add_test(tc, availability);
    tcase_add_test(tc, page_edge);
    tcase_add_test(tc, maskmov_addr_size);
    suite_add_tcase(su, tc);
    return vireo_check_run(su);
}
