/*
 * test_decode_oracle.c - capstone (4.x) as an oracle for vireo's decoder
 * (cpu/decode.c, cpu/opcodes.def); issue 3, "capstone as a decoder oracle".
 *
 * What it checks, in 16-, 32- and 64-bit code:
 *  1. table_coverage: every row of cpu_opcode_rows() in every mode where it
 *     is valid, with ModRM forms mod 0/1/2/3 x rm 0/4/5/6 (SIB with and
 *     without base=101, disp32/RIP, 16-bit disp16), the group's reg field,
 *     and prefix sets {none, 66, 67, 66+67, F0} plus REX.W/REX.B/66+REX.W in
 *     64-bit code.  vireo must accept exactly the encodings the SDM allows
 *     (memory-only operands with mod=3 and LOCK outside the SDM's lockable
 *     list are #UD), pick that very row, and agree with capstone on the
 *     length and (through the alias table below) the mnemonic.  Rows marked
 *     I64 must be #UD in 64-bit code.
 *     Mandatory-prefix rows (op_row.pfx: 66/F3/F2) get their prefix, and
 *     0F38/0F3A rows their escape bytes.
 *  2. random16/32/64: 200k byte strings per mode (fixed-seed xorshift64*),
 *     biased toward legacy prefixes, REX (also misplaced before a legacy
 *     prefix), 0F and opcodes/groups from the table.  Where both accept,
 *     lengths and mnemonics (alias table) must match, which also catches a
 *     prefix that selects another instruction; vireo accepting what
 *     capstone rejects fails; capstone accepting an encoding the table
 *     claims (same map/opcode/group/mandatory prefix, memory form where the
 *     row is memory-only, valid in the mode) while vireo says #UD/#GP
 *     fails.  Encodings the table lacks (VEX/EVEX, AVX, BMI,
 *     ...) are skipped: "implemented" is looked up in
 *     cpu_opcode_rows() (claimed()), never in a hand-written list.
 *  3. sdm_length_limit, sdm_rex_rules, sdm_addressing, sdm_mode_specific:
 *     explicit SDM vol. 2 ch. 2 cases, most also checked against capstone:
 *     15-byte limit (#GP, 2.3.11), REX followed by a legacy prefix is
 *     ignored (2.2.1), REX.W beats 66 (2.2.1.2 / vol. 1 3.6.1), REX.R/X/B
 *     extensions and SIB index=100 (table 2-4, 2-5), 67 in 64-bit code,
 *     RIP-relative only for mod=00 rm=101 in 64-bit code, also with REX.B
 *     or 67 (2.2.1.6, table 2-7), SIB base=101 with mod=00 (table 2-3),
 *     the 16-bit forms (table 2-1, with SS for BP), moffs widths of A0-A3
 *     per address size (MOV page), far pointers 9A/EA and their #UD in
 *     64-bit code ("i64", table A-1), 63 ARPL vs MOVSXD, 82 and the other
 *     i64 opcodes, PUSH/POP d64 with 66 giving 16 bits (2.2.1.7), f64 near
 *     branches keeping rel32, imm64 only for REX.W B8+r (2.2.1.5), LOCK
 *     legality (LOCK page), memory-only operands with mod=11, MOV CR/DR
 *     ignoring mod (MOV-CR page).
 *
 * Exceptions are explicit tables, each entry with a comment: mnemonic
 * aliases (mnem_aliases[]), capstone 4 quirks checked against the SDM
 * (cs_quirk(), Q1-Q13), and known vireo bugs left for the cpu/ owner
 * (known_vireo_bugs[]).  Each use is counted and printed; a mismatch that
 * no entry explains fails the test.  ORACLE_VERBOSE=1 prints every
 * mismatch instead of the first 60.
 *
 * Not covered: operand values (registers/immediates/displacements are
 * compared only through lengths and the field checks of part 3), handler-
 * level #UD/#GP (CPL, CR4, CPUID and mode checks in cpu/exec_*.c, e.g.
 * SWAPGS/SYSCALL outside 64-bit code), VEX/EVEX and other
 * encodings the table does not contain, and decodes capstone 4 itself gets
 * wrong in a way a quirk entry has to excuse (see cs_quirk()).
 */
#include <capstone/capstone.h>
#include "tests/vireo_check.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/decode.h"

#define BUFSZ 16
#define AVAIL 15

/* ---- deterministic PRNG (xorshift64*) ---- */
static uint64_t rng_state;

static void rng_seed(uint64_t s) { rng_state = s ? s : 1; }

static uint64_t rnd(void)
{
    return vireo_rand(&rng_state);
}

static unsigned rndn(unsigned n) { return (unsigned)(rnd() % n); }

/* ---- modes ---- */
struct mode {
    unsigned csize;
    cs_mode cm;
    const char *name;
};
static const struct mode modes[3] = {
    {2, CS_MODE_16, "16-bit"},
    {4, CS_MODE_32, "32-bit"},
    {8, CS_MODE_64, "64-bit"},
};

static csh cs_open_mode(const struct mode *m)
{
    csh h;
    ck_assert_int_eq(cs_open(CS_ARCH_X86, m->cm, &h), CS_ERR_OK);
    return h;
}

static const char *hexstr(const uint8_t *b, size_t n, char *out, size_t outsz)
{
    out[0] = 0;
    for (size_t k = 0; k < n && 3 * k + 3 < outsz; k++)
        snprintf(out + 3 * k, outsz - 3 * k, "%02x ", b[k]);
    return out;
}

/* capstone's decode of BUF: length (0 when rejected) and the bare mnemonic
 * (the last word: capstone 4 writes "lock "/"rep "/"bnd " into it). */
static unsigned cs_decode(csh h, const uint8_t *buf, size_t avail, char *mnem, size_t msz)
{
    cs_insn *ci;
    size_t cnt = cs_disasm(h, buf, avail, 0x1000, 1, &ci);
    if (cnt == 0) {
        if (mnem)
            mnem[0] = 0;
        return 0;
    }
    unsigned len = ci[0].size;
    if (mnem) {
        const char *m = strrchr(ci[0].mnemonic, ' ');
        m = m ? m + 1 : ci[0].mnemonic;
        snprintf(mnem, msz, "%s", m);
    }
    cs_free(ci, cnt);
    return len;
}

/* ---- the table, as the decoder sees it ---- */
static const struct op_row *rows;
static size_t nrows;

static void load_rows(void)
{
    if (!rows)
        nrows = cpu_opcode_rows(&rows);
    ck_assert_uint_gt(nrows, 200);
}

static const struct op_row *row_of(const struct op_entry *e)
{
    for (size_t k = 0; k < nrows; k++)
        if (rows[k].e == e)
            return &rows[k];
    ck_abort_msg("entry %s not in cpu_opcode_rows()", e->mnem);
    return NULL;
}

/* ---- MMX/SSE slots (rows with OPF_SIMD) ----
 * In a slot with a non-group OPF_SIMD row, 66/F2/F3 select the form
 * (SDM vol. 2 2.1.2 "mandatory prefixes", table A-3); one without a form
 * of its own is #UD (checked on the host CPU) rather than the prefix-less
 * row.  The shift groups 0F 71-73 (OP2R rows) leave the prefix to the
 * handler. */
static bool simd_slot(unsigned map, uint8_t op, bool groups_too)
{
    for (size_t k = 0; k < nrows; k++)
        if (rows[k].map == map && rows[k].opcode == op && (rows[k].e->flags & OPF_SIMD) &&
            (groups_too || rows[k].reg < 0))
            return true;
    return false;
}

static bool has_only64_twin(const struct op_row *r)
{
    for (size_t k = 0; k < nrows; k++)
        if (rows[k].only64 && rows[k].map == r->map && rows[k].opcode == r->opcode && rows[k].pfx == r->pfx)
            return true;
    return false;
}

/* Is row R the meaning of its opcode in code of size CSIZE? */
static bool row_valid_in(const struct op_row *r, unsigned csize)
{
    if (r->only64)
        return csize == 8;
    if (csize == 8 && ((r->e->flags & OPF_I64) || has_only64_twin(r)))
        return false;
    return true;
}

/* The row the table claims for (map, opcode, modrm) in CSIZE code, or NULL
 * when vireo does not implement that encoding. */
static const struct op_row *claimed_row(unsigned map, uint8_t op, int modrm, unsigned csize, unsigned pfx)
{
    const struct op_row *best = NULL;
    for (size_t k = 0; k < nrows; k++) {
        const struct op_row *r = &rows[k];
        if (r->map != map || r->opcode != op || r->pfx != pfx || !row_valid_in(r, csize))
            continue;
        bool hasm = r->e->flags & OPF_MODRM;
        if (hasm && modrm < 0)
            continue;
        unsigned mod = hasm ? (unsigned)modrm >> 6 : 0;
        if (r->reg >= 0 && ((modrm >> 3) & 7) != r->reg)
            continue;
        if (r->rm >= 0) {
            if (mod != 3 || (modrm & 7) != r->rm)
                continue;
            return r;   /* fixed-rm rows take precedence over their group row */
        }
        if (r->rm == ROW_RM_REG) {
            if (mod != 3)
                continue;
            best = r;   /* register-form rows outrank the memory group row */
            continue;
        }
        if (best && best->rm == ROW_RM_REG)
            continue;
        if (hasm && mod == 3 && (r->e->flags & OPF_MEM) && !(r->e->flags & OPF_REGRM))
            continue;
        best = r;
    }
    return best;
}

/* ---- mnemonic aliases ---- */
static const char *const cc_names[16] = {
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
};

/* size: 0 = any, otherwise the vireo operand size (or address size for
 * 'a' entries) for which capstone's spelling applies. */
