/*
 * test_lapic.c - the local APIC model against the Intel SDM vol. 3A
 * chapter 11, on a machine with a manually stepped virtual clock (bus
 * clock 1 GHz, so the timer's count N at divide D lasts N*D ns; TSC at
 * 3 GHz so TSC-deadline times are checked to the ns).
 *
 * Covered: reset values (11.4.7.1, plus the virtual-wire LINT0/LINT1 the
 * board's firmware stand-in sets); software enable/disable through SVR
 * and LVT masking; acceptance order by priority class, same-class
 * blocking and nesting; TPR masking and PPR; CR8; spurious vector at
 * INTA when the TPR masks the request or nothing is pending; EOI order
 * and the EOI hook for level (TMR) vectors only; self-IPI through the
 * ICR (shorthand and physical/logical destinations); ESR write-then-read
 * with illegal vectors (send, receive), redirectable IPI, illegal
 * register; LVT error interrupt; one-shot expiry at N*D ns; every divide
 * encoding; periodic reload; current count decreasing; count 0 stops;
 * masked timer; TSC-deadline mode; 8259A pass-through (virtual wire,
 * global disable, explicit software disable); NMI on LINT1; APIC base
 * relocation and reserved bits; hostile register traffic.
 */
#include <check.h>
#include <string.h>

#include "hw/core/device.h"
#include "hw/core/machine.h"
#include "hw/i386/lapic.h"
#include "tests/vireo_check.h"

#define BASE    0xfee00000ull
#define TSC_KHZ 3000000ull

enum {
    R_ID = 0x20, R_VER = 0x30, R_TPR = 0x80, R_APR = 0x90, R_PPR = 0xa0, R_EOI = 0xb0,
    R_LDR = 0xd0, R_DFR = 0xe0, R_SVR = 0xf0, R_ISR = 0x100, R_TMR = 0x180, R_IRR = 0x200,
    R_ESR = 0x280, R_ICR_LO = 0x300, R_ICR_HI = 0x310, R_LVT_TIMER = 0x320,
    R_LVT_THERM = 0x330, R_LVT_PERF = 0x340, R_LVT_LINT0 = 0x350, R_LVT_LINT1 = 0x360,
    R_LVT_ERR = 0x370, R_INIT = 0x380, R_CUR = 0x390, R_DCR = 0x3e0,
};

static struct machine m;
static struct device *apic;

/* A stand-in 8259A. */
static bool pic_req;
static int pic_acks;
static bool fake_pic_pending(void *o) { (void)o; return pic_req; }
static int fake_pic_ack(void *o) { (void)o; pic_acks++; pic_req = false; return 0x08; }

/* EOI hook record. */
static int eoi_n;
static uint8_t eoi_vec[16];
static void eoi_hook(void *o, uint8_t v)
{
    (void)o;
    if (eoi_n < 16)
        eoi_vec[eoi_n] = v;
    eoi_n++;
}

static uint32_t rd(uint32_t off) { return (uint32_t)as_read(&m.mem, BASE + off, 4); }
static void wr(uint32_t off, uint32_t v) { as_write(&m.mem, BASE + off, v, 4); }

static bool irr(unsigned v) { return (rd(R_IRR + (v >> 5) * 16) >> (v & 31)) & 1; }
static bool isr(unsigned v) { return (rd(R_ISR + (v >> 5) * 16) >> (v & 31)) & 1; }
static bool tmr(unsigned v) { return (rd(R_TMR + (v >> 5) * 16) >> (v & 31)) & 1; }

static uint32_t esr(void)
{
    wr(R_ESR, 0);
    return rd(R_ESR);
}

static struct device *make_apic(const char *props)
{
    char err[256];
    struct device *d = device_create(&m, "lapic", err, sizeof(err));

    ck_assert_msg(d != NULL, "%s", err);
    ck_assert_msg(device_set_props(d, props, err, sizeof(err)) == 0, "%s", err);
    ck_assert_msg(device_realize(d, err, sizeof(err)) == 0, "%s", err);
    lapic_set_extint(d, fake_pic_pending, fake_pic_ack, NULL);
    lapic_set_eoi_hook(d, eoi_hook, NULL);
    return d;
}

static void setup(void)
{
    ck_assert_int_eq(machine_init(&m, 2 << 20, VCLOCK_MANUAL), 0);
    pic_req = false;
    pic_acks = 0;
    eoi_n = 0;
    apic = make_apic("tsc_khz=3000000");
}

