/*
 * i440fx.c - the Intel 82441FX PCI and Memory Controller (PMC), the host
 * bridge of the 440FX chipset ("i440fx-host"), PCI 00:00.0: owner of the
 * PCI bus, of configuration mechanism #1 and of the Turbo/Reset Control
 * register.
 *
 * Spec: PCI Local Bus Specification 3.0, 3.2.2.3.2 (configuration
 * mechanism #1: CONFIG_ADDRESS at CF8h is claimed only by 32-bit
 * accesses; bit 31 enable, bits 30:24 and 1:0 read 0, bus 23:16, device
 * 15:11, function 10:8, register 7:2; CONFIG_DATA at CFCh-CFFh accessed
 * as byte, word or dword at (CF8h & FCh) + (port & 3); with the enable
 * bit clear, or for a function that does not answer, reads return all
 * ones).  Intel 82441FX PMC datasheet (order 290549): configuration
 * header (VID 8086h, DID 1237h, RID 02h, class 060000h, PCICMD 0006h with
 * only SERRE/PERRE writable, PCISTS 0280h, MLT bits 7:3), PAM0-PAM6
 * (59h-5Fh; PAM0 bits 5:4, PAM1-6 bits 5:4 and 1:0), DRB0-7 (60h-67h,
 * default 01h), SMRAM (72h, default 02h, C_BASE_SEG read-only 010b), TRC
 * (I/O CF9h, byte access: bit 2 RCPU, a 0 -> 1 transition resets; bit 1
 * hard/soft reset select; bit 0 deturbo).
 *
 * Choices: the iobase property is CONFIG_ADDRESS; the device claims
 * iobase..iobase+7.  Byte and word accesses to CF8h-CFBh are not
 * CONFIG_ADDRESS: the byte at CF9h is TRC (property reset_reg; the PIIX3
 * has the same register at the same port), the other bytes float (read
 * FFh).  Hard and soft reset both call machine_request_reset (vireo has
 * one system reset).  Only bus 0 exists (no PCI-to-PCI bridges).
 *
 * Not implemented: PAM attributes, SMRAM and DRB are stored only (the
 * board's memory map does not follow them: shadowing the BIOS area and
 * SMRAM are not modelled), the remaining device-specific registers
 * (50h-58h, 68h, 70h-71h, 90h-93h) read 0 and ignore writes, special
 * cycles (device 1Fh function 7 register 0), the deturbo mode.
 */
#include "hw/pci/i440fx.h"
#include "hw/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "hw/core/machine.h"
#include "hw/pci/pci.h"
#include "util/log.h"

#define CA_ENABLE   0x80000000u
#define CA_MASK     0x80fffffcu      /* 30:24 and 1:0 read 0 */
#define TRC_RCPU    0x04
#define TRC_MASK    0x07

struct i440fx {
    struct pci_device pd;
    uint32_t iobase;                /* property */
    bool reset_reg;                 /* property */
    struct pci_function fn;
    struct pci_bus *bus;
    uint32_t config_address;
    uint8_t trc;
    bool io_registered;
};

struct pci_bus *i440fx_bus(struct device *host)
{
    return ((struct i440fx *)host)->bus;
}

static uint8_t legacy_byte_read(struct i440fx *h, unsigned port_off)
{
    return port_off == 1 && h->reset_reg ? h->trc : 0xff;
}

static void legacy_byte_write(struct i440fx *h, unsigned port_off, uint8_t v)
{
    if (port_off != 1 || !h->reset_reg) {
        vlog(LOG_GUEST_ERROR, "i440fx: byte write 0x%02x to CONFIG_ADDRESS+%u dropped\n", v,
             port_off);
        return;
    }
    if (!(h->trc & TRC_RCPU) && (v & TRC_RCPU)) {
        vlog(LOG_INT, "i440fx: %s reset through TRC\n", (v & 2) ? "hard" : "soft");
        machine_request_reset(h->pd.dev.machine);
    }
    h->trc = v & TRC_MASK;
}

/* Bus 0 function addressed by CONFIG_ADDRESS, or -1 (master abort). */
static int addressed_devfn(const struct i440fx *h)
{
    if (!(h->config_address & CA_ENABLE) || ((h->config_address >> 16) & 0xff) != 0)
        return -1;
    return (int)((h->config_address >> 8) & 0xff);
}

static uint64_t host_io_read(void *opaque, uint64_t offset, unsigned size)
{
    struct i440fx *h = opaque;
    uint32_t v = 0;
    int devfn;

    if (offset < 4) {
        if (offset == 0 && size == 4)
            return h->config_address;
        for (unsigned i = 0; i < size; i++)
            v |= (uint32_t)legacy_byte_read(h, (unsigned)offset + i) << (8 * i);
        return v;
    }
    devfn = addressed_devfn(h);
    if (devfn < 0)
        return 0xffffffffu;
    return pci_config_read(h->bus, (unsigned)devfn,
                           (h->config_address & 0xfc) + (unsigned)(offset - 4), size);
}

