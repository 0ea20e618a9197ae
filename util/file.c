/*
 * file.c - whole-file reads for loaders.
 */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_read_all(const char *what, const char *path, size_t max, uint8_t **buf, size_t *len,
                  char *err, size_t errlen)
{
    struct stat st;
    uint8_t *data = NULL;
    size_t done = 0;
    int fd, rc;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s '%s': %s", what, path, strerror(errno));
        return rc;
    }
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s '%s': %s", what, path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = -EINVAL;
        snprintf(err, errlen, "%s '%s': not a regular file", what, path);
        goto out;
    }
    if ((uint64_t)st.st_size > max) {
        rc = -EFBIG;
        snprintf(err, errlen, "%s '%s': too large (%lld bytes, at most %zu)", what, path,
                 (long long)st.st_size, max);
        goto out;
    }
    data = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (!data) {
        rc = -ENOMEM;
        snprintf(err, errlen, "%s '%s': out of memory", what, path);
        goto out;
    }
    while (done < (size_t)st.st_size) {
        ssize_t n = read(fd, data + done, (size_t)st.st_size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -errno : -EIO;
            snprintf(err, errlen, "%s '%s': read failed: %s", what, path,
                     n < 0 ? strerror(errno) : "file shrank");
            free(data);
            data = NULL;
            goto out;
        }
        done += (size_t)n;
    }
    *buf = data;
    *len = done;
    rc = 0;
out:
    close(fd);
    return rc;
}
