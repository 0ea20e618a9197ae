/*
 * pc.c - vireo's x86 PC board: the only file that knows physical
 * addresses, port numbers and IRQ numbers.
 *
 * Memory map (guest-physical):
 *   0x00000000-0x0009ffff  RAM (conventional memory; 0x9fc00+ reported reserved as EBDA)
 *   0x000a0000-0x000bffff  unassigned (VGA window, not yet modelled)
 *   0x000c0000-0x000fffff  RAM, except the last min(firmware,128K) which
 *                          alias the firmware ROM (ISA BIOS area)
 *   0x00100000-below_4g    RAM (below_4g = min(RAM, 3 GiB))
 *   0xc0000000-0xffffffff  PCI/MMIO hole; the firmware ROM at the top
 *   0x100000000-           the rest of RAM
 * Ports and ISA IRQs: 8259A pair 0x20/0xa0 + ELCR 0x4d0 (INT to the CPU),
 * 8254 PIT 0x40 (IRQ 0) with port 0x61, MC146818 RTC/CMOS 0x70 (IRQ 8),
 * i8042 keyboard controller 0x60/0x64 (IRQ 1, 12), port 0x92 (fast A20 and
 * reset), COM1 0x3f8 (IRQ 4), POST code 0x80.  A20 is the OR of the i8042
 * output port and port 0x92; the board records it (the software CPU will
 * mask address bit 20 by it; KVM keeps A20 on, as real KVM hosts do).
 * ISA IRQ 2 is the cascade input; a device wired to IRQ 2 lands on 9, as
 * on the AT.
 *
 * Not yet modelled (see issue "PC platform"): APIC, IOAPIC, HPET, ACPI,
 * PCI.
 */
#include "hw/i386/pc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hw/core/device.h"
#include "hw/core/machine.h"
#include "hw/i386/acpi.h"
#include "hw/i386/hpet.h"
#include "hw/i386/ioapic.h"
#include "hw/i386/lapic.h"
#include "hw/isa/i8042.h"
#include "hw/isa/i8259.h"
#include "hw/isa/mc146818.h"
#include "hw/isa/port92.h"
#include "hw/pci/i440fx.h"
#include "hw/pci/pci.h"
#include "hw/pci/piix3.h"
#include "hw/pci/piix4_pm.h"
#include "util/log.h"

#define PC_LOWMEM_LIMIT   0xc0000000ull   /* RAM above this moves past 4 GiB */
#define PC_VGA_START      0xa0000ull
#define PC_OPTROM_START   0xc0000ull
#define PC_HIGHMEM_START  0x100000ull
#define PC_4G             0x100000000ull
#define PC_ISA_BIOS_MAX   0x20000ull      /* 128 KiB below 1 MiB */
#define PC_EBDA_START     0x9fc00ull

#define PC_PIC_MASTER     0x20
#define PC_PIC_SLAVE      0xa0
#define PC_ELCR           0x4d0
#define PC_PIT_BASE       0x40
#define PC_PIT_IRQ        0
#define PC_PORT61         0x61
#define PC_RTC_BASE       0x70
#define PC_RTC_IRQ        8
#define PC_KBC_DATA       0x60
#define PC_KBC_CMD        0x64
#define PC_KBD_IRQ        1
#define PC_AUX_IRQ        12
#define PC_PORT92         0x92
#define PC_LAPIC_BASE     0xfee00000ull
#define PC_IOAPIC_BASE    0xfec00000ull
#define PC_HPET_BASE      0xfed00000ull
#define PC_PCI_CONFIG     0xcf8
#define PC_PM_BASE        0x600     /* PIIX4 PMBA: PM1a_EVT 0x600, PM1a_CNT 0x604, PM_TMR 0x608 */
#define PC_SMI_CMD        0xb2
#define PC_SCI_IRQ        9
#define PC_RESET_PORT     0xcf9     /* i440FX/PIIX3 reset control: 0x06 = hard reset */
#define PC_RESET_VALUE    0x06
#define PC_ACPI_BASE      0xf0000ull /* ACPI tables in the reserved BIOS area */
#define PC_ACPI_SIZE      0x10000
#define PC_COM1_BASE      0x3f8
#define PC_COM1_IRQ       4
#define PC_POST_PORT      0x80

