/*
 * test_hpet.c - the HPET against the IA-PC HPET Specification 1.0a with
 * a manually stepped virtual clock: the counter period is 10 ns (100 MHz)
 * so every interrupt is checked at its exact nanosecond.
 *
 * Covered: GCAP_ID (revision, number of timers, 64-bit counter, legacy
 * capable, vendor, period in fs) and the read-only timer capabilities
 * (periodic and 64-bit capable, INT_ROUTE_CAP); the main counter rate,
 * halting with ENABLE_CNF and writing it while halted; one-shot edge
 * interrupts at the comparator match and never again for a 64-bit
 * timer; periodic mode with VAL_SET (accumulator and period), the
 * comparator reading the next match, a period change taking effect after
 * the next match; 32-bit mode (upper comparator half gone, matches on the
 * low 32 bits, one-shot matching again after the 32-bit wrap); legacy
 * replacement (timer 0 -> irq[0], timer 1 -> irq[1], the board told, the
 * route fields ignored); level interrupts (status set even when not
 * enabled, line held until the status is cleared by writing 1); routes
 * outside INT_ROUTE_CAP refused; hostile periods (0, 1) bounded; reset.
 */
#include <check.h>
#include <string.h>

#include "hw/core/device.h"
#include "hw/core/machine.h"
#include "hw/i386/hpet.h"
#include "tests/vireo_check.h"

#define BASE   0xfed00000ull
#define GCAP   0x000
#define GCONF  0x010
#define GISR   0x020
#define MAIN   0x0f0
#define TCONF(n) (0x100 + 0x20 * (n))
#define TCMP(n)  (0x108 + 0x20 * (n))

#define ENABLE  0x1
#define LEGACY  0x2
#define T_LEVEL   (1u << 1)
#define T_ENB     (1u << 2)
#define T_PERIODIC (1u << 3)
#define T_VALSET  (1u << 6)
#define T_32      (1u << 8)
#define T_ROUTE(r) ((uint32_t)(r) << 9)

#define MAX_RISES 64

struct line {
    int level;
    unsigned rises;
    uint64_t t[MAX_RISES];
};

static struct machine m;
static struct device *hpet;
static struct line legacy[2], gsi[32];
static int legacy_on = -1;
static unsigned legacy_calls;

static void record(struct line *l, int level)
{
    ck_assert_int_ne(l->level, level);      /* only changes are reported */
    l->level = level;
    if (level) {
        if (l->rises < MAX_RISES)
            l->t[l->rises] = vclock_now(&m.clock);
        l->rises++;
    }
}

static void legacy_probe(void *opaque, unsigned n, int level)
{
    record(&legacy[n], level);
}

static void gsi_probe(void *opaque, unsigned n, int level)
{
    ck_assert_uint_lt(n, 32);
    record(&gsi[n], level);
}

static void legacy_hook(void *opaque, bool on)
{
    legacy_on = on;
    legacy_calls++;
}

static void setup(void)
{
    char err[256];

    ck_assert_int_eq(machine_init(&m, 2 << 20, VCLOCK_MANUAL), 0);
    memset(legacy, 0, sizeof(legacy));
    memset(gsi, 0, sizeof(gsi));
    legacy_on = -1;
    legacy_calls = 0;
    hpet = device_create(&m, "hpet", err, sizeof(err));
    ck_assert_msg(hpet != NULL, "%s", err);
    ck_assert_int_eq(device_set_props(hpet, "intcap=0x00300000", err, sizeof(err)), 0);
    hpet->irq[0] = (struct irq_line){ legacy_probe, NULL, 0 };
    hpet->irq[1] = (struct irq_line){ legacy_probe, NULL, 1 };
    hpet_set_route_handler(hpet, gsi_probe, NULL);
    hpet_set_legacy_handler(hpet, legacy_hook, NULL);
    ck_assert_msg(device_realize(hpet, err, sizeof(err)) == 0, "%s", err);
}

static void teardown(void)
{
    machine_destroy(&m);
}

