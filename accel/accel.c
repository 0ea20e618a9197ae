/*
 * accel.c - the accelerator registry: one explicit table of back ends in
 * the order "-accel help" lists them, lookup by name, the default choice,
 * the check of an ops table, and creation/destruction of an accelerator.
 *
 * Reference: accel/accel.h (the contract).  "tcg" is the interpreter under
 * QEMU's name until tcg-lite exists.
 */
#include "accel/accel.h"
#include "accel/backends.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* Order = the order -accel help prints.  No constructors, no link-order
 * tricks: a back end that is built is listed here. */
static const struct accel_ops *const accel_table[] = {
    &accel_tcg_ops,
    &accel_interp_ops,
    &accel_null_ops,
#ifdef VIREO_HAVE_KVM
    &accel_kvm_ops,
#endif
};

#define ACCEL_TABLE_LEN (sizeof(accel_table) / sizeof(accel_table[0]))

const struct accel_ops *accel_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < ACCEL_TABLE_LEN; i++) {
        if (strcmp(accel_table[i]->name, name) == 0)
            return accel_table[i];
    }
    return NULL;
}

const char *accel_default_name(void)
{
    /* Fastest software core first, then the reference interpreter, then
     * KVM (which needs /dev/kvm, so it is not a safe default while a
     * software core exists). */
    static const char *const preference[] = { "tcg", "interp", "kvm" };

    for (size_t i = 0; i < sizeof(preference) / sizeof(preference[0]); i++) {
        if (accel_find(preference[i]))
            return preference[i];
    }
    /* Only reachable in a build with no back end that runs code. */
    return "null";
}

void accel_list(void)
{
    printf("Accelerators for -accel (default: %s):\n", accel_default_name());
    for (size_t i = 0; i < ACCEL_TABLE_LEN; i++) {
        const struct accel_ops *ops = accel_table[i];

        printf("  %-8s %s\n", ops->name, ops->help ? ops->help : "");
    }
}

int accel_ops_check(const struct accel_ops *ops)
{
    if (!ops || !ops->name)
        return -EINVAL;
    if (!ops->init || !ops->map_memory || !ops->vcpu_create || !ops->vcpu_run ||
        !ops->get_state || !ops->set_state || !ops->kick || !ops->destroy)
        return -EINVAL;
    /* An in-kernel interrupt controller is useless without a way to
     * drive its lines. */
    if ((ops->caps & ACCEL_CAP_IRQCHIP) && !ops->irq_line)
        return -EINVAL;
    /* A deterministic clock needs the live instruction count. */
    if ((ops->caps & ACCEL_CAP_DETERMINISTIC) && !ops->insn_count)
        return -EINVAL;
    return 0;
}

int accel_create(const struct accel_ops *ops, const struct accel_config *cfg, struct accel **out)
{
    const char *name = ops && ops->name ? ops->name : "(unnamed accelerator)";
    char err[256] = "";
    struct accel *a;
    int ret;

    *out = NULL;
    if (accel_ops_check(ops) < 0) {
        error_report("%s: incomplete operations table", name);
        return -EINVAL;
    }
    if (!cfg || !cfg->bus || cfg->ncpus == 0) {
        error_report("%s: no machine bus or no vCPU to create", name);
        return -EINVAL;
    }
    a = calloc(1, sizeof(*a));
    if (!a) {
        error_report("%s: out of memory", name);
        return -ENOMEM;
    }
    a->ops = ops;
    a->bus = cfg->bus;
    a->ncpus = cfg->ncpus;
    ret = ops->init(a, cfg, err, sizeof(err));
    if (ret < 0) {
        /* init cleaned up after itself; destroy is not called. */
        error_report("%s: %s", name, err[0] ? err : strerror(-ret));
        free(a);
        return ret;
    }
    *out = a;
    return 0;
}

void accel_destroy(struct accel *a)
{
    if (!a)
        return;
    a->ops->destroy(a);
    free(a);
}
