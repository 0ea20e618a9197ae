/*
 * serial16550.c - National Semiconductor PC16550D UART ("isa-serial").
 *
 * Spec: PC16550D datasheet (National Semiconductor, June 1995): the
 * register summary, Line Control, Line Status, FIFO Control, Interrupt
 * Identification (its priority table), Interrupt Enable, MODEM Control
 * (loopback), MODEM Status, Scratchpad, "FIFO Interrupt Mode Operation"
 * (character timeout) and the UART reset configuration table.
 *
 * Model: all eight registers plus the divisor latch.  The receiver holds
 * a 16-entry FIFO (depth 1 in 16450 mode) with per-character error flags.
 * The transmitter is infinitely fast: a THR write goes to the back end at
 * once (or, in loopback, into the receiver), so THRE and TEMT always read
 * 1 and the THRE interrupt re-arms as soon as THR is written.  The IRQ line
 * lowers and rises again around a THR write so an edge-triggered PIC sees
 * a fresh edge.  Character time, for the RX timeout, follows the divisor
 * latch and LCR: 1.8432 MHz / 16 / divisor baud, 1 start + 5..8 data +
 * parity + 1/1.5/2 stop bits.  A zero divisor (outside the datasheet's
 * 1..65535) is timed as 1.  The timeout indication is latched after 4
 * character times without FIFO activity while data is present, and reads
 * as IIR 0xC only while the FIFO is below its trigger (at or above it the
 * same-priority received-data code 0x4 is reported); a FIFO read clears it.
 *
 * The modem inputs of a non-loopback port read as a ready null-modem cable
 * (CTS, DSR, DCD asserted, RI not), since the host back end is always
 * "connected".  IRQ output follows PC wiring: INTRPT is gated by the OUT2
 * pin, so the line is asserted only when an interrupt is pending, MCR.OUT2
 * is set and loopback is off (in loopback OUT2's pin is forced inactive).
 * DLL, DLM and SCR are not changed by reset (the datasheet's master reset
 * does not touch them); they are zero at power-on.
 *
 * Not implemented: parity/framing errors (no wire to corrupt; word length,
 * stop bits and parity are stored and only used for timing), transmit
 * timing, break transmission (LCR bit 6 is stored), DMA mode signalling
 * (FCR bit 3 is stored), the baud-rate limit on received data (host input
 * arrives as fast as the FIFO takes it), 5..7-bit masking of data bytes.
 */
#include "hw/char/serial16550.h"
#include "hw/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "hw/core/chardev.h"
#include "hw/core/machine.h"
#include "util/log.h"

/* Register offsets (register summary); 0 and 1 are DLL/DLM while LCR.DLAB = 1. */
enum { REG_DATA, REG_IER, REG_IIR_FCR, REG_LCR, REG_MCR, REG_LSR, REG_MSR, REG_SCR, NREGS };

#define IER_ERBFI  0x01  /* received data available (and timeout) */
#define IER_ETBEI  0x02  /* THR empty */
#define IER_ELSI   0x04  /* receiver line status */
#define IER_EDSSI  0x08  /* modem status */
#define IER_MASK   0x0f

#define IIR_NONE   0x01
#define IIR_RLS    0x06
#define IIR_RDA    0x04
#define IIR_CTI    0x0c
#define IIR_THRE   0x02
#define IIR_MSI    0x00
#define IIR_FIFO   0xc0  /* bits 6-7 follow FCR0 */

#define FCR_ENABLE   0x01
#define FCR_RX_RESET 0x02
#define FCR_TX_RESET 0x04
#define FCR_DMA      0x08
#define FCR_TRIGGER  0xc0

#define LCR_WLS    0x03
#define LCR_STB    0x04
#define LCR_PEN    0x08
#define LCR_BREAK  0x40
#define LCR_DLAB   0x80

#define MCR_DTR    0x01
#define MCR_RTS    0x02
#define MCR_OUT1   0x04
#define MCR_OUT2   0x08
#define MCR_LOOP   0x10
#define MCR_MASK   0x1f

