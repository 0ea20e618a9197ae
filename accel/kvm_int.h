/*
 * kvm_int.h - private to the kvm accelerator (kvm.c: setup and the run
 * loop; kvm_state.c: translation between struct cpu_state and KVM's
 * register ioctls).  See kvm.c for the design and what is not done.
 */
#ifndef VIREO_ACCEL_KVM_INT_H
#define VIREO_ACCEL_KVM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accel/accel.h"

struct kvm_run;
struct kvm_cpuid2;
struct kvm_msr_list;

#define KVM_MAX_MSRS 64 /* bound on kvm_msr_table in kvm_state.c */

struct kvm_vcpu {
    int fd;                 /* -1 until created */
    struct kvm_run *run;
    size_t run_size;
    bool halted;            /* executed HLT, waiting for an interrupt */
    bool window_valid;      /* run->ready_for_interrupt_injection/if_flag describe the current state */
    bool io_pending;        /* returned to the caller before KVM_RUN completed an I/O exit */
};

struct kvm_accel {
    int kvm_fd, vm_fd;
    size_t run_size;
    unsigned nr_slots, max_slots;
    bool readonly_mem, xcrs, debugregs;
    bool msr_exits;                     /* the board's APIC MSRs exit to vireo (MSR filter) */
    size_t xsave_size;                  /* 0: no KVM_CAP_XSAVE, use KVM_GET/SET_FPU */
    bool xsave2;
    bool (*stop_requested)(void *opaque);
    const struct cpu_bus *bus;
    struct kvm_cpuid2 *cpuid;           /* KVM_GET_SUPPORTED_CPUID */
    struct kvm_msr_list *msr_list;      /* KVM_GET_MSR_INDEX_LIST */
    bool msrs_probed;
    unsigned nr_msrs;                   /* usable entries of kvm_msr_table ... */
    uint8_t msr_use[KVM_MAX_MSRS];      /* ... listed here by table position */
    unsigned ncpus;
    struct kvm_vcpu vcpu[];
};

/* kvm.c */
struct kvm_vcpu *kvm_vcpu_get(struct accel *a, unsigned index);
/* Finish an I/O instruction left pending when vcpu_run returned. */
int kvm_complete_io(struct accel *a, struct kvm_vcpu *v);

/* kvm_state.c */
/* Keep the MSRs of struct x86_msrs that KVM lists and can read. */
void kvm_probe_msrs(struct kvm_accel *k, int vcpu_fd);
int kvm_get_state(struct accel *a, unsigned index, struct cpu_state *s);
int kvm_set_state(struct accel *a, unsigned index, const struct cpu_state *s);

#endif
