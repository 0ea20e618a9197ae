/*
 * bus.h - the narrow interface through which a CPU back end reaches the
 * machine: guest RAM as host pointers, everything else (MMIO, ROM writes,
 * unassigned space) and port I/O through callbacks, and the interrupt
 * request line of an emulated interrupt controller.
 *
 * The CPU never includes a device header; the machine (hw/core) fills in
 * one of these and the accelerator keeps a pointer to it.
 */
#ifndef VIREO_CPU_BUS_H
#define VIREO_CPU_BUS_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_bus {
    void *opaque;
    /* Host pointer for guest-physical [gpa, gpa + *len) when it is RAM
     * (or ROM with write == false); *len is shortened to the contiguous
     * part.  NULL when gpa is not backed by RAM/ROM. */
    uint8_t *(*map)(void *opaque, uint64_t gpa, uint64_t *len, bool write);
    /* Physical accesses that map() does not cover; size is 1, 2, 4 or 8. */
    uint64_t (*mem_read)(void *opaque, uint64_t gpa, unsigned size);
    void (*mem_write)(void *opaque, uint64_t gpa, uint64_t val, unsigned size);
    /* Port I/O; size is 1, 2 or 4. */
    uint32_t (*pio_read)(void *opaque, uint16_t port, unsigned size);
    void (*pio_write)(void *opaque, uint16_t port, uint32_t val, unsigned size);
    /* Emulated interrupt controller: is INTR asserted, and the INTA cycle
     * that returns the vector (or -1 when the request went away). */
    bool (*intr_pending)(void *opaque);
    int (*intr_ack)(void *opaque);
    /* The guest asked for a reset (triple fault, keyboard controller). */
    void (*request_reset)(void *opaque);
    /* The machine's virtual clock in ns: the time stamp counter runs at
     * 1 GHz of it (TSC = ns + offset), the rate the local APIC's
     * TSC-deadline timer assumes.  NULL: the TSC counts instructions. */
    uint64_t (*clock_ns)(void *opaque);
};

#endif
