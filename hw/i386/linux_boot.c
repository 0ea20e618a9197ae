/*
 * linux_boot.c - Linux x86 boot protocol loader (Documentation/arch/x86/
 * boot.rst: "The real-mode kernel header", "Details of header fields",
 * "Loading the rest of the kernel", "32-bit boot protocol", "64-bit boot
 * protocol"; struct boot_params from "The zero page" / zero-page.rst).
 *
 * A bzImage with protocol 2.06 or later: the protected-mode kernel
 * (syssize * 16 bytes after the (setup_sects + 1) * 512 bytes of real-mode
 * setup code) goes to pref_address when [pref_address, +init_size) is RAM
 * below 4 GiB, else (relocatable kernels) to 1 MiB rounded up to
 * kernel_alignment.  The -initrd file goes as high as possible below
 * min(initrd_addr_max + 1, end of RAM below 4 GiB), page aligned, above
 * the kernel's init_size footprint.  The real-mode setup code is never run
 * (so no BIOS is needed): vireo builds the zero page itself, fills the
 * fields the setup code would (e820 map, ext_mem_k, alt_mem_k) and enters
 * the kernel directly at its 64-bit entry (load + 0x200, long mode,
 * identity-mapped 4 GiB with 2 MiB pages) or its 32-bit entry (flat
 * protected mode, paging off).
 *
 * Console: screen_info is left all zero.  orig_video_mode, _cols and
 * _lines all 0 is what Linux's VGA console takes as "no VGA" (it falls
 * back to the dummy console), and orig_video_isVGA = 0 names no
 * framebuffer, so the kernel prints only to the consoles named with
 * console= (ttyS0).
 *
 * Low-memory layout (all inside the first e820 RAM entry, below the
 * 0x9d000-0x9efff window the 6.x decompressor borrows for its 32-bit
 * trampoline; Linux reserves the whole first 1 MiB once running, so none
 * of it is ever handed to its allocator): GDT 0x500, page tables
 * 0x1000-0x6fff, zero page 0x7000, boot stack 0x8000-0xffff, command line
 * from 0x10000.
 *
 * Not implemented: protocols before 2.06 and zImage (refused), loading
 * above 4 GiB (XLF_CAN_BE_LOADED_ABOVE_4G, ext_ramdisk_image), setup_data,
 * EFI handover (handover_offset is ignored), the 16-bit entry through the
 * real-mode setup code, PVH ELF kernels (XEN_ELFNOTE_PHYS32_ENTRY), more
 * than one -initrd file, ACPI RSDP pointer (no ACPI tables yet).
 */
#include "hw/i386/linux_boot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_state.h"
#include "hw/core/machine.h"
#include "hw/i386/pc.h"
#include "util/file.h"

/* Setup header offsets (boot.rst, "The real-mode kernel header"); the
 * same offsets hold inside struct boot_params. */
#define H_SETUP_SECTS      0x1f1
#define H_SYSSIZE          0x1f4
#define H_JUMP_END         0x201   /* 0x202 + this byte = end of the header */
#define H_MAGIC            0x202
#define H_VERSION          0x206
#define H_KERNEL_VERSION   0x20e
#define H_TYPE_OF_LOADER   0x210
#define H_LOADFLAGS        0x211
#define H_CODE32_START     0x214
#define H_RAMDISK_IMAGE    0x218
#define H_RAMDISK_SIZE     0x21c
#define H_HEAP_END_PTR     0x224
#define H_EXT_LOADER_VER   0x226
#define H_EXT_LOADER_TYPE  0x227
#define H_CMD_LINE_PTR     0x228
#define H_INITRD_ADDR_MAX  0x22c
#define H_KERNEL_ALIGNMENT 0x230
#define H_RELOCATABLE      0x234
#define H_XLOADFLAGS       0x236
#define H_CMDLINE_SIZE     0x238
#define H_HARDWARE_SUBARCH 0x23c
#define H_SETUP_DATA       0x250
#define H_PREF_ADDRESS     0x258
#define H_INIT_SIZE        0x260

