/*
 * test_chardev_host.c - host character back ends: spec parsing and
 * messages, null and file output, a pty announced like QEMU and read only
 * while the front end has room (also end to end into the 16550's FIFO),
 * pty output that never blocks when nobody reads, stdio on a pipe (bytes
 * unchanged, EOF stops input only), and stdio on a controlling tty (raw
 * mode, the Ctrl-A escape, termios restored on close).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* posix_openpt, ptsname_r, usleep */
#endif
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "hw/core/device.h"
#include "hw/core/machine.h"
#include "ui/chardev_host.h"

#include "tests/vireo_check.h"

/* A front end whose room the test controls. */
struct fe {
    int room;
    uint8_t got[256];
    size_t len;
};

static int fe_can_receive(void *opaque)
{
    struct fe *f = opaque;

    return f->room;
}

static void fe_receive(void *opaque, const uint8_t *buf, size_t len)
{
    struct fe *f = opaque;

    ck_assert_int_ge(f->room, (int)len);    /* never more than allowed */
    for (size_t i = 0; i < len && f->len < sizeof(f->got); i++)
        f->got[f->len++] = buf[i];
    f->room -= (int)len;
}

static struct mainloop ml;

static void setup(void)
{
    ck_assert_int_eq(mainloop_init(&ml), 0);
}

static void teardown(void)
{
    mainloop_destroy(&ml);
}

/* Run FN(ARG) with stderr captured; returns what was printed. */
static char *capture_stderr(struct chardev *(*fn)(const char *), const char *arg,
                            struct chardev **out)
{
    static char text[512];
    int p[2], saved;
    ssize_t n;

    ck_assert_int_eq(pipe(p), 0);
    fflush(stderr);
    saved = dup(2);
    dup2(p[1], 2);
    *out = fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(p[1]);
    n = read(p[0], text, sizeof(text) - 1);
    text[n > 0 ? n : 0] = '\0';
    close(p[0]);
    return text;
}

static struct chardev *open_spec(const char *spec)
{
    char err[256];
    struct chardev *c = chardev_open(&ml, spec, err, sizeof(err));

    ck_assert_msg(c != NULL, "%s: %s", spec, err);
    return c;
}

START_TEST(spec_errors)
{
    char err[256];

    ck_assert_ptr_null(chardev_open(&ml, "bogus", err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "bogus"));
    ck_assert_ptr_null(chardev_open(&ml, "file:", err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "path"));
    ck_assert_ptr_null(chardev_open(&ml, "file:/nonexistent-dir/x", err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x"));
    strcpy(err, "junk");
    ck_assert_ptr_null(chardev_open(&ml, "none", err, sizeof(err)));
    ck_assert_str_eq(err, "");
    ck_assert_uint_eq(ml.nfds, 0);
    chardev_close(NULL);
    chardev_set_quit_handler(NULL, NULL, NULL);
}
END_TEST

START_TEST(null_and_file)
{
    char path[] = "/tmp/vireo-chr-XXXXXX", buf[64];
    struct chardev *c = open_spec("null");
    int fd;

    ck_assert_uint_eq(chr_write(c, (const uint8_t *)"abc", 3), 3);
    ck_assert_uint_eq(ml.nfds, 0);              /* no input to poll */
    chardev_close(c);

    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "old contents", 12), 12);
    close(fd);
    snprintf(buf, sizeof(buf), "file:%s", path);
    c = open_spec(buf);
    ck_assert_uint_eq(ml.nfds, 0);
    ck_assert_uint_eq(chr_write(c, (const uint8_t *)"hello", 5), 5);
    chardev_close(c);
    fd = open(path, O_RDONLY);
    ck_assert_int_eq(read(fd, buf, sizeof(buf)), 5);   /* truncated, then written */
    ck_assert_mem_eq(buf, "hello", 5);
    close(fd);
    unlink(path);
}
END_TEST

/* Open a pty back end; returns the slave path from the announcement. */
static struct chardev *open_pty(char *slave, size_t len)
{
    struct chardev *c;
    char *msg = capture_stderr(open_spec, "pty", &c);
    const char *p = strstr(msg, "char device redirected to ");
    const char *end;

    ck_assert_msg(p != NULL, "announcement: '%s'", msg);
    p += strlen("char device redirected to ");
    end = strstr(p, " (label serial0)\n");
    ck_assert_msg(end != NULL, "announcement: '%s'", msg);
    ck_assert_uint_lt((size_t)(end - p), len);
    memcpy(slave, p, (size_t)(end - p));
    slave[end - p] = '\0';
    ck_assert_ptr_nonnull(strstr(slave, "/dev/pts/"));
    return c;
}

