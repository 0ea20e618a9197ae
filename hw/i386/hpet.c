/*
 * hpet.c - IA-PC High Precision Event Timer ("hpet"): a 64-bit main
 * counter at 100 MHz and three comparators, memory mapped (1 KiB at the
 * "base" property, default FED00000h) in machine->mem.
 *
 * Spec: IA-PC HPET Specification 1.0a (Intel, 2004): 2.3.4 register map
 * (GCAP_ID 000h, GEN_CONF 010h, GINTR_STA 020h, MAIN_CNT 0F0h, Tn_CONF
 * 100h + 20h*n, Tn_COMPARATOR 108h + 20h*n, Tn_FSB_ROUTE 110h + 20h*n;
 * 32- and 64-bit accesses), 2.3.5 (GCAP_ID: REV_ID 01h, NUM_TIM_CAP =
 * timers - 1, COUNT_SIZE_CAP 64-bit, LEG_RT_CAP, VENDOR_ID,
 * COUNTER_CLK_PERIOD in femtoseconds, at most 05F5E100h), 2.3.6
 * (GEN_CONF: ENABLE_CNF halts/starts the main counter and gates all
 * interrupts; LEG_RT_CNF routes timer 0 to IRQ0 / I/O APIC 2 and timer 1
 * to IRQ8, ignoring their route fields), 2.3.7 (GINTR_STA: for a
 * level-triggered timer the bit is set when its interrupt is active,
 * even when Tn_INT_ENB_CNF is 0, and cleared by writing 1; edge timers
 * leave it alone), 2.3.8 (Tn_CONF: INT_TYPE level/edge, INT_ENB, TYPE
 * periodic, PER_INT_CAP, SIZE_CAP, VAL_SET (self-clearing), 32MODE,
 * INT_ROUTE_CNF (a value outside INT_ROUTE_CAP is not taken: it reads
 * back unchanged), INT_ROUTE_CAP), 2.3.9 (comparators: a match is the
 * main counter (its low 32 bits in 32-bit mode) becoming equal to the
 * comparator; one-shot timers match again after the counter wraps;
 * periodic timers add the last value written to the comparator at each
 * match, wrapping at the timer's width; with VAL_SET a write sets the
 * comparator itself as well).
 *
 * Model: the period is 10,000,000 fs (100 MHz, one tick per 10 ns of
 * machine->clock); the main counter is never ticked: it is a base value
 * plus the ticks since ENABLE_CNF was set.  Each timer remembers the
 * counter value up to which it has looked for matches; matches in
 * (seen, now] are found arithmetically (a late or skipped callback
 * collapses several periodic matches into one interrupt, the comparator
 * still advancing exactly), and one vtimer per timer is armed for its
 * next match only while that match can change a line.  Periodic timers
 * with a period under 10 us are re-armed at most every 10 us (their
 * interrupts merge), so a period of 0 or 1 cannot stall vireo; a period
 * of 0 means a full wrap.  All timers are 64-bit and periodic capable.
 * Comparators reset to all ones.  An edge interrupt is the line rising at
 * the match and staying high until the next match (when it drops and
 * rises again) or until the timer's interrupt is disabled, so the 8259,
 * which wants a request held until INTA, sees each edge.  Legacy routes
 * drive dev->irq[0] (timer 0) and dev->irq[1] (timer 1); other routes go
 * to the board's route handler with the I/O APIC input number (several
 * timers on one input are ORed).  Writing the main counter while it runs
 * is allowed (the spec says software should halt it first) and skips
 * matches over the jump.
 *
 * Not implemented: FSB (MSI) interrupt delivery (Tn_FSB_INT_DEL_CAP = 0,
 * FSB route registers read 0), more than 3 timers, 32-bit-only timers.
 */
#include "hw/i386/hpet.h"
#include "hw/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "hw/core/machine.h"
#include "util/log.h"

#define HPET_NUM_TIMERS  3
#define HPET_MMIO_SIZE   0x400
#define HPET_PERIOD_FS   10000000u          /* 100 MHz */
#define HPET_NS_PER_TICK 10u
#define HPET_MIN_GAP_NS  10000u             /* fastest periodic re-arm */

