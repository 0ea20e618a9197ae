/*
 * difftest.c - vireo-difftest, the differential tester of the software
 * CPU against the real CPU under KVM (issue: "a differential tester").
 *
 *   vireo-difftest [--ref DIR]            check interp against the recorded
 *                                         references DIR/{real16,prot32,long64}.txt
 *   vireo-difftest --record [--ref DIR] [--cases N] [--seed S]
 *                                         regenerate them from KVM (needs /dev/kvm)
 *   vireo-difftest --live [--cases N] [--seed S] [--mode M]
 *                                         generate and compare interp with KVM
 *   vireo-difftest --list-skips           what is not generated, and why
 *
 * Exit: 0 all equal, 1 mismatches, 77 KVM unavailable (--live/--record),
 * 2 usage or file errors.
 *
 * Reference line (one case): inputs | results | compare masks
 *   c=<code hex> f=<rflags> d=<data seed> g=<gpr,...> [w<off>=<bytes>...]
 *   | s=ok|f<vec>[e<err>] ip=<rip> f=<rflags> [c2=<cr2>] [r<n>=<val>...]
 *     [sg=<es,ss,ds,fs,gs selectors> [sb=<their bases, real mode>]] [m<off>=<bytes>...]
 *     [t=<the 16 bytes below the end of RAM, when not all DIFF_TAIL_FILL>]
 *   | F=<arith flags compared> X=<regs not compared> [XM]
 * The inputs are complete (data = gen_fill_data(d) + overrides), so a
 * reference stays valid when the opcode table or the generator changes.
 * What is compared: status, vector, error code, CR2 of #PF, RIP, the
 * mode's GPRs (low 32 bits outside 64-bit mode), RFLAGS (arithmetic bits
 * limited to F; all of them after a fault), the 4 KiB data buffer, the
 * last 16 bytes of RAM (page-crossing accesses into unmapped memory), and
 * for segment loads the data segment selectors (and bases in real mode).
 * x87/SSE state (control/status/tag words, valid ST registers, MXCSR, XMM)
 * is compared in --live runs, where a quarter of the cases start from a
 * random FPU state; the reference files do not store FPU state yet.
 */
#include <capstone/capstone.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/decode.h"
#include "diff_gen.h"
#include "x86_defined.h"

#define OTHER_FLAGS (X86_FLAG_FIXED | X86_FLAG_TF | X86_FLAG_IF | X86_FLAG_DF | X86_FLAG_IOPL | \
                     X86_FLAG_NT | X86_FLAG_RF | X86_FLAG_AC | X86_FLAG_ID)

static unsigned max_print = 20;

static const char *status_name(enum diff_status s)
{
    static const char *const n[] = {"ok", "fault", "timeout", "shutdown", "error"};
    return n[s];
}

static void disasm(enum diff_mode m, const uint8_t *code, unsigned len, char *out, size_t n)
{
    csh h;
    cs_insn *ci;
    static const cs_mode cm[] = {CS_MODE_16, CS_MODE_32, CS_MODE_64};
    snprintf(out, n, "(capstone: ?)");
    if (cs_open(CS_ARCH_X86, cm[m], &h) != CS_ERR_OK)
        return;
    if (cs_disasm(h, code, len, DIFF_CODE_GPA, 1, &ci) == 1) {
        snprintf(out, n, "%.31s %.90s", ci->mnemonic, ci->op_str);
        cs_free(ci, 1);
    }
    cs_close(&h);
}

static void hex(char *out, const uint8_t *p, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        sprintf(out + 2 * k, "%02x", p[k]);
    out[2 * n] = 0;
}

static int unhex(const char *s, uint8_t *p, unsigned max)
{
    unsigned n = 0;
    while (s[0] && s[1] && n < max) {
        unsigned v;
        if (sscanf(s, "%2x", &v) != 1)
            return -1;
        p[n++] = (uint8_t)v;
        s += 2;
    }
    return (int)n;
}

static uint64_t reg_mask(enum diff_mode m) { return m == DIFF_LONG64 ? ~0ull : 0xffffffffull; }

/* Random x87/SSE input state (no pending exceptions: FSW flags clear,
 * all exceptions masked). */
