/*
 * linux_boot.h - Linux x86 boot protocol loader (Documentation/arch/x86/
 * boot.rst): bzImage setup header parsing, placement of the protected-mode
 * kernel and initrd, the zero page (struct boot_params), and the 64-bit or
 * 32-bit entry state.  PVH ELF kernels and EFI handover are not supported.
 */
#ifndef VIREO_HW_I386_LINUX_BOOT_H
#define VIREO_HW_I386_LINUX_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pc_board;
struct cpu_state;

/* Fixed guest-physical addresses the loader uses in low memory (below the
 * 0x9d000-0x9efff window the kernel's decompressor takes for its 32-bit
 * trampoline; Linux reserves all of the first 1 MiB after boot). */
#define LINUX_GDT_ADDR        0x00500ull  /* 4 descriptors */
#define LINUX_PAGETABLE_ADDR  0x01000ull  /* PML4, PDPT, 4 PDs: 0x1000-0x6fff */
#define LINUX_BOOT_PARAMS     0x07000ull  /* the zero page */
#define LINUX_STACK_TOP       0x10000ull  /* a small stack 0x8000-0xffff */
#define LINUX_CMDLINE_ADDR    0x10000ull  /* command line, up to 0x90000 */
#define LINUX_CMDLINE_LIMIT   0x90000ull

/* Setup header fields (boot.rst "The real-mode kernel header"). */
#define LINUX_HDR_MAGIC       0x53726448u /* "HdrS" at 0x202 */
#define LINUX_LOADED_HIGH     (1u << 0)
#define LINUX_CAN_USE_HEAP    (1u << 7)
#define LINUX_XLF_KERNEL_64   (1u << 0)
#define LINUX_LOADER_UNDEFINED 0xff       /* type_of_loader: no assigned ID */

/* The parsed setup header, with per-version defaults filled in. */
struct linux_header {
    uint16_t version;          /* 0x206, e.g. 0x020f */
    uint32_t setup_size;       /* (setup_sects + 1) * 512 bytes of real-mode code */
    uint32_t header_end;       /* 0x202 + byte at 0x201 */
    uint32_t syssize;          /* 0x1f4, 16-byte paragraphs */
    uint64_t kernel_size;      /* bytes of protected-mode kernel to load (syssize * 16) */
    uint8_t loadflags;         /* 0x211 */
    uint32_t code32_start;     /* 0x214 */
    uint32_t initrd_addr_max;  /* 0x22c, highest byte address of the initrd */
    uint32_t kernel_alignment; /* 0x230 */
    bool relocatable;          /* 0x234 */
    uint16_t xloadflags;       /* 0x236 (0 before 2.12) */
    uint32_t cmdline_size;     /* 0x238, longest command line without its NUL */
    uint64_t pref_address;     /* 0x258 (code32_start before 2.10) */
    uint64_t init_size;        /* 0x260, memory the kernel needs from its load address */
    char kernel_version[64];   /* the string kernel_version (0x20e) points to, or "" */
};

enum linux_entry {
    LINUX_ENTRY_AUTO,          /* 64-bit when XLF_KERNEL_64 is set, else 32-bit */
    LINUX_ENTRY_64,            /* long mode at load address + 0x200 */
    LINUX_ENTRY_32,            /* flat protected mode at the load address */
};

/* Where things went (for tests and logs). */
struct linux_boot_info {
    struct linux_header hdr;
    uint64_t load_addr;        /* protected-mode kernel */
    uint64_t kernel_end;       /* load_addr + max(init_size, kernel_size) */
    uint64_t entry;            /* RIP at entry */
    bool entry64;
    uint64_t boot_params;
    uint64_t cmdline;
    uint64_t initrd_addr, initrd_size;
};

/* True when IMAGE carries the "HdrS" signature of a Linux setup header. */
bool linux_boot_probe(const uint8_t *image, size_t len);

/* Parse and check the setup header of IMAGE (named NAME in messages).
 * Returns 0 or -EINVAL with one message in err. */
int linux_parse_header(const uint8_t *image, size_t len, const char *name,
                       struct linux_header *h, char *err, size_t errlen);

/* Load bzImage IMAGE with the -append string CMDLINE and the -initrd file
 * INITRD (each may be NULL) into the board's RAM and fill CPU with the
 * entry state ENTRY asks for.  INFO (may be NULL) receives the layout.
 * Returns 0 or -errno with one message in err. */
int linux_boot_load(struct pc_board *pc, const uint8_t *image, size_t len, const char *name,
                    const char *cmdline, const char *initrd, enum linux_entry entry,
                    struct cpu_state *cpu, struct linux_boot_info *info, char *err,
                    size_t errlen);

#endif