/* Recompute ISA line IRQ from its sources and pass changes on to the
 * 8259A and the IOAPIC.  Several devices may share a line (PCI links, the
 * SCI): the line is the OR of its sources, minus those the HPET's legacy
 * replacement route has taken off it. */
static void isa_line_update(struct pc_board *pc, unsigned irq)
{
    int level = (pc->isa_src_level[irq] & ~pc->isa_src_off[irq]) != 0;

    if (level == pc->isa_irq_level[irq])
        return;
    pc->isa_irq_level[irq] = level;
    /* The AT routes the ISA bus's IRQ 2 pin to the slave's IR1 (IRQ 9). */
    i8259_set_irq(pc->pic, irq == 2 ? 9 : irq, level);
    /* IOAPIC: identity for ISA IRQs except IRQ 0, which is pin 2 (the
     * MADT's interrupt source override says so). */
    if (pc->ioapic && irq != 2)
        ioapic_set_irq(pc->ioapic, irq == 0 ? 2 : irq, level);
}

static void isa_irq_set(void *opaque, unsigned n, int level)
{
    struct pc_board *pc = opaque;
    unsigned irq = n & 15, src = n >> 4;

    if (src >= 32)
        return;
    if (level)
        pc->isa_src_level[irq] |= 1u << src;
    else
        pc->isa_src_level[irq] &= ~(1u << src);
    isa_line_update(pc, irq);
}

int pc_connect_isa_irq(struct pc_board *pc, struct irq_line *line, unsigned n)
{
    unsigned src = pc->nsources < 32 ? pc->nsources++ : 31;

    line->handler = isa_irq_set;
    line->opaque = pc;
    line->n = (n & 15) | src << 4;
    return (int)src;
}

static void add_e820(struct pc_board *pc, uint64_t addr, uint64_t size, uint32_t type)
{
    if (pc->ne820 < PC_MAX_E820 && size)
        pc->e820[pc->ne820++] = (struct e820_entry){ addr, size, type };
}

int pc_ram_range_ok(const struct pc_board *pc, uint64_t gpa, uint64_t len)
{
    /* Walk the memory map: every byte must be RAM (regions may abut). */
    while (len > 0) {
        uint64_t run = len;

        if (!gmem_map(&pc->m->mem, gpa, &run, true) || run == 0)
            return 0;
        gpa += run;
        len -= run;
    }
    return 1;
}

static int build_memory(struct pc_board *pc, struct machine *m, char *err, size_t errlen)
{
    uint64_t isa_bios = pc->bios ? (pc->bios_size < PC_ISA_BIOS_MAX ? pc->bios_size : PC_ISA_BIOS_MAX) : 0;
    int rc;

    rc = as_add_ram(&m->mem, 0, PC_VGA_START, m->ram, "ram-conventional");
    if (rc == 0 && isa_bios < 0x100000 - PC_OPTROM_START)
        rc = as_add_ram(&m->mem, PC_OPTROM_START, 0x100000 - PC_OPTROM_START - isa_bios,
                        m->ram + PC_OPTROM_START, "ram-upper");
    if (rc == 0 && isa_bios)
        rc = as_add_rom(&m->mem, 0x100000 - isa_bios, isa_bios, pc->bios + pc->bios_size - isa_bios,
                        "bios-isa");
    if (rc == 0 && pc->below_4g > PC_HIGHMEM_START)
        rc = as_add_ram(&m->mem, PC_HIGHMEM_START, pc->below_4g - PC_HIGHMEM_START,
                        m->ram + PC_HIGHMEM_START, "ram-below-4g");
    if (rc == 0 && pc->above_4g)
        rc = as_add_ram(&m->mem, PC_4G, pc->above_4g, m->ram + pc->below_4g, "ram-above-4g");
    if (rc == 0 && pc->bios)
        rc = as_add_rom(&m->mem, PC_4G - pc->bios_size, pc->bios_size, pc->bios, "bios");
    if (rc < 0) {
        snprintf(err, errlen, "pc: cannot build the memory map: %s", strerror(-rc));
        return rc;
    }
    add_e820(pc, 0, PC_EBDA_START, E820_RAM);
    add_e820(pc, PC_EBDA_START, PC_VGA_START - PC_EBDA_START, E820_RESERVED);
    add_e820(pc, 0xf0000, 0x10000, E820_RESERVED);
    if (pc->below_4g > PC_HIGHMEM_START)
        add_e820(pc, PC_HIGHMEM_START, pc->below_4g - PC_HIGHMEM_START, E820_RAM);
    if (pc->bios)
        add_e820(pc, PC_4G - pc->bios_size, pc->bios_size, E820_RESERVED);
    if (pc->above_4g)
        add_e820(pc, PC_4G, pc->above_4g, E820_RAM);
    return 0;
}

