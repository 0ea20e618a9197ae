/*
 * diff_harness.h - run one short x86 instruction sequence under any
 * accelerator (interp, kvm) from a given register/flag/memory/FPU state
 * and return the state after it: the environment of the differential
 * tester (vireo-difftest).
 *
 * The guest environment is the same for every back end and is built for
 * what KVM on the project's test host can run: there, 64-bit user code
 * runs natively, while real-mode and compatibility-mode code goes through
 * an instruction emulator, and guest kernel-mode IRET/INT3 and 32-bit
 * paging fail (shutdown / "instruction emulation failed").  So:
 *
 *   DIFF_LONG64: 64-bit mode, CPL3, 4-level paging (one 2 MiB user page
 *   identity-maps RAM), IOPL 0.  DIFF_PROT32: the same long-mode
 *   environment with a 32-bit code segment (compatibility mode: 32-bit
 *   protected-mode instruction semantics, SDM vol. 3A 5.2.1; exceptions
 *   use the 64-bit IDT).  The instruction is followed by a sled of HLT
 *   bytes: reaching one raises #GP(0) at CPL3.  Every IDT vector points
 *   to a CPL0 stub "out 0x80, al; jmp $" that exits to the host, which
 *   reads the exception frame (vector from the stub address, error code,
 *   RIP, RFLAGS, RSP) from the kernel stack.  No IRET is ever executed.
 *   DIFF_REAL16: real mode, all segments 0; HLT exits directly,
 *   exceptions go through the IVT to the same stubs and push their frame
 *   on the user stack (inside the compared data buffer).
 *
 * Layout (guest-physical = linear, RAM 2 MiB): IVT 0, GDT 0x500, IDT
 * 0x1000, TSS 0x2000, stubs 0x3000 (4 bytes per vector), kernel stack
 * top 0x5000, page tables 0xc000-0xefff, HLT sled 0x8000-0x9fff with the
 * instruction at DIFF_CODE_GPA, data buffer DIFF_DATA_GPA (4 KiB; cases
 * put their stack there too).  All segment bases are 0.
 *
 * References: SDM vol. 3A 6.12-6.14 (exception delivery and frames),
 * 4.5 (4-level paging), 7.7 (64-bit TSS), 20.1 (real-mode IVT).
 * Not covered: legacy 32-bit protected mode proper (32-bit TSS/IDT,
 * 32-bit paging: see above), interrupts, segment bases other than 0,
 * V86, guests that change mode, AVX state.
 */
#ifndef VIREO_TESTS_DIFF_HARNESS_H
#define VIREO_TESTS_DIFF_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accel/accel.h"

enum diff_mode { DIFF_REAL16, DIFF_PROT32, DIFF_LONG64, DIFF_NMODES };

#define DIFF_RAM_SIZE  (2u << 20)
#define DIFF_SLED_GPA  0x8000u
#define DIFF_SLED_SIZE 0x2000u
#define DIFF_CODE_GPA  0x9000u       /* the instruction under test */
#define DIFF_DATA_GPA  0xa000u
#define DIFF_DATA_SIZE 0x1000u
#define DIFF_CODE_MAX  64
/* The last bytes of RAM, below the unmapped page at DIFF_RAM_SIZE: reset
 * to DIFF_TAIL_FILL before every case and compared (accesses that cross
 * into the unmapped page must not write their first part). */
#define DIFF_TAIL_SIZE 16
#define DIFF_TAIL_FILL 0x5a

enum diff_status {
    DIFF_ST_OK,        /* ran to the HLT sled: rip = address of that HLT */
    DIFF_ST_FAULT,     /* exception `vector` at `rip` (frame contents) */
    DIFF_ST_TIMEOUT,   /* did not reach the sled in time */
    DIFF_ST_SHUTDOWN,  /* triple fault */
    DIFF_ST_ERROR,     /* the back end failed (message in err) */
};

struct diff_case {
    enum diff_mode mode;
    uint8_t code[DIFF_CODE_MAX];
    unsigned len;
    uint64_t gpr[16];
    uint64_t rflags;
    uint8_t data[DIFF_DATA_SIZE];
    bool set_fpu;           /* false: FNINIT state, MXCSR 0x1f80 */
    struct x86_fpu fpu;
};

struct diff_result {
    enum diff_status status;
    int vector;             /* DIFF_ST_FAULT only */
    bool has_error_code;
    uint32_t error_code;
    uint64_t cr2;           /* valid for #PF */
    uint64_t gpr[16];
    uint64_t rip, rflags;
    /* data segment registers after the sequence (CS is the handler's;
     * outside real mode SS comes from the frame and sbase[SS] is 0) */
    uint16_t sel[X86_NR_SREGS];
    uint64_t sbase[X86_NR_SREGS];
    uint8_t data[DIFF_DATA_SIZE];
    uint8_t tail[DIFF_TAIL_SIZE];
    struct x86_fpu fpu;
    char err[160];
};

struct diff_env;

/* Create an environment on back end OPS (accel_interp_ops, or the kvm
 * ops from accel_find("kvm")).  Returns 0, or -errno with a message. */
int diff_env_create(const struct accel_ops *ops, struct diff_env **out, char *err, size_t errlen);
void diff_env_destroy(struct diff_env *e);
/* Run C and fill R.  Returns 0 (R->status says what happened) or -1 when
 * the state could not be set or read (message in R->err). */
int diff_run(struct diff_env *e, const struct diff_case *c, struct diff_result *r);

const char *diff_mode_name(enum diff_mode m);
/* Bytes of a general register that exist in mode M (16 in 64-bit mode). */
unsigned diff_nregs(enum diff_mode m);

#endif
