/*
 * test_i8254.c - the 82C54 model against the Intel 82C54 datasheet, with
 * a manually stepped virtual clock: the input clock is 1.193182 MHz and
 * CLK pulse k happens at ceil(k * 1e9 / 1193182) ns, so every OUT edge is
 * checked to the exact pulse (well within one input-clock period).
 *
 * Covered: power-on state; mode 2 IRQ0 period N/1.193182 MHz; mode 0 OUT
 * low until terminal count (N + 1 pulses after the write) and the wrap to
 * FFFF; mode 3 half periods for even and odd counts with the datasheet's
 * CE sequences; mode 4 and mode 5 strobes; mode 1 one-shot and
 * retrigger; counter latch (freezes, first latch wins); LSB/MSB access
 * modes and the byte flip-flops; read-back of count and status (OUTPUT,
 * NULL COUNT, mode bits as written, status before count, first status
 * latch wins); BCD counting and count 0 = 10000 (BCD) / 65536 (binary);
 * GATE (counter 2 through port 0x61 bit 0 and i8254_set_gate; modes 0 and
 * 2 pause/reload); port 0x61 bit 5 = OUT2 and the refresh toggle in bit 4;
 * new counts in modes 2 and 3 taking effect at the end of the period /
 * half-cycle; mode 0's first byte stopping the count; hostile writes;
 * IRQ0 through the 8259A at the programmed rate; late timers (an
 * instruction-driven clock) delivering the missed edges in order.
 */
#include <check.h>
#include <string.h>

#include "hw/core/device.h"
#include "hw/core/machine.h"
#include "hw/isa/i8254.h"
#include "hw/isa/i8259.h"

#include "tests/vireo_check.h"

#define PIT_HZ  1193182ull
#define CH0     0x40
#define CH1     0x41
#define CH2     0x42
#define CTRL    0x43
#define PORT61  0x61

#define MAX_EDGES 4096

struct probe {
    int level;
    unsigned n;
    uint64_t t[MAX_EDGES];
    int lv[MAX_EDGES];
};

static struct machine m;
static struct device *pit;
static struct probe out0;

static void probe_irq(void *opaque, unsigned n, int level)
{
    struct probe *p = opaque;

    ck_assert_int_ne(level, p->level);      /* the device only reports changes */
    p->level = level;
    if (p->n < MAX_EDGES) {
        p->t[p->n] = vclock_now(&m.clock);
        p->lv[p->n] = level;
        p->n++;
    }
}

static void setup(void)
{
    char err[256];

    ck_assert_int_eq(machine_init(&m, 2 << 20, VCLOCK_MANUAL), 0);
    memset(&out0, 0, sizeof(out0));
    out0.level = -1;                        /* nothing driven yet */
    pit = device_create(&m, "i8254", err, sizeof(err));
    ck_assert_msg(pit != NULL, "%s", err);
    pit->irq[0] = (struct irq_line){ probe_irq, &out0, 0 };
    ck_assert_msg(device_realize(pit, err, sizeof(err)) == 0, "%s", err);
}

static void teardown(void)
{
    machine_destroy(&m);
}

static uint8_t in(uint16_t port)
{
    return (uint8_t)as_read(&m.io, port, 1);
}

static void out(uint16_t port, uint8_t v)
{
    as_write(&m.io, port, v, 1);
}

/* Time of CLK pulse K, and the last pulse at the current time. */
static uint64_t tick_ns(uint64_t k)
{
    return (k * 1000000000ull + PIT_HZ - 1) / PIT_HZ;
}

static uint64_t now_tick(void)
{
    return (uint64_t)((unsigned __int128)vclock_now(&m.clock) * PIT_HZ / 1000000000ull);
}

static void step_to_ns(uint64_t ns)
{
    uint64_t now = vclock_now(&m.clock);

    ck_assert_uint_ge(ns, now);
    vclock_step(&m.clock, ns - now);
}

static void step_to_tick(uint64_t k)
{
    step_to_ns(tick_ns(k));
    ck_assert_uint_eq(now_tick(), k);
}

static void write16(uint16_t port, uint16_t v)
{
    out(port, v & 0xff);
    out(port, v >> 8);
}

static uint16_t read16(uint16_t port)
{
    uint16_t lo = in(port);

    return (uint16_t)(lo | in(port) << 8);
}

