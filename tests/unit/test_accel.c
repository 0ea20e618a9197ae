/*
 * test_accel.c - the accelerator registry (accel/accel.c) and the null
 * back end (accel/null.c): ops-table checking, lookup, creation failures,
 * and a vCPU state round trip through null's get_state/set_state.
 *
 * Not covered here: back ends that run code (see test_kvm.c).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel/accel.h"

static int stub_init(struct accel *a, const struct accel_config *cfg, char *err, size_t errlen)
{
    return 0;
}

static int stub_init_fails(struct accel *a, const struct accel_config *cfg, char *err,
                           size_t errlen)
{
    snprintf(err, errlen, "no such device");
    return -ENODEV;
}

static int stub_map(struct accel *a, uint64_t gpa, uint64_t size, void *host, bool ro) { return 0; }
static int stub_create(struct accel *a, unsigned i) { return 0; }
static int stub_run(struct accel *a, unsigned i, struct vcpu_exit *e) { return 0; }
static int stub_get(struct accel *a, unsigned i, struct cpu_state *s) { return 0; }
static int stub_set(struct accel *a, unsigned i, const struct cpu_state *s) { return 0; }
static int stub_irq(struct accel *a, unsigned gsi, int level) { return 0; }
static void stub_kick(struct accel *a, unsigned i) {}
static void stub_destroy(struct accel *a) {}

static const struct accel_ops full = {
    .name = "stub", .help = "test", .init = stub_init, .map_memory = stub_map,
    .vcpu_create = stub_create, .vcpu_run = stub_run, .get_state = stub_get,
    .set_state = stub_set, .kick = stub_kick, .destroy = stub_destroy,
};

static const struct cpu_bus dummy_bus;

START_TEST(ops_check_complete)
{
    struct accel_ops o = full;

    ck_assert_int_eq(accel_ops_check(&full), 0);
    /* irq_line and flush_code are optional ... */
    ck_assert_ptr_null(full.irq_line);
    ck_assert_ptr_null(full.flush_code);
    /* ... except that an in-kernel irqchip needs irq_line. */
    o.caps = ACCEL_CAP_IRQCHIP;
    ck_assert_int_eq(accel_ops_check(&o), -EINVAL);
    o.irq_line = stub_irq;
    ck_assert_int_eq(accel_ops_check(&o), 0);
    ck_assert_int_eq(accel_ops_check(NULL), -EINVAL);
}
END_TEST

/* Remove each mandatory member in turn (loop index = which one). */
START_TEST(ops_check_missing)
{
    struct accel_ops o = full;

    switch (_i) {
    case 0: o.name = NULL; break;
    case 1: o.init = NULL; break;
    case 2: o.map_memory = NULL; break;
    case 3: o.vcpu_create = NULL; break;
    case 4: o.vcpu_run = NULL; break;
    case 5: o.get_state = NULL; break;
    case 6: o.set_state = NULL; break;
    case 7: o.kick = NULL; break;
    case 8: o.destroy = NULL; break;
    }
    ck_assert_int_eq(accel_ops_check(&o), -EINVAL);
}
END_TEST

START_TEST(create_rejects_bad_table)
{
    struct accel_ops o = full;
    struct accel_config cfg = { .bus = &dummy_bus, .ncpus = 1 };
    struct accel *a = (struct accel *)&o; /* must be cleared */

    o.vcpu_run = NULL;
    ck_assert_int_eq(accel_create(&o, &cfg, &a), -EINVAL);
    ck_assert_ptr_null(a);
}
END_TEST

START_TEST(create_reports_init_failure)
{
    struct accel_ops o = full;
    struct accel_config cfg = { .bus = &dummy_bus, .ncpus = 1 };
    struct accel *a;

    o.init = stub_init_fails;
    ck_assert_int_eq(accel_create(&o, &cfg, &a), -ENODEV);
    ck_assert_ptr_null(a);
    cfg.ncpus = 0;
    ck_assert_int_eq(accel_create(&full, &cfg, &a), -EINVAL);
    ck_assert_ptr_null(a);
}
END_TEST

