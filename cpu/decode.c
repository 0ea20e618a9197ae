/*
 * decode.c - table-driven decoder (SDM vol. 2 ch. 2: instruction format;
 * appendix A: opcode maps).  The lookup tables are built once from
 * cpu/opcodes.def; the operand strings there determine which fields
 * (ModRM, immediates) an instruction has.
 *
 * Handles: legacy prefixes (last F2/F3 wins; REX ignored unless it
 * immediately precedes the opcode), 16/32/64-bit ModRM+SIB forms,
 * RIP-relative addressing, operand-size rules incl. D64/F64, 15-byte
 * limit (#GP), LOCK legality and invalid-in-64-bit opcodes (#UD).
 * Mandatory prefixes (66/F2/F3) select SSE forms; in a slot holding an
 * OPF_SIMD row a prefix without a form of its own is #UD.  x87 escapes
 * use OPR/OPRM rows (mod=3 with any / a fixed rm) beside OPG memory rows.
 * Not implemented: VEX/EVEX (C4/C5 in 64-bit mode decode as #UD).
 */
#include "cpu/decode.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/handlers.h"

struct slot {
    const struct op_entry *e;       /* plain opcode */
    const struct op_entry *e64;     /* meaning in 64-bit mode, if different */
    const struct op_entry *grp[8];  /* ModRM.reg groups */
    const struct op_entry *grp3[8][8]; /* mod=3 rows with fixed rm */
    const struct op_entry *grpr[8]; /* mod=3 rows with any rm (x87 ST(i) forms) */
    const struct op_entry *pe[4];   /* mandatory-prefix forms: -, 66, F3, F2 */
    bool modrm, has_pfx;
    bool simd;      /* an OPF_SIMD row lives here: unmatched 66/F2/F3 is #UD */
};

static struct slot maps[4][256];    /* one-byte, 0F, 0F38, 0F3A */

#define OP(o, m, ops, fn, fl) {0, o, -1, -1, false, 0, {m, ops, fn, fl, 0, 0}},
#define OPG(o, r, m, ops, fn, fl) {0, o, r, -1, false, 0, {m, ops, fn, fl, 0, 0}},
#define OP64(o, m, ops, fn, fl) {0, o, -1, -1, true, 0, {m, ops, fn, fl, 0, 0}},
#define OP2(o, m, ops, fn, fl) {1, o, -1, -1, false, 0, {m, ops, fn, fl, 0, 0}},
#define OP2G(o, r, m, ops, fn, fl) {1, o, r, -1, false, 0, {m, ops, fn, fl, 0, 0}},
#define OP2GR(o, r, rm, m, ops, fn, fl) {1, o, r, rm, false, 0, {m, ops, fn, fl, 0, 0}},
#define OPX(map, p, o, m, ops, fn, fl) {map, o, -1, -1, false, p, {m, ops, fn, fl, 0, 0}},
#define OPR(o, r, m, ops, fn, fl) {0, o, r, ROW_RM_REG, false, 0, {m, ops, fn, fl, 0, 0}},
#define OPRM(o, r, rm, m, ops, fn, fl) {0, o, r, rm, false, 0, {m, ops, fn, fl, 0, 0}},
#define OP2R(o, r, m, ops, fn, fl) {1, o, r, ROW_RM_REG, false, 0, {m, ops, fn, fl, 0, 0}},
struct row {
    uint8_t map, opcode;
    int8_t reg, rm;
    bool only64;
    uint8_t pfx;
    struct op_entry e;
};
static struct row rows[] = {
#include "cpu/opcodes.def"
};
#undef OP
#undef OPG
#undef OP64
#undef OP2
#undef OP2G
#undef OP2GR
#undef OPX
#undef OPR
#undef OPRM
#undef OP2R

static struct op_row pub_rows[sizeof(rows) / sizeof(rows[0])];