#define LSR_DR     0x01
#define LSR_OE     0x02
#define LSR_PE     0x04
#define LSR_FE     0x08
#define LSR_BI     0x10
#define LSR_THRE   0x20
#define LSR_TEMT   0x40
#define LSR_RXFE   0x80  /* error in RCVR FIFO (FIFO mode only) */
#define LSR_ERRORS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS   0x01
#define MSR_DDSR   0x02
#define MSR_TERI   0x04
#define MSR_DDCD   0x08
#define MSR_CTS    0x10
#define MSR_DSR    0x20
#define MSR_RI     0x40
#define MSR_DCD    0x80

#define FIFO_SIZE     16
#define UART_CLOCK_HZ 1843200ull

struct serial16550 {
    struct device dev;
    uint32_t iobase;          /* property */

    uint8_t ier, lcr, mcr, msr, scr, dll, dlm, fcr;
    uint8_t lsr_err;          /* latched OE/PE/FE/BI */
    bool fifo_error;          /* latched LSR bit 7 */
    bool thre_pending;        /* THRE interrupt condition */
    bool timeout_pending;     /* character timeout indication */
    uint8_t rbr_last;         /* what RBR reads when the receiver is empty */

    /* Receiver FIFO; in 16450 mode only one entry is used (the RBR). */
    uint8_t rx_data[FIFO_SIZE];
    uint8_t rx_flags[FIFO_SIZE]; /* LSR_BI/PE/FE of each character */
    unsigned rx_head, rx_count;
    unsigned rx_errors;       /* characters in the FIFO with error flags */

    struct vtimer timeout_timer;
    int irq_level;            /* last level driven; -1 = unknown */
    bool io_registered;
};

static bool fifo_on(const struct serial16550 *s)
{
    return s->fcr & FCR_ENABLE;
}

static unsigned rx_capacity(const struct serial16550 *s)
{
    return fifo_on(s) ? FIFO_SIZE : 1;
}

static unsigned rx_trigger(const struct serial16550 *s)
{
    static const unsigned levels[4] = { 1, 4, 8, 14 };

    return levels[s->fcr >> 6];
}

/* The highest-priority pending interrupt, as IIR reads (the IIR priority table). */
static uint8_t serial_iir(const struct serial16550 *s)
{
    uint8_t id = IIR_NONE;

    if ((s->ier & IER_ELSI) && (s->lsr_err & LSR_ERRORS)) {
        id = IIR_RLS;
    } else if ((s->ier & IER_ERBFI) && s->rx_count &&
               (!fifo_on(s) || s->rx_count >= rx_trigger(s))) {
        id = IIR_RDA;
    } else if ((s->ier & IER_ERBFI) && fifo_on(s) && s->timeout_pending && s->rx_count) {
        id = IIR_CTI;
    } else if ((s->ier & IER_ETBEI) && s->thre_pending) {
        id = IIR_THRE;
    } else if ((s->ier & IER_EDSSI) && (s->msr & 0x0f)) {
        id = IIR_MSI;
    }
    return id | (fifo_on(s) ? IIR_FIFO : 0);
}

/* The one place that decides the IRQ line: pending interrupt, gated by the
 * OUT2 pin as on the PC (inactive in loopback). */
static void serial_update_irq(struct serial16550 *s)
{
    int level = !(serial_iir(s) & IIR_NONE) && (s->mcr & MCR_OUT2) && !(s->mcr & MCR_LOOP);

    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(&s->dev.irq[0], level);
    }
}

/* Four character times in ns, rounded up, from the divisor and LCR. */
static uint64_t timeout_ns(const struct serial16550 *s)
{
    uint64_t divisor = (uint64_t)s->dlm << 8 | s->dll;
    unsigned word = 5 + (s->lcr & LCR_WLS);
    unsigned half_bits = 2 * (1 + word + ((s->lcr & LCR_PEN) ? 1 : 0));

    if (!divisor)
        divisor = 1;
    if (s->lcr & LCR_STB)
        half_bits += word == 5 ? 3 : 4;   /* 1.5 or 2 stop bits */
    else
        half_bits += 2;
    /* 4 chars * half_bits/2 bits * 16 clocks * divisor / 1.8432 MHz;
     * at most 4*24*16*65535*1e9 ~ 1e17, no overflow. */
    uint64_t num = 4ull * half_bits * 16 * divisor * 1000000000ull;
    uint64_t den = 2 * UART_CLOCK_HZ;
    return (num + den - 1) / den;
}

