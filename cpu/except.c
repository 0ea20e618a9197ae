/*
 * except.c - exceptions and interrupts (SDM vol. 3A ch. 6): raising a
 * fault unwinds to the run loop with longjmp; delivery goes through the
 * real-mode IVT (20.1.4), 32-bit protected-mode interrupt/trap gates with
 * privilege change through the TSS (6.12.1), or 64-bit IDT gates with IST
 * and 16-byte stack alignment (6.14).  Double fault per table 6-5; a
 * fault while delivering #DF is a triple fault (shutdown).
 *
 * Interrupts from virtual-8086 mode go to ring 0 and save ES/DS/FS/GS;
 * task gates switch tasks (cpu/task.c).  Not implemented: VME.
 */
#include "cpu/vcpu.h"

#include "util/log.h"

_Noreturn void cpu_raise(struct vcpu *v, int vec, bool has_err, uint32_t err)
{
    v->exc_pending = true;
    v->exc_vec = (uint8_t)vec;
    v->exc_has_err = has_err;
    v->exc_err = err;
    longjmp(v->jb, 1);
}

_Noreturn void cpu_ud(struct vcpu *v) { cpu_raise(v, EXC_UD, false, 0); }
_Noreturn void cpu_gp(struct vcpu *v, uint32_t err) { cpu_raise(v, EXC_GP, true, err); }
_Noreturn void cpu_ss(struct vcpu *v, uint32_t err) { cpu_raise(v, EXC_SS, true, err); }

static bool contributory(int vec)
{
    return vec == EXC_DE || (vec >= EXC_TS && vec <= EXC_GP);
}

/* Called by the run loop after longjmp: deliver the pending exception,
 * escalating to #DF or shutdown when it hit while delivering another. */
void cpu_deliver_pending(struct vcpu *v)
{
    int vec = v->exc_vec;
    bool has_err = v->exc_has_err;
    uint32_t err = v->exc_err;
    v->exc_pending = false;
    if (v->delivering >= 0) {
        int prev = v->delivering;
        if (prev == EXC_DF) {
            vlog(LOG_INT, "cpu: triple fault (vector %d while delivering #DF)\n", vec);
            v->shutdown = true;
            v->delivering = -1;
            return;
        }
        if ((contributory(prev) && contributory(vec)) ||
            (prev == EXC_PF && (vec == EXC_PF || contributory(vec)))) {
            vec = EXC_DF;
            has_err = true;
            err = 0;
        }
    }
    if (log_enabled(LOG_INT))
        vlog(LOG_INT, "cpu: exception %d err=%#x at %#llx cr2=%#llx\n", vec,
             has_err ? err : 0, (unsigned long long)v->s.rip,
             (unsigned long long)v->s.cr2);
    v->delivering = vec;
    cpu_deliver(v, vec, INT_EXC, has_err, err, v->s.rip);
    v->delivering = -1;
}

/* Push onto the stack at linear base SSBASE, pointer *SP (masked by
 * MASK), with the privilege of the handler (CPL already switched). */
void cpu_push_raw(struct vcpu *v, uint64_t ssbase, uint64_t *sp, uint64_t mask,
                  unsigned size, uint64_t val)
{
    *sp = (*sp - size) & mask;
    uint64_t lin = ssbase + *sp;
    if (!v->lma)
        lin = (uint32_t)lin;
    lin_write(v, lin, size, val);
}

static void deliver_real(struct vcpu *v, int vec, uint64_t ret_rip)
{
    if ((unsigned)vec * 4 + 3 > v->s.idtr.limit)
        cpu_gp(v, 0);
    uint32_t ent = (uint32_t)lin_read(v, v->s.idtr.base + vec * 4u, 4);
    uint64_t flags = cpu_get_flags(v);
    /* push FLAGS, CS, IP through SS:SP with the normal checks */
    cpu_push(v, 2, flags);
    cpu_push(v, 2, v->s.seg[SEG_CS].selector);
    cpu_push(v, 2, ret_rip);
    v->s.rflags &= ~(uint64_t)(X86_FLAG_IF | X86_FLAG_TF | X86_FLAG_AC | X86_FLAG_RF);
    struct x86_segment *cs = &v->s.seg[SEG_CS];
    cs->selector = (uint16_t)(ent >> 16);
    cs->base = (uint64_t)(ent >> 16) << 4;
    v->s.rip = ent & 0xffff;
    v->next_rip = v->s.rip;
}

uint64_t cpu_tss_read(struct vcpu *v, unsigned off, unsigned size)
{
    if (off + size - 1 > v->s.tr.limit)
        cpu_raise(v, EXC_TS, true, v->s.tr.selector & 0xfffc);
    return lin_read_slow(v, v->s.tr.base + off, size, ACC_R | ACC_SYS);
}