START_TEST(registry)
{
    const struct accel_ops *null_ops = accel_find("null");
    const char *def = accel_default_name();
    char buf[4096] = "";
    FILE *tmp;
    int saved;
    size_t n;

    ck_assert_ptr_nonnull(null_ops);
    ck_assert_str_eq(null_ops->name, "null");
    ck_assert_int_eq(accel_ops_check(null_ops), 0);
    ck_assert_ptr_null(accel_find("no-such-accel"));
    ck_assert_ptr_null(accel_find(NULL));
    ck_assert_ptr_nonnull(def);
    ck_assert_ptr_nonnull(accel_find(def));
    if (accel_find("kvm")) {
        ck_assert_int_eq(accel_ops_check(accel_find("kvm")), 0);
        ck_assert(accel_find("kvm")->caps & ACCEL_CAP_PASSTHROUGH);
    }

    /* accel_list prints every registered name to stdout */
    tmp = tmpfile();
    ck_assert_ptr_nonnull(tmp);
    fflush(stdout);
    saved = dup(STDOUT_FILENO);
    dup2(fileno(tmp), STDOUT_FILENO);
    accel_list();
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    rewind(tmp);
    n = fread(buf, 1, sizeof(buf) - 1, tmp);
    buf[n] = '\0';
    fclose(tmp);
    ck_assert_ptr_nonnull(strstr(buf, "null"));
    if (accel_find("kvm"))
        ck_assert_ptr_nonnull(strstr(buf, "kvm"));
}
END_TEST

START_TEST(null_state_round_trip)
{
    struct accel_config cfg = { .bus = &dummy_bus, .ncpus = 2 };
    struct accel *a;
    struct cpu_state s, r;
    struct vcpu_exit ex;
    uint8_t page[4096];

    ck_assert_int_eq(accel_create(accel_find("null"), &cfg, &a), 0);
    ck_assert_int_eq(a->ncpus, 2);
    ck_assert_ptr_eq(a->bus, &dummy_bus);
    ck_assert_int_eq(a->ops->map_memory(a, 0, sizeof(page), page, false), 0);
    ck_assert_int_eq(a->ops->vcpu_create(a, 0), 0);
    ck_assert_int_eq(a->ops->vcpu_create(a, 0), -EINVAL);
    ck_assert_int_eq(a->ops->vcpu_create(a, 2), -EINVAL);
    ck_assert_int_eq(a->ops->get_state(a, 1, &r), -EINVAL); /* not created */

    /* a fresh vCPU is in the RESET state */
    memset(&r, 0xee, sizeof(r));
    ck_assert_int_eq(a->ops->get_state(a, 0, &r), 0);
    ck_assert_uint_eq(r.rip, 0xfff0);
    ck_assert_uint_eq(r.seg[SEG_CS].base, 0xffff0000);

    memset(&s, 0, sizeof(s));
    cpu_state_reset(&s, 0x600);
    for (int i = 0; i < X86_NR_GPRS; i++)
        s.gpr[i] = 0x1111111111111111ull * (uint64_t)(i + 1);
    s.rip = 0x123456789ull;
    cpu_state_flat_segment(&s.seg[SEG_CS], 0x08, true);
    s.seg[SEG_CS].l = 1;
    s.seg[SEG_FS].base = 0x7fff00001000ull;
    s.cr3 = 0x1000;
    s.efer = X86_EFER_LME | X86_EFER_LMA;
    s.msr.lstar = 0xffffffff81000000ull;
    s.msr.mtrr_var[15] = 42;
    s.fpu.st[7].sign_exp = 0x8001;
    s.fpu.xmm[15].b[15] = 0xab;
    s.halted = true;
    ck_assert_int_eq(a->ops->set_state(a, 0, &s), 0);
    memset(&r, 0, sizeof(r));
    ck_assert_int_eq(a->ops->get_state(a, 0, &r), 0);
    ck_assert_mem_eq(&r, &s, sizeof(s));

    memset(&ex, 0, sizeof(ex));
    ck_assert_int_eq(a->ops->vcpu_run(a, 0, &ex), 0);
    ck_assert_int_eq(ex.reason, VCPU_EXIT_HALT);
    ck_assert_int_lt(a->ops->vcpu_run(a, 1, &ex), 0);
    ck_assert_int_eq(ex.reason, VCPU_EXIT_ERROR);
    a->ops->kick(a, 0);
    accel_destroy(a);
    accel_destroy(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("accel");
    TCase *tc = tcase_create("accel");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, ops_check_complete);
    tcase_add_loop_test(tc, ops_check_missing, 0, 9);
    tcase_add_test(tc, create_rejects_bad_table);
    tcase_add_test(tc, create_reports_init_failure);
    tcase_add_test(tc, registry);
    tcase_add_test(tc, null_state_round_trip);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
