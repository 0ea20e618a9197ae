/*
 * addr_space.c - region lists for guest-physical memory and port I/O,
 * access dispatch, and the bounds-checked guest memory API.
 *
 * Regions are kept sorted by base in an array; lookup is a binary search.
 * Every length from a caller is checked with overflow-safe arithmetic
 * before a host pointer is formed.
 */
#include "hw/core/addr_space.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

void as_init(struct addr_space *as, const char *name, uint64_t limit)
{
    memset(as, 0, sizeof(*as));
    as->name = name;
    as->limit = limit;
}

void as_destroy(struct addr_space *as)
{
    free(as->regions);
    as->regions = NULL;
    as->nregions = as->cap = 0;
}

/* Index of the first region whose end is above ADDR. */
static size_t lower_bound(const struct addr_space *as, uint64_t addr)
{
    size_t lo = 0, hi = as->nregions;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct region *r = &as->regions[mid];

        if (r->base + (r->size - 1) < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct region *as_find(const struct addr_space *as, uint64_t addr)
{
    size_t i = lower_bound(as, addr);

    if (i < as->nregions && as->regions[i].base <= addr)
        return &as->regions[i];
    return NULL;
}

static int as_insert(struct addr_space *as, const struct region *nr)
{
    size_t i;

    if (nr->size == 0 || nr->base > as->limit - 1 || nr->size - 1 > as->limit - 1 - nr->base)
        return -EINVAL;
    i = lower_bound(as, nr->base);
    if (i < as->nregions && as->regions[i].base <= nr->base + (nr->size - 1))
        return -EEXIST;
    if (as->nregions == as->cap) {
        size_t cap = as->cap ? as->cap * 2 : 16;
        struct region *r = realloc(as->regions, cap * sizeof(*r));

        if (!r)
            return -ENOMEM;
        as->regions = r;
        as->cap = cap;
    }
    memmove(&as->regions[i + 1], &as->regions[i], (as->nregions - i) * sizeof(*nr));
    as->regions[i] = *nr;
    as->nregions++;
    return 0;
}

int as_add_ram(struct addr_space *as, uint64_t base, uint64_t size, uint8_t *host, const char *name)
{
    struct region r = { .base = base, .size = size, .kind = REGION_RAM, .host = host, .name = name };

    return as_insert(as, &r);
}

int as_add_rom(struct addr_space *as, uint64_t base, uint64_t size, uint8_t *host, const char *name)
{
    struct region r = { .base = base, .size = size, .kind = REGION_ROM, .host = host, .name = name };

    return as_insert(as, &r);
}

int as_add_io(struct addr_space *as, uint64_t base, uint64_t size, const struct io_ops *ops,
              void *opaque, const char *name)
{
    struct region r = { .base = base, .size = size, .kind = REGION_IO, .ops = ops,
                        .opaque = opaque, .name = name };

    if (!ops || !ops->read || !ops->write)
        return -EINVAL;
    return as_insert(as, &r);
}

int as_remove(struct addr_space *as, uint64_t base)
{
    for (size_t i = 0; i < as->nregions; i++) {
        if (as->regions[i].base == base) {
            memmove(&as->regions[i], &as->regions[i + 1],
                    (as->nregions - i - 1) * sizeof(as->regions[0]));
            as->nregions--;
            return 0;
        }
    }
    return -ENOENT;
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static uint64_t load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void store_le(uint8_t *p, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Read SIZE bytes at ADDR entirely inside region R. */
static uint64_t region_read(const struct region *r, uint64_t addr, unsigned size)
{
    uint64_t off = addr - r->base;

    if (r->kind != REGION_IO)
        return load_le(r->host + off, size);
    unsigned max = r->ops->max_access ? r->ops->max_access : 8;
    if (size <= max)
        return r->ops->read(r->opaque, off, size) & size_mask(size);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i += max)
        v |= (r->ops->read(r->opaque, off + i, max) & size_mask(max)) << (8 * i);
    return v;
}

static void region_write(const struct region *r, uint64_t addr, uint64_t val, unsigned size,
                         const char *asname)
{
    uint64_t off = addr - r->base;

    switch (r->kind) {
    case REGION_RAM:
        store_le(r->host + off, val, size);
        return;
    case REGION_ROM:
        vlog(LOG_GUEST_ERROR, "%s: write to ROM '%s' at 0x%llx dropped\n", asname, r->name,
             (unsigned long long)addr);
        return;
    case REGION_IO:
        break;
    }
    /* Copy what the loop needs: a write handler may add or remove regions
     * (a PCI BAR moving), which can move the region array under R. */
    const struct io_ops *ops = r->ops;
    void *opaque = r->opaque;
    unsigned max = ops->max_access ? ops->max_access : 8;
    if (size <= max) {
        ops->write(opaque, off, val & size_mask(size), size);
        return;
    }
    for (unsigned i = 0; i < size; i += max)
        ops->write(opaque, off + i, (val >> (8 * i)) & size_mask(max), max);
}

static bool fits(const struct region *r, uint64_t addr, unsigned size)
{
    return r->size >= size && addr - r->base <= r->size - size;
}

uint64_t as_read(struct addr_space *as, uint64_t addr, unsigned size)
{
    const struct region *r;

    if (size == 0 || size > 8)
        return ~0ull;
    r = as_find(as, addr);
    if (r && fits(r, addr, size)) {
        struct region copy = *r;   /* see as_write */
        return region_read(&copy, addr, size);
    }
    if (size > 1) {
        /* Crosses a region boundary (or partly unassigned): bytewise. */
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= as_read(as, addr + i, 1) << (8 * i);
        return v;
    }
    vlog(LOG_GUEST_ERROR, "%s: read of unassigned 0x%llx\n", as->name, (unsigned long long)addr);
    return 0xff;
}

void as_write(struct addr_space *as, uint64_t addr, uint64_t val, unsigned size)
{
    const struct region *r;

    if (size == 0 || size > 8)
        return;
    r = as_find(as, addr);
    if (r && fits(r, addr, size)) {
        /* A device's handler may change the map (a BAR moving): work on a
         * copy, since the array may be reallocated under R. */
        struct region copy = *r;

        region_write(&copy, addr, val, size, as->name);
        if (copy.kind == REGION_RAM && as->write_notify)
            as->write_notify(as->write_notify_opaque, addr, size);
        return;
    }
    if (size > 1) {
        for (unsigned i = 0; i < size; i++)
            as_write(as, addr + i, val >> (8 * i), 1);
        return;
    }
    vlog(LOG_GUEST_ERROR, "%s: write of unassigned 0x%llx (value 0x%llx) dropped\n", as->name,
         (unsigned long long)addr, (unsigned long long)(val & 0xff));
}

static bool range_ok(const struct addr_space *as, uint64_t gpa, size_t len)
{
    if (len == 0)
        return true;
    return gpa < as->limit && (uint64_t)len - 1 <= as->limit - 1 - gpa;
}

/* Walk [gpa, gpa+len) region by region. */
static int gmem_rw(struct addr_space *as, uint64_t gpa, uint8_t *buf, size_t len, bool write)
{
    if (!range_ok(as, gpa, len))
        return -EFAULT;
    while (len > 0) {
        const struct region *found = as_find(as, gpa);
        struct region copy, *r = NULL;
        uint64_t chunk;

        if (found) {
            copy = *found;         /* handlers may change the map: see as_write */
            r = &copy;
        }

        if (!r) {
            /* Unassigned up to the next region (or the end). */
            size_t i = lower_bound(as, gpa);
            uint64_t next = i < as->nregions ? as->regions[i].base : as->limit;
            chunk = next - gpa;
            if (chunk > len)
                chunk = len;
            if (!write)
                memset(buf, 0xff, chunk);
            vlog(LOG_GUEST_ERROR, "%s: %s of unassigned [0x%llx, +0x%llx)\n", as->name,
                 write ? "write" : "read", (unsigned long long)gpa, (unsigned long long)chunk);
        } else {
            uint64_t off = gpa - r->base;
            chunk = r->size - off;
            if (chunk > len)
                chunk = len;
            if (r->kind == REGION_IO) {
                for (uint64_t i = 0; i < chunk; i++) {
                    if (write)
                        region_write(r, gpa + i, buf[i], 1, as->name);
                    else
                        buf[i] = (uint8_t)region_read(r, gpa + i, 1);
                }
            } else if (!write) {
                memcpy(buf, r->host + off, chunk);
            } else if (r->kind == REGION_RAM) {
                memcpy(r->host + off, buf, chunk);
                if (as->write_notify)
                    as->write_notify(as->write_notify_opaque, gpa, chunk);
            } else {
                vlog(LOG_GUEST_ERROR, "%s: write to ROM '%s' dropped\n", as->name, r->name);
            }
        }
        buf += chunk;
        gpa += chunk;
        len -= chunk;
    }
    return 0;
}

int gmem_read(struct addr_space *as, uint64_t gpa, void *buf, size_t len)
{
    return gmem_rw(as, gpa, buf, len, false);
}

int gmem_write(struct addr_space *as, uint64_t gpa, const void *buf, size_t len)
{
    return gmem_rw(as, gpa, (uint8_t *)buf, len, true);
}

void *gmem_map(struct addr_space *as, uint64_t gpa, uint64_t *len, bool write)
{
    const struct region *r = as_find(as, gpa);
    uint64_t off, avail;

    if (!r || r->kind == REGION_IO || (write && r->kind == REGION_ROM)) {
        *len = 0;
        return NULL;
    }
    off = gpa - r->base;
    avail = r->size - off;
    if (*len > avail)
        *len = avail;
    return r->host + off;
}

void gmem_notify_write(struct addr_space *as, uint64_t gpa, uint64_t len)
{
    if (as->write_notify && len)
        as->write_notify(as->write_notify_opaque, gpa, len);
}
