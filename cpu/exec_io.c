/*
 * exec_io.c - port I/O: IN/OUT (immediate and DX forms) and the shared
 * permission check for IN/OUT/INS/OUTS: CPL <= IOPL, otherwise (and
 * always in virtual-8086 mode) the I/O permission bitmap of a 32/64-bit
 * TSS (SDM vol. 1 19.5).  After each access (and each MMIO store, from
 * cpu/mmu.c) the machine's stop request is polled so a device (e.g.
 * isa-debug-exit) can end vcpu_run.
 */
#include "cpu/debug.h"
#include "cpu/handlers.h"

#include "util/log.h"

void cpu_io_check(struct vcpu *v, uint16_t port, unsigned size)
{
    if (!v->pe || (!v->v86 && v->cpl <= iopl(v)))
        return;
    const struct x86_segment *tr = &v->s.tr;
    if (!(tr->type == 0x9 || tr->type == 0xb) || tr->limit < 0x67)
        cpu_gp(v, 0);
    uint16_t base = (uint16_t)lin_read_slow(v, tr->base + 0x66, 2, ACC_R | ACC_SYS);
    uint32_t off = base + port / 8u;
    if (off + 1 > tr->limit)
        cpu_gp(v, 0);
    uint16_t bits = (uint16_t)lin_read_slow(v, tr->base + off, 2, ACC_R | ACC_SYS);
    if ((bits >> (port & 7)) & ((1u << size) - 1))
        cpu_gp(v, 0);
}

void cpu_poll_stop(struct vcpu *v)
{
    if (v->stop_requested && v->stop_requested(v->bus->opaque)) {
        v->stop_now = true;
        v->stop = true;
    }
}

uint32_t cpu_pio_in(struct vcpu *v, uint16_t port, unsigned size)
{
    if (v->dbg_io)
        cpu_debug_io(v, port, size);
    uint32_t val = v->bus->pio_read ? v->bus->pio_read(v->bus->opaque, port, size) : ~0u;
    if (size < 4)
        val &= (1u << (size * 8)) - 1;
    cpu_poll_stop(v);
    return val;
}

void cpu_pio_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    if (v->dbg_io)
        cpu_debug_io(v, port, size);
    if (size < 4)
        val &= (1u << (size * 8)) - 1;
    if (v->bus->pio_write)
        v->bus->pio_write(v->bus->opaque, port, val, size);
    cpu_poll_stop(v);
}

static uint16_t io_port(struct vcpu *v, const struct insn *i)
{
    /* E4-E7 take an 8-bit immediate port, EC-EF use DX */
    return (i->opcode & 8) ? (uint16_t)v->s.gpr[R_RDX] : (uint16_t)(i->imm & 0xff);
}

static unsigned io_size(const struct insn *i)
{
    return (i->opcode & 1) ? (i->opsize == 2 ? 2 : 4) : 1;
}

void op_in(struct vcpu *v, const struct insn *i)
{
    uint16_t port = io_port(v, i);
    unsigned size = io_size(i);
    cpu_io_check(v, port, size);
    set_reg(v, R_RAX, size, cpu_pio_in(v, port, size));
}

void op_out(struct vcpu *v, const struct insn *i)
{
    uint16_t port = io_port(v, i);
    unsigned size = io_size(i);
    cpu_io_check(v, port, size);
    cpu_pio_out(v, port, size, (uint32_t)v->s.gpr[R_RAX]);
}
