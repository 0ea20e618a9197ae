/*
 * test_x87.c - the x87 FPU of the software CPU (cpu/exec_x87_*.c) against
 * the host CPU (tests/unit/simd_oracle.h) and against the SDM.
 *
 *  oracle_rows: every row of cpu/opcodes_x87.def (and FWAIT) runs at
 *    least MIN_PER_ROW times from random states rich in special values -
 *    ±0, denormals, pseudo-denormals, unnormals, pseudo-infinities/NaNs,
 *    ±inf, QNaN/SNaN with payloads, the indefinite, largest/smallest
 *    normals, integers, rounding-boundary significands, trig-range limits;
 *    m32/m64 specials, integer limits, valid and invalid BCD - under all
 *    precision and rounding controls, random condition codes, stacks
 *    full, empty and in between, exceptions masked and randomly unmasked,
 *    with 66 and REX.W/REX.B prefixes.  Compared: vector, GPRs, RFLAGS
 *    arithmetic flags, FCW, FSW, abridged FTW, ST0-7 and memory; for
 *    FNSTENV/FNSAVE the whole 28/108-byte (14/94 with 66) image except
 *    FIP/FCS/FOP/FDP/FDS (host addresses); FOP and FIP/FDP relative to
 *    the code/data whenever the host saved them (ES=1).  After an
 *    unmasked exception a second case appends FWAIT, which must raise
 *    #MF (16) on both sides with the same state.  Counts of each
 *    exception flag raised masked/unmasked are asserted.  Where this AMD
 *    host departs from what the SDM documents (compares with an unmasked
 *    #IA, FCOMI's C1, FLD of a denormal with #D unmasked) vireo is checked
 *    against the SDM instead (intel_rules, fld_denormal_rule).
 *  pending_mf: a pending unmasked exception makes every waiting row
 *    raise #MF and leaves FNINIT/FNCLEX/FNSTSW/FNSTCW/FNSTENV/FNSAVE and
 *    FNENI/FNDISI/FNSETPM alone (host too).
 *  nm_checks: CR0.TS/EM -> #NM for x87 rows; FWAIT only with MP&TS
 *    (SDM vol. 3A table 2-2) - guest only, the host cannot set CR0.
 *  mem_faults: every memory row with a non-canonical address: #GP on
 *    both sides and no state change, also with a stack fault pending.
 * Real and 32-bit protected mode (images, pointers): test_x87_modes.c.
 * X87_ONLY=mnemonic, X87_SEED=n and X87_SUMMARY=1 help debugging.
 */
#include "simd_oracle.h"
#include "tests/vireo_check.h"

#define MIN_PER_ROW 250

static uint64_t rs = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    return vireo_rand(&rs);
}

static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }

/* ---- special-rich operands ---- */

static struct x87_reg f80(uint16_t se, uint64_t m)
{
    struct x87_reg r = {m, se};
    return r;
}

static struct x87_reg rand_f80(void)
{
    uint16_t s = rn(2) ? 0x8000 : 0;
    uint64_t m = rnd();
    switch (rn(24)) {
    case 0: return f80(s, 0);
    case 1: return f80(s, m & ~(1ull << 63));                      /* denormal */
    case 2: return f80(s, m | (1ull << 63));                       /* pseudo-denormal */
    case 3: return f80((uint16_t)(s | (1 + rn(0x7ffe))), m & ~(1ull << 63));   /* unnormal */
    case 4: return f80(s | 0x7fff, 1ull << 63);                    /* inf */
    case 5: return f80(s | 0x7fff, (m | (3ull << 62)));            /* QNaN */
    case 6: return f80(s | 0x7fff, ((m & ~(3ull << 62)) | (1ull << 63) | 1));   /* SNaN */
    case 7: return f80(0xffff, 0xc000000000000000ull);             /* indefinite */
    case 8: return f80(s | 0x7fff, m & ~(1ull << 63));             /* pseudo-inf/NaN */
    case 9: return f80(s | 0x7ffe, ~0ull);                         /* largest */
    case 10: return f80(s | 1, 1ull << 63);                        /* smallest normal */
    case 11: return f80(s | 0x3fff, 1ull << 63);                   /* 1.0 */
    case 12: return f80((uint16_t)(s | (0x3fff + rn(64))), (1ull << 63) | (m << rn(64) >> 1 << 1 & ~(1ull << 63)));  /* integers-ish */
    case 13: return f80((uint16_t)(s | (0x3fff + rn(64))), (1ull << 63) | (m & 0xffffffffff000000ull) | 0x400); /* rounding boundary */
    case 14: return f80((uint16_t)(s | (0x7ffe - rn(40))), (1ull << 63) | m);   /* huge */
    case 15: return f80((uint16_t)(s | (1 + rn(40))), (1ull << 63) | m);        /* tiny */
    case 16: return f80((uint16_t)(s | (0x3fff + 63 + rn(4))), (1ull << 63) | m);  /* trig range limit */
    case 17: return f80((uint16_t)(s | (0x3ffe + rn(3))), (1ull << 63) | m);   /* near 1 */
    case 18: return f80((uint16_t)(s | (0x3fff + rn(40))), (1ull << 63) | (m & 0xffff000000000000ull));  /* short */
    default: return f80((uint16_t)(s | (0x3fff - 80 + rn(160))), (1ull << 63) | m);
    }
}