#define CAP_REV_ID       0x01ull
#define CAP_COUNT_64     (1ull << 13)
#define CAP_LEG_RT       (1ull << 15)
#define CAP_VENDOR       (0x8086ull << 16)

#define CFG_ENABLE       0x1ull
#define CFG_LEGACY       0x2ull

#define TN_INT_LEVEL     (1ull << 1)
#define TN_INT_ENB       (1ull << 2)
#define TN_PERIODIC      (1ull << 3)
#define TN_PER_CAP       (1ull << 4)
#define TN_SIZE_CAP      (1ull << 5)
#define TN_VAL_SET       (1ull << 6)
#define TN_32MODE        (1ull << 8)
#define TN_ROUTE_SHIFT   9
#define TN_ROUTE         (0x1full << TN_ROUTE_SHIFT)
#define TN_WRITABLE      (TN_INT_LEVEL | TN_INT_ENB | TN_PERIODIC | TN_32MODE)

struct hpet_timer {
    struct hpet *s;
    uint64_t config;        /* writable bits and the route */
    uint64_t cmp;           /* comparator (the accumulator in periodic mode) */
    uint64_t period;        /* last value written to the comparator */
    uint64_t seen;          /* main counter value up to which matches are handled */
    bool val_set;           /* Tn_VAL_SET_CNF, until the next comparator write */
    bool out;               /* edge mode: line held high since the last match */
    struct vtimer vt;
};

struct hpet {
    struct device dev;
    uint64_t base;          /* properties */
    uint32_t intcap;
    uint64_t gen_conf, isr;
    uint64_t counter_base;  /* counter when enabled at t_base, or the halted value */
    uint64_t t_base;
    struct hpet_timer t[HPET_NUM_TIMERS];
    uint32_t gsi_level;     /* route outputs driven high */
    uint8_t legacy_level;   /* bit n: dev->irq[n] driven high */
    bool legacy_on;
    irq_handler_fn route_fn;
    void *route_opaque;
    void (*legacy_fn)(void *opaque, bool on);
    void *legacy_opaque;
    bool mmio_registered;
};

void hpet_set_route_handler(struct device *dev, irq_handler_fn fn, void *opaque)
{
    struct hpet *s = (struct hpet *)dev;

    s->route_fn = fn;
    s->route_opaque = opaque;
}

void hpet_set_legacy_handler(struct device *dev, void (*fn)(void *opaque, bool on), void *opaque)
{
    struct hpet *s = (struct hpet *)dev;

    s->legacy_fn = fn;
    s->legacy_opaque = opaque;
}

static uint64_t now_ns(const struct hpet *s)
{
    return vclock_now(&s->dev.machine->clock);
}

static bool hpet_enabled(const struct hpet *s)
{
    return s->gen_conf & CFG_ENABLE;
}

/* Ticks since t_base (enabled counter only). */
static uint64_t ticks_since_base(const struct hpet *s, uint64_t now)
{
    return now > s->t_base ? (now - s->t_base) / HPET_NS_PER_TICK : 0;
}

static uint64_t main_counter(const struct hpet *s, uint64_t now)
{
    return hpet_enabled(s) ? s->counter_base + ticks_since_base(s, now) : s->counter_base;
}

static uint64_t width_mask(const struct hpet_timer *t)
{
    return (t->config & TN_32MODE) ? 0xffffffffull : ~0ull;
}

/* Ticks from the counter value SEEN to the next match: 1 .. 2^width. */
static unsigned __int128 ticks_to_match(const struct hpet_timer *t)
{
    uint64_t d = (t->cmp - t->seen) & width_mask(t);

    if (d)
        return d;
    return (t->config & TN_32MODE) ? (unsigned __int128)1 << 32 : (unsigned __int128)1 << 64;
}

static unsigned __int128 period_ticks(const struct hpet_timer *t)
{
    uint64_t p = t->period & width_mask(t);

    if (p)
        return p;
    return (t->config & TN_32MODE) ? (unsigned __int128)1 << 32 : (unsigned __int128)1 << 64;
}

