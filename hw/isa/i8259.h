/*
 * i8259.h - entry points of the 8259A PIC pair ("i8259") beyond its
 * device descriptor (i8259_desc in hw/devices.h).
 *
 * Inputs: 16 request lines.  Hand each device an irq_line
 * { i8259_set_irq, pic, n } with n = 0-7 for the master's IR0-7 and
 * n = 8-15 for the slave's IR0-7.  Line 2 is the master's cascade input,
 * driven internally by the slave's INT; requests on n = 2 are ignored
 * (the PC routes ISA IRQ2 to IRQ9).
 *
 * Output: the master's INT pin.  It is driven on dev->irq[0] whenever it
 * changes, and the CPU side asks for it with i8259_intr_pending and runs
 * the INTA cycle with i8259_intr_ack (both take the i8259 struct device).
 */
#ifndef VIREO_HW_ISA_I8259_H
#define VIREO_HW_ISA_I8259_H

#include <stdbool.h>

/* irq_line handler: request line N (0-15) of the pair is now LEVEL. */
void i8259_set_irq(void *pic, unsigned n, int level);
/* The master's INT output is asserted. */
bool i8259_intr_pending(void *pic);
/* The INTA cycle: returns the vector byte (0-255) and does the IRR/ISR
 * bookkeeping (AEOI, rotation, cascade through master IR2).  With no
 * request left it returns the spurious IR7 vector of the chip that
 * answers; it never fails. */
int i8259_intr_ack(void *pic);

#endif
