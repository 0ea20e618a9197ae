/*
 * test_interp_mmu.c - paging modes other than 4-level (which
 * test_interp_guest covers): 32-bit paging with 4 KiB and 4 MiB pages
 * (CR4.PSE), PAE with 2 MiB pages, NX and CR0.WP, accessed/dirty bits,
 * #PF CR2 and error codes (SDM vol. 3A 4.3, 4.4, 4.7, 4.8), and that
 * CR3 reloads and INVLPG make page-table changes visible (4.10.4).
 * The page tables are built here; the code is guests/interp_paging.asm.
 */
#include "interp_harness.h"

extern const uint8_t interp_paging_bin[];
extern const size_t interp_paging_bin_size;

#define PD32   0x20000u
#define PT32   0x21000u
#define PDPT   0x22000u
#define PDPAE  0x23000u
#define PTPAE  0x24000u
#define GDT    0x30000u
#define IDT    0x31000u

static uint32_t rd32(struct fake *f, uint64_t a) { uint32_t v; memcpy(&v, f->ram + a, 4); return v; }
static uint64_t rd64(struct fake *f, uint64_t a) { uint64_t v; memcpy(&v, f->ram + a, 8); return v; }
static void wr32(struct fake *f, uint64_t a, uint32_t v) { memcpy(f->ram + a, &v, 4); }
static void wr64(struct fake *f, uint64_t a, uint64_t v) { memcpy(f->ram + a, &v, 8); }

static void setup(struct fake *f)
{
    fake_init(f, &accel_interp_ops);
    fake_load(f, 0x1000, interp_paging_bin, interp_paging_bin_size);
    /* GDT: flat code at 0x08; IDT: vector 14 -> 0x1800 (32-bit interrupt gate) */
    wr64(f, GDT + 8, 0x00cf9a000000ffffull);
    wr64(f, GDT + 16, 0x00cf92000000ffffull);
    wr32(f, IDT + 14 * 8, (0x08u << 16) | 0x1800);
    wr32(f, IDT + 14 * 8 + 4, 0x8e00);
}

static void state32(struct fake *f, struct cpu_state *s, uint32_t eip, bool pae)
{
    fake_mode_state(f, s, MODE_PROT32, eip, 0x9000);
    s->gdtr.base = GDT;
    s->gdtr.limit = 23;
    s->idtr.base = IDT;
    s->idtr.limit = 256 * 8 - 1;
    s->cr0 |= X86_CR0_PG | X86_CR0_WP;
    if (pae) {
        s->cr4 = X86_CR4_PAE;
        s->cr3 = PDPT;
        s->efer = X86_EFER_NXE;
    } else {
        s->cr4 = X86_CR4_PSE;
        s->cr3 = PD32;
    }
}

/* 32-bit tables: 0-4 MiB identity with 4 KiB pages, 4-8 MiB -> 8 MiB as one 4 MiB page */
static void tables32(struct fake *f)
{
    memset(f->ram + PD32, 0, 0x2000);
    wr32(f, PD32 + 0, PT32 | 0x3);
    for (uint32_t k = 0; k < 1024; k++)
        wr32(f, PT32 + 4 * k, (k << 12) | 0x3);
    wr32(f, PD32 + 4, 0x800000 | 0x83);
}

static enum vcpu_exit_reason go(struct fake *f, struct cpu_state *s)
{
    fake_set(f, s);
    enum vcpu_exit_reason r = fake_run(f, 10000);
    fake_get(f, s);
    return r;
}

START_TEST(legacy_4m_and_ad_bits)
{
    struct fake f;
    struct cpu_state s;
    setup(&f);
    tables32(&f);
    wr32(&f, 0x800010, 0xfeedf00d);
    state32(&f, &s, 0x1000, false);
    s.gpr[R_RBX] = 0x12345678;
    ck_assert_int_eq(go(&f, &s), VCPU_EXIT_HALT);
    ck_assert_uint_eq(s.gpr[R_RAX], 0xfeedf00d);
    ck_assert_uint_eq(rd32(&f, 0x800020), 0x12345678);
    ck_assert_uint_eq(rd32(&f, PD32 + 4) & 0x60, 0x60);      /* 4 MiB PDE: accessed + dirty */
    ck_assert_uint_eq(rd32(&f, PD32) & 0x20, 0x20);          /* PDE of the code: accessed */
    ck_assert_uint_eq(rd32(&f, PT32 + 4) & 0x60, 0x20);      /* code page: accessed, not dirty */
    fake_fini(&f);
}
END_TEST

START_TEST(legacy_faults)
{
    struct fake f;
    struct cpu_state s;
    setup(&f);
    tables32(&f);
    /* not present */
    state32(&f, &s, 0x1100, false);
    ck_assert_int_eq(go(&f, &s), VCPU_EXIT_HALT);
    ck_assert_uint_eq(s.gpr[R_RAX], 0xc00000);
    ck_assert_uint_eq(s.gpr[R_RBX], 0);
    ck_assert_uint_eq(s.gpr[R_RDX], 0x1100);
    ck_assert_uint_eq(s.cr2, 0xc00000);
    /* write to a read-only 4 KiB page with WP=1: P|W */
    wr32(&f, PT32 + 4 * 0x50, (0x50u << 12) | 0x1);
    state32(&f, &s, 0x1200, false);
    s.gpr[R_RSI] = 0x50004;
    ck_assert_int_eq(go(&f, &s), VCPU_EXIT_HALT);
    ck_assert_uint_eq(s.gpr[R_RAX], 0x50004);
    ck_assert_uint_eq(s.gpr[R_RBX], 3);
    /* same store with WP=0 from CPL 0 succeeds */
    state32(&f, &s, 0x1200, false);
    s.cr0 &= ~(uint64_t)X86_CR0_WP;
    s.gpr[R_RSI] = 0x50004;
    s.gpr[R_RBX] = 0xabcd;
    ck_assert_int_eq(go(&f, &s), VCPU_EXIT_HALT);
    ck_assert_uint_eq(s.gpr[R_RAX], 0x600d);
    ck_assert_uint_eq(rd32(&f, 0x50004), 0xabcd);
    /* PSE off: the 4 MiB PDE's PS bit is ignored, so it points to a page table */
    fake_fini(&f);
}
END_TEST

