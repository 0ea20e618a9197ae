/*
 * test_debug_exit.c - isa-debug-exit behaves like QEMU's: a write of V
 * (any width) asks the machine to exit with (V << 1) | 1, reads return 0,
 * only iobase..iobase+iosize-1 are claimed, and bad properties are
 * refused with a message naming the problem.
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

/* Create and realize with PROPS (may be NULL); returns the realize rc. */
static int make(const char *props, char *err, size_t errlen)
{
    struct device *d = device_create(&m, "isa-debug-exit", err, errlen);
    int rc;

    ck_assert_msg(d != NULL, "%s", err);
    if (props) {
        rc = device_set_props(d, props, err, errlen);
        if (rc < 0) {
            device_free(d);
            return rc;
        }
    }
    return device_realize(d, err, errlen);
}

START_TEST(byte_write_exits)
{
    char err[256];

    ck_assert_msg(make(NULL, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(m.request, MACHINE_RUN);
    as_write(&m.io, 0x501, 0x10, 1);
    ck_assert_int_eq(m.request, MACHINE_EXIT);
    ck_assert_int_eq(m.exit_status, 0x21);
    /* The first request wins. */
    as_write(&m.io, 0x501, 0x01, 1);
    ck_assert_int_eq(m.exit_status, 0x21);
}
END_TEST

START_TEST(word_write_keeps_value)
{
    char err[256];

    ck_assert_msg(make(NULL, err, sizeof(err)) == 0, "%s", err);
    as_write(&m.io, 0x501, 0x0123, 2);
    ck_assert_int_eq(m.request, MACHINE_EXIT);
    ck_assert_int_eq(m.exit_status, 0x247);
}
END_TEST

START_TEST(dword_write_in_4_port_window)
{
    char err[256];

    ck_assert_msg(make("iobase=0xf4,iosize=4", err, sizeof(err)) == 0, "%s", err);
    as_write(&m.io, 0xf4, 0x10, 4);
    ck_assert_int_eq(m.request, MACHINE_EXIT);
    ck_assert_int_eq(m.exit_status, 0x21);
}
END_TEST

START_TEST(reads_return_zero)
{
    char err[256];

    ck_assert_msg(make(NULL, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(as_read(&m.io, 0x501, 1), 0);
    ck_assert_uint_eq(as_read(&m.io, 0x501, 2), 0);
    ck_assert_uint_eq(as_read(&m.io, 0x503, 1), 0xff);   /* not claimed */
    ck_assert_int_eq(m.request, MACHINE_RUN);
}
END_TEST

START_TEST(iosize_respected)
{
    char err[256];

    ck_assert_msg(make("iobase=0x600,iosize=1", err, sizeof(err)) == 0, "%s", err);
    as_write(&m.io, 0x5ff, 0x10, 1);
    as_write(&m.io, 0x601, 0x10, 1);
    ck_assert_int_eq(m.request, MACHINE_RUN);
    ck_assert_uint_eq(as_read(&m.io, 0x601, 1), 0xff);
    /* Default iosize 2: the second port is ours too, the third is not. */
    ck_assert_msg(make(NULL, err, sizeof(err)) == 0, "%s", err);
    as_write(&m.io, 0x503, 0x10, 1);
    ck_assert_int_eq(m.request, MACHINE_RUN);
    as_write(&m.io, 0x502, 0x03, 1);
    ck_assert_int_eq(m.request, MACHINE_EXIT);
    ck_assert_int_eq(m.exit_status, 0x07);
}
END_TEST

START_TEST(bad_properties_rejected)
{
    char err[256];

    err[0] = '\0';
    ck_assert_int_lt(make("iobase=zzz", err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "iobase"));
    ck_assert_ptr_nonnull(strstr(err, "zzz"));
    err[0] = '\0';
    ck_assert_int_lt(make("colour=red", err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "unknown property"));
    ck_assert_ptr_nonnull(strstr(err, "colour"));
    err[0] = '\0';
    ck_assert_int_lt(make("iobase", err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "iobase"));
    err[0] = '\0';
    ck_assert_int_lt(make("iobase=0x100000000", err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "iobase"));
    err[0] = '\0';
    ck_assert_int_lt(make("iosize=0", err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "isa-debug-exit"));
    err[0] = '\0';
    ck_assert_int_lt(make("iobase=0xffff", err, sizeof(err)), 0);   /* 2 ports past 0xffff */
    ck_assert_ptr_nonnull(strstr(err, "0xffff"));
    /* Nothing was left claimed by the failures. */
    ck_assert_msg(make(NULL, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_lt(make(NULL, err, sizeof(err)), 0);               /* clash */
    ck_assert_ptr_nonnull(strstr(err, "0x501"));
    ck_assert_int_eq(m.request, MACHINE_RUN);
}
END_TEST

START_TEST(user_creatable)
{
    const struct device_desc *d = device_find("isa-debug-exit");

    ck_assert_ptr_nonnull(d);
    ck_assert(d->user_creatable);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("isa-debug-exit");
    TCase *tc = tcase_create("qemu-compatible");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, byte_write_exits);
    tcase_add_test(tc, word_write_keeps_value);
    tcase_add_test(tc, dword_write_in_4_port_window);
    tcase_add_test(tc, reads_return_zero);
    tcase_add_test(tc, iosize_respected);
    tcase_add_test(tc, bad_properties_rejected);
    tcase_add_test(tc, user_creatable);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
