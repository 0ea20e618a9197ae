/*
 * blocks.c - decoded-block cache and code-page tracking (DESIGN.md "The
 * CPU core").  A block never crosses a 4 KiB physical page, so a store to
 * a page (found through the "holds code" bitmap) invalidates exactly the
 * blocks decoded from it.  Invalidated blocks go on a free list reaped at
 * the next block boundary, so the running block stays readable; the run
 * loop ends that block after the current instruction (v->stop).
 *
 * Not implemented: block chaining and per-page block lists (an
 * invalidation scans the hash table; fine while SMC is rare).
 */
#include "cpu/blocks.h"

#include <stdlib.h>

#include "cpu/decode.h"
#include "cpu/handlers.h"

#define HASH_BITS 12
#define HASH_SIZE (1u << HASH_BITS)
#define CODEMAP_TOP (1u << 16)       /* x 32768 pages x 4 KiB = 2^43 bytes */
#define CODEMAP_PAGES (1u << 15)

static unsigned hash(uint64_t pa)
{
    return (unsigned)((pa ^ (pa >> HASH_BITS) ^ (pa >> 24)) & (HASH_SIZE - 1));
}

int blocks_init(struct vcpu *v)
{
    v->bhash = calloc(HASH_SIZE, sizeof(*v->bhash));
    v->codemap = calloc(CODEMAP_TOP, sizeof(*v->codemap));
    v->scratch = calloc(1, sizeof(struct block) + sizeof(struct insn));
    if (!v->bhash || !v->codemap || !v->scratch)
        return -1;
    return 0;
}

static void free_chain(struct block *b)
{
    while (b) {
        struct block *n = b->next;
        free(b);
        b = n;
    }
}

void blocks_flush_all(struct vcpu *v)
{
    if (!v->bhash)
        return;
    for (unsigned k = 0; k < HASH_SIZE; k++) {
        free_chain(v->bhash[k]);
        v->bhash[k] = NULL;
    }
    for (unsigned k = 0; k < CODEMAP_TOP; k++)
        if (v->codemap[k])
            memset(v->codemap[k], 0, CODEMAP_PAGES / 8);
    v->stop = true;
}

void blocks_destroy(struct vcpu *v)
{
    if (v->bhash) {
        for (unsigned k = 0; k < HASH_SIZE; k++)
            free_chain(v->bhash[k]);
        free(v->bhash);
    }
    if (v->codemap) {
        for (unsigned k = 0; k < CODEMAP_TOP; k++)
            free(v->codemap[k]);
        free(v->codemap);
    }
    free_chain(v->bfree);
    free(v->scratch);
    v->bhash = NULL;
    v->codemap = NULL;
    v->bfree = NULL;
    v->scratch = NULL;
}

void blocks_reap(struct vcpu *v)
{
    free_chain(v->bfree);
    v->bfree = NULL;
}

/* ---- code-page bitmap ---- */

bool code_page_test(struct vcpu *v, uint64_t pa)
{
    uint64_t page = pa >> 12;
    uint64_t top = page / CODEMAP_PAGES;
    if (top >= CODEMAP_TOP || !v->codemap[top])
        return false;
    unsigned bit = (unsigned)(page % CODEMAP_PAGES);
    return (v->codemap[top][bit / 8] >> (bit % 8)) & 1;
}

static bool code_page_set(struct vcpu *v, uint64_t pa, bool on)
{
    uint64_t page = pa >> 12;
    uint64_t top = page / CODEMAP_PAGES;
    if (top >= CODEMAP_TOP)
        return false;
    if (!v->codemap[top]) {
        if (!on)
            return true;
        v->codemap[top] = calloc(CODEMAP_PAGES / 8, 1);
        if (!v->codemap[top])
            return false;
    }
    unsigned bit = (unsigned)(page % CODEMAP_PAGES);
    if (on)
        v->codemap[top][bit / 8] |= (uint8_t)(1u << (bit % 8));
    else
        v->codemap[top][bit / 8] &= (uint8_t)~(1u << (bit % 8));
    return true;
}

