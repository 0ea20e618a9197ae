/*
 * test_mc146818.c - the MC146818A model against its datasheet: time and
 * calendar bytes in BCD and binary, 24- and 12-hour (bit 7 = PM) modes at
 * a fixed start date; one second per 1e9 ns of virtual time; day, month,
 * year, leap-year and century rollovers; the UIP window (244 us + 1984 us
 * before each update); update-ended, alarm (with don't-care codes) and
 * periodic interrupts (edge times for several RS values, including the
 * 256/128 Hz special cases); register C clearing and IRQ8; SET freezing
 * and setting the time (and clearing UIE); the divider reset (first
 * update 500 ms later); RESET; the NMI bit; CMOS RAM and the memory-size
 * fields; hostile writes.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "hw/core/device.h"
#include "hw/core/machine.h"
#include "hw/isa/mc146818.h"

#include "tests/vireo_check.h"

#define IDX 0x70
#define DATA 0x71
#define SEC 1000000000ull

enum { R_SEC = 0, R_ASEC = 1, R_MIN = 2, R_AMIN = 3, R_HOUR = 4, R_AHOUR = 5, R_DOW = 6,
       R_DAY = 7, R_MON = 8, R_YEAR = 9, R_A = 10, R_B = 11, R_C = 12, R_D = 13,
       R_CENTURY = 0x32 };

/* 2026-11-25 13:45:30 UTC, a Wednesday. */
#define BASE_WED "1795614330"


static struct machine m;
static struct device *rtc;
static struct irq_probe irq;

static struct device *make_rtc(const char *base)
{
    char err[256];
    struct device *d = device_create(&m, "mc146818-rtc", err, sizeof(err));

    ck_assert_msg(d != NULL, "%s", err);
    ck_assert_msg(device_set_prop(d, "base", base, err, sizeof(err)) == 0, "%s", err);
    d->irq[0] = (struct irq_line){ irq_probe_set, &irq, 8 };
    ck_assert_msg(device_realize(d, err, sizeof(err)) == 0, "%s", err);
    return d;
}

static void setup(void)
{
    ck_assert_int_eq(machine_init(&m, 2 << 20, VCLOCK_MANUAL), 0);
    memset(&irq, 0, sizeof(irq));
    rtc = NULL;
}

static void teardown(void)
{
    machine_destroy(&m);
}

static uint8_t rd(unsigned reg)
{
    as_write(&m.io, IDX, reg, 1);
    return (uint8_t)as_read(&m.io, DATA, 1);
}

static void wr(unsigned reg, uint8_t v)
{
    as_write(&m.io, IDX, reg, 1);
    as_write(&m.io, DATA, v, 1);
}

/* Step to absolute virtual time T (ns since the machine started). */
static void step_to(uint64_t t)
{
    uint64_t now = vclock_now(&m.clock);

    ck_assert_uint_ge(t, now);
    vclock_step(&m.clock, t - now);
}

static void check_date(uint8_t sec, uint8_t min, uint8_t hour, uint8_t dow, uint8_t day,
                       uint8_t mon, uint8_t year, uint8_t century)
{
    ck_assert_uint_eq(rd(R_SEC), sec);
    ck_assert_uint_eq(rd(R_MIN), min);
    ck_assert_uint_eq(rd(R_HOUR), hour);
    ck_assert_uint_eq(rd(R_DOW), dow);
    ck_assert_uint_eq(rd(R_DAY), day);
    ck_assert_uint_eq(rd(R_MON), mon);
    ck_assert_uint_eq(rd(R_YEAR), year);
    ck_assert_uint_eq(rd(R_CENTURY), century);
}

START_TEST(power_on_registers_and_bcd_time)
{
    rtc = make_rtc(BASE_WED);
    ck_assert_uint_eq(rd(R_A), 0x26);        /* 32.768 kHz, 1024 Hz rate */
    ck_assert_uint_eq(rd(R_B), 0x02);        /* 24-hour BCD */
    ck_assert_uint_eq(rd(R_C), 0x00);
    ck_assert_uint_eq(rd(R_D), 0x80);        /* VRT */
    check_date(0x30, 0x45, 0x13, 0x04, 0x25, 0x11, 0x26, 0x20);
    ck_assert_int_eq(irq.level, 0);
    /* C and D are read-only. */
    wr(R_D, 0x00);
    wr(R_C, 0xff);
    ck_assert_uint_eq(rd(R_D), 0x80);
    ck_assert_uint_eq(rd(R_C), 0x00);
}
END_TEST

