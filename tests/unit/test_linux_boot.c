/*
 * test_linux_boot.c - the Linux boot protocol loader (hw/i386/linux_boot.c)
 * against Documentation/arch/x86/boot.rst on a real PC board (machine_init
 * + pc_build, no CPU): a synthetic bzImage built here is loaded and every
 * zero-page field the loader sets is read back from guest RAM (setup
 * header copy, type_of_loader, loadflags, code32_start, ramdisk_image/
 * size, cmd_line_ptr, e820 table, ext_mem_k/alt_mem_k, "no VGA"
 * screen_info), together with the load address (pref_address, or 1 MiB
 * rounded to kernel_alignment), the initrd placement (page aligned, as
 * high as allowed, above init_size), the command line, the identity page
 * tables (walked), the GDT and the CPU entry state (64-bit and 32-bit).
 * Malformed images (truncated at every length, bad magic, protocol 2.05,
 * short setup, zImage, bad alignment, random header corruption) must be
 * refused with their message and never crash.  The Debian kernel fetched
 * by tests/linux/fetch-guest.sh (or /boot/vmlinuz-*) is parsed and loaded
 * when present; absent, that case passes without checking anything.
 */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu_state.h"
#include "hw/core/machine.h"
#include "hw/i386/linux_boot.h"
#include "hw/i386/pc.h"
#include "tests/vireo_check.h"
#include "util/file.h"

#define MIB 0x100000ull
#define SETUP_SECTS 4
#define SETUP_SIZE ((SETUP_SECTS + 1) * 512)
#define PAYLOAD 4096
#define IMAGE_SIZE (SETUP_SIZE + PAYLOAD)
#define PREF 0x1000000ull
#define INIT_SIZE 0x200000u
#define ALIGN 0x200000u

static struct machine m;
static struct pc_board pc;
static struct cpu_state cpu;
static char err[256];

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

/* A minimal bzImage: boot sector + 3 more setup sectors with a protocol
 * 2.15 header, then PAYLOAD bytes of "protected-mode kernel". */
static void make_image(uint8_t *img)
{
    memset(img, 0, IMAGE_SIZE);
    img[0x1f1] = SETUP_SECTS;            /* setup_sects */
    put32(img + 0x1f4, PAYLOAD / 16);    /* syssize */
    put16(img + 0x1fa, 0xffff);          /* vid_mode: normal */
    put16(img + 0x1fe, 0xaa55);          /* boot_flag */
    img[0x200] = 0xeb;                   /* jump: short jmp over the header */
    img[0x201] = 0x66;                   /* header ends at 0x268 */
    memcpy(img + 0x202, "HdrS", 4);
    put16(img + 0x206, 0x020f);          /* protocol 2.15 */
    put16(img + 0x20e, 0x200);           /* kernel_version string at 0x400 */
    img[0x211] = 0x01;                   /* loadflags: LOADED_HIGH */
    put32(img + 0x214, 0x100000);        /* code32_start */
    put32(img + 0x22c, 0x7fffffff);      /* initrd_addr_max */
    put32(img + 0x230, ALIGN);           /* kernel_alignment */
    img[0x234] = 1;                      /* relocatable_kernel */
    img[0x235] = 21;                     /* min_alignment */
    put16(img + 0x236, 0x0003);          /* xloadflags: KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
    put32(img + 0x238, 255);             /* cmdline_size */
    put64(img + 0x258, PREF);            /* pref_address */
    put32(img + 0x260, INIT_SIZE);       /* init_size */
    strcpy((char *)img + 0x400, "6.99.0-vireo-test (test@vireo) #1");
    for (unsigned i = 0; i < PAYLOAD; i++)
        img[SETUP_SIZE + i] = (uint8_t)(i * 7 + 3);
}

static void board(uint64_t ram)
{
    struct pc_config cfg = { NULL, NULL, 0 };

    ck_assert_int_eq(machine_init(&m, ram, VCLOCK_MANUAL), 0);
    ck_assert_msg(pc_build(&pc, &m, &cfg, err, sizeof(err)) == 0, "%s", err);
    cpu_state_reset(&cpu, 0x306a9);
}

static void board_free(void)
{
    pc_destroy(&pc);
    machine_destroy(&m);
}

static void rd(uint64_t gpa, void *buf, size_t len)
{
    ck_assert_int_eq(gmem_read(&m.mem, gpa, buf, len), 0);
}

