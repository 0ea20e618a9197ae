/*
 * exec_desc.c - descriptor inspection and fast system calls: LAR, LSL,
 * VERR, VERW, ARPL (SDM vol. 2; vol. 3A 5.10) and SYSENTER/SYSEXIT
 * (vol. 3A 5.8.7).  LAR/LSL/VERR/VERW report through ZF and never fault
 * on a bad selector; they read the descriptor as an implicit supervisor
 * access.
 *
 * Not implemented: LAR/LSL of 64-bit system descriptors beyond the
 * types listed in the SDM tables (they report ZF=0).
 */
#include "cpu/handlers.h"

/* Read SEL's descriptor without faulting; false when outside the table. */
static bool peek_desc(struct vcpu *v, uint16_t sel, uint32_t d[2])
{
    if ((sel & 0xfffc) == 0)
        return false;
    uint64_t base;
    uint32_t limit;
    if (sel & 4) {
        if (v->s.ldtr.unusable || !v->s.ldtr.present)
            return false;
        base = v->s.ldtr.base;
        limit = v->s.ldtr.limit;
    } else {
        base = v->s.gdtr.base;
        limit = v->s.gdtr.limit;
    }
    if ((uint32_t)(sel & ~7u) + 7 > limit)
        return false;
    d[0] = (uint32_t)lin_read_slow(v, base + (sel & ~7u), 4, ACC_R | ACC_SYS);
    d[1] = (uint32_t)lin_read_slow(v, base + (sel & ~7u) + 4, 4, ACC_R | ACC_SYS);
    return true;
}

/* Visible at CPL/RPL for LAR/LSL/VERR/VERW (conforming code is exempt). */
static bool dpl_ok(struct vcpu *v, uint16_t sel, const uint32_t d[2])
{
    unsigned dpl = (d[1] >> 13) & 3;
    bool conforming_code = (d[1] & 0x1c00) == 0x1c00 && (d[1] & 0x1000);
    return conforming_code || (dpl >= v->cpl && dpl >= (sel & 3u));
}

static void set_zf(struct vcpu *v, bool on)
{
    cpu_set_arith_flags(v, X86_FLAG_ZF, on ? X86_FLAG_ZF : 0);
}

/* 0F 02 LAR, 0F 03 LSL */
void op_lar(struct vcpu *v, const struct insn *i)
{
    if (!v->pe || v->v86)
        cpu_ud(v);
    uint16_t sel = (uint16_t)rm_read(v, i, 2);
    uint32_t d[2];
    bool lsl = i->opcode == 0x03;
    if (!peek_desc(v, sel, d) || !dpl_ok(v, sel, d)) {
        set_zf(v, false);
        return;
    }
    if (!(d[1] & 0x1000)) {     /* system descriptor: only some types */
        unsigned t = (d[1] >> 8) & 0xf;
        bool ok = v->lma ? (t == 2 || t == 9 || t == 0xb || (!lsl && t == 0xc))
                         : (t == 1 || t == 2 || t == 3 || t == 9 || t == 0xb ||
                            (!lsl && (t == 4 || t == 5 || t == 0xc)));
        if (!ok) {
            set_zf(v, false);
            return;
        }
    }
    uint64_t val;
    if (lsl) {
        uint32_t limit = (d[0] & 0xffff) | (d[1] & 0xf0000);
        val = (d[1] & 0x800000) ? (limit << 12) | 0xfff : limit;
    } else {
        val = d[1] & 0x00ffff00;
    }
    set_reg(v, i->reg, i->opsize, val);
    set_zf(v, true);
}

/* 0F 00 /4 VERR, /5 VERW */
void op_verr(struct vcpu *v, const struct insn *i)
{
    if (!v->pe || v->v86)
        cpu_ud(v);
    uint16_t sel = (uint16_t)rm_read(v, i, 2);
    uint32_t d[2];
    bool write = (i->reg & 7) == 5;
    if (!peek_desc(v, sel, d) || !(d[1] & 0x1000) || !dpl_ok(v, sel, d)) {
        set_zf(v, false);
        return;
    }
    unsigned t = (d[1] >> 8) & 0xf;
    bool code = t & 8;
    bool ok = write ? (!code && (t & 2)) : (!code || (t & 2));
    set_zf(v, ok);
}

/* 63 ARPL Ew, Gw (not in 64-bit mode, where 63 is MOVSXD) */
void op_arpl(struct vcpu *v, const struct insn *i)
{
    if (!v->pe || v->v86)
        cpu_ud(v);
    uint16_t dst = (uint16_t)rm_read(v, i, 2);
    uint16_t src = (uint16_t)get_reg(v, i->reg, 2);
    if ((dst & 3) < (src & 3)) {
        rm_write(v, i, 2, (dst & ~3u) | (src & 3u));
        set_zf(v, true);
    } else {
        set_zf(v, false);
    }
}

static void flat(struct x86_segment *s, uint16_t sel, bool code, unsigned dpl, bool l)
{
    cpu_state_flat_segment(s, sel, code);
    s->dpl = (uint8_t)dpl;
    s->l = l;
    if (l)
        s->db = 0;
}

void op_sysenter(struct vcpu *v, const struct insn *i)
{
    uint16_t cs = (uint16_t)v->s.msr.sysenter_cs;
    if (!v->pe || (cs & 0xfffc) == 0)
        cpu_gp(v, 0);
    cpu_get_flags(v);
    v->s.rflags &= ~(uint64_t)(X86_FLAG_VM | X86_FLAG_IF | X86_FLAG_RF);
    flat(&v->s.seg[SEG_CS], cs & 0xfffc, true, 0, v->lma);
    flat(&v->s.seg[SEG_SS], (uint16_t)((cs + 8) & 0xfffc), false, 0, false);
    v->s.gpr[R_RSP] = v->lma ? v->s.msr.sysenter_esp : (uint32_t)v->s.msr.sysenter_esp;
    v->next_rip = v->lma ? v->s.msr.sysenter_eip : (uint32_t)v->s.msr.sysenter_eip;
    cpu_refresh_mode(v);
    v->stop = true;
}

void op_sysexit(struct vcpu *v, const struct insn *i)
{
    uint16_t cs = (uint16_t)v->s.msr.sysenter_cs;
    if (!v->pe || v->v86 || v->cpl != 0 || (cs & 0xfffc) == 0)
        cpu_gp(v, 0);
    bool to64 = i->rex & 8;
    if (to64) {
        if (!canonical(v->s.gpr[R_RDX]) || !canonical(v->s.gpr[R_RCX]))
            cpu_gp(v, 0);
        flat(&v->s.seg[SEG_CS], (uint16_t)((cs + 32) | 3), true, 3, true);
        flat(&v->s.seg[SEG_SS], (uint16_t)((cs + 40) | 3), false, 3, false);
        v->s.gpr[R_RSP] = v->s.gpr[R_RCX];
        v->next_rip = v->s.gpr[R_RDX];
    } else {
        flat(&v->s.seg[SEG_CS], (uint16_t)((cs + 16) | 3), true, 3, false);
        flat(&v->s.seg[SEG_SS], (uint16_t)((cs + 24) | 3), false, 3, false);
        v->s.gpr[R_RSP] = (uint32_t)v->s.gpr[R_RCX];
        v->next_rip = (uint32_t)v->s.gpr[R_RDX];
    }
    cpu_refresh_mode(v);
    v->stop = true;
}