START_TEST(binary_and_12_hour_modes)
{
    rtc = make_rtc(BASE_WED);
    wr(R_B, 0x06);                            /* binary, 24 h */
    check_date(30, 45, 13, 4, 25, 11, 26, 20);
    wr(R_B, 0x04);                            /* binary, 12 h: 1 PM */
    ck_assert_uint_eq(rd(R_HOUR), 0x81);
    wr(R_B, 0x00);                            /* BCD, 12 h */
    ck_assert_uint_eq(rd(R_HOUR), 0x81);
    ck_assert_uint_eq(rd(R_SEC), 0x30);
    machine_destroy(&m);

    /* 00:15 is 12 AM (0x12), 12:15 is 12 PM (0x92). */
    setup();
    rtc = make_rtc("1795565700");
    wr(R_B, 0x00);
    ck_assert_uint_eq(rd(R_HOUR), 0x12);
    machine_destroy(&m);
    setup();
    rtc = make_rtc("1795608900");
    wr(R_B, 0x00);
    ck_assert_uint_eq(rd(R_HOUR), 0x92);
    wr(R_B, 0x04);
    ck_assert_uint_eq(rd(R_HOUR), 0x8c);      /* binary 12 | PM */
}
END_TEST

START_TEST(one_second_per_1e9_ns)
{
    rtc = make_rtc(BASE_WED);
    step_to(SEC - 1);
    ck_assert_uint_eq(rd(R_SEC), 0x30);
    step_to(SEC);
    ck_assert_uint_eq(rd(R_SEC), 0x31);
    step_to(30 * SEC - 1);
    check_date(0x59, 0x45, 0x13, 0x04, 0x25, 0x11, 0x26, 0x20);
    step_to(30 * SEC);
    ck_assert_uint_eq(rd(R_SEC), 0x00);
    ck_assert_uint_eq(rd(R_MIN), 0x46);
    /* 10h14m30s more: 23:59:59 -> midnight, Thursday the 26th. */
    step_to(30 * SEC + (10 * 3600 + 14 * 60 - 1) * SEC);
    check_date(0x59, 0x59, 0x23, 0x04, 0x25, 0x11, 0x26, 0x20);
    step_to(30 * SEC + (10 * 3600 + 14 * 60) * SEC);
    check_date(0x00, 0x00, 0x00, 0x05, 0x26, 0x11, 0x26, 0x20);
}
END_TEST

struct rollover {
    const char *base;          /* 23:59:59 on the last day of something */
    uint8_t dow, day, mon, year, century;   /* one second later, BCD */
};

static const struct rollover rollovers[] = {
    { "1798761599", 0x06, 0x01, 0x01, 0x27, 0x20 },   /* 2026-12-31 -> Fri 2027-01-01 */
    { "1709164799", 0x05, 0x29, 0x02, 0x24, 0x20 },   /* 2024-02-28 -> Thu 02-29 (leap) */
    { "1677628799", 0x04, 0x01, 0x03, 0x23, 0x20 },   /* 2023-02-28 -> Wed 03-01 */
    { "951782399", 0x03, 0x29, 0x02, 0x00, 0x20 },    /* 2000-02-28 -> Tue 02-29 */
    { "1777593599", 0x06, 0x01, 0x05, 0x26, 0x20 },   /* 2026-04-30 -> Fri 05-01 */
    { "4102444799", 0x06, 0x01, 0x01, 0x00, 0x21 },   /* 2099-12-31 -> 2100-01-01 */
};

START_TEST(calendar_rollover)
{
    const struct rollover *r = &rollovers[_i];

    rtc = make_rtc(r->base);
    ck_assert_uint_eq(rd(R_SEC), 0x59);
    ck_assert_uint_eq(rd(R_HOUR), 0x23);
    step_to(SEC);
    check_date(0x00, 0x00, 0x00, r->dow, r->day, r->mon, r->year, r->century);
}
END_TEST

