/*
 * test_pci.c - the PCI core, the i440FX host bridge and the PIIX3 ISA
 * bridge, driven through configuration mechanism #1 as a guest would.
 *
 * Covered (PCI Local Bus Specification 3.0, 82441FX and 82371SB
 * datasheets): CONFIG_ADDRESS only on 32-bit accesses (reserved bits
 * read 0), CONFIG_DATA byte/word/dword at (addr & 3), all ones for an
 * absent function, another bus or the enable bit clear; the IDs, class
 * and header type of 00:00.0 and 00:01.0 in every access size;
 * read-only fields (IDs, class, header type, fixed COMMAND bits,
 * reserved PIRQ bits) stay read-only and STATUS error bits are
 * write-1-to-clear; BAR sizing with all ones (I/O and 32-bit memory),
 * BARs decoded only while COMMAND enables them, moving with their
 * address, and refusing an overlap without harm; INTx through the
 * (slot + pin - 1) swizzle to a PIRQ, INTx disable; PIRQ routing to
 * the programmed ISA IRQ, disable bit, reserved IRQs, re-routing while
 * asserted and wire-OR of shared PIRQs; the reset control register at
 * CF9h (byte access, RCPU 0 -> 1 only); system reset restoring the
 * power-on registers; a hostile sweep of every offset and size.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "hw/core/device.h"
#include "hw/core/machine.h"
#include "hw/pci/i440fx.h"
#include "hw/pci/pci.h"
#include "hw/pci/piix3.h"
#include "tests/vireo_check.h"

#define CFG_ADDR 0xcf8
#define CFG_DATA 0xcfc
#define HOST     PCI_DEVFN(0, 0)
#define ISA      PCI_DEVFN(1, 0)
#define TESTDEV  PCI_DEVFN(3, 0)

static struct machine m;
static struct device *host, *piix3;
static struct pci_bus *bus;
static int isa_level[16];
static unsigned isa_changes;

static void isa_probe(void *opaque, unsigned n, int level)
{
    ck_assert_uint_lt(n, 16);
    ck_assert_int_ne(isa_level[n], level);      /* only changes are reported */
    isa_level[n] = level;
    isa_changes++;
}

static void setup(void)
{
    char err[256];

    ck_assert_int_eq(machine_init(&m, 2 << 20, VCLOCK_MANUAL), 0);
    memset(isa_level, 0, sizeof(isa_level));
    isa_changes = 0;
    host = device_create(&m, "i440fx-host", err, sizeof(err));
    ck_assert_msg(host != NULL, "%s", err);
    ck_assert_msg(device_realize(host, err, sizeof(err)) == 0, "%s", err);
    bus = i440fx_bus(host);
    ck_assert_ptr_nonnull(bus);
    piix3 = device_create(&m, "piix3-isa", err, sizeof(err));
    ck_assert_msg(piix3 != NULL, "%s", err);
    pci_device_set_bus(piix3, bus);
    piix3_set_isa_irq_handler(piix3, isa_probe, NULL);
    ck_assert_msg(device_realize(piix3, err, sizeof(err)) == 0, "%s", err);
    pci_bus_set_pirq_handler(bus, piix3_set_pirq, piix3);
}

static void teardown(void)
{
    machine_destroy(&m);
}

static void select_reg(unsigned busno, unsigned devfn, unsigned off)
{
    as_write(&m.io, CFG_ADDR, 0x80000000u | busno << 16 | devfn << 8 | (off & 0xfc), 4);
}

static uint32_t cfg_read(unsigned devfn, unsigned off, unsigned size)
{
    select_reg(0, devfn, off);
    return (uint32_t)as_read(&m.io, CFG_DATA + (off & 3), size);
}

static void cfg_write(unsigned devfn, unsigned off, uint32_t val, unsigned size)
{
    select_reg(0, devfn, off);
    as_write(&m.io, CFG_DATA + (off & 3), val, size);
}

