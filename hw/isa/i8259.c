/*
 * i8259.c - the PC's cascaded pair of Intel 8259A programmable interrupt
 * controllers, as one device ("i8259"), plus the PIIX3 Edge/Level Control
 * Registers (ELCR) that sit beside them.
 *
 * Spec: Intel 8259A datasheet (order 231468): "Interrupt Sequence",
 * "Initialization Command Words" (ICW1 side effects a-f, ICW2-ICW4),
 * "Operation Command Words" (OCW1-3, Figure 8), "Fully Nested Mode",
 * "End of Interrupt", "Automatic Rotation", "Specific Rotation", "Special
 * Mask Mode", "Poll Command", "Reading the 8259A Status", "Edge and Level
 * Triggered Modes" (default IR7), "The Special Fully Nest Mode",
 * "Cascade Mode".  PIIX3 datasheet, ELCR1/ELCR2 (ports 4D0h/4D1h: IRQ0,
 * 1, 2, 8 and 13 are reserved and always edge).
 *
 * Model: master at iobase (A0 = offset), slave at iobase2, the slave's INT
 * wired to the master's IR2 exactly like a PC.  Each chip has IRR, ISR,
 * IMR, a lowest-priority register for rotation, and its ICW state.  An IR
 * input sets its IRR bit on a rising edge (edge mode) or while high (level
 * mode: LTIM in ICW1, or the input's ELCR bit); in both modes the IRR bit
 * drops when the input goes low, as the datasheet requires the request to
 * be held until INTA; an INTA finding no request gives the chip's IR7
 * vector without setting ISR (a "default IR7").  The master's INT output
 * is a pure function of IRR, IMR, ISR, the priority and the special mask /
 * special fully nested modes, recomputed by pic_update_irq after every
 * change and driven on dev->irq[0].
 *
 * The INTA cycle (i8259_intr_ack) resolves the master; when the winner is
 * an input that ICW3 marks as having a slave, the chip whose ICW3 ID
 * matches (only the physical slave, ID 2, on IR2) supplies the vector; an
 * input marked cascaded with no chip behind it gets 0xff (a floating
 * bus).  The poll command treats the next read of either port as an INTA
 * of that chip only and returns 0x80 | level, or 0x00 when nothing is
 * requesting (the datasheet defines only bit 7 then).
 *
 * Choices where the datasheet is silent: the 8259A has no reset pin and
 * its power-on state is undefined; reset here gives IMR = 0xff (all
 * masked, so an unprogrammed PIC never interrupts), IRR = ISR = 0, vector
 * base 0, IR7 lowest priority, edge mode, IRR selected for reads, ELCR 0.
 * ICW1 also clears ISR (not in the datasheet's list, but a re-initialized
 * chip must not keep a stale in-service level).  A non-specific EOI clears
 * the highest-priority ISR bit that is set, special mask mode or not.
 * Writes to A0 = 0 with D4 = 0 during an ICW sequence act as OCW2/OCW3.
 * Input levels are wires, not chip state: a reset keeps them.
 *
 * Not implemented: MCS-80/85 mode (ICW4 uPM = 0 and ICW1 A5-A7/ADI are
 * stored but the vector is always the 8086 one), buffered mode (BUF, M/S
 * are stored only), more than the one physical slave.
 */
#include "hw/isa/i8259.h"
#include "hw/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "hw/core/machine.h"
#include "util/log.h"

#define ICW1_IC4   0x01
#define ICW1_SNGL  0x02
#define ICW1_LTIM  0x08
#define ICW1_SEL   0x10     /* D4 = 1 on A0 = 0: ICW1 */
#define OCW3_SEL   0x08     /* D4 = 0, D3 = 1 on A0 = 0: OCW3 */
#define ICW4_AEOI  0x02
#define ICW4_SFNM  0x10

/* PIIX3 ELCR: writable bits (IRQ0, 1, 2 and IRQ8, 13 are always edge). */
#define ELCR1_MASK 0xf8
#define ELCR2_MASK 0xde

#define CASCADE_IR 2        /* the slave's INT drives master IR2 */
#define SLAVE_ID   2        /* ... so the slave answers cascade address 2 */

struct pic_chip {
    uint8_t irr, isr, imr;
    uint8_t lines;          /* current level of the IR inputs */
    uint8_t elcr;           /* level-triggered inputs (ELCR) */
    uint8_t elcr_mask;
    uint8_t base;           /* ICW2 T7-T3 */
    uint8_t icw1, icw3, icw4;
    uint8_t init_step;      /* 0 = operational, else the ICW expected next */
    uint8_t lowest;         /* level with the lowest priority */
    bool rotate_aeoi;       /* OCW2 "rotate in automatic EOI mode" */
    bool read_isr;          /* OCW3 RIS */
    bool poll;              /* OCW3 P: the next read is a poll */
    bool smm;               /* special mask mode */
};

