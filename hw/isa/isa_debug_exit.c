/*
 * isa_debug_exit.c - "isa-debug-exit", the test device QEMU offers for
 * guests to end the emulator with a status: writing V (any size) to any
 * of its ports exits vireo with status (V << 1) | 1, so no guest value can
 * look like a clean exit 0.
 *
 * Spec: QEMU's isa-debug-exit behaviour (properties iobase, default 0x501,
 * and iosize, default 2; accesses of 1 to 4 bytes; reads return 0, which
 * is also how a guest tells the device is present, since unclaimed ports
 * read all ones).  This is not a device of a real PC.
 *
 * Not implemented: nothing beyond the above.  The status is handed to
 * machine_request_exit (first request wins); the process exit code keeps
 * its low 8 bits as usual.
 */
#include "hw/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "hw/core/machine.h"
#include "util/log.h"

struct isa_debug_exit {
    struct device dev;
    uint32_t iobase, iosize;  /* properties */
    bool io_registered;
};

static uint64_t debug_exit_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0;
}

static void debug_exit_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct isa_debug_exit *d = opaque;
    int status = (int)(uint32_t)((val << 1) | 1);

    vlog(LOG_IOPORT, "isa-debug-exit: guest wrote 0x%llx, exit status %d\n",
         (unsigned long long)val, status);
    machine_request_exit(d->dev.machine, status);
}

static const struct io_ops debug_exit_ops = {
    .read = debug_exit_read,
    .write = debug_exit_write,
    .max_access = 4,
};

static int debug_exit_realize(struct device *dev, char *err, size_t errlen)
{
    struct isa_debug_exit *d = (struct isa_debug_exit *)dev;
    int rc;

    if (d->iosize == 0 || d->iosize > 0x10000 || d->iobase > 0x10000 - d->iosize) {
        snprintf(err, errlen, "isa-debug-exit: ports 0x%x+0x%x do not fit the I/O port space",
                 d->iobase, d->iosize);
        return -EINVAL;
    }
    rc = as_add_io(&dev->machine->io, d->iobase, d->iosize, &debug_exit_ops, d,
                   "isa-debug-exit");
    if (rc < 0) {
        snprintf(err, errlen, "isa-debug-exit: cannot claim I/O ports 0x%x-0x%x%s", d->iobase,
                 d->iobase + d->iosize - 1, rc == -EEXIST ? " (already in use)" : "");
        return rc;
    }
    d->io_registered = true;
    return 0;
}

static void debug_exit_unrealize(struct device *dev)
{
    struct isa_debug_exit *d = (struct isa_debug_exit *)dev;

    if (d->io_registered)
        as_remove(&dev->machine->io, d->iobase);
    d->io_registered = false;
}

static const struct prop_desc debug_exit_props[] = {
    { "iobase", PROP_U32, offsetof(struct isa_debug_exit, iobase), "0x501", "first port" },
    { "iosize", PROP_U32, offsetof(struct isa_debug_exit, iosize), "0x2", "number of ports" },
    { NULL, PROP_U32, 0, NULL, NULL },
};

const struct device_desc isa_debug_exit_desc = {
    .name = "isa-debug-exit",
    .help = "exit with status (value << 1) | 1 when the guest writes value (QEMU-compatible)",
    .state_size = sizeof(struct isa_debug_exit),
    .props = debug_exit_props,
    .user_creatable = true,
    .realize = debug_exit_realize,
    .unrealize = debug_exit_unrealize,
};