START_TEST(config_address_register)
{
    as_write(&m.io, CFG_ADDR, 0xffffffff, 4);
    ck_assert_uint_eq(as_read(&m.io, CFG_ADDR, 4), 0x80fffffc);   /* 30:24, 1:0 read 0 */
    as_write(&m.io, CFG_ADDR, 0x80000808, 4);
    ck_assert_uint_eq(as_read(&m.io, CFG_ADDR, 4), 0x80000808);
    /* Byte and word accesses are not CONFIG_ADDRESS: it keeps its value. */
    as_write(&m.io, CFG_ADDR, 0x00, 1);
    as_write(&m.io, CFG_ADDR + 2, 0x0000, 2);
    ck_assert_uint_eq(as_read(&m.io, CFG_ADDR, 4), 0x80000808);
    ck_assert_uint_eq(as_read(&m.io, CFG_ADDR, 1), 0xff);
    ck_assert_uint_eq(as_read(&m.io, CFG_ADDR + 2, 2), 0xffff);
}
END_TEST

START_TEST(absent_reads_all_ones)
{
    ck_assert_uint_eq(cfg_read(PCI_DEVFN(2, 0), 0, 4), 0xffffffff);
    ck_assert_uint_eq(cfg_read(PCI_DEVFN(2, 0), 2, 2), 0xffff);
    ck_assert_uint_eq(cfg_read(PCI_DEVFN(31, 7), 0x3f, 1), 0xff);
    ck_assert_uint_eq(cfg_read(PCI_DEVFN(0, 1), 0, 4), 0xffffffff);     /* no function 1 */
    select_reg(1, HOST, 0);                                             /* bus 1: none */
    ck_assert_uint_eq(as_read(&m.io, CFG_DATA, 4), 0xffffffff);
    as_write(&m.io, CFG_ADDR, 0x00000000, 4);                           /* enable clear */
    ck_assert_uint_eq(as_read(&m.io, CFG_DATA, 4), 0xffffffff);
    ck_assert_uint_eq(as_read(&m.io, CFG_DATA + 1, 1), 0xff);
    /* Writes there go nowhere and hurt nothing. */
    cfg_write(PCI_DEVFN(2, 0), 0x10, 0x12345678, 4);
    ck_assert_uint_eq(cfg_read(PCI_DEVFN(2, 0), 0x10, 4), 0xffffffff);
}
END_TEST

START_TEST(host_bridge_ids)
{
    ck_assert_uint_eq(cfg_read(HOST, 0x00, 4), 0x12378086);
    ck_assert_uint_eq(cfg_read(HOST, 0x00, 2), 0x8086);
    ck_assert_uint_eq(cfg_read(HOST, 0x02, 2), 0x1237);
    ck_assert_uint_eq(cfg_read(HOST, 0x00, 1), 0x86);
    ck_assert_uint_eq(cfg_read(HOST, 0x01, 1), 0x80);
    ck_assert_uint_eq(cfg_read(HOST, 0x02, 1), 0x37);
    ck_assert_uint_eq(cfg_read(HOST, 0x03, 1), 0x12);
    ck_assert_uint_eq(cfg_read(HOST, 0x08, 4), 0x06000002);   /* class 060000, RID 02 */
    ck_assert_uint_eq(cfg_read(HOST, 0x0a, 2), 0x0600);
    ck_assert_uint_eq(cfg_read(HOST, 0x0e, 1), 0x00);
    ck_assert_uint_eq(cfg_read(HOST, 0x04, 4), 0x02800006);   /* PCISTS, PCICMD */
    ck_assert_uint_eq(cfg_read(HOST, 0x72, 1), 0x02);         /* SMRAM */
    ck_assert_uint_eq(cfg_read(HOST, 0x60, 1), 0x01);         /* DRB0 */
}
END_TEST

START_TEST(piix3_ids)
{
    ck_assert_uint_eq(cfg_read(ISA, 0x00, 4), 0x70008086);
    ck_assert_uint_eq(cfg_read(ISA, 0x02, 2), 0x7000);
    ck_assert_uint_eq(cfg_read(ISA, 0x0b, 1), 0x06);
    ck_assert_uint_eq(cfg_read(ISA, 0x0a, 1), 0x01);
    ck_assert_uint_eq(cfg_read(ISA, 0x08, 4) >> 8, 0x060100);
    ck_assert_uint_eq(cfg_read(ISA, 0x0e, 1), 0x80);          /* multi-function */
    ck_assert_uint_eq(cfg_read(ISA, 0x04, 2), 0x0007);
    ck_assert_uint_eq(cfg_read(ISA, 0x06, 2), 0x0200);
    ck_assert_uint_eq(cfg_read(ISA, 0x60, 4), 0x80808080);    /* PIRQRC A-D */
    ck_assert_uint_eq(cfg_read(ISA, 0x4c, 1), 0x4d);
    ck_assert_uint_eq(cfg_read(ISA, 0x69, 1), 0x02);
}
END_TEST

