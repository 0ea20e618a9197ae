/*
 * test_i8259.c - the 8259A pair against the Intel 8259A datasheet and the
 * PIIX3 ELCR: power-on state, the PC BIOS ICW sequence and the vectors it
 * gives, fully nested priority (IRQ0 > IRQ1 > IR2 = IRQ8-15 > IRQ3-7),
 * masking, ISR blocking until EOI, non-specific and specific EOI, the
 * three rotation commands and set priority, AEOI (with rotation), edge
 * vs level (ELCR and LTIM), the default IR7 when a request disappears
 * before INTA, the poll command, special mask mode, special fully nested
 * mode, IRR/ISR reads, ICW1 side effects, a cascaded input with no slave,
 * reserved ELCR bits, and hostile register writes.
 */
#include <check.h>
#include <string.h>

#include "hw/core/device.h"
#include "hw/core/machine.h"
#include "hw/isa/i8259.h"

#include "tests/vireo_check.h"

#define M_CMD  0x20
#define M_DATA 0x21
#define S_CMD  0xa0
#define S_DATA 0xa1
#define ELCR1  0x4d0
#define ELCR2  0x4d1

#define OCW3_READ_IRR 0x0a
#define OCW3_READ_ISR 0x0b
#define OCW3_POLL     0x0c
#define EOI           0x20


static struct machine m;
static struct device *pic;
static struct irq_probe intr;

static void setup(void)
{
    char err[256];

    ck_assert_int_eq(machine_init(&m, 2 << 20, VCLOCK_MANUAL), 0);
    memset(&intr, 0, sizeof(intr));
    pic = device_create(&m, "i8259", err, sizeof(err));
    ck_assert_msg(pic != NULL, "%s", err);
    pic->irq[0] = (struct irq_line){ irq_probe_set, &intr, 0 };
    ck_assert_msg(device_realize(pic, err, sizeof(err)) == 0, "%s", err);
}

static void teardown(void)
{
    machine_destroy(&m);
}

static uint8_t in(uint16_t port)
{
    return (uint8_t)as_read(&m.io, port, 1);
}

static void out(uint16_t port, uint8_t v)
{
    as_write(&m.io, port, v, 1);
}

static void irq(unsigned n, int level)
{
    i8259_set_irq(pic, n, level);
}

/* INT as the CPU sees it; also checks the irq[0] line agrees. */
static bool pending(void)
{
    bool p = i8259_intr_pending(pic);

    ck_assert_int_eq(intr.level, p);
    return p;
}

static int ack(void)
{
    int v = i8259_intr_ack(pic);

    ck_assert_int_ge(v, 0);
    ck_assert_int_le(v, 255);
    return v;
}

static uint8_t read_reg(uint16_t cmd, uint8_t ocw3)
{
    out(cmd, ocw3);
    return in(cmd);
}

/* The PC BIOS sequence: ICW1 0x11 (edge, cascade, ICW4), ICW2 0x08/0x70,
 * ICW3 4 (slave on IR2) / 2 (slave ID), ICW4 ICW4V (8086 mode). */
static void init_pics(uint8_t icw4_master, uint8_t icw4_slave)
{
    out(M_CMD, 0x11);
    out(M_DATA, 0x08);
    out(M_DATA, 0x04);
    out(M_DATA, icw4_master);
    out(S_CMD, 0x11);
    out(S_DATA, 0x70);
    out(S_DATA, 0x02);
    out(S_DATA, icw4_slave);
}

static void bios_init(void)
{
    init_pics(0x01, 0x01);
    ck_assert_uint_eq(in(M_DATA), 0x00);   /* ICW1 cleared IMR */
    ck_assert_uint_eq(in(S_DATA), 0x00);
}

START_TEST(power_on_state)
{
    ck_assert_uint_eq(in(M_DATA), 0xff);
    ck_assert_uint_eq(in(S_DATA), 0xff);
    ck_assert_uint_eq(in(M_CMD), 0x00);     /* IRR */
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x00);
    ck_assert_uint_eq(in(ELCR1), 0x00);
    ck_assert_uint_eq(in(ELCR2), 0x00);
    ck_assert(!pending());
    /* A request is latched in IRR but masked. */
    irq(0, 1);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_IRR), 0x01);
    ck_assert(!pending());
}
END_TEST