START_TEST(pty_reads_only_with_room)
{
    char slave[64], buf[16];
    struct chardev *c = open_pty(slave, sizeof(slave));
    struct fe f = { .room = 2 };
    int s = open(slave, O_RDWR | O_NOCTTY);

    ck_assert_int_ge(s, 0);
    chr_set_frontend(c, fe_can_receive, fe_receive, &f);
    ck_assert_int_eq(write(s, "abcde", 5), 5);
    ck_assert_int_eq(mainloop_poll(&ml, 1000000000ull), 1);
    ck_assert_uint_eq(f.len, 2);
    ck_assert_mem_eq(f.got, "ab", 2);
    /* No room: the descriptor is not even polled. */
    ck_assert_int_eq(mainloop_poll(&ml, 0), 0);
    ck_assert_uint_eq(f.len, 2);
    f.room = 10;
    ck_assert_int_eq(mainloop_poll(&ml, 1000000000ull), 1);
    ck_assert_uint_eq(f.len, 5);
    ck_assert_mem_eq(f.got, "abcde", 5);
    /* Output reaches the slave unchanged (raw: no \n -> \r\n). */
    ck_assert_uint_eq(chr_write(c, (const uint8_t *)"x\ny", 3), 3);
    ck_assert_int_eq(read(s, buf, sizeof(buf)), 3);
    ck_assert_mem_eq(buf, "x\ny", 3);
    close(s);
    chardev_close(c);
    ck_assert_uint_eq(ml.nfds, 0);
}
END_TEST

START_TEST(pty_output_never_blocks)
{
    char slave[64];
    struct chardev *c = open_pty(slave, sizeof(slave));
    static uint8_t big[1 << 20];
    size_t taken;

    /* Nobody reads the pty: what does not fit is dropped, no hang.  (The
     * kernel moves pty data into the line discipline's buffer in the
     * background, so a later write may find a little room again: only
     * the total the pty ever accepts is bounded.) */
    memset(big, 'z', sizeof(big));
    taken = chr_write(c, big, sizeof(big));
    ck_assert_uint_lt(taken, sizeof(big));
    for (int k = 0; k < 1000; k++)
        taken += chr_write(c, big, 1000);
    ck_assert_uint_lt(taken, sizeof(big));
    chardev_close(c);
}
END_TEST

START_TEST(pty_into_uart_fifo)
{
    char slave[64], err[256], text[41];
    struct chardev *c = open_pty(slave, sizeof(slave));
    struct machine m;
    struct device *uart;
    int s = open(slave, O_RDWR | O_NOCTTY);
    size_t got = 0;

    ck_assert_int_eq(machine_init(&m, 1 << 20, VCLOCK_MANUAL), 0);
    uart = device_create(&m, "isa-serial", err, sizeof(err));
    ck_assert_ptr_nonnull(uart);
    uart->chr = c;
    ck_assert_msg(device_realize(uart, err, sizeof(err)) == 0, "%s", err);
    as_write(&m.io, 0x3fa, 0x01, 1);            /* FIFOs on */
    for (int i = 0; i < 40; i++)
        text[i] = (char)('A' + i % 26);
    ck_assert_int_eq(write(s, text, 40), 40);
    /* The FIFO takes 16 at a time; the rest waits in the pty. */
    for (int round = 0; round < 3; round++) {
        unsigned n = 0;

        ck_assert_int_eq(mainloop_poll(&ml, 1000000000ull), 1);
        ck_assert_int_eq(mainloop_poll(&ml, 0), 0);       /* full: not polled */
        while (as_read(&m.io, 0x3fd, 1) & 0x01) {
            ck_assert_uint_lt(got, 40);
            ck_assert_uint_eq(as_read(&m.io, 0x3f8, 1), (uint8_t)text[got]);
            got++;
            n++;
        }
        ck_assert_uint_eq(n, round < 2 ? 16 : 8);
        ck_assert_uint_eq(as_read(&m.io, 0x3fd, 1) & 0x02, 0);   /* no overrun */
    }
    /* Guest output goes to the pty. */
    as_write(&m.io, 0x3f8, 'Q', 1);
    ck_assert_int_eq(read(s, text, 1), 1);
    ck_assert_int_eq(text[0], 'Q');
    machine_destroy(&m);
    chardev_close(c);
    close(s);
}
END_TEST

START_TEST(stdio_on_pipes)
{
    int in[2], outp[2], saved_in, saved_out;
    struct fe f = { .room = 100 };
    struct chardev *c;
    char buf[16];

    ck_assert_int_eq(pipe(in), 0);
    ck_assert_int_eq(pipe(outp), 0);
    fflush(stdout);
    saved_in = dup(0);
    saved_out = dup(1);
    dup2(in[0], 0);
    dup2(outp[1], 1);
    close(in[0]);
    close(outp[1]);

    c = open_spec("stdio");
    {
        char err[256];
        ck_assert_ptr_null(chardev_open(&ml, "stdio", err, sizeof(err)));
        ck_assert_ptr_nonnull(strstr(err, "stdio"));
    }
    chr_set_frontend(c, fe_can_receive, fe_receive, &f);
    /* Not a tty: no escape processing, bytes pass as they are. */
    ck_assert_int_eq(write(in[1], "q\x01x\x01", 4), 4);
    ck_assert_int_eq(mainloop_poll(&ml, 1000000000ull), 1);
    ck_assert_uint_eq(f.len, 4);
    ck_assert_mem_eq(f.got, "q\x01x\x01", 4);
    ck_assert_uint_eq(chr_write(c, (const uint8_t *)"out", 3), 3);
    ck_assert_int_eq(read(outp[0], buf, sizeof(buf)), 3);
    ck_assert_mem_eq(buf, "out", 3);
    /* EOF stops input and nothing else. */
    close(in[1]);
    ck_assert_int_eq(mainloop_poll(&ml, 1000000000ull), 1);
    ck_assert_uint_eq(ml.nfds, 0);
    ck_assert_uint_eq(chr_write(c, (const uint8_t *)"more", 4), 4);
    chardev_close(c);

    dup2(saved_in, 0);
    dup2(saved_out, 1);
    close(saved_in);
    close(saved_out);
    close(outp[0]);
}
END_TEST

