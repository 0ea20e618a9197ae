/*
 * mainloop.c - poll(2) over the machine's host file descriptors, plus a
 * self-pipe so a signal handler (timer kick, Ctrl-C) can end a wait.
 */
#include "hw/core/mainloop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int mainloop_init(struct mainloop *ml)
{
    memset(ml, 0, sizeof(*ml));
    if (pipe2(ml->wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        return -errno;
    return 0;
}

void mainloop_destroy(struct mainloop *ml)
{
    free(ml->fds);
    ml->fds = NULL;
    ml->nfds = ml->cap = 0;
    if (ml->wake_pipe[0] > 0) {
        close(ml->wake_pipe[0]);
        close(ml->wake_pipe[1]);
    }
    ml->wake_pipe[0] = ml->wake_pipe[1] = -1;
}

int mainloop_add_fd(struct mainloop *ml, int fd, short events, fd_ready_fn ready,
                    fd_handler_fn handler, void *opaque)
{
    if (fd < 0 || !handler)
        return -EINVAL;
    if (ml->nfds == ml->cap) {
        unsigned cap = ml->cap ? ml->cap * 2 : 8;
        struct mainloop_fd *n = realloc(ml->fds, cap * sizeof(*n));

        if (!n)
            return -ENOMEM;
        ml->fds = n;
        ml->cap = cap;
    }
    ml->fds[ml->nfds++] = (struct mainloop_fd){ fd, events, ready, handler, opaque };
    return 0;
}

void mainloop_remove_fd(struct mainloop *ml, int fd)
{
    for (unsigned i = 0; i < ml->nfds; i++) {
        if (ml->fds[i].fd == fd) {
            memmove(&ml->fds[i], &ml->fds[i + 1], (ml->nfds - i - 1) * sizeof(ml->fds[0]));
            ml->nfds--;
            return;
        }
    }
}

void mainloop_wake(struct mainloop *ml)
{
    char c = 0;
    int saved = errno;

    if (write(ml->wake_pipe[1], &c, 1) < 0) {
        /* pipe full: a wake-up is already pending */
    }
    errno = saved;
}

#define MAINLOOP_MAX_FDS 64

int mainloop_poll(struct mainloop *ml, uint64_t timeout_ns)
{
    struct pollfd pfd[MAINLOOP_MAX_FDS + 1];
    unsigned idx[MAINLOOP_MAX_FDS];
    unsigned n = 0, ran = 0;
    int timeout_ms, rc;

    for (unsigned i = 0; i < ml->nfds && n < MAINLOOP_MAX_FDS; i++) {
        struct mainloop_fd *f = &ml->fds[i];

        if (f->ready && !f->ready(f->opaque))
            continue;
        pfd[n] = (struct pollfd){ .fd = f->fd, .events = f->events };
        idx[n++] = i;
    }
    pfd[n] = (struct pollfd){ .fd = ml->wake_pipe[0], .events = POLLIN };

    if (timeout_ns == UINT64_MAX)
        timeout_ms = -1;
    else if (timeout_ns == 0)
        timeout_ms = 0;
    else if (timeout_ns / 1000000 >= 0x7fffffff)
        timeout_ms = 0x7fffffff;
    else
        timeout_ms = (int)((timeout_ns + 999999) / 1000000);

    rc = poll(pfd, n + 1, timeout_ms);
    if (rc < 0)
        return errno == EINTR ? 0 : -errno;
    if (pfd[n].revents & POLLIN) {
        char buf[64];
        while (read(ml->wake_pipe[0], buf, sizeof(buf)) > 0) {
        }
    }
    for (unsigned j = 0; j < n; j++) {
        if (!pfd[j].revents)
            continue;
        /* A handler may add or remove descriptors: look the entry up again. */
        unsigned i = idx[j];
        if (i < ml->nfds && ml->fds[i].fd == pfd[j].fd) {
            struct mainloop_fd f = ml->fds[i];
            f.handler(f.opaque, f.fd, pfd[j].revents);
            ran++;
        }
    }
    return (int)ran;
}
