/*
 * machine.h - one emulated machine: guest RAM (one host mapping), the
 * memory and port address spaces, the virtual clock, the main loop, the
 * device list, and the cpu_bus that accelerators use to reach it all.
 *
 * The board (hw/i386/pc.c) decides the memory map and wires devices; this
 * file only holds the pieces every board shares.
 */
#ifndef VIREO_HW_CORE_MACHINE_H
#define VIREO_HW_CORE_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/bus.h"
#include "hw/core/addr_space.h"
#include "hw/core/mainloop.h"
#include "hw/core/vclock.h"

struct device;

enum machine_request {
    MACHINE_RUN = 0,
    MACHINE_EXIT,            /* exit vireo with exit_status */
    MACHINE_RESET,           /* system reset */
};

struct machine {
    uint8_t *ram;            /* one host mapping of ram_size bytes */
    uint64_t ram_size;
    struct addr_space mem;   /* guest-physical memory: RAM, ROM, MMIO */
    struct addr_space io;    /* x86 port space */
    struct vclock clock;
    struct mainloop loop;
    struct device *devices;
    struct cpu_bus bus;
    volatile uint64_t a20_mask;   /* the A20 gate: ~0, or bit 20 clear (board) */
    volatile enum machine_request request;
    int exit_status;
    bool no_reboot;          /* -no-reboot: a reset request exits instead */
    /* Interrupt controller hook for the software CPU (INTR line + INTA). */
    bool (*intr_pending)(void *opaque);
    int (*intr_ack)(void *opaque);
    void *intr_opaque;
    /* Platform registers behind the CPU (the board's local APIC): see
     * cpu_bus.msr_read/msr_write/cr8_read/cr8_write. */
    int (*msr_read)(void *opaque, uint32_t msr, uint64_t *val);
    int (*msr_write)(void *opaque, uint32_t msr, uint64_t val);
    uint8_t (*cr8_read)(void *opaque);
    void (*cr8_write)(void *opaque, uint8_t val);
    void *platform_opaque;
    /* Called when a request is posted, to make a running vCPU return. */
    void (*kick)(void *opaque);
    void *kick_opaque;
};

/* Allocate RAM (anonymous, page-aligned mapping) and empty address spaces. */
int machine_init(struct machine *m, uint64_t ram_size, enum vclock_mode clock_mode);
void machine_destroy(struct machine *m);

/* Install the platform registers behind the CPU (MSRs, CR8) and the
 * CPUID features they add (CPU_PLATFORM_*); see cpu/bus.h. */
void machine_set_platform(struct machine *m, void *opaque, unsigned features,
                          int (*msr_read)(void *, uint32_t, uint64_t *),
                          int (*msr_write)(void *, uint32_t, uint64_t),
                          uint8_t (*cr8_read)(void *), void (*cr8_write)(void *, uint8_t));

/* Ask the run loop to exit vireo with STATUS (first request wins). */
void machine_request_exit(struct machine *m, int status);
/* Ask for a system reset (or exit under no_reboot). */
void machine_request_reset(struct machine *m);

/* Reset every realized device (power-on state). */
void machine_reset_devices(struct machine *m);

#endif
