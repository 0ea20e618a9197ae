/*
 * mmu.c - paging and the soft TLB (SDM vol. 3A ch. 4): 32-bit paging with
 * 4 MiB pages (CR4.PSE, PSE-36 address bits), PAE and 4-level paging with
 * 2 MiB / 1 GiB pages, U/S, R/W with CR0.WP, NX (EFER.NXE), accessed and
 * dirty bits, global pages, #PF with CR2 and the error code of 4.7.
 *
 * The TLB has separate direct-mapped arrays for read, write and execute;
 * an entry maps a virtual page to a host pointer from bus->map, or to
 * NULL (I/O, ROM writes, pages holding decoded code) so the access takes
 * the slow path through the bus.  Page-crossing accesses translate both
 * pages before touching either.
 *
 * "-d mmu" logs every TLB fill and page fault.
 * Not implemented: SMEP/SMAP/PKU (not advertised), PDPTE caching at CR3
 * load (PAE PDPTEs are re-read on each walk), 5-level paging, MTRR/PAT
 * memory types.
 */
#include "cpu/debug.h"
#include "cpu/vcpu.h"

#include "cpu/blocks.h"
#include "util/log.h"

#define MAXPHY_MASK 0x000000fffffff000ull   /* MAXPHYADDR = 40 */
#define PTE_P  1ull
#define PTE_W  2ull
#define PTE_U  4ull
#define PTE_A  0x20ull
#define PTE_D  0x40ull
#define PTE_PS 0x80ull
#define PTE_G  0x100ull
#define PTE_XD (1ull << 63)

/* ---- physical memory ---- */

uint64_t phys_read(struct vcpu *v, uint64_t pa, unsigned size)
{
    uint64_t len = size, val = 0;
    uint8_t *p = v->bus->map(v->bus->opaque, pa, &len, false);
    if (p && len >= size) {
        memcpy(&val, p, size);
        return val;
    }
    if (p || (pa & (size - 1))) {   /* straddles RAM and something else */
        for (unsigned k = 0; k < size; k++)
            val |= phys_read(v, pa + k, 1) << (8 * k);
        return val;
    }
    return v->bus->mem_read(v->bus->opaque, pa, size) & size_mask(size);
}

void phys_write(struct vcpu *v, uint64_t pa, unsigned size, uint64_t val)
{
    if (code_page_test(v, pa) || code_page_test(v, pa + size - 1))
        code_page_written(v, pa, size);
    uint64_t len = size;
    uint8_t *p = v->bus->map(v->bus->opaque, pa, &len, true);
    if (p && len >= size) {
        memcpy(p, &val, size);
        return;
    }
    if (p || (pa & (size - 1))) {
        for (unsigned k = 0; k < size; k++)
            phys_write(v, pa + k, 1, (val >> (8 * k)) & 0xff);
        return;
    }
    v->bus->mem_write(v->bus->opaque, pa, val & size_mask(size), size);
    cpu_poll_stop(v);
}

/* ---- TLB maintenance ---- */

void mmu_flush(struct vcpu *v, bool keep_global)
{
    for (int t = 0; t < 3; t++)
        for (int k = 0; k < TLB_SIZE; k++)
            if (!(keep_global && v->tlb[t][k].global))
                v->tlb[t][k].tag = 0;
}

/* INVLPG: drop every entry from the page containing LIN; entries come
 * in 4 KiB pieces, so a large page may be cached in many slots. */
void mmu_flush_page(struct vcpu *v, uint64_t lin)
{
    for (int t = 0; t < 3; t++)
        for (int k = 0; k < TLB_SIZE; k++) {
            struct tlb_entry *e = &v->tlb[t][k];
            if (e->tag && ((e->tag ^ lin) & e->lmask) == 0)
                e->tag = 0;
        }
}

/* A page just started holding decoded code: make its stores slow. */
void mmu_code_page_added(struct vcpu *v, uint64_t pa)
{
    for (int k = 0; k < TLB_SIZE; k++)
        if (v->tlb[ACC_W][k].paddr == (pa & ~0xfffull))
            v->tlb[ACC_W][k].tag = 0;
}

/* ---- page walk ---- */

_Noreturn static void page_fault(struct vcpu *v, uint64_t lin, uint32_t err)
{
    if (log_enabled(LOG_MMU))
        vlog(LOG_MMU, "mmu: #PF at %#llx err %#x (cr3 %#llx)\n", (unsigned long long)lin, err,
             (unsigned long long)v->s.cr3);
    v->s.cr2 = lin;
    cpu_raise(v, EXC_PF, true, err);
}

static uint64_t read_pte(struct vcpu *v, uint64_t pa, bool wide)
{
    return phys_read(v, pa, wide ? 8 : 4);
}