struct i8259 {
    struct device dev;
    uint32_t iobase, iobase2, elcr_base;    /* properties */
    struct pic_chip chip[2];                /* [0] master, [1] slave */
    int int_level;          /* last level driven on irq[0]; -1 unknown */
    bool io_master, io_slave, io_elcr;
};

static uint8_t level_mask(const struct pic_chip *c)
{
    return (c->icw1 & ICW1_LTIM) ? 0xff : c->elcr;
}

static bool chip_single(const struct pic_chip *c)
{
    return c->icw1 & ICW1_SNGL;
}

/* Inputs of the master that ICW3 says have a slave (none in single mode). */
static uint8_t cascade_inputs(const struct pic_chip *master)
{
    return chip_single(master) ? 0 : master->icw3;
}

/* An IR input changed level (datasheet priority cell: edge or level sense,
 * and the request latch follows the input down). */
static void chip_set_input(struct pic_chip *c, unsigned n, bool level)
{
    uint8_t bit = (uint8_t)(1u << n);

    if (level) {
        if (!(c->lines & bit) || (level_mask(c) & bit))
            c->irr |= bit;
        c->lines |= bit;
    } else {
        c->lines &= (uint8_t)~bit;
        c->irr &= (uint8_t)~bit;
    }
}

/* The set level of BITS with the highest priority under rotation, or -1. */
static int highest_level(const struct pic_chip *c, uint8_t bits)
{
    for (unsigned i = 0; i < 8; i++) {
        unsigned lvl = (c->lowest + 1 + i) & 7;

        if (bits & (1u << lvl))
            return (int)lvl;
    }
    return -1;
}

/* The request the priority resolver would pass to INT, or -1.  A request
 * wins if it has higher priority than every level in service; in special
 * mask mode masked levels in service do not count; in special fully
 * nested mode a slave's input is not locked out by its own ISR bit. */
static int chip_pending(const struct pic_chip *c, uint8_t cascade)
{
    uint8_t req = c->irr & (uint8_t)~c->imr;
    uint8_t in_service = c->isr;
    bool sfnm = c->icw4 & ICW4_SFNM;

    if (!req)
        return -1;
    if (c->smm)
        in_service &= (uint8_t)~c->imr;
    for (unsigned i = 0; i < 8; i++) {
        unsigned lvl = (c->lowest + 1 + i) & 7;
        uint8_t bit = (uint8_t)(1u << lvl);

        if (in_service & bit)
            return (sfnm && (cascade & bit) && (req & bit)) ? (int)lvl : -1;
        if (req & bit)
            return (int)lvl;
    }
    return -1;
}

/* The acknowledge half of INTA (or a poll) for level LVL on one chip. */
static void chip_ack(struct pic_chip *c, unsigned lvl)
{
    uint8_t bit = (uint8_t)(1u << lvl);

    if (c->icw4 & ICW4_AEOI) {
        if (c->rotate_aeoi)
            c->lowest = (uint8_t)lvl;
    } else {
        c->isr |= bit;
    }
    /* Edge: the request is consumed; level: IRR keeps following the input. */
    c->irr &= (uint8_t)~bit;
    c->irr |= c->lines & level_mask(c) & bit;
}

/* The one place that computes the outputs: slave INT into master IR2,
 * then the master's INT onto irq[0]. */
static void pic_update_irq(struct i8259 *p)
{
    struct pic_chip *m = &p->chip[0];
    int level;

    chip_set_input(m, CASCADE_IR, chip_pending(&p->chip[1], 0) >= 0);
    level = chip_pending(m, cascade_inputs(m)) >= 0;
    if (level != p->int_level) {
        p->int_level = level;
        irq_set(&p->dev.irq[0], level);
    }
}

static void chip_reset(struct pic_chip *c, uint8_t elcr_mask)
{
    uint8_t lines = c->lines;

    *c = (struct pic_chip){ 0 };
    c->lines = lines;
    c->elcr_mask = elcr_mask;
    c->imr = 0xff;
    c->lowest = 7;
}

static void write_icw1(struct pic_chip *c, uint8_t v)
{
    c->icw1 = v;
    c->init_step = 2;
    /* Datasheet ICW1 a-f: edge sense reset, IMR cleared, IR7 lowest
     * priority, slave address 7, special mask off, read IRR, ICW4
     * functions zero without IC4.  (ISR cleared too: see the header.) */
    c->irr = c->lines & level_mask(c);
    c->imr = 0;
    c->isr = 0;
    c->lowest = 7;
    c->icw3 = 7;
    c->smm = false;
    c->read_isr = false;
    c->poll = false;
    c->rotate_aeoi = false;
    if (!(v & ICW1_IC4))
        c->icw4 = 0;
}