START_TEST(read_only_fields)
{
    cfg_write(HOST, 0x00, 0xffffffff, 4);
    cfg_write(HOST, 0x08, 0xffffffff, 4);
    cfg_write(HOST, 0x0e, 0xff, 1);
    ck_assert_uint_eq(cfg_read(HOST, 0x00, 4), 0x12378086);
    ck_assert_uint_eq(cfg_read(HOST, 0x08, 4), 0x06000002);
    ck_assert_uint_eq(cfg_read(HOST, 0x0e, 1), 0x00);
    /* 82441FX PCICMD: only SERRE (8) and PERRE (6) are writable. */
    cfg_write(HOST, 0x04, 0xffff, 2);
    ck_assert_uint_eq(cfg_read(HOST, 0x04, 2), 0x0146);
    cfg_write(HOST, 0x04, 0x0000, 2);
    ck_assert_uint_eq(cfg_read(HOST, 0x04, 2), 0x0006);
    /* Latency timer bits 2:0 are fixed; PAM0 has only bits 5:4. */
    cfg_write(HOST, 0x0d, 0xff, 1);
    ck_assert_uint_eq(cfg_read(HOST, 0x0d, 1), 0xf8);
    cfg_write(HOST, 0x59, 0xff, 1);
    ck_assert_uint_eq(cfg_read(HOST, 0x59, 1), 0x30);
    cfg_write(HOST, 0x5a, 0xff, 1);
    ck_assert_uint_eq(cfg_read(HOST, 0x5a, 1), 0x33);
    /* PIIX3: IDs fixed, PIRQ reserved bits 6:4 read 0. */
    cfg_write(ISA, 0x00, 0, 4);
    ck_assert_uint_eq(cfg_read(ISA, 0x00, 4), 0x70008086);
    cfg_write(ISA, 0x60, 0xff, 1);
    ck_assert_uint_eq(cfg_read(ISA, 0x60, 1), 0x8f);
    /* A word write through CONFIG_DATA + 2 lands at offset + 2. */
    cfg_write(ISA, 0x62, 0x0b0a, 2);
    ck_assert_uint_eq(cfg_read(ISA, 0x60, 4), 0x0b0a808f);
}
END_TEST

/* A test function with an I/O BAR (32 bytes) and a memory BAR (4 KiB). */
static struct pci_function tfn;

static uint64_t tbar_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0x5a00 + offset;
}

static void tbar_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
}

static const struct io_ops tbar_ops = { .read = tbar_read, .write = tbar_write, .max_access = 4 };

static void add_test_function(void)
{
    pci_config_init(&tfn, 0x1234, 0x5678, 0x01, 0x020000, 0x00);
    pci_set_reg(&tfn, PCI_INTERRUPT_PIN, 1, 0x01, 0);
    pci_register_bar(&tfn, 0, PCI_BAR_IO, 32, &tbar_ops, NULL, "test-io");
    pci_register_bar(&tfn, 1, PCI_BAR_MEM32, 4096, &tbar_ops, NULL, "test-mem");
    ck_assert_int_eq(pci_register_function(bus, &tfn, TESTDEV, NULL, NULL), 0);
    ck_assert_int_eq(pci_register_function(bus, &tfn, TESTDEV, NULL, NULL), -EEXIST);
}

