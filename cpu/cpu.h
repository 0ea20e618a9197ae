/*
 * cpu.h - the software CPU as seen by accelerators (accel/interp.c, later
 * tcg-lite): create a vCPU over a cpu_bus, move the canonical state in
 * and out, run until an exit, kick, and drop decoded code after DMA.
 */
#ifndef VIREO_CPU_CPU_H
#define VIREO_CPU_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/bus.h"
#include "cpu/cpu_state.h"

struct vcpu;

enum cpu_exit {
    CPU_EXIT_BUDGET,    /* instruction budget used up */
    CPU_EXIT_KICK,      /* cpu_kick() was called */
    CPU_EXIT_HALT,      /* HLT with no deliverable interrupt */
    CPU_EXIT_SHUTDOWN,  /* triple fault */
    CPU_EXIT_STOP,      /* stop_requested() returned true after I/O */
};

/* NULL on allocation failure. */
struct vcpu *cpu_create(const struct cpu_bus *bus);
void cpu_destroy(struct vcpu *v);
/* Polled after each port I/O instruction; true makes cpu_exec return STOP. */
void cpu_set_stop_hook(struct vcpu *v, bool (*stop_requested)(void *opaque));

void cpu_get_state(struct vcpu *v, struct cpu_state *s);
void cpu_set_state(struct vcpu *v, const struct cpu_state *s);

/* Run at most BUDGET instructions (0 = no limit).  *EXECUTED gets the
 * number of instructions retired. */
enum cpu_exit cpu_exec(struct vcpu *v, uint64_t budget, uint64_t *executed);
/* Async-signal-safe: make cpu_exec return at the next block boundary. */
void cpu_kick(struct vcpu *v);
/* Guest-physical [gpa, gpa+len) was written behind the CPU's back. */
void cpu_flush_code(struct vcpu *v, uint64_t gpa, uint64_t len);
/* Instructions retired since the vCPU was created (live during cpu_exec). */
uint64_t cpu_icount(const struct vcpu *v);
/* Mnemonic of the instruction at the current RIP (trace/debug aid), or NULL. */
const char *cpu_mnemonic_at(struct vcpu *v);

/* The one CPUID profile (cpu/cpuid.c) every back end presents: leaf LEAF,
 * subleaf SUB, for a machine with PLATFORM_FEATURES (CPU_PLATFORM_*) and
 * the guest's CR4 and XCR0 (dynamic bits such as OSXSAVE). */
void cpu_cpuid_profile(unsigned platform_features, uint64_t cr4, uint64_t xcr0,
                       uint32_t leaf, uint32_t sub, uint32_t out[4]);
/* Leaves and subleaves the profile defines, for back ends that need a
 * table (KVM_SET_CPUID2): calls FN for each (leaf, subleaf) pair. */
void cpu_cpuid_leaves(void (*fn)(void *opaque, uint32_t leaf, uint32_t sub), void *opaque);

#endif
