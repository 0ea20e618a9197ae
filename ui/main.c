/*
 * main.c - vireo's entry point: parse the command line, build the PC,
 * load the guest, create the accelerator, run, and exit with the guest's
 * status.  Every person-facing error is reported once, before any guest
 * code runs, with a non-zero exit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "cpu/cpu_state.h"
#include "hw/core/device.h"
#include "hw/core/machine.h"
#include "hw/i386/linux_boot.h"
#include "hw/i386/multiboot.h"
#include "hw/i386/pc.h"
#include "ui/chardev_host.h"
#include "ui/cmdline.h"
#include "ui/runloop.h"
#include "util/file.h"
#include "util/log.h"

extern const unsigned char vireo_demo_image[];
extern const size_t vireo_demo_image_size;

/* CPUID.1:EAX signature placed in EDX at reset (family 6, model 0x3a... kept
 * simple until the shared CPUID profile exists). */

struct boot {
    struct vireo_options *o;
    struct pc_board *pc;
    struct machine *m;
    struct accel *accel;
    uint8_t *kernel;
    size_t kernel_len;
};

/* Compute the boot CPU state (reset vector, or a direct kernel entry). */
static int boot_state(struct boot *b, struct cpu_state *cpu)
{
    char err[256];
    int rc = 0;

    cpu_state_reset(cpu, VIREO_CPU_SIGNATURE);
    if (b->o->bios && !b->o->kernel)
        return 0;
    if (b->kernel && multiboot_probe(b->kernel, b->kernel_len))
        rc = multiboot_load(b->pc, b->kernel, b->kernel_len, b->o->kernel, b->o->append,
                            b->o->initrd, cpu, err, sizeof(err));
    else if (b->kernel)
        rc = linux_boot_load(b->pc, b->kernel, b->kernel_len, b->o->kernel, b->o->append,
                             b->o->initrd, LINUX_ENTRY_AUTO, cpu, NULL, err, sizeof(err));
    else
        rc = multiboot_load(b->pc, vireo_demo_image, vireo_demo_image_size, "vireo-demo", NULL,
                            NULL, cpu, err, sizeof(err));
    if (rc < 0)
        error_report("%s", err);
    return rc;
}

static int on_reset(void *opaque)
{
    struct boot *b = opaque;
    struct cpu_state cpu;
    int rc = boot_state(b, &cpu);

    if (rc < 0)
        return rc;
    rc = b->accel->ops->set_state(b->accel, 0, &cpu);
    if (rc < 0)
        error_report("%s: cannot reset the vCPU: %s", b->accel->ops->name, strerror(-rc));
    return rc;
}

/* The -icount clock source: instructions retired by vCPU 0. */
static uint64_t accel_insns(void *opaque)
{
    struct accel *a = opaque;

    return a->ops->insn_count(a, 0);
}

static bool stop_requested(void *opaque)
{
    struct machine *m = opaque;

    return m->request != MACHINE_RUN;
}

static void quit_from_console(void *opaque)
{
    machine_request_exit(opaque, 0);
}

static int add_user_devices(struct machine *m, const struct vireo_options *o)
{
    char err[256];

    for (unsigned i = 0; i < o->ndevices; i++) {
        char name[64];
        const char *spec = o->devices[i], *comma = strchr(spec, ',');
        size_t len = comma ? (size_t)(comma - spec) : strlen(spec);
        struct device *dev;

        if (len == 0 || len >= sizeof(name)) {
            error_report("-device %s: missing or too long device name", spec);
            return -EINVAL;
        }
        memcpy(name, spec, len);
        name[len] = '\0';
        dev = device_create(m, name, err, sizeof(err));
        if (!dev) {
            error_report("-device %s: %s", spec, err);
            return -EINVAL;
        }
        if (!dev->desc->user_creatable) {
            error_report("-device %s: '%s' cannot be added by the user", spec, name);
            device_free(dev);
            return -EINVAL;
        }
        if ((comma && device_set_props(dev, comma + 1, err, sizeof(err)) < 0)) {
            error_report("-device %s: %s", spec, err);
            device_free(dev);
            return -EINVAL;
        }
        if (device_realize(dev, err, sizeof(err)) < 0) {
            error_report("-device %s: %s", spec, err);
            return -EINVAL;
        }
    }
    return 0;
}

static int map_guest_memory(struct machine *m, struct accel *a)
{
    for (size_t i = 0; i < m->mem.nregions; i++) {
        const struct region *r = &m->mem.regions[i];
        int rc;

        if (r->kind == REGION_IO)
            continue;
        rc = a->ops->map_memory(a, r->base, r->size, r->host, r->kind == REGION_ROM);
        if (rc < 0) {
            error_report("%s: cannot map guest memory '%s': %s", a->ops->name, r->name,
                         strerror(-rc));
            return rc;
        }
    }
    return 0;
}