static void teardown(void)
{
    machine_destroy(&m);
}

static void enable(void)
{
    wr(R_SVR, 0x1ff);
}

/* Take the interrupt the CPU would get now and check it. */
static void take(int vec)
{
    ck_assert(lapic_intr_pending(apic));
    ck_assert_int_eq(lapic_intr_ack(apic), vec);
}

START_TEST(reset_values)
{
    struct device *a3;

    ck_assert_uint_eq(rd(R_ID), 0);
    ck_assert_uint_eq(rd(R_VER), 0x00050014);
    ck_assert_uint_eq(rd(R_TPR), 0);
    ck_assert_uint_eq(rd(R_APR), 0);
    ck_assert_uint_eq(rd(R_PPR), 0);
    ck_assert_uint_eq(rd(R_LDR), 0);
    ck_assert_uint_eq(rd(R_DFR), 0xffffffff);
    ck_assert_uint_eq(rd(R_SVR), 0xff);
    for (unsigned i = 0; i < 8; i++) {
        ck_assert_uint_eq(rd(R_ISR + 16 * i), 0);
        ck_assert_uint_eq(rd(R_TMR + 16 * i), 0);
        ck_assert_uint_eq(rd(R_IRR + 16 * i), 0);
    }
    ck_assert_uint_eq(rd(R_LVT_TIMER), 0x00010000);
    ck_assert_uint_eq(rd(R_LVT_THERM), 0x00010000);
    ck_assert_uint_eq(rd(R_LVT_PERF), 0x00010000);
    ck_assert_uint_eq(rd(R_LVT_ERR), 0x00010000);
    /* Virtual wire, as firmware leaves the BSP. */
    ck_assert_uint_eq(rd(R_LVT_LINT0), 0x00000700);
    ck_assert_uint_eq(rd(R_LVT_LINT1), 0x00000400);
    ck_assert_uint_eq(rd(R_INIT), 0);
    ck_assert_uint_eq(rd(R_CUR), 0);
    ck_assert_uint_eq(rd(R_DCR), 0);
    ck_assert_uint_eq(rd(R_ICR_LO), 0);
    ck_assert_uint_eq(rd(R_ICR_HI), 0);
    ck_assert_uint_eq(lapic_get_base(apic), 0xfee00900);   /* EN | BSP */
    ck_assert(!lapic_intr_pending(apic));
    ck_assert(!lapic_nmi_pending(apic));

    /* The SDM's own reset state (no firmware), and a second CPU's ID. */
    lapic_set_base(apic, 0);                                /* out of the way */
    a3 = make_apic("index=3,virtual_wire=off");
    ck_assert_uint_eq(rd(R_ID), 0x03000000);
    ck_assert_uint_eq(rd(R_LVT_LINT0), 0x00010000);
    ck_assert_uint_eq(rd(R_LVT_LINT1), 0x00010000);
    ck_assert_uint_eq(lapic_get_base(a3), 0xfee00800);     /* not the BSP */
    /* Reading a byte or a misaligned part gives the register's bytes. */
    ck_assert_uint_eq(as_read(&m.mem, BASE + R_VER + 2, 1), 0x05);
    ck_assert_uint_eq(as_read(&m.mem, BASE + R_VER + 4, 4), 0);
}
END_TEST

START_TEST(software_enable)
{
    /* Disabled after reset: fixed interrupts are not accepted. */
    lapic_deliver(apic, 0x40, APIC_DM_FIXED, false);
    ck_assert(!irr(0x40));
    ck_assert(!lapic_intr_pending(apic));
    /* LVT writes keep the mask while disabled. */
    wr(R_LVT_ERR, 0x000000e0);
    ck_assert_uint_eq(rd(R_LVT_ERR), 0x000100e0);

    enable();
    ck_assert_uint_eq(rd(R_SVR), 0x1ff);
    lapic_deliver(apic, 0x40, APIC_DM_FIXED, false);
    ck_assert(irr(0x40));
    wr(R_LVT_ERR, 0x000000e0);
    wr(R_LVT_PERF, 0x000000e1);
    ck_assert_uint_eq(rd(R_LVT_ERR), 0x000000e0);

    /* Explicit disable: IRR held (not delivered), every LVT masked. */
    wr(R_SVR, 0x0ff);
    ck_assert(irr(0x40));
    ck_assert(!lapic_intr_pending(apic));
    ck_assert_uint_eq(rd(R_LVT_ERR), 0x000100e0);
    ck_assert_uint_eq(rd(R_LVT_PERF), 0x000100e1);
    ck_assert_uint_eq(rd(R_LVT_LINT0), 0x00010700);
    ck_assert_uint_eq(rd(R_LVT_TIMER) & 0x10000, 0x10000);
    /* Re-enabled: the held request is delivered. */
    enable();
    take(0x40);
}
END_TEST

