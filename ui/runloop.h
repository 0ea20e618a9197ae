/*
 * runloop.h - the machine's one thread: run the vCPU, service timers and
 * host descriptors, and act on exit/reset requests.
 */
#ifndef VIREO_UI_RUNLOOP_H
#define VIREO_UI_RUNLOOP_H

#include <stdbool.h>

struct machine;
struct accel;

/* Called on a system reset to reload the boot state; returns 0 or -errno
 * (message printed). */
typedef int (*reset_fn)(void *opaque);

struct runloop_config {
    reset_fn on_reset;
    void *opaque;
    /* Instruction-driven clock (-icount): while the vCPU is halted, true =
     * virtual time follows the host (sleep=on), false = jump straight to
     * the next timer deadline (sleep=off, fully deterministic). */
    bool icount_sleep;
};

/* Run until the machine asks to exit.  Returns the exit status. */
int runloop_run(struct machine *m, struct accel *a, const struct runloop_config *cfg);

#endif
