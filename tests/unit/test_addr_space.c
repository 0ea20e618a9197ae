/*
 * test_addr_space.c - the memory map and I/O dispatch contract: overlap
 * rejection, unclaimed reads all ones, dropped writes, offsets handed to
 * devices, access splitting, and the bounds of the guest memory API.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "hw/core/addr_space.h"

#include "tests/vireo_check.h"

struct probe {
    uint64_t last_off, last_val;
    unsigned last_size, reads, writes;
    uint8_t regs[16];
};

static uint64_t probe_read(void *opaque, uint64_t off, unsigned size)
{
    struct probe *p = opaque;
    uint64_t v = 0;

    p->reads++;
    p->last_off = off;
    p->last_size = size;
    for (unsigned i = 0; i < size && off + i < sizeof(p->regs); i++)
        v |= (uint64_t)p->regs[off + i] << (8 * i);
    return v;
}

static void probe_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct probe *p = opaque;

    p->writes++;
    p->last_off = off;
    p->last_val = val;
    p->last_size = size;
    for (unsigned i = 0; i < size && off + i < sizeof(p->regs); i++)
        p->regs[off + i] = (uint8_t)(val >> (8 * i));
}

static const struct io_ops probe_ops = { probe_read, probe_write, 0 };
static const struct io_ops probe_ops_byte = { probe_read, probe_write, 1 };

START_TEST(overlap_rejected)
{
    struct addr_space as;
    struct probe p = { 0 };

    as_init(&as, "io", 0x10000);
    ck_assert_int_eq(as_add_io(&as, 0x3f8, 8, &probe_ops, &p, "a"), 0);
    ck_assert_int_eq(as_add_io(&as, 0x3f8, 1, &probe_ops, &p, "b"), -EEXIST);
    ck_assert_int_eq(as_add_io(&as, 0x3ff, 1, &probe_ops, &p, "c"), -EEXIST);
    ck_assert_int_eq(as_add_io(&as, 0x3f0, 9, &probe_ops, &p, "d"), -EEXIST);
    ck_assert_int_eq(as_add_io(&as, 0x3f0, 8, &probe_ops, &p, "e"), 0);
    ck_assert_int_eq(as_add_io(&as, 0x400, 1, &probe_ops, &p, "f"), 0);
    ck_assert_int_eq(as_add_io(&as, 0xffff, 2, &probe_ops, &p, "g"), -EINVAL); /* past the end */
    ck_assert_int_eq(as_add_io(&as, 0x500, 0, &probe_ops, &p, "h"), -EINVAL);
    ck_assert_int_eq(as_remove(&as, 0x3f8), 0);
    ck_assert_int_eq(as_add_io(&as, 0x3f8, 8, &probe_ops, &p, "a"), 0);
    as_destroy(&as);
}
END_TEST

START_TEST(unclaimed_all_ones_and_dropped)
{
    struct addr_space as;
    struct probe p = { 0 };

    as_init(&as, "io", 0x10000);
    ck_assert_int_eq(as_add_io(&as, 0x80, 1, &probe_ops, &p, "a"), 0);
    ck_assert_uint_eq(as_read(&as, 0x1234, 1), 0xff);
    ck_assert_uint_eq(as_read(&as, 0x1234, 2), 0xffff);
    ck_assert_uint_eq(as_read(&as, 0x1234, 4), 0xffffffffu);
    as_write(&as, 0x1234, 0x55, 1);
    ck_assert_uint_eq(p.writes, 0);
    as_destroy(&as);
}
END_TEST

START_TEST(device_sees_offsets)
{
    struct addr_space as;
    struct probe p = { 0 };

    as_init(&as, "io", 0x10000);
    ck_assert_int_eq(as_add_io(&as, 0x3f8, 8, &probe_ops, &p, "uart"), 0);
    as_write(&as, 0x3fb, 0x83, 1);
    ck_assert_uint_eq(p.last_off, 3);
    ck_assert_uint_eq(p.last_val, 0x83);
    ck_assert_uint_eq(as_read(&as, 0x3fb, 1), 0x83);
    ck_assert_uint_eq(p.last_off, 3);
    /* A 32-bit access to a byte-wide device is split into 4 byte accesses. */
    struct probe q = { 0 };
    ck_assert_int_eq(as_add_io(&as, 0x100, 4, &probe_ops_byte, &q, "b"), 0);
    as_write(&as, 0x100, 0x44332211, 4);
    ck_assert_uint_eq(q.writes, 4);
    ck_assert_uint_eq(q.regs[0], 0x11);
    ck_assert_uint_eq(q.regs[3], 0x44);
    ck_assert_uint_eq(as_read(&as, 0x100, 4), 0x44332211);
    /* An access straddling the region end: claimed bytes from the device,
     * the rest all ones. */
    ck_assert_uint_eq(as_read(&as, 0x103, 2), 0xff44);
    as_destroy(&as);
}
END_TEST

