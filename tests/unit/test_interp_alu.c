/*
 * test_interp_alu.c - exact arithmetic flags of the software CPU.
 *
 * Each case assembles one instruction followed by HLT, enters real,
 * 32-bit protected or 64-bit long mode through set_state, runs it and
 * compares the destination and EFLAGS with a reference computed here
 * straight from the SDM definitions (vol. 1 3.4.3.1 and the instruction
 * pages' pseudo-code), using wide arithmetic and bit-at-a-time loops
 * rather than the carry formulas the CPU uses.  Only flags the SDM
 * defines for the case are compared.
 */
#include "interp_harness.h"

#define CODE 0x1000u
#define ARITH (X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | X86_FLAG_SF | X86_FLAG_OF)

static const uint64_t vals[] = {
    0, 1, 2, 7, 8, 0xf, 0x10, 0x7f, 0x80, 0xfe, 0xff, 0x7fff, 0x8000, 0xffff,
    0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffull, 0x8000000000000000ull,
    0xffffffffffffffffull, 0x123456789abcdef0ull, 0xfedcba9876543219ull,
};
#define NV (sizeof(vals) / sizeof(vals[0]))

static uint64_t maskof(unsigned bits) { return bits == 64 ? ~0ull : (1ull << bits) - 1; }

static __int128 sx(uint64_t v, unsigned bits)
{
    uint64_t m = maskof(bits);
    v &= m;
    if ((v >> (bits - 1)) & 1)
        return (__int128)v - ((__int128)1 << bits);
    return (__int128)v;
}

static uint32_t szp_ref(uint64_t r, unsigned bits)
{
    uint32_t f = 0;
    int ones = 0;
    for (int k = 0; k < 8; k++)
        ones += (r >> k) & 1;
    if (!(ones & 1))
        f |= X86_FLAG_PF;
    if ((r & maskof(bits)) == 0)
        f |= X86_FLAG_ZF;
    if ((r >> (bits - 1)) & 1)
        f |= X86_FLAG_SF;
    return f;
}

enum { OP_ADD, OP_ADC, OP_SUB, OP_SBB };
static const uint8_t op_byte[] = {0x00, 0x10, 0x28, 0x18};

static uint64_t ref_arith(int op, unsigned bits, uint64_t a, uint64_t b, int cf_in, uint32_t *fl)
{
    uint64_t m = maskof(bits);
    int c = (op == OP_ADC || op == OP_SBB) ? cf_in : 0;
    a &= m;
    b &= m;
    __int128 smin = -((__int128)1 << (bits - 1)), smax = ((__int128)1 << (bits - 1)) - 1;
    uint64_t r;
    bool cf, of, af;
    if (op == OP_ADD || op == OP_ADC) {
        unsigned __int128 u = (unsigned __int128)a + b + (unsigned)c;
        __int128 s = sx(a, bits) + sx(b, bits) + c;
        r = (uint64_t)u & m;
        cf = u > m;
        of = s < smin || s > smax;
        af = (a & 0xf) + (b & 0xf) + (unsigned)c > 0xf;
    } else {
        __int128 u = (__int128)a - (__int128)b - c;
        __int128 s = sx(a, bits) - sx(b, bits) - c;
        r = (uint64_t)u & m;
        cf = u < 0;
        of = s < smin || s > smax;
        af = (int)(a & 0xf) - (int)(b & 0xf) - c < 0;
    }
    *fl = szp_ref(r, bits) | (cf ? X86_FLAG_CF : 0) | (of ? X86_FLAG_OF : 0) | (af ? X86_FLAG_AF : 0);
    return r;
}

/* Emit the operand-size prefixes for BITS in MODE; false if impossible. */
static bool size_prefix(uint8_t *code, size_t *n, enum test_mode mode, unsigned bits)
{
    if (bits == 64) {
        if (mode != MODE_LONG64)
            return false;
        code[(*n)++] = 0x48;
    } else if (bits == 16 && mode != MODE_REAL) {
        code[(*n)++] = 0x66;
    } else if (bits == 32 && mode == MODE_REAL) {
        code[(*n)++] = 0x66;
    }
    return true;
}