START_TEST(leap_day_to_march)
{
    /* Set 2024-02-29 23:59:59 through SET and let it roll. */
    rtc = make_rtc(BASE_WED);
    wr(R_B, 0x82);
    wr(R_SEC, 0x59);
    wr(R_MIN, 0x59);
    wr(R_HOUR, 0x23);
    wr(R_DOW, 0x05);
    wr(R_DAY, 0x29);
    wr(R_MON, 0x02);
    wr(R_YEAR, 0x24);
    wr(R_CENTURY, 0x20);
    wr(R_B, 0x02);
    check_date(0x59, 0x59, 0x23, 0x05, 0x29, 0x02, 0x24, 0x20);
    step_to(SEC);
    check_date(0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x24, 0x20);
}
END_TEST

START_TEST(uip_window_before_update)
{
    rtc = make_rtc(BASE_WED);
    /* UIP rises 244 us + 1984 us before the update completes. */
    step_to(SEC - 2228000 - 1);
    ck_assert_uint_eq(rd(R_A) & 0x80, 0);
    step_to(SEC - 2228000);
    ck_assert_uint_eq(rd(R_A), 0xa6);
    ck_assert_uint_eq(rd(R_SEC), 0x30);       /* old time while updating */
    step_to(SEC - 1);
    ck_assert_uint_eq(rd(R_A) & 0x80, 0x80);
    step_to(SEC);
    ck_assert_uint_eq(rd(R_A), 0x26);
    ck_assert_uint_eq(rd(R_SEC), 0x31);
    /* SET inhibits updates and clears UIP. */
    step_to(2 * SEC - 1000);
    ck_assert_uint_eq(rd(R_A) & 0x80, 0x80);
    wr(R_B, 0x82);
    ck_assert_uint_eq(rd(R_A) & 0x80, 0);
}
END_TEST

START_TEST(update_ended_interrupt)
{
    rtc = make_rtc(BASE_WED);
    wr(R_A, 0x20);                            /* RS = 0: no PF in C */
    /* UF is set every second whatever UIE says; no IRQ without UIE. */
    step_to(SEC);
    ck_assert_int_eq(irq.level, 0);
    ck_assert_uint_eq(rd(R_C), 0x10);
    ck_assert_uint_eq(rd(R_C), 0x00);
    wr(R_B, 0x12);                            /* UIE */
    step_to(2 * SEC - 1);
    ck_assert_int_eq(irq.level, 0);
    step_to(2 * SEC);
    ck_assert_int_eq(irq.level, 1);
    ck_assert_uint_eq(rd(R_C), 0x90);         /* IRQF | UF */
    ck_assert_int_eq(irq.level, 0);
    ck_assert_uint_eq(rd(R_C), 0x00);
    for (unsigned i = 3; i <= 10; i++) {
        step_to(i * SEC - 1);
        ck_assert_int_eq(irq.level, 0);
        step_to(i * SEC);
        ck_assert_int_eq(irq.level, 1);
        ck_assert_uint_eq(rd(R_C), 0x90);
    }
    ck_assert_uint_eq(irq.raises, 9);
    /* Not read: the line stays up, one edge only. */
    step_to(13 * SEC);
    ck_assert_uint_eq(irq.raises, 10);
    ck_assert_int_eq(irq.level, 1);
    /* Clearing UIE lowers IRQ while UF stays set. */
    wr(R_B, 0x02);
    ck_assert_int_eq(irq.level, 0);
    ck_assert_uint_eq(rd(R_C), 0x10);
}
END_TEST

