/*
 * test_interp_fuzz.c - guest-hostility smoke test: random code with
 * random registers in real, 32-bit and 64-bit mode, with every interrupt
 * vector pointing back into the random code, run under an instruction
 * budget.  Any exit is fine; what must not happen is a crash, a hang or
 * (under -DVIREO_SANITIZE=ON) a host memory error.  Deterministic seeds.
 */
#include "interp_harness.h"
#include "tests/vireo_check.h"

static uint64_t rng;

static uint64_t next_rand(void)
{
    return vireo_xorshift64(&rng);
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t k = 0; k < n; k++)
        p[k] = (uint8_t)next_rand();
}

static void run_mode(enum test_mode mode, unsigned runs)
{
    struct fake f;
    fake_init(&f, &accel_interp_ops);
    for (unsigned r = 0; r < runs; r++) {
        struct cpu_state s;
        memset(f.ram, 0, 0x80000);
        fill_random(f.ram + 0x1000, 0x3000);
        /* a pool of small "interesting" opcodes helps reach deeper states */
        for (int k = 0; k < 64; k++) {
            static const uint8_t favs[] = {0x0f, 0xcd, 0xcf, 0xf3, 0xa5, 0xe8, 0xc3, 0x8e, 0x9d, 0xfb};
            f.ram[0x1000 + next_rand() % 0x3000] = favs[next_rand() % sizeof(favs)];
        }
        fake_mode_state(&f, &s, mode, 0x1000 + next_rand() % 0x3000, 0x8000);
        for (int k = 0; k < 16; k++)
            s.gpr[k] = (next_rand() & 1) ? next_rand() : next_rand() & 0xffff;
        s.gpr[R_RSP] = 0x8000;
        if (mode == MODE_REAL) {
            for (int v = 0; v < 256; v++) {
                uint16_t e[2] = {(uint16_t)(0x1000 + next_rand() % 0x3000), 0};
                memcpy(f.ram + v * 4, e, 4);
            }
            s.idtr.base = 0;
            s.idtr.limit = 0x3ff;
        } else {
            /* IDT at 0x60000, GDT at 0x68000 with flat code/data */
            uint64_t gdt[4] = {0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull, 0x00af9a000000ffffull};
            memcpy(f.ram + 0x68000, gdt, sizeof(gdt));
            s.gdtr.base = 0x68000;
            s.gdtr.limit = sizeof(gdt) - 1;
            unsigned gs = mode == MODE_LONG64 ? 16 : 8;
            for (int v = 0; v < 256; v++) {
                uint64_t off = 0x1000 + next_rand() % 0x3000;
                uint32_t g[4] = {(uint32_t)(off & 0xffff) | ((mode == MODE_LONG64 ? 0x18u : 0x08u) << 16),
                                 (uint32_t)(off & 0xffff0000) | 0x8e00, 0, 0};
                memcpy(f.ram + 0x60000 + v * gs, g, gs);
            }
            s.idtr.base = 0x60000;
            s.idtr.limit = (uint16_t)(256 * gs - 1);
            if (mode == MODE_LONG64)
                s.seg[SEG_CS].selector = 0x18;
        }
        s.rflags = X86_FLAG_FIXED | (next_rand() & 0x8d5);
        fake_set(&f, &s);
        f.stop = false;
        for (int k = 0; k < 4; k++) {
            f.irq = next_rand() % 4 == 0;
            f.irq_vec = (int)(next_rand() & 0xff);
            enum vcpu_exit_reason why = fake_run(&f, 2000);
            if (why == VCPU_EXIT_SHUTDOWN)
                break;
            f.stop = false;
        }
        fake_get(&f, &s);
    }
    fake_fini(&f);
}

START_TEST(fuzz_real) { rng = 0x1234567; run_mode(MODE_REAL, 300); }
END_TEST
START_TEST(fuzz_prot32) { rng = 0x7654321; run_mode(MODE_PROT32, 300); }
END_TEST
START_TEST(fuzz_long64) { rng = 0xabcdef1; run_mode(MODE_LONG64, 300); }
END_TEST

int main(void)
{
    Suite *su = suite_create("interp_fuzz");
    TCase *tc = tcase_create("random_code");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, fuzz_real);
    tcase_add_test(tc, fuzz_prot32);
    tcase_add_test(tc, fuzz_long64);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