/* Counter latch command, then the two bytes. */
static uint16_t latched(unsigned ch)
{
    out(CTRL, (uint8_t)(ch << 6));
    return read16((uint16_t)(CH0 + ch));
}

static uint8_t status(unsigned ch)
{
    out(CTRL, (uint8_t)(0xe0 | 2u << ch));  /* read-back, status only */
    return in((uint16_t)(CH0 + ch));
}

static bool out_bit(unsigned ch)
{
    return status(ch) & 0x80;
}

START_TEST(power_on_state)
{
    /* As after control word 0x30 with no count: OUT low, NULL COUNT. */
    ck_assert_int_eq(out0.level, 0);
    ck_assert_uint_eq(status(0), 0x70);
    ck_assert_uint_eq(status(1), 0x70);
    ck_assert_uint_eq(status(2), 0x70);
    ck_assert_uint_eq(in(CTRL), 0xff);      /* control port does not read */
    ck_assert_uint_eq(in(PORT61) & 0x2f, 0x00);
    step_to_tick(100000);
    ck_assert_uint_eq(out0.n, 1);           /* only the initial low */
}
END_TEST

START_TEST(mode2_rate_generator)
{
    const uint64_t n = 11932;               /* ~100 Hz */
    uint64_t k0, prev = 0;
    unsigned rises = 0;

    step_to_ns(12345);
    k0 = now_tick();
    out(CTRL, 0x34);                        /* ch0, LSB/MSB, mode 2 */
    ck_assert_int_eq(out0.level, 1);        /* OUT high after the mode */
    write16(CH0, (uint16_t)n);
    out0.n = 0;
    /* Loaded on pulse k0 + 1; low when CE = 1, i.e. at k0 + N; high
     * again on reload one pulse later; repeating every N pulses. */
    step_to_ns(1000000000);
    ck_assert_uint_ge(out0.n, 2 * 83);
    for (unsigned i = 0; i < out0.n; i++) {
        uint64_t cycle = i / 2;

        if (out0.lv[i] == 0) {
            ck_assert_uint_eq(out0.t[i], tick_ns(k0 + n + cycle * n));
        } else {
            ck_assert_uint_eq(out0.t[i], tick_ns(k0 + n + 1 + cycle * n));
            /* IRQ0 period: N / 1.193182 MHz within one input clock. */
            if (rises++) {
                uint64_t period = out0.t[i] - prev;
                uint64_t ideal = n * 1000000000ull / PIT_HZ;

                ck_assert_uint_le(period > ideal ? period - ideal : ideal - period, 839);
            }
            prev = out0.t[i];
        }
    }
    /* CE counts N..1 between reloads. */
    step_to_tick(k0 + 1 + 101 * n);
    ck_assert_uint_eq(latched(0), n);
    step_to_tick(k0 + 1 + 101 * n + 7);
    ck_assert_uint_eq(latched(0), n - 7);
}
END_TEST

START_TEST(mode0_interrupt_on_terminal_count)
{
    uint64_t k0;

    out(CTRL, 0x34);                        /* OUT high first ... */
    ck_assert_int_eq(out0.level, 1);
    step_to_ns(5000);
    out(CTRL, 0x30);                        /* ... mode 0 drives it low */
    ck_assert_int_eq(out0.level, 0);
    k0 = now_tick();
    write16(CH0, 1000);
    out0.n = 0;
    step_to_tick(k0 + 1);
    ck_assert_uint_eq(latched(0), 1000);    /* loaded, not decremented */
    step_to_tick(k0 + 1 + 999);
    ck_assert_uint_eq(latched(0), 1);
    ck_assert_int_eq(out0.level, 0);
    step_to_tick(k0 + 1 + 1000);            /* N + 1 pulses after the write */
    ck_assert_int_eq(out0.level, 1);
    ck_assert_uint_eq(out0.n, 1);
    ck_assert_uint_eq(out0.t[0], tick_ns(k0 + 1001));
    ck_assert_uint_eq(latched(0), 0);
    /* The counter wraps to FFFF and keeps counting; OUT stays high. */
    step_to_tick(k0 + 1 + 1005);
    ck_assert_uint_eq(latched(0), 0xfffb);
    step_to_tick(k0 + 200000);
    ck_assert_uint_eq(out0.n, 1);
    /* A new count drives OUT low again. */
    write16(CH0, 10);
    ck_assert_int_eq(out0.level, 0);
    step_to_tick(k0 + 200000 + 11);
    ck_assert_int_eq(out0.level, 1);
}
END_TEST