START_TEST(alarm_interrupt)
{
    rtc = make_rtc(BASE_WED);
    wr(R_A, 0x20);
    rd(R_C);
    /* 13:45:35, five seconds after the start. */
    wr(R_ASEC, 0x35);
    wr(R_AMIN, 0x45);
    wr(R_AHOUR, 0x13);
    wr(R_B, 0x22);                            /* AIE */
    step_to(5 * SEC - 1);
    ck_assert_int_eq(irq.level, 0);
    ck_assert_uint_eq(rd(R_C) & 0x20, 0);
    step_to(5 * SEC);
    ck_assert_int_eq(irq.level, 1);
    ck_assert_uint_eq(rd(R_C), 0xb0);         /* IRQF | AF | UF */
    ck_assert_int_eq(irq.level, 0);
    step_to(6 * SEC);
    ck_assert_int_eq(irq.level, 0);
    ck_assert_uint_eq(rd(R_C), 0x10);

    /* Hours don't care (0xc0), minutes don't care (0xff), second 00:
     * once a minute, next at 13:46:00 (30 s after the start). */
    wr(R_ASEC, 0x00);
    wr(R_AMIN, 0xff);
    wr(R_AHOUR, 0xc0);
    step_to(30 * SEC - 1);
    ck_assert_int_eq(irq.level, 0);
    step_to(30 * SEC);
    ck_assert_int_eq(irq.level, 1);
    ck_assert_uint_eq(rd(R_C) & 0xa0, 0xa0);
    step_to(89 * SEC);
    ck_assert_int_eq(irq.level, 0);
    step_to(90 * SEC);
    ck_assert_int_eq(irq.level, 1);
    rd(R_C);

    /* All three don't care: every second. */
    wr(R_AHOUR, 0xc0);
    wr(R_AMIN, 0xc0);
    wr(R_ASEC, 0xc0);
    step_to(91 * SEC);
    ck_assert_int_eq(irq.level, 1);
    rd(R_C);
    step_to(92 * SEC);
    ck_assert_int_eq(irq.level, 1);
    rd(R_C);

    /* 12-hour binary mode compares the PM bit: 1 PM = 0x81. */
    wr(R_B, 0x24);
    wr(R_ASEC, 35);
    wr(R_AMIN, 47);
    wr(R_AHOUR, 0x81);
    rd(R_C);
    step_to(125 * SEC - 1);                   /* 13:47:34 */
    ck_assert_int_eq(irq.level, 0);
    step_to(125 * SEC);
    ck_assert_int_eq(irq.level, 1);
}
END_TEST

START_TEST(alarm_flag_without_aie)
{
    rtc = make_rtc(BASE_WED);
    wr(R_A, 0x20);
    wr(R_ASEC, 0x40);
    wr(R_AMIN, 0x45);
    wr(R_AHOUR, 0x13);
    step_to(9 * SEC);
    ck_assert_uint_eq(rd(R_C), 0x10);
    step_to(20 * SEC);                        /* passed 13:45:40 unseen */
    ck_assert_uint_eq(rd(R_C), 0x30);
    ck_assert_int_eq(irq.level, 0);
}
END_TEST

/* Ticks of the 32.768 kHz base per periodic interrupt, by RS (Table 5). */
static const struct { unsigned rs; uint64_t ticks; } rates[] = {
    { 1, 128 }, { 2, 256 }, { 3, 4 }, { 6, 32 }, { 10, 512 }, { 15, 16384 },
};

START_TEST(periodic_interrupt_rates)
{
    unsigned rs = rates[_i].rs;
    uint64_t p = rates[_i].ticks, edges = 32768 / p;

    rtc = make_rtc(BASE_WED);
    wr(R_A, 0x20 | rs);
    wr(R_B, 0x42);                            /* PIE */
    /* Edge k comes at ceil(k * p / 32768 s); e.g. RS=6: 976562.5 ns. */
    for (uint64_t k = 1; k <= edges; k++) {
        uint64_t t = (k * p * SEC + 32767) / 32768;

        step_to(t - 1);
        ck_assert_msg(irq.level == 0, "rs %u edge %llu early", rs, (unsigned long long)k);
        step_to(t);
        ck_assert_msg(irq.level == 1, "rs %u edge %llu missing at %llu ns", rs,
                      (unsigned long long)k, (unsigned long long)t);
        ck_assert_uint_eq(rd(R_C) & 0xc0, 0xc0);
        ck_assert_int_eq(irq.level, 0);
    }
    ck_assert_uint_eq(irq.raises, edges);
    if (rs == 6)
        ck_assert_uint_eq(edges, 1024);
}
END_TEST

