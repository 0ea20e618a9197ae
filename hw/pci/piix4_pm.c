/*
 * piix4_pm.c - function 3 of the Intel 82371AB PIIX4, power management
 * ("piix4-pm"), PCI 00:01.3: the ACPI fixed hardware (PM1 event and
 * control registers, PM timer) in an I/O block placed by PMBA, and the
 * APM/ACPI command port.
 *
 * Spec: Intel 82371AB PIIX4 datasheet (order 290562), function 3 PCI
 * configuration: VID 8086h, DID 7113h, class 068000h, PCICMD bit 0 (the
 * SMBus I/O enable; the PM block has its own), PCISTS 0280h, interrupt
 * pin 01h, PMBA 40h (default 00000001h: bit 0 = I/O space, bits 15:6 the
 * base of a 64-byte block), PMREGMISC 80h (bit 0 PMIOSE enables the
 * block), SMBBA 90h; power management I/O registers: PMSTS 00h, PMEN
 * 02h, PMCNTRL 04h (SUS_TYP 12:10, 000b = soft off; SUS_EN 13 write-only),
 * PMTMR 08h (24 bits, 3.579545 MHz), GPSTS 0Ch, GPEN 0Eh; APMC (B2h) /
 * APMS (B3h).  ACPI 1.0b-6.x "4.8.3 PM1 Event / Control Grouping": PM1_STS
 * TMR_STS 0, BM_STS 4, GBL_STS 5, PWRBTN_STS 8, RTC_STS 10, WAK_STS 15
 * (write 1 to clear), PM1_EN TMR_EN 0, GBL_EN 5, PWRBTN_EN 8, RTC_EN 10,
 * PM1_CNT SCI_EN 0, BM_RLD 1, GBL_RLS 2 (write-only), SLP_TYP 12:10,
 * SLP_EN 13 (write-only); "4.8.3.3 Power Management Timer": TMR_STS is
 * set whenever bit 23 of the timer changes (every 2^23 ticks); an SCI is
 * raised when a status bit and its enable are set and SCI_EN is 1.
 *
 * Model: the PM timer is floor(ns * 3579545 / 1e9) of machine->clock,
 * never ticked, 24 bits wrapping (FADT: no TMR_VAL_EXT).  TMR_STS is
 * folded in lazily (when a bit-23 transition happened since the last
 * look); a vtimer is armed for the next transition only while it could
 * raise the SCI (TMR_EN, SCI_EN, TMR_STS clear).  The SCI is dev->irq[0],
 * active high (level).  Writing SLP_EN with SLP_TYP = 0 (soft off, the
 * value of the board's _S5) calls machine_request_exit(machine, 0); other
 * sleep types are logged as unimplemented and ignored.  The SMI command
 * port (property smi_cmd, default 0xb2; APMS at +1) stands in for the
 * firmware's SMI handler: ACPI_ENABLE (F1h) sets SCI_EN and ACPI_DISABLE
 * (F0h) clears it, as the FADT promises.  GPSTS/GPEN exist as a GPE0
 * block with no event sources.  Without firmware (direct kernel boot)
 * nobody programs PMBA, so the pm_base property makes PMBA = pm_base and
 * PMIOSE = 1 the reset state, as a BIOS would leave them.
 *
 * Not implemented: SMI# and SMM, the SMBus controller (SMBBA stored, not
 * decoded), suspend states other than soft off (S1-S4), global
 * standby/BIOS registers and device monitors (GLBSTS, DEVSTS, GLBEN,
 * GLBCTL, DEVCTL, GPIREG, GPOREG read 0), processor throttling and C2/C3
 * (PCNTRL/PLVL2/PLVL3 read 0), BM_STS/GBL_STS/RTC_STS sources, the
 * device resource registers 44h-7Fh (stored only).
 */
#include "hw/pci/piix4_pm.h"
#include "hw/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "hw/core/machine.h"
#include "hw/pci/pci.h"
#include "util/log.h"

#define PM_TMR_HZ    3579545u
#define NS_PER_SEC   1000000000u

#define PMBA         0x40
#define PMREGMISC    0x80
#define PMIOSE       0x01

#define STS_TMR      0x0001
#define STS_BM       0x0010
#define STS_GBL      0x0020
#define STS_PWRBTN   0x0100
#define STS_RTC      0x0400
#define STS_PWRBTNOR 0x0800
#define STS_WAK      0x8000
#define STS_W1C      (STS_TMR | STS_BM | STS_GBL | STS_PWRBTN | STS_RTC | STS_PWRBTNOR | STS_WAK)
#define EN_MASK      (STS_TMR | STS_GBL | STS_PWRBTN | STS_RTC)
#define CNT_SCI_EN   0x0001
#define CNT_BM_RLD   0x0002
#define CNT_GBL_RLS  0x0004
#define CNT_SLP_TYP  0x1c00
#define CNT_SLP_EN   0x2000