struct alias {
    const char *vireo, *cs;
    char attr;      /* 'o': operand size must equal size, 'a': address size, 'c': code size, 0: any */
    unsigned size;
    const char *why;
};
static const struct alias mnem_aliases[] = {
    /* SDM names one opcode CBW/CWDE/CDQE by operand size (98) */
    {"cbw", "cbw", 'o', 2, "98 o16"}, {"cbw", "cwde", 'o', 4, "98 o32"},
    {"cbw", "cdqe", 'o', 8, "98 o64"},
    /* CWD/CDQ/CQO (99) */
    {"cwd", "cdq", 'o', 4, "99 o32"}, {"cwd", "cqo", 'o', 8, "99 o64"},
    /* string instructions: vireo's table says "movs"; capstone spells the
     * size (MOVS/MOVSW/MOVSD/MOVSQ page) */
    {"movs", "movsw", 'o', 2, "A5"}, {"movs", "movsd", 'o', 4, "A5"}, {"movs", "movsq", 'o', 8, "A5"},
    {"cmps", "cmpsw", 'o', 2, "A7"}, {"cmps", "cmpsd", 'o', 4, "A7"}, {"cmps", "cmpsq", 'o', 8, "A7"},
    {"stos", "stosw", 'o', 2, "AB"}, {"stos", "stosd", 'o', 4, "AB"}, {"stos", "stosq", 'o', 8, "AB"},
    {"lods", "lodsw", 'o', 2, "AD"}, {"lods", "lodsd", 'o', 4, "AD"}, {"lods", "lodsq", 'o', 8, "AD"},
    {"scas", "scasw", 'o', 2, "AF"}, {"scas", "scasd", 'o', 4, "AF"}, {"scas", "scasq", 'o', 8, "AF"},
    /* INS/OUTS have no 64-bit form: REX.W still means a 32-bit transfer */
    {"ins", "insw", 'o', 2, "6D"}, {"ins", "insd", 'o', 4, "6D"}, {"ins", "insd", 'o', 8, "6D REX.W"},
    {"outs", "outsw", 'o', 2, "6F"}, {"outs", "outsd", 'o', 4, "6F"}, {"outs", "outsd", 'o', 8, "6F REX.W"},
    /* 90 is XCHG rAX,rAX (NOP); with REX.B it is XCHG r8,rAX (NOP page) */
    {"nop", "xchg", 0, 0, "41 90"},
    /* 0F 0D and 0F 18: hint-NOP space, capstone names the prefetches */
    {"nop", "prefetch", 0, 0, "0F 0D /0"}, {"nop", "prefetchw", 0, 0, "0F 0D /1"},
    {"nop", "prefetchnta", 0, 0, "0F 18 /0"}, {"nop", "prefetcht0", 0, 0, "0F 18 /1"},
    {"nop", "prefetcht1", 0, 0, "0F 18 /2"}, {"nop", "prefetcht2", 0, 0, "0F 18 /3"},
    /* PUSHA/PUSHAD, POPA/POPAD, PUSHF/PUSHFD/PUSHFQ, POPF..., IRET/IRETD/IRETQ */
    {"pusha", "pushaw", 'o', 2, "60"}, {"pusha", "pushal", 'o', 4, "60"},
    {"popa", "popaw", 'o', 2, "61"}, {"popa", "popal", 'o', 4, "61"},
    {"pushf", "pushfd", 'o', 4, "9C"}, {"pushf", "pushfq", 'o', 8, "9C"},
    {"popf", "popfd", 'o', 4, "9D"}, {"popf", "popfq", 'o', 8, "9D"},
    {"iret", "iretd", 'o', 4, "CF"}, {"iret", "iretq", 'o', 8, "CF"},
    /* 66 0F AE /7 (memory) is CLFLUSHOPT; vireo's CPUID profile has no
     * CLFLUSHOPT and runs it as CLFLUSH, as processors without it do (66
     * is then an ignored operand-size prefix; sse branch) */
    {"clflush", "clflushopt", 0, 0, "66 0F AE /7"},
    /* 66 0F AE F8 was PCOMMIT (withdrawn); SFENCE is "NP 0F AE F8" and
     * the handler raises #UD with 66/F2/F3, as the host CPU does
     * (tests/unit/test_sse_fp.c; a handler-level #UD, sse branch) */
    {"sfence", "pcommit", 0, 0, "66 0F AE F8"},
    /* F3 90 is PAUSE, a spin-loop hint that executes as NOP (PAUSE page) */
    {"nop", "pause", 0, 0, "F3 90"},
    /* 9B is WAIT/FWAIT */
    {"fwait", "wait", 0, 0, "9B"},
    /* [sse4] PEXTRD/PEXTRQ and PINSRD/PINSRQ share 66 0F 3A 16/22; REX.W
     * selects the 64-bit form (PEXTRB/PEXTRD/PEXTRQ, PINSRB/PINSRD/PINSRQ pages) */
    {"pextrd", "pextrq", 'o', 8, "66 REX.W 0F 3A 16"}, {"pinsrd", "pinsrq", 'o', 8, "66 REX.W 0F 3A 22"},
    /* LOOPNE/LOOPNZ, LOOPE/LOOPZ */
    {"loopnz", "loopne", 0, 0, "E0"}, {"loopz", "loope", 0, 0, "E1"},
    /* JCXZ/JECXZ/JRCXZ by address size */
    {"jcxz", "jecxz", 'a', 4, "E3 a32"}, {"jcxz", "jrcxz", 'a', 8, "E3 a64"},
    /* XLAT/XLATB */
    {"xlat", "xlatb", 0, 0, "D7"},
    /* far CALL/JMP: capstone's AT&T-style names */
    {"callf", "lcall", 0, 0, "FF /3"}, {"jmpf", "ljmp", 0, 0, "FF /5"},
    {"call", "lcall", 0, 0, "9A"}, {"jmp", "ljmp", 0, 0, "EA"},
    /* CMPXCHG8B/CMPXCHG16B share 0F C7 /1; REX.W selects 16B */
    {"cmpxchg8b", "cmpxchg16b", 'o', 8, "REX.W 0F C7 /1"},
    /* MOV with moffs64 (A0-A3) and MOV r64, imm64 (REX.W B8+r): "movabs" */
    {"mov", "movabs", 0, 0, "A0-A3 / REX.W B8+r in 64-bit code"},
    /* RET far with REX.W (RET page: REX.W CB "RET far 64") */
    {"retf", "retfq", 'o', 8, "REX.W CA/CB"},
    /* F3 0F BC is TZCNT only with BMI1; vireo's CPUID profile has no BMI1,
     * and without it the bytes execute as BSF (TZCNT page) */
    {"bsf", "tzcnt", 0, 0, "F3 0F BC without BMI1"},
    /* REX.W selects the 64-bit save-area format (FXSAVE/XSAVE pages) */
    {"fxsave", "fxsave64", 'o', 8, "REX.W 0F AE /0"}, {"fxrstor", "fxrstor64", 'o', 8, "REX.W 0F AE /1"},
    {"xsave", "xsave64", 'o', 8, "REX.W 0F AE /4"}, {"xrstor", "xrstor64", 'o', 8, "REX.W 0F AE /5"},
    {"xsaveopt", "xsaveopt64", 'o', 8, "REX.W 0F AE /6"}, {"xsavec", "xsavec64", 'o', 8, "REX.W 0F C7 /4"},
    /* 66 0F AE /6 is CLWB, which the profile does not advertise
     * (CPUID.7.EBX[24]=0): vireo decodes the group row and its handler
     * raises #UD (CLWB page) */
    {"xsaveopt", "clwb", 0, 0, "66 0F AE /6 without CLWB"},
    /* MOVD with REX.W is MOVQ (MOVD/MOVQ page, 0F 6E/7E) */
    {"movd", "movq", 'o', 8, "REX.W 0F 6E/7E"},
    /* capstone 4 quirks in names only (length agrees): */
    /* - 98/99 with a 16-bit operand size sometimes named CWDE/CDQ */
    {"cbw", "cwde", 'o', 2, "capstone: 98 o16 named cwde"},
    {"cwd", "cdq", 'o', 2, "capstone: 99 o16 named cdq"},
    /* - 66+REX.W on INS/OUTS: REX.W wins for the operand size (2.2.1.2),
     *   but INS/OUTS have no 64-bit form; capstone lets 66 win */
    {"ins", "insw", 'o', 8, "capstone: 66 REX.W 6D"}, {"outs", "outsw", 'o', 8, "capstone: 66 REX.W 6F"},
    /* - 67 followed by REX: capstone drops the 67 for E3 (JECXZ, not JRCXZ) */
    {"jcxz", "jrcxz", 'a', 4, "capstone: 67 REX E3"},
    /* - 67 E3 in 32-bit code with a further prefix: named JECXZ although
     *   the address size is 16 bits (JCXZ) */
    {"jcxz", "jecxz", 'a', 2, "capstone: 67 xx E3 in 32-bit code"},
    /* - 16-bit code: capstone 4 has no LZCNT/TZCNT there and names the
     *   bytes BSR/BSF (LZCNT page: valid in every mode) */
    {"lzcnt", "bsr", 'c', 2, "capstone: F3 0F BD in 16-bit code"},
    {"tzcnt", "bsf", 'c', 2, "capstone: F3 0F BC in 16-bit code"},
};

/* ---- SSE/SSE2 (cpu/opcodes_sse.def; sse branch) ----
 * Names capstone 4 spells differently from the table:
 * - CMPPS/CMPPD/CMPSS/CMPSD with imm8 0-7: the SDM's pseudo-ops
 *   CMPEQPS..CMPORDSD (CMPPS page, table 3-? "pseudo-ops"); legacy
 *   encodings use imm8[2:0] only, so capstone's name for imm8 >= 8 is
 *   checked by its suffix only.
 * - 0F 12 / 0F 16 with mod=11 are MOVHLPS / MOVLHPS (their SDM pages);
 *   vireo's rows are named after the memory forms MOVLPS / MOVHPS. */