static void host_io_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct i440fx *h = opaque;
    int devfn;

    if (offset < 4) {
        if (offset == 0 && size == 4) {
            h->config_address = (uint32_t)val & CA_MASK;
            return;
        }
        for (unsigned i = 0; i < size; i++)
            legacy_byte_write(h, (unsigned)offset + i, (uint8_t)(val >> (8 * i)));
        return;
    }
    devfn = addressed_devfn(h);
    if (devfn < 0) {
        vlog(LOG_GUEST_ERROR, "i440fx: CONFIG_DATA write with CONFIG_ADDRESS 0x%08x dropped\n",
             h->config_address);
        return;
    }
    pci_config_write(h->bus, (unsigned)devfn, (h->config_address & 0xfc) + (unsigned)(offset - 4),
                     (uint32_t)val, size);
}

static const struct io_ops host_io_ops = {
    .read = host_io_read, .write = host_io_write, .max_access = 4,
};

static void i440fx_reset(struct device *dev)
{
    struct i440fx *h = (struct i440fx *)dev;

    h->config_address = 0;
    h->trc = 0;
    pci_function_reset(&h->fn);
}

static void i440fx_unrealize(struct device *dev)
{
    struct i440fx *h = (struct i440fx *)dev;

    if (h->io_registered)
        as_remove(&dev->machine->io, h->iobase);
    h->io_registered = false;
    if (h->bus) {
        pci_unregister_function(&h->fn);
        pci_bus_free(h->bus);
    }
    h->bus = NULL;
}

static void init_config(struct pci_function *fn)
{
    pci_config_init(fn, 0x8086, 0x1237, 0x02, 0x060000, 0x00);
    pci_set_reg(fn, PCI_COMMAND, 2, 0x0006, 0x0140);    /* MAE, BME fixed; SERRE, PERRE */
    pci_set_reg(fn, PCI_STATUS, 2, 0x0280, 0);          /* fast back-to-back, DEVSEL medium */
    pci_set_reg(fn, PCI_CACHE_LINE, 1, 0, 0);
    pci_set_reg(fn, PCI_LATENCY_TIMER, 1, 0, 0xf8);
    pci_set_reg(fn, PCI_INTERRUPT_LINE, 1, 0, 0);       /* no interrupt */
    pci_set_reg(fn, 0x59, 1, 0, 0x30);                  /* PAM0: F0000h-FFFFFh */
    for (unsigned i = 0x5a; i <= 0x5f; i++)
        pci_set_reg(fn, i, 1, 0, 0x33);                 /* PAM1-6 */
    for (unsigned i = 0x60; i <= 0x67; i++)
        pci_set_reg(fn, i, 1, 0x01, 0xff);              /* DRB0-7 */
    pci_set_reg(fn, 0x72, 1, 0x02, 0x78);               /* SMRAM */
}

static int i440fx_realize(struct device *dev, char *err, size_t errlen)
{
    struct i440fx *h = (struct i440fx *)dev;
    int rc;

    if (h->iobase > 0x10000 - 8) {
        snprintf(err, errlen, "i440fx-host: iobase 0x%x leaves the I/O port space", h->iobase);
        return -EINVAL;
    }
    h->bus = pci_bus_new(dev->machine);
    if (!h->bus) {
        snprintf(err, errlen, "i440fx-host: out of memory");
        return -ENOMEM;
    }
    init_config(&h->fn);
    rc = pci_register_function(h->bus, &h->fn, PCI_DEVFN(0, 0), NULL, h);
    if (rc == 0) {
        rc = as_add_io(&dev->machine->io, h->iobase, 8, &host_io_ops, h, "pci-config");
        if (rc == 0)
            h->io_registered = true;
    }
    if (rc < 0) {
        snprintf(err, errlen, "i440fx-host: cannot claim I/O ports 0x%x-0x%x%s", h->iobase,
                 h->iobase + 7, rc == -EEXIST ? " (already in use)" : "");
        i440fx_unrealize(dev);
        return rc;
    }
    return 0;
}

static const struct prop_desc i440fx_props[] = {
    { "iobase", PROP_U32, offsetof(struct i440fx, iobase), "0xcf8",
      "CONFIG_ADDRESS port (CONFIG_DATA at +4)" },
    { "reset_reg", PROP_BOOL, offsetof(struct i440fx, reset_reg), "on",
      "serve the Turbo/Reset Control register at iobase+1" },
    { NULL, PROP_U32, 0, NULL, NULL },
};

const struct device_desc i440fx_host_desc = {
    .name = "i440fx-host",
    .help = "i440FX (82441FX PMC) PCI host bridge, configuration mechanism #1, reset control",
    .state_size = sizeof(struct i440fx),
    .props = i440fx_props,
    .user_creatable = false,
    .realize = i440fx_realize,
    .reset = i440fx_reset,
    .unrealize = i440fx_unrealize,
};
