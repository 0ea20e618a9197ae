/*
 * lapic.c - the local APIC of one CPU ("lapic"), xAPIC mode.
 *
 * Spec: Intel SDM vol. 3A chapter 11 (numbered 10 in older editions):
 * 11.4 (IA32_APIC_BASE, global and software enable, register map table
 * 11-1, state after reset 11.4.7.1 and after software disable 11.4.7.2,
 * version register 11.4.8), 11.5 (LVT 11.5.1, ESR 11.5.3, timer 11.5.4
 * with TSC-deadline mode 11.5.4.1), 11.6 (ICR), 11.8 (IRR/ISR/TMR
 * acceptance, TPR/PPR 11.8.3.1, EOI 11.8.5, CR8 11.8.6), 11.9 (spurious
 * interrupt), 11.12.1 (x2APIC detection: not offered).
 *
 * Registers: 4 KiB of MMIO at IA32_APIC_BASE; each register is the first
 * 32 bits of a 16-byte slot.  Reads of any size and offset return the
 * matching bytes of the slot (bytes 4-15 read 0); writes other than an
 * aligned 32-bit store are dropped (logged).  Version = 0x00050014:
 * version 0x14 (Pentium 4/Xeon integrated APIC), max LVT entry 5 (six
 * entries: timer, thermal, perf, LINT0, LINT1, error; no CMCI, so 0x2f0
 * is reserved), no EOI-broadcast suppression.  Reserved offsets set ESR
 * bit 7 (illegal register address).  The ESR is write-then-read: errors
 * accumulate internally and a write to ESR publishes and clears them and
 * re-arms the error interrupt (one LVT-error interrupt per arming).
 *
 * Interrupts: accepted fixed/lowest-priority vectors set IRR (and TMR for
 * level triggered); vectors 0-15 are refused with ESR bit 6 (received
 * illegal vector), or bit 5 when sent through the ICR.  The CPU's INTR is
 * asserted while the highest IRR vector's class (vector >> 4) is above
 * PPR[7:4]; INTA moves it to ISR.  PPR = TPR if TPR[7:4] >= ISRV[7:4],
 * else ISRV & 0xf0.  EOI clears the highest ISR bit and, when its TMR bit
 * is set, calls the EOI hook (the IOAPIC clears remote IRR).  An APIC
 * interrupt wins over a pending ExtINT (8259A) request at INTA.
 *
 * Enable states: after reset the APIC is globally enabled and software
 * disabled (SVR = 0xff); while software disabled, fixed interrupts are
 * not accepted and IRR/ISR are held (not delivered); an explicit SVR
 * write with bit 8 clear masks every LVT entry, and while bit 8 is clear
 * (after reset too) LVT writes keep the mask bit set.  Globally disabled
 * (IA32_APIC_BASE bit 11 clear): the MMIO page is removed, LINT0 is the
 * CPU's INTR pin (the 8259A passes straight through) and LINT1 its NMI
 * pin; clearing bit 11 returns every register to its reset state (SDM:
 * "may return to the state after power-up"; we always do).  A relocation
 * onto RAM or another device cannot be mapped: the page is then absent
 * (logged under unimp) until the base moves again.
 *
 * Virtual wire (property virtual_wire, default on): the SDM's reset state
 * has LINT0 masked, which would cut the 8259A off until firmware programs
 * it; PC firmware puts the BSP into virtual-wire mode (MP spec 3.6.2.2),
 * so with no firmware of our own, reset leaves LVT LINT0 = 0x700 (ExtINT,
 * unmasked) and LVT LINT1 = 0x400 (NMI, unmasked) as firmware would.
 *
 * Timer: never ticked.  The counter decrements at bus_hz / divide (bus_hz
 * property, default 1 GHz, so a count of N at divide D expires N*D ns
 * after the write).  Bus tick k happens when floor(ns * bus_hz / 1e9)
 * reaches k; the count is a closed-form function of (start ns, count at
 * start, initial count, divide) with 128-bit arithmetic; a vtimer is
 * armed for the next expiry only.  Late callbacks coalesce missed
 * periodic expiries into one IRR bit (which is what the hardware's single
 * IRR bit does too) and re-arm strictly in the future.  A divide change
 * while counting continues from the current count at the new rate.
 * Writing the LVT timer with a different mode disarms the timer (SDM
 * 11.5.4.1, read literally for one-shot <-> periodic too; a new initial
 * count restarts it); mode 3 (reserved) behaves as one-shot.  TSC-deadline: TSC =
 * floor(ns * tsc_khz / 1e6) + offset; the interrupt comes when TSC >=
 * deadline and the MSR then reads 0.
 *
 * ICR: destinations are matched against this APIC only (one CPU):
 * physical ID or 0xff, logical flat/cluster against LDR, shorthands
 * self / all-including-self / all-excluding-self.  Fixed and NMI reach
 * this CPU; lowest-priority IPIs set ESR bit 4 (redirectable IPI, not
 * supported) and are dropped, as the SDM describes.  Delivery status
 * always reads idle.
 *
 * Not implemented: x2APIC, INIT/SIPI/SMI (logged under unimp), other
 * CPUs, CMCI, thermal and performance-counter sources (their LVT entries
 * are registers only), remote IRR of level-triggered LINT entries (reads
 * 0), EOI-broadcast suppression, the focus-processor check (bit 9 is
 * stored), APR (reads 0), remote read (0xc0 reads 0).
 */
