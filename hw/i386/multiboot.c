/*
 * multiboot.c - Multiboot v1 loader (Multiboot Specification 0.6.96).
 *
 * Header search (3.1.1), the a.out kludge address fields (3.1.3) used when
 * flag bit 16 is set, otherwise ELF32 program headers (loaded at their
 * physical addresses; an entry point given as a virtual address is
 * translated through the segment containing it).  Modules from -initrd
 * are placed page-aligned after the kernel, then the information
 * structure (3.3) with mem_lower/upper, cmdline, modules, memory map and
 * boot loader name.  Entry state per 3.2: EAX = 0x2BADB002, EBX = info,
 * flat 4 GiB code/data segments, CR0.PE = 1, paging off, IF = 0.
 *
 * Not implemented: video mode setting (flag bit 2 is accepted and
 * ignored, as the spec allows), a.out/ELF symbol tables, drives, APM, VBE.
 */
#include "hw/i386/multiboot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_state.h"
#include "hw/core/machine.h"
#include "hw/i386/pc.h"
#include "util/file.h"
#include "util/log.h"

#define MB_SEARCH        8192
#define MB_FLAG_ALIGN    (1u << 0)
#define MB_FLAG_MEMINFO  (1u << 1)
#define MB_FLAG_VIDEO    (1u << 2)
#define MB_FLAG_AOUT     (1u << 16)
#define MB_KNOWN_REQUIRED (MB_FLAG_ALIGN | MB_FLAG_MEMINFO | MB_FLAG_VIDEO)

#define MBI_MEM      (1u << 0)
#define MBI_CMDLINE  (1u << 2)
#define MBI_MODS     (1u << 3)
#define MBI_MMAP     (1u << 6)
#define MBI_LOADER   (1u << 9)

#define MB_MAX_MODULES 32
#define MB_GDT_ADDR 0x500       /* free low memory after the BIOS data area */
#define PAGE 4096ull

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static void wr32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void wr64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

static long find_header(const uint8_t *image, size_t len)
{
    size_t lim = len < MB_SEARCH ? len : MB_SEARCH;

    for (size_t off = 0; off + 12 <= lim; off += 4) {
        uint32_t magic = rd32(image + off), flags = rd32(image + off + 4);
        if (magic == MULTIBOOT_HEADER_MAGIC && magic + flags + rd32(image + off + 8) == 0)
            return (long)off;
    }
    return -1;
}

bool multiboot_probe(const uint8_t *image, size_t len)
{
    return find_header(image, len) >= 0;
}

struct mb_loaded {
    uint64_t low, high;  /* lowest and highest+1 physical address used */
    uint32_t entry;
};

static int place(struct pc_board *pc, uint64_t gpa, const uint8_t *src, uint64_t filesz,
                 uint64_t memsz, struct mb_loaded *ld, char *err, size_t errlen)
{
    static const uint8_t zeros[4096];

    if (memsz < filesz || gpa + memsz < gpa || gpa + memsz > 0x100000000ull ||
        !pc_ram_range_ok(pc, gpa, memsz)) {
        snprintf(err, errlen, "segment [0x%llx, +0x%llx) is not inside guest RAM",
                 (unsigned long long)gpa, (unsigned long long)memsz);
        return -EINVAL;
    }
    if (gmem_write(&pc->m->mem, gpa, src, filesz) < 0)
        return -EFAULT;
    for (uint64_t off = filesz; off < memsz; off += sizeof(zeros)) {
        uint64_t n = memsz - off < sizeof(zeros) ? memsz - off : sizeof(zeros);
        gmem_write(&pc->m->mem, gpa + off, zeros, n);
    }
    if (memsz) {
        if (gpa < ld->low)
            ld->low = gpa;
        if (gpa + memsz > ld->high)
            ld->high = gpa + memsz;
    }
    return 0;
}

static int load_aout(struct pc_board *pc, const uint8_t *image, size_t len, size_t hoff,
                     struct mb_loaded *ld, char *err, size_t errlen)
{
    const uint8_t *h = image + hoff;
    uint32_t header_addr, load_addr, load_end, bss_end;
    uint64_t file_off, filesz, memsz;

