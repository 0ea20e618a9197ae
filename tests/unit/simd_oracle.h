/*
 * simd_oracle.h - the host CPU as oracle for x87, MMX and SSE instructions.
 *
 * One instruction runs twice from the same state: natively on the host
 * (an x86-64 CPU, user mode, in an executable page; x87/SSE state loaded
 * with FXRSTOR and read back with FXSAVE) and in the software CPU in
 * 64-bit mode (tests/unit/interp_harness.h).  The caller compares the
 * results with so_compare().  Faults are compared too: on the host the
 * signal's trap number is the vector (SIGFPE -> #XM/#MF, SIGSEGV -> #GP,
 * SIGILL -> #UD) and the register state is the one at the fault; in the
 * guest each IDT vector points at its own HLT, so the vector is read from
 * RIP without clobbering a register.
 *
 * A memory operand is [rip+disp32] (mod=00 rm=101): so_prepare() patches
 * the displacement so it points at offset MEM_OFF+mem_at of the code page,
 * the same bytes on the host and in the guest.  RSP must not be used.
 * Not compared: FOP/FIP/FDP (host addresses differ from guest ones).
 * Skips (77) where the host is not x86-64 or has no executable page.
 */
#ifndef VIREO_TESTS_SIMD_ORACLE_H
#define VIREO_TESTS_SIMD_ORACLE_H

#include "interp_harness.h"

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "cpu/decode.h"

#define SO_MEM_OFF 0x800u     /* data offset within the code page */
#define SO_MEMSZ 1024u     /* room for an XSAVE area */
#define SO_CODE_GPA 0x1000u   /* guest address of the code page */
#define SO_GDT 0x5f000u
#define SO_IDT 0x60000u
#define SO_STUBS 0x61000u     /* vector N: HLT at SO_STUBS + 16*N */

struct so_state {
    uint8_t fx[FXSAVE_SIZE];  /* 64-bit FXSAVE image: x87, MXCSR, XMM0-15 */
    uint64_t gpr[16];
    uint64_t rflags;
} __attribute__((aligned(16)));

struct so_case {
    uint8_t code[16];
    unsigned len;             /* filled by so_prepare() */
    int mem_at;               /* -1: no memory operand; else offset into mem[] */
    struct so_state in;
    uint8_t mem[SO_MEMSZ];
};

struct so_result {
    struct so_state out;
    uint8_t mem[SO_MEMSZ];
    int vec;                  /* -1: completed, else exception vector */
};

/* Decode C->code in 64-bit mode, set len and patch the rip-relative
 * displacement.  Returns false when the bytes do not decode. */
static inline bool so_prepare(struct so_case *c)
{
    struct insn in;
    if (cpu_decode(c->code, 15, 8, &in) != DEC_OK)
        return false;
    c->len = in.len;
    if (c->mem_at >= 0) {
        if (in.mod == 3 || in.base != X86_BASE_RIP)
            return false;
        /* the displacement is the 4 bytes after ModRM (no SIB with rm=101) */
        unsigned imm = 0;
        for (int k = 0; k < 2; k++) {
            uint8_t kind = k ? in.ent->imm2 : in.ent->imm1;
            imm += kind == IMM_B ? 1 : kind == IMM_W ? 2 : kind == IMM_NONE ? 0 : 4;
        }
        int32_t disp = (int32_t)(SO_MEM_OFF + (unsigned)c->mem_at) - (int32_t)in.len;
        memcpy(&c->code[in.len - imm - 4], &disp, 4);
    }
    return true;
}

#if defined(__x86_64__)
static uint8_t so_host_fx[FXSAVE_SIZE] __attribute__((aligned(16)));
static sigjmp_buf so_jmp;
static struct so_state so_fault_state;
static int so_fault_vec;

