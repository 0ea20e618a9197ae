/*
 * test_i8042.c - the 8042 controller and PS/2 keyboard against the IBM
 * AT/PS/2 technical references: power-on status, self-test (55) and
 * interface tests, command byte read/write (and A7/A8/AD/AE, SYS flag,
 * A2 bit), keyboard reset/identify/echo/LED/typematic/scan-set replies
 * with OBF and IRQ1 only when enabled in the command byte (one edge per
 * byte), set 2 -> set 1 translation on and off, the keyboard in set 1,
 * D2/D3/D4 (aux without a device times out), A20 through D1 and the hook,
 * reset through FE and through the output port, the bounded queue with
 * the overrun code, and hostile command/data sequences.
 */
#include <check.h>
#include <string.h>

#include "hw/core/device.h"
#include "hw/core/machine.h"
#include "hw/isa/i8042.h"

#include "tests/vireo_check.h"

#define DATA 0x60
#define CMD 0x64


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
static struct device *kbc;
static struct irq_probe irq1, irq12;
static struct a20_probe a20;

static void setup(void)
{
    char err[256];

    ck_assert_int_eq(machine_init(&m, 2 << 20, VCLOCK_MANUAL), 0);
    memset(&irq1, 0, sizeof(irq1));
    memset(&irq12, 0, sizeof(irq12));
    memset(&a20, 0, sizeof(a20));
    kbc = device_create(&m, "i8042", err, sizeof(err));
    ck_assert_msg(kbc != NULL, "%s", err);
    kbc->irq[0] = (struct irq_line){ irq_probe_set, &irq1, 1 };
    kbc->irq[1] = (struct irq_line){ irq_probe_set, &irq12, 12 };
    i8042_set_a20_handler(kbc, a20_hook, &a20);
    ck_assert_msg(device_realize(kbc, err, sizeof(err)) == 0, "%s", err);
}

static void teardown(void)
{
    machine_destroy(&m);
}

static uint8_t status(void)
{
    return (uint8_t)as_read(&m.io, CMD, 1);
}

static uint8_t rd(void)
{
    return (uint8_t)as_read(&m.io, DATA, 1);
}

static void cmd(uint8_t c)
{
    as_write(&m.io, CMD, c, 1);
}

static void data(uint8_t v)
{
    as_write(&m.io, DATA, v, 1);
}

static void set_cb(uint8_t v)
{
    cmd(0x60);
    data(v);
}

/* Read one byte that must be waiting (OBF) from the keyboard side. */
static uint8_t take(void)
{
    ck_assert_msg(status() & 0x01, "output buffer empty");
    ck_assert_uint_eq(status() & 0x20, 0);
    return rd();
}

static void expect_bytes(const uint8_t *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(take(), want[i]);
    ck_assert_uint_eq(status() & 0x01, 0);
}

static void key(const uint8_t *b, size_t n)
{
    i8042_key_event(kbc, b, n);
}

START_TEST(power_on_and_self_test)
{
    ck_assert_uint_eq(status(), 0x10);        /* not inhibited, nothing else */
    cmd(0x20);
    ck_assert_uint_eq(status(), 0x10 | 0x08 | 0x01);   /* A2: last write was a command */
    ck_assert_uint_eq(rd(), 0x00);            /* command byte after power-on */
    ck_assert_uint_eq(status() & 0x01, 0);
    cmd(0xaa);
    ck_assert_uint_eq(rd(), 0x55);
    cmd(0xab);
    ck_assert_uint_eq(rd(), 0x00);
    cmd(0xa9);
    ck_assert_uint_eq(rd(), 0x00);
    cmd(0xc0);
    ck_assert_uint_eq(rd() & 0x80, 0x80);     /* keyboard not inhibited */
    /* Reading the empty buffer again returns the last byte. */
    ck_assert_uint_eq(status() & 0x01, 0);
    ck_assert_uint_eq(irq1.raises, 0);        /* interrupts are off */
    ck_assert_uint_eq(irq12.raises, 0);
}
END_TEST

START_TEST(command_byte)
{
    set_cb(0x47);
    ck_assert_uint_eq(status() & 0x08, 0);    /* A2 = 0 after a data write */
    ck_assert_uint_eq(status() & 0x04, 0x04); /* SYS follows bit 2 */
    cmd(0x20);
    ck_assert_uint_eq(rd(), 0x47);
    cmd(0xa7);
    cmd(0x20);
    ck_assert_uint_eq(rd(), 0x67);
    cmd(0xa8);
    cmd(0xad);
    cmd(0x20);
    ck_assert_uint_eq(rd(), 0x57);
    cmd(0xae);
    cmd(0x20);
    ck_assert_uint_eq(rd(), 0x47);
    set_cb(0x00);
    ck_assert_uint_eq(status() & 0x04, 0);
    /* Internal RAM bytes 1-31 through 61-7F / 21-3F. */
    cmd(0x7f);
    data(0x99);
    cmd(0x3f);
    ck_assert_uint_eq(rd(), 0x99);
    cmd(0x20);
    ck_assert_uint_eq(rd(), 0x00);
}
END_TEST