START_TEST(bios_init_vectors)
{
    bios_init();
    ck_assert(!pending());
    irq(0, 1);
    ck_assert(pending());
    ck_assert_uint_eq(intr.raises, 1);
    ck_assert_int_eq(ack(), 0x08);
    ck_assert(!pending());
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x01);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_IRR), 0x00); /* edge consumed */
    out(M_CMD, EOI);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x00);

    irq(4, 1);
    ck_assert_int_eq(ack(), 0x0c);
    out(M_CMD, EOI);

    /* Slave IRQ14: master IR2 + slave IR6, both ISR bits set. */
    irq(14, 1);
    ck_assert(pending());
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_IRR), 0x04);
    ck_assert_int_eq(ack(), 0x76);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x04);
    ck_assert_uint_eq(read_reg(S_CMD, OCW3_READ_ISR), 0x40);
    out(S_CMD, EOI);
    out(M_CMD, EOI);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x00);
    ck_assert_uint_eq(read_reg(S_CMD, OCW3_READ_ISR), 0x00);

    irq(8, 1);
    ck_assert_int_eq(ack(), 0x70);
    out(S_CMD, EOI);
    out(M_CMD, EOI);
    irq(15, 1);
    ck_assert_int_eq(ack(), 0x77);
    /* Line 2 is the cascade, not an input. */
    out(S_CMD, EOI);
    out(M_CMD, EOI);
    irq(2, 1);
    ck_assert(!pending());
}
END_TEST

START_TEST(fully_nested_priority)
{
    bios_init();
    irq(1, 1);
    irq(0, 1);
    ck_assert_int_eq(ack(), 0x08);          /* IRQ0 beats IRQ1 */
    ck_assert(!pending());                  /* IRQ1 blocked by ISR0 */
    out(M_CMD, EOI);
    ck_assert(pending());
    ck_assert_int_eq(ack(), 0x09);
    out(M_CMD, EOI);

    /* The slave sits at IR2's priority: below IRQ1, above IRQ3. */
    irq(3, 1);
    irq(12, 1);
    ck_assert_int_eq(ack(), 0x74);
    ck_assert(!pending());                  /* IRQ3 below IR2 in service */
    out(S_CMD, EOI);
    out(M_CMD, EOI);
    ck_assert_int_eq(ack(), 0x0b);
    out(M_CMD, EOI);

    irq(9, 1);
    irq(1, 0);
    irq(1, 1);
    ck_assert_int_eq(ack(), 0x09);          /* IRQ1 beats IRQ9 */
    out(M_CMD, EOI);
    ck_assert_int_eq(ack(), 0x71);
    out(S_CMD, EOI);
    out(M_CMD, EOI);

    /* Within the slave, IRQ8 beats IRQ15. */
    irq(15, 0);
    irq(15, 1);
    irq(8, 0);
    irq(8, 1);
    ck_assert_int_eq(ack(), 0x70);
}
END_TEST

START_TEST(masking)
{
    bios_init();
    out(M_DATA, 0x02);
    irq(1, 1);
    ck_assert(!pending());
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_IRR), 0x02);
    out(M_DATA, 0x00);
    ck_assert(pending());
    ck_assert_int_eq(ack(), 0x09);
    out(M_CMD, EOI);

    /* Masking the slave's input or the cascade input both hold IRQ11. */
    out(S_DATA, 0x08);
    irq(11, 1);
    ck_assert(!pending());
    out(S_DATA, 0x00);
    ck_assert(pending());
    out(M_DATA, 0x04);
    ck_assert(!pending());
    out(M_DATA, 0x00);
    ck_assert_int_eq(ack(), 0x73);
}
END_TEST

START_TEST(isr_blocks_lower_until_eoi)
{
    bios_init();
    irq(3, 1);
    ck_assert_int_eq(ack(), 0x0b);
    irq(5, 1);
    ck_assert(!pending());                  /* lower than IR3 in service */
    irq(1, 1);
    ck_assert(pending());                   /* higher nests */
    ck_assert_int_eq(ack(), 0x09);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x0a);
    out(M_CMD, EOI);                        /* clears the highest: IR1 */
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x08);
    ck_assert(!pending());
    out(M_CMD, EOI);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x00);
    ck_assert(pending());
    ck_assert_int_eq(ack(), 0x0d);
}
END_TEST