static bool sse_mnem_match(const char *v, const struct insn *in, const char *cs, const char **why)
{
    static const char *const pred[8] = {"eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord"};
    if (!strncmp(v, "cmp", 3) && strlen(v) == 5 && (v[3] == 'p' || v[3] == 's') && (v[4] == 's' || v[4] == 'd') &&
        in->ent && (in->ent->flags & OPF_SIMD)) {
        char want[16];
        snprintf(want, sizeof(want), "cmp%s%s", pred[in->imm & 7], v + 3);
        size_t n = strlen(cs);
        if (!strcmp(want, cs) ||
            ((in->imm & 0xff) >= 8 && n > 5 && !strncmp(cs, "cmp", 3) && !strcmp(cs + n - 2, v + 3))) {
            *why = "CMPPS pseudo-op names";
            return true;
        }
    }
    if (in->mod == 3 && ((!strcmp(v, "movlps") && !strcmp(cs, "movhlps")) ||
                         (!strcmp(v, "movhps") && !strcmp(cs, "movlhps")))) {
        *why = "MOVHLPS/MOVLHPS are the mod=11 forms";
        return true;
    }
    return false;
}

static bool mnem_match(const struct op_row *r, const struct insn *in, unsigned csize, const char *cs,
                       const char **why)
{
    const char *v = r->e->mnem;
    *why = NULL;
    if (!strcmp(v, cs))
        return true;
    const char *pre = !strcmp(v, "jcc") ? "j" : !strcmp(v, "cmovcc") ? "cmov"
                    : !strcmp(v, "setcc") ? "set" : NULL;
    if (pre) {
        char want[16];
        snprintf(want, sizeof(want), "%s%s", pre, cc_names[r->opcode & 15]);
        return !strcmp(want, cs);
    }
    if (sse_mnem_match(v, in, cs, why))
        return true;
    for (size_t k = 0; k < sizeof(mnem_aliases) / sizeof(mnem_aliases[0]); k++) {
        const struct alias *a = &mnem_aliases[k];
        if (strcmp(a->vireo, v) || strcmp(a->cs, cs))
            continue;
        if (a->attr == 'o' && in->opsize != a->size)
            continue;
        if (a->attr == 'a' && in->asize != a->size)
            continue;
        if (a->attr == 'c' && csize != a->size)
            continue;
        *why = a->why;
        return true;
    }
    return false;
}

/* ---- SDM list of LOCK-able instructions (LOCK page, vol. 2A) ---- */
static bool sdm_lockable(const char *m)
{
    static const char *const ok[] = {
        "add", "adc", "and", "btc", "btr", "bts", "cmpxchg", "cmpxchg8b", "dec", "inc",
        "neg", "not", "or", "sbb", "sub", "xor", "xadd", "xchg",
    };
    for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++)
        if (!strcmp(ok[k], m))
            return true;
    return false;
}

/* ---- instruction anatomy, for claims, quirks and bugs ---- */
struct anat {
    bool p66, p67, lock, rexw, rexr;
    uint8_t rep;        /* last F2/F3, 0 if none */
    uint8_t last;       /* last legacy prefix, 0 if none */
    size_t opc;         /* offset of the first opcode byte */
    unsigned map;       /* 0 one-byte, 1 0F, 2 0F38, 3 0F3A */
    uint8_t op;
    int modrm;          /* -1: beyond the buffer */
};

static void anatomy(const uint8_t *b, unsigned csize, struct anat *a)
{
    memset(a, 0, sizeof(*a));
    size_t n = 0;
    uint8_t rex = 0;
    for (; n < AVAIL; n++) {
        uint8_t x = b[n];
        if (x == 0x66) a->p66 = true;
        else if (x == 0x67) a->p67 = true;
        else if (x == 0xf0) a->lock = true;
        else if (x == 0xf2 || x == 0xf3) a->rep = x;
        else if (x == 0x26 || x == 0x2e || x == 0x36 || x == 0x3e || x == 0x64 || x == 0x65) ;
        else if (csize == 8 && (x & 0xf0) == 0x40) { rex = x; continue; }
        else break;
        a->last = x;
        rex = 0;    /* a legacy prefix after REX cancels it (2.2.1) */
    }
    a->rexw = rex & 8;
    a->rexr = rex & 4;
    a->opc = n;
    if (n < AVAIL && b[n] == 0x0f) {
        a->map = 1;
        n++;
        if (n < AVAIL && (b[n] == 0x38 || b[n] == 0x3a)) {
            a->map = b[n] == 0x38 ? 2 : 3;
            n++;
        }
    }
    a->op = n < AVAIL ? b[n] : 0;
    a->modrm = n + 1 < AVAIL ? b[n + 1] : -1;
}

/* The row the table claims for the instruction in B (CSIZE code), or NULL
 * when vireo does not implement that encoding.  Mandatory-prefix rows
 * (op_row.pfx) take the encoding when their prefix is the deciding one
 * (last F2/F3, else 66), as in SDM vol. 2 2.1.2. */
static const struct op_row *claimed(const uint8_t *b, unsigned csize)
{
    struct anat a;
    anatomy(b, csize, &a);
    unsigned want = a.rep == 0xf3 ? P_F3 : a.rep == 0xf2 ? P_F2 : a.p66 ? P_66 : P_NONE;
    const struct op_row *r = NULL;
    if (want != P_NONE)
        r = claimed_row(a.map, a.op, a.modrm, csize, want);
    if (want != P_NONE && simd_slot(a.map, a.op, false)) {
        /* MMX/SSE: no fallback to the prefix-less row; U/N operands have
         * no memory form */
        if (r && (r->e->flags & OPF_REGONLY) && a.modrm >= 0 && (a.modrm >> 6) != 3)
            return NULL;
        return r;
    }
    return r ? r : claimed_row(a.map, a.op, a.modrm, csize, P_NONE);
}

/* Q10 (sse branch).  capstone 4 takes an SSE mandatory prefix (66/F2/F3)
 * only when it is the last legacy prefix, and in 16-bit code reads 66 as
 * an operand-size prefix (naming e.g. 66 0F 58 ADDPS).  SDM vol. 2 2.1.2:
 * the mandatory prefix selects the instruction wherever it sits among the
 * legacy prefixes, in every mode (F2/F3 outrank 66; the ADDPD page has no
 * mode restriction).  Checked, not assumed: the bytes are rewritten with
 * the deciding prefix last (16-bit code: as 32-bit code with 67 toggled,
 * the same addressing) and capstone must then agree with vireo. */
static const char *sse_prefix_quirk(const uint8_t *b, unsigned csize, const struct insn *in, unsigned vlen)
{
    struct anat a;
    anatomy(b, csize, &a);
    if (a.map != 1 || !simd_slot(1, a.op, false) || !(a.p66 || a.rep || (csize == 8 && a.p67 && a.rexw)))
        return NULL;
    uint8_t nb[BUFSZ + 2];
    size_t n = 0;
    bool has67 = false;
    for (size_t k = 0; k < a.opc; k++) {
        uint8_t x = b[k];
        if (x == 0x66 || x == 0xf2 || x == 0xf3 || (csize == 8 && (x & 0xf0) == 0x40))
            continue;
        if (x == 0x67) {
            /* 16-bit code: toggled below; 64-bit code: 67 changes no
             * length (capstone 4 reads 67+REX.W on 0F 10 etc. as the 66
             * form) */
            has67 = true;
            if (csize == 2 || csize == 8)
                continue;
        }
        nb[n++] = x;
    }
    if (csize == 2 && !has67)
        nb[n++] = 0x67;
    if (a.rep || a.p66)
        nb[n++] = a.rep ? a.rep : 0x66;
    if (csize == 8 && a.opc && (b[a.opc - 1] & 0xf0) == 0x40)
        nb[n++] = b[a.opc - 1];
    size_t npfx = n;
    for (size_t k = a.opc; k < BUFSZ && n < sizeof(nb); k++)
        nb[n++] = b[k];
    static csh hs[2];
    static bool open[2];
    int mi = csize == 8 ? 1 : 0;
    if (!open[mi]) {
        ck_assert_int_eq(cs_open(CS_ARCH_X86, mi ? CS_MODE_64 : CS_MODE_32, &hs[mi]), CS_ERR_OK);
        open[mi] = true;
    }
    char cm[32];
    unsigned clen = cs_decode(hs[mi], nb, AVAIL, cm, sizeof(cm));
    if (vlen == 0)
        return clen == 0 ? "SSE mandatory prefix not last / 66 in 16-bit code / 67+REX.W" : NULL;
    if (!clen || clen != vlen - a.opc + npfx)
        return NULL;
    const char *why;
    if (!mnem_match(row_of(in->ent), in, csize, cm, &why))
        return NULL;
    return "SSE mandatory prefix not last / 66 in 16-bit code / 67+REX.W";
}

/* ---- capstone 4 quirks (each checked against the SDM) ----
 * Returns the quirk's name when the disagreement is capstone's, else NULL.
 * VLEN/CLEN: the two lengths (0 = rejected). */
struct quirk_count { const char *name; unsigned n; };
static struct quirk_count quirk_hits[32];

static void count_quirk(const char *name)
{
    for (size_t k = 0; k < 32; k++) {
        if (!quirk_hits[k].name || !strcmp(quirk_hits[k].name, name)) {
            quirk_hits[k].name = name;
            quirk_hits[k].n++;
            return;
        }
    }
}