static uint64_t rd64(unsigned reg)
{
    return as_read(&m.mem, BASE + reg, 8);
}

static uint32_t rd32(unsigned reg)
{
    return (uint32_t)as_read(&m.mem, BASE + reg, 4);
}

static void wr64(unsigned reg, uint64_t v)
{
    as_write(&m.mem, BASE + reg, v, 8);
}

static void wr32(unsigned reg, uint32_t v)
{
    as_write(&m.mem, BASE + reg, v, 4);
}

static void step_to_ns(uint64_t ns)
{
    uint64_t now = vclock_now(&m.clock);

    ck_assert_uint_ge(ns, now);
    vclock_step(&m.clock, ns - now);
}

START_TEST(capabilities)
{
    ck_assert_uint_eq(rd32(GCAP), 0x8086a201);      /* vendor, legacy, 64-bit, 3 timers, rev 1 */
    ck_assert_uint_eq(rd32(GCAP + 4), 10000000);    /* 10^7 fs = 10 ns */
    ck_assert_uint_eq(rd64(GCAP), 0x009896808086a201ull);
    for (unsigned n = 0; n < 3; n++) {
        uint64_t c = rd64(TCONF(n));

        ck_assert_uint_eq(c & 0x30, 0x30);          /* periodic capable, 64-bit */
        ck_assert_uint_eq(c >> 32, 0x00300000);     /* INT_ROUTE_CAP = intcap */
        ck_assert_uint_eq(c & 0x8000, 0);           /* no FSB delivery */
        ck_assert_uint_eq(rd64(TCMP(n)), ~0ull);    /* comparators reset to all ones */
    }
    wr64(GCAP, 0);                                   /* read-only */
    ck_assert_uint_eq(rd32(GCAP), 0x8086a201);
    ck_assert_uint_eq(rd64(GCONF), 0);
    ck_assert_int_eq(legacy_on, 0);                  /* told at reset */
}
END_TEST

START_TEST(main_counter_rate)
{
    step_to_ns(5000);
    ck_assert_uint_eq(rd64(MAIN), 0);                /* halted at reset */
    wr32(GCONF, ENABLE);
    step_to_ns(5000 + 1000000000ull);
    ck_assert_uint_eq(rd64(MAIN), 100000000);       /* 100 MHz */
    step_to_ns(5000 + 1000000000ull + 9);
    ck_assert_uint_eq(rd64(MAIN), 100000000);
    step_to_ns(5000 + 1000000000ull + 10);
    ck_assert_uint_eq(rd64(MAIN), 100000001);
    wr32(GCONF, 0);                                  /* halt: frozen */
    step_to_ns(3000000000ull);
    ck_assert_uint_eq(rd64(MAIN), 100000001);
    wr64(MAIN, 0x00000001fffffff0ull);               /* write while halted */
    ck_assert_uint_eq(rd32(MAIN), 0xfffffff0);
    ck_assert_uint_eq(rd32(MAIN + 4), 0x1);
    wr32(GCONF, ENABLE);
    step_to_ns(3000000000ull + 200);                 /* +20 ticks: carries into bit 32 */
    ck_assert_uint_eq(rd64(MAIN), 0x0000000200000004ull);
}
END_TEST

START_TEST(one_shot_edge)
{
    wr64(TCONF(2), T_ENB | T_ROUTE(20));
    wr64(TCMP(2), 1000);                             /* 10 us */
    wr32(GCONF, ENABLE);
    step_to_ns(9999);
    ck_assert_uint_eq(gsi[20].rises, 0);
    step_to_ns(10000);
    ck_assert_uint_eq(gsi[20].rises, 1);
    ck_assert_uint_eq(gsi[20].t[0], 10000);
    ck_assert_uint_eq(rd64(TCMP(2)), 1000);          /* one-shot: unchanged */
    ck_assert_uint_eq(rd32(GISR), 0);                /* edge: no status */
    step_to_ns(5000000000ull);
    ck_assert_uint_eq(gsi[20].rises, 1);             /* 64-bit: never again */
    /* A comparator already passed does not fire. */
    wr64(TCMP(2), 1000);
    step_to_ns(6000000000ull);
    ck_assert_uint_eq(gsi[20].rises, 1);
    /* Disabling the interrupt drops the line. */
    ck_assert_int_eq(gsi[20].level, 1);
    wr64(TCONF(2), T_ROUTE(20));
    ck_assert_int_eq(gsi[20].level, 0);
}
END_TEST

