/*
 * test_port92.c - System Control Port A against the IBM PS/2 reference:
 * reads return what was written, bit 1 drives the A20 hook (calls only
 * on change, false after reset), bit 0 resets on its 0 -> 1 edge only,
 * and a system reset clears the register.
 */
#include <check.h>
#include <string.h>

#include "hw/core/device.h"
#include "hw/core/machine.h"
#include "hw/isa/port92.h"

#include "tests/vireo_check.h"

#define PORT 0x92

struct a20_probe {
    bool on;
    unsigned calls;
};

static void a20_hook(void *opaque, bool on)
{
    struct a20_probe *a = opaque;

    a->on = on;
    a->calls++;
}

static struct machine m;
static struct device *p92;
static struct a20_probe a20;

static void setup(void)
{
    char err[256];

    ck_assert_int_eq(machine_init(&m, 2 << 20, VCLOCK_MANUAL), 0);
    memset(&a20, 0, sizeof(a20));
    p92 = device_create(&m, "port92", err, sizeof(err));
    ck_assert_msg(p92 != NULL, "%s", err);
    port92_set_a20_handler(p92, a20_hook, &a20);
    ck_assert_msg(device_realize(p92, err, sizeof(err)) == 0, "%s", err);
}

static void teardown(void)
{
    machine_destroy(&m);
}

static uint8_t rd(void)
{
    return (uint8_t)as_read(&m.io, PORT, 1);
}

static void wr(uint8_t v)
{
    as_write(&m.io, PORT, v, 1);
}

START_TEST(a20_bit)
{
    ck_assert_uint_eq(rd(), 0x00);
    ck_assert_uint_eq(a20.calls, 1);          /* reset after realize: off */
    ck_assert(!a20.on);
    wr(0x02);
    ck_assert_uint_eq(rd(), 0x02);
    ck_assert(port92_a20(p92));
    ck_assert(a20.on);
    ck_assert_uint_eq(a20.calls, 2);
    wr(0x42);                                 /* other bits: no A20 change */
    ck_assert_uint_eq(rd(), 0x42);
    ck_assert_uint_eq(a20.calls, 2);
    wr(0x40);
    ck_assert(!port92_a20(p92));
    ck_assert(!a20.on);
    ck_assert_uint_eq(a20.calls, 3);
    ck_assert_int_eq(m.request, MACHINE_RUN);
}
END_TEST

START_TEST(fast_reset_edge)
{
    wr(0x01);
    ck_assert_int_eq(m.request, MACHINE_RESET);
    ck_assert_uint_eq(rd(), 0x01);            /* the bit reads back */
    m.request = MACHINE_RUN;
    wr(0x03);                                 /* still 1: no new edge */
    ck_assert_int_eq(m.request, MACHINE_RUN);
    wr(0x02);
    ck_assert_int_eq(m.request, MACHINE_RUN);
    wr(0x03);                                 /* 0 -> 1 again */
    ck_assert_int_eq(m.request, MACHINE_RESET);
}
END_TEST

START_TEST(system_reset_clears)
{
    wr(0xcb);
    ck_assert(a20.on);
    machine_reset_devices(&m);
    ck_assert_uint_eq(rd(), 0x00);
    ck_assert(!a20.on);
    ck_assert(!port92_a20(p92));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("port92");
    TCase *tc = tcase_create("port92");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a20_bit);
    tcase_add_test(tc, fast_reset_edge);
    tcase_add_test(tc, system_reset_clears);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
