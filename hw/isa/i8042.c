/*
 * i8042.c - the 8042 keyboard controller of the PC/AT and PS/2 ("i8042")
 * with a PS/2 (MF II) keyboard behind it.
 *
 * Spec: IBM PC AT Technical Reference (1986), "Keyboard Controller":
 * status register (OBF, IBF, system flag, command/data (A2), inhibit
 * switch, timeouts, parity), command byte, input/output ports and the
 * controller commands 20-3F/60-7F (read/write internal RAM, byte 0 being
 * the command byte), AA self-test (55), AB interface test (00), AD/AE,
 * C0, D0/D1 (output port: bit 0 system reset, active low; bit 1 A20
 * gate), F0-FF (pulse output port bits 0-3 low: a 0 in bit n of the
 * command pulses bit n, so FE resets the CPU), and the set 2 to set 1
 * translation.  IBM PS/2 Hardware Interface Technical Reference,
 * "Keyboard/Auxiliary Device Controller": auxiliary output buffer full
 * (status bit 5), general timeout (bit 6), command byte bits 1 (aux
 * interrupt), 5 (disable aux), 6 (translate), commands A7/A8/A9, D2/D3
 * (write keyboard/aux output buffer), D4 (write to aux device).  IBM
 * Keyboard Technical Reference (101/102-key): commands ED, EE, F0, F2, F3,
 * F4, F5, F6, FE, FF and responses FA (ack), FE (resend), AA (BAT ok),
 * EE (echo), AB 83 (ID); a 16-byte buffer followed by the overrun code
 * (00 in sets 2 and 3, FF in set 1).
 *
 * Model: the controller answers at once (IBF always reads 0).  Its single
 * output buffer is fed from the keyboard's queue whenever it is empty and
 * the keyboard clock is enabled (command byte bit 4 = 0); controller
 * replies overwrite it.  IRQ1 = OBF from the keyboard and command byte bit
 * 0; IRQ12 = OBF from the aux side and bit 1; the line drops and rises
 * again when the next byte follows a read, so an edge-triggered PIC sees
 * every byte.  A byte written to the keyboard (port 60 with no controller
 * command pending) enables the keyboard clock again, as BIOSes expect
 * when they talk to the keyboard with the interface disabled.  No device
 * is attached to the auxiliary port: D4 writes time out (status bit 6 and
 * byte FE from the aux side), which is what a PS/2 controller without a
 * mouse reports; D3 still loops bytes back as aux data.  Keyboard sets 1
 * and 2 are supported; set 3 is refused with FE (resend), after which the
 * keyboard stays in its set.  The power-on output port is CF (reset
 * inactive, A20 enabled, clock/data lines high: the 8042's
 * quasi-bidirectional port comes out of reset high); the command byte is
 * 00 until firmware writes it; the input port reads A0 (keyboard not
 * inhibited, colour display, no manufacturing jumper).
 *
 * Not implemented: the password commands (A4 answers F1, "not
 * installed"; A5/A6 are ignored), C1/C2 input port polling, E0 test
 * inputs, keyboard typematic repeat (the rate is stored), set 3 and its
 * key-type commands F7-FD (answered FE), transmission timing (bytes move
 * at once), parity errors, a PS/2 mouse.
 */
#include "hw/isa/i8042.h"
#include "hw/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hw/core/machine.h"
#include "util/log.h"

#define ST_OBF    0x01
#define ST_IBF    0x02
#define ST_SYS    0x04
#define ST_A2     0x08   /* last write was to the command port */
#define ST_INH    0x10   /* 1 = keyboard not inhibited (key lock off) */
#define ST_AUXB   0x20   /* output buffer holds aux data */
#define ST_TIMEOUT 0x40
#define ST_PARITY 0x80

#define CB_KBDINT 0x01
#define CB_AUXINT 0x02
#define CB_SYS    0x04
#define CB_KBDDIS 0x10
#define CB_AUXDIS 0x20
#define CB_XLATE  0x40

#define OP_RESET  0x01   /* active low */
#define OP_A20    0x02
#define OP_IRQ1   0x10   /* output buffer full (keyboard) */
#define OP_IRQ12  0x20   /* output buffer full (aux) */

