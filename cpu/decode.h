/*
 * decode.h - the table-driven x86 instruction decoder (SDM vol. 2 ch. 2
 * and appendix A).  It finds the fields of one instruction: prefixes,
 * REX, opcode, ModRM/SIB/displacement, immediates, operand and address
 * size; it never touches guest memory or CPU state.
 */
#ifndef VIREO_CPU_DECODE_H
#define VIREO_CPU_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/vcpu.h"

enum { DEC_OK = 0, DEC_MORE, DEC_UD, DEC_GP };

/* Opcode-table flags (cpu/opcodes.def) */
#define OPF_LOCK   (1u << 0)
#define OPF_D64    (1u << 1)
#define OPF_F64    (1u << 2)
#define OPF_I64    (1u << 3)
#define OPF_SIMD   (1u << 4)  /* MMX/SSE row: unmatched mandatory prefixes are #UD */
/* derived from the operand string */
#define OPF_MODRM (1u << 8)
#define OPF_MEM   (1u << 9)   /* memory-only rm (M operands) */
#define OPF_REGOP (1u << 10)  /* register in the opcode's low 3 bits */
#define OPF_REGRM (1u << 11)  /* R operands: rm is a register whatever mod says */
#define OPF_SREG  (1u << 12)  /* Sw operand: ModRM.reg must name ES..GS */
#define OPF_REGONLY (1u << 13) /* U/N operands: a memory form is #UD */

/* op_row.rm / row rm values besides 0-7 (mod=3 with that rm) */
#define ROW_RM_ANY (-1)   /* group row for every mod (or not a group) */
#define ROW_RM_REG (-2)   /* group row for mod=3 with any rm (OPR, OP2R) */

enum { IMM_NONE, IMM_B, IMM_W, IMM_Z, IMM_V, IMM_AP, IMM_O };

/* Mandatory prefixes of OPX rows */
enum { P_NONE = 0, P_66 = 1, P_F3 = 2, P_F2 = 3 };

/* Build the lookup tables from cpu/opcodes.def (idempotent, thread-safe). */
void cpu_decode_init(void);

/* Decode the instruction at P (AVAIL bytes readable) for code of default
 * size CSIZE (2, 4, or 8 for 64-bit mode).  Returns DEC_OK (I filled,
 * I->len set), DEC_MORE (needs bytes beyond AVAIL), DEC_UD or DEC_GP
 * (longer than 15 bytes). */
int cpu_decode(const uint8_t *p, size_t avail, unsigned csize, struct insn *i);

/* Visit every row of the opcode table (for tests and generators). */
struct op_row {
    uint8_t map, opcode;   /* map 0 one-byte, 1 0F, 2 0F38, 3 0F3A */
    int8_t reg;         /* -1 when not a group row */
    int8_t rm;          /* ROW_RM_ANY, ROW_RM_REG or a fixed rm with mod=3 */
    bool only64;
    uint8_t pfx;        /* P_* mandatory prefix */
    const struct op_entry *e;
};
size_t cpu_opcode_rows(const struct op_row **rows);

#endif
