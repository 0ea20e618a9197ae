/*
 * test_acpi.c - the board's ACPI tables as an OS finds them (ACPI 6.x
 * 5.2): the RSDP found by scanning 0xE0000-0xFFFFF on 16-byte boundaries,
 * both RSDP checksums, XSDT/RSDT entries, every table's checksum, the FADT
 * fields the PM block and reset register need, MADT entries, the HPET
 * table, and the DSDT's AML.  Where ACPICA's iasl is installed (Debian's
 * acpica-tools), every table is also disassembled by it, which must
 * succeed without errors: an independent parser as the oracle.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/core/machine.h"
#include "hw/i386/pc.h"
#include "hw/pci/i440fx.h"
#include "hw/pci/pci.h"

#include "tests/vireo_check.h"

static struct machine m;
static struct pc_board pc;

static void setup(void)
{
    struct pc_config cfg = { 0 };
    char err[256];

    ck_assert_int_eq(machine_init(&m, 128u << 20, VCLOCK_MANUAL), 0);
    ck_assert_msg(pc_build(&pc, &m, &cfg, err, sizeof(err)) == 0, "%s", err);
}

static void teardown(void)
{
    pc_destroy(&pc);
    machine_destroy(&m);
}

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* Read a whole table at GPA (header length) into a malloc'd buffer. */
static uint8_t *read_table(uint64_t gpa, uint32_t *len)
{
    uint8_t hdr[36], *t;

    ck_assert_int_eq(gmem_read(&m.mem, gpa, hdr, sizeof(hdr)), 0);
    *len = rd32(hdr + 4);
    ck_assert_uint_ge(*len, 36);
    ck_assert_uint_le(*len, 65536);
    t = malloc(*len);
    ck_assert_int_eq(gmem_read(&m.mem, gpa, t, *len), 0);
    ck_assert_msg(sum(t, *len) == 0, "%.4s checksum", (const char *)t);
    return t;
}

static uint64_t find_rsdp(void)
{
    uint8_t r[36];

    for (uint64_t a = 0xe0000; a < 0x100000; a += 16) {
        ck_assert_int_eq(gmem_read(&m.mem, a, r, 8), 0);
        if (memcmp(r, "RSD PTR ", 8) == 0)
            return a;
    }
    return 0;
}

