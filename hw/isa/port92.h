/*
 * port92.h - System Control Port A ("port92"): the board's A20 hook.
 */
#ifndef VIREO_HW_ISA_PORT92_H
#define VIREO_HW_ISA_PORT92_H

#include <stdbool.h>

/* Bit 1, the alternate A20 gate. */
bool port92_a20(void *dev);

/* FN is called with bit 1 whenever it changes and at every reset (with
 * false).  The board ORs it with the i8042's A20 output. */
void port92_set_a20_handler(void *dev, void (*fn)(void *opaque, bool on), void *opaque);

#endif