/* Child side of the tty test: stdin is a pty slave that is the child's
 * controlling terminal.  Exit code 0 on success, else the failed step. */
static int quit_count;
static void on_quit(void *opaque)
{
    quit_count++;
}

static int tty_child(const char *slave, int errpipe)
{
    struct mainloop l;
    struct termios t;
    struct fe f = { .room = 100 };
    struct chardev *c;
    char err[256];
    int fd;

    if (setsid() < 0)
        return 1;
    fd = open(slave, O_RDWR);                   /* becomes the controlling tty */
    if (fd < 0 || dup2(fd, 0) < 0)
        return 2;
    dup2(errpipe, 2);
    if (mainloop_init(&l) < 0)
        return 3;
    c = chardev_open(&l, "stdio", err, sizeof(err));
    if (!c)
        return 4;
    chr_set_frontend(c, fe_can_receive, fe_receive, &f);
    chardev_set_quit_handler(c, on_quit, NULL);
    if (tcgetattr(0, &t) < 0 || (t.c_lflag & (ICANON | ECHO | ISIG)))
        return 5;                               /* not raw */
    for (int i = 0; i < 300 && quit_count == 0; i++)   /* up to 30 s on a loaded machine */
        mainloop_poll(&l, 100000000ull);
    if (quit_count != 1)
        return 6;
    if (f.len != 4 || memcmp(f.got, "a\x01" "bc", 4) != 0)
        return 7;
    chardev_close(c);
    if (tcgetattr(0, &t) < 0 || !(t.c_lflag & ICANON))
        return 8;                               /* not restored */
    fflush(stderr);
    mainloop_destroy(&l);
    return 0;
}

START_TEST(stdio_tty_escape)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY), errp[2], status;
    char slave[64], help[1024];
    struct termios t;
    ssize_t n, total = 0;
    pid_t pid;

    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    ck_assert_int_eq(ptsname_r(master, slave, sizeof(slave)), 0);
    ck_assert_int_eq(pipe(errp), 0);
    /* Cooked mode to start with, so the child can tell raw from not. */
    {
        int s = open(slave, O_RDWR | O_NOCTTY);
        ck_assert_int_ge(s, 0);
        ck_assert_int_eq(tcgetattr(s, &t), 0);
        t.c_lflag |= ICANON | ECHO | ISIG;
        ck_assert_int_eq(tcsetattr(s, TCSANOW, &t), 0);
        close(s);
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(errp[0]);
        close(master);
        _exit(tty_child(slave, errp[1]));
    }
    close(errp[1]);
    /* Wait until the child switched the tty to raw, then type: 'a',
     * Ctrl-A Ctrl-A (a literal ^A), 'b', Ctrl-A h (help), an unknown
     * command Ctrl-A z (dropped), 'c', Ctrl-A x (quit). */
    for (int i = 0; i < 500; i++) {
        int s = open(slave, O_RDWR | O_NOCTTY);
        bool raw = s >= 0 && tcgetattr(s, &t) == 0 && !(t.c_lflag & ICANON);
        if (s >= 0)
            close(s);
        if (raw)
            break;
        usleep(10000);
    }
    ck_assert_int_eq(write(master, "a\x01\x01" "b\x01h\x01zc\x01x", 11), 11);
    while (total < (ssize_t)sizeof(help) - 1 &&
           (n = read(errp[0], help + total, sizeof(help) - 1 - (size_t)total)) > 0)
        total += n;
    help[total] = '\0';
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "child failed at step %d; its stderr: '%s'",
                  WIFEXITED(status) ? WEXITSTATUS(status) : -1, help);
    ck_assert_msg(strstr(help, "C-a x") != NULL, "help text: '%s'", help);
    ck_assert_msg(strstr(help, "terminated") != NULL, "quit text: '%s'", help);
    close(errp[0]);
    close(master);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("chardev_host");
    TCase *tc = tcase_create("backends");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, spec_errors);
    tcase_add_test(tc, null_and_file);
    tcase_add_test(tc, pty_reads_only_with_room);
    tcase_add_test(tc, pty_output_never_blocks);
    tcase_add_test(tc, pty_into_uart_fifo);
    tcase_add_test(tc, stdio_on_pipes);
    tcase_add_test(tc, stdio_tty_escape);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
