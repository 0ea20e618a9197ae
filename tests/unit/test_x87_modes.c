/*
 * test_x87_modes.c - x87 state images and pointers outside 64-bit mode,
 * where the host cannot serve as oracle: expected bytes come from the
 * SDM (cpu/exec_x87_control.c must not be consulted).
 *
 *  env_formats: FNSTENV/FNSAVE in real mode and 16-/32-bit protected
 *    mode compared with images built here from SDM vol. 1 figures
 *    8-9..8-12, and FLDENV/FRSTOR reading them back (the full tag word
 *    recomputed from register contents, registers kept physical when
 *    TOP changes).
 *  pointers_modes: FIP/FCS/FOP/FDP/FDS recorded by a non-control
 *    instruction in real mode (linear pointers) and 32-bit protected mode.
 */
#include "interp_harness.h"
#include "tests/vireo_check.h"

#include <stdio.h>

static struct x87_reg f80(uint16_t se, uint64_t m)
{
    struct x87_reg r = {m, se};
    return r;
}

/* ---- environment / state image formats (SDM vol. 1 8.1.10, figures 8-9..8-12) ----
 * Expected images are built here from the figures, not from vireo's code.
 * State: TOP=3; physical R0 1.0 (valid), R1 +0 (zero), R2 empty, R3 QNaN,
 * R4 denormal, R5 unnormal, R6 inf (special), R7 empty -> tag word EAB4. */
#define ENV_FCW 0x0b7f
#define ENV_FSW (0x4000 | (3 << 11) | 0x0200 | 0x0021)
#define ENV_TW 0xeab4
#define ENV_FOP 0x5a5

struct envmode {
    const char *name;
    enum test_mode mode;
    bool o16;             /* 16-bit format */
    const uint8_t *code;  /* FNSTENV / FLDENV / FNSAVE / FRSTOR at 0x800 */
    unsigned len;
};

static void env_state(struct cpu_state *s, bool real)
{
    struct x86_fpu *f = &s->fpu;
    f->fcw = ENV_FCW;
    f->fsw = ENV_FSW;
    f->ftw = 0x7b;
    f->fop = ENV_FOP;
    f->fcs = 0x0abc;
    f->fds = 0x0def;
    f->fip = real ? 0x1234 : 0x12345678;
    f->fdp = real ? 0x5678 : 0x9abcdef0;
    const struct x87_reg phys[8] = {
        f80(0x3fff, 1ull << 63), f80(0, 0), f80(0x1234, 0x55), f80(0x7fff, 0xc000000000000001ull),
        f80(0, 0x1234), f80(0x4000, 0x4000000000000000ull), f80(0xffff, 1ull << 63), f80(0x4321, 0x77)};
    for (unsigned k = 0; k < 8; k++)
        f->st[k] = phys[(3 + k) & 7];
}

static void w16(uint8_t *p, uint32_t x) { p[0] = (uint8_t)x; p[1] = (uint8_t)(x >> 8); }
static void w32(uint8_t *p, uint32_t x) { w16(p, x); w16(p + 2, x >> 16); }