static const char *cs_quirk(const uint8_t *b, unsigned csize, const struct insn *in, unsigned vlen, unsigned clen)
{
    struct anat a;
    anatomy(b, csize, &a);
    bool m64 = csize == 8;
    int reg = a.modrm >= 0 ? (a.modrm >> 3) & 7 : -1;
    int mod = a.modrm >= 0 ? a.modrm >> 6 : -1;

    const char *sq = sse_prefix_quirk(b, csize, in, vlen);
    if (sq)
        return sq;
    if (vlen && clen == 0 && a.map == 1 && a.op == 0xae && mod == 3 && reg >= 5 && (a.modrm & 7) != 0) {
        /* Q11 (sse branch). 0F AE mod=11 /5 /6 /7 with rm != 000: capstone
         * 4 knows only E8/F0/F8.  SDM vol. 2 table A-6 (group 15, mod=11B)
         * defines LFENCE/MFENCE/SFENCE by reg alone; the host CPU runs
         * E9-EF, F1-F7, F9-FF as fences (tests/unit/test_sse_fp.c). */
        return "fence with rm != 0 rejected";
    }

    /* Q9. capstone 4 decodes F2/F3 0F 38 F0/F1 as MOVBE (in 16-bit code,
     * and with F3 everywhere).  CRC32 page / table A-4: F2 selects CRC32
     * (not in vireo's table yet, so #UD), F3 is undefined (#UD). */
    if (vlen == 0 && clen && a.map == 2 && (a.op == 0xf0 || a.op == 0xf1) &&
        (a.rep == 0xf2 || a.rep == 0xf3))
        return "F2/F3 0F 38 F0/F1 read as MOVBE";
    /* [sse4] Q9 continued: with CRC32 in the table (F2 0F 38 F0/F1, CRC32
     * page), capstone 4 still says MOVBE in 16-bit code. */
    if (vlen && csize == 2 && a.map == 2 && (a.op == 0xf0 || a.op == 0xf1) && a.rep == 0xf2 &&
        in->ent && !strcmp(in->ent->mnem, "crc32"))
        return "F2/F3 0F 38 F0/F1 read as MOVBE";
    /* [sse4] Q10. capstone 4 in 16-bit code ignores or misreads the
     * mandatory prefix (66/F2/F3) of SSE encodings: it rejects 66 0F 38 xx
     * and 66 0F D0, names F3 0F 12 MOVHLPS, ...  SDM vol. 2 2.1.2 and
     * tables: a mandatory prefix selects the instruction in every
     * operating mode (vol. 3A 13.1: SSE in real mode needs only
     * CR4.OSFXSR). */
    if (vlen && (clen == 0 || clen == vlen) && csize == 2 && a.map >= 1 && (a.p66 || a.rep) && in->ent &&
        (in->ent->flags & OPF_SIMD))
        return "mandatory prefix of an SSE row misread in 16-bit code";
    /* [sse4] Q11. capstone 4 ignores F2/F3 on 0F 38 / 0F 3A SIMD opcodes
     * (F2 0F 38 05 read as PHSUBW, F3 66 0F 38 06 as PHSUBD).  SDM vol. 2
     * 2.1.2 (other uses of F2/F3 with these opcodes are reserved) and
     * table A-4 (F2/F3 rows of the 0F 38 map: only CRC32 and the like);
     * real CPUs raise #UD (checked on the host CPU). */
    if (vlen == 0 && clen && a.map >= 2 && a.rep && !(a.map == 2 && (a.op == 0xf0 || a.op == 0xf1)))
        return "F2/F3 ignored on a 0F 38/0F 3A SIMD opcode";
    /* [sse4] Q12. 66 together with F2/F3 on an SSE opcode that has an
     * F2/F3 form: capstone 4 picks the 66 form or rejects.  SDM vol. 2
     * 2.1.2: F2/F3 is the mandatory prefix and 66 is then ignored; real
     * CPUs run the F2/F3 form whatever the prefix order (checked on the
     * host CPU: 66 F2 0F D0 is ADDSUBPS). */
    if (vlen && (clen == 0 || clen == vlen) && a.map >= 1 && a.p66 && a.rep && in->ent &&
        (in->ent->flags & OPF_SIMD))
        return "66 beside a mandatory F2/F3 of an SSE row";
    /* [sse4] Q13. like Q8 for SSE rows and CRC32: when another legacy
     * prefix (segment, 67, a second F2/F3) follows the mandatory prefix,
     * capstone 4 rejects the encoding or names the no-prefix form (F3 36
     * 0F 12 read as MOVLPS).  SDM vol. 2 2.1.2: the mandatory prefix need
     * not be the last legacy prefix; 2.1.1: prefixes of different groups
     * come in any order. */
    if (vlen && (clen == 0 || clen == vlen) && a.map >= 1 && (a.p66 || a.rep) && in->ent &&
        ((in->ent->flags & OPF_SIMD) || !strcmp(in->ent->mnem, "crc32")) && a.last != (a.rep ? a.rep : 0x66))
        return "mandatory prefix of an SSE row not the last prefix";

    if (vlen == 0 && clen && a.lock) {
        /* Q1. capstone 4 accepts LOCK on any instruction.  LOCK page (vol.
         * 2A): #UD unless the instruction is one of ADD ADC AND BTC BTR BTS
         * CMPXCHG CMPXCHG8B/16B DEC INC NEG NOT OR SBB SUB XOR XADD XCHG
         * *and* its destination is memory.  Checked independently of the
         * table's OPF_LOCK: the lock-free decode must fail that rule. */
        uint8_t nb[BUFSZ];
        size_t k = 0;
        for (size_t j = 0; j < BUFSZ; j++)
            if (j >= a.opc || b[j] != 0xf0)
                nb[k++] = b[j];
        while (k < BUFSZ)
            nb[k++] = 0;
        struct insn t;
        if (cpu_decode(nb, AVAIL, csize, &t) == DEC_OK) {
            bool memdest = t.mod != 3 && (t.ent->operands[0] == 'E' || t.ent->operands[0] == 'M');
            if (sdm_lockable(t.ent->mnem) && memdest)
                return NULL;    /* vireo wrong: the SDM allows this LOCK */
            return "LOCK accepted on a non-lockable form";
        }
        /* #UD without the LOCK as well: one of the checks below decides */
    }
    if (m64 && vlen && clen && in->ent && (in->ent->flags & OPF_F64) && in->ent->imm1 == IMM_Z &&
        (a.p66 || a.p67) && clen + 2 == vlen) {
        /* Q2. 64-bit near CALL/JMP/Jcc rel32 with 66 or 67: capstone 4
         * decodes rel16 (AMD behaviour, and for 67 not even that).  Intel:
         * operand size is forced to 64 bits, size prefixes are ignored and
         * the displacement stays 32 bits (vol. 1 6.3.7, vol. 2 table A-1
         * "f64"); vireo follows Intel. */
        return "rel16 for a 64-bit near branch with 66/67";
    }
    if (m64 && vlen && clen == vlen + 2 && a.map == 0 && a.op == 0xc2 && a.rexw && (a.p66 || a.p67)) {
        /* Q3. RET imm16 (C2 iw, RET page) is always a 16-bit immediate;
         * capstone 4 reads 4 bytes when REX.W comes with 66 or 67. */
        return "RET imm16 read as imm32 with REX.W+66/67";
    }
    if (vlen && clen == 0 && a.map == 1 && (a.op == 0x0d || (a.op >= 0x18 && a.op <= 0x1f)) &&
        !strcmp(in->ent->mnem, "nop")) {
        /* Q4. hint-NOP space: capstone 4 rejects register forms of 0F 18-1F
         * (e.g. 0F 1F C0, although the NOP page defines 0F 1F /0 r/m32),
         * 0F 1E with mod=11 unless it is ENDBR, and 0F 0D except /1
         * (PREFETCHW).  SDM table A-3 lists 0F 19-1F as "NOP Ev" and 0F 18
         * as group 16 whose other encodings are reserved NOPs; vireo runs
         * the whole space as NOP Ev.  0F 0D /0,/2-/7 (AMD PREFETCH and
         * reserved) is vireo's choice, listed in the report. */
        return "hint-NOP register/reserved form rejected";
    }
    if (vlen && clen == 0 && a.map == 0 && (a.op == 0x8c || a.op == 0x8e) && reg < 6) {
        if (a.rexr) {
            /* Q5. REX.R on MOV Sreg: SDM 2.2.1.2 (table 2-4 note) REX.R is
             * ignored when ModRM.reg does not name a GPR/CR/DR/XMM; the
             * handlers use reg & 7.  capstone 4 rejects the encoding. */
            return "REX.R on MOV Sreg rejected";
        }
    }
    if (vlen == 0 && clen && a.map == 0 && a.op == 0x8e && reg == 1) {
        /* Q6. MOV CS, r/m (8E /1): MOV page, "#UD if an attempt is made to
         * load the CS register"; capstone 4 decodes it. */
        return "MOV CS accepted";
    }
    if (vlen && a.map == 0 && (a.p66 || a.p67) && a.rep &&
        (clen == 0 || clen == vlen || clen == vlen + 2)) {
        /* Q7. 66/67 together with F2/F3 on one-byte opcodes: capstone 4
         * drops the 66/67 (66 F2 E8 rel16 read as rel32, 66 F3 68 imm16 as
         * imm32, 66 F3 A5 named movsd, 67 F3 E3 named jecxz) or rejects
         * (66 F2 A0 moffs).  F2/F3 are no mandatory prefixes for these
         * opcodes, so 66/67 keep selecting operand/address size (2.1.1). */
        return "66/67 ignored or rejected next to F2/F3";
    }
    if (vlen && a.map == 1 && (a.op == 0xb8 || a.op == 0xbc || a.op == 0xbd) && a.rep == 0xf3 &&
        (csize == 2 || a.last != 0xf3) && (clen == 0 || clen == vlen)) {
        /* Q8. POPCNT/LZCNT/TZCNT (F3 0F B8/BD/BC, valid in every mode per
         * their pages; a mandatory prefix need not be the last legacy
         * prefix, 2.1.2): capstone 4 rejects POPCNT or names BSR/BSF in
         * 16-bit code and when another legacy prefix follows the F3. */
        return "F3 0F B8/BC/BD: F3 not last, or 16-bit code";
    }
    /* ---- MMX/SSE (OPF_SIMD rows) ---- */
    if (csize == 2 && (a.p66 || a.rep) && simd_slot(a.map, a.op, true)) {
        /* Q10. capstone 4 in 16-bit code takes 66 on MMX/SSE opcodes as an
         * operand-size prefix and drops F2/F3 (66 0F 6F named movq, F3 0F
         * 7E movd, 66 0F 6C and F2 0F D6 rejected); SDM vol. 2 2.1.2: they
         * are mandatory prefixes for these opcodes in every mode. */
        return "16-bit: 66/F2/F3 not taken as mandatory prefixes on MMX/SSE";
    }
    if (vlen && clen == 0 && a.map == 1 && a.op >= 0x71 && a.op <= 0x73 && mod == 3 &&
        (a.rep || (!a.p66 && (reg == 3 || reg == 7)))) {
        /* Q11. not capstone's error: vireo decodes groups 12-14 (0F 71-73,
         * SDM table A-6) by ModRM.reg alone and the handler raises #UD for
         * F2/F3 and for PSRLDQ/PSLLDQ (/3, /7) without 66 (handler-level
         * #UD, cpu/exec_simd_shift.c). */
        return "0F 71-73 with F2/F3 or /3,/7 without 66: #UD in the handler";
    }
    if (vlen && (a.p66 || a.rep) && simd_slot(a.map, a.op, true)) {
        int nrep = 0;
        for (size_t j = 0; j < a.opc; j++)
            nrep += b[j] == 0xf2 || b[j] == 0xf3;
        uint8_t decider = a.rep ? a.rep : 0x66;
        if (nrep > 1 || a.last != decider) {
            /* Q12. a mandatory prefix that is not the last legacy prefix
             * (66 36 0F E7), or several F2/F3: capstone 4 then ignores it
             * (or takes the first F2/F3).  SDM vol. 2 2.1.2 allows prefixes
             * in any order; vireo, like the host CPU, takes the last F2/F3,
             * else 66. */
            return "MMX/SSE: mandatory prefix not last, or F2/F3 repeated";
        }
    }
    if (m64 && vlen && clen == vlen && a.rexw && simd_slot(a.map, a.op, false)) {
        /* Q13. REX.W on MMX/SSE opcodes: capstone 4 then names another
         * form (67 REX.W 0F 6F movdqa, F3 REX.W 0F 7E movd).  SDM vol. 2
         * 2.2.1.2: REX.W only promotes GPR operands (MOVD->MOVQ 0F 6E/7E,
         * PEXTRW/PMOVMSKB r64); it is no mandatory prefix and does not
         * select the 66/F3 forms. */
        return "REX.W changes capstone's MMX/SSE form";
    }
    (void)mod;
    return NULL;
}

