/*
 * test_vclock.c - the virtual clock: timers fire in deadline order at
 * their exact virtual times when the manual clock is stepped, re-arming
 * from a callback works, deletion works, instruction counting advances
 * the deterministic clock.
 */
#include <check.h>

#include "hw/core/vclock.h"

#include "tests/vireo_check.h"

struct rec {
    struct vtimer t;
    struct vclock *c;
    uint64_t fired_at[8];
    unsigned n;
    uint64_t period;
};

static void on_fire(void *opaque)
{
    struct rec *r = opaque;

    if (r->n < 8)
        r->fired_at[r->n] = vclock_now(r->c);
    r->n++;
    if (r->period)
        vtimer_mod(&r->t, vclock_now(r->c) + r->period);
}

START_TEST(manual_order_and_times)
{
    struct vclock c;
    struct rec a = { .c = &c }, b = { .c = &c };

    vclock_init(&c, VCLOCK_MANUAL);
    vtimer_init(&a.t, &c, on_fire, &a);
    vtimer_init(&b.t, &c, on_fire, &b);
    vtimer_mod(&a.t, 300);
    vtimer_mod(&b.t, 100);
    ck_assert_uint_eq(vclock_next_deadline(&c), 100);
    vclock_step(&c, 99);
    ck_assert_uint_eq(a.n + b.n, 0);
    vclock_step(&c, 1);
    ck_assert_uint_eq(b.n, 1);
    ck_assert_uint_eq(b.fired_at[0], 100);
    vclock_step(&c, 1000);
    ck_assert_uint_eq(a.n, 1);
    ck_assert_uint_eq(a.fired_at[0], 300);
    ck_assert_uint_eq(vclock_now(&c), 1100);
    ck_assert_uint_eq(vclock_next_deadline(&c), VCLOCK_NEVER);
}
END_TEST

START_TEST(periodic_rearm_and_delete)
{
    struct vclock c;
    struct rec a = { .c = &c, .period = 250 };

    vclock_init(&c, VCLOCK_MANUAL);
    vtimer_init(&a.t, &c, on_fire, &a);
    vtimer_mod(&a.t, 250);
    vclock_step(&c, 1000);
    ck_assert_uint_eq(a.n, 4);
    ck_assert_uint_eq(a.fired_at[0], 250);
    ck_assert_uint_eq(a.fired_at[3], 1000);
    ck_assert(vtimer_pending(&a.t));
    vtimer_del(&a.t);
    ck_assert(!vtimer_pending(&a.t));
    vclock_step(&c, 1000);
    ck_assert_uint_eq(a.n, 4);
}
END_TEST

START_TEST(insn_mode_counts)
{
    struct vclock c;
    struct rec a = { .c = &c };

    vclock_init(&c, VCLOCK_INSN);
    vtimer_init(&a.t, &c, on_fire, &a);
    vtimer_mod(&a.t, 1000);
    vclock_account_insns(&c, 999);
    ck_assert_uint_eq(vclock_run_timers(&c), 0);
    vclock_account_insns(&c, 1);
    ck_assert_uint_eq(vclock_run_timers(&c), 1);
    ck_assert_uint_eq(a.fired_at[0], 1000);
}
END_TEST

START_TEST(host_mode_monotonic)
{
    struct vclock c;
    uint64_t t0, t1;

    vclock_init(&c, VCLOCK_HOST);
    t0 = vclock_now(&c);
    t1 = vclock_now(&c);
    ck_assert_uint_ge(t1, t0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vclock");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, manual_order_and_times);
    tcase_add_test(tc, periodic_rearm_and_delete);
    tcase_add_test(tc, insn_mode_counts);
    tcase_add_test(tc, host_mode_monotonic);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
