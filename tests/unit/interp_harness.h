/*
 * interp_harness.h - a fake machine for software-CPU unit tests: guest
 * RAM in a malloc'd buffer behind a struct cpu_bus, port 0xe9 as a debug
 * console, port 0xf4 as "stop" (like isa-debug-exit), one interrupt
 * line, and helpers that enter real, 32-bit protected or 64-bit long mode
 * directly through set_state.  No dependency on hw/.
 */
#ifndef VIREO_TESTS_INTERP_HARNESS_H
#define VIREO_TESTS_INTERP_HARNESS_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "accel/interp.h"

#define FAKE_RAM (16u << 20)
#define FAKE_MMIO_BASE 0xfee00000u   /* a non-RAM page for MMIO tests */

struct fake {
    uint8_t *ram;
    struct cpu_bus bus;
    struct accel a;
    char con[4096];
    size_t ncon;
    bool stop;
    uint32_t stop_code;
    bool irq;
    int irq_vec;
    uint64_t mmio_last_addr, mmio_last_val;
    unsigned mmio_writes;
};

static uint8_t *fake_map(void *opaque, uint64_t gpa, uint64_t *len, bool write)
{
    struct fake *f = opaque;
    (void)write;
    if (gpa >= FAKE_RAM)
        return NULL;
    if (*len > FAKE_RAM - gpa)
        *len = FAKE_RAM - gpa;
    return f->ram + gpa;
}

static uint64_t fake_mem_read(void *opaque, uint64_t gpa, unsigned size)
{
    struct fake *f = opaque;
    f->mmio_last_addr = gpa;
    return gpa == FAKE_MMIO_BASE ? 0x12345678u : ~0ull;
}

static void fake_mem_write(void *opaque, uint64_t gpa, uint64_t val, unsigned size)
{
    struct fake *f = opaque;
    f->mmio_last_addr = gpa;
    f->mmio_last_val = val;
    f->mmio_writes++;
}

static uint32_t fake_pio_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque;
    return port == 0x60 ? 0xab : 0xffffffffu;
}

static void fake_pio_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    struct fake *f = opaque;
    if (port == 0xe9 && f->ncon + 1 < sizeof(f->con))
        f->con[f->ncon++] = (char)val;
    if (port == 0xf4) {
        f->stop = true;
        f->stop_code = val;
    }
}

static bool fake_intr_pending(void *opaque) { return ((struct fake *)opaque)->irq; }

static int fake_intr_ack(void *opaque)
{
    struct fake *f = opaque;
    f->irq = false;
    return f->irq_vec;
}

static bool fake_stop_requested(void *opaque) { return ((struct fake *)opaque)->stop; }

static inline void fake_init(struct fake *f, const struct accel_ops *ops)
{
    memset(f, 0, sizeof(*f));
    f->ram = calloc(1, FAKE_RAM);
    ck_assert_ptr_nonnull(f->ram);
    f->bus = (struct cpu_bus){
        .opaque = f, .map = fake_map, .mem_read = fake_mem_read, .mem_write = fake_mem_write,
        .pio_read = fake_pio_read, .pio_write = fake_pio_write,
        .intr_pending = fake_intr_pending, .intr_ack = fake_intr_ack,
    };
    struct accel_config cfg = {.bus = &f->bus, .ncpus = 1, .stop_requested = fake_stop_requested};
    char err[128];
    f->a.ops = ops;
    ck_assert_int_eq(ops->init(&f->a, &cfg, err, sizeof(err)), 0);
    ck_assert_int_eq(ops->vcpu_create(&f->a, 0), 0);
}

static inline void fake_fini(struct fake *f)
{
    f->a.ops->destroy(&f->a);
    free(f->ram);
}

static inline void fake_load(struct fake *f, uint64_t gpa, const void *p, size_t n)
{
    ck_assert(gpa + n <= FAKE_RAM);
    memcpy(f->ram + gpa, p, n);
}

enum test_mode { MODE_REAL, MODE_PROT32, MODE_LONG64 };

/* Page tables for long mode at 0x70000: identity map of the first 1 GiB
 * with 2 MiB pages. */
#define FAKE_PT_BASE 0x70000u

static inline void fake_long_tables(struct fake *f)
{
    uint64_t *pml4 = (uint64_t *)(f->ram + FAKE_PT_BASE);
    uint64_t *pdpt = (uint64_t *)(f->ram + FAKE_PT_BASE + 0x1000);
    uint64_t *pd = (uint64_t *)(f->ram + FAKE_PT_BASE + 0x2000);
    memset(pml4, 0, 0x3000);
    pml4[0] = (FAKE_PT_BASE + 0x1000) | 7;   /* user-accessible: ring-3 tests */
    pdpt[0] = (FAKE_PT_BASE + 0x2000) | 7;
    for (int k = 0; k < 512; k++)
        pd[k] = ((uint64_t)k << 21) | 0x87;
}

/* A state that runs code at RIP in MODE with a stack at SP. */
static inline void fake_mode_state(struct fake *f, struct cpu_state *s, enum test_mode mode,
                                   uint64_t rip, uint64_t sp)
{
    cpu_state_reset(s, 0x600);
    s->rip = rip;
    s->gpr[R_RSP] = sp;
    s->gpr[R_RDX] = 0;
    if (mode == MODE_REAL) {
        s->seg[SEG_CS].selector = 0;
        s->seg[SEG_CS].base = 0;
        return;
    }
    s->cr0 = X86_CR0_PE | X86_CR0_ET;
    cpu_state_flat_segment(&s->seg[SEG_CS], 0x08, true);
    for (int k = 0; k < X86_NR_SREGS; k++)
        if (k != SEG_CS)
            cpu_state_flat_segment(&s->seg[k], 0x10, false);
    s->gdtr.limit = 0;
    if (mode == MODE_LONG64) {
        fake_long_tables(f);
        s->cr0 |= X86_CR0_PG;
        s->cr4 = X86_CR4_PAE;
        s->cr3 = FAKE_PT_BASE;
        s->efer = X86_EFER_LME | X86_EFER_LMA;
        s->seg[SEG_CS].l = 1;
        s->seg[SEG_CS].db = 0;
    }
}

static inline enum vcpu_exit_reason fake_run(struct fake *f, uint64_t budget)
{
    struct vcpu_exit ex;
    memset(&ex, 0, sizeof(ex));
    ex.budget = budget;
    ck_assert_int_eq(f->a.ops->vcpu_run(&f->a, 0, &ex), 0);
    return ex.reason;
}

static inline void fake_set(struct fake *f, const struct cpu_state *s)
{
    ck_assert_int_eq(f->a.ops->set_state(&f->a, 0, s), 0);
}

static inline void fake_get(struct fake *f, struct cpu_state *s)
{
    ck_assert_int_eq(f->a.ops->get_state(&f->a, 0, s), 0);
}

#endif
