/*
 * machine.c - the parts every board shares: guest RAM as one anonymous
 * host mapping, the memory and port address spaces, the virtual clock,
 * the main loop, device teardown/reset, and the cpu_bus implementation
 * that accelerators call for RAM, MMIO and port I/O.
 */
#include "hw/core/machine.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "hw/core/device.h"
#include "util/log.h"

static uint8_t *bus_map(void *opaque, uint64_t gpa, uint64_t *len, bool write)
{
    struct machine *m = opaque;

    return gmem_map(&m->mem, gpa, len, write);
}

static uint64_t bus_mem_read(void *opaque, uint64_t gpa, unsigned size)
{
    struct machine *m = opaque;

    return as_read(&m->mem, gpa, size);
}

static void bus_mem_write(void *opaque, uint64_t gpa, uint64_t val, unsigned size)
{
    struct machine *m = opaque;

    as_write(&m->mem, gpa, val, size);
}

/* Ports below 0x100 are the motherboard's ISA devices (PIT, PIC, DMA,
 * keyboard controller, RTC): an access there is an ISA bus cycle of about
 * a microsecond on a PC, and guests time with it (Linux's quick PIT
 * calibration relies on two PIT reads spanning a PIT clock). */
#define ISA_IO_CYCLE_NS 1000u

static void pio_cycle(struct machine *m, uint16_t port)
{
    if (port < 0x100)
        vclock_charge(&m->clock, ISA_IO_CYCLE_NS);
}

static uint32_t bus_pio_read(void *opaque, uint16_t port, unsigned size)
{
    struct machine *m = opaque;
    pio_cycle(m, port);
    uint32_t v = (uint32_t)as_read(&m->io, port, size);

    vlog(LOG_IOPORT, "in%c  0x%04x -> 0x%x\n", size == 1 ? 'b' : size == 2 ? 'w' : 'l', port, v);
    return v;
}

static void bus_pio_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    struct machine *m = opaque;

    vlog(LOG_IOPORT, "out%c 0x%04x <- 0x%x\n", size == 1 ? 'b' : size == 2 ? 'w' : 'l', port, val);
    pio_cycle(m, port);
    as_write(&m->io, port, val, size);
}

static bool bus_intr_pending(void *opaque)
{
    struct machine *m = opaque;

    return m->intr_pending ? m->intr_pending(m->intr_opaque) : false;
}

static int bus_intr_ack(void *opaque)
{
    struct machine *m = opaque;

    return m->intr_ack ? m->intr_ack(m->intr_opaque) : -1;
}

static uint64_t bus_clock_ns(void *opaque)
{
    struct machine *m = opaque;

    return vclock_now(&m->clock);
}

static int bus_msr_read(void *opaque, uint32_t msr, uint64_t *val)
{
    struct machine *m = opaque;

    return m->msr_read ? m->msr_read(m->platform_opaque, msr, val) : 1;
}

static int bus_msr_write(void *opaque, uint32_t msr, uint64_t val)
{
    struct machine *m = opaque;

    return m->msr_write ? m->msr_write(m->platform_opaque, msr, val) : 1;
}

static uint8_t bus_cr8_read(void *opaque)
{
    struct machine *m = opaque;

    return m->cr8_read ? m->cr8_read(m->platform_opaque) : 0;
}

static void bus_cr8_write(void *opaque, uint8_t val)
{
    struct machine *m = opaque;

    if (m->cr8_write)
        m->cr8_write(m->platform_opaque, val);
}

static void bus_request_reset(void *opaque)
{
    machine_request_reset(opaque);
}

int machine_init(struct machine *m, uint64_t ram_size, enum vclock_mode clock_mode)
{
    int rc;

    memset(m, 0, sizeof(*m));
    m->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                  -1, 0);
    if (m->ram == MAP_FAILED) {
        m->ram = NULL;
        return -errno;
    }
    m->ram_size = ram_size;
    as_init(&m->mem, "memory", 0x10000000000000ull); /* 52-bit physical */
    as_init(&m->io, "io", 0x10000);
    vclock_init(&m->clock, clock_mode);
    rc = mainloop_init(&m->loop);
    if (rc < 0) {
        munmap(m->ram, ram_size);
        m->ram = NULL;
        return rc;
    }
    m->bus = (struct cpu_bus){
        .opaque = m,
        .map = bus_map,
        .mem_read = bus_mem_read,
        .mem_write = bus_mem_write,
        .pio_read = bus_pio_read,
        .pio_write = bus_pio_write,
        .intr_pending = bus_intr_pending,
        .intr_ack = bus_intr_ack,
        .request_reset = bus_request_reset,
        .clock_ns = bus_clock_ns,
        .msr_read = bus_msr_read,
        .msr_write = bus_msr_write,
        .a20_mask = &m->a20_mask,
    };
    m->a20_mask = ~0ull;
    return 0;
}

void machine_destroy(struct machine *m)
{
    struct device *d = m->devices;

    while (d) {
        struct device *next = d->next;
        if (d->desc->unrealize)
            d->desc->unrealize(d);
        device_free(d);
        d = next;
    }
    m->devices = NULL;
    as_destroy(&m->mem);
    as_destroy(&m->io);
    mainloop_destroy(&m->loop);
    if (m->ram)
        munmap(m->ram, m->ram_size);
    m->ram = NULL;
}

static void post(struct machine *m, enum machine_request req)
{
    m->request = req;
    if (m->kick)
        m->kick(m->kick_opaque);
}

void machine_set_platform(struct machine *m, void *opaque, unsigned features,
                          int (*msr_read)(void *, uint32_t, uint64_t *),
                          int (*msr_write)(void *, uint32_t, uint64_t),
                          uint8_t (*cr8_read)(void *), void (*cr8_write)(void *, uint8_t))
{
    m->platform_opaque = opaque;
    m->msr_read = msr_read;
    m->msr_write = msr_write;
    m->cr8_read = cr8_read;
    m->cr8_write = cr8_write;
    m->bus.cr8_read = cr8_read ? bus_cr8_read : NULL;
    m->bus.cr8_write = cr8_write ? bus_cr8_write : NULL;
    m->bus.platform_features = features;
}

void machine_request_exit(struct machine *m, int status)
{
    if (m->request == MACHINE_EXIT)
        return;
    m->exit_status = status;
    post(m, MACHINE_EXIT);
}

void machine_request_reset(struct machine *m)
{
    if (m->request == MACHINE_EXIT)
        return;
    if (m->no_reboot) {
        vlog(LOG_INT, "reset requested under -no-reboot: exiting\n");
        m->exit_status = 0;
        post(m, MACHINE_EXIT);
        return;
    }
    post(m, MACHINE_RESET);
}

void machine_reset_devices(struct machine *m)
{
    for (struct device *d = m->devices; d; d = d->next)
        if (d->desc->reset)
            d->desc->reset(d);
}