/* iasl -d on a table: exit 0 and no "Error" in its output. */
static void iasl_check(const uint8_t *t, uint32_t len)
{
    char dir[] = "/tmp/vireo-acpi-XXXXXX", path[128], cmd[512];
    FILE *f;
    int rc;

    if (system("command -v iasl >/dev/null 2>&1") != 0)
        return;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/%.4s.dat", dir, (const char *)t);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(t, 1, len, f), len);
    fclose(f);
    snprintf(cmd, sizeof(cmd),
             "cd %s && iasl -d %s >log 2>&1 && ! grep -qi 'error' log && ! grep -qi 'invalid' *.dsl",
             dir, path);
    rc = system(cmd);
    if (rc != 0) {
        snprintf(cmd, sizeof(cmd), "cat %s/log %s/*.dsl", dir, dir);
        (void)!system(cmd);
    }
    if (getenv("VIREO_ACPI_DUMP")) {
        snprintf(cmd, sizeof(cmd), "cat %s/*.dsl", dir);
        (void)!system(cmd);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    (void)!system(cmd);
    ck_assert_msg(rc == 0, "iasl rejects %.4s", (const char *)t);
}

/* Booting without firmware, the board programs PIIX3 PIRQRC[A-D] to ISA
 * IRQs 10, 10, 11, 11 (what the DSDT's LNKA-D report), also after a reset. */
START_TEST(pirq_routing_matches_links)
{
    struct pci_bus *bus = i440fx_bus(pc.pci_host);

    ck_assert_uint_eq(pci_config_read(bus, 0x08, 0x60, 4), 0x0b0b0a0a);
    pci_config_write(bus, 0x08, 0x60, 0x80808080, 4);
    ck_assert_uint_eq(pci_config_read(bus, 0x08, 0x60, 4), 0x80808080);
    machine_reset_devices(&m);
    ck_assert_uint_eq(pci_config_read(bus, 0x08, 0x60, 4), 0x0b0b0a0a);
}
END_TEST

START_TEST(rsdp_and_tables)
{
    uint8_t r[36], *xsdt, *rsdt;
    uint32_t xlen, rlen;
    uint64_t a = find_rsdp();
    int seen_facp = 0, seen_apic = 0, seen_hpet = 0;

    ck_assert_msg(a != 0, "no RSDP in 0xE0000-0xFFFFF");
    ck_assert_uint_eq(a, pc.rsdp);
    ck_assert_int_eq(gmem_read(&m.mem, a, r, 36), 0);
    ck_assert_uint_eq(sum(r, 20), 0);
    ck_assert_uint_eq(r[15], 2);                  /* ACPI 2.0+ RSDP */
    ck_assert_uint_eq(rd32(r + 20), 36);
    ck_assert_uint_eq(sum(r, 36), 0);
    rsdt = read_table(rd32(r + 16), &rlen);
    ck_assert_mem_eq(rsdt, "RSDT", 4);
    xsdt = read_table(rd64(r + 24), &xlen);
    ck_assert_mem_eq(xsdt, "XSDT", 4);
    ck_assert_uint_eq((xlen - 36) / 8, (rlen - 36) / 4);
    for (uint32_t off = 36; off < xlen; off += 8) {
        uint32_t len;
        uint8_t *t = read_table(rd64(xsdt + off), &len);

        ck_assert_uint_eq(rd64(xsdt + off), rd32(rsdt + 36 + (off - 36) / 2));
        iasl_check(t, len);
        if (!memcmp(t, "FACP", 4)) {
            uint32_t dlen;
            uint8_t *dsdt;

            seen_facp = 1;
            ck_assert_uint_eq(len, 244);
            ck_assert_uint_eq(t[46] | t[47] << 8, 9);          /* SCI_INT */
            ck_assert_uint_eq(rd32(t + 48), 0xb2);             /* SMI_CMD */
            ck_assert_uint_eq(rd32(t + 56), 0x600);            /* PM1a_EVT_BLK */
            ck_assert_uint_eq(rd32(t + 64), 0x604);            /* PM1a_CNT_BLK */
            ck_assert_uint_eq(rd32(t + 76), 0x608);            /* PM_TMR_BLK */
            ck_assert_uint_eq(t[91], 4);                       /* PM_TMR_LEN */
            ck_assert(rd32(t + 112) & (1u << 10));             /* RESET_REG_SUP */
            ck_assert_uint_eq(t[116], 1);                      /* RESET_REG: SystemIO */
            ck_assert_uint_eq(rd64(t + 120), 0xcf9);
            ck_assert_uint_eq(t[128], 6);
            ck_assert_uint_eq(rd64(t + 140), rd32(t + 40));    /* X_DSDT == DSDT */
            dsdt = read_table(rd32(t + 40), &dlen);
            ck_assert_mem_eq(dsdt, "DSDT", 4);
            /* the AML names \_S5 with SLP_TYP 0 and a PNP0A03 root bridge */
            ck_assert_ptr_nonnull(memmem(dsdt + 36, dlen - 36, "_S5_\x12", 5));
            ck_assert_ptr_nonnull(memmem(dsdt + 36, dlen - 36, "\x0c\x41\xd0\x0a\x03", 5));
            /* _PRT: slot 3 INTA -> LNKD, the PIRQ (3 + 1 - 1) & 3 the PCI
             * bus asserts (hw/pci/pci.c); LNKA is IRQ 10 level/high/shared
             * (IRQ descriptor 23h, mask 0400h, flags 10h; end tag) */
            ck_assert_ptr_nonnull(memmem(dsdt + 36, dlen - 36, "\x08_PRT\x12", 6));
            ck_assert_ptr_nonnull(memmem(dsdt + 36, dlen - 36, "\x0c\xff\xff\x03\x00\x00LNKD\x00", 11));
            ck_assert_ptr_nonnull(memmem(dsdt + 36, dlen - 36, "\x0c\x41\xd0\x0c\x0f", 5)); /* PNP0C0F */
            ck_assert_ptr_nonnull(memmem(dsdt + 36, dlen - 36, "\x23\x00\x04\x10\x79\x00", 6));
            iasl_check(dsdt, dlen);
            free(dsdt);
            {
                uint8_t facs[64];
                ck_assert_int_eq(gmem_read(&m.mem, rd32(t + 36), facs, 64), 0);
                ck_assert_mem_eq(facs, "FACS", 4);
                ck_assert_uint_eq(rd32(t + 36) % 64, 0);
            }
        } else if (!memcmp(t, "APIC", 4)) {
            int ioapic = 0, iso0 = 0, lapic = 0;

            seen_apic = 1;
            ck_assert_uint_eq(rd32(t + 36), 0xfee00000);
            ck_assert_uint_eq(rd32(t + 40) & 1, 1);            /* PCAT_COMPAT */
            for (uint32_t o = 44; o + 2 <= len && t[o + 1] >= 2; o += t[o + 1]) {
                if (t[o] == 0)
                    lapic = t[o + 3] == 0 && (rd32(t + o + 4) & 1);
                if (t[o] == 1)
                    ioapic = rd32(t + o + 4) == 0xfec00000 && rd32(t + o + 8) == 0;
                if (t[o] == 2 && t[o + 3] == 0)
                    iso0 = rd32(t + o + 4) == 2;
            }
            ck_assert(lapic && ioapic && iso0);
        } else if (!memcmp(t, "HPET", 4)) {
            seen_hpet = 1;
            ck_assert_uint_eq(rd64(t + 44), 0xfed00000);
        }
        free(t);
    }
    ck_assert(seen_facp && seen_apic && seen_hpet);
    free(xsdt);
    free(rsdt);
}
END_TEST

START_TEST(tables_in_reserved_e820)
{
    /* The tables must not sit in RAM the OS may reuse. */
    for (unsigned i = 0; i < pc.ne820; i++) {
        const struct e820_entry *e = &pc.e820[i];
        if (pc.rsdp >= e->addr && pc.rsdp < e->addr + e->size)
            ck_assert_uint_eq(e->type, E820_RESERVED);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("acpi");
    TCase *tc = tcase_create("tables");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, rsdp_and_tables);
    tcase_add_test(tc, pirq_routing_matches_links);
    tcase_add_test(tc, tables_in_reserved_e820);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