static int list_help(const struct vireo_options *o)
{
    if (o->accel && strcmp(o->accel, "help") == 0) {
        accel_list();
        return 1;
    }
    for (unsigned i = 0; i < o->ndevices; i++) {
        if (strcmp(o->devices[i], "help") == 0) {
            device_list_help();
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct vireo_options o;
    struct machine m;
    struct pc_board pc;
    struct pc_config pcc = { 0 };
    struct boot b = { .o = &o, .pc = &pc, .m = &m };
    struct accel_config acfg;
    struct cpu_state cpu;
    const struct accel_ops *ops;
    const char *accel_name, *serial;
    uint8_t *bios = NULL;
    size_t bios_len = 0;
    char err[256];
    int status = 1, rc;

    if (cmdline_parse(argc, argv, &o) < 0)
        return 1;
    if (o.help) {
        cmdline_usage();
        return 0;
    }
    if (o.version) {
        printf("vireo version %s\n", VIREO_VERSION);
        return 0;
    }
    if (list_help(&o))
        return 0;
    if (o.log_items) {
        rc = log_parse_mask(o.log_items);
        if (rc)
            return rc > 0 ? 0 : 1;
    }
    if (o.log_file && log_set_file(o.log_file) < 0)
        return 1;

    accel_name = o.accel ? o.accel : accel_default_name();
    ops = accel_find(accel_name);
    if (!ops || !(ops->caps & ACCEL_CAP_RUNS_CODE)) {
        error_report("-accel %s: accelerator not available in this build (see -accel help)",
                     accel_name);
        return 1;
    }

    /* Files first: a missing kernel or firmware is reported before anything runs. */
    if (o.kernel) {
        if (file_read_all("-kernel", o.kernel, 1u << 30, &b.kernel, &b.kernel_len, err,
                          sizeof(err)) < 0) {
            error_report("%s", err);
            return 1;
        }
        if (!multiboot_probe(b.kernel, b.kernel_len) && !linux_boot_probe(b.kernel, b.kernel_len)) {
            error_report("-kernel '%s': not a Multiboot kernel (no header in the first 8 KiB) "
                         "and not a Linux bzImage (no HdrS signature)", o.kernel);
            goto out_kernel;
        }
    }
    if (o.bios) {
        if (o.kernel) {
            error_report("-kernel together with -bios is not supported yet");
            goto out_kernel;
        }
        if (file_read_all("-bios", o.bios, 16u << 20, &bios, &bios_len, err, sizeof(err)) < 0) {
            error_report("%s", err);
            goto out_kernel;
        }
    }

    if (o.icount_shift >= 0 && !(ops->caps & ACCEL_CAP_DETERMINISTIC)) {
        error_report("-icount: not supported with -accel %s (it cannot count instructions)",
                     accel_name);
        goto out_bios;
    }
    rc = machine_init(&m, o.ram_size, o.icount_shift >= 0 ? VCLOCK_INSN : VCLOCK_HOST);
    if (rc < 0) {
        error_report("cannot allocate %llu MiB of guest RAM: %s",
                     (unsigned long long)(o.ram_size >> 20), strerror(-rc));
        goto out_bios;
    }
    m.no_reboot = o.no_reboot;
    if (o.icount_shift >= 0)
        m.clock.ns_per_insn = 1ull << o.icount_shift;
    serial = o.serial ? o.serial : "stdio";
    pcc.serial0 = chardev_open(&m.loop, serial, err, sizeof(err));
    if (!pcc.serial0 && strcmp(serial, "none") != 0) {
        error_report("-serial %s: %s", serial, err);
        goto out_machine;
    }
    chardev_set_quit_handler(pcc.serial0, quit_from_console, &m);
    pcc.bios = bios;
    pcc.bios_size = bios_len;
    if (pc_build(&pc, &m, &pcc, err, sizeof(err)) < 0) {
        error_report("%s", err);
        goto out_chardev;
    }
    if (add_user_devices(&m, &o) < 0)
        goto out_pc;
    if (boot_state(&b, &cpu) < 0)
        goto out_pc;

    acfg = (struct accel_config){ .bus = &m.bus, .ncpus = o.smp, .stop_requested = stop_requested };
    if (accel_create(ops, &acfg, &b.accel) < 0)
        goto out_pc;
    if (map_guest_memory(&m, b.accel) < 0)
        goto out_accel;
    if (m.clock.mode == VCLOCK_INSN) {
        m.clock.insns = accel_insns;
        m.clock.insns_opaque = b.accel;
    }
    rc = b.accel->ops->vcpu_create(b.accel, 0);
    if (rc == 0)
        rc = b.accel->ops->set_state(b.accel, 0, &cpu);
    if (rc < 0) {
        error_report("%s: cannot create the vCPU: %s", ops->name, strerror(-rc));
        goto out_accel;
    }
    struct runloop_config rcfg = { .on_reset = on_reset, .opaque = &b,
                                   .icount_sleep = o.icount_sleep };
    status = runloop_run(&m, b.accel, &rcfg);

out_accel:
    accel_destroy(b.accel);
out_pc:
    pc_destroy(&pc);
out_chardev:
    machine_destroy(&m);
    chardev_close(pcc.serial0);
    goto out_bios;
out_machine:
    machine_destroy(&m);
out_bios:
    free(bios);
out_kernel:
    free(b.kernel);
    log_close();
    return status;
}
