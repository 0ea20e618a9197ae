/*
 * diff_gen.c - the differential tester's case generator (diff_gen.h).
 *
 * Encodings follow SDM vol. 2 ch. 2 (prefixes, REX, ModRM/SIB, 16-bit
 * addressing table 2-1).  Every memory operand, string pointer, XLAT
 * table, moffs, stack and branch target is aimed into the data buffer or
 * the HLT sled, so both back ends touch only memory the harness resets
 * and compares.  Values come from gen_rand (seeded by the caller).
 *
 * Not generated: far transfers, privileged and I/O instructions (see
 * gen_skip), the rows and forms KVM on the test host gets wrong
 * (gen_kvm_skip and the notes in try_case), segment loads in 64-bit mode,
 * 66-prefixed near branches in 64-bit mode (vendor-specific: Intel
 * ignores the prefix, AMD truncates RIP to 16 bits), TF single-stepping.
 */
#include "diff_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/decode.h"
#include "x86_defined.h"

/* The one skip list: mnemonic and why it is not compared in a single
 * user-mode instruction harness. */
static const struct { const char *mnem, *why; } gen_skip[] = {
    {"hlt", "is the harness's end marker"},
    {"in", "I/O: #GP at CPL3, devices differ"}, {"out", "I/O"}, {"insb", "I/O"},
    {"ins", "I/O"}, {"outsb", "I/O"}, {"outs", "I/O"},
    {"cpuid", "vendor: host AMD vs the GenuineIntel profile"},
    {"rdtsc", "time-dependent"}, {"rdtscp", "time-dependent"},
    {"syscall", "system call: MSR-defined targets, kernel-mode return"},
    {"sysret", "privileged"}, {"sysenter", "system call"}, {"sysexit", "privileged"},
    {"swapgs", "privileged"}, {"wrmsr", "privileged"}, {"rdmsr", "privileged"},
    {"clts", "privileged"}, {"invd", "privileged"}, {"wbinvd", "privileged"},
    {"invlpg", "privileged"}, {"lgdt", "privileged"}, {"lidt", "privileged"},
    {"lldt", "privileged"}, {"ltr", "privileged"}, {"lmsw", "privileged"},
    {"sgdt", "system-table read (UMIP-dependent on the host)"},
    {"sidt", "system-table read"}, {"sldt", "system-table read"}, {"str", "system-table read"},
    {"smsw", "reads CR0 (KVM and interp own different CR0 reserved bits)"},
    {"lar", "descriptor access check (guest tests cover it)"}, {"lsl", "descriptor check"},
    {"verr", "descriptor check"}, {"verw", "descriptor check"}, {"arpl", "selector op"},
    {"iret", "far transfer (kernel-mode IRET fails on the nested test host)"},
    {"retf", "far transfer"}, {"callf", "far transfer"}, {"jmpf", "far transfer"},
    {"int1", "ICEBP: KVM on the test host fails it in real mode, #UD in compatibility mode"},
    {"maskmovq", "implicit DS:rDI destination; with a zero mask faults are implementation-"
                 "specific (SDM MASKMOVQ); tests/unit/test_simd_int.c covers it on the host"},
    {"maskmovdqu", "as MASKMOVQ"},
    {"fxsave", "CPU-model fields (MXCSR_MASK: the AMD test host sets bit 17) and KVM on the "
               "test host (XCR0 not taken from KVM_SET_XCRS, #GP turned into #UD); "
               "tests/unit/test_fpstate.c compares with the host natively"},
    {"ldmxcsr", "a reserved MXCSR bit is #GP, which KVM on the AMD test host intercepts and "
                "its emulator turns into #UD; test_sse_fp compares with the host natively"},
    {"lfence", "NP 0F AE /5-/7: with 66/F2/F3 the host raises #UD, which KVM intercepts and "
               "its emulator executes as a fence; test_sse_fp checks the host natively"},
    {"mfence", "as LFENCE"}, {"sfence", "as LFENCE"},
    {"fxrstor", "as FXSAVE"}, {"xsave", "as FXSAVE"}, {"xsavec", "as FXSAVE"},
    {"xrstor", "as FXSAVE"}, {"xgetbv", "as FXSAVE"}, {"xsetbv", "as FXSAVE"},
    {NULL, NULL},
};