/* ---- known vireo decoder bugs, left for the cpu/ owner ----
 * Each entry: a predicate on the bytes and mode, and what is wrong. */
struct vbug {
    const char *what;
    bool (*match)(const uint8_t *b, unsigned csize);
    unsigned hits;
};
/* None today.  (B1, F2 0F 38 F0/F1 = CRC32 decoded as MOVBE, was fixed in
 * cpu/decode.c: an F2/F3 that selects no 0F38/0F3A row is #UD.) */
static struct vbug known_vireo_bugs[] = {
    {NULL, NULL, 0},
};

static const char *known_bug(const uint8_t *b, unsigned csize)
{
    for (size_t k = 0; known_vireo_bugs[k].what; k++) {
        if (known_vireo_bugs[k].match(b, csize)) {
            known_vireo_bugs[k].hits++;
            return known_vireo_bugs[k].what;
        }
    }
    return NULL;
}

static void print_quirks(const char *where)
{
    for (size_t k = 0; k < 32 && quirk_hits[k].name; k++)
        fprintf(stderr, "  [%s] capstone quirk \"%s\": %u\n", where, quirk_hits[k].name, quirk_hits[k].n);
    for (size_t k = 0; known_vireo_bugs[k].what; k++)
        if (known_vireo_bugs[k].hits)
            fprintf(stderr, "  [%s] KNOWN VIREO BUG \"%s\": %u\n", where, known_vireo_bugs[k].what,
                    known_vireo_bugs[k].hits);
    memset(quirk_hits, 0, sizeof(quirk_hits));
    for (size_t k = 0; known_vireo_bugs[k].what; k++)
        known_vireo_bugs[k].hits = 0;
}

static unsigned fails;

static void report(const char *kind, const struct mode *m, const uint8_t *b, int vst, const struct insn *in,
                   unsigned clen, const char *cmnem)
{
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("ORACLE_VERBOSE") != NULL;   /* print every mismatch, not just 60 */
    if (++fails > 60 && !verbose)
        return;
    char hex[64];
    fprintf(stderr, "MISMATCH %s [%s] %s: vireo %s len %u %s | capstone len %u %s\n", kind, m->name,
            hexstr(b, AVAIL, hex, sizeof(hex)),
            vst == DEC_OK ? "ok" : vst == DEC_UD ? "#UD" : vst == DEC_GP ? "#GP" : "more",
            vst == DEC_OK ? in->len : 0, vst == DEC_OK ? in->ent->mnem : "-", clen,
            clen ? cmnem : "(rejected)");
}

/* ====================================================================
 * 1. table coverage
 * ==================================================================== */
struct pfxset { uint8_t b[3]; uint8_t n; bool only64; };
static const struct pfxset pfxsets[] = {
    {{0}, 0, false},
    {{0x66}, 1, false},
    {{0x67}, 1, false},
    {{0x66, 0x67}, 2, false},
    {{0xf0}, 1, false},
    {{0x48}, 1, true},
    {{0x41}, 1, true},
    {{0x66, 0x48}, 2, true},
    {{0x67, 0x49}, 2, true},
};

static size_t put_opcode(const struct op_row *r, uint8_t *buf, size_t n)
{
    if (r->map >= 1)
        buf[n++] = 0x0f;
    if (r->map == 2)
        buf[n++] = 0x38;
    if (r->map == 3)
        buf[n++] = 0x3a;
    buf[n++] = r->opcode;
    return n;
}

/* reg values worth trying for a non-group ModRM row */
static unsigned pick_reg(const struct op_row *r, unsigned k)
{
    if (r->map == 1 && (r->opcode == 0x20 || r->opcode == 0x22)) {
        static const unsigned crs[] = {0, 2, 3, 4};
        return crs[k % 4];
    }
    if (r->map == 0 && (r->opcode == 0x8c || r->opcode == 0x8e))
        return (k % 6 == 1 && r->opcode == 0x8e) ? 0 : k % 6;   /* ES..GS; MOV CS,x is #UD */
    return (k * 5 + 2) & 7;
}

static unsigned table_cases, table_rows_covered, table_ud_checked;

static void cover_row(const struct op_row *r, const struct mode *m, csh h)
{
    const struct op_entry *e = r->e;
    bool hasm = e->flags & OPF_MODRM;
    static const uint8_t mods[] = {0, 1, 2, 3};
    static const uint8_t rms[] = {0, 4, 5, 6};

    for (size_t p = 0; p < sizeof(pfxsets) / sizeof(pfxsets[0]); p++) {
        const struct pfxset *ps = &pfxsets[p];
        if (ps->only64 && m->csize != 8)
            continue;
        if ((e->flags & OPF_SIMD) && r->reg < 0 && (ps->b[0] == 0x66 || (ps->n > 1 && ps->b[1] == 0x66)))
            continue;   /* 66 is a mandatory prefix there: its own row (or #UD) */
        unsigned nv = hasm ? (r->rm >= 0 ? 1 : 16) : 1;
        for (unsigned v = 0; v < nv; v++) {
            uint8_t buf[BUFSZ];
            size_t n = 0;
            size_t k0 = 0;
            if (ps->n && (ps->b[ps->n - 1] & 0xf0) == 0x40)
                k0 = 1;   /* REX goes after the mandatory prefix */
            for (unsigned k = 0; k + k0 < ps->n; k++)
                buf[n++] = ps->b[k];
            if (r->pfx)
                buf[n++] = r->pfx == P_66 ? 0x66 : r->pfx == P_F3 ? 0xf3 : 0xf2;
            if (k0)
                buf[n++] = ps->b[ps->n - 1];
            n = put_opcode(r, buf, n);
            unsigned mod = 3;
            size_t n0 = n + 1;   /* just past the ModRM byte */
            if (hasm) {
                unsigned reg = r->reg >= 0 ? (unsigned)r->reg : pick_reg(r, v);
                unsigned rm = r->rm >= 0 ? (unsigned)r->rm : rms[v & 3];
                mod = r->rm >= 0 || r->rm == ROW_RM_REG || (e->flags & OPF_REGONLY) ? 3 : mods[v >> 2];
                if (r->rm == ROW_RM_REG)
                    rm = v & 7;
                buf[n++] = (uint8_t)(mod << 6 | reg << 3 | rm);
                if (rm == 4 && mod != 3) {
                    /* SIB: alternate base=101 (no base with mod=00) and random */
                    uint8_t sib = (uint8_t)rnd();
                    if (v & 8)
                        sib = (uint8_t)((sib & 0xf8) | 5);
                    buf[n++] = sib;
                }
            }
            while (n < BUFSZ)
                buf[n++] = (uint8_t)rnd();

            bool is_lock = ps->n == 1 && ps->b[0] == 0xf0;
            bool regrm = e->flags & OPF_REGRM;
            bool memform = hasm && mod != 3 && !regrm && (e->operands[0] == 'E' || e->operands[0] == 'M');
            bool want_ok = true;
            if (hasm && mod == 3 && (e->flags & OPF_MEM) && !regrm)
                want_ok = false;   /* M operand with mod=11: #UD (SDM app. A.2.1) */
            if (is_lock && !(sdm_lockable(e->mnem) && memform))
                want_ok = false;   /* LOCK outside the lockable list / register dest: #UD */
            if (r->map == 1 && simd_slot(1, r->opcode, false) && r->reg < 0 && !claimed(buf, m->csize))
                want_ok = false;   /* sse branch: SSE slot, prefix without a form of its own */

            struct insn in;
            int st = cpu_decode(buf, AVAIL, m->csize, &in);
            char cm[32];
            unsigned clen = cs_decode(h, buf, AVAIL, cm, sizeof(cm));
            table_cases++;
            if (!want_ok && hasm && mod == 3 && r->rm == ROW_RM_ANY && r->reg >= 0 &&
                claimed_row(r->map, r->opcode, buf[n0 - 1], m->csize, r->pfx) &&
                claimed_row(r->map, r->opcode, buf[n0 - 1], m->csize, r->pfx) != r) {
                continue;   /* mod=11 of a memory-only group row that has fixed-rm rows (0F 01 /7) */
            }
            if (!want_ok) {
                table_ud_checked++;
                if (st != DEC_UD && !known_bug(buf, m->csize))
                    report("table: SDM says #UD", m, buf, st, &in, clen, cm);
                continue;
            }
            if (st != DEC_OK) {
                if (!known_bug(buf, m->csize))
                    report("table: vireo rejects its own row", m, buf, st, &in, clen, cm);
                continue;
            }
            const struct op_row *cr = claimed(buf, m->csize);
            if (in.ent != e && !(cr && cr->e == in.ent && (in.ent->flags & OPF_SIMD))) {
                if (!known_bug(buf, m->csize))
                    report("table: decoded to a different row", m, buf, st, &in, clen, cm);
                continue;
            }
            /* sse branch: a pfxset 66 in front of an SSE row selects its 66 twin */
            const struct op_row *rr = in.ent == e ? r : cr;
            const char *q;
            if (clen != in.len && (q = cs_quirk(buf, m->csize, &in, in.len, clen))) {
                count_quirk(q);
                continue;
            }
            if (clen == 0) {
                if (!known_bug(buf, m->csize))
                    report("table: capstone rejects", m, buf, st, &in, clen, cm);
                continue;
            }
            if (clen != in.len) {
                if (!known_bug(buf, m->csize))
                    report("table: length", m, buf, st, &in, clen, cm);
                continue;
            }
            const char *why;
            if (!mnem_match(rr, &in, m->csize, cm, &why)) {
                if ((q = cs_quirk(buf, m->csize, &in, in.len, clen))) {
                    count_quirk(q);
                    continue;
                }
                if (!known_bug(buf, m->csize))
                    report("table: mnemonic", m, buf, st, &in, clen, cm);
            }
        }
    }
}

