/*
 * chardev_host.c - character back ends on host descriptors: stdio (raw
 * tty with the Ctrl-A escape), null, file:PATH and pty.  See
 * chardev_host.h for what each spec means.
 *
 * Input flow control: the descriptor is polled only while the front end
 * can take bytes (the main loop's ready callback asks can_receive).  With
 * the escape active (stdio on a tty), stdin is read a little ahead into a
 * 256-byte buffer even while the guest is not reading, so Ctrl-A x still
 * works when the UART FIFO is full; the buffer is handed on as room
 * appears, and reading stops while it is full.
 *
 * A pty keeps its slave side open itself (in raw mode) so the master never
 * reports hang-up while nobody is attached; output written then stays in
 * the kernel's pty buffer (a reader attaching later sees up to that much
 * old output) and, once that is full, is dropped rather than blocking.
 *
 * Not implemented: sockets, pipes, host serial lines, the monitor mux
 * (Ctrl-A c), Ctrl-A b (no break event in the chardev contract), and
 * Ctrl-A s / t of QEMU.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* ptsname_r, posix_openpt */
#endif
#include "ui/chardev_host.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/log.h"

#define ESCAPE_CHAR 0x01 /* Ctrl-A */

enum host_kind { HOST_NULL, HOST_STDIO, HOST_FILE, HOST_PTY };

struct host_chr {
    struct chardev chr;       /* first: the front end sees this */
    struct mainloop *ml;
    enum host_kind kind;
    int in_fd, out_fd;        /* -1 when absent */
    int slave_fd;             /* pty: held open, see the header comment */
    bool in_polled;           /* in_fd is registered with the main loop */
    bool out_broken;          /* output failed for good; dropped from now on */
    bool escape;              /* Ctrl-A commands active */
    bool got_escape;          /* the previous byte was Ctrl-A */
    bool owns_stdio;
    uint8_t pending[256];     /* read, not yet taken by the front end */
    size_t pending_len;
    void (*quit)(void *opaque);
    void *quit_opaque;
    char label[32];
};

static const struct chardev_ops host_ops;

/* ---- the terminal ---------------------------------------------------- */

static struct termios tty_saved;
static volatile sig_atomic_t tty_modified;
static int tty_fd = -1;
static bool stdio_in_use;

void chardev_restore_tty(void)
{
    if (tty_modified) {
        tcsetattr(tty_fd, TCSANOW, &tty_saved); /* async-signal-safe */
        tty_modified = 0;
    }
}

static void fatal_signal(int sig)
{
    chardev_restore_tty();
    signal(sig, SIG_DFL);
    raise(sig);               /* delivered when the handler returns */
}

/* Restore the terminal on signals that would otherwise kill vireo with it
 * in raw mode.  Signals somebody already handles are left alone; the run
 * loop installs its own SIGINT/SIGTERM/SIGHUP handlers later, and those end
 * the program through exit(), where atexit restores the terminal. */
static void install_fatal_handlers(void)
{
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
                                SIGQUIT, SIGTERM, SIGINT, SIGHUP };

    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction old, sa;

        if (sigaction(sigs[i], NULL, &old) < 0 || old.sa_handler != SIG_DFL ||
            (old.sa_flags & SA_SIGINFO))
            continue;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = fatal_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

/* Raw input (no echo, no line editing, no signals from keys, 8-bit),
 * output processing kept so vireo's own messages still look right. */
static bool tty_make_raw(int fd)
{
    static bool atexit_done;
    struct termios t;

    /* A background job changing the terminal would be stopped (SIGTTOU). */
    if (tcgetpgrp(fd) != getpgrp())
        return false;
    if (tcgetattr(fd, &tty_saved) < 0)
        return false;
    t = tty_saved;
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tty_fd = fd;
    if (!atexit_done) {
        atexit(chardev_restore_tty);
        atexit_done = true;
    }
    install_fatal_handlers();
    if (tcsetattr(fd, TCSANOW, &t) < 0)
        return false;
    tty_modified = 1;
    return true;
}

/* ---- output ----------------------------------------------------------- */

static bool wait_writable(int fd, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    int rc;

    do {
        rc = poll(&p, 1, timeout_ms);
    } while (rc < 0 && errno == EINTR);
    return rc > 0 && (p.revents & POLLOUT);
}

