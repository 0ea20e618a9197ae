/*
 * device.h - device descriptors, properties and the registry.
 *
 * Each device is one file with one const struct device_desc, listed in
 * the explicit table in hw/device_table.c.  A device's state struct starts
 * with a struct device; properties are fields of that struct described by
 * offset, set from strings ("-device NAME,prop=val") or by the board.
 * Wiring (IRQ lines, chardev) is handed over by whoever creates the device
 * before realize; the device itself never knows board numbers.
 */
#ifndef VIREO_HW_CORE_DEVICE_H
#define VIREO_HW_CORE_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/irq.h"

struct machine;
struct chardev;
struct device;

enum prop_type { PROP_U8, PROP_U16, PROP_U32, PROP_U64, PROP_BOOL, PROP_STR };

struct prop_desc {
    const char *name;
    enum prop_type type;
    size_t offset;           /* offset of the field in the device state */
    const char *defval;      /* parsed at creation; NULL = zero */
    const char *help;
};

#define DEVICE_MAX_IRQS 4

struct device_desc {
    const char *name;
    const char *help;
    size_t state_size;       /* >= sizeof(struct device), which comes first */
    const struct prop_desc *props;   /* terminated by a NULL name; may be NULL */
    bool user_creatable;     /* may be given with -device */
    /* Register regions, timers and back ends.  Return 0 or -errno with a
     * message in err (one line, no "vireo:" prefix). */
    int (*realize)(struct device *dev, char *err, size_t errlen);
    /* Return to power-on state (also called once after realize). */
    void (*reset)(struct device *dev);
    /* Release what realize acquired (regions are torn down with the machine). */
    void (*unrealize)(struct device *dev);
};

struct device {
    const struct device_desc *desc;
    struct machine *machine;
    struct device *next;     /* machine's device list */
    struct irq_line irq[DEVICE_MAX_IRQS];
    struct chardev *chr;
    bool realized;
};

/* The explicit table (hw/device_table.c). */
extern const struct device_desc *const device_table[];
const struct device_desc *device_find(const char *name);
void device_list_help(void);

/* Allocate a device with default properties; NULL with message in err. */
struct device *device_create(struct machine *m, const char *name, char *err, size_t errlen);
/* Parse VALUE into property NAME. Returns 0 or -EINVAL with a message. */
int device_set_prop(struct device *dev, const char *name, const char *value, char *err,
                    size_t errlen);
/* Apply "prop=val,prop=val" (the part after the device name). */
int device_set_props(struct device *dev, const char *list, char *err, size_t errlen);
/* Realize, link into the machine and reset.  On failure the device is freed. */
int device_realize(struct device *dev, char *err, size_t errlen);
/* Free a device that was never realized. */
void device_free(struct device *dev);

#endif
