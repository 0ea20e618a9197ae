/*
 * kvm_state.c - the kvm accelerator's get_state/set_state: translation
 * between the canonical struct cpu_state and KVM's x86 register ioctls
 * (KVM_GET/SET_REGS, SREGS, XSAVE or FPU, MSRS, XCRS, DEBUGREGS).
 *
 * Reference: Documentation/virt/kvm/api.rst (the ioctls above), SDM vol. 1
 * 13.4.1 (XSAVE legacy region = FXSAVE layout) and vol. 4 (MSR numbers).
 *
 * Not implemented: AVX and later XSAVE components (kept as KVM has them,
 * not in struct cpu_state), FCS/FDS (KVM keeps the 64-bit FXSAVE image),
 * MSRs KVM does not list in KVM_GET_MSR_INDEX_LIST (on some hosts the
 * MTRRs and TSC_AUX; they read back as 0), vCPU events (pending
 * exceptions, NMI, interrupt shadow) and nested state.  `halted` is kept
 * by kvm.c, not in KVM's mp_state (no in-kernel LAPIC, see kvm.c).
 */
#include "accel/kvm_int.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "util/log.h"

/* The MSRs of struct x86_msrs (apic_base goes through KVM_SET_SREGS). */
struct kvm_msr_desc {
    uint32_t index;
    uint16_t offset; /* into struct x86_msrs */
};

#define MSR(idx, field) { (idx), offsetof(struct x86_msrs, field) }
static const struct kvm_msr_desc kvm_msr_table[] = {
    MSR(0x00000010, tsc),
    MSR(0x00000174, sysenter_cs),
    MSR(0x00000175, sysenter_esp),
    MSR(0x00000176, sysenter_eip),
    MSR(0x000001a0, misc_enable),
    MSR(0x00000277, pat),
    MSR(0xc0000081, star),
    MSR(0xc0000082, lstar),
    MSR(0xc0000083, cstar),
    MSR(0xc0000084, sfmask),
    MSR(0xc0000102, kernel_gs_base),
    MSR(0xc0000103, tsc_aux),
    MSR(0x000002ff, mtrr_def_type),
    MSR(0x00000250, mtrr_fixed[0]),  /* 64K_00000 */
    MSR(0x00000258, mtrr_fixed[1]),  /* 16K_80000 */
    MSR(0x00000259, mtrr_fixed[2]),  /* 16K_A0000 */
    MSR(0x00000268, mtrr_fixed[3]),  /* 4K_C0000 ... 4K_F8000 */
    MSR(0x00000269, mtrr_fixed[4]),
    MSR(0x0000026a, mtrr_fixed[5]),
    MSR(0x0000026b, mtrr_fixed[6]),
    MSR(0x0000026c, mtrr_fixed[7]),
    MSR(0x0000026d, mtrr_fixed[8]),
    MSR(0x0000026e, mtrr_fixed[9]),
    MSR(0x0000026f, mtrr_fixed[10]),
    MSR(0x00000200, mtrr_var[0]), MSR(0x00000201, mtrr_var[1]),
    MSR(0x00000202, mtrr_var[2]), MSR(0x00000203, mtrr_var[3]),
    MSR(0x00000204, mtrr_var[4]), MSR(0x00000205, mtrr_var[5]),
    MSR(0x00000206, mtrr_var[6]), MSR(0x00000207, mtrr_var[7]),
    MSR(0x00000208, mtrr_var[8]), MSR(0x00000209, mtrr_var[9]),
    MSR(0x0000020a, mtrr_var[10]), MSR(0x0000020b, mtrr_var[11]),
    MSR(0x0000020c, mtrr_var[12]), MSR(0x0000020d, mtrr_var[13]),
    MSR(0x0000020e, mtrr_var[14]), MSR(0x0000020f, mtrr_var[15]),
};
#undef MSR
#define KVM_NR_MSRS (sizeof(kvm_msr_table) / sizeof(kvm_msr_table[0]))

_Static_assert(KVM_NR_MSRS <= KVM_MAX_MSRS, "raise KVM_MAX_MSRS");

