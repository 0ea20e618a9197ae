/*
 * seg.c - segmentation (SDM vol. 3A ch. 3 and 5): derived mode (CPL,
 * code/stack sizes), descriptor reads from the GDT/LDT, segment register
 * loads with their privilege and type checks (MOV/POP sreg, LDS...),
 * far JMP/CALL to code segments, far RET and IRET (real, protected,
 * long mode), nulling data segments on return to an outer level.
 *
 * IRET into virtual-8086 mode is here; call gates are in cpu/gate.c,
 * task switches (TSS targets, task gates, IRET with NT) in cpu/task.c.
 * Not implemented: VME.
 */
#include "cpu/vcpu.h"

#include "util/log.h"

void cpu_seg_refresh(struct vcpu *v, int seg)
{
    const struct x86_segment *s = &v->s.seg[seg];
    uint8_t f;
    if (!v->pe || v->v86) {
        f = SEGF_R | SEGF_W;
    } else if (s->unusable || !s->present) {
        f = 0;
    } else if (s->type & 8) {           /* code */
        f = (s->type & 2) ? SEGF_R : 0;
    } else {
        f = SEGF_R | ((s->type & 2) ? SEGF_W : 0) | ((s->type & 4) ? SEGF_EXPDOWN : 0);
    }
    if (s->db)
        f |= SEGF_BIG;
    v->segf[seg] = f;
}

void cpu_refresh_mode(struct vcpu *v)
{
    struct cpu_state *s = &v->s;
    v->pe = s->cr0 & X86_CR0_PE;
    v->pg = v->pe && (s->cr0 & X86_CR0_PG);
    v->lma = (s->efer & X86_EFER_LMA) && v->pg;
    v->v86 = v->pe && !v->lma && (s->rflags & X86_FLAG_VM);
    v->cpl = !v->pe ? 0 : v->v86 ? 3 : s->seg[SEG_CS].dpl;
    v->code64 = v->lma && s->seg[SEG_CS].l;
    v->csize = v->code64 ? 8 : s->seg[SEG_CS].db ? 4 : 2;
    v->ssize = v->code64 ? 8 : s->seg[SEG_SS].db ? 4 : 2;
    for (int k = 0; k < X86_NR_SREGS; k++)
        cpu_seg_refresh(v, k);
}

void cpu_desc_to_seg(struct x86_segment *s, uint16_t sel, const uint32_t d[2])
{
    memset(s, 0, sizeof(*s));
    s->selector = sel;
    s->base = (d[0] >> 16) | ((d[1] & 0xff) << 16) | (d[1] & 0xff000000u);
    uint32_t limit = (d[0] & 0xffff) | (d[1] & 0xf0000);
    s->g = (d[1] >> 23) & 1;
    s->limit = s->g ? (limit << 12) | 0xfff : limit;
    s->type = (d[1] >> 8) & 0xf;
    s->s = (d[1] >> 12) & 1;
    s->dpl = (d[1] >> 13) & 3;
    s->present = (d[1] >> 15) & 1;
    s->avl = (d[1] >> 20) & 1;
    s->l = (d[1] >> 21) & 1;
    s->db = (d[1] >> 22) & 1;
}

static uint64_t desc_addr(struct vcpu *v, uint16_t sel, unsigned size, int exc)
{
    uint64_t base;
    uint32_t limit;
    if (sel & 4) {
        if (v->s.ldtr.unusable || !v->s.ldtr.present)
            cpu_raise(v, exc, true, sel & 0xfffc);
        base = v->s.ldtr.base;
        limit = v->s.ldtr.limit;
    } else {
        base = v->s.gdtr.base;
        limit = v->s.gdtr.limit;
    }
    if ((uint32_t)(sel & ~7u) + size - 1 > limit)
        cpu_raise(v, exc, true, sel & 0xfffc);
    return base + (sel & ~7u);
}

