/*
 * test_post_code.c - the port80 POST-code port: reads return the last
 * byte written (AT "extra page register" behaviour), 0 at power-on, kept
 * across a system reset; only its one port is claimed.
 */
#include <check.h>
#include <string.h>

#include "hw/core/device.h"
#include "hw/core/machine.h"

#include "tests/vireo_check.h"

static struct machine m;

static void setup(void)
{
    ck_assert_int_eq(machine_init(&m, 1 << 20, VCLOCK_MANUAL), 0);
}

static void teardown(void)
{
    machine_destroy(&m);
}

static void make(const char *props)
{
    char err[256];
    struct device *d = device_create(&m, "port80", err, sizeof(err));

    ck_assert_msg(d != NULL, "%s", err);
    if (props)
        ck_assert_msg(device_set_props(d, props, err, sizeof(err)) == 0, "%s", err);
    ck_assert_msg(device_realize(d, err, sizeof(err)) == 0, "%s", err);
}

START_TEST(last_value_reads_back)
{
    make(NULL);
    ck_assert_uint_eq(as_read(&m.io, 0x80, 1), 0x00);
    as_write(&m.io, 0x80, 0x55, 1);
    ck_assert_uint_eq(as_read(&m.io, 0x80, 1), 0x55);
    as_write(&m.io, 0x80, 0xaa, 1);
    ck_assert_uint_eq(as_read(&m.io, 0x80, 1), 0xaa);
    machine_reset_devices(&m);
    ck_assert_uint_eq(as_read(&m.io, 0x80, 1), 0xaa);
    /* A word write: only the low byte is port 0x80's; 0x81 is not ours. */
    as_write(&m.io, 0x80, 0x1234, 2);
    ck_assert_uint_eq(as_read(&m.io, 0x80, 1), 0x34);
    ck_assert_uint_eq(as_read(&m.io, 0x81, 1), 0xff);
    ck_assert_uint_eq(as_read(&m.io, 0x7f, 1), 0xff);
    ck_assert_int_eq(m.request, MACHINE_RUN);
}
END_TEST

START_TEST(other_port_and_props)
{
    char err[256];
    struct device *d;

    make("iobase=0x84");
    as_write(&m.io, 0x84, 0x42, 1);
    ck_assert_uint_eq(as_read(&m.io, 0x84, 1), 0x42);
    ck_assert_uint_eq(as_read(&m.io, 0x80, 1), 0xff);
    d = device_create(&m, "port80", err, sizeof(err));
    ck_assert_int_lt(device_set_props(d, "iobase=0x80,size=2", err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "unknown property"));
    ck_assert_int_eq(device_set_props(d, "iobase=0x10000", err, sizeof(err)), 0);
    ck_assert_int_lt(device_realize(d, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "0x10000"));
    ck_assert(device_find("port80")->user_creatable);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("port80");
    TCase *tc = tcase_create("post-code");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, last_value_reads_back);
    tcase_add_test(tc, other_port_and_props);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
