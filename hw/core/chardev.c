/*
 * chardev.c - delivery of host input to a character front end, limited
 * to what the front end says it can take.
 */
#include "hw/core/chardev.h"

size_t chr_deliver(struct chardev *chr, const uint8_t *buf, size_t len)
{
    size_t done = 0;

    if (!chr || !chr->receive)
        return 0;
    while (done < len) {
        int room = chr->can_receive ? chr->can_receive(chr->fe_opaque) : (int)(len - done);
        size_t n;

        if (room <= 0)
            break;
        n = (size_t)room < len - done ? (size_t)room : len - done;
        chr->receive(chr->fe_opaque, buf + done, n);
        done += n;
    }
    return done;
}
