/*
 * test_interp_host.c - the host CPU as an oracle.  Register-only forms of
 * the user-mode integer instructions in the opcode table (ALU, shifts and
 * rotates, SHLD/SHRD, MUL/IMUL, bit tests and scans, XADD/CMPXCHG, moves,
 * CMOVcc/SETcc, BSWAP, CBW/CWD, flag instructions) are generated with
 * random prefixes, registers, immediates and flags, executed natively on
 * the host (an x86-64 machine, in an executable page) and on the software
 * CPU in 64-bit mode; all GPRs and the flags the SDM defines for the case
 * must match.  Undefined flags are not compared: this host may be AMD,
 * whose undefined-flag results differ from Intel's (the rules are shared
 * with the KVM differential tester in tests/diff/x86_defined.h).
 * Skips (77) where the host is not x86-64 or refuses an executable page.
 */
#include "interp_harness.h"
#include "tests/vireo_check.h"

#include <stdio.h>
#include <sys/mman.h>

#include "cpu/decode.h"
#include "../diff/x86_defined.h"   /* which flags/results the SDM defines */

#if defined(__x86_64__)
struct hregs {
    uint64_t r[16];
    uint64_t flags;
};

void host_exec(struct hregs *r, void *code);
__asm__(".pushsection .text\n.globl host_exec\n.type host_exec,@function\nhost_exec:\n"
        "push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
        "push %rdi\npush %rsi\n"
        "mov 128(%rdi), %rax\npush %rax\npopfq\n"
        "mov 0(%rdi), %rax\nmov 8(%rdi), %rcx\nmov 16(%rdi), %rdx\nmov 24(%rdi), %rbx\n"
        "mov 40(%rdi), %rbp\nmov 48(%rdi), %rsi\n"
        "mov 64(%rdi), %r8\nmov 72(%rdi), %r9\nmov 80(%rdi), %r10\nmov 88(%rdi), %r11\n"
        "mov 96(%rdi), %r12\nmov 104(%rdi), %r13\nmov 112(%rdi), %r14\nmov 120(%rdi), %r15\n"
        "mov 56(%rdi), %rdi\n"
        "call *(%rsp)\n"
        "pushfq\npush %rdi\nmov 24(%rsp), %rdi\n"
        "mov %rax, 0(%rdi)\nmov %rcx, 8(%rdi)\nmov %rdx, 16(%rdi)\nmov %rbx, 24(%rdi)\n"
        "mov %rbp, 40(%rdi)\nmov %rsi, 48(%rdi)\n"
        "mov %r8, 64(%rdi)\nmov %r9, 72(%rdi)\nmov %r10, 80(%rdi)\nmov %r11, 88(%rdi)\n"
        "mov %r12, 96(%rdi)\nmov %r13, 104(%rdi)\nmov %r14, 112(%rdi)\nmov %r15, 120(%rdi)\n"
        "pop %rax\nmov %rax, 56(%rdi)\npop %rax\nmov %rax, 128(%rdi)\n"
        "add $16, %rsp\n"
        "pop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\nret\n"
        ".size host_exec, .-host_exec\n"
        ".popsection\n");
#endif

#define MEMOFF 0x800
#define ARITH (X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | X86_FLAG_SF | X86_FLAG_OF)

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t next_rand(void)
{
    return vireo_xorshift64(&rng);
}

static uint64_t rand_val(void)
{
    static const uint64_t edge[] = {0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
                                    0x80000000, 0xffffffff, 0x7fffffffffffffffull,
                                    0x8000000000000000ull, ~0ull};
    switch (next_rand() % 4) {
    case 0: return edge[next_rand() % (sizeof(edge) / sizeof(edge[0]))];
    case 1: return next_rand() & 0xff;
    case 2: return next_rand() & 0x3f;
    default: return next_rand();
    }
}

static const char *const allowed[] = {
    "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test", "inc", "dec", "neg", "not",
    "mul", "imul", "rol", "ror", "rcl", "rcr", "shl", "sal", "shr", "sar", "shld", "shrd",
    "bt", "bts", "btr", "btc", "bsf", "bsr", "xadd", "cmpxchg", "mov", "movzx", "movsx",
    "movsxd", "xchg", "cmovcc", "setcc", "bswap", "cbw", "cwd", "lahf", "sahf", "cmc", "clc",
    "stc", "popcnt", "lzcnt", "movbe", NULL,
};

static bool is_allowed(const struct op_row *r)
{
    if (r->map > 2 || ((r->e->flags & OPF_MEM) && strcmp(r->e->mnem, "movbe")) || strchr(r->e->operands, 'S') ||
        strchr(r->e->operands, 'O') || strstr(r->e->operands, "Cd") ||
        strstr(r->e->operands, "Dd"))
        return false;
    for (int k = 0; allowed[k]; k++)
        if (!strcmp(allowed[k], r->e->mnem))
            return true;
    return false;
}