START_TEST(priority_order)
{
    enable();
    lapic_deliver(apic, 0x31, APIC_DM_FIXED, false);
    lapic_deliver(apic, 0x85, APIC_DM_FIXED, false);
    lapic_deliver(apic, 0x52, APIC_DM_LOWPRI, false);
    lapic_deliver(apic, 0x86, APIC_DM_FIXED, false);
    take(0x86);
    ck_assert(isr(0x86));
    ck_assert(!irr(0x86));
    ck_assert_uint_eq(rd(R_PPR), 0x80);
    /* 0x85 is in the same class as the one in service: blocked. */
    ck_assert(!lapic_intr_pending(apic));
    ck_assert_int_eq(lapic_intr_ack(apic), 0xff);           /* spurious */
    ck_assert(irr(0x85));
    wr(R_EOI, 0);
    ck_assert(!isr(0x86));
    take(0x85);
    wr(R_EOI, 0);
    take(0x52);
    /* A higher class nests on top of 0x52. */
    lapic_deliver(apic, 0x91, APIC_DM_FIXED, false);
    take(0x91);
    ck_assert(isr(0x52) && isr(0x91));
    wr(R_EOI, 0);                                            /* clears 0x91 first */
    ck_assert(isr(0x52) && !isr(0x91));
    ck_assert_uint_eq(rd(R_PPR), 0x50);
    wr(R_EOI, 0);
    ck_assert(!isr(0x52));
    take(0x31);
    wr(R_EOI, 0);
    ck_assert(!lapic_intr_pending(apic));
    /* The same vector once in ISR and once more in IRR. */
    lapic_deliver(apic, 0x70, APIC_DM_FIXED, false);
    take(0x70);
    lapic_deliver(apic, 0x70, APIC_DM_FIXED, false);
    lapic_deliver(apic, 0x70, APIC_DM_FIXED, false);
    ck_assert(isr(0x70) && irr(0x70));
    ck_assert(!lapic_intr_pending(apic));
    wr(R_EOI, 0);
    take(0x70);
    wr(R_EOI, 0);
    ck_assert(!lapic_intr_pending(apic));
    ck_assert_int_eq(eoi_n, 0);                              /* all edge */
}
END_TEST

START_TEST(tpr_and_ppr)
{
    enable();
    wr(R_TPR, 0x45);
    ck_assert_uint_eq(rd(R_TPR), 0x45);
    ck_assert_uint_eq(rd(R_PPR), 0x45);
    lapic_deliver(apic, 0x43, APIC_DM_FIXED, false);
    ck_assert(!lapic_intr_pending(apic));                    /* class 4 <= 4 */
    lapic_deliver(apic, 0x50, APIC_DM_FIXED, false);
    take(0x50);
    ck_assert_uint_eq(rd(R_PPR), 0x50);                      /* ISR class wins, low bits 0 */
    wr(R_TPR, 0x62);
    ck_assert_uint_eq(rd(R_PPR), 0x62);
    wr(R_EOI, 0);
    ck_assert_uint_eq(rd(R_PPR), 0x62);
    wr(R_TPR, 0x30);
    take(0x43);
    /* CR8 is TPR[7:4]; writing it clears TPR[3:0]. */
    wr(R_TPR, 0x9c);
    ck_assert_uint_eq(lapic_get_cr8(apic), 9);
    lapic_set_cr8(apic, 0x12);
    ck_assert_uint_eq(rd(R_TPR), 0x20);
    ck_assert_uint_eq(lapic_get_cr8(apic), 2);
}
END_TEST

START_TEST(spurious_vector)
{
    wr(R_SVR, 0x1ef);
    ck_assert_int_eq(lapic_intr_ack(apic), 0xef);            /* nothing pending */
    lapic_deliver(apic, 0x55, APIC_DM_FIXED, false);
    ck_assert(lapic_intr_pending(apic));
    /* The handler raised the TPR before INTA: spurious, ISR untouched. */
    wr(R_TPR, 0x60);
    ck_assert_int_eq(lapic_intr_ack(apic), 0xef);
    ck_assert(!isr(0x55));
    ck_assert(irr(0x55));
    wr(R_TPR, 0);
    take(0x55);
}
END_TEST