static void run_one(struct fake *f, enum test_mode mode, const uint8_t *code, size_t n,
                    uint64_t rax, uint64_t rbx, uint64_t rcx, uint64_t flags, struct cpu_state *out)
{
    struct cpu_state s;
    uint8_t buf[32];
    memcpy(buf, code, n);
    buf[n] = 0xf4;   /* hlt */
    fake_load(f, CODE, buf, n + 1);
    fake_mode_state(f, &s, mode, CODE, 0x8000);
    s.gpr[R_RAX] = rax;
    s.gpr[R_RBX] = rbx;
    s.gpr[R_RCX] = rcx;
    s.rflags = flags | X86_FLAG_FIXED;
    fake_set(f, &s);
    ck_assert_int_eq(fake_run(f, 100), VCPU_EXIT_HALT);
    fake_get(f, out);
    ck_assert_uint_eq(out->rip, CODE + n + 1);
}

static uint64_t expect_reg(enum test_mode mode, unsigned bits, uint64_t old, uint64_t r)
{
    (void)mode;
    if (bits >= 32)
        return r & maskof(bits);   /* 32-bit writes zero-extend */
    return (old & ~maskof(bits)) | (r & maskof(bits));
}

static void check_arith_mode(enum test_mode mode)
{
    struct fake f;
    fake_init(&f, &accel_interp_ops);
    static const unsigned sizes[] = {8, 16, 32, 64};
    unsigned cases = 0;
    for (int op = 0; op < 4; op++)
        for (unsigned si = 0; si < 4; si++)
            for (unsigned x = 0; x < NV; x++)
                for (unsigned y = 0; y < NV; y++)
                    for (int cin = 0; cin < 2; cin++) {
                        unsigned bits = sizes[si];
                        uint8_t code[8];
                        size_t n = 0;
                        if (!size_prefix(code, &n, mode, bits))
                            continue;
                        code[n++] = op_byte[op] | (bits == 8 ? 0 : 1);
                        code[n++] = 0xd8;   /* eax, ebx (al, bl) */
                        uint64_t a = vals[x] | (bits < 64 ? 0x5a5a5a5a00000000ull : 0);
                        uint64_t b = vals[y];
                        if (mode != MODE_LONG64)
                            a &= 0xffffffff;
                        /* preload the other flags with a pattern to catch leaks */
                        uint64_t fl = (uint64_t)cin | ((x & 1) ? (ARITH & ~X86_FLAG_CF) : 0);
                        struct cpu_state s;
                        run_one(&f, mode, code, n, a, b, 0, fl, &s);
                        uint32_t want;
                        uint64_t r = ref_arith(op, bits, a, b, cin, &want);
                        uint64_t exp = expect_reg(mode, bits, a, r);
                        if (mode != MODE_LONG64)
                            exp &= 0xffffffff, s.gpr[R_RAX] &= 0xffffffff;
                        ck_assert_msg(s.gpr[R_RAX] == exp && (s.rflags & ARITH) == want,
                                      "mode %d op %d bits %u a=%#llx b=%#llx cf=%d: rax=%#llx "
                                      "(want %#llx) flags=%#llx (want %#x)",
                                      mode, op, bits, (unsigned long long)a, (unsigned long long)b,
                                      cin, (unsigned long long)s.gpr[R_RAX],
                                      (unsigned long long)exp,
                                      (unsigned long long)(s.rflags & ARITH), want);
                        cases++;
                    }
    ck_assert_uint_gt(cases, 1000);
    fake_fini(&f);
}

START_TEST(arith_real) { check_arith_mode(MODE_REAL); }
END_TEST
START_TEST(arith_prot32) { check_arith_mode(MODE_PROT32); }
END_TEST
START_TEST(arith_long64) { check_arith_mode(MODE_LONG64); }
END_TEST

