/*
 * acpi.c - ACPI tables of the PC board (ACPI specification 6.x, chapter 5),
 * for direct kernel boots where no firmware provides them.
 *
 * Layout at cfg->base (in the reserved BIOS area, so an OS finds the RSDP
 * by scanning 0xE0000-0xFFFFF on 16-byte boundaries, 5.2.5.1):
 *   RSDP (ACPI 2.0, 36 bytes), RSDT, XSDT, FADT (revision 3, 244 bytes,
 *   with RESET_REG and the X_ blocks), FACS (64-byte aligned), MADT (local
 *   APIC, IOAPIC, IRQ0 -> GSI 2 and SCI level/active-high overrides, LINT1
 *   NMI), HPET, DSDT.
 * The DSDT is AML written by a small encoder here: \_SB.PCI0 (PNP0A03)
 * with its _PRT (slot S pin P -> link (S + P) & 3), the PCI interrupt
 * links \_SB.LNKA-D (PNP0C0F) fixed at the ISA IRQs the board routed the
 * PIIX3's PIRQA-D to (level, active high, shared; no _SRS: an OS cannot
 * move them), and the \_S5 package the PM block's SLP_TYP expects.
 *
 * Not implemented: _SRS/_DIS on the links, processor objects, _PIC, GPE
 * methods, SRAT/SLIT, MCFG.
 */
#include "hw/i386/acpi.h"

#include <stdio.h>
#include <string.h>

#include "hw/core/machine.h"
#include "hw/i386/pc.h"

#define OEM_ID       "VIREO "
#define OEM_TABLE_ID "VIREO PC"
#define CREATOR_ID   "VIRO"

struct abuf {
    uint8_t data[4096];
    size_t len;
    int overflow;
};

static void put(struct abuf *b, const void *p, size_t n)
{
    if (b->len + n > sizeof(b->data)) {
        b->overflow = 1;
        return;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put8(struct abuf *b, uint8_t v) { put(b, &v, 1); }
static void put16(struct abuf *b, uint16_t v) { uint8_t t[2] = { (uint8_t)v, (uint8_t)(v >> 8) }; put(b, t, 2); }
static void put32(struct abuf *b, uint32_t v) { put16(b, (uint16_t)v); put16(b, (uint16_t)(v >> 16)); }
static void put64(struct abuf *b, uint64_t v) { put32(b, (uint32_t)v); put32(b, (uint32_t)(v >> 32)); }
static void zero(struct abuf *b, size_t n) { while (n--) put8(b, 0); }
static void align(struct abuf *b, size_t a) { while (b->len % a) put8(b, 0); }

static void wr32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }

static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;

    while (n--)
        sum = (uint8_t)(sum + *p++);
    return (uint8_t)-sum;
}

/* Standard description header (5.2.6); length and checksum are fixed up
 * by end_table. */
static size_t begin_table(struct abuf *b, const char *sig, uint8_t rev)
{
    size_t start = b->len;

    put(b, sig, 4);
    put32(b, 0);              /* length */
    put8(b, rev);
    put8(b, 0);               /* checksum */
    put(b, OEM_ID, 6);
    put(b, OEM_TABLE_ID, 8);
    put32(b, 1);              /* OEM revision */
    put(b, CREATOR_ID, 4);
    put32(b, 1);              /* creator revision */
    return start;
}

static void end_table(struct abuf *b, size_t start)
{
    if (b->overflow)
        return;
    wr32(b->data + start + 4, (uint32_t)(b->len - start));
    b->data[start + 9] = checksum(b->data + start, b->len - start);
}

/* Generic address structure (5.2.3.2). */
static void put_gas(struct abuf *b, uint8_t space, uint8_t bits, uint8_t access, uint64_t addr)
{
    put8(b, space);
    put8(b, bits);
    put8(b, 0);               /* bit offset */
    put8(b, access);
    put64(b, addr);
}

/* ---- AML (20.2): just what the DSDT needs ---- */