static void random_fpu(uint64_t *rng, struct x86_fpu *f)
{
    memset(f, 0, sizeof(*f));
    f->fcw = (uint16_t)(0x37f | (gen_rand(rng) & 0xc00));     /* random RC */
    f->fsw = (uint16_t)((gen_rand(rng) & 7) << 11);            /* TOP */
    f->ftw = (uint8_t)gen_rand(rng);
    for (int k = 0; k < 8; k++) {
        f->st[k].mantissa = gen_rand(rng) | 1ull << 63;
        f->st[k].sign_exp = (uint16_t)(0x3fff + (gen_rand(rng) % 64) - 32) |
                            (uint16_t)(gen_rand(rng) & 0x8000);
    }
    f->mxcsr = 0x1f80 | (uint32_t)(gen_rand(rng) & 0x6000);
    for (int k = 0; k < 16; k++)
        for (int j = 0; j < 16; j += 8) {
            uint64_t v = gen_rand(rng);
            memcpy(&f->xmm[k].b[j], &v, 8);
        }
}

/* x87/SSE state that must match: control/status/tag words, registers
 * with a valid tag, MXCSR, XMM (FIP/FDP/FOP are not compared). */
static void compare_fpu(const struct x86_fpu *e, const struct x86_fpu *a, char *why, size_t n)
{
    size_t w = strlen(why);
    if (e->fcw != a->fcw || e->fsw != a->fsw || e->ftw != a->ftw || e->mxcsr != a->mxcsr)
        w += (size_t)snprintf(why + w, w < n ? n - w : 0,
                              " fpu(fcw %#x/%#x fsw %#x/%#x ftw %#x/%#x mxcsr %#x/%#x)", e->fcw,
                              a->fcw, e->fsw, a->fsw, e->ftw, a->ftw, e->mxcsr, a->mxcsr);
    unsigned top = (e->fsw >> 11) & 7;
    for (unsigned k = 0; k < 8; k++)
        if ((e->ftw >> ((top + k) & 7) & 1) &&
            (e->st[k].mantissa != a->st[k].mantissa || e->st[k].sign_exp != a->st[k].sign_exp))
            w += (size_t)snprintf(why + w, w < n ? n - w : 0, " st%u", k);
    for (unsigned k = 0; k < 16; k++)
        if (memcmp(e->xmm[k].b, a->xmm[k].b, 16))
            w += (size_t)snprintf(why + w, w < n ? n - w : 0, " xmm%u", k);
}

/* Compare EXP (reference / KVM) with ACT (interp); describe differences. */
static bool compare(const struct gen_case *g, const struct diff_result *e,
                    const struct diff_result *a, char *why, size_t n)
{
    size_t w = 0;
    why[0] = 0;
#define WHY(...) (w += (size_t)snprintf(why + w, w < n ? n - w : 0, __VA_ARGS__))
    if (e->status != a->status)
        WHY(" status(%s/%s)", status_name(e->status), status_name(a->status));
    if (e->status == DIFF_ST_FAULT && a->status == DIFF_ST_FAULT) {
        if (e->vector != a->vector)
            WHY(" vector(%d/%d)", e->vector, a->vector);
        else if (e->has_error_code != a->has_error_code || e->error_code != a->error_code)
            WHY(" error_code(%#x/%#x)", e->error_code, a->error_code);
        else if (e->vector == 14 && e->cr2 != a->cr2)
            WHY(" cr2(%#" PRIx64 "/%#" PRIx64 ")", e->cr2, a->cr2);
    }
    if (e->rip != a->rip)
        WHY(" rip(%#" PRIx64 "/%#" PRIx64 ")", e->rip, a->rip);
    uint64_t fm = OTHER_FLAGS | (e->status == DIFF_ST_OK ? g->fmask : XD_ARITH);
    if ((e->rflags ^ a->rflags) & fm)
        WHY(" rflags(%#" PRIx64 "/%#" PRIx64 " mask %#" PRIx64 ")", e->rflags, a->rflags, fm);
    for (unsigned k = 0; k < diff_nregs(g->c.mode); k++)
        if (!(g->xregs >> k & 1) && ((e->gpr[k] ^ a->gpr[k]) & reg_mask(g->c.mode)))
            WHY(" r%u(%#" PRIx64 "/%#" PRIx64 ")", k, e->gpr[k], a->gpr[k]);
    static const int dseg[] = {SEG_ES, SEG_SS, SEG_DS, SEG_FS, SEG_GS};
    if (g->cmp_seg)
        for (unsigned k = 0; k < 5; k++) {
            int sg = dseg[k];
            if (e->sel[sg] != a->sel[sg] ||
                (g->c.mode == DIFF_REAL16 && e->sbase[sg] != a->sbase[sg]))
                WHY(" seg%d(%#x base %#" PRIx64 "/%#x base %#" PRIx64 ")", sg, e->sel[sg],
                    e->sbase[sg], a->sel[sg], a->sbase[sg]);
        }
    if (!g->xmem && memcmp(e->tail, a->tail, DIFF_TAIL_SIZE)) {
        char he[2 * DIFF_TAIL_SIZE + 1], ha[2 * DIFF_TAIL_SIZE + 1];
        hex(he, e->tail, DIFF_TAIL_SIZE);
        hex(ha, a->tail, DIFF_TAIL_SIZE);
        WHY(" ram_tail(%s/%s)", he, ha);
    }
    if (!g->xmem)
        for (unsigned k = 0; k < DIFF_DATA_SIZE; k++)
            if (e->data[k] != a->data[k]) {
                WHY(" data[%#x](%02x/%02x)", k, e->data[k], a->data[k]);
                break;
            }
    return why[0] == 0;
#undef WHY
}