void cpu_read_desc(struct vcpu *v, uint16_t sel, uint32_t d[4], int exc, bool wide)
{
    uint64_t a = desc_addr(v, sel, wide ? 16 : 8, exc);
    for (unsigned k = 0; k < (wide ? 4u : 2u); k++)
        d[k] = (uint32_t)lin_read_slow(v, a + 4 * k, 4, ACC_R | ACC_SYS);
}

/* Set the accessed bit in the descriptor, as the CPU does on a load. */
static void set_accessed(struct vcpu *v, uint16_t sel, uint32_t d1)
{
    if (!(d1 & 0x100)) {
        uint64_t a = desc_addr(v, sel, 8, EXC_GP) + 5;
        lin_write_slow(v, a, 1, ((d1 >> 8) & 0xff) | 1, ACC_W | ACC_SYS);
    }
}

void cpu_load_sreg(struct vcpu *v, int seg, uint16_t sel)
{
    struct x86_segment *s = &v->s.seg[seg];
    if (!v->pe || v->v86) {
        s->selector = sel;
        s->base = (uint64_t)sel << 4;
        s->unusable = 0;
        s->present = 1;
        if (v->v86) {
            s->limit = 0xffff;
            s->dpl = 3;
        }
        if (seg == SEG_SS)
            v->ssize = s->db ? 4 : 2;
        cpu_seg_refresh(v, seg);
        return;
    }
    uint16_t rpl = sel & 3;
    if ((sel & 0xfffc) == 0) {
        if (seg == SEG_SS && !(v->code64 && v->cpl < 3 && rpl == v->cpl))
            cpu_gp(v, 0);
        memset(s, 0, sizeof(*s));
        s->selector = sel;
        s->unusable = 1;
        if (seg == SEG_SS)
            s->dpl = (uint8_t)v->cpl;
        cpu_seg_refresh(v, seg);
        return;
    }
    uint32_t d[4];
    struct x86_segment n;
    cpu_read_desc(v, sel, d, EXC_GP, false);
    cpu_desc_to_seg(&n, sel, d);
    bool code = n.type & 8;
    if (seg == SEG_SS) {
        if (rpl != v->cpl || n.dpl != v->cpl || !n.s || code || !(n.type & 2))
            cpu_gp(v, sel & 0xfffc);
        if (!n.present)
            cpu_ss(v, sel & 0xfffc);
    } else {
        if (!n.s || (code && !(n.type & 2)))
            cpu_gp(v, sel & 0xfffc);
        if ((!code || !(n.type & 4)) && (n.dpl < v->cpl || n.dpl < rpl))
            cpu_gp(v, sel & 0xfffc);
        if (!n.present)
            cpu_raise(v, EXC_NP, true, sel & 0xfffc);
    }
    set_accessed(v, sel, d[1]);
    n.type |= 1;
    if (v->code64 && seg < SEG_FS)
        n.base = 0;
    *s = n;
    if (seg == SEG_SS)
        v->ssize = v->code64 ? 8 : s->db ? 4 : 2;
    cpu_seg_refresh(v, seg);
}

/* Load CS for a far transfer to SEL:OFF at privilege NCPL (checks done). */
static void commit_cs(struct vcpu *v, struct x86_segment *n, uint16_t sel, unsigned ncpl)
{
    n->selector = (uint16_t)((sel & 0xfffc) | ncpl);
    n->type |= 1;
    v->s.seg[SEG_CS] = *n;
    cpu_refresh_mode(v);
    v->stop = true;
}

/* Check a code-segment descriptor for a far JMP/CALL (SDM JMP/CALL pseudo-code). */
static void check_code_target(struct vcpu *v, struct x86_segment *n, uint16_t sel)
{
    if (!n->s) {
        vlog(LOG_UNIMP, "cpu: far transfer through system descriptor type %u\n", n->type);
        cpu_gp(v, sel & 0xfffc);
    }
    if (!(n->type & 8))
        cpu_gp(v, sel & 0xfffc);
    if (n->type & 4) {
        if (n->dpl > v->cpl)
            cpu_gp(v, sel & 0xfffc);
    } else if ((sel & 3) > v->cpl || n->dpl != v->cpl) {
        cpu_gp(v, sel & 0xfffc);
    }
    if (!n->present)
        cpu_raise(v, EXC_NP, true, sel & 0xfffc);
    if (v->lma && n->l && n->db)
        cpu_gp(v, sel & 0xfffc);
}

