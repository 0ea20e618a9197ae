/*
 * cmdline.c - parse the QEMU-compatible option subset:
 *   -accel, -machine/-M accel=, -m, -smp, -kernel, -initrd, -append,
 *   -bios, -serial, -nographic, -display none, -device, -no-reboot,
 *   -d, -D, -icount shift=N[,sleep=on|off], -h/-help/--help,
 *   -version/--version.
 * Options may be written with one or two dashes, as QEMU allows.
 * Not implemented: every other QEMU option (each is an error, never
 * silently ignored).
 */
#include "ui/cmdline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define DEFAULT_RAM (128ull << 20)   /* QEMU's default -m */

int cmdline_parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    unsigned shift = 20;

    if (!s || !*s || *s == '-')
        return -EINVAL;
    if (strncmp(s, "size=", 5) == 0)
        s += 5;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -EINVAL;
    switch (*end) {
    case '\0': break;
    case 'b': case 'B': shift = 0; end++; break;
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: return -EINVAL;
    }
    if (*end)
        return -EINVAL;
    if (v > (UINT64_MAX >> shift))
        return -ERANGE;
    *out = (uint64_t)v << shift;
    return 0;
}

void cmdline_usage(void)
{
    printf("usage: vireo [options]\n"
           "\n"
           "vireo is a full-system x86 PC emulator.  Options (QEMU-compatible meanings):\n"
           "  -accel NAME            CPU back end: tcg, interp or kvm (-accel help lists them)\n"
           "  -machine accel=NAME    the same, QEMU's other spelling (also -M)\n"
           "  -m SIZE                guest RAM, in MiB or with a K/M/G suffix (default 128M)\n"
           "  -smp N                 number of vCPUs (only 1 today)\n"
           "  -kernel FILE           boot a Multiboot kernel directly\n"
           "  -initrd FILES          Multiboot modules: \"file[ args][,file[ args]]\"\n"
           "  -append STRING         kernel command line\n"
           "  -bios FILE             raw firmware image mapped below 4 GiB (and at 0xE0000)\n"
           "  -serial DEV            COM1 back end: stdio, null, none, file:PATH, pty\n"
           "  -nographic             no display; COM1 on stdio (Ctrl-A x quits, Ctrl-A h helps)\n"
           "  -display none          no display\n"
           "  -device NAME[,p=v...]  add a device (-device help lists them)\n"
           "  -no-reboot             exit instead of rebooting (triple fault, reset request)\n"
           "  -d ITEMS               log categories (-d help lists them)\n"
           "  -D FILE                write the log to FILE\n"
           "  -icount shift=N[,sleep=on|off]\n"
           "                         deterministic clock: 2^N ns of virtual time per\n"
           "                         instruction (software CPU only); sleep=off skips idle time\n"
           "  -h, --help             this help\n"
           "  --version              print the version\n"
           "\n"
           "With neither -kernel nor -bios, vireo boots its built-in demo guest.\n");
}

static int parse_machine(const char *arg, struct vireo_options *o)
{
    char *copy = strdup(arg), *save = NULL, *item;
    int rc = 0;

    if (!copy)
        return -ENOMEM;
    for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        if (strncmp(item, "accel=", 6) == 0) {
            if (strlen(item + 6) >= sizeof(o->accel_buf) || !item[6]) {
                error_report("-machine: invalid accelerator '%s'", item + 6);
                rc = -EINVAL;
                break;
            }
            strcpy(o->accel_buf, item + 6);
            o->accel = o->accel_buf;
        } else if (strcmp(item, "pc") == 0 || strcmp(item, "type=pc") == 0) {
            /* the only machine type */
        } else if (strcmp(item, "help") == 0) {
            printf("Supported machines:\n  pc  vireo's x86 PC (default)\n");
            o->help = true;
        } else {
            error_report("-machine: unsupported option '%s' (supported: pc, accel=NAME)", item);
            rc = -EINVAL;
            break;
        }
    }
    free(copy);
    return rc;
}

static int parse_smp(const char *arg, struct vireo_options *o)
{
    char *end;
    unsigned long v;

    if (strncmp(arg, "cpus=", 5) == 0)
        arg += 5;
    errno = 0;
    v = strtoul(arg, &end, 10);
    if (errno || end == arg || (*end && *end != ',') || v == 0 || v > 255) {
        error_report("-smp: invalid number of CPUs '%s'", arg);
        return -EINVAL;
    }
    if (*end == ',') {
        error_report("-smp: topology options are not supported ('%s')", arg);
        return -EINVAL;
    }
    if (v != 1) {
        error_report("-smp %lu: only one vCPU is supported so far", v);
        return -EINVAL;
    }
    o->smp = (unsigned)v;
    return 0;
}

enum opt_id {
    OPT_HELP, OPT_VERSION, OPT_NOGRAPHIC, OPT_NO_REBOOT, OPT_ACCEL, OPT_MACHINE, OPT_M,
    OPT_SMP, OPT_KERNEL, OPT_INITRD, OPT_APPEND, OPT_BIOS, OPT_SERIAL, OPT_DISPLAY,
    OPT_DEVICE, OPT_D, OPT_LOGFILE, OPT_ICOUNT,
};

