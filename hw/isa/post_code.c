/*
 * post_code.c - "port80", the POST-code port.  Firmware and kernels write
 * progress codes (and Linux its I/O delays) to port 0x80; a POST card on
 * a real PC shows the last one.
 *
 * Spec: on the PC/AT, 0x80 is one of the spare DMA page registers (ports
 * 0x80-0x8f, the 74LS612 memory mapper), later kept by chipsets as the
 * "reserved page register" that is readable and writable.  So reads
 * return the last value written (0 at power-on), which is what software
 * probing the port on a real AT-compatible sees; a system reset does not
 * clear it (page registers and POST displays keep their value).  Each
 * write is logged under LOG_IOPORT ("-d ioport").
 *
 * Not implemented: the other page registers (0x81-0x8f) belong to the
 * DMA controller model; wider accesses are split into bytes, so only the
 * byte for 0x80 lands here.
 */
#include "hw/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "hw/core/machine.h"
#include "util/log.h"

struct post_code {
    struct device dev;
    uint32_t iobase;          /* property */
    uint8_t last;             /* last code written */
    bool io_registered;
};

static uint64_t post_code_read(void *opaque, uint64_t offset, unsigned size)
{
    struct post_code *p = opaque;

    return p->last;
}

static void post_code_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct post_code *p = opaque;

    p->last = (uint8_t)val;
    vlog(LOG_IOPORT, "port80: POST code 0x%02x\n", p->last);
}

static const struct io_ops post_code_ops = {
    .read = post_code_read,
    .write = post_code_write,
    .max_access = 1,
};

static int post_code_realize(struct device *dev, char *err, size_t errlen)
{
    struct post_code *p = (struct post_code *)dev;
    int rc;

    if (p->iobase > 0xffff) {
        snprintf(err, errlen, "port80: iobase 0x%x leaves the I/O port space", p->iobase);
        return -EINVAL;
    }
    rc = as_add_io(&dev->machine->io, p->iobase, 1, &post_code_ops, p, "port80");
    if (rc < 0) {
        snprintf(err, errlen, "port80: cannot claim I/O port 0x%x%s", p->iobase,
                 rc == -EEXIST ? " (already in use)" : "");
        return rc;
    }
    p->io_registered = true;
    return 0;
}

static void post_code_unrealize(struct device *dev)
{
    struct post_code *p = (struct post_code *)dev;

    if (p->io_registered)
        as_remove(&dev->machine->io, p->iobase);
    p->io_registered = false;
}

static const struct prop_desc post_code_props[] = {
    { "iobase", PROP_U32, offsetof(struct post_code, iobase), "0x80", "the port" },
    { NULL, PROP_U32, 0, NULL, NULL },
};

const struct device_desc post_code_desc = {
    .name = "port80",
    .help = "POST-code port: keeps and logs the last byte written, reads it back",
    .state_size = sizeof(struct post_code),
    .props = post_code_props,
    .user_creatable = true,
    .realize = post_code_realize,
    .unrealize = post_code_unrealize,
};