static void put(uint8_t *p, uint64_t x, unsigned n) { memcpy(p, &x, n); }

static void rand_f32(uint8_t *p)
{
    uint32_t s = rn(2) ? 0x80000000u : 0, m = (uint32_t)rnd() & 0x7fffff;
    static const uint32_t sp[] = {0, 0x7f800000, 0x7fc00000, 0x7fa00001, 0x7f7fffff, 0x00800000, 0x3f800000};
    uint32_t x;
    switch (rn(10)) {
    case 0: x = m; break;                                   /* denormal */
    case 1: x = sp[rn(7)] | (rn(2) ? (m & 0x3fffff) : 0); break;
    case 2: x = 0x7f800000 | (m ? m : 1); break;            /* NaN */
    default: x = ((0x40 + rn(128)) << 23) | m; break;
    }
    put(p, s | x, 4);
}

static void rand_f64(uint8_t *p)
{
    uint64_t s = rn(2) ? (1ull << 63) : 0, m = rnd() & ((1ull << 52) - 1);
    uint64_t x;
    switch (rn(10)) {
    case 0: x = m; break;
    case 1: x = 0; break;
    case 2: x = 0x7ff0000000000000ull | (rn(2) ? m : 0); break;
    case 3: x = 0x7ff8000000000000ull | (m & 0xff); break;
    case 4: x = 0x7fefffffffffffffull; break;
    default: x = ((uint64_t)(0x200 + rn(0x400)) << 52) | m; break;
    }
    put(p, s | x, 8);
}

static void rand_int(uint8_t *p, unsigned n)
{
    uint64_t x;
    switch (rn(8)) {
    case 0: x = 0; break;
    case 1: x = ~0ull; break;
    case 2: x = 1ull << (8 * n - 1); break;
    case 3: x = (1ull << (8 * n - 1)) - 1; break;
    case 4: x = rnd() & 0xff; break;
    default: x = rnd(); break;
    }
    put(p, x, n);
}

static void rand_bcd(uint8_t *p)
{
    for (int k = 0; k < 9; k++)
        p[k] = (uint8_t)(rn(10) | (rn(10) << 4));
    p[9] = rn(2) ? 0x80 : 0;
    if (rn(8) == 0)
        p[rn(9)] = (uint8_t)rnd();   /* invalid digits: hardware-defined, the host decides */
    if (rn(16) == 0)
        memcpy(p, "\0\0\0\0\0\0\0\xc0\xff\xff", 10);
}

static struct x87_reg f80_from_mem_int(void)
{
    return rand_f80();
}

/* ---- cases ---- */

struct rowstat {
    const struct op_row *r;
    unsigned compared, mf;
};

static unsigned failures;

static bool is_env_row(const struct op_row *r, unsigned *kind)
{
    /* 1 fnstenv, 2 fldenv, 3 fnsave, 4 frstor */
    if (r->rm != ROW_RM_ANY)
        return false;
    if (r->opcode == 0xd9 && r->reg == 6) { *kind = 1; return true; }
    if (r->opcode == 0xd9 && r->reg == 4) { *kind = 2; return true; }
    if (r->opcode == 0xdd && r->reg == 6) { *kind = 3; return true; }
    if (r->opcode == 0xdd && r->reg == 4) { *kind = 4; return true; }
    return false;
}

