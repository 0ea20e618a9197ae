/*
 * task.c - hardware task switching with 32-bit TSSs (SDM vol. 3A ch. 7):
 * far JMP/CALL to a TSS descriptor or task gate, interrupts and
 * exceptions through task gates (e.g. the #DF task of 32-bit kernels),
 * and IRET with NT=1 back through the TSS back link.  The old state is
 * saved in the current TSS, busy bits and NT/back link follow table 7-2,
 * CR0.TS is set, and the new CR3, LDTR, registers and segments are
 * loaded; an error code is pushed on the new task's stack.
 *
 * Not implemented: 16-bit TSSs (#GP, logged), the T (debug trap) bit,
 * I/O-map and interrupt-redirection side effects beyond what the TSS
 * fields hold, and #TS instead of #GP/#SS for bad segment selectors in
 * the new task's image (they fault through the normal loads).
 */
#include "cpu/vcpu.h"

#include "util/log.h"

static uint64_t gdt_entry(struct vcpu *v, uint16_t sel, int exc)
{
    if ((sel & 4) || (uint32_t)(sel & ~7u) + 7 > v->s.gdtr.limit)
        cpu_raise(v, exc, true, sel & 0xfffc);
    return v->s.gdtr.base + (sel & ~7u);
}

static void set_busy(struct vcpu *v, uint16_t sel, bool busy)
{
    uint64_t a = gdt_entry(v, sel, EXC_GP) + 5;
    uint8_t b = (uint8_t)lin_read_slow(v, a, 1, ACC_R | ACC_SYS);
    b = busy ? (b | 2) : (b & ~2);
    lin_write_slow(v, a, 1, b, ACC_W | ACC_SYS);
}

static uint32_t rd32(struct vcpu *v, uint64_t a)
{
    return (uint32_t)lin_read_slow(v, a, 4, ACC_R | ACC_SYS);
}

static void wr32(struct vcpu *v, uint64_t a, uint32_t val)
{
    lin_write_slow(v, a, 4, val, ACC_W | ACC_SYS);
}