void so_host_exec(struct so_state *st, void *code);
__asm__(".pushsection .text\n.globl so_host_exec\n.type so_host_exec,@function\nso_host_exec:\n"
        "push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
        "push %rdi\npush %rsi\n"
        "fxsave64 so_host_fx(%rip)\n"
        "fxrstor64 0(%rdi)\n"
        "mov 640(%rdi), %rax\npush %rax\npopfq\n"
        "mov 512(%rdi), %rax\nmov 520(%rdi), %rcx\nmov 528(%rdi), %rdx\nmov 536(%rdi), %rbx\n"
        "mov 552(%rdi), %rbp\nmov 560(%rdi), %rsi\n"
        "mov 576(%rdi), %r8\nmov 584(%rdi), %r9\nmov 592(%rdi), %r10\nmov 600(%rdi), %r11\n"
        "mov 608(%rdi), %r12\nmov 616(%rdi), %r13\nmov 624(%rdi), %r14\nmov 632(%rdi), %r15\n"
        "mov 568(%rdi), %rdi\n"
        "call *(%rsp)\n"
        "pushfq\npush %rdi\nmov 24(%rsp), %rdi\n"
        "mov %rax, 512(%rdi)\nmov %rcx, 520(%rdi)\nmov %rdx, 528(%rdi)\nmov %rbx, 536(%rdi)\n"
        "mov %rbp, 552(%rdi)\nmov %rsi, 560(%rdi)\n"
        "mov %r8, 576(%rdi)\nmov %r9, 584(%rdi)\nmov %r10, 592(%rdi)\nmov %r11, 600(%rdi)\n"
        "mov %r12, 608(%rdi)\nmov %r13, 616(%rdi)\nmov %r14, 624(%rdi)\nmov %r15, 632(%rdi)\n"
        "pop %rax\nmov %rax, 568(%rdi)\npop %rax\nmov %rax, 640(%rdi)\n"
        "fxsave64 0(%rdi)\n"
        "fxrstor64 so_host_fx(%rip)\n"
        "add $16, %rsp\n"
        "pop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\nret\n"
        ".size so_host_exec, .-so_host_exec\n"
        ".popsection\n");

static void so_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ctx;
    const greg_t *g = uc->uc_mcontext.gregs;
    static const int map[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
    for (int k = 0; k < 16; k++)
        so_fault_state.gpr[k] = (uint64_t)g[map[k]];
    so_fault_state.rflags = (uint64_t)g[REG_EFL];
    if (uc->uc_mcontext.fpregs)
        memcpy(so_fault_state.fx, uc->uc_mcontext.fpregs, FXSAVE_SIZE);
    so_fault_vec = (int)g[REG_TRAPNO];
    siglongjmp(so_jmp, 1);
}
#endif

struct so_host {
    uint8_t *page;
};

/* Returns false (the caller skips) when the host cannot run code. */
static inline bool so_host_init(struct so_host *h)
{
#if defined(__x86_64__)
    h->page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (h->page == MAP_FAILED)
        return false;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = so_signal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    return true;
#else
    (void)h;
    return false;
#endif
}

static inline void so_host_fini(struct so_host *h)
{
#if defined(__x86_64__)
    signal(SIGFPE, SIG_DFL);
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    signal(SIGILL, SIG_DFL);
    munmap(h->page, 4096);
#else
    (void)h;
#endif
}

static inline void so_host_run(struct so_host *h, const struct so_case *c, struct so_result *r)
{
#if defined(__x86_64__)
    memcpy(h->page, c->code, c->len);
    h->page[c->len] = 0xc3;   /* ret */
    memcpy(h->page + SO_MEM_OFF, c->mem, SO_MEMSZ);
    r->out = c->in;
    r->vec = -1;
    if (sigsetjmp(so_jmp, 1) == 0) {
        so_host_exec(&r->out, h->page);
    } else {
        __asm__ volatile("fxrstor64 %0" : : "m"(so_host_fx));
        r->out = so_fault_state;
        r->vec = so_fault_vec;
    }
    memcpy(r->mem, h->page + SO_MEM_OFF, SO_MEMSZ);
#else
    (void)h;
    (void)c;
    (void)r;
#endif
}