/* A temporary -initrd file of LEN bytes with a known pattern. */
static char *make_initrd(size_t len)
{
    static char path[64];
    uint8_t *buf = malloc(len ? len : 1);
    int fd;

    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i ^ (i >> 8) ^ 0x5a);
    strcpy(path, "/tmp/vireo-initrd-XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
    close(fd);
    free(buf);
    return path;
}

/* Walk the 4-level tables at CR3 for VA; returns the physical address. */
static uint64_t walk(uint64_t cr3, uint64_t va)
{
    uint8_t e[8];
    uint64_t pml4e, pdpte, pde;

    rd((cr3 & ~0xfffull) + 8 * ((va >> 39) & 511), e, 8);
    pml4e = get64(e);
    ck_assert_msg(pml4e & 1, "PML4E not present for 0x%llx", (unsigned long long)va);
    rd((pml4e & 0xffffffffff000ull) + 8 * ((va >> 30) & 511), e, 8);
    pdpte = get64(e);
    ck_assert_msg((pdpte & 1) && !(pdpte & 0x80), "PDPTE for 0x%llx", (unsigned long long)va);
    rd((pdpte & 0xffffffffff000ull) + 8 * ((va >> 21) & 511), e, 8);
    pde = get64(e);
    ck_assert_msg((pde & 0x83) == 0x83, "PDE for 0x%llx must be a present writable 2 MiB page",
                  (unsigned long long)va);
    return (pde & 0xfffffffe00000ull) + (va & 0x1fffff);
}

