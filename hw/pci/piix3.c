/*
 * piix3.c - function 0 of the Intel 82371SB PIIX3, the PCI-to-ISA bridge
 * ("piix3-isa"), PCI 00:01.0: its configuration space and the PCI
 * interrupt (PIRQ) router.
 *
 * Spec: Intel 82371FB/82371SB (PIIX/PIIX3) datasheet (order 290550),
 * PCI configuration registers of function 0: VID 8086h, DID 7000h,
 * PCICMD 0007h (I/O, memory and bus master enables fixed at 1; special
 * cycle enable writable), PCISTS 0200h (DEVSEL medium), class 060100h,
 * HEDT 80h (multi-function); IORT 4Ch (4Dh), XBCS 4Eh (0003h), PIRQRC[A-D]
 * 60h-63h (default 80h: bit 7 = 1 disables the routing, bits 3:0 select
 * IRQ 3-7, 9-12, 14 or 15; 0-2, 8 and 13 are reserved; bits 6:4
 * reserved), TOM 69h (02h), MSTAT 6Ah, MBIRQ0-1 70h-71h (80h), MBDMA0-1
 * 76h-77h (0Ch), PCSC 78h (0002h), APICBASE 80h, DLC 82h, SMI registers
 * A0h-AEh (SMICNTL 08h, FTMR 0Fh); "PCI Interrupt Routing": PIRQx# are
 * level, active low and shareable; a routed PIRQ drives the selected ISA
 * IRQ, which the ELCR must then make level-sensitive.
 *
 * Model: the PIRQ inputs are levels (wires: a reset keeps them); each ISA
 * IRQ is driven with the OR of the PIRQs routed to it, and only changes
 * are reported to the board's handler.  A route with a reserved IRQ
 * number is treated as disabled (logged as a guest error).
 *
 * Not implemented (stored only): the motherboard device IRQ/DMA routing
 * (MBIRQ, MBDMA), XBCS decode enables (the board decides which ISA
 * devices exist), top of memory, the APIC chip select, SMI generation,
 * the fast timers; the reset control register at CF9h is served by the
 * host bridge (hw/pci/i440fx.c), which owns CF8h-CFBh.  ISA DMA, the IDE
 * and USB functions are separate devices (not yet written).
 */
#include "hw/pci/piix3.h"
#include "hw/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "hw/core/machine.h"
#include "hw/pci/pci.h"
#include "util/log.h"

#define PIRQRC      0x60
#define PIRQ_DISABLE 0x80
#define PIRQ_IRQ    0x0f
/* IRQs a PIRQ may be routed to: 3-7, 9-12, 14, 15. */
#define PIRQ_VALID_IRQS 0xdef8u

struct piix3 {
    struct pci_device pd;
    uint8_t devfn;                  /* property */
    uint32_t pirqrc;                /* property: PIRQRC[A-D] after reset (byte n = PIRQn) */
    struct pci_function fn;
    uint8_t pirq_level;             /* bit n: PIRQ n asserted */
    uint16_t isa_level;             /* ISA IRQs we drive high */
    irq_handler_fn isa_fn;
    void *isa_opaque;
};

void piix3_set_isa_irq_handler(struct device *dev, irq_handler_fn fn, void *opaque)
{
    struct piix3 *p = (struct piix3 *)dev;

    p->isa_fn = fn;
    p->isa_opaque = opaque;
}

/* ISA IRQ of PIRQ n, or -1 when its routing is disabled or reserved. */
static int pirq_route(const struct piix3 *p, unsigned n)
{
    uint8_t r = p->fn.config[PIRQRC + n];
    unsigned irq = r & PIRQ_IRQ;

    if ((r & PIRQ_DISABLE) || !(PIRQ_VALID_IRQS & (1u << irq)))
        return -1;
    return (int)irq;
}

static void piix3_update_irq(struct piix3 *p)
{
    uint16_t want = 0, diff;

    for (unsigned n = 0; n < 4; n++) {
        int irq = pirq_route(p, n);

        if (irq >= 0 && (p->pirq_level & (1u << n)))
            want |= (uint16_t)(1u << irq);
    }
    diff = want ^ p->isa_level;
    p->isa_level = want;
    for (unsigned irq = 0; irq < 16 && p->isa_fn; irq++)
        if (diff & (1u << irq))
            p->isa_fn(p->isa_opaque, irq, (want >> irq) & 1);
}

void piix3_set_pirq(void *dev, unsigned pirq, int level)
{
    struct piix3 *p = dev;

    if (pirq > 3)
        return;
    if (level)
        p->pirq_level |= (uint8_t)(1u << pirq);
    else
        p->pirq_level &= (uint8_t)~(1u << pirq);
    piix3_update_irq(p);
}

