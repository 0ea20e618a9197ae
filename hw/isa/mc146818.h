/*
 * mc146818.h - the MC146818A real-time clock and CMOS RAM
 * ("mc146818-rtc"): helpers the board uses besides the port interface.
 *
 * Wiring: dev->irq[0] is the chip's IRQ output (ISA IRQ 8 on the PC);
 * properties "iobase" (index port, data port at iobase + 1) and "base"
 * (guest time at power-on, seconds since 1970-01-01 UTC; the default
 * reads the host clock once at realize).
 */
#ifndef VIREO_HW_ISA_MC146818_H
#define VIREO_HW_ISA_MC146818_H

#include <stdbool.h>
#include <stdint.h>

/* Bit 7 of the last byte written to the index port (NMI disabled). */
bool mc146818_nmi_masked(void *rtc);

/* Board access to the CMOS RAM (INDEX & 0x7f).  Clock registers 0x00-0x0d
 * and the century byte 0x32 are not changed through set.  get reads like
 * the data port, except that register C is only peeked (flags kept). */
void mc146818_set_cmos(void *rtc, unsigned index, uint8_t v);
uint8_t mc146818_get_cmos(void *rtc, unsigned index);

/* Store the sum of bytes 0x10-0x2d at 0x2e (high) / 0x2f (low). */
void mc146818_update_checksum(void *rtc);

/* Fill the PC memory-size fields and the checksum: 0x15/0x16 base memory
 * (640 KiB), 0x17/0x18 and 0x30/0x31 KiB above 1 MiB (capped at 0xffff),
 * 0x34/0x35 64 KiB units above 16 MiB (capped), 0x5b-0x5d 64 KiB units
 * above 4 GiB (24 bits, capped).  BELOW_4G is the RAM below 4 GiB. */
void mc146818_set_memory(void *rtc, uint64_t below_4g, uint64_t above_4g);

#endif