/* Restart the "no FIFO activity" timer (FIFO Interrupt Mode Operation:
 * reset on every received character and every CPU read of the FIFO). */
static void timeout_restart(struct serial16550 *s)
{
    if (fifo_on(s) && s->rx_count)
        vtimer_mod(&s->timeout_timer, vclock_now(&s->dev.machine->clock) + timeout_ns(s));
    else
        vtimer_del(&s->timeout_timer);
}

static void timeout_expired(void *opaque)
{
    struct serial16550 *s = opaque;

    if (fifo_on(s) && s->rx_count) {
        s->timeout_pending = true;
        serial_update_irq(s);
    }
}

/* The character at the top of the FIFO reveals its error flags in LSR. */
static void reveal_top(struct serial16550 *s)
{
    if (s->rx_count)
        s->lsr_err |= s->rx_flags[s->rx_head];
}

static void rx_clear(struct serial16550 *s)
{
    s->rx_head = s->rx_count = s->rx_errors = 0;
    s->timeout_pending = false;
    vtimer_del(&s->timeout_timer);
}

/* A character (with error FLAGS) leaves the receiver shift register. */
static void rx_push(struct serial16550 *s, uint8_t byte, uint8_t flags)
{
    if (s->rx_count >= rx_capacity(s)) {
        s->lsr_err |= LSR_OE;
        if (!fifo_on(s)) {
            /* 16450 mode: the new character overwrites the unread RBR. */
            if (s->rx_flags[s->rx_head])
                s->rx_errors--;
            s->rx_data[s->rx_head] = byte;
            s->rx_flags[s->rx_head] = flags;
            if (flags)
                s->rx_errors++;
            reveal_top(s);
        }
        /* FIFO mode: the shift register is overwritten, the FIFO kept. */
    } else {
        unsigned idx = (s->rx_head + s->rx_count) % FIFO_SIZE;

        s->rx_data[idx] = byte;
        s->rx_flags[idx] = flags;
        s->rx_count++;
        if (flags) {
            s->rx_errors++;
            if (fifo_on(s))
                s->fifo_error = true;
        }
        if (s->rx_count == 1)
            reveal_top(s);
    }
    timeout_restart(s);
}

static uint8_t rx_pop(struct serial16550 *s)
{
    if (!s->rx_count)
        return s->rbr_last;
    s->rbr_last = s->rx_data[s->rx_head];
    if (s->rx_flags[s->rx_head])
        s->rx_errors--;
    s->rx_head = (s->rx_head + 1) % FIFO_SIZE;
    s->rx_count--;
    reveal_top(s);
    s->timeout_pending = false;
    timeout_restart(s);
    return s->rbr_last;
}

/* MSR bits 4-7: in loopback driven by MCR (RTS->CTS, DTR->DSR, OUT1->RI,
 * OUT2->DCD); otherwise the host side, a ready null-modem cable. */
static uint8_t modem_inputs(const struct serial16550 *s)
{
    uint8_t in = 0;

    if (!(s->mcr & MCR_LOOP))
        return MSR_CTS | MSR_DSR | MSR_DCD;
    if (s->mcr & MCR_RTS)
        in |= MSR_CTS;
    if (s->mcr & MCR_DTR)
        in |= MSR_DSR;
    if (s->mcr & MCR_OUT1)
        in |= MSR_RI;
    if (s->mcr & MCR_OUT2)
        in |= MSR_DCD;
    return in;
}

static void update_msr(struct serial16550 *s)
{
    uint8_t now = modem_inputs(s), old = s->msr & 0xf0, changed = now ^ old;

    if (changed & MSR_CTS)
        s->msr |= MSR_DCTS;
    if (changed & MSR_DSR)
        s->msr |= MSR_DDSR;
    if (changed & MSR_DCD)
        s->msr |= MSR_DDCD;
    if ((old & MSR_RI) && !(now & MSR_RI))   /* trailing edge of RI */
        s->msr |= MSR_TERI;
    s->msr = (s->msr & 0x0f) | now;
}

