/*
 * test_serial16550.c - the PC16550D model against its datasheet: reset
 * values (reset configuration table), THR/RBR data paths, the divisor latch behind DLAB,
 * IIR priorities (the IIR table) and how each source clears, the THRE
 * interrupt, OUT2 gating of the PC IRQ line, FIFO trigger levels, the
 * character timeout at 4 character times (manual clock), overrun in both
 * modes, loopback (data and MCR->MSR wiring, delta bits), FCR resets,
 * break (BI, LSR bit 7), and split wide accesses.
 */
#include <check.h>
#include <string.h>

#include "hw/char/serial16550.h"
#include "hw/core/chardev.h"
#include "hw/core/device.h"
#include "hw/core/machine.h"

#include "tests/vireo_check.h"

#define BASE 0x3f8

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
       LSR = 5, MSR = 6, SCR = 7 };

struct test_chr {
    struct chardev chr;
    uint8_t out[4096];
    size_t len;
};

static size_t tchr_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    struct test_chr *t = (struct test_chr *)chr;

    for (size_t i = 0; i < len && t->len < sizeof(t->out); i++)
        t->out[t->len++] = buf[i];
    return len;
}

static const struct chardev_ops tchr_ops = { .write = tchr_write };


static struct machine m;
static struct device *uart;
static struct test_chr tchr;
static struct irq_probe irq;

static void setup(void)
{
    char err[256];

    ck_assert_int_eq(machine_init(&m, 1 << 20, VCLOCK_MANUAL), 0);
    memset(&tchr, 0, sizeof(tchr));
    tchr.chr.ops = &tchr_ops;
    tchr.chr.name = "test";
    memset(&irq, 0, sizeof(irq));
    uart = device_create(&m, "isa-serial", err, sizeof(err));
    ck_assert_msg(uart != NULL, "%s", err);
    uart->irq[0] = (struct irq_line){ irq_probe_set, &irq, 4 };
    uart->chr = &tchr.chr;
    ck_assert_msg(device_realize(uart, err, sizeof(err)) == 0, "%s", err);
}

static void teardown(void)
{
    machine_destroy(&m);
}

static uint8_t in(unsigned reg)
{
    return (uint8_t)as_read(&m.io, BASE + reg, 1);
}

static void out(unsigned reg, uint8_t v)
{
    as_write(&m.io, BASE + reg, v, 1);
}

static size_t send(const char *s)
{
    return chr_deliver(&tchr.chr, (const uint8_t *)s, strlen(s));
}

static void set_divisor(uint16_t div, uint8_t lcr)
{
    out(LCR, 0x80);
    out(DLL, div & 0xff);
    out(DLM, div >> 8);
    out(LCR, lcr);
}

START_TEST(reset_values)
{
    ck_assert_uint_eq(in(IER), 0x00);
    ck_assert_uint_eq(in(IIR), 0x01);
    ck_assert_uint_eq(in(LCR), 0x00);
    ck_assert_uint_eq(in(MCR), 0x00);
    ck_assert_uint_eq(in(LSR), 0x60);
    ck_assert_uint_eq(in(MSR) & 0x0f, 0x00);
    /* Host side reads as a ready null-modem cable: CTS, DSR, DCD. */
    ck_assert_uint_eq(in(MSR), 0xb0);
    ck_assert_int_eq(irq.level, 0);

    /* Dirty everything, then a system reset restores the reset table;
     * divisor latch and scratch are not touched by master reset. */
    set_divisor(0x0c, 0x1b);
    out(SCR, 0x5a);
    out(FCR, 0xc7);
    out(IER, 0x0f);
    out(MCR, 0x1f);
    send("q");
    machine_reset_devices(&m);
    ck_assert_uint_eq(in(IER), 0x00);
    ck_assert_uint_eq(in(IIR), 0x01);
    ck_assert_uint_eq(in(LCR), 0x00);
    ck_assert_uint_eq(in(MCR), 0x00);
    ck_assert_uint_eq(in(LSR), 0x60);
    ck_assert_uint_eq(in(MSR), 0xb0);
    ck_assert_uint_eq(in(SCR), 0x5a);
    out(LCR, 0x80);
    ck_assert_uint_eq(in(DLL), 0x0c);
    ck_assert_uint_eq(in(DLM), 0x00);
}
END_TEST