/* Data port (A0 = 1): the ICW sequence, else OCW1. */
static void write_data(struct pic_chip *c, uint8_t v)
{
    switch (c->init_step) {
    case 2:
        c->base = v & 0xf8;
        if (!chip_single(c))
            c->init_step = 3;
        else
            c->init_step = (c->icw1 & ICW1_IC4) ? 4 : 0;
        break;
    case 3:
        c->icw3 = v;
        c->init_step = (c->icw1 & ICW1_IC4) ? 4 : 0;
        break;
    case 4:
        c->icw4 = v;
        c->init_step = 0;
        if (!(v & 0x01))
            vlog(LOG_UNIMP, "i8259: ICW4 selects MCS-80/85 mode; 8086 vectors are used\n");
        break;
    default:
        c->imr = v;
        break;
    }
}

static void write_ocw2(struct pic_chip *c, uint8_t v)
{
    unsigned lvl = v & 7;
    int top = highest_level(c, c->isr);

    switch (v >> 5) {
    case 0: /* rotate in automatic EOI mode (clear) */
        c->rotate_aeoi = false;
        break;
    case 4: /* rotate in automatic EOI mode (set) */
        c->rotate_aeoi = true;
        break;
    case 1: /* non-specific EOI */
        if (top >= 0)
            c->isr &= (uint8_t)~(1u << top);
        break;
    case 5: /* rotate on non-specific EOI */
        if (top >= 0) {
            c->isr &= (uint8_t)~(1u << top);
            c->lowest = (uint8_t)top;
        }
        break;
    case 3: /* specific EOI */
        c->isr &= (uint8_t)~(1u << lvl);
        break;
    case 7: /* rotate on specific EOI */
        c->isr &= (uint8_t)~(1u << lvl);
        c->lowest = (uint8_t)lvl;
        break;
    case 6: /* set priority */
        c->lowest = (uint8_t)lvl;
        break;
    default: /* 2: no operation */
        break;
    }
}

static void write_ocw3(struct pic_chip *c, uint8_t v)
{
    if (v & 0x04)
        c->poll = true;
    if (v & 0x02)
        c->read_isr = v & 0x01;
    if (v & 0x40)
        c->smm = v & 0x20;
}

static uint8_t chip_read(struct i8259 *p, unsigned idx, unsigned a0)
{
    struct pic_chip *c = &p->chip[idx];
    uint8_t cascade = idx == 0 ? cascade_inputs(c) : 0;

    if (c->poll) {
        int lvl = chip_pending(c, cascade);

        c->poll = false;
        if (lvl < 0)
            return 0x00;
        chip_ack(c, (unsigned)lvl);
        pic_update_irq(p);
        return (uint8_t)(0x80 | lvl);
    }
    if (a0)
        return c->imr;
    return c->read_isr ? c->isr : c->irr;
}

static void chip_write(struct i8259 *p, unsigned idx, unsigned a0, uint8_t v)
{
    struct pic_chip *c = &p->chip[idx];

    if (a0)
        write_data(c, v);
    else if (v & ICW1_SEL)
        write_icw1(c, v);
    else if (v & OCW3_SEL)
        write_ocw3(c, v);
    else
        write_ocw2(c, v);
    pic_update_irq(p);
}

static uint64_t master_read(void *opaque, uint64_t offset, unsigned size)
{
    return chip_read(opaque, 0, offset & 1);
}

static void master_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    chip_write(opaque, 0, offset & 1, (uint8_t)val);
}

static uint64_t slave_read(void *opaque, uint64_t offset, unsigned size)
{
    return chip_read(opaque, 1, offset & 1);
}

static void slave_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    chip_write(opaque, 1, offset & 1, (uint8_t)val);
}

static uint64_t elcr_read(void *opaque, uint64_t offset, unsigned size)
{
    struct i8259 *p = opaque;

    return p->chip[offset & 1].elcr;
}

static void elcr_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct i8259 *p = opaque;
    struct pic_chip *c = &p->chip[offset & 1];

    if ((uint8_t)val & (uint8_t)~c->elcr_mask)
        vlog(LOG_GUEST_ERROR, "i8259: ELCR%u reserved bits 0x%02x written as 1\n",
             (unsigned)(offset & 1) + 1, (unsigned)((uint8_t)val & (uint8_t)~c->elcr_mask));
    c->elcr = (uint8_t)val & c->elcr_mask;
    /* Inputs now level-triggered request while high. */
    c->irr |= c->lines & level_mask(c);
    pic_update_irq(p);
}

