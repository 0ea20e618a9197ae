/*
 * pci.h - a small PCI core: one bus of 32 devices x 8 functions, each
 * with a 256-byte configuration space (PCI Local Bus Specification 3.0,
 * chapter 6), BARs that the core maps into the machine's port or memory
 * space, and INTx lines routed to four PIRQ inputs.
 *
 * How a device uses it:
 *  - its state starts with struct pci_device (which starts with struct
 *    device); the board calls pci_device_set_bus() before realize;
 *  - it embeds one struct pci_function per function, fills the header
 *    with pci_config_init(), adds device registers (pci_set_reg with a
 *    write mask), BARs (pci_register_bar), then pci_register_function();
 *    the config space at that moment is the function's power-on state,
 *    restored by pci_function_reset();
 *  - reads are served from config[]; writes go through the write masks
 *    (wmask: bits software may change; w1cmask: bits cleared by writing
 *    1), then COMMAND/BAR changes remap BARs, then ops->config_write runs.
 * Config mechanism #1 (0xCF8/0xCFC) lives in the host bridge
 * (hw/pci/i440fx.c), which calls pci_config_read/pci_config_write.
 */
#ifndef VIREO_HW_PCI_PCI_H
#define VIREO_HW_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/core/addr_space.h"
#include "hw/core/device.h"

#define PCI_VENDOR_ID      0x00
#define PCI_DEVICE_ID      0x02
#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_REVISION_ID    0x08
#define PCI_CLASS_PROG     0x09
#define PCI_CACHE_LINE     0x0c
#define PCI_LATENCY_TIMER  0x0d
#define PCI_HEADER_TYPE    0x0e
#define PCI_BAR0           0x10
#define PCI_SUBSYSTEM_VID  0x2c
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN  0x3d

#define PCI_COMMAND_IO     0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS_INTERRUPT 0x0008

#define PCI_NUM_BARS  6
#define PCI_DEVFN(slot, fn) ((unsigned)(((slot) & 0x1f) << 3 | ((fn) & 7)))

struct pci_bus;
struct machine;

enum pci_bar_type { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32 };

/* A guest-movable window onto the port or memory space (BARs, and
 * registers such as the PIIX4 PMBA). */
struct pci_window {
    struct addr_space *space;
    uint64_t size, base;
    const struct io_ops *ops;
    void *opaque;
    const char *name;
    bool enabled;               /* last request (enable, base) */
    bool mapped;                /* the space accepted it */
};

/* Map W at BASE when ENABLE (else unmap).  A window the space cannot take
 * (overlap, out of range) stays unmapped, logged as a guest error. */
void pci_window_set(struct pci_window *w, bool enable, uint64_t base);

struct pci_function_ops {
    /* After a config write of SIZE bytes at OFFSET went through the masks
     * (and any BAR remapping); the device reacts to its registers here. */
    void (*config_write)(void *opaque, unsigned offset, unsigned size);
};

struct pci_function {
    uint8_t config[256];
    uint8_t wmask[256];         /* bits the guest may write */
    uint8_t w1cmask[256];       /* bits the guest clears by writing 1 */
    uint8_t reset_config[256];  /* power-on state (snapshot at registration) */
    enum pci_bar_type bar_type[PCI_NUM_BARS];
    struct pci_window bar[PCI_NUM_BARS];
    const struct pci_function_ops *ops;
    void *opaque;
    struct pci_bus *bus;
    unsigned devfn;
    bool intx;                  /* level of the INTx pin as the device drives it */
    int intx_pirq;              /* PIRQ this function asserts now, or -1 */
};

/* The state of every PCI device starts with this. */
struct pci_device {
    struct device dev;
    struct pci_bus *bus;        /* wiring: set by the board before realize */
};

static inline void pci_device_set_bus(struct device *dev, struct pci_bus *bus)
{
    ((struct pci_device *)dev)->bus = bus;
}

/* Header: IDs, class (24-bit: class << 16 | subclass << 8 | prog-if),
 * header type, writable COMMAND bits (I/O, memory, master, parity, SERR,
 * INTx disable), cache line, latency timer, interrupt line; STATUS error
 * bits write-1-to-clear. */
void pci_config_init(struct pci_function *fn, uint16_t vendor, uint16_t device, uint8_t revision,
                     uint32_t class_code, uint8_t header_type);
/* Device register of LEN (1, 2, 4) bytes at OFF: power-on VALUE, WMASK. */
void pci_set_reg(struct pci_function *fn, unsigned off, unsigned len, uint32_t value,
                 uint32_t wmask);
uint32_t pci_get_reg(const struct pci_function *fn, unsigned off, unsigned len);
/* BAR N of SIZE bytes (power of two; I/O >= 4, memory >= 16) served by
 * OPS; mapped while its COMMAND decode bit is set and its address fits. */
void pci_register_bar(struct pci_function *fn, unsigned n, enum pci_bar_type type, uint64_t size,
                      const struct io_ops *ops, void *opaque, const char *name);
/* Plug FN at DEVFN; -EEXIST when taken, -EINVAL for a bad devfn. */
int pci_register_function(struct pci_bus *bus, struct pci_function *fn, unsigned devfn,
                          const struct pci_function_ops *ops, void *opaque);
void pci_unregister_function(struct pci_function *fn);
/* Back to the power-on config space; BARs unmapped, INTx low. */
void pci_function_reset(struct pci_function *fn);
/* Drive the function's INTx pin (config 0x3d) to LEVEL. */
void pci_set_irq(struct pci_function *fn, int level);

/* The bus (owned by the host bridge). */
struct pci_bus *pci_bus_new(struct machine *m);
void pci_bus_free(struct pci_bus *bus);
/* Where INTx goes: SET_PIRQ(opaque, pirq 0-3, level), with PIRQ = (slot +
 * pin - 1) mod 4 (pin 1 = INTA), the usual PIIX board swizzle; several
 * functions asserting one PIRQ are ORed here. */
void pci_bus_set_pirq_handler(struct pci_bus *bus, irq_handler_fn set_pirq, void *opaque);
/* Config cycle to bus 0: all ones when no function answers. */
uint32_t pci_config_read(struct pci_bus *bus, unsigned devfn, unsigned offset, unsigned size);
void pci_config_write(struct pci_bus *bus, unsigned devfn, unsigned offset, uint32_t val,
                      unsigned size);

#endif