/* Derive decode flags from the SDM operand string. */
static void parse_operands(struct op_entry *e)
{
    const char *p = e->operands;
    int nimm = 0;
    while (*p) {
        char a = p[0], b = p[1];
        bool lower = b >= 'a' && b <= 'z';
        bool bare_m = a == 'M' && (b == ',' || b == 0);
        if ((lower && strchr("EMRGSCDVWUPQN", a)) || bare_m) {
            e->flags |= OPF_MODRM;
            if (a == 'M')
                e->flags |= OPF_MEM;
            if (a == 'R')
                e->flags |= OPF_REGRM;
            if (a == 'U' || a == 'N')
                e->flags |= OPF_REGONLY;
            if (a == 'S')
                e->flags |= OPF_SREG;
        } else if (lower && (a == 'I' || a == 'J' || a == 'A' || a == 'O')) {
            uint8_t k = IMM_NONE;
            if (a == 'A')
                k = IMM_AP;
            else if (a == 'O')
                k = IMM_O;
            else if (b == 'b')
                k = IMM_B;
            else if (b == 'w')
                k = IMM_W;
            else if (b == 'z')
                k = IMM_Z;
            else if (b == 'v')
                k = IMM_V;
            if (nimm++ == 0)
                e->imm1 = k;
            else
                e->imm2 = k;
        } else if (lower && a == 'Z') {
            e->flags |= OPF_REGOP;
        }
        while (*p && *p != ',')
            p++;
        if (*p == ',')
            p++;
    }
}

/* Two rows for one encoding are a table bug: stop at start-up. */
static void place(const struct op_entry **slot, const struct op_entry *e, const struct row *r)
{
    if (*slot) {
        fprintf(stderr, "vireo: opcode table: map %u opcode %02x reg %d rm %d prefix %u: "
                "'%s' and '%s' collide\n", r->map, r->opcode, r->reg, r->rm, r->pfx,
                (*slot)->mnem, e->mnem);
        abort();
    }
    *slot = e;
}

static void build(void)
{
    size_t n = sizeof(rows) / sizeof(rows[0]);
    for (size_t k = 0; k < n; k++) {
        struct row *r = &rows[k];
        struct slot *s = &maps[r->map][r->opcode];
        parse_operands(&r->e);
        if (r->reg >= 0) {
            r->e.flags |= OPF_MODRM;
            s->modrm = true;
            if (r->rm == ROW_RM_REG)
                place(&s->grpr[r->reg], &r->e, r);
            else if (r->rm >= 0)
                place(&s->grp3[r->reg][r->rm], &r->e, r);
            else
                place(&s->grp[r->reg], &r->e, r);
        } else if (r->only64) {
            place(&s->e64, &r->e, r);
        } else if (r->pfx) {
            place(&s->pe[r->pfx], &r->e, r);
            s->has_pfx = true;
            if (r->e.flags & OPF_SIMD)
                s->simd = true;
        } else if (r->e.flags & OPF_SIMD) {
            place(&s->e, &r->e, r);
            s->has_pfx = true;
            s->simd = true;
        } else {
            place(&s->e, &r->e, r);
        }
        if (r->e.flags & OPF_MODRM)
            s->modrm = true;
        pub_rows[k] = (struct op_row){r->map, r->opcode, r->reg, r->rm, r->only64, r->pfx, &r->e};
    }
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

void cpu_decode_init(void)
{
    pthread_once(&once, build);
}

size_t cpu_opcode_rows(const struct op_row **out)
{
    cpu_decode_init();
    *out = pub_rows;
    return sizeof(rows) / sizeof(rows[0]);
}

#define GET(b) do { \
        if (n >= 15) return DEC_GP; \
        if (n >= avail) return DEC_MORE; \
        (b) = p[n++]; \
    } while (0)

static int get_le(const uint8_t *p, size_t avail, size_t *n, unsigned size, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned k = 0; k < size; k++) {
        if (*n >= 15)
            return DEC_GP;
        if (*n >= avail)
            return DEC_MORE;
        v |= (uint64_t)p[(*n)++] << (8 * k);
    }
    *out = v;
    return DEC_OK;
}

static const uint8_t base16[8] = {R_RBX, R_RBX, R_RBP, R_RBP, R_RSI, R_RDI, R_RBP, R_RBX};
static const uint8_t index16[8] = {R_RSI, R_RDI, R_RSI, R_RDI, X86_REG_NONE, X86_REG_NONE, X86_REG_NONE, X86_REG_NONE};