struct piix4_pm {
    struct pci_device pd;
    uint8_t devfn;                  /* properties */
    uint32_t smi_cmd, pm_base;
    struct pci_function fn;
    struct pci_window pmio;
    uint16_t pm1_sts, pm1_en, pm1_cnt, gpsts, gpen;
    uint64_t tmr_epoch;             /* timer ticks >> 23 at the last fold */
    struct vtimer timer;
    int sci_level;                  /* last level driven, -1 unknown */
    uint8_t apmc, apms;
    bool io_smi;
};

static uint64_t pm_ticks(const struct piix4_pm *s)
{
    uint64_t ns = vclock_now(&s->pd.dev.machine->clock);

    return (uint64_t)((unsigned __int128)ns * PM_TMR_HZ / NS_PER_SEC);
}

/* First ns at which pm_ticks reaches TICK. */
static uint64_t ticks_to_ns(uint64_t tick)
{
    unsigned __int128 ns = ((unsigned __int128)tick * NS_PER_SEC + PM_TMR_HZ - 1) / PM_TMR_HZ;

    return ns >= VCLOCK_NEVER ? VCLOCK_NEVER : (uint64_t)ns;
}

/* TMR_STS: bit 23 of the timer changed since we last looked. */
static void fold_tmr(struct piix4_pm *s)
{
    uint64_t e = pm_ticks(s) >> 23;

    if (e != s->tmr_epoch) {
        s->pm1_sts |= STS_TMR;
        s->tmr_epoch = e;
    }
}

static void piix4_pm_update_irq(struct piix4_pm *s)
{
    bool sci;

    fold_tmr(s);
    sci = (s->pm1_cnt & CNT_SCI_EN) &&
          ((s->pm1_sts & s->pm1_en & EN_MASK) || (s->gpsts & s->gpen));
    if ((int)sci != s->sci_level) {
        s->sci_level = sci;
        irq_set(&s->pd.dev.irq[0], sci);
    }
    if ((s->pm1_en & STS_TMR) && (s->pm1_cnt & CNT_SCI_EN) && !(s->pm1_sts & STS_TMR))
        vtimer_mod(&s->timer, ticks_to_ns((s->tmr_epoch + 1) << 23));
    else
        vtimer_del(&s->timer);
}

static void pm_timer_cb(void *opaque)
{
    piix4_pm_update_irq(opaque);
}

void piix4_pm_power_button(struct device *dev)
{
    struct piix4_pm *s = (struct piix4_pm *)dev;

    s->pm1_sts |= STS_PWRBTN;
    piix4_pm_update_irq(s);
}

static uint8_t pmio_byte(struct piix4_pm *s, unsigned off, uint32_t tmr)
{
    switch (off) {
    case 0x00: case 0x01: return (uint8_t)(s->pm1_sts >> (8 * (off & 1)));
    case 0x02: case 0x03: return (uint8_t)(s->pm1_en >> (8 * (off & 1)));
    case 0x04: case 0x05: return (uint8_t)(s->pm1_cnt >> (8 * (off & 1)));
    case 0x08: case 0x09: case 0x0a: case 0x0b: return (uint8_t)(tmr >> (8 * (off - 8)));
    case 0x0c: case 0x0d: return (uint8_t)(s->gpsts >> (8 * (off & 1)));
    case 0x0e: case 0x0f: return (uint8_t)(s->gpen >> (8 * (off & 1)));
    default:
        vlog(LOG_UNIMP, "piix4-pm: read of PM register 0x%02x (reads 0)\n", off);
        return 0;
    }
}

static uint64_t pmio_read(void *opaque, uint64_t offset, unsigned size)
{
    struct piix4_pm *s = opaque;
    uint32_t tmr = (uint32_t)(pm_ticks(s) & 0xffffff), v = 0;

    fold_tmr(s);
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)pmio_byte(s, (unsigned)offset + i, tmr) << (8 * i);
    return v;
}

static void sleep_request(struct piix4_pm *s)
{
    unsigned typ = (s->pm1_cnt & CNT_SLP_TYP) >> 10;

    if (typ == PIIX4_PM_SLP_TYP_S5) {
        vlog(LOG_INT, "piix4-pm: soft off (S5)\n");
        machine_request_exit(s->pd.dev.machine, 0);
        return;
    }
    vlog(LOG_UNIMP, "piix4-pm: sleep type %u not modelled; ignored\n", typ);
}

