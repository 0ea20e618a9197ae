/*
 * accel.h - the accelerator interface: one const table of operations per
 * CPU back end (null, interp, tcg, kvm), checked once at registration.
 *
 * An accelerator runs vCPUs over the machine's cpu_bus (cpu/bus.h); it
 * reaches devices only through those callbacks.  Port and MMIO accesses
 * are completed inside vcpu_run; vcpu_run returns to the run loop only for
 * the reasons in enum vcpu_exit_reason.
 */
#ifndef VIREO_ACCEL_ACCEL_H
#define VIREO_ACCEL_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/bus.h"
#include "cpu/cpu_state.h"

enum accel_cap {
    ACCEL_CAP_PASSTHROUGH   = 1u << 0, /* device passthrough (VFIO) allowed */
    ACCEL_CAP_IRQCHIP       = 1u << 1, /* interrupt controllers live in the accelerator */
    ACCEL_CAP_DETERMINISTIC = 1u << 2, /* can count instructions for a deterministic clock */
    ACCEL_CAP_RUNS_CODE     = 1u << 3, /* executes guest code (not the null back end) */
};

enum vcpu_exit_reason {
    VCPU_EXIT_KICK,      /* kicked, or instruction budget used up: service events and rerun */
    VCPU_EXIT_HALT,      /* in HLT with no interrupt deliverable */
    VCPU_EXIT_SHUTDOWN,  /* triple fault / shutdown cycle */
    VCPU_EXIT_RESET,     /* the guest requested a reset through the bus */
    VCPU_EXIT_STOP,      /* the machine asked to stop (exit requested by a device) */
    VCPU_EXIT_ERROR,     /* the back end cannot continue; message in exit->error */
};

struct vcpu_exit {
    enum vcpu_exit_reason reason;
    uint64_t budget;     /* in: max instructions to run, 0 = no limit (ignored by kvm) */
    uint64_t executed;   /* out: instructions executed, where the back end counts them */
    char error[160];
};

struct accel_config {
    const struct cpu_bus *bus;
    unsigned ncpus;
    /* Polled between guest blocks / after exits: true when the machine
     * wants vcpu_run to return (device requested exit, reset, ...). */
    bool (*stop_requested)(void *opaque);
};

struct accel;

struct accel_ops {
    const char *name;
    const char *help;
    unsigned caps;
    /* Create the back end; on failure return -errno and fill err. */
    int (*init)(struct accel *a, const struct accel_config *cfg, char *err, size_t errlen);
    /* Make guest-physical [gpa, gpa+size) refer to host memory. */
    int (*map_memory)(struct accel *a, uint64_t gpa, uint64_t size, void *host, bool readonly);
    int (*vcpu_create)(struct accel *a, unsigned index);
    int (*vcpu_run)(struct accel *a, unsigned index, struct vcpu_exit *exit);
    int (*get_state)(struct accel *a, unsigned index, struct cpu_state *s);
    int (*set_state)(struct accel *a, unsigned index, const struct cpu_state *s);
    /* In-kernel interrupt controller line (only with ACCEL_CAP_IRQCHIP). */
    int (*irq_line)(struct accel *a, unsigned gsi, int level);
    /* Make a running vcpu_run return soon; async-signal-safe. */
    void (*kick)(struct accel *a, unsigned index);
    /* Guest-physical [gpa, gpa+len) was written by a device: drop any
     * code translated from it. */
    void (*flush_code)(struct accel *a, uint64_t gpa, uint64_t len);
    /* Instructions retired by the vCPU so far, readable in the middle of
     * vcpu_run from a device callback (mandatory with
     * ACCEL_CAP_DETERMINISTIC: it drives the -icount clock). */
    uint64_t (*insn_count)(struct accel *a, unsigned index);
    void (*destroy)(struct accel *a);
};

struct accel {
    const struct accel_ops *ops;
    const struct cpu_bus *bus;
    unsigned ncpus;
    void *priv;          /* back-end private state */
};

/* Registered back ends, in the order -accel help lists them. */
const struct accel_ops *accel_find(const char *name);
/* Name of the default accelerator when none is given. */
const char *accel_default_name(void);
void accel_list(void);
/* Check an ops table: every mandatory operation present.  Returns 0 or -EINVAL. */
int accel_ops_check(const struct accel_ops *ops);

/* Allocate and init A with OPS; prints one error message on failure. */
int accel_create(const struct accel_ops *ops, const struct accel_config *cfg, struct accel **out);
void accel_destroy(struct accel *a);

#endif