static size_t host_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    struct host_chr *h = (struct host_chr *)chr;
    size_t done = 0;

    if (h->out_fd < 0)
        return len;                     /* null: taken and discarded */
    if (h->out_broken)
        return 0;
    while (done < len) {
        ssize_t n = write(h->out_fd, buf + done, len - done);

        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* A pty nobody drains: drop.  A non-blocking stdout (someone
             * set O_NONBLOCK on the shared terminal): wait a little. */
            if (h->kind != HOST_PTY && wait_writable(h->out_fd, 100))
                continue;
            break;
        }
        error_report("%s: output failed (%s); further output is dropped", h->label,
                     n < 0 ? strerror(errno) : "no progress");
        h->out_broken = true;
        break;
    }
    return done;
}

/* ---- input ------------------------------------------------------------ */

/* How many bytes the front end takes now. */
static int front_room(struct host_chr *h)
{
    if (!h->chr.receive)
        return 0;
    if (!h->chr.can_receive)
        return INT_MAX;
    return h->chr.can_receive(h->chr.fe_opaque);
}

static void flush_pending(struct host_chr *h)
{
    size_t n;

    if (!h->pending_len)
        return;
    n = chr_deliver(&h->chr, h->pending, h->pending_len);
    if (n) {
        memmove(h->pending, h->pending + n, h->pending_len - n);
        h->pending_len -= n;
    }
}

static void stop_input(struct host_chr *h)
{
    if (h->in_polled)
        mainloop_remove_fd(h->ml, h->in_fd);
    h->in_polled = false;
}

static void print_help(void)
{
    fprintf(stderr, "\n"
            "C-a h    print this help\n"
            "C-a x    exit vireo\n"
            "C-a C-a  send C-a\n");
}

static void escape_byte(struct host_chr *h, uint8_t b)
{
    if (h->got_escape) {
        h->got_escape = false;
        switch (b) {
        case ESCAPE_CHAR:
            h->pending[h->pending_len++] = b;
            break;
        case 'x':
            fprintf(stderr, "\nvireo: terminated\n");
            if (h->quit)
                h->quit(h->quit_opaque);
            else
                exit(0);
            break;
        case 'h':
        case '?':
            print_help();
            break;
        default:
            break;                      /* unknown command: dropped, as QEMU does */
        }
    } else if (b == ESCAPE_CHAR) {
        h->got_escape = true;
    } else {
        h->pending[h->pending_len++] = b;
    }
}

/* Main-loop ready callback: hand over what is buffered, then say whether
 * to poll the descriptor. */
static int host_ready(void *opaque)
{
    struct host_chr *h = opaque;

    flush_pending(h);
    if (h->pending_len == sizeof(h->pending))
        return 0;
    if (h->escape)
        return 1;
    return h->pending_len == 0 && front_room(h) > 0;
}

static void host_readable(void *opaque, int fd, short revents)
{
    struct host_chr *h = opaque;
    uint8_t buf[sizeof(h->pending)];
    size_t want = sizeof(h->pending) - h->pending_len;
    ssize_t n;

    if (!h->escape) {
        int room = front_room(h);

        if (room <= 0)
            return;
        if ((size_t)room < want)
            want = (size_t)room;
    }
    if (want == 0)
        return;
    if (!(revents & (POLLIN | POLLHUP))) {
        /* POLLERR / POLLNVAL without data: this descriptor is done. */
        stop_input(h);
        return;
    }
    n = read(fd, buf, want);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        vlog(LOG_GUEST_ERROR, "%s: input stopped: %s\n", h->label, strerror(errno));
        stop_input(h);
        return;
    }
    if (n == 0) {                       /* EOF: input ends, vireo goes on */
        stop_input(h);
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (h->escape)
            escape_byte(h, buf[i]);
        else
            h->pending[h->pending_len++] = buf[i];
    }
    flush_pending(h);
}

/* ---- opening and closing ---------------------------------------------- */

static void host_destroy(struct chardev *chr)
{
    struct host_chr *h = (struct host_chr *)chr;

    stop_input(h);
    if (h->owns_stdio) {
        chardev_restore_tty();
        stdio_in_use = false;
    }
    if (h->kind == HOST_FILE || h->kind == HOST_PTY) {
        if (h->out_fd >= 0)
            close(h->out_fd);
        if (h->slave_fd >= 0)
            close(h->slave_fd);
    }
    free(h);
}

static const struct chardev_ops host_ops = {
    .write = host_write,
    .destroy = host_destroy,
};