START_TEST(thr_reaches_chardev)
{
    out(LCR, 0x03);
    out(THR, 'h');
    out(THR, 'i');
    out(THR, 0x00);
    out(THR, 0xff);
    ck_assert_uint_eq(tchr.len, 4);
    ck_assert_mem_eq(tchr.out, "hi\x00\xff", 4);
    /* Infinitely fast transmitter: THRE and TEMT stay set. */
    ck_assert_uint_eq(in(LSR), 0x60);
}
END_TEST

START_TEST(receive_sets_and_rbr_clears_dr)
{
    ck_assert_uint_eq(send("x"), 1);
    ck_assert_uint_eq(in(LSR), 0x61);
    ck_assert_uint_eq(in(RBR), 'x');
    ck_assert_uint_eq(in(LSR), 0x60);
    /* 16450 mode holds one character: the back end may send one more. */
    ck_assert_uint_eq(send("ab"), 1);
    ck_assert_uint_eq(in(RBR), 'a');
    ck_assert_uint_eq(send("b"), 1);
    ck_assert_uint_eq(in(RBR), 'b');
    ck_assert_uint_eq(in(LSR) & 0x01, 0);
}
END_TEST

START_TEST(divisor_latch_behind_dlab)
{
    out(IER, 0x05);
    out(LCR, 0x83);
    out(DLL, 0x01);
    out(DLM, 0x80);
    ck_assert_uint_eq(in(DLL), 0x01);
    ck_assert_uint_eq(in(DLM), 0x80);
    ck_assert_uint_eq(in(LCR), 0x83);
    ck_assert_uint_eq(tchr.len, 0);          /* DLL write is not THR */
    out(LCR, 0x03);
    ck_assert_uint_eq(in(IER), 0x05);        /* DLM write did not reach IER */
    out(THR, 'z');
    ck_assert_uint_eq(tchr.len, 1);
    out(LCR, 0x83);
    ck_assert_uint_eq(in(DLL), 0x01);        /* THR write did not reach DLL */
    /* IER keeps only bits 0-3, MCR bits 0-4. */
    out(LCR, 0x03);
    out(IER, 0xff);
    ck_assert_uint_eq(in(IER), 0x0f);
    out(MCR, 0xef);
    ck_assert_uint_eq(in(MCR), 0x0f);
    out(SCR, 0xa5);
    ck_assert_uint_eq(in(SCR), 0xa5);
}
END_TEST

START_TEST(iir_priorities)
{
    /* Loopback makes every source reachable: RTS drives CTS (modem
     * status), THR feeds RBR (data), a second byte overruns (line status). */
    out(MCR, 0x10);
    in(MSR);                                 /* drop the deltas of entering loop */
    out(IER, 0x0f);                          /* THRE pending: IER enabled with THR empty */
    ck_assert_uint_eq(in(IIR), 0x02);
    out(IER, 0x00);
    out(IER, 0x0f);
    out(MCR, 0x12);                          /* RTS -> CTS changes: DCTS */
    out(THR, 'a');                           /* received, 16450 mode */
    out(THR, 'b');                           /* overrun: OE */
    ck_assert_uint_eq(in(IIR), 0x06);        /* line status first */
    ck_assert_uint_eq(in(IIR), 0x06);        /* reading IIR does not clear it */
    ck_assert_uint_eq(in(LSR), 0x63);        /* DR | OE | THRE | TEMT; read clears OE */
    ck_assert_uint_eq(in(IIR), 0x04);        /* then received data */
    ck_assert_uint_eq(in(RBR), 'b');         /* 16450 overrun overwrote 'a' */
    ck_assert_uint_eq(in(IIR), 0x02);        /* then THRE, which this read clears */
    ck_assert_uint_eq(in(IIR), 0x00);        /* then modem status */
    ck_assert_uint_eq(in(MSR), 0x11);        /* CTS | DCTS; read clears DCTS */
    ck_assert_uint_eq(in(IIR), 0x01);
}
END_TEST