/* Create NAME with PROPS, unrealized, so the board can wire it first. */
static struct device *new_device(struct pc_board *pc, const char *name, const char *props,
                                 char *err, size_t errlen)
{
    struct device *dev = device_create(pc->m, name, err, errlen);

    if (dev && device_set_props(dev, props, err, errlen) < 0) {
        device_free(dev);
        dev = NULL;
    }
    return dev;
}

/* Create, wire ISA IRQ IRQ (or none when < 0) and chardev, realize.
 * Wiring comes first: realize resets the device, which drives its lines. */
static struct device *add_device(struct pc_board *pc, const char *name, const char *props,
                                 int irq, struct chardev *chr, char *err, size_t errlen)
{
    struct device *dev = new_device(pc, name, props, err, errlen);

    if (!dev)
        return NULL;
    if (irq >= 0)
        pc_connect_isa_irq(pc, &dev->irq[0], (unsigned)irq);
    dev->chr = chr;
    return device_realize(dev, err, errlen) < 0 ? NULL : dev;
}

/* A20 is on when the keyboard controller's output port or port 0x92 says
 * so (the two gates are ORed on the board). */
static void a20_update(struct pc_board *pc)
{
    bool on = pc->a20_kbc || pc->a20_port92;

    if (on != pc->a20) {
        pc->a20 = on;
        /* The software CPU masks address bit 20 with it; KVM keeps A20
         * on (as KVM itself does). */
        pc->m->a20_mask = on ? ~0ull : ~(1ull << 20);
        vlog(LOG_INT, "pc: A20 gate %s\n", on ? "enabled" : "disabled");
    }
}

static void a20_from_kbc(void *opaque, bool on)
{
    struct pc_board *pc = opaque;

    pc->a20_kbc = on;
    a20_update(pc);
}

static void a20_from_port92(void *opaque, bool on)
{
    struct pc_board *pc = opaque;

    pc->a20_port92 = on;
    a20_update(pc);
}

/* The CPU's view of the local APIC (SDM vol. 3A 10.4.4, 10.5.4.1, 10.8.6,
 * 10.12): IA32_APIC_BASE, IA32_TSC_DEADLINE, the x2APIC MSR range, CR8. */
#define MSR_IA32_TSC          0x10
#define MSR_IA32_APIC_BASE    0x1b
#define MSR_IA32_TSC_DEADLINE 0x6e0

static int pc_msr_read(void *opaque, uint32_t msr, uint64_t *val)
{
    struct pc_board *pc = opaque;

    if (msr == MSR_IA32_APIC_BASE) {
        *val = lapic_get_base(pc->lapic);
        return 0;
    }
    if (msr == MSR_IA32_TSC_DEADLINE) {
        *val = lapic_get_tsc_deadline(pc->lapic);
        return 0;
    }
    if (msr >= 0x800 && msr <= 0x8ff)
        return lapic_msr_read(pc->lapic, msr, val) < 0 ? -1 : 0;
    return 1;
}