START_TEST(table_coverage)
{
    load_rows();
    rng_seed(0x5eed0001);
    fails = 0;
    unsigned covered[3] = {0, 0, 0};
    for (unsigned mi = 0; mi < 3; mi++) {
        const struct mode *m = &modes[mi];
        csh h = cs_open_mode(m);
        for (size_t k = 0; k < nrows; k++) {
            const struct op_row *r = &rows[k];
            if (r->only64 && m->csize != 8)
                continue;
            if (m->csize == 8 && ((r->e->flags & OPF_I64) || has_only64_twin(r))) {
                if ((r->e->flags & OPF_I64) && !(r->map == 0 && (r->opcode & 0xf0) == 0x40)) {
                    /* i64 rows: #UD in 64-bit code whatever follows (40-4F
                     * are REX there: sdm_rex_rules) */
                    uint8_t buf[BUFSZ] = {0};
                    size_t n = 0;
                    if (r->pfx)
                        buf[n++] = r->pfx == P_66 ? 0x66 : r->pfx == P_F3 ? 0xf3 : 0xf2;
                    n = put_opcode(r, buf, n);
                    buf[n] = (uint8_t)(r->reg >= 0 ? r->reg << 3 : 0);
                    struct insn in;
                    int st = cpu_decode(buf, AVAIL, 8, &in);
                    table_ud_checked++;
                    if (st != DEC_UD && !known_bug(buf, 8))
                        report("table: i64 row decodes in 64-bit mode", m, buf, st, &in, 0, "");
                }
                continue;
            }
            cover_row(r, m, h);
            covered[mi]++;
        }
        cs_close(&h);
    }
    table_rows_covered = covered[0] + covered[1] + covered[2];
    fprintf(stderr, "table_coverage: %zu rows; covered 16-bit %u, 32-bit %u, 64-bit %u; %u encodings, "
            "%u checked for #UD; %u failures\n", nrows, covered[0], covered[1], covered[2],
            table_cases, table_ud_checked, fails);
    print_quirks("table");
    unsigned legacy_rows = 0;
    for (size_t k = 0; k < nrows; k++)
        legacy_rows += !rows[k].only64;
    ck_assert_uint_eq(covered[1], legacy_rows);   /* nothing skipped in 32-bit code */
    ck_assert_uint_eq(covered[0], legacy_rows);
    ck_assert_uint_eq(fails, 0);
}
END_TEST

/* ====================================================================
 * 2. random corpus
 * ==================================================================== */
static const uint8_t legacy_pfx[] = {0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65};

static void gen_random(const struct mode *m, uint8_t *buf)
{
    size_t n = 0;
    unsigned np = rndn(8) < 5 ? rndn(3) : rndn(5);
    for (unsigned k = 0; k < np; k++) {
        uint8_t p = legacy_pfx[rndn(sizeof(legacy_pfx))];
        if (p == 0xf0 && rndn(3))   /* LOCK: rarer */
            p = 0x66;
        buf[n++] = p;
    }
    if (m->csize == 8 && rndn(2)) {
        uint8_t rex = (uint8_t)(0x40 | rndn(16));
        if (n && rndn(8) == 0) {     /* REX before a legacy prefix: ignored */
            buf[n] = buf[n - 1];
            buf[n - 1] = rex;
            n++;
        } else {
            buf[n++] = rex;
        }
    }
    unsigned pick = rndn(20);
    if (pick < 9) {
        const struct op_row *r = &rows[rndn((unsigned)nrows)];
        if (r->pfx && rndn(4))
            buf[n++] = r->pfx == P_66 ? 0x66 : r->pfx == P_F3 ? 0xf3 : 0xf2;
        n = put_opcode(r, buf, n);
        uint8_t modrm = (uint8_t)rnd();
        if (r->reg >= 0)
            modrm = (uint8_t)((modrm & 0xc7) | r->reg << 3);
        if (r->rm >= 0)
            modrm = (uint8_t)(0xc0 | (modrm & 0x38) | r->rm);
        if (r->rm == ROW_RM_REG || (r->e->flags & OPF_REGONLY))
            modrm |= 0xc0;
        buf[n++] = modrm;
    } else if (pick < 13) {
        buf[n++] = 0x0f;
    }
    while (n < BUFSZ)
        buf[n++] = (uint8_t)rnd();
}

static void random_mode(const struct mode *m, uint64_t seed, unsigned iters)
{
    load_rows();
    rng_seed(seed);
    fails = 0;
    csh h = cs_open_mode(m);
    unsigned agree = 0, both_reject = 0, skipped_unimpl = 0, quirks = 0, bugs = 0, vaccept = 0;
    for (unsigned it = 0; it < iters; it++) {
        uint8_t buf[BUFSZ];
        gen_random(m, buf);
        struct insn in;
        int st = cpu_decode(buf, AVAIL, m->csize, &in);
        char cm[32];
        unsigned clen = cs_decode(h, buf, AVAIL, cm, sizeof(cm));
        unsigned vlen = st == DEC_OK ? in.len : 0;
        if (st == DEC_OK)
            vaccept++;
        if (vlen == clen && vlen) {
            /* same length: the mnemonic must agree too (through the alias
             * table), which catches a prefix selecting another instruction */
            const struct op_row *r = row_of(in.ent);
            const char *why;
            if (mnem_match(r, &in, m->csize, cm, &why)) {
                agree++;
                continue;
            }
            const char *q = cs_quirk(buf, m->csize, &in, vlen, clen);
            if (q) {
                count_quirk(q);
                quirks++;
                continue;
            }
            if (known_bug(buf, m->csize)) {
                bugs++;
                continue;
            }
            report("random: mnemonic", m, buf, st, &in, clen, cm);
            continue;
        }
        if (vlen == clen) {
            both_reject++;
            continue;
        }
        if (st != DEC_OK) {
            /* capstone accepts, vireo does not: only a failure when the
             * table claims this encoding */
            if (!claimed(buf, m->csize)) {
                skipped_unimpl++;
                continue;
            }
        }
        const char *q = cs_quirk(buf, m->csize, &in, vlen, clen);
        if (q) {
            count_quirk(q);
            quirks++;
            continue;
        }
        if (known_bug(buf, m->csize)) {
            bugs++;
            continue;
        }
        report(st != DEC_OK ? "random: vireo rejects a claimed encoding"
               : clen == 0 ? "random: capstone rejects" : "random: length", m, buf, st, &in, clen, cm);
    }
    cs_close(&h);
    fprintf(stderr, "random_corpus %s: %u cases, vireo accepts %u, agree (same length) %u, both reject %u, "
            "skipped (not in table) %u, capstone quirks %u, known vireo bugs %u, failures %u\n",
            m->name, iters, vaccept, agree, both_reject, skipped_unimpl, quirks, bugs, fails);
    print_quirks(m->name);
    ck_assert_uint_gt(agree, iters / 3);
    ck_assert_uint_eq(fails, 0);
}

#define RANDOM_ITERS 200000
START_TEST(random16) { random_mode(&modes[0], 0x1600d5eedull, RANDOM_ITERS); }
END_TEST
START_TEST(random32) { random_mode(&modes[1], 0x3200d5eedull, RANDOM_ITERS); }
END_TEST
START_TEST(random64) { random_mode(&modes[2], 0x6400d5eedull, RANDOM_ITERS); }
END_TEST

/* ====================================================================
 * 3. SDM edge cases
 * ==================================================================== */
static int dec(const uint8_t *b, size_t n, unsigned csize, struct insn *in)
{
    memset(in, 0xa5, sizeof(*in));
    return cpu_decode(b, n, csize, in);
}