static void print_case(const struct gen_case *g, const struct diff_result *e,
                       const struct diff_result *a, const char *why, const char *what)
{
    char h[2 * DIFF_CODE_MAX + 1], d[160];
    hex(h, g->c.code, g->c.len);
    disasm(g->c.mode, g->c.code, g->c.len, d, sizeof(d));
    fprintf(stderr, "MISMATCH %s [%s] %s: %s\n  differs (%s):%s\n  in:  rflags=%#" PRIx64,
            diff_mode_name(g->c.mode), h, d, what, "expected/interp", why, g->c.rflags);
    for (unsigned k = 0; k < diff_nregs(g->c.mode); k++)
        fprintf(stderr, " r%u=%" PRIx64, k, g->c.gpr[k]);
    const struct diff_result *r[2] = {e, a};
    for (int j = 0; j < 2; j++) {
        fprintf(stderr, "\n  %s: %s", j ? "interp" : "expect", status_name(r[j]->status));
        if (r[j]->status == DIFF_ST_FAULT)
            fprintf(stderr, " vec=%d err=%#x", r[j]->vector, r[j]->error_code);
        fprintf(stderr, " rip=%#" PRIx64 " rflags=%#" PRIx64, r[j]->rip, r[j]->rflags);
        for (unsigned k = 0; k < diff_nregs(g->c.mode); k++)
            fprintf(stderr, " r%u=%" PRIx64, k, r[j]->gpr[k]);
        if (r[j]->err[0])
            fprintf(stderr, " (%s)", r[j]->err);
    }
    fprintf(stderr, "\n");
}

/* ---- reference files ---- */

static void write_line(FILE *f, const struct gen_case *g, const struct diff_result *r)
{
    char h[2 * DIFF_CODE_MAX + 1];
    hex(h, g->c.code, g->c.len);
    fprintf(f, "c=%s f=%" PRIx64 " d=%x g=", h, g->c.rflags, g->dseed);
    for (unsigned k = 0; k < diff_nregs(g->c.mode); k++)
        fprintf(f, "%s%" PRIx64, k ? "," : "", g->c.gpr[k]);
    for (unsigned k = 0; k < g->nover; k++) {
        hex(h, g->over[k].bytes, g->over[k].len);
        fprintf(f, " w%x=%s", g->over[k].off, h);
    }
    if (r->status == DIFF_ST_OK)
        fprintf(f, " | s=ok");
    else if (r->has_error_code)
        fprintf(f, " | s=f%de%x", r->vector, r->error_code);
    else
        fprintf(f, " | s=f%d", r->vector);
    fprintf(f, " ip=%" PRIx64 " f=%" PRIx64, r->rip, r->rflags);
    if (r->status == DIFF_ST_FAULT && r->vector == 14)
        fprintf(f, " c2=%" PRIx64, r->cr2);
    for (unsigned k = 0; k < diff_nregs(g->c.mode); k++)
        if (r->gpr[k] != g->c.gpr[k])
            fprintf(f, " r%u=%" PRIx64, k, r->gpr[k]);
    if (g->cmp_seg) {
        fprintf(f, " sg=%x,%x,%x,%x,%x", r->sel[SEG_ES], r->sel[SEG_SS], r->sel[SEG_DS],
                r->sel[SEG_FS], r->sel[SEG_GS]);
        if (g->c.mode == DIFF_REAL16)
            fprintf(f, " sb=%" PRIx64 ",%" PRIx64 ",%" PRIx64 ",%" PRIx64 ",%" PRIx64,
                    r->sbase[SEG_ES], r->sbase[SEG_SS], r->sbase[SEG_DS], r->sbase[SEG_FS],
                    r->sbase[SEG_GS]);
    }
    for (unsigned k = 0; k < DIFF_DATA_SIZE;) {
        if (r->data[k] == g->c.data[k]) {
            k++;
            continue;
        }
        unsigned end = k + 1, last = k;
        while (end < DIFF_DATA_SIZE && end - last <= 4) {
            if (r->data[end] != g->c.data[end])
                last = end;
            end++;
        }
        hex(h, r->data + k, last + 1 - k > DIFF_CODE_MAX ? DIFF_CODE_MAX : last + 1 - k);
        fprintf(f, " m%x=%s", k, h);
        k += (unsigned)strlen(h) / 2;
    }
    for (unsigned k = 0; k < DIFF_TAIL_SIZE; k++)
        if (r->tail[k] != DIFF_TAIL_FILL) {
            hex(h, r->tail, DIFF_TAIL_SIZE);
            fprintf(f, " t=%s", h);
            break;
        }
    fprintf(f, " | F=%x X=%x%s\n", g->fmask, g->xregs, g->xmem ? " XM" : "");
}

