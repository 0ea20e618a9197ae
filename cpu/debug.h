/*
 * debug.h - breakpoint hardware of the debug registers (cpu/debug.c).
 */
#ifndef VIREO_CPU_DEBUG_H
#define VIREO_CPU_DEBUG_H

#include "cpu/vcpu.h"

/* Recompute the enabled breakpoint masks after DR7 or CR4.DE changed. */
void cpu_debug_update(struct vcpu *v);
/* Whether the 4 KiB linear page LIN_PAGE holds an enabled data breakpoint. */
bool cpu_debug_page_watched(struct vcpu *v, uint64_t lin_page);
/* Memory access [LIN, LIN+SIZE) or port access: note hits (trap later). */
void cpu_debug_data(struct vcpu *v, uint64_t lin, unsigned size, bool write);
void cpu_debug_io(struct vcpu *v, uint16_t port, unsigned size);
/* Before an instruction: deliver a #DB fault if an instruction breakpoint
 * matches CS:RIP and RF=0.  Returns true when delivered. */
bool cpu_debug_exec_hit(struct vcpu *v);
/* After an instruction with v->dbg_hits: deliver the #DB trap. */
void cpu_debug_trap(struct vcpu *v);
/* MOV to/from DRn with DR7.GD set: #DB fault with DR6.BD. */
void cpu_debug_check_gd(struct vcpu *v);

#endif
