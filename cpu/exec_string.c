/*
 * exec_string.c - string instructions MOVS, CMPS, STOS, LODS, SCAS, INS,
 * OUTS with REP/REPE/REPNE in every operand and address size (SDM vol. 2
 * "REP/REPE/REPZ/REPNE/REPNZ", vol. 1 7.3.9).
 *
 * rSI uses DS (overridable), rDI always ES.  A REP instruction runs a
 * bounded batch of iterations per execution and then, if rCX is not yet
 * zero, leaves RIP on itself so the run loop can take interrupts and
 * resume it; registers are updated after each completed iteration, so a
 * fault mid-way is restartable as on hardware.
 *
 * REP MOVS/STOS on flat segments take a fast path: per page-bounded
 * chunk, one TLB lookup per side, then an element loop over host
 * pointers (element by element, so overlapping copies behave as on
 * hardware).  Anything unusual (segment limits, I/O, pages holding code)
 * goes element by element through the normal path.
 */
#include <stddef.h>

#include "cpu/handlers.h"

#define REP_BATCH 4096

enum { K_MOVS, K_CMPS, K_STOS, K_LODS, K_SCAS, K_INS, K_OUTS };

static inline unsigned elem_size(const struct insn *i, int kind)
{
    if (!(i->opcode & 1))
        return 1;
    if ((kind == K_INS || kind == K_OUTS) && i->opsize == 8)
        return 4;
    return i->opsize;
}

static inline void advance(struct vcpu *v, const struct insn *i, int reg, unsigned size)
{
    uint64_t step = (v->s.rflags & X86_FLAG_DF) ? (uint64_t)-(int64_t)size : size;
    set_reg(v, reg, i->asize, (v->s.gpr[reg] + step) & amask(i));
}

/* One iteration; returns false when a REPE/REPNE condition ends the loop. */
static inline bool once(struct vcpu *v, const struct insn *i, int kind, unsigned size)
{
    uint64_t m = amask(i);
    uint64_t si = v->s.gpr[R_RSI] & m, di = v->s.gpr[R_RDI] & m;
    switch (kind) {
    case K_MOVS: {
        uint64_t val = vm_read(v, i->seg, si, size);
        vm_write(v, SEG_ES, di, size, val);
        advance(v, i, R_RSI, size);
        advance(v, i, R_RDI, size);
        return true;
    }
    case K_STOS:
        vm_write(v, SEG_ES, di, size, get_reg(v, R_RAX, size));
        advance(v, i, R_RDI, size);
        return true;
    case K_LODS:
        set_reg(v, R_RAX, size, vm_read(v, i->seg, si, size));
        advance(v, i, R_RSI, size);
        return true;
    case K_CMPS: case K_SCAS: {
        uint64_t a, b;
        if (kind == K_CMPS) {
            a = vm_read(v, i->seg, si, size);
            b = vm_read(v, SEG_ES, di, size);
            advance(v, i, R_RSI, size);
        } else {
            a = get_reg(v, R_RAX, size);
            b = vm_read(v, SEG_ES, di, size);
        }
        advance(v, i, R_RDI, size);
        uint64_t r = (a - b) & size_mask(size);
        lf_set(v, LF_SUB, size, r, a, b);
        if (i->rep == 0xf3)
            return r == 0;   /* REPE: continue while equal */
        if (i->rep == 0xf2)
            return r != 0;   /* REPNE: continue while not equal */
        return true;
    }
    case K_INS: {
        uint16_t port = (uint16_t)v->s.gpr[R_RDX];
        cpu_io_check(v, port, size);
        lin_probe_write(v, seg_lin(v, SEG_ES, di, size, true), size);
        uint32_t val = cpu_pio_in(v, port, size);
        vm_write(v, SEG_ES, di, size, val);
        advance(v, i, R_RDI, size);
        return true;
    }
    default: { /* OUTS */
        uint16_t port = (uint16_t)v->s.gpr[R_RDX];
        cpu_io_check(v, port, size);
        uint32_t val = (uint32_t)vm_read(v, i->seg, si, size);
        cpu_pio_out(v, port, size, val);
        advance(v, i, R_RSI, size);
        return true;
    }
    }
}

/* Flat segment: no limit or type check can fail inside a page. */
static inline bool flat_seg(struct vcpu *v, int seg, bool write)
{
    if (v->code64)
        return true;
    uint8_t f = v->segf[seg];
    return (f & (write ? SEGF_W : SEGF_R)) && !(f & SEGF_EXPDOWN) &&
           v->s.seg[seg].limit == 0xffffffffu;
}

