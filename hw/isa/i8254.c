/*
 * i8254.c - Intel 82C54 programmable interval timer ("i8254") with the
 * PC's port 0x61 (NMI status and control / speaker port) folded in.
 *
 * Spec: Intel 82C54 datasheet (order 231244): "Control Word Format"
 * (Figure 7), "Write Operations", "Read Operations" (simple read, counter
 * latch command, read-back command, status byte, Figure 12 Null Count),
 * "Mode Definitions" (modes 0-5, Figures 15-20), "Operation Common to All
 * Modes" (gate, minimum and maximum counts, wrap-around); PIIX3
 * datasheet, NMI Status and Control Register (port 61h).
 *
 * Time: the counters are never ticked.  The input clock is 1.193182 MHz
 * and CLK pulse k happens when floor(ns * 1193182 / 1e9) reaches k
 * (128-bit arithmetic), where ns is machine->clock.  Each counter keeps a
 * segment: the CLK pulse at which its counting element (CE) was loaded,
 * the value or period loaded, and for mode 3 the phase; CE and OUT at any
 * later pulse are closed-form functions of the segment (mode 3 follows
 * the datasheet's even/odd sequences, e.g. N, N-1, N-3 .. 2 then N, N-3
 * .. 2 for odd N).  Writes, gate changes and mode changes materialize the
 * current state and start a new segment.  A count written in mode 2 or 3
 * while counting is kept as a pending segment that starts at the end of
 * the current period (mode 2) or half-cycle (mode 3).  Only counter 0's
 * OUT drives a line, so only it arms a vtimer, for its next OUT edge;
 * late timers (host clock) deliver the missed edges in order, at most 16,
 * then skip to the present.
 *
 * Port 0x61 (property port61, 0 = not served): bits 0-3 read back as
 * written (0 = counter 2 GATE, 1 = speaker data enable, 2-3 NMI enables,
 * stored only); bit 4 is the refresh toggle, flipping every 18 input
 * clocks (15.09 us, the PC's counter-1 refresh rate) of virtual time;
 * bit 5 is counter 2's OUT; bits 6-7 (NMI sources) read 0.  It lives
 * here because bits 0, 4 and 5 are all PIT signals.
 *
 * Choices where the datasheet is silent: the chip's power-on state is
 * undefined; reset leaves every counter as after control word 0x30
 * (LSB then MSB, mode 0, binary) with no count: OUT low, CE 0, NULL COUNT
 * set, so no IRQ0 arrives before software programs counter 0.  Read and
 * write byte flip-flops are separate (the datasheet allows interleaving).
 * In mode 0 the first byte of a two-byte count stops counting and sets
 * OUT low (Intel's 8254 wording).  Illegal counts behave boundedly: count
 * 1 in mode 2 holds OUT low, in mode 3 holds it high; BCD digits above 9
 * count as 9.  A count written with GATE low in modes 0/4 is loaded at
 * once rather than on the next CLK.  The control port (A1A0 = 3) reads
 * 0xff (the chip leaves the bus floating).
 *
 * Not implemented: the speaker itself (OUT2 AND port 0x61 bit 1 is not
 * turned into sound), NMI sources, sub-CLK gate timing (setup/hold).
 */
#include "hw/isa/i8254.h"
#include "hw/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "hw/core/machine.h"
#include "util/log.h"

#define PIT_HZ       1193182u
#define NS_PER_SEC   1000000000u
#define REFRESH_CLKS 18u        /* port 0x61 bit 4 period/2, in input clocks */
#define MAX_CATCHUP  16

#define NEVER UINT64_MAX

enum { RW_LATCH, RW_LSB, RW_MSB, RW_WORD };
enum cstate {
    CS_IDLE,   /* not counting: CE and OUT hold hold_ce/hold_out */
    CS_RUN,    /* counting per seg; before seg.start the hold_* values apply */
    CS_HOLD,   /* modes 0/4 with GATE low: CE/OUT frozen, seg.armed kept */
};

struct seg {
    uint64_t start;   /* CLK pulse at which CE takes the value below */
    uint32_t n;       /* modes 0,1,4,5: CE value 0..M-1; modes 2,3: period 1..M */
    uint32_t phase;   /* mode 3: clocks into the period at start */
    bool armed;       /* modes 0,1,4,5: the terminal count is still ahead */
};