START_TEST(eoi_hook_for_level)
{
    enable();
    lapic_deliver(apic, 0x61, APIC_DM_FIXED, true);
    lapic_deliver(apic, 0x62, APIC_DM_FIXED, false);
    ck_assert(tmr(0x61));
    ck_assert(!tmr(0x62));
    take(0x62);
    wr(R_EOI, 0);
    ck_assert_int_eq(eoi_n, 0);
    take(0x61);
    wr(R_EOI, 0);
    ck_assert_int_eq(eoi_n, 1);
    ck_assert_uint_eq(eoi_vec[0], 0x61);
    wr(R_EOI, 0);                                            /* nothing in service */
    ck_assert_int_eq(eoi_n, 1);
}
END_TEST

START_TEST(self_ipi_and_esr)
{
    enable();
    ck_assert_uint_eq(rd(R_ESR), 0);
    wr(R_ICR_LO, 0x00040041);                                /* self, fixed, 0x41 */
    ck_assert(irr(0x41));
    ck_assert_uint_eq(rd(R_ICR_LO), 0x00040041);             /* delivery status idle */
    /* Physical destination = own ID. */
    wr(R_ID, 0x07000000);
    wr(R_ICR_HI, 0x07000000);
    wr(R_ICR_LO, 0x00000042);
    ck_assert(irr(0x42));
    wr(R_ICR_HI, 0x08000000);
    wr(R_ICR_LO, 0x00000043);                                /* another CPU: none */
    ck_assert(!irr(0x43));
    wr(R_ICR_LO, 0x000c0044);                                /* all excluding self */
    ck_assert(!irr(0x44));
    wr(R_ICR_LO, 0x00080045);                                /* all including self */
    ck_assert(irr(0x45));
    /* Logical flat: LDR bit set in the destination. */
    wr(R_LDR, 0x04000000);
    wr(R_ICR_HI, 0x06000000);
    wr(R_ICR_LO, 0x00000846);
    ck_assert(irr(0x46));
    wr(R_ICR_HI, 0x08000000);
    wr(R_ICR_LO, 0x00000847);
    ck_assert(!irr(0x47));
    /* Cluster model: cluster 0 member bit 2. */
    wr(R_DFR, 0x0fffffff);
    ck_assert_uint_eq(rd(R_DFR), 0x0fffffff);
    wr(R_ICR_HI, 0x1c000000);                                /* cluster 1 */
    wr(R_ICR_LO, 0x00000848);
    ck_assert(!irr(0x48));
    wr(R_ICR_HI, 0x0c000000);
    wr(R_ICR_LO, 0x00000848);
    ck_assert(irr(0x48));
    ck_assert_uint_eq(esr(), 0);
    /* The same matching for IOAPIC/MSI messages. */
    ck_assert(lapic_accepts_dest(apic, 0x0c, true));
    ck_assert(!lapic_accepts_dest(apic, 0x1c, true));
    ck_assert(lapic_accepts_dest(apic, 0x07, false));
    ck_assert(lapic_accepts_dest(apic, 0xff, false));
    ck_assert(!lapic_accepts_dest(apic, 0x00, false));

    /* Illegal vector in an IPI: send illegal vector, not delivered. */
    wr(R_ICR_LO, 0x00040005);
    ck_assert(!irr(0x05));
    ck_assert_uint_eq(rd(R_ESR), 0);                         /* not yet published */
    ck_assert_uint_eq(esr(), 0x20);
    ck_assert_uint_eq(esr(), 0);                             /* cleared by the write */
    /* Lowest-priority IPI: redirectable IPI error, not processed. */
    wr(R_ICR_LO, 0x00040149);
    ck_assert(!irr(0x49));
    ck_assert_uint_eq(esr(), 0x10);
    /* Illegal vector received, reserved register. */
    lapic_deliver(apic, 0x0a, APIC_DM_FIXED, false);
    ck_assert_uint_eq(rd(R_IRR), 0);
    (void)rd(0x3a0);
    ck_assert_uint_eq(esr(), 0xc0);
    /* NMI IPI to self. */
    wr(R_ICR_LO, 0x00040400);
    ck_assert(lapic_nmi_pending(apic));
    lapic_nmi_ack(apic);
    ck_assert(!lapic_nmi_pending(apic));
}
END_TEST