START_TEST(keyboard_reset_and_identify_with_irq1)
{
    static const uint8_t reset_reply[] = { 0xfa, 0xaa };
    static const uint8_t id_reply[] = { 0xfa, 0xab, 0x83 };

    /* Interrupts off: bytes arrive but IRQ1 stays low. */
    data(0xff);
    ck_assert_int_eq(irq1.level, 0);
    expect_bytes(reset_reply, 2);
    ck_assert_uint_eq(irq1.raises, 0);

    set_cb(0x01);                              /* keyboard interrupt, no translation */
    data(0xff);
    ck_assert_int_eq(irq1.level, 1);
    expect_bytes(reset_reply, 2);
    ck_assert_int_eq(irq1.level, 0);
    ck_assert_uint_eq(irq1.raises, 2);         /* one edge per byte */
    data(0xf2);
    expect_bytes(id_reply, 3);
    ck_assert_uint_eq(irq1.raises, 5);
    ck_assert_uint_eq(irq12.raises, 0);
}
END_TEST

START_TEST(keyboard_commands)
{
    static const uint8_t ack2[] = { 0xfa, 0xfa };
    static const uint8_t one_ack[] = { 0xfa };
    static const uint8_t echo[] = { 0xee };
    static const uint8_t resend[] = { 0xfe };
    static const uint8_t a_make[] = { 0x1c };

    data(0xed);
    data(0x07);
    expect_bytes(ack2, 2);                    /* LEDs */
    data(0xf3);
    data(0x2b);
    expect_bytes(ack2, 2);                    /* typematic */
    data(0xee);
    expect_bytes(echo, 1);
    data(0x01);                               /* not a command */
    expect_bytes(resend, 1);
    data(0xfe);                               /* resend: the last byte again */
    expect_bytes(resend, 1);
    data(0xee);
    expect_bytes(echo, 1);
    data(0xfe);
    expect_bytes(echo, 1);
    /* F5: disable scanning, keys are dropped; F4 enables again. */
    data(0xf5);
    expect_bytes(one_ack, 1);
    key(a_make, 1);
    ck_assert_uint_eq(status() & 0x01, 0);
    data(0xf4);
    expect_bytes(one_ack, 1);
    key(a_make, 1);
    expect_bytes(a_make, 1);
    data(0xf6);
    expect_bytes(one_ack, 1);
    /* A command in place of an argument is obeyed as a command. */
    data(0xed);
    data(0xee);
    static const uint8_t ack_echo[] = { 0xfa, 0xee };
    expect_bytes(ack_echo, 2);
}
END_TEST

START_TEST(translation_on_and_off)
{
    static const uint8_t a_make[] = { 0x1c }, a_break[] = { 0xf0, 0x1c };
    static const uint8_t up_make[] = { 0xe0, 0x75 }, up_break[] = { 0xe0, 0xf0, 0x75 };
    static const uint8_t f7[] = { 0x83 };

    set_cb(0x01);
    key(a_make, 1);
    expect_bytes(a_make, 1);
    key(a_break, 2);
    expect_bytes(a_break, 2);

    set_cb(0x41);                             /* translate */
    key(a_make, 1);
    ck_assert_uint_eq(take(), 0x1e);
    key(a_break, 2);
    ck_assert_uint_eq(take(), 0x9e);          /* F0 swallowed, bit 7 set */
    ck_assert_uint_eq(status() & 0x01, 0);
    key(up_make, 2);
    ck_assert_uint_eq(take(), 0xe0);
    ck_assert_uint_eq(take(), 0x48);
    key(up_break, 3);
    ck_assert_uint_eq(take(), 0xe0);
    ck_assert_uint_eq(take(), 0xc8);
    key(f7, 1);
    ck_assert_uint_eq(take(), 0x41);
    /* Identify through translation: AB 83 reads AB 41. */
    data(0xf2);
    ck_assert_uint_eq(take(), 0xfa);
    ck_assert_uint_eq(take(), 0xab);
    ck_assert_uint_eq(take(), 0x41);
    ck_assert_uint_eq(status() & 0x01, 0);
}
END_TEST

