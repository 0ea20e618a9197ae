/*
 * runloop.c - the run loop: alternate between the vCPU and the host
 * side (timers, file descriptors), on one thread.
 *
 * A POSIX timer delivers SIGALRM at the next virtual-timer deadline (at
 * most every 10 ms) to kick the vCPU out of vcpu_run, so device timers and
 * console input are serviced even while the guest computes.  SIGINT and
 * SIGTERM end the run like QEMU ("terminating on signal N", status 0).
 *
 * With the instruction-driven clock (-icount) the vCPU is given an
 * instruction budget that ends exactly at the next timer deadline, so
 * device timers fire at the same guest instruction on every run.
 */
#include "ui/runloop.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "accel/accel.h"
#include "hw/core/machine.h"
#include "util/log.h"

#define RUNLOOP_MAX_SLICE_NS 10000000ull   /* service the host side at least every 10 ms */
#define RUNLOOP_INSN_CHUNK   10000000ull   /* -icount with no timer armed */

static struct accel *volatile kick_accel;
static struct machine *volatile kick_machine;
static volatile sig_atomic_t term_signal;

static void on_alarm(int sig)
{
    (void)sig;
    if (kick_accel)
        kick_accel->ops->kick(kick_accel, 0);
}

static void on_term(int sig)
{
    term_signal = sig;
    if (kick_accel)
        kick_accel->ops->kick(kick_accel, 0);
    if (kick_machine)
        mainloop_wake(&kick_machine->loop);
}

static void machine_kick(void *opaque)
{
    struct accel *a = opaque;

    a->ops->kick(a, 0);
}

static int install_signals(timer_t *timer)
{
    struct sigaction sa;
    struct sigevent sev;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) < 0)
        return -errno;
    sa.sa_handler = on_term;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGALRM;
    if (timer_create(CLOCK_MONOTONIC, &sev, timer) < 0)
        return -errno;
    return 0;
}

static void arm(timer_t timer, uint64_t ns)
{
    struct itimerspec its;

    memset(&its, 0, sizeof(its));
    if (ns == 0)
        ns = 1;
    its.it_value.tv_sec = (time_t)(ns / 1000000000ull);
    its.it_value.tv_nsec = (long)(ns % 1000000000ull);
    timer_settime(timer, 0, &its, NULL);
}

static void disarm(timer_t timer)
{
    struct itimerspec its;

    memset(&its, 0, sizeof(its));
    timer_settime(timer, 0, &its, NULL);
}

/* Nanoseconds until the next virtual timer, capped to SLICE. */
static uint64_t time_to_deadline(struct machine *m, uint64_t cap)
{
    uint64_t now = vclock_now(&m->clock), dl = vclock_next_deadline(&m->clock);

    if (dl == VCLOCK_NEVER)
        return cap;
    if (dl <= now)
        return 0;
    return dl - now < cap ? dl - now : cap;
}

/* Instruction budget up to the next deadline (-icount), at least 1. */
static uint64_t insn_budget(struct machine *m)
{
    uint64_t now = vclock_now(&m->clock), dl = vclock_next_deadline(&m->clock);
    uint64_t per = m->clock.ns_per_insn ? m->clock.ns_per_insn : 1;

    if (dl == VCLOCK_NEVER)
        return RUNLOOP_INSN_CHUNK;
    if (dl <= now)
        return 1;
    return (dl - now + per - 1) / per;
}

/* Halted under -icount: advance virtual time to the next deadline, either
 * at once (sleep=off) or as host time passes (sleep=on). */
static void idle_icount(struct machine *m, bool sleep)
{
    uint64_t wait = time_to_deadline(m, UINT64_MAX);

    if (!sleep) {
        if (wait == UINT64_MAX) {
            mainloop_poll(&m->loop, UINT64_MAX);
            return;
        }
        vclock_step(&m->clock, wait);
        mainloop_poll(&m->loop, 0);
        return;
    }
    uint64_t t0 = host_monotonic_ns();
    mainloop_poll(&m->loop, wait);
    uint64_t slept = host_monotonic_ns() - t0;
    vclock_step(&m->clock, slept < wait ? slept : wait);
}

int runloop_run(struct machine *m, struct accel *a, const struct runloop_config *cfg)
{
    bool icount = m->clock.mode == VCLOCK_INSN;
    timer_t timer;
    bool halted = false;
    int rc;

    kick_accel = a;
    kick_machine = m;
    m->kick = machine_kick;
    m->kick_opaque = a;
    rc = install_signals(&timer);
    if (rc < 0) {
        error_report("cannot set up the run loop timer: %s", strerror(-rc));
        return 1;
    }

    for (;;) {
        struct vcpu_exit ex;

        if (term_signal) {
            error_report("terminating on signal %d", (int)term_signal);
            machine_request_exit(m, 0);
        }
        if (m->request == MACHINE_EXIT)
            break;
        if (m->request == MACHINE_RESET) {
            m->request = MACHINE_RUN;
            machine_reset_devices(m);
            halted = false;
            if (cfg->on_reset && cfg->on_reset(cfg->opaque) < 0) {
                machine_request_exit(m, 1);
                break;
            }
            continue;
        }

        unsigned fired = vclock_run_timers(&m->clock);
        if (halted) {
            /* Sleep until a timer is due or a descriptor is ready; then let
             * the back end check for a deliverable interrupt.  A timer that
             * fired just now (after the CPU halted) may already have raised
             * one: no sleep then. */
            if (!fired) {
                if (icount)
                    idle_icount(m, cfg->icount_sleep);
                else
                    mainloop_poll(&m->loop, time_to_deadline(m, UINT64_MAX));
                vclock_run_timers(&m->clock);
            }
            halted = false;
        }

        memset(&ex, 0, sizeof(ex));
        if (icount)
            ex.budget = insn_budget(m);
        arm(timer, icount ? RUNLOOP_MAX_SLICE_NS : time_to_deadline(m, RUNLOOP_MAX_SLICE_NS));
        rc = a->ops->vcpu_run(a, 0, &ex);
        disarm(timer);
        if (rc < 0 && ex.reason != VCPU_EXIT_ERROR) {
            snprintf(ex.error, sizeof(ex.error), "vcpu_run failed: %s", strerror(-rc));
            ex.reason = VCPU_EXIT_ERROR;
        }
        switch (ex.reason) {
        case VCPU_EXIT_KICK:
        case VCPU_EXIT_STOP:
            break;
        case VCPU_EXIT_HALT:
            halted = true;
            break;
        case VCPU_EXIT_SHUTDOWN:
            vlog(LOG_INT, "triple fault: system reset\n");
            machine_request_reset(m);
            break;
        case VCPU_EXIT_RESET:
            machine_request_reset(m);
            break;
        case VCPU_EXIT_ERROR: {
            /* Back ends may already name themselves ("kvm: ..."). */
            size_t n = strlen(a->ops->name);
            if (strncmp(ex.error, a->ops->name, n) == 0 && ex.error[n] == ':')
                error_report("%s", ex.error);
            else
                error_report("%s: %s", a->ops->name, ex.error[0] ? ex.error : "vCPU failed");
            machine_request_exit(m, 1);
            break;
        }
        }
        if (!halted)
            mainloop_poll(&m->loop, 0);
    }
    timer_delete(timer);
    kick_accel = NULL;
    kick_machine = NULL;
    signal(SIGALRM, SIG_IGN);
    return m->exit_status;
}