/* Guest side: GDT, an IDT of HLT stubs, 64-bit mode with SSE enabled. */
static inline void so_guest_init(struct fake *f)
{
    fake_init(f, &accel_interp_ops);
    uint64_t gdt[3] = {0, 0x00209a0000000000ull, 0x00cf92000000ffffull};
    fake_load(f, SO_GDT, gdt, sizeof(gdt));
    for (unsigned vec = 0; vec < 32; vec++) {
        uint64_t stub = SO_STUBS + 16 * vec;
        uint32_t g[4] = {(uint32_t)(stub & 0xffff) | (0x08u << 16),
                         (uint32_t)(stub & 0xffff0000u) | 0x8e00u, (uint32_t)(stub >> 32), 0};
        fake_load(f, SO_IDT + 16 * vec, g, sizeof(g));
        uint8_t hlt = 0xf4;
        fake_load(f, stub, &hlt, 1);
    }
}

/* The guest's state for a test instruction: 64-bit mode at SO_CODE_GPA,
 * the harness's GDT and IDT, CR0.MP/NE, CR4.OSFXSR/OSXMMEXCPT/OSXSAVE and
 * XCR0 = x87|SSE (as the host's XSAVE uses them here). */
static inline void so_guest_state(struct fake *f, struct cpu_state *s)
{
    fake_mode_state(f, s, MODE_LONG64, SO_CODE_GPA, 0x8000);
    s->gdtr.base = SO_GDT;
    s->gdtr.limit = 23;
    s->idtr.base = SO_IDT;
    s->idtr.limit = 32 * 16 - 1;
    s->cr0 |= X86_CR0_MP | X86_CR0_NE;
    s->cr4 |= X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | X86_CR4_OSXSAVE;
    s->xcr0 = 3;
}

/* Run CODE (LEN bytes, then a HLT) from state S; S gets the final state.
 * Returns -1 when the code ran to its end, the vector of a fault (its IDT
 * stub's HLT), or 1000 when the guest stopped anywhere else. */
static inline int so_guest_exec(struct fake *f, const uint8_t *code, unsigned len, struct cpu_state *s)
{
    uint8_t buf[17];
    ck_assert_uint_le(len, 16);
    memcpy(buf, code, len);
    buf[len] = 0xf4;
    fake_load(f, SO_CODE_GPA, buf, len + 1u);
    s->rip = SO_CODE_GPA;
    s->halted = false;
    fake_set(f, s);
    ck_assert_int_eq(fake_run(f, 10), VCPU_EXIT_HALT);
    fake_get(f, s);
    if (s->rip == SO_CODE_GPA + len + 1)
        return -1;
    if (s->rip > SO_STUBS && s->rip <= SO_STUBS + 16 * 32 && (s->rip - SO_STUBS) % 16 == 1)
        return (int)((s->rip - SO_STUBS) / 16);
    return 1000;
}

static inline void so_guest_run(struct fake *f, const struct so_case *c, struct so_result *r)
{
    struct cpu_state s;
    fake_load(f, SO_CODE_GPA + SO_MEM_OFF, c->mem, SO_MEMSZ);
    so_guest_state(f, &s);
    for (int k = 0; k < 16; k++)
        if (k != R_RSP)
            s.gpr[k] = c->in.gpr[k];
    s.rflags = c->in.rflags | X86_FLAG_FIXED;
    cpu_fpu_from_fxsave(c->in.fx, &s.fpu);
    r->vec = so_guest_exec(f, c->code, c->len, &s);
    for (int k = 0; k < 16; k++)
        r->out.gpr[k] = s.gpr[k];
    r->out.rflags = s.rflags;
    cpu_fpu_to_fxsave(r->out.fx, &s.fpu);
    memcpy(r->mem, f->ram + SO_CODE_GPA + SO_MEM_OFF, SO_MEMSZ);
}

/* Compare host (H) and guest (G) results.  FLAGS_MASK: RFLAGS bits to
 * compare.  Returns true when equal; otherwise prints the differences
 * (up to a global limit) prefixed by WHAT. */
