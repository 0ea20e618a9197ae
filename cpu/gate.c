/*
 * gate.c - far JMP and CALL through call gates (SDM vol. 3A 5.8.3-5.8.6,
 * and the JMP/CALL pseudo-code of vol. 2): 16- and 32-bit gates in legacy
 * mode, 64-bit gates in long mode; a CALL to a more privileged
 * non-conforming segment switches to the stack in the TSS and copies the
 * gate's parameter count (legacy gates only).  The matching return is
 * RETF in cpu/seg.c.
 *
 * Not implemented: task gates (the caller logs and raises #GP).
 */
#include "cpu/vcpu.h"

void cpu_far_gate(struct vcpu *v, uint16_t gsel, bool call)
{
    uint32_t g[4] = {0, 0, 0, 0};
    cpu_read_desc(v, gsel, g, EXC_GP, v->lma);
    unsigned type = (g[1] >> 8) & 0xf, gdpl = (g[1] >> 13) & 3;
    if (gdpl < v->cpl || gdpl < (gsel & 3u))
        cpu_gp(v, gsel & 0xfffc);
    if (!(g[1] & 0x8000))
        cpu_raise(v, EXC_NP, true, gsel & 0xfffc);
    if (v->lma && ((g[3] >> 8) & 0x1f) != 0)
        cpu_gp(v, gsel & 0xfffc);   /* upper half must have type 0 */
    uint16_t csel = (uint16_t)(g[0] >> 16);
    uint64_t off = (g[0] & 0xffff) | (type == 0x4 ? 0 : (g[1] & 0xffff0000u)) |
                   (v->lma ? (uint64_t)g[2] << 32 : 0);
    unsigned gsize = v->lma ? 8 : type == 0xc ? 4 : 2;
    unsigned params = v->lma ? 0 : g[1] & 0x1f;

    if ((csel & 0xfffc) == 0)
        cpu_gp(v, 0);
    uint32_t d[4];
    struct x86_segment n;
    cpu_read_desc(v, csel, d, EXC_GP, false);
    cpu_desc_to_seg(&n, csel, d);
    if (!n.s || !(n.type & 8) || n.dpl > v->cpl)
        cpu_gp(v, csel & 0xfffc);
    if (v->lma && (!n.l || n.db))
        cpu_gp(v, csel & 0xfffc);
    if (!n.present)
        cpu_raise(v, EXC_NP, true, csel & 0xfffc);
    bool conforming = n.type & 4;
    if (v->lma && n.l) {
        if (!canonical(off))
            cpu_gp(v, 0);
    } else {
        if (gsize == 2)
            off &= 0xffff;
        if (off > n.limit)
            cpu_gp(v, 0);
    }

    unsigned ncpl = v->cpl;
    if (!call) {
        if (!conforming && n.dpl != v->cpl)
            cpu_gp(v, csel & 0xfffc);
    } else if (!conforming && n.dpl < v->cpl) {
        /* more privilege: new stack from the TSS */
        ncpl = n.dpl;
        uint64_t old_sp = v->s.gpr[R_RSP];
        uint16_t old_ss = v->s.seg[SEG_SS].selector, old_cs = v->s.seg[SEG_CS].selector;
        struct x86_segment nss;
        uint64_t sp, mask;
        uint64_t argv[32];
        if (v->lma) {
            sp = cpu_tss_read(v, 4 + ncpl * 8, 8);
            memset(&nss, 0, sizeof(nss));
            nss.selector = (uint16_t)ncpl;
            nss.unusable = 1;
            nss.dpl = (uint8_t)ncpl;
            mask = ~0ull;
            if (!canonical(sp) || !canonical(sp - 32))
                cpu_ss(v, 0);
        } else {
            bool tss32 = v->s.tr.type & 8;
            uint32_t nsp = (uint32_t)(tss32 ? cpu_tss_read(v, 4 + ncpl * 8, 4)
                                            : cpu_tss_read(v, 2 + ncpl * 4, 2));
            uint16_t nssel = (uint16_t)(tss32 ? cpu_tss_read(v, 8 + ncpl * 8, 2)
                                              : cpu_tss_read(v, 4 + ncpl * 4, 2));
            if ((nssel & 0xfffc) == 0)
                cpu_raise(v, EXC_TS, true, 0);
            cpu_read_desc(v, nssel, d, EXC_TS, false);
            cpu_desc_to_seg(&nss, nssel, d);
            if ((nssel & 3) != ncpl || nss.dpl != ncpl || !nss.s || (nss.type & 8) ||
                !(nss.type & 2))
                cpu_raise(v, EXC_TS, true, nssel & 0xfffc);
            if (!nss.present)
                cpu_raise(v, EXC_SS, true, nssel & 0xfffc);
            mask = nss.db ? 0xffffffffull : 0xffffull;
            sp = nsp & mask;
            /* the parameters, read from the caller's stack before switching */
            for (unsigned k = 0; k < params; k++)
                argv[k] = cpu_stack_read(v, k * gsize, gsize);
        }
        uint8_t save = v->cpl;
        v->cpl = (uint8_t)ncpl;
        uint64_t base = v->lma ? 0 : nss.base;
        cpu_push_raw(v, base, &sp, mask, gsize, old_ss);
        cpu_push_raw(v, base, &sp, mask, gsize, old_sp);
        for (unsigned k = params; k-- > 0;)
            cpu_push_raw(v, base, &sp, mask, gsize, argv[k]);
        cpu_push_raw(v, base, &sp, mask, gsize, old_cs);
        cpu_push_raw(v, base, &sp, mask, gsize, v->next_rip);
        v->cpl = save;
        v->s.seg[SEG_SS] = nss;
        v->s.gpr[R_RSP] = sp;
    } else {
        uint64_t nsp = (get_sp(v) - 2 * gsize) & size_mask(v->ssize);
        lin_probe_write(v, seg_lin(v, SEG_SS, nsp, 2 * gsize, true), 2 * gsize);
        cpu_push(v, gsize, v->s.seg[SEG_CS].selector);
        cpu_push(v, gsize, v->next_rip);
    }
    n.selector = (uint16_t)((csel & 0xfffc) | ncpl);
    n.type |= 1;
    v->s.seg[SEG_CS] = n;
    cpu_refresh_mode(v);
    v->next_rip = off;
    v->stop = true;
}
