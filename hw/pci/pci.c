/*
 * pci.c - the PCI core: configuration space of each function with write
 * masks, BAR sizing and mapping, INTx to PIRQ routing (see pci.h).
 *
 * Spec: PCI Local Bus Specification 3.0, 6.1 (all ones for a function
 * that does not answer: master abort), 6.2.1-6.2.4 (header: read-only
 * IDs and class, COMMAND, STATUS with write-1-to-clear error bits,
 * interrupt line/pin), 6.2.5.1 (BARs: the low bits read-only giving the
 * type; writing all ones and reading back gives the size mask; decoding
 * follows COMMAND bits 0/1), 2.2.6 (INTx# are level, shared, wire-ORed),
 * and the PCI-to-PCI Bridge Architecture interrupt swizzle
 * (slot + pin - 1) mod 4 that PIIX boards use for their PIRQ wiring.
 *
 * Choices: a BAR whose address is 0 is treated as unassigned and not
 * decoded; a BAR the address space cannot take (overlap with RAM or
 * another region, or outside the port space) stays unmapped and is
 * logged as a guest error.  Reserved registers read 0 and ignore writes
 * unless a device declares them.
 *
 * Not implemented: 64-bit and prefetchable memory BARs, the expansion
 * ROM BAR (reads 0: none), capabilities lists, MSI, type 1 headers and
 * buses other than 0, parity/SERR signalling (the bits are storage).
 */
#include "hw/pci/pci.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw/core/machine.h"
#include "util/log.h"

struct pci_bus {
    struct machine *m;
    struct pci_function *fn[256];
    unsigned pirq_count[4];
    irq_handler_fn set_pirq;
    void *pirq_opaque;
};

void pci_window_set(struct pci_window *w, bool enable, uint64_t base)
{
    int rc;

    if (w->enabled == enable && (!enable || w->base == base))
        return;
    if (w->mapped)
        as_remove(w->space, w->base);
    w->mapped = false;
    w->enabled = enable;
    w->base = base;
    if (!enable)
        return;
    rc = as_add_io(w->space, base, w->size, w->ops, w->opaque, w->name);
    if (rc == 0)
        w->mapped = true;
    else
        vlog(LOG_GUEST_ERROR, "pci: %s at 0x%llx (%llu bytes) cannot be decoded (%s)\n", w->name,
             (unsigned long long)base, (unsigned long long)w->size,
             rc == -EEXIST ? "overlaps another region" : "outside the address space");
}

void pci_set_reg(struct pci_function *fn, unsigned off, unsigned len, uint32_t value,
                 uint32_t wmask)
{
    for (unsigned i = 0; i < len && off + i < 256; i++) {
        fn->config[off + i] = (uint8_t)(value >> (8 * i));
        fn->wmask[off + i] = (uint8_t)(wmask >> (8 * i));
    }
}

uint32_t pci_get_reg(const struct pci_function *fn, unsigned off, unsigned len)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < len && off + i < 256; i++)
        v |= (uint32_t)fn->config[off + i] << (8 * i);
    return v;
}

void pci_config_init(struct pci_function *fn, uint16_t vendor, uint16_t device, uint8_t revision,
                     uint32_t class_code, uint8_t header_type)
{
    memset(fn, 0, sizeof(*fn));
    fn->intx_pirq = -1;
    pci_set_reg(fn, PCI_VENDOR_ID, 2, vendor, 0);
    pci_set_reg(fn, PCI_DEVICE_ID, 2, device, 0);
    /* I/O, memory, bus master, parity response, SERR#, interrupt disable. */
    pci_set_reg(fn, PCI_COMMAND, 2, 0, 0x0547);
    pci_set_reg(fn, PCI_STATUS, 2, 0, 0);
    /* Status bits 8, 11-15 (parity / abort / SERR) are write-1-to-clear. */
    fn->w1cmask[PCI_STATUS + 1] = 0xf9;
    pci_set_reg(fn, PCI_REVISION_ID, 1, revision, 0);
    pci_set_reg(fn, PCI_CLASS_PROG, 3, class_code, 0);
    pci_set_reg(fn, PCI_CACHE_LINE, 1, 0, 0xff);
    pci_set_reg(fn, PCI_LATENCY_TIMER, 1, 0, 0xff);
    pci_set_reg(fn, PCI_HEADER_TYPE, 1, header_type, 0);
    pci_set_reg(fn, PCI_INTERRUPT_LINE, 1, 0, 0xff);
}