static uint64_t target_off(struct x86_segment *n, bool lma, uint64_t off, unsigned opsize)
{
    if (lma && n->l)
        return opsize == 8 ? off : off & size_mask(opsize);
    return off & size_mask(opsize);
}

void cpu_far_jump(struct vcpu *v, uint16_t sel, uint64_t off, bool call, unsigned opsize)
{
    if (!v->pe || v->v86) {
        off &= size_mask(opsize);
        if (off > v->s.seg[SEG_CS].limit)
            cpu_gp(v, 0);
        if (call) {
            cpu_push(v, opsize, v->s.seg[SEG_CS].selector);
            cpu_push(v, opsize, v->next_rip);
        }
        struct x86_segment *cs = &v->s.seg[SEG_CS];
        cs->selector = sel;
        cs->base = (uint64_t)sel << 4;
        v->next_rip = off;
        v->stop = true;
        return;
    }
    if ((sel & 0xfffc) == 0)
        cpu_gp(v, 0);
    uint32_t d[4];
    struct x86_segment n;
    cpu_read_desc(v, sel, d, EXC_GP, false);
    cpu_desc_to_seg(&n, sel, d);
    if (!n.s && (n.type == 0xc || (n.type == 0x4 && !v->lma))) {
        cpu_far_gate(v, sel, call);
        return;
    }
    if (!n.s && !v->lma && (n.type == 0x9 || n.type == 0x1)) {
        /* JMP/CALL to a TSS: DPL and RPL must allow it */
        if (n.dpl < v->cpl || n.dpl < (sel & 3u))
            cpu_gp(v, sel & 0xfffc);
        cpu_task_switch(v, sel, call ? TS_CALL : TS_JMP, false, 0, v->next_rip);
        return;
    }
    if (!n.s && !v->lma && n.type == 0x5) {
        cpu_task_gate(v, sel, d, call ? TS_CALL : TS_JMP);
        return;
    }
    check_code_target(v, &n, sel);
    uint64_t noff = target_off(&n, v->lma, off, opsize);
    if (v->lma && n.l) {
        if (!canonical(noff))
            cpu_gp(v, 0);
    } else if (noff > n.limit) {
        cpu_gp(v, 0);
    }
    set_accessed(v, sel, d[1]);
    if (call) {
        /* probe both pushes first so a fault leaves the stack untouched */
        uint64_t nsp = (get_sp(v) - 2 * opsize) & size_mask(v->ssize);
        lin_probe_write(v, seg_lin(v, SEG_SS, nsp, 2 * opsize, true), 2 * opsize);
        cpu_push(v, opsize, v->s.seg[SEG_CS].selector);
        cpu_push(v, opsize, v->next_rip);
    }
    commit_cs(v, &n, sel, v->cpl);
    v->next_rip = noff;
}

