/*
 * test_interp_decode.c - the decoder against capstone as an oracle:
 * instruction lengths must agree in 16-, 32- and 64-bit code for
 * (a) encodings generated from every row of the opcode table
 *     (cpu/opcodes.def) with random prefixes, ModRM, SIB, displacement
 *     and immediates, and (b) purely random bytes.
 * Only cases both decoders accept are compared; the rows whose
 * encodings capstone rejects are counted, not failed.
 */
#include <capstone/capstone.h>
#include "tests/vireo_check.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/decode.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
    return vireo_xorshift64(&rng);
}

static const uint8_t prefixes[] = {0x66, 0x67, 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x64, 0x65, 0x36};

/* Build an encoding of ROW in BUF (16 bytes of room). */
static size_t gen(const struct op_row *row, bool m64, uint8_t *buf)
{
    size_t n = 0;
    int np = (int)(next_rand() % 3);
    for (int k = 0; k < np; k++) {
        uint8_t p = prefixes[next_rand() % sizeof(prefixes)];
        /* keep F2/F3 off 0F-map rows: there they select other instructions */
        if (row->map >= 1 && (p == 0xf2 || p == 0xf3 || p == 0x66))
            continue;
        buf[n++] = p;
    }
    static const uint8_t pfx_byte[4] = {0, 0x66, 0xf3, 0xf2};
    if (row->pfx)
        buf[n++] = pfx_byte[row->pfx];
    if (m64 && (next_rand() & 1))
        buf[n++] = (uint8_t)(0x40 | (next_rand() & 0xf));
    if (row->map >= 1)
        buf[n++] = 0x0f;
    if (row->map >= 2)
        buf[n++] = row->map == 2 ? 0x38 : 0x3a;
    buf[n++] = row->opcode;
    uint8_t modrm = (uint8_t)next_rand();
    if (row->reg >= 0)
        modrm = (uint8_t)((modrm & 0xc7) | (row->reg << 3));
    if (row->rm >= 0)
        modrm = (uint8_t)(0xc0 | (modrm & 0x38) | row->rm);
    if (row->rm == ROW_RM_REG || (row->e->flags & OPF_REGONLY))
        modrm |= 0xc0;
    buf[n++] = modrm;
    while (n < 16)
        buf[n++] = (uint8_t)next_rand();
    return n;
}

static void check_mode(unsigned csize, cs_mode cmode)
{
    csh h;
    ck_assert_int_eq(cs_open(CS_ARCH_X86, cmode, &h), CS_ERR_OK);
    const struct op_row *rows;
    size_t nrows = cpu_opcode_rows(&rows);
    unsigned compared = 0, mismatches = 0, cs_rejects = 0;
    for (unsigned iter = 0; iter < 400000; iter++) {
        uint8_t buf[16];
        size_t n;
        if (iter % 4 == 3) {
            for (n = 0; n < 16; n++)
                buf[n] = (uint8_t)next_rand();
        } else {
            const struct op_row *r = &rows[next_rand() % nrows];
            if (r->only64 && csize != 8)
                continue;
            n = gen(r, csize == 8, buf);
        }
        struct insn in;
        int st = cpu_decode(buf, 15, csize, &in);
        if (st != DEC_OK)
            continue;
        /* Intel ignores 66 on near branches in 64-bit mode; capstone 4
         * follows AMD there, and mis-sizes stack/branch immediates when
         * 67 or F2/F3 ("bnd") accompany them.  Those encodings of F64/D64
         * instructions are not comparable; everything else must match. */
        bool quirk = false;
        for (size_t k = 0; k < in.len; k++) {
            bool rex = csize == 8 && (buf[k] & 0xf0) == 0x40;
            if (!rex && !memchr(prefixes, buf[k], sizeof(prefixes)))
                break;
            quirk |= buf[k] == 0x66 || buf[k] == 0x67 || buf[k] == 0xf2 || buf[k] == 0xf3;
        }
        if (quirk && (in.ent->flags & (OPF_F64 | OPF_D64)))
            continue;
        cs_insn *ci;
        size_t cnt = cs_disasm(h, buf, 15, 0x1000, 1, &ci);
        if (cnt == 0) {
            if (getenv("SHOW_REJECTS") && cs_rejects < 40) {
                char hex[64] = "";
                for (size_t k = 0; k < in.len; k++)
                    snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), "%02x", buf[k]);
                fprintf(stderr, "csize %u: capstone rejects %s (vireo %s)\n", csize, hex, in.ent->mnem);
            }
            cs_rejects++;
            continue;
        }
        compared++;
        if (ci[0].size != in.len) {
            if (mismatches < 20) {
                char hex[64] = "";
                for (size_t k = 0; k < 15; k++)
                    snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), "%02x", buf[k]);
                fprintf(stderr, "csize %u: %s: vireo %s len %u, capstone %s %s len %u\n", csize,
                        hex, in.ent->mnem, in.len, ci[0].mnemonic, ci[0].op_str, ci[0].size);
            }
            mismatches++;
        }
        cs_free(ci, cnt);
    }
    cs_close(&h);
    fprintf(stderr, "decoder oracle csize %u: %u compared, %u mismatches, %u rejected by capstone\n",
            csize, compared, mismatches, cs_rejects);
    ck_assert_uint_gt(compared, 100000);
    ck_assert_uint_eq(mismatches, 0);
}

