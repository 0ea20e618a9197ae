/*
 * ioapic.c - Intel 82093AA I/O APIC ("ioapic"): 24 interrupt input pins
 * routed through a redirection table to local APICs as messages.
 *
 * Spec: Intel 82093AA I/O Advanced Programmable Interrupt Controller
 * datasheet (order 290566): 3.0 register description (IOREGSEL at base
 * +0x00, IOWIN at base +0x10; IOAPICID 0x00 bits 27:24, IOAPICVER 0x01 =
 * 0x00170011: version 0x11, maximum redirection entry 0x17, IOAPICARB
 * 0x02, IOREDTBL0-23 at 0x10-0x3f, low dword at 0x10 + 2n), 3.2.4 the
 * redirection entry (vector, delivery mode, destination mode, delivery
 * status, polarity, remote IRR, trigger mode, mask, destination).
 *
 * Behaviour: a pin is asserted when its electrical level XOR the entry's
 * polarity bit (1 = active low) is 1.  Edge entries deliver once per
 * rising edge of "asserted" while unmasked; an edge on a masked pin is
 * lost ("not delivered or held pending").  Level entries deliver while
 * asserted, unmasked and remote IRR clear; delivery sets remote IRR; an
 * EOI with the entry's vector clears it, and the entry is delivered again
 * if the pin is still asserted.  Unmasking an asserted level pin delivers
 * it.  Writing an entry to edge mode clears remote IRR (what Linux does
 * to clear a stuck remote IRR on chips without an EOI register).  NMI,
 * SMI, INIT and ExtINT entries are always sent as edge messages (the
 * datasheet requires those to be programmed edge).  Delivery status
 * always reads idle: delivery is immediate.
 *
 * Access: IOREGSEL takes any write size (low byte = register index);
 * IOWIN takes aligned 32-bit writes only; reads of any size return the
 * matching bytes.  Other offsets in the 4 KiB page read all ones and drop
 * writes.  Unknown register indexes read 0 and drop writes (logged).
 * Reset: every entry masked (0x00010000 / 0), ID from the "id" property.
 *
 * Not implemented: the EOI register of later (version 0x20) IOAPICs,
 * lowest-priority arbitration (the board's sink picks the CPU), the
 * APIC serial bus.  The sink cannot refuse a message, so a level message
 * that a disabled local APIC drops still sets remote IRR (software
 * clears it by EOI or by switching the entry to edge and back).
 */
#include "hw/i386/ioapic.h"
#include "hw/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "hw/core/machine.h"
#include "util/log.h"

#define IOAPIC_SIZE     0x1000u
#define IOAPIC_VERSION  (((IOAPIC_PINS - 1u) << 16) | 0x11u)

#define RTE_DELIVS      (1ull << 12)
#define RTE_POLARITY    (1ull << 13)
#define RTE_REMOTE_IRR  (1ull << 14)
#define RTE_LEVEL       (1ull << 15)
#define RTE_MASKED      (1ull << 16)
#define RTE_LO_WMASK    0x0001afffull   /* not delivery status, remote IRR */
#define RTE_HI_WMASK    0xff000000ull   /* destination */

struct ioapic {
    struct device dev;
    uint64_t base;              /* property */
    uint8_t id_prop;            /* property: ID after reset */
    uint32_t regsel;
    uint32_t id;                /* bits 27:24 */
    uint64_t rte[IOAPIC_PINS];
    uint32_t level;             /* electrical level of each pin (a wire) */
    ioapic_sink_fn sink;
    void *sink_opaque;
    bool mapped;
};

static bool asserted(const struct ioapic *s, unsigned pin)
{
    bool lv = (s->level >> pin) & 1;

    return lv != ((s->rte[pin] & RTE_POLARITY) != 0);
}

static bool is_level(uint64_t rte)
{
    unsigned mode = (rte >> 8) & 7;

    return (rte & RTE_LEVEL) && (mode == 0 || mode == 1);  /* fixed, lowest priority */
}

static void send(struct ioapic *s, unsigned pin)
{
    uint64_t r = s->rte[pin];
    bool level = is_level(r);

    if (level)
        s->rte[pin] |= RTE_REMOTE_IRR;
    if (s->sink)
        s->sink(s->sink_opaque, (uint8_t)r, (r >> 8) & 7, level, (uint8_t)(r >> 56),
                (r >> 11) & 1);
    else
        vlog(LOG_GUEST_ERROR, "ioapic: pin %u fired with no local APIC connected\n", pin);
}

/* Level entries: deliver when asserted, unmasked and not in service. */
static void service_level(struct ioapic *s, unsigned pin)
{
    uint64_t r = s->rte[pin];

    if (is_level(r) && !(r & RTE_MASKED) && !(r & RTE_REMOTE_IRR) && asserted(s, pin))
        send(s, pin);
}

void ioapic_set_irq(void *ioapic, unsigned pin, int level)
{
    struct ioapic *s = ioapic;
    bool was, now;

    if (pin >= IOAPIC_PINS)
        return;
    was = asserted(s, pin);
    if (level > 0)
        s->level |= 1u << pin;
    else
        s->level &= ~(1u << pin);
    now = asserted(s, pin);
    if (s->rte[pin] & RTE_MASKED)
        return;                 /* edges on a masked pin are lost */
    if (is_level(s->rte[pin]))
        service_level(s, pin);
    else if (now && !was)
        send(s, pin);
}