void pci_register_bar(struct pci_function *fn, unsigned n, enum pci_bar_type type, uint64_t size,
                      const struct io_ops *ops, void *opaque, const char *name)
{
    uint32_t low = type == PCI_BAR_IO ? 0x1 : 0x0;

    /* Board/device programming errors, never guest input. */
    assert(n < PCI_NUM_BARS && (type == PCI_BAR_IO || type == PCI_BAR_MEM32));
    assert(size && !(size & (size - 1)) && size <= 0x80000000u);
    assert(size >= (type == PCI_BAR_IO ? 4u : 16u));
    fn->bar_type[n] = type;
    fn->bar[n] = (struct pci_window){ .size = size, .ops = ops, .opaque = opaque, .name = name };
    pci_set_reg(fn, PCI_BAR0 + 4 * n, 4, low, (uint32_t)~(size - 1));
}

static void update_mappings(struct pci_function *fn)
{
    uint16_t cmd = (uint16_t)pci_get_reg(fn, PCI_COMMAND, 2);
    struct machine *m = fn->bus ? fn->bus->m : NULL;

    for (unsigned n = 0; n < PCI_NUM_BARS && m; n++) {
        struct pci_window *w = &fn->bar[n];
        uint32_t reg = pci_get_reg(fn, PCI_BAR0 + 4 * n, 4);
        uint64_t addr;
        bool on;

        if (fn->bar_type[n] == PCI_BAR_NONE)
            continue;
        if (fn->bar_type[n] == PCI_BAR_IO) {
            w->space = &m->io;
            addr = reg & ~3u;
            on = cmd & PCI_COMMAND_IO;
        } else {
            w->space = &m->mem;
            addr = reg & ~0xfu;
            on = cmd & PCI_COMMAND_MEMORY;
        }
        pci_window_set(w, on && addr != 0, addr);
    }
}