/* ---- shifts and rotates, SDM pseudo-code one bit at a time ---- */
enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR };

/* Returns the result; *defined gets the flags the SDM defines. */
static uint64_t ref_shift(int op, unsigned bits, uint64_t a, unsigned cl, uint32_t fl_in,
                          uint32_t *fl, uint32_t *defined)
{
    uint64_t m = maskof(bits), d = a & m;
    unsigned masked = cl & (bits == 64 ? 0x3f : 0x1f);
    bool cf = fl_in & X86_FLAG_CF;
    bool of = fl_in & X86_FLAG_OF;
    uint32_t f = fl_in & ARITH;
    *defined = ARITH;
    if (masked == 0) {
        *fl = f;
        return d;
    }
#define MSB(x) (((x) >> (bits - 1)) & 1)
    switch (op) {
    case SH_ROL: case SH_ROR: {
        unsigned t = masked % bits;
        for (unsigned k = 0; k < t; k++) {
            if (op == SH_ROL)
                d = ((d << 1) | MSB(d)) & m;
            else
                d = (d >> 1) | ((d & 1) << (bits - 1));
        }
        if (op == SH_ROL) {
            cf = d & 1;
            of = MSB(d) ^ cf;
        } else {
            cf = MSB(d);
            of = MSB(d) ^ ((d >> (bits - 2)) & 1);
        }
        if (masked != 1)
            *defined &= ~X86_FLAG_OF;
        break;
    }
    case SH_RCL: case SH_RCR: {
        unsigned t = bits == 8 ? masked % 9 : bits == 16 ? masked % 17 : masked;
        if (op == SH_RCR)
            of = MSB(d) ^ cf;
        for (unsigned k = 0; k < t; k++) {
            if (op == SH_RCL) {
                bool tmp = MSB(d);
                d = ((d << 1) | cf) & m;
                cf = tmp;
            } else {
                bool tmp = d & 1;
                d = (d >> 1) | ((uint64_t)cf << (bits - 1));
                cf = tmp;
            }
        }
        if (op == SH_RCL)
            of = MSB(d) ^ cf;
        if (masked != 1)
            *defined &= ~X86_FLAG_OF;
        break;
    }
    default: {
        uint64_t orig = d;
        for (unsigned k = 0; k < masked; k++) {
            if (op == SH_SHL || op == SH_SAL) {
                cf = MSB(d);
                d = (d << 1) & m;
            } else if (op == SH_SHR) {
                cf = d & 1;
                d >>= 1;
            } else {
                cf = d & 1;
                d = (d >> 1) | (MSB(d) << (bits - 1));
            }
        }
        if (op == SH_SHL || op == SH_SAL)
            of = MSB(d) ^ cf;
        else if (op == SH_SAR)
            of = false;
        else
            of = MSB(orig);
        f = (f & ~(X86_FLAG_SF | X86_FLAG_ZF | X86_FLAG_PF)) | szp_ref(d, bits);
        *defined &= ~X86_FLAG_AF;
        if (masked != 1)
            *defined &= ~X86_FLAG_OF;
        if (masked >= bits)
            *defined &= ~X86_FLAG_CF;
        break;
    }
    }
#undef MSB
    f = (f & ~(X86_FLAG_CF | X86_FLAG_OF)) | (cf ? X86_FLAG_CF : 0) | (of ? X86_FLAG_OF : 0);
    *fl = f;
    return d;
}

