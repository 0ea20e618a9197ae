/*
 * test_ioapic.c - the I/O APIC model against the Intel 82093AA datasheet
 * (order 290566), driven through its MMIO window on a machine with the
 * null accelerator.
 *
 * Covered: reset values (ID, version 0x00170011 = 24 entries / version
 * 0x11, arbitration ID, every entry masked); IOREGSEL/IOWIN indirection
 * and the read-only bits (delivery status, remote IRR, version,
 * arbitration) and reserved bits; edge delivery once per rising edge;
 * edges on masked pins lost; level delivery with remote IRR, EOI with
 * the matching vector only, redelivery after EOI while still asserted;
 * unmasking an asserted level pin; polarity (active low) for edge and
 * level; edge mode clearing remote IRR; destination field and mode,
 * delivery mode passed on, NMI sent as edge; out-of-range register
 * indexes, pins and access sizes harmless; the path through a local APIC
 * (message -> IRR -> INTA -> EOI -> remote IRR cleared); the PC wiring
 * proposed for the board (8254 IRQ0 through the 8259A and virtual wire,
 * then through IOAPIC pin 2).
 */
#include <check.h>
#include <string.h>

#include "hw/core/device.h"
#include "hw/core/machine.h"
#include "hw/i386/ioapic.h"
#include "hw/i386/lapic.h"
#include "hw/isa/i8259.h"
#include "tests/vireo_check.h"

#define BASE 0xfec00000ull

struct msg {
    uint8_t vector, dest;
    unsigned mode;
    bool level, logical;
};

static struct machine m;
static struct device *io;
static struct msg msgs[64];
static unsigned nmsg;

static void sink(void *opaque, uint8_t vector, unsigned mode, bool level, uint8_t dest,
                 bool logical)
{
    (void)opaque;
    if (nmsg < 64)
        msgs[nmsg] = (struct msg){ vector, dest, mode, level, logical };
    nmsg++;
}

static struct device *make_ioapic(const char *props)
{
    char err[256];
    struct device *d = device_create(&m, "ioapic", err, sizeof(err));

    ck_assert_msg(d != NULL, "%s", err);
    ck_assert_msg(device_set_props(d, props, err, sizeof(err)) == 0, "%s", err);
    ck_assert_msg(device_realize(d, err, sizeof(err)) == 0, "%s", err);
    ioapic_set_sink(d, sink, NULL);
    return d;
}

static void setup(void)
{
    ck_assert_int_eq(machine_init(&m, 2 << 20, VCLOCK_MANUAL), 0);
    nmsg = 0;
    io = make_ioapic("");
}

static void teardown(void)
{
    machine_destroy(&m);
}

static uint32_t reg_rd(uint32_t r)
{
    as_write(&m.mem, BASE, r, 4);
    return (uint32_t)as_read(&m.mem, BASE + 0x10, 4);
}

static void reg_wr(uint32_t r, uint32_t v)
{
    as_write(&m.mem, BASE, r, 4);
    as_write(&m.mem, BASE + 0x10, v, 4);
}

static uint32_t rte_lo(unsigned pin) { return reg_rd(0x10 + 2 * pin); }
static uint32_t rte_hi(unsigned pin) { return reg_rd(0x11 + 2 * pin); }

static void rte_set(unsigned pin, uint32_t lo, uint32_t hi)
{
    reg_wr(0x11 + 2 * pin, hi);
    reg_wr(0x10 + 2 * pin, lo);
}

START_TEST(reset_values)
{
    struct device *d;

    ck_assert_uint_eq(reg_rd(0x00), 0);
    ck_assert_uint_eq(reg_rd(0x01), 0x00170011);
    ck_assert_uint_eq(reg_rd(0x02), 0);
    for (unsigned pin = 0; pin < 24; pin++) {
        ck_assert_uint_eq(rte_lo(pin), 0x00010000);
        ck_assert_uint_eq(rte_hi(pin), 0);
    }
    /* IOREGSEL reads back. */
    as_write(&m.mem, BASE, 0x2b, 4);
    ck_assert_uint_eq(as_read(&m.mem, BASE, 4), 0x2b);
    /* The ID property, and a second chip elsewhere. */
    d = make_ioapic("base=0xfec01000,id=5");
    (void)d;
    as_write(&m.mem, BASE + 0x1000, 0, 4);
    ck_assert_uint_eq(as_read(&m.mem, BASE + 0x1010, 4), 0x05000000);
    as_write(&m.mem, BASE + 0x1000, 2, 4);
    ck_assert_uint_eq(as_read(&m.mem, BASE + 0x1010, 4), 0x05000000);
    /* Interrupts never fire from a freshly reset chip. */
    for (unsigned pin = 0; pin < 24; pin++)
        ioapic_set_irq(io, pin, 1);
    ck_assert_uint_eq(nmsg, 0);
}
END_TEST

