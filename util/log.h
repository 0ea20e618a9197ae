/*
 * log.h - vireo's logging: named categories selected with -d, output to
 * stderr or the file given by -D, and the one helper that prints a
 * person-facing error message ("vireo: ...").
 *
 * Not implemented: log rotation, per-device filters.
 */
#ifndef VIREO_UTIL_LOG_H
#define VIREO_UTIL_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum log_category {
    LOG_GUEST_ERROR = 1u << 0, /* the guest did something a real PC would ignore or refuse */
    LOG_UNIMP       = 1u << 1, /* the guest used a feature vireo does not model */
    LOG_IN_ASM      = 1u << 2, /* disassembly of each new translated block */
    LOG_EXEC        = 1u << 3, /* every executed instruction */
    LOG_INT         = 1u << 4, /* interrupts and exceptions */
    LOG_CPU         = 1u << 5, /* register state */
    LOG_MMU         = 1u << 6, /* page walks and TLB activity */
    LOG_IOPORT      = 1u << 7, /* every port I/O and MMIO access */
    LOG_ACCEL       = 1u << 8, /* accelerator events (exits, kicks) */
};

extern uint32_t log_mask;

static inline bool log_enabled(enum log_category cat)
{
    return (log_mask & (uint32_t)cat) != 0;
}

/* Parse a -d argument ("guest_errors,int"); "help" lists categories.
 * Returns 0, 1 when help was printed, or -EINVAL (message already printed). */
int log_parse_mask(const char *spec);
/* Send log output to PATH (-D). Returns 0 or -errno (message printed). */
int log_set_file(const char *path);
void log_close(void);

/* Log under CAT if enabled. */
void vlog(enum log_category cat, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void vlog_va(enum log_category cat, const char *fmt, va_list ap);

/* Person-facing error: "vireo: <message>\n" on stderr. */
void error_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
