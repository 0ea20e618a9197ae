/*
 * test_piix4_pm.c - the PIIX4 power management function against the
 * 82371AB datasheet and the ACPI fixed hardware rules, with a manually
 * stepped virtual clock: the PM timer runs at 3.579545 MHz and tick k
 * happens at ceil(k * 1e9 / 3579545) ns, so every check is to the tick.
 *
 * Covered: PCI IDs and class; PMBA (bit 0 fixed, bits 15:6 writable) and
 * PMREGMISC.PMIOSE placing, moving and removing the 64-byte I/O block;
 * PM timer value exact against the clock, 24 bits (bits 31:24 read 0)
 * and wrapping, read-only; TMR_STS set exactly at bit-23 transitions and
 * write-1-to-clear; the SCI (dev->irq[0]) raised by TMR_STS & TMR_EN only
 * while SCI_EN is set, at the exact transition time, and dropped when the
 * status is cleared; power button status and SCI; SLP_EN with SLP_TYP 0
 * (S5) requesting exit status 0, SLP_EN reading 0, other sleep types
 * ignored; the ACPI enable/disable handshake through SMI_CMD (0xb2) and
 * the APM status port; GPE0 registers; system reset.
 */
#include <check.h>
#include <string.h>

#include "hw/core/device.h"
#include "hw/core/machine.h"
#include "hw/pci/i440fx.h"
#include "hw/pci/pci.h"
#include "hw/pci/piix4_pm.h"
#include "tests/vireo_check.h"

#define PM_HZ    3579545ull
#define CFG_ADDR 0xcf8
#define CFG_DATA 0xcfc
#define PMDEV    PCI_DEVFN(1, 3)
#define PMBASE   0xb000
#define SMI_CMD  0xb2

#define PM1_STS  (PMBASE + 0x00)
#define PM1_EN   (PMBASE + 0x02)
#define PM1_CNT  (PMBASE + 0x04)
#define PM_TMR   (PMBASE + 0x08)

static struct machine m;
static struct device *pm;
static int sci = -1;
static unsigned sci_changes;

static void sci_probe(void *opaque, unsigned n, int level)
{
    ck_assert_int_ne(sci, level);
    sci = level;
    sci_changes++;
}

static uint32_t cfg_read(unsigned off, unsigned size)
{
    as_write(&m.io, CFG_ADDR, 0x80000000u | PMDEV << 8 | (off & 0xfc), 4);
    return (uint32_t)as_read(&m.io, CFG_DATA + (off & 3), size);
}

static void cfg_write(unsigned off, uint32_t val, unsigned size)
{
    as_write(&m.io, CFG_ADDR, 0x80000000u | PMDEV << 8 | (off & 0xfc), 4);
    as_write(&m.io, CFG_DATA + (off & 3), val, size);
}

static void enable_block(void)
{
    cfg_write(0x40, PMBASE, 4);
    cfg_write(0x80, 0x01, 1);
}

static void build(const char *props)
{
    char err[256];
    struct device *host;

    ck_assert_int_eq(machine_init(&m, 2 << 20, VCLOCK_MANUAL), 0);
    sci = -1;
    sci_changes = 0;
    host = device_create(&m, "i440fx-host", err, sizeof(err));
    ck_assert_msg(host && device_realize(host, err, sizeof(err)) == 0, "%s", err);
    pm = device_create(&m, "piix4-pm", err, sizeof(err));
    ck_assert_msg(pm != NULL, "%s", err);
    ck_assert_msg(device_set_props(pm, props, err, sizeof(err)) == 0, "%s", err);
    pci_device_set_bus(pm, i440fx_bus(host));
    pm->irq[0] = (struct irq_line){ sci_probe, NULL, 9 };
    ck_assert_msg(device_realize(pm, err, sizeof(err)) == 0, "%s", err);
}

static void setup(void)
{
    build("");
}

static void teardown(void)
{
    machine_destroy(&m);
}

static uint64_t tick_ns(uint64_t k)
{
    return (k * 1000000000ull + PM_HZ - 1) / PM_HZ;
}

static void step_to_ns(uint64_t ns)
{
    uint64_t now = vclock_now(&m.clock);

    ck_assert_uint_ge(ns, now);
    vclock_step(&m.clock, ns - now);
}

static uint32_t tmr(void)
{
    return (uint32_t)as_read(&m.io, PM_TMR, 4);
}

static uint16_t rd16(uint16_t port)
{
    return (uint16_t)as_read(&m.io, port, 2);
}