/* vireo and capstone must both accept B (N bytes) with length LEN. */
static void both_len(const uint8_t *b, size_t n, unsigned csize, unsigned len, struct insn *in)
{
    const struct mode *m = csize == 2 ? &modes[0] : csize == 4 ? &modes[1] : &modes[2];
    char hex[64];
    uint8_t buf[BUFSZ + 2] = {0};
    memcpy(buf, b, n);
    int st = dec(buf, n, csize, in);
    ck_assert_msg(st == DEC_OK && in->len == len, "[%s] %s: vireo st %d len %u, want len %u", m->name,
                  hexstr(b, n, hex, sizeof(hex)), st, st == DEC_OK ? in->len : 0, len);
    csh h = cs_open_mode(m);
    char cm[32];
    unsigned clen = cs_decode(h, buf, n, cm, sizeof(cm));
    cs_close(&h);
    ck_assert_msg(clen == len, "[%s] %s: capstone len %u (%s), want %u", m->name,
                  hexstr(b, n, hex, sizeof(hex)), clen, cm, len);
}

#define B(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

START_TEST(sdm_length_limit)
{
    struct insn in;
    uint8_t p[17];
    /* 2.3.11: an instruction longer than 15 bytes raises #GP */
    memset(p, 0x66, sizeof(p));
    p[16] = 0x90;
    ck_assert_int_eq(dec(p, 17, 4, &in), DEC_GP);       /* 16 prefixes + opcode */
    ck_assert_int_eq(dec(p + 1, 16, 4, &in), DEC_GP);   /* 15 prefixes + opcode */
    both_len(p + 2, 15, 4, 15, &in);                    /* 14 prefixes + opcode = 15 */
    /* a long form: 5 x ES + 81 /0 [disp32] imm32 = 15 bytes; one more prefix is 16 */
    both_len(B(0x26, 0x26, 0x26, 0x26, 0x26, 0x81, 0x05, 1, 2, 3, 4, 5, 6, 7, 8), 4, 15, &in);
    ck_assert_int_eq(dec(B(0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x81, 0x05, 1, 2, 3, 4, 5, 6, 7, 8), 4, &in),
                     DEC_GP);
    /* 64-bit: 3 prefixes + REX.W C7 /0 SIB disp32 imm32 = 15; 4 prefixes = 16 */
    both_len(B(0x2e, 0x2e, 0x2e, 0x48, 0xc7, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8), 8, 15, &in);
    ck_assert_int_eq(dec(B(0x2e, 0x2e, 0x2e, 0x2e, 0x48, 0xc7, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8), 8, &in),
                     DEC_GP);
    /* the limit counts bytes, not bytes available: 15 prefixes with 15 available is #GP, not "more" */
    ck_assert_int_eq(dec(p, 15, 4, &in), DEC_GP);
}
END_TEST

START_TEST(sdm_rex_rules)
{
    struct insn in;
    /* 2.2.1: REX must immediately precede the opcode; otherwise it is ignored */
    ck_assert_int_eq(dec(B(0x48, 0x66, 0x89, 0xc0), 8, &in), DEC_OK);
    ck_assert_uint_eq(in.opsize, 2);
    ck_assert_uint_eq(in.rex, 0);
    both_len(B(0x48, 0x66, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8), 8, 5, &in);   /* mov ax, imm16 */
    both_len(B(0x41, 0x2e, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8), 8, 7, &in);   /* mov eax (not r8d), imm32 */
    ck_assert_uint_eq(in.reg, 0);
    /* 2.2.1.2: REX.W overrides 66 */
    both_len(B(0x66, 0x48, 0x89, 0xc0), 8, 4, &in);
    ck_assert_uint_eq(in.opsize, 8);
    both_len(B(0x66, 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8), 8, 11, &in);
    ck_assert_uint_eq(in.opsize, 8);
    ck_assert_uint_eq((uint64_t)in.imm, 0x0807060504030201ull);
    both_len(B(0x66, 0x48, 0x05, 1, 2, 3, 4, 5, 6, 7, 8), 8, 7, &in);   /* add rax, imm32 */
    ck_assert_uint_eq(in.opsize, 8);
    /* 2.2.1.5: imm64 only for B8+r with REX.W; everything else keeps imm32 */
    both_len(B(0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8), 8, 10, &in);
    both_len(B(0x49, 0xbf, 1, 2, 3, 4, 5, 6, 7, 8), 8, 10, &in);        /* mov r15, imm64 */
    ck_assert_uint_eq(in.reg, 15);
    both_len(B(0x48, 0xc7, 0xc0, 1, 2, 3, 4, 5, 6, 7, 8), 8, 7, &in);  /* mov rax, simm32 */
    ck_assert_int_eq(in.imm, 0x04030201);
    both_len(B(0x48, 0x68, 1, 2, 3, 4, 5, 6, 7, 8), 8, 6, &in);        /* push simm32 */
    both_len(B(0x48, 0xb0, 1, 2, 3, 4, 5, 6, 7, 8), 8, 3, &in);        /* REX.W does not widen mov al, imm8 */
    both_len(B(0x48, 0xa9, 1, 2, 3, 4, 5, 6, 7, 8), 8, 6, &in);        /* test rax, simm32 */
    both_len(B(0xb8, 1, 2, 3, 4, 5, 6, 7, 8), 8, 5, &in);              /* no REX.W: imm32 */
    /* REX.R/X/B extend ModRM/SIB fields (2.2.1.2, table 2-4) */
    ck_assert_int_eq(dec(B(0x47, 0x8b, 0x04, 0xc9), 8, &in), DEC_OK);   /* mov r8d,[r9+r9*8] */
    ck_assert_uint_eq(in.reg, 8);
    ck_assert_uint_eq(in.base, 9);
    ck_assert_uint_eq(in.index, 9);
    ck_assert_uint_eq(in.scale, 3);
    /* SIB index=100 is "none" only without REX.X */
    ck_assert_int_eq(dec(B(0x42, 0x8b, 0x04, 0x20), 8, &in), DEC_OK);   /* [rax+r12] */
    ck_assert_uint_eq(in.index, 12);
    ck_assert_int_eq(dec(B(0x8b, 0x04, 0x20), 8, &in), DEC_OK);         /* [rax] */
    ck_assert_uint_eq(in.index, X86_REG_NONE);
    /* in 16/32-bit code 40-4F are INC/DEC, not REX */
    both_len(B(0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8), 4, 1, &in);
    ck_assert_str_eq(in.ent->mnem, "dec");
}
END_TEST

