/*
 * vclock.h - the machine's virtual clock and its timers.
 *
 * Devices read time only from here (nanoseconds since the machine
 * started) and arm timers on it.  Modes:
 *  - VCLOCK_HOST: follows the host monotonic clock while the machine runs;
 *  - VCLOCK_INSN: advanced by executed guest instructions (deterministic):
 *    the accelerator's running instruction count (insns callback) times
 *    ns_per_insn, plus the idle time skipped while the vCPU was halted;
 *  - VCLOCK_MANUAL: advanced only by vclock_step (device tests).
 */
#ifndef VIREO_HW_CORE_VCLOCK_H
#define VIREO_HW_CORE_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define VCLOCK_NEVER UINT64_MAX

enum vclock_mode { VCLOCK_HOST, VCLOCK_INSN, VCLOCK_MANUAL };

struct vclock;
typedef void (*vtimer_fn)(void *opaque);

struct vtimer {
    struct vclock *clock;
    vtimer_fn cb;
    void *opaque;
    uint64_t expire;         /* VCLOCK_NEVER when not armed */
    struct vtimer *next;     /* armed-timer list, sorted by expire */
};

struct vclock {
    enum vclock_mode mode;
    uint64_t now;            /* INSN / MANUAL: current time */
    uint64_t host_origin;    /* HOST: host monotonic ns at time 0 */
    uint64_t ns_per_insn;    /* INSN: virtual ns per executed instruction */
    /* INSN: instructions retired so far (read live, even in the middle of
     * a vCPU run, so a device sees the exact instruction's time); NULL =
     * only vclock_account_insns advances the clock. */
    uint64_t (*insns)(void *opaque);
    void *insns_opaque;
    struct vtimer *armed;
    uint64_t floor;          /* HOST: time may not read below this (vclock_charge) */
};

void vclock_init(struct vclock *c, enum vclock_mode mode);
uint64_t vclock_now(const struct vclock *c);
/* An operation that takes NS of virtual time (an ISA bus cycle): in HOST
 * mode the clock reads at least NS later than now from here on, so a
 * guest that times port accesses with the TSC sees them take their
 * hardware duration even when the host is faster.  The clock stays
 * monotonic: it waits for the host to catch up.  INSN and MANUAL modes
 * are unchanged (their time is the instruction count or the test's). */
void vclock_charge(struct vclock *c, uint64_t ns);
/* Earliest armed deadline, or VCLOCK_NEVER. */
uint64_t vclock_next_deadline(const struct vclock *c);
/* Run callbacks of every timer whose deadline has passed (a callback may
 * re-arm its own timer).  Returns how many ran. */
unsigned vclock_run_timers(struct vclock *c);
/* MANUAL and INSN: advance by NS (INSN: idle time, on top of the
 * instruction count), running timers in deadline order at their exact
 * times.  vclock_account_insns: INSN without an insns source. */
void vclock_step(struct vclock *c, uint64_t ns);
void vclock_account_insns(struct vclock *c, uint64_t n);

void vtimer_init(struct vtimer *t, struct vclock *c, vtimer_fn cb, void *opaque);
void vtimer_mod(struct vtimer *t, uint64_t expire_ns);
void vtimer_del(struct vtimer *t);
bool vtimer_pending(const struct vtimer *t);

/* Host monotonic time in ns (for the clock itself and the run loop only). */
uint64_t host_monotonic_ns(void);

#endif