struct pit_counter {
    uint8_t ctrl;           /* RW1 RW0 M2 M1 M0 BCD of the last control word */
    uint8_t mode, rw;
    bool bcd, gate;
    uint16_t cr;            /* count register as written */
    uint8_t cr_lsb;         /* LSB waiting for its MSB */
    bool write_msb_next, read_msb_next;
    bool cr_valid;          /* a whole count was written since the control word */
    bool null_count;        /* CR not yet in CE ... */
    uint64_t load_tick;     /* ... until this CLK pulse (NEVER: not scheduled) */
    bool ol_valid, status_valid;
    uint16_t ol;            /* output latch */
    uint8_t status;
    enum cstate state;
    struct seg seg, pend;   /* pend: modes 2/3 count waiting for the cycle end */
    bool pending;
    uint32_t hold_ce;
    bool hold_out;
};

struct i8254 {
    struct device dev;
    uint32_t iobase, port61;        /* properties */
    struct pit_counter ch[3];
    struct vtimer timer;            /* counter 0's next OUT edge */
    uint64_t timer_tick;            /* the CLK pulse it is armed for */
    int out0_level;                 /* last level driven on irq[0]; -1 unknown */
    uint8_t port61_val;             /* bits 0-3 */
    bool io_pit, io_61;
};

static uint64_t ns_to_ticks(uint64_t ns)
{
    return (uint64_t)((unsigned __int128)ns * PIT_HZ / NS_PER_SEC);
}

/* First ns at which ns_to_ticks reaches TICK. */
static uint64_t ticks_to_ns(uint64_t tick)
{
    unsigned __int128 ns;

    if (tick == NEVER)
        return VCLOCK_NEVER;
    ns = ((unsigned __int128)tick * NS_PER_SEC + PIT_HZ - 1) / PIT_HZ;
    return ns >= VCLOCK_NEVER ? VCLOCK_NEVER : (uint64_t)ns;
}

static uint64_t pit_now(const struct i8254 *p)
{
    return ns_to_ticks(vclock_now(&p->dev.machine->clock));
}

static uint32_t modulus(const struct pit_counter *c)
{
    return c->bcd ? 10000 : 65536;
}

static uint32_t bcd_decode(uint16_t v)
{
    uint32_t r = 0;

    for (int i = 3; i >= 0; i--) {
        uint32_t d = (v >> (4 * i)) & 0xf;

        r = r * 10 + (d > 9 ? 9 : d);
    }
    return r;
}

static uint16_t bcd_encode(uint32_t x)
{
    x %= 10000;
    return (uint16_t)((x / 1000) << 12 | (x / 100 % 10) << 8 | (x / 10 % 10) << 4 | x % 10);
}

/* The count register as a number of clocks, 1..M (0 means M). */
static uint32_t cr_count(const struct pit_counter *c)
{
    uint32_t v = c->bcd ? bcd_decode(c->cr) : c->cr;

    return v ? v : modulus(c);
}

static uint16_t reg_value(const struct pit_counter *c, uint32_t ce)
{
    return c->bcd ? bcd_encode(ce) : (uint16_t)ce;
}

/* Modes 0,1,4,5: clocks from seg start to CE = 0. */
static uint32_t seg_dist(const struct pit_counter *c, const struct seg *s)
{
    return s->n ? s->n : modulus(c);
}

/* Mode 3: clocks into the period at pulse T. */
static uint32_t seg_phase(const struct seg *s, uint64_t t)
{
    return (uint32_t)((s->phase + (t - s->start) % s->n) % s->n);
}

/* CE at pulse T >= s->start. */
static uint32_t seg_ce(const struct pit_counter *c, const struct seg *s, uint64_t t)
{
    uint32_t m = modulus(c), n = s->n, hi, p, ce;
    uint64_t j = t - s->start;

    switch (c->mode) {
    case 2:
        return (n - (uint32_t)(j % n)) % m;
    case 3:
        hi = (n + 1) / 2;
        p = seg_phase(s, t);
        if (!(n & 1))
            ce = p < hi ? n - 2 * p : n - 2 * (p - hi);
        else if (p < hi)
            ce = p == 0 ? n : n + 1 - 2 * p;
        else
            ce = p == hi ? n : n - 1 - 2 * (p - hi);
        return ce % m;
    default:
        return (uint32_t)((n + m - j % m) % m);
    }
}

