/*
 * test_simd_oracle.c - checks the host-oracle harness itself
 * (tests/unit/simd_oracle.h) on instructions whose results are known:
 * the x87/SSE state survives a NOP unchanged on both sides, ADD with a
 * memory operand, UD2 faults with #UD (6) on both sides with the state
 * of the fault, and a division by zero faults with #DE (0).
 */
#include "simd_oracle.h"
#include "tests/vireo_check.h"

static void base_case(struct so_case *c)
{
    memset(c, 0, sizeof(*c));
    c->mem_at = -1;
    for (int k = 0; k < 16; k++)
        c->in.gpr[k] = 0x1111111111111111ull * (uint64_t)(k + 1);
    c->in.gpr[R_RSP] = 0;
    c->in.rflags = X86_FLAG_FIXED;
    struct x86_fpu fpu;
    memset(&fpu, 0, sizeof(fpu));
    fpu.fcw = 0x37f;
    fpu.mxcsr = 0x1f80;
    fpu.ftw = 0x81;
    fpu.fsw = 0x3800;
    for (int k = 0; k < 8; k++) {
        fpu.st[k].mantissa = 0x8000000000000000ull | (uint64_t)k;
        fpu.st[k].sign_exp = (uint16_t)(0x3fff + k);
    }
    for (int k = 0; k < 16; k++)
        for (int b = 0; b < 16; b++)
            fpu.xmm[k].b[b] = (uint8_t)(k * 16 + b);
    cpu_fpu_to_fxsave(c->in.fx, &fpu);
    for (unsigned k = 0; k < SO_MEMSZ; k++)
        c->mem[k] = (uint8_t)(0xa0 + k);
}

START_TEST(harness)
{
    struct so_host h;
    if (!so_host_init(&h)) {
        fprintf(stderr, "host cannot run x86-64 code: skipped\n");
        exit(77);
    }
    struct fake f;
    so_guest_init(&f);
    struct so_case c;
    struct so_result hr, gr;

    base_case(&c);
    memcpy(c.code, "\x90", 1);
    ck_assert(so_prepare(&c));
    so_host_run(&h, &c, &hr);
    so_guest_run(&f, &c, &gr);
    ck_assert(so_compare("nop", &c, &hr, &gr, 0xcd5));
    ck_assert_int_eq(hr.vec, -1);
    ck_assert_mem_eq(hr.out.fx + 160, c.in.fx + 160, 256);

    /* add rax, [rip+disp] -> mem[8..15] */
    base_case(&c);
    memcpy(c.code, "\x48\x03\x05\x00\x00\x00\x00", 7);
    c.mem_at = 8;
    ck_assert(so_prepare(&c));
    so_host_run(&h, &c, &hr);
    so_guest_run(&f, &c, &gr);
    ck_assert(so_compare("add", &c, &hr, &gr, 0x8d5));
    uint64_t m;
    memcpy(&m, c.mem + 8, 8);
    ck_assert_uint_eq(hr.out.gpr[R_RAX], c.in.gpr[R_RAX] + m);

    /* ud2 */
    base_case(&c);
    memcpy(c.code, "\x0f\x0b", 2);
    ck_assert(so_prepare(&c));
    so_host_run(&h, &c, &hr);
    so_guest_run(&f, &c, &gr);
    ck_assert_int_eq(hr.vec, 6);
    ck_assert(so_compare("ud2", &c, &hr, &gr, 0x8d5));

    /* div rcx with rcx = 0 */
    base_case(&c);
    c.in.gpr[R_RCX] = 0;
    memcpy(c.code, "\x48\xf7\xf1", 3);
    ck_assert(so_prepare(&c));
    so_host_run(&h, &c, &hr);
    so_guest_run(&f, &c, &gr);
    ck_assert_int_eq(hr.vec, 0);
    ck_assert(so_compare("div", &c, &hr, &gr, 0x8d5));

    fake_fini(&f);
    so_host_fini(&h);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("simd_oracle");
    TCase *tc = tcase_create("harness");
    tcase_add_test(tc, harness);
    suite_add_tcase(su, tc);
    return vireo_check_run(su);
}