static void invalidate_page(struct vcpu *v, uint64_t page)
{
    for (unsigned k = 0; k < HASH_SIZE; k++) {
        struct block **pp = &v->bhash[k];
        while (*pp) {
            struct block *b = *pp;
            if ((b->pa >> 12) == page) {
                *pp = b->next;
                b->next = v->bfree;
                v->bfree = b;
            } else {
                pp = &b->next;
            }
        }
    }
    code_page_set(v, page << 12, false);
    v->stop = true;
}

void code_page_written(struct vcpu *v, uint64_t pa, uint64_t len)
{
    if (len == 0)
        return;
    uint64_t first = pa >> 12, last = (pa + len - 1) >> 12;
    if (last < first)   /* wrapped: up to the end of the address space */
        last = UINT64_MAX >> 12;
    /* Walk only the bitmap chunks that exist, so a huge (device- or
     * guest-chosen) length costs at most one pass over the top level. */
    uint64_t p = first;
    while (p <= last) {
        uint64_t top = p / CODEMAP_PAGES;
        if (top >= CODEMAP_TOP)
            break;
        uint64_t chunk_end = (top + 1) * CODEMAP_PAGES - 1;
        uint64_t stop = last < chunk_end ? last : chunk_end;
        if (v->codemap[top]) {
            for (uint64_t q = p; q <= stop; q++)
                if (code_page_test(v, q << 12))
                    invalidate_page(v, q);
        }
        p = stop + 1;
        if (p == 0)
            break;
    }
}

/* ---- lookup / build ---- */

struct block *block_lookup(struct vcpu *v, uint64_t pa, unsigned csize)
{
    for (struct block *b = v->bhash[hash(pa)]; b; b = b->next)
        if (b->pa == pa && b->csize == csize)
            return b;
    return NULL;
}

/* Instructions after which straight-line decoding is pointless. */
static bool ends_block(const struct insn *i)
{
    insn_fn f = i->fn;
    return f == op_jmp_J || f == op_jmp_Ev || f == op_ret || f == op_retf ||
           f == op_iret || f == op_jmpf_Ap || f == op_jmpf_Mp || f == op_callf_Ap ||
           f == op_callf_Mp || f == op_call_Jz || f == op_call_Ev || f == op_hlt ||
           f == op_int || f == op_int3 || f == op_int1 || f == op_into ||
           f == op_syscall || f == op_sysret || f == op_ud2 ||
           f == op_mov_CdRd || f == op_lmsw || f == op_wrmsr || f == op_sti ||
           f == op_popf || f == op_sysenter || f == op_sysexit ||
           ((f == op_mov_SwEw || f == op_pop_sreg) && (i->opcode == 0x17 || (i->reg & 7) == SEG_SS));
}

struct block *block_build(struct vcpu *v, uint64_t pa, const uint8_t *host, size_t avail,
                          unsigned csize, int *status)
{
    struct insn tmp[BLOCK_MAX_INSNS];
    unsigned n = 0;
    size_t off = 0;
    *status = DEC_OK;
    while (n < BLOCK_MAX_INSNS && off < avail) {
        int rc = cpu_decode(host + off, avail - off, csize, &tmp[n]);
        if (rc != DEC_OK) {
            if (n == 0) {
                *status = rc;
                return NULL;
            }
            break;
        }
        off += tmp[n].len;
        if (ends_block(&tmp[n++]))
            break;
    }
    if (n == 0) {
        *status = DEC_MORE;
        return NULL;
    }
    struct block *b = malloc(sizeof(*b) + n * sizeof(struct insn));
    if (!b) {
        *status = DEC_MORE;  /* caller falls back to the uncached path */
        return NULL;
    }
    b->pa = pa;
    b->csize = (uint8_t)csize;
    b->ninsn = (uint16_t)n;
    b->bytes = (uint16_t)off;
    memcpy(b->insn, tmp, n * sizeof(struct insn));
    if (!code_page_test(v, pa)) {
        if (!code_page_set(v, pa, true)) {
            /* beyond the bitmap: cannot track stores, so do not cache */
            b->next = v->bfree;
            v->bfree = b;
            return b;
        }
        mmu_code_page_added(v, pa);
    }
    unsigned h = hash(pa);
    b->next = v->bhash[h];
    v->bhash[h] = b;
    return b;
}
