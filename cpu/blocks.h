/*
 * blocks.h - the decoded-instruction cache: straight-line runs of
 * decoded instructions (with handler pointers) keyed by the physical
 * address of their first byte and the code size they were decoded for,
 * plus the per-page "holds code" bitmap that makes stores to such pages
 * invalidate them (self-modifying code, DMA via flush_code).
 */
#ifndef VIREO_CPU_BLOCKS_H
#define VIREO_CPU_BLOCKS_H

#include "cpu/vcpu.h"

#define BLOCK_MAX_INSNS 64

struct block {
    struct block *next;     /* hash chain, or free list */
    uint64_t pa;
    uint8_t csize;
    uint16_t ninsn;
    uint16_t bytes;         /* length of the decoded code */
    struct insn insn[];
};

int blocks_init(struct vcpu *v);
void blocks_destroy(struct vcpu *v);
/* Drop every block (e.g. after set_state). */
void blocks_flush_all(struct vcpu *v);
/* Free blocks invalidated while running; call only between blocks. */
void blocks_reap(struct vcpu *v);

struct block *block_lookup(struct vcpu *v, uint64_t pa, unsigned csize);
/* Decode a block at PA from HOST[0..avail).  On failure of the first
 * instruction returns NULL with *status = DEC_*. */
struct block *block_build(struct vcpu *v, uint64_t pa, const uint8_t *host, size_t avail,
                          unsigned csize, int *status);

bool code_page_test(struct vcpu *v, uint64_t pa);
/* A store hit [pa, pa+len) which may hold code: drop those blocks. */
void code_page_written(struct vcpu *v, uint64_t pa, uint64_t len);
void mmu_code_page_added(struct vcpu *v, uint64_t pa);

#endif