/* Prefix BODY (len bytes, already in a scratch buffer) with a PkgLength. */
static void aml_pkg(struct abuf *b, const uint8_t *body, size_t len)
{
    size_t total = len + 1;

    if (total < 0x40) {
        put8(b, (uint8_t)total);
    } else {
        total = len + 2;      /* two-byte encoding, up to 4095 */
        if (total > 0xfff) {
            b->overflow = 1;
            return;
        }
        put8(b, (uint8_t)(0x40 | (total & 0xf)));
        put8(b, (uint8_t)(total >> 4));
    }
    put(b, body, len);
}

static void aml_name_dword(struct abuf *b, const char *seg, uint32_t v)
{
    put8(b, 0x08);            /* NameOp */
    put(b, seg, 4);
    put8(b, 0x0c);            /* DWordPrefix */
    put32(b, v);
}

static void aml_name_zero(struct abuf *b, const char *seg)
{
    put8(b, 0x08);
    put(b, seg, 4);
    put8(b, 0x00);            /* ZeroOp */
}

/* An integer constant in its shortest encoding (20.2.3). */
static void aml_int(struct abuf *b, uint32_t v)
{
    if (v == 0) {
        put8(b, 0x00);        /* ZeroOp */
    } else if (v == 1) {
        put8(b, 0x01);        /* OneOp */
    } else if (v <= 0xff) {
        put8(b, 0x0a);        /* BytePrefix */
        put8(b, (uint8_t)v);
    } else if (v <= 0xffff) {
        put8(b, 0x0b);        /* WordPrefix */
        put16(b, (uint16_t)v);
    } else {
        put8(b, 0x0c);        /* DWordPrefix */
        put32(b, v);
    }
}

/* Emit OPS (one or two opcode bytes) + PkgLength + BODY. */
static void aml_wrap(struct abuf *b, const uint8_t *ops, size_t nops, const struct abuf *body)
{
    put(b, ops, nops);
    aml_pkg(b, body->data, body->len);
    if (body->overflow)
        b->overflow = 1;
}

/* Device (NAME) { BODY } */
static void aml_device(struct abuf *b, const char *name, const struct abuf *body)
{
    static const uint8_t op[2] = {0x5b, 0x82};   /* ExtOpPrefix DeviceOp */
    struct abuf d = { .len = 0 };

    put(&d, name, 4);
    put(&d, body->data, body->len);
    d.overflow = body->overflow;
    aml_wrap(b, op, 2, &d);
}

/* Name (SEG, Buffer () { IRQ (Level, ActiveHigh, Shared) { IRQ } }): the
 * resource of a PCI interrupt link fixed at ISA IRQ (6.4.2.1 IRQ
 * descriptor: level-triggered, active high after the PIRQ router, shared;
 * 6.4.2.9 end tag). */
static void aml_name_irq_resource(struct abuf *b, const char *seg, unsigned irq)
{
    static const uint8_t op = 0x11;              /* BufferOp */
    struct abuf buf = { .len = 0 };
    uint8_t res[6] = {0x23, (uint8_t)(1u << irq), (uint8_t)((1u << irq) >> 8), 0x10, 0x79, 0x00};

    aml_int(&buf, sizeof(res));
    put(&buf, res, sizeof(res));
    put8(b, 0x08);                               /* NameOp */
    put(b, seg, 4);
    aml_wrap(b, &op, 1, &buf);
}

