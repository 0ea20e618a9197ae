/*
 * i8042.h - the i8042 keyboard controller with its PS/2 keyboard
 * ("i8042"): calls for the board and the UI.
 *
 * Wiring: dev->irq[0] = keyboard interrupt (IRQ1 on the PC), dev->irq[1]
 * = auxiliary interrupt (IRQ12); properties "data_port" (0x60) and
 * "cmd_port" (0x64).  Reset requests go to machine_request_reset.
 */
#ifndef VIREO_HW_ISA_I8042_H
#define VIREO_HW_ISA_I8042_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Key presses/releases as scan code set 2 bytes (e.g. 0x1c, or 0xf0 0x1c
 * for the release of A); the keyboard converts them to its current set
 * and queues them (16 bytes, then the overrun code). */
void i8042_key_event(void *kbc, const uint8_t *set2_bytes, size_t n);

/* Output port bit 1, the A20 gate. */
bool i8042_a20(void *kbc);

/* FN is called with the new A20 state whenever it changes and at every
 * reset.  On the PC the board ORs it with port 0x92's A20 bit. */
void i8042_set_a20_handler(void *kbc, void (*fn)(void *opaque, bool on), void *opaque);

#endif