START_TEST(indirection_and_readonly_bits)
{
    reg_wr(0x00, 0xffffffff);
    ck_assert_uint_eq(reg_rd(0x00), 0x0f000000);             /* 4-bit ID */
    ck_assert_uint_eq(reg_rd(0x02), 0x0f000000);             /* arbitration follows */
    reg_wr(0x01, 0);
    ck_assert_uint_eq(reg_rd(0x01), 0x00170011);
    reg_wr(0x02, 0);
    ck_assert_uint_eq(reg_rd(0x02), 0x0f000000);

    /* Every writable bit, and the read-only delivery status / remote IRR. */
    rte_set(3, 0xffffffff, 0xffffffff);
    ck_assert_uint_eq(rte_lo(3), 0x0001afff);
    ck_assert_uint_eq(rte_hi(3), 0xff000000);
    rte_set(3, 0x0001a931, 0x5a000000);                      /* masked */
    ck_assert_uint_eq(rte_lo(3), 0x0001a931);
    ck_assert_uint_eq(rte_hi(3), 0x5a000000);
    ck_assert_uint_eq(rte_lo(4), 0x00010000);                 /* neighbours untouched */
    ck_assert_uint_eq(rte_hi(2), 0);

    /* Out-of-range indexes read 0 and writes change nothing. */
    for (uint32_t r = 0x03; r < 0x100; r++) {
        if (r >= 0x10 && r < 0x40)
            continue;
        reg_wr(r, 0x12345678);
        ck_assert_uint_eq(reg_rd(r), 0);
    }
    for (unsigned pin = 0; pin < 24; pin++)
        if (pin != 3)
            ck_assert_uint_eq(rte_lo(pin), 0x00010000);
    /* IOREGSEL keeps the low byte; narrow IOWIN writes are dropped,
     * narrow reads return the selected bytes. */
    as_write(&m.mem, BASE, 0x116, 4);
    ck_assert_uint_eq(as_read(&m.mem, BASE, 4), 0x16);
    as_write(&m.mem, BASE + 0x10, 0x40, 1);
    as_write(&m.mem, BASE + 0x10, 0x40, 2);
    ck_assert_uint_eq(rte_lo(3), 0x0001a931);
    as_write(&m.mem, BASE, 0x17, 1);
    ck_assert_uint_eq(as_read(&m.mem, BASE + 0x13, 1), 0x5a);
    ck_assert_uint_eq(as_read(&m.mem, BASE + 0x12, 2), 0x5a00);
    /* Elsewhere in the page: all ones, writes dropped. */
    ck_assert_uint_eq(as_read(&m.mem, BASE + 0x20, 4), 0xffffffff);
    as_write(&m.mem, BASE + 0x40, 0, 4);
    ck_assert_uint_eq(rte_lo(3), 0x0001a931);
}
END_TEST

START_TEST(edge_once_per_rising_edge)
{
    rte_set(4, 0x00000034, 0x01000000);                      /* fixed, physical, edge */
    ioapic_set_irq(io, 4, 1);
    ck_assert_uint_eq(nmsg, 1);
    ck_assert_uint_eq(msgs[0].vector, 0x34);
    ck_assert_uint_eq(msgs[0].mode, 0);
    ck_assert(!msgs[0].level);
    ck_assert_uint_eq(msgs[0].dest, 0x01);
    ck_assert(!msgs[0].logical);
    ioapic_set_irq(io, 4, 1);
    ck_assert_uint_eq(nmsg, 1);
    ioapic_set_irq(io, 4, 0);
    ck_assert_uint_eq(nmsg, 1);
    ioapic_set_irq(io, 4, 1);
    ck_assert_uint_eq(nmsg, 2);
    ck_assert_uint_eq(rte_lo(4) & 0x5000, 0);                 /* idle, no remote IRR */
    /* An edge on a masked pin is lost, also when unmasked later. */
    ioapic_set_irq(io, 4, 0);
    rte_set(4, 0x00010034, 0x01000000);
    ioapic_set_irq(io, 4, 1);
    rte_set(4, 0x00000034, 0x01000000);
    ck_assert_uint_eq(nmsg, 2);
    ioapic_set_irq(io, 4, 0);
    ioapic_set_irq(io, 4, 1);
    ck_assert_uint_eq(nmsg, 3);
    /* Pins beyond 23 do nothing. */
    ioapic_set_irq(io, 24, 1);
    ioapic_set_irq(io, 1000, 1);
    ck_assert_uint_eq(nmsg, 3);
}
END_TEST