const char *gen_skip_reason(const char *mnem)
{
    for (int k = 0; gen_skip[k].mnem; k++)
        if (!strcmp(gen_skip[k].mnem, mnem))
            return gen_skip[k].why;
    return NULL;
}

/* Rows for which KVM on the test host is not a trustworthy oracle.  That
 * host runs only 64-bit user code natively: real-mode and compatibility-
 * mode guest code goes through an instruction emulator (KVM's, by the
 * symptoms), which injects #UD for what it does not implement, decodes
 * F3 0F BD as BSR, gets the length of the 0F 19-1F hint NOPs with 16-bit
 * addressing wrong, and computes AAM/AAD SF/ZF on AX (the SDM: from AL).
 * MODES is a bit mask of 1 << diff_mode; vireo-difftest --list-skips
 * prints both tables. */
static const struct { const char *mnem; unsigned modes; const char *why; } gen_kvm_skip[] = {
    {"int", 6, "through a DPL0 gate at CPL3 the SDM says #GP(vec*8+2); KVM on the test host "
               "reports #UD (compatibility mode) or #BP/#UD (64-bit mode)"},
    {"int3", 6, "as INT n"},
    {"into", 6, "as INT n"},
    {"lzcnt", 3, "KVM's emulator executes F3 0F BD as BSR"},
    {"popcnt", 3, "KVM's emulator: #UD"}, {"movbe", 3, "KVM's emulator: #UD"},
    {"nop", 3, "KVM's emulator: #UD, or a wrong length with 16-bit addressing"},
    {"fwait", 3, "KVM's emulator: #UD / emulation failure"},
    {"bound", 3, "KVM's emulator: #UD / emulation failure"},
    {"daa", 3, "KVM's emulator: #UD / emulation failure"}, {"das", 3, "as DAA"},
    {"aaa", 3, "as DAA"}, {"aas", 3, "as DAA"},
    {"aam", 3, "KVM's emulator sets SF/ZF from AX, the SDM from AL"}, {"aad", 3, "as AAM"},
    {NULL, 0, NULL},
};

static const char *kvm_skip_reason(const char *mnem, enum diff_mode m)
{
    for (int k = 0; gen_kvm_skip[k].mnem; k++)
        if ((gen_kvm_skip[k].modes >> m & 1) && !strcmp(gen_kvm_skip[k].mnem, mnem))
            return gen_kvm_skip[k].why;
    return NULL;
}

/* MOV Sw,Ew, POP sreg, LES/LDS/LSS/LFS/LGS */
static bool is_segload(const struct op_entry *e)
{
    const char *m = e->mnem, *ops = e->operands;
    if (!strcmp(m, "mov") && !strncmp(ops, "Sw", 2))
        return true;
    if (!strcmp(m, "pop") && strchr("ECSDFG", ops[0]) && ops[1] == 'S')
        return true;
    return !strcmp(m, "les") || !strcmp(m, "lds") || !strcmp(m, "lss") || !strcmp(m, "lfs") ||
           !strcmp(m, "lgs");
}

void gen_print_skips(FILE *f)
{
    fprintf(f, "not generated (all modes):\n");
    for (int k = 0; gen_skip[k].mnem; k++)
        fprintf(f, "  %-10s %s\n", gen_skip[k].mnem, gen_skip[k].why);
    fprintf(f, "not generated where KVM on the test host is no oracle (modes):\n");
    for (int k = 0; gen_kvm_skip[k].mnem; k++)
        fprintf(f, "  %-10s %s%s%s %s\n", gen_kvm_skip[k].mnem,
                gen_kvm_skip[k].modes & 1 ? "real16 " : "", gen_kvm_skip[k].modes & 2 ? "prot32 " : "",
                gen_kvm_skip[k].modes & 4 ? "long64" : "", gen_kvm_skip[k].why);
    fprintf(f, "also: x87/MMX/SSE/XSAVE rows outside long64 (KVM's emulator: #UD); xsaveopt\n"
               "  (66 0F AE /6 is CLWB on the test host, not in vireo's profile)\n");
    fprintf(f, "also: mov from/push of segment registers and segment loads in long64 (KVM\n"
               "  there does not keep the selectors set); near branches with 66 in long64\n"
               "  (vendor-specific); faulting addresses only where KVM reports them right\n"
               "  (see try_case)\n");
}