static const struct io_ops master_ops = { .read = master_read, .write = master_write, .max_access = 1 };
static const struct io_ops slave_ops = { .read = slave_read, .write = slave_write, .max_access = 1 };
static const struct io_ops elcr_ops = { .read = elcr_read, .write = elcr_write, .max_access = 1 };

void i8259_set_irq(void *pic, unsigned n, int level)
{
    struct i8259 *p = pic;

    if (n >= 16 || n == CASCADE_IR)
        return;
    chip_set_input(&p->chip[n >> 3], n & 7, level != 0);
    pic_update_irq(p);
}

bool i8259_intr_pending(void *pic)
{
    struct i8259 *p = pic;

    return p->int_level > 0;
}

int i8259_intr_ack(void *pic)
{
    struct i8259 *p = pic;
    struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
    uint8_t cascade = cascade_inputs(m);
    int lvl = chip_pending(m, cascade);
    int vec;

    if (lvl < 0) {
        vec = m->base | 7;                      /* default IR7, ISR untouched */
    } else {
        chip_ack(m, (unsigned)lvl);
        if (!(cascade & (1u << lvl))) {
            vec = m->base | lvl;
        } else if (lvl == CASCADE_IR && !chip_single(s) && (s->icw3 & 7) == SLAVE_ID) {
            int sl = chip_pending(s, 0);

            if (sl < 0) {
                vec = s->base | 7;              /* slave's default IR7 */
            } else {
                chip_ack(s, (unsigned)sl);
                vec = s->base | sl;
            }
        } else {
            vlog(LOG_GUEST_ERROR, "i8259: INTA for cascaded IR%d with no slave answering\n", lvl);
            vec = 0xff;
        }
    }
    pic_update_irq(p);
    return vec;
}

static void i8259_reset(struct device *dev)
{
    struct i8259 *p = (struct i8259 *)dev;

    chip_reset(&p->chip[0], ELCR1_MASK);
    chip_reset(&p->chip[1], ELCR2_MASK);
    pic_update_irq(p);
}

static int claim(struct device *dev, uint32_t base, const struct io_ops *ops, bool *flag,
                 const char *what, char *err, size_t errlen)
{
    int rc;

    if (base > 0x10000 - 2) {
        snprintf(err, errlen, "i8259: %s 0x%x leaves the I/O port space", what, base);
        return -EINVAL;
    }
    rc = as_add_io(&dev->machine->io, base, 2, ops, dev, "i8259");
    if (rc < 0) {
        snprintf(err, errlen, "i8259: cannot claim I/O ports 0x%x-0x%x for %s%s", base, base + 1,
                 what, rc == -EEXIST ? " (already in use)" : "");
        return rc;
    }
    *flag = true;
    return 0;
}

static void i8259_unrealize(struct device *dev)
{
    struct i8259 *p = (struct i8259 *)dev;

    if (p->io_master)
        as_remove(&dev->machine->io, p->iobase);
    if (p->io_slave)
        as_remove(&dev->machine->io, p->iobase2);
    if (p->io_elcr)
        as_remove(&dev->machine->io, p->elcr_base);
    p->io_master = p->io_slave = p->io_elcr = false;
}

static int i8259_realize(struct device *dev, char *err, size_t errlen)
{
    struct i8259 *p = (struct i8259 *)dev;
    int rc;

    p->int_level = -1;
    rc = claim(dev, p->iobase, &master_ops, &p->io_master, "iobase", err, errlen);
    if (!rc)
        rc = claim(dev, p->iobase2, &slave_ops, &p->io_slave, "iobase2", err, errlen);
    if (!rc && p->elcr_base)
        rc = claim(dev, p->elcr_base, &elcr_ops, &p->io_elcr, "elcr", err, errlen);
    if (rc)
        i8259_unrealize(dev);
    return rc;
}

static const struct prop_desc i8259_props[] = {
    { "iobase", PROP_U32, offsetof(struct i8259, iobase), "0x20", "master's two ports" },
    { "iobase2", PROP_U32, offsetof(struct i8259, iobase2), "0xa0", "slave's two ports" },
    { "elcr", PROP_U32, offsetof(struct i8259, elcr_base), "0x4d0",
      "the two ELCR ports (0 = no ELCR)" },
    { NULL, PROP_U32, 0, NULL, NULL },
};

const struct device_desc i8259_desc = {
    .name = "i8259",
    .help = "cascaded 8259A interrupt controller pair with PIIX3 ELCR",
    .state_size = sizeof(struct i8259),
    .props = i8259_props,
    /* The board creates it and wires the CPU's INTR/INTA to it. */
    .user_creatable = false,
    .realize = i8259_realize,
    .reset = i8259_reset,
    .unrealize = i8259_unrealize,
};