static inline bool so_compare(const char *what, const struct so_case *c, const struct so_result *h,
                              const struct so_result *g, uint64_t flags_mask)
{
    static unsigned printed;
    char diff[1024] = "";
    size_t n = 0;
#define SO_DIFF(...) (n += (size_t)snprintf(diff + n, n < sizeof(diff) ? sizeof(diff) - n : 0, __VA_ARGS__))
    if (h->vec != g->vec)
        SO_DIFF(" vector host %d vireo %d;", h->vec, g->vec);
    for (int k = 0; k < 16; k++)
        if (k != R_RSP && h->out.gpr[k] != g->out.gpr[k])
            SO_DIFF(" r%d host %#llx vireo %#llx;", k, (unsigned long long)h->out.gpr[k],
                    (unsigned long long)g->out.gpr[k]);
    if ((h->out.rflags ^ g->out.rflags) & flags_mask)
        SO_DIFF(" rflags host %#llx vireo %#llx;", (unsigned long long)(h->out.rflags & flags_mask),
                (unsigned long long)(g->out.rflags & flags_mask));
    /* FCW, FSW, FTW (bytes 0-4), MXCSR (24-27), ST0-7 (32-159), XMM (160-415) */
    static const struct { unsigned off, len; const char *name; } fx[] = {
        {0, 2, "fcw"}, {2, 2, "fsw"}, {4, 1, "ftw"}, {24, 4, "mxcsr"},
    };
    for (size_t k = 0; k < sizeof(fx) / sizeof(fx[0]); k++)
        if (memcmp(h->out.fx + fx[k].off, g->out.fx + fx[k].off, fx[k].len)) {
            uint32_t a = 0, b = 0;
            memcpy(&a, h->out.fx + fx[k].off, fx[k].len);
            memcpy(&b, g->out.fx + fx[k].off, fx[k].len);
            SO_DIFF(" %s host %#x vireo %#x;", fx[k].name, a, b);
        }
    for (int k = 0; k < 8; k++)
        if (memcmp(h->out.fx + 32 + 16 * k, g->out.fx + 32 + 16 * k, 10)) {
            uint64_t hm, gm;
            uint16_t he, ge;
            memcpy(&hm, h->out.fx + 32 + 16 * k, 8);
            memcpy(&he, h->out.fx + 40 + 16 * k, 2);
            memcpy(&gm, g->out.fx + 32 + 16 * k, 8);
            memcpy(&ge, g->out.fx + 40 + 16 * k, 2);
            SO_DIFF(" st%d host %04x:%016llx vireo %04x:%016llx;", k, he, (unsigned long long)hm, ge,
                    (unsigned long long)gm);
        }
    for (int k = 0; k < 16; k++)
        if (memcmp(h->out.fx + 160 + 16 * k, g->out.fx + 160 + 16 * k, 16)) {
            uint64_t hq[2], gq[2];
            memcpy(hq, h->out.fx + 160 + 16 * k, 16);
            memcpy(gq, g->out.fx + 160 + 16 * k, 16);
            SO_DIFF(" xmm%d host %016llx%016llx vireo %016llx%016llx;", k, (unsigned long long)hq[1],
                    (unsigned long long)hq[0], (unsigned long long)gq[1], (unsigned long long)gq[0]);
        }
    if (memcmp(h->mem, g->mem, SO_MEMSZ)) {
        unsigned k = 0, nd = 0;
        while (h->mem[k] == g->mem[k])
            k++;
        for (unsigned j = k; j < SO_MEMSZ; j++)
            nd += h->mem[j] != g->mem[j];
        SO_DIFF(" memory differs from byte %u (%u bytes; host %02x vireo %02x);", k, nd, h->mem[k],
                g->mem[k]);
    }
#undef SO_DIFF
    if (!diff[0])
        return true;
    if (printed++ < 20) {
        char hex[48] = "";
        for (unsigned k = 0; k < c->len; k++)
            snprintf(hex + 2 * k, sizeof(hex) - 2 * k, "%02x", c->code[k]);
        fprintf(stderr, "%s [%s]:%s\n", what, hex, diff);
    }
    return false;
}

#endif
