/*
 * exec_system.c - system instructions (SDM vol. 2 and vol. 3A ch. 2):
 * MOV to/from CR0/CR2/CR3/CR4/CR8 and DR0-DR7, LMSW/SMSW/CLTS,
 * LGDT/LIDT/SGDT/SIDT, LLDT/LTR/SLDT/STR, INVLPG, WBINVD/INVD, HLT,
 * CLI/STI (with the STI shadow), CLD/STD/CLC/STC/CMC, UD2, CPUID,
 * RDMSR/WRMSR, RDTSC/RDTSCP, SYSCALL/SYSRET, SWAPGS.
 *
 * Long-mode activation follows 9.8.5: setting CR0.PG with EFER.LME=1 and
 * CR4.PAE=1 sets EFER.LMA.  Not implemented: VME/PVI (CLI/STI in v8086
 * need IOPL 3), CR4.PCIDE, SMEP/SMAP, debug-register breakpoints (the
 * registers are stored only).
 */
#include "cpu/debug.h"
#include "cpu/handlers.h"

#include "util/log.h"

#define CR4_SUPPORTED (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE | (1u << 1) /* PVI */ | \
                       (1u << 2) /* TSD */ | (1u << 3) /* DE */ | (1u << 6) /* MCE */ | \
                       (1u << 8) /* PCE */ | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
                       X86_CR4_OSXSAVE)

void cpu_write_cr0(struct vcpu *v, uint64_t val)
{
    uint64_t old = v->s.cr0;
    if (val >> 32)
        cpu_gp(v, 0);
    val |= X86_CR0_ET;
    if ((val & X86_CR0_PG) && !(val & X86_CR0_PE))
        cpu_gp(v, 0);
    if ((val & X86_CR0_NW) && !(val & X86_CR0_CD))
        cpu_gp(v, 0);
    if ((val & X86_CR0_PG) && !(old & X86_CR0_PG) && (v->s.efer & X86_EFER_LME)) {
        if (!(v->s.cr4 & X86_CR4_PAE) || v->s.seg[SEG_CS].l)
            cpu_gp(v, 0);
        v->s.efer |= X86_EFER_LMA;
    }
    if (!(val & X86_CR0_PG) && (old & X86_CR0_PG) && (v->s.efer & X86_EFER_LMA)) {
        if (v->code64)
            cpu_gp(v, 0);
        v->s.efer &= ~(uint64_t)X86_EFER_LMA;
    }
    v->s.cr0 = val;
    if ((old ^ val) & (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE))
        mmu_flush(v, false);
    cpu_refresh_mode(v);
    v->stop = true;
}

void cpu_write_cr4(struct vcpu *v, uint64_t val)
{
    uint64_t old = v->s.cr4;
    if (val & ~(uint64_t)CR4_SUPPORTED)
        cpu_gp(v, 0);
    if (v->lma && !(val & X86_CR4_PAE))
        cpu_gp(v, 0);
    v->s.cr4 = val;
    if ((old ^ val) & (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE))
        mmu_flush(v, false);
    if ((old ^ val) & (1u << 3))   /* DE: I/O breakpoints */
        cpu_debug_update(v);
    v->stop = true;
}

void cpu_write_cr3(struct vcpu *v, uint64_t val)
{
    if (v->lma && (val >> 52))
        cpu_gp(v, 0);
    v->s.cr3 = v->lma ? val : (uint32_t)val;
    mmu_flush(v, true);   /* global pages survive a CR3 load */
    v->stop = true;
}

static void require_pe(struct vcpu *v)
{
    if (!v->pe || v->v86)
        cpu_ud(v);
}

void op_mov_RdCd(struct vcpu *v, const struct insn *i)
{
    require_cpl0(v);
    uint64_t val;
    switch (i->reg) {
    case 0: val = v->s.cr0; break;
    case 2: val = v->s.cr2; break;
    case 3: val = v->s.cr3; break;
    case 4: val = v->s.cr4; break;
    case 8: val = v->bus->cr8_read ? v->bus->cr8_read(v->bus->opaque) : v->s.cr8; break;
    default: cpu_ud(v);
    }
    set_reg(v, i->rm, v->code64 ? 8 : 4, val);
}

