/*
 * serial16550.h - extra entry points of the PC16550D UART model beyond its
 * device descriptor (serial16550_desc in hw/devices.h).
 *
 * The chardev contract carries bytes only; a received break (a line held
 * at spacing for longer than a whole character, datasheet LSR bit 4) has
 * no byte form, so a back end or the monitor signals it here.
 */
#ifndef VIREO_HW_CHAR_SERIAL16550_H
#define VIREO_HW_CHAR_SERIAL16550_H

struct device;

/* The SIN line saw a break: one zero character with BI is received. */
void serial16550_receive_break(struct device *dev);

#endif