#include "hw/i386/lapic.h"
#include "hw/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hw/core/machine.h"
#include "util/log.h"

#define LAPIC_SIZE     0x1000u
#define LAPIC_VERSION  0x00050014u
#define NS_PER_SEC     1000000000u

#define MSR_BASE_BSP   (1ull << 8)
#define MSR_BASE_EXTD  (1ull << 10)
#define MSR_BASE_EN    (1ull << 11)
#define MSR_BASE_ADDR  0x000ffffffffff000ull   /* 52-bit physical addresses */

#define SVR_ENABLE     (1u << 8)
#define LVT_MASKED     (1u << 16)
#define LVT_LEVEL      (1u << 15)
#define LVT_ACTIVE_LOW (1u << 13)

#define ESR_REDIR_IPI  (1u << 4)
#define ESR_SEND_ILL   (1u << 5)
#define ESR_RECV_ILL   (1u << 6)
#define ESR_ILL_REG    (1u << 7)

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };
enum { TM_ONESHOT, TM_PERIODIC, TM_DEADLINE, TM_RESERVED };

/* Writable bits of each LVT entry (delivery status and remote IRR are RO). */
static const uint32_t lvt_wmask[LVT_COUNT] = {
    [LVT_TIMER] = 0x000700ff, [LVT_THERMAL] = 0x000107ff, [LVT_PERF] = 0x000107ff,
    [LVT_LINT0] = 0x0001a7ff, [LVT_LINT1] = 0x0001a7ff,   [LVT_ERROR] = 0x000100ff,
};

struct lapic {
    struct device dev;
    /* properties */
    uint32_t index;             /* CPU index = initial APIC ID */
    uint64_t base;              /* APIC base after reset */
    uint32_t bus_hz;            /* timer input clock */
    uint32_t tsc_khz;           /* TSC rate */
    bool virtual_wire;          /* reset leaves LINT0 ExtINT / LINT1 NMI */
    /* registers */
    uint64_t apic_base;         /* IA32_APIC_BASE */
    uint32_t id, tpr, ldr, dfr, svr;
    uint32_t esr, esr_pending;
    bool err_armed;
    uint32_t isr[8], tmr[8], irr[8];
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[LVT_COUNT];
    uint32_t init_count, dcr;
    /* timer (one-shot / periodic): count at start_ns was start_count */
    bool t_running;
    uint64_t t_start_ns;
    uint32_t t_start_count;
    unsigned __int128 t_next;   /* count (since start) of the next expiry */
    uint64_t tsc_deadline;
    int64_t tsc_offset;         /* guest writes to IA32_TSC */
    struct vtimer timer;
    /* pins and latches */
    int lint_level[2];
    bool nmi_pending, extint_msg;
    /* wiring */
    lapic_eoi_fn eoi_fn;
    void *eoi_opaque;
    lapic_extint_pending_fn extint_pending;
    lapic_extint_ack_fn extint_ack;
    void *extint_opaque;
    /* MMIO */
    bool mapped;
    uint64_t mapped_base;
};

static void lapic_service_timer(struct lapic *s, uint64_t now);
static void lapic_arm_timer(struct lapic *s, uint64_t now);

static uint64_t now_ns(const struct lapic *s)
{
    return vclock_now(&s->dev.machine->clock);
}

static bool global_enabled(const struct lapic *s)
{
    return (s->apic_base & MSR_BASE_EN) != 0;
}

static bool sw_enabled(const struct lapic *s)
{
    return global_enabled(s) && (s->svr & SVR_ENABLE);
}

static unsigned timer_mode(const struct lapic *s)
{
    return (s->lvt[LVT_TIMER] >> 17) & 3;
}