void cpu_task_switch(struct vcpu *v, uint16_t sel, int src, bool has_err, uint32_t err,
                     uint64_t ret_eip)
{
    int exc = src == TS_IRET ? EXC_TS : EXC_GP;
    uint64_t da = gdt_entry(v, sel, exc);
    uint32_t d[2] = {rd32(v, da), rd32(v, da + 4)};
    struct x86_segment n;
    cpu_desc_to_seg(&n, sel, d);
    unsigned want = src == TS_IRET ? 0xb : 0x9;
    if (n.s || n.type != want) {
        if (!n.s && (n.type == 0x1 || n.type == 0x3))
            vlog(LOG_UNIMP, "cpu: switch to a 16-bit TSS\n");
        cpu_raise(v, exc, true, sel & 0xfffc);
    }
    if (!n.present)
        cpu_raise(v, EXC_NP, true, sel & 0xfffc);
    if (n.limit < 0x67)
        cpu_raise(v, EXC_TS, true, sel & 0xfffc);
    if (v->s.tr.type != 0xb || v->s.tr.limit < 0x67) {
        vlog(LOG_UNIMP, "cpu: task switch from a non-32-bit TSS\n");
        cpu_raise(v, EXC_TS, true, v->s.tr.selector & 0xfffc);
    }

    /* read the whole new image first: faults here leave the old task intact */
    uint32_t img[26];
    for (unsigned k = 0; k < 26; k++)
        img[k] = rd32(v, n.base + 4 * k);

    /* save the outgoing task */
    uint64_t old = v->s.tr.base;
    uint32_t flags = (uint32_t)cpu_get_flags(v);
    if (src == TS_IRET)
        flags &= ~X86_FLAG_NT;
    wr32(v, old + 0x20, (uint32_t)ret_eip);
    wr32(v, old + 0x24, flags);
    for (unsigned r = 0; r < 8; r++)
        wr32(v, old + 0x28 + 4 * r, (uint32_t)v->s.gpr[r]);
    for (unsigned s = 0; s < X86_NR_SREGS; s++)
        wr32(v, old + 0x48 + 4 * s, v->s.seg[s].selector);
    uint16_t old_sel = v->s.tr.selector;
    if (src == TS_JMP || src == TS_IRET)
        set_busy(v, old_sel, false);
    if (src != TS_IRET)
        set_busy(v, sel, true);
    uint32_t nflags = img[9];
    if (src == TS_CALL || src == TS_INT) {
        lin_write_slow(v, n.base, 2, old_sel, ACC_W | ACC_SYS);
        nflags |= X86_FLAG_NT;
    }

    /* switch: TR, CR0.TS, CR3, registers */
    n.type |= 2;
    v->s.tr = n;
    v->s.cr0 |= X86_CR0_TS;
    if (v->pg && img[7] != (uint32_t)v->s.cr3) {
        v->s.cr3 = img[7];
        mmu_flush(v, true);
    }
    cpu_set_flags(v, nflags);
    for (unsigned r = 0; r < 8; r++)
        v->s.gpr[r] = img[10 + r];
    uint64_t eip = img[8];

    /* LDTR, then segments as the new task sees them */
    uint16_t ldt = (uint16_t)img[24];
    memset(&v->s.ldtr, 0, sizeof(v->s.ldtr));
    v->s.ldtr.selector = ldt;
    v->s.ldtr.unusable = 1;
    if (ldt & 0xfffc) {
        uint64_t la = gdt_entry(v, ldt, EXC_TS);
        uint32_t ld[2] = {rd32(v, la), rd32(v, la + 4)};
        struct x86_segment l;
        cpu_desc_to_seg(&l, ldt, ld);
        if (l.s || l.type != 2)
            cpu_raise(v, EXC_TS, true, ldt & 0xfffc);
        if (!l.present)
            cpu_raise(v, EXC_NP, true, ldt & 0xfffc);
        v->s.ldtr = l;
    }
    if (nflags & X86_FLAG_VM) {
        for (unsigned s = 0; s < X86_NR_SREGS; s++) {
            struct x86_segment *g = &v->s.seg[s];
            memset(g, 0, sizeof(*g));
            g->selector = (uint16_t)img[18 + s];
            g->base = (uint64_t)g->selector << 4;
            g->limit = 0xffff;
            g->type = s == SEG_CS ? 0xb : 0x3;
            g->s = 1;
            g->dpl = 3;
            g->present = 1;
        }
        cpu_refresh_mode(v);
    } else {
        uint16_t cs = (uint16_t)img[19];
        if ((cs & 0xfffc) == 0)
            cpu_raise(v, EXC_TS, true, 0);
        uint32_t cd[4];
        struct x86_segment c;
        cpu_read_desc(v, cs, cd, EXC_TS, false);
        cpu_desc_to_seg(&c, cs, cd);
        if (!c.s || !(c.type & 8) || ((c.type & 4) ? c.dpl > (cs & 3u) : c.dpl != (cs & 3u)))
            cpu_raise(v, EXC_TS, true, cs & 0xfffc);
        if (!c.present)
            cpu_raise(v, EXC_NP, true, cs & 0xfffc);
        c.type |= 1;
        v->s.seg[SEG_CS] = c;
        cpu_refresh_mode(v);   /* CPL = CS.RPL from here on */
        v->cpl = cs & 3;
        static const int order[] = {SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS};
        for (unsigned k = 0; k < 5; k++)
            cpu_load_sreg(v, order[k], (uint16_t)img[18 + order[k]]);
        cpu_refresh_mode(v);
    }
    if (eip > v->s.seg[SEG_CS].limit)
        cpu_gp(v, 0);
    v->s.rip = eip;
    v->next_rip = eip;
    if (has_err)
        cpu_push(v, v->s.seg[SEG_CS].db ? 4 : 2, err);
    v->stop = true;
}

/* JMP/CALL far through a task gate: the gate names the TSS. */
void cpu_task_gate(struct vcpu *v, uint16_t gsel, const uint32_t g[2], int src)
{
    unsigned dpl = (g[1] >> 13) & 3;
    if (dpl < v->cpl || dpl < (gsel & 3u))
        cpu_gp(v, gsel & 0xfffc);
    if (!(g[1] & 0x8000))
        cpu_raise(v, EXC_NP, true, gsel & 0xfffc);
    cpu_task_switch(v, (uint16_t)(g[0] >> 16), src, false, 0, v->next_rip);
}
