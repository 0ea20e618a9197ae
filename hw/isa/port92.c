/*
 * port92.c - PS/2 System Control Port A ("port92"), the "fast A20" and
 * "fast reset" port that chipsets keep at 0x92.
 *
 * Spec: IBM PS/2 Hardware Interface Technical Reference, "System Control
 * Port A (Hex 0092)": bit 0 alternate hot reset (a 0 -> 1 transition
 * resets the processor; the bit keeps its value), bit 1 alternate gate
 * A20 (1 = A20 enabled), bit 3 security lock, bits 6-7 fixed disk
 * activity lights; reads return the bits as written.  All bits are 0
 * after a system reset.
 *
 * Model: the register is one byte, read back as written; bit 0's rising
 * edge calls machine_request_reset, bit 1 is reported to the board
 * through port92_set_a20_handler (which ORs it with the keyboard
 * controller's A20 output, as the PC's A20 gate does).
 *
 * Not implemented: the watchdog timeout status (bit 4, reads as written),
 * the security lock's effect on CMOS RAM, the disk activity lights.
 */
#include "hw/isa/port92.h"
#include "hw/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "hw/core/machine.h"
#include "util/log.h"

#define P92_RESET 0x01
#define P92_A20   0x02

struct port92 {
    struct device dev;
    uint32_t iobase;          /* property */
    uint8_t value;
    void (*a20_fn)(void *opaque, bool on);
    void *a20_opaque;
    bool io_registered;
};

static uint64_t port92_read(void *opaque, uint64_t offset, unsigned size)
{
    return ((struct port92 *)opaque)->value;
}

static void port92_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct port92 *p = opaque;
    uint8_t old = p->value, v = (uint8_t)val;

    p->value = v;
    if (((old ^ v) & P92_A20) && p->a20_fn)
        p->a20_fn(p->a20_opaque, (v & P92_A20) != 0);
    if (!(old & P92_RESET) && (v & P92_RESET)) {
        vlog(LOG_INT, "port92: fast reset\n");
        machine_request_reset(p->dev.machine);
    }
}

static const struct io_ops port92_ops = {
    .read = port92_read,
    .write = port92_write,
    .max_access = 1,
};

bool port92_a20(void *dev)
{
    return (((struct port92 *)dev)->value & P92_A20) != 0;
}

void port92_set_a20_handler(void *dev, void (*fn)(void *opaque, bool on), void *opaque)
{
    struct port92 *p = dev;

    p->a20_fn = fn;
    p->a20_opaque = opaque;
}

static void port92_reset(struct device *dev)
{
    struct port92 *p = (struct port92 *)dev;

    p->value = 0;
    if (p->a20_fn)
        p->a20_fn(p->a20_opaque, false);
}

static int port92_realize(struct device *dev, char *err, size_t errlen)
{
    struct port92 *p = (struct port92 *)dev;
    int rc;

    if (p->iobase > 0xffff) {
        snprintf(err, errlen, "port92: iobase 0x%x leaves the I/O port space", p->iobase);
        return -EINVAL;
    }
    rc = as_add_io(&dev->machine->io, p->iobase, 1, &port92_ops, p, "port92");
    if (rc < 0) {
        snprintf(err, errlen, "port92: cannot claim I/O port 0x%x%s", p->iobase,
                 rc == -EEXIST ? " (already in use)" : "");
        return rc;
    }
    p->io_registered = true;
    return 0;
}

static void port92_unrealize(struct device *dev)
{
    struct port92 *p = (struct port92 *)dev;

    if (p->io_registered)
        as_remove(&dev->machine->io, p->iobase);
    p->io_registered = false;
}

static const struct prop_desc port92_props[] = {
    { "iobase", PROP_U32, offsetof(struct port92, iobase), "0x92", "port" },
    { NULL, PROP_U32, 0, NULL, NULL },
};

const struct device_desc port92_desc = {
    .name = "port92",
    .help = "System Control Port A (fast A20 gate, fast reset)",
    .state_size = sizeof(struct port92),
    .props = port92_props,
    .user_creatable = false,
    .realize = port92_realize,
    .reset = port92_reset,
    .unrealize = port92_unrealize,
};