uint64_t mmu_translate(struct vcpu *v, uint64_t lin, int acc, struct tlb_entry **out)
{
    int type = acc & 3;
    bool user = !(acc & ACC_SYS) && v->cpl == 3;
    uint64_t pa, page_mask = 0xfff;
    bool global = false;

    if (!v->pg) {
        pa = lin & ~0xfffull;
    } else {
        bool pae = v->s.cr4 & X86_CR4_PAE;
        bool nxe = pae && (v->s.efer & X86_EFER_NXE);
        uint64_t ent[4], entpa[4];
        int levels = 0, shift;
        bool w_ok = true, u_ok = true, nx = false, wide = pae;
        uint32_t err = (type == ACC_W ? 2 : 0) | (user ? 4 : 0) |
                       ((type == ACC_X && nxe) ? 16 : 0);
        uint64_t table;
        if (v->lma) {
            table = v->s.cr3 & MAXPHY_MASK;
            shift = 39;
            levels = 4;
        } else if (pae) {
            uint64_t pdpte = read_pte(v, (v->s.cr3 & 0xffffffe0u) + ((lin >> 30) & 3) * 8, true);
            if (!(pdpte & PTE_P))
                page_fault(v, lin, err);
            if (pdpte & 0x1e6ull || (pdpte & ~MAXPHY_MASK & ~0xfffull))
                page_fault(v, lin, err | 8 | 1);
            table = pdpte & MAXPHY_MASK;
            shift = 21;
            levels = 2;
        } else {
            table = v->s.cr3 & 0xfffff000u;
            shift = 22;
            levels = 2;
        }
        int n = 0;
        uint64_t e = 0;
        for (;;) {
            unsigned bits = wide ? 9 : 10;
            uint64_t idx = (lin >> shift) & ((1u << bits) - 1);
            entpa[n] = table + idx * (wide ? 8 : 4);
            e = ent[n] = read_pte(v, entpa[n], wide);
            if (!(e & PTE_P))
                page_fault(v, lin, err);
            if (wide && ((e & ~MAXPHY_MASK & ~0xfffull & ~PTE_XD) ||
                         ((e & PTE_XD) && !nxe) ||
                         (levels == 4 && n == 0 && (e & PTE_PS))))
                page_fault(v, lin, err | 8 | 1);
            w_ok = w_ok && (e & PTE_W);
            u_ok = u_ok && (e & PTE_U);
            nx = nx || (nxe && (e & PTE_XD));
            n++;
            bool last = n == levels;
            bool large = !last && (e & PTE_PS) && shift <= 30 &&
                         (wide || (v->s.cr4 & X86_CR4_PSE));
            if (large && shift == 30 && !v->lma)
                large = false;
            if (last || large) {
                page_mask = (1ull << shift) - 1;
                if (large && wide) {
                    if (e & ((page_mask & ~0x1fffull) & MAXPHY_MASK))
                        page_fault(v, lin, err | 8 | 1);
                    pa = (e & MAXPHY_MASK & ~page_mask) | (lin & page_mask & ~0xfffull);
                } else if (large) {
                    /* 4 MiB page: bits 20:13 are PA bits 39:32 (PSE-36) */
                    pa = (e & 0xffc00000u) | (((e >> 13) & 0xff) << 32) |
                         (lin & 0x3ff000u);
                } else {
                    pa = e & (wide ? MAXPHY_MASK : 0xfffff000u);
                }
                global = (e & PTE_G) && (v->s.cr4 & X86_CR4_PGE);
                break;
            }
            table = e & (wide ? MAXPHY_MASK : 0xfffff000u);
            shift -= bits;
        }
        err |= 1;   /* present: any fault from here on is a protection fault */
        if (user && !u_ok)
            page_fault(v, lin, err);
        if (type == ACC_W && !w_ok && (user || (v->s.cr0 & X86_CR0_WP)))
            page_fault(v, lin, err);
        if (type == ACC_X && nx)
            page_fault(v, lin, err);
        /* accessed bits on every level, dirty on the leaf for writes */
        for (int k = 0; k < n; k++) {
            uint64_t want = ent[k] | PTE_A;
            if (k == n - 1 && type == ACC_W)
                want |= PTE_D;
            if (want != ent[k])
                phys_write(v, entpa[k], wide ? 8 : 4, want);
        }
        /* The TLB caches only what this access proved: a read entry must
         * not allow a later write to skip the dirty-bit update. */
    }

    /* A20 gate (SDM vol. 3A 21.33.1): physical address bit 20 forced to 0
     * when the board masks it.  Applied to the page frame, so inside a
     * large page bit 20 of the offset still passes; page-table reads are
     * not masked. */
    pa &= v->a20_mask;

    struct tlb_entry *t = &v->tlb[type][(lin >> 12) & (TLB_SIZE - 1)];
    uint64_t len = 0x1000;
    uint8_t *host = v->bus->map(v->bus->opaque, pa, &len, type == ACC_W);
    if (!host || len < 0x1000 || (type == ACC_W && code_page_test(v, pa)))
        host = NULL;
    /* pages with data breakpoints always take the slow path (cpu/debug.c) */
    if (v->dbg_data && type != ACC_X && cpu_debug_page_watched(v, lin & ~0xfffull))
        host = NULL;
    t->tag = (lin & ~0xfffull) | TLB_VALID | (user ? TLB_USER : 0);
    t->host = host;
    t->paddr = pa;
    t->lmask = ~page_mask;
    t->global = global;
    if (out)
        *out = t;
    if (log_enabled(LOG_MMU))
        vlog(LOG_MMU, "mmu: %c %#llx -> %#llx%s%s\n", "rwx"[type], (unsigned long long)lin,
             (unsigned long long)(pa | (lin & 0xfff)), user ? " user" : "",
             host ? "" : " (bus)");
    return pa | (lin & 0xfff);
}