/* Memory operand kind of a memory row: bytes needed */
static void rand_mem_for(const struct op_row *r, uint8_t *mem)
{
    for (unsigned k = 0; k < SO_MEMSZ; k++)
        mem[k] = (uint8_t)rnd();
    const char *ops = r->e->operands;
    unsigned op = r->opcode, reg = (unsigned)r->reg;
    bool intop = op == 0xda || op == 0xde || (op == 0xdb && reg <= 3) || (op == 0xdf && reg != 4 && reg != 6) ||
                 (op == 0xdd && reg == 1);
    if (!strcmp(ops, "Md"))
        intop ? rand_int(mem, 4) : rand_f32(mem);
    else if (!strcmp(ops, "Mq"))
        intop ? rand_int(mem, 8) : rand_f64(mem);
    else if (!strcmp(ops, "Mw"))
        rand_int(mem, 2);
    else if (!strcmp(ops, "Mt")) {
        if (op == 0xdf)
            rand_bcd(mem);
        else {
            struct x87_reg x = f80_from_mem_int();
            memcpy(mem, &x.mantissa, 8);
            memcpy(mem + 8, &x.sign_exp, 2);
        }
    }
}

/* A plausible environment image at P (32-bit format unless o16). */
static void rand_env(uint8_t *p, bool o16, uint16_t *fcw_out)
{
    uint16_t fcw = (uint16_t)(0x40 | (rn(4) << 8) | (rn(4) << 10) | (rn(4) ? 0x3f : (rnd() & 0x3f)));
    uint16_t fsw = (uint16_t)(rnd() & 0x477f);   /* TOP, C0-C3, flags, SF; ES/B derived below */
    if (fsw & ~fcw & 0x3f)
        fsw |= 0x8080;
    uint16_t tw = (uint16_t)rnd();
    if (rn(3) == 0)
        tw = 0xffff;
    else if (rn(3) == 0)
        tw = 0;
    if (o16) {
        put(p, fcw, 2);
        put(p + 2, fsw, 2);
        put(p + 4, tw, 2);
    } else {
        put(p, 0xffff0000u | fcw, 4);
        put(p + 4, 0xffff0000u | fsw, 4);
        put(p + 8, 0xffff0000u | tw, 4);
    }
    *fcw_out = fcw;
}

static void base_state(struct so_case *c, bool unmask)
{
    memset(c, 0, sizeof(*c));
    c->mem_at = -1;
    for (int k = 0; k < 16; k++)
        c->in.gpr[k] = rnd();
    c->in.gpr[R_RSP] = 0;
    c->in.rflags = X86_FLAG_FIXED | (rnd() & 0x8d5);
    struct x86_fpu fpu;
    memset(&fpu, 0, sizeof(fpu));
    uint16_t masks = 0x3f;
    if (unmask)
        masks = (uint16_t)(rnd() & 0x3f);
    fpu.fcw = (uint16_t)(0x40 | (rn(4) << 8) | (rn(4) << 10) | masks);
    unsigned top = rn(8);
    uint16_t flags = (uint16_t)(rnd() & masks & 0x3f);
    if (rn(2))
        flags = 0;
    fpu.fsw = (uint16_t)((top << 11) | (rnd() & 0x4700) | flags);
    switch (rn(6)) {
    case 0: fpu.ftw = 0; break;
    case 1: fpu.ftw = (uint8_t)rnd(); break;
    case 2: fpu.ftw = (uint8_t)~(1u << ((top + 7) & 7)); break;   /* all but the push slot */
    case 3: fpu.ftw = (uint8_t)((1u << top) | (1u << ((top + 1) & 7))); break;  /* two values */
    default: fpu.ftw = 0xff; break;
    }
    for (int k = 0; k < 8; k++)
        fpu.st[k] = rand_f80();
    if (rn(4) == 0)
        fpu.st[1] = fpu.st[0];
    fpu.mxcsr = 0x1f80;
    cpu_fpu_to_fxsave(c->in.fx, &fpu);
}

static uint16_t fx_fsw(const struct so_state *s)
{
    uint16_t w;
    memcpy(&w, s->fx + 2, 2);
    return w;
}

static uint16_t fx_fcw(const struct so_state *s)
{
    uint16_t w;
    memcpy(&w, s->fx, 2);
    return w;
}

/* Bytes of an FNSTENV/FNSAVE image that hold FIP/FCS/FOP/FDP/FDS. */
static bool ptr_byte(unsigned off, bool o16)
{
    return o16 ? (off >= 6 && off < 14) : (off >= 12 && off < 28);
}

static struct so_host host;
static const struct op_row *cur_row;
static unsigned dev_cmp, dev_c1;

/* FLD m32fp/m64fp of a denormal with #D unmasked: "the top-of-stack
 * pointer (TOP) and source operands remain unchanged" (SDM vol. 1 8.5.2,
 * which lists loading a denormal single/double as a #D condition); this
 * AMD host pushes the value.  Check vireo against the SDM, then take the
 * host's register state for the rest of the comparison. */