/* struct boot_params (zero-page.rst) */
#define BP_SIZE            4096
#define BP_EXT_MEM_K       0x002   /* screen_info.ext_mem_k */
#define BP_ACPI_RSDP_ADDR  0x070   /* zero-page.rst: physical address of the RSDP */
#define BP_ALT_MEM_K       0x1e0
#define BP_E820_ENTRIES    0x1e8
#define BP_HDR             0x1f1
#define BP_HDR_LIMIT       0x290   /* edd_mbr_sig_buffer follows the header */
#define BP_E820_TABLE      0x2d0
#define BP_E820_MAX        128

#define LOADFLAGS_QUIET        (1u << 5)
#define LOADFLAGS_KEEP_SEGMENTS (1u << 6)

#define PAGE         4096ull
#define MIB          0x100000ull
#define GIB          0x40000000ull
#define FOUR_GIB     0x100000000ull
#define LINUX_BOOT_CS 0x10
#define LINUX_BOOT_DS 0x18
/* Before 2.10 the header has no init_size: assume the decompressor needs
 * four times the compressed size (a heuristic; such kernels are rare). */
#define PRE_210_INIT_FACTOR 4

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void wr64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

bool linux_boot_probe(const uint8_t *image, size_t len)
{
    return len >= H_MAGIC + 4 && rd32(image + H_MAGIC) == LINUX_HDR_MAGIC;
}

/* The kernel_version string: an offset (minus 0x200) into the setup code. */
static void read_version_string(const uint8_t *image, const struct linux_header *h, char *out,
                                size_t outlen)
{
    uint32_t off = rd16(image + H_KERNEL_VERSION);
    size_t n = 0;

    out[0] = '\0';
    if (off == 0)
        return;
    off += 0x200;
    while (off < h->setup_size && n + 1 < outlen && image[off] >= 0x20 && image[off] < 0x7f)
        out[n++] = (char)image[off++];
    out[n] = '\0';
}

int linux_parse_header(const uint8_t *image, size_t len, const char *name,
                       struct linux_header *h, char *err, size_t errlen)
{
    unsigned sects;
    uint32_t need;

