/*
 * msr.c - model-specific registers of the software CPU (SDM vol. 4):
 * TSC, PLATFORM_ID, APIC_BASE, SYSENTER_CS/ESP/EIP, PAT, MISC_ENABLE, MTRRs (stored
 * only), EFER (9.8.5 rules for LME/LMA/NXE), STAR/LSTAR/CSTAR/SFMASK,
 * FS/GS/KERNEL_GS base (canonical), TSC_AUX.  Unknown MSRs return false
 * and the caller raises #GP(0).
 *
 * The TSC follows the machine's virtual clock at 1 GHz, offset by writes.
 * Not implemented: MTRR memory types, machine-check MSRs, x2APIC.
 */
#include "cpu/vcpu.h"

enum {
    MSR_TSC = 0x10, MSR_PLATFORM_ID = 0x17, MSR_APIC_BASE = 0x1b, MSR_BIOS_SIGN = 0x8b, MSR_MTRRCAP = 0xfe,
    MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176,
    MSR_MISC_ENABLE = 0x1a0, MSR_MTRR_VAR = 0x200, MSR_MTRR_FIX64K = 0x250,
    MSR_MTRR_FIX16K = 0x258, MSR_MTRR_FIX4K = 0x268, MSR_PAT = 0x277, MSR_MTRR_DEF = 0x2ff,
    MSR_EFER = 0xc0000080, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
    MSR_FS_BASE = 0xc0000100, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_TSC_AUX,
};

/* The TSC source without offset: the machine's virtual clock (1 GHz),
 * or retired instructions on a bus that has no clock (unit tests). */
uint64_t cpu_tsc_base(struct vcpu *v)
{
    return v->bus->clock_ns ? v->bus->clock_ns(v->bus->opaque) : v->icount;
}

uint64_t cpu_tsc(struct vcpu *v)
{
    return cpu_tsc_base(v) + v->tsc_offset;
}

static int mtrr_fixed_index(uint32_t idx)
{
    if (idx == MSR_MTRR_FIX64K)
        return 0;
    if (idx == MSR_MTRR_FIX16K || idx == MSR_MTRR_FIX16K + 1)
        return 1 + (int)(idx - MSR_MTRR_FIX16K);
    if (idx >= MSR_MTRR_FIX4K && idx < MSR_MTRR_FIX4K + 8)
        return 3 + (int)(idx - MSR_MTRR_FIX4K);
    return -1;
}

bool cpu_rdmsr(struct vcpu *v, uint32_t idx, uint64_t *val)
{
    struct x86_msrs *m = &v->s.msr;
    int f;
    if (v->bus->msr_read) {
        int r = v->bus->msr_read(v->bus->opaque, idx, val);
        if (r <= 0)
            return r == 0;
    }
    switch (idx) {
    case MSR_TSC: *val = cpu_tsc(v); return true;
    case MSR_APIC_BASE: *val = m->apic_base; return true;
    case MSR_BIOS_SIGN: *val = 0; return true;
    case MSR_PLATFORM_ID: *val = 0; return true;   /* platform id 0 (bits 52:50); read-only */
    case MSR_MTRRCAP: *val = 8 | (1u << 8) | (1u << 10); return true; /* 8 var, fixed, WC */
    case MSR_SYSENTER_CS: *val = m->sysenter_cs; return true;
    case MSR_SYSENTER_ESP: *val = m->sysenter_esp; return true;
    case MSR_SYSENTER_EIP: *val = m->sysenter_eip; return true;
    case MSR_MISC_ENABLE: *val = m->misc_enable; return true;
    case MSR_PAT: *val = m->pat; return true;
    case MSR_MTRR_DEF: *val = m->mtrr_def_type; return true;
    case MSR_EFER: *val = v->s.efer; return true;
    case MSR_STAR: *val = m->star; return true;
    case MSR_LSTAR: *val = m->lstar; return true;
    case MSR_CSTAR: *val = m->cstar; return true;
    case MSR_SFMASK: *val = m->sfmask; return true;
    case MSR_FS_BASE: *val = v->s.seg[SEG_FS].base; return true;
    case MSR_GS_BASE: *val = v->s.seg[SEG_GS].base; return true;
    case MSR_KERNEL_GS_BASE: *val = m->kernel_gs_base; return true;
    case MSR_TSC_AUX: *val = m->tsc_aux; return true;
    default:
        break;
    }
    if (idx >= MSR_MTRR_VAR && idx < MSR_MTRR_VAR + 16) {
        *val = m->mtrr_var[idx - MSR_MTRR_VAR];
        return true;
    }
    if ((f = mtrr_fixed_index(idx)) >= 0) {
        *val = m->mtrr_fixed[f];
        return true;
    }
    return false;
}

