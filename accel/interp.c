/*
 * interp.c - the "interp" accelerator: runs vCPUs on the software x86
 * CPU in cpu/ (see cpu/cpu.h).  Memory is reached through the machine's
 * cpu_bus, so map_memory has nothing to do; interrupts come from the
 * emulated PIC/APIC through bus->intr_pending/intr_ack.
 *
 * "tcg" is registered from here too: until tcg-lite translates blocks it
 * is the same interpreter under that name.
 *
 * Not implemented: more than one vCPU running concurrently (each vCPU is
 * independent, but LOCKed instructions are not atomic across threads).
 */
#include "accel/interp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/cpu.h"

struct interp {
    unsigned ncpus;
    bool (*stop_requested)(void *opaque);
    struct vcpu **cpu;
};

static struct interp *priv(struct accel *a)
{
    return a->priv;
}

static int interp_init(struct accel *a, const struct accel_config *cfg, char *err, size_t errlen)
{
    if (!cfg->bus || !cfg->bus->map || !cfg->bus->mem_read || !cfg->bus->mem_write) {
        snprintf(err, errlen, "interp: the machine provided no memory bus");
        return -EINVAL;
    }
    struct interp *p = calloc(1, sizeof(*p));
    unsigned n = cfg->ncpus ? cfg->ncpus : 1;
    if (!p || !(p->cpu = calloc(n, sizeof(*p->cpu)))) {
        free(p);
        snprintf(err, errlen, "interp: out of memory");
        return -ENOMEM;
    }
    p->ncpus = n;
    p->stop_requested = cfg->stop_requested;
    a->bus = cfg->bus;
    a->ncpus = n;
    a->priv = p;
    return 0;
}

static int interp_map_memory(struct accel *a, uint64_t gpa, uint64_t size, void *host, bool ro)
{
    (void)a; (void)gpa; (void)size; (void)host; (void)ro;
    return 0;   /* RAM is reached through bus->map */
}

static struct vcpu *get_cpu(struct accel *a, unsigned index)
{
    struct interp *p = priv(a);
    return (p && index < p->ncpus) ? p->cpu[index] : NULL;
}

static int interp_vcpu_create(struct accel *a, unsigned index)
{
    struct interp *p = priv(a);
    if (index >= p->ncpus || p->cpu[index])
        return -EINVAL;
    p->cpu[index] = cpu_create(a->bus);
    if (!p->cpu[index])
        return -ENOMEM;
    cpu_set_stop_hook(p->cpu[index], p->stop_requested);
    return 0;
}

static int interp_vcpu_run(struct accel *a, unsigned index, struct vcpu_exit *exit)
{
    struct vcpu *v = get_cpu(a, index);
    if (!v) {
        exit->reason = VCPU_EXIT_ERROR;
        snprintf(exit->error, sizeof(exit->error), "interp: no vCPU %u", index);
        return -EINVAL;
    }
    switch (cpu_exec(v, exit->budget, &exit->executed)) {
    case CPU_EXIT_BUDGET:
    case CPU_EXIT_KICK: exit->reason = VCPU_EXIT_KICK; break;
    case CPU_EXIT_HALT: exit->reason = VCPU_EXIT_HALT; break;
    case CPU_EXIT_SHUTDOWN: exit->reason = VCPU_EXIT_SHUTDOWN; break;
    case CPU_EXIT_STOP: exit->reason = VCPU_EXIT_STOP; break;
    }
    return 0;
}

static int interp_get_state(struct accel *a, unsigned index, struct cpu_state *s)
{
    struct vcpu *v = get_cpu(a, index);
    if (!v)
        return -EINVAL;
    cpu_get_state(v, s);
    return 0;
}

static int interp_set_state(struct accel *a, unsigned index, const struct cpu_state *s)
{
    struct vcpu *v = get_cpu(a, index);
    if (!v)
        return -EINVAL;
    cpu_set_state(v, s);
    return 0;
}

static int interp_irq_line(struct accel *a, unsigned gsi, int level)
{
    (void)a; (void)gsi; (void)level;
    return -ENOSYS;   /* interrupt controllers are emulated devices */
}

static uint64_t interp_insn_count(struct accel *a, unsigned index)
{
    struct vcpu *v = get_cpu(a, index);
    return v ? cpu_icount(v) : 0;
}

static void interp_kick(struct accel *a, unsigned index)
{
    struct vcpu *v = get_cpu(a, index);
    if (v)
        cpu_kick(v);
}

static void interp_flush_code(struct accel *a, uint64_t gpa, uint64_t len)
{
    struct interp *p = priv(a);
    for (unsigned k = 0; p && k < p->ncpus; k++)
        if (p->cpu[k])
            cpu_flush_code(p->cpu[k], gpa, len);
}

static void interp_destroy(struct accel *a)
{
    struct interp *p = priv(a);
    if (!p)
        return;
    for (unsigned k = 0; k < p->ncpus; k++)
        cpu_destroy(p->cpu[k]);
    free(p->cpu);
    free(p);
    a->priv = NULL;
}

#define INTERP_OPS(nm, hlp) { \
    .name = nm, .help = hlp, \
    .caps = ACCEL_CAP_RUNS_CODE | ACCEL_CAP_DETERMINISTIC, \
    .init = interp_init, .map_memory = interp_map_memory, \
    .vcpu_create = interp_vcpu_create, .vcpu_run = interp_vcpu_run, \
    .get_state = interp_get_state, .set_state = interp_set_state, \
    .irq_line = interp_irq_line, .kick = interp_kick, \
    .flush_code = interp_flush_code, .insn_count = interp_insn_count, \
    .destroy = interp_destroy }

const struct accel_ops accel_interp_ops =
    INTERP_OPS("interp", "software x86-64 interpreter (reference back end)");
const struct accel_ops accel_tcg_ops =
    INTERP_OPS("tcg", "tcg-lite JIT; for now the interpreter under this name (no translation yet)");