static unsigned dev_fld;

static bool fld_denormal_rule(const struct so_case *c, const struct so_result *hr, struct so_result *gr,
                              const char *what)
{
    struct x86_fpu in;
    cpu_fpu_from_fxsave(c->in.fx, &in);
    uint16_t hsw = fx_fsw(&hr->out);
    if ((in.fsw & 0x80) || (in.fcw & 2) || !(hsw & 2) || (hsw & ~in.fcw & 1))
        return true;
    struct x86_fpu g;
    cpu_fpu_from_fxsave(gr->out.fx, &g);
    uint16_t want = (uint16_t)((hsw & ~0x3800) | (in.fsw & 0x3800));
    bool ok = g.fsw == want && g.ftw == in.ftw && !memcmp(gr->out.fx + 32, c->in.fx + 32, 128);
    if (!ok && failures < 20)
        fprintf(stderr, "%s: SDM 8.5.2 rule broken (fsw vireo %04x want %04x, ftw %02x in %02x)\n", what, g.fsw,
                want, g.ftw, in.ftw);
    memcpy(gr->out.fx + 2, hr->out.fx + 2, 3);         /* FSW, FTW */
    memcpy(gr->out.fx + 32, hr->out.fx + 32, 128);     /* ST0-7 */
    dev_fld++;
    return ok;
}

/* Where this AMD host departs from what the SDM documents for Intel,
 * check vireo against the SDM and then take the host's bits:
 *  - FCOM/FUCOM/FICOM/FTST (+P/PP) with an unmasked #IA: "condition code
 *    flags not set" (FCOM, FUCOM pages) - C0/C2/C3 as before;
 *  - FCOMI/FUCOMI(P) with an unmasked #IA: ZF/PF/CF not set, OF/SF/AF
 *    cleared (FCOMI page); and C1 is set to 0 (FCOMI page). */
static bool intel_rules(const struct so_case *c, const struct so_result *hr, struct so_result *gr, const char *what)
{
    if (!cur_row || hr->vec != gr->vec || (hr->vec != -1 && hr->vec != EXC_MF))
        return true;
    const char *m = cur_row->e->mnem;
    if (!strcmp(m, "fld") && cur_row->rm == ROW_RM_ANY && cur_row->opcode != 0xdb)
        return fld_denormal_rule(c, hr, gr, what);
    bool comi = strstr(m, "comi") != NULL;
    bool com = !comi && (!strncmp(m, "fcom", 4) || !strncmp(m, "fucom", 5) || !strncmp(m, "ficom", 5) ||
                         !strcmp(m, "ftst"));
    if (!com && !comi)
        return true;
    struct x86_fpu in;
    cpu_fpu_from_fxsave(c->in.fx, &in);
    if (in.fsw & 0x80)
        return true;        /* #MF before the instruction ran */
    uint16_t hsw = fx_fsw(&hr->out), gsw = fx_fsw(&gr->out);
    bool ia = !(in.fcw & 1) && (hsw & 1);
    bool ok = true;
    if (com && ia) {
        const uint16_t cc = 0x4500;
        if ((gsw & cc) != (in.fsw & cc))
            ok = false;
        gsw = (uint16_t)((gsw & ~cc) | (hsw & cc));
        dev_cmp++;
    }
    if (comi) {
        if (gsw & 0x200)
            ok = false;
        gsw = (uint16_t)((gsw & ~0x200) | (hsw & 0x200));
        dev_c1++;
        if (ia) {
            const uint64_t zpc = X86_FLAG_ZF | X86_FLAG_PF | X86_FLAG_CF;
            const uint64_t osa = X86_FLAG_OF | X86_FLAG_SF | X86_FLAG_AF;
            if ((gr->out.rflags & zpc) != (c->in.rflags & zpc) || (gr->out.rflags & osa))
                ok = false;
            gr->out.rflags = (gr->out.rflags & ~zpc) | (hr->out.rflags & zpc);
            dev_cmp++;
        }
    }
    memcpy(gr->out.fx + 2, &gsw, 2);
    if (!ok && failures < 20)
        fprintf(stderr, "%s: SDM rule for compares broken (fsw in %04x vireo %04x)\n", what, in.fsw, fx_fsw(&gr->out));
    return ok;
}
/* how often the host raised each exception flag (bits 0-6) masked / unmasked */
static unsigned exc_masked[7], exc_unmasked[7];
static bool ptr_check;
static unsigned ptr_checked;
static struct fake guest;

#define GUEST_MEM(f) ((f)->ram + SO_CODE_GPA + SO_MEM_OFF)