void ioapic_eoi(void *ioapic, uint8_t vector)
{
    struct ioapic *s = ioapic;

    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
        if ((uint8_t)s->rte[pin] != vector || !(s->rte[pin] & RTE_REMOTE_IRR))
            continue;
        s->rte[pin] &= ~RTE_REMOTE_IRR;
        service_level(s, pin);
    }
}

void ioapic_set_sink(void *ioapic, ioapic_sink_fn fn, void *opaque)
{
    struct ioapic *s = ioapic;

    s->sink = fn;
    s->sink_opaque = opaque;
}

static uint32_t reg_read(struct ioapic *s)
{
    unsigned r = s->regsel & 0xff;

    switch (r) {
    case 0x00: return s->id;
    case 0x01: return IOAPIC_VERSION;
    case 0x02: return s->id;            /* arbitration ID follows the ID */
    default:
        break;
    }
    if (r >= 0x10 && r < 0x10 + 2 * IOAPIC_PINS)
        return (uint32_t)(s->rte[(r - 0x10) / 2] >> (r & 1 ? 32 : 0));
    vlog(LOG_GUEST_ERROR, "ioapic: read of unknown register %#x\n", r);
    return 0;
}

static void reg_write(struct ioapic *s, uint32_t val)
{
    unsigned r = s->regsel & 0xff, pin;
    uint64_t old;

    if (r == 0x00) {
        s->id = val & 0x0f000000u;
        return;
    }
    if (r < 0x10 || r >= 0x10 + 2 * IOAPIC_PINS) {
        vlog(LOG_GUEST_ERROR, "ioapic: write %#x to %s register %#x dropped\n", val,
             r < 0x10 ? "read-only" : "unknown", r);
        return;
    }
    pin = (r - 0x10) / 2;
    old = s->rte[pin];
    if (r & 1) {
        s->rte[pin] = (old & 0x00ffffffffffffffull) | ((uint64_t)(val & RTE_HI_WMASK) << 32);
        return;
    }
    s->rte[pin] = (old & ~RTE_LO_WMASK) | (val & RTE_LO_WMASK);
    if (!(s->rte[pin] & RTE_LEVEL))
        s->rte[pin] &= ~RTE_REMOTE_IRR;
    service_level(s, pin);      /* e.g. unmasked while asserted */
}

static uint64_t ioapic_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    struct ioapic *s = opaque;
    uint32_t v;

    if (offset < 4)
        v = s->regsel;
    else if (offset >= 0x10 && offset < 0x14)
        v = reg_read(s);
    else
        return ~0ull;
    v >>= 8 * (offset & 3);
    return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void ioapic_mmio_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct ioapic *s = opaque;

    if (offset == 0) {
        s->regsel = (uint32_t)val & 0xff;
    } else if (offset == 0x10 && size == 4) {
        reg_write(s, (uint32_t)val);
    } else {
        vlog(LOG_GUEST_ERROR, "ioapic: %u-byte write at offset %#llx dropped\n", size,
             (unsigned long long)offset);
    }
}

static const struct io_ops ioapic_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
    .max_access = 4,
};

static void ioapic_reset(struct device *dev)
{
    struct ioapic *s = (struct ioapic *)dev;

    s->regsel = 0;
    s->id = (uint32_t)(s->id_prop & 0xf) << 24;
    for (unsigned i = 0; i < IOAPIC_PINS; i++)
        s->rte[i] = RTE_MASKED;
}

static void ioapic_unrealize(struct device *dev)
{
    struct ioapic *s = (struct ioapic *)dev;

    if (s->mapped)
        as_remove(&dev->machine->mem, s->base);
    s->mapped = false;
}

static int ioapic_realize(struct device *dev, char *err, size_t errlen)
{
    struct ioapic *s = (struct ioapic *)dev;
    int rc;

    if (s->id_prop > 0xf) {
        snprintf(err, errlen, "ioapic: id %u does not fit the 4-bit ID field", s->id_prop);
        return -EINVAL;
    }
    if (s->base & 0xfff) {
        snprintf(err, errlen, "ioapic: base %#llx is not 4 KiB aligned",
                 (unsigned long long)s->base);
        return -EINVAL;
    }
    rc = as_add_io(&dev->machine->mem, s->base, IOAPIC_SIZE, &ioapic_ops, s, "ioapic");
    if (rc < 0) {
        snprintf(err, errlen, "ioapic: cannot map 4 KiB at %#llx%s", (unsigned long long)s->base,
                 rc == -EEXIST ? " (already in use)" : "");
        return rc;
    }
    s->mapped = true;
    return 0;
}

static const struct prop_desc ioapic_props[] = {
    { "base", PROP_U64, offsetof(struct ioapic, base), "0xfec00000", "MMIO base (4 KiB)" },
    { "id", PROP_U8, offsetof(struct ioapic, id_prop), "0", "IOAPIC ID after reset (0-15)" },
    { NULL, PROP_U32, 0, NULL, NULL },
};

const struct device_desc ioapic_desc = {
    .name = "ioapic",
    .help = "82093AA I/O APIC: 24 pins, redirection table, level-triggered remote IRR",
    .state_size = sizeof(struct ioapic),
    .props = ioapic_props,
    .user_creatable = false,
    .realize = ioapic_realize,
    .reset = ioapic_reset,
    .unrealize = ioapic_unrealize,
};
