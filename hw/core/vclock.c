/*
 * vclock.c - the virtual clock (host-following, instruction-driven or
 * manually stepped) and its timer list.
 *
 * Timers are kept in a singly linked list sorted by deadline; machines
 * have a handful of timers, so insertion is linear.
 */
#include "hw/core/vclock.h"

#include <time.h>

uint64_t host_monotonic_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void vclock_init(struct vclock *c, enum vclock_mode mode)
{
    c->mode = mode;
    c->now = 0;
    c->host_origin = host_monotonic_ns();
    c->ns_per_insn = 1; /* 1 GHz-equivalent guest in INSN mode */
    c->insns = NULL;
    c->insns_opaque = NULL;
    c->armed = NULL;
    c->floor = 0;
}

uint64_t vclock_now(const struct vclock *c)
{
    if (c->mode == VCLOCK_HOST) {
        uint64_t t = host_monotonic_ns() - c->host_origin;
        return t > c->floor ? t : c->floor;
    }
    if (c->mode == VCLOCK_INSN && c->insns)
        return c->now + c->insns(c->insns_opaque) * c->ns_per_insn;
    return c->now;
}

void vclock_charge(struct vclock *c, uint64_t ns)
{
    if (c->mode == VCLOCK_HOST)
        c->floor = vclock_now(c) + ns;
}

uint64_t vclock_next_deadline(const struct vclock *c)
{
    return c->armed ? c->armed->expire : VCLOCK_NEVER;
}

static void unlink_timer(struct vtimer *t)
{
    struct vtimer **pp = &t->clock->armed;

    while (*pp) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
        pp = &(*pp)->next;
    }
    t->next = NULL;
    t->expire = VCLOCK_NEVER;
}

void vtimer_init(struct vtimer *t, struct vclock *c, vtimer_fn cb, void *opaque)
{
    t->clock = c;
    t->cb = cb;
    t->opaque = opaque;
    t->expire = VCLOCK_NEVER;
    t->next = NULL;
}

void vtimer_del(struct vtimer *t)
{
    if (t->expire != VCLOCK_NEVER)
        unlink_timer(t);
}

void vtimer_mod(struct vtimer *t, uint64_t expire_ns)
{
    struct vtimer **pp;

    vtimer_del(t);
    if (expire_ns == VCLOCK_NEVER)
        return;
    t->expire = expire_ns;
    pp = &t->clock->armed;
    while (*pp && (*pp)->expire <= expire_ns)
        pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
}

bool vtimer_pending(const struct vtimer *t)
{
    return t->expire != VCLOCK_NEVER;
}

/* Run timers due at or before NOW, one at a time (callbacks may re-arm). */
static unsigned run_due(struct vclock *c, uint64_t now)
{
    unsigned ran = 0;

    while (c->armed && c->armed->expire <= now) {
        struct vtimer *t = c->armed;

        unlink_timer(t);
        t->cb(t->opaque);
        ran++;
    }
    return ran;
}

unsigned vclock_run_timers(struct vclock *c)
{
    return run_due(c, vclock_now(c));
}

void vclock_step(struct vclock *c, uint64_t ns)
{
    uint64_t start, target, t;

    if (c->mode == VCLOCK_HOST)
        return;
    start = vclock_now(c);
    target = start + ns;
    if (target < start)
        target = VCLOCK_NEVER - 1;
    /* Advance deadline by deadline, so each callback sees its own time.
     * c->now carries the skipped time (INSN) or all of it (MANUAL). */
    while (c->armed && c->armed->expire <= target) {
        t = vclock_now(c);
        if (c->armed->expire > t)
            c->now += c->armed->expire - t;
        run_due(c, vclock_now(c));
    }
    t = vclock_now(c);
    if (target > t)
        c->now += target - t;
}

void vclock_account_insns(struct vclock *c, uint64_t n)
{
    if (c->mode == VCLOCK_INSN && !c->insns)
        c->now += n * c->ns_per_insn;
}