START_TEST(mode0_first_byte_stops_count)
{
    uint64_t k0 = now_tick();

    out(CTRL, 0x30);
    write16(CH0, 100);
    step_to_tick(k0 + 41);                  /* CE = 60 */
    out(CH0, 0x10);                         /* LSB only so far */
    ck_assert_int_eq(out0.level, 0);
    step_to_tick(k0 + 400);
    ck_assert_int_eq(out0.level, 0);        /* stopped: no terminal count */
    ck_assert_uint_eq(latched(0), 60);
    out(CH0, 0x00);                         /* MSB: count 0x0010 loads */
    step_to_tick(k0 + 400 + 16);
    ck_assert_int_eq(out0.level, 0);
    step_to_tick(k0 + 400 + 17);
    ck_assert_int_eq(out0.level, 1);
}
END_TEST

/* Runs ch0 in mode 3 with count N and checks four periods of edges. */
static void check_square_wave(uint16_t count, uint64_t n)
{
    uint64_t k0, l, hi = (n + 1) / 2;

    out(CTRL, 0x36);
    k0 = now_tick();
    write16(CH0, count);
    out0.n = 0;
    l = k0 + 1;
    step_to_tick(l + 4 * n);
    ck_assert_uint_eq(out0.n, 8);
    for (unsigned c = 0; c < 4; c++) {
        ck_assert_int_eq(out0.lv[2 * c], 0);
        ck_assert_uint_eq(out0.t[2 * c], tick_ns(l + c * n + hi));       /* high (N+1)/2 */
        ck_assert_int_eq(out0.lv[2 * c + 1], 1);
        ck_assert_uint_eq(out0.t[2 * c + 1], tick_ns(l + (c + 1) * n));  /* low (N-1)/2 */
    }
}

START_TEST(mode3_square_wave)
{
    uint64_t l;

    check_square_wave(10, 10);
    check_square_wave(11, 11);
    check_square_wave(0x1234, 0x1234);
    check_square_wave(0x1235, 0x1235);
    check_square_wave(0, 65536);            /* 18.2 Hz: 32768 + 32768 */

    /* Datasheet CE sequences.  Even (6): 6 4 2 | 6 4 2 ... */
    out(CTRL, 0x36);
    l = now_tick() + 1;
    write16(CH0, 6);
    {
        static const uint16_t even[] = { 6, 4, 2, 6, 4, 2, 6 };

        for (unsigned j = 0; j < 7; j++) {
            step_to_tick(l + j);
            ck_assert_uint_eq(latched(0), even[j]);
        }
    }
    /* Odd (7): high 7 6 4 2, low 7 4 2. */
    out(CTRL, 0x36);
    l = now_tick() + 1;
    write16(CH0, 7);
    {
        static const uint16_t odd[] = { 7, 6, 4, 2, 7, 4, 2, 7, 6 };
        static const int lvl[] = { 1, 1, 1, 1, 0, 0, 0, 1, 1 };

        for (unsigned j = 0; j < 9; j++) {
            step_to_tick(l + j);
            ck_assert_uint_eq(latched(0), odd[j]);
            ck_assert_int_eq(out0.level, lvl[j]);
        }
    }
}
END_TEST

START_TEST(mode4_software_strobe)
{
    uint64_t k0;

    out(CTRL, 0x38);                        /* ch0, LSB/MSB, mode 4 */
    ck_assert_int_eq(out0.level, 1);
    k0 = now_tick();
    write16(CH0, 30);
    out0.n = 0;
    step_to_tick(k0 + 200);
    ck_assert_uint_eq(out0.n, 2);
    ck_assert_int_eq(out0.lv[0], 0);
    ck_assert_uint_eq(out0.t[0], tick_ns(k0 + 31));  /* N + 1 pulses */
    ck_assert_int_eq(out0.lv[1], 1);
    ck_assert_uint_eq(out0.t[1], tick_ns(k0 + 32));  /* for one pulse */
    step_to_tick(k0 + 200000);
    ck_assert_uint_eq(out0.n, 2);           /* no further strobes */
}
END_TEST

