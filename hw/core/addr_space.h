/*
 * addr_space.h - one mechanism for guest-physical memory and port I/O.
 *
 * An address space is a sorted list of non-overlapping regions.  A region
 * is RAM (a slice of a host mapping), ROM (host memory the guest can only
 * read) or I/O (a device's ops, which see offsets within the region).
 * The machine has two: "memory" (RAM, ROM, MMIO) and "io" (ports).
 *
 * Unclaimed reads return all ones; unclaimed writes are dropped and logged
 * under LOG_GUEST_ERROR.  Overlapping registrations are refused (-EEXIST)
 * so a board with a clash fails when it is built.
 *
 * Device code and loaders reach guest memory only through the
 * length-taking, bounds-checked gmem_* calls at the bottom.
 */
#ifndef VIREO_HW_CORE_ADDR_SPACE_H
#define VIREO_HW_CORE_ADDR_SPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct io_ops {
    /* offset is relative to the region base; size is 1, 2, 4 or 8. */
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t val, unsigned size);
    /* Largest access the device accepts in one call (0 = 8): wider
     * accesses are split into little-endian pieces of this size. */
    unsigned max_access;
};

enum region_kind { REGION_RAM, REGION_ROM, REGION_IO };

struct region {
    uint64_t base, size;
    enum region_kind kind;
    uint8_t *host;              /* RAM / ROM */
    const struct io_ops *ops;   /* IO */
    void *opaque;
    const char *name;
};

/* Called after a RAM write made through gmem_write/gmem_map (DMA, loaders). */
typedef void (*ram_write_notify_fn)(void *opaque, uint64_t gpa, uint64_t len);

struct addr_space {
    const char *name;
    uint64_t limit;             /* highest valid address + 1 (0x10000 for ports) */
    struct region *regions;
    size_t nregions, cap;
    ram_write_notify_fn write_notify;
    void *write_notify_opaque;
};

void as_init(struct addr_space *as, const char *name, uint64_t limit);
void as_destroy(struct addr_space *as);

/* Each returns 0, -EEXIST on overlap, -EINVAL for an empty or out-of-range
 * range, -ENOMEM.  NAME must outlive the region (string literal). */
int as_add_ram(struct addr_space *as, uint64_t base, uint64_t size, uint8_t *host, const char *name);
int as_add_rom(struct addr_space *as, uint64_t base, uint64_t size, uint8_t *host, const char *name);
int as_add_io(struct addr_space *as, uint64_t base, uint64_t size, const struct io_ops *ops,
              void *opaque, const char *name);
/* Remove the region that starts at BASE; returns 0 or -ENOENT. */
int as_remove(struct addr_space *as, uint64_t base);

/* The region containing ADDR, or NULL. */
const struct region *as_find(const struct addr_space *as, uint64_t addr);

/* Dispatch one access of SIZE (1, 2, 4, 8) bytes.  Accesses that cross a
 * region boundary are split into bytes. */
uint64_t as_read(struct addr_space *as, uint64_t addr, unsigned size);
void as_write(struct addr_space *as, uint64_t addr, uint64_t val, unsigned size);

/* Guest memory API: copy LEN bytes; RAM/ROM directly, I/O regions through
 * their ops, unassigned space reads as 0xff.  Returns 0, or -EFAULT when
 * the range wraps or leaves the address space (nothing is done then).
 * Writes to ROM are dropped. */
int gmem_read(struct addr_space *as, uint64_t gpa, void *buf, size_t len);
int gmem_write(struct addr_space *as, uint64_t gpa, const void *buf, size_t len);
/* Host pointer to RAM at GPA; *len is shortened to the contiguous RAM run.
 * NULL (and *len = 0) when GPA is not RAM (or ROM, for reads).  A caller
 * that writes through the pointer must call gmem_notify_write after. */
void *gmem_map(struct addr_space *as, uint64_t gpa, uint64_t *len, bool write);
void gmem_notify_write(struct addr_space *as, uint64_t gpa, uint64_t len);

#endif