/* OUT at pulse T >= s->start. */
static bool seg_out(const struct pit_counter *c, const struct seg *s, uint64_t t)
{
    uint64_t j = t - s->start;

    switch (c->mode) {
    case 0:
    case 1:
        return !(s->armed && j < seg_dist(c, s));
    case 2:
        return j % s->n != s->n - 1;
    case 3:
        return seg_phase(s, t) < (s->n + 1) / 2;
    default: /* 4, 5 */
        return !(s->armed && j == seg_dist(c, s));
    }
}

/* First pulse E > T (T >= s->start) at which OUT changes, or NEVER. */
static uint64_t seg_next_edge(const struct pit_counter *c, const struct seg *s, uint64_t t)
{
    uint64_t e;
    uint32_t r, hi;

    switch (c->mode) {
    case 0:
    case 1:
        e = s->start + seg_dist(c, s);
        return s->armed && e > t ? e : NEVER;
    case 2:
        if (s->n < 2)
            return NEVER;
        r = (uint32_t)((t - s->start) % s->n);
        return r < s->n - 1 ? t + (s->n - 1 - r) : t + 1;
    case 3:
        if (s->n < 2)
            return NEVER;
        hi = (s->n + 1) / 2;
        r = seg_phase(s, t);
        return r < hi ? t + (hi - r) : t + (s->n - r);
    default:
        if (!s->armed)
            return NEVER;
        e = s->start + seg_dist(c, s);
        if (e > t)
            return e;
        return e + 1 > t ? e + 1 : NEVER;
    }
}

static const struct seg *active_seg(const struct pit_counter *c, uint64_t t)
{
    return c->pending && t >= c->pend.start ? &c->pend : &c->seg;
}

static uint32_t ce_at(const struct pit_counter *c, uint64_t t)
{
    if (c->state != CS_RUN || t < c->seg.start)
        return c->hold_ce;
    return seg_ce(c, active_seg(c, t), t);
}

static bool out_at(const struct pit_counter *c, uint64_t t)
{
    if (c->state != CS_RUN || t < c->seg.start)
        return c->hold_out;
    return seg_out(c, active_seg(c, t), t);
}

static bool null_count_at(const struct pit_counter *c, uint64_t t)
{
    return c->null_count && t < c->load_tick;
}

static uint64_t next_edge(const struct pit_counter *c, uint64_t t)
{
    uint64_t e, r;

    if (c->state != CS_RUN)
        return NEVER;
    if (t < c->seg.start) {
        if (seg_out(c, &c->seg, c->seg.start) != c->hold_out)
            return c->seg.start;
        t = c->seg.start;
    }
    if (c->pending && t >= c->pend.start)
        return seg_next_edge(c, &c->pend, t);
    e = seg_next_edge(c, &c->seg, t);
    if (!c->pending || e < c->pend.start)
        return e;
    r = c->pend.start;
    if (seg_out(c, &c->pend, r) != seg_out(c, &c->seg, r - 1))
        return r;
    return seg_next_edge(c, &c->pend, r);
}

/* Fold a pending segment that has started, and a finished load, into
 * the plain state (keeps segment arithmetic small). */
static void settle(struct pit_counter *c, uint64_t t)
{
    if (c->state == CS_RUN && c->pending && t >= c->pend.start) {
        c->seg = c->pend;
        c->pending = false;
    }
    if (c->null_count && t >= c->load_tick)
        c->null_count = false;
}

/* ---- counter 0's OUT line ---- */

static void drive_out0(struct i8254 *p, bool level)
{
    if ((int)level != p->out0_level) {
        p->out0_level = level;
        irq_set(&p->dev.irq[0], level);
    }
}

/* Deliver counter 0's OUT edges up to pulse T in order (bounded), then
 * drive OUT as of T and arm the timer for the next edge. */
static void pit_update_out0(struct i8254 *p, uint64_t t)
{
    struct pit_counter *c = &p->ch[0];
    uint64_t e = p->timer_tick;

    for (unsigned i = 0; e <= t && i < MAX_CATCHUP; i++) {
        drive_out0(p, out_at(c, e));
        e = next_edge(c, e);
    }
    drive_out0(p, out_at(c, t));
    settle(c, t);
    e = next_edge(c, t);
    p->timer_tick = e;
    vtimer_mod(&p->timer, ticks_to_ns(e));
}

static void pit_timer_cb(void *opaque)
{
    struct i8254 *p = opaque;

    pit_update_out0(p, pit_now(p));
}