START_TEST(ram_rom_and_gmem_bounds)
{
    struct addr_space as;
    static uint8_t ram[0x2000], rom[0x1000];
    struct probe p = { 0 };
    uint8_t buf[16];
    uint64_t len;

    memset(ram, 0, sizeof(ram));
    memset(rom, 0xaa, sizeof(rom));
    as_init(&as, "memory", 1ull << 32);
    ck_assert_int_eq(as_add_ram(&as, 0, sizeof(ram), ram, "ram"), 0);
    ck_assert_int_eq(as_add_io(&as, 0x4000, 0x10, &probe_ops, &p, "mmio"), 0);
    ck_assert_int_eq(as_add_rom(&as, 0xfffff000, sizeof(rom), rom, "rom"), 0);
    ck_assert_int_eq(as_add_ram(&as, 0x1000, 0x10, ram, "clash"), -EEXIST);

    ck_assert_int_eq(gmem_write(&as, 0x10, "hello", 5), 0);
    ck_assert_mem_eq(ram + 0x10, "hello", 5);
    /* ROM writes are dropped; reads see the image. */
    ck_assert_int_eq(gmem_write(&as, 0xfffff000, "x", 1), 0);
    ck_assert_uint_eq(rom[0], 0xaa);
    ck_assert_int_eq(gmem_read(&as, 0xfffffff0, buf, 16), 0);
    ck_assert_uint_eq(buf[15], 0xaa);
    /* Wrapping or leaving the space fails without side effects. */
    ck_assert_int_eq(gmem_read(&as, 0xfffffff8, buf, 16), -EFAULT);
    ck_assert_int_eq(gmem_write(&as, UINT64_MAX, buf, 2), -EFAULT);
    /* Reads spanning RAM end -> unassigned get 0xff for the hole. */
    ck_assert_int_eq(gmem_read(&as, 0x1ffe, buf, 4), 0);
    ck_assert_uint_eq(buf[2], 0xff);
    ck_assert_uint_eq(buf[3], 0xff);
    /* map() shortens to the contiguous RAM run and refuses MMIO/ROM-write. */
    len = 0x10000;
    ck_assert_ptr_eq(gmem_map(&as, 0x1f00, &len, true), ram + 0x1f00);
    ck_assert_uint_eq(len, 0x100);
    len = 4;
    ck_assert_ptr_null(gmem_map(&as, 0x4000, &len, false));
    ck_assert_uint_eq(len, 0);
    len = 4;
    ck_assert_ptr_null(gmem_map(&as, 0xfffff000, &len, true));
    len = 4;
    ck_assert_ptr_eq(gmem_map(&as, 0xfffff000, &len, false), rom);
    /* gmem through MMIO reaches the device bytewise. */
    ck_assert_int_eq(gmem_write(&as, 0x4002, "\x12\x34", 2), 0);
    ck_assert_uint_eq(p.regs[2], 0x12);
    ck_assert_uint_eq(p.regs[3], 0x34);
    as_destroy(&as);
}
END_TEST

static uint64_t notified_gpa, notified_len;
static void note_write(void *opaque, uint64_t gpa, uint64_t len)
{
    notified_gpa = gpa;
    notified_len = len;
}

START_TEST(ram_write_notifies)
{
    struct addr_space as;
    static uint8_t ram[0x1000];

    as_init(&as, "memory", 1ull << 32);
    as.write_notify = note_write;
    ck_assert_int_eq(as_add_ram(&as, 0x1000, sizeof(ram), ram, "ram"), 0);
    ck_assert_int_eq(gmem_write(&as, 0x1100, "abc", 3), 0);
    ck_assert_uint_eq(notified_gpa, 0x1100);
    ck_assert_uint_eq(notified_len, 3);
    as_write(&as, 0x1200, 0x1234, 2);
    ck_assert_uint_eq(notified_gpa, 0x1200);
    ck_assert_uint_eq(notified_len, 2);
    as_destroy(&as);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("addr_space");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, overlap_rejected);
    tcase_add_test(tc, unclaimed_all_ones_and_dropped);
    tcase_add_test(tc, device_sees_offsets);
    tcase_add_test(tc, ram_rom_and_gmem_bounds);
    tcase_add_test(tc, ram_write_notifies);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