START_TEST(error_interrupt)
{
    enable();
    wr(R_LVT_ERR, 0xe3);
    lapic_deliver(apic, 0x01, APIC_DM_FIXED, false);
    ck_assert(irr(0xe3));
    take(0xe3);
    wr(R_EOI, 0);
    /* Not re-armed until ESR is written. */
    lapic_deliver(apic, 0x02, APIC_DM_FIXED, false);
    ck_assert(!irr(0xe3));
    ck_assert_uint_eq(esr(), 0x40);
    lapic_deliver(apic, 0x02, APIC_DM_FIXED, false);
    ck_assert(irr(0xe3));
}
END_TEST

START_TEST(oneshot_timer)
{
    enable();
    wr(R_LVT_TIMER, 0x30);
    wr(R_DCR, 0x3);                                          /* divide by 16 */
    wr(R_INIT, 1000);
    ck_assert_uint_eq(rd(R_INIT), 1000);
    ck_assert_uint_eq(rd(R_CUR), 1000);
    vclock_step(&m.clock, 16 * 1000 - 1);
    ck_assert(!irr(0x30));
    ck_assert_uint_eq(rd(R_CUR), 1);
    vclock_step(&m.clock, 1);
    ck_assert(irr(0x30));
    ck_assert_uint_eq(rd(R_CUR), 0);
    take(0x30);
    wr(R_EOI, 0);
    vclock_step(&m.clock, 10000000);
    ck_assert(!irr(0x30));                                    /* once only */
    ck_assert_uint_eq(rd(R_CUR), 0);
    ck_assert_uint_eq(rd(R_INIT), 1000);
    /* A new write restarts it. */
    wr(R_INIT, 10);
    vclock_step(&m.clock, 159);
    ck_assert(!irr(0x30));
    vclock_step(&m.clock, 1);
    ck_assert(irr(0x30));
}
END_TEST