START_TEST(thre_interrupt)
{
    out(MCR, 0x08);                          /* OUT2: the PC's IRQ enable */
    ck_assert_int_eq(irq.level, 0);
    out(IER, 0x02);                          /* THR empty: interrupt at once */
    ck_assert_int_eq(irq.level, 1);
    ck_assert_uint_eq(irq.raises, 1);
    ck_assert_uint_eq(in(IIR), 0x02);        /* reading IIR clears THRE ... */
    ck_assert_int_eq(irq.level, 0);
    ck_assert_uint_eq(in(IIR), 0x01);
    out(THR, 'a');                           /* ... THR empties again */
    ck_assert_int_eq(irq.level, 1);
    ck_assert_uint_eq(irq.raises, 2);
    /* A THR write clears THRE too: the line drops and rises (a fresh
     * edge for an edge-triggered PIC) as the character leaves. */
    out(THR, 'b');
    ck_assert_uint_eq(irq.raises, 3);
    ck_assert_int_eq(irq.level, 1);
    out(IER, 0x00);
    ck_assert_int_eq(irq.level, 0);
    ck_assert_uint_eq(in(IIR), 0x01);
    out(IER, 0x02);                          /* re-enabling raises it again */
    ck_assert_int_eq(irq.level, 1);
    ck_assert_uint_eq(in(IIR), 0x02);
    /* Writing IER again with ETBEI already set is no new event. */
    out(IER, 0x02);
    ck_assert_uint_eq(in(IIR), 0x01);
    ck_assert_int_eq(irq.level, 0);
}
END_TEST

START_TEST(irq_gated_by_out2)
{
    out(IER, 0x01);
    send("k");
    ck_assert_uint_eq(in(IIR), 0x04);
    ck_assert_int_eq(irq.level, 0);          /* pending, but OUT2 clear */
    out(MCR, 0x08);
    ck_assert_int_eq(irq.level, 1);
    out(MCR, 0x07);                          /* DTR RTS OUT1 but not OUT2 */
    ck_assert_int_eq(irq.level, 0);
    out(MCR, 0x08);
    ck_assert_int_eq(irq.level, 1);
    in(RBR);
    ck_assert_int_eq(irq.level, 0);
    /* Loopback forces the OUT2 pin inactive: pending but no IRQ. */
    out(MCR, 0x18);
    out(THR, 'l');
    ck_assert_uint_eq(in(IIR), 0x04);
    ck_assert_int_eq(irq.level, 0);
}
END_TEST

static void check_trigger(uint8_t fcr, unsigned level)
{
    char one[2] = "0";

    out(FCR, fcr | 0x07);
    out(IER, 0x01);
    out(MCR, 0x08);
    for (unsigned i = 1; i < level; i++) {
        ck_assert_uint_eq(send(one), 1);
        ck_assert_msg(in(IIR) == 0xc1, "level %u: RDA after %u bytes", level, i);
        ck_assert_int_eq(irq.level, 0);
    }
    ck_assert_uint_eq(send(one), 1);
    ck_assert_msg(in(IIR) == 0xc4, "level %u: no RDA at the trigger", level);
    ck_assert_int_eq(irq.level, 1);
    ck_assert_uint_eq(in(LSR) & 0x01, 1);
    in(RBR);                                 /* below the trigger: cleared */
    ck_assert_uint_eq(in(IIR), 0xc1);
    ck_assert_int_eq(irq.level, 0);
    out(FCR, 0x03 | fcr);                    /* RX reset for the next round */
}

START_TEST(fifo_trigger_levels)
{
    check_trigger(0x00, 1);
    check_trigger(0x40, 4);
    check_trigger(0x80, 8);
    check_trigger(0xc0, 14);
    /* IIR bits 6-7 follow FCR0. */
    out(FCR, 0x00);
    ck_assert_uint_eq(in(IIR), 0x01);
}
END_TEST