/* Before changing a counter: bring counter 0's line up to date, since the
 * change invalidates the edges computed from the old state. */
static void pit_sync(struct i8254 *p, uint64_t t)
{
    if (p->timer_tick <= t)
        pit_update_out0(p, t);
}

/* ---- state changes ---- */

/* Modes 0/4: GATE low stops counting; CE and OUT freeze. */
static void pause_counting(struct pit_counter *c, uint64_t t)
{
    uint64_t at = t < c->seg.start ? c->seg.start : t;

    c->hold_ce = seg_ce(c, &c->seg, at);
    c->hold_out = seg_out(c, &c->seg, at);
    c->seg.armed = c->seg.armed && at - c->seg.start < seg_dist(c, &c->seg);
    c->state = CS_HOLD;
}

/* Start a segment at the next CLK pulse (T + 1). */
static void load_next_clk(struct pit_counter *c, uint64_t t, uint32_t n, bool armed)
{
    c->hold_ce = ce_at(c, t);
    c->hold_out = out_at(c, t);
    c->seg = (struct seg){ .start = t + 1, .n = n, .phase = 0, .armed = armed };
    c->pending = false;
    c->state = CS_RUN;
    c->load_tick = t + 1;
}

static void count_written(struct pit_counter *c, uint64_t t)
{
    uint32_t n = cr_count(c), m = modulus(c);
    struct seg *s = &c->seg;

    c->cr_valid = true;
    c->null_count = true;
    switch (c->mode) {
    case 0:
    case 4:
        if (c->gate) {
            bool out = c->mode == 0 ? false : out_at(c, t);

            load_next_clk(c, t, n % m, true);
            c->hold_out = out;
        } else {
            if (c->mode == 0)
                c->hold_out = false;
            else
                c->hold_out = out_at(c, t);
            c->hold_ce = n % m;
            *s = (struct seg){ .start = t + 1, .n = n % m, .armed = true };
            c->pending = false;
            c->state = CS_HOLD;
            c->load_tick = t + 1;
        }
        break;
    case 1:
    case 5:
        c->load_tick = NEVER;   /* loaded by the next trigger */
        break;
    default: /* 2, 3 */
        if (c->state == CS_RUN && t >= s->start) {
            uint64_t j = t - s->start, r;
            uint32_t phase = 0;

            if (c->mode == 2) {
                r = s->start + (j / s->n + 1) * s->n;
            } else {
                uint32_t hi = (s->n + 1) / 2, ph = seg_phase(s, t);

                if (ph < hi) {
                    r = t + (hi - ph);
                    phase = ((n + 1) / 2) % n;  /* continue with the low half */
                } else {
                    r = t + (s->n - ph);
                }
            }
            c->pend = (struct seg){ .start = r, .n = n, .phase = phase };
            c->pending = true;
            c->load_tick = r;
        } else if (c->state == CS_RUN) {
            s->n = n;                   /* not loaded yet: the newer count is */
        } else if (c->gate) {
            load_next_clk(c, t, n, false);
            c->hold_out = true;
        } else {
            c->load_tick = NEVER;       /* loaded by the next trigger */
        }
        break;
    }
}

static void control_word(struct pit_counter *c, uint8_t v, uint64_t t)
{
    uint8_t m = (v >> 1) & 7;
    uint32_t ce = ce_at(c, t);

    c->ctrl = v & 0x3f;
    c->rw = (v >> 4) & 3;
    c->mode = m >= 6 ? m - 4 : m;
    c->bcd = v & 1;
    c->hold_ce = ce % modulus(c);
    c->hold_out = c->mode != 0;
    c->state = CS_IDLE;
    c->pending = false;
    c->cr_valid = false;
    c->write_msb_next = c->read_msb_next = false;
    c->ol_valid = c->status_valid = false;
    c->null_count = true;
    c->load_tick = NEVER;
}

static void latch_count(struct pit_counter *c, uint64_t t)
{
    if (!c->ol_valid) {
        c->ol = reg_value(c, ce_at(c, t));
        c->ol_valid = true;
    }
}

static void latch_status(struct pit_counter *c, uint64_t t)
{
    if (!c->status_valid) {
        c->status = (uint8_t)((out_at(c, t) ? 0x80 : 0) | (null_count_at(c, t) ? 0x40 : 0) |
                              c->ctrl);
        c->status_valid = true;
    }
}

