/*
 * acpi.h - ACPI tables for the PC board when no firmware is given: RSDP,
 * RSDT/XSDT, FADT (+FACS), MADT, HPET and a small DSDT, built into guest
 * RAM in the BIOS area where an OS scans for the RSDP.
 */
#ifndef VIREO_HW_I386_ACPI_H
#define VIREO_HW_I386_ACPI_H

#include <stddef.h>
#include <stdint.h>

struct pc_board;

/* What the tables describe (the board's addresses and numbers). */
struct acpi_config {
    uint64_t base;            /* where the tables go: 16-byte aligned, below 1 MiB */
    uint32_t size;            /* room available at base */
    uint32_t lapic_base, ioapic_base, hpet_base;
    uint16_t sci_irq;
    uint32_t smi_cmd;
    uint8_t acpi_enable, acpi_disable;
    uint16_t pm_base;         /* PM1a_EVT = base, PM1a_CNT = +4, PM_TMR = +8, GPE0 = +0xc */
    uint16_t reset_port;      /* FADT RESET_REG (SystemIO byte) */
    uint8_t reset_value;
    uint8_t s5_slp_typ;       /* the _S5 sleep type PM1a_CNT.SLP_TYP takes */
    uint8_t pirq_irq[4];      /* ISA IRQ each PCI interrupt link (PIRQA-D) is routed to */
};

/* Write the tables into guest memory at cfg->base.  Returns the RSDP
 * address, or 0 with a message in err when they do not fit. */
uint64_t acpi_build(struct pc_board *pc, const struct acpi_config *cfg, char *err, size_t errlen);

#endif