static void wr16(uint16_t port, uint16_t v)
{
    as_write(&m.io, port, v, 2);
}

START_TEST(pci_header)
{
    ck_assert_uint_eq(cfg_read(0x00, 4), 0x71138086);
    ck_assert_uint_eq(cfg_read(0x08, 4), 0x06800003);
    ck_assert_uint_eq(cfg_read(0x0e, 1), 0x00);
    ck_assert_uint_eq(cfg_read(0x3d, 1), 0x01);
    ck_assert_uint_eq(cfg_read(0x40, 4), 0x00000001);
    cfg_write(0x40, 0xffffffff, 4);
    ck_assert_uint_eq(cfg_read(0x40, 4), 0x0000ffc1);   /* 64-byte block, I/O */
    cfg_write(0x80, 0xff, 1);
    ck_assert_uint_eq(cfg_read(0x80, 1), 0x01);
    cfg_write(0x00, 0, 4);
    ck_assert_uint_eq(cfg_read(0x00, 4), 0x71138086);
}
END_TEST

START_TEST(io_block_placement)
{
    ck_assert_uint_eq(as_read(&m.io, PM_TMR, 4), 0xffffffff);   /* nothing there */
    cfg_write(0x40, PMBASE | 1, 4);
    ck_assert_ptr_null(as_find(&m.io, PMBASE));                 /* PMIOSE still 0 */
    cfg_write(0x80, 0x01, 1);
    ck_assert_ptr_nonnull(as_find(&m.io, PMBASE));
    ck_assert_ptr_nonnull(as_find(&m.io, PMBASE + 63));
    ck_assert_ptr_null(as_find(&m.io, PMBASE + 64));
    ck_assert_uint_eq(rd16(PM1_STS), 0);
    /* Move it: the old place is empty, the new one answers. */
    cfg_write(0x40, 0x0600, 4);
    ck_assert_ptr_null(as_find(&m.io, PMBASE));
    step_to_ns(tick_ns(1234));
    ck_assert_uint_eq(as_read(&m.io, 0x608, 4), 1234);
    /* Bits 5:1 are not address bits. */
    cfg_write(0x40, 0x063e, 4);
    ck_assert_uint_eq(cfg_read(0x40, 4), 0x0601);
    ck_assert_uint_eq(as_read(&m.io, 0x608, 4), 1234);
    cfg_write(0x80, 0x00, 1);
    ck_assert_ptr_null(as_find(&m.io, 0x600));
    /* A base over the configuration ports is refused without harm. */
    cfg_write(0x40, 0x0cc0, 4);
    cfg_write(0x80, 0x01, 1);
    ck_assert_uint_eq(cfg_read(0x00, 4), 0x71138086);
}
END_TEST

START_TEST(pm_timer_rate)
{
    enable_block();
    ck_assert_uint_eq(tmr(), 0);
    step_to_ns(1000000000ull);
    ck_assert_uint_eq(tmr(), 3579545);              /* exactly one second */
    for (uint64_t k = 3579546; k < 3579546 + 5000; k += 997) {
        step_to_ns(tick_ns(k) - 1);
        ck_assert_uint_eq(tmr(), k - 1);
        step_to_ns(tick_ns(k));
        ck_assert_uint_eq(tmr(), k);
    }
    /* Byte and word reads of the same register agree; writes are ignored. */
    as_write(&m.io, PM_TMR, 0, 4);
    uint32_t t = tmr();
    ck_assert_uint_eq(as_read(&m.io, PM_TMR, 2), t & 0xffff);
    ck_assert_uint_eq(as_read(&m.io, PM_TMR + 2, 1), (t >> 16) & 0xff);
}
END_TEST

START_TEST(pm_timer_wraps_24_bits)
{
    enable_block();
    step_to_ns(tick_ns(0xffffff));
    ck_assert_uint_eq(tmr(), 0xffffff);
    step_to_ns(tick_ns(0x1000000));
    ck_assert_uint_eq(tmr(), 0);                    /* bits 31:24 read 0 */
    step_to_ns(tick_ns(0x1000005));
    ck_assert_uint_eq(tmr(), 5);
}
END_TEST