START_TEST(specific_eoi)
{
    bios_init();
    irq(3, 1);
    ck_assert_int_eq(ack(), 0x0b);
    irq(1, 1);
    ck_assert_int_eq(ack(), 0x09);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x0a);
    out(M_CMD, 0x63);                       /* specific EOI, level 3 */
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x02);
    out(M_CMD, 0x66);                       /* level 6 not in service: no-op */
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x02);
    out(M_CMD, 0x40);                       /* OCW2 no operation */
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x02);
    out(M_CMD, 0x61);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x00);
}
END_TEST

START_TEST(rotation)
{
    bios_init();
    /* Rotate on non-specific EOI: the serviced level becomes lowest. */
    irq(0, 1);
    ck_assert_int_eq(ack(), 0x08);
    out(M_CMD, 0xa0);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x00);
    irq(0, 0);
    irq(0, 1);
    irq(1, 1);
    ck_assert_int_eq(ack(), 0x09);          /* IR1 now highest */
    ck_assert(!pending());                  /* IR0, now lowest, waits for IR1 */
    out(M_CMD, 0xa0);                       /* IR1 lowest, IR2 highest */
    ck_assert_int_eq(ack(), 0x08);
    out(M_CMD, EOI);

    /* Set priority: IR4 lowest makes IR5 highest, IR3 second lowest. */
    out(M_CMD, 0xc4);
    irq(3, 1);
    irq(5, 1);
    ck_assert_int_eq(ack(), 0x0d);
    ck_assert(!pending());                  /* IR3 is below IR5 now */
    /* Rotate on specific EOI: clear IR5 and make it lowest (IR6 top). */
    out(M_CMD, 0xe5);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x00);
    ck_assert_int_eq(ack(), 0x0b);
    out(M_CMD, 0xe3);                       /* IR3 lowest now */
    irq(4, 1);
    irq(3, 0);
    irq(3, 1);
    ck_assert_int_eq(ack(), 0x0c);          /* IR4 highest */
    out(M_CMD, EOI);
    ck_assert_int_eq(ack(), 0x0b);
}
END_TEST

START_TEST(auto_eoi)
{
    init_pics(0x03, 0x01);                  /* master AEOI */
    irq(3, 1);
    ck_assert_int_eq(ack(), 0x0b);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x00);
    irq(5, 1);
    ck_assert(pending());                   /* nothing in service blocks it */
    ck_assert_int_eq(ack(), 0x0d);

    /* Rotate in AEOI mode: each acknowledged level becomes lowest. */
    out(M_CMD, 0x80);
    irq(0, 1);
    ck_assert_int_eq(ack(), 0x08);
    irq(0, 0);
    irq(0, 1);
    irq(7, 1);
    ck_assert_int_eq(ack(), 0x0f);          /* IR1 top now, IR7 before IR0 */
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x00); /* real IR7, no ISR in AEOI */
    ck_assert_int_eq(ack(), 0x08);
    /* Clear: rotation stops (IR0 lowest stays from the last ack). */
    out(M_CMD, 0x00);
    irq(1, 1);
    ck_assert_int_eq(ack(), 0x09);
    irq(1, 0);
    irq(1, 1);
    irq(3, 0);
    irq(3, 1);
    /* Had IR1's ack rotated, IR3 would now win over IR1. */
    ck_assert_int_eq(ack(), 0x09);
}
END_TEST

START_TEST(edge_triggered)
{
    bios_init();
    irq(4, 1);
    ck_assert_int_eq(ack(), 0x0c);
    out(M_CMD, EOI);
    ck_assert(!pending());                  /* held high: no new edge */
    irq(4, 1);
    ck_assert(!pending());
    irq(4, 0);
    irq(4, 1);
    ck_assert(pending());
    ck_assert_int_eq(ack(), 0x0c);
}
END_TEST