static bool kvm_msr_listed(const struct kvm_accel *k, uint32_t index)
{
    for (uint32_t i = 0; i < k->msr_list->nmsrs; i++) {
        if (k->msr_list->indices[i] == index)
            return true;
    }
    return false;
}

/* Keep the table MSRs that KVM lists and can read on a real vCPU. */
void kvm_probe_msrs(struct kvm_accel *k, int vcpu_fd)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e;
    } one;

    k->nr_msrs = 0;
    for (unsigned i = 0; i < KVM_NR_MSRS; i++) {
        if (!kvm_msr_listed(k, kvm_msr_table[i].index))
            continue;
        memset(&one, 0, sizeof(one));
        one.hdr.nmsrs = 1;
        one.e.index = kvm_msr_table[i].index;
        if (ioctl(vcpu_fd, KVM_GET_MSRS, &one) == 1)
            k->msr_use[k->nr_msrs++] = (uint8_t)i;
        else
            vlog(LOG_ACCEL, "kvm: MSR 0x%x not readable, not saved\n", kvm_msr_table[i].index);
    }
    k->msrs_probed = true;
}

static void kvm_seg_get(struct x86_segment *d, const struct kvm_segment *s)
{
    d->base = s->base;
    d->limit = s->limit;
    d->selector = s->selector;
    d->type = s->type;
    d->s = s->s;
    d->dpl = s->dpl;
    d->present = s->present;
    d->avl = s->avl;
    d->l = s->l;
    d->db = s->db;
    d->g = s->g;
    d->unusable = s->unusable;
}

static void kvm_seg_set(struct kvm_segment *d, const struct x86_segment *s)
{
    memset(d, 0, sizeof(*d));
    d->base = s->base;
    d->limit = s->limit;
    d->selector = s->selector;
    d->type = s->type & 0xf;
    d->s = !!s->s;
    d->dpl = s->dpl & 3;
    d->present = !!s->present;
    d->avl = !!s->avl;
    d->l = !!s->l;
    d->db = !!s->db;
    d->g = !!s->g;
    d->unusable = !!s->unusable;
}

/* struct kvm_regs order differs from the ModRM order of cpu_state.gpr. */
#define KVM_GPRS(X) \
    X(R_RAX, rax) X(R_RCX, rcx) X(R_RDX, rdx) X(R_RBX, rbx) \
    X(R_RSP, rsp) X(R_RBP, rbp) X(R_RSI, rsi) X(R_RDI, rdi) \
    X(R_R8, r8) X(R_R9, r9) X(R_R10, r10) X(R_R11, r11) \
    X(R_R12, r12) X(R_R13, r13) X(R_R14, r14) X(R_R15, r15)

static int kvm_get_msrs(struct kvm_accel *k, struct kvm_vcpu *v, struct x86_msrs *m)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e[KVM_NR_MSRS];
    } buf;
    int r;

    if (k->nr_msrs == 0)
        return 0;
    memset(&buf, 0, sizeof(buf));
    buf.hdr.nmsrs = k->nr_msrs;
    for (unsigned i = 0; i < k->nr_msrs; i++)
        buf.e[i].index = kvm_msr_table[k->msr_use[i]].index;
    r = ioctl(v->fd, KVM_GET_MSRS, &buf);
    if (r < 0)
        return -errno;
    if ((unsigned)r != k->nr_msrs) {
        vlog(LOG_ACCEL, "kvm: KVM_GET_MSRS stopped at MSR 0x%x\n", buf.e[r].index);
        return -EIO;
    }
    for (unsigned i = 0; i < k->nr_msrs; i++) {
        uint64_t *field = (uint64_t *)((char *)m + kvm_msr_table[k->msr_use[i]].offset);
        *field = buf.e[i].data;
    }
    return 0;
}