    memset(h, 0, sizeof(*h));
    if (!linux_boot_probe(image, len)) {
        snprintf(err, errlen, "'%s' is not a Linux kernel (no HdrS signature)", name);
        return -EINVAL;
    }
    h->version = rd16(image + H_VERSION);
    if (h->version < 0x206) {
        snprintf(err, errlen, "'%s' uses Linux boot protocol %u.%02u; vireo needs 2.06 or later",
                 name, h->version >> 8, h->version & 0xff);
        return -EINVAL;
    }
    sects = len > H_SETUP_SECTS ? image[H_SETUP_SECTS] : 0;
    if (sects == 0)
        sects = 4;      /* boot.rst: "if this field is 0, the real value is 4" */
    h->setup_size = (sects + 1) * 512;
    if (h->setup_size > len) {
        snprintf(err, errlen, "'%s': setup header says %u setup sectors but the file has only %zu bytes",
                 name, sects, len);
        return -EINVAL;
    }
    /* From here every header offset read (< 0x268) lies inside the file:
     * setup_size is at least 1024. */
    h->header_end = H_MAGIC + image[H_JUMP_END];
    need = h->version >= 0x20a ? H_INIT_SIZE + 4 : H_CMDLINE_SIZE + 4;
    if (h->header_end < need) {
        snprintf(err, errlen, "'%s': setup header ends at 0x%x, too short for boot protocol %u.%02u",
                 name, h->header_end, h->version >> 8, h->version & 0xff);
        return -EINVAL;
    }
    h->loadflags = image[H_LOADFLAGS];
    if (!(h->loadflags & LINUX_LOADED_HIGH)) {
        snprintf(err, errlen, "'%s' is a zImage (kernel loaded at 0x10000); only bzImage kernels are "
                 "supported", name);
        return -EINVAL;
    }
    h->syssize = rd32(image + H_SYSSIZE);
    h->kernel_size = (uint64_t)h->syssize * 16;
    if (h->syssize == 0) {
        snprintf(err, errlen, "'%s': setup header says the protected-mode kernel is empty (syssize 0)",
                 name);
        return -EINVAL;
    }
    if (h->kernel_size > len - h->setup_size) {
        snprintf(err, errlen, "'%s' is truncated: the setup header says the kernel is %llu bytes but "
                 "only %zu follow the %u bytes of setup code", name,
                 (unsigned long long)h->kernel_size, len - h->setup_size, h->setup_size);
        return -EINVAL;
    }
    h->code32_start = rd32(image + H_CODE32_START);
    h->initrd_addr_max = rd32(image + H_INITRD_ADDR_MAX);
    h->kernel_alignment = rd32(image + H_KERNEL_ALIGNMENT);
    h->relocatable = image[H_RELOCATABLE] != 0;
    h->cmdline_size = rd32(image + H_CMDLINE_SIZE);
    h->xloadflags = h->version >= 0x20c ? rd16(image + H_XLOADFLAGS) : 0;
    if (h->version >= 0x20a) {
        h->pref_address = rd64(image + H_PREF_ADDRESS);
        h->init_size = rd32(image + H_INIT_SIZE);
    } else {
        h->pref_address = h->code32_start;
        h->init_size = h->kernel_size * PRE_210_INIT_FACTOR;
    }
    if (h->init_size < h->kernel_size)
        h->init_size = h->kernel_size;
    if (h->relocatable && (h->kernel_alignment == 0 || (h->kernel_alignment & (h->kernel_alignment - 1)) ||
                           h->kernel_alignment > GIB)) {
        snprintf(err, errlen, "'%s': kernel_alignment 0x%x is not a power of two up to 1 GiB", name,
                 h->kernel_alignment);
        return -EINVAL;
    }
    read_version_string(image, h, h->kernel_version, sizeof(h->kernel_version));
    return 0;
}

/* True when [addr, addr + size) is RAM below 4 GiB and at or above 1 MiB. */
static bool high_ram_ok(struct pc_board *pc, uint64_t addr, uint64_t size)
{
    return addr >= MIB && addr < FOUR_GIB && size <= FOUR_GIB - addr && pc_ram_range_ok(pc, addr, size);
}

/* Choose the load address of the protected-mode kernel. */
static int place_kernel(struct pc_board *pc, const struct linux_header *h, const char *name,
                        uint64_t *load, char *err, size_t errlen)
{
    uint64_t foot = align_up(h->init_size, PAGE), alt;

    if (high_ram_ok(pc, h->pref_address, foot) &&
        (!h->relocatable || (h->pref_address & (h->kernel_alignment - 1)) == 0)) {
        *load = h->pref_address;
        return 0;
    }
    if (!h->relocatable) {
        snprintf(err, errlen, "'%s' is not relocatable and needs RAM at [0x%llx, 0x%llx), but guest "
                 "RAM below 4 GiB ends at 0x%llx; use a larger -m", name,
                 (unsigned long long)h->pref_address, (unsigned long long)(h->pref_address + foot),
                 (unsigned long long)pc->below_4g);
        return -ENOMEM;
    }
    alt = align_up(MIB, h->kernel_alignment);
    if (!high_ram_ok(pc, alt, foot)) {
        snprintf(err, errlen, "'%s' needs %llu MiB of RAM from 0x%llx (init_size), but guest RAM below "
                 "4 GiB ends at 0x%llx; use a larger -m", name,
                 (unsigned long long)((foot + MIB - 1) / MIB), (unsigned long long)alt,
                 (unsigned long long)pc->below_4g);
        return -ENOMEM;
    }
    *load = alt;
    return 0;
}