/* Expected image; MASK marks the reserved bytes (not compared). */
static unsigned expected_env(bool real, bool o16, uint8_t *img, uint8_t *mask, uint16_t fcw)
{
    memset(img, 0, 108);
    memset(mask, 0, 108);
    uint32_t fip = real ? (0x0abcu << 4) + 0x1234 : 0x12345678u;   /* real: linear */
    uint32_t fdp = real ? (0x0defu << 4) + 0x5678 : 0x9abcdef0u;
    if (o16) {
        w16(img, fcw);
        w16(img + 2, ENV_FSW);
        w16(img + 4, ENV_TW);
        w16(img + 6, fip);
        if (real) {
            w16(img + 8, ((fip >> 16) & 0xf) << 12 | ENV_FOP);   /* fig. 8-11 */
            w16(img + 10, fdp);
            w16(img + 12, ((fdp >> 16) & 0xf) << 12);
        } else {
            w16(img + 8, 0x0abc);                                /* fig. 8-12 */
            w16(img + 10, fdp);
            w16(img + 12, 0x0def);
        }
        return 14;
    }
    w32(img, fcw);
    w32(img + 4, ENV_FSW);
    w32(img + 8, ENV_TW);
    for (unsigned k = 0; k < 3; k++)
        mask[4 * k + 2] = mask[4 * k + 3] = 1;
    if (real) {                                                  /* fig. 8-10 */
        w32(img + 12, fip & 0xffff);
        mask[14] = mask[15] = 1;
        w32(img + 16, ((fip >> 16) & 0xffff) << 12 | ENV_FOP);
        w32(img + 20, fdp & 0xffff);
        mask[22] = mask[23] = 1;
        w32(img + 24, ((fdp >> 16) & 0xffff) << 12);
    } else {                                                     /* fig. 8-9 */
        w32(img + 12, fip);
        w32(img + 16, 0x0abc | (uint32_t)ENV_FOP << 16);
        w32(img + 20, fdp);
        w32(img + 24, 0x0def);
        mask[26] = mask[27] = 1;
    }
    return 28;
}

static void env_run(struct fake *f, enum test_mode mode, bool o16, uint8_t op, uint8_t reg, struct cpu_state *s,
                    bool set_env)
{
    uint8_t code[16];
    unsigned n = 0;
    bool c16 = mode == MODE_REAL;
    if (o16 != c16)
        code[n++] = 0x66;
    code[n++] = op;
    if (c16) {
        code[n++] = (uint8_t)(reg << 3 | 6);
        code[n++] = 0x00;
        code[n++] = 0x08;
    } else {
        code[n++] = (uint8_t)(reg << 3 | 5);
        w32(code + n, 0x800);
        n += 4;
    }
    code[n++] = 0xf4;
    fake_load(f, 0x1000, code, n);
    if (set_env) {
        fake_mode_state(f, s, mode, 0x1000, 0x8000);
        env_state(s, mode == MODE_REAL);
    }
    s->rip = 0x1000;
    s->halted = false;
    fake_set(f, s);
    ck_assert_int_eq(fake_run(f, 10), VCPU_EXIT_HALT);
    fake_get(f, s);
    ck_assert_uint_eq(s->rip, 0x1000 + n);
}