    if (hoff + 32 > len) {
        snprintf(err, errlen, "multiboot header truncated");
        return -EINVAL;
    }
    header_addr = rd32(h + 12);
    load_addr = rd32(h + 16);
    load_end = rd32(h + 20);
    bss_end = rd32(h + 24);
    ld->entry = rd32(h + 28);
    if (load_addr > header_addr || header_addr - load_addr > hoff) {
        snprintf(err, errlen, "multiboot load_addr 0x%x does not fit header_addr 0x%x", load_addr,
                 header_addr);
        return -EINVAL;
    }
    file_off = hoff - (header_addr - load_addr);
    filesz = load_end ? (uint64_t)load_end - load_addr : len - file_off;
    if (load_end && load_end < load_addr) {
        snprintf(err, errlen, "multiboot load_end_addr 0x%x below load_addr", load_end);
        return -EINVAL;
    }
    if (filesz > len - file_off) {
        snprintf(err, errlen, "multiboot image is shorter than its load_end_addr says");
        return -EINVAL;
    }
    memsz = filesz;
    if (bss_end) {
        if (bss_end < load_addr + filesz) {
            snprintf(err, errlen, "multiboot bss_end_addr 0x%x below the loaded image", bss_end);
            return -EINVAL;
        }
        memsz = (uint64_t)bss_end - load_addr;
    }
    return place(pc, load_addr, image + file_off, filesz, memsz, ld, err, errlen);
}

static int load_elf32(struct pc_board *pc, const uint8_t *image, size_t len, struct mb_loaded *ld,
                      char *err, size_t errlen)
{
    uint32_t phoff, entry;
    uint16_t phentsize, phnum;
    bool entry_mapped = false;

    if (len < 52 || memcmp(image, "\x7f" "ELF", 4) != 0) {
        snprintf(err, errlen, "multiboot kernel is neither ELF nor uses the a.out kludge");
        return -EINVAL;
    }
    if (image[4] != 1 || image[5] != 1 || rd16(image + 18) != 3 || rd16(image + 16) != 2) {
        snprintf(err, errlen, "multiboot ELF kernel must be a 32-bit little-endian i386 executable");
        return -EINVAL;
    }
    entry = rd32(image + 24);
    phoff = rd32(image + 28);
    phentsize = rd16(image + 42);
    phnum = rd16(image + 44);
    if (phentsize < 32 || phoff > len || (uint64_t)phnum * phentsize > len - phoff || phnum == 0) {
        snprintf(err, errlen, "multiboot ELF program headers are out of bounds");
        return -EINVAL;
    }
    ld->entry = entry;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = image + phoff + (size_t)i * phentsize;
        uint32_t type = rd32(ph), off = rd32(ph + 4), vaddr = rd32(ph + 8), paddr = rd32(ph + 12);
        uint32_t filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        int rc;

        if (type != 1 /* PT_LOAD */)
            continue;
        if (off > len || filesz > len - off) {
            snprintf(err, errlen, "multiboot ELF segment %u lies outside the file", i);
            return -EINVAL;
        }
        rc = place(pc, paddr, image + off, filesz, memsz, ld, err, errlen);
        if (rc < 0)
            return rc;
        if (!entry_mapped && entry >= vaddr && entry - vaddr < memsz) {
            ld->entry = entry - vaddr + paddr;
            entry_mapped = true;
        }
    }
    if (ld->high == 0) {
        snprintf(err, errlen, "multiboot ELF kernel has no loadable segment");
        return -EINVAL;
    }
    return 0;
}

/* Split "a args,b args" into module file and argument strings. */
struct mb_module {
    char *path;        /* the whole "path args" string, as the guest sees it */
    char *file;        /* path alone */
    uint8_t *data;
    size_t len;
    uint64_t start;    /* guest-physical load address */
};