void op_mov_CdRd(struct vcpu *v, const struct insn *i)
{
    require_cpl0(v);
    uint64_t val = get_reg(v, i->rm, v->code64 ? 8 : 4);
    switch (i->reg) {
    case 0: cpu_write_cr0(v, val); break;
    case 2: v->s.cr2 = val; break;
    case 3: cpu_write_cr3(v, val); break;
    case 4: cpu_write_cr4(v, val); break;
    case 8:
        if (val >> 4)
            cpu_gp(v, 0);
        v->s.cr8 = val;
        if (v->bus->cr8_write)
            v->bus->cr8_write(v->bus->opaque, (uint8_t)val);
        break;
    default: cpu_ud(v);
    }
}

static unsigned dr_index(struct vcpu *v, unsigned r)
{
    if (r > 7)
        cpu_ud(v);
    if (r == 4 || r == 5) {
        if (v->s.cr4 & (1u << 3))
            cpu_ud(v);
        r += 2;
    }
    return r;
}

void op_mov_RdDd(struct vcpu *v, const struct insn *i)
{
    require_cpl0(v);
    cpu_debug_check_gd(v);
    set_reg(v, i->rm, v->code64 ? 8 : 4, v->s.dr[dr_index(v, i->reg)]);
}

void op_mov_DdRd(struct vcpu *v, const struct insn *i)
{
    require_cpl0(v);
    cpu_debug_check_gd(v);
    unsigned r = dr_index(v, i->reg);
    uint64_t val = get_reg(v, i->rm, v->code64 ? 8 : 4);
    if ((r == 6 || r == 7) && (val >> 32))
        cpu_gp(v, 0);
    if (r == 6)
        val = (val & 0xe00f) | 0xffff0ff0;
    if (r == 7)
        val = (val & ~0xd800ull) | 0x400;
    if (r < 4 && !v->lma)
        val = (uint32_t)val;
    v->s.dr[r] = val;
    cpu_debug_update(v);
}

void op_smsw(struct vcpu *v, const struct insn *i)
{
    if (i->mod == 3)
        set_reg(v, i->rm, i->opsize, v->s.cr0 & size_mask(i->opsize));
    else
        rm_write(v, i, 2, v->s.cr0 & 0xffff);
}

void op_lmsw(struct vcpu *v, const struct insn *i)
{
    require_cpl0(v);
    uint64_t src = rm_read(v, i, 2) & 0xf;
    uint64_t val = (v->s.cr0 & ~0xeull) | src | (v->s.cr0 & X86_CR0_PE);
    cpu_write_cr0(v, val);
}

void op_clts(struct vcpu *v, const struct insn *i)
{
    require_cpl0(v);
    v->s.cr0 &= ~(uint64_t)X86_CR0_TS;
}

static void load_dt(struct vcpu *v, const struct insn *i, struct x86_dtable *dt)
{
    require_cpl0(v);
    uint64_t ea = insn_ea(v, i);
    uint16_t limit = (uint16_t)vm_read(v, i->seg, ea, 2);
    uint64_t base;
    if (v->code64) {
        base = vm_read(v, i->seg, (ea + 2) & amask(i), 8);
        if (!canonical(base))
            cpu_gp(v, 0);
    } else {
        base = vm_read(v, i->seg, (ea + 2) & amask(i), 4);
        if (i->opsize == 2)
            base &= 0xffffff;
    }
    dt->limit = limit;
    dt->base = base;
}

static void store_dt(struct vcpu *v, const struct insn *i, const struct x86_dtable *dt)
{
    uint64_t ea = insn_ea(v, i);
    unsigned bsize = v->code64 ? 8 : 4;
    uint64_t lin = seg_lin(v, i->seg, ea, 2 + bsize, true);
    lin_probe_write(v, lin, 2 + bsize);
    vm_write(v, i->seg, ea, 2, dt->limit);
    vm_write(v, i->seg, (ea + 2) & amask(i), bsize, dt->base);
}

void op_lgdt(struct vcpu *v, const struct insn *i) { load_dt(v, i, &v->s.gdtr); }
void op_lidt(struct vcpu *v, const struct insn *i) { load_dt(v, i, &v->s.idtr); }
void op_sgdt(struct vcpu *v, const struct insn *i) { store_dt(v, i, &v->s.gdtr); }
void op_sidt(struct vcpu *v, const struct insn *i) { store_dt(v, i, &v->s.idtr); }

void op_sldt(struct vcpu *v, const struct insn *i)
{
    require_pe(v);
    if (i->mod == 3)
        set_reg(v, i->rm, i->opsize, v->s.ldtr.selector);
    else
        rm_write(v, i, 2, v->s.ldtr.selector);
}