START_TEST(level_triggered_elcr)
{
    bios_init();
    out(ELCR2, 0x04);                       /* IRQ10 level */
    ck_assert_uint_eq(in(ELCR2), 0x04);
    irq(10, 1);
    ck_assert_int_eq(ack(), 0x72);
    ck_assert_uint_eq(read_reg(S_CMD, OCW3_READ_IRR), 0x04); /* follows the line */
    out(S_CMD, EOI);
    out(M_CMD, EOI);
    ck_assert(pending());                   /* still high: asks again */
    ck_assert_int_eq(ack(), 0x72);
    irq(10, 0);
    ck_assert_uint_eq(read_reg(S_CMD, OCW3_READ_IRR), 0x00);
    out(S_CMD, EOI);
    out(M_CMD, EOI);
    ck_assert(!pending());

    /* Switching an input that is already high to level makes it request. */
    irq(5, 1);
    ck_assert_int_eq(ack(), 0x0d);
    out(M_CMD, EOI);
    ck_assert(!pending());
    out(ELCR1, 0x20);
    ck_assert(pending());
    ck_assert_int_eq(ack(), 0x0d);
}
END_TEST

START_TEST(level_triggered_ltim)
{
    out(M_CMD, 0x19);                       /* LTIM */
    out(M_DATA, 0x08);
    out(M_DATA, 0x04);
    out(M_DATA, 0x01);
    out(M_DATA, 0x00);
    irq(6, 1);
    ck_assert_int_eq(ack(), 0x0e);
    out(M_CMD, EOI);
    ck_assert(pending());
    irq(6, 0);
    ck_assert(!pending());
}
END_TEST

START_TEST(elcr_reserved_bits)
{
    out(ELCR1, 0xff);
    out(ELCR2, 0xff);
    ck_assert_uint_eq(in(ELCR1), 0xf8);     /* IRQ0-2 always edge */
    ck_assert_uint_eq(in(ELCR2), 0xde);     /* IRQ8, IRQ13 always edge */
    /* IRQ0 stays edge-triggered even though bit 0 was written. */
    bios_init();
    irq(0, 1);
    ck_assert_int_eq(ack(), 0x08);
    out(M_CMD, EOI);
    ck_assert(!pending());
}
END_TEST

START_TEST(default_ir7)
{
    bios_init();
    irq(3, 1);
    ck_assert(pending());
    irq(3, 0);                              /* gone before INTA */
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_IRR), 0x00);
    ck_assert_int_eq(ack(), 0x0f);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x00); /* IR7 not in service */

    /* A real IR7 sets ISR7; telling the two apart is what ISR is for. */
    irq(7, 1);
    ck_assert_int_eq(ack(), 0x0f);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x80);
    out(M_CMD, EOI);

    /* A slave request that goes away drops the master's IR2 too. */
    irq(11, 1);
    ck_assert(pending());
    irq(11, 0);
    ck_assert(!pending());
    ck_assert_int_eq(ack(), 0x0f);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x00);
    ck_assert_uint_eq(read_reg(S_CMD, OCW3_READ_ISR), 0x00);
}
END_TEST

START_TEST(poll_command)
{
    bios_init();
    out(M_DATA, 0x80);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_POLL), 0x00);  /* nothing */
    irq(5, 1);
    irq(6, 1);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_POLL), 0x85);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x20); /* poll = INTA */
    /* The poll is one read only, and also works on the data port. */
    ck_assert_uint_eq(in(M_CMD), 0x20);
    out(M_CMD, OCW3_POLL);
    ck_assert_uint_eq(in(M_DATA), 0x00);    /* IR6 below IR5 in service */
    ck_assert_uint_eq(in(M_DATA), 0x80);    /* IMR again */
    out(M_CMD, EOI);
    out(M_CMD, OCW3_POLL);
    ck_assert_uint_eq(in(M_DATA), 0x86);
    out(M_CMD, EOI);

    /* Polling the slave gives its own level. */
    irq(13, 1);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_POLL), 0x82);
    ck_assert_uint_eq(read_reg(S_CMD, OCW3_POLL), 0x85);
}
END_TEST

