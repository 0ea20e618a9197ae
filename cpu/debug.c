/*
 * debug.c - the debug registers DR0-DR3/DR6/DR7 as breakpoint hardware
 * (SDM vol. 3B 17.2, 17.3): instruction breakpoints (faults, suppressed
 * for one instruction by RFLAGS.RF), data write and read/write
 * breakpoints of 1, 2, 4 or 8 bytes (traps after the instruction), I/O
 * breakpoints when CR4.DE=1 (traps), and general detect (DR7.GD: a MOV
 * DRn faults with DR6.BD).  Local and global enables are treated alike
 * (no task switches clear L bits here).
 *
 * Cost: nothing while DR7 enables no breakpoint.  With instruction
 * breakpoints the run loop executes one instruction per block; pages
 * holding data breakpoints get no fast TLB entry, so their accesses take
 * the slow path where cpu_debug_data() looks.
 *
 * Not implemented: data breakpoints reported per iteration of a REP
 * string instruction (reported after the whole instruction), DR6.BT
 * (task-switch trap bit), RTM debugging, the "inexact" LE/GE semantics.
 */
#include "cpu/debug.h"

#define DR7_GD (1u << 13)
#define DR6_BD (1u << 13)

static unsigned bp_enabled(uint64_t dr7, unsigned n)
{
    return (dr7 >> (2 * n)) & 3;
}

static unsigned bp_rw(uint64_t dr7, unsigned n)
{
    return (dr7 >> (16 + 4 * n)) & 3;
}

/* LEN encoding 00=1, 01=2, 11=4, 10=8 bytes (17.2.5) */
static uint64_t bp_len(uint64_t dr7, unsigned n)
{
    static const uint8_t len[4] = {1, 2, 8, 4};
    return len[(dr7 >> (18 + 4 * n)) & 3];
}

void cpu_debug_update(struct vcpu *v)
{
    uint64_t dr7 = v->s.dr[7];
    uint8_t ex = 0, data = 0, io = 0;
    for (unsigned n = 0; n < 4; n++) {
        if (!bp_enabled(dr7, n))
            continue;
        switch (bp_rw(dr7, n)) {
        case 0: ex |= 1u << n; break;
        case 1: case 3: data |= 1u << n; break;
        default:
            if (v->s.cr4 & (1u << 3))   /* CR4.DE: I/O breakpoints */
                io |= 1u << n;
            break;
        }
    }
    if (data != v->dbg_data)
        mmu_flush(v, false);   /* pages with data breakpoints leave the fast TLB */
    v->dbg_exec = ex;
    v->dbg_data = data;
    v->dbg_io = io;
}

bool cpu_debug_page_watched(struct vcpu *v, uint64_t lin_page)
{
    for (unsigned n = 0; n < 4; n++) {
        if (!(v->dbg_data & (1u << n)))
            continue;
        uint64_t len = bp_len(v->s.dr[7], n);
        uint64_t a = v->s.dr[n] & ~(len - 1);
        if ((a & ~0xfffull) == lin_page)
            return true;
    }
    return false;
}

void cpu_debug_data(struct vcpu *v, uint64_t lin, unsigned size, bool write)
{
    for (unsigned n = 0; n < 4; n++) {
        if (!(v->dbg_data & (1u << n)))
            continue;
        if (!write && bp_rw(v->s.dr[7], n) == 1)
            continue;
        uint64_t len = bp_len(v->s.dr[7], n);
        uint64_t a = v->s.dr[n] & ~(len - 1);
        if (lin < a + len && a < lin + size) {
            v->dbg_hits |= (uint8_t)(1u << n);
            v->stop = true;
        }
    }
}

void cpu_debug_io(struct vcpu *v, uint16_t port, unsigned size)
{
    for (unsigned n = 0; n < 4; n++) {
        if (!(v->dbg_io & (1u << n)))
            continue;
        uint64_t len = bp_len(v->s.dr[7], n);
        uint64_t a = (v->s.dr[n] & 0xffff) & ~(len - 1);
        if (port < a + len && a < (uint64_t)port + size) {
            v->dbg_hits |= (uint8_t)(1u << n);
            v->stop = true;
        }
    }
}

bool cpu_debug_exec_hit(struct vcpu *v)
{
    if (v->s.rflags & X86_FLAG_RF)
        return false;
    uint64_t lin = v->s.rip + (v->code64 ? 0 : v->s.seg[SEG_CS].base);
    if (!v->lma)
        lin = (uint32_t)lin;
    uint8_t hit = 0;
    for (unsigned n = 0; n < 4; n++)
        if ((v->dbg_exec & (1u << n)) && v->s.dr[n] == lin)
            hit |= (uint8_t)(1u << n);
    if (!hit)
        return false;
    v->s.dr[6] = (v->s.dr[6] & ~0xfull) | hit;
    cpu_deliver(v, EXC_DB, INT_EXC, false, 0, v->s.rip);
    return true;
}

void cpu_debug_trap(struct vcpu *v)
{
    v->s.dr[6] = (v->s.dr[6] & ~0xfull) | v->dbg_hits;
    v->dbg_hits = 0;
    cpu_deliver(v, EXC_DB, INT_EXC, false, 0, v->s.rip);
}

void cpu_debug_check_gd(struct vcpu *v)
{
    if (v->s.dr[7] & DR7_GD) {
        v->s.dr[7] &= ~(uint64_t)DR7_GD;   /* cleared on entry to the handler */
        v->s.dr[6] |= DR6_BD;
        cpu_raise(v, EXC_DB, false, 0);
    }
}