START_TEST(mode5_hardware_strobe)
{
    uint64_t g;

    out(CTRL, 0x3a);                        /* ch0, LSB/MSB, mode 5 */
    write16(CH0, 20);
    out0.n = 0;
    step_to_tick(1000);
    ck_assert_uint_eq(out0.n, 0);           /* waits for a trigger */
    i8254_set_gate(pit, 0, 0);
    step_to_ns(tick_ns(1500) + 300);
    g = now_tick();
    i8254_set_gate(pit, 0, 1);              /* trigger */
    step_to_tick(g + 100);
    ck_assert_uint_eq(out0.n, 2);
    ck_assert_uint_eq(out0.t[0], tick_ns(g + 21));
    ck_assert_uint_eq(out0.t[1], tick_ns(g + 22));
    /* Retrigger during counting restarts the count. */
    i8254_set_gate(pit, 0, 0);
    i8254_set_gate(pit, 0, 1);
    g = now_tick();
    step_to_tick(g + 10);
    i8254_set_gate(pit, 0, 0);
    i8254_set_gate(pit, 0, 1);
    step_to_tick(g + 10 + 100);
    ck_assert_uint_eq(out0.n, 4);
    ck_assert_uint_eq(out0.t[2], tick_ns(g + 10 + 21));
}
END_TEST

START_TEST(mode1_one_shot)
{
    uint64_t g;

    out(CTRL, 0x72);                        /* ch1, LSB/MSB, mode 1 */
    write16(CH1, 20);
    ck_assert(out_bit(1));
    step_to_tick(500);
    ck_assert(out_bit(1));                  /* armed, not triggered */
    i8254_set_gate(pit, 1, 0);
    i8254_set_gate(pit, 1, 1);
    g = now_tick();
    ck_assert(out_bit(1));
    step_to_tick(g + 1);
    ck_assert(!out_bit(1));                 /* low on the pulse after the trigger */
    step_to_tick(g + 20);
    ck_assert(!out_bit(1));
    step_to_tick(g + 21);
    ck_assert(out_bit(1));                  /* N pulses wide */
    /* Retrigger while low stretches the pulse. */
    i8254_set_gate(pit, 1, 0);
    i8254_set_gate(pit, 1, 1);
    g = now_tick();
    step_to_tick(g + 15);
    i8254_set_gate(pit, 1, 0);
    i8254_set_gate(pit, 1, 1);
    step_to_tick(g + 15 + 20);
    ck_assert(!out_bit(1));
    step_to_tick(g + 15 + 21);
    ck_assert(out_bit(1));
    /* A new count does not touch the running shot; the next trigger uses it. */
    write16(CH1, 5);
    i8254_set_gate(pit, 1, 0);
    i8254_set_gate(pit, 1, 1);
    g = now_tick();
    step_to_tick(g + 6);
    ck_assert(out_bit(1));
}
END_TEST

START_TEST(counter_latch)
{
    uint64_t k0 = now_tick();
    uint16_t v;

    out(CTRL, 0x34);
    write16(CH0, 50000);
    step_to_tick(k0 + 1 + 1234);
    out(CTRL, 0x00);                        /* latch counter 0 */
    step_to_tick(k0 + 1 + 3000);
    out(CTRL, 0x00);                        /* ignored: already latched */
    v = read16(CH0);
    ck_assert_uint_eq(v, 50000 - 1234);
    /* Latch released: the next read is live. */
    ck_assert_uint_eq(read16(CH0), 50000 - 3000);
    /* Reads and writes interleave with their own flip-flops. */
    out(CTRL, 0x00);
    ck_assert_uint_eq(in(CH0), (50000 - 3000) & 0xff);
    out(CH0, 0x10);
    ck_assert_uint_eq(in(CH0), (50000 - 3000) >> 8);
    out(CH0, 0x27);
    step_to_tick(k0 + 1 + 50000);           /* end of period: 0x2710 loads */
    ck_assert_uint_eq(latched(0), 10000);
}
END_TEST