/* Read the -initrd file and put it as high as allowed, above KERNEL_END. */
static int place_initrd(struct pc_board *pc, const struct linux_header *h, const char *path,
                        uint64_t kernel_end, struct linux_boot_info *li, char *err, size_t errlen)
{
    uint8_t *data = NULL;
    size_t len = 0;
    uint64_t top, addr;
    int rc;

    rc = file_read_all("-initrd", path, (size_t)2 << 30, &data, &len, err, errlen);
    if (rc < 0)
        return rc;
    top = (uint64_t)h->initrd_addr_max + 1;     /* initrd_addr_max is the last byte allowed */
    if (top > pc->below_4g)
        top = pc->below_4g;
    addr = len <= top ? (top - len) & ~(PAGE - 1) : 0;
    if (len > top || addr < kernel_end || !high_ram_ok(pc, addr, len)) {
        snprintf(err, errlen, "-initrd '%s' (%zu bytes) does not fit in guest RAM between the kernel "
                 "(ends at 0x%llx) and 0x%llx; use a larger -m", path, len,
                 (unsigned long long)kernel_end, (unsigned long long)top);
        rc = -ENOMEM;
        goto out;
    }
    rc = gmem_write(&pc->m->mem, addr, data, len);
    if (rc < 0) {
        snprintf(err, errlen, "-initrd '%s': cannot write guest RAM at 0x%llx", path,
                 (unsigned long long)addr);
        goto out;
    }
    li->initrd_addr = len ? addr : 0;
    li->initrd_size = len;
out:
    free(data);
    return rc;
}

/* Identity map of the first 4 GiB with 2 MiB pages: PML4, PDPT, 4 PDs. */
static int build_page_tables(struct pc_board *pc)
{
    enum { NPAGES = 6 };
    const uint64_t base = LINUX_PAGETABLE_ADDR, P = 1, RW = 2, PS = 0x80;
    uint8_t *pt = calloc(NPAGES, PAGE);
    int rc;

    if (!pt)
        return -ENOMEM;
    wr64(pt, (base + PAGE) | P | RW);                           /* PML4[0] -> PDPT */
    for (unsigned i = 0; i < 4; i++) {
        wr64(pt + PAGE + 8 * i, (base + (2 + i) * PAGE) | P | RW); /* PDPT[i] -> PD i */
        for (unsigned j = 0; j < 512; j++)
            wr64(pt + (2 + i) * PAGE + 8 * j, (i * GIB + j * 2 * MIB) | P | RW | PS);
    }
    rc = gmem_write(&pc->m->mem, base, pt, NPAGES * PAGE);
    free(pt);
    return rc;
}

/* GDT with __BOOT_CS (0x10) and __BOOT_DS (0x18), flat; CS is a 64-bit
 * code segment for the 64-bit entry, a 32-bit one otherwise. */
static int install_gdt(struct pc_board *pc, bool entry64, struct cpu_state *cpu)
{
    uint8_t gdt[32] = { 0 };

    wr64(gdt + LINUX_BOOT_CS, entry64 ? 0x00af9b000000ffffull : 0x00cf9b000000ffffull);
    wr64(gdt + LINUX_BOOT_DS, 0x00cf93000000ffffull);
    cpu->gdtr.base = LINUX_GDT_ADDR;
    cpu->gdtr.limit = sizeof(gdt) - 1;
    return gmem_write(&pc->m->mem, LINUX_GDT_ADDR, gdt, sizeof(gdt));
}