static const struct {
    const char *name;
    enum opt_id id;
    bool has_arg;
} options[] = {
    { "-h", OPT_HELP, false },          { "-help", OPT_HELP, false },
    { "-version", OPT_VERSION, false }, { "-nographic", OPT_NOGRAPHIC, false },
    { "-no-reboot", OPT_NO_REBOOT, false },
    { "-accel", OPT_ACCEL, true },      { "-machine", OPT_MACHINE, true },
    { "-M", OPT_MACHINE, true },        { "-m", OPT_M, true },
    { "-smp", OPT_SMP, true },          { "-kernel", OPT_KERNEL, true },
    { "-initrd", OPT_INITRD, true },    { "-append", OPT_APPEND, true },
    { "-bios", OPT_BIOS, true },        { "-serial", OPT_SERIAL, true },
    { "-display", OPT_DISPLAY, true },  { "-device", OPT_DEVICE, true },
    { "-d", OPT_D, true },              { "-D", OPT_LOGFILE, true },
    { "-icount", OPT_ICOUNT, true },
};

/* -icount [shift=]N[,sleep=on|off]: virtual time advances 2^N ns per
 * executed instruction (QEMU's meaning); "auto" is not supported. */
static int parse_icount(const char *arg, struct vireo_options *o)
{
    char *copy = strdup(arg), *save = NULL, *item;
    int rc = 0;

    if (!copy)
        return -ENOMEM;
    o->icount_shift = -1;
    o->icount_sleep = true;
    for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        const char *v = item;
        char *end;
        unsigned long n;

        if (strcmp(item, "sleep=on") == 0) {
            o->icount_sleep = true;
            continue;
        }
        if (strcmp(item, "sleep=off") == 0) {
            o->icount_sleep = false;
            continue;
        }
        if (strncmp(item, "shift=", 6) == 0)
            v = item + 6;
        errno = 0;
        n = strtoul(v, &end, 10);
        if (errno || end == v || *end || n > 10 || o->icount_shift >= 0) {
            error_report("-icount %s: expected shift=N with N from 0 to 10, and sleep=on|off",
                         arg);
            rc = -EINVAL;
            break;
        }
        o->icount_shift = (int)n;
    }
    if (rc == 0 && o->icount_shift < 0) {
        error_report("-icount %s: missing shift=N", arg);
        rc = -EINVAL;
    }
    free(copy);
    return rc;
}

static int apply(struct vireo_options *o, enum opt_id id, const char *arg)
{
    switch (id) {
    case OPT_HELP: o->help = true; break;
    case OPT_VERSION: o->version = true; break;
    case OPT_NOGRAPHIC: o->nographic = true; break;
    case OPT_NO_REBOOT: o->no_reboot = true; break;
    case OPT_ACCEL:
        if (strchr(arg, ',')) {
            error_report("-accel %s: accelerator properties are not supported", arg);
            return -EINVAL;
        }
        o->accel = arg;
        break;
    case OPT_MACHINE: return parse_machine(arg, o);
    case OPT_M:
        if (cmdline_parse_size(arg, &o->ram_size) < 0 || o->ram_size == 0) {
            error_report("-m %s: invalid RAM size", arg);
            return -EINVAL;
        }
        break;
    case OPT_SMP: return parse_smp(arg, o);
    case OPT_KERNEL: o->kernel = arg; break;
    case OPT_INITRD: o->initrd = arg; break;
    case OPT_APPEND: o->append = arg; break;
    case OPT_BIOS: o->bios = arg; break;
    case OPT_SERIAL: o->serial = arg; break;
    case OPT_DISPLAY:
        if (strcmp(arg, "none") != 0) {
            error_report("-display %s: only 'none' is supported so far", arg);
            return -EINVAL;
        }
        o->display_none = true;
        break;
    case OPT_DEVICE:
        if (o->ndevices == VIREO_MAX_DEVICES) {
            error_report("-device: at most %d devices", VIREO_MAX_DEVICES);
            return -EINVAL;
        }
        o->devices[o->ndevices++] = arg;
        break;
    case OPT_D: o->log_items = arg; break;
    case OPT_LOGFILE: o->log_file = arg; break;
    case OPT_ICOUNT: return parse_icount(arg, o);
    }
    return 0;
}

int cmdline_parse(int argc, char **argv, struct vireo_options *o)
{
    memset(o, 0, sizeof(*o));
    o->ram_size = DEFAULT_RAM;
    o->smp = 1;
    o->icount_shift = -1;

    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        size_t k, n = sizeof(options) / sizeof(options[0]);

        if (opt[0] != '-' || opt[1] == '\0') {
            error_report("'%s': unexpected argument (options start with '-'; disk images "
                         "are not supported yet)", opt);
            return -EINVAL;
        }
        if (opt[1] == '-')
            opt++;  /* --option means -option, as in QEMU */
        for (k = 0; k < n && strcmp(opt, options[k].name) != 0; k++) {
        }
        if (k == n) {
            error_report("%s: invalid option (see vireo -h)", argv[i]);
            return -EINVAL;
        }
        if (options[k].has_arg && i + 1 >= argc) {
            error_report("%s: requires an argument", argv[i]);
            return -EINVAL;
        }
        if (apply(o, options[k].id, options[k].has_arg ? argv[++i] : NULL) < 0)
            return -EINVAL;
    }
    if (o->ram_size < (2ull << 20)) {
        error_report("-m: at least 2 MiB of RAM is needed");
        return -EINVAL;
    }
    if (o->ram_size > (1ull << 40)) {
        error_report("-m: at most 1 TiB of RAM is supported");
        return -EINVAL;
    }
    if ((o->initrd || o->append) && !o->kernel) {
        error_report("%s is only valid together with -kernel", o->initrd ? "-initrd" : "-append");
        return -EINVAL;
    }
    return 0;
}