/* Data below the trigger, no FIFO activity for exactly NS: CTI then. */
static void check_timeout(uint16_t div, uint8_t lcr, uint64_t ns)
{
    set_divisor(div, lcr);
    out(FCR, 0xc7);                          /* trigger 14 */
    out(IER, 0x01);
    out(MCR, 0x08);
    send("ab");
    ck_assert_uint_eq(in(IIR), 0xc1);
    vclock_step(&m.clock, ns - 1);
    ck_assert_msg(in(IIR) == 0xc1, "timeout before 4 character times (%llu ns)",
                  (unsigned long long)ns);
    ck_assert_int_eq(irq.level, 0);
    vclock_step(&m.clock, 1);
    ck_assert_uint_eq(in(IIR), 0xcc);
    ck_assert_int_eq(irq.level, 1);
    /* A CPU read clears it and restarts the timer. */
    ck_assert_uint_eq(in(RBR), 'a');
    ck_assert_uint_eq(in(IIR), 0xc1);
    ck_assert_int_eq(irq.level, 0);
    vclock_step(&m.clock, ns - 1);
    ck_assert_uint_eq(in(IIR), 0xc1);
    vclock_step(&m.clock, 1);
    ck_assert_uint_eq(in(IIR), 0xcc);
    ck_assert_uint_eq(in(RBR), 'b');
    /* Empty FIFO: no timeout however long we wait. */
    vclock_step(&m.clock, 100 * ns);
    ck_assert_uint_eq(in(IIR), 0xc1);
    out(FCR, 0xc3);
}

START_TEST(character_timeout)
{
    /* 9600 baud 8N1: 10 bits * 16 * 12 / 1.8432 MHz = 1.0417 ms a char. */
    check_timeout(12, 0x03, 4166667);
    /* 115200 baud, 8 data + even parity + 2 stop = 12 bits. */
    check_timeout(1, 0x1f, 416667);
    /* 38400 baud, 5 data + 1.5 stop = 7.5 bits: 4 * 7.5 * 16 * 3 / 1.8432 MHz. */
    check_timeout(3, 0x04, 781250);
}
END_TEST

START_TEST(timeout_restarted_by_input)
{
    set_divisor(12, 0x03);
    out(FCR, 0xc7);
    out(IER, 0x01);
    send("a");
    vclock_step(&m.clock, 3000000);
    send("b");                               /* new character: timer restarts */
    vclock_step(&m.clock, 3000000);          /* 6 ms after 'a', 3 ms after 'b' */
    ck_assert_uint_eq(in(IIR), 0xc1);
    vclock_step(&m.clock, 1166667);
    ck_assert_uint_eq(in(IIR), 0xcc);
    /* No timeout in 16450 mode: just received data. */
    out(FCR, 0x00);
    send("c");
    vclock_step(&m.clock, 1000000000);
    ck_assert_uint_eq(in(IIR), 0x04);
}
END_TEST

START_TEST(overrun_fifo)
{
    const uint8_t extra = '!';

    out(FCR, 0x01);
    out(IER, 0x04);
    ck_assert_uint_eq(send("0123456789abcdef"), 16);
    ck_assert_uint_eq(in(LSR), 0x61);
    ck_assert_int_eq(tchr.chr.can_receive(tchr.chr.fe_opaque), 0);
    ck_assert_uint_eq(send("X"), 0);         /* flow control holds it back */
    /* A sender that ignores flow control: the 17th character is lost. */
    tchr.chr.receive(tchr.chr.fe_opaque, &extra, 1);
    ck_assert_uint_eq(in(IIR), 0xc6);
    ck_assert_uint_eq(in(LSR), 0x63);
    ck_assert_uint_eq(in(LSR), 0x61);        /* OE cleared by the read */
    ck_assert_uint_eq(in(IIR), 0xc1);
    for (const char *p = "0123456789abcdef"; *p; p++)
        ck_assert_uint_eq(in(RBR), (uint8_t)*p);
    ck_assert_uint_eq(in(LSR), 0x60);
}
END_TEST