static void set_entry_state(struct cpu_state *cpu, bool entry64, uint64_t load)
{
    cpu_state_flat_segment(&cpu->seg[SEG_CS], LINUX_BOOT_CS, true);
    for (int s = 0; s < X86_NR_SREGS; s++)
        if (s != SEG_CS)
            cpu_state_flat_segment(&cpu->seg[s], LINUX_BOOT_DS, false);
    cpu->tr.type = 0xb;
    cpu->tr.present = 1;
    cpu->tr.limit = 0xffff;
    cpu->idtr.base = 0;
    cpu->idtr.limit = 0;         /* any exception before the kernel's LIDT shuts down */
    cpu->rflags = X86_FLAG_FIXED; /* IF = 0 */
    for (int r = 0; r < X86_NR_GPRS; r++)
        cpu->gpr[r] = 0;         /* boot.rst: EBP, EDI, EBX zero */
    cpu->gpr[R_RSI] = LINUX_BOOT_PARAMS;
    cpu->gpr[R_RSP] = LINUX_STACK_TOP;
    if (entry64) {
        cpu->seg[SEG_CS].l = 1;
        cpu->seg[SEG_CS].db = 0;
        cpu->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
        cpu->cr3 = LINUX_PAGETABLE_ADDR;
        cpu->cr4 = X86_CR4_PAE;
        cpu->efer = X86_EFER_LME | X86_EFER_LMA;
        cpu->rip = load + 0x200;
    } else {
        cpu->cr0 = X86_CR0_PE | X86_CR0_ET;
        cpu->cr3 = 0;
        cpu->cr4 = 0;
        cpu->efer = 0;
        cpu->rip = load;
    }
}

/* The zero page: the image's setup header plus what a loader fills in. */
static void build_boot_params(struct pc_board *pc, const uint8_t *image, const struct linux_header *h,
                              const struct linux_boot_info *li, uint8_t *bp)
{
    uint32_t hdr_end = h->header_end < BP_HDR_LIMIT ? h->header_end : BP_HDR_LIMIT;
    uint64_t ext_k = (pc->below_4g - MIB) / 1024;
    unsigned n = pc->ne820 < BP_E820_MAX ? pc->ne820 : BP_E820_MAX;

    memset(bp, 0, BP_SIZE);          /* screen_info all zero: no VGA (see the header) */
    memcpy(bp + BP_HDR, image + BP_HDR, hdr_end - BP_HDR);
    bp[H_TYPE_OF_LOADER] = LINUX_LOADER_UNDEFINED;
    bp[H_EXT_LOADER_VER] = 0;
    bp[H_EXT_LOADER_TYPE] = 0;
    /* No real-mode setup code runs, so there is no setup heap to offer
     * (CAN_USE_HEAP stays clear); segments are flat, nothing to keep. */
    bp[H_LOADFLAGS] = (uint8_t)((h->loadflags | LINUX_LOADED_HIGH) &
                                ~(LINUX_CAN_USE_HEAP | LOADFLAGS_QUIET | LOADFLAGS_KEEP_SEGMENTS));
    wr16(bp + H_HEAP_END_PTR, 0);
    wr32(bp + H_CODE32_START, (uint32_t)li->load_addr);  /* where the kernel really is */
    wr32(bp + H_RAMDISK_IMAGE, (uint32_t)li->initrd_addr);
    wr32(bp + H_RAMDISK_SIZE, (uint32_t)li->initrd_size);
    wr32(bp + H_CMD_LINE_PTR, (uint32_t)li->cmdline);
    wr32(bp + H_HARDWARE_SUBARCH, 0);                   /* X86_SUBARCH_PC */
    if (h->header_end >= H_SETUP_DATA + 8)
        wr64(bp + H_SETUP_DATA, 0);                     /* no setup_data chain */
    /* What the BIOS memory calls would have said: KiB above 1 MiB
     * (INT 15h AH=88h caps at 0xfc00; E801 is wider). */
    wr16(bp + BP_EXT_MEM_K, (uint16_t)(ext_k < 0xfc00 ? ext_k : 0xfc00));
    wr32(bp + BP_ALT_MEM_K, (uint32_t)(ext_k < UINT32_MAX ? ext_k : UINT32_MAX));
    /* The board's own ACPI tables (kernels without this field scan for it). */
    wr32(bp + BP_ACPI_RSDP_ADDR, (uint32_t)pc->rsdp);
    wr32(bp + BP_ACPI_RSDP_ADDR + 4, (uint32_t)(pc->rsdp >> 32));
    bp[BP_E820_ENTRIES] = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *e = bp + BP_E820_TABLE + 20 * i;

        wr64(e, pc->e820[i].addr);
        wr64(e + 8, pc->e820[i].size);
        wr32(e + 16, pc->e820[i].type);
    }
}

