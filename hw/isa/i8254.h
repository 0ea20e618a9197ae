/*
 * i8254.h - entry points of the 8254 PIT model ("i8254") beyond its
 * device descriptor (i8254_desc in hw/devices.h).
 *
 * Counter 0's OUT is driven on dev->irq[0] (ISA IRQ0 on a PC).  GATE
 * inputs start high; on a PC counters 0 and 1 keep them tied high and
 * counter 2's gate is bit 0 of port 0x61, which the device itself serves
 * (property port61).  A board without that port drives gates here.
 */
#ifndef VIREO_HW_ISA_I8254_H
#define VIREO_HW_ISA_I8254_H

#include <stdbool.h>

/* GATE input of counter CH (0-2) is now LEVEL (rising edge = trigger). */
void i8254_set_gate(void *pit, unsigned ch, int level);
/* Current level of counter CH's OUT pin (e.g. for a speaker). */
bool i8254_get_out(void *pit, unsigned ch);

#endif