START_TEST(tmr_sts_at_bit23_transitions)
{
    enable_block();
    step_to_ns(tick_ns(0x800000) - 1);
    ck_assert_uint_eq(rd16(PM1_STS) & 1, 0);
    step_to_ns(tick_ns(0x800000));
    ck_assert_uint_eq(rd16(PM1_STS) & 1, 1);        /* bit 23: 0 -> 1 */
    wr16(PM1_STS, 0x0001);
    ck_assert_uint_eq(rd16(PM1_STS) & 1, 0);
    wr16(PM1_STS, 0x0000);                          /* writing 0 changes nothing */
    step_to_ns(tick_ns(0x1000000) - 1);
    ck_assert_uint_eq(rd16(PM1_STS) & 1, 0);
    step_to_ns(tick_ns(0x1000000));
    ck_assert_uint_eq(rd16(PM1_STS) & 1, 1);        /* bit 23: 1 -> 0 (wrap) */
    ck_assert_int_eq(sci, 0);                       /* no enables: no SCI */
}
END_TEST

START_TEST(tmr_sci)
{
    enable_block();
    wr16(PM1_EN, 0x0001);                           /* TMR_EN, but SCI_EN = 0 */
    step_to_ns(tick_ns(0x800000));
    ck_assert_int_eq(sci, 0);
    wr16(PM1_STS, 0x0001);
    as_write(&m.io, SMI_CMD, PIIX4_PM_ACPI_ENABLE, 1);
    ck_assert_uint_eq(rd16(PM1_CNT) & 1, 1);
    /* Next transition at tick 2^24: the SCI rises exactly then. */
    step_to_ns(tick_ns(0x1000000) - 1);
    ck_assert_int_eq(sci, 0);
    unsigned before = sci_changes;
    vclock_step(&m.clock, 1);                       /* the vtimer fires */
    ck_assert_int_eq(sci, 1);
    ck_assert_uint_eq(sci_changes, before + 1);
    ck_assert_uint_eq(rd16(PM1_STS) & 1, 1);
    wr16(PM1_STS, 0x0001);
    ck_assert_int_eq(sci, 0);
    /* Disabling TMR_EN with the status set: no SCI. */
    step_to_ns(tick_ns(0x1800000));
    ck_assert_int_eq(sci, 1);
    wr16(PM1_EN, 0x0000);
    ck_assert_int_eq(sci, 0);
    ck_assert_uint_eq(rd16(PM1_STS) & 1, 1);
    /* ACPI_DISABLE clears SCI_EN. */
    wr16(PM1_EN, 0x0001);
    ck_assert_int_eq(sci, 1);
    as_write(&m.io, SMI_CMD, PIIX4_PM_ACPI_DISABLE, 1);
    ck_assert_uint_eq(rd16(PM1_CNT) & 1, 0);
    ck_assert_int_eq(sci, 0);
}
END_TEST

START_TEST(power_button)
{
    enable_block();
    wr16(PM1_CNT, 0x0001);                          /* SCI_EN */
    piix4_pm_power_button(pm);
    ck_assert_uint_eq(rd16(PM1_STS), 0x0100);
    ck_assert_int_eq(sci, 0);                       /* PWRBTN_EN clear */
    wr16(PM1_EN, 0x0100);
    ck_assert_int_eq(sci, 1);
    wr16(PM1_STS, 0x0100);
    ck_assert_uint_eq(rd16(PM1_STS), 0);
    ck_assert_int_eq(sci, 0);
    /* Reserved enable bits stay 0. */
    wr16(PM1_EN, 0xffff);
    ck_assert_uint_eq(rd16(PM1_EN), 0x0521);
}
END_TEST

START_TEST(s5_soft_off)
{
    enable_block();
    wr16(PM1_CNT, 0x0401);                          /* SLP_TYP 1, no SLP_EN */
    ck_assert_uint_eq(rd16(PM1_CNT), 0x0401);
    wr16(PM1_CNT, 0x2401);                          /* SLP_TYP 1 + SLP_EN: not S5 */
    ck_assert_int_eq(m.request, MACHINE_RUN);
    ck_assert_uint_eq(rd16(PM1_CNT), 0x0401);       /* SLP_EN reads 0 */
    wr16(PM1_CNT, (PIIX4_PM_SLP_TYP_S5 << 10) | 0x2001);
    ck_assert_int_eq(m.request, MACHINE_EXIT);
    ck_assert_int_eq(m.exit_status, 0);
}
END_TEST

START_TEST(s5_byte_writes)
{
    /* Linux writes SLP_TYP first, then SLP_EN, as 16-bit writes; a byte
     * write of the high half must work the same. */
    enable_block();
    as_write(&m.io, PM1_CNT + 1, 0x20, 1);
    ck_assert_int_eq(m.request, MACHINE_EXIT);
    ck_assert_int_eq(m.exit_status, 0);
}
END_TEST