START_TEST(overrun_16450)
{
    const uint8_t second = 'B';

    ck_assert_uint_eq(send("A"), 1);
    ck_assert_int_eq(tchr.chr.can_receive(tchr.chr.fe_opaque), 0);
    tchr.chr.receive(tchr.chr.fe_opaque, &second, 1);
    ck_assert_uint_eq(in(LSR), 0x63);
    ck_assert_uint_eq(in(RBR), 'B');         /* the unread character is destroyed */
    ck_assert_uint_eq(in(LSR), 0x60);
}
END_TEST

START_TEST(loopback)
{
    out(MCR, 0x10);
    /* Entering loopback disconnects CTS/DSR/DCD (were high): deltas. */
    ck_assert_uint_eq(in(MSR), 0x0b);
    ck_assert_uint_eq(in(MSR), 0x00);
    out(THR, 'Z');
    ck_assert_uint_eq(tchr.len, 0);          /* nothing on the wire */
    ck_assert_uint_eq(in(LSR), 0x61);
    ck_assert_uint_eq(in(RBR), 'Z');
    /* Host input waits while SIN is disconnected. */
    ck_assert_uint_eq(send("h"), 0);
    ck_assert_uint_eq(in(LSR), 0x60);
    /* RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
    out(MCR, 0x12);
    ck_assert_uint_eq(in(MSR), 0x11);
    out(MCR, 0x13);
    ck_assert_uint_eq(in(MSR), 0x32);
    out(MCR, 0x17);
    ck_assert_uint_eq(in(MSR), 0x70);        /* RI rising: no TERI */
    out(MCR, 0x13);
    ck_assert_uint_eq(in(MSR), 0x34);        /* RI trailing edge: TERI */
    out(MCR, 0x1b);
    ck_assert_uint_eq(in(MSR), 0xb8);        /* DCD | DDCD */
    /* Modem status interrupt from MCR writes, IIR 0. */
    out(IER, 0x08);
    out(MCR, 0x19);
    ck_assert_uint_eq(in(IIR), 0x00);
    ck_assert_uint_eq(in(MSR), 0xa1);
    ck_assert_uint_eq(in(IIR), 0x01);
    /* Leaving loopback: the host side's lines come back. */
    out(MCR, 0x00);
    ck_assert_uint_eq(in(MSR), 0xb1);        /* CTS came back: DCTS */
    out(THR, 'W');
    ck_assert_uint_eq(tchr.len, 1);
    ck_assert_uint_eq(in(LSR) & 0x01, 0);
}
END_TEST

START_TEST(fcr_resets)
{
    out(FCR, 0x01);
    ck_assert_uint_eq(send("abc"), 3);
    ck_assert_uint_eq(in(LSR), 0x61);
    out(FCR, 0x03);                          /* RX FIFO reset */
    ck_assert_uint_eq(in(LSR), 0x60);
    ck_assert_int_eq(tchr.chr.can_receive(tchr.chr.fe_opaque), 16);
    ck_assert_uint_eq(send("d"), 1);
    ck_assert_uint_eq(in(RBR), 'd');
    /* Changing FCR0 clears the FIFOs too; trigger bits need FCR0 = 1. */
    ck_assert_uint_eq(send("ef"), 2);
    out(FCR, 0xc0);                          /* FIFOs off */
    ck_assert_uint_eq(in(LSR), 0x60);
    ck_assert_uint_eq(in(IIR), 0x01);
    ck_assert_int_eq(tchr.chr.can_receive(tchr.chr.fe_opaque), 1);
    out(FCR, 0x05);                          /* on, TX reset: harmless */
    ck_assert_uint_eq(in(IIR), 0xc1);
    ck_assert_uint_eq(in(LSR), 0x60);
}
END_TEST