/* The line timer N would drive: level 0/1. */
static bool timer_line(const struct hpet *s, unsigned n)
{
    const struct hpet_timer *t = &s->t[n];

    if (!hpet_enabled(s) || !(t->config & TN_INT_ENB))
        return false;
    return (t->config & TN_INT_LEVEL) ? (s->isr >> n) & 1 : t->out;
}

/* Drive every output with the OR of the timers routed to it. */
static void hpet_update_irq(struct hpet *s)
{
    uint32_t gsi = 0, gdiff;
    uint8_t leg = 0, ldiff;

    for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
        struct hpet_timer *t = &s->t[n];
        unsigned route = (unsigned)((t->config & TN_ROUTE) >> TN_ROUTE_SHIFT);

        if (!hpet_enabled(s) || !(t->config & TN_INT_ENB) || (t->config & TN_INT_LEVEL))
            t->out = false;
        if (!timer_line(s, n))
            continue;
        if (s->legacy_on && n < 2)
            leg |= (uint8_t)(1u << n);
        else if (s->intcap & (1u << route))
            gsi |= 1u << route;
    }
    ldiff = leg ^ s->legacy_level;
    s->legacy_level = leg;
    for (unsigned i = 0; i < 2; i++)
        if (ldiff & (1u << i))
            irq_set(&s->dev.irq[i], (leg >> i) & 1);
    gdiff = gsi ^ s->gsi_level;
    s->gsi_level = gsi;
    for (unsigned g = 0; g < 32 && s->route_fn; g++)
        if (gdiff & (1u << g))
            s->route_fn(s->route_opaque, g, (gsi >> g) & 1);
}

static void timer_fire(struct hpet *s, unsigned n)
{
    struct hpet_timer *t = &s->t[n];

    if (t->config & TN_INT_LEVEL) {
        s->isr |= 1ull << n;
    } else if (t->config & TN_INT_ENB) {
        if (t->out) {               /* drop, so the next rise is an edge */
            t->out = false;
            hpet_update_irq(s);
        }
        t->out = true;
    }
}

/* Handle the matches of timer N with counter values in (seen, counter]. */
static void timer_process(struct hpet *s, unsigned n, uint64_t counter)
{
    struct hpet_timer *t = &s->t[n];
    uint64_t elapsed = counter - t->seen;
    unsigned __int128 d = ticks_to_match(t);

    if (!hpet_enabled(s) || elapsed == 0)
        return;
    if (d <= elapsed) {
        if (t->config & TN_PERIODIC) {
            unsigned __int128 p = period_ticks(t);
            unsigned __int128 k = 1 + (elapsed - d) / p;

            t->cmp = (t->cmp + (uint64_t)(k * p)) & width_mask(t);
        }
        timer_fire(s, n);
    }
    t->seen = counter;
}

static void timer_arm(struct hpet *s, unsigned n, uint64_t now)
{
    struct hpet_timer *t = &s->t[n];
    unsigned __int128 ns;

    if (!hpet_enabled(s) || !(t->config & TN_INT_ENB) ||
        ((t->config & TN_INT_LEVEL) && ((s->isr >> n) & 1))) {
        vtimer_del(&t->vt);
        return;
    }
    /* seen == the counter now: the match is d ticks past the current tick. */
    ns = (unsigned __int128)s->t_base +
         ((unsigned __int128)ticks_since_base(s, now) + ticks_to_match(t)) * HPET_NS_PER_TICK;
    if ((t->config & TN_PERIODIC) && period_ticks(t) * HPET_NS_PER_TICK < HPET_MIN_GAP_NS &&
        ns < (unsigned __int128)now + HPET_MIN_GAP_NS)
        ns = (unsigned __int128)now + HPET_MIN_GAP_NS;
    vtimer_mod(&t->vt, ns >= VCLOCK_NEVER ? VCLOCK_NEVER : (uint64_t)ns);
}

/* Bring every timer up to the present, drive the lines, re-arm. */
static void hpet_sync(struct hpet *s)
{
    uint64_t now = now_ns(s), counter = main_counter(s, now);

    for (unsigned n = 0; n < HPET_NUM_TIMERS; n++)
        timer_process(s, n, counter);
    hpet_update_irq(s);
    for (unsigned n = 0; n < HPET_NUM_TIMERS; n++)
        timer_arm(s, n, now);
}

