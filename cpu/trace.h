/*
 * trace.h - in_asm / exec / cpu traces of the software CPU (cpu/trace.c).
 */
#ifndef VIREO_CPU_TRACE_H
#define VIREO_CPU_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/vcpu.h"

void trace_block(struct vcpu *v, uint64_t lin, uint64_t pa, const uint8_t *bytes, size_t len);
void trace_exec(struct vcpu *v, const struct insn *i);
void trace_cpu(struct vcpu *v);

#endif