/* Host pointer for LIN through the soft TLB (may raise #PF), or NULL. */
static uint8_t *host_ptr(struct vcpu *v, uint64_t lin, int acc)
{
    struct tlb_entry *e = &v->tlb[acc][(lin >> 12) & (TLB_SIZE - 1)];
    if (e->tag != tlb_key(v, lin, acc))
        mmu_translate(v, lin, acc, &e);
    return e->host ? e->host + (lin & 0xfff) : NULL;
}

/* Elements of SIZE from offset OFF (address mask M) before a page end or
 * an address-size wrap, in direction DOWN. */
static uint64_t room(uint64_t lin, uint64_t off, uint64_t m, unsigned size, bool down)
{
    uint64_t in_page = down ? (lin & 0xfff) / size + 1 : (0x1000 - (lin & 0xfff)) / size;
    uint64_t in_seg = down ? off / size + 1 : (m - off) / size + 1;
    return in_page < in_seg ? in_page : in_seg;
}

/* One chunk of REP MOVS/STOS; returns the elements done (0: use the slow path). */
static uint64_t rep_chunk(struct vcpu *v, const struct insn *i, int kind, unsigned size, uint64_t count)
{
    uint64_t m = amask(i);
    bool down = v->s.rflags & X86_FLAG_DF;
    if (!flat_seg(v, SEG_ES, true) || (kind == K_MOVS && !flat_seg(v, i->seg, false)))
        return 0;
    uint64_t di = v->s.gpr[R_RDI] & m, si = v->s.gpr[R_RSI] & m;
    uint64_t dlin = seg_lin(v, SEG_ES, di, size, true);
    if ((dlin & (size - 1)) || (kind == K_MOVS && ((seg_lin(v, i->seg, si, size, false)) & (size - 1))))
        return 0;   /* misaligned elements may straddle pages */
    uint64_t n = count < room(dlin, di, m, size, down) ? count : room(dlin, di, m, size, down);
    uint8_t *d = host_ptr(v, dlin, ACC_W), *src = NULL;
    if (!d)
        return 0;
    if (kind == K_MOVS) {
        uint64_t slin = seg_lin(v, i->seg, si, size, false);
        uint64_t r = room(slin, si, m, size, down);
        if (r < n)
            n = r;
        if (!(src = host_ptr(v, slin, ACC_R)))
            return 0;
    }
    ptrdiff_t step = down ? -(ptrdiff_t)size : (ptrdiff_t)size;
    if (kind == K_STOS) {
        uint64_t val = v->s.gpr[R_RAX];
        for (uint64_t k = 0; k < n; k++, d += step)
            memcpy(d, &val, size);
    } else {
        for (uint64_t k = 0; k < n; k++, d += step, src += step)
            memmove(d, src, size);
    }
    uint64_t delta = down ? (uint64_t)-(int64_t)(n * size) : n * size;
    set_reg(v, R_RDI, i->asize, (di + delta) & m);
    if (kind == K_MOVS)
        set_reg(v, R_RSI, i->asize, (si + delta) & m);
    set_reg(v, R_RCX, i->asize, (count - n) & m);
    return n;
}

static void string_op(struct vcpu *v, const struct insn *i, int kind)
{
    unsigned size = elem_size(i, kind);
    if (!i->rep) {
        once(v, i, kind, size);
        return;
    }
    uint64_t m = amask(i);
    bool fast = kind == K_MOVS || kind == K_STOS;
    for (unsigned n = 0;; n++) {
        uint64_t c = v->s.gpr[R_RCX] & m;
        if (c == 0)
            return;
        if (n == REP_BATCH || v->stop_now) {
            v->next_rip = v->cur_rip;   /* resume later */
            v->stop = true;
            return;
        }
        if (fast) {
            uint64_t done = rep_chunk(v, i, kind, size, c);
            if (done) {
                n += (unsigned)(done / 64);   /* bound the work per execution */
                continue;
            }
        }
        bool go = once(v, i, kind, size);
        set_reg(v, R_RCX, i->asize, (c - 1) & m);
        if (!go)
            return;
    }
}

void op_movs(struct vcpu *v, const struct insn *i) { string_op(v, i, K_MOVS); }
void op_cmps(struct vcpu *v, const struct insn *i) { string_op(v, i, K_CMPS); }
void op_stos(struct vcpu *v, const struct insn *i) { string_op(v, i, K_STOS); }
void op_lods(struct vcpu *v, const struct insn *i) { string_op(v, i, K_LODS); }
void op_scas(struct vcpu *v, const struct insn *i) { string_op(v, i, K_SCAS); }
void op_ins(struct vcpu *v, const struct insn *i) { string_op(v, i, K_INS); }
void op_outs(struct vcpu *v, const struct insn *i) { string_op(v, i, K_OUTS); }