static void hpet_timer_cb(void *opaque)
{
    struct hpet_timer *t = opaque;

    hpet_sync(t->s);
}

static void set_legacy(struct hpet *s, bool on)
{
    if (on == s->legacy_on)
        return;
    s->legacy_on = on;
    if (s->legacy_fn)
        s->legacy_fn(s->legacy_opaque, on);
}

/* ---- registers ---- */

static uint64_t reg_read(struct hpet *s, unsigned reg)
{
    unsigned n;

    switch (reg) {
    case 0x000:
        return CAP_REV_ID | (uint64_t)(HPET_NUM_TIMERS - 1) << 8 | CAP_COUNT_64 | CAP_LEG_RT |
               CAP_VENDOR | (uint64_t)HPET_PERIOD_FS << 32;
    case 0x010:
        return s->gen_conf;
    case 0x020:
        return s->isr;
    case 0x0f0:
        return main_counter(s, now_ns(s));
    }
    n = (reg - 0x100) / 0x20;
    if (reg < 0x100 || n >= HPET_NUM_TIMERS)
        return 0;
    switch (reg & 0x1f) {
    case 0x00:
        return s->t[n].config | TN_PER_CAP | TN_SIZE_CAP | (uint64_t)s->intcap << 32;
    case 0x08:
        return s->t[n].cmp;
    default:
        return 0;       /* FSB route: not implemented */
    }
}

static uint64_t merge(uint64_t old, uint64_t val, uint64_t mask)
{
    return (old & ~mask) | (val & mask);
}

static void timer_config_write(struct hpet *s, unsigned n, uint64_t val, uint64_t mask)
{
    struct hpet_timer *t = &s->t[n];
    uint64_t nv = merge(t->config, val, mask);
    unsigned route = (unsigned)((nv & TN_ROUTE) >> TN_ROUTE_SHIFT);

    if (mask & TN_VAL_SET)
        t->val_set = (nv & TN_VAL_SET) != 0;
    if (mask & TN_ROUTE) {
        if (s->intcap & (1u << route)) {
            t->config = (t->config & ~TN_ROUTE) | (nv & TN_ROUTE);
        } else {
            vlog(LOG_GUEST_ERROR, "hpet: timer %u route %u not in INT_ROUTE_CAP 0x%x: kept\n", n,
                 route, s->intcap);
        }
    }
    t->config = (t->config & ~TN_WRITABLE) | (nv & TN_WRITABLE);
    if (t->config & TN_32MODE) {
        t->cmp &= 0xffffffffull;
        t->period &= 0xffffffffull;
    }
}

static void comparator_write(struct hpet *s, unsigned n, uint64_t val, uint64_t mask)
{
    struct hpet_timer *t = &s->t[n];

    mask &= width_mask(t);          /* 32-bit mode: the upper half is not there */
    if (!mask)
        return;
    if (!(t->config & TN_PERIODIC) || t->val_set)
        t->cmp = merge(t->cmp, val, mask);
    t->period = merge(t->period, val, mask);
    t->val_set = false;
}

static void reg_write(struct hpet *s, unsigned reg, uint64_t val, uint64_t mask)
{
    uint64_t now = now_ns(s);
    unsigned n;

    switch (reg) {
    case 0x010: {
        uint64_t old = s->gen_conf, nv = merge(old, val, mask) & (CFG_ENABLE | CFG_LEGACY);

        if ((old ^ nv) & CFG_ENABLE) {
            if (nv & CFG_ENABLE) {
                s->t_base = now;        /* counter_base holds the halted value */
                for (n = 0; n < HPET_NUM_TIMERS; n++)
                    s->t[n].seen = s->counter_base;
            } else {
                s->counter_base = main_counter(s, now);
            }
        }
        s->gen_conf = nv;
        set_legacy(s, nv & CFG_LEGACY);
        return;
    }
    case 0x020:
        s->isr &= ~(val & mask);
        return;
    case 0x0f0:
        s->counter_base = merge(main_counter(s, now), val, mask);
        s->t_base = now;
        for (n = 0; n < HPET_NUM_TIMERS; n++)
            s->t[n].seen = s->counter_base;
        return;
    }
    n = (reg - 0x100) / 0x20;
    if (reg < 0x100 || n >= HPET_NUM_TIMERS) {
        if (reg != 0x000)
            vlog(LOG_GUEST_ERROR, "hpet: write to reserved register 0x%03x dropped\n", reg);
        return;
    }
    if ((reg & 0x1f) == 0x00)
        timer_config_write(s, n, val, mask);
    else if ((reg & 0x1f) == 0x08)
        comparator_write(s, n, val, mask);
    else
        vlog(LOG_UNIMP, "hpet: FSB interrupt route of timer %u not implemented\n", n);
}