START_TEST(scan_code_sets)
{
    static const uint8_t a_break[] = { 0xf0, 0x1c };
    static const uint8_t get_set2[] = { 0xfa, 0xfa, 0x02 }, get_set1[] = { 0xfa, 0xfa, 0x01 };
    static const uint8_t acks[] = { 0xfa, 0xfa }, refused[] = { 0xfa, 0xfe };

    /* F0 is acked, then its option byte; option 00 adds the set. */
    data(0xf0);
    data(0x00);
    expect_bytes(get_set2, 3);
    data(0xf0);
    data(0x01);
    expect_bytes(acks, 2);
    data(0xf0);
    data(0x00);
    expect_bytes(get_set1, 3);
    /* The keyboard itself now sends set 1 (no controller translation). */
    key(a_break + 1, 1);
    ck_assert_uint_eq(take(), 0x1e);
    key(a_break, 2);
    ck_assert_uint_eq(take(), 0x9e);
    ck_assert_uint_eq(status() & 0x01, 0);
    /* Set 3 is refused; the set stays 1. */
    data(0xf0);
    data(0x03);
    expect_bytes(refused, 2);
    data(0xf0);
    data(0x00);
    expect_bytes(get_set1, 3);
    /* Reset returns to set 2. */
    data(0xff);
    ck_assert_uint_eq(take(), 0xfa);
    ck_assert_uint_eq(take(), 0xaa);
    data(0xf0);
    data(0x00);
    expect_bytes(get_set2, 3);
}
END_TEST

START_TEST(queue_overflow_is_bounded)
{
    uint8_t keys[40];

    for (unsigned i = 0; i < sizeof(keys); i++)
        keys[i] = (uint8_t)(0x15 + (i % 8));
    /* Keyboard clock disabled: bytes wait in the keyboard's buffer. */
    set_cb(0x11);
    key(keys, sizeof(keys));
    ck_assert_uint_eq(status() & 0x01, 0);
    ck_assert_int_eq(irq1.level, 0);
    cmd(0xae);
    for (unsigned i = 0; i < 16; i++)
        ck_assert_uint_eq(take(), keys[i]);
    ck_assert_uint_eq(take(), 0x00);          /* overrun code, set 2 */
    ck_assert_uint_eq(status() & 0x01, 0);
    ck_assert_uint_eq(irq1.raises, 17);

    /* With translation the set 2 overrun 00 reads as FF. */
    set_cb(0x51);
    key(keys, sizeof(keys));
    cmd(0xae);
    for (unsigned i = 0; i < 16; i++)
        take();
    ck_assert_uint_eq(take(), 0xff);
    ck_assert_uint_eq(status() & 0x01, 0);

    /* In set 1 the keyboard's overrun code is FF. */
    set_cb(0x00);
    data(0xf0);
    data(0x01);
    take();
    take();
    set_cb(0x10);
    for (unsigned i = 0; i < 1000; i++)
        key(keys, sizeof(keys));
    cmd(0xae);
    for (unsigned i = 0; i < 16; i++)
        take();
    ck_assert_uint_eq(take(), 0xff);
    ck_assert_uint_eq(status() & 0x01, 0);
}
END_TEST

START_TEST(write_buffers_and_aux)
{
    set_cb(0x03);                             /* both interrupts */
    cmd(0xd2);
    data(0x5a);
    ck_assert_uint_eq(status() & 0x21, 0x01);
    ck_assert_int_eq(irq1.level, 1);
    ck_assert_int_eq(irq12.level, 0);
    ck_assert_uint_eq(rd(), 0x5a);
    ck_assert_int_eq(irq1.level, 0);

    cmd(0xd3);
    data(0xa5);
    ck_assert_uint_eq(status() & 0x21, 0x21); /* aux output buffer full */
    ck_assert_int_eq(irq12.level, 1);
    ck_assert_int_eq(irq1.level, 0);
    ck_assert_uint_eq(rd(), 0xa5);
    ck_assert_int_eq(irq12.level, 0);

    /* No aux device: the write times out, FE comes from the aux side. */
    cmd(0xd4);
    data(0xf4);
    ck_assert_uint_eq(status() & 0x61, 0x61);
    ck_assert_uint_eq(rd(), 0xfe);
    ck_assert_uint_eq(status() & 0x61, 0x00);

    /* IRQ12 only with command byte bit 1. */
    set_cb(0x01);
    cmd(0xd3);
    data(0x11);
    ck_assert_int_eq(irq12.level, 0);
    ck_assert_uint_eq(irq12.raises, 2);
    rd();
}
END_TEST