static void null_outer_segments(struct vcpu *v)
{
    static const int segs[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
    for (unsigned k = 0; k < 4; k++) {
        struct x86_segment *s = &v->s.seg[segs[k]];
        bool conforming_code = (s->type & 0xc) == 0xc;
        if (!s->unusable && s->dpl < v->cpl && !conforming_code) {
            uint64_t base = s->base;
            memset(s, 0, sizeof(*s));
            s->unusable = 1;
            if (segs[k] >= SEG_FS && v->code64)
                s->base = base;
            cpu_seg_refresh(v, segs[k]);
        }
    }
}

/* A real-mode style segment as virtual-8086 mode loads it. */
static void v86_segment(struct x86_segment *s, uint16_t sel, bool code)
{
    memset(s, 0, sizeof(*s));
    s->selector = sel;
    s->base = (uint64_t)sel << 4;
    s->limit = 0xffff;
    s->type = code ? 0xb : 0x3;
    s->s = 1;
    s->dpl = 3;
    s->present = 1;
}

/* IRET at CPL 0 with VM set in the popped EFLAGS (SDM IRET pseudo-code,
 * "RETURN-TO-VIRTUAL-8086-MODE"): the frame holds EIP, CS, EFLAGS, ESP,
 * SS, ES, DS, FS, GS as dwords. */
static void iret_to_v86(struct vcpu *v, uint64_t ip, uint16_t cs, uint64_t fl)
{
    uint32_t w[6];
    for (unsigned k = 0; k < 6; k++)
        w[k] = (uint32_t)cpu_stack_read(v, 12 + 4 * k, 4);
    cpu_set_flags(v, (fl & 0x3f7fd5) | X86_FLAG_VM);
    v86_segment(&v->s.seg[SEG_CS], cs, true);
    v86_segment(&v->s.seg[SEG_SS], (uint16_t)w[1], false);
    v86_segment(&v->s.seg[SEG_ES], (uint16_t)w[2], false);
    v86_segment(&v->s.seg[SEG_DS], (uint16_t)w[3], false);
    v86_segment(&v->s.seg[SEG_FS], (uint16_t)w[4], false);
    v86_segment(&v->s.seg[SEG_GS], (uint16_t)w[5], false);
    v->s.gpr[R_RSP] = w[0];
    v->next_rip = ip & 0xffff;
    cpu_refresh_mode(v);
    v->stop = true;
}

void cpu_far_return(struct vcpu *v, unsigned opsize, uint16_t pop_bytes, bool iret)
{
    if (!v->pe || v->v86) {
        if (v->v86 && iret && iopl(v) < 3)
            cpu_gp(v, 0);
        uint64_t ip = cpu_stack_read(v, 0, opsize);
        uint16_t cs = (uint16_t)cpu_stack_read(v, opsize, opsize);
        uint64_t fl = iret ? cpu_stack_read(v, 2 * opsize, opsize) : 0;
        if (ip > v->s.seg[SEG_CS].limit && !iret)
            cpu_gp(v, 0);
        set_sp(v, get_sp(v) + (iret ? 3 : 2) * opsize + pop_bytes);
        struct x86_segment *c = &v->s.seg[SEG_CS];
        c->selector = cs;
        c->base = (uint64_t)cs << 4;
        if (iret) {
            uint64_t keep = X86_FLAG_VM | X86_FLAG_VIF | X86_FLAG_VIP;
            if (v->v86)
                keep |= X86_FLAG_IOPL;
            uint64_t old = cpu_get_flags(v);
            uint64_t mask = opsize == 2 ? 0xffff : 0x3f7fd7;
            fl = (old & ~mask) | (fl & mask);
            fl = (fl & ~keep) | (old & keep);
            cpu_set_flags(v, fl);
        }
        v->next_rip = ip;
        v->stop = true;
        return;
    }
    if (iret && (v->s.rflags & X86_FLAG_NT)) {
        if (v->lma)    /* IA-32e mode: NT=1 is #GP(0) */
            cpu_gp(v, 0);
        /* task return through the back link of the current TSS */
        uint16_t link = (uint16_t)cpu_tss_read(v, 0, 2);
        cpu_task_switch(v, link, TS_IRET, false, 0, v->next_rip);
        return;
    }
    uint64_t ip = cpu_stack_read(v, 0, opsize);
    uint16_t sel = (uint16_t)cpu_stack_read(v, opsize, opsize);
    unsigned k = 2;
    uint64_t fl = 0;
    if (iret)
        fl = cpu_stack_read(v, opsize * k++, opsize);
    if (iret && (fl & X86_FLAG_VM) && v->cpl == 0 && !v->lma && opsize == 4) {
        iret_to_v86(v, ip, sel, fl);
        return;
    }
    unsigned rpl = sel & 3;
    if ((sel & 0xfffc) == 0)
        cpu_gp(v, 0);
    uint32_t d[4];
    struct x86_segment n;
    cpu_read_desc(v, sel, d, EXC_GP, false);
    cpu_desc_to_seg(&n, sel, d);
    if (rpl < v->cpl || !n.s || !(n.type & 8))
        cpu_gp(v, sel & 0xfffc);
    if ((n.type & 4) ? n.dpl > rpl : n.dpl != rpl)
        cpu_gp(v, sel & 0xfffc);
    if (!n.present)
        cpu_raise(v, EXC_NP, true, sel & 0xfffc);
    bool outer = rpl > v->cpl;
    bool pop_ss = outer || (iret && v->code64);
    uint64_t nsp = 0;
    uint16_t nss_sel = 0;
    struct x86_segment nss = v->s.seg[SEG_SS];
    unsigned skip = opsize * k + (iret ? 0 : pop_bytes);
    if (pop_ss) {
        nsp = cpu_stack_read(v, skip, opsize);
        nss_sel = (uint16_t)cpu_stack_read(v, skip + opsize, opsize);
        if ((nss_sel & 0xfffc) == 0) {
            if (!(v->lma && n.l && rpl < 3))
                cpu_gp(v, 0);
            memset(&nss, 0, sizeof(nss));
            nss.selector = nss_sel;
            nss.unusable = 1;
            nss.dpl = (uint8_t)rpl;
        } else {
            uint32_t sd[4];
            cpu_read_desc(v, nss_sel, sd, EXC_GP, false);
            cpu_desc_to_seg(&nss, nss_sel, sd);
            if ((nss_sel & 3) != rpl || nss.dpl != rpl || !nss.s || (nss.type & 8) ||
                !(nss.type & 2))
                cpu_gp(v, nss_sel & 0xfffc);
            if (!nss.present)
                cpu_ss(v, nss_sel & 0xfffc);
        }
    }
    uint64_t noff = target_off(&n, v->lma, ip, opsize);
    if (v->lma && n.l) {
        if (!canonical(noff))
            cpu_gp(v, 0);
    } else if (noff > n.limit) {
        cpu_gp(v, 0);
    }
    /* commit */
    unsigned old_cpl = v->cpl;
    if (iret) {
        uint64_t old = cpu_get_flags(v);
        uint64_t mask = X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | X86_FLAG_SF |
                        X86_FLAG_TF | X86_FLAG_DF | X86_FLAG_OF | X86_FLAG_NT;
        if (opsize > 2)
            mask |= X86_FLAG_RF | X86_FLAG_AC | X86_FLAG_ID;
        if (old_cpl <= iopl(v))
            mask |= X86_FLAG_IF;
        if (old_cpl == 0) {
            mask |= X86_FLAG_IOPL;
            if (opsize > 2)
                mask |= X86_FLAG_VIF | X86_FLAG_VIP;
        }
        cpu_set_flags(v, (old & ~mask) | (fl & mask));
    }
    if (pop_ss) {
        v->s.seg[SEG_SS] = nss;
        if (v->lma && n.l)
            v->s.gpr[R_RSP] = nsp;
        else if (nss.db)
            v->s.gpr[R_RSP] = (uint32_t)nsp;
        else
            v->s.gpr[R_RSP] = (v->s.gpr[R_RSP] & ~0xffffull) | (nsp & 0xffff);
    } else {
        set_sp(v, get_sp(v) + skip);
    }
    commit_cs(v, &n, sel, rpl);
    if (outer && !iret && pop_bytes)
        set_sp(v, get_sp(v) + pop_bytes);
    if (rpl > old_cpl)
        null_outer_segments(v);
    v->next_rip = noff;
}