void op_str(struct vcpu *v, const struct insn *i)
{
    require_pe(v);
    if (i->mod == 3)
        set_reg(v, i->rm, i->opsize, v->s.tr.selector);
    else
        rm_write(v, i, 2, v->s.tr.selector);
}

/* Load a system-segment register (LDTR or TR) from the GDT. */
static void load_system_seg(struct vcpu *v, const struct insn *i, bool tss)
{
    require_pe(v);
    require_cpl0(v);
    uint16_t sel = (uint16_t)rm_read(v, i, 2);
    struct x86_segment *dst = tss ? &v->s.tr : &v->s.ldtr;
    if ((sel & 0xfffc) == 0) {
        if (tss)
            cpu_gp(v, 0);
        memset(dst, 0, sizeof(*dst));
        dst->selector = sel;
        dst->unusable = 1;
        return;
    }
    if (sel & 4)
        cpu_gp(v, sel & 0xfffc);
    uint32_t d[4] = {0, 0, 0, 0};
    cpu_read_desc(v, sel, d, EXC_GP, v->lma);
    struct x86_segment n;
    cpu_desc_to_seg(&n, sel, d);
    bool ok = !n.s && (tss ? (n.type == 0x9 || (!v->lma && n.type == 0x1)) : n.type == 0x2);
    if (!ok)
        cpu_gp(v, sel & 0xfffc);
    if (!n.present)
        cpu_raise(v, EXC_NP, true, sel & 0xfffc);
    if (v->lma)
        n.base |= (uint64_t)d[2] << 32;
    if (tss) {
        /* mark the descriptor busy */
        uint64_t a = v->s.gdtr.base + (sel & ~7u) + 5;
        lin_write_slow(v, a, 1, ((d[1] >> 8) & 0xff) | 2, ACC_W | ACC_SYS);
        n.type |= 2;
    }
    *dst = n;
}

void op_lldt(struct vcpu *v, const struct insn *i) { load_system_seg(v, i, false); }
void op_ltr(struct vcpu *v, const struct insn *i) { load_system_seg(v, i, true); }

void op_invlpg(struct vcpu *v, const struct insn *i)
{
    require_cpl0(v);
    uint64_t ea = insn_ea(v, i);
    uint64_t lin = v->code64 ? ea + (i->seg >= SEG_FS ? v->s.seg[i->seg].base : 0)
                             : (uint32_t)(v->s.seg[i->seg].base + ea);
    mmu_flush_page(v, lin);
}

void op_wbinvd(struct vcpu *v, const struct insn *i) { require_cpl0(v); }
void op_ud2(struct vcpu *v, const struct insn *i) { cpu_ud(v); }

void op_hlt(struct vcpu *v, const struct insn *i)
{
    require_cpl0(v);
    v->s.halted = true;
    v->stop = true;
}

static void check_if_change(struct vcpu *v)
{
    if (v->v86 ? iopl(v) < 3 : (v->pe && v->cpl > iopl(v)))
        cpu_gp(v, 0);
}

void op_cli(struct vcpu *v, const struct insn *i)
{
    check_if_change(v);
    v->s.rflags &= ~(uint64_t)X86_FLAG_IF;
}

void op_sti(struct vcpu *v, const struct insn *i)
{
    check_if_change(v);
    if (!(v->s.rflags & X86_FLAG_IF)) {
        v->s.rflags |= X86_FLAG_IF;
        v->shadow = 1;
    }
    v->stop = true;
}

void op_cld(struct vcpu *v, const struct insn *i) { v->s.rflags &= ~(uint64_t)X86_FLAG_DF; }
void op_std(struct vcpu *v, const struct insn *i) { v->s.rflags |= X86_FLAG_DF; }
void op_clc(struct vcpu *v, const struct insn *i) { cpu_set_arith_flags(v, X86_FLAG_CF, 0); }
void op_stc(struct vcpu *v, const struct insn *i) { cpu_set_arith_flags(v, X86_FLAG_CF, X86_FLAG_CF); }
void op_cmc(struct vcpu *v, const struct insn *i)
{
    cpu_set_arith_flags(v, X86_FLAG_CF, cpu_get_cf(v) ? 0 : X86_FLAG_CF);
}

void op_cpuid(struct vcpu *v, const struct insn *i)
{
    uint32_t r[4];
    cpu_cpuid(v, (uint32_t)v->s.gpr[R_RAX], (uint32_t)v->s.gpr[R_RCX], r);
    set_reg(v, R_RAX, 4, r[0]);
    set_reg(v, R_RBX, 4, r[1]);
    set_reg(v, R_RCX, 4, r[2]);
    set_reg(v, R_RDX, 4, r[3]);
}