#define INPUT_PORT 0xa0
#define OUTPORT_POWER_ON 0xcf

#define KBD_QSIZE 16     /* the keyboard's buffer; one more slot holds overrun */

/* Keyboard commands and replies. */
#define KBD_ACK    0xfa
#define KBD_RESEND 0xfe
#define KBD_BAT_OK 0xaa
#define KBD_ECHO   0xee
#define KBD_TYPEMATIC_DEFAULT 0x2b   /* 10.9 characters/s, 500 ms delay */

struct ps2_kbd {
    uint8_t q[KBD_QSIZE + 1];
    unsigned head, count;
    uint8_t expect;          /* command waiting for its argument, 0 = none */
    uint8_t set;             /* scan code set: 1 or 2 */
    uint8_t leds, typematic;
    bool scanning;
    bool set1_break;         /* set 1 conversion saw F0 */
    uint8_t last_sent;       /* for FE (resend) */
};

struct i8042 {
    struct device dev;
    uint32_t data_port, cmd_port;   /* properties */

    uint8_t ram[32];         /* ram[0] is the command byte */
    uint8_t outport;         /* bits 0-3 and 6-7; 4-5 follow the buffer */
    uint8_t obuf;
    bool obf, obf_aux;
    bool a2, timeout;
    uint8_t pending;         /* controller command waiting for a data byte */
    bool xlat_break;         /* translation saw F0 */
    struct ps2_kbd kbd;

    void (*a20_fn)(void *opaque, bool on);
    void *a20_opaque;
    int irq1_level, irq12_level;
    bool data_registered, cmd_registered;
};

/* The 8042's set 2 -> set 1 table for codes 00-7F; codes 80-FF pass
 * unchanged except 83 (F7) -> 41 and 84 (Alt+SysRq) -> 54.  A set 2 F0
 * (break prefix) is swallowed and sets bit 7 of the next translated code. */
static const uint8_t xlate_lo[128] = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

static uint8_t xlate(uint8_t b)
{
    if (b < 0x80)
        return xlate_lo[b];
    if (b == 0x83)
        return 0x41;
    if (b == 0x84)
        return 0x54;
    return b;
}

/* ---- the PS/2 keyboard ---- */

static void kbd_clear(struct ps2_kbd *k)
{
    k->head = k->count = 0;
}

/* Replies and scan codes share the 16-byte buffer; a scan code that does
 * not fit leaves the overrun code in the 17th place (scan == true). */
static void kbd_push(struct ps2_kbd *k, uint8_t b, bool scan)
{
    if (k->count < KBD_QSIZE) {
        k->q[(k->head + k->count) % (KBD_QSIZE + 1)] = b;
        k->count++;
    } else if (scan && k->count == KBD_QSIZE) {
        k->q[(k->head + k->count) % (KBD_QSIZE + 1)] = k->set == 1 ? 0xff : 0x00;
        k->count++;
    }
}

static uint8_t kbd_pop(struct ps2_kbd *k)
{
    uint8_t b = k->q[k->head];

    k->head = (k->head + 1) % (KBD_QSIZE + 1);
    k->count--;
    k->last_sent = b;
    return b;
}

static void kbd_defaults(struct ps2_kbd *k)
{
    k->typematic = KBD_TYPEMATIC_DEFAULT;
    k->expect = 0;
    k->set1_break = false;
}

static void kbd_power_on(struct ps2_kbd *k)
{
    kbd_clear(k);
    kbd_defaults(k);
    k->set = 2;
    k->leds = 0;
    k->scanning = true;
    k->last_sent = 0;
}