START_TEST(load_64bit_entry)
{
    static uint8_t img[IMAGE_SIZE];
    struct linux_boot_info li;
    const char *cmd = "console=ttyS0 vireo.test=1";
    uint8_t bp[4096], buf[PAYLOAD], gdt[32];
    char *initrd = make_initrd(10000);
    uint64_t top;

    make_image(img);
    board(128 * MIB);
    ck_assert_msg(linux_boot_load(&pc, img, IMAGE_SIZE, "bz", cmd, initrd, LINUX_ENTRY_AUTO, &cpu,
                                  &li, err, sizeof(err)) == 0, "%s", err);
    /* Header parse. */
    ck_assert_uint_eq(li.hdr.version, 0x20f);
    ck_assert_uint_eq(li.hdr.setup_size, SETUP_SIZE);
    ck_assert_uint_eq(li.hdr.kernel_size, PAYLOAD);
    ck_assert_str_eq(li.hdr.kernel_version, "6.99.0-vireo-test (test@vireo) #1");
    /* The kernel at pref_address, its bytes intact. */
    ck_assert_uint_eq(li.load_addr, PREF);
    ck_assert_uint_eq(li.kernel_end, PREF + INIT_SIZE);
    rd(PREF, buf, PAYLOAD);
    ck_assert_mem_eq(buf, img + SETUP_SIZE, PAYLOAD);
    /* The initrd: page aligned, as high as possible below the end of RAM
     * (initrd_addr_max is higher), above the kernel's init_size. */
    top = 128 * MIB;
    ck_assert_uint_eq(li.initrd_size, 10000);
    ck_assert_uint_eq(li.initrd_addr % 4096, 0);
    ck_assert_uint_le(li.initrd_addr + li.initrd_size, top);
    ck_assert_uint_gt(li.initrd_addr + 4096 + li.initrd_size, top);
    ck_assert_uint_ge(li.initrd_addr, li.kernel_end);
    {
        uint8_t r[10000];
        rd(li.initrd_addr, r, sizeof(r));
        for (size_t i = 0; i < sizeof(r); i++)
            ck_assert_uint_eq(r[i], (uint8_t)(i ^ (i >> 8) ^ 0x5a));
    }
    /* The command line, NUL-terminated, below 0xA0000. */
    {
        char c[64];
        rd(li.cmdline, c, strlen(cmd) + 1);
        ck_assert_str_eq(c, cmd);
        ck_assert_uint_lt(li.cmdline + strlen(cmd) + 1, 0xa0000);
    }
    /* The zero page. */
    ck_assert_uint_eq(li.boot_params, LINUX_BOOT_PARAMS);
    rd(li.boot_params, bp, sizeof(bp));
    ck_assert_uint_eq(bp[0x1f1], SETUP_SECTS);               /* header copied */
    ck_assert_uint_eq(get32(bp + 0x1f4), PAYLOAD / 16);
    ck_assert_uint_eq(get16(bp + 0x1fe), 0xaa55);
    ck_assert_mem_eq(bp + 0x202, "HdrS", 4);
    ck_assert_uint_eq(get16(bp + 0x206), 0x20f);
    ck_assert_uint_eq(get32(bp + 0x230), ALIGN);
    ck_assert_uint_eq(get64(bp + 0x258), PREF);
    ck_assert_uint_eq(get32(bp + 0x260), INIT_SIZE);
    ck_assert_uint_eq(bp[0x210], 0xff);                      /* type_of_loader */
    ck_assert_uint_eq(bp[0x211] & 0x01, 0x01);               /* LOADED_HIGH */
    ck_assert_uint_eq(bp[0x211] & 0xe0, 0);                  /* no heap, not quiet, no KEEP_SEGMENTS */
    ck_assert_uint_eq(get32(bp + 0x214), PREF);              /* code32_start = load address */
    ck_assert_uint_eq(get32(bp + 0x218), li.initrd_addr);    /* ramdisk_image */
    ck_assert_uint_eq(get32(bp + 0x21c), 10000);             /* ramdisk_size */
    ck_assert_uint_eq(get32(bp + 0x228), LINUX_CMDLINE_ADDR);/* cmd_line_ptr */
    ck_assert_uint_eq(get32(bp + 0x23c), 0);                 /* hardware_subarch: PC */
    ck_assert_uint_eq(get64(bp + 0x250), 0);                 /* setup_data */
    ck_assert_uint_eq(bp[0x1ef], 0);                         /* sentinel */
    ck_assert_uint_eq(get16(bp + 0x02), 0xfc00);             /* ext_mem_k (capped) */
    ck_assert_uint_eq(get32(bp + 0x1e0), (128 * MIB - MIB) / 1024); /* alt_mem_k */
    /* acpi_rsdp_addr (zero-page.rst 0x070): the board's RSDP */
    ck_assert_uint_ne(pc.rsdp, 0);
    ck_assert_uint_eq(get32(bp + 0x070) | (uint64_t)get32(bp + 0x074) << 32, pc.rsdp);
    ck_assert_uint_eq(bp[0x06], 0);                          /* orig_video_mode */
    ck_assert_uint_eq(bp[0x07], 0);                          /* orig_video_cols */
    ck_assert_uint_eq(bp[0x0e], 0);                          /* orig_video_lines */
    ck_assert_uint_eq(bp[0x0f], 0);                          /* orig_video_isVGA */
    ck_assert_uint_eq(bp[0x1e8], pc.ne820);                  /* e820_entries */
    ck_assert_uint_ge(pc.ne820, 4);
    for (unsigned i = 0; i < pc.ne820; i++) {
        const uint8_t *e = bp + 0x2d0 + 20 * i;
        ck_assert_uint_eq(get64(e), pc.e820[i].addr);
        ck_assert_uint_eq(get64(e + 8), pc.e820[i].size);
        ck_assert_uint_eq(get32(e + 16), pc.e820[i].type);
    }
    /* CPU: long mode, identity-mapped, __BOOT_CS/__BOOT_DS, RSI, RIP, IF=0. */
    ck_assert(li.entry64);
    ck_assert_uint_eq(cpu.rip, PREF + 0x200);
    ck_assert_uint_eq(li.entry, PREF + 0x200);
    ck_assert_uint_eq(cpu.gpr[R_RSI], LINUX_BOOT_PARAMS);
    ck_assert_uint_eq(cpu.gpr[R_RBX] | cpu.gpr[R_RBP] | cpu.gpr[R_RDI], 0);
    ck_assert_uint_eq(cpu.cr0 & (X86_CR0_PE | X86_CR0_PG), X86_CR0_PE | X86_CR0_PG);
    ck_assert_uint_eq(cpu.cr4 & X86_CR4_PAE, X86_CR4_PAE);
    ck_assert_uint_eq(cpu.efer & (X86_EFER_LME | X86_EFER_LMA), X86_EFER_LME | X86_EFER_LMA);
    ck_assert_uint_eq(cpu.rflags & X86_FLAG_IF, 0);
    ck_assert_uint_eq(cpu.seg[SEG_CS].selector, 0x10);
    ck_assert_uint_eq(cpu.seg[SEG_CS].l, 1);
    ck_assert_uint_eq(cpu.seg[SEG_CS].db, 0);
    ck_assert_uint_eq(cpu.seg[SEG_CS].type & 0x8, 0x8);
    ck_assert_uint_eq(cpu.seg[SEG_DS].selector, 0x18);
    ck_assert_uint_eq(cpu.seg[SEG_ES].selector, 0x18);
    ck_assert_uint_eq(cpu.seg[SEG_SS].selector, 0x18);
    ck_assert_uint_eq(cpu.seg[SEG_SS].base, 0);
    ck_assert_uint_eq(cpu.seg[SEG_DS].limit, 0xffffffff);
    /* The GDT in memory backs the selectors. */
    ck_assert_uint_eq(cpu.gdtr.base, LINUX_GDT_ADDR);
    ck_assert_uint_ge(cpu.gdtr.limit, 0x1f);
    rd(cpu.gdtr.base, gdt, sizeof(gdt));
    ck_assert_uint_eq(get64(gdt + 0x10), 0x00af9b000000ffffull);  /* 64-bit code, L=1 */
    ck_assert_uint_eq(get64(gdt + 0x18), 0x00cf93000000ffffull);  /* flat data */
    /* Paging: identity over 4 GiB, covering kernel, zero page, cmdline, initrd. */
    ck_assert_uint_eq(cpu.cr3, LINUX_PAGETABLE_ADDR);
    ck_assert_uint_eq(walk(cpu.cr3, cpu.rip), cpu.rip);
    ck_assert_uint_eq(walk(cpu.cr3, LINUX_BOOT_PARAMS), LINUX_BOOT_PARAMS);
    ck_assert_uint_eq(walk(cpu.cr3, li.cmdline), li.cmdline);
    ck_assert_uint_eq(walk(cpu.cr3, li.initrd_addr + 9999), li.initrd_addr + 9999);
    ck_assert_uint_eq(walk(cpu.cr3, 0xfee00123), 0xfee00123);
    ck_assert_uint_eq(walk(cpu.cr3, 0xffffffff), 0xffffffff);
    /* The tables, GDT, zero page, stack and cmdline lie below the
     * decompressor's trampoline window and do not overlap each other. */
    ck_assert_uint_le(LINUX_GDT_ADDR + 32, LINUX_PAGETABLE_ADDR);
    ck_assert_uint_le(LINUX_PAGETABLE_ADDR + 6 * 4096, LINUX_BOOT_PARAMS);
    ck_assert_uint_le(LINUX_BOOT_PARAMS + 4096, LINUX_STACK_TOP - 0x8000);
    ck_assert_uint_le(cpu.gpr[R_RSP], LINUX_CMDLINE_ADDR);
    ck_assert_uint_le(LINUX_CMDLINE_LIMIT, 0x9d000);
    unlink(initrd);
    board_free();
}
END_TEST

