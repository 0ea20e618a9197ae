/*
 * diff_gen.h - test-case generator of the differential tester: walks the
 * rows of cpu/opcodes.def (cpu_opcode_rows) and encodes each with random
 * prefixes, registers, ModRM/SIB forms (memory operands aimed into the
 * data buffer), immediates, GPR values and arithmetic flags, for one of
 * the three modes of diff_harness.h.
 *
 * What is skipped and why is the table gen_skip[] in diff_gen.c (one
 * place).  Not generated: far transfers, system instructions; x87/SSE
 * rows get GPR/memory/flags inputs only (FPU inputs: see difftest.c).
 */
#ifndef VIREO_TESTS_DIFF_GEN_H
#define VIREO_TESTS_DIFF_GEN_H

#include <stdio.h>

#include "diff_harness.h"

#define GEN_MAX_OVER 2

/* A generated case and what to compare.  The initial data buffer is
 * gen_fill_data(dseed) with the overrides applied: that is how the
 * reference files store it. */
struct gen_case {
    struct diff_case c;
    uint32_t dseed;
    unsigned nover;
    struct { uint16_t off; uint8_t len; uint8_t bytes[8]; } over[GEN_MAX_OVER];
    uint32_t fmask;      /* arithmetic flags compared (others always are) */
    uint16_t xregs;      /* registers whose final value is undefined */
    bool xmem;           /* data buffer result undefined */
    bool cmp_seg;        /* compare data segment selectors (and real-mode bases) */
    const char *mnem;
};

/* The generator's fixed PRNG (xorshift64), also used for data buffers. */
uint64_t gen_rand(uint64_t *state);
void gen_fill_data(uint8_t *data, uint32_t dseed);
/* Rows usable in MODE (after the skip rules); returns their count. */
size_t gen_rows(enum diff_mode mode);
/* Generate case number N of MODE (row N modulo gen_rows(MODE)) from RNG.
 * Returns 0, or -1 when no valid encoding was found for that row. */
int gen_case(enum diff_mode mode, unsigned n, uint64_t *rng, struct gen_case *g);
/* Why MNEM is skipped, or NULL. */
const char *gen_skip_reason(const char *mnem);
/* Print every skip rule with its reason. */
void gen_print_skips(FILE *f);

#endif