static void pmio_write_byte(struct piix4_pm *s, unsigned off, uint8_t b)
{
    unsigned sh = 8 * (off & 1);

    switch (off) {
    case 0x00: case 0x01:
        s->pm1_sts &= (uint16_t)~(((unsigned)b << sh) & STS_W1C);
        break;
    case 0x02: case 0x03:
        s->pm1_en = (uint16_t)((s->pm1_en & ~(0xffu << sh)) | (((unsigned)b << sh) & EN_MASK));
        break;
    case 0x04:
        if (b & CNT_GBL_RLS)
            vlog(LOG_UNIMP, "piix4-pm: GBL_RLS (SMI to the BIOS) not modelled\n");
        s->pm1_cnt = (uint16_t)((s->pm1_cnt & 0xff00) | (b & (CNT_SCI_EN | CNT_BM_RLD)));
        break;
    case 0x05:
        s->pm1_cnt = (uint16_t)((s->pm1_cnt & 0x00ff) | (((unsigned)b << 8) & CNT_SLP_TYP));
        if (((unsigned)b << 8) & CNT_SLP_EN)
            sleep_request(s);
        break;
    case 0x0c: case 0x0d:
        s->gpsts &= (uint16_t)~((unsigned)b << sh);
        break;
    case 0x0e: case 0x0f:
        s->gpen = (uint16_t)((s->gpen & ~(0xffu << sh)) | ((unsigned)b << sh));
        break;
    case 0x08: case 0x09: case 0x0a: case 0x0b:
        vlog(LOG_GUEST_ERROR, "piix4-pm: write to the read-only PM timer dropped\n");
        break;
    default:
        vlog(LOG_UNIMP, "piix4-pm: write 0x%02x to PM register 0x%02x ignored\n", b, off);
        break;
    }
}

static void pmio_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct piix4_pm *s = opaque;

    fold_tmr(s);    /* a transition before this write is cleared by it */
    for (unsigned i = 0; i < size; i++)
        pmio_write_byte(s, (unsigned)offset + i, (uint8_t)(val >> (8 * i)));
    piix4_pm_update_irq(s);
}

static const struct io_ops pmio_ops = { .read = pmio_read, .write = pmio_write, .max_access = 4 };

static uint64_t smi_read(void *opaque, uint64_t offset, unsigned size)
{
    struct piix4_pm *s = opaque;

    return offset == 0 ? s->apmc : s->apms;
}

static void smi_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct piix4_pm *s = opaque;

    if (offset != 0) {
        s->apms = (uint8_t)val;
        return;
    }
    s->apmc = (uint8_t)val;
    if (s->apmc == PIIX4_PM_ACPI_ENABLE)
        s->pm1_cnt |= CNT_SCI_EN;
    else if (s->apmc == PIIX4_PM_ACPI_DISABLE)
        s->pm1_cnt &= (uint16_t)~CNT_SCI_EN;
    else
        vlog(LOG_UNIMP, "piix4-pm: APM command 0x%02x (no SMI handler)\n", s->apmc);
    piix4_pm_update_irq(s);
}

static const struct io_ops smi_ops = { .read = smi_read, .write = smi_write, .max_access = 1 };

static void update_pmio(struct piix4_pm *s)
{
    uint32_t base = pci_get_reg(&s->fn, PMBA, 4) & 0xffc0;
    bool on = (s->fn.config[PMREGMISC] & PMIOSE) && base != 0;

    pci_window_set(&s->pmio, on, base);
}

static void piix4_config_write(void *opaque, unsigned offset, unsigned size)
{
    struct piix4_pm *s = opaque;

    if ((offset < PMBA + 4 && offset + size > PMBA) || (offset <= PMREGMISC &&
                                                         offset + size > PMREGMISC))
        update_pmio(s);
}

static const struct pci_function_ops piix4_pci_ops = { .config_write = piix4_config_write };