START_TEST(divide_values)
{
    static const struct { uint32_t dcr, div; } t[] = {
        { 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
        { 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
    };

    enable();
    wr(R_LVT_TIMER, 0x31);
    for (unsigned i = 0; i < 8; i++) {
        wr(R_DCR, t[i].dcr | 0xfffffff4u);                     /* other bits ignored */
        ck_assert_uint_eq(rd(R_DCR), t[i].dcr);
        wr(R_INIT, 100);
        vclock_step(&m.clock, 100ull * t[i].div - 1);
        ck_assert_msg(!irr(0x31), "divide %u early", t[i].div);
        vclock_step(&m.clock, 1);
        ck_assert_msg(irr(0x31), "divide %u late", t[i].div);
        take(0x31);
        wr(R_EOI, 0);
    }
}
END_TEST

START_TEST(periodic_timer)
{
    enable();
    wr(R_LVT_TIMER, 0x00020032);                              /* periodic */
    wr(R_DCR, 0xb);                                           /* divide by 1 */
    wr(R_INIT, 500);
    vclock_step(&m.clock, 100);
    ck_assert_uint_eq(rd(R_CUR), 400);
    for (unsigned k = 0; k < 5; k++) {
        vclock_step(&m.clock, k == 0 ? 399 : 499);
        ck_assert_msg(!irr(0x32), "period %u early", k);
        vclock_step(&m.clock, 1);
        ck_assert_msg(irr(0x32), "period %u late", k);
        ck_assert_uint_eq(rd(R_CUR), 500);                     /* reloaded */
        take(0x32);
        wr(R_EOI, 0);
    }
    /* Count 0 stops it. */
    wr(R_INIT, 0);
    vclock_step(&m.clock, 5000);
    ck_assert(!irr(0x32));
    ck_assert_uint_eq(rd(R_CUR), 0);
    /* A mode change disarms; it does not restart the timer. */
    wr(R_INIT, 500);
    vclock_step(&m.clock, 100);
    wr(R_LVT_TIMER, 0x00000032);
    ck_assert_uint_eq(rd(R_CUR), 0);
    vclock_step(&m.clock, 5000);
    ck_assert(!irr(0x32));
}
END_TEST

START_TEST(current_count_decreases)
{
    uint32_t last = 0xffffffff;

    enable();
    wr(R_LVT_TIMER, 0x10033);                                /* masked one-shot */
    wr(R_DCR, 0x0);                                          /* divide by 2 */
    wr(R_INIT, 0xffffffff);
    for (unsigned i = 1; i <= 50; i++) {
        uint32_t c;

        vclock_step(&m.clock, 1000 * i);
        c = rd(R_CUR);
        ck_assert_uint_lt(c, last);
        last = c;
    }
    /* 1000 * (1 + ... + 50) ns at 1 GHz / 2. */
    ck_assert_uint_eq(last, 0xffffffffu - 1275000u / 2);
    /* Divide change mid-count: continues from the current count. */
    wr(R_DCR, 0xb);
    vclock_step(&m.clock, 1000);
    ck_assert_uint_eq(rd(R_CUR), last - 1000);
    /* Masked: it counts to 0 but no interrupt. */
    wr(R_INIT, 50);
    vclock_step(&m.clock, 1000);
    ck_assert_uint_eq(rd(R_CUR), 0);
    ck_assert(!irr(0x33));
    ck_assert(!lapic_intr_pending(apic));
}
END_TEST

START_TEST(tsc_deadline)
{
    uint64_t t0;

    enable();
    ck_assert_uint_eq(lapic_tsc(apic), vclock_now(&m.clock) * TSC_KHZ / 1000000);
    vclock_step(&m.clock, 12345);
    ck_assert_uint_eq(lapic_tsc(apic), 12345 * 3);
    /* Not in deadline mode: writes ignored, reads 0. */
    lapic_set_tsc_deadline(apic, lapic_tsc(apic) + 30);
    ck_assert_uint_eq(lapic_get_tsc_deadline(apic), 0);
    vclock_step(&m.clock, 100);
    ck_assert(!irr(0x34));

    wr(R_LVT_TIMER, 0x00040034);                              /* TSC-deadline */
    t0 = lapic_tsc(apic);
    lapic_set_tsc_deadline(apic, t0 + 3000);                 /* 1000 ns at 3 GHz */
    ck_assert_uint_eq(lapic_get_tsc_deadline(apic), t0 + 3000);
    wr(R_INIT, 5);                                            /* ignored */
    ck_assert_uint_eq(rd(R_INIT), 0);
    ck_assert_uint_eq(rd(R_CUR), 0);
    vclock_step(&m.clock, 999);
    ck_assert(!irr(0x34));
    vclock_step(&m.clock, 1);
    ck_assert(irr(0x34));
    ck_assert_uint_eq(lapic_get_tsc_deadline(apic), 0);     /* disarmed itself */
    take(0x34);
    wr(R_EOI, 0);
    /* A deadline that is not a whole ns: fires at the first ns TSC >= it. */
    t0 = lapic_tsc(apic);
    lapic_set_tsc_deadline(apic, t0 + 3001);
    vclock_step(&m.clock, 1000);
    ck_assert(!irr(0x34));
    vclock_step(&m.clock, 1);
    ck_assert(irr(0x34));
    take(0x34);
    wr(R_EOI, 0);
    /* In the past: at once.  Zero: disarmed. */
    lapic_set_tsc_deadline(apic, 1);
    ck_assert(irr(0x34));
    take(0x34);
    wr(R_EOI, 0);
    lapic_set_tsc_deadline(apic, lapic_tsc(apic) + 300);
    lapic_set_tsc_deadline(apic, 0);
    vclock_step(&m.clock, 1000);
    ck_assert(!irr(0x34));
    /* Leaving deadline mode disarms. */
    lapic_set_tsc_deadline(apic, lapic_tsc(apic) + 300);
    wr(R_LVT_TIMER, 0x00000034);
    vclock_step(&m.clock, 1000);
    ck_assert(!irr(0x34));
    /* IA32_TSC writes move the TSC and the deadline with it. */
    wr(R_LVT_TIMER, 0x00040034);
    lapic_set_tsc(apic, 1000000);
    ck_assert_uint_eq(lapic_tsc(apic), 1000000);
    lapic_set_tsc_deadline(apic, 1000000 + 30);
    vclock_step(&m.clock, 9);
    ck_assert(!irr(0x34));
    vclock_step(&m.clock, 1);
    ck_assert(irr(0x34));
}
END_TEST

START_TEST(pic_pass_through)
{
    struct device *b;

    /* Virtual wire: LINT0 ExtINT, even before SVR enables the APIC. */
    pic_req = true;
    ck_assert(lapic_intr_pending(apic));
    ck_assert_int_eq(lapic_intr_ack(apic), 0x08);
    ck_assert_int_eq(pic_acks, 1);
    ck_assert(!lapic_intr_pending(apic));
    /* An APIC interrupt is taken before the 8259A's. */
    enable();
    pic_req = true;
    lapic_deliver(apic, 0x50, APIC_DM_FIXED, false);
    take(0x50);
    take(0x08);
    wr(R_EOI, 0);
    /* An ExtINT message also fetches the 8259A's vector. */
    pic_req = true;
    wr(R_LVT_LINT0, 0x00010700);
    ck_assert(!lapic_intr_pending(apic));                    /* LINT0 masked */
    lapic_deliver(apic, 0, APIC_DM_EXTINT, false);
    take(0x08);
    /* Explicit software disable masks LINT0: the 8259A is cut off. */
    wr(R_LVT_LINT0, 0x00000700);
    pic_req = true;
    ck_assert(lapic_intr_pending(apic));
    wr(R_SVR, 0xff);
    ck_assert(!lapic_intr_pending(apic));
    /* Globally disabled: LINT0 is INTR, the MMIO page is gone. */
    ck_assert_int_eq(lapic_set_base(apic, 0xfee00100), 0);
    ck_assert(lapic_intr_pending(apic));
    ck_assert_uint_eq(rd(R_VER), 0xffffffff);
    ck_assert_int_eq(lapic_intr_ack(apic), 0x08);
    /* LINT1 is the NMI pin then. */
    lapic_set_lint(apic, 1, 1);
    ck_assert(lapic_nmi_pending(apic));
    lapic_nmi_ack(apic);
    lapic_set_lint(apic, 1, 0);
    /* Re-enabled: registers are back at their reset values. */
    ck_assert_int_eq(lapic_set_base(apic, 0xfee00900), 0);
    ck_assert_uint_eq(rd(R_VER), 0x00050014);
    ck_assert_uint_eq(rd(R_LVT_LINT0), 0x00000700);
    ck_assert_uint_eq(rd(R_SVR), 0xff);

    /* Without the virtual-wire set-up (the SDM's reset state) LINT0 is
     * masked and the 8259A does not reach the CPU. */
    lapic_set_base(apic, 0);
    b = make_apic("virtual_wire=off");
    pic_req = true;
    ck_assert(!lapic_intr_pending(b));
    ck_assert_int_eq(lapic_intr_ack(b), 0xff);
}
END_TEST

START_TEST(lint1_nmi_and_lint0_fixed)
{
    lapic_set_lint(apic, 1, 1);
    ck_assert(lapic_nmi_pending(apic));
    lapic_nmi_ack(apic);
    lapic_set_lint(apic, 1, 1);
    ck_assert(!lapic_nmi_pending(apic));                     /* edge only */
    lapic_set_lint(apic, 1, 0);
    lapic_deliver(apic, 0, APIC_DM_NMI, false);
    ck_assert(lapic_nmi_pending(apic));
    lapic_nmi_ack(apic);
    /* LINT0 as a fixed, active-low level input. */
    enable();
    lapic_set_extint(apic, NULL, NULL, NULL);
    lapic_set_lint(apic, 0, 1);
    wr(R_LVT_LINT0, 0x0000a058);
    lapic_set_lint(apic, 0, 0);                               /* asserted */
    ck_assert(irr(0x58) && tmr(0x58));
    take(0x58);
    wr(R_EOI, 0);
    ck_assert_int_eq(eoi_n, 1);
}
END_TEST

START_TEST(base_relocation)
{
    ck_assert_int_eq(lapic_set_base(apic, 0xfed00900), 0);
    ck_assert_uint_eq(lapic_get_base(apic), 0xfed00900);
    ck_assert_uint_eq(rd(R_VER), 0xffffffff);
    ck_assert_uint_eq(as_read(&m.mem, 0xfed00000 + R_VER, 4), 0x00050014);
    as_write(&m.mem, 0xfed00000 + R_TPR, 0x33, 4);
    ck_assert_uint_eq(lapic_get_cr8(apic), 3);
    /* Reserved bits and x2APIC enable: #GP, nothing changes. */
    ck_assert_int_eq(lapic_set_base(apic, 0xfed00901), -1);
    ck_assert_int_eq(lapic_set_base(apic, 0xfed00d00), -1);
    ck_assert_int_eq(lapic_set_base(apic, 0xfff0000000000900ull), -1);
    ck_assert_uint_eq(lapic_get_base(apic), 0xfed00900);
    {
        uint64_t v = 1;

        ck_assert_int_eq(lapic_msr_read(apic, 0x802, &v), -1);
        ck_assert_int_eq(lapic_msr_write(apic, 0x808, 0), -1);
    }
    /* Over RAM: refused quietly (not mapped), no crash. */
    ck_assert_int_eq(as_add_ram(&m.mem, 0, 2 << 20, m.ram, "ram"), 0);
    ck_assert_int_eq(lapic_set_base(apic, 0x00100900), 0);
    ck_assert_uint_eq(as_read(&m.mem, 0x100000 + R_VER, 4), 0);     /* still RAM */
    /* Reset: back at the default base. */
    machine_reset_devices(&m);
    ck_assert_uint_eq(rd(R_VER), 0x00050014);
    ck_assert_uint_eq(rd(R_TPR), 0);
}
END_TEST

START_TEST(hostile_traffic)
{
    uint32_t x = 12345;

    for (unsigned i = 0; i < 200000; i++) {
        static const unsigned sizes[] = { 1, 2, 4, 8 };
        uint64_t off;

        x = x * 1103515245u + 12345u;
        off = (x >> 8) & 0xfff;
        if ((x >> 4) & 1)
            off &= 0x3f0;
        switch ((x >> 20) % 8) {
        case 0: case 1: case 2:
            as_write(&m.mem, BASE + off, x * 2654435761u, sizes[(x >> 2) & 3]);
            break;
        case 3:
            (void)as_read(&m.mem, BASE + off, sizes[(x >> 2) & 3]);
            break;
        case 4:
            vclock_step(&m.clock, (x >> 9) % 5000);
            break;
        case 5:
            if (lapic_intr_pending(apic))
                (void)lapic_intr_ack(apic);
            break;
        case 6:
            lapic_deliver(apic, (uint8_t)(x >> 12), (x >> 24) & 7, (x >> 27) & 1);
            lapic_set_tsc_deadline(apic, lapic_tsc(apic) + ((x >> 10) & 0xffff));
            break;
        default:
            wr(R_INIT, (x & 1) ? 0 : (x | 0x100));
            wr(R_LVT_TIMER, (x >> 3) & 0x000700ff);
            break;
        }
    }
    /* Extreme timer values: count 1 periodic at divide 1 and the maximum
     * count at divide 128, over a long stretch of virtual time. */
    enable();
    wr(R_LVT_TIMER, 0x00020040);
    wr(R_DCR, 0xb);
    wr(R_INIT, 1);
    vclock_step(&m.clock, 100000);
    ck_assert(irr(0x40));
    wr(R_DCR, 0xa);
    wr(R_INIT, 0xffffffff);
    vclock_step(&m.clock, 1000000000000ull);
    ck_assert_uint_gt(rd(R_CUR), 0);
    wr(R_LVT_TIMER, 0x00040040);
    lapic_set_tsc_deadline(apic, ~0ull);
    vclock_step(&m.clock, 1000000000ull);
    machine_reset_devices(&m);
    ck_assert_uint_eq(rd(R_SVR), 0xff);
    ck_assert_uint_eq(rd(R_LVT_TIMER), 0x00010000);
    ck_assert_uint_eq(rd(R_IRR + 0x20), 0);
    ck_assert_uint_eq(vclock_next_deadline(&m.clock), VCLOCK_NEVER);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lapic");
    TCase *tc = tcase_create("sdm");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, reset_values);
    tcase_add_test(tc, software_enable);
    tcase_add_test(tc, priority_order);
    tcase_add_test(tc, tpr_and_ppr);
    tcase_add_test(tc, spurious_vector);
    tcase_add_test(tc, eoi_hook_for_level);
    tcase_add_test(tc, self_ipi_and_esr);
    tcase_add_test(tc, error_interrupt);
    tcase_add_test(tc, oneshot_timer);
    tcase_add_test(tc, divide_values);
    tcase_add_test(tc, periodic_timer);
    tcase_add_test(tc, current_count_decreases);
    tcase_add_test(tc, tsc_deadline);
    tcase_add_test(tc, pic_pass_through);
    tcase_add_test(tc, lint1_nmi_and_lint0_fixed);
    tcase_add_test(tc, base_relocation);
    tcase_add_test(tc, hostile_traffic);
    suite_add_tcase(s, tc);
    return vireo_check_run(s);
}
