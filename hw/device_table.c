/*
 * device_table.c - the one explicit table of device descriptors.  Adding a
 * device means adding its descriptor here; nothing registers itself.
 */
#include "hw/devices.h"

#include <stddef.h>

const struct device_desc *const device_table[] = {
    &serial16550_desc,
    &isa_debug_exit_desc,
    &post_code_desc,
    &i8259_desc,
    &i8254_desc,
    &mc146818_desc,
    &i8042_desc,
    &port92_desc,
    &i440fx_host_desc,
    &piix3_isa_desc,
    &piix4_pm_desc,
    &hpet_desc,
    &lapic_desc,
    &ioapic_desc,
    NULL,
};