static int parse_line(char *line, enum diff_mode mode, struct gen_case *g, struct diff_result *r)
{
    memset(g, 0, sizeof(*g));
    memset(r, 0, sizeof(*r));
    g->c.mode = mode;
    r->vector = -1;
    int part = 0;
    bool have_data = false;
    for (char *t = strtok(line, " \n"); t; t = strtok(NULL, " \n")) {
        if (!strcmp(t, "|")) {
            if (++part == 1) {
                memcpy(r->gpr, g->c.gpr, sizeof(r->gpr));
                memcpy(r->data, g->c.data, DIFF_DATA_SIZE);
                memset(r->tail, DIFF_TAIL_FILL, DIFF_TAIL_SIZE);
            }
            continue;
        }
        if (part == 0) {
            if (!strncmp(t, "c=", 2)) {
                int n = unhex(t + 2, g->c.code, DIFF_CODE_MAX);
                if (n <= 0)
                    return -1;
                g->c.len = (unsigned)n;
            } else if (!strncmp(t, "f=", 2)) {
                g->c.rflags = strtoull(t + 2, NULL, 16);
            } else if (!strncmp(t, "d=", 2)) {
                g->dseed = (uint32_t)strtoul(t + 2, NULL, 16);
                gen_fill_data(g->c.data, g->dseed);
                have_data = true;
            } else if (!strncmp(t, "g=", 2)) {
                char *p = t + 2;
                for (unsigned k = 0; k < diff_nregs(mode) && *p; k++) {
                    g->c.gpr[k] = strtoull(p, &p, 16);
                    if (*p == ',')
                        p++;
                }
            } else if (t[0] == 'w' && have_data) {
                unsigned off = (unsigned)strtoul(t + 1, &t, 16);
                uint8_t b[DIFF_CODE_MAX];
                int n = unhex(t + 1, b, sizeof(b));
                if (n < 0 || off + (unsigned)n > DIFF_DATA_SIZE)
                    return -1;
                memcpy(g->c.data + off, b, (size_t)n);
            } else {
                return -1;
            }
        } else if (part == 1) {
            if (!strcmp(t, "s=ok")) {
                r->status = DIFF_ST_OK;
            } else if (!strncmp(t, "s=f", 3)) {
                char *p;
                r->status = DIFF_ST_FAULT;
                r->vector = (int)strtol(t + 3, &p, 10);
                if (*p == 'e') {
                    r->has_error_code = true;
                    r->error_code = (uint32_t)strtoul(p + 1, NULL, 16);
                }
            } else if (!strncmp(t, "ip=", 3)) {
                r->rip = strtoull(t + 3, NULL, 16);
            } else if (!strncmp(t, "f=", 2)) {
                r->rflags = strtoull(t + 2, NULL, 16);
            } else if (!strncmp(t, "c2=", 3)) {
                r->cr2 = strtoull(t + 3, NULL, 16);
            } else if (!strncmp(t, "sg=", 3) || !strncmp(t, "sb=", 3)) {
                static const int dseg[] = {SEG_ES, SEG_SS, SEG_DS, SEG_FS, SEG_GS};
                char *p = t + 3;
                g->cmp_seg = true;
                for (unsigned k = 0; k < 5 && *p; k++) {
                    uint64_t v = strtoull(p, &p, 16);
                    if (t[1] == 'g')
                        r->sel[dseg[k]] = (uint16_t)v;
                    else
                        r->sbase[dseg[k]] = v;
                    if (*p == ',')
                        p++;
                }
            } else if (!strncmp(t, "t=", 2)) {
                if (unhex(t + 2, r->tail, DIFF_TAIL_SIZE) != DIFF_TAIL_SIZE)
                    return -1;
            } else if (t[0] == 'r') {
                unsigned k = (unsigned)strtoul(t + 1, &t, 10);
                if (k >= 16 || *t != '=')
                    return -1;
                r->gpr[k] = strtoull(t + 1, NULL, 16);
            } else if (t[0] == 'm') {
                unsigned off = (unsigned)strtoul(t + 1, &t, 16);
                uint8_t b[DIFF_CODE_MAX];
                int n = unhex(t + 1, b, sizeof(b));
                if (n < 0 || off + (unsigned)n > DIFF_DATA_SIZE)
                    return -1;
                memcpy(r->data + off, b, (size_t)n);
            } else {
                return -1;
            }
        } else {
            if (!strncmp(t, "F=", 2))
                g->fmask = (uint32_t)strtoul(t + 2, NULL, 16);
            else if (!strncmp(t, "X=", 2))
                g->xregs = (uint16_t)strtoul(t + 2, NULL, 16);
            else if (!strcmp(t, "XM"))
                g->xmem = true;
            else
                return -1;
        }
    }
    return part == 2 && g->c.len ? 0 : -1;
}