/* PAE: 0-2 MiB identity (4 KiB pages), 4-6 MiB -> 10 MiB (2 MiB page, NX),
 * 6-8 MiB -> 12 MiB (2 MiB page, read-only). */
static void tables_pae(struct fake *f)
{
    memset(f->ram + PDPT, 0, 0x3000);
    wr64(f, PDPT, PDPAE | 1);
    wr64(f, PDPAE, PTPAE | 3);
    for (uint64_t k = 0; k < 512; k++)
        wr64(f, PTPAE + 8 * k, (k << 12) | 3);
    wr64(f, PDPAE + 8 * 2, 0xa00000 | 0x83 | (1ull << 63));
    wr64(f, PDPAE + 8 * 3, 0xc00000 | 0x81);
}

START_TEST(pae_nx_wp)
{
    struct fake f;
    struct cpu_state s;
    setup(&f);
    tables_pae(&f);
    /* data access through the NX 2 MiB page is fine */
    state32(&f, &s, 0x1200, true);
    s.gpr[R_RSI] = 0x400100;
    s.gpr[R_RBX] = 0x5a5a;
    ck_assert_int_eq(go(&f, &s), VCPU_EXIT_HALT);
    ck_assert_uint_eq(s.gpr[R_RAX], 0x600d);
    ck_assert_uint_eq(rd32(&f, 0xa00100), 0x5a5a);
    ck_assert(rd64(&f, PDPAE + 16) & 0x40);                     /* dirty */
    /* fetch from it: #PF with P | I/D */
    f.ram[0xa00200] = 0xc3;
    state32(&f, &s, 0x1300, true);
    s.gpr[R_RSI] = 0x400200;
    ck_assert_int_eq(go(&f, &s), VCPU_EXIT_HALT);
    ck_assert_uint_eq(s.gpr[R_RAX], 0x400200);
    ck_assert_uint_eq(s.gpr[R_RBX], 0x11);
    /* write to the read-only 2 MiB page: P | W */
    state32(&f, &s, 0x1200, true);
    s.gpr[R_RSI] = 0x600000;
    ck_assert_int_eq(go(&f, &s), VCPU_EXIT_HALT);
    ck_assert_uint_eq(s.gpr[R_RBX], 3);
    ck_assert_uint_eq(s.cr2, 0x600000);
    /* XD set while EFER.NXE=0 is a reserved bit: P | RSVD */
    state32(&f, &s, 0x1200, true);
    s.efer = 0;
    s.gpr[R_RSI] = 0x400100;
    ck_assert_int_eq(go(&f, &s), VCPU_EXIT_HALT);
    ck_assert_uint_eq(s.gpr[R_RBX], 0x9 | 0x2);
    fake_fini(&f);
}
END_TEST

START_TEST(cr3_reload_and_invlpg)
{
    struct fake f;
    struct cpu_state s;
    for (int how = 0; how < 2; how++) {
        setup(&f);
        tables32(&f);
        wr32(&f, 0x60000, 0x1111);
        wr32(&f, 0x61000, 0x2222);
        /* linear 0x60000 -> phys 0x60000, then remapped to 0x61000 */
        state32(&f, &s, 0x1400, false);
        s.gpr[R_RSI] = 0x60000;
        s.gpr[R_RDI] = PT32 + 4 * 0x60;
        s.gpr[R_RDX] = 0x61000 | 3;
        s.gpr[R_RCX] = (uint64_t)how;
        s.gpr[R_RBP] = 0x60000;
        ck_assert_int_eq(go(&f, &s), VCPU_EXIT_HALT);
        ck_assert_uint_eq(s.gpr[R_RAX], 0x1111);
        ck_assert_uint_eq(s.gpr[R_RBX], 0x2222);
        fake_fini(&f);
    }
    /* INVLPG of any address inside a 4 MiB page drops the whole page */
    setup(&f);
    tables32(&f);
    wr32(&f, 0x800000, 0xaaaa);
    wr32(&f, 0xc00000 + 0x3000, 0xbbbb);
    state32(&f, &s, 0x1400, false);
    s.gpr[R_RSI] = 0x403000;                 /* PDE 1: 4 MiB page */
    s.gpr[R_RDI] = PD32 + 4;
    s.gpr[R_RDX] = 0xc00000 | 0x83;
    s.gpr[R_RCX] = 1;
    s.gpr[R_RBP] = 0x7ff000;                 /* another 4 KiB piece of the same page */
    wr32(&f, 0x803000, 0xaaaa);
    ck_assert_int_eq(go(&f, &s), VCPU_EXIT_HALT);
    ck_assert_uint_eq(s.gpr[R_RAX], 0xaaaa);
    ck_assert_uint_eq(s.gpr[R_RBX], 0xbbbb);
    fake_fini(&f);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("interp_mmu");
    TCase *tc = tcase_create("paging");
    tcase_add_test(tc, legacy_4m_and_ad_bits);
    tcase_add_test(tc, legacy_faults);
    tcase_add_test(tc, pae_nx_wp);
    tcase_add_test(tc, cr3_reload_and_invlpg);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
