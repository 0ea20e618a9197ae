/*
 * handlers.h - prototypes of every instruction handler, generated from
 * the opcode table (cpu/opcodes.def) so the table is the only list.
 */
#ifndef VIREO_CPU_HANDLERS_H
#define VIREO_CPU_HANDLERS_H

#include "cpu/vcpu.h"

#define OP(o, m, ops, fn, fl) void fn(struct vcpu *v, const struct insn *i);
#define OPG(o, r, m, ops, fn, fl) OP(o, m, ops, fn, fl)
#define OP64(o, m, ops, fn, fl) OP(o, m, ops, fn, fl)
#define OP2(o, m, ops, fn, fl) OP(o, m, ops, fn, fl)
#define OP2G(o, r, m, ops, fn, fl) OP(o, m, ops, fn, fl)
#define OP2GR(o, r, rm, m, ops, fn, fl) OP(o, m, ops, fn, fl)
#define OPX(map, p, o, m, ops, fn, fl) OP(o, m, ops, fn, fl)
#define OPR(o, r, m, ops, fn, fl) OP(o, m, ops, fn, fl)
#define OPRM(o, r, rm, m, ops, fn, fl) OP(o, m, ops, fn, fl)
#define OP2R(o, r, m, ops, fn, fl) OP(o, m, ops, fn, fl)
#include "cpu/opcodes.def"
#undef OP
#undef OPG
#undef OP64
#undef OP2
#undef OP2G
#undef OP2GR
#undef OPX
#undef OPR
#undef OPRM
#undef OP2R

#endif