/* ---- slow paths ---- */

static inline uint64_t lin_wrap(struct vcpu *v, uint64_t a)
{
    return v->lma ? a : (uint32_t)a;
}

static uint64_t translate_cached(struct vcpu *v, uint64_t lin, int acc)
{
    struct tlb_entry *e = &v->tlb[acc & 3][(lin >> 12) & (TLB_SIZE - 1)];
    if (e->tag == tlb_key(v, lin, acc))
        return e->paddr | (lin & 0xfff);
    return mmu_translate(v, lin, acc, NULL);
}

uint64_t lin_read_slow(struct vcpu *v, uint64_t lin, unsigned size, int acc)
{
    if (v->dbg_data && (acc & 3) != ACC_X)
        cpu_debug_data(v, lin, size, false);
    if ((lin & 0xfff) + size > 0x1000) {
        /* the second page from its first byte: CR2 of a #PF there */
        uint64_t lin2 = lin_wrap(v, lin + size - 1) & ~0xfffull;
        uint64_t pa1 = translate_cached(v, lin, acc);
        uint64_t pa2 = translate_cached(v, lin2, acc);
        unsigned first = 0x1000 - (unsigned)(lin & 0xfff);
        uint64_t val = 0;
        for (unsigned k = 0; k < size; k++) {
            uint64_t pa = k < first ? pa1 + k : (pa2 & ~0xfffull) + (k - first);
            val |= phys_read(v, pa, 1) << (8 * k);
        }
        return val;
    }
    struct tlb_entry *e = &v->tlb[acc & 3][(lin >> 12) & (TLB_SIZE - 1)];
    uint64_t pa;
    if (e->tag == tlb_key(v, lin, acc))
        pa = e->paddr | (lin & 0xfff);
    else
        pa = mmu_translate(v, lin, acc, &e);
    if (e->host)
        return host_load(e->host + (lin & 0xfff), size);
    return phys_read(v, pa, size);
}

void lin_write_slow(struct vcpu *v, uint64_t lin, unsigned size, uint64_t val, int acc)
{
    if (v->dbg_data)
        cpu_debug_data(v, lin, size, true);
    acc = (acc & ~3) | ACC_W;
    if ((lin & 0xfff) + size > 0x1000) {
        /* the second page from its first byte: CR2 of a #PF there */
        uint64_t lin2 = lin_wrap(v, lin + size - 1) & ~0xfffull;
        uint64_t pa1 = translate_cached(v, lin, acc);
        uint64_t pa2 = translate_cached(v, lin2, acc);
        unsigned first = 0x1000 - (unsigned)(lin & 0xfff);
        for (unsigned k = 0; k < size; k++) {
            uint64_t pa = k < first ? pa1 + k : (pa2 & ~0xfffull) + (k - first);
            phys_write(v, pa, 1, (val >> (8 * k)) & 0xff);
        }
        return;
    }
    struct tlb_entry *e = &v->tlb[ACC_W][(lin >> 12) & (TLB_SIZE - 1)];
    uint64_t pa;
    if (e->tag == tlb_key(v, lin, acc))
        pa = e->paddr | (lin & 0xfff);
    else
        pa = mmu_translate(v, lin, acc, &e);
    if (e->host) {
        host_store(e->host + (lin & 0xfff), size, val);
        return;
    }
    phys_write(v, pa, size, val);
}

void lin_probe_write_slow(struct vcpu *v, uint64_t lin, unsigned size)
{
    translate_cached(v, lin, ACC_W);
    if ((lin & 0xfff) + size > 0x1000)
        translate_cached(v, lin_wrap(v, lin + size - 1) & ~0xfffull, ACC_W);
}

_Noreturn void seg_fault(struct vcpu *v, int seg)
{
    if (seg == SEG_SS)
        cpu_ss(v, 0);
    cpu_gp(v, 0);
}
