/*
 * lapic.h - entry points of the local APIC ("lapic", one per CPU) beyond
 * its device descriptor (lapic_desc in hw/devices.h).  Every function
 * takes the lapic's struct device as void *.
 *
 * Wiring (by the board, before or after realize):
 *  - machine->intr_pending/intr_ack = lapic_intr_pending/lapic_intr_ack
 *    with intr_opaque = the lapic; the 8259A's INT reaches the CPU through
 *    LINT0 in ExtINT mode: lapic_set_extint(lapic, i8259_intr_pending,
 *    i8259_intr_ack, pic).
 *  - the IOAPIC's messages: its sink calls lapic_deliver; level EOIs come
 *    back through lapic_set_eoi_hook (-> ioapic_eoi).
 *  - LINT0/LINT1 pins as irq lines: { lapic_set_lint, lapic, 0 or 1 }
 *    (LINT1 is the NMI input on a PC; optional).
 *
 * CPU side (the software CPU, through whatever hooks the board installs):
 * CR8, IA32_APIC_BASE (0x1b), IA32_TSC_DEADLINE (0x6e0), x2APIC MSRs
 * (0x800-0x8ff), NMI, and the TSC: TSC = floor(vclock_ns * tsc_khz / 1e6)
 * + offset, read with lapic_tsc (RDTSC and RDMSR 0x10 must use it, or the
 * same formula, so that TSC-deadline interrupts arrive when the guest
 * expects them).
 */
#ifndef VIREO_HW_I386_LAPIC_H
#define VIREO_HW_I386_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Delivery modes (SDM vol. 3A 11.6.1, ICR bits 10:8; same as IOAPIC/MSI). */
enum apic_delivery {
    APIC_DM_FIXED = 0,
    APIC_DM_LOWPRI = 1,
    APIC_DM_SMI = 2,
    APIC_DM_NMI = 4,
    APIC_DM_INIT = 5,
    APIC_DM_SIPI = 6,
    APIC_DM_EXTINT = 7,
};

typedef void (*lapic_eoi_fn)(void *opaque, uint8_t vector);
typedef bool (*lapic_extint_pending_fn)(void *opaque);
typedef int (*lapic_extint_ack_fn)(void *opaque);

/* The CPU's INTR line and INTA cycle.  Ack returns the vector (APIC IRR
 * -> ISR, or the 8259A's vector through ExtINT), or the spurious vector
 * (SVR[7:0]) when the request went away or is now masked by the PPR
 * (SDM 11.9); it never returns -1 while the APIC is enabled. */
bool lapic_intr_pending(void *lapic);
int lapic_intr_ack(void *lapic);
/* NMI latch (LVT entries in NMI mode, NMI messages, LINT1 when the APIC
 * is globally disabled).  The CPU takes it and calls lapic_nmi_ack. */
bool lapic_nmi_pending(void *lapic);
void lapic_nmi_ack(void *lapic);

/* An interrupt message (IOAPIC, later MSI) addressed to this APIC. */
void lapic_deliver(void *lapic, uint8_t vector, unsigned delivery_mode, bool level_trig);
/* Whether a message with destination field DEST (physical APIC ID or
 * 0xff; logical: flat/cluster against LDR and DFR) addresses this APIC:
 * for the board's IOAPIC/MSI sink. */
bool lapic_accepts_dest(void *lapic, uint8_t dest, bool logical);
/* irq_line handler for the LINT0 (n = 0) and LINT1 (n = 1) pins. */
void lapic_set_lint(void *lapic, unsigned n, int level);

void lapic_set_eoi_hook(void *lapic, lapic_eoi_fn fn, void *opaque);
void lapic_set_extint(void *lapic, lapic_extint_pending_fn pending, lapic_extint_ack_fn ack,
                      void *opaque);

/* CR8 = TPR[7:4] (SDM 11.8.6.1); writing CR8 clears TPR[3:0]. */
uint8_t lapic_get_cr8(void *lapic);
void lapic_set_cr8(void *lapic, uint8_t cr8);

/* IA32_APIC_BASE.  set returns 0, or -1 when the CPU must raise #GP
 * (reserved bits, or the x2APIC enable bit: x2APIC is not implemented). */
uint64_t lapic_get_base(void *lapic);
int lapic_set_base(void *lapic, uint64_t msr);

/* x2APIC registers (MSRs 0x800-0x8ff): always -1 (#GP), since x2APIC
 * mode cannot be enabled. */
int lapic_msr_read(void *lapic, uint32_t msr, uint64_t *val);
int lapic_msr_write(void *lapic, uint32_t msr, uint64_t val);

/* IA32_TSC_DEADLINE (SDM 11.5.4.1): reads 0 and ignores writes unless
 * the LVT timer is in TSC-deadline mode. */
uint64_t lapic_get_tsc_deadline(void *lapic);
void lapic_set_tsc_deadline(void *lapic, uint64_t tsc);

/* The TSC seen by this CPU, and WRMSR IA32_TSC (sets the offset). */
uint64_t lapic_tsc(void *lapic);
void lapic_set_tsc(void *lapic, uint64_t tsc);

#endif
