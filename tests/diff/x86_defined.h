/*
 * x86_defined.h - which results of an integer instruction the Intel SDM
 * defines, for tests that compare the software CPU with a real one (the
 * host oracle test_interp_host.c and the KVM differential tester).  The
 * test hosts are AMD, whose values for SDM-undefined flags and results
 * differ from Intel's; everything the SDM leaves undefined is excluded
 * from comparisons, nothing else.
 *
 * Sources: SDM vol. 2 instruction pages ("Flags Affected"), appendix
 * vol. 1 A.2 (EFLAGS cross-reference).  Covered: the integer rows of
 * cpu/opcodes.def.  Not covered: x87/SSE status words.
 */
#ifndef VIREO_TESTS_X86_DEFINED_H
#define VIREO_TESTS_X86_DEFINED_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu/vcpu.h"

#define XD_ARITH (X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | X86_FLAG_SF | X86_FLAG_OF)
#define XD_SZP (X86_FLAG_SF | X86_FLAG_ZF | X86_FLAG_PF)

static inline bool xd_is(const char *m, const char *a) { return !strcmp(m, a); }

/* The count operand of a shift/rotate/double shift, before masking. */
static inline unsigned xd_shift_count(const struct insn *i, const uint64_t *in)
{
    if (i->opcode == 0xd0 || i->opcode == 0xd1)
        return 1;
    if (i->opcode == 0xd2 || i->opcode == 0xd3 || i->opcode == 0xa5 || i->opcode == 0xad)
        return (unsigned)in[R_RCX] & 0xff;
    return (unsigned)i->imm & 0xff;
}

/* Arithmetic flags (XD_ARITH bits) the SDM defines after instruction I
 * completes, given the input registers IN (flags an instruction does not
 * affect are defined: they keep their value). */
static inline uint32_t xd_defined_flags(const struct insn *i, const uint64_t *in)
{
    const char *m = i->ent->mnem;
    const char *ops = i->ent->operands;
    unsigned size = ((ops[0] && ops[1] == 'b') || strstr(ops, "AL")) && !xd_is(m, "movzx") &&
                    !xd_is(m, "movsx") ? 1 : i->opsize;
    unsigned bits = size * 8;
    if (xd_is(m, "or") || xd_is(m, "and") || xd_is(m, "xor") || xd_is(m, "test"))
        return XD_ARITH & ~X86_FLAG_AF;
    if (xd_is(m, "mul") || xd_is(m, "imul"))
        return X86_FLAG_CF | X86_FLAG_OF;
    if (xd_is(m, "div") || xd_is(m, "idiv"))
        return 0;
    if (xd_is(m, "bt") || xd_is(m, "bts") || xd_is(m, "btr") || xd_is(m, "btc"))
        return X86_FLAG_CF | X86_FLAG_ZF;      /* ZF unaffected */
    if (xd_is(m, "bsf") || xd_is(m, "bsr"))
        return X86_FLAG_ZF;
    if (xd_is(m, "lzcnt"))
        return X86_FLAG_CF | X86_FLAG_ZF;
    if (xd_is(m, "daa") || xd_is(m, "das"))
        return XD_ARITH & ~X86_FLAG_OF;
    if (xd_is(m, "aaa") || xd_is(m, "aas"))
        return X86_FLAG_AF | X86_FLAG_CF;
    if (xd_is(m, "aam") || xd_is(m, "aad"))
        return XD_SZP;
    bool shift = xd_is(m, "shl") || xd_is(m, "sal") || xd_is(m, "shr") || xd_is(m, "sar");
    bool rot = xd_is(m, "rol") || xd_is(m, "ror") || xd_is(m, "rcl") || xd_is(m, "rcr");
    bool dbl = xd_is(m, "shld") || xd_is(m, "shrd");
    if (shift || rot || dbl) {
        unsigned c = xd_shift_count(i, in) & (bits == 64 ? 0x3f : 0x1f);
        if (c == 0)
            return XD_ARITH;
        if (rot)
            return XD_SZP | X86_FLAG_AF | X86_FLAG_CF | (c == 1 ? X86_FLAG_OF : 0);
        if (dbl && c > bits)
            return 0;
        uint32_t d = XD_SZP | (c == 1 ? X86_FLAG_OF : 0);
        if (c < bits || (shift && xd_is(m, "sar")))
            d |= X86_FLAG_CF;
        return d;
    }
    return XD_ARITH;
}

/* Whether the destination value of I is defined.  MEMSRC is the value of
 * a memory source operand (BSF/BSR), ignored for register forms.
 * Undefined: BSF/BSR of 0, SHLD/SHRD with count > operand size, 16-bit
 * BSWAP. */
static inline bool xd_result_defined(const struct insn *i, const uint64_t *in, uint64_t memsrc)
{
    const char *m = i->ent->mnem;
    if (xd_is(m, "bswap") && i->opsize == 2)
        return false;
    if (xd_is(m, "bsf") || xd_is(m, "bsr")) {
        uint64_t src = i->mod == 3 ? in[i->rm] : memsrc;
        return (src & size_mask(i->opsize)) != 0;
    }
    if (xd_is(m, "shld") || xd_is(m, "shrd")) {
        unsigned c = xd_shift_count(i, in) & (i->opsize == 8 ? 0x3f : 0x1f);
        return c <= i->opsize * 8u;
    }
    return true;
}

#endif