START_TEST(env_formats)
{
    struct fake f;
    fake_init(&f, &accel_interp_ops);
    static const enum test_mode modes[2] = {MODE_REAL, MODE_PROT32};
    unsigned checked = 0;
    for (unsigned m = 0; m < 2; m++) {
        for (unsigned o = 0; o < 2; o++) {
            bool real = modes[m] == MODE_REAL, o16 = o;
            uint8_t img[108], mask[108];
            struct cpu_state s;
            /* FNSTENV */
            unsigned n = expected_env(real, o16, img, mask, ENV_FCW);
            memset(f.ram + 0x800, 0xcc, 128);
            env_run(&f, modes[m], o16, 0xd9, 6, &s, true);
            for (unsigned k = 0; k < n; k++)
                if (!mask[k])
                    ck_assert_msg(f.ram[0x800 + k] == img[k], "fnstenv %s o16=%d byte %u: %02x, SDM %02x",
                                  real ? "real" : "prot", o16, k, f.ram[0x800 + k], img[k]);
            ck_assert_uint_eq(f.ram[0x800 + n], 0xcc);
            ck_assert_uint_eq(s.fpu.fcw, ENV_FCW | 0x3f);
            /* FLDENV of the SDM image into a state with another TOP:
             * fields back, registers stay physical */
            struct cpu_state t;
            fake_mode_state(&f, &t, modes[m], 0x1000, 0x8000);
            for (unsigned k = 0; k < 8; k++)
                t.fpu.st[k] = f80((uint16_t)(0x100 + k), k);    /* TOP=0: ST(k) = R(k) */
            for (unsigned k = 0; k < n; k++)
                f.ram[0x800 + k] = mask[k] ? 0xff : img[k];
            env_run(&f, modes[m], o16, 0xd9, 4, &t, false);
            ck_assert_uint_eq(t.fpu.fcw, ENV_FCW);
            ck_assert_uint_eq(t.fpu.fsw, ENV_FSW);
            ck_assert_uint_eq(t.fpu.ftw, 0x7b);
            for (unsigned k = 0; k < 8; k++)
                ck_assert_uint_eq(t.fpu.st[k].sign_exp, 0x100 + ((3 + k) & 7));
            /* and FNSTENV gives the same image back, with the tags of
             * the registers of T (all unnormal: special) */
            memset(f.ram + 0x800, 0xcc, 128);
            w16(img + (o16 ? 4 : 8), 0xeaba);
            env_run(&f, modes[m], o16, 0xd9, 6, &t, false);
            for (unsigned k = 0; k < n; k++)
                if (!mask[k])
                    ck_assert_msg(f.ram[0x800 + k] == img[k], "fldenv/fnstenv %s o16=%d byte %u: %02x, SDM %02x",
                                  real ? "real" : "prot", o16, k, f.ram[0x800 + k], img[k]);
            w16(img + (o16 ? 4 : 8), ENV_TW);
            /* FNSAVE: environment + ST0..ST7, then FNINIT */
            memset(f.ram + 0x800, 0xcc, 128);
            env_run(&f, modes[m], o16, 0xdd, 6, &s, true);
            struct cpu_state ref;
            env_state(&ref, real);
            for (unsigned k = 0; k < 8; k++) {
                memcpy(img + n + 10 * k, &ref.fpu.st[k].mantissa, 8);
                memcpy(img + n + 10 * k + 8, &ref.fpu.st[k].sign_exp, 2);
            }
            for (unsigned k = 0; k < n + 80; k++)
                if (!mask[k])
                    ck_assert_msg(f.ram[0x800 + k] == img[k], "fnsave %s o16=%d byte %u: %02x, SDM %02x",
                                  real ? "real" : "prot", o16, k, f.ram[0x800 + k], img[k]);
            ck_assert_uint_eq(f.ram[0x800 + n + 80], 0xcc);
            ck_assert_uint_eq(s.fpu.fcw, 0x37f);
            ck_assert_uint_eq(s.fpu.fsw, 0);
            ck_assert_uint_eq(s.fpu.ftw, 0);
            /* FRSTOR of that image, then FNSAVE: the same image */
            fake_mode_state(&f, &t, modes[m], 0x1000, 0x8000);
            env_run(&f, modes[m], o16, 0xdd, 4, &t, false);
            ck_assert_uint_eq(t.fpu.fsw, ENV_FSW);
            ck_assert_uint_eq(t.fpu.ftw, 0x7b);
            for (unsigned k = 0; k < 8; k++)
                ck_assert(!memcmp(&t.fpu.st[k].mantissa, &ref.fpu.st[k].mantissa, 8) &&
                          t.fpu.st[k].sign_exp == ref.fpu.st[k].sign_exp);
            memset(f.ram + 0x800, 0xcc, 128);
            env_run(&f, modes[m], o16, 0xdd, 6, &t, false);
            for (unsigned k = 0; k < n + 80; k++)
                if (!mask[k])
                    ck_assert_msg(f.ram[0x800 + k] == img[k], "frstor/fnsave %s o16=%d byte %u: %02x, SDM %02x",
                                  real ? "real" : "prot", o16, k, f.ram[0x800 + k], img[k]);
            checked++;
        }
    }
    fprintf(stderr, "env formats: %u (mode, size) pairs\n", checked);
    fake_fini(&f);
}
END_TEST

/* ---- FIP/FCS/FOP/FDP/FDS recorded in real and 32-bit protected mode ----
 * FLD1; FLDZ; FDIVP ST(1) with ZM unmasked (#Z pending); FLD m32 from
 * CS:[0x900] after FNCLEX (it waits, and #MF is pending: no IDT here);
 * FNSTENV [0x800] (32-bit format); HLT.  The image must name the FLD
 * m32fp (last non-control instruction, its CS prefix included, SDM vol.
 * 3B 22.18.6.5) and its operand; real mode holds linear pointers. */