START_TEST(break_and_fifo_error)
{
    out(FCR, 0x01);
    out(IER, 0x05);
    send("a");
    serial16550_receive_break(uart);
    send("b");
    /* BI shows when the break character reaches the top of the FIFO;
     * bit 7 as soon as it is in the FIFO. */
    ck_assert_uint_eq(in(IIR), 0xc4);
    ck_assert_uint_eq(in(LSR), 0xe1);
    ck_assert_uint_eq(in(RBR), 'a');
    ck_assert_uint_eq(in(IIR), 0xc6);
    ck_assert_uint_eq(in(LSR), 0xf1);        /* BI | FIFO error | DR */
    ck_assert_uint_eq(in(LSR), 0xe1);        /* BI read-cleared; bit 7 stays */
    ck_assert_uint_eq(in(RBR), 0x00);        /* a break loads one zero */
    ck_assert_uint_eq(in(LSR), 0xe1);        /* bit 7 clears on the read after */
    ck_assert_uint_eq(in(LSR), 0x61);
    ck_assert_uint_eq(in(RBR), 'b');
    /* 16450 mode: BI directly, bit 7 never. */
    out(FCR, 0x00);
    serial16550_receive_break(uart);
    ck_assert_uint_eq(in(LSR), 0x71);
    ck_assert_uint_eq(in(RBR), 0x00);
    ck_assert_uint_eq(in(LSR), 0x60);
}
END_TEST

START_TEST(wide_and_hostile_accesses)
{
    /* Word write at the base: THR then IER (split into bytes). */
    as_write(&m.io, BASE, 0xff41, 2);
    ck_assert_uint_eq(tchr.len, 1);
    ck_assert_uint_eq(tchr.out[0], 'A');
    ck_assert_uint_eq(in(IER), 0x0f);
    out(IER, 0);
    /* Dword read of LCR..MSR; LSR/MSR writes are ignored. */
    out(LCR, 0x03);
    out(MCR, 0x01);
    as_write(&m.io, BASE + LSR, 0xffff, 2);
    ck_assert_uint_eq(as_read(&m.io, BASE + LCR, 4), 0xb0600103u);
    /* Past the last register is not ours. */
    ck_assert_uint_eq(as_read(&m.io, BASE + 8, 1), 0xff);
    ck_assert_uint_eq(as_read(&m.io, BASE + 7, 2) >> 8, 0xff);
}
END_TEST

START_TEST(iobase_property)
{
    char err[256];
    struct device *d = device_create(&m, "isa-serial", err, sizeof(err));

    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(device_set_props(d, "iobase=0x2f8", err, sizeof(err)), 0);
    ck_assert_int_eq(device_realize(d, err, sizeof(err)), 0);
    as_write(&m.io, 0x2f8 + SCR, 0x77, 1);
    ck_assert_uint_eq(as_read(&m.io, 0x2f8 + SCR, 1), 0x77);
    ck_assert_uint_ne(in(SCR), 0x77);
    /* Clashing or out-of-range ports are refused with a message. */
    d = device_create(&m, "isa-serial", err, sizeof(err));
    ck_assert_int_ne(device_realize(d, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "0x3f8"));
    d = device_create(&m, "isa-serial", err, sizeof(err));
    ck_assert_int_eq(device_set_props(d, "iobase=0xfffc", err, sizeof(err)), 0);
    ck_assert_int_ne(device_realize(d, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "iobase"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("serial16550");
    TCase *tc = tcase_create("pc16550d");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, reset_values);
    tcase_add_test(tc, thr_reaches_chardev);
    tcase_add_test(tc, receive_sets_and_rbr_clears_dr);
    tcase_add_test(tc, divisor_latch_behind_dlab);
    tcase_add_test(tc, iir_priorities);
    tcase_add_test(tc, thre_interrupt);
    tcase_add_test(tc, irq_gated_by_out2);
    tcase_add_test(tc, fifo_trigger_levels);
    tcase_add_test(tc, character_timeout);
    tcase_add_test(tc, timeout_restarted_by_input);
    tcase_add_test(tc, overrun_fifo);
    tcase_add_test(tc, overrun_16450);
    tcase_add_test(tc, loopback);
    tcase_add_test(tc, fcr_resets);
    tcase_add_test(tc, break_and_fifo_error);
    tcase_add_test(tc, wide_and_hostile_accesses);
    tcase_add_test(tc, iobase_property);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