START_TEST(a20_gate)
{
    /* Power-on output port: reset inactive, A20 on; the hook heard it. */
    ck_assert(i8042_a20(kbc));
    ck_assert(a20.on);
    ck_assert_uint_eq(a20.calls, 1);
    cmd(0xd0);
    ck_assert_uint_eq(rd(), 0xcf);
    cmd(0xd1);
    data(0xcd);
    ck_assert(!i8042_a20(kbc));
    ck_assert(!a20.on);
    ck_assert_uint_eq(a20.calls, 2);
    cmd(0xd0);
    ck_assert_uint_eq(rd(), 0xcd);
    cmd(0xd1);
    data(0xcd);                               /* no change, no call */
    ck_assert_uint_eq(a20.calls, 2);
    cmd(0xd1);
    data(0xcf);
    ck_assert(i8042_a20(kbc));
    ck_assert(a20.on);
    ck_assert_uint_eq(a20.calls, 3);
    ck_assert_int_eq(m.request, MACHINE_RUN);
    /* Output port bit 4 shows a full keyboard output buffer. */
    cmd(0xd2);
    data(0x00);
    cmd(0xd0);
    ck_assert_uint_eq(rd(), 0xdf);
    /* A system reset restores the power-on port and reports A20. */
    cmd(0xd1);
    data(0xcd);
    machine_reset_devices(&m);
    ck_assert(a20.on);
    ck_assert(i8042_a20(kbc));
}
END_TEST

START_TEST(reset_requests)
{
    cmd(0xff);                                /* pulse nothing */
    ck_assert_int_eq(m.request, MACHINE_RUN);
    cmd(0xfd);                                /* pulses bit 1 only */
    ck_assert_int_eq(m.request, MACHINE_RUN);
    cmd(0xfe);
    ck_assert_int_eq(m.request, MACHINE_RESET);
    m.request = MACHINE_RUN;
    cmd(0xf0);                                /* pulses all four, bit 0 too */
    ck_assert_int_eq(m.request, MACHINE_RESET);
    m.request = MACHINE_RUN;
    cmd(0xd1);
    data(0xce);                               /* bit 0 low: reset */
    ck_assert_int_eq(m.request, MACHINE_RESET);
}
END_TEST

START_TEST(reply_overwrites_and_command_cancels)
{
    static const uint8_t a_make[] = { 0x1c };

    key(a_make, 1);
    cmd(0xaa);                                /* the reply replaces the byte */
    ck_assert_uint_eq(rd(), 0x55);
    ck_assert_uint_eq(status() & 0x01, 0);
    /* A command while another waits for data cancels it. */
    cmd(0x60);
    cmd(0x20);
    ck_assert_uint_eq(rd(), 0x00);
    data(0xee);                               /* goes to the keyboard */
    ck_assert_uint_eq(take(), 0xee);
    cmd(0x20);
    ck_assert_uint_eq(rd(), 0x00);
    /* Writing to the keyboard re-enables its clock (bit 4). */
    set_cb(0x10);
    data(0xee);
    ck_assert_uint_eq(take(), 0xee);
    cmd(0x20);
    ck_assert_uint_eq(rd(), 0x00);
}
END_TEST

START_TEST(hostile_sequences)
{
    static const uint8_t junk[] = { 0xf0, 0xf0, 0xe0, 0xe1, 0x00, 0xff, 0x83 };

    for (unsigned c = 0; c < 256; c++) {
        for (unsigned v = 0; v < 256; v += 7) {
            cmd((uint8_t)c);
            data((uint8_t)v);
            key(junk, sizeof(junk));
            for (unsigned i = 0; i < 40 && (status() & 0x01); i++)
                rd();
            m.request = MACHINE_RUN;
        }
    }
    /* Still a working controller and keyboard afterwards. */
    machine_reset_devices(&m);
    cmd(0xaa);
    ck_assert_uint_eq(rd(), 0x55);
    data(0xee);
    ck_assert_uint_eq(take(), 0xee);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("i8042");
    TCase *tc = tcase_create("kbc");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, power_on_and_self_test);
    tcase_add_test(tc, command_byte);
    tcase_add_test(tc, keyboard_reset_and_identify_with_irq1);
    tcase_add_test(tc, keyboard_commands);
    tcase_add_test(tc, translation_on_and_off);
    tcase_add_test(tc, scan_code_sets);
    tcase_add_test(tc, queue_overflow_is_bounded);
    tcase_add_test(tc, write_buffers_and_aux);
    tcase_add_test(tc, a20_gate);
    tcase_add_test(tc, reset_requests);
    tcase_add_test(tc, reply_overwrites_and_command_cancels);
    tcase_add_test(tc, hostile_sequences);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