/* Divide configuration bits 0,1,3 -> divisor (SDM figure 11-10). */
static uint32_t divisor(const struct lapic *s)
{
    unsigned code = (s->dcr & 3) | ((s->dcr >> 1) & 4);

    return code == 7 ? 1 : 2u << code;
}

/* ---- 256-bit vector sets ---- */

static void vset(uint32_t *r, unsigned v) { r[v >> 5] |= 1u << (v & 31); }
static void vclr(uint32_t *r, unsigned v) { r[v >> 5] &= ~(1u << (v & 31)); }
static bool vtest(const uint32_t *r, unsigned v) { return (r[v >> 5] >> (v & 31)) & 1; }

/* Highest set vector, or -1. */
static int vhighest(const uint32_t *r)
{
    for (int i = 7; i >= 0; i--)
        if (r[i])
            return i * 32 + 31 - __builtin_clz(r[i]);
    return -1;
}

static uint32_t ppr(const struct lapic *s)
{
    int isrv = vhighest(s->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

    return (s->tpr & 0xf0) >= isr_class ? s->tpr & 0xff : isr_class;
}

/* The IRR vector the core would get now, or -1. */
static int deliverable(const struct lapic *s)
{
    int v;

    if (!sw_enabled(s))
        return -1;
    v = vhighest(s->irr);
    if (v < 0 || ((uint32_t)v & 0xf0) <= (ppr(s) & 0xf0))
        return -1;
    return v;
}

/* ---- errors ---- */

static void accept_fixed(struct lapic *s, uint8_t vector, bool level);

static void raise_error(struct lapic *s, uint32_t bits)
{
    uint32_t lvt = s->lvt[LVT_ERROR];

    s->esr_pending |= bits;
    if (!s->err_armed || (lvt & LVT_MASKED) || !sw_enabled(s))
        return;
    s->err_armed = false;
    if ((lvt & 0xff) < 16)
        s->esr_pending |= ESR_RECV_ILL;     /* no recursion: nothing delivered */
    else
        accept_fixed(s, (uint8_t)lvt, false);
}

/* ---- acceptance ---- */

static void accept_fixed(struct lapic *s, uint8_t vector, bool level)
{
    if (!sw_enabled(s)) {
        vlog(LOG_GUEST_ERROR, "lapic%u: vector %#x dropped, APIC disabled\n", s->index, vector);
        return;
    }
    if (vector < 16) {
        raise_error(s, ESR_RECV_ILL);
        return;
    }
    vset(s->irr, vector);
    if (level)
        vset(s->tmr, vector);
    else
        vclr(s->tmr, vector);
}

static void accept(struct lapic *s, uint8_t vector, unsigned mode, bool level, const char *src)
{
    switch (mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWPRI:
        accept_fixed(s, vector, level);
        break;
    case APIC_DM_NMI:
        s->nmi_pending = true;
        break;
    case APIC_DM_EXTINT:
        s->extint_msg = true;
        break;
    case APIC_DM_SMI:
    case APIC_DM_INIT:
    case APIC_DM_SIPI:
        vlog(LOG_UNIMP, "lapic%u: %s delivery mode %u not implemented\n", s->index, src, mode);
        break;
    default:
        vlog(LOG_GUEST_ERROR, "lapic%u: %s reserved delivery mode %u\n", s->index, src, mode);
        break;
    }
}

/* An LVT source fires (timer expiry, error, LINT edge). */
static void lvt_fire(struct lapic *s, unsigned i)
{
    uint32_t lvt = s->lvt[i];
    unsigned mode = (lvt >> 8) & 7;

    if (lvt & LVT_MASKED)
        return;
    if (i == LVT_TIMER || i == LVT_ERROR)
        mode = APIC_DM_FIXED;
    if (mode == APIC_DM_EXTINT)
        return;                 /* ExtINT is polled from the 8259A at INTA */
    accept(s, (uint8_t)lvt, mode, (i == LVT_LINT0 || i == LVT_LINT1) && (lvt & LVT_LEVEL),
           "LVT");
}

/* LINT0 passes the 8259A through (ExtINT, or INTR when globally off). */
static bool lint0_extint(const struct lapic *s)
{
    uint32_t lvt = s->lvt[LVT_LINT0];

    if (!global_enabled(s))
        return true;
    return !(lvt & LVT_MASKED) && ((lvt >> 8) & 7) == APIC_DM_EXTINT;
}

static bool pic_pending(const struct lapic *s)
{
    if (s->extint_pending)
        return s->extint_pending(s->extint_opaque);
    return s->lint_level[0] > 0;
}

static int pic_ack(struct lapic *s)
{
    if (s->extint_ack)
        return s->extint_ack(s->extint_opaque);
    return s->svr & 0xff;
}

bool lapic_intr_pending(void *lapic)
{
    struct lapic *s = lapic;

    if (!global_enabled(s))
        return pic_pending(s);
    if (deliverable(s) >= 0 || s->extint_msg)
        return true;
    return lint0_extint(s) && pic_pending(s);
}

int lapic_intr_ack(void *lapic)
{
    struct lapic *s = lapic;
    int v;

    if (!global_enabled(s))
        return pic_ack(s);
    v = deliverable(s);
    if (v >= 0) {
        vclr(s->irr, (unsigned)v);
        vset(s->isr, (unsigned)v);
        return v;
    }
    if (s->extint_msg) {
        s->extint_msg = false;
        return pic_ack(s);
    }
    if (lint0_extint(s) && pic_pending(s))
        return pic_ack(s);
    /* The request vanished or the TPR now masks it: spurious vector,
     * ISR untouched (SDM 11.9). */
    return s->svr & 0xff;
}

bool lapic_nmi_pending(void *lapic)
{
    return ((struct lapic *)lapic)->nmi_pending;
}

void lapic_nmi_ack(void *lapic)
{
    ((struct lapic *)lapic)->nmi_pending = false;
}

void lapic_deliver(void *lapic, uint8_t vector, unsigned delivery_mode, bool level_trig)
{
    struct lapic *s = lapic;

    if (!global_enabled(s)) {
        vlog(LOG_GUEST_ERROR, "lapic%u: message dropped, APIC globally disabled\n", s->index);
        return;
    }
    accept(s, vector, delivery_mode & 7, level_trig, "message");
}

void lapic_set_lint(void *lapic, unsigned n, int level)
{
    struct lapic *s = lapic;
    uint32_t lvt;
    bool was, now;

    if (n > 1)
        return;
    lvt = s->lvt[LVT_LINT0 + n];
    was = s->lint_level[n] > 0;
    now = level > 0;
    s->lint_level[n] = level;
    if (!global_enabled(s)) {
        if (n == 1 && now && !was)
            s->nmi_pending = true;          /* LINT1 is the NMI pin */
        return;
    }
    if (lvt & LVT_ACTIVE_LOW) {
        was = !was;
        now = !now;
    }
    if (now && !was)
        lvt_fire(s, LVT_LINT0 + n);
}

void lapic_set_eoi_hook(void *lapic, lapic_eoi_fn fn, void *opaque)
{
    struct lapic *s = lapic;

    s->eoi_fn = fn;
    s->eoi_opaque = opaque;
}

void lapic_set_extint(void *lapic, lapic_extint_pending_fn pending, lapic_extint_ack_fn ack,
                      void *opaque)
{
    struct lapic *s = lapic;

    s->extint_pending = pending;
    s->extint_ack = ack;
    s->extint_opaque = opaque;
}

static void do_eoi(struct lapic *s)
{
    int v = vhighest(s->isr);

    if (v < 0)
        return;
    vclr(s->isr, (unsigned)v);
    if (vtest(s->tmr, (unsigned)v) && s->eoi_fn)
        s->eoi_fn(s->eoi_opaque, (uint8_t)v);
}

uint8_t lapic_get_cr8(void *lapic)
{
    return (uint8_t)((((struct lapic *)lapic)->tpr >> 4) & 0xf);
}

void lapic_set_cr8(void *lapic, uint8_t cr8)
{
    ((struct lapic *)lapic)->tpr = (uint32_t)(cr8 & 0xf) << 4;
}

/* ---- TSC and timer arithmetic ---- */

static uint64_t raw_tsc(const struct lapic *s, uint64_t ns)
{
    return (uint64_t)((unsigned __int128)ns * s->tsc_khz / 1000000u);
}

uint64_t lapic_tsc(void *lapic)
{
    struct lapic *s = lapic;

    return raw_tsc(s, now_ns(s)) + (uint64_t)s->tsc_offset;
}

/* Bus ticks since the timer started. */
static unsigned __int128 bus_ticks(const struct lapic *s, uint64_t now)
{
    uint64_t el = now > s->t_start_ns ? now - s->t_start_ns : 0;

    return (unsigned __int128)el * s->bus_hz / NS_PER_SEC;
}

/* Counts (bus ticks / divide) elapsed since start. */
static unsigned __int128 counts(const struct lapic *s, uint64_t now)
{
    return bus_ticks(s, now) / divisor(s);
}

/* The ns at which COUNTS counts have elapsed since start. */
static uint64_t counts_to_ns(const struct lapic *s, unsigned __int128 c)
{
    unsigned __int128 ticks = c * divisor(s);
    unsigned __int128 ns = (ticks * NS_PER_SEC + s->bus_hz - 1) / s->bus_hz + s->t_start_ns;

    return ns >= VCLOCK_NEVER ? VCLOCK_NEVER - 1 : (uint64_t)ns;
}

static bool periodic(const struct lapic *s)
{
    return timer_mode(s) == TM_PERIODIC;
}

static uint32_t current_count(const struct lapic *s, uint64_t now)
{
    unsigned __int128 c;

    if (!s->t_running || timer_mode(s) == TM_DEADLINE)
        return 0;
    c = counts(s, now);
    if (c < s->t_start_count)
        return (uint32_t)(s->t_start_count - c);
    if (!periodic(s) || s->init_count == 0)
        return 0;
    return (uint32_t)(s->init_count - (c - s->t_start_count) % s->init_count);
}

/* ns of the deadline-mode interrupt, or VCLOCK_NEVER. */
static uint64_t deadline_ns(const struct lapic *s)
{
    __int128 raw = (__int128)s->tsc_deadline - s->tsc_offset;
    unsigned __int128 ns;

    if (raw <= 0)
        return 0;
    ns = ((unsigned __int128)raw * 1000000u + s->tsc_khz - 1) / s->tsc_khz;
    return ns >= VCLOCK_NEVER ? VCLOCK_NEVER - 1 : (uint64_t)ns;
}

/* Deliver expiries up to NOW; stops a finished one-shot timer. */
static void lapic_service_timer(struct lapic *s, uint64_t now)
{
    unsigned __int128 c;

    if (timer_mode(s) == TM_DEADLINE) {
        if (s->tsc_deadline && deadline_ns(s) <= now) {
            s->tsc_deadline = 0;
            lvt_fire(s, LVT_TIMER);
        }
        return;
    }
    if (!s->t_running)
        return;
    c = counts(s, now);
    if (c < s->t_next)
        return;
    if (!periodic(s) || s->init_count == 0)
        s->t_running = false;
    else    /* the first reload after C */
        s->t_next = s->t_start_count + ((c - s->t_start_count) / s->init_count + 1) * s->init_count;
    lvt_fire(s, LVT_TIMER);     /* missed periods coalesce in one IRR bit */
}

static void lapic_arm_timer(struct lapic *s, uint64_t now)
{
    uint64_t when;

    if (timer_mode(s) == TM_DEADLINE) {
        vtimer_mod(&s->timer, s->tsc_deadline ? deadline_ns(s) : VCLOCK_NEVER);
        return;
    }
    if (!s->t_running) {
        vtimer_del(&s->timer);
        return;
    }
    when = counts_to_ns(s, s->t_next);
    vtimer_mod(&s->timer, when > now ? when : now + 1);
}

static void lapic_timer_cb(void *opaque)
{
    struct lapic *s = opaque;
    uint64_t now = now_ns(s);

    lapic_service_timer(s, now);
    lapic_arm_timer(s, now);
}

uint64_t lapic_get_tsc_deadline(void *lapic)
{
    struct lapic *s = lapic;

    return timer_mode(s) == TM_DEADLINE ? s->tsc_deadline : 0;
}

void lapic_set_tsc_deadline(void *lapic, uint64_t tsc)
{
    struct lapic *s = lapic;
    uint64_t now = now_ns(s);

    if (timer_mode(s) != TM_DEADLINE)
        return;
    s->tsc_deadline = tsc;
    lapic_service_timer(s, now);
    lapic_arm_timer(s, now);
}

void lapic_set_tsc(void *lapic, uint64_t tsc)
{
    struct lapic *s = lapic;
    uint64_t now = now_ns(s);

    s->tsc_offset = (int64_t)(tsc - raw_tsc(s, now));
    lapic_service_timer(s, now);
    lapic_arm_timer(s, now);
}

static void write_lvt_timer(struct lapic *s, uint32_t val)
{
    uint64_t now = now_ns(s);
    unsigned old = timer_mode(s);

    lapic_service_timer(s, now);
    s->lvt[LVT_TIMER] = val;
    if (timer_mode(s) == TM_RESERVED)
        vlog(LOG_GUEST_ERROR, "lapic%u: reserved timer mode 3 (treated as one-shot)\n", s->index);
    if (timer_mode(s) != old) {         /* a mode change disarms the timer */
        s->t_running = false;
        s->tsc_deadline = 0;
    }
    lapic_arm_timer(s, now);
}

static void write_init_count(struct lapic *s, uint32_t val)
{
    uint64_t now = now_ns(s);

    if (timer_mode(s) == TM_DEADLINE)
        return;                         /* ignored in TSC-deadline mode */
    s->init_count = val;
    s->t_running = val != 0;            /* 0 stops the timer */
    s->t_start_ns = now;
    s->t_start_count = val;
    s->t_next = val;
    lapic_arm_timer(s, now);
}

static void write_dcr(struct lapic *s, uint32_t val)
{
    uint64_t now = now_ns(s);
    uint32_t cur;

    lapic_service_timer(s, now);
    cur = current_count(s, now);
    s->dcr = val & 0xb;
    if (s->t_running && cur) {          /* continue from here at the new rate */
        s->t_start_ns = now;
        s->t_start_count = cur;
        s->t_next = cur;
    }
    lapic_arm_timer(s, now);
}

/* ---- ICR ---- */

static bool dest_is_me(const struct lapic *s, uint8_t dest, bool logical)
{
    uint8_t lid = (uint8_t)(s->ldr >> 24);

    if (!logical)
        return dest == 0xff || dest == (uint8_t)(s->id >> 24);
    if (dest == 0xff)
        return true;
    if ((s->dfr >> 28) == 0xf)          /* flat model */
        return (dest & lid) != 0;
    /* cluster model: cluster in bits 7:4, member bitmap in bits 3:0 */
    return (dest >> 4) == (lid >> 4) && (dest & lid & 0xf) != 0;
}

bool lapic_accepts_dest(void *lapic, uint8_t dest, bool logical)
{
    return global_enabled(lapic) && dest_is_me(lapic, dest, logical);
}

static void send_ipi(struct lapic *s)
{
    uint32_t lo = s->icr_lo;
    uint8_t vector = (uint8_t)lo;
    unsigned mode = (lo >> 8) & 7, shorthand = (lo >> 18) & 3;
    bool to_me;

    switch (shorthand) {
    case 0: to_me = dest_is_me(s, (uint8_t)(s->icr_hi >> 24), (lo >> 11) & 1); break;
    case 3: to_me = false; break;       /* all excluding self: nobody else */
    default: to_me = true; break;       /* self, all including self */
    }
    if (mode == APIC_DM_LOWPRI) {
        raise_error(s, ESR_REDIR_IPI);  /* not supported: not processed */
        return;
    }
    if (mode == APIC_DM_FIXED && vector < 16) {
        raise_error(s, ESR_SEND_ILL);
        return;
    }
    if (mode == APIC_DM_INIT && (lo & 0xc000) == 0x8000)
        return;                         /* INIT level de-assert: no effect */
    if (mode == APIC_DM_EXTINT || mode == 3) {
        vlog(LOG_GUEST_ERROR, "lapic%u: ICR reserved delivery mode %u\n", s->index, mode);
        return;
    }
    if (!to_me) {
        vlog(LOG_UNIMP, "lapic%u: IPI (mode %u) to other CPUs: none present\n", s->index, mode);
        return;
    }
    accept(s, vector, mode, (lo >> 15) & 1, "IPI");
}

/* ---- MMIO ---- */

static bool reserved_reg(unsigned reg)
{
    switch (reg) {
    case 0x00: case 0x01: case 0x04: case 0x05: case 0x06: case 0x07:
    case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d: case 0x2e: case 0x2f:
    case 0x3a: case 0x3b: case 0x3c: case 0x3d: case 0x3f:
        return true;
    default:
        return reg > 0x3f;
    }
}

static uint32_t reg_read(struct lapic *s, unsigned reg)
{
    switch (reg) {
    case 0x02: return s->id;
    case 0x03: return LAPIC_VERSION;
    case 0x08: return s->tpr;
    case 0x09: return 0;                /* APR */
    case 0x0a: return ppr(s);
    case 0x0b: return 0;                /* EOI is write-only */
    case 0x0c: return 0;                /* remote read */
    case 0x0d: return s->ldr;
    case 0x0e: return s->dfr;
    case 0x0f: return s->svr;
    case 0x28: return s->esr;
    case 0x30: return s->icr_lo;
    case 0x31: return s->icr_hi;
    case 0x38: return s->init_count;
    case 0x39: return current_count(s, now_ns(s));
    case 0x3e: return s->dcr;
    default:
        break;
    }
    if (reg >= 0x10 && reg < 0x18)
        return s->isr[reg - 0x10];
    if (reg >= 0x18 && reg < 0x20)
        return s->tmr[reg - 0x18];
    if (reg >= 0x20 && reg < 0x28)
        return s->irr[reg - 0x20];
    if (reg >= 0x32 && reg < 0x38)
        return s->lvt[reg - 0x32];
    raise_error(s, ESR_ILL_REG);
    vlog(LOG_GUEST_ERROR, "lapic%u: read of reserved register %#x\n", s->index, reg << 4);
    return 0;
}

static void mask_all_lvt(struct lapic *s)
{
    for (unsigned i = 0; i < LVT_COUNT; i++)
        s->lvt[i] |= LVT_MASKED;
}

static void reg_write(struct lapic *s, unsigned reg, uint32_t val)
{
    if (reg >= 0x32 && reg < 0x38) {
        unsigned i = reg - 0x32;

        val &= lvt_wmask[i];
        if (!(s->svr & SVR_ENABLE))
            val |= LVT_MASKED;          /* cannot unmask while disabled */
        if (i == LVT_TIMER)
            write_lvt_timer(s, val);
        else
            s->lvt[i] = val;
        return;
    }
    switch (reg) {
    case 0x02: s->id = val & 0xff000000u; break;
    case 0x08: s->tpr = val & 0xff; break;
    case 0x0b: do_eoi(s); break;
    case 0x0d: s->ldr = val & 0xff000000u; break;
    case 0x0e: s->dfr = val | 0x0fffffffu; break;
    case 0x0f:
        s->svr = val & 0x3ff;
        if (!(val & SVR_ENABLE))
            mask_all_lvt(s);            /* SDM 11.4.7.2 */
        break;
    case 0x28:
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        s->err_armed = true;
        break;
    case 0x30:
        s->icr_lo = val & 0x000ccfffu;
        send_ipi(s);
        break;
    case 0x31: s->icr_hi = val & 0xff000000u; break;
    case 0x38: write_init_count(s, val); break;
    case 0x3e: write_dcr(s, val); break;
    default:
        if (reserved_reg(reg)) {
            raise_error(s, ESR_ILL_REG);
            vlog(LOG_GUEST_ERROR, "lapic%u: write to reserved register %#x\n", s->index,
                 reg << 4);
        } else {
            vlog(LOG_GUEST_ERROR, "lapic%u: write to read-only register %#x ignored\n",
                 s->index, reg << 4);
        }
        break;
    }
}

static uint64_t lapic_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    struct lapic *s = opaque;
    unsigned in = offset & 15;
    uint32_t v;

    if (offset >= LAPIC_SIZE)
        return 0;
    if (in >= 4)
        return 0;
    v = reg_read(s, (unsigned)(offset >> 4));
    v >>= 8 * in;
    return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void lapic_mmio_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct lapic *s = opaque;

    if (offset >= LAPIC_SIZE || size != 4 || (offset & 15)) {
        vlog(LOG_GUEST_ERROR, "lapic%u: %u-byte write at %#llx dropped (32-bit aligned only)\n",
             s->index, size, (unsigned long long)offset);
        return;
    }
    reg_write(s, (unsigned)(offset >> 4), (uint32_t)val);
}