START_TEST(access_modes)
{
    uint64_t k0;

    /* LSB only: MSB is zero. */
    out(CTRL, 0x54);                        /* ch1, LSB, mode 2 */
    k0 = now_tick();
    out(CH1, 0x34);
    step_to_tick(k0 + 1);
    ck_assert_uint_eq(in(CH1), 0x34);
    ck_assert_uint_eq(in(CH1), 0x34);       /* every read is the LSB */
    /* MSB only: LSB is zero. */
    out(CTRL, 0x64);                        /* ch1, MSB, mode 2 */
    k0 = now_tick();
    out(CH1, 0x12);
    step_to_tick(k0 + 1);
    ck_assert_uint_eq(in(CH1), 0x12);
    step_to_tick(k0 + 3);
    out(CTRL, 0x40);
    step_to_tick(k0 + 0x300);
    ck_assert_uint_eq(in(CH1), 0x11);       /* latched 0x1200 - 2 = 0x11fe: MSB */
    ck_assert_uint_eq(in(CH1), 0x0f);       /* live again: 0x1200 - 0x2ff */
    /* LSB then MSB. */
    out(CTRL, 0x74);
    k0 = now_tick();
    out(CH1, 0xcd);
    ck_assert_uint_eq(status(1) & 0x40, 0x40);
    out(CH1, 0xab);
    step_to_tick(k0 + 1);
    ck_assert_uint_eq(in(CH1), 0xcd);
    ck_assert_uint_eq(in(CH1), 0xab);
    /* A control word resets the flip-flop. */
    ck_assert_uint_eq(in(CH1), 0xcd);
    out(CTRL, 0x74);
    ck_assert_uint_eq(in(CH1) , 0xcd);
}
END_TEST

START_TEST(read_back)
{
    uint64_t k0;

    out(CTRL, 0x7c);                        /* ch1, LSB/MSB, mode "110" = 2 */
    ck_assert_uint_eq(status(1), 0x80 | 0x40 | 0x3c); /* bits as written */
    k0 = now_tick();
    write16(CH1, 1000);
    ck_assert_uint_eq(status(1), 0xc0 | 0x3c); /* not loaded yet */
    step_to_tick(k0 + 1);
    ck_assert_uint_eq(status(1), 0x80 | 0x3c); /* loaded: NULL COUNT clear */
    /* OUT low for the pulse where CE = 1. */
    step_to_tick(k0 + 1000);
    ck_assert_uint_eq(status(1), 0x3c);

    /* Count and status together: status first, then the count. */
    step_to_tick(k0 + 1 + 1000 + 100);
    out(CTRL, 0xc4);                        /* !COUNT = 0, !STATUS = 0, ch1 */
    step_to_tick(k0 + 1 + 1000 + 300);
    ck_assert_uint_eq(in(CH1), 0x80 | 0x3c);
    ck_assert_uint_eq(read16(CH1), 900);

    /* The first status latch wins until read. */
    out(CTRL, 0xe4);
    step_to_tick(k0 + 2000);                /* OUT low now */
    out(CTRL, 0xe4);
    ck_assert_uint_eq(in(CH1), 0x80 | 0x3c);
    ck_assert_uint_eq(status(1), 0x3c);

    /* One command latches several counters. */
    out(CTRL, 0x34);
    write16(CH0, 0x4000);
    out(CTRL, 0xb4);
    write16(CH2, 0x5000);
    out(PORT61, 0x01);                      /* gate 2 on */
    k0 = now_tick();
    step_to_tick(k0 + 10);
    out(CTRL, 0xda);                        /* count of counters 2, 0 */
    step_to_tick(k0 + 50);
    ck_assert_uint_eq(read16(CH0), 0x4000 - 9);
    ck_assert_uint_eq(read16(CH2), 0x5000 - 9);
    ck_assert_uint_eq(read16(CH2), 0x5000 - 49);  /* latch consumed: live */
}
END_TEST

START_TEST(bcd_counting)
{
    uint64_t k0;

    out(CTRL, 0x35);                        /* ch0, LSB/MSB, mode 2, BCD */
    ck_assert_uint_eq(status(0) & 0x3f, 0x35);
    k0 = now_tick();
    write16(CH0, 0x9999);
    step_to_tick(k0 + 1);
    ck_assert_uint_eq(latched(0), 0x9999);
    step_to_tick(k0 + 1 + 1234);
    ck_assert_uint_eq(latched(0), 0x8765);
    out0.n = 0;
    step_to_tick(k0 + 1 + 3 * 9999);
    ck_assert_uint_eq(out0.n, 6);
    ck_assert_uint_eq(out0.t[1] , tick_ns(k0 + 1 + 9999));
    ck_assert_uint_eq(out0.t[3] - out0.t[1], tick_ns(k0 + 1 + 2 * 9999) - tick_ns(k0 + 1 + 9999));

    /* Count 0 is 10000 in BCD ... */
    out(CTRL, 0x35);
    k0 = now_tick();
    write16(CH0, 0);
    out0.n = 0;
    step_to_tick(k0 + 1 + 3 * 10000);
    ck_assert_uint_eq(out0.n, 6);
    ck_assert_uint_eq(out0.t[0], tick_ns(k0 + 10000));
    ck_assert_uint_eq(out0.t[2], tick_ns(k0 + 20000));
    /* ... and 65536 in binary. */
    out(CTRL, 0x34);
    k0 = now_tick();
    write16(CH0, 0);
    out0.n = 0;
    step_to_tick(k0 + 1);
    ck_assert_uint_eq(latched(0), 0);
    step_to_tick(k0 + 2);
    ck_assert_uint_eq(latched(0), 0xffff);
    step_to_tick(k0 + 1 + 2 * 65536);
    ck_assert_uint_eq(out0.n, 4);
    ck_assert_uint_eq(out0.t[0], tick_ns(k0 + 65536));
    ck_assert_uint_eq(out0.t[2], tick_ns(k0 + 2 * 65536));

    /* Mode 0 in BCD wraps to 9999. */
    out(CTRL, 0x31);
    k0 = now_tick();
    write16(CH0, 0x0005);
    step_to_tick(k0 + 1 + 6);
    ck_assert_uint_eq(latched(0), 0x9999);
}
END_TEST