START_TEST(level_remote_irr)
{
    rte_set(9, 0x00008059, 0x00000000);                      /* fixed, level */
    ioapic_set_irq(io, 9, 1);
    ck_assert_uint_eq(nmsg, 1);
    ck_assert(msgs[0].level);
    ck_assert_uint_eq(rte_lo(9), 0x0000c059);                 /* remote IRR set */
    ioapic_set_irq(io, 9, 1);
    ioapic_set_irq(io, 9, 0);
    ioapic_set_irq(io, 9, 1);
    ck_assert_uint_eq(nmsg, 1);                               /* not while in service */
    ioapic_eoi(io, 0x58);
    ck_assert_uint_eq(nmsg, 1);                               /* another vector */
    ck_assert_uint_eq(rte_lo(9), 0x0000c059);
    ioapic_eoi(io, 0x59);                                     /* still asserted */
    ck_assert_uint_eq(nmsg, 2);
    ck_assert_uint_eq(rte_lo(9), 0x0000c059);
    ioapic_set_irq(io, 9, 0);
    ioapic_eoi(io, 0x59);
    ck_assert_uint_eq(nmsg, 2);
    ck_assert_uint_eq(rte_lo(9), 0x00008059);
    /* Level changes on a masked pin are ignored; unmasking an asserted
     * pin delivers it. */
    rte_set(9, 0x00018059, 0);
    ioapic_set_irq(io, 9, 1);
    ck_assert_uint_eq(nmsg, 2);
    rte_set(9, 0x00008059, 0);
    ck_assert_uint_eq(nmsg, 3);
    /* Switching to edge clears remote IRR (Linux's manual EOI). */
    rte_set(9, 0x00010059, 0);
    ck_assert_uint_eq(rte_lo(9) & 0x4000, 0);
    ioapic_set_irq(io, 9, 0);
    rte_set(9, 0x00008059, 0);
    ck_assert_uint_eq(nmsg, 3);
}
END_TEST

START_TEST(polarity)
{
    /* Active-low level: electrical 1 is idle, 0 asserts. */
    ioapic_set_irq(io, 10, 1);
    rte_set(10, 0x0000a05a, 0);
    ck_assert_uint_eq(nmsg, 0);
    ioapic_set_irq(io, 10, 0);
    ck_assert_uint_eq(nmsg, 1);
    ck_assert_uint_eq(msgs[0].vector, 0x5a);
    ioapic_set_irq(io, 10, 1);
    ioapic_eoi(io, 0x5a);
    ck_assert_uint_eq(nmsg, 1);
    /* Active-low edge: the falling electrical edge delivers. */
    ioapic_set_irq(io, 11, 1);
    rte_set(11, 0x0000205b, 0);
    ioapic_set_irq(io, 11, 0);
    ck_assert_uint_eq(nmsg, 2);
    ioapic_set_irq(io, 11, 1);
    ck_assert_uint_eq(nmsg, 2);
}
END_TEST