/* x87, MMX, SSE and XSAVE-family rows */
static bool is_fp_row(const struct op_row *r)
{
    static const char *const fpstate[] = {"fxsave", "fxrstor", "xsave", "xrstor", "xsaveopt",
                                          "xsavec", "xgetbv", "xsetbv", "stmxcsr", "clflush",
                                          "crc32", NULL};
    if ((r->e->flags & OPF_SIMD) || (r->map == 0 && r->opcode >= 0xd8 && r->opcode <= 0xdf))
        return true;
    for (int k = 0; fpstate[k]; k++)
        if (!strcmp(fpstate[k], r->e->mnem))
            return true;
    return false;
}

static bool row_skipped(const struct op_row *r, enum diff_mode m)
{
    const char *ops = r->e->operands;
    if (gen_skip_reason(r->e->mnem) || kvm_skip_reason(r->e->mnem, m))
        return true;
    /* x87/MMX/SSE/XSAVE outside 64-bit mode: KVM's instruction emulator on
     * the test host raises #UD for them (they run natively only in 64-bit
     * user code); the host-oracle unit tests cover them in 64-bit mode */
    if (m != DIFF_LONG64 && is_fp_row(r))
        return true;
    /* 66 0F AE /6 and /7 are CLWB and CLFLUSHOPT on the test host, which
     * vireo's CPUID profile does not have (#UD there) */
    if (!strcmp(r->e->mnem, "xsaveopt"))
        return true;
    /* 64-bit mode: KVM on the test host reads DS/ES/FS/GS (set to 0x23)
     * as 0 and CS as 0x33 in 64-bit user code: selector reads are not
     * compared there (open question, see the report) */
    if (m == DIFF_LONG64 && (!strcmp(ops, "Ev,Sw") || (!strcmp(r->e->mnem, "push") &&
                                                     strchr("ECSDFG", ops[0]) && ops[1] == 'S')))
        return true;
    if (!strcmp(r->e->mnem, "mov") && (strchr(ops, 'C') || strchr(ops, 'D')))
        return true;                               /* control/debug registers */
    /* segment loads: KVM on the test host does not keep 64-bit-mode
     * selectors (below), so they are compared in real16/prot32 only */
    if (m == DIFF_LONG64 && is_segload(r->e))
        return true;
    if ((!strcmp(r->e->mnem, "call") || !strcmp(r->e->mnem, "jmp")) && !strcmp(ops, "Ap"))
        return true;                               /* far transfer */
    if (r->only64 && m != DIFF_LONG64)
        return true;
    if ((r->e->flags & OPF_I64) && m == DIFF_LONG64)
        return true;
    return false;
}

uint64_t gen_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

void gen_fill_data(uint8_t *data, uint32_t dseed)
{
    uint64_t s = 0x9e3779b97f4a7c15ull ^ ((uint64_t)dseed << 1 | 1);
    for (unsigned k = 0; k < DIFF_DATA_SIZE; k += 8) {
        uint64_t v = gen_rand(&s);
        memcpy(data + k, &v, 8);
    }
}

static uint64_t rand_val(uint64_t *rng)
{
    static const uint64_t edge[] = {0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
                                    0x80000000, 0xffffffff, 0x7fffffffffffffffull,
                                    0x8000000000000000ull, ~0ull};
    switch (gen_rand(rng) % 4) {
    case 0: return edge[gen_rand(rng) % (sizeof(edge) / sizeof(edge[0]))];
    case 1: return gen_rand(rng) & 0xff;
    case 2: return gen_rand(rng) & 0x3f;
    default: return gen_rand(rng);
    }
}

static const struct op_row *mode_rows[DIFF_NMODES][1024];
static size_t nmode_rows[DIFF_NMODES];

size_t gen_rows(enum diff_mode m)
{
    if (!nmode_rows[m]) {
        const struct op_row *rows;
        size_t n = cpu_opcode_rows(&rows);
        for (size_t k = 0; k < n && nmode_rows[m] < 1024; k++)
            if (!row_skipped(&rows[k], m))
                mode_rows[m][nmode_rows[m]++] = &rows[k];
    }
    return nmode_rows[m];
}

