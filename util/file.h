/*
 * file.h - read a whole host file (kernel, initrd, firmware) with a size
 * cap and one clear error message naming the file.
 */
#ifndef VIREO_UTIL_FILE_H
#define VIREO_UTIL_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Read PATH into a malloc'd buffer.  Files larger than MAX are refused.
 * Returns 0 or -errno with "WHAT 'PATH': reason" in err. */
int file_read_all(const char *what, const char *path, size_t max, uint8_t **buf, size_t *len,
                  char *err, size_t errlen);

#endif