static void init_config(struct pci_function *fn, uint32_t pm_base)
{
    pci_config_init(fn, 0x8086, 0x7113, 0x03, 0x068000, 0x00);
    pci_set_reg(fn, PCI_COMMAND, 2, 0x0000, 0x0001);
    pci_set_reg(fn, PCI_STATUS, 2, 0x0280, 0);
    pci_set_reg(fn, PCI_CACHE_LINE, 1, 0, 0);
    pci_set_reg(fn, PCI_LATENCY_TIMER, 1, 0, 0);
    pci_set_reg(fn, PCI_INTERRUPT_PIN, 1, 0x01, 0);
    pci_set_reg(fn, PMBA, 4, (pm_base & 0xffc0) | 1, 0x0000ffc0);
    for (unsigned off = 0x44; off < 0x80; off += 4)
        pci_set_reg(fn, off, 4, 0, 0xffffffff);         /* CNTA .. DEVRESx: storage */
    pci_set_reg(fn, PMREGMISC, 1, pm_base ? PMIOSE : 0, PMIOSE);
    pci_set_reg(fn, 0x90, 4, 0x00000001, 0x0000fff0);   /* SMBBA */
    pci_set_reg(fn, 0xd2, 4, 0, 0x00ffffff);            /* SMBHSTCFG, SMBSLVC, SMBSHDW1/2 */
}

static void piix4_pm_reset(struct device *dev)
{
    struct piix4_pm *s = (struct piix4_pm *)dev;

    pci_function_reset(&s->fn);
    update_pmio(s);
    s->pm1_sts = s->pm1_en = s->pm1_cnt = s->gpsts = s->gpen = 0;
    s->apmc = s->apms = 0;
    s->tmr_epoch = pm_ticks(s) >> 23;   /* the timer runs on; no stale TMR_STS */
    piix4_pm_update_irq(s);
}

static void piix4_pm_unrealize(struct device *dev)
{
    struct piix4_pm *s = (struct piix4_pm *)dev;

    vtimer_del(&s->timer);
    pci_window_set(&s->pmio, false, 0);
    pci_unregister_function(&s->fn);
    if (s->io_smi)
        as_remove(&dev->machine->io, s->smi_cmd);
    s->io_smi = false;
}

static int piix4_pm_realize(struct device *dev, char *err, size_t errlen)
{
    struct piix4_pm *s = (struct piix4_pm *)dev;
    struct machine *m = dev->machine;
    int rc;

    if (!s->pd.bus) {
        snprintf(err, errlen, "piix4-pm: not plugged into a PCI bus");
        return -EINVAL;
    }
    if (s->pm_base & ~0xffc0u) {
        snprintf(err, errlen, "piix4-pm: pm_base 0x%x is not a 64-byte aligned port", s->pm_base);
        return -EINVAL;
    }
    if (s->smi_cmd > 0xffff - 1) {
        snprintf(err, errlen, "piix4-pm: smi_cmd 0x%x leaves the I/O port space", s->smi_cmd);
        return -EINVAL;
    }
    vtimer_init(&s->timer, &m->clock, pm_timer_cb, s);
    s->sci_level = -1;
    s->pmio = (struct pci_window){ .space = &m->io, .size = PIIX4_PM_IO_SIZE, .ops = &pmio_ops,
                                   .opaque = s, .name = "piix4-pm" };
    init_config(&s->fn, s->pm_base);
    rc = pci_register_function(s->pd.bus, &s->fn, s->devfn, &piix4_pci_ops, s);
    if (rc < 0) {
        snprintf(err, errlen, "piix4-pm: PCI address %02x.%x is taken", s->devfn >> 3,
                 s->devfn & 7);
        return rc;
    }
    if (s->smi_cmd) {
        rc = as_add_io(&m->io, s->smi_cmd, 2, &smi_ops, s, "apm");
        if (rc < 0) {
            snprintf(err, errlen, "piix4-pm: cannot claim I/O ports 0x%x-0x%x%s", s->smi_cmd,
                     s->smi_cmd + 1, rc == -EEXIST ? " (already in use)" : "");
            piix4_pm_unrealize(dev);
            return rc;
        }
        s->io_smi = true;
    }
    return 0;
}

static const struct prop_desc piix4_pm_props[] = {
    { "devfn", PROP_U8, offsetof(struct piix4_pm, devfn), "0x0b", "PCI slot << 3 | function" },
    { "smi_cmd", PROP_U32, offsetof(struct piix4_pm, smi_cmd), "0xb2",
      "APM control port (SMI_CMD; APM status at +1); 0 = none" },
    { "pm_base", PROP_U32, offsetof(struct piix4_pm, pm_base), "0",
      "PM block enabled at this port from reset, as firmware leaves it; 0 = disabled" },
    { NULL, PROP_U32, 0, NULL, NULL },
};

const struct device_desc piix4_pm_desc = {
    .name = "piix4-pm",
    .help = "PIIX4 ACPI power management (PM1 registers, PM timer, S5 soft off)",
    .state_size = sizeof(struct piix4_pm),
    .props = piix4_pm_props,
    .user_creatable = false,
    .realize = piix4_pm_realize,
    .reset = piix4_pm_reset,
    .unrealize = piix4_pm_unrealize,
};