/* Run C on both sides and compare; EXTRA: bytes of memory to compare
 * beyond the harness window (state images). */
static bool run_compare(const char *what, struct so_case *c, unsigned env_kind, bool o16, const uint8_t *tail)
{
    struct so_result hr, gr;
    if (tail) {
        memcpy(host.page + SO_MEM_OFF + SO_MEMSZ, tail, 64);
        memcpy(GUEST_MEM(&guest) + SO_MEMSZ, tail, 64);
    }
    so_host_run(&host, c, &hr);
    so_guest_run(&guest, c, &gr);
    bool ok = intel_rules(c, &hr, &gr, what);
    if (!ok) {
        /* reported */
    } else if (env_kind == 1 || env_kind == 3) {
        /* image compared below; pointer fields differ by construction */
        unsigned n = (o16 ? 14 : 28) + (env_kind == 3 ? 80 : 0);
        const uint8_t *hm = host.page + SO_MEM_OFF, *gm = GUEST_MEM(&guest);
        for (unsigned k = 0; k < n; k++)
            if (!ptr_byte(k, o16) && hm[k] != gm[k]) {
                if (failures < 20)
                    fprintf(stderr, "%s: image byte %u host %02x vireo %02x\n", what, k, hm[k], gm[k]);
                ok = false;
            }
        memcpy(gr.mem, hr.mem, SO_MEMSZ);
        ok = so_compare(what, c, &hr, &gr, 0x8d5) && ok;
    } else {
        ok = so_compare(what, c, &hr, &gr, 0x8d5);
    }
    /* pointers of the last non-control instruction: the host (AMD) saves
     * them only while an unmasked exception is pending (ES=1) */
    if (ok && ptr_check && (fx_fsw(&hr.out) & 0x80) && (hr.vec == -1 || hr.vec == EXC_MF)) {
        uint16_t hop, gop;
        uint64_t hip, gip, hdp, gdp;
        memcpy(&hop, hr.out.fx + 6, 2);
        memcpy(&gop, gr.out.fx + 6, 2);
        memcpy(&hip, hr.out.fx + 8, 8);
        memcpy(&gip, gr.out.fx + 8, 8);
        memcpy(&hdp, hr.out.fx + 16, 8);
        memcpy(&gdp, gr.out.fx + 16, 8);
        hip -= (uint64_t)(uintptr_t)host.page;
        gip -= SO_CODE_GPA;
        hdp -= (uint64_t)(uintptr_t)host.page + SO_MEM_OFF;
        gdp -= SO_CODE_GPA + SO_MEM_OFF;
        if ((hop & 0x7ff) != gop || hip != gip || (c->mem_at >= 0 && hdp != gdp)) {
            if (failures < 20)
                fprintf(stderr, "%s: fop host %#x vireo %#x, fip host +%#llx vireo +%#llx, fdp host +%#llx vireo +%#llx\n",
                        what, hop, gop, (unsigned long long)hip, (unsigned long long)gip,
                        (unsigned long long)hdp, (unsigned long long)gdp);
            ok = false;
        } else {
            ptr_checked++;
        }
    }
    if (!ok) {
        if (getenv("X87_SUMMARY"))
            fprintf(stderr, "FAIL %s\n", what);
        if (failures < 20) {
            struct x86_fpu in;
            cpu_fpu_from_fxsave(c->in.fx, &in);
            fprintf(stderr, "   in: fcw %04x fsw %04x ftw %02x st0 %04x:%016llx st1 %04x:%016llx mem %02x%02x%02x%02x%02x%02x%02x%02x%02x%02x vec h%d g%d\n",
                    in.fcw, in.fsw, in.ftw, in.st[0].sign_exp, (unsigned long long)in.st[0].mantissa,
                    in.st[1].sign_exp, (unsigned long long)in.st[1].mantissa, c->mem[9], c->mem[8], c->mem[7],
                    c->mem[6], c->mem[5], c->mem[4], c->mem[3], c->mem[2], c->mem[1], c->mem[0], hr.vec, gr.vec);
        }
        failures++;
    }
    return ok;
}

static void build_code(struct so_case *c, const struct op_row *r, bool o16, bool rexw)
{
    unsigned n = 0;
    if (o16)
        c->code[n++] = 0x66;
    if (rexw)
        c->code[n++] = (uint8_t)(0x48 | rn(2));   /* REX.W, sometimes REX.B: ST(i) ignores it */
    c->code[n++] = r->opcode;
    if (r->reg < 0)
        return;
    if (r->rm == ROW_RM_ANY) {
        c->code[n++] = (uint8_t)((r->reg << 3) | 5);
        c->mem_at = 0;
    } else if (r->rm == ROW_RM_REG) {
        c->code[n++] = (uint8_t)(0xc0 | (r->reg << 3) | rn(8));
    } else {
        c->code[n++] = (uint8_t)(0xc0 | (r->reg << 3) | r->rm);
    }
}

