/*
 * run.c - the interpreter's run loop: look up (or decode) the block at
 * CS:RIP, execute its handlers back to back, and between blocks deliver
 * exceptions (arriving by longjmp), hardware interrupts (IF=1 and no
 * STI/MOV SS shadow, SDM vol. 3A 6.8.3), honour HLT, kicks, the
 * instruction budget and stop requests.
 *
 * Traces (cpu/trace.c) cost one test per block when off.
 * Not implemented: debug-register breakpoints, NMI, SMI.
 */
#include "cpu/cpu.h"

#include <stdlib.h>

#include "cpu/blocks.h"
#include "cpu/debug.h"
#include "cpu/decode.h"
#include "cpu/trace.h"
#include "cpu/vcpu.h"
#include "util/log.h"

struct vcpu *cpu_create(const struct cpu_bus *bus)
{
    cpu_decode_init();
    struct vcpu *v = calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    v->bus = bus;
    v->delivering = -1;
    v->a20_mask = ~0ull;
    if (blocks_init(v) < 0) {
        blocks_destroy(v);
        free(v);
        return NULL;
    }
    cpu_state_reset(&v->s, VIREO_CPU_SIGNATURE);
    cpu_refresh_mode(v);
    return v;
}

void cpu_destroy(struct vcpu *v)
{
    if (!v)
        return;
    blocks_destroy(v);
    free(v);
}

void cpu_set_stop_hook(struct vcpu *v, bool (*fn)(void *opaque))
{
    v->stop_requested = fn;
}

void cpu_get_state(struct vcpu *v, struct cpu_state *s)
{
    cpu_get_flags(v);   /* fold lazy flags */
    *s = v->s;
    s->msr.tsc = cpu_tsc(v);
}

void cpu_set_state(struct vcpu *v, const struct cpu_state *s)
{
    v->s = *s;
    v->lf_op = LF_NONE;
    v->s.rflags = (v->s.rflags | X86_FLAG_FIXED) & ~0xffffffffffc08028ull;
    v->shadow = 0;
    v->shutdown = false;
    v->delivering = -1;
    v->tsc_offset = s->msr.tsc - cpu_tsc_base(v);
    /* the board's timers that count the TSC (the local APIC's deadline
     * mode) must see the same TSC as RDTSC: tell them, as WRMSR does */
    if (v->bus->msr_write)
        v->bus->msr_write(v->bus->opaque, 0x10 /* IA32_TIME_STAMP_COUNTER */, s->msr.tsc);
    cpu_refresh_mode(v);
    mmu_flush(v, false);
    blocks_flush_all(v);
    v->dbg_hits = 0;
    cpu_debug_update(v);
}

void cpu_kick(struct vcpu *v)
{
    v->kick = 1;
}

void cpu_flush_code(struct vcpu *v, uint64_t gpa, uint64_t len)
{
    code_page_written(v, gpa, len);
}

static inline uint64_t ip_mask(struct vcpu *v)
{
    return v->csize == 8 ? ~0ull : v->csize == 4 ? 0xffffffffull : 0xffffull;
}

static uint64_t code_lin(struct vcpu *v, uint64_t rip)
{
    if (v->code64) {
        if (!canonical(rip))
            cpu_gp(v, 0);
        return rip;
    }
    if (rip > v->s.seg[SEG_CS].limit)
        cpu_gp(v, 0);
    return (uint32_t)(v->s.seg[SEG_CS].base + rip);
}

/* Decode one instruction byte by byte (page-crossing, non-RAM code). */
static struct block *fetch_slow(struct vcpu *v, uint64_t rip)
{
    uint8_t buf[16];
    size_t n = 0;
    struct insn *i = &v->scratch->insn[0];
    for (;;) {
        int st = cpu_decode(buf, n, v->csize, i);
        if (st == DEC_OK)
            break;
        if (st == DEC_UD)
            cpu_ud(v);
        if (st == DEC_GP || n >= 15)
            cpu_gp(v, 0);
        uint64_t lin = code_lin(v, (rip + n) & ip_mask(v));
        buf[n++] = (uint8_t)lin_read_slow(v, lin, 1, ACC_X);
    }
    v->scratch->ninsn = 1;
    v->scratch->csize = v->csize;
    v->scratch->bytes = i->len;
    return v->scratch;
}

static struct block *find_block(struct vcpu *v, uint64_t rip)
{
    uint64_t lin = code_lin(v, rip);
    struct tlb_entry *e = &v->tlb[ACC_X][(lin >> 12) & (TLB_SIZE - 1)];
    if (e->tag != tlb_key(v, lin, ACC_X))
        mmu_translate(v, lin, ACC_X, &e);
    if (!e->host)
        return fetch_slow(v, rip);
    uint64_t pa = e->paddr | (lin & 0xfff);
    struct block *b = block_lookup(v, pa, v->csize);
    if (b) {
        /* decoded under a larger CS limit: step through the tail singly */
        if (!v->code64 && rip + b->bytes - 1 > v->s.seg[SEG_CS].limit)
            return fetch_slow(v, rip);
        return b;
    }
    uint64_t avail = 0x1000 - (lin & 0xfff);
    if (!v->code64 && v->s.seg[SEG_CS].limit - rip + 1 < avail)
        avail = v->s.seg[SEG_CS].limit - rip + 1;
    int st;
    b = block_build(v, pa, e->host + (lin & 0xfff), avail, v->csize, &st);
    if (b) {
        if (log_enabled(LOG_IN_ASM))
            trace_block(v, lin, pa, e->host + (lin & 0xfff), b->bytes);
        return b;
    }
    if (st == DEC_UD)
        cpu_ud(v);
    if (st == DEC_GP)
        cpu_gp(v, 0);
    return fetch_slow(v, rip);
}

