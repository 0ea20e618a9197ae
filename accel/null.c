/*
 * null.c - the "null" accelerator: no CPU at all.  Device tests build a
 * machine on it and drive ports, MMIO and the virtual clock themselves.
 *
 * Reference: accel/accel.h.  Every vCPU is permanently halted: vcpu_run
 * returns VCPU_EXIT_HALT at once; get_state/set_state keep a plain copy of
 * struct cpu_state so loaders can still set a vCPU up.  Not implemented:
 * anything that executes guest code; map_memory only accepts the range.
 */
#include "accel/backends.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct null_vcpu {
    bool created;
    struct cpu_state state;
};

struct null_accel {
    unsigned ncpus;
    struct null_vcpu vcpu[];
};

static struct null_vcpu *null_vcpu(struct accel *a, unsigned index)
{
    struct null_accel *n = a->priv;

    if (!n || index >= n->ncpus || !n->vcpu[index].created)
        return NULL;
    return &n->vcpu[index];
}

static int null_init(struct accel *a, const struct accel_config *cfg, char *err, size_t errlen)
{
    struct null_accel *n = calloc(1, sizeof(*n) + (size_t)cfg->ncpus * sizeof(n->vcpu[0]));

    if (!n) {
        snprintf(err, errlen, "out of memory for %u vCPUs", cfg->ncpus);
        return -ENOMEM;
    }
    n->ncpus = cfg->ncpus;
    a->priv = n;
    return 0;
}

static int null_map_memory(struct accel *a, uint64_t gpa, uint64_t size, void *host, bool readonly)
{
    if (size == 0 || !host || gpa + size < gpa)
        return -EINVAL;
    return 0;
}

static int null_vcpu_create(struct accel *a, unsigned index)
{
    struct null_accel *n = a->priv;

    if (index >= n->ncpus || n->vcpu[index].created)
        return -EINVAL;
    n->vcpu[index].created = true;
    cpu_state_reset(&n->vcpu[index].state, 0);
    return 0;
}

static int null_vcpu_run(struct accel *a, unsigned index, struct vcpu_exit *exit)
{
    exit->executed = 0;
    if (!null_vcpu(a, index)) {
        exit->reason = VCPU_EXIT_ERROR;
        snprintf(exit->error, sizeof(exit->error), "null: no vCPU %u", index);
        return -EINVAL;
    }
    exit->reason = VCPU_EXIT_HALT;
    return 0;
}

static int null_get_state(struct accel *a, unsigned index, struct cpu_state *s)
{
    struct null_vcpu *v = null_vcpu(a, index);

    if (!v)
        return -EINVAL;
    *s = v->state;
    return 0;
}

static int null_set_state(struct accel *a, unsigned index, const struct cpu_state *s)
{
    struct null_vcpu *v = null_vcpu(a, index);

    if (!v)
        return -EINVAL;
    v->state = *s;
    return 0;
}

static void null_kick(struct accel *a, unsigned index)
{
    /* Nothing runs, so there is nothing to interrupt. */
}

static void null_destroy(struct accel *a)
{
    free(a->priv);
    a->priv = NULL;
}

const struct accel_ops accel_null_ops = {
    .name = "null",
    .help = "no CPU (device tests drive the machine directly)",
    .caps = 0,
    .init = null_init,
    .map_memory = null_map_memory,
    .vcpu_create = null_vcpu_create,
    .vcpu_run = null_vcpu_run,
    .get_state = null_get_state,
    .set_state = null_set_state,
    .kick = null_kick,
    .destroy = null_destroy,
};