static int pc_msr_write(void *opaque, uint32_t msr, uint64_t val)
{
    struct pc_board *pc = opaque;

    switch (msr) {
    case MSR_IA32_TSC:
        lapic_set_tsc(pc->lapic, val);   /* keep the deadline timer's TSC in step */
        return 1;                        /* the CPU keeps its own offset too */
    case MSR_IA32_APIC_BASE:
        return lapic_set_base(pc->lapic, val) < 0 ? -1 : 0;
    case MSR_IA32_TSC_DEADLINE:
        lapic_set_tsc_deadline(pc->lapic, val);
        return 0;
    }
    if (msr >= 0x800 && msr <= 0x8ff)
        return lapic_msr_write(pc->lapic, msr, val) < 0 ? -1 : 0;
    return 1;
}

static uint8_t pc_cr8_read(void *opaque)
{
    struct pc_board *pc = opaque;

    return lapic_get_cr8(pc->lapic);
}

static void pc_cr8_write(void *opaque, uint8_t val)
{
    struct pc_board *pc = opaque;

    lapic_set_cr8(pc->lapic, val);
}

/* IOAPIC messages go to the one local APIC when it is addressed. */
static void ioapic_to_cpu(void *opaque, uint8_t vector, unsigned mode, bool level, uint8_t dest,
                          bool logical)
{
    struct pc_board *pc = opaque;

    if (lapic_accepts_dest(pc->lapic, dest, logical))
        lapic_deliver(pc->lapic, vector, mode, level);
}

/* HPET legacy replacement route (IA-PC HPET spec 2.3.9.2.2): timer 0
 * takes over ISA IRQ 0 from the PIT and timer 1 IRQ 8 from the RTC. */
static void hpet_legacy(void *opaque, bool on)
{
    struct pc_board *pc = opaque;
    uint32_t pit = 1u << pc->src_pit, rtc = 1u << pc->src_rtc;
    uint32_t h0 = 1u << pc->src_hpet0, h1 = 1u << pc->src_hpet1;

    pc->isa_src_off[PC_PIT_IRQ] = on ? pit : h0;
    pc->isa_src_off[PC_RTC_IRQ] = on ? rtc : h1;
    isa_line_update(pc, PC_PIT_IRQ);
    isa_line_update(pc, PC_RTC_IRQ);
}

/* The ISA bridge's PIRQ router drives ISA lines as one more source each. */
static void piix3_isa_irq(void *opaque, unsigned n, int level)
{
    struct pc_board *pc = opaque;

    if (n < 16)
        isa_irq_set(pc, n | (unsigned)pc->src_piix3 << 4, level);
}

/* PCI: i440FX host bridge 00:00.0, PIIX3 ISA bridge 00:01.0 (PIRQ
 * router), PIIX4 power management 00:01.3 (ACPI PM1 and PM timer at
 * PC_PM_BASE, SCI on ISA IRQ 9), and the HPET. */
static int add_pci(struct pc_board *pc, char *err, size_t errlen)
{
    char props[96];
    struct pci_bus *bus;
    struct device *dev;

    snprintf(props, sizeof(props), "iobase=%#x", PC_PCI_CONFIG);
    pc->pci_host = add_device(pc, "i440fx-host", props, -1, NULL, err, errlen);
    if (!pc->pci_host)
        return -EINVAL;
    bus = i440fx_bus(pc->pci_host);

    /* Without firmware the board routes PIRQA-D to ISA IRQs 10, 10, 11,
     * 11, as PC firmware does, and its DSDT's links say so (acpi.c) */
    dev = new_device(pc, "piix3-isa", pc->bios ? "devfn=0x08" : "devfn=0x08,pirqrc=0x0b0b0a0a",
                     err, errlen);
    if (!dev)
        return -EINVAL;
    pci_device_set_bus(dev, bus);
    pc->src_piix3 = pc->nsources < 32 ? (int)pc->nsources++ : 31;
    piix3_set_isa_irq_handler(dev, piix3_isa_irq, pc);
    if (device_realize(dev, err, errlen) < 0)
        return -EINVAL;
    pci_bus_set_pirq_handler(bus, piix3_set_pirq, dev);

    snprintf(props, sizeof(props), "devfn=0x0b,smi_cmd=%#x,pm_base=%#x", PC_SMI_CMD, PC_PM_BASE);
    dev = new_device(pc, "piix4-pm", props, err, errlen);
    if (!dev)
        return -EINVAL;
    pci_device_set_bus(dev, bus);
    pc_connect_isa_irq(pc, &dev->irq[0], PC_SCI_IRQ);
    if (device_realize(dev, err, errlen) < 0)
        return -EINVAL;

    snprintf(props, sizeof(props), "base=%#llx,intcap=0x00f00000",
             (unsigned long long)PC_HPET_BASE);
    dev = new_device(pc, "hpet", props, err, errlen);
    if (!dev)
        return -EINVAL;
    pc->src_hpet0 = pc_connect_isa_irq(pc, &dev->irq[0], PC_PIT_IRQ);
    pc->src_hpet1 = pc_connect_isa_irq(pc, &dev->irq[1], PC_RTC_IRQ);
    /* Until the guest turns legacy routing on, the HPET sources are off. */
    hpet_legacy(pc, false);
    hpet_set_route_handler(dev, ioapic_set_irq, pc->ioapic);
    hpet_set_legacy_handler(dev, hpet_legacy, pc);
    if (device_realize(dev, err, errlen) < 0)
        return -EINVAL;
    return 0;
}