static void check_shift_mode(enum test_mode mode)
{
    static const unsigned counts[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 0xff};
    static const uint64_t svals[] = {0, 1, 0x80, 0x81, 0x4000, 0xc001, 0x80000000, 0x40000001,
                                     0x8000000000000001ull, 0x5555555555555555ull,
                                     0xfedcba9876543210ull};
    static const unsigned sizes[] = {8, 16, 32, 64};
    struct fake f;
    fake_init(&f, &accel_interp_ops);
    for (int op = 0; op < 8; op++)
        for (unsigned si = 0; si < 4; si++)
            for (unsigned c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
                for (unsigned x = 0; x < sizeof(svals) / sizeof(svals[0]); x++)
                    for (int pat = 0; pat < 2; pat++) {
                        unsigned bits = sizes[si];
                        uint8_t code[8];
                        size_t n = 0;
                        if (!size_prefix(code, &n, mode, bits))
                            continue;
                        code[n++] = bits == 8 ? 0xd2 : 0xd3;       /* op r/m, CL */
                        code[n++] = (uint8_t)(0xc0 | (op << 3));   /* eax */
                        uint64_t a = svals[x];
                        if (mode != MODE_LONG64)
                            a &= 0xffffffff;
                        uint32_t fin = pat ? (ARITH & ~X86_FLAG_CF) : X86_FLAG_CF;
                        if (x & 1)
                            fin ^= X86_FLAG_CF;
                        struct cpu_state s;
                        run_one(&f, mode, code, n, a, 0, counts[c], fin, &s);
                        uint32_t want, defined;
                        uint64_t r = ref_shift(op, bits, a, counts[c], fin, &want, &defined);
                        /* count 0 leaves the value, but a 32-bit register is still
                                         * written, so it is zero-extended (host-CPU oracle) */
                        uint64_t exp = (counts[c] & (bits == 64 ? 0x3f : 0x1f)) == 0 && bits != 32
                                           ? a : expect_reg(mode, bits, a, r);
                        if (mode != MODE_LONG64)
                            exp &= 0xffffffff, s.gpr[R_RAX] &= 0xffffffff;
                        bool ok_r = s.gpr[R_RAX] == exp;
                        /* 16-bit RCL/RCR etc. are defined; only SHLD-style cases are not */
                        ck_assert_msg(ok_r && ((s.rflags ^ want) & defined) == 0,
                                      "mode %d op %d bits %u a=%#llx cl=%u fin=%#x: rax=%#llx "
                                      "(want %#llx) flags=%#llx (want %#x mask %#x)",
                                      mode, op, bits, (unsigned long long)a, counts[c], fin,
                                      (unsigned long long)s.gpr[R_RAX], (unsigned long long)exp,
                                      (unsigned long long)(s.rflags & ARITH), want, defined);
                    }
    fake_fini(&f);
}

START_TEST(shift_real) { check_shift_mode(MODE_REAL); }
END_TEST
START_TEST(shift_prot32) { check_shift_mode(MODE_PROT32); }
END_TEST
START_TEST(shift_long64) { check_shift_mode(MODE_LONG64); }
END_TEST

/* INC/DEC keep CF; NEG sets CF = (src != 0); logic ops clear CF/OF. */
START_TEST(inc_dec_neg_logic)
{
    struct fake f;
    fake_init(&f, &accel_interp_ops);
    struct cpu_state s;
    /* inc eax with eax=0x7fffffff, CF=1: OF=1 SF=1 AF=1 CF kept */
    run_one(&f, MODE_PROT32, (const uint8_t[]){0xff, 0xc0}, 2, 0x7fffffff, 0, 0, X86_FLAG_CF, &s);
    ck_assert_uint_eq(s.gpr[R_RAX], 0x80000000);
    ck_assert_uint_eq(s.rflags & ARITH, X86_FLAG_OF | X86_FLAG_SF | X86_FLAG_AF | X86_FLAG_CF |
                                            X86_FLAG_PF);
    /* dec al with al=0x80, CF=0: 0x7f, OF=1 AF=1 */
    run_one(&f, MODE_PROT32, (const uint8_t[]){0xfe, 0xc8}, 2, 0x80, 0, 0, 0, &s);
    ck_assert_uint_eq(s.gpr[R_RAX], 0x7f);
    ck_assert_uint_eq(s.rflags & ARITH, X86_FLAG_OF | X86_FLAG_AF);
    /* neg eax with 0: CF=0 ZF=1 PF=1 */
    run_one(&f, MODE_PROT32, (const uint8_t[]){0xf7, 0xd8}, 2, 0, 0, 0, X86_FLAG_CF, &s);
    ck_assert_uint_eq(s.rflags & ARITH, X86_FLAG_ZF | X86_FLAG_PF);
    /* neg eax with 0x80000000: CF=1 OF=1 SF=1 PF=1 */
    run_one(&f, MODE_PROT32, (const uint8_t[]){0xf7, 0xd8}, 2, 0x80000000, 0, 0, 0, &s);
    ck_assert_uint_eq(s.rflags & ARITH, X86_FLAG_CF | X86_FLAG_OF | X86_FLAG_SF | X86_FLAG_PF);
    /* and eax, ebx with CF/OF set: both cleared */
    run_one(&f, MODE_PROT32, (const uint8_t[]){0x21, 0xd8}, 2, 0xf0, 0x0f, 0,
            X86_FLAG_CF | X86_FLAG_OF, &s);
    ck_assert_uint_eq(s.rflags & (ARITH & ~X86_FLAG_AF), X86_FLAG_ZF | X86_FLAG_PF);
    fake_fini(&f);
}
END_TEST

/* MUL/IMUL CF=OF rules and DIV results. */
START_TEST(mul_div)
{
    struct fake f;
    fake_init(&f, &accel_interp_ops);
    struct cpu_state s;
    /* mul ebx: 0x80000000 * 4 = 0x2_00000000 -> EDX=2, CF=OF=1 */
    run_one(&f, MODE_PROT32, (const uint8_t[]){0xf7, 0xe3}, 2, 0x80000000, 4, 0, 0, &s);
    ck_assert_uint_eq(s.gpr[R_RAX], 0);
    ck_assert_uint_eq(s.gpr[R_RDX], 2);
    ck_assert_uint_eq(s.rflags & (X86_FLAG_CF | X86_FLAG_OF), X86_FLAG_CF | X86_FLAG_OF);
    /* imul eax, ebx, -3 (6B C3 FD): 5 * -3 = -15, no overflow */
    run_one(&f, MODE_PROT32, (const uint8_t[]){0x6b, 0xc3, 0xfd}, 3, 0, 5, 0, X86_FLAG_CF, &s);
    ck_assert_uint_eq(s.gpr[R_RAX], (uint32_t)-15);
    ck_assert_uint_eq(s.rflags & (X86_FLAG_CF | X86_FLAG_OF), 0);
    /* 64-bit idiv rbx: rdx:rax = -7, rbx = 2 -> q=-3 r=-1 */
    struct cpu_state st;
    uint8_t code[] = {0x48, 0xf7, 0xfb, 0xf4};
    fake_load(&f, CODE, code, sizeof(code));
    fake_mode_state(&f, &st, MODE_LONG64, CODE, 0x8000);
    st.gpr[R_RAX] = (uint64_t)-7;
    st.gpr[R_RDX] = ~0ull;
    st.gpr[R_RBX] = 2;
    fake_set(&f, &st);
    ck_assert_int_eq(fake_run(&f, 10), VCPU_EXIT_HALT);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.gpr[R_RAX], (uint64_t)-3);
    ck_assert_uint_eq(s.gpr[R_RDX], (uint64_t)-1);
    fake_fini(&f);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("interp_alu");
    TCase *tc = tcase_create("flags");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, arith_real);
    tcase_add_test(tc, arith_prot32);
    tcase_add_test(tc, arith_long64);
    tcase_add_test(tc, shift_real);
    tcase_add_test(tc, shift_prot32);
    tcase_add_test(tc, shift_long64);
    tcase_add_test(tc, inc_dec_neg_logic);
    tcase_add_test(tc, mul_div);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