/* A byte from the controller (port 60 write). */
static void kbd_receive(struct ps2_kbd *k, uint8_t b)
{
    if (k->expect) {
        uint8_t cmd = k->expect;

        k->expect = 0;
        /* A command byte in place of the argument starts that command. */
        if (b < 0xed) {
            switch (cmd) {
            case 0xed:
                k->leds = b & 0x07;
                kbd_push(k, KBD_ACK, false);
                return;
            case 0xf3:
                k->typematic = b & 0x7f;
                kbd_push(k, KBD_ACK, false);
                return;
            default: /* 0xf0: scan code set */
                if (b == 0) {
                    kbd_push(k, KBD_ACK, false);
                    kbd_push(k, k->set, false);
                } else if (b == 1 || b == 2) {
                    k->set = b;
                    k->set1_break = false;
                    kbd_push(k, KBD_ACK, false);
                } else {
                    kbd_push(k, KBD_RESEND, false);
                }
                return;
            }
        }
    }
    switch (b) {
    case 0xed:                        /* set LEDs */
    case 0xf0:                        /* get/set scan code set */
    case 0xf3:                        /* set typematic rate/delay */
        k->expect = b;
        kbd_push(k, KBD_ACK, false);
        break;
    case 0xee:
        kbd_push(k, KBD_ECHO, false);
        break;
    case 0xf2:
        kbd_push(k, KBD_ACK, false);
        kbd_push(k, 0xab, false);
        kbd_push(k, 0x83, false);
        break;
    case 0xf4:                        /* enable: clear buffer, scan */
        kbd_clear(k);
        k->scanning = true;
        kbd_push(k, KBD_ACK, false);
        break;
    case 0xf5:                        /* default and disable */
        kbd_clear(k);
        kbd_defaults(k);
        k->scanning = false;
        kbd_push(k, KBD_ACK, false);
        break;
    case 0xf6:                        /* set default */
        kbd_clear(k);
        kbd_defaults(k);
        kbd_push(k, KBD_ACK, false);
        break;
    case 0xfe:                        /* resend the last byte */
        kbd_push(k, k->last_sent, false);
        break;
    case 0xff:                        /* reset: ack, then BAT passed */
        kbd_power_on(k);
        kbd_push(k, KBD_ACK, false);
        kbd_push(k, KBD_BAT_OK, false);
        break;
    default:
        vlog(LOG_GUEST_ERROR, "i8042: unknown keyboard command 0x%02x\n", b);
        kbd_push(k, KBD_RESEND, false);
        break;
    }
}

/* Set 2 bytes from the UI, converted to the keyboard's set. */
static void kbd_keys(struct ps2_kbd *k, const uint8_t *p, size_t n)
{
    if (!k->scanning)
        return;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = p[i];

        if (k->set == 1) {
            if (b == 0xf0) {
                k->set1_break = true;
                continue;
            }
            b = xlate(b) | (k->set1_break ? 0x80 : 0);
            k->set1_break = false;
        }
        kbd_push(k, b, true);
    }
}

/* ---- the controller ---- */

static void kbc_update_irq(struct i8042 *s)
{
    int l1 = s->obf && !s->obf_aux && (s->ram[0] & CB_KBDINT);
    int l12 = s->obf && s->obf_aux && (s->ram[0] & CB_AUXINT);

    if (l1 != s->irq1_level) {
        s->irq1_level = l1;
        irq_set(&s->dev.irq[0], l1);
    }
    if (l12 != s->irq12_level) {
        s->irq12_level = l12;
        irq_set(&s->dev.irq[1], l12);
    }
}

/* Move the next keyboard byte into an empty output buffer. */
static void kbc_pump(struct i8042 *s)
{
    struct ps2_kbd *k = &s->kbd;

    /* Each pass consumes a queued byte, so this ends. */
    while (!s->obf && !(s->ram[0] & CB_KBDDIS) && k->count) {
        uint8_t b = kbd_pop(k);

        if (s->ram[0] & CB_XLATE) {
            if (b == 0xf0) {
                s->xlat_break = true;
                continue;
            }
            b = xlate(b) | (s->xlat_break ? 0x80 : 0);
            s->xlat_break = false;
        }
        s->obuf = b;
        s->obf = true;
        s->obf_aux = false;
    }
    kbc_update_irq(s);
}

/* A byte the controller itself puts in the output buffer. */
static void kbc_reply(struct i8042 *s, uint8_t b, bool aux)
{
    s->obuf = b;
    s->obf = true;
    s->obf_aux = aux;
    /* A new byte: drop the line first so an edge-triggered PIC sees it. */
    s->irq1_level = s->irq12_level = -1;
    irq_set(&s->dev.irq[0], 0);
    irq_set(&s->dev.irq[1], 0);
    kbc_update_irq(s);
}