START_TEST(special_mask_mode)
{
    bios_init();
    irq(3, 1);
    ck_assert_int_eq(ack(), 0x0b);
    irq(5, 1);
    ck_assert(!pending());
    out(M_DATA, 0x08);                      /* mask the level in service */
    ck_assert(!pending());                  /* plain masking: still blocked */
    out(M_CMD, 0x68);                       /* set special mask */
    ck_assert(pending());                   /* lower level enabled */
    ck_assert_int_eq(ack(), 0x0d);
    out(M_CMD, 0x65);                       /* specific EOI for IR5 */
    irq(4, 1);
    ck_assert(pending());                   /* still special mask mode */
    out(M_CMD, 0x48);                       /* reset special mask */
    ck_assert(!pending());                  /* IR3 in service blocks IR4 again */
    out(M_CMD, 0x28);                       /* ESMM = 0: no change to SMM */
    ck_assert(!pending());
}
END_TEST

START_TEST(special_fully_nested)
{
    init_pics(0x01, 0x01);
    irq(12, 1);
    ck_assert_int_eq(ack(), 0x74);
    irq(9, 1);
    ck_assert(!pending());                  /* master ISR2 blocks the slave */

    init_pics(0x11, 0x01);                  /* master SFNM */
    irq(12, 0);
    irq(12, 1);
    ck_assert_int_eq(ack(), 0x74);
    irq(9, 0);
    irq(9, 1);
    ck_assert(pending());                   /* higher slave level gets through */
    ck_assert_int_eq(ack(), 0x71);
    irq(15, 1);
    ck_assert(!pending());                  /* lower one does not */
}
END_TEST

START_TEST(icw1_side_effects)
{
    bios_init();
    out(M_CMD, 0x68);                       /* special mask on */
    out(M_CMD, 0xc3);                       /* IR3 lowest: IR5 beats IR1 */
    irq(1, 1);
    out(M_DATA, 0xff);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_IRR), 0x02);
    out(M_CMD, OCW3_READ_ISR);
    /* ICW1: IMR cleared, edge sense reset, read IRR, priority and special
     * mask reset. */
    out(M_CMD, 0x11);
    ck_assert_uint_eq(in(M_DATA), 0x00);
    out(M_DATA, 0x20);
    out(M_DATA, 0x04);
    out(M_DATA, 0x01);
    ck_assert_uint_eq(in(M_CMD), 0x00);     /* IR1 held high: edge forgotten */
    ck_assert(!pending());
    irq(1, 0);
    irq(1, 1);
    ck_assert_uint_eq(in(M_CMD), 0x02);     /* IRR selected, not ISR */
    irq(5, 1);
    ck_assert_int_eq(ack(), 0x21);          /* new base; IR1 beats IR5 again */
    out(M_DATA, 0x02);                      /* mask the level in service */
    ck_assert(!pending());                  /* special mask was cleared */
    out(M_DATA, 0x00);
    out(M_CMD, EOI);
    ck_assert_int_eq(ack(), 0x25);
    out(M_CMD, EOI);

    /* Without IC4 the ICW4 functions are zero: AEOI goes away. */
    out(M_CMD, 0x13);                       /* single, ICW4 */
    out(M_DATA, 0x40);
    out(M_DATA, 0x03);                      /* AEOI */
    irq(6, 1);
    ck_assert_int_eq(ack(), 0x46);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x00);
    out(M_CMD, 0x12);                       /* single, no ICW4 */
    out(M_DATA, 0x40);
    out(M_DATA, 0x00);                      /* sequence over: this is OCW1 */
    ck_assert_uint_eq(in(M_DATA), 0x00);
    irq(6, 0);
    irq(6, 1);
    ck_assert_int_eq(ack(), 0x46);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x40);
}
END_TEST

START_TEST(cascade_input_without_slave)
{
    /* Master says IR3 has a slave, but no chip answers cascade address 3. */
    out(M_CMD, 0x11);
    out(M_DATA, 0x08);
    out(M_DATA, 0x08);
    out(M_DATA, 0x01);
    irq(3, 1);
    ck_assert_int_eq(ack(), 0xff);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x08);
    /* And with no input marked as cascaded, IR2 is an ordinary input. */
    out(M_CMD, 0x11);
    out(M_DATA, 0x08);
    out(M_DATA, 0x00);
    out(M_DATA, 0x01);
    out(S_CMD, 0x11);
    out(S_DATA, 0x70);
    out(S_DATA, 0x02);
    out(S_DATA, 0x01);
    irq(10, 1);
    ck_assert_int_eq(ack(), 0x0a);
}
END_TEST

