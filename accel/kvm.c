/*
 * kvm.c - the "kvm" accelerator: guest code runs on the host CPU through
 * the Linux KVM API (/dev/kvm), one kernel vCPU per struct accel vCPU.
 *
 * Reference: Documentation/virt/kvm/api.rst in the Linux tree (KVM_RUN,
 * struct kvm_run, the x86 register ioctls, "immediate_exit"), and
 * accel/accel.h for the contract.
 *
 * Design: no in-kernel irqchip.  Interrupts come from the machine's
 * emulated PIC through bus->intr_pending/intr_ack and are injected with
 * KVM_INTERRUPT when the guest can take them (otherwise an interrupt
 * window is requested).  HLT therefore exits to user space and the halted
 * state lives here, not in KVM's mp_state (KVM refuses a HALTED mp_state
 * without an in-kernel local APIC).  Port I/O and MMIO exits are completed
 * through the bus inside vcpu_run, and so are IA32_APIC_BASE and
 * IA32_TSC_DEADLINE (an MSR filter makes them exit); CR8 is the board's
 * APIC TPR, copied into kvm_run before and out after each KVM_RUN.  The
 * CPUID is vireo's profile (cpu/cpuid.c) minus what KVM cannot provide and
 * minus TSC-deadline (KVM's TSC is not the board's 1 GHz virtual-clock
 * TSC).  Register state translation is in kvm_state.c.
 *
 * Not implemented: in-kernel irqchip/PIT (ACCEL_CAP_IRQCHIP), MSI routing,
 * ioeventfd/irqfd, dirty-page logging, coalesced MMIO, guest debugging,
 * XSAVE state beyond the FXSAVE image (AVX and later registers are not in
 * struct cpu_state), SMM, nested virtualization state, TSC-deadline mode
 * (it would need KVM's TSC rate and offset in the board's APIC model).
 */
#include "accel/backends.h"
#include "accel/kvm_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "util/log.h"

#define KVM_TSS_ADDR          0xfffbd000ull /* 3 pages below the BIOS, like every x86 VMM */
#define KVM_IDENTITY_MAP_ADDR 0xfffbc000ull /* 1 page, EPT identity table for real mode */
#define KVM_PAGE_SIZE         4096ull
/* Bound on the KVM_RUN calls used to finish a pending I/O exit outside
 * vcpu_run (a string instruction can need one per chunk). */
#define KVM_COMPLETE_IO_MAX   64

/* -------------------------------------------------------------------- */
/* setup                                                                  */

static int kvm_check_cap(struct kvm_accel *k, int fd, long cap)
{
    int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

    return r < 0 ? 0 : r;
}