static void counter_write(struct pit_counter *c, uint8_t v, uint64_t t)
{
    switch (c->rw) {
    case RW_LSB:
        c->cr = v;
        break;
    case RW_MSB:
        c->cr = (uint16_t)(v << 8);
        break;
    default:
        if (!c->write_msb_next) {
            c->cr_lsb = v;
            c->write_msb_next = true;
            if (c->mode == 0) {
                /* First byte: counting stops, OUT low at once. */
                c->hold_ce = ce_at(c, t);
                c->hold_out = false;
                c->state = CS_IDLE;
                c->pending = false;
            }
            return;
        }
        c->cr = (uint16_t)(c->cr_lsb | v << 8);
        c->write_msb_next = false;
        break;
    }
    count_written(c, t);
}

static uint8_t counter_read(struct pit_counter *c, uint64_t t)
{
    uint16_t val;
    uint8_t b;

    if (c->status_valid) {
        c->status_valid = false;
        return c->status;
    }
    val = c->ol_valid ? c->ol : reg_value(c, ce_at(c, t));
    switch (c->rw) {
    case RW_LSB:
        b = val & 0xff;
        c->ol_valid = false;
        break;
    case RW_MSB:
        b = val >> 8;
        c->ol_valid = false;
        break;
    default:
        if (!c->read_msb_next) {
            b = val & 0xff;
            c->read_msb_next = true;
        } else {
            b = val >> 8;
            c->read_msb_next = false;
            c->ol_valid = false;
        }
        break;
    }
    return b;
}

static void gate_changed(struct pit_counter *c, bool level, uint64_t t)
{
    c->gate = level;
    switch (c->mode) {
    case 0:
    case 4:
        if (!level && c->state == CS_RUN) {
            pause_counting(c, t);
        } else if (level && c->state == CS_HOLD) {
            c->seg.start = t;
            c->seg.n = c->hold_ce;
            c->state = CS_RUN;
        }
        break;
    case 1:
    case 5:
        if (level && c->cr_valid)
            load_next_clk(c, t, cr_count(c) % modulus(c), true);
        break;
    default: /* 2, 3: low stops counting with OUT high; a trigger reloads */
        if (!level) {
            if (c->state == CS_RUN) {
                c->hold_ce = ce_at(c, t);
                c->hold_out = true;
                c->state = CS_IDLE;
                c->pending = false;
                if (c->null_count)
                    c->load_tick = NEVER;
            }
        } else if (c->cr_valid) {
            load_next_clk(c, t, cr_count(c), false);
            c->hold_out = true;
        }
        break;
    }
}

/* ---- ports ---- */

static uint64_t pit_read(void *opaque, uint64_t offset, unsigned size)
{
    struct i8254 *p = opaque;
    uint64_t t = pit_now(p);
    struct pit_counter *c;
    uint8_t v;

    if (offset >= 3)
        return 0xff;
    pit_sync(p, t);
    c = &p->ch[offset];
    settle(c, t);
    v = counter_read(c, t);
    return v;
}

static void pit_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct i8254 *p = opaque;
    uint64_t t = pit_now(p);
    uint8_t v = (uint8_t)val;

    pit_sync(p, t);
    for (unsigned i = 0; i < 3; i++)
        settle(&p->ch[i], t);
    if (offset < 3) {
        counter_write(&p->ch[offset], v, t);
    } else if ((v >> 6) == 3) {
        /* Read-back: D5 = !COUNT, D4 = !STATUS, D3-D1 = counters 2-0. */
        for (unsigned i = 0; i < 3; i++) {
            if (!(v & (2u << i)))
                continue;
            if (!(v & 0x20))
                latch_count(&p->ch[i], t);
            if (!(v & 0x10))
                latch_status(&p->ch[i], t);
        }
    } else if (((v >> 4) & 3) == RW_LATCH) {
        latch_count(&p->ch[v >> 6], t);
    } else {
        control_word(&p->ch[v >> 6], v, t);
    }
    pit_update_out0(p, t);
}

static uint64_t port61_read(void *opaque, uint64_t offset, unsigned size)
{
    struct i8254 *p = opaque;
    uint64_t t = pit_now(p);
    uint8_t v = p->port61_val;

    if ((t / REFRESH_CLKS) & 1)
        v |= 0x10;
    if (out_at(&p->ch[2], t))
        v |= 0x20;
    return v;
}