int linux_boot_load(struct pc_board *pc, const uint8_t *image, size_t len, const char *name,
                    const char *cmdline, const char *initrd, enum linux_entry entry,
                    struct cpu_state *cpu, struct linux_boot_info *info, char *err,
                    size_t errlen)
{
    struct linux_boot_info li;
    struct linux_header *h = &li.hdr;
    uint8_t *bp = NULL;
    size_t clen = cmdline ? strlen(cmdline) : 0;
    int rc;

    memset(&li, 0, sizeof(li));
    rc = linux_parse_header(image, len, name, h, err, errlen);
    if (rc < 0)
        return rc;
    li.entry64 = entry == LINUX_ENTRY_64 || (entry == LINUX_ENTRY_AUTO && (h->xloadflags & LINUX_XLF_KERNEL_64));
    if (li.entry64 && !(h->xloadflags & LINUX_XLF_KERNEL_64)) {
        snprintf(err, errlen, "'%s' has no 64-bit entry point (xloadflags bit 0 is clear)", name);
        return -EINVAL;
    }
    if (clen > h->cmdline_size || clen >= LINUX_CMDLINE_LIMIT - LINUX_CMDLINE_ADDR) {
        snprintf(err, errlen, "-append: the command line is %zu bytes but '%s' accepts at most %llu",
                 clen, name, (unsigned long long)(h->cmdline_size < LINUX_CMDLINE_LIMIT - LINUX_CMDLINE_ADDR
                                                  ? h->cmdline_size
                                                  : LINUX_CMDLINE_LIMIT - LINUX_CMDLINE_ADDR - 1));
        return -EINVAL;
    }
    if (!pc_ram_range_ok(pc, LINUX_GDT_ADDR, LINUX_CMDLINE_LIMIT - LINUX_GDT_ADDR)) {
        snprintf(err, errlen, "Linux boot: low memory [0x%llx, 0x%llx) is not RAM",
                 (unsigned long long)LINUX_GDT_ADDR, (unsigned long long)LINUX_CMDLINE_LIMIT);
        return -EINVAL;
    }
    rc = place_kernel(pc, h, name, &li.load_addr, err, errlen);
    if (rc < 0)
        return rc;
    li.kernel_end = li.load_addr + align_up(h->init_size, PAGE);
    if (initrd && *initrd) {
        rc = place_initrd(pc, h, initrd, li.kernel_end, &li, err, errlen);
        if (rc < 0)
            return rc;
    }
    rc = gmem_write(&pc->m->mem, li.load_addr, image + h->setup_size, h->kernel_size);
    if (rc < 0) {
        snprintf(err, errlen, "'%s': cannot write the kernel to guest RAM at 0x%llx", name,
                 (unsigned long long)li.load_addr);
        return rc;
    }
    li.cmdline = LINUX_CMDLINE_ADDR;
    rc = gmem_write(&pc->m->mem, li.cmdline, cmdline ? cmdline : "", clen);
    if (rc == 0)
        rc = gmem_write(&pc->m->mem, li.cmdline + clen, "", 1);
    bp = malloc(BP_SIZE);
    if (!bp) {
        snprintf(err, errlen, "Linux boot: out of memory");
        return -ENOMEM;
    }
    li.boot_params = LINUX_BOOT_PARAMS;
    build_boot_params(pc, image, h, &li, bp);
    if (rc == 0)
        rc = gmem_write(&pc->m->mem, li.boot_params, bp, BP_SIZE);
    free(bp);
    if (rc == 0 && li.entry64)
        rc = build_page_tables(pc);
    if (rc == 0)
        rc = install_gdt(pc, li.entry64, cpu);
    if (rc < 0) {
        snprintf(err, errlen, "Linux boot: cannot write boot data to low memory: %s", strerror(-rc));
        return rc;
    }
    set_entry_state(cpu, li.entry64, li.load_addr);
    li.entry = cpu->rip;
    if (info)
        *info = li;
    return 0;
}
