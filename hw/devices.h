/*
 * devices.h - the device descriptors listed in hw/device_table.c.
 */
#ifndef VIREO_HW_DEVICES_H
#define VIREO_HW_DEVICES_H

#include "hw/core/device.h"

extern const struct device_desc serial16550_desc;
extern const struct device_desc isa_debug_exit_desc;
extern const struct device_desc post_code_desc;
extern const struct device_desc i8259_desc;
extern const struct device_desc i8254_desc;
extern const struct device_desc mc146818_desc;
extern const struct device_desc i8042_desc;
extern const struct device_desc port92_desc;
extern const struct device_desc i440fx_host_desc;
extern const struct device_desc piix3_isa_desc;
extern const struct device_desc piix4_pm_desc;
extern const struct device_desc hpet_desc;
extern const struct device_desc lapic_desc;
extern const struct device_desc ioapic_desc;

#endif