static int kvm_get_supported_cpuid(struct kvm_accel *k, char *err, size_t errlen)
{
    for (unsigned nent = 64; nent <= 65536; nent *= 2) {
        struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

        if (!c) {
            snprintf(err, errlen, "out of memory for the CPUID table");
            return -ENOMEM;
        }
        c->nent = nent;
        if (ioctl(k->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            k->cpuid = c;
            return 0;
        }
        int e = errno;
        free(c);
        if (e != E2BIG) {
            snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID failed: %s", strerror(e));
            return -e;
        }
    }
    snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: table too large");
    return -E2BIG;
}

static int kvm_get_msr_list(struct kvm_accel *k, char *err, size_t errlen)
{
    struct kvm_msr_list probe = { .nmsrs = 0 };
    struct kvm_msr_list *l;

    /* The first call fails with E2BIG and tells the count. */
    if (ioctl(k->kvm_fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG) {
        int e = errno;
        snprintf(err, errlen, "KVM_GET_MSR_INDEX_LIST failed: %s", strerror(e));
        return -e;
    }
    l = calloc(1, sizeof(*l) + (size_t)probe.nmsrs * sizeof(l->indices[0]));
    if (!l) {
        snprintf(err, errlen, "out of memory for the MSR list");
        return -ENOMEM;
    }
    l->nmsrs = probe.nmsrs;
    if (ioctl(k->kvm_fd, KVM_GET_MSR_INDEX_LIST, l) < 0) {
        int e = errno;
        free(l);
        snprintf(err, errlen, "KVM_GET_MSR_INDEX_LIST failed: %s", strerror(e));
        return -e;
    }
    k->msr_list = l;
    return 0;
}

static void kvm_free(struct kvm_accel *k)
{
    for (unsigned i = 0; i < k->ncpus; i++) {
        struct kvm_vcpu *v = &k->vcpu[i];

        if (v->run)
            munmap(v->run, v->run_size);
        if (v->fd >= 0)
            close(v->fd);
    }
    if (k->vm_fd >= 0)
        close(k->vm_fd);
    if (k->kvm_fd >= 0)
        close(k->kvm_fd);
    free(k->cpuid);
    free(k->msr_list);
    free(k);
}

/* Without an in-kernel local APIC, KVM would swallow the MSRs of vireo's
 * own APIC model: IA32_APIC_BASE and IA32_TSC_DEADLINE.  An MSR filter
 * (KVM_CAP_X86_USER_SPACE_MSR + KVM_X86_SET_MSR_FILTER) makes them exit to
 * vireo, which hands them to the board like the interpreter does (so a
 * guest that moves or disables its APIC through the MSR reaches the
 * model).  Returns whether that works. */
static bool kvm_msr_filter(struct kvm_accel *k)
{
    static uint8_t deny[1];   /* one MSR per range, bit 0 clear: denied -> exit */
    struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR };
    struct kvm_msr_filter f;

    if (kvm_check_cap(k, k->vm_fd, KVM_CAP_X86_USER_SPACE_MSR) <= 0 ||
        kvm_check_cap(k, k->vm_fd, KVM_CAP_X86_MSR_FILTER) <= 0)
        return false;
    cap.args[0] = KVM_MSR_EXIT_REASON_FILTER;
    if (ioctl(k->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
        return false;
    memset(&f, 0, sizeof(f));
    f.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
    f.ranges[0] = (struct kvm_msr_filter_range){
        .flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE, .nmsrs = 1,
        .base = 0x1b /* IA32_APIC_BASE */, .bitmap = deny };
    f.ranges[1] = (struct kvm_msr_filter_range){
        .flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE, .nmsrs = 1,
        .base = 0x6e0 /* IA32_TSC_DEADLINE */, .bitmap = deny };
    return ioctl(k->vm_fd, KVM_X86_SET_MSR_FILTER, &f) == 0;
}

/* A filtered MSR access: the board's answer, or #GP (run->msr.error). */
static void kvm_handle_msr(struct kvm_run *run, const struct cpu_bus *bus, bool write)
{
    int r = 1;

    uint64_t val = run->msr.data;

    if (write && bus->msr_write)
        r = bus->msr_write(bus->opaque, run->msr.index, val);
    else if (!write && bus->msr_read)
        r = bus->msr_read(bus->opaque, run->msr.index, &val);
    run->msr.data = val;
    run->msr.error = r != 0;   /* not the board's (1) or refused (-1): #GP */
}

static int kvm_init(struct accel *a, const struct accel_config *cfg, char *err, size_t errlen)
{
    const struct cpu_bus *bus = cfg->bus;
    struct kvm_accel *k;
    int ret, r, max_vcpus;

    if (!bus->pio_read || !bus->pio_write || !bus->mem_read || !bus->mem_write) {
        snprintf(err, errlen, "the machine bus lacks port or memory callbacks");
        return -EINVAL;
    }
    k = calloc(1, sizeof(*k) + (size_t)cfg->ncpus * sizeof(k->vcpu[0]));
    if (!k) {
        snprintf(err, errlen, "out of memory for %u vCPUs", cfg->ncpus);
        return -ENOMEM;
    }
    k->ncpus = cfg->ncpus;
    k->vm_fd = -1;
    for (unsigned i = 0; i < k->ncpus; i++)
        k->vcpu[i].fd = -1;
    k->stop_requested = cfg->stop_requested;
    k->bus = bus;

    k->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (k->kvm_fd < 0) {
        ret = -errno;
        snprintf(err, errlen, "cannot open /dev/kvm: %s", strerror(-ret));
        goto fail;
    }
    r = ioctl(k->kvm_fd, KVM_GET_API_VERSION, 0);
    if (r < 0) {
        ret = -errno;
        snprintf(err, errlen, "KVM_GET_API_VERSION failed: %s", strerror(-ret));
        goto fail;
    }
    if (r != KVM_API_VERSION) {
        ret = -ENOTSUP;
        snprintf(err, errlen, "KVM API version %d, need %d", r, KVM_API_VERSION);
        goto fail;
    }
    if (!kvm_check_cap(k, k->kvm_fd, KVM_CAP_USER_MEMORY) ||
        !kvm_check_cap(k, k->kvm_fd, KVM_CAP_IMMEDIATE_EXIT) ||
        !kvm_check_cap(k, k->kvm_fd, KVM_CAP_EXT_CPUID) ||
        !kvm_check_cap(k, k->kvm_fd, KVM_CAP_VCPU_EVENTS) ||
        !kvm_check_cap(k, k->kvm_fd, KVM_CAP_SET_TSS_ADDR)) {
        ret = -ENOTSUP;
        snprintf(err, errlen, "host KVM lacks a required capability "
                 "(user memory, immediate exit, CPUID2, vCPU events or TSS address)");
        goto fail;
    }
    max_vcpus = kvm_check_cap(k, k->kvm_fd, KVM_CAP_MAX_VCPUS);
    if (max_vcpus <= 0)
        max_vcpus = kvm_check_cap(k, k->kvm_fd, KVM_CAP_NR_VCPUS);
    if (max_vcpus <= 0)
        max_vcpus = 4; /* the documented minimum when the cap is absent */
    if (cfg->ncpus > (unsigned)max_vcpus) {
        ret = -EINVAL;
        snprintf(err, errlen, "%u vCPUs requested, host KVM allows %d", cfg->ncpus, max_vcpus);
        goto fail;
    }
    r = ioctl(k->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (r < (int)sizeof(struct kvm_run)) {
        ret = r < 0 ? -errno : -EINVAL;
        snprintf(err, errlen, "KVM_GET_VCPU_MMAP_SIZE failed: %s", strerror(-ret));
        goto fail;
    }
    k->run_size = (size_t)r;

    k->vm_fd = ioctl(k->kvm_fd, KVM_CREATE_VM, 0);
    if (k->vm_fd < 0) {
        ret = -errno;
        snprintf(err, errlen, "KVM_CREATE_VM failed: %s", strerror(-ret));
        goto fail;
    }
    /* VMX needs a TSS (and an identity page table for unpaged modes on
     * EPT) somewhere in guest-physical space; put them just below the
     * BIOS where nothing else lives. */
    if (ioctl(k->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0) {
        ret = -errno;
        snprintf(err, errlen, "KVM_SET_TSS_ADDR failed: %s", strerror(-ret));
        goto fail;
    }
    if (kvm_check_cap(k, k->vm_fd, KVM_CAP_SET_IDENTITY_MAP_ADDR)) {
        uint64_t addr = KVM_IDENTITY_MAP_ADDR;

        if (ioctl(k->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &addr) < 0) {
            ret = -errno;
            snprintf(err, errlen, "KVM_SET_IDENTITY_MAP_ADDR failed: %s", strerror(-ret));
            goto fail;
        }
    }
    k->readonly_mem = kvm_check_cap(k, k->vm_fd, KVM_CAP_READONLY_MEM) > 0;
    k->xcrs = kvm_check_cap(k, k->kvm_fd, KVM_CAP_XCRS) > 0;
    k->debugregs = kvm_check_cap(k, k->kvm_fd, KVM_CAP_DEBUGREGS) > 0;
    if (kvm_check_cap(k, k->kvm_fd, KVM_CAP_XSAVE) > 0) {
        r = kvm_check_cap(k, k->vm_fd, KVM_CAP_XSAVE2);
        k->xsave2 = r > (int)sizeof(struct kvm_xsave);
        k->xsave_size = k->xsave2 ? (size_t)r : sizeof(struct kvm_xsave);
    }
    r = kvm_check_cap(k, k->vm_fd, KVM_CAP_NR_MEMSLOTS);
    k->max_slots = r > 0 ? (unsigned)r : 32;

    k->msr_exits = kvm_msr_filter(k);
    ret = kvm_get_supported_cpuid(k, err, errlen);
    if (ret < 0)
        goto fail;
    ret = kvm_get_msr_list(k, err, errlen);
    if (ret < 0)
        goto fail;

    a->priv = k;
    return 0;

fail:
    kvm_free(k);
    return ret;
}

static void kvm_destroy(struct accel *a)
{
    if (a->priv)
        kvm_free(a->priv);
    a->priv = NULL;
}

static int kvm_map_memory(struct accel *a, uint64_t gpa, uint64_t size, void *host, bool readonly)
{
    struct kvm_accel *k = a->priv;
    struct kvm_userspace_memory_region region;

    if (size == 0 || gpa + size < gpa || (gpa | size | (uintptr_t)host) % KVM_PAGE_SIZE) {
        vlog(LOG_ACCEL, "kvm: cannot map gpa 0x%llx size 0x%llx: empty, wrapping or not page aligned\n",
             (unsigned long long)gpa, (unsigned long long)size);
        return -EINVAL;
    }
    if (k->nr_slots >= k->max_slots) {
        vlog(LOG_ACCEL, "kvm: out of memory slots (%u)\n", k->max_slots);
        return -ENOSPC;
    }
    memset(&region, 0, sizeof(region));
    region.slot = k->nr_slots;
    region.guest_phys_addr = gpa;
    region.memory_size = size;
    region.userspace_addr = (uintptr_t)host;
    if (readonly && k->readonly_mem) {
        /* Guest writes come back as KVM_EXIT_MMIO and reach
         * bus->mem_write, which drops them like real ROM. */
        region.flags = KVM_MEM_READONLY;
    } else if (readonly) {
        vlog(LOG_UNIMP, "kvm: host lacks KVM_CAP_READONLY_MEM: ROM at 0x%llx is writable by the guest\n",
             (unsigned long long)gpa);
    }
    if (ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
        int e = errno;
        vlog(LOG_ACCEL, "kvm: KVM_SET_USER_MEMORY_REGION gpa 0x%llx size 0x%llx: %s\n",
             (unsigned long long)gpa, (unsigned long long)size, strerror(e));
        return -e;
    }
    k->nr_slots++;
    return 0;
}

static const struct kvm_cpuid_entry2 *kvm_supported(const struct kvm_accel *k, uint32_t leaf,
                                                    uint32_t sub)
{
    for (uint32_t i = 0; i < k->cpuid->nent; i++) {
        const struct kvm_cpuid_entry2 *e = &k->cpuid->entries[i];
        if (e->function == leaf &&
            (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == sub))
            return e;
    }
    return NULL;
}

struct cpuid_build {
    const struct kvm_accel *k;
    struct kvm_cpuid2 *c;
    unsigned index;
};

/* One entry of vireo's profile (cpu/cpuid.c), with the feature bits KVM
 * cannot provide removed (logged once: the guest then sees a smaller
 * profile than under the interpreter). */
static void cpuid_add(void *opaque, uint32_t leaf, uint32_t sub)
{
    struct cpuid_build *b = opaque;
    struct kvm_cpuid_entry2 *e = &b->c->entries[b->c->nent++];
    uint32_t r[4];
    static bool warned;

    cpu_cpuid_profile(b->k->bus->platform_features, 0, 1, leaf, sub, r);
    memset(e, 0, sizeof(*e));
    e->function = leaf;
    e->index = sub;
    if (leaf == 7 || leaf == 0xd)
        e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
    e->eax = r[0];
    e->ebx = r[1];
    e->ecx = r[2];
    e->edx = r[3];

    /* feature registers: keep what KVM supports */
    const struct kvm_cpuid_entry2 *s = kvm_supported(b->k, leaf, sub);
    uint32_t want[4] = {e->eax, e->ebx, e->ecx, e->edx};
    if (leaf == 1) {
        /* the APIC bit describes vireo's own local APIC model.  No
         * TSC-deadline mode under KVM: the guest's TSC is KVM's (host rate,
         * KVM's offset), not the board's 1 GHz virtual-clock TSC its
         * deadline timer counts; the APIC's one-shot and periodic modes
         * count the bus clock and work the same. */
        e->ecx &= s ? s->ecx & ~(1u << 24) : 0;
        e->edx &= s ? s->edx | (1u << 9) : 0;
        e->ebx = (e->ebx & 0x00ffffffu) | ((b->index & 0xffu) << 24);
    } else if (leaf == 7) {
        e->ebx &= s ? s->ebx : 0;
        e->ecx &= s ? s->ecx : 0;
        e->edx &= s ? s->edx : 0;
    } else if (leaf == 0x80000001) {
        e->ecx &= s ? s->ecx : 0;
        e->edx &= s ? s->edx : 0;
    } else if (leaf == 0xd && sub <= 1) {
        e->eax &= s ? s->eax : 0;
    }
    if (!warned && (want[0] != e->eax || want[2] != e->ecx || want[3] != e->edx ||
                    (leaf == 7 && want[1] != e->ebx))) {
        warned = true;
        vlog(LOG_UNIMP, "kvm: CPUID leaf %#x.%u: KVM cannot provide features "
             "%#x/%#x/%#x of vireo's profile; the guest sees fewer\n", leaf, sub,
             want[0] & ~e->eax, want[2] & ~e->ecx, want[3] & ~e->edx);
    }
}

static void cpuid_count(void *opaque, uint32_t leaf, uint32_t sub)
{
    (void)leaf;
    (void)sub;
    (*(unsigned *)opaque)++;
}

/* Load vireo's CPUID profile (the same one the interpreter answers from),
 * so a guest sees one CPU whatever the back end. */
static int kvm_set_cpuid(struct kvm_accel *k, struct kvm_vcpu *v, unsigned index)
{
    unsigned n = 0;
    cpu_cpuid_leaves(cpuid_count, &n);
    struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
    int ret = 0;

    if (!c)
        return -ENOMEM;
    struct cpuid_build b = {k, c, index};
    cpu_cpuid_leaves(cpuid_add, &b);
    if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0)
        ret = -errno;
    free(c);
    return ret;
}

static int kvm_vcpu_create(struct accel *a, unsigned index)
{
    struct kvm_accel *k = a->priv;
    struct kvm_vcpu *v;
    void *run;
    int ret;

    if (index >= k->ncpus || k->vcpu[index].fd >= 0)
        return -EINVAL;
    v = &k->vcpu[index];
    v->fd = ioctl(k->vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
    if (v->fd < 0) {
        ret = -errno;
        vlog(LOG_ACCEL, "kvm: KVM_CREATE_VCPU %u: %s\n", index, strerror(-ret));
        v->fd = -1;
        return ret;
    }
    run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
    if (run == MAP_FAILED) {
        ret = -errno;
        vlog(LOG_ACCEL, "kvm: mmap of the kvm_run area: %s\n", strerror(-ret));
        goto fail;
    }
    v->run = run;
    v->run_size = k->run_size;
    ret = kvm_set_cpuid(k, v, index);
    if (ret < 0) {
        vlog(LOG_ACCEL, "kvm: KVM_SET_CPUID2: %s\n", strerror(-ret));
        goto fail;
    }
    if (!k->msrs_probed)
        kvm_probe_msrs(k, v->fd);
    v->halted = false;
    v->window_valid = false;
    v->io_pending = false;
    return 0;

fail:
    if (v->run)
        munmap(v->run, v->run_size);
    v->run = NULL;
    close(v->fd);
    v->fd = -1;
    return ret;
}

struct kvm_vcpu *kvm_vcpu_get(struct accel *a, unsigned index)
{
    struct kvm_accel *k = a->priv;

    if (!k || index >= k->ncpus || k->vcpu[index].fd < 0)
        return NULL;
    return &k->vcpu[index];
}

/* -------------------------------------------------------------------- */
/* exits                                                                  */

static bool kvm_check_stop(struct kvm_accel *k, const struct cpu_bus *bus)
{
    return k->stop_requested && k->stop_requested(bus->opaque);
}

/* Port I/O exit: run->io.count accesses of run->io.size bytes each, data
 * in the kvm_run page.  Returns 0, or -EIO when KVM's description does
 * not fit in the kvm_run area (never trusted blindly). */
static int kvm_handle_io(struct kvm_vcpu *v, const struct cpu_bus *bus, char *err, size_t errlen)
{
    struct kvm_run *run = v->run;
    unsigned size = run->io.size;
    uint64_t count = run->io.count;
    uint64_t off = run->io.data_offset;
    uint16_t port = run->io.port;
    uint8_t *data;

    if ((size != 1 && size != 2 && size != 4) || count == 0 ||
        off > v->run_size || count * size > v->run_size - off) {
        snprintf(err, errlen, "kvm: malformed KVM_EXIT_IO (port 0x%x size %u count %llu offset %llu)",
                 port, size, (unsigned long long)count, (unsigned long long)off);
        return -EIO;
    }
    data = (uint8_t *)run + off;
    for (uint64_t i = 0; i < count; i++, data += size) {
        uint32_t val = 0;

        if (run->io.direction == KVM_EXIT_IO_OUT) {
            memcpy(&val, data, size);
            bus->pio_write(bus->opaque, port, val, size);
        } else {
            val = bus->pio_read(bus->opaque, port, size);
            memcpy(data, &val, size);
        }
    }
    return 0;
}

/* MMIO exit (including guest writes to read-only slots). */
static void kvm_handle_mmio(struct kvm_vcpu *v, const struct cpu_bus *bus)
{
    struct kvm_run *run = v->run;
    uint64_t gpa = run->mmio.phys_addr;
    unsigned len = run->mmio.len;
    uint8_t *data = run->mmio.data;
    uint64_t val = 0;

    if (len > sizeof(run->mmio.data)) {
        vlog(LOG_GUEST_ERROR, "kvm: MMIO access of %u bytes at 0x%llx cut to 8\n", len,
             (unsigned long long)gpa);
        len = sizeof(run->mmio.data);
    }
    if (len == 1 || len == 2 || len == 4 || len == 8) {
        if (run->mmio.is_write) {
            memcpy(&val, data, len);
            bus->mem_write(bus->opaque, gpa, val, len);
        } else {
            val = bus->mem_read(bus->opaque, gpa, len);
            memcpy(data, &val, len);
        }
        return;
    }
    /* Odd sizes: byte by byte, as a bus would split them. */
    for (unsigned i = 0; i < len; i++) {
        if (run->mmio.is_write) {
            bus->mem_write(bus->opaque, gpa + i, data[i], 1);
        } else {
            data[i] = (uint8_t)bus->mem_read(bus->opaque, gpa + i, 1);
        }
    }
}

static const char *kvm_exit_name(uint32_t reason)
{
    switch (reason) {
    case KVM_EXIT_UNKNOWN: return "KVM_EXIT_UNKNOWN";
    case KVM_EXIT_EXCEPTION: return "KVM_EXIT_EXCEPTION";
    case KVM_EXIT_HYPERCALL: return "KVM_EXIT_HYPERCALL";
    case KVM_EXIT_DEBUG: return "KVM_EXIT_DEBUG";
    case KVM_EXIT_FAIL_ENTRY: return "KVM_EXIT_FAIL_ENTRY";
    case KVM_EXIT_INTERNAL_ERROR: return "KVM_EXIT_INTERNAL_ERROR";
    case KVM_EXIT_SYSTEM_EVENT: return "KVM_EXIT_SYSTEM_EVENT";
    case KVM_EXIT_X86_RDMSR: return "KVM_EXIT_X86_RDMSR";
    case KVM_EXIT_X86_WRMSR: return "KVM_EXIT_X86_WRMSR";
    case KVM_EXIT_NOTIFY: return "KVM_EXIT_NOTIFY";
    default: return "unexpected exit";
    }
}

/* The guest's RFLAGS.IF, read from KVM (only needed while halted). */
static int kvm_guest_if(struct kvm_vcpu *v, bool *if_set)
{
    struct kvm_regs regs;

    if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0)
        return -errno;
    *if_set = (regs.rflags & X86_FLAG_IF) != 0;
    return 0;
}

/* Can KVM_INTERRUPT deliver a vector right now?  After a KVM_RUN the
 * kvm_run flags say so; after set_state they are stale, so ask KVM for
 * IF, the interrupt shadow and events already being delivered.  (Only
 * asking for an interrupt window is not enough: on a nested SVM host the
 * window exit was seen to come several instructions late, after a HLT.) */
static int kvm_ready_for_irq(struct kvm_vcpu *v, bool *ready)
{
    struct kvm_run *run = v->run;
    struct kvm_regs regs;
    struct kvm_vcpu_events ev;

    if (v->window_valid) {
        *ready = run->ready_for_interrupt_injection && run->if_flag;
        return 0;
    }
    if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0 || ioctl(v->fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
        return -errno;
    *ready = (regs.rflags & X86_FLAG_IF) && !ev.interrupt.injected && !ev.interrupt.shadow &&
             !ev.exception.injected && !ev.exception.pending && !ev.nmi.injected;
    return 0;
}

/* Ask the emulated interrupt controller for a vector when the guest can
 * take one; otherwise ask KVM to exit as soon as it can.  Returns 0 or
 * -errno from KVM. */
static int kvm_inject(struct kvm_vcpu *v, const struct cpu_bus *bus, bool *acked)
{
    struct kvm_interrupt irq;
    bool ready = false;
    int vector, ret;

    *acked = false;
    ret = kvm_ready_for_irq(v, &ready);
    if (ret < 0)
        return ret;
    if (!ready) {
        v->run->request_interrupt_window = 1;
        return 0;
    }
    *acked = true;
    vector = bus->intr_ack(bus->opaque);
    if (vector < 0)
        return 0; /* the request went away before the INTA cycle */
    if (vector > 255) {
        vlog(LOG_GUEST_ERROR, "kvm: interrupt controller returned vector %d, ignored\n", vector);
        return 0;
    }
    irq.irq = (uint32_t)vector;
    if (ioctl(v->fd, KVM_INTERRUPT, &irq) < 0)
        return -errno;
    vlog(LOG_INT, "kvm: inject vector 0x%02x\n", vector);
    return 0;
}

static int kvm_vcpu_run(struct accel *a, unsigned index, struct vcpu_exit *exit)
{
    struct kvm_accel *k = a->priv;
    const struct cpu_bus *bus = a->bus;
    struct kvm_vcpu *v = kvm_vcpu_get(a, index);
    struct kvm_run *run;
    int ret;

    exit->executed = 0;
    exit->error[0] = '\0';
    if (!v) {
        exit->reason = VCPU_EXIT_ERROR;
        snprintf(exit->error, sizeof(exit->error), "kvm: no vCPU %u", index);
        return -EINVAL;
    }
    run = v->run;

    for (;;) {
        bool pending = bus->intr_pending && bus->intr_ack && bus->intr_pending(bus->opaque);

        if (v->halted) {
            bool if_set = false;

            if (pending) {
                ret = kvm_guest_if(v, &if_set);
                if (ret < 0) {
                    snprintf(exit->error, sizeof(exit->error), "kvm: KVM_GET_REGS failed: %s",
                             strerror(-ret));
                    goto error;
                }
            }
            if (!pending || !if_set) {
                exit->reason = VCPU_EXIT_HALT;
                return 0;
            }
            v->halted = false;
        }

        run->request_interrupt_window = 0;
        if (pending) {
            bool acked;

            ret = kvm_inject(v, bus, &acked);
            if (ret < 0) {
                snprintf(exit->error, sizeof(exit->error), "kvm: interrupt injection failed: %s",
                         strerror(-ret));
                goto error;
            }
            if (acked && kvm_check_stop(k, bus)) {
                exit->reason = VCPU_EXIT_STOP;
                return 0;
            }
        }

        /* CR8 is the local APIC's TPR (vireo's model, SDM 10.8.6.1) */
        if (bus->cr8_read)
            run->cr8 = bus->cr8_read(bus->opaque);
        ret = ioctl(v->fd, KVM_RUN, 0);
        v->io_pending = false;
        if (bus->cr8_write && bus->cr8_read && run->cr8 != bus->cr8_read(bus->opaque))
            bus->cr8_write(bus->opaque, (uint8_t)run->cr8);
        if (ret < 0) {
            int e = errno;

            if (e == EINTR || e == EAGAIN) {
                __atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
                exit->reason = VCPU_EXIT_KICK;
                return 0;
            }
            snprintf(exit->error, sizeof(exit->error), "kvm: KVM_RUN failed: %s", strerror(e));
            goto error;
        }
        v->window_valid = true;
        if (log_enabled(LOG_ACCEL))
            vlog(LOG_ACCEL, "kvm: vCPU %u exit %u (ready %u if %u)\n", index, run->exit_reason,
                 run->ready_for_interrupt_injection, run->if_flag);

        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            if (kvm_handle_io(v, bus, exit->error, sizeof(exit->error)) < 0)
                goto error;
            if (kvm_check_stop(k, bus)) {
                v->io_pending = true;
                exit->reason = VCPU_EXIT_STOP;
                return 0;
            }
            break;
        case KVM_EXIT_MMIO:
            kvm_handle_mmio(v, bus);
            if (kvm_check_stop(k, bus)) {
                v->io_pending = true;
                exit->reason = VCPU_EXIT_STOP;
                return 0;
            }
            break;
        case KVM_EXIT_X86_RDMSR:
        case KVM_EXIT_X86_WRMSR:
            kvm_handle_msr(run, bus, run->exit_reason == KVM_EXIT_X86_WRMSR);
            break;
        case KVM_EXIT_HLT:
            /* KVM has already stepped over the HLT. */
            v->halted = true;
            break;
        case KVM_EXIT_IRQ_WINDOW_OPEN:
            break;
        case KVM_EXIT_INTR:
            __atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
            exit->reason = VCPU_EXIT_KICK;
            return 0;
        case KVM_EXIT_SHUTDOWN:
            vlog(LOG_ACCEL, "kvm: vCPU %u shutdown (triple fault)\n", index);
            exit->reason = VCPU_EXIT_SHUTDOWN;
            return 0;
        case KVM_EXIT_SYSTEM_EVENT:
            if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN) {
                exit->reason = VCPU_EXIT_SHUTDOWN;
                return 0;
            }
            if (run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
                exit->reason = VCPU_EXIT_RESET;
                return 0;
            }
            snprintf(exit->error, sizeof(exit->error), "kvm: KVM_EXIT_SYSTEM_EVENT type %u",
                     run->system_event.type);
            goto error;
        case KVM_EXIT_FAIL_ENTRY:
            snprintf(exit->error, sizeof(exit->error),
                     "kvm: KVM_EXIT_FAIL_ENTRY, hardware entry failure reason 0x%llx",
                     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
            goto error;
        case KVM_EXIT_INTERNAL_ERROR:
            snprintf(exit->error, sizeof(exit->error),
                     "kvm: KVM_EXIT_INTERNAL_ERROR, suberror %u%s", run->internal.suberror,
                     run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
                         " (instruction emulation failed)" : "");
            goto error;
        default:
            snprintf(exit->error, sizeof(exit->error), "kvm: %s (exit reason %u)",
                     kvm_exit_name(run->exit_reason), run->exit_reason);
            goto error;
        }
    }

error:
    exit->reason = VCPU_EXIT_ERROR;
    {
        struct kvm_regs regs;
        size_t n = strlen(exit->error);

        if (ioctl(v->fd, KVM_GET_REGS, &regs) == 0 && n < sizeof(exit->error))
            snprintf(exit->error + n, sizeof(exit->error) - n, " at rip 0x%llx",
                     (unsigned long long)regs.rip);
    }
    vlog(LOG_ACCEL, "%s\n", exit->error);
    return 0;
}

/* KVM finishes an I/O instruction (stores IN data, advances RIP) only on
 * the next KVM_RUN.  When vcpu_run returned in between (a stop request),
 * finish it now with immediate_exit so the state read or written is the
 * one after the instruction.  A string instruction may need more device
 * accesses on the way; those go to the bus as in vcpu_run. */
int kvm_complete_io(struct accel *a, struct kvm_vcpu *v)
{
    struct kvm_run *run = v->run;
    uint8_t old = __atomic_load_n(&run->immediate_exit, __ATOMIC_SEQ_CST);
    char err[160];
    int ret = 0;

    for (int i = 0; v->io_pending && i < KVM_COMPLETE_IO_MAX; i++) {
        __atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
        if (ioctl(v->fd, KVM_RUN, 0) < 0) {
            if (errno != EINTR && errno != EAGAIN)
                ret = -errno;
            v->io_pending = false;
            break;
        }
        if (run->exit_reason == KVM_EXIT_IO) {
            if (kvm_handle_io(v, a->bus, err, sizeof(err)) < 0) {
                vlog(LOG_ACCEL, "%s\n", err);
                v->io_pending = false;
                ret = -EIO;
                break;
            }
        } else if (run->exit_reason == KVM_EXIT_MMIO) {
            kvm_handle_mmio(v, a->bus);
        } else {
            v->io_pending = false;
        }
    }
    if (!old)
        __atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
    return ret;
}

/* Called from a signal handler: only a store into the vCPU's kvm_run.
 * If KVM_RUN is executing, the signal itself makes it return EINTR; if
 * not, the flag makes the next KVM_RUN return EINTR at once. */
static void kvm_kick(struct accel *a, unsigned index)
{
    struct kvm_accel *k = a->priv;
    struct kvm_run *run;

    if (!k || index >= k->ncpus)
        return;
    run = k->vcpu[index].run;
    if (run)
        __atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

const struct accel_ops accel_kvm_ops = {
    .name = "kvm",
    .help = "Linux KVM hardware virtualization (/dev/kvm)",
    .caps = ACCEL_CAP_PASSTHROUGH | ACCEL_CAP_RUNS_CODE,
    .init = kvm_init,
    .map_memory = kvm_map_memory,
    .vcpu_create = kvm_vcpu_create,
    .vcpu_run = kvm_vcpu_run,
    .get_state = kvm_get_state,
    .set_state = kvm_set_state,
    .kick = kvm_kick,
    .destroy = kvm_destroy,
};