static const struct io_ops lapic_ops = {
    .read = lapic_mmio_read,
    .write = lapic_mmio_write,
    .max_access = 4,
};

static void unmap(struct lapic *s)
{
    if (s->mapped)
        as_remove(&s->dev.machine->mem, s->mapped_base);
    s->mapped = false;
}

/* Map the page at the current base when globally enabled. */
static int remap(struct lapic *s)
{
    uint64_t base = s->apic_base & MSR_BASE_ADDR;
    int rc;

    if (s->mapped && global_enabled(s) && s->mapped_base == base)
        return 0;
    unmap(s);
    if (!global_enabled(s))
        return 0;
    rc = as_add_io(&s->dev.machine->mem, base, LAPIC_SIZE, &lapic_ops, s, "lapic");
    if (rc < 0) {
        vlog(LOG_UNIMP, "lapic%u: cannot map the APIC page at %#llx over other memory\n",
             s->index, (unsigned long long)base);
        return rc;
    }
    s->mapped = true;
    s->mapped_base = base;
    return 0;
}

/* Power-up register state (SDM 11.4.7.1); keeps APIC_BASE, pins, wiring. */
static void reset_regs(struct lapic *s)
{
    s->id = s->index << 24;
    s->tpr = s->ldr = 0;
    s->dfr = 0xffffffffu;
    s->svr = 0xff;
    s->esr = s->esr_pending = 0;
    s->err_armed = true;
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->tmr, 0, sizeof(s->tmr));
    memset(s->irr, 0, sizeof(s->irr));
    s->icr_lo = s->icr_hi = 0;
    for (unsigned i = 0; i < LVT_COUNT; i++)
        s->lvt[i] = LVT_MASKED;
    if (s->virtual_wire) {
        s->lvt[LVT_LINT0] = APIC_DM_EXTINT << 8;
        s->lvt[LVT_LINT1] = APIC_DM_NMI << 8;
    }
    s->init_count = s->dcr = 0;
    s->t_running = false;
    s->tsc_deadline = 0;
    s->nmi_pending = s->extint_msg = false;
    vtimer_del(&s->timer);
}

