/*
 * hpet.h - the HPET ("hpet") beyond its descriptor: the board's hooks for
 * non-legacy interrupt routes and for the legacy replacement switch.
 */
#ifndef VIREO_HW_I386_HPET_H
#define VIREO_HW_I386_HPET_H

#include <stdbool.h>

#include "hw/core/irq.h"

struct device;

/* Wiring, before realize: FN(opaque, gsi, level) drives I/O APIC input
 * GSI for timers routed through Tn_INT_ROUTE_CNF (only inputs in the
 * "intcap" property can be selected). */
void hpet_set_route_handler(struct device *dev, irq_handler_fn fn, void *opaque);

/* FN(opaque, on) is called when LEG_RT_CNF changes (and with false at
 * reset): while on, timer 0 drives dev->irq[0] (IRQ0 / I/O APIC pin 2)
 * and timer 1 dev->irq[1] (IRQ8), and the board must disconnect the
 * 8254's and the RTC's own interrupt outputs from those lines. */
void hpet_set_legacy_handler(struct device *dev, void (*fn)(void *opaque, bool on), void *opaque);

#endif