START_TEST(load_32bit_entry)
{
    static uint8_t img[IMAGE_SIZE];
    struct linux_boot_info li;
    uint8_t gdt[32];

    make_image(img);
    board(64 * MIB);
    ck_assert_msg(linux_boot_load(&pc, img, IMAGE_SIZE, "bz", NULL, NULL, LINUX_ENTRY_32, &cpu, &li,
                                  err, sizeof(err)) == 0, "%s", err);
    ck_assert(!li.entry64);
    ck_assert_uint_eq(cpu.rip, PREF);
    ck_assert_uint_eq(cpu.gpr[R_RSI], LINUX_BOOT_PARAMS);
    ck_assert_uint_eq(cpu.cr0 & (X86_CR0_PE | X86_CR0_PG), X86_CR0_PE);
    ck_assert_uint_eq(cpu.efer & X86_EFER_LMA, 0);
    ck_assert_uint_eq(cpu.seg[SEG_CS].selector, 0x10);
    ck_assert_uint_eq(cpu.seg[SEG_CS].db, 1);
    ck_assert_uint_eq(cpu.seg[SEG_CS].l, 0);
    ck_assert_uint_eq(cpu.seg[SEG_CS].limit, 0xffffffff);
    ck_assert_uint_eq(cpu.seg[SEG_DS].selector, 0x18);
    rd(cpu.gdtr.base, gdt, sizeof(gdt));
    ck_assert_uint_eq(get64(gdt + 0x10), 0x00cf9b000000ffffull);  /* 32-bit code */
    ck_assert_uint_eq(get64(gdt + 0x18), 0x00cf93000000ffffull);
    /* No -initrd: ramdisk fields zero; empty command line still terminated. */
    {
        uint8_t bp[4096];
        char c;
        rd(LINUX_BOOT_PARAMS, bp, sizeof(bp));
        ck_assert_uint_eq(get32(bp + 0x218) | get32(bp + 0x21c), 0);
        ck_assert_uint_eq(get32(bp + 0x228), LINUX_CMDLINE_ADDR);
        rd(LINUX_CMDLINE_ADDR, &c, 1);
        ck_assert_int_eq(c, 0);
    }
    board_free();
}
END_TEST

