/*
 * piix4_pm.h - PIIX4 power management function ("piix4-pm"): the values
 * the board's ACPI tables must advertise, and the power button.
 */
#ifndef VIREO_HW_PCI_PIIX4_PM_H
#define VIREO_HW_PCI_PIIX4_PM_H

struct device;

/* FADT fields that must match the model. */
#define PIIX4_PM_IO_SIZE      64     /* PMBA block: PM1a_EVT_BLK = PMBA + 0 (4 bytes) */
#define PIIX4_PM_PM1_CNT      0x04   /* PM1a_CNT_BLK = PMBA + 4 (2 bytes) */
#define PIIX4_PM_PM_TMR       0x08   /* PM_TMR_BLK = PMBA + 8 (4 bytes, 24-bit: no TMR_VAL_EXT) */
#define PIIX4_PM_GPE0         0x0c   /* GPE0_BLK = PMBA + 0x0c (4 bytes: GPSTS, GPEN) */
#define PIIX4_PM_ACPI_ENABLE  0xf1   /* FADT ACPI_ENABLE, written to SMI_CMD */
#define PIIX4_PM_ACPI_DISABLE 0xf0   /* FADT ACPI_DISABLE */
#define PIIX4_PM_SLP_TYP_S5   0      /* DSDT _S5 package: SLP_TYPa = SLP_TYPb = 0 */

/* The power button was pressed: sets PWRBTN_STS (an SCI if enabled). */
void piix4_pm_power_button(struct device *dev);

#endif