static bool is_x87_row(const struct op_row *r)
{
    return r->map == 0 && ((r->opcode >= 0xd8 && r->opcode <= 0xdf) || r->opcode == 0x9b);
}

START_TEST(oracle_rows)
{
    if (!so_host_init(&host)) {
        fprintf(stderr, "host cannot run x86-64 code: skipped\n");
        exit(77);
    }
    so_guest_init(&guest);
    if (getenv("X87_SEED"))
        rs = strtoull(getenv("X87_SEED"), NULL, 0) | 1;
    const struct op_row *rows;
    size_t nrows = cpu_opcode_rows(&rows);
    static struct rowstat st[1024];
    unsigned nst = 0, total = 0, mf = 0;
    for (size_t k = 0; k < nrows && nst < 1024; k++)
        if (is_x87_row(&rows[k]))
            st[nst++].r = &rows[k];
    ck_assert_uint_gt(nst, 100);
    for (unsigned s = 0; s < nst; s++) {
        const struct op_row *r = st[s].r;
        cur_row = r;
        unsigned env_kind = 0;
        bool env = is_env_row(r, &env_kind);
        static const char *const control[] = {"fldcw", "fldenv", "frstor", "fnstenv", "fnsave", "fninit",
                                              "fnclex", "fnstsw", "fnstcw", "fwait"};
        ptr_check = true;
        for (size_t q = 0; q < sizeof(control) / sizeof(control[0]); q++)
            if (!strcmp(control[q], r->e->mnem))
                ptr_check = false;
        char what[64];
        const char *only = getenv("X87_ONLY");
        if (only && strcmp(only, r->e->mnem))
            continue;
        snprintf(what, sizeof(what), "%s %02x /%d", r->e->mnem, r->opcode, r->reg);
        for (unsigned it = 0; it < MIN_PER_ROW + 20; it++) {
            struct so_case c;
            bool unmask = it % 3 == 2;
            base_state(&c, unmask);
            bool o16 = env ? rn(3) == 0 : rn(8) == 0, rexw = !o16 && rn(6) == 0;
            build_code(&c, r, o16, rexw);
            uint8_t tail[64];
            for (unsigned b = 0; b < 64; b++)
                tail[b] = (uint8_t)rnd();
            if (c.mem_at >= 0)
                rand_mem_for(r, c.mem);
            if (env_kind == 2 || env_kind == 4) {
                uint16_t fcw;
                rand_env(c.mem, o16, &fcw);
                /* registers of FRSTOR: special-rich values */
                uint8_t img[128];
                memcpy(img, c.mem, 64);
                memcpy(img + 64, tail, 64);
                unsigned base = o16 ? 14 : 28;
                for (unsigned q = 0; q < 8; q++) {
                    struct x87_reg x = rand_f80();
                    memcpy(img + base + 10 * q, &x.mantissa, 8);
                    memcpy(img + base + 10 * q + 8, &x.sign_exp, 2);
                }
                memcpy(c.mem, img, 64);
                memcpy(tail, img + 64, 64);
            }
            ck_assert(so_prepare(&c));
            if (!run_compare(what, &c, env_kind, o16, tail))
                continue;
            st[s].compared++;
            total++;
            {
                struct so_result hx;
                so_host_run(&host, &c, &hx);
                struct x86_fpu in;
                cpu_fpu_from_fxsave(c.in.fx, &in);
                uint16_t raised = (uint16_t)(fx_fsw(&hx.out) & ~in.fsw & 0x7f);
                for (unsigned b = 0; b < 7; b++)
                    if (raised & (1u << b)) {
                        if (b < 6 && !(in.fcw & (1u << b)))
                            exc_unmasked[b]++;
                        else
                            exc_masked[b]++;
                    }
            }
            /* an unmasked exception is pending: FWAIT must raise #MF */
            struct so_result hr;
            so_host_run(&host, &c, &hr);
            if (hr.vec == -1 && (fx_fsw(&hr.out) & 0x80) && r->opcode != 0x9b) {
                c.code[c.len] = 0x9b;
                c.len++;
                struct so_case c2 = c;
                if (run_compare(what, &c2, env_kind, o16, tail)) {
                    so_host_run(&host, &c2, &hr);
                    ck_assert_int_eq(hr.vec, EXC_MF);
                    st[s].mf++;
                    mf++;
                }
            }
            (void)fx_fcw;
        }
    }
    unsigned low = 0;
    for (unsigned s = 0; s < nst; s++)
        if (st[s].compared < MIN_PER_ROW) {
            if (low++ < 30)
                fprintf(stderr, "row %s %02x /%d rm %d: compared %u\n", st[s].r->e->mnem, st[s].r->opcode,
                        st[s].r->reg, st[s].r->rm, st[s].compared);
        }
    fprintf(stderr, "x87 oracle: %u rows, %u cases equal, %u #MF follow-ups, %u FOP/FIP/FDP checks, %u failures\n",
            nst, total, mf, ptr_checked, failures);
    fprintf(stderr, "  SDM rules checked where this host differs: %u compares with unmasked #IA, %u FCOMI C1, "
            "%u FLD of a denormal with #D unmasked\n", dev_cmp, dev_c1, dev_fld);
    if (!getenv("X87_ONLY")) {
        ck_assert_uint_gt(dev_cmp, 100);
        ck_assert_uint_gt(dev_c1, 100);
        ck_assert_uint_gt(dev_fld, 5);
    }
    cur_row = NULL;
    ck_assert_uint_gt(ptr_checked, 1000);
    static const char *const en[7] = {"IE", "DE", "ZE", "OE", "UE", "PE", "SF"};
    for (unsigned b = 0; b < 7; b++) {
        fprintf(stderr, "  %s raised: masked (or SF) %u, unmasked %u\n", en[b], exc_masked[b], exc_unmasked[b]);
        ck_assert_uint_gt(exc_masked[b], 50);
        if (b < 6)
            ck_assert_uint_gt(exc_unmasked[b], 20);
    }
    ck_assert_uint_eq(failures, 0);
    if (!getenv("X87_ONLY"))
        ck_assert_uint_eq(low, 0);
    fake_fini(&guest);
    so_host_fini(&host);
}
END_TEST