void op_rdmsr(struct vcpu *v, const struct insn *i)
{
    require_cpl0(v);
    uint64_t val;
    if (!cpu_rdmsr(v, (uint32_t)v->s.gpr[R_RCX], &val)) {
        vlog(LOG_GUEST_ERROR, "cpu: rdmsr of unknown MSR %#x\n", (uint32_t)v->s.gpr[R_RCX]);
        cpu_gp(v, 0);
    }
    set_reg(v, R_RAX, 4, (uint32_t)val);
    set_reg(v, R_RDX, 4, val >> 32);
}

void op_wrmsr(struct vcpu *v, const struct insn *i)
{
    require_cpl0(v);
    uint64_t val = (v->s.gpr[R_RDX] << 32) | (uint32_t)v->s.gpr[R_RAX];
    if (!cpu_wrmsr(v, (uint32_t)v->s.gpr[R_RCX], val)) {
        vlog(LOG_GUEST_ERROR, "cpu: wrmsr %#x <- %#llx refused\n", (uint32_t)v->s.gpr[R_RCX],
             (unsigned long long)val);
        cpu_gp(v, 0);
    }
    v->stop = true;
}

void op_rdtsc(struct vcpu *v, const struct insn *i)
{
    if ((v->s.cr4 & (1u << 2)) && v->cpl != 0)
        cpu_gp(v, 0);
    uint64_t t = cpu_tsc(v);
    set_reg(v, R_RAX, 4, (uint32_t)t);
    set_reg(v, R_RDX, 4, t >> 32);
}

void op_rdtscp(struct vcpu *v, const struct insn *i)
{
    op_rdtsc(v, i);
    set_reg(v, R_RCX, 4, (uint32_t)v->s.msr.tsc_aux);
}

static void flat_seg(struct x86_segment *s, uint16_t sel, bool code, bool l, unsigned dpl)
{
    cpu_state_flat_segment(s, sel, code);
    s->dpl = (uint8_t)dpl;
    s->l = l;
    if (l)
        s->db = 0;
}

void op_syscall(struct vcpu *v, const struct insn *i)
{
    if (!v->code64 || !(v->s.efer & X86_EFER_SCE))
        cpu_ud(v);
    uint16_t sel = (uint16_t)(v->s.msr.star >> 32);
    v->s.gpr[R_RCX] = v->next_rip;
    v->s.gpr[R_R11] = cpu_get_flags(v) & ~(uint64_t)X86_FLAG_RF;
    flat_seg(&v->s.seg[SEG_CS], sel & 0xfffc, true, true, 0);
    flat_seg(&v->s.seg[SEG_SS], (uint16_t)((sel + 8) & 0xfffc), false, false, 0);
    cpu_set_flags(v, v->s.gpr[R_R11] & ~v->s.msr.sfmask & ~(uint64_t)X86_FLAG_RF);
    v->next_rip = v->s.msr.lstar;
    cpu_refresh_mode(v);
    v->stop = true;
}

void op_sysret(struct vcpu *v, const struct insn *i)
{
    if (!v->code64 || !(v->s.efer & X86_EFER_SCE))
        cpu_ud(v);
    require_cpl0(v);
    uint16_t sel = (uint16_t)(v->s.msr.star >> 48);
    bool to64 = i->rex & 8;
    if (to64 && !canonical(v->s.gpr[R_RCX]))
        cpu_gp(v, 0);
    if (to64) {
        flat_seg(&v->s.seg[SEG_CS], (uint16_t)((sel + 16) | 3), true, true, 3);
        v->next_rip = v->s.gpr[R_RCX];
    } else {
        flat_seg(&v->s.seg[SEG_CS], (uint16_t)(sel | 3), true, false, 3);
        v->next_rip = (uint32_t)v->s.gpr[R_RCX];
    }
    flat_seg(&v->s.seg[SEG_SS], (uint16_t)((sel + 8) | 3), false, false, 3);
    cpu_set_flags(v, (v->s.gpr[R_R11] & 0x3c7fd7) | X86_FLAG_FIXED);
    cpu_refresh_mode(v);
    v->stop = true;
}

void op_swapgs(struct vcpu *v, const struct insn *i)
{
    if (!v->code64)
        cpu_ud(v);
    require_cpl0(v);
    uint64_t t = v->s.seg[SEG_GS].base;
    v->s.seg[SEG_GS].base = v->s.msr.kernel_gs_base;
    v->s.msr.kernel_gs_base = t;
}