START_TEST(entry_choice_follows_xloadflags)
{
    static uint8_t img[IMAGE_SIZE];
    struct linux_boot_info li;

    make_image(img);
    put16(img + 0x236, 0);                   /* no XLF_KERNEL_64 */
    board(64 * MIB);
    ck_assert_msg(linux_boot_load(&pc, img, IMAGE_SIZE, "bz", NULL, NULL, LINUX_ENTRY_AUTO, &cpu,
                                  &li, err, sizeof(err)) == 0, "%s", err);
    ck_assert(!li.entry64);
    ck_assert_uint_eq(cpu.rip, PREF);
    ck_assert_int_lt(linux_boot_load(&pc, img, IMAGE_SIZE, "bz", NULL, NULL, LINUX_ENTRY_64, &cpu,
                                     &li, err, sizeof(err)), 0);
    ck_assert_str_eq(err, "'bz' has no 64-bit entry point (xloadflags bit 0 is clear)");
    board_free();
}
END_TEST

START_TEST(placement_when_pref_address_does_not_fit)
{
    static uint8_t img[IMAGE_SIZE];
    struct linux_boot_info li;
    char *initrd = make_initrd(5000);

    /* 16 MiB of RAM: [16 MiB, +2 MiB) is not RAM, so a relocatable kernel
     * goes to 1 MiB rounded up to kernel_alignment (2 MiB). */
    make_image(img);
    board(16 * MIB);
    ck_assert_msg(linux_boot_load(&pc, img, IMAGE_SIZE, "bz", NULL, initrd, LINUX_ENTRY_AUTO, &cpu,
                                  &li, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(li.load_addr, 0x200000);
    ck_assert_uint_eq(cpu.rip, 0x200200);
    ck_assert_uint_eq(li.initrd_addr, (16 * MIB - 5000) & ~0xfffull);
    /* initrd_addr_max caps the initrd's last byte. */
    put32(img + 0x22c, 0x9fffff);
    ck_assert_msg(linux_boot_load(&pc, img, IMAGE_SIZE, "bz", NULL, initrd, LINUX_ENTRY_AUTO, &cpu,
                                  &li, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(li.initrd_addr, (0xa00000 - 5000) & ~0xfffull);
    /* ... and when it leaves no room above the kernel, the initrd is refused. */
    put32(img + 0x22c, 0x400fff);
    ck_assert_int_lt(linux_boot_load(&pc, img, IMAGE_SIZE, "bz", NULL, initrd, LINUX_ENTRY_AUTO,
                                     &cpu, &li, err, sizeof(err)), 0);
    ck_assert_msg(strstr(err, "does not fit in guest RAM between the kernel") != NULL, "%s", err);
    /* A non-relocatable kernel must go to pref_address or nowhere. */
    put32(img + 0x22c, 0x7fffffff);
    img[0x234] = 0;
    ck_assert_int_lt(linux_boot_load(&pc, img, IMAGE_SIZE, "bz", NULL, NULL, LINUX_ENTRY_AUTO, &cpu,
                                     &li, err, sizeof(err)), 0);
    ck_assert_msg(strstr(err, "'bz' is not relocatable and needs RAM at [0x1000000, 0x1200000)") != NULL,
                  "%s", err);
    /* A relocatable kernel whose init_size exceeds RAM. */
    img[0x234] = 1;
    put32(img + 0x260, 64 * MIB);
    ck_assert_int_lt(linux_boot_load(&pc, img, IMAGE_SIZE, "bz", NULL, NULL, LINUX_ENTRY_AUTO, &cpu,
                                     &li, err, sizeof(err)), 0);
    ck_assert_msg(strstr(err, "needs 64 MiB of RAM") != NULL, "%s", err);
    unlink(initrd);
    board_free();
}
END_TEST

START_TEST(command_line_limits)
{
    static uint8_t img[IMAGE_SIZE];
    char line[300];

    make_image(img);
    board(64 * MIB);
    memset(line, 'x', 255);
    line[255] = '\0';
    ck_assert_msg(linux_boot_load(&pc, img, IMAGE_SIZE, "bz", line, NULL, LINUX_ENTRY_AUTO, &cpu,
                                  NULL, err, sizeof(err)) == 0, "%s", err);
    line[255] = 'x';
    line[256] = '\0';
    ck_assert_int_lt(linux_boot_load(&pc, img, IMAGE_SIZE, "bz", line, NULL, LINUX_ENTRY_AUTO, &cpu,
                                     NULL, err, sizeof(err)), 0);
    ck_assert_str_eq(err, "-append: the command line is 256 bytes but 'bz' accepts at most 255");
    ck_assert_int_lt(linux_boot_load(&pc, img, IMAGE_SIZE, "bz", NULL, "/nonexistent/initrd",
                                     LINUX_ENTRY_AUTO, &cpu, NULL, err, sizeof(err)), 0);
    ck_assert_msg(strstr(err, "/nonexistent/initrd") != NULL, "%s", err);
    board_free();
}
END_TEST

/* Load a mutated image; it must fail with exactly MSG (or contain it). */
static void expect_refused(const uint8_t *img, size_t len, const char *msg)
{
    ck_assert_int_lt(linux_boot_load(&pc, img, len, "k", NULL, NULL, LINUX_ENTRY_AUTO, &cpu, NULL,
                                     err, sizeof(err)), 0);
    ck_assert_msg(strstr(err, msg) != NULL, "expected '%s', got '%s'", msg, err);
}

START_TEST(malformed_images_refused)
{
    static uint8_t img[IMAGE_SIZE];

    board(64 * MIB);
    make_image(img);
    expect_refused(img, 0x100, "'k' is not a Linux kernel (no HdrS signature)");
    img[0x203] = 'X';
    expect_refused(img, IMAGE_SIZE, "'k' is not a Linux kernel (no HdrS signature)");
    make_image(img);
    put16(img + 0x206, 0x0205);
    expect_refused(img, IMAGE_SIZE, "'k' uses Linux boot protocol 2.05; vireo needs 2.06 or later");
    make_image(img);
    img[0x1f1] = 30;
    expect_refused(img, IMAGE_SIZE, "'k': setup header says 30 setup sectors but the file has only 6656 bytes");
    make_image(img);
    img[0x1f1] = 0;                      /* means 4: still fine */
    ck_assert_msg(linux_boot_load(&pc, img, IMAGE_SIZE, "k", NULL, NULL, LINUX_ENTRY_AUTO, &cpu, NULL,
                                  err, sizeof(err)) == 0, "%s", err);
    put32(img + 0x1f4, PAYLOAD / 16 + 1);
    expect_refused(img, IMAGE_SIZE, "'k' is truncated: the setup header says the kernel is 4112 bytes "
                   "but only 4096 follow the 2560 bytes of setup code");
    put32(img + 0x1f4, 0);
    expect_refused(img, IMAGE_SIZE, "syssize 0");
    make_image(img);
    img[0x201] = 0x20;                   /* header ends at 0x222 */
    expect_refused(img, IMAGE_SIZE, "'k': setup header ends at 0x222, too short for boot protocol 2.15");
    make_image(img);
    img[0x211] = 0;
    expect_refused(img, IMAGE_SIZE, "'k' is a zImage");
    make_image(img);
    put32(img + 0x230, 0x300000);
    expect_refused(img, IMAGE_SIZE, "kernel_alignment 0x300000 is not a power of two");
    /* Truncated at every length: refused, never a crash or a partial load. */
    make_image(img);
    for (size_t len = 0; len < IMAGE_SIZE; len++) {
        ck_assert_int_lt(linux_boot_load(&pc, img, len, "k", NULL, NULL, LINUX_ENTRY_AUTO, &cpu, NULL,
                                         err, sizeof(err)), 0);
        ck_assert(err[0] != '\0');
        err[0] = '\0';
    }
    board_free();
}
END_TEST

START_TEST(random_header_corruption_is_safe)
{
    static uint8_t img[IMAGE_SIZE];
    struct linux_boot_info li;
    uint32_t seed = 12345;

    board(64 * MIB);
    for (int iter = 0; iter < 3000; iter++) {
        make_image(img);
        for (int k = 0; k < 1 + iter % 6; k++) {
            seed = seed * 1103515245u + 12345u;
            unsigned off = 0x1f1 + (seed >> 8) % (0x270 - 0x1f1);
            seed = seed * 1103515245u + 12345u;
            img[off] = (uint8_t)(seed >> 16);
        }
        err[0] = '\0';
        if (linux_boot_load(&pc, img, IMAGE_SIZE, "k", "console=ttyS0", NULL, LINUX_ENTRY_AUTO, &cpu,
                            &li, err, sizeof(err)) == 0) {
            ck_assert_uint_ge(li.load_addr, MIB);
            ck_assert_uint_le(li.kernel_end, 64 * MIB);
        } else {
            ck_assert(err[0] != '\0');
        }
    }
    board_free();
}
END_TEST

/* The Debian kernel from tests/linux/fetch-guest.sh, or the host's. */
static char *find_real_kernel(void)
{
    const char *cache = getenv("VIREO_CACHE"), *home = getenv("HOME");
    static char path[4096];
    glob_t g;

    if (cache)
        snprintf(path, sizeof(path), "%s/linux/vmlinuz", cache);
    else if (home)
        snprintf(path, sizeof(path), "%s/.cache/vireo/linux/vmlinuz", home);
    if ((cache || home) && access(path, R_OK) == 0)
        return path;
    if (glob("/boot/vmlinuz-*", 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            if (access(g.gl_pathv[i], R_OK) == 0) {
                snprintf(path, sizeof(path), "%s", g.gl_pathv[i]);
                globfree(&g);
                return path;
            }
        }
        globfree(&g);
    }
    return NULL;
}

START_TEST(real_debian_kernel)
{
    char *path = find_real_kernel();
    struct linux_header h;
    struct linux_boot_info li;
    uint8_t *img;
    size_t len;

    if (!path) {
        fprintf(stderr, "test_linux_boot: no Debian kernel (run tests/linux/fetch-guest.sh); "
                        "real-kernel case not checked\n");
        return;
    }
    ck_assert_msg(file_read_all("-kernel", path, 1u << 30, &img, &len, err, sizeof(err)) == 0, "%s",
                  err);
    ck_assert_msg(linux_parse_header(img, len, path, &h, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_ge(h.version, 0x20c);
    ck_assert(h.relocatable);
    ck_assert_uint_eq(h.xloadflags & LINUX_XLF_KERNEL_64, LINUX_XLF_KERNEL_64);
    ck_assert_uint_ge(h.init_size, h.kernel_size);
    ck_assert_uint_le(h.setup_size + h.kernel_size, len);  /* signed images carry more */
    ck_assert_uint_ge(h.cmdline_size, 255);
    ck_assert_msg(strlen(h.kernel_version) > 0 && h.kernel_version[0] >= '2' && h.kernel_version[0] <= '9',
                  "kernel_version '%s'", h.kernel_version);
    fprintf(stderr, "test_linux_boot: %s: protocol %x, %s, init_size 0x%llx, pref 0x%llx\n", path,
            h.version, h.kernel_version, (unsigned long long)h.init_size,
            (unsigned long long)h.pref_address);
    board(256 * MIB);
    ck_assert_msg(linux_boot_load(&pc, img, len, path, "console=ttyS0", NULL, LINUX_ENTRY_AUTO, &cpu,
                                  &li, err, sizeof(err)) == 0, "%s", err);
    ck_assert(li.entry64);
    ck_assert_uint_eq(li.load_addr, h.pref_address);
    ck_assert_uint_eq(cpu.rip, h.pref_address + 0x200);
    board_free();
    free(img);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linux_boot");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, load_64bit_entry);
    tcase_add_test(tc, load_32bit_entry);
    tcase_add_test(tc, entry_choice_follows_xloadflags);
    tcase_add_test(tc, placement_when_pref_address_does_not_fit);
    tcase_add_test(tc, command_line_limits);
    tcase_add_test(tc, malformed_images_refused);
    tcase_add_test(tc, random_header_corruption_is_safe);
    tcase_add_test(tc, real_debian_kernel);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