START_TEST(destination_and_modes)
{
    rte_set(5, 0x00000935, 0x0f000000);                      /* lowest priority, logical */
    ioapic_set_irq(io, 5, 1);
    ck_assert_uint_eq(nmsg, 1);
    ck_assert_uint_eq(msgs[0].mode, 1);
    ck_assert(msgs[0].logical);
    ck_assert_uint_eq(msgs[0].dest, 0x0f);
    /* NMI programmed level is still sent as edge, no remote IRR. */
    rte_set(6, 0x00008400, 0xff000000);
    ioapic_set_irq(io, 6, 1);
    ck_assert_uint_eq(nmsg, 2);
    ck_assert_uint_eq(msgs[1].mode, 4);
    ck_assert(!msgs[1].level);
    ck_assert_uint_eq(msgs[1].dest, 0xff);
    ck_assert_uint_eq(rte_lo(6) & 0x4000, 0);
    ioapic_set_irq(io, 6, 1);
    ck_assert_uint_eq(nmsg, 2);
    /* ExtINT entry. */
    rte_set(0, 0x00000700, 0);
    ioapic_set_irq(io, 0, 1);
    ck_assert_uint_eq(msgs[2].mode, 7);
}
END_TEST

/* ---- through a local APIC ---- */

static void to_lapic(void *opaque, uint8_t vector, unsigned mode, bool level, uint8_t dest,
                     bool logical)
{
    (void)dest;
    (void)logical;
    nmsg++;
    lapic_deliver(opaque, vector, mode, level);
}

START_TEST(through_local_apic)
{
    char err[256];
    struct device *la = device_create(&m, "lapic", err, sizeof(err));

    ck_assert_msg(la && device_realize(la, err, sizeof(err)) == 0, "%s", err);
    ioapic_set_sink(io, to_lapic, la);
    lapic_set_eoi_hook(la, ioapic_eoi, io);
    as_write(&m.mem, 0xfee000f0, 0x1ff, 4);                  /* software enable */

    rte_set(11, 0x00008061, 0);                              /* level, vector 0x61 */
    rte_set(12, 0x00000062, 0);                              /* edge, vector 0x62 */
    ioapic_set_irq(io, 11, 1);
    ioapic_set_irq(io, 12, 1);
    ck_assert(lapic_intr_pending(la));
    ck_assert_int_eq(lapic_intr_ack(la), 0x62);
    as_write(&m.mem, 0xfee000b0, 0, 4);                      /* edge EOI: no broadcast */
    ck_assert_uint_eq(rte_lo(11) & 0x4000, 0x4000);
    ck_assert_int_eq(lapic_intr_ack(la), 0x61);
    /* The device still asserts its line: the EOI redelivers it. */
    as_write(&m.mem, 0xfee000b0, 0, 4);
    ck_assert_uint_eq(nmsg, 3);
    ck_assert_int_eq(lapic_intr_ack(la), 0x61);
    ioapic_set_irq(io, 11, 0);                                /* the handler quiets it */
    as_write(&m.mem, 0xfee000b0, 0, 4);
    ck_assert_uint_eq(rte_lo(11) & 0x4000, 0);
    ck_assert(!lapic_intr_pending(la));
    ck_assert_uint_eq(nmsg, 3);
}
END_TEST

/* ---- the PC wiring the board is meant to use ---- */

struct pc_wiring {
    struct device *pic, *io, *la;
};

/* An ISA line goes to both the 8259A and the IOAPIC (IRQ0 on pin 2, as
 * the MADT's interrupt source override says). */
static void isa_irq(void *opaque, unsigned n, int level)
{
    struct pc_wiring *w = opaque;

    i8259_set_irq(w->pic, n, level);
    ioapic_set_irq(w->io, n == 0 ? 2 : n, level);
}

static void ioapic_to_cpu(void *opaque, uint8_t vector, unsigned mode, bool level, uint8_t dest,
                          bool logical)
{
    struct pc_wiring *w = opaque;

    if (lapic_accepts_dest(w->la, dest, logical))
        lapic_deliver(w->la, vector, mode, level);
}

/* The CPU takes whatever is pending every 100 us for 100 ms. */
static unsigned run_cpu(struct device *la, int vec, bool pic_eoi)
{
    unsigned n = 0;

    for (unsigned us = 0; us < 100000; us += 100) {
        vclock_step(&m.clock, 100000);
        if (!lapic_intr_pending(la))
            continue;
        ck_assert_int_eq(lapic_intr_ack(la), vec);
        if (pic_eoi)
            as_write(&m.io, 0x20, 0x20, 1);
        else
            as_write(&m.mem, 0xfee000b0, 0, 4);
        n++;
    }
    return n;
}