static int kvm_set_msrs(struct kvm_accel *k, struct kvm_vcpu *v, const struct x86_msrs *m)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e[KVM_NR_MSRS];
    } buf;
    int r;

    if (k->nr_msrs == 0)
        return 0;
    memset(&buf, 0, sizeof(buf));
    buf.hdr.nmsrs = k->nr_msrs;
    for (unsigned i = 0; i < k->nr_msrs; i++) {
        const uint64_t *field =
            (const uint64_t *)((const char *)m + kvm_msr_table[k->msr_use[i]].offset);
        buf.e[i].index = kvm_msr_table[k->msr_use[i]].index;
        buf.e[i].data = *field;
    }
    r = ioctl(v->fd, KVM_SET_MSRS, &buf);
    if (r < 0)
        return -errno;
    if ((unsigned)r != k->nr_msrs) {
        vlog(LOG_ACCEL, "kvm: KVM_SET_MSRS refused MSR 0x%x = 0x%llx\n", buf.e[r].index,
             (unsigned long long)buf.e[r].data);
        return -EINVAL;
    }
    return 0;
}

/* x87/SSE state.  KVM_GET/SET_FPU do not carry MXCSR, so the legacy
 * (FXSAVE-format) area of KVM_GET/SET_XSAVE is used where available;
 * components beyond SSE (AVX, ...) are kept as KVM has them.  KVM holds
 * the 64-bit FXSAVE image: FIP/FDP are 64-bit and FCS/FDS read as 0. */
#define XSAVE_XSTATE_BV 512
#define XFEATURE_X87_SSE 3ull

static void fx_get(const uint8_t *fx, struct x86_fpu *f)
{
    cpu_fpu_from_fxsave(fx, f);
}

static void fx_set(uint8_t *fx, const struct x86_fpu *f, uint32_t mxcsr_mask)
{
    uint32_t mxcsr = f->mxcsr & mxcsr_mask;
    cpu_fpu_to_fxsave(fx, f);
    memcpy(fx + 24, &mxcsr, 4);
}

static int kvm_xsave_read(struct kvm_accel *k, struct kvm_vcpu *v, uint8_t *buf)
{
    return ioctl(v->fd, k->xsave2 ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, buf) < 0 ? -errno : 0;
}

static int kvm_get_fpu(struct kvm_accel *k, struct kvm_vcpu *v, struct x86_fpu *f)
{
    if (k->xsave_size) {
        uint8_t *buf = calloc(1, k->xsave_size);
        int ret;

        if (!buf)
            return -ENOMEM;
        ret = kvm_xsave_read(k, v, buf);
        if (ret == 0)
            fx_get(buf, f);
        free(buf);
        return ret;
    }

    struct kvm_fpu fpu;

    if (ioctl(v->fd, KVM_GET_FPU, &fpu) < 0)
        return -errno;
    f->fcw = fpu.fcw;
    f->fsw = fpu.fsw;
    f->ftw = fpu.ftwx;
    f->fop = fpu.last_opcode;
    f->fip = fpu.last_ip;
    f->fdp = fpu.last_dp;
    for (int i = 0; i < 8; i++) {
        memcpy(&f->st[i].mantissa, &fpu.fpr[i][0], 8);
        memcpy(&f->st[i].sign_exp, &fpu.fpr[i][8], 2);
    }
    f->mxcsr = 0x1f80; /* not available through KVM_GET_FPU */
    memcpy(f->xmm, fpu.xmm, sizeof(f->xmm));
    return 0;
}