static bool write_efer(struct vcpu *v, uint64_t val)
{
    uint64_t allowed = X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
    if (val & ~allowed)
        return false;
    /* LMA is read-only; LME cannot change while paging is on */
    val = (val & ~(uint64_t)X86_EFER_LMA) | (v->s.efer & X86_EFER_LMA);
    if (((val ^ v->s.efer) & X86_EFER_LME) && v->pg)
        return false;
    if ((val ^ v->s.efer) & X86_EFER_NXE)
        mmu_flush(v, false);
    v->s.efer = val;
    cpu_refresh_mode(v);
    return true;
}

bool cpu_wrmsr(struct vcpu *v, uint32_t idx, uint64_t val)
{
    struct x86_msrs *m = &v->s.msr;
    int f;
    if (v->bus->msr_write) {
        int r = v->bus->msr_write(v->bus->opaque, idx, val);
        if (r <= 0) {
            if (r == 0 && idx == MSR_APIC_BASE)
                m->apic_base = val;   /* mirrored into the canonical state */
            return r == 0;
        }
    }
    switch (idx) {
    case MSR_TSC: v->tsc_offset = val - cpu_tsc_base(v); return true;
    case MSR_APIC_BASE:
        if (val & ~0xfffffff900ull)   /* MAXPHYADDR 40; bits 8 (BSP), 11 (enable) */
            return false;
        m->apic_base = val;
        return true;
    case MSR_BIOS_SIGN: return true;
    case MSR_SYSENTER_CS: m->sysenter_cs = val & 0xffff; return true;
    case MSR_SYSENTER_ESP:
        if (!canonical(val))
            return false;
        m->sysenter_esp = val;
        return true;
    case MSR_SYSENTER_EIP:
        if (!canonical(val))
            return false;
        m->sysenter_eip = val;
        return true;
    case MSR_MISC_ENABLE: m->misc_enable = val; return true;
    case MSR_PAT:
        for (int k = 0; k < 8; k++) {
            uint8_t t = (uint8_t)(val >> (8 * k));
            if (t == 2 || t == 3 || t > 7)
                return false;
        }
        m->pat = val;
        return true;
    case MSR_MTRR_DEF:
        if (val & ~0xcffull)
            return false;
        m->mtrr_def_type = val;
        return true;
    case MSR_EFER: return write_efer(v, val);
    case MSR_STAR: m->star = val; return true;
    case MSR_LSTAR: case MSR_CSTAR:
        if (!canonical(val))
            return false;
        if (idx == MSR_LSTAR)
            m->lstar = val;
        else
            m->cstar = val;
        return true;
    case MSR_SFMASK: m->sfmask = val & 0xffffffffu; return true;
    case MSR_FS_BASE: case MSR_GS_BASE: case MSR_KERNEL_GS_BASE:
        if (!canonical(val))
            return false;
        if (idx == MSR_FS_BASE)
            v->s.seg[SEG_FS].base = val;
        else if (idx == MSR_GS_BASE)
            v->s.seg[SEG_GS].base = val;
        else
            m->kernel_gs_base = val;
        return true;
    case MSR_TSC_AUX:
        if (val >> 32)
            return false;
        m->tsc_aux = val;
        return true;
    default:
        break;
    }
    if (idx >= MSR_MTRR_VAR && idx < MSR_MTRR_VAR + 16) {
        m->mtrr_var[idx - MSR_MTRR_VAR] = val;
        return true;
    }
    if ((f = mtrr_fixed_index(idx)) >= 0) {
        m->mtrr_fixed[f] = val;
        return true;
    }
    return false;
}