START_TEST(periodic)
{
    wr64(TCONF(0), T_ENB | T_PERIODIC | T_VALSET | T_ROUTE(21));
    wr64(TCMP(0), 100000);                           /* first match and period: 1 ms */
    ck_assert_uint_eq(rd64(TCONF(0)) & T_VALSET, 0); /* self-clearing */
    wr32(GCONF, ENABLE);
    step_to_ns(3500000);
    ck_assert_uint_eq(gsi[21].rises, 3);
    ck_assert_uint_eq(gsi[21].t[0], 1000000);
    ck_assert_uint_eq(gsi[21].t[1], 2000000);
    ck_assert_uint_eq(gsi[21].t[2], 3000000);
    ck_assert_uint_eq(rd64(TCMP(0)), 400000);        /* the next match */
    /* Without VAL_SET a write sets the period only: next match still at
     * 4 ms, then every 0.5 ms. */
    wr64(TCMP(0), 50000);
    ck_assert_uint_eq(rd64(TCMP(0)), 400000);
    step_to_ns(5100000);
    ck_assert_uint_eq(gsi[21].rises, 6);
    ck_assert_uint_eq(gsi[21].t[3], 4000000);
    ck_assert_uint_eq(gsi[21].t[4], 4500000);
    ck_assert_uint_eq(gsi[21].t[5], 5000000);
    /* Halting stops the interrupts; restarting resumes from the counter. */
    wr32(GCONF, 0);
    step_to_ns(9000000);
    ck_assert_uint_eq(gsi[21].rises, 6);
    ck_assert_int_eq(gsi[21].level, 0);
    wr32(GCONF, ENABLE);                             /* counter 510000, next 550000 */
    step_to_ns(9000000 + 399999);
    ck_assert_uint_eq(gsi[21].rises, 6);
    step_to_ns(9000000 + 400000);
    ck_assert_uint_eq(gsi[21].rises, 7);
}
END_TEST

START_TEST(periodic_32bit_linux_style)
{
    /* Linux: 32-bit mode, VAL_SET, comparator = now + delta, then delta. */
    wr32(GCONF, ENABLE);
    step_to_ns(1000);                                /* counter 100 */
    wr32(TCONF(0), T_ENB | T_PERIODIC | T_VALSET | T_32 | T_ROUTE(20));
    wr32(TCMP(0), 100 + 100000);
    wr32(TCMP(0), 100000);
    step_to_ns(1000 + 3000000);
    ck_assert_uint_eq(gsi[20].rises, 3);
    ck_assert_uint_eq(gsi[20].t[0], 1001000);
    ck_assert_uint_eq(gsi[20].t[2], 3001000);
}
END_TEST

START_TEST(mode_32bit)
{
    wr64(TCMP(1), 0x123456789abcdef0ull);
    wr64(TCONF(1), T_ENB | T_32 | T_ROUTE(21));
    ck_assert_uint_eq(rd64(TCMP(1)), 0x9abcdef0);    /* upper half gone */
    wr32(TCMP(1) + 4, 0xffffffff);                   /* ignored */
    ck_assert_uint_eq(rd32(TCMP(1) + 4), 0);
    /* Counter just below a 32-bit boundary; comparator just after it. */
    wr64(MAIN, 0x00000005ffffff00ull);
    wr32(TCMP(1), 0x100);
    wr32(GCONF, ENABLE);
    step_to_ns(vclock_now(&m.clock) + 0x200 * 10 - 1);
    ck_assert_uint_eq(gsi[21].rises, 0);
    uint64_t t0 = vclock_now(&m.clock) + 1;
    step_to_ns(t0);
    ck_assert_uint_eq(gsi[21].rises, 1);             /* low 32 bits matched */
    /* One-shot 32-bit: again after 2^32 ticks (42.9 s). */
    step_to_ns(t0 + (1ull << 32) * 10 - 1);
    ck_assert_uint_eq(gsi[21].rises, 1);
    step_to_ns(t0 + (1ull << 32) * 10);
    ck_assert_uint_eq(gsi[21].rises, 2);
}
END_TEST