START_TEST(smi_cmd_ports)
{
    enable_block();
    as_write(&m.io, SMI_CMD, 0x42, 1);              /* unknown command: stored only */
    ck_assert_uint_eq(as_read(&m.io, SMI_CMD, 1), 0x42);
    ck_assert_uint_eq(rd16(PM1_CNT) & 1, 0);
    as_write(&m.io, SMI_CMD + 1, 0x5a, 1);          /* APMS: scratch */
    ck_assert_uint_eq(as_read(&m.io, SMI_CMD + 1, 1), 0x5a);
    as_write(&m.io, SMI_CMD, 0xf1, 1);
    ck_assert_uint_eq(rd16(PM1_CNT) & 1, 1);
    as_write(&m.io, SMI_CMD, 0xf0, 1);
    ck_assert_uint_eq(rd16(PM1_CNT) & 1, 0);
}
END_TEST

START_TEST(gpe0_and_unimplemented)
{
    enable_block();
    wr16(PMBASE + 0x0e, 0xffff);
    ck_assert_uint_eq(rd16(PMBASE + 0x0e), 0xffff);
    ck_assert_uint_eq(rd16(PMBASE + 0x0c), 0);
    ck_assert_int_eq(sci, 0);
    for (unsigned off = 0x10; off < 64; off++) {
        as_write(&m.io, PMBASE + off, 0xff, 1);
        ck_assert_uint_eq(as_read(&m.io, PMBASE + off, 1), 0);
    }
}
END_TEST

START_TEST(system_reset)
{
    enable_block();
    wr16(PM1_CNT, 0x0001);
    wr16(PM1_EN, 0x0100);
    piix4_pm_power_button(pm);
    ck_assert_int_eq(sci, 1);
    machine_reset_devices(&m);
    ck_assert_int_eq(sci, 0);
    ck_assert_ptr_null(as_find(&m.io, PMBASE));
    ck_assert_uint_eq(cfg_read(0x40, 4), 0x00000001);
    ck_assert_uint_eq(cfg_read(0x80, 1), 0x00);
    enable_block();
    ck_assert_uint_eq(rd16(PM1_STS), 0);
    ck_assert_uint_eq(rd16(PM1_EN), 0);
    ck_assert_uint_eq(rd16(PM1_CNT), 0);
}
END_TEST

START_TEST(firmware_preset_base)
{
    /* pm_base: the block is live from reset (direct kernel boot). */
    machine_destroy(&m);
    build("pm_base=0x600");
    ck_assert_uint_eq(cfg_read(0x40, 4), 0x0601);
    ck_assert_uint_eq(cfg_read(0x80, 1), 0x01);
    step_to_ns(tick_ns(77));
    ck_assert_uint_eq(as_read(&m.io, 0x608, 4), 77);
    cfg_write(0x80, 0x00, 1);
    ck_assert_ptr_null(as_find(&m.io, 0x600));
    machine_reset_devices(&m);
    ck_assert_uint_eq(as_read(&m.io, 0x608, 4), 77);
}
END_TEST

START_TEST(bad_pm_base_refused)
{
    char err[256];
    struct device *d = device_create(&m, "piix4-pm", err, sizeof(err));

    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(device_set_props(d, "pm_base=0x601,devfn=0x0c", err, sizeof(err)), 0);
    pci_device_set_bus(d, ((struct pci_device *)pm)->bus);
    ck_assert_int_lt(device_realize(d, err, sizeof(err)), 0);   /* frees d */
    ck_assert(strstr(err, "pm_base") != NULL);
    /* Not on a bus: refused with a message. */
    d = device_create(&m, "piix4-pm", err, sizeof(err));
    ck_assert_int_lt(device_realize(d, err, sizeof(err)), 0);
    ck_assert(strstr(err, "PCI bus") != NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("piix4_pm");
    TCase *tc = tcase_create("piix4_pm");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, pci_header);
    tcase_add_test(tc, io_block_placement);
    tcase_add_test(tc, pm_timer_rate);
    tcase_add_test(tc, pm_timer_wraps_24_bits);
    tcase_add_test(tc, tmr_sts_at_bit23_transitions);
    tcase_add_test(tc, tmr_sci);
    tcase_add_test(tc, power_button);
    tcase_add_test(tc, s5_soft_off);
    tcase_add_test(tc, s5_byte_writes);
    tcase_add_test(tc, smi_cmd_ports);
    tcase_add_test(tc, gpe0_and_unimplemented);
    tcase_add_test(tc, system_reset);
    tcase_add_test(tc, firmware_preset_base);
    tcase_add_test(tc, bad_pm_base_refused);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