static void transmit(struct serial16550 *s, uint8_t byte)
{
    if (s->mcr & MCR_LOOP)
        rx_push(s, byte, 0);          /* SOUT held marking; data looped */
    else
        chr_write(s->dev.chr, &byte, 1);
}

static void write_fcr(struct serial16550 *s, uint8_t val)
{
    /* Changing FCR0 clears both FIFOs (FIFO Control Register). */
    if ((val ^ s->fcr) & FCR_ENABLE) {
        rx_clear(s);
        s->fifo_error = false;
    }
    if (!(val & FCR_ENABLE)) {
        /* The other bits are only programmed while FCR0 is written as 1. */
        s->fcr &= ~FCR_ENABLE;
        return;
    }
    s->fcr = val & (FCR_ENABLE | FCR_DMA | FCR_TRIGGER);
    if (val & FCR_RX_RESET)
        rx_clear(s);
    /* FCR_TX_RESET: the transmit FIFO is always empty here. */
}

static uint8_t read_lsr(struct serial16550 *s)
{
    uint8_t v = s->lsr_err | LSR_THRE | LSR_TEMT;

    if (s->rx_count)
        v |= LSR_DR;
    if (s->fifo_error)
        v |= LSR_RXFE;
    /* Reading LSR clears the error bits; bit 7 only when no erroneous
     * character is left in the FIFO. */
    s->lsr_err = 0;
    s->fifo_error = s->rx_errors && fifo_on(s);
    return v;
}