/* ---- a pending unmasked exception: waiting rows #MF, the N forms run ---- */
static bool non_waiting(const struct op_row *r)
{
    static const char *const nw[] = {"fninit", "fnclex", "fnstsw", "fnstcw", "fnstenv", "fnsave",
                                     "feni8087_nop", "fdisi8087_nop", "fsetpm"};
    for (size_t q = 0; q < sizeof(nw) / sizeof(nw[0]); q++)
        if (!strcmp(nw[q], r->e->mnem))
            return true;
    return false;
}

START_TEST(pending_mf)
{
    if (!so_host_init(&host))
        exit(77);
    so_guest_init(&guest);
    const struct op_row *rows;
    size_t nrows = cpu_opcode_rows(&rows);
    unsigned n = 0, mfs = 0;
    failures = 0;
    for (size_t k = 0; k < nrows; k++) {
        const struct op_row *r = &rows[k];
        if (!is_x87_row(r))
            continue;
        unsigned env_kind = 0;
        bool env = is_env_row(r, &env_kind);
        cur_row = r;
        for (unsigned it = 0; it < 4; it++) {
            struct so_case c;
            base_state(&c, false);
            struct x86_fpu fpu;
            cpu_fpu_from_fxsave(c.in.fx, &fpu);
            uint16_t e = (uint16_t)(1u << rn(6));
            fpu.fcw &= (uint16_t)~e;
            fpu.fsw |= (uint16_t)(e | 0x8080);
            cpu_fpu_to_fxsave(c.in.fx, &fpu);
            build_code(&c, r, false, false);
            if (c.mem_at >= 0)
                rand_mem_for(r, c.mem);
            uint8_t tail[64];
            memset(tail, 0x5a, sizeof(tail));
            ck_assert(so_prepare(&c));
            ptr_check = false;
            ck_assert_msg(run_compare(r->e->mnem, &c, env ? env_kind : 0, false, tail), "%s", r->e->mnem);
            struct so_result hr;
            so_host_run(&host, &c, &hr);
            if (non_waiting(r)) {
                ck_assert_msg(hr.vec == -1, "%s faulted %d", r->e->mnem, hr.vec);
            } else {
                ck_assert_msg(hr.vec == EXC_MF, "%s: vector %d", r->e->mnem, hr.vec);
                mfs++;
            }
            n++;
        }
    }
    fprintf(stderr, "pending #MF: %u cases, %u #MF\n", n, mfs);
    fake_fini(&guest);
    so_host_fini(&host);
}
END_TEST