static int kvm_set_fpu(struct kvm_accel *k, struct kvm_vcpu *v, const struct x86_fpu *f)
{
    if (k->xsave_size) {
        uint8_t *buf = calloc(1, k->xsave_size);
        uint32_t mask;
        uint64_t bv;
        int ret;

        if (!buf)
            return -ENOMEM;
        ret = kvm_xsave_read(k, v, buf);
        if (ret == 0) {
            /* MXCSR_MASK as KVM reports it (0 means the default 0xffbf);
             * reserved MXCSR bits would be refused. */
            memcpy(&mask, buf + 28, 4);
            fx_set(buf, f, mask ? mask : 0xffbf);
            /* Mark x87 and SSE as not in their init state, so the legacy
             * area is taken as written. */
            memcpy(&bv, buf + XSAVE_XSTATE_BV, 8);
            bv |= XFEATURE_X87_SSE;
            memcpy(buf + XSAVE_XSTATE_BV, &bv, 8);
            if (ioctl(v->fd, KVM_SET_XSAVE, buf) < 0)
                ret = -errno;
        }
        free(buf);
        return ret;
    }

    struct kvm_fpu fpu;

    memset(&fpu, 0, sizeof(fpu));
    fpu.fcw = f->fcw;
    fpu.fsw = f->fsw;
    fpu.ftwx = f->ftw;
    fpu.last_opcode = f->fop & 0x7ff;
    fpu.last_ip = f->fip;
    fpu.last_dp = f->fdp;
    for (int i = 0; i < 8; i++) {
        memcpy(&fpu.fpr[i][0], &f->st[i].mantissa, 8);
        memcpy(&fpu.fpr[i][8], &f->st[i].sign_exp, 2);
    }
    fpu.mxcsr = f->mxcsr;
    memcpy(fpu.xmm, f->xmm, sizeof(fpu.xmm));
    return ioctl(v->fd, KVM_SET_FPU, &fpu) < 0 ? -errno : 0;
}

int kvm_get_state(struct accel *a, unsigned index, struct cpu_state *s)
{
    struct kvm_accel *k = a->priv;
    struct kvm_vcpu *v = kvm_vcpu_get(a, index);
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    int ret;

    if (!v)
        return -EINVAL;
    ret = kvm_complete_io(a, v);
    if (ret < 0)
        return ret;
    memset(s, 0, sizeof(*s));

    if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0)
        goto fail_errno;
#define GET_GPR(i, f) s->gpr[i] = regs.f;
    KVM_GPRS(GET_GPR)
#undef GET_GPR
    s->rip = regs.rip;
    s->rflags = regs.rflags;

    if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
        goto fail_errno;
    kvm_seg_get(&s->seg[SEG_ES], &sregs.es);
    kvm_seg_get(&s->seg[SEG_CS], &sregs.cs);
    kvm_seg_get(&s->seg[SEG_SS], &sregs.ss);
    kvm_seg_get(&s->seg[SEG_DS], &sregs.ds);
    kvm_seg_get(&s->seg[SEG_FS], &sregs.fs);
    kvm_seg_get(&s->seg[SEG_GS], &sregs.gs);
    kvm_seg_get(&s->ldtr, &sregs.ldt);
    kvm_seg_get(&s->tr, &sregs.tr);
    s->gdtr.base = sregs.gdt.base;
    s->gdtr.limit = sregs.gdt.limit;
    s->idtr.base = sregs.idt.base;
    s->idtr.limit = sregs.idt.limit;
    s->cr0 = sregs.cr0;
    s->cr2 = sregs.cr2;
    s->cr3 = sregs.cr3;
    s->cr4 = sregs.cr4;
    s->cr8 = sregs.cr8;
    s->efer = sregs.efer;
    s->msr.apic_base = sregs.apic_base;

    ret = kvm_get_fpu(k, v, &s->fpu);
    if (ret < 0)
        return ret;

    ret = kvm_get_msrs(k, v, &s->msr);
    if (ret < 0)
        return ret;

    s->xcr0 = 1;
    if (k->xcrs) {
        struct kvm_xcrs xcrs;

        if (ioctl(v->fd, KVM_GET_XCRS, &xcrs) < 0)
            goto fail_errno;
        for (uint32_t i = 0; i < xcrs.nr_xcrs && i < KVM_MAX_XCRS; i++) {
            if (xcrs.xcrs[i].xcr == 0)
                s->xcr0 = xcrs.xcrs[i].value;
        }
    }
    if (k->debugregs) {
        struct kvm_debugregs dbg;

        if (ioctl(v->fd, KVM_GET_DEBUGREGS, &dbg) < 0)
            goto fail_errno;
        for (int i = 0; i < 4; i++)
            s->dr[i] = dbg.db[i];
        s->dr[6] = dbg.dr6;
        s->dr[7] = dbg.dr7;
    }
    s->halted = v->halted;
    return 0;

fail_errno:
    ret = -errno;
    vlog(LOG_ACCEL, "kvm: get_state vCPU %u: %s\n", index, strerror(-ret));
    return ret;
}