START_TEST(periodic_flag_and_rs_zero)
{
    rtc = make_rtc(BASE_WED);
    rd(R_C);
    step_to(1000000);                         /* past the first 1024 Hz edge */
    ck_assert_uint_eq(rd(R_C), 0x40);         /* PF without PIE, no IRQ */
    ck_assert_int_eq(irq.level, 0);
    /* PIE with PF already pending asserts at once. */
    step_to(2000000);
    wr(R_B, 0x42);
    ck_assert_int_eq(irq.level, 1);
    ck_assert_uint_eq(rd(R_C), 0xc0);
    /* RS = 0: no periodic interrupt at all. */
    wr(R_A, 0x20);
    step_to(500000000);
    ck_assert_int_eq(irq.level, 0);
    ck_assert_uint_eq(rd(R_C), 0x00);
    ck_assert_uint_eq(irq.raises, 1);
}
END_TEST

START_TEST(set_freezes_and_sets_time)
{
    rtc = make_rtc(BASE_WED);
    wr(R_B, 0x12);                            /* UIE */
    wr(R_B, 0x92);                            /* SET going high clears UIE */
    ck_assert_uint_eq(rd(R_B), 0x82);
    step_to(3 * SEC + 500000000);
    ck_assert_uint_eq(rd(R_SEC), 0x30);       /* frozen */
    ck_assert_uint_eq(rd(R_C) & 0x10, 0);     /* no updates while SET */
    /* 2030-06-15 08:00:00, a Saturday. */
    wr(R_SEC, 0x00);
    wr(R_MIN, 0x00);
    wr(R_HOUR, 0x08);
    wr(R_DOW, 0x07);
    wr(R_DAY, 0x15);
    wr(R_MON, 0x06);
    wr(R_YEAR, 0x30);
    step_to(5 * SEC + 500000000);
    check_date(0x00, 0x00, 0x08, 0x07, 0x15, 0x06, 0x30, 0x20);
    wr(R_B, 0x02);
    check_date(0x00, 0x00, 0x08, 0x07, 0x15, 0x06, 0x30, 0x20);
    /* The divider kept its phase: the next update is at 6 s. */
    step_to(6 * SEC - 1);
    ck_assert_uint_eq(rd(R_SEC), 0x00);
    step_to(6 * SEC);
    ck_assert_uint_eq(rd(R_SEC), 0x01);
    /* Binary values written in binary mode. */
    wr(R_B, 0x86);
    wr(R_MIN, 59);
    wr(R_SEC, 59);
    wr(R_B, 0x06);
    step_to(7 * SEC);
    ck_assert_uint_eq(rd(R_SEC), 0);
    ck_assert_uint_eq(rd(R_MIN), 0);
    ck_assert_uint_eq(rd(R_HOUR), 9);
}
END_TEST

START_TEST(write_time_without_set)
{
    rtc = make_rtc(BASE_WED);
    wr(R_MIN, 0x10);
    check_date(0x30, 0x10, 0x13, 0x04, 0x25, 0x11, 0x26, 0x20);
    step_to(SEC);
    ck_assert_uint_eq(rd(R_SEC), 0x31);
    /* Day of week is its own counter: write Monday, it stays offset. */
    wr(R_DOW, 0x02);
    step_to(SEC + 86400 * SEC);
    ck_assert_uint_eq(rd(R_DOW), 0x03);
    ck_assert_uint_eq(rd(R_DAY), 0x26);
}
END_TEST

START_TEST(divider_reset_and_restart)
{
    rtc = make_rtc(BASE_WED);
    step_to(SEC / 4);
    ck_assert_uint_eq(rd(R_C), 0x40);         /* 1024 Hz PF while running */
    wr(R_A, 0x70);                            /* hold the divider in reset */
    step_to(10 * SEC);
    ck_assert_uint_eq(rd(R_SEC), 0x30);
    ck_assert_uint_eq(rd(R_C), 0x00);         /* no updates, no PF */
    ck_assert_uint_eq(rd(R_A), 0x70);
    wr(R_A, 0x26);
    /* First update half a second after leaving reset. */
    step_to(10 * SEC + SEC / 2 - 1);
    ck_assert_uint_eq(rd(R_SEC), 0x30);
    step_to(10 * SEC + SEC / 2);
    ck_assert_uint_eq(rd(R_SEC), 0x31);
    step_to(11 * SEC + SEC / 2);
    ck_assert_uint_eq(rd(R_SEC), 0x32);
    /* Other time bases are not the PC's crystal: the clock stops. */
    wr(R_A, 0x06);
    step_to(20 * SEC);
    ck_assert_uint_eq(rd(R_SEC), 0x32);
}
END_TEST