START_TEST(host_oracle)
{
#if !defined(__x86_64__)
    exit(77);
#else
    uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        fprintf(stderr, "no executable page: skipped\n");
        exit(77);
    }
    const struct op_row *rows;
    size_t nrows = cpu_opcode_rows(&rows);
    const struct op_row *pick[512];
    size_t npick = 0;
    for (size_t k = 0; k < nrows && npick < 512; k++)
        if (is_allowed(&rows[k]))
            pick[npick++] = &rows[k];
    ck_assert_uint_gt(npick, 100);

    struct fake f;
    fake_init(&f, &accel_interp_ops);
    unsigned done = 0, bad = 0, nmem = 0;
    for (unsigned iter = 0; iter < 60000; iter++) {
        const struct op_row *r = pick[next_rand() % npick];
        uint8_t b[16];
        size_t n = 0;
        if (next_rand() % 4 == 0)
            b[n++] = 0x66;
        static const uint8_t pfx_byte[4] = {0, 0x66, 0xf3, 0xf2};
        if (r->pfx)
            b[n++] = pfx_byte[r->pfx];
        uint8_t rex = (next_rand() & 1) ? (uint8_t)(0x40 | (next_rand() & 0xd)) : 0;
        if (rex)
            b[n++] = rex;
        if (r->map >= 1)
            b[n++] = 0x0f;
        if (r->map == 2)
            b[n++] = 0x38;
        uint8_t op = r->opcode;
        b[n++] = op;
        unsigned reg = r->reg >= 0 ? (unsigned)r->reg : (unsigned)(next_rand() & 7);
        unsigned rm = (unsigned)(next_rand() & 7);
        /* a third of the E forms use memory: [rip + disp32] -> offset MEMOFF of
         * the code page, the same bytes on the host and in the guest */
        bool mem = ((r->e->flags & OPF_MEM) || (strchr(r->e->operands, 'E') && next_rand() % 3 == 0)) &&
                   !(r->map == 1 && (op == 0xa3 || op == 0xab || op == 0xb3 || op == 0xbb));
        size_t modrm_at = n;
        b[n++] = mem ? (uint8_t)((reg << 3) | 5) : (uint8_t)(0xc0 | (reg << 3) | rm);
        while (n < 16)
            b[n++] = (uint8_t)next_rand();
        struct insn in;
        if (cpu_decode(b, 15, 8, &in) != DEC_OK || in.ent != r->e)
            continue;
        if (mem) {
            int32_t disp = (int32_t)(MEMOFF - in.len);
            memcpy(&b[modrm_at + 1], &disp, 4);
            if (cpu_decode(b, 15, 8, &in) != DEC_OK)
                continue;
        }
        /* never touch RSP: ModRM reg/rm, or a register in the opcode */
        bool uses_rsp = ((in.ent->flags & OPF_MODRM) && (in.reg == R_RSP || in.rm == R_RSP)) ||
                        ((in.ent->flags & OPF_REGOP) && in.reg == R_RSP);
        if (uses_rsp)
            continue;
        if (!strcmp(in.ent->mnem, "movsxd") && in.opsize == 2)
            continue;
        struct hregs h;
        for (int k = 0; k < 16; k++)
            h.r[k] = rand_val();
        h.r[R_RSP] = 0;
        uint64_t fl = (next_rand() & ARITH) | X86_FLAG_FIXED;
        h.flags = fl;
        uint64_t inregs[16];
        memcpy(inregs, h.r, sizeof(inregs));

        uint8_t data[16];
        for (int k = 0; k < 16; k++)
            data[k] = (uint8_t)rand_val();
        memcpy(page, b, in.len);
        page[in.len] = 0xc3;
        memcpy(page + MEMOFF, data, 16);
        host_exec(&h, page);

        struct cpu_state s;
        uint8_t code[17];
        memcpy(code, b, in.len);
        code[in.len] = 0xf4;
        fake_load(&f, 0x1000, code, in.len + 1u);
        fake_load(&f, 0x1000 + MEMOFF, data, 16);
        fake_mode_state(&f, &s, MODE_LONG64, 0x1000, 0x8000);
        for (int k = 0; k < 16; k++)
            if (k != R_RSP)
                s.gpr[k] = inregs[k];
        s.rflags = fl;
        fake_set(&f, &s);
        ck_assert_int_eq(fake_run(&f, 10), VCPU_EXIT_HALT);
        fake_get(&f, &s);

        uint32_t dmask = xd_defined_flags(&in, inregs);
        bool regs_ok = true;
        uint64_t memsrc;
        memcpy(&memsrc, data, 8);
        bool res_def = xd_result_defined(&in, inregs, memsrc);
        for (int k = 0; k < 16; k++) {
            if (k == R_RSP)
                continue;
            if (!res_def && (k == in.reg || k == in.rm))
                continue;
            if (s.gpr[k] != h.r[k])
                regs_ok = false;
        }
        bool flags_ok = ((s.rflags ^ h.flags) & dmask) == 0;
        if (memcmp(f.ram + 0x1000 + MEMOFF, page + MEMOFF, 16) && res_def)
            regs_ok = false;
        if (!regs_ok || !flags_ok) {
            if (bad < 15) {
                char hex[40] = "";
                for (size_t k = 0; k < in.len; k++)
                    snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), "%02x", b[k]);
                fprintf(stderr, "%s %s (%s): flags in %#llx host %#llx vireo %#llx mask %#x\n",
                        in.ent->mnem, in.ent->operands, hex, (unsigned long long)fl,
                        (unsigned long long)(h.flags & ARITH),
                        (unsigned long long)(s.rflags & ARITH), dmask);
                for (int k = 0; k < 16; k++)
                    if (k != R_RSP && s.gpr[k] != h.r[k])
                        fprintf(stderr, "   r%d in %#llx host %#llx vireo %#llx\n", k,
                                (unsigned long long)inregs[k], (unsigned long long)h.r[k],
                                (unsigned long long)s.gpr[k]);
            }
            bad++;
        }
        done++;
        nmem += mem;
    }
    fprintf(stderr, "host oracle: %u instructions compared (%u with a memory operand), %u mismatches\n",
            done, nmem, bad);
    fake_fini(&f);
    munmap(page, 4096);
    ck_assert_uint_gt(done, 20000);
    ck_assert_uint_gt(nmem, 5000);
    ck_assert_uint_eq(bad, 0);
#endif
}
END_TEST

int main(void)
{
    Suite *su = suite_create("interp_host");
    TCase *tc = tcase_create("oracle");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, host_oracle);
    suite_add_tcase(su, tc);
    return vireo_check_run(su);
}