START_TEST(pit_through_pic_and_ioapic)
{
    char err[256];
    struct pc_wiring w = { .io = io };
    struct device *pit;
    unsigned n;

    w.pic = device_create(&m, "i8259", err, sizeof(err));
    ck_assert_msg(w.pic && device_realize(w.pic, err, sizeof(err)) == 0, "%s", err);
    w.la = device_create(&m, "lapic", err, sizeof(err));
    ck_assert_msg(w.la && device_realize(w.la, err, sizeof(err)) == 0, "%s", err);
    pit = device_create(&m, "i8254", err, sizeof(err));
    ck_assert(pit != NULL);
    pit->irq[0] = (struct irq_line){ isa_irq, &w, 0 };
    ck_assert_msg(device_realize(pit, err, sizeof(err)) == 0, "%s", err);
    lapic_set_extint(w.la, i8259_intr_pending, i8259_intr_ack, w.pic);
    lapic_set_eoi_hook(w.la, ioapic_eoi, io);
    ioapic_set_sink(io, ioapic_to_cpu, &w);

    /* Firmware-style: 8259A at vector 8, PIT at ~1 kHz, APIC untouched
     * (virtual wire): IRQ0 reaches the CPU through LINT0. */
    as_write(&m.io, 0x20, 0x11, 1);
    as_write(&m.io, 0x21, 0x08, 1);
    as_write(&m.io, 0x21, 0x04, 1);
    as_write(&m.io, 0x21, 0x01, 1);
    as_write(&m.io, 0x21, 0xfe, 1);
    as_write(&m.io, 0x43, 0x34, 1);
    as_write(&m.io, 0x40, 1193 & 0xff, 1);
    as_write(&m.io, 0x40, 1193 >> 8, 1);
    n = run_cpu(w.la, 0x08, true);
    ck_assert_uint_ge(n, 99);
    ck_assert_uint_le(n, 101);

    /* The OS switches to the IOAPIC: 8259A masked, APIC enabled, pin 2
     * edge to vector 0x30 for APIC ID 0, LINT0 masked. */
    as_write(&m.io, 0x21, 0xff, 1);
    as_write(&m.mem, 0xfee000f0, 0x1ff, 4);
    as_write(&m.mem, 0xfee00350, 0x10700, 4);
    rte_set(2, 0x00000030, 0x00000000);
    n = run_cpu(w.la, 0x30, false);
    ck_assert_uint_ge(n, 99);
    ck_assert_uint_le(n, 101);
    /* A destination that is not this CPU gets nothing. */
    rte_set(2, 0x00000030, 0x05000000);
    ck_assert_uint_eq(run_cpu(w.la, 0x30, false), 0);
}
END_TEST

START_TEST(hostile_traffic)
{
    uint32_t x = 4242;

    ioapic_set_sink(io, NULL, NULL);                          /* unconnected is harmless */
    for (unsigned i = 0; i < 200000; i++) {
        static const unsigned sizes[] = { 1, 2, 4, 8 };

        x = x * 1103515245u + 12345u;
        switch ((x >> 24) % 5) {
        case 0:
            as_write(&m.mem, BASE + ((x >> 4) & 0x1f), x >> 8, sizes[x & 3]);
            break;
        case 1:
            as_write(&m.mem, BASE + 0x10, x * 2654435761u, 4);
            break;
        case 2:
            (void)as_read(&m.mem, BASE + ((x >> 4) & 0xfff), sizes[x & 3]);
            break;
        case 3:
            ioapic_set_irq(io, (x >> 8) & 31, (x >> 16) & 1);
            break;
        default:
            ioapic_eoi(io, (uint8_t)(x >> 8));
            break;
        }
    }
    machine_reset_devices(&m);
    for (unsigned pin = 0; pin < 24; pin++)
        ck_assert_uint_eq(rte_lo(pin), 0x00010000);
    ck_assert_uint_eq(reg_rd(0x01), 0x00170011);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ioapic");
    TCase *tc = tcase_create("82093aa");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, reset_values);
    tcase_add_test(tc, indirection_and_readonly_bits);
    tcase_add_test(tc, edge_once_per_rising_edge);
    tcase_add_test(tc, level_remote_irr);
    tcase_add_test(tc, polarity);
    tcase_add_test(tc, destination_and_modes);
    tcase_add_test(tc, through_local_apic);
    tcase_add_test(tc, pit_through_pic_and_ioapic);
    tcase_add_test(tc, hostile_traffic);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