static bool is_mnem(const char *m, const char *const *list)
{
    for (int k = 0; list[k]; k++)
        if (!strcmp(m, list[k]))
            return true;
    return false;
}

static const char *const string_ops[] = {"movsb", "movs", "cmpsb", "cmps", "stosb", "stos",
                                         "lodsb", "lods", "scasb", "scas", NULL};
static const char *const near_branch[] = {"jcc", "jmp", "call", "ret", "loop", "loopz",
                                          "loopnz", "jcxz", NULL};

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

static void add_over(struct gen_case *g, uint16_t off, uint64_t v, unsigned len)
{
    if (g->nover >= GEN_MAX_OVER || off + len > DIFF_DATA_SIZE)
        return;
    g->over[g->nover].off = off;
    g->over[g->nover].len = (uint8_t)len;
    put_le(g->over[g->nover].bytes, v, len);
    put_le(g->c.data + off, v, len);
    g->nover++;
}

/* A random address in the sled, outside [CODE, CODE+len). */
static uint64_t sled_target(uint64_t *rng, unsigned len)
{
    uint64_t t = DIFF_SLED_GPA + 0x10 + gen_rand(rng) % (DIFF_SLED_SIZE - 0x20);
    if (t >= DIFF_CODE_GPA && t < DIFF_CODE_GPA + len)
        t = DIFF_CODE_GPA + len + (gen_rand(rng) & 0x7f);
    return t;
}