START_TEST(counter2_gate_and_port61)
{
    uint64_t g;

    ck_assert_uint_eq(in(PORT61) & 0x0f, 0x00);
    /* Linux's PIT calibration: gate off, mode 0 on counter 2, gate on,
     * poll port 0x61 bit 5 for OUT2. */
    out(PORT61, 0x00);
    out(CTRL, 0xb0);
    write16(CH2, 100);
    step_to_tick(now_tick() + 1000);
    ck_assert_uint_eq(in(PORT61) & 0x20, 0x00);  /* gate low: no counting */
    ck_assert_uint_eq(latched(2), 100);
    out(PORT61, 0x01);
    g = now_tick();
    ck_assert_uint_eq(in(PORT61) & 0x0f, 0x01);
    step_to_ns(tick_ns(g + 100) - 1);
    ck_assert_uint_eq(in(PORT61) & 0x20, 0x00);
    step_to_tick(g + 100);
    ck_assert_uint_eq(in(PORT61) & 0x20, 0x20);  /* OUT2 */

    /* Mode 0 pauses while GATE is low and resumes where it was. */
    out(CTRL, 0xb0);
    g = now_tick();
    write16(CH2, 500);
    step_to_tick(g + 1 + 200);
    i8254_set_gate(pit, 2, 0);
    ck_assert_uint_eq(in(PORT61) & 0x01, 0x01); /* API does not rewrite the port bit */
    step_to_tick(g + 5000);
    ck_assert_uint_eq(latched(2), 300);
    i8254_set_gate(pit, 2, 1);
    g = now_tick();
    step_to_tick(g + 299);
    ck_assert(!i8254_get_out(pit, 2));
    step_to_tick(g + 300);
    ck_assert(i8254_get_out(pit, 2));

    /* Mode 2: GATE low forces OUT high and stops; rising edge reloads. */
    out(CTRL, 0xb4);
    g = now_tick();
    write16(CH2, 1000);
    step_to_tick(g + 1000);
    ck_assert_uint_eq(in(PORT61) & 0x20, 0x00);  /* CE = 1: OUT low */
    out(PORT61, 0x00);
    ck_assert_uint_eq(in(PORT61) & 0x20, 0x20);  /* high at once */
    step_to_tick(g + 3000);
    ck_assert_uint_eq(latched(2), 1);
    out(PORT61, 0x03);
    g = now_tick();
    step_to_tick(g + 1);
    ck_assert_uint_eq(latched(2), 1000);
    step_to_tick(g + 1000);
    ck_assert_uint_eq(in(PORT61) & 0x22, 0x02);
}
END_TEST

START_TEST(port61_bits)
{
    uint64_t last_t = 0;
    unsigned toggles = 0;
    uint8_t last;

    out(PORT61, 0xff);
    ck_assert_uint_eq(in(PORT61) & 0xcf, 0x0f);  /* NMI status bits read 0 */
    out(PORT61, 0x0a);
    ck_assert_uint_eq(in(PORT61) & 0x0f, 0x0a);
    /* Refresh toggle: flips every 15.085 us of virtual time (18 input
     * clocks); sampled every 50 ns. */
    step_to_ns(1000000);
    last = in(PORT61) & 0x10;
    while (toggles < 20) {
        uint8_t b;

        vclock_step(&m.clock, 50);
        b = in(PORT61) & 0x10;
        if (b == last)
            continue;
        if (last_t) {
            uint64_t d = vclock_now(&m.clock) - last_t;

            ck_assert_uint_ge(d, 15085 - 50);
            ck_assert_uint_le(d, 15086 + 50);
            toggles++;
        }
        last_t = vclock_now(&m.clock);
        last = b;
    }
}
END_TEST