int cpu_decode(const uint8_t *p, size_t avail, unsigned csize, struct insn *i)
{
    size_t n = 0;
    uint8_t b, rex = 0, seg = X86_REG_NONE, rep = 0, lock = 0;
    bool p66 = false, p67 = false, m64 = csize == 8;
    int rc;

    cpu_decode_init();   /* cheap once built; decoding happens per block, not per execution */

    for (;;) {
        GET(b);
        switch (b) {
        case 0x26: seg = SEG_ES; break;
        case 0x2e: seg = SEG_CS; break;
        case 0x36: seg = SEG_SS; break;
        case 0x3e: seg = SEG_DS; break;
        case 0x64: seg = SEG_FS; break;
        case 0x65: seg = SEG_GS; break;
        case 0x66: p66 = true; break;
        case 0x67: p67 = true; break;
        case 0xf0: lock = 1; break;
        case 0xf2: case 0xf3: rep = b; break;
        default:
            if (m64 && (b & 0xf0) == 0x40) {
                rex = b;
                continue;
            }
            goto opcode;
        }
        rex = 0;   /* a legacy prefix after REX cancels it */
    }
opcode:;
    int map = 0;
    if (b == 0x0f) {
        GET(b);
        map = 1;
        if (b == 0x38 || b == 0x3a) {
            map = b == 0x38 ? 2 : 3;
            GET(b);
        }
    }
    const struct slot *s = &maps[map][b];
    const struct op_entry *e = (m64 && s->e64) ? s->e64 : s->e;
    if (s->has_pfx) {
        /* mandatory prefix: F2/F3 (the last one) outrank 66; a prefix
         * that selects the form is consumed, not an override */
        int idx = rep == 0xf3 ? P_F3 : rep == 0xf2 ? P_F2 : p66 ? P_66 : 0;
        if (idx && s->pe[idx]) {
            e = s->pe[idx];
            if (idx == P_66)
                p66 = false;
            else
                rep = 0;
        } else if (idx && s->simd) {
            /* SSE encodings: a prefix with no form of its own is #UD
             * (66 with an MMX-only row, F2/F3 with a no-prefix row) */
            return DEC_UD;
        }
    }
    /* In the 0F38/0F3A maps F2/F3 select other instructions (F2 0F38 F0
     * is CRC32, not MOVBE): one the table lacks is #UD, not the
     * prefix-less form.  (A consumed prefix has cleared rep.) */
    if (map >= 2 && (rep == 0xf2 || rep == 0xf3))
        e = NULL;
    uint8_t modrm = 0;
    if (s->modrm) {
        GET(modrm);
        unsigned r = (modrm >> 3) & 7;
        if (!e) {
            if ((modrm >> 6) == 3 && s->grp3[r][modrm & 7])
                e = s->grp3[r][modrm & 7];
            else if ((modrm >> 6) == 3 && s->grpr[r])
                e = s->grpr[r];
            else
                e = s->grp[r];
        }
    }
    if (!e)
        return DEC_UD;
    uint32_t fl = e->flags;
    if (m64 && (fl & OPF_I64))
        return DEC_UD;

    memset(i, 0, sizeof(*i));
    i->fn = e->fn;
    i->ent = e;
    i->opcode = b;
    i->rex = rex;
    i->rep = rep;
    i->lock = lock;
    i->pfx66 = p66;
    i->base = X86_REG_NONE;
    i->index = X86_REG_NONE;
    i->mod = 3;
    if (m64) {
        if (fl & OPF_F64)
            i->opsize = 8;
        else if (rex & 8)
            i->opsize = 8;
        else if (p66)
            i->opsize = 2;
        else
            i->opsize = (fl & OPF_D64) ? 8 : 4;
        i->asize = p67 ? 4 : 8;
    } else {
        i->opsize = (uint8_t)(p66 ? 6 - csize : csize);
        i->asize = (uint8_t)(p67 ? 6 - csize : csize);
    }
    if (fl & OPF_REGOP)
        i->reg = (uint8_t)((b & 7) | ((rex & 1) << 3));

    uint8_t dseg = SEG_DS;
    if (fl & OPF_MODRM) {
        uint8_t mod = (fl & OPF_REGRM) ? 3 : modrm >> 6, rm = modrm & 7;
        i->mod = mod;
        i->reg = (uint8_t)(((modrm >> 3) & 7) | ((rex & 4) << 1));
        i->rm = (uint8_t)(rm | ((rex & 1) << 3));
        /* segment register 6/7 does not exist; MOV to CS is #UD */
        if ((fl & OPF_SREG) && (((modrm >> 3) & 7) > 5 || (b == 0x8e && ((modrm >> 3) & 7) == SEG_CS)))
            return DEC_UD;
        if (mod == 3) {
            if (fl & OPF_MEM)
                return DEC_UD;
        } else if (fl & OPF_REGONLY) {
            return DEC_UD;
        } else if (i->asize == 2) {
            uint64_t d = 0;
            if (mod == 0 && rm == 6) {
                if ((rc = get_le(p, avail, &n, 2, &d)))
                    return rc;
                i->disp = (int16_t)d;
            } else {
                i->base = base16[rm];
                i->index = index16[rm];
                if (rm == 2 || rm == 3 || rm == 6)
                    dseg = SEG_SS;
                if (mod == 1) {
                    if ((rc = get_le(p, avail, &n, 1, &d)))
                        return rc;
                    i->disp = (int8_t)d;
                } else if (mod == 2) {
                    if ((rc = get_le(p, avail, &n, 2, &d)))
                        return rc;
                    i->disp = (int16_t)d;
                }
            }
        } else {
            uint64_t d = 0;
            bool disp32 = mod == 2;
            if (rm == 4) {
                uint8_t sib;
                GET(sib);
                uint8_t idx = (uint8_t)(((sib >> 3) & 7) | ((rex & 2) << 2));
                i->index = idx == 4 ? X86_REG_NONE : idx;
                i->scale = sib >> 6;
                if ((sib & 7) == 5 && mod == 0) {
                    disp32 = true;
                } else {
                    i->base = (uint8_t)((sib & 7) | ((rex & 1) << 3));
                }
            } else if (rm == 5 && mod == 0) {
                disp32 = true;
                if (m64)
                    i->base = X86_BASE_RIP;
            } else {
                i->base = i->rm;
            }
            if (i->base == R_RSP || i->base == R_RBP)
                dseg = SEG_SS;
            if (mod == 1) {
                if ((rc = get_le(p, avail, &n, 1, &d)))
                    return rc;
                i->disp = (int8_t)d;
            } else if (disp32) {
                if ((rc = get_le(p, avail, &n, 4, &d)))
                    return rc;
                i->disp = (int32_t)d;
            }
        }
    }
    if (lock && (!(fl & OPF_LOCK) || i->mod == 3))
        return DEC_UD;
    i->seg = seg != X86_REG_NONE ? seg : dseg;

    for (int k = 0; k < 2; k++) {
        uint8_t kind = k == 0 ? e->imm1 : e->imm2;
        uint64_t v = 0;
        unsigned sz;
        switch (kind) {
        case IMM_NONE: continue;
        case IMM_B: sz = 1; break;
        case IMM_W: sz = 2; break;
        case IMM_Z: sz = i->opsize == 2 ? 2 : 4; break;
        case IMM_V: sz = i->opsize; break;
        case IMM_AP: sz = i->opsize == 2 ? 2 : 4; break;
        default: sz = i->asize; break;  /* IMM_O */
        }
        if ((rc = get_le(p, avail, &n, sz, &v)))
            return rc;
        if (kind == IMM_B || kind == IMM_Z)
            v = sext(v, sz);
        if (k == 0) {
            i->imm = (int64_t)v;
        } else {
            i->imm2 = (uint16_t)v;
        }
        if (kind == IMM_AP) {
            if ((rc = get_le(p, avail, &n, 2, &v)))
                return rc;
            i->imm2 = (uint16_t)v;
        }
    }
    i->len = (uint8_t)n;
    return DEC_OK;
}