/* ---- #NM: guest only (the host cannot set CR0) ---- */
static int guest_vector(struct fake *f, const uint8_t *code, unsigned len, uint64_t cr0_set, uint64_t cr0_clear)
{
    uint8_t buf[17];
    memcpy(buf, code, len);
    buf[len] = 0xf4;
    fake_load(f, SO_CODE_GPA, buf, len + 1u);
    struct cpu_state s;
    fake_mode_state(f, &s, MODE_LONG64, SO_CODE_GPA, 0x8000);
    s.gdtr.base = SO_GDT;
    s.gdtr.limit = 23;
    s.idtr.base = SO_IDT;
    s.idtr.limit = 32 * 16 - 1;
    s.cr0 |= X86_CR0_NE | cr0_set;
    s.cr0 &= ~cr0_clear;
    s.cr4 |= X86_CR4_OSFXSR;
    s.fpu.fcw = 0x37f;
    s.fpu.ftw = 0xff;
    for (int k = 0; k < 8; k++)
        s.fpu.st[k] = f80(0x3fff, 1ull << 63);
    fake_set(f, &s);
    ck_assert_int_eq(fake_run(f, 10), VCPU_EXIT_HALT);
    fake_get(f, &s);
    if (s.rip == SO_CODE_GPA + len + 1)
        return -1;
    return (int)((s.rip - SO_STUBS) / 16);
}

START_TEST(nm_checks)
{
    struct fake f;
    so_guest_init(&f);
    const struct op_row *rows;
    size_t nrows = cpu_opcode_rows(&rows);
    unsigned n = 0;
    for (size_t k = 0; k < nrows; k++) {
        const struct op_row *r = &rows[k];
        if (!is_x87_row(r))
            continue;
        struct so_case c;
        memset(&c, 0, sizeof(c));
        c.mem_at = -1;
        build_code(&c, r, false, false);
        ck_assert(so_prepare(&c));
        bool wait = r->opcode == 0x9b;
        /* EM: #NM for x87, ignored by FWAIT */
        ck_assert_int_eq(guest_vector(&f, c.code, c.len, X86_CR0_EM, X86_CR0_TS), wait ? -1 : EXC_NM);
        /* TS: #NM for x87; FWAIT only together with MP */
        ck_assert_int_eq(guest_vector(&f, c.code, c.len, X86_CR0_TS, X86_CR0_MP), wait ? -1 : EXC_NM);
        ck_assert_int_eq(guest_vector(&f, c.code, c.len, X86_CR0_TS | X86_CR0_MP, 0), EXC_NM);
        ck_assert_int_eq(guest_vector(&f, c.code, c.len, X86_CR0_MP, X86_CR0_TS | X86_CR0_EM), -1);
        n++;
    }
    fprintf(stderr, "#NM: %u rows\n", n);
    fake_fini(&f);
}
END_TEST

/* ---- a memory operand at a non-canonical address: #GP(0), no state change ---- */
START_TEST(mem_faults)
{
    if (!so_host_init(&host))
        exit(77);
    so_guest_init(&guest);
    const struct op_row *rows;
    size_t nrows = cpu_opcode_rows(&rows);
    unsigned n = 0;
    failures = 0;
    for (size_t k = 0; k < nrows; k++) {
        const struct op_row *r = &rows[k];
        if (!is_x87_row(r) || r->rm != ROW_RM_ANY || r->reg < 0)
            continue;
        cur_row = r;
        for (unsigned it = 0; it < 4; it++) {
            struct so_case c;
            base_state(&c, it & 1);
            c.code[0] = r->opcode;
            c.code[1] = (uint8_t)(r->reg << 3);      /* [rax] */
            c.in.gpr[R_RAX] = 0x8000000000000000ull + (rnd() & 0xfff);
            ck_assert(so_prepare(&c));
            ptr_check = false;
            ck_assert_msg(run_compare(r->e->mnem, &c, 0, false, NULL), "%s", r->e->mnem);
            struct so_result hr;
            so_host_run(&host, &c, &hr);
            ck_assert_msg(hr.vec == EXC_GP, "%s: vector %d", r->e->mnem, hr.vec);
            n++;
        }
    }
    fprintf(stderr, "#GP on memory operands: %u cases\n", n);
    fake_fini(&guest);
    so_host_fini(&host);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("x87");
    TCase *tc = tcase_create("x87");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, oracle_rows);
    tcase_add_test(tc, pending_mf);
    tcase_add_test(tc, nm_checks);
    tcase_add_test(tc, mem_faults);
    suite_add_tcase(su, tc);
    return vireo_check_run(su);
}