static void set_outport(struct i8042 *s, uint8_t v)
{
    uint8_t old = s->outport;

    s->outport = v & ~(OP_IRQ1 | OP_IRQ12);
    if (((old ^ s->outport) & OP_A20) && s->a20_fn)
        s->a20_fn(s->a20_opaque, (s->outport & OP_A20) != 0);
    if (!(s->outport & OP_RESET)) {
        /* System reset is active low; the CPU reset pulls it back up. */
        vlog(LOG_INT, "i8042: reset through the output port\n");
        machine_request_reset(s->dev.machine);
    }
}

static uint8_t read_outport(const struct i8042 *s)
{
    uint8_t v = s->outport;

    if (s->obf)
        v |= s->obf_aux ? OP_IRQ12 : OP_IRQ1;
    return v;
}

static void write_command_byte(struct i8042 *s, uint8_t v)
{
    s->ram[0] = v;
    kbc_pump(s);
}

static void kbc_command(struct i8042 *s, uint8_t cmd)
{
    s->pending = 0;
    if (cmd >= 0x20 && cmd <= 0x3f) {
        kbc_reply(s, s->ram[cmd & 0x1f], false);
        return;
    }
    if ((cmd >= 0x60 && cmd <= 0x7f) || (cmd >= 0xd1 && cmd <= 0xd4)) {
        s->pending = cmd;
        return;
    }
    if (cmd >= 0xf0) {
        /* Pulse output port bits 0-3 whose command bit is 0. */
        if (!(cmd & OP_RESET)) {
            vlog(LOG_INT, "i8042: reset pulse (command 0x%02x)\n", cmd);
            machine_request_reset(s->dev.machine);
        }
        return;
    }
    switch (cmd) {
    case 0xa4:                        /* password installed? no */
        kbc_reply(s, 0xf1, false);
        break;
    case 0xa7:
        write_command_byte(s, s->ram[0] | CB_AUXDIS);
        break;
    case 0xa8:
        write_command_byte(s, s->ram[0] & ~CB_AUXDIS);
        break;
    case 0xa9:                        /* aux interface test: no error */
        kbc_reply(s, 0x00, false);
        break;
    case 0xaa:                        /* self-test passed */
        kbc_reply(s, 0x55, false);
        break;
    case 0xab:                        /* keyboard interface test: no error */
        kbc_reply(s, 0x00, false);
        break;
    case 0xad:
        write_command_byte(s, s->ram[0] | CB_KBDDIS);
        break;
    case 0xae:
        write_command_byte(s, s->ram[0] & ~CB_KBDDIS);
        break;
    case 0xc0:
        kbc_reply(s, INPUT_PORT, false);
        break;
    case 0xd0:
        kbc_reply(s, read_outport(s), false);
        break;
    default:
        vlog(LOG_UNIMP, "i8042: controller command 0x%02x not implemented\n", cmd);
        break;
    }
}

static void kbc_data(struct i8042 *s, uint8_t v)
{
    uint8_t cmd = s->pending;

    s->pending = 0;
    if (cmd >= 0x60 && cmd <= 0x7f) {
        if (cmd == 0x60)
            write_command_byte(s, v);
        else
            s->ram[cmd & 0x1f] = v;
        return;
    }
    switch (cmd) {
    case 0xd1:
        set_outport(s, v);
        break;
    case 0xd2:                        /* as if from the keyboard */
        kbc_reply(s, v, false);
        break;
    case 0xd3:                        /* as if from the aux device */
        kbc_reply(s, v, true);
        break;
    case 0xd4:                        /* to the aux device: none there */
        s->timeout = true;
        kbc_reply(s, 0xfe, true);
        break;
    default:
        /* To the keyboard; talking to it enables its clock again. */
        s->ram[0] &= ~CB_KBDDIS;
        kbd_receive(&s->kbd, v);
        kbc_pump(s);
        break;
    }
}

static uint8_t kbc_status(const struct i8042 *s)
{
    uint8_t v = ST_INH;

    if (s->obf)
        v |= ST_OBF | (s->obf_aux ? ST_AUXB : 0);
    if (s->ram[0] & CB_SYS)
        v |= ST_SYS;
    if (s->a2)
        v |= ST_A2;
    if (s->timeout)
        v |= ST_TIMEOUT;
    return v;
}