static int try_case(enum diff_mode mode, const struct op_row *r, uint64_t *rng, struct gen_case *g)
{
    const struct op_entry *e = r->e;
    const char *m = e->mnem;
    unsigned csize = mode == DIFF_LONG64 ? 8 : mode == DIFF_PROT32 ? 4 : 2;
    bool m64 = mode == DIFF_LONG64;
    bool str = is_mnem(m, string_ops);
    bool branch = is_mnem(m, near_branch);
    bool has_e = strchr(e->operands, 'E') || strchr(e->operands, 'M');
    uint8_t b[32];
    unsigned n = 0;
    static const uint8_t segp[] = {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65};
    static const uint8_t pfx_byte[4] = {0, 0x66, 0xf3, 0xf2};

    if (gen_rand(rng) % 8 == 0)
        b[n++] = segp[gen_rand(rng) % 6];
    if (gen_rand(rng) % 4 == 0 && !(m64 && branch))
        b[n++] = 0x66;
    if ((has_e || str || !strcmp(m, "xlat") || strchr(e->operands, 'O') || !strncmp(m, "loop", 4) ||
         !strcmp(m, "jcxz")) && gen_rand(rng) % 6 == 0)
        b[n++] = 0x67;
    if (str && gen_rand(rng) % 2)
        b[n++] = gen_rand(rng) % 3 ? 0xf3 : 0xf2;
    if (gen_rand(rng) % 24 == 0)
        b[n++] = 0xf0;
    if (r->pfx)
        b[n++] = pfx_byte[r->pfx];
    if (m64 && gen_rand(rng) % 2)
        b[n++] = (uint8_t)(0x40 | (gen_rand(rng) & 0xf));
    if (r->map >= 1)
        b[n++] = 0x0f;
    if (r->map == 2)
        b[n++] = 0x38;
    if (r->map == 3)
        b[n++] = 0x3a;
    b[n++] = r->opcode;
    unsigned modrm_at = n;
    bool mem = false;
    if (r->reg >= 0 || (e->flags & OPF_MODRM)) {
        unsigned reg = r->reg >= 0 ? (unsigned)r->reg : (unsigned)(gen_rand(rng) & 7);
        mem = (e->flags & OPF_MEM) || (has_e && !(e->flags & OPF_REGRM) && gen_rand(rng) % 2);
        if (r->rm >= 0)
            mem = false;
        unsigned rm = r->rm >= 0 ? (unsigned)r->rm : (unsigned)(gen_rand(rng) & 7);
        unsigned mod = mem ? (unsigned)(gen_rand(rng) % 3) : 3;
        b[n++] = (uint8_t)((mod << 6) | (reg << 3) | rm);
    }
    while (n < sizeof(b))
        b[n++] = (uint8_t)gen_rand(rng);

    struct insn in;
    if (cpu_decode(b, 15, csize, &in) != DEC_OK || in.ent != e)
        return -1;
    unsigned len = in.len;
    memset(&g->c, 0, sizeof(g->c));
    g->c.mode = mode;
    g->mnem = m;
    g->nover = 0;
    g->dseed = (uint32_t)gen_rand(rng);
    gen_fill_data(g->c.data, g->dseed);
    uint64_t *gpr = g->c.gpr;
    unsigned nregs = diff_nregs(mode);
    for (unsigned k = 0; k < nregs; k++)
        gpr[k] = m64 ? rand_val(rng) : (uint32_t)rand_val(rng);
    gpr[R_RSP] = DIFF_DATA_GPA + 0x800;
    uint64_t fl = (gen_rand(rng) & (XD_ARITH | X86_FLAG_DF)) | X86_FLAG_FIXED;
    if (mode != DIFF_REAL16)
        fl |= X86_FLAG_IF;
    g->c.rflags = fl;
    uint64_t amask = size_mask(in.asize);

    /* operand fixups: keep every access inside the data buffer / sled */
    bool bitop = !strcmp(m, "bt") || !strcmp(m, "bts") || !strcmp(m, "btr") || !strcmp(m, "btc");
    if (bitop && in.mod != 3 && strstr(e->operands, "Gv")) {
        if (in.reg == in.base || in.reg == in.index)
            return -1;
        gpr[in.reg] = (uint64_t)(int64_t)((int)(gen_rand(rng) % 1024) - 512) & size_mask(in.opsize);
    }
    uint64_t ea_off = 0x200 + gen_rand(rng) % 0x400;
    /* x87/SSE/XSAVE rows: aligned operands and no faulting address.  KVM
     * on the (AMD) test host intercepts #GP and hands the instruction to
     * its emulator, which reports #UD for these or skips the alignment
     * check; the host-oracle unit tests (tests/unit/test_sse*.c,
     * test_fpstate.c ...) check misalignment and faults natively. */
    bool fp = is_fp_row(r);
    if (fp)
        ea_off &= ~0x3full;
    /* now and then a faulting address instead: unmapped (#PF), crossing
     * into the unmapped page above RAM (#PF, CR2 on the second page),
     * non-canonical (#GP/#SS), beyond the real-mode limit (#GP/#SS) */
    uint64_t bad = 0;
    /* not with CS overrides in compatibility mode (KVM's emulator, which
     * runs that mode on the test host, reports the #PF of a write through
     * CS before the #GP of the segment check) */
    bool cs_ovr = memchr(b, 0x2e, modrm_at) != NULL;
    bool seg_ovr = false;
    for (unsigned k = 0; k < 6; k++)
        seg_ovr |= memchr(b, segp[k], modrm_at) != NULL;
    if (gen_rand(rng) % 12 == 0 && !(mode == DIFF_PROT32 && cs_ovr) && !fp) {
        uint64_t pick = gen_rand(rng) % 3;
        if (mode == DIFF_REAL16)
            bad = in.asize == 4 ? 0x10000 + (gen_rand(rng) & 0xfff) : 0;
        else if (pick == 0)
            bad = 0x40000000 + (gen_rand(rng) & 0xfff);
        else if (pick == 1 && mode == DIFF_LONG64)
            /* (not in compatibility mode: KVM's emulator, which runs it on
             * the test host, writes the first part of a store that
             * crosses into a not-present page before the #PF) */
            bad = DIFF_RAM_SIZE - 1 - (gen_rand(rng) % 7);
        else if (m64 && in.asize == 8 && r->map <= 1 && !r->pfx && !seg_ovr)
            /* (0F38 and mandatory-prefix rows are left out: a
             * non-canonical MOVBE or POPCNT comes back as #UD from KVM on
             * the test host; so are segment overrides: the AMD host raises
             * #SS for a non-canonical [rBP/rSP+...] even with a DS/ES
             * override, where the SDM says #GP(0)) */
            bad = 0x0000800000000000ull + (gen_rand(rng) & 0xfff);
    }
    if (in.mod != 3 && (e->flags & OPF_MODRM)) {
        uint64_t target = bad ? bad : DIFF_DATA_GPA + ea_off;
        unsigned sib = (in.asize != 2 && (b[modrm_at] & 7) == 4) ? 1 : 0;
        unsigned dpos = modrm_at + 1 + sib;
        unsigned mod = b[modrm_at] >> 6, rm = b[modrm_at] & 7;
        unsigned dsize = mod == 1 ? 1 : mod == 2 ? (in.asize == 2 ? 2 : 4) : 0;
        if (mod == 0 && in.asize == 2 && rm == 6)
            dsize = 2;
        if (mod == 0 && in.asize != 2 && (rm == 5 || (sib && (b[modrm_at + 1] & 7) == 5)))
            dsize = 4;
        uint64_t idx = in.index != X86_REG_NONE ? gpr[in.index] << in.scale : 0;
        if (in.base == R_RSP || (in.base != X86_REG_NONE && in.base == in.index))
            return -1;
        if (in.base == X86_BASE_RIP) {
            if (dsize != 4)
                return -1;
            put_le(b + dpos, target - (DIFF_CODE_GPA + len), 4);
        } else if (in.base == X86_REG_NONE) {
            if (dsize < 2)
                return -1;
            uint64_t d = (target - idx) & amask;
            if (dsize == 4 && in.asize == 8 && (int64_t)d != (int32_t)d) {
                if (in.index == X86_REG_NONE || in.index == R_RSP)
                    return -1;
                gpr[in.index] = 0;                 /* disp32 must reach */
                d = target;
            }
            put_le(b + dpos, d, dsize);
        } else {
            uint64_t v = (target - idx - (uint64_t)(int64_t)in.disp) & amask;
            gpr[in.base] = (gpr[in.base] & ~amask) | v;
            if (mode != DIFF_LONG64)
                gpr[in.base] &= 0xffffffffu;
        }
        /* call/jmp through memory: the pointer is a sled address */
        if (!strcmp(m, "call") || !strcmp(m, "jmp"))
            add_over(g, (uint16_t)ea_off, sled_target(rng, len), 8);
    }
    static const char *const stack_ops[] = {"push", "pop", "call", "ret", "pushf", "popf",
                                            "pusha", "popa", "enter", "leave", NULL};
    if (mode != DIFF_REAL16 && is_mnem(m, stack_ops) && gen_rand(rng) % 16 == 0)
        gpr[R_RSP] = gen_rand(rng) % 2 ? 0x40000800 : DIFF_RAM_SIZE + 4;   /* #PF */
    if (str) {
        gpr[R_RSI] = DIFF_DATA_GPA + 0x300 + gen_rand(rng) % 0xa00;
        gpr[R_RDI] = DIFF_DATA_GPA + 0x300 + gen_rand(rng) % 0xa00;
        if (in.rep)
            gpr[R_RCX] = gen_rand(rng) % 6;
    }
    if (!strcmp(m, "xlat"))
        gpr[R_RBX] = DIFF_DATA_GPA + 0x200 + gen_rand(rng) % 0x600;
    if (strchr(e->operands, 'O'))
        put_le(b + len - in.asize, DIFF_DATA_GPA + ea_off, in.asize);
    if (strchr(e->operands, 'J')) {
        unsigned w = strstr(e->operands, "Jb") ? 1 : in.opsize == 2 ? 2 : 4;
        uint64_t t = sled_target(rng, len);
        if (w == 1 && (t > DIFF_CODE_GPA + len + 127 || t + 128 < DIFF_CODE_GPA + len))
            t = DIFF_CODE_GPA + len + (gen_rand(rng) % 100);
        put_le(b + len - w, t - (DIFF_CODE_GPA + len), w);
    }
    if ((!strcmp(m, "call") || !strcmp(m, "jmp")) && in.mod == 3 && strchr(e->operands, 'E'))
        gpr[in.rm] = sled_target(rng, len);
    /* POPF: no TF (single-step traps are outside the one-instruction
     * harness: the trap would hit the HLT marker) */
    if (!strcmp(m, "popf")) {
        uint64_t v;
        memcpy(&v, g->c.data + 0x800, 8);
        add_over(g, 0x800, v & ~(uint64_t)X86_FLAG_TF, 8);
    }
    /* PUSH sreg with a 32/64-bit operand size writes 2 or all bytes
     * (SDM vol. 2 PUSH: implementation-specific): pre-zero the slot */
    if (!strcmp(m, "push") && strchr("ECSDFG", e->operands[0]) && e->operands[1] == 'S')
        add_over(g, 0x7f8, 0, 8);
    if (!strcmp(m, "ret"))
        add_over(g, 0x800, sled_target(rng, len), 8);
    g->cmp_seg = is_segload(e);
    if (g->cmp_seg) {
        /* selectors: in real mode any value; in compatibility mode valid,
         * null, wrong-DPL, code, system and out-of-limit ones (GDT in
         * diff_harness.c) */
        static const uint16_t pick[] = {0, 3, 0x23, 0x20, 0x21, 0x10, 0x13, 0x2b, 0x33,
                                        0x3b, 0x38, 0x48, 0xfff8, 0x1b, 0x0b};
        uint16_t v = mode == DIFF_REAL16 || gen_rand(rng) % 8 == 0 ?
                     (uint16_t)rand_val(rng) : pick[gen_rand(rng) % (sizeof(pick) / 2)];
        if (strstr(e->operands, "Mp"))
            add_over(g, (uint16_t)(ea_off + in.opsize), v, 2);
        else if (!strcmp(m, "pop"))
            add_over(g, 0x800, v, 8);
        else if (in.mod == 3)
            gpr[in.rm] = (gpr[in.rm] & ~0xffffull) | v;
        else
            add_over(g, (uint16_t)ea_off, v, 2);
    }
    if (!strcmp(m, "leave") || !strcmp(m, "enter"))
        gpr[R_RBP] = DIFF_DATA_GPA + 0x900 + (gen_rand(rng) % 0x80) * 8;
    /* ENTER level: keep the frame copy small.  Outside 64-bit mode KVM on
     * the test host (its instruction emulator) fails nesting levels, pushes
     * rBP with the stack size instead of the operand size and does not
     * probe the new stack top: level 0, no 66, the new top in the buffer. */
    if (!strcmp(m, "enter")) {
        b[len - 1] = m64 ? (uint8_t)(gen_rand(rng) % 4) : 0;
        if (!m64) {
            if (in.opsize != csize)
                return -1;
            put_le(b + len - 3, gen_rand(rng) % 0x700, 2);
        }
    }
    /* INT n in real mode: KVM's emulator pushes a 32-bit frame with a 66
     * prefix (the frame is 16-bit whatever the operand size) and mishandles
     * vectors >= 0x80 (sign-extended): neither is generated */
    if ((!strcmp(m, "int") || !strcmp(m, "int3") || !strcmp(m, "into")) && in.opsize != csize)
        return -1;
    if (!strcmp(m, "int"))
        b[len - 1] &= 0x7f;

    /* re-decode the patched bytes: same instruction, same length */
    if (cpu_decode(b, 15, csize, &in) != DEC_OK || in.ent != e || in.len != len)
        return -1;
    memcpy(g->c.code, b, len);
    g->c.len = len;

    uint64_t memsrc = 0;
    if (in.mod != 3)
        memcpy(&memsrc, g->c.data + ea_off, 8);
    g->fmask = xd_defined_flags(&in, gpr);
    g->xregs = 0;
    g->xmem = false;
    if (!xd_result_defined(&in, gpr, memsrc)) {
        if (in.mod == 3 && (e->flags & OPF_MODRM))
            g->xregs |= (uint16_t)(1u << in.rm);
        if (in.mod != 3 && !strchr("G", e->operands[0]))
            g->xmem = true;
        g->xregs |= (uint16_t)(1u << in.reg);
    }
    return 0;
}

int gen_case(enum diff_mode mode, unsigned n, uint64_t *rng, struct gen_case *g)
{
    size_t nr = gen_rows(mode);
    if (!nr)
        return -1;
    const struct op_row *r = mode_rows[mode][n % nr];
    for (int tries = 0; tries < 200; tries++)
        if (try_case(mode, r, rng, g) == 0)
            return 0;
    return -1;
}