static int open_stdio(struct host_chr *h, char *err, size_t errlen)
{
    struct sigaction old;

    if (stdio_in_use) {
        snprintf(err, errlen, "stdio is already used by another character device");
        return -EBUSY;
    }
    stdio_in_use = true;
    h->owns_stdio = true;
    h->out_fd = STDOUT_FILENO;
    if (fcntl(STDIN_FILENO, F_GETFL) >= 0)
        h->in_fd = STDIN_FILENO;
    if (h->in_fd >= 0 && isatty(h->in_fd))
        h->escape = tty_make_raw(h->in_fd);
    /* A closed pipe on stdout should end output, not kill vireo. */
    if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
        signal(SIGPIPE, SIG_IGN);
    return 0;
}

static int open_file(struct host_chr *h, const char *path, char *err, size_t errlen)
{
    if (!*path) {
        snprintf(err, errlen, "file: needs a path (file:PATH)");
        return -EINVAL;
    }
    h->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (h->out_fd < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(e));
        return -e;
    }
    return 0;
}

static int open_pty(struct host_chr *h, char *err, size_t errlen)
{
    char name[128];
    struct termios t;
    int fd, e;

    fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0)
        goto fail;
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0 ||
        ptsname_r(fd, name, sizeof(name)) != 0)
        goto fail_close;
    h->out_fd = h->in_fd = fd;
    h->slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (h->slave_fd < 0)
        goto fail_close;
    /* Raw, so the line discipline neither echoes guest output back to us
     * nor rewrites bytes. */
    if (tcgetattr(h->slave_fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(h->slave_fd, TCSANOW, &t);
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
        goto fail_close;
    fprintf(stderr, "char device redirected to %s (label %s)\n", name, h->label);
    return 0;

fail_close:
    e = errno;
    if (h->slave_fd >= 0)
        close(h->slave_fd);
    close(fd);
    h->slave_fd = h->out_fd = h->in_fd = -1;
    errno = e;
fail:
    e = errno;
    snprintf(err, errlen, "cannot create a pseudo-terminal: %s", strerror(e));
    return -e;
}

struct chardev *chardev_open_label(struct mainloop *ml, const char *spec, const char *label,
                                   char *err, size_t errlen)
{
    struct host_chr *h;
    int rc;

    if (errlen)
        err[0] = '\0';
    if (!strcmp(spec, "none"))
        return NULL;
    h = calloc(1, sizeof(*h));
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    h->ml = ml;
    h->in_fd = h->out_fd = h->slave_fd = -1;
    snprintf(h->label, sizeof(h->label), "%s", label ? label : "serial0");
    h->chr.ops = &host_ops;
    h->chr.name = h->label;

    if (!strcmp(spec, "stdio")) {
        h->kind = HOST_STDIO;
        rc = open_stdio(h, err, errlen);
    } else if (!strcmp(spec, "null")) {
        h->kind = HOST_NULL;
        rc = 0;
    } else if (!strncmp(spec, "file:", 5)) {
        h->kind = HOST_FILE;
        rc = open_file(h, spec + 5, err, errlen);
    } else if (!strcmp(spec, "pty")) {
        h->kind = HOST_PTY;
        rc = open_pty(h, err, errlen);
    } else {
        snprintf(err, errlen, "unknown character device '%s' (use stdio, null, file:PATH, pty "
                 "or none)", spec);
        rc = -EINVAL;
    }
    if (rc == 0 && h->in_fd >= 0) {
        rc = mainloop_add_fd(ml, h->in_fd, POLLIN, host_ready, host_readable, h);
        if (rc < 0)
            snprintf(err, errlen, "cannot watch the input of '%s': %s", spec, strerror(-rc));
        else
            h->in_polled = true;
    }
    if (rc < 0) {
        host_destroy(&h->chr);
        return NULL;
    }
    return &h->chr;
}

struct chardev *chardev_open(struct mainloop *ml, const char *spec, char *err, size_t errlen)
{
    return chardev_open_label(ml, spec, "serial0", err, errlen);
}

void chardev_set_quit_handler(struct chardev *chr, void (*quit)(void *opaque), void *opaque)
{
    struct host_chr *h = (struct host_chr *)chr;

    if (!chr || chr->ops != &host_ops)
        return;
    h->quit = quit;
    h->quit_opaque = opaque;
}

void chardev_close(struct chardev *chr)
{
    if (chr && chr->ops->destroy)
        chr->ops->destroy(chr);
}
