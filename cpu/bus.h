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
    /* Platform registers the CPU reaches but does not own: the local
     * APIC's MSRs (IA32_APIC_BASE 0x1b, IA32_TSC_DEADLINE 0x6e0, x2APIC
     * 0x800-0x8ff; writes of IA32_TSC 0x10 are shown too).  Return 0 when
     * handled, 1 when the MSR is not the platform's (the CPU handles it),
     * -1 for #GP.  NULL: no platform MSRs. */
    int (*msr_read)(void *opaque, uint32_t msr, uint64_t *val);
    int (*msr_write)(void *opaque, uint32_t msr, uint64_t val);
    /* CR8 is the local APIC's TPR[7:4]; NULL: CR8 is a plain register. */
    uint8_t (*cr8_read)(void *opaque);
    void (*cr8_write)(void *opaque, uint8_t val);
    /* The A20 gate as a physical-address mask (all ones, or bit 20
     * clear), owned by the board; NULL: A20 is always on.  The CPU picks
     * up a change at its next block boundary. */
    const volatile uint64_t *a20_mask;
    /* CPU_PLATFORM_* bits: what the platform adds to the CPUID profile. */
    unsigned platform_features;
};

#define CPU_PLATFORM_APIC         (1u << 0)   /* CPUID.1:EDX[9] */
#define CPU_PLATFORM_TSC_DEADLINE (1u << 1)   /* CPUID.1:ECX[24] */

#endif