static int load_modules(const char *spec, struct mb_module *mods, unsigned *n, char *err,
                        size_t errlen)
{
    char *copy = strdup(spec), *save = NULL, *item;
    int rc = 0;

    *n = 0;
    if (!copy)
        return -ENOMEM;
    for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        struct mb_module *m = &mods[*n];
        char *sp;

        if (*n == MB_MAX_MODULES) {
            snprintf(err, errlen, "-initrd: at most %d multiboot modules", MB_MAX_MODULES);
            rc = -E2BIG;
            break;
        }
        m->path = strdup(item);
        m->file = strdup(item);
        if (!m->path || !m->file) {
            free(m->path);
            free(m->file);
            rc = -ENOMEM;
            break;
        }
        sp = strchr(m->file, ' ');
        if (sp)
            *sp = '\0';
        (*n)++;
        rc = file_read_all("-initrd", m->file, 1u << 30, &m->data, &m->len, err, errlen);
        if (rc < 0)
            break;
    }
    free(copy);
    return rc;
}

/* A GDT in low memory matching the selectors we load, so a guest that
 * reloads a segment register before its own LGDT keeps flat segments. */
static void install_gdt(struct pc_board *pc, struct cpu_state *cpu)
{
    static const uint8_t gdt[32] = {
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        0xff, 0xff, 0, 0, 0, 0x9b, 0xcf, 0,   /* 0x10: code, base 0, 4 GiB, 32-bit */
        0xff, 0xff, 0, 0, 0, 0x93, 0xcf, 0,   /* 0x18: data, base 0, 4 GiB */
    };

    gmem_write(&pc->m->mem, MB_GDT_ADDR, gdt, sizeof(gdt));
    cpu->gdtr.base = MB_GDT_ADDR;
    cpu->gdtr.limit = sizeof(gdt) - 1;
}

