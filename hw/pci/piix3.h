/*
 * piix3.h - the PIIX3 PCI-to-ISA bridge ("piix3-isa"): PIRQ routing.
 */
#ifndef VIREO_HW_PCI_PIIX3_H
#define VIREO_HW_PCI_PIIX3_H

#include "hw/core/irq.h"

struct device;

/* Wiring, before realize: FN(opaque, n, level) drives ISA IRQ n (0-15). */
void piix3_set_isa_irq_handler(struct device *dev, irq_handler_fn fn, void *opaque);

/* PIRQ[A-D]# input PIRQ (0-3) is now LEVEL (active high here; the pins
 * are active low on the chip).  Same shape as irq_handler_fn, so the board
 * can pass it to pci_bus_set_pirq_handler with the device as opaque. */
void piix3_set_pirq(void *dev, unsigned pirq, int level);

#endif