static void update_intx(struct pci_function *fn)
{
    struct pci_bus *bus = fn->bus;
    uint8_t pin = fn->config[PCI_INTERRUPT_PIN];
    bool disabled = pci_get_reg(fn, PCI_COMMAND, 2) & PCI_COMMAND_INTX_DISABLE;
    int want = -1;

    if (fn->intx)
        fn->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    else
        fn->config[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
    if (bus && fn->intx && !disabled && pin >= 1 && pin <= 4)
        want = (int)(((fn->devfn >> 3) + pin - 1) & 3);
    if (want == fn->intx_pirq)
        return;
    if (fn->intx_pirq >= 0 && --bus->pirq_count[fn->intx_pirq] == 0 && bus->set_pirq)
        bus->set_pirq(bus->pirq_opaque, (unsigned)fn->intx_pirq, 0);
    fn->intx_pirq = want;
    if (want >= 0 && bus->pirq_count[want]++ == 0 && bus->set_pirq)
        bus->set_pirq(bus->pirq_opaque, (unsigned)want, 1);
}

void pci_set_irq(struct pci_function *fn, int level)
{
    fn->intx = level != 0;
    update_intx(fn);
}

int pci_register_function(struct pci_bus *bus, struct pci_function *fn, unsigned devfn,
                          const struct pci_function_ops *ops, void *opaque)
{
    if (devfn > 0xff)
        return -EINVAL;
    if (bus->fn[devfn])
        return -EEXIST;
    fn->bus = bus;
    fn->devfn = devfn;
    fn->ops = ops;
    fn->opaque = opaque;
    fn->intx_pirq = -1;
    memcpy(fn->reset_config, fn->config, sizeof(fn->config));
    bus->fn[devfn] = fn;
    update_mappings(fn);
    return 0;
}

void pci_unregister_function(struct pci_function *fn)
{
    if (!fn->bus)
        return;
    for (unsigned n = 0; n < PCI_NUM_BARS; n++)
        if (fn->bar_type[n] != PCI_BAR_NONE)
            pci_window_set(&fn->bar[n], false, 0);
    pci_set_irq(fn, 0);
    fn->bus->fn[fn->devfn] = NULL;
    fn->bus = NULL;
}

void pci_function_reset(struct pci_function *fn)
{
    memcpy(fn->config, fn->reset_config, sizeof(fn->config));
    fn->intx = false;
    update_intx(fn);
    update_mappings(fn);
}

struct pci_bus *pci_bus_new(struct machine *m)
{
    struct pci_bus *bus = calloc(1, sizeof(*bus));

    if (bus)
        bus->m = m;
    return bus;
}

void pci_bus_free(struct pci_bus *bus)
{
    if (!bus)
        return;
    /* Functions still plugged (devices torn down after the host bridge)
     * are detached: their later pci_unregister_function does nothing. */
    for (unsigned d = 0; d < 256; d++) {
        struct pci_function *fn = bus->fn[d];

        if (!fn)
            continue;
        for (unsigned n = 0; n < PCI_NUM_BARS; n++)
            if (fn->bar_type[n] != PCI_BAR_NONE)
                pci_window_set(&fn->bar[n], false, 0);
        fn->bus = NULL;
        fn->intx_pirq = -1;
    }
    free(bus);
}

void pci_bus_set_pirq_handler(struct pci_bus *bus, irq_handler_fn set_pirq, void *opaque)
{
    bus->set_pirq = set_pirq;
    bus->pirq_opaque = opaque;
}

uint32_t pci_config_read(struct pci_bus *bus, unsigned devfn, unsigned offset, unsigned size)
{
    struct pci_function *fn = devfn < 256 ? bus->fn[devfn] : NULL;
    uint32_t v = 0;

    if (size == 0 || size > 4)
        return 0xffffffffu;
    for (unsigned i = 0; i < size; i++) {
        unsigned o = offset + i;
        uint8_t b = fn && o < 256 ? fn->config[o] : 0xff;

        v |= (uint32_t)b << (8 * i);
    }
    return v;
}

void pci_config_write(struct pci_bus *bus, unsigned devfn, unsigned offset, uint32_t val,
                      unsigned size)
{
    struct pci_function *fn = devfn < 256 ? bus->fn[devfn] : NULL;
    unsigned end = offset + size;

    if (!fn || size == 0 || size > 4 || offset >= 256) {
        vlog(LOG_GUEST_ERROR, "pci: config write to absent %02x.%x offset 0x%x dropped\n",
             (devfn >> 3) & 0x1f, devfn & 7, offset);
        return;
    }
    if (end > 256)
        end = 256;
    for (unsigned o = offset; o < end; o++) {
        uint8_t b = (uint8_t)(val >> (8 * (o - offset)));
        uint8_t nv = (uint8_t)((fn->config[o] & ~fn->wmask[o]) | (b & fn->wmask[o]));

        fn->config[o] = (uint8_t)(nv & ~(b & fn->w1cmask[o]));
    }
    /* COMMAND (decode enables, INTx disable) or a BAR changed. */
    if (offset < PCI_BAR0 + 4 * PCI_NUM_BARS && end > PCI_COMMAND) {
        update_mappings(fn);
        update_intx(fn);
    }
    if (fn->ops && fn->ops->config_write)
        fn->ops->config_write(fn->opaque, offset, end - offset);
}
