/*
 * pc.h - the PC board: builds the guest memory map and the fixed devices
 * of vireo's x86 PC, and describes the map (e820) to boot loaders.
 */
#ifndef VIREO_HW_I386_PC_H
#define VIREO_HW_I386_PC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct chardev;
struct device;
struct irq_line;

#define E820_RAM      1
#define E820_RESERVED 2

struct e820_entry {
    uint64_t addr, size;
    uint32_t type;
};

#define PC_MAX_E820 8

struct pc_board {
    struct machine *m;
    uint64_t below_4g, above_4g;   /* RAM sizes below and above 4 GiB */
    struct e820_entry e820[PC_MAX_E820];
    unsigned ne820;
    uint8_t *bios;                 /* firmware image (ROM), or NULL */
    uint64_t bios_size;
    int isa_irq_level[16];         /* current level of each ISA line */
    uint32_t isa_src_level[16];    /* per line: which sources drive it high */
    uint32_t isa_src_off[16];      /* per line: sources currently disconnected */
    unsigned nsources;
    int src_pit, src_rtc, src_hpet0, src_hpet1;  /* for the HPET legacy route */
    int src_piix3;                 /* the PIRQ router's source id on every line */
    struct device *lapic, *ioapic, *pci_host;
    uint64_t rsdp;                 /* ACPI RSDP address (0: firmware provides tables) */
    struct device *pic;            /* the 8259A pair (ISA IRQs end here) */
    struct device *rtc;            /* MC146818 RTC + CMOS */
    bool a20, a20_kbc, a20_port92; /* A20 gate and its two sources */
};

struct pc_config {
    struct chardev *serial0;       /* COM1 back end (may be NULL) */
    const uint8_t *bios;           /* -bios image, or NULL */
    size_t bios_size;
};

/* Lay out RAM, firmware and the fixed devices on M (already machine_init'ed
 * with its RAM size).  Returns 0 or -errno with a message in err. */
int pc_build(struct pc_board *pc, struct machine *m, const struct pc_config *cfg, char *err,
             size_t errlen);
void pc_destroy(struct pc_board *pc);

/* Connect ISA IRQ line N (0-15) to a device's irq slot, as a new source
 * of that line (a line is the OR of its sources).  Returns the source id. */
int pc_connect_isa_irq(struct pc_board *pc, struct irq_line *line, unsigned n);

/* True when guest-physical [gpa, gpa+len) is entirely RAM. */
int pc_ram_range_ok(const struct pc_board *pc, uint64_t gpa, uint64_t len);

#endif