START_TEST(legacy_replacement)
{
    wr64(TCONF(0), T_ENB | T_ROUTE(20));
    wr64(TCONF(1), T_ENB | T_ROUTE(21));
    wr64(TCMP(0), 500);
    wr64(TCMP(1), 700);
    wr32(GCONF, ENABLE | LEGACY);
    ck_assert_int_eq(legacy_on, 1);
    step_to_ns(4999);
    ck_assert_uint_eq(legacy[0].rises, 0);
    step_to_ns(5000);
    ck_assert_uint_eq(legacy[0].rises, 1);           /* timer 0 -> IRQ0 */
    step_to_ns(7000);
    ck_assert_uint_eq(legacy[1].rises, 1);           /* timer 1 -> IRQ8 */
    ck_assert_uint_eq(legacy[1].t[0], 7000);
    ck_assert_uint_eq(gsi[20].rises + gsi[21].rises, 0);   /* routes ignored */
    /* Leaving legacy mode moves the held lines to their routes. */
    unsigned calls = legacy_calls;
    wr32(GCONF, ENABLE);
    ck_assert_int_eq(legacy_on, 0);
    ck_assert_uint_eq(legacy_calls, calls + 1);
    ck_assert_int_eq(legacy[0].level, 0);
    ck_assert_int_eq(legacy[1].level, 0);
    ck_assert_int_eq(gsi[20].level, 1);
}
END_TEST

START_TEST(level_interrupts)
{
    wr64(TCONF(2), T_LEVEL | T_ROUTE(20));           /* level, interrupt not enabled */
    wr64(TCMP(2), 100);
    wr32(GCONF, ENABLE);
    step_to_ns(1000);
    ck_assert_uint_eq(rd32(GISR), 0x4);              /* status set even so */
    ck_assert_int_eq(gsi[20].level, 0);
    wr64(TCONF(2), T_LEVEL | T_ENB | T_ROUTE(20));
    ck_assert_int_eq(gsi[20].level, 1);              /* active while the status is set */
    step_to_ns(2000000);
    ck_assert_int_eq(gsi[20].level, 1);
    ck_assert_uint_eq(gsi[20].rises, 1);
    wr32(GISR, 0x0);                                 /* zeros: no effect */
    ck_assert_int_eq(gsi[20].level, 1);
    wr32(GISR, 0x4);
    ck_assert_int_eq(gsi[20].level, 0);
    ck_assert_uint_eq(rd32(GISR), 0);
    /* Periodic level: set again at the next match, exactly. */
    wr64(TCONF(2), T_LEVEL | T_ENB | T_PERIODIC | T_VALSET | T_ROUTE(20));
    wr64(TCMP(2), 200000 + 1000);                    /* counter is 200000 */
    wr64(TCMP(2), 1000);                             /* period */
    step_to_ns(2000000 + 9999);
    ck_assert_int_eq(gsi[20].level, 0);
    step_to_ns(2000000 + 10000);
    ck_assert_int_eq(gsi[20].level, 1);
    ck_assert_uint_eq(gsi[20].t[1], 2010000);
    wr32(GISR, 0x4);
    ck_assert_int_eq(gsi[20].level, 0);
    step_to_ns(2020000);
    ck_assert_int_eq(gsi[20].level, 1);
}
END_TEST

