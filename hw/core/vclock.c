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
    c->armed = NULL;
}

uint64_t vclock_now(const struct vclock *c)
{
    if (c->mode == VCLOCK_HOST)
        return host_monotonic_ns() - c->host_origin;
    return c->now;
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
    uint64_t target = c->now + ns;

    if (c->mode == VCLOCK_HOST)
        return;
    if (target < c->now)
        target = VCLOCK_NEVER - 1;
    /* Advance deadline by deadline, so each callback sees its own time. */
    while (c->armed && c->armed->expire <= target) {
        if (c->armed->expire > c->now)
            c->now = c->armed->expire;
        run_due(c, c->now);
    }
    c->now = target;
}

void vclock_account_insns(struct vclock *c, uint64_t n)
{
    if (c->mode == VCLOCK_INSN)
        c->now += n * c->ns_per_insn;
}