uint64_t lapic_get_base(void *lapic)
{
    return ((struct lapic *)lapic)->apic_base;
}

int lapic_set_base(void *lapic, uint64_t msr)
{
    struct lapic *s = lapic;
    bool was = global_enabled(s);

    if (msr & ~(MSR_BASE_ADDR | MSR_BASE_EN | MSR_BASE_BSP))
        return -1;                      /* reserved bits, or MSR_BASE_EXTD (no x2APIC) */
    s->apic_base = msr;
    if (was && !global_enabled(s))
        reset_regs(s);
    remap(s);
    return 0;
}

int lapic_msr_read(void *lapic, uint32_t msr, uint64_t *val)
{
    (void)lapic;
    (void)msr;
    *val = 0;
    return -1;
}

int lapic_msr_write(void *lapic, uint32_t msr, uint64_t val)
{
    (void)lapic;
    (void)msr;
    (void)val;
    return -1;
}

/* ---- device ---- */

static void lapic_reset(struct device *dev)
{
    struct lapic *s = (struct lapic *)dev;

    reset_regs(s);
    s->tsc_offset = 0;
    s->apic_base = s->base | MSR_BASE_EN | (s->index == 0 ? MSR_BASE_BSP : 0);
    remap(s);
}

static void lapic_unrealize(struct device *dev)
{
    struct lapic *s = (struct lapic *)dev;

    vtimer_del(&s->timer);
    unmap(s);
}