/* ---- modes of operation ---- */

static struct diff_env *make_env(const char *name, bool required)
{
    const struct accel_ops *ops = accel_find(name);
    struct diff_env *e = NULL;
    char err[200] = "";
    if (!ops || diff_env_create(ops, &e, err, sizeof(err)) < 0) {
        fprintf(stderr, "vireo-difftest: %s unavailable%s%s\n", name, err[0] ? ": " : "", err);
        if (required)
            exit(2);
        return NULL;
    }
    return e;
}

static int check_refs(const char *dir, int only)
{
    struct diff_env *in = make_env("interp", true);
    static struct gen_case g;
    static struct diff_result exp, act;
    unsigned total = 0, bad = 0;
    for (int m = 0; m < DIFF_NMODES; m++) {
        if (only >= 0 && m != only)
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s.txt", dir, diff_mode_name(m));
        FILE *f = fopen(path, "r");
        if (!f) {
            fprintf(stderr, "vireo-difftest: %s: %s\n", path, strerror(errno));
            diff_env_destroy(in);
            return 2;
        }
        static char line[8192];
        unsigned n = 0, nb = 0, ln = 0;
        while (fgets(line, sizeof(line), f)) {
            ln++;
            if (line[0] == '#' || line[0] == '\n')
                continue;
            if (parse_line(line, (enum diff_mode)m, &g, &exp) < 0) {
                fprintf(stderr, "%s:%u: malformed reference line\n", path, ln);
                nb++;
                continue;
            }
            char why[1024];
            if (diff_run(in, &g.c, &act) < 0 || !compare(&g, &exp, &act, why, sizeof(why))) {
                if (nb++ < max_print) {
                    char what[4200];
                    snprintf(what, sizeof(what), "%s:%u", path, ln);
                    print_case(&g, &exp, &act, why, what);
                }
            }
            n++;
        }
        fclose(f);
        printf("%s: %u cases, %u mismatches\n", diff_mode_name(m), n, nb);
        total += n;
        bad += nb;
    }
    diff_env_destroy(in);
    printf("difftest: %u cases against the recorded references, %u mismatches\n", total, bad);
    return bad ? 1 : 0;
}

