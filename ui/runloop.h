/*
 * runloop.h - the machine's one thread: run the vCPU, service timers and
 * host descriptors, and act on exit/reset requests.
 */
#ifndef VIREO_UI_RUNLOOP_H
#define VIREO_UI_RUNLOOP_H

struct machine;
struct accel;

/* Called on a system reset to reload the boot state; returns 0 or -errno
 * (message printed). */
typedef int (*reset_fn)(void *opaque);

/* Run until the machine asks to exit.  Returns the exit status. */
int runloop_run(struct machine *m, struct accel *a, reset_fn on_reset, void *opaque);

#endif