static void port61_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct i8254 *p = opaque;

    p->port61_val = (uint8_t)val & 0x0f;
    i8254_set_gate(p, 2, (int)(val & 1));
}

static const struct io_ops pit_ops = { .read = pit_read, .write = pit_write, .max_access = 1 };
static const struct io_ops port61_ops = {
    .read = port61_read, .write = port61_write, .max_access = 1,
};

void i8254_set_gate(void *pit, unsigned ch, int level)
{
    struct i8254 *p = pit;
    uint64_t t;

    if (ch > 2 || p->ch[ch].gate == (level != 0))
        return;
    t = pit_now(p);
    pit_sync(p, t);
    settle(&p->ch[ch], t);
    gate_changed(&p->ch[ch], level != 0, t);
    pit_update_out0(p, t);
}

bool i8254_get_out(void *pit, unsigned ch)
{
    struct i8254 *p = pit;

    return ch <= 2 && out_at(&p->ch[ch], pit_now(p));
}

/* ---- device ---- */

static void i8254_reset(struct device *dev)
{
    struct i8254 *p = (struct i8254 *)dev;

    for (unsigned i = 0; i < 3; i++) {
        struct pit_counter *c = &p->ch[i];
        bool gate = c->gate;

        *c = (struct pit_counter){ 0 };
        c->gate = gate;         /* an input wire, not chip state */
        control_word(c, 0x30, 0);
        c->hold_ce = 0;
    }
    p->timer_tick = NEVER;
    vtimer_del(&p->timer);
    p->port61_val = 0;
    if (p->port61)
        p->ch[2].gate = false;  /* port 0x61 bit 0 resets to 0 */
    drive_out0(p, false);
}

static void i8254_unrealize(struct device *dev)
{
    struct i8254 *p = (struct i8254 *)dev;

    vtimer_del(&p->timer);
    if (p->io_pit)
        as_remove(&dev->machine->io, p->iobase);
    if (p->io_61)
        as_remove(&dev->machine->io, p->port61);
    p->io_pit = p->io_61 = false;
}

static int i8254_realize(struct device *dev, char *err, size_t errlen)
{
    struct i8254 *p = (struct i8254 *)dev;
    struct machine *m = dev->machine;
    int rc;

    if (p->iobase > 0x10000 - 4) {
        snprintf(err, errlen, "i8254: iobase 0x%x leaves the I/O port space", p->iobase);
        return -EINVAL;
    }
    if (p->port61 > 0xffff) {
        snprintf(err, errlen, "i8254: port61 0x%x leaves the I/O port space", p->port61);
        return -EINVAL;
    }
    vtimer_init(&p->timer, &m->clock, pit_timer_cb, p);
    p->out0_level = -1;
    for (unsigned i = 0; i < 3; i++)
        p->ch[i].gate = true;
    rc = as_add_io(&m->io, p->iobase, 4, &pit_ops, p, "i8254");
    if (rc < 0) {
        snprintf(err, errlen, "i8254: cannot claim I/O ports 0x%x-0x%x%s", p->iobase,
                 p->iobase + 3, rc == -EEXIST ? " (already in use)" : "");
        return rc;
    }
    p->io_pit = true;
    if (p->port61) {
        rc = as_add_io(&m->io, p->port61, 1, &port61_ops, p, "port61");
        if (rc < 0) {
            snprintf(err, errlen, "i8254: cannot claim I/O port 0x%x for port61%s", p->port61,
                     rc == -EEXIST ? " (already in use)" : "");
            i8254_unrealize(dev);
            return rc;
        }
        p->io_61 = true;
    }
    return 0;
}

static const struct prop_desc i8254_props[] = {
    { "iobase", PROP_U32, offsetof(struct i8254, iobase), "0x40", "first of the 4 ports" },
    { "port61", PROP_U32, offsetof(struct i8254, port61), "0x61",
      "NMI status/speaker port (gate 2, OUT2, refresh toggle); 0 = none" },
    { NULL, PROP_U32, 0, NULL, NULL },
};

const struct device_desc i8254_desc = {
    .name = "i8254",
    .help = "82C54 interval timer (1.193182 MHz) with the PC's port 0x61",
    .state_size = sizeof(struct i8254),
    .props = i8254_props,
    /* The board creates it and wires OUT0 to IRQ0. */
    .user_creatable = false,
    .realize = i8254_realize,
    .reset = i8254_reset,
    .unrealize = i8254_unrealize,
};