int multiboot_load(struct pc_board *pc, const uint8_t *image, size_t len, const char *name,
                   const char *cmdline, const char *modules, struct cpu_state *cpu, char *err,
                   size_t errlen)
{
    struct mb_module mods[MB_MAX_MODULES];
    struct mb_loaded ld = { .low = UINT64_MAX, .high = 0 };
    unsigned nmods = 0;
    long hoff = find_header(image, len);
    uint32_t flags;
    uint64_t addr, info, strings, mmap_addr, mods_addr, end;
    uint8_t mbi[88];
    char *kcmd = NULL;
    int rc;

    memset(mods, 0, sizeof(mods));
    if (hoff < 0) {
        snprintf(err, errlen, "'%s' has no multiboot header in its first 8 KiB", name);
        return -EINVAL;
    }
    flags = rd32(image + hoff + 4);
    if (flags & 0xffff & ~MB_KNOWN_REQUIRED) {
        snprintf(err, errlen, "'%s' requires unsupported multiboot features (flags 0x%x)", name, flags);
        return -EINVAL;
    }
    if (flags & MB_FLAG_VIDEO)
        vlog(LOG_UNIMP, "multiboot: video mode request ignored (no display yet)\n");
    rc = (flags & MB_FLAG_AOUT) ? load_aout(pc, image, len, (size_t)hoff, &ld, err, errlen)
                                : load_elf32(pc, image, len, &ld, err, errlen);
    if (rc < 0)
        goto out;
    if (modules && *modules) {
        rc = load_modules(modules, mods, &nmods, err, errlen);
        if (rc < 0)
            goto out;
    }
    kcmd = malloc(strlen(name) + (cmdline ? strlen(cmdline) : 0) + 2);
    if (!kcmd) {
        rc = -ENOMEM;
        goto out;
    }
    sprintf(kcmd, "%s %s", name, cmdline ? cmdline : "");

    /* Modules, page-aligned after the kernel. */
    addr = (ld.high + PAGE - 1) & ~(PAGE - 1);
    if (ld.high <= 0x100000 && addr < 0x100000)
        addr = 0x100000;
    for (unsigned i = 0; i < nmods; i++) {
        if (!pc_ram_range_ok(pc, addr, mods[i].len ? mods[i].len : 1) ||
            addr + mods[i].len > 0xffffffffull) {
            snprintf(err, errlen, "-initrd '%s' does not fit in guest RAM below 4 GiB", mods[i].file);
            rc = -ENOMEM;
            goto out;
        }
        gmem_write(&pc->m->mem, addr, mods[i].data, mods[i].len);
        mods[i].start = addr;
        addr = (addr + mods[i].len + PAGE - 1) & ~(PAGE - 1);
    }

    /* Information area: mbi, module list, memory map, strings. */
    info = addr;
    mods_addr = info + sizeof(mbi);
    mmap_addr = mods_addr + 16ull * nmods;
    strings = mmap_addr + 24ull * pc->ne820;
    end = strings + strlen(kcmd) + 1 + sizeof("vireo");
    for (unsigned i = 0; i < nmods; i++)
        end += strlen(mods[i].path) + 1;
    if (end > 0xffffffffull || !pc_ram_range_ok(pc, info, end - info)) {
        snprintf(err, errlen, "multiboot information does not fit in guest RAM");
        rc = -ENOMEM;
        goto out;
    }
    memset(mbi, 0, sizeof(mbi));
    wr32(mbi + 0, MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER | (nmods ? MBI_MODS : 0));
    wr32(mbi + 4, 639);
    wr32(mbi + 8, (uint32_t)((pc->below_4g - 0x100000) / 1024));
    addr = strings;
    wr32(mbi + 16, (uint32_t)addr);
    gmem_write(&pc->m->mem, addr, kcmd, strlen(kcmd) + 1);
    addr += strlen(kcmd) + 1;
    wr32(mbi + 64, (uint32_t)addr);
    gmem_write(&pc->m->mem, addr, "vireo", sizeof("vireo"));
    addr += sizeof("vireo");
    wr32(mbi + 20, nmods);
    wr32(mbi + 24, (uint32_t)mods_addr);
    for (unsigned i = 0; i < nmods; i++) {
        uint8_t ent[16] = { 0 };

        wr32(ent + 0, (uint32_t)mods[i].start);
        wr32(ent + 4, (uint32_t)(mods[i].start + mods[i].len));
        wr32(ent + 8, (uint32_t)addr);
        gmem_write(&pc->m->mem, addr, mods[i].path, strlen(mods[i].path) + 1);
        addr += strlen(mods[i].path) + 1;
        gmem_write(&pc->m->mem, mods_addr + 16ull * i, ent, sizeof(ent));
    }
    wr32(mbi + 44, 24u * pc->ne820);
    wr32(mbi + 48, (uint32_t)mmap_addr);
    for (unsigned i = 0; i < pc->ne820; i++) {
        uint8_t ent[24];
        wr32(ent, 20);
        wr64(ent + 4, pc->e820[i].addr);
        wr64(ent + 12, pc->e820[i].size);
        wr32(ent + 20, pc->e820[i].type);
        gmem_write(&pc->m->mem, mmap_addr + 24ull * i, ent, sizeof(ent));
    }
    gmem_write(&pc->m->mem, info, mbi, sizeof(mbi));

    /* Entry state (spec 3.2). */
    cpu->cr0 = X86_CR0_PE | X86_CR0_ET;
    cpu->rflags = X86_FLAG_FIXED;
    cpu->rip = ld.entry;
    cpu->gpr[R_RAX] = MULTIBOOT_BOOTLOADER_MAGIC;
    cpu->gpr[R_RBX] = info;
    cpu_state_flat_segment(&cpu->seg[SEG_CS], 0x10, true);
    for (int s = 0; s < X86_NR_SREGS; s++)
        if (s != SEG_CS)
            cpu_state_flat_segment(&cpu->seg[s], 0x18, false);
    install_gdt(pc, cpu);
    cpu->tr.type = 0xb;
    cpu->tr.present = 1;
    cpu->tr.limit = 0xffff;
    rc = 0;
out:
    for (unsigned i = 0; i < nmods; i++) {
        free(mods[i].path);
        free(mods[i].file);
        free(mods[i].data);
    }
    free(kcmd);
    return rc;
}
