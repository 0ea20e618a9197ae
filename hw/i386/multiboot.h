/*
 * multiboot.h - Multiboot v1 (spec 0.6.96) kernel loader: ELF32 and the
 * a.out-kludge header, modules, memory map, command line.
 */
#ifndef VIREO_HW_I386_MULTIBOOT_H
#define VIREO_HW_I386_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pc_board;
struct cpu_state;

#define MULTIBOOT_HEADER_MAGIC     0x1badb002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002u

/* True when IMAGE carries a Multiboot v1 header in its first 8 KiB. */
bool multiboot_probe(const uint8_t *image, size_t len);

/* Load IMAGE (named NAME in the command line the guest sees) with the
 * -append string CMDLINE (may be NULL) and -initrd module list MODULES
 * ("file[ args],file2[ args]", may be NULL).  Fills CPU with the entry
 * state of spec section 3.2.  Returns 0 or -errno with a message in err. */
int multiboot_load(struct pc_board *pc, const uint8_t *image, size_t len, const char *name,
                   const char *cmdline, const char *modules, struct cpu_state *cpu, char *err,
                   size_t errlen);

#endif