START_TEST(reset_pin)
{
    rtc = make_rtc(BASE_WED);
    wr(R_A, 0x23);
    wr(R_B, 0x7f);                            /* PIE AIE UIE SQWE DM 24 DSE */
    wr(0x40, 0x5a);
    step_to(SEC);
    ck_assert_int_eq(irq.level, 1);
    machine_reset_devices(&m);
    ck_assert_int_eq(irq.level, 0);
    ck_assert_uint_eq(rd(R_B), 0x07);         /* enables and SQWE cleared */
    ck_assert_uint_eq(rd(R_A), 0x23);         /* divider/rate kept */
    ck_assert_uint_eq(rd(R_C), 0x00);         /* flags cleared */
    ck_assert_uint_eq(rd(0x40), 0x5a);        /* RAM kept */
    ck_assert_uint_eq(rd(R_SEC), 31);         /* time kept (binary now) */
}
END_TEST

START_TEST(nmi_bit_and_cmos_ram)
{
    rtc = make_rtc(BASE_WED);
    ck_assert(!mc146818_nmi_masked(rtc));
    as_write(&m.io, IDX, 0x80 | 0x20, 1);
    ck_assert(mc146818_nmi_masked(rtc));
    as_write(&m.io, DATA, 0xa5, 1);
    as_write(&m.io, IDX, 0x20, 1);
    ck_assert(!mc146818_nmi_masked(rtc));
    ck_assert_uint_eq(as_read(&m.io, DATA, 1), 0xa5);
    /* The index is 7 bits: 0xff selects 0x7f. */
    as_write(&m.io, IDX, 0xff, 1);
    as_write(&m.io, DATA, 0x3c, 1);
    ck_assert_uint_eq(rd(0x7f), 0x3c);
    ck_assert_uint_eq(as_read(&m.io, IDX, 1), 0xff);
    for (unsigned i = 0x0e; i < 0x80; i++)
        if (i != R_CENTURY)
            wr(i, (uint8_t)(i ^ 0x55));
    for (unsigned i = 0x0e; i < 0x80; i++)
        if (i != R_CENTURY)
            ck_assert_uint_eq(rd(i), (uint8_t)(i ^ 0x55));
}
END_TEST

START_TEST(memory_fields_and_checksum)
{
    unsigned sum = 0;

    rtc = make_rtc(BASE_WED);
    /* 3 GiB below 4 GiB, 1 GiB above. */
    mc146818_set_memory(rtc, 3ull << 30, 1ull << 30);
    ck_assert_uint_eq(rd(0x15), 0x80);        /* 640 KiB */
    ck_assert_uint_eq(rd(0x16), 0x02);
    ck_assert_uint_eq(rd(0x17), 0xff);        /* capped at 0xffff KiB */
    ck_assert_uint_eq(rd(0x18), 0xff);
    ck_assert_uint_eq(rd(0x30), 0xff);
    ck_assert_uint_eq(rd(0x31), 0xff);
    ck_assert_uint_eq(rd(0x34), 0x00);        /* (3 GiB - 16 MiB) / 64 KiB = 0xbf00 */
    ck_assert_uint_eq(rd(0x35), 0xbf);
    ck_assert_uint_eq(rd(0x5b), 0x00);        /* 1 GiB / 64 KiB = 0x4000 */
    ck_assert_uint_eq(rd(0x5c), 0x40);
    ck_assert_uint_eq(rd(0x5d), 0x00);
    for (unsigned i = 0x10; i <= 0x2d; i++)
        sum += rd(i);
    ck_assert_uint_eq(rd(0x2e), sum >> 8);
    ck_assert_uint_eq(rd(0x2f), sum & 0xff);

    /* 32 MiB: 31 MiB extended = 0x7c00 KiB, 16 MiB above 16 MiB = 0x100. */
    mc146818_set_memory(rtc, 32ull << 20, 0);
    ck_assert_uint_eq(rd(0x17), 0x00);
    ck_assert_uint_eq(rd(0x18), 0x7c);
    ck_assert_uint_eq(rd(0x34), 0x00);
    ck_assert_uint_eq(rd(0x35), 0x01);
    ck_assert_uint_eq(rd(0x5c), 0x00);
    /* The board cannot overwrite clock registers through set_cmos. */
    mc146818_set_cmos(rtc, R_B, 0xff);
    ck_assert_uint_eq(rd(R_B), 0x02);
    mc146818_set_cmos(rtc, 0x80 | 0x5f, 0x03);
    ck_assert_uint_eq(rd(0x5f), 0x03);
    ck_assert_uint_eq(mc146818_get_cmos(rtc, 0x5f), 0x03);
}
END_TEST