void cpu_deliver(struct vcpu *v, int vec, int kind, bool has_err, uint32_t err, uint64_t ret_rip)
{
    if (kind != INT_EXC && log_enabled(LOG_INT))
        vlog(LOG_INT, "cpu: %s interrupt %#x at %04x:%#llx\n", kind == INT_HW ? "hardware" : "software",
             vec, v->s.seg[SEG_CS].selector, (unsigned long long)v->s.rip);
    uint32_t ext = kind == INT_SOFT ? 0 : 1;
    uint32_t gate_err = (uint32_t)vec * 8 + 2 + ext;
    v->s.halted = false;
    v->delivered = true;
    if (!v->pe) {
        deliver_real(v, vec, ret_rip);
        v->stop = true;
        return;
    }
    unsigned gsize = v->lma ? 16 : 8;
    if ((unsigned)vec * gsize + gsize - 1 > v->s.idtr.limit)
        cpu_gp(v, gate_err);
    uint64_t gaddr = v->s.idtr.base + (uint64_t)vec * gsize;
    uint32_t g0 = (uint32_t)lin_read_slow(v, gaddr, 4, ACC_R | ACC_SYS);
    uint32_t g1 = (uint32_t)lin_read_slow(v, gaddr + 4, 4, ACC_R | ACC_SYS);
    uint64_t g2 = v->lma ? lin_read_slow(v, gaddr + 8, 4, ACC_R | ACC_SYS) : 0;
    unsigned type = (g1 >> 8) & 0x1f, dpl = (g1 >> 13) & 3;
    bool trap;
    if (v->lma) {
        if (type != 0xe && type != 0xf)
            cpu_gp(v, gate_err);
        trap = type == 0xf;
    } else if (type == 0xe || type == 0xf || type == 0x6 || type == 0x7) {
        trap = type & 1;
    } else if (type == 0x5) {
        trap = false;   /* task gate: handled below */
    } else {
        cpu_gp(v, gate_err);
    }
    if (kind == INT_SOFT && dpl < v->cpl)
        cpu_gp(v, gate_err);
    if (!(g1 & 0x8000))
        cpu_raise(v, EXC_NP, true, gate_err);
    if (!v->lma && type == 0x5) {
        cpu_task_switch(v, (uint16_t)(g0 >> 16), TS_INT, has_err, err, ret_rip);
        return;
    }
    bool from_v86 = v->v86;
    uint16_t sel = (uint16_t)(g0 >> 16);
    uint64_t off = (g0 & 0xffff) | (g1 & 0xffff0000u) | (g2 << 32);
    unsigned gate_bits = v->lma ? 8 : (type & 8) ? 4 : 2;

    if ((sel & 0xfffc) == 0)
        cpu_gp(v, ext);
    uint32_t d[4];
    cpu_read_desc(v, sel, d, EXC_GP, false);
    struct x86_segment ncs;
    cpu_desc_to_seg(&ncs, sel, d);
    if (!ncs.s || !(ncs.type & 8) || ncs.dpl > v->cpl)
        cpu_gp(v, (sel & 0xfffc) + ext);
    if (!ncs.present)
        cpu_raise(v, EXC_NP, true, (sel & 0xfffc) + ext);
    if (v->lma && (!ncs.l || ncs.db))
        cpu_gp(v, (sel & 0xfffc) + ext);
    unsigned ncpl = (ncs.type & 4) ? v->cpl : ncs.dpl;   /* conforming keeps CPL */
    /* from virtual-8086 mode only to a ring-0 non-conforming segment
     * through a 32-bit gate (SDM vol. 3A 20.3.1.3) */
    if (from_v86 && (ncpl != 0 || gate_bits != 4))
        cpu_gp(v, (sel & 0xfffc) + ext);

    uint64_t flags = cpu_get_flags(v);
    /* faults push RF=1 so the handler's IRET does not re-trigger an
     * instruction breakpoint (SDM vol. 3A 17.3.1.1); not #DB, not aborts */
    if (kind == INT_EXC && vec != EXC_DB && vec != EXC_DF && vec != EXC_MC)
        flags |= X86_FLAG_RF;
    uint16_t old_cs = v->s.seg[SEG_CS].selector, old_ss = v->s.seg[SEG_SS].selector;
    uint64_t old_sp = v->s.gpr[R_RSP];
    struct x86_segment nss = v->s.seg[SEG_SS];
    uint64_t sp;
    bool outer = ncpl < v->cpl;
    unsigned ist = v->lma ? (g1 & 7) : 0;   /* IST index, gate bits 34:32 */

    if (v->lma) {
        if (ist)
            sp = cpu_tss_read(v, 0x24 + (ist - 1) * 8, 8);
        else if (outer)
            sp = cpu_tss_read(v, 4 + ncpl * 8, 8);
        else
            sp = old_sp;
        if (outer) {
            memset(&nss, 0, sizeof(nss));
            nss.selector = (uint16_t)ncpl;
            nss.unusable = 1;
            nss.dpl = (uint8_t)ncpl;
        }
        sp &= ~0xfull;
        /* all pushes are 8 bytes; CPL switches before the stack writes */
        uint8_t save_cpl = v->cpl;
        v->cpl = (uint8_t)ncpl;
        uint64_t m = ~0ull;
        if (!canonical(sp - 48)) {
            v->cpl = save_cpl;
            cpu_ss(v, 0);
        }
        cpu_push_raw(v, 0, &sp, m, 8, old_ss);
        cpu_push_raw(v, 0, &sp, m, 8, old_sp);
        cpu_push_raw(v, 0, &sp, m, 8, flags);
        cpu_push_raw(v, 0, &sp, m, 8, old_cs);
        cpu_push_raw(v, 0, &sp, m, 8, ret_rip);
        if (has_err)
            cpu_push_raw(v, 0, &sp, m, 8, err);
        v->cpl = save_cpl;
    } else {
        uint64_t m;
        if (outer) {
            bool tss32 = (v->s.tr.type & 8) != 0;
            uint32_t nesp;
            uint16_t nssel;
            if (tss32) {
                nesp = (uint32_t)cpu_tss_read(v, 4 + ncpl * 8, 4);
                nssel = (uint16_t)cpu_tss_read(v, 8 + ncpl * 8, 2);
            } else {
                nesp = (uint32_t)cpu_tss_read(v, 2 + ncpl * 4, 2);
                nssel = (uint16_t)cpu_tss_read(v, 4 + ncpl * 4, 2);
            }
            if ((nssel & 0xfffc) == 0)
                cpu_raise(v, EXC_TS, true, ext);
            cpu_read_desc(v, nssel, d, EXC_TS, false);
            cpu_desc_to_seg(&nss, nssel, d);
            if ((nssel & 3) != ncpl || nss.dpl != ncpl || !nss.s || (nss.type & 8) ||
                !(nss.type & 2))
                cpu_raise(v, EXC_TS, true, (nssel & 0xfffc) + ext);
            if (!nss.present)
                cpu_raise(v, EXC_SS, true, (nssel & 0xfffc) + ext);
            sp = nesp;
        } else {
            sp = old_sp;
        }
        m = nss.db ? 0xffffffffull : 0xffffull;
        sp &= m;
        uint8_t save_cpl = v->cpl;
        v->cpl = (uint8_t)ncpl;
        if (from_v86) {
            cpu_push_raw(v, nss.base, &sp, m, 4, v->s.seg[SEG_GS].selector);
            cpu_push_raw(v, nss.base, &sp, m, 4, v->s.seg[SEG_FS].selector);
            cpu_push_raw(v, nss.base, &sp, m, 4, v->s.seg[SEG_DS].selector);
            cpu_push_raw(v, nss.base, &sp, m, 4, v->s.seg[SEG_ES].selector);
        }
        if (outer) {
            cpu_push_raw(v, nss.base, &sp, m, gate_bits, old_ss);
            cpu_push_raw(v, nss.base, &sp, m, gate_bits, old_sp);
        }
        cpu_push_raw(v, nss.base, &sp, m, gate_bits, flags);
        cpu_push_raw(v, nss.base, &sp, m, gate_bits, old_cs);
        cpu_push_raw(v, nss.base, &sp, m, gate_bits, ret_rip);
        if (has_err)
            cpu_push_raw(v, nss.base, &sp, m, gate_bits, err);
        v->cpl = save_cpl;
        if (!outer)
            sp |= old_sp & ~m;   /* 16-bit stack keeps ESP[31:16] */
    }
    /* commit: nothing below can fault */
    if (outer) {
        v->s.seg[SEG_SS] = nss;
    }
    if (from_v86) {
        static const int segs[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
        for (unsigned k = 0; k < 4; k++) {
            memset(&v->s.seg[segs[k]], 0, sizeof(struct x86_segment));
            v->s.seg[segs[k]].unusable = 1;
        }
    }
    v->s.gpr[R_RSP] = sp;
    ncs.selector = (uint16_t)((sel & 0xfffc) | ncpl);
    v->s.seg[SEG_CS] = ncs;
    v->s.rip = gate_bits == 2 ? (off & 0xffff) : gate_bits == 4 ? (uint32_t)off : off;
    v->next_rip = v->s.rip;
    v->s.rflags &= ~(uint64_t)(X86_FLAG_TF | X86_FLAG_NT | X86_FLAG_RF | X86_FLAG_VM);
    if (!trap)
        v->s.rflags &= ~(uint64_t)X86_FLAG_IF;
    cpu_refresh_mode(v);
    v->stop = true;
}
