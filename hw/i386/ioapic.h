/*
 * ioapic.h - entry points of the I/O APIC ("ioapic", Intel 82093AA)
 * beyond its device descriptor (ioapic_desc in hw/devices.h).  Every
 * function takes the ioapic's struct device as void *.
 *
 * Inputs: 24 pins, as irq lines { ioapic_set_irq, ioapic, pin }.
 * Output: interrupt messages to the sink the board installs (it calls
 * lapic_deliver on the addressed local APIC).  Level-triggered EOIs come
 * back through ioapic_eoi (the local APIC's EOI hook).
 */
#ifndef VIREO_HW_I386_IOAPIC_H
#define VIREO_HW_I386_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_PINS 24

/* One interrupt message: vector, delivery mode (APIC_DM_*, bits 10:8 of
 * the redirection entry), trigger mode, destination field (bits 63:56)
 * and destination mode (true = logical). */
typedef void (*ioapic_sink_fn)(void *opaque, uint8_t vector, unsigned delivery_mode,
                               bool level_trig, uint8_t dest, bool dest_logical);

void ioapic_set_sink(void *ioapic, ioapic_sink_fn fn, void *opaque);
/* irq_line handler: input PIN (0-23) is now LEVEL (electrical level;
 * the entry's polarity bit decides what "asserted" means). */
void ioapic_set_irq(void *ioapic, unsigned pin, int level);
/* An EOI for VECTOR from a local APIC: clears remote IRR of the matching
 * level-triggered entries and redelivers those still asserted. */
void ioapic_eoi(void *ioapic, uint8_t vector);

#endif