static void piix3_config_write(void *opaque, unsigned offset, unsigned size)
{
    struct piix3 *p = opaque;

    if (offset >= PIRQRC + 4 || offset + size <= PIRQRC)
        return;
    for (unsigned n = 0; n < 4; n++) {
        uint8_t r = p->fn.config[PIRQRC + n];

        if (!(r & PIRQ_DISABLE) && pirq_route(p, n) < 0)
            vlog(LOG_GUEST_ERROR, "piix3: PIRQ%c routed to reserved IRQ %u: ignored\n", 'A' + n,
                 r & PIRQ_IRQ);
    }
    piix3_update_irq(p);
}

static const struct pci_function_ops piix3_pci_ops = { .config_write = piix3_config_write };

static void init_config(struct pci_function *fn, uint32_t pirqrc)
{
    static const struct { uint8_t off, len; uint32_t val, wmask; } regs[] = {
        { 0x4c, 1, 0x4d, 0xff },        /* IORT */
        { 0x4e, 2, 0x0003, 0xffff },    /* XBCS */
        { 0x60, 1, 0x80, 0x8f },        /* PIRQRCA-D */
        { 0x61, 1, 0x80, 0x8f },
        { 0x62, 1, 0x80, 0x8f },
        { 0x63, 1, 0x80, 0x8f },
        { 0x69, 1, 0x02, 0xff },        /* TOM */
        { 0x6a, 2, 0x0000, 0xffff },    /* MSTAT */
        { 0x70, 1, 0x80, 0xff },        /* MBIRQ0-1 */
        { 0x71, 1, 0x80, 0xff },
        { 0x76, 1, 0x0c, 0xff },        /* MBDMA0-1 */
        { 0x77, 1, 0x0c, 0xff },
        { 0x78, 2, 0x0002, 0xffff },    /* PCSC */
        { 0x80, 1, 0x00, 0xff },        /* APICBASE */
        { 0x82, 1, 0x00, 0xff },        /* DLC */
        { 0xa0, 1, 0x08, 0xff },        /* SMICNTL */
        { 0xa2, 2, 0x0000, 0xffff },    /* SMIEN */
        { 0xa4, 4, 0, 0xffffffff },     /* SEE */
        { 0xa8, 1, 0x0f, 0xff },        /* FTMR */
        { 0xaa, 2, 0x0000, 0xffff },    /* SMIREQ */
        { 0xac, 1, 0x00, 0xff },        /* CTLTMR */
        { 0xae, 1, 0x00, 0xff },        /* CTHTMR */
    };

    pci_config_init(fn, 0x8086, 0x7000, 0x00, 0x060100, 0x80);
    pci_set_reg(fn, PCI_COMMAND, 2, 0x0007, 0x0008);
    pci_set_reg(fn, PCI_STATUS, 2, 0x0200, 0);
    pci_set_reg(fn, PCI_CACHE_LINE, 1, 0, 0);
    pci_set_reg(fn, PCI_LATENCY_TIMER, 1, 0, 0);
    pci_set_reg(fn, PCI_INTERRUPT_LINE, 1, 0, 0);
    for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
        pci_set_reg(fn, regs[i].off, regs[i].len, regs[i].val, regs[i].wmask);
    /* the routing firmware left (a board booting without firmware acts
     * as it); the datasheet's reset value is 80h each: disabled */
    for (unsigned n = 0; n < 4; n++)
        pci_set_reg(fn, PIRQRC + n, 1, (pirqrc >> (8 * n)) & 0x8f, 0x8f);
}

static void piix3_reset(struct device *dev)
{
    struct piix3 *p = (struct piix3 *)dev;

    pci_function_reset(&p->fn);
    piix3_update_irq(p);
}

static void piix3_unrealize(struct device *dev)
{
    pci_unregister_function(&((struct piix3 *)dev)->fn);
}

static int piix3_realize(struct device *dev, char *err, size_t errlen)
{
    struct piix3 *p = (struct piix3 *)dev;
    int rc;

    if (!p->pd.bus) {
        snprintf(err, errlen, "piix3-isa: not plugged into a PCI bus");
        return -EINVAL;
    }
    init_config(&p->fn, p->pirqrc);
    rc = pci_register_function(p->pd.bus, &p->fn, p->devfn, &piix3_pci_ops, p);
    if (rc < 0) {
        snprintf(err, errlen, "piix3-isa: PCI address %02x.%x is taken", p->devfn >> 3,
                 p->devfn & 7);
        return rc;
    }
    return 0;
}

static const struct prop_desc piix3_props[] = {
    { "devfn", PROP_U8, offsetof(struct piix3, devfn), "0x08", "PCI slot << 3 | function" },
    { "pirqrc", PROP_U32, offsetof(struct piix3, pirqrc), "0x80808080",
      "PIRQRC[A-D] after reset, byte n for PIRQn (80h: disabled, as without firmware)" },
    { NULL, PROP_U32, 0, NULL, NULL },
};

const struct device_desc piix3_isa_desc = {
    .name = "piix3-isa",
    .help = "PIIX3 PCI-to-ISA bridge (function 0) with PIRQ routing",
    .state_size = sizeof(struct piix3),
    .props = piix3_props,
    .user_creatable = false,
    .realize = piix3_realize,
    .reset = piix3_reset,
    .unrealize = piix3_unrealize,
};