/* EISA id "PNP0A03" compressed (6.1.5). */
static uint32_t eisa_id(const char *id)
{
    uint32_t v = ((uint32_t)(id[0] - 0x40) << 26) | ((uint32_t)(id[1] - 0x40) << 21) |
                 ((uint32_t)(id[2] - 0x40) << 16);
    unsigned hex = 0;

    sscanf(id + 3, "%4x", &hex);
    v |= hex;
    /* stored big-endian in a DWordConst */
    return ((v >> 24) & 0xff) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

/* Name (_PRT, Package () { Package () { 0xSSSSFFFF, PIN, LNKx, 0 }, ... })
 * for slots 1-31 (6.2.13): the board's PCI bus routes slot S pin P
 * (0 = INTA) to PIRQ[(S + P) & 3] (hw/pci/pci.c), PIRQn being link LNKn. */
static void aml_prt(struct abuf *b)
{
    static const uint8_t op = 0x12;              /* PackageOp */
    struct abuf list = { .len = 0 };

    put8(&list, 31 * 4);                         /* NumElements */
    for (unsigned slot = 1; slot < 32; slot++) {
        for (unsigned pin = 0; pin < 4; pin++) {
            struct abuf e = { .len = 0 };
            char link[5] = "LNKA";

            link[3] = (char)('A' + ((slot + pin) & 3));
            put8(&e, 4);
            aml_int(&e, slot << 16 | 0xffff);
            aml_int(&e, pin);
            put(&e, link, 4);                    /* a NameString: \_SB.LNKx */
            aml_int(&e, 0);
            aml_wrap(&list, &op, 1, &e);
        }
    }
    put8(b, 0x08);                               /* NameOp */
    put(b, "_PRT", 4);
    aml_wrap(b, &op, 1, &list);
}

static void build_dsdt_body(struct abuf *b, const struct acpi_config *cfg)
{
    static struct abuf dev, sb, pkg;             /* 4 KiB each: not on the stack */

    /* Scope (\_SB) { Device (PCI0) { _HID PNP0A03, _UID 0, _ADR 0, _PRT }
     *                Device (LNKA..LNKD) { _HID PNP0C0F, _UID n, _PRS, _CRS } } */
    memset(&sb, 0, sizeof(sb));
    put(&sb, "_SB_", 4);
    memset(&dev, 0, sizeof(dev));
    aml_name_dword(&dev, "_HID", eisa_id("PNP0A03"));
    aml_name_zero(&dev, "_UID");
    aml_name_zero(&dev, "_ADR");
    aml_prt(&dev);
    aml_device(&sb, "PCI0", &dev);
    for (unsigned n = 0; n < 4; n++) {
        char name[5] = "LNKA";

        name[3] = (char)('A' + n);
        memset(&dev, 0, sizeof(dev));
        aml_name_dword(&dev, "_HID", eisa_id("PNP0C0F"));
        put8(&dev, 0x08);
        put(&dev, "_UID", 4);
        aml_int(&dev, n + 1);
        /* routing fixed by the board (no _SRS): possible = current */
        aml_name_irq_resource(&dev, "_PRS", cfg->pirq_irq[n]);
        aml_name_irq_resource(&dev, "_CRS", cfg->pirq_irq[n]);
        aml_device(&sb, name, &dev);
    }
    put8(b, 0x10);                               /* ScopeOp */
    aml_pkg(b, sb.data, sb.len);
    if (sb.overflow)
        b->overflow = 1;

    /* Name (_S5, Package (4) { SLP_TYPa, SLP_TYPb, 0, 0 }) */
    memset(&pkg, 0, sizeof(pkg));
    put8(&pkg, 4);            /* NumElements */
    for (int i = 0; i < 2; i++) {
        put8(&pkg, 0x0a);     /* BytePrefix */
        put8(&pkg, cfg->s5_slp_typ);
    }
    put8(&pkg, 0x00);
    put8(&pkg, 0x00);
    put8(b, 0x08);
    put(b, "_S5_", 4);
    put8(b, 0x12);            /* PackageOp */
    aml_pkg(b, pkg.data, pkg.len);
}

uint64_t acpi_build(struct pc_board *pc, const struct acpi_config *cfg, char *err, size_t errlen)
{
    static struct abuf t;     /* the whole blob, addresses relative to cfg->base */
    size_t rsdp, rsdt, xsdt, fadt, facs, madt, hpet, dsdt;
    uint64_t base = cfg->base;

    memset(&t, 0, sizeof(t));
    /* RSDP first (5.2.5.3), filled in at the end. */
    rsdp = t.len;
    zero(&t, 36);
    align(&t, 16);

    /* FACS (5.2.10): 64-byte aligned, no header checksum. */
    align(&t, 64);
    facs = t.len;
    put(&t, "FACS", 4);
    put32(&t, 64);
    put32(&t, 0);             /* hardware signature */
    put32(&t, 0);             /* firmware waking vector */
    put32(&t, 0);             /* global lock */
    put32(&t, 0);             /* flags */
    put64(&t, 0);             /* X waking vector */
    put8(&t, 1);              /* version */
    zero(&t, 31);

    /* DSDT */
    align(&t, 16);
    dsdt = begin_table(&t, "DSDT", 2);
    build_dsdt_body(&t, cfg);
    end_table(&t, dsdt);

    /* FADT (5.2.9), revision 3 layout (244 bytes). */
    align(&t, 16);
    fadt = begin_table(&t, "FACP", 3);
    put32(&t, (uint32_t)(base + facs));
    put32(&t, (uint32_t)(base + dsdt));
    put8(&t, 0);              /* reserved (INT_MODEL in ACPI 1.0) */
    put8(&t, 0);              /* preferred PM profile: unspecified */
    put16(&t, cfg->sci_irq);
    put32(&t, cfg->smi_cmd);
    put8(&t, cfg->acpi_enable);
    put8(&t, cfg->acpi_disable);
    put8(&t, 0);              /* S4BIOS_REQ */
    put8(&t, 0);              /* PSTATE_CNT */
    put32(&t, cfg->pm_base);          /* PM1a_EVT_BLK */
    put32(&t, 0);
    put32(&t, cfg->pm_base + 4u);     /* PM1a_CNT_BLK */
    put32(&t, 0);
    put32(&t, 0);                     /* PM2_CNT_BLK */
    put32(&t, cfg->pm_base + 8u);     /* PM_TMR_BLK */
    put32(&t, cfg->pm_base + 0xcu);   /* GPE0_BLK */
    put32(&t, 0);
    put8(&t, 4);              /* PM1_EVT_LEN */
    put8(&t, 2);              /* PM1_CNT_LEN */
    put8(&t, 0);              /* PM2_CNT_LEN */
    put8(&t, 4);              /* PM_TMR_LEN */
    put8(&t, 4);              /* GPE0_BLK_LEN */
    put8(&t, 0);
    put8(&t, 0);              /* GPE1_BASE */
    put8(&t, 0);              /* CST_CNT */
    put16(&t, 0x0fff);        /* P_LVL2_LAT > 100: no C2 */
    put16(&t, 0x0fff);        /* P_LVL3_LAT > 1000: no C3 */
    put16(&t, 0);             /* FLUSH_SIZE */
    put16(&t, 0);             /* FLUSH_STRIDE */
    put8(&t, 0);              /* DUTY_OFFSET */
    put8(&t, 0);              /* DUTY_WIDTH */
    put8(&t, 0);              /* DAY_ALRM: not supported */
    put8(&t, 0);              /* MON_ALRM */
    put8(&t, 0x32);           /* CENTURY: CMOS index of the century byte */
    put16(&t, 0x0003);        /* IAPC_BOOT_ARCH: LEGACY_DEVICES | 8042 */
    put8(&t, 0);
    /* Flags: WBINVD, PROC_C1, SLP_BUTTON (none), RESET_REG_SUP */
    put32(&t, (1u << 0) | (1u << 2) | (1u << 5) | (1u << 10));
    put_gas(&t, 1, 8, 1, cfg->reset_port);      /* RESET_REG: SystemIO byte */
    put8(&t, cfg->reset_value);
    zero(&t, 3);
    put64(&t, base + facs);                      /* X_FIRMWARE_CTRL */
    put64(&t, base + dsdt);                      /* X_DSDT */
    put_gas(&t, 1, 32, 2, cfg->pm_base);         /* X_PM1a_EVT_BLK */
    put_gas(&t, 0, 0, 0, 0);
    put_gas(&t, 1, 16, 2, cfg->pm_base + 4u);    /* X_PM1a_CNT_BLK */
    put_gas(&t, 0, 0, 0, 0);
    put_gas(&t, 0, 0, 0, 0);                     /* X_PM2_CNT_BLK */
    put_gas(&t, 1, 32, 3, cfg->pm_base + 8u);    /* X_PM_TMR_BLK */
    put_gas(&t, 1, 32, 1, cfg->pm_base + 0xcu);  /* X_GPE0_BLK */
    put_gas(&t, 0, 0, 0, 0);
    end_table(&t, fadt);

    /* MADT (5.2.12) */
    align(&t, 16);
    madt = begin_table(&t, "APIC", 3);
    put32(&t, cfg->lapic_base);
    put32(&t, 1);             /* PCAT_COMPAT: 8259A pair present */
    put8(&t, 0); put8(&t, 8); put8(&t, 0); put8(&t, 0); put32(&t, 1);   /* LAPIC uid 0 id 0 */
    put8(&t, 1); put8(&t, 12); put8(&t, 0); put8(&t, 0);                /* IOAPIC id 0 */
    put32(&t, cfg->ioapic_base);
    put32(&t, 0);             /* GSI base */
    put8(&t, 2); put8(&t, 10); put8(&t, 0); put8(&t, 0); put32(&t, 2); put16(&t, 0); /* IRQ0 -> GSI2 */
    put8(&t, 2); put8(&t, 10); put8(&t, 0); put8(&t, (uint8_t)cfg->sci_irq);
    put32(&t, cfg->sci_irq);
    put16(&t, 0x000d);        /* SCI: active high (01), level (11 << 2) */
    put8(&t, 4); put8(&t, 6); put8(&t, 0xff); put16(&t, 0); put8(&t, 1); /* NMI on LINT1, all CPUs */
    end_table(&t, madt);

    /* HPET description table (IA-PC HPET spec 3.2.4) */
    align(&t, 16);
    hpet = begin_table(&t, "HPET", 1);
    put32(&t, 0x8086a201);    /* vendor 8086, legacy capable, 64-bit, 3 timers, rev 1 */
    put_gas(&t, 0, 64, 0, cfg->hpet_base);
    put8(&t, 0);              /* HPET number */
    put16(&t, 0x80);          /* minimum periodic tick */
    put8(&t, 0);              /* no page protection */
    end_table(&t, hpet);

    /* RSDT and XSDT */
    align(&t, 16);
    rsdt = begin_table(&t, "RSDT", 1);
    put32(&t, (uint32_t)(base + fadt));
    put32(&t, (uint32_t)(base + madt));
    put32(&t, (uint32_t)(base + hpet));
    end_table(&t, rsdt);
    align(&t, 16);
    xsdt = begin_table(&t, "XSDT", 1);
    put64(&t, base + fadt);
    put64(&t, base + madt);
    put64(&t, base + hpet);
    end_table(&t, xsdt);

    if (t.overflow || t.len > cfg->size || (base & 15) || base + t.len > 0x100000) {
        snprintf(err, errlen, "ACPI tables (%zu bytes) do not fit at 0x%llx", t.len,
                 (unsigned long long)base);
        return 0;
    }
    /* RSDP (revision 2) */
    {
        uint8_t *r = t.data + rsdp;
        memcpy(r, "RSD PTR ", 8);
        memcpy(r + 9, OEM_ID, 6);
        r[15] = 2;
        wr32(r + 16, (uint32_t)(base + rsdt));
        wr32(r + 20, 36);
        for (int i = 0; i < 8; i++)
            r[24 + i] = (uint8_t)((base + xsdt) >> (8 * i));
        r[8] = checksum(r, 20);
        r[32] = checksum(r, 36);
    }
    if (gmem_write(&pc->m->mem, base, t.data, t.len) < 0) {
        snprintf(err, errlen, "ACPI tables: cannot write guest memory at 0x%llx",
                 (unsigned long long)base);
        return 0;
    }
    return base + rsdp;
}