int kvm_set_state(struct accel *a, unsigned index, const struct cpu_state *s)
{
    struct kvm_accel *k = a->priv;
    struct kvm_vcpu *v = kvm_vcpu_get(a, index);
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    const char *what;
    int ret;

    if (!v)
        return -EINVAL;
    ret = kvm_complete_io(a, v);
    if (ret < 0)
        return ret;

    /* Read-modify-write keeps KVM's pending-interrupt bitmap. */
    what = "KVM_GET_SREGS";
    if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
        goto fail_errno;
    kvm_seg_set(&sregs.es, &s->seg[SEG_ES]);
    kvm_seg_set(&sregs.cs, &s->seg[SEG_CS]);
    kvm_seg_set(&sregs.ss, &s->seg[SEG_SS]);
    kvm_seg_set(&sregs.ds, &s->seg[SEG_DS]);
    kvm_seg_set(&sregs.fs, &s->seg[SEG_FS]);
    kvm_seg_set(&sregs.gs, &s->seg[SEG_GS]);
    kvm_seg_set(&sregs.ldt, &s->ldtr);
    kvm_seg_set(&sregs.tr, &s->tr);
    sregs.gdt.base = s->gdtr.base;
    sregs.gdt.limit = s->gdtr.limit;
    sregs.idt.base = s->idtr.base;
    sregs.idt.limit = s->idtr.limit;
    sregs.cr0 = s->cr0;
    sregs.cr2 = s->cr2;
    sregs.cr3 = s->cr3;
    sregs.cr4 = s->cr4;
    sregs.cr8 = s->cr8;
    sregs.efer = s->efer;
    sregs.apic_base = s->msr.apic_base;
    what = "KVM_SET_SREGS";
    if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
        goto fail_errno;

    memset(&regs, 0, sizeof(regs));
#define SET_GPR(i, f) regs.f = s->gpr[i];
    KVM_GPRS(SET_GPR)
#undef SET_GPR
    regs.rip = s->rip;
    regs.rflags = s->rflags | X86_FLAG_FIXED;
    what = "KVM_SET_REGS";
    if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
        goto fail_errno;

    ret = kvm_set_msrs(k, v, &s->msr);
    if (ret < 0) {
        vlog(LOG_ACCEL, "kvm: set_state vCPU %u: KVM_SET_MSRS: %s\n", index, strerror(-ret));
        return ret;
    }

    if (k->xcrs) {
        struct kvm_xcrs xcrs;

        memset(&xcrs, 0, sizeof(xcrs));
        xcrs.nr_xcrs = 1;
        xcrs.xcrs[0].xcr = 0;
        xcrs.xcrs[0].value = s->xcr0 | 1; /* x87 state is always enabled */
        what = "KVM_SET_XCRS";
        if (ioctl(v->fd, KVM_SET_XCRS, &xcrs) < 0)
            goto fail_errno;
    }
    ret = kvm_set_fpu(k, v, &s->fpu);
    if (ret < 0) {
        vlog(LOG_ACCEL, "kvm: set_state vCPU %u: x87/SSE state: %s\n", index, strerror(-ret));
        return ret;
    }

    if (k->debugregs) {
        struct kvm_debugregs dbg;

        memset(&dbg, 0, sizeof(dbg));
        for (int i = 0; i < 4; i++)
            dbg.db[i] = s->dr[i];
        dbg.dr6 = s->dr[6] & 0xffffffffu;
        dbg.dr7 = s->dr[7] & 0xffffffffu;
        what = "KVM_SET_DEBUGREGS";
        if (ioctl(v->fd, KVM_SET_DEBUGREGS, &dbg) < 0)
            goto fail_errno;
    }
    v->halted = s->halted;
    /* The interrupt-window flags in kvm_run describe the old state. */
    v->window_valid = false;
    return 0;

fail_errno:
    ret = -errno;
    vlog(LOG_ACCEL, "kvm: set_state vCPU %u: %s: %s\n", index, what, strerror(-ret));
    return ret;
}

