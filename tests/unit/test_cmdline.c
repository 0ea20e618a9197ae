/*
 * test_cmdline.c - QEMU-compatible option parsing: accepted spellings,
 * sizes, -machine accel=, repeated -device, and rejection of unknown,
 * malformed or incomplete options.
 */
#include <check.h>
#include <stdint.h>

#include "ui/cmdline.h"

#include "tests/vireo_check.h"

#define PARSE(o, ...)                                                   \
    ({                                                                  \
        char *argv_[] = { "vireo", __VA_ARGS__, NULL };                 \
        cmdline_parse((int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_, (o)); \
    })

START_TEST(defaults)
{
    struct vireo_options o;
    char *argv[] = { "vireo", NULL };

    ck_assert_int_eq(cmdline_parse(1, argv, &o), 0);
    ck_assert_uint_eq(o.ram_size, 128ull << 20);
    ck_assert_uint_eq(o.smp, 1);
    ck_assert_ptr_null(o.accel);
    ck_assert_ptr_null(o.kernel);
}
END_TEST

START_TEST(full_line)
{
    struct vireo_options o;

    ck_assert_int_eq(PARSE(&o, "-accel", "kvm", "-nographic", "-no-reboot", "-m", "256",
                           "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-device", "port80",
                           "-kernel", "k.elf", "-append", "a b", "-initrd", "m1,m2",
                           "-serial", "file:out.txt", "-d", "int", "-D", "log.txt",
                           "-display", "none"), 0);
    ck_assert_str_eq(o.accel, "kvm");
    ck_assert(o.nographic);
    ck_assert(o.no_reboot);
    ck_assert(o.display_none);
    ck_assert_uint_eq(o.ram_size, 256ull << 20);
    ck_assert_uint_eq(o.ndevices, 2);
    ck_assert_str_eq(o.devices[0], "isa-debug-exit,iobase=0xf4,iosize=4");
    ck_assert_str_eq(o.kernel, "k.elf");
    ck_assert_str_eq(o.append, "a b");
    ck_assert_str_eq(o.initrd, "m1,m2");
    ck_assert_str_eq(o.serial, "file:out.txt");
    ck_assert_str_eq(o.log_items, "int");
    ck_assert_str_eq(o.log_file, "log.txt");
}
END_TEST

START_TEST(double_dash_and_machine_accel)
{
    struct vireo_options o;

    ck_assert_int_eq(PARSE(&o, "--machine", "pc,accel=tcg", "--nographic"), 0);
    ck_assert_str_eq(o.accel, "tcg");
    ck_assert(o.nographic);
    ck_assert_int_eq(PARSE(&o, "-M", "accel=kvm"), 0);
    ck_assert_str_eq(o.accel, "kvm");
    ck_assert_int_eq(PARSE(&o, "--version"), 0);
    ck_assert(o.version);
    ck_assert_int_eq(PARSE(&o, "-h"), 0);
    ck_assert(o.help);
}
END_TEST

START_TEST(sizes)
{
    uint64_t v;

    ck_assert_int_eq(cmdline_parse_size("64", &v), 0);
    ck_assert_uint_eq(v, 64ull << 20);
    ck_assert_int_eq(cmdline_parse_size("2G", &v), 0);
    ck_assert_uint_eq(v, 2ull << 30);
    ck_assert_int_eq(cmdline_parse_size("512M", &v), 0);
    ck_assert_uint_eq(v, 512ull << 20);
    ck_assert_int_eq(cmdline_parse_size("4096k", &v), 0);
    ck_assert_uint_eq(v, 4ull << 20);
    ck_assert_int_lt(cmdline_parse_size("1GiB", &v), 0);      /* QEMU takes one letter */
    ck_assert_int_eq(cmdline_parse_size("size=1G", &v), 0);
    ck_assert_uint_eq(v, 1ull << 30);
    ck_assert_int_lt(cmdline_parse_size("", &v), 0);
    ck_assert_int_lt(cmdline_parse_size("-1", &v), 0);
    ck_assert_int_lt(cmdline_parse_size("12Q", &v), 0);
    ck_assert_int_lt(cmdline_parse_size("G", &v), 0);
    ck_assert_int_lt(cmdline_parse_size("99999999999999999999", &v), 0);
    ck_assert_int_lt(cmdline_parse_size("17179869184T", &v), 0); /* overflows 64 bits */
}
END_TEST

START_TEST(rejections)
{
    struct vireo_options o;

    ck_assert_int_lt(PARSE(&o, "-frobnicate"), 0);
    ck_assert_int_lt(PARSE(&o, "-m"), 0);                    /* missing argument */
    ck_assert_int_lt(PARSE(&o, "-m", "1"), 0);               /* below 2 MiB */
    ck_assert_int_lt(PARSE(&o, "-m", "abc"), 0);
    ck_assert_int_lt(PARSE(&o, "-smp", "2"), 0);             /* one vCPU for now */
    ck_assert_int_lt(PARSE(&o, "-smp", "0"), 0);
    ck_assert_int_lt(PARSE(&o, "-display", "sdl"), 0);
    ck_assert_int_lt(PARSE(&o, "-machine", "q35"), 0);
    ck_assert_int_lt(PARSE(&o, "-append", "x"), 0);          /* without -kernel */
    ck_assert_int_lt(PARSE(&o, "disk.img"), 0);
    ck_assert_int_lt(PARSE(&o, "-accel", "kvm,thread=multi"), 0);
    ck_assert_int_eq(PARSE(&o, "-smp", "1"), 0);
    ck_assert_int_lt(PARSE(&o, "-icount", "auto"), 0);
    ck_assert_int_lt(PARSE(&o, "-icount", "shift=11"), 0);
    ck_assert_int_lt(PARSE(&o, "-icount", "sleep=off"), 0);   /* no shift */
}
END_TEST

START_TEST(icount)
{
    struct vireo_options o;

    ck_assert_int_eq(PARSE(&o, "-m", "64"), 0);
    ck_assert_int_eq(o.icount_shift, -1);
    ck_assert_int_eq(PARSE(&o, "-icount", "shift=3"), 0);
    ck_assert_int_eq(o.icount_shift, 3);
    ck_assert(o.icount_sleep);
    ck_assert_int_eq(PARSE(&o, "-icount", "0,sleep=off"), 0);
    ck_assert_int_eq(o.icount_shift, 0);
    ck_assert(!o.icount_sleep);
}
END_TEST
END_TEST

int main(void)
{
    Suite *s = suite_create("cmdline");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, full_line);
    tcase_add_test(tc, double_dash_and_machine_accel);
    tcase_add_test(tc, sizes);
    tcase_add_test(tc, rejections);
    tcase_add_test(tc, icount);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