START_TEST(oracle16) { check_mode(2, CS_MODE_16); }
END_TEST
START_TEST(oracle32) { check_mode(4, CS_MODE_32); }
END_TEST
START_TEST(oracle64) { check_mode(8, CS_MODE_64); }
END_TEST

/* Fixed cases from the SDM: lengths, REX rules, limits, #UD. */
START_TEST(fixed_cases)
{
    struct insn i;
    /* 67 8B 04 24 in 64-bit: addr32 mov eax,[esp] */
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0x67, 0x8b, 0x04, 0x24}, 4, 8, &i), DEC_OK);
    ck_assert_uint_eq(i.len, 4);
    ck_assert_uint_eq(i.asize, 4);
    /* REX.W B8 imm64 */
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8}, 10, 8, &i), DEC_OK);
    ck_assert_uint_eq(i.len, 10);
    ck_assert_uint_eq((uint64_t)i.imm, 0x0807060504030201ull);
    /* REX followed by a legacy prefix is ignored: 48 66 89 C0 = mov ax, ax */
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0x48, 0x66, 0x89, 0xc0}, 4, 8, &i), DEC_OK);
    ck_assert_uint_eq(i.opsize, 2);
    /* push in 64-bit defaults to 64-bit; 66 makes it 16 */
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0x50}, 1, 8, &i), DEC_OK);
    ck_assert_uint_eq(i.opsize, 8);
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0x66, 0x50}, 2, 8, &i), DEC_OK);
    ck_assert_uint_eq(i.opsize, 2);
    /* RIP-relative */
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0x8b, 0x05, 0x10, 0, 0, 0}, 6, 8, &i), DEC_OK);
    ck_assert_uint_eq(i.base, X86_BASE_RIP);
    ck_assert_int_eq(i.disp, 0x10);
    /* 16-bit [bp+si+disp8] defaults to SS */
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0x8b, 0x42, 0x04}, 3, 2, &i), DEC_OK);
    ck_assert_uint_eq(i.seg, SEG_SS);
    /* invalid in 64-bit mode */
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0x06}, 1, 8, &i), DEC_UD);
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0x27}, 1, 8, &i), DEC_UD);
    /* LEA with a register operand */
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0x8d, 0xc0}, 2, 4, &i), DEC_UD);
    /* LOCK on a non-lockable instruction / on a register destination */
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0xf0, 0x89, 0x00}, 3, 4, &i), DEC_UD);
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0xf0, 0x01, 0xc0}, 3, 4, &i), DEC_UD);
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0xf0, 0x01, 0x00}, 3, 4, &i), DEC_OK);
    /* 15 prefixes + opcode = 16 bytes: #GP; 14 + opcode is fine */
    uint8_t p[16];
    memset(p, 0x66, 16);
    p[15] = 0x90;
    ck_assert_int_eq(cpu_decode(p, 16, 4, &i), DEC_GP);
    ck_assert_int_eq(cpu_decode(p + 1, 15, 4, &i), DEC_OK);
    ck_assert_uint_eq(i.len, 15);
    /* mandatory prefixes: F3 0F B8 is POPCNT (66 still sizes it), 0F B8 is not
     * defined; 0F 38 F0 is MOVBE (memory only) */
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0x66, 0xf3, 0x0f, 0xb8, 0xc1}, 5, 4, &i), DEC_OK);
    ck_assert_str_eq(i.ent->mnem, "popcnt");
    ck_assert_uint_eq(i.opsize, 2);
    ck_assert_uint_eq(i.rep, 0);
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0x0f, 0xb8, 0xc1}, 3, 4, &i), DEC_UD);
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0x0f, 0x38, 0xf0, 0x06}, 4, 4, &i), DEC_OK);
    ck_assert_str_eq(i.ent->mnem, "movbe");
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0x0f, 0x38, 0xf0, 0xc0}, 4, 4, &i), DEC_UD);
    /* F3 0F BC without TZCNT is BSF */
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0xf3, 0x0f, 0xbc, 0xc1}, 4, 4, &i), DEC_OK);
    ck_assert_str_eq(i.ent->mnem, "bsf");
    /* truncated input asks for more */
    ck_assert_int_eq(cpu_decode((const uint8_t[]){0xb8, 1, 2}, 3, 4, &i), DEC_MORE);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("interp_decode");
    TCase *tc = tcase_create("decode");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fixed_cases);
    tcase_add_test(tc, oracle16);
    tcase_add_test(tc, oracle32);
    tcase_add_test(tc, oracle64);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