START_TEST(bar_sizing_and_decoding)
{
    add_test_function();
    ck_assert_uint_eq(cfg_read(TESTDEV, 0x10, 4), 0x00000001);      /* I/O indicator */
    ck_assert_uint_eq(cfg_read(TESTDEV, 0x14, 4), 0x00000000);
    cfg_write(TESTDEV, 0x10, 0xffffffff, 4);
    cfg_write(TESTDEV, 0x14, 0xffffffff, 4);
    cfg_write(TESTDEV, 0x18, 0xffffffff, 4);
    ck_assert_uint_eq(cfg_read(TESTDEV, 0x10, 4), 0xffffffe1);      /* 32 bytes, I/O */
    ck_assert_uint_eq(cfg_read(TESTDEV, 0x14, 4), 0xfffff000);      /* 4 KiB, mem32 */
    ck_assert_uint_eq(cfg_read(TESTDEV, 0x18, 4), 0x00000000);      /* not implemented */

    cfg_write(TESTDEV, 0x10, 0xc000, 4);
    cfg_write(TESTDEV, 0x14, 0xfebf0000, 4);
    ck_assert_uint_eq(cfg_read(TESTDEV, 0x10, 4), 0xc001);
    ck_assert_ptr_null(as_find(&m.io, 0xc000));                     /* decode off */
    ck_assert_ptr_null(as_find(&m.mem, 0xfebf0000));
    cfg_write(TESTDEV, 0x04, PCI_COMMAND_IO, 2);
    ck_assert_uint_eq(as_read(&m.io, 0xc004, 2), 0x5a04);
    ck_assert_ptr_null(as_find(&m.mem, 0xfebf0000));
    cfg_write(TESTDEV, 0x04, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    ck_assert_uint_eq(as_read(&m.mem, 0xfebf0010, 4), 0x5a10);
    /* Moving the I/O BAR moves the decode. */
    cfg_write(TESTDEV, 0x10, 0xc100, 4);
    ck_assert_ptr_null(as_find(&m.io, 0xc000));
    ck_assert_uint_eq(as_read(&m.io, 0xc11f, 1), 0x1f);             /* 0x5a1f, one byte */
    /* Over the configuration ports: refused, nothing else breaks. */
    cfg_write(TESTDEV, 0x10, 0x0ce0, 4);
    ck_assert_uint_eq(cfg_read(TESTDEV, 0x10, 4), 0x0ce1);
    ck_assert_uint_eq(cfg_read(HOST, 0x00, 4), 0x12378086);
    ck_assert_ptr_null(as_find(&m.io, 0xc100));
    /* Disabling decode removes the memory BAR. */
    cfg_write(TESTDEV, 0x04, 0, 2);
    ck_assert_ptr_null(as_find(&m.mem, 0xfebf0000));
    /* Sizing while decoding is on must not hang or crash either. */
    cfg_write(TESTDEV, 0x04, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    cfg_write(TESTDEV, 0x14, 0xffffffff, 4);
    cfg_write(TESTDEV, 0x10, 0xffffffff, 4);
    ck_assert_uint_eq(cfg_read(TESTDEV, 0x14, 4), 0xfffff000);
    ck_assert_ptr_null(as_find(&m.io, 0xffe0));                     /* 0xffffffe0: off the 64K */
    pci_unregister_function(&tfn);
    ck_assert_uint_eq(cfg_read(TESTDEV, 0, 4), 0xffffffff);
}
END_TEST

START_TEST(bar_mapping_grows_the_port_map)
{
    /* Fill the port map to its allocation size so that decoding a BAR from
     * inside the CONFIG_DATA write reallocates the region array: the
     * dispatcher must not touch the CONFIG_DATA region after the call
     * (AddressSanitizer proves it). */
    add_test_function();
    for (unsigned i = 0; i < 64; i++)
        ck_assert_int_eq(as_add_io(&m.io, 0x100 + 4 * i, 4, &tbar_ops, NULL, "filler"), 0);
    cfg_write(TESTDEV, 0x10, 0xc000, 4);
    for (unsigned i = 0; i < 64; i++) {
        cfg_write(TESTDEV, 0x04, PCI_COMMAND_IO, 2);
        ck_assert_ptr_nonnull(as_find(&m.io, 0xc000));
        cfg_write(TESTDEV, 0x04, 0, 2);
        ck_assert_ptr_null(as_find(&m.io, 0xc000));
        ck_assert_int_eq(as_add_io(&m.io, 0x1000 + 4 * i, 4, &tbar_ops, NULL, "filler"), 0);
    }
}
END_TEST

START_TEST(status_write_one_to_clear)
{
    add_test_function();
    tfn.config[PCI_STATUS + 1] = 0xf9;      /* the device latched every error bit */
    cfg_write(TESTDEV, 0x06, 0x0100, 2);    /* clear master data parity error only */
    ck_assert_uint_eq(cfg_read(TESTDEV, 0x06, 2), 0xf800);
    cfg_write(TESTDEV, 0x06, 0x0000, 2);    /* zeros change nothing */
    ck_assert_uint_eq(cfg_read(TESTDEV, 0x06, 2), 0xf800);
    cfg_write(TESTDEV, 0x04, 0xffff0000, 4);/* dword at COMMAND: clears all of STATUS */
    ck_assert_uint_eq(cfg_read(TESTDEV, 0x06, 2), 0x0000);
}
END_TEST

START_TEST(intx_through_pirq)
{
    add_test_function();
    /* Slot 3, INTA: PIRQ (3 + 1 - 1) mod 4 = PIRQD. */
    cfg_write(ISA, 0x63, 0x0b, 1);
    pci_set_irq(&tfn, 1);
    ck_assert_int_eq(isa_level[11], 1);
    ck_assert_uint_eq(cfg_read(TESTDEV, 0x06, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
    cfg_write(TESTDEV, 0x04, PCI_COMMAND_INTX_DISABLE, 2);
    ck_assert_int_eq(isa_level[11], 0);
    ck_assert_uint_eq(cfg_read(TESTDEV, 0x06, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
    cfg_write(TESTDEV, 0x04, 0, 2);
    ck_assert_int_eq(isa_level[11], 1);
    pci_set_irq(&tfn, 0);
    ck_assert_int_eq(isa_level[11], 0);
    ck_assert_uint_eq(cfg_read(TESTDEV, 0x06, 2) & PCI_STATUS_INTERRUPT, 0);
}
END_TEST

START_TEST(pirq_routing)
{
    /* Power-on: every route disabled; an asserted PIRQ goes nowhere. */
    piix3_set_pirq(piix3, 0, 1);
    ck_assert_uint_eq(isa_changes, 0);
    cfg_write(ISA, 0x60, 0x0a, 1);                  /* PIRQA -> IRQ10 */
    ck_assert_int_eq(isa_level[10], 1);
    cfg_write(ISA, 0x61, 0x0a, 1);                  /* PIRQB -> IRQ10 too */
    piix3_set_pirq(piix3, 1, 1);
    piix3_set_pirq(piix3, 0, 0);
    ck_assert_int_eq(isa_level[10], 1);             /* wire-OR: B still asserts */
    piix3_set_pirq(piix3, 1, 0);
    ck_assert_int_eq(isa_level[10], 0);
    /* Re-routing while asserted moves the level. */
    piix3_set_pirq(piix3, 0, 1);
    ck_assert_int_eq(isa_level[10], 1);
    cfg_write(ISA, 0x60, 0x0f, 1);
    ck_assert_int_eq(isa_level[10], 0);
    ck_assert_int_eq(isa_level[15], 1);
    /* Bit 7 disables. */
    cfg_write(ISA, 0x60, 0x8f, 1);
    ck_assert_int_eq(isa_level[15], 0);
    /* Reserved IRQ numbers (0-2, 8, 13) route nowhere. */
    static const uint8_t reserved[] = { 0, 1, 2, 8, 13 };
    for (unsigned i = 0; i < sizeof(reserved); i++) {
        unsigned before = isa_changes;

        cfg_write(ISA, 0x60, reserved[i], 1);
        ck_assert_uint_eq(isa_changes, before);
    }
    /* Every valid IRQ works. */
    static const uint8_t valid[] = { 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15 };
    for (unsigned i = 0; i < sizeof(valid); i++) {
        cfg_write(ISA, 0x60, valid[i], 1);
        ck_assert_int_eq(isa_level[valid[i]], 1);
        cfg_write(ISA, 0x60, 0x80, 1);
        ck_assert_int_eq(isa_level[valid[i]], 0);
    }
    /* Two PIRQs on two IRQs: both lines driven. */
    piix3_set_pirq(piix3, 1, 1);
    cfg_write(ISA, 0x60, 0x05, 1);
    cfg_write(ISA, 0x61, 0x07, 1);
    ck_assert_int_eq(isa_level[5], 1);
    ck_assert_int_eq(isa_level[7], 1);
    piix3_set_pirq(piix3, 0, 0);
    ck_assert_int_eq(isa_level[5], 0);
    ck_assert_int_eq(isa_level[7], 1);
    /* Out-of-range PIRQ numbers are ignored. */
    piix3_set_pirq(piix3, 4, 1);
    piix3_set_pirq(piix3, 0xffffffffu, 1);
}
END_TEST

START_TEST(reset_control_register)
{
    ck_assert_uint_eq(as_read(&m.io, 0xcf9, 1), 0x00);
    as_write(&m.io, 0xcf9, 0x02, 1);                /* hard reset select, no RCPU */
    ck_assert_int_eq(m.request, MACHINE_RUN);
    ck_assert_uint_eq(as_read(&m.io, 0xcf9, 1), 0x02);
    as_write(&m.io, 0xcf9, 0x06, 1);                /* RCPU 0 -> 1 */
    ck_assert_int_eq(m.request, MACHINE_RESET);
    m.request = MACHINE_RUN;
    as_write(&m.io, 0xcf9, 0x06, 1);                /* no new edge */
    ck_assert_int_eq(m.request, MACHINE_RUN);
    as_write(&m.io, CFG_ADDR, 0x00000600, 4);       /* dword: CONFIG_ADDRESS, no reset */
    ck_assert_int_eq(m.request, MACHINE_RUN);
    machine_reset_devices(&m);
    ck_assert_uint_eq(as_read(&m.io, 0xcf9, 1), 0x00);
    as_write(&m.io, 0xcf9, 0x04, 1);                /* soft reset also resets */
    ck_assert_int_eq(m.request, MACHINE_RESET);
}
END_TEST

START_TEST(system_reset_restores)
{
    cfg_write(ISA, 0x60, 0x0b, 1);
    piix3_set_pirq(piix3, 0, 1);
    ck_assert_int_eq(isa_level[11], 1);
    cfg_write(HOST, 0x59, 0x30, 1);
    cfg_write(HOST, 0x3c, 0xff, 1);
    machine_reset_devices(&m);
    ck_assert_uint_eq(as_read(&m.io, CFG_ADDR, 4), 0);
    ck_assert_int_eq(isa_level[11], 0);             /* route back to disabled */
    ck_assert_uint_eq(cfg_read(ISA, 0x60, 1), 0x80);
    ck_assert_uint_eq(cfg_read(HOST, 0x59, 1), 0x00);
    cfg_write(ISA, 0x60, 0x0b, 1);                  /* the PIRQ wire kept its level */
    ck_assert_int_eq(isa_level[11], 1);
}
END_TEST

START_TEST(hostile_sweep)
{
    /* Every offset, size and value pattern on both functions: no crash,
     * IDs intact afterwards. */
    static const uint32_t pat[] = { 0xffffffff, 0, 0x5a5a5a5a, 0x80000001 };
    for (unsigned p = 0; p < 4; p++)
        for (unsigned off = 0; off < 256; off++)
            for (unsigned size = 1; size <= 4; size <<= 1) {
                cfg_write(HOST, off, pat[p], size);
                cfg_write(ISA, off, pat[p], size);
                (void)cfg_read(HOST, off, size);
                (void)cfg_read(ISA, off, size);
            }
    /* Unaligned accesses straddling CONFIG_DATA's end. */
    select_reg(0, HOST, 0);
    (void)as_read(&m.io, CFG_DATA + 3, 4);
    as_write(&m.io, CFG_DATA + 2, 0xffffffff, 4);
    ck_assert_uint_eq(cfg_read(HOST, 0x00, 4), 0x12378086);
    ck_assert_uint_eq(cfg_read(ISA, 0x00, 4), 0x70008086);
    ck_assert_uint_eq(cfg_read(ISA, 0x0e, 1), 0x80);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pci");
    TCase *tc = tcase_create("pci");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, config_address_register);
    tcase_add_test(tc, absent_reads_all_ones);
    tcase_add_test(tc, host_bridge_ids);
    tcase_add_test(tc, piix3_ids);
    tcase_add_test(tc, read_only_fields);
    tcase_add_test(tc, bar_sizing_and_decoding);
    tcase_add_test(tc, bar_mapping_grows_the_port_map);
    tcase_add_test(tc, status_write_one_to_clear);
    tcase_add_test(tc, intx_through_pirq);
    tcase_add_test(tc, pirq_routing);
    tcase_add_test(tc, reset_control_register);
    tcase_add_test(tc, system_reset_restores);
    tcase_add_test(tc, hostile_sweep);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