START_TEST(routes_and_shared_lines)
{
    /* A route outside INT_ROUTE_CAP is not taken: it reads back unchanged. */
    wr64(TCONF(0), T_ROUTE(21));
    wr64(TCONF(0), T_ROUTE(5));
    ck_assert_uint_eq((rd64(TCONF(0)) >> 9) & 0x1f, 21);
    /* Two level timers on one input: ORed. */
    wr64(TCONF(0), T_LEVEL | T_ENB | T_ROUTE(21));
    wr64(TCONF(1), T_LEVEL | T_ENB | T_ROUTE(21));
    wr64(TCMP(0), 10);
    wr64(TCMP(1), 20);
    wr32(GCONF, ENABLE);
    step_to_ns(1000);
    ck_assert_uint_eq(rd32(GISR), 0x3);
    ck_assert_int_eq(gsi[21].level, 1);
    wr32(GISR, 0x1);
    ck_assert_int_eq(gsi[21].level, 1);
    wr32(GISR, 0x2);
    ck_assert_int_eq(gsi[21].level, 0);
}
END_TEST

START_TEST(hostile_periods)
{
    /* Period 1 tick (10 ns): interrupts merge, stepping a second is
     * bounded; the comparator still advances exactly. */
    wr64(TCONF(0), T_ENB | T_PERIODIC | T_VALSET | T_ROUTE(20));
    wr64(TCMP(0), 1);
    wr32(GCONF, ENABLE);
    step_to_ns(1000000000ull);
    ck_assert_uint_le(gsi[20].rises, 1000000000ull / 10000 + 2);
    ck_assert_uint_ge(gsi[20].rises, 1000000000ull / 10000 - 2);
    ck_assert_uint_eq(rd64(TCMP(0)), 100000001);     /* next tick past the counter */
    /* Period 0: a full wrap, so no storm. */
    wr64(TCONF(1), T_ENB | T_PERIODIC | T_VALSET | T_ROUTE(21));
    wr64(TCMP(1), 0);
    wr64(TCONF(1), T_ENB | T_PERIODIC | T_VALSET | T_32 | T_ROUTE(21));
    wr64(TCMP(1), 100000000 + 100);
    wr64(TCMP(1), 0);
    step_to_ns(1000000000ull + 5000);
    ck_assert_uint_eq(gsi[21].rises, 1);
    step_to_ns(2000000000ull);
    ck_assert_uint_eq(gsi[21].rises, 1);
    /* Odd sizes and reserved offsets. */
    for (unsigned off = 0; off < 0x400; off++) {
        as_write(&m.mem, BASE + off, 0xffffffffffffffffull, 1);
        (void)as_read(&m.mem, BASE + off, 2);
    }
    step_to_ns(3000000000ull);
}
END_TEST

START_TEST(system_reset)
{
    wr64(TCONF(0), T_ENB | T_ROUTE(20));
    wr64(TCMP(0), 10);
    wr32(GCONF, ENABLE | LEGACY);
    step_to_ns(1000);
    ck_assert_int_eq(legacy[0].level, 1);
    machine_reset_devices(&m);
    ck_assert_int_eq(legacy[0].level, 0);
    ck_assert_int_eq(legacy_on, 0);
    ck_assert_uint_eq(rd64(GCONF), 0);
    ck_assert_uint_eq(rd64(MAIN), 0);
    ck_assert_uint_eq(rd64(TCONF(0)) & 0xffff, 0x30);
    step_to_ns(1000000);
    ck_assert_uint_eq(legacy[0].rises, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hpet");
    TCase *tc = tcase_create("hpet");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, capabilities);
    tcase_add_test(tc, main_counter_rate);
    tcase_add_test(tc, one_shot_edge);
    tcase_add_test(tc, periodic);
    tcase_add_test(tc, periodic_32bit_linux_style);
    tcase_add_test(tc, mode_32bit);
    tcase_add_test(tc, legacy_replacement);
    tcase_add_test(tc, level_interrupts);
    tcase_add_test(tc, routes_and_shared_lines);
    tcase_add_test(tc, hostile_periods);
    tcase_add_test(tc, system_reset);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