static int run_gen(bool record, const char *dir, unsigned ncases, uint64_t seed, int only)
{
    struct diff_env *kvm = make_env("kvm", false);
    if (!kvm)
        return 77;
    struct diff_env *in = record ? NULL : make_env("interp", true);
    static struct gen_case g;
    static struct diff_result ke, ie;
    unsigned bad = 0, total = 0;
    for (int m = 0; m < DIFF_NMODES; m++) {
        if (only >= 0 && m != only)
            continue;
        FILE *f = NULL;
        char path[4096];
        if (record) {
            snprintf(path, sizeof(path), "%s/%s.txt", dir, diff_mode_name(m));
            f = fopen(path, "w");
            if (!f) {
                fprintf(stderr, "vireo-difftest: %s: %s\n", path, strerror(errno));
                return 2;
            }
            fprintf(f, "# vireo-difftest reference, mode %s, recorded from KVM; seed %#" PRIx64
                       ", %u table rows; format in tests/diff/difftest.c\n",
                    diff_mode_name(m), seed, (unsigned)gen_rows((enum diff_mode)m));
        }
        uint64_t rng = seed ^ ((uint64_t)(m + 1) << 56) ^ 0x5851f42d4c957f2dull;
        unsigned n = 0, dropped = 0, nb = 0;
        for (unsigned k = 0; k < ncases; k++) {
            if (gen_case((enum diff_mode)m, k, &rng, &g) < 0) {
                dropped++;
                continue;
            }
            /* live runs also carry a random x87/SSE state through both
             * back ends (the references do not store FPU state yet) */
            if (!record && k % 4 == 0) {
                g.c.set_fpu = true;
                random_fpu(&rng, &g.c.fpu);
            }
            if (diff_run(kvm, &g.c, &ke) < 0 || ke.status > DIFF_ST_FAULT) {
                char h[2 * DIFF_CODE_MAX + 1];
                hex(h, g.c.code, g.c.len);
                if (dropped++ < 10)
                    fprintf(stderr, "kvm: %s [%s] %s: %s, not used\n", diff_mode_name(m), h,
                            g.mnem, ke.status == DIFF_ST_TIMEOUT ? "timeout" : ke.err);
                continue;
            }
            n++;
            if (record) {
                write_line(f, &g, &ke);
                continue;
            }
            char why[1024];
            bool same = diff_run(in, &g.c, &ie) == 0 && compare(&g, &ke, &ie, why, sizeof(why));
            if (same && (compare_fpu(&ke.fpu, &ie.fpu, why, sizeof(why)), why[0]))
                same = false;
            if (!same)
                if (nb++ < max_print)
                    print_case(&g, &ke, &ie, why, g.mnem);
        }
        if (f)
            fclose(f);
        printf("%s: %u cases%s, %u mismatches, %u not generated or refused by KVM\n",
               diff_mode_name(m), n, record ? " recorded" : "", nb, dropped);
        total += n;
        bad += nb;
    }
    diff_env_destroy(kvm);
    diff_env_destroy(in);
    printf("difftest: %u cases, %u mismatches\n", total, bad);
    if (!total) {
        fprintf(stderr, "vireo-difftest: KVM ran no case: skipped\n");
        return 77;
    }
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    bool record = false, live = false;
    const char *dir = VIREO_DIFF_REF_DIR;
    unsigned ncases = 2000;
    uint64_t seed = 0x76697265;   /* "vire" */
    int only = -1;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--record"))
            record = true;
        else if (!strcmp(argv[k], "--live"))
            live = true;
        else if (!strcmp(argv[k], "--ref") && k + 1 < argc)
            dir = argv[++k];
        else if (!strcmp(argv[k], "--cases") && k + 1 < argc)
            ncases = (unsigned)strtoul(argv[++k], NULL, 0);
        else if (!strcmp(argv[k], "--seed") && k + 1 < argc)
            seed = strtoull(argv[++k], NULL, 0);
        else if (!strcmp(argv[k], "--list-skips")) {
            gen_print_skips(stdout);
            return 0;
        } else if (!strcmp(argv[k], "--max-print") && k + 1 < argc)
            max_print = (unsigned)strtoul(argv[++k], NULL, 0);
        else if (!strcmp(argv[k], "--mode") && k + 1 < argc) {
            k++;
            for (int m = 0; m < DIFF_NMODES; m++)
                if (!strcmp(argv[k], diff_mode_name(m)))
                    only = m;
            if (only < 0) {
                fprintf(stderr, "vireo-difftest: unknown mode %s\n", argv[k]);
                return 2;
            }
        } else {
            fprintf(stderr, "usage: %s [--record | --live] [--ref DIR] [--cases N] [--seed S] "
                            "[--mode real16|prot32|long64] [--max-print N] [--list-skips]\n",
                    argv[0]);
            return 2;
        }
    }
    cpu_decode_init();
    if (record || live)
        return run_gen(record, dir, ncases, seed, only);
    return check_refs(dir, only);
}
