/*
 * chardev_host.h - host back ends for character devices (-serial SPEC):
 *
 *   stdio      the terminal vireo runs in.  When stdin is a tty it is put
 *              in raw mode (restored at exit and on fatal signals) and the
 *              QEMU escape works: Ctrl-A x quits, Ctrl-A h prints help,
 *              Ctrl-A Ctrl-A sends one Ctrl-A.  When stdin is not a tty
 *              (pipes, CI) termios is left alone, bytes pass unchanged
 *              and EOF on stdin only stops input.
 *   null       output dropped, no input.
 *   file:PATH  output to PATH (created or truncated), no input.
 *   pty        a new pseudo-terminal, announced on stderr as
 *              "char device redirected to /dev/pts/N (label serial0)".
 *   none       no back end: chardev_open returns NULL with err = "".
 *
 * Input is read on the machine's main loop only while the front end has
 * room (its can_receive), and delivered with chr_deliver.  Output never
 * blocks for long: a pty nobody reads drops what does not fit.
 *
 * Not implemented: sockets, pipes, serial host devices, the mux/monitor
 * (Ctrl-A c) and Ctrl-A b (the chardev contract has no break event).
 */
#ifndef VIREO_UI_CHARDEV_HOST_H
#define VIREO_UI_CHARDEV_HOST_H

#include <stddef.h>

#include "hw/core/chardev.h"
#include "hw/core/mainloop.h"

/* Open SPEC with the label "serial0".  NULL with a one-line message in
 * err on failure; NULL with err[0] == '\0' for "none". */
struct chardev *chardev_open(struct mainloop *ml, const char *spec, char *err, size_t errlen);
/* The same with another LABEL (kept by the chardev; used as its name). */
struct chardev *chardev_open_label(struct mainloop *ml, const char *spec, const char *label,
                                   char *err, size_t errlen);

/* Called on Ctrl-A x (stdio on a tty).  Without a handler Ctrl-A x calls
 * exit(0).  CHR may be NULL (nothing happens). */
void chardev_set_quit_handler(struct chardev *chr, void (*quit)(void *opaque), void *opaque);

/* Stop polling, restore the terminal, close and free.  CHR may be NULL.
 * Safe after the main loop was destroyed. */
void chardev_close(struct chardev *chr);

/* Put the terminal back to how it was (idempotent; also run by atexit). */
void chardev_restore_tty(void);

#endif
