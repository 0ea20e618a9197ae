/*
 * chardev.h - a byte-stream back end for character devices (UART, debug
 * console): stdio, a file, a pty, or a test buffer.  The front end (the
 * device) writes bytes out and receives input through the callbacks it
 * installs; the back end polls its descriptor on the machine's main loop
 * only while the front end has room.
 */
#ifndef VIREO_HW_CORE_CHARDEV_H
#define VIREO_HW_CORE_CHARDEV_H

#include <stddef.h>
#include <stdint.h>

struct chardev;

struct chardev_ops {
    /* Send LEN bytes to the host side; returns bytes taken (may drop). */
    size_t (*write)(struct chardev *chr, const uint8_t *buf, size_t len);
    void (*destroy)(struct chardev *chr);
};

struct chardev {
    const struct chardev_ops *ops;
    const char *name;
    /* Installed by the front end. */
    int (*can_receive)(void *opaque);                    /* bytes it can take now */
    void (*receive)(void *opaque, const uint8_t *buf, size_t len);
    void *fe_opaque;
};

static inline size_t chr_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    return chr ? chr->ops->write(chr, buf, len) : len;
}

static inline void chr_set_frontend(struct chardev *chr, int (*can_receive)(void *),
                                    void (*receive)(void *, const uint8_t *, size_t),
                                    void *opaque)
{
    if (!chr)
        return;
    chr->can_receive = can_receive;
    chr->receive = receive;
    chr->fe_opaque = opaque;
}

/* Deliver input from the host to the front end (used by back ends and
 * tests).  Returns bytes delivered (at most what can_receive allowed). */
size_t chr_deliver(struct chardev *chr, const uint8_t *buf, size_t len);

#endif