START_TEST(mode2_new_count_at_period_end)
{
    uint64_t k0;

    out(CTRL, 0x34);
    k0 = now_tick();
    write16(CH0, 1000);
    step_to_tick(k0 + 1 + 300);
    write16(CH0, 500);                      /* mid-period */
    ck_assert_uint_eq(status(0) & 0x40, 0x40);
    out0.n = 0;
    step_to_tick(k0 + 1 + 1000 + 3 * 500);
    ck_assert_uint_eq(out0.n, 8);
    ck_assert_uint_eq(out0.t[0], tick_ns(k0 + 1000));           /* old period */
    ck_assert_uint_eq(out0.t[1], tick_ns(k0 + 1001));
    ck_assert_uint_eq(out0.t[2], tick_ns(k0 + 1001 + 499));     /* new period */
    ck_assert_uint_eq(out0.t[4], tick_ns(k0 + 1001 + 999));
    ck_assert_uint_eq(status(0) & 0x40, 0x00);
}
END_TEST

START_TEST(mode3_new_count_at_half_cycle)
{
    uint64_t k0, l;

    out(CTRL, 0x36);
    k0 = now_tick();
    l = k0 + 1;
    write16(CH0, 1001);                     /* high 501, low 500 */
    step_to_tick(l + 100);                  /* in the high half */
    write16(CH0, 400);
    out0.n = 0;
    step_to_tick(l + 501 + 200 + 400);
    /* The old high half ends at l + 501; the new count's low half (200)
     * follows, then its periods of 200 + 200. */
    ck_assert_uint_eq(out0.n, 4);
    ck_assert_uint_eq(out0.t[0], tick_ns(l + 501));
    ck_assert_uint_eq(out0.t[1], tick_ns(l + 701));
    ck_assert_uint_eq(out0.t[2], tick_ns(l + 901));
    ck_assert_uint_eq(out0.t[3], tick_ns(l + 1101));
    /* Written in the low half, it waits for the end of that half. */
    step_to_tick(l + 1101 + 250);           /* low half of 400: 200..399 */
    write16(CH0, 100);
    out0.n = 0;
    step_to_tick(l + 1101 + 400 + 99);
    ck_assert_uint_eq(out0.n, 2);
    ck_assert_uint_eq(out0.t[0], tick_ns(l + 1101 + 400));     /* rises: new high */
    ck_assert_uint_eq(out0.t[1], tick_ns(l + 1101 + 400 + 50));
}
END_TEST

START_TEST(reset_and_hostile_writes)
{
    static const uint16_t ports[] = { CH0, CH1, CH2, CTRL, PORT61 };
    uint32_t x = 777;

    for (unsigned i = 0; i < 100000; i++) {
        x = x * 1103515245u + 12345u;
        switch ((x >> 16) % 6) {
        case 0:
        case 1:
            out(ports[(x >> 8) % 5], (uint8_t)(x >> 24));
            break;
        case 2:
            (void)in(ports[(x >> 8) % 5]);
            break;
        case 3:
            i8254_set_gate(pit, (x >> 8) % 4, (x >> 24) & 1);
            break;
        case 4:
            vclock_step(&m.clock, (x >> 20) % 3000);
            break;
        default:
            as_write(&m.io, CH0, x, 4);
            break;
        }
    }
    machine_reset_devices(&m);
    ck_assert_int_eq(out0.level, 0);
    ck_assert_uint_eq(status(0), 0x70);
    ck_assert_uint_eq(in(PORT61) & 0x0f, 0);
    out0.n = 0;
    vclock_step(&m.clock, 100000000);
    ck_assert_uint_eq(out0.n, 0);           /* no timer left armed */
}
END_TEST

