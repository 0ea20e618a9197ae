/*
 * mainloop.h - the event loop over host file descriptors (stdin, ptys,
 * sockets).  Handlers run on the one machine thread.
 */
#ifndef VIREO_HW_CORE_MAINLOOP_H
#define VIREO_HW_CORE_MAINLOOP_H

#include <stdint.h>

typedef void (*fd_handler_fn)(void *opaque, int fd, short revents);
/* Return nonzero when the handler wants to be polled for input now
 * (e.g. the UART has FIFO room); NULL means always. */
typedef int (*fd_ready_fn)(void *opaque);

struct mainloop_fd {
    int fd;
    short events;
    fd_ready_fn ready;
    fd_handler_fn handler;
    void *opaque;
};

struct mainloop {
    struct mainloop_fd *fds;
    unsigned nfds, cap;
    int wake_pipe[2];        /* written by async-signal context to end a wait */
};

int mainloop_init(struct mainloop *ml);
void mainloop_destroy(struct mainloop *ml);
int mainloop_add_fd(struct mainloop *ml, int fd, short events, fd_ready_fn ready,
                    fd_handler_fn handler, void *opaque);
void mainloop_remove_fd(struct mainloop *ml, int fd);
/* Wait up to TIMEOUT_NS (0 = just poll, UINT64_MAX = forever) and run the
 * handlers of ready descriptors.  Returns how many ran, or -errno. */
int mainloop_poll(struct mainloop *ml, uint64_t timeout_ns);
/* End a mainloop_poll wait early; async-signal-safe. */
void mainloop_wake(struct mainloop *ml);

#endif