static int lapic_realize(struct device *dev, char *err, size_t errlen)
{
    struct lapic *s = (struct lapic *)dev;
    int rc;

    if (s->index > 0xfe) {
        snprintf(err, errlen, "lapic: index %u is above 254 (xAPIC IDs are 8 bits)", s->index);
        return -EINVAL;
    }
    if ((s->base & ~MSR_BASE_ADDR) || s->base == 0) {
        snprintf(err, errlen, "lapic: base %#llx is not a 4 KiB aligned address below 2^52",
                 (unsigned long long)s->base);
        return -EINVAL;
    }
    if (s->bus_hz == 0 || s->tsc_khz == 0) {
        snprintf(err, errlen, "lapic: bus_hz and tsc_khz must not be 0");
        return -EINVAL;
    }
    vtimer_init(&s->timer, &dev->machine->clock, lapic_timer_cb, s);
    s->apic_base = s->base | MSR_BASE_EN;
    rc = remap(s);
    if (rc < 0) {
        snprintf(err, errlen, "lapic: cannot map 4 KiB at %#llx%s", (unsigned long long)s->base,
                 rc == -EEXIST ? " (already in use)" : "");
        return rc;
    }
    return 0;
}

static const struct prop_desc lapic_props[] = {
    { "index", PROP_U32, offsetof(struct lapic, index), "0",
      "CPU index (= APIC ID; 0 is the BSP)" },
    { "base", PROP_U64, offsetof(struct lapic, base), "0xfee00000", "APIC base after reset" },
    { "bus_hz", PROP_U32, offsetof(struct lapic, bus_hz), "1000000000",
      "timer input clock (before the divider)" },
    { "tsc_khz", PROP_U32, offsetof(struct lapic, tsc_khz), "1000000",
      "TSC rate for TSC-deadline mode (TSC = ns * tsc_khz / 1e6)" },
    { "virtual_wire", PROP_BOOL, offsetof(struct lapic, virtual_wire), "on",
      "reset leaves LINT0 ExtINT and LINT1 NMI unmasked, as PC firmware does" },
    { NULL, PROP_U32, 0, NULL, NULL },
};

const struct device_desc lapic_desc = {
    .name = "lapic",
    .help = "local APIC (xAPIC) of one CPU: timer, LVT, TPR/PPR, EOI, self-IPI",
    .state_size = sizeof(struct lapic),
    .props = lapic_props,
    .user_creatable = false,
    .realize = lapic_realize,
    .reset = lapic_reset,
    .unrealize = lapic_unrealize,
};