START_TEST(port_properties)
{
    char err[256];
    struct device *d;

    d = device_create(&m, "i8254", err, sizeof(err));
    ck_assert_int_ne(device_realize(d, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "0x40"));
    d = device_create(&m, "i8254", err, sizeof(err));
    ck_assert_int_eq(device_set_props(d, "iobase=0x48,port61=0", err, sizeof(err)), 0);
    ck_assert_int_eq(device_realize(d, err, sizeof(err)), 0);
    ck_assert_uint_eq(as_read(&m.io, 0x4b, 1), 0xff);
    as_write(&m.io, 0x4b, 0x34, 1);        /* the second PIT's counter 0 */
    ck_assert_uint_eq(status(0), 0x70);
    d = device_create(&m, "i8254", err, sizeof(err));
    ck_assert_int_eq(device_set_props(d, "iobase=0xfffe", err, sizeof(err)), 0);
    ck_assert_int_ne(device_realize(d, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "iobase"));
}
END_TEST

START_TEST(irq0_through_pic)
{
    char err[256];
    struct device *pic = device_create(&m, "i8259", err, sizeof(err));
    unsigned irqs = 0;

    ck_assert_msg(pic && device_realize(pic, err, sizeof(err)) == 0, "%s", err);
    pit->irq[0] = (struct irq_line){ i8259_set_irq, pic, 0 };
    /* BIOS: PIC at vector 8, then counter 0 in mode 2 at ~1 kHz. */
    as_write(&m.io, 0x20, 0x11, 1);
    as_write(&m.io, 0x21, 0x08, 1);
    as_write(&m.io, 0x21, 0x04, 1);
    as_write(&m.io, 0x21, 0x01, 1);
    out(CTRL, 0x34);
    write16(CH0, 1193);
    /* The CPU takes each interrupt within 100 us and EOIs it. */
    for (unsigned us = 0; us < 100000; us += 100) {
        vclock_step(&m.clock, 100000);
        if (i8259_intr_pending(pic)) {
            ck_assert_int_eq(i8259_intr_ack(pic), 0x08);
            as_write(&m.io, 0x20, 0x20, 1);
            irqs++;
        }
    }
    /* 100 ms at 1193182 / 1193 Hz = 100.01 periods. */
    ck_assert_uint_ge(irqs, 99);
    ck_assert_uint_le(irqs, 101);
}
END_TEST

START_TEST(late_timer_catch_up)
{
    uint64_t k0, t;

    /* An instruction-driven clock runs timers late, between blocks. */
    m.clock.mode = VCLOCK_INSN;
    out(CTRL, 0x34);
    k0 = now_tick();
    write16(CH0, 100);
    out0.n = 0;
    vclock_account_insns(&m.clock, tick_ns(k0 + 1 + 3 * 100 + 50));
    vclock_run_timers(&m.clock);
    /* Every edge is delivered in order, even though late. */
    ck_assert_uint_eq(out0.n, 6);
    for (unsigned i = 0; i < 6; i++)
        ck_assert_int_eq(out0.lv[i], (int)(i & 1));
    /* Far behind: at most 16 edges, then OUT as of now, timer ahead. */
    out0.n = 0;
    vclock_account_insns(&m.clock, 1000000);
    vclock_run_timers(&m.clock);
    ck_assert_uint_eq(out0.n, 16);
    t = vclock_now(&m.clock);
    ck_assert_uint_gt(vclock_next_deadline(&m.clock), t);
    ck_assert_uint_le(vclock_next_deadline(&m.clock), t + tick_ns(100) + 1);
    ck_assert_int_eq(out0.level, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("i8254");
    TCase *tc = tcase_create("82c54");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, power_on_state);
    tcase_add_test(tc, mode2_rate_generator);
    tcase_add_test(tc, mode0_interrupt_on_terminal_count);
    tcase_add_test(tc, mode0_first_byte_stops_count);
    tcase_add_test(tc, mode3_square_wave);
    tcase_add_test(tc, mode4_software_strobe);
    tcase_add_test(tc, mode5_hardware_strobe);
    tcase_add_test(tc, mode1_one_shot);
    tcase_add_test(tc, counter_latch);
    tcase_add_test(tc, access_modes);
    tcase_add_test(tc, read_back);
    tcase_add_test(tc, bcd_counting);
    tcase_add_test(tc, counter2_gate_and_port61);
    tcase_add_test(tc, port61_bits);
    tcase_add_test(tc, mode2_new_count_at_period_end);
    tcase_add_test(tc, mode3_new_count_at_half_cycle);
    tcase_add_test(tc, reset_and_hostile_writes);
    tcase_add_test(tc, port_properties);
    tcase_add_test(tc, irq0_through_pic);
    tcase_add_test(tc, late_timer_catch_up);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