START_TEST(hostile_writes)
{
    rtc = make_rtc(BASE_WED);
    /* Every value into every register, in every mode, with SET toggling;
     * then the clock must still run with in-range fields. */
    for (unsigned mode = 0; mode < 4; mode++) {
        for (unsigned v = 0; v < 256; v++) {
            for (unsigned r = 0; r < 0x80; r++) {
                if (r == R_A || r == R_B)
                    continue;
                wr(r, (uint8_t)v);
            }
            wr(R_B, (uint8_t)(0x80 | (mode << 1)));
            wr(R_B, (uint8_t)(mode << 1));
            rd(R_C);
        }
        wr(R_A, (uint8_t)(0x20 | mode));
    }
    wr(R_A, 0x26);
    wr(R_B, 0x06);                             /* binary 24 h */
    step_to(3 * SEC);
    ck_assert_uint_le(rd(R_SEC), 59);
    ck_assert_uint_le(rd(R_MIN), 59);
    ck_assert_uint_le(rd(R_HOUR), 23);
    ck_assert_uint_ge(rd(R_DAY), 1);
    ck_assert_uint_le(rd(R_DAY), 31);
    ck_assert_uint_ge(rd(R_MON), 1);
    ck_assert_uint_le(rd(R_MON), 12);
    ck_assert_uint_le(rd(R_YEAR), 99);
    ck_assert_uint_ge(rd(R_DOW), 1);
    ck_assert_uint_le(rd(R_DOW), 7);
}
END_TEST

START_TEST(base_out_of_range)
{
    char err[256];
    struct device *d = device_create(&m, "mc146818-rtc", err, sizeof(err));

    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(device_set_prop(d, "base", "4102444800", err, sizeof(err)), 0);
    ck_assert_int_lt(device_realize(d, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "2099"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mc146818");
    TCase *tc = tcase_create("rtc");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, power_on_registers_and_bcd_time);
    tcase_add_test(tc, binary_and_12_hour_modes);
    tcase_add_test(tc, one_second_per_1e9_ns);
    tcase_add_loop_test(tc, calendar_rollover, 0, sizeof(rollovers) / sizeof(rollovers[0]));
    tcase_add_test(tc, leap_day_to_march);
    tcase_add_test(tc, uip_window_before_update);
    tcase_add_test(tc, update_ended_interrupt);
    tcase_add_test(tc, alarm_interrupt);
    tcase_add_test(tc, alarm_flag_without_aie);
    tcase_add_loop_test(tc, periodic_interrupt_rates, 0, sizeof(rates) / sizeof(rates[0]));
    tcase_add_test(tc, periodic_flag_and_rs_zero);
    tcase_add_test(tc, set_freezes_and_sets_time);
    tcase_add_test(tc, write_time_without_set);
    tcase_add_test(tc, divider_reset_and_restart);
    tcase_add_test(tc, reset_pin);
    tcase_add_test(tc, nmi_bit_and_cmos_ram);
    tcase_add_test(tc, memory_fields_and_checksum);
    tcase_add_test(tc, hostile_writes);
    tcase_add_test(tc, base_out_of_range);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