START_TEST(pointers_modes)
{
    struct fake f;
    fake_init(&f, &accel_interp_ops);
    for (unsigned m = 0; m < 2; m++) {
        bool real = m == 0;
        uint8_t code[64];
        unsigned n = 0, fld_at;
        code[n++] = 0xd9; code[n++] = 0xe8;                 /* fld1 */
        code[n++] = 0xd9; code[n++] = 0xee;                 /* fldz */
        code[n++] = 0xde; code[n++] = 0xf9;                 /* fdivp st(1), st: 1/0 */
        code[n++] = 0xdb; code[n++] = 0xe2;                 /* fnclex */
        fld_at = n;
        code[n++] = 0x2e;                                   /* cs: prefix */
        code[n++] = 0xd9;                                   /* fld dword [0x900] */
        if (real) {
            code[n++] = 0x06; code[n++] = 0x00; code[n++] = 0x09;
            code[n++] = 0x66;                               /* o32: 28-byte image */
            code[n++] = 0xd9; code[n++] = 0x36; code[n++] = 0x00; code[n++] = 0x08;
        } else {
            code[n++] = 0x05; w32(code + n, 0x900); n += 4;
            code[n++] = 0xd9; code[n++] = 0x35; w32(code + n, 0x800); n += 4;
        }
        code[n++] = 0xf4;
        fake_load(&f, 0x1000, code, n);
        uint32_t one = 0x3f800000;
        fake_load(&f, 0x900, &one, 4);
        struct cpu_state s;
        fake_mode_state(&f, &s, real ? MODE_REAL : MODE_PROT32, 0x1000, 0x8000);
        if (real) {
            /* CS=0x0100 (base 0x1000), IP=0 */
            s.seg[SEG_CS].selector = 0x0100;
            s.seg[SEG_CS].base = 0x1000;
            s.rip = 0;
        }
        s.cr0 |= X86_CR0_NE;
        s.fpu.fcw = 0x37b;                                  /* ZM clear */
        fake_set(&f, &s);
        ck_assert_int_eq(fake_run(&f, 20), VCPU_EXIT_HALT);
        fake_get(&f, &s);
        uint32_t w[7];
        memcpy(w, f.ram + 0x800, sizeof(w));
        uint32_t ip = 0x1000 + fld_at;     /* real: CS base + IP (linear); prot: EIP */
        if (real) {
            ck_assert_uint_eq(w[3] & 0xffff, ip & 0xffff);
            ck_assert_uint_eq((w[4] >> 12) & 0xffff, ip >> 16);
            ck_assert_uint_eq(w[4] & 0x7ff, 0x106);          /* D9, ModRM 06 */
            ck_assert_uint_eq(w[5] & 0xffff, 0x1900);        /* CS:0x900, linear */
            ck_assert_uint_eq((w[6] >> 12) & 0xffff, 0);
        } else {
            ck_assert_uint_eq(w[3], ip);
            ck_assert_uint_eq(w[4] & 0xffff, 0x08);
            ck_assert_uint_eq((w[4] >> 16) & 0x7ff, 0x105);  /* D9, ModRM 05 */
            ck_assert_uint_eq(w[5], 0x900);
            ck_assert_uint_eq(w[6] & 0xffff, 0x08);          /* FDS: the CS override */
        }
        /* FSW: the unmasked #Z left TOP at 6 (no pop), FNCLEX cleared
         * ZE/ES/B, the FLD pushed: TOP 5, no flags */
        ck_assert_uint_eq(w[1] & 0xffff, 5u << 11);
    }
    fake_fini(&f);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("x87_modes");
    TCase *tc = tcase_create("x87_modes");
    tcase_add_test(tc, env_formats);
    tcase_add_test(tc, pointers_modes);
    suite_add_tcase(su, tc);
    return vireo_check_run(su);
}