static int add_chipset(struct pc_board *pc, struct machine *m, char *err, size_t errlen)
{
    char props[96];
    struct device *dev;

    /* The interrupt controllers first: every other device's lines end there. */
    snprintf(props, sizeof(props), "iobase=%#x,iobase2=%#x,elcr=%#x", PC_PIC_MASTER, PC_PIC_SLAVE,
             PC_ELCR);
    pc->pic = add_device(pc, "i8259", props, -1, NULL, err, errlen);
    if (!pc->pic)
        return -EINVAL;

    /* The local APIC is the CPU's interrupt input; the 8259A reaches it
     * through LINT0 in ExtINT mode (virtual wire, as firmware leaves it). */
    snprintf(props, sizeof(props), "index=0,base=%#llx", (unsigned long long)PC_LAPIC_BASE);
    pc->lapic = add_device(pc, "lapic", props, -1, NULL, err, errlen);
    if (!pc->lapic)
        return -EINVAL;
    lapic_set_extint(pc->lapic, i8259_intr_pending, i8259_intr_ack, pc->pic);
    machine_set_platform(m, pc, CPU_PLATFORM_APIC | CPU_PLATFORM_TSC_DEADLINE, pc_msr_read,
                         pc_msr_write, pc_cr8_read, pc_cr8_write);
    m->intr_pending = lapic_intr_pending;
    m->intr_ack = lapic_intr_ack;
    m->intr_opaque = pc->lapic;

    snprintf(props, sizeof(props), "base=%#llx,id=0", (unsigned long long)PC_IOAPIC_BASE);
    pc->ioapic = add_device(pc, "ioapic", props, -1, NULL, err, errlen);
    if (!pc->ioapic)
        return -EINVAL;
    ioapic_set_sink(pc->ioapic, ioapic_to_cpu, pc);
    lapic_set_eoi_hook(pc->lapic, ioapic_eoi, pc->ioapic);

    snprintf(props, sizeof(props), "iobase=%#x,port61=%#x", PC_PIT_BASE, PC_PORT61);
    dev = add_device(pc, "i8254", props, PC_PIT_IRQ, NULL, err, errlen);
    if (!dev)
        return -EINVAL;
    pc->src_pit = (int)(dev->irq[0].n >> 4);

    snprintf(props, sizeof(props), "iobase=%#x", PC_RTC_BASE);
    pc->rtc = add_device(pc, "mc146818-rtc", props, PC_RTC_IRQ, NULL, err, errlen);
    if (!pc->rtc)
        return -EINVAL;
    pc->src_rtc = (int)(pc->rtc->irq[0].n >> 4);
    /* CMOS memory-size fields as PC firmware reads them. */
    mc146818_set_memory(pc->rtc, pc->below_4g, pc->above_4g);

    snprintf(props, sizeof(props), "data_port=%#x,cmd_port=%#x", PC_KBC_DATA, PC_KBC_CMD);
    dev = new_device(pc, "i8042", props, err, errlen);
    if (!dev)
        return -EINVAL;
    pc_connect_isa_irq(pc, &dev->irq[0], PC_KBD_IRQ);
    pc_connect_isa_irq(pc, &dev->irq[1], PC_AUX_IRQ);
    i8042_set_a20_handler(dev, a20_from_kbc, pc);
    if (device_realize(dev, err, errlen) < 0)
        return -EINVAL;

    snprintf(props, sizeof(props), "iobase=%#x", PC_PORT92);
    dev = new_device(pc, "port92", props, err, errlen);
    if (!dev)
        return -EINVAL;
    port92_set_a20_handler(dev, a20_from_port92, pc);
    if (device_realize(dev, err, errlen) < 0)
        return -EINVAL;
    return add_pci(pc, err, errlen);
}