static uint64_t data_read(void *opaque, uint64_t offset, unsigned size)
{
    struct i8042 *s = opaque;
    uint8_t v = s->obuf;

    if (s->obf) {
        s->obf = false;
        s->timeout = false;
        kbc_update_irq(s);            /* lower, then maybe the next byte */
        kbc_pump(s);
    }
    return v;
}

static void data_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct i8042 *s = opaque;

    s->a2 = false;
    kbc_data(s, (uint8_t)val);
}

static uint64_t cmd_read(void *opaque, uint64_t offset, unsigned size)
{
    return kbc_status(opaque);
}

static void cmd_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct i8042 *s = opaque;

    s->a2 = true;
    kbc_command(s, (uint8_t)val);
}

static const struct io_ops data_ops = { .read = data_read, .write = data_write, .max_access = 1 };
static const struct io_ops cmd_ops = { .read = cmd_read, .write = cmd_write, .max_access = 1 };

void i8042_key_event(void *kbc, const uint8_t *set2_bytes, size_t n)
{
    struct i8042 *s = kbc;

    kbd_keys(&s->kbd, set2_bytes, n);
    kbc_pump(s);
}

bool i8042_a20(void *kbc)
{
    return (((struct i8042 *)kbc)->outport & OP_A20) != 0;
}

void i8042_set_a20_handler(void *kbc, void (*fn)(void *opaque, bool on), void *opaque)
{
    struct i8042 *s = kbc;

    s->a20_fn = fn;
    s->a20_opaque = opaque;
}

static void kbc_reset(struct device *dev)
{
    struct i8042 *s = (struct i8042 *)dev;

    memset(s->ram, 0, sizeof(s->ram));
    s->outport = OUTPORT_POWER_ON;
    s->obuf = 0;
    s->obf = s->obf_aux = false;
    s->a2 = s->timeout = false;
    s->pending = 0;
    s->xlat_break = false;
    kbd_power_on(&s->kbd);
    s->irq1_level = s->irq12_level = -1;
    kbc_update_irq(s);
    if (s->a20_fn)
        s->a20_fn(s->a20_opaque, true);
}

static int kbc_realize(struct device *dev, char *err, size_t errlen)
{
    struct i8042 *s = (struct i8042 *)dev;
    struct machine *m = dev->machine;
    int rc;

    if (s->data_port > 0xffff || s->cmd_port > 0xffff || s->data_port == s->cmd_port) {
        snprintf(err, errlen, "i8042: bad ports 0x%x/0x%x", s->data_port, s->cmd_port);
        return -EINVAL;
    }
    rc = as_add_io(&m->io, s->data_port, 1, &data_ops, s, "i8042-data");
    if (rc < 0)
        goto fail;
    s->data_registered = true;
    rc = as_add_io(&m->io, s->cmd_port, 1, &cmd_ops, s, "i8042-cmd");
    if (rc < 0) {
        as_remove(&m->io, s->data_port);
        s->data_registered = false;
        goto fail;
    }
    s->cmd_registered = true;
    return 0;
fail:
    snprintf(err, errlen, "i8042: cannot claim I/O ports 0x%x and 0x%x%s", s->data_port,
             s->cmd_port, rc == -EEXIST ? " (already in use)" : "");
    return rc;
}

static void kbc_unrealize(struct device *dev)
{
    struct i8042 *s = (struct i8042 *)dev;

    if (s->data_registered)
        as_remove(&dev->machine->io, s->data_port);
    if (s->cmd_registered)
        as_remove(&dev->machine->io, s->cmd_port);
    s->data_registered = s->cmd_registered = false;
}

static const struct prop_desc kbc_props[] = {
    { "data_port", PROP_U32, offsetof(struct i8042, data_port), "0x60", "data port" },
    { "cmd_port", PROP_U32, offsetof(struct i8042, cmd_port), "0x64",
      "command/status port" },
    { NULL, PROP_U32, 0, NULL, NULL },
};

const struct device_desc i8042_desc = {
    .name = "i8042",
    .help = "8042 keyboard controller with a PS/2 keyboard",
    .state_size = sizeof(struct i8042),
    .props = kbc_props,
    .user_creatable = false,
    .realize = kbc_realize,
    .reset = kbc_reset,
    .unrealize = kbc_unrealize,
};
