/*
 * cmdline.h - vireo's command line: a QEMU-compatible subset with the
 * same meanings.  Parsing only fills struct vireo_options and validates
 * syntax; files are opened later, still before any guest code runs.
 */
#ifndef VIREO_UI_CMDLINE_H
#define VIREO_UI_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIREO_MAX_DEVICES 32

struct vireo_options {
    const char *accel;          /* -accel / -machine accel=; NULL = default */
    uint64_t ram_size;          /* bytes */
    unsigned smp;
    const char *kernel, *initrd, *append, *bios;
    const char *serial;         /* -serial spec; NULL = default */
    bool nographic;
    bool display_none;
    bool no_reboot;
    const char *log_items;      /* -d */
    const char *log_file;       /* -D */
    const char *devices[VIREO_MAX_DEVICES];  /* -device arguments */
    unsigned ndevices;
    int icount_shift;           /* -icount shift=N: -1 = off (host clock) */
    bool icount_sleep;          /* -icount sleep=on: idle time follows the host */
    bool help, version;
    char accel_buf[32];         /* storage for -machine accel=NAME */
};

/* Parse ARGV.  Returns 0, or -EINVAL after printing one message naming
 * the offending option. */
int cmdline_parse(int argc, char **argv, struct vireo_options *o);
void cmdline_usage(void);
/* Parse a QEMU -m size: plain number = MiB; K/M/G/T suffixes. */
int cmdline_parse_size(const char *s, uint64_t *out);

#endif