static inline void exec_block(struct vcpu *v, const struct block *b, uint64_t rip,
                              uint64_t limit, const bool trace)
{
    uint64_t mask = ip_mask(v);
    for (unsigned k = 0; k < b->ninsn; k++) {
        const struct insn *i = &b->insn[k];
        uint64_t next = (rip + i->len) & mask;
        v->cur_rip = rip;
        v->next_rip = next;
        if (trace && log_enabled(LOG_EXEC))
            trace_exec(v, i);
        i->fn(v, i);
        v->s.rip = v->next_rip;
        v->icount++;
        if (trace && log_enabled(LOG_CPU))
            trace_cpu(v);
        if (v->next_rip != next || v->stop || v->icount >= limit)
            break;
        rip = next;
    }
}

static void run_block(struct vcpu *v, uint64_t limit)
{
    /* The A20 gate changed (keyboard controller, port 0x92): every cached
     * translation may now point at the other megabyte. */
    if (v->bus->a20_mask && *v->bus->a20_mask != v->a20_mask) {
        v->a20_mask = *v->bus->a20_mask;
        mmu_flush(v, false);
    }
    uint64_t rip = v->s.rip;
    const struct block *b = find_block(v, rip);
    v->stop = false;
    if (__builtin_expect(log_enabled(LOG_EXEC) || log_enabled(LOG_CPU), 0))
        exec_block(v, b, rip, limit, true);
    else
        exec_block(v, b, rip, limit, false);
}

enum cpu_exit cpu_exec(struct vcpu *v, uint64_t budget, uint64_t *executed)
{
    const uint64_t start = v->icount;
    const uint64_t limit = budget ? start + budget : UINT64_MAX;
    enum cpu_exit why;
    v->stop_now = false;

    if (setjmp(v->jb)) {
        /* A handler (or a delivery) raised an exception.  The delivery
         * counts as one retired event, so a guest stuck in a fault loop
         * still exhausts its budget (and a kick still ends the run). */
        v->icount++;
        v->dbg_hits = 0;   /* a faulting instruction reports no data breakpoint */
        /* a fault in the middle of an event delivery or gate call may
         * have left the CPL switched; the committed CS is the truth */
        cpu_refresh_mode(v);
        if (v->exc_pending)
            cpu_deliver_pending(v);
    }
    for (;;) {
        if (v->bfree)
            blocks_reap(v);
        if (v->shutdown) {
            why = CPU_EXIT_SHUTDOWN;
            break;
        }
        if (v->kick) {
            v->kick = 0;
            why = CPU_EXIT_KICK;
            break;
        }
        if (v->stop_now) {
            why = CPU_EXIT_STOP;
            break;
        }
        if (v->icount >= limit) {
            why = CPU_EXIT_BUDGET;
            break;
        }
        uint64_t run_limit = limit;
        if (v->shadow) {
            v->shadow = 0;
            run_limit = v->icount + 1;
        } else if ((v->s.rflags & X86_FLAG_IF) && v->bus->intr_pending &&
                   v->bus->intr_pending(v->bus->opaque)) {
            int vec = v->bus->intr_ack ? v->bus->intr_ack(v->bus->opaque) : -1;
            if (vec >= 0) {
                v->delivering = 256;   /* external interrupt: benign for #DF rules */
                cpu_deliver(v, vec & 0xff, INT_HW, false, 0, v->s.rip);
                v->delivering = -1;
            }
        }
        if (v->s.halted) {
            why = CPU_EXIT_HALT;
            break;
        }
        /* TF: one instruction, then a single-step #DB trap (SDM vol. 3A
         * 17.3.1.4), unless the instruction delivered an event itself or
         * sits in a MOV SS shadow. */
        bool tf = v->s.rflags & X86_FLAG_TF;
        /* RF suppresses instruction breakpoints for one instruction and
         * is cleared when it completes (SDM vol. 3B 17.3.1.1) */
        bool rf = v->s.rflags & X86_FLAG_RF;
        if (tf || rf || v->dbg_exec)
            run_limit = v->icount + 1;
        if (v->dbg_exec && cpu_debug_exec_hit(v))
            continue;
        uint64_t before = v->icount;
        v->delivered = false;
        run_block(v, run_limit);
        if (rf && v->icount > before)
            v->s.rflags &= ~(uint64_t)X86_FLAG_RF;
        bool step = tf && v->icount > before && !v->delivered && !v->shadow;
        if (v->delivered)
            v->dbg_hits = 0;   /* data hits of an event delivery are not reported */
        if (step)
            v->s.dr[6] |= 1u << 14;   /* BS */
        /* the traps of one instruction are reported by one #DB: single
         * step (BS) and data/I/O breakpoint hits (B0-B3) */
        if (v->dbg_hits)
            cpu_debug_trap(v);
        else if (step)
            cpu_deliver(v, EXC_DB, INT_EXC, false, 0, v->s.rip);
    }
    if (executed)
        *executed = v->icount - start;
    return why;
}

const char *cpu_mnemonic_at(struct vcpu *v)
{
    uint8_t buf[15];
    size_t n = 0;
    struct insn i;
    uint64_t base = v->code64 ? 0 : v->s.seg[SEG_CS].base;
    for (; n < 15; n++) {
        uint64_t len = 1;
        uint64_t lin = base + v->s.rip + n;
        if (v->pg)
            return NULL;   /* no side-effect-free walk yet */
        uint8_t *p = v->bus->map(v->bus->opaque, lin, &len, false);
        if (!p)
            break;
        buf[n] = *p;
    }
    if (cpu_decode(buf, n, v->csize, &i) != DEC_OK)
        return NULL;
    return i.ent->mnem;
}

uint64_t cpu_icount(const struct vcpu *v)
{
    return v->icount;
}
