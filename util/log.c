/*
 * log.c - category-filtered logging to stderr or a -D file, and
 * error_report for person-facing messages.
 */
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

uint32_t log_mask;
static FILE *log_file;

static const struct {
    const char *name;
    uint32_t bit;
    const char *help;
} log_names[] = {
    { "guest_errors", LOG_GUEST_ERROR, "guest actions a real PC would ignore or refuse" },
    { "unimp", LOG_UNIMP, "guest use of features vireo does not model" },
    { "in_asm", LOG_IN_ASM, "disassembly of each new block" },
    { "exec", LOG_EXEC, "every executed instruction" },
    { "int", LOG_INT, "interrupts and exceptions" },
    { "cpu", LOG_CPU, "register state" },
    { "mmu", LOG_MMU, "page walks" },
    { "ioport", LOG_IOPORT, "port I/O and MMIO accesses" },
    { "accel", LOG_ACCEL, "accelerator exits and kicks" },
};

int log_parse_mask(const char *spec)
{
    uint32_t mask = 0;
    const char *p = spec;

    if (strcmp(spec, "help") == 0) {
        printf("Log categories for -d (comma separated):\n");
        for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
            printf("  %-13s %s\n", log_names[i].name, log_names[i].help);
        return 1;
    }
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        bool found = false;

        for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
            if (strlen(log_names[i].name) == len && strncmp(log_names[i].name, p, len) == 0) {
                mask |= log_names[i].bit;
                found = true;
            }
        }
        if (!found) {
            error_report("-d: unknown log category '%.*s' (try -d help)", (int)len, p);
            return -EINVAL;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    log_mask = mask;
    return 0;
}

int log_set_file(const char *path)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        int err = errno;
        error_report("-D: cannot open log file '%s': %s", path, strerror(err));
        return -err;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    log_close();
    log_file = f;
    return 0;
}

void log_close(void)
{
    if (log_file) {
        fclose(log_file);
        log_file = NULL;
    }
}

void vlog_va(enum log_category cat, const char *fmt, va_list ap)
{
    if (!log_enabled(cat))
        return;
    vfprintf(log_file ? log_file : stderr, fmt, ap);
}

void vlog(enum log_category cat, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog_va(cat, fmt, ap);
    va_end(ap);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    fputs("vireo: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