static uint64_t serial_read(void *opaque, uint64_t offset, unsigned size)
{
    struct serial16550 *s = opaque;
    uint8_t v;

    if (offset >= NREGS || size != 1) {
        vlog(LOG_GUEST_ERROR, "isa-serial: bad read at offset %llu size %u\n",
             (unsigned long long)offset, size);
        return ~0ull;
    }
    switch (offset) {
    case REG_DATA:
        if (s->lcr & LCR_DLAB)
            return s->dll;
        v = rx_pop(s);
        break;
    case REG_IER:
        return (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
    case REG_IIR_FCR:
        v = serial_iir(s);
        /* Reading IIR clears THRE when THRE is what it reports. */
        if ((v & 0x0f) == IIR_THRE)
            s->thre_pending = false;
        break;
    case REG_LCR:
        return s->lcr;
    case REG_MCR:
        return s->mcr;
    case REG_LSR:
        v = read_lsr(s);
        break;
    case REG_MSR:
        v = s->msr;
        s->msr &= 0xf0;               /* reading clears the delta bits */
        break;
    default:
        return s->scr;
    }
    serial_update_irq(s);
    return v;
}

static void serial_write(void *opaque, uint64_t offset, uint64_t val64, unsigned size)
{
    struct serial16550 *s = opaque;
    uint8_t val = (uint8_t)val64, old;

    if (offset >= NREGS || size != 1) {
        vlog(LOG_GUEST_ERROR, "isa-serial: bad write at offset %llu size %u\n",
             (unsigned long long)offset, size);
        return;
    }
    switch (offset) {
    case REG_DATA:
        if (s->lcr & LCR_DLAB) {
            s->dll = val;
            return;
        }
        /* Writing THR clears THRE; the character leaves at once and THR
         * is empty again.  Two updates give an edge-triggered PIC a new
         * edge, as the real line would drop while the byte is sent. */
        s->thre_pending = false;
        serial_update_irq(s);
        transmit(s, val);
        s->thre_pending = true;
        break;
    case REG_IER:
        if (s->lcr & LCR_DLAB) {
            s->dlm = val;
            return;
        }
        old = s->ier;
        s->ier = val & IER_MASK;
        /* Enabling ETBEI with THR empty raises THRE at once. */
        if (!(old & IER_ETBEI) && (s->ier & IER_ETBEI))
            s->thre_pending = true;
        break;
    case REG_IIR_FCR:
        write_fcr(s, val);
        break;
    case REG_LCR:
        s->lcr = val;
        return;
    case REG_MCR:
        s->mcr = val & MCR_MASK;
        update_msr(s);
        break;
    case REG_LSR:
    case REG_MSR:
        vlog(LOG_GUEST_ERROR, "isa-serial: write 0x%02x to read-only %s ignored\n", val,
             offset == REG_LSR ? "LSR" : "MSR");
        return;
    default:
        s->scr = val;
        return;
    }
    serial_update_irq(s);
}

static const struct io_ops serial_ops = {
    .read = serial_read,
    .write = serial_write,
    .max_access = 1,
};

/* Front-end callbacks for the chardev: room left in the receiver.  In
 * loopback SIN is disconnected, so host input waits. */
static int serial_can_receive(void *opaque)
{
    struct serial16550 *s = opaque;

    if (s->mcr & MCR_LOOP)
        return 0;
    return (int)(rx_capacity(s) - s->rx_count);
}

static void serial_receive(void *opaque, const uint8_t *buf, size_t len)
{
    struct serial16550 *s = opaque;

    if (s->mcr & MCR_LOOP)
        return;
    for (size_t i = 0; i < len; i++)
        rx_push(s, buf[i], 0);
    serial_update_irq(s);
}

void serial16550_receive_break(struct device *dev)
{
    struct serial16550 *s = (struct serial16550 *)dev;

    if (dev->desc != &serial16550_desc || (s->mcr & MCR_LOOP))
        return;
    /* One zero character is loaded, with BI (Line Status Register). */
    rx_push(s, 0, LSR_BI);
    serial_update_irq(s);
}

static void serial_reset(struct device *dev)
{
    struct serial16550 *s = (struct serial16550 *)dev;

    /* Reset configuration table: IER, IIR, FCR, LCR, MCR cleared; LSR =
     * 0x60; MSR deltas cleared, bits 4-7 follow the inputs; interrupts low. */
    s->ier = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->fcr = 0;
    s->lsr_err = 0;
    s->fifo_error = false;
    s->thre_pending = false;
    s->rbr_last = 0;
    rx_clear(s);
    s->msr = modem_inputs(s);
    s->irq_level = -1;                /* drive the line once */
    serial_update_irq(s);
}

static int serial_realize(struct device *dev, char *err, size_t errlen)
{
    struct serial16550 *s = (struct serial16550 *)dev;
    struct machine *m = dev->machine;
    int rc;

    if (s->iobase > 0x10000 - NREGS) {
        snprintf(err, errlen, "isa-serial: iobase 0x%x leaves the I/O port space", s->iobase);
        return -EINVAL;
    }
    vtimer_init(&s->timeout_timer, &m->clock, timeout_expired, s);
    rc = as_add_io(&m->io, s->iobase, NREGS, &serial_ops, s, "isa-serial");
    if (rc < 0) {
        snprintf(err, errlen, "isa-serial: cannot claim I/O ports 0x%x-0x%x%s", s->iobase,
                 s->iobase + NREGS - 1, rc == -EEXIST ? " (already in use)" : "");
        return rc;
    }
    s->io_registered = true;
    s->irq_level = -1;
    chr_set_frontend(dev->chr, serial_can_receive, serial_receive, s);
    return 0;
}

static void serial_unrealize(struct device *dev)
{
    struct serial16550 *s = (struct serial16550 *)dev;

    vtimer_del(&s->timeout_timer);
    if (dev->chr && dev->chr->fe_opaque == s)
        chr_set_frontend(dev->chr, NULL, NULL, NULL);
    if (s->io_registered)
        as_remove(&dev->machine->io, s->iobase);
    s->io_registered = false;
}

static const struct prop_desc serial_props[] = {
    { "iobase", PROP_U32, offsetof(struct serial16550, iobase), "0x3f8",
      "first of the 8 I/O ports" },
    { NULL, PROP_U32, 0, NULL, NULL },
};

const struct device_desc serial16550_desc = {
    .name = "isa-serial",
    .help = "PC16550D UART with 16-byte FIFOs",
    .state_size = sizeof(struct serial16550),
    .props = serial_props,
    /* The board creates it from -serial and wires IRQ and chardev. */
    .user_creatable = false,
    .realize = serial_realize,
    .reset = serial_reset,
    .unrealize = serial_unrealize,
};