int pc_build(struct pc_board *pc, struct machine *m, const struct pc_config *cfg, char *err,
             size_t errlen)
{
    char props[64];
    int rc;

    memset(pc, 0, sizeof(*pc));
    pc->m = m;
    if (m->ram_size < 2 * 1024 * 1024) {
        snprintf(err, errlen, "pc: at least 2 MiB of RAM is needed (-m)");
        return -EINVAL;
    }
    pc->below_4g = m->ram_size < PC_LOWMEM_LIMIT ? m->ram_size : PC_LOWMEM_LIMIT;
    pc->above_4g = m->ram_size - pc->below_4g;
    if (cfg->bios) {
        if (cfg->bios_size == 0 || cfg->bios_size % 4096 || cfg->bios_size > 16 * 1024 * 1024) {
            snprintf(err, errlen,
                     "firmware image size %zu is not a multiple of 4 KiB between 4 KiB and 16 MiB",
                     cfg->bios_size);
            return -EINVAL;
        }
        pc->bios = mmap(NULL, cfg->bios_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0);
        if (pc->bios == MAP_FAILED) {
            pc->bios = NULL;
            snprintf(err, errlen, "cannot allocate firmware ROM: %s", strerror(errno));
            return -ENOMEM;
        }
        memcpy(pc->bios, cfg->bios, cfg->bios_size);
        pc->bios_size = cfg->bios_size;
    }
    rc = build_memory(pc, m, err, errlen);
    if (rc < 0)
        return rc;

    rc = add_chipset(pc, m, err, errlen);
    if (rc < 0)
        return rc;
    /* Without firmware the board describes itself (with -bios, firmware
     * builds its own tables). */
    if (!pc->bios) {
        struct acpi_config acfg = {
            .base = PC_ACPI_BASE, .size = PC_ACPI_SIZE,
            .lapic_base = (uint32_t)PC_LAPIC_BASE, .ioapic_base = (uint32_t)PC_IOAPIC_BASE,
            .hpet_base = (uint32_t)PC_HPET_BASE, .sci_irq = PC_SCI_IRQ, .smi_cmd = PC_SMI_CMD,
            .acpi_enable = PIIX4_PM_ACPI_ENABLE, .acpi_disable = PIIX4_PM_ACPI_DISABLE,
            .pm_base = PC_PM_BASE, .reset_port = PC_RESET_PORT, .reset_value = PC_RESET_VALUE,
            .s5_slp_typ = PIIX4_PM_SLP_TYP_S5,
            .pirq_irq = {10, 10, 11, 11},
        };
        pc->rsdp = acpi_build(pc, &acfg, err, errlen);
        if (!pc->rsdp)
            return -ENOSPC;
    }

    snprintf(props, sizeof(props), "iobase=%#x", PC_COM1_BASE);
    if (!add_device(pc, "isa-serial", props, PC_COM1_IRQ, cfg->serial0, err, errlen))
        return -EINVAL;
    snprintf(props, sizeof(props), "iobase=%#x", PC_POST_PORT);
    if (!add_device(pc, "port80", props, -1, NULL, err, errlen))
        return -EINVAL;
    return 0;
}

void pc_destroy(struct pc_board *pc)
{
    if (pc->bios)
        munmap(pc->bios, pc->bios_size);
    pc->bios = NULL;
}