START_TEST(sdm_addressing)
{
    struct insn in;
    /* 67 in 64-bit code: 32-bit addressing */
    both_len(B(0x67, 0x8b, 0x04, 0x24), 8, 4, &in);
    ck_assert_uint_eq(in.asize, 4);
    ck_assert_uint_eq(in.base, R_RSP);
    /* RIP-relative: 64-bit mod=00 rm=101 only (2.2.1.6), REX.B does not change it */
    both_len(B(0x8b, 0x05, 0x10, 0, 0, 0), 8, 6, &in);
    ck_assert_uint_eq(in.base, X86_BASE_RIP);
    ck_assert_int_eq(in.disp, 0x10);
    both_len(B(0x41, 0x8b, 0x05, 0x10, 0, 0, 0), 8, 7, &in);
    ck_assert_uint_eq(in.base, X86_BASE_RIP);
    both_len(B(0x67, 0x8b, 0x05, 0x10, 0, 0, 0), 8, 7, &in);            /* EIP-relative */
    ck_assert_uint_eq(in.base, X86_BASE_RIP);
    both_len(B(0x8b, 0x05, 0x10, 0, 0, 0), 4, 6, &in);                  /* 32-bit: absolute */
    ck_assert_uint_eq(in.base, X86_REG_NONE);
    ck_assert_uint_eq(in.index, X86_REG_NONE);
    both_len(B(0x8b, 0x45, 0x10), 8, 3, &in);                           /* mod=01: [rbp+d8] */
    ck_assert_uint_eq(in.base, R_RBP);
    ck_assert_uint_eq(in.seg, SEG_SS);
    both_len(B(0x41, 0x8b, 0x45, 0x10), 8, 4, &in);                     /* [r13+d8] */
    ck_assert_uint_eq(in.base, R_R13);
    /* SIB base=101, mod=00: disp32 and no base (table 2-3), also with REX.B */
    both_len(B(0x8b, 0x04, 0x25, 1, 2, 3, 4), 8, 7, &in);               /* [disp32], not RIP */
    ck_assert_uint_eq(in.base, X86_REG_NONE);
    ck_assert_uint_eq(in.index, X86_REG_NONE);
    ck_assert_int_eq(in.disp, 0x04030201);
    both_len(B(0x8b, 0x04, 0x2d, 1, 2, 3, 4), 4, 7, &in);               /* [ebp*1+disp32] */
    ck_assert_uint_eq(in.base, X86_REG_NONE);
    ck_assert_uint_eq(in.index, R_RBP);
    both_len(B(0x41, 0x8b, 0x04, 0x2d, 1, 2, 3, 4), 8, 8, &in);         /* still no base with REX.B */
    ck_assert_uint_eq(in.base, X86_REG_NONE);
    both_len(B(0x8b, 0x44, 0x25, 8), 4, 4, &in);                        /* mod=01: [ebp+d8] */
    ck_assert_uint_eq(in.base, R_RBP);
    ck_assert_uint_eq(in.seg, SEG_SS);
    /* 16-bit forms (table 2-1): bases, indexes, disp sizes, SS for BP */
    static const struct { uint8_t base, index, seg; } f16[8] = {
        {R_RBX, R_RSI, SEG_DS}, {R_RBX, R_RDI, SEG_DS}, {R_RBP, R_RSI, SEG_SS}, {R_RBP, R_RDI, SEG_SS},
        {R_RSI, X86_REG_NONE, SEG_DS}, {R_RDI, X86_REG_NONE, SEG_DS}, {R_RBP, X86_REG_NONE, SEG_SS},
        {R_RBX, X86_REG_NONE, SEG_DS},
    };
    for (unsigned csz = 2; csz <= 4; csz += 2) {
        for (unsigned mod = 0; mod < 3; mod++) {
            for (unsigned rm = 0; rm < 8; rm++) {
                uint8_t b[8] = {0x67, 0x8b, (uint8_t)(mod << 6 | rm), 0x81, 0x82, 0, 0, 0};
                const uint8_t *s = csz == 2 ? b + 1 : b;   /* 32-bit code needs 67 */
                size_t pre = csz == 2 ? 0 : 1;
                unsigned dl = mod == 1 ? 1 : mod == 2 ? 2 : rm == 6 ? 2 : 0;
                both_len(s, 7 - (csz == 2), csz, (unsigned)(pre + 2 + dl), &in);
                ck_assert_uint_eq(in.asize, 2);
                if (mod == 0 && rm == 6) {
                    ck_assert_uint_eq(in.base, X86_REG_NONE);
                    ck_assert_uint_eq(in.seg, SEG_DS);
                    ck_assert_int_eq(in.disp, (int16_t)0x8281);
                } else {
                    ck_assert_uint_eq(in.base, f16[rm].base);
                    ck_assert_uint_eq(in.index, f16[rm].index);
                    ck_assert_uint_eq(in.seg, f16[rm].seg);
                    ck_assert_int_eq(in.disp, mod == 1 ? (int8_t)0x81 : mod == 2 ? (int16_t)0x8281 : 0);
                }
            }
        }
    }
    /* a segment override beats the SS default */
    ck_assert_int_eq(dec(B(0x26, 0x8b, 0x46, 0), 2, &in), DEC_OK);
    ck_assert_uint_eq(in.seg, SEG_ES);
    /* moffs (A0-A3): the offset is address-size wide */
    for (uint8_t op = 0xa0; op <= 0xa3; op++) {
        uint8_t b[12] = {op, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        uint8_t b67[12] = {0x67, op, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        both_len(b, 12, 2, 3, &in);
        both_len(b, 12, 4, 5, &in);
        both_len(b, 12, 8, 9, &in);
        both_len(b67, 12, 2, 6, &in);
        both_len(b67, 12, 4, 4, &in);
        both_len(b67, 12, 8, 6, &in);
        ck_assert_uint_eq(in.asize, 4);
    }
    /* ModRM mod bits are ignored by MOV to/from CR/DR (MOV-CR page): no displacement */
    both_len(B(0x0f, 0x20, 0x00, 1, 2, 3, 4), 4, 3, &in);
    ck_assert_uint_eq(in.mod, 3);
    both_len(B(0x0f, 0x23, 0x80, 1, 2, 3, 4), 8, 3, &in);
}
END_TEST

START_TEST(sdm_mode_specific)
{
    struct insn in;
    /* far pointers: 9A/EA ptr16:16 / ptr16:32, #UD in 64-bit (i64) */
    for (uint8_t op = 0x9a; op != 0; op = op == 0x9a ? 0xea : 0) {
        uint8_t b[10] = {op, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        uint8_t b66[10] = {0x66, op, 1, 2, 3, 4, 5, 6, 7, 8};
        both_len(b, 10, 2, 5, &in);
        ck_assert_uint_eq(in.imm2, 0x0403);
        both_len(b, 10, 4, 7, &in);
        ck_assert_uint_eq((uint64_t)in.imm & 0xffffffff, 0x04030201);
        ck_assert_uint_eq(in.imm2, 0x0605);
        both_len(b66, 10, 4, 6, &in);    /* ptr16:16 */
        both_len(b66, 10, 2, 8, &in);    /* ptr16:32 */
        ck_assert_int_eq(dec(b, 10, 8, &in), DEC_UD);
    }
    /* 63: ARPL in 16/32-bit code, MOVSXD in 64-bit code */
    both_len(B(0x63, 0xc8), 4, 2, &in);
    ck_assert_str_eq(in.ent->mnem, "arpl");
    both_len(B(0x63, 0x08), 2, 2, &in);
    ck_assert_str_eq(in.ent->mnem, "arpl");
    both_len(B(0x48, 0x63, 0xc8), 8, 3, &in);
    ck_assert_str_eq(in.ent->mnem, "movsxd");
    ck_assert_uint_eq(in.opsize, 8);
    /* 82 (alias of 80) is #UD in 64-bit code */
    both_len(B(0x82, 0xc0, 1), 4, 3, &in);
    ck_assert_int_eq(dec(B(0x82, 0xc0, 1), 8, &in), DEC_UD);
    /* other i64 opcodes */
    static const uint8_t i64[] = {0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f,
                                  0x60, 0x61, 0xce, 0xd4, 0xd5};
    for (size_t k = 0; k < sizeof(i64); k++) {
        uint8_t b[4] = {i64[k], 0x0a, 0, 0};
        ck_assert_int_eq(dec(b, 4, 8, &in), DEC_UD);
        ck_assert_int_eq(dec(b, 4, 4, &in), DEC_OK);
    }
    ck_assert_int_eq(dec(B(0x62, 0x00), 8, &in), DEC_UD);   /* BOUND; EVEX space in 64-bit */
    ck_assert_int_eq(dec(B(0xc4, 0x00), 8, &in), DEC_UD);   /* LES; VEX */
    ck_assert_int_eq(dec(B(0xc5, 0x00), 8, &in), DEC_UD);   /* LDS; VEX */
    /* PUSH/POP default to 64 bits in 64-bit code; 66 gives 16; no 32-bit form */
    both_len(B(0x50), 8, 1, &in);
    ck_assert_uint_eq(in.opsize, 8);
    both_len(B(0x66, 0x50), 8, 2, &in);
    ck_assert_uint_eq(in.opsize, 2);
    both_len(B(0x48, 0x58), 8, 2, &in);
    ck_assert_uint_eq(in.opsize, 8);
    both_len(B(0x66, 0x8f, 0xc0), 8, 3, &in);
    ck_assert_uint_eq(in.opsize, 2);
    both_len(B(0xff, 0x30), 8, 2, &in);
    ck_assert_uint_eq(in.opsize, 8);
    both_len(B(0x66, 0x6a, 1), 8, 3, &in);
    ck_assert_uint_eq(in.opsize, 2);
    both_len(B(0x66, 0x68, 1, 2, 3, 4), 8, 4, &in);   /* push imm16 */
    ck_assert_uint_eq(in.opsize, 2);
    both_len(B(0x68, 1, 2, 3, 4), 8, 5, &in);
    ck_assert_uint_eq(in.opsize, 8);
    both_len(B(0x0f, 0xa0), 8, 2, &in);
    ck_assert_uint_eq(in.opsize, 8);
    both_len(B(0x66, 0x0f, 0xa9), 8, 3, &in);
    ck_assert_uint_eq(in.opsize, 2);
    both_len(B(0x66, 0x50), 4, 2, &in);
    ck_assert_uint_eq(in.opsize, 2);
    both_len(B(0x66, 0x50), 2, 2, &in);
    ck_assert_uint_eq(in.opsize, 4);
    /* near branches are 64-bit operand size in 64-bit code: Jz stays rel32 */
    both_len(B(0xe8, 1, 2, 3, 4), 8, 5, &in);
    both_len(B(0x0f, 0x84, 1, 2, 3, 4), 8, 6, &in);
    both_len(B(0x66, 0xe8, 1, 2, 3, 4), 4, 4, &in);   /* rel16 in 32-bit code with 66 */
    /* LOCK: only the SDM's list, only with a memory destination */
    ck_assert_int_eq(dec(B(0xf0, 0x01, 0x00), 4, &in), DEC_OK);
    ck_assert_int_eq(dec(B(0xf0, 0x01, 0xc0), 4, &in), DEC_UD);
    ck_assert_int_eq(dec(B(0xf0, 0x89, 0x00), 4, &in), DEC_UD);      /* mov */
    ck_assert_int_eq(dec(B(0xf0, 0x39, 0x00), 4, &in), DEC_UD);      /* cmp */
    ck_assert_int_eq(dec(B(0xf0, 0x0f, 0xa3, 0x00), 4, &in), DEC_UD); /* bt */
    ck_assert_int_eq(dec(B(0xf0, 0x87, 0x00), 8, &in), DEC_OK);      /* xchg */
    ck_assert_int_eq(dec(B(0xf0, 0x0f, 0xc7, 0x08), 8, &in), DEC_OK); /* cmpxchg8b */
    ck_assert_int_eq(dec(B(0xf0, 0xff, 0x00), 2, &in), DEC_OK);      /* inc */
    ck_assert_int_eq(dec(B(0xf0, 0xff, 0x10), 2, &in), DEC_UD);      /* call */
    /* memory-only operands with mod=11 */
    ck_assert_int_eq(dec(B(0x8d, 0xc0), 4, &in), DEC_UD);            /* lea */
    ck_assert_int_eq(dec(B(0x0f, 0xc7, 0xc8), 8, &in), DEC_UD);      /* cmpxchg8b reg */
    ck_assert_int_eq(dec(B(0xff, 0xd8), 4, &in), DEC_UD);            /* callf reg */
    /* 0F 01 /7 mod=11: SWAPGS (rm 0), RDTSCP (rm 1); invlpg needs memory */
    both_len(B(0x0f, 0x01, 0xf8), 8, 3, &in);
    ck_assert_str_eq(in.ent->mnem, "swapgs");
    both_len(B(0x0f, 0x01, 0xf9), 4, 3, &in);
    ck_assert_str_eq(in.ent->mnem, "rdtscp");
    both_len(B(0x0f, 0x01, 0x38), 4, 3, &in);
    ck_assert_str_eq(in.ent->mnem, "invlpg");
}
END_TEST

int main(void)
{
    cpu_decode_init();
    Suite *su = suite_create("decode_oracle");
    TCase *tc = tcase_create("oracle");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, sdm_length_limit);
    tcase_add_test(tc, sdm_rex_rules);
    tcase_add_test(tc, sdm_addressing);
    tcase_add_test(tc, sdm_mode_specific);
    tcase_add_test(tc, table_coverage);
    tcase_add_test(tc, random16);
    tcase_add_test(tc, random32);
    tcase_add_test(tc, random64);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