START_TEST(reset_restores_power_on)
{
    bios_init();
    irq(4, 1);
    ck_assert_int_eq(ack(), 0x0c);
    out(ELCR1, 0x20);
    irq(5, 1);
    ck_assert(!pending());
    machine_reset_devices(&m);
    ck_assert(!pending());
    ck_assert_int_eq(intr.level, 0);
    ck_assert_uint_eq(in(M_DATA), 0xff);
    ck_assert_uint_eq(read_reg(M_CMD, OCW3_READ_ISR), 0x00);
    ck_assert_uint_eq(in(ELCR1), 0x00);
}
END_TEST

START_TEST(hostile_writes)
{
    static const uint16_t ports[] = { M_CMD, M_DATA, S_CMD, S_DATA, ELCR1, ELCR2 };
    uint32_t x = 12345;

    for (unsigned i = 0; i < 200000; i++) {
        x = x * 1103515245u + 12345u;
        switch ((x >> 16) % 5) {
        case 0:
            out(ports[(x >> 8) % 6], (uint8_t)(x >> 24));
            break;
        case 1:
            (void)in(ports[(x >> 8) % 6]);
            break;
        case 2:
            irq((x >> 8) % 20, (x >> 24) & 1);
            break;
        case 3:
            (void)ack();
            break;
        default:
            (void)pending();
            as_write(&m.io, M_CMD, x, 4);
            break;
        }
    }
}
END_TEST

START_TEST(port_properties)
{
    char err[256];
    struct device *d;

    /* A second PIC at the same ports is refused with a message. */
    d = device_create(&m, "i8259", err, sizeof(err));
    ck_assert_ptr_nonnull(d);
    ck_assert_int_ne(device_realize(d, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "0x20"));
    /* Moved and without ELCR it works. */
    d = device_create(&m, "i8259", err, sizeof(err));
    ck_assert_int_eq(device_set_props(d, "iobase=0x120,iobase2=0x1a0,elcr=0", err, sizeof(err)),
                     0);
    ck_assert_int_eq(device_realize(d, err, sizeof(err)), 0);
    ck_assert_uint_eq(as_read(&m.io, 0x121, 1), 0xff);
    as_write(&m.io, 0x121, 0x12, 1);
    ck_assert_uint_eq(as_read(&m.io, 0x121, 1), 0x12);
    ck_assert_uint_eq(in(M_DATA), 0xff);
    d = device_create(&m, "i8259", err, sizeof(err));
    ck_assert_int_eq(device_set_props(d, "iobase=0xffff", err, sizeof(err)), 0);
    ck_assert_int_ne(device_realize(d, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "iobase"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("i8259");
    TCase *tc = tcase_create("8259a");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, power_on_state);
    tcase_add_test(tc, bios_init_vectors);
    tcase_add_test(tc, fully_nested_priority);
    tcase_add_test(tc, masking);
    tcase_add_test(tc, isr_blocks_lower_until_eoi);
    tcase_add_test(tc, specific_eoi);
    tcase_add_test(tc, rotation);
    tcase_add_test(tc, auto_eoi);
    tcase_add_test(tc, edge_triggered);
    tcase_add_test(tc, level_triggered_elcr);
    tcase_add_test(tc, level_triggered_ltim);
    tcase_add_test(tc, elcr_reserved_bits);
    tcase_add_test(tc, default_ir7);
    tcase_add_test(tc, poll_command);
    tcase_add_test(tc, special_mask_mode);
    tcase_add_test(tc, special_fully_nested);
    tcase_add_test(tc, icw1_side_effects);
    tcase_add_test(tc, cascade_input_without_slave);
    tcase_add_test(tc, reset_restores_power_on);
    tcase_add_test(tc, hostile_writes);
    tcase_add_test(tc, port_properties);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
