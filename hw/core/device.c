/*
 * device.c - the device registry: lookup in the explicit table, creation
 * with default properties, typed property parsing, realize and reset.
 */
#include "hw/core/device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hw/core/machine.h"

const struct device_desc *device_find(const char *name)
{
    for (const struct device_desc *const *d = device_table; *d; d++)
        if (strcmp((*d)->name, name) == 0)
            return *d;
    return NULL;
}

void device_list_help(void)
{
    printf("Devices for -device NAME[,prop=value...]:\n");
    for (const struct device_desc *const *d = device_table; *d; d++) {
        if (!(*d)->user_creatable)
            continue;
        printf("  %-16s %s\n", (*d)->name, (*d)->help ? (*d)->help : "");
        for (const struct prop_desc *p = (*d)->props; p && p->name; p++)
            printf("      %s=%s%s%s%s\n", p->name,
                   p->type == PROP_BOOL ? "on|off" : p->type == PROP_STR ? "<string>" : "<number>",
                   p->defval ? " (default " : "", p->defval ? p->defval : "",
                   p->defval ? ")" : "");
    }
}

static const struct prop_desc *find_prop(const struct device_desc *d, const char *name, size_t len)
{
    for (const struct prop_desc *p = d->props; p && p->name; p++)
        if (strlen(p->name) == len && strncmp(p->name, name, len) == 0)
            return p;
    return NULL;
}

static int parse_prop(struct device *dev, const struct prop_desc *p, const char *value,
                      char *err, size_t errlen)
{
    uint8_t *field = (uint8_t *)dev + p->offset;
    unsigned long long v, max;
    char *end;

    if (p->type == PROP_STR) {
        char *s = strdup(value);
        if (!s)
            return -ENOMEM;
        free(*(char **)field);
        *(char **)field = s;
        return 0;
    }
    if (p->type == PROP_BOOL) {
        if (!strcmp(value, "on") || !strcmp(value, "true") || !strcmp(value, "yes") ||
            !strcmp(value, "1"))
            *(bool *)field = true;
        else if (!strcmp(value, "off") || !strcmp(value, "false") || !strcmp(value, "no") ||
                 !strcmp(value, "0"))
            *(bool *)field = false;
        else
            goto bad;
        return 0;
    }
    if (!*value || *value == '-')
        goto bad;
    errno = 0;
    v = strtoull(value, &end, 0);
    if (errno || *end)
        goto bad;
    max = p->type == PROP_U8 ? 0xff : p->type == PROP_U16 ? 0xffff
        : p->type == PROP_U32 ? 0xffffffffull : ~0ull;
    if (v > max) {
        snprintf(err, errlen, "%s: property '%s' value '%s' is out of range (max %#llx)",
                 dev->desc->name, p->name, value, max);
        return -ERANGE;
    }
    switch (p->type) {
    case PROP_U8: *(uint8_t *)field = (uint8_t)v; break;
    case PROP_U16: *(uint16_t *)field = (uint16_t)v; break;
    case PROP_U32: *(uint32_t *)field = (uint32_t)v; break;
    default: *(uint64_t *)field = v; break;
    }
    return 0;
bad:
    snprintf(err, errlen, "%s: property '%s' does not accept '%s'", dev->desc->name, p->name,
             value);
    return -EINVAL;
}

struct device *device_create(struct machine *m, const char *name, char *err, size_t errlen)
{
    const struct device_desc *d = device_find(name);
    struct device *dev;

    if (!d) {
        snprintf(err, errlen, "unknown device '%s' (try -device help)", name);
        return NULL;
    }
    if (d->state_size < sizeof(struct device)) {
        snprintf(err, errlen, "%s: bad descriptor", name);
        return NULL;
    }
    dev = calloc(1, d->state_size);
    if (!dev) {
        snprintf(err, errlen, "%s: out of memory", name);
        return NULL;
    }
    dev->desc = d;
    dev->machine = m;
    for (const struct prop_desc *p = d->props; p && p->name; p++) {
        if (p->defval && parse_prop(dev, p, p->defval, err, errlen) < 0) {
            device_free(dev);
            return NULL;
        }
    }
    return dev;
}

int device_set_prop(struct device *dev, const char *name, const char *value, char *err,
                    size_t errlen)
{
    const struct prop_desc *p = find_prop(dev->desc, name, strlen(name));

    if (!p) {
        snprintf(err, errlen, "%s: unknown property '%s'", dev->desc->name, name);
        return -EINVAL;
    }
    return parse_prop(dev, p, value, err, errlen);
}

int device_set_props(struct device *dev, const char *list, char *err, size_t errlen)
{
    char *copy = strdup(list), *save = NULL, *item;
    int rc = 0;

    if (!copy)
        return -ENOMEM;
    for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');

        if (!eq) {
            snprintf(err, errlen, "%s: expected prop=value, got '%s'", dev->desc->name, item);
            rc = -EINVAL;
            break;
        }
        *eq = '\0';
        rc = device_set_prop(dev, item, eq + 1, err, errlen);
        if (rc < 0)
            break;
    }
    free(copy);
    return rc;
}

int device_realize(struct device *dev, char *err, size_t errlen)
{
    struct machine *m = dev->machine;
    int rc = 0;

    if (dev->desc->realize)
        rc = dev->desc->realize(dev, err, errlen);
    if (rc < 0) {
        device_free(dev);
        return rc;
    }
    dev->realized = true;
    dev->next = NULL;
    /* Append, so devices reset in creation order. */
    struct device **pp = &m->devices;
    while (*pp)
        pp = &(*pp)->next;
    *pp = dev;
    if (dev->desc->reset)
        dev->desc->reset(dev);
    return 0;
}

void device_free(struct device *dev)
{
    if (!dev)
        return;
    for (const struct prop_desc *p = dev->desc->props; p && p->name; p++)
        if (p->type == PROP_STR)
            free(*(char **)((uint8_t *)dev + p->offset));
    free(dev);
}