static uint64_t hpet_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    struct hpet *s = opaque;
    unsigned sh = 8 * (unsigned)(offset & 7);

    /* The counter is a pure function of the clock (a clocksource reads it
     * often); the other registers first catch up with pending matches. */
    if ((offset & ~7ull) != 0x0f0)
        hpet_sync(s);
    return reg_read(s, (unsigned)(offset & ~7ull)) >> sh;
}

static void hpet_mmio_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct hpet *s = opaque;
    unsigned sh = 8 * (unsigned)(offset & 7);
    uint64_t mask = (size >= 8 ? ~0ull : (1ull << (8 * size)) - 1) << sh;

    hpet_sync(s);       /* matches before the write happen under the old state */
    reg_write(s, (unsigned)(offset & ~7ull), val << sh, mask);
    hpet_sync(s);
}

static const struct io_ops hpet_mmio_ops = {
    .read = hpet_mmio_read, .write = hpet_mmio_write, .max_access = 8,
};

/* ---- device ---- */

static void hpet_reset(struct device *dev)
{
    struct hpet *s = (struct hpet *)dev;

    s->gen_conf = 0;
    s->isr = 0;
    s->counter_base = 0;
    s->t_base = now_ns(s);
    for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
        struct hpet_timer *t = &s->t[n];

        vtimer_del(&t->vt);
        t->config = 0;
        t->cmp = ~0ull;
        t->period = 0;
        t->seen = 0;
        t->val_set = t->out = false;
    }
    s->legacy_on = false;
    if (s->legacy_fn)
        s->legacy_fn(s->legacy_opaque, false);
    hpet_update_irq(s);
}

static void hpet_unrealize(struct device *dev)
{
    struct hpet *s = (struct hpet *)dev;

    for (unsigned n = 0; n < HPET_NUM_TIMERS; n++)
        vtimer_del(&s->t[n].vt);
    if (s->mmio_registered)
        as_remove(&dev->machine->mem, s->base);
    s->mmio_registered = false;
}

static int hpet_realize(struct device *dev, char *err, size_t errlen)
{
    struct hpet *s = (struct hpet *)dev;
    int rc;

    for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
        s->t[n].s = s;
        vtimer_init(&s->t[n].vt, &dev->machine->clock, hpet_timer_cb, &s->t[n]);
    }
    rc = as_add_io(&dev->machine->mem, s->base, HPET_MMIO_SIZE, &hpet_mmio_ops, s, "hpet");
    if (rc < 0) {
        snprintf(err, errlen, "hpet: cannot claim MMIO 0x%llx-0x%llx%s",
                 (unsigned long long)s->base, (unsigned long long)s->base + HPET_MMIO_SIZE - 1,
                 rc == -EEXIST ? " (already in use)" : "");
        return rc;
    }
    s->mmio_registered = true;
    return 0;
}

static const struct prop_desc hpet_props[] = {
    { "base", PROP_U64, offsetof(struct hpet, base), "0xfed00000", "MMIO base (1 KiB)" },
    { "intcap", PROP_U32, offsetof(struct hpet, intcap), "0",
      "I/O APIC inputs a timer may be routed to (Tn_INT_ROUTE_CAP)" },
    { NULL, PROP_U32, 0, NULL, NULL },
};

const struct device_desc hpet_desc = {
    .name = "hpet",
    .help = "IA-PC HPET: 64-bit counter at 100 MHz, 3 timers, legacy replacement route",
    .state_size = sizeof(struct hpet),
    .props = hpet_props,
    .user_creatable = false,
    .realize = hpet_realize,
    .reset = hpet_reset,
    .unrealize = hpet_unrealize,
};
