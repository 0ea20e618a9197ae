/*
 * cpu_state.h - the canonical x86-64 architectural state of one vCPU.
 *
 * Every accelerator (interp, tcg, kvm) reads and writes this one struct
 * through its get_state/set_state operations, so a loader can set up a
 * guest once and any back end can run it.  Field meanings follow the
 * Intel SDM vol. 3A (2.5 control registers, 3.4.5 segment descriptors,
 * 2.6 EFER) and the FXSAVE layout (vol. 1 10.5.1).
 *
 * Not modelled here: AVX/AVX-512 register state, SMM state, VMX state.
 */
#ifndef VIREO_CPU_CPU_STATE_H
#define VIREO_CPU_CPU_STATE_H

#include <stdbool.h>
#include <stdint.h>

/* General-purpose registers in ModRM/REX encoding order. */
enum x86_gpr {
    R_RAX, R_RCX, R_RDX, R_RBX, R_RSP, R_RBP, R_RSI, R_RDI,
    R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
    X86_NR_GPRS
};

/* Segment registers in the encoding order of the sreg ModRM field. */
enum x86_sreg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, X86_NR_SREGS };

/* A segment register with its hidden (descriptor cache) part. */
struct x86_segment {
    uint64_t base;
    uint32_t limit;     /* in bytes, already scaled by G */
    uint16_t selector;
    uint8_t type;       /* descriptor type field, bits 43:40 */
    uint8_t s;          /* 1 = code/data, 0 = system */
    uint8_t dpl;
    uint8_t present;
    uint8_t avl;
    uint8_t l;          /* 64-bit code segment */
    uint8_t db;         /* default operand size / big */
    uint8_t g;          /* granularity (informational; limit is scaled) */
    uint8_t unusable;   /* null selector loaded (VMX "unusable") */
};

struct x86_dtable {
    uint64_t base;
    uint16_t limit;
};

/* One x87 register: 64-bit significand and 16-bit sign+exponent. */
struct x87_reg {
    uint64_t mantissa;
    uint16_t sign_exp;
};

/* One 128-bit XMM register, viewed at every element width (host order
 * is little-endian like the guest's). */
union x86_xmm {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t d[4];
    uint64_t q[2];
    int8_t sb[16];
    int16_t sw[8];
    int32_t sd[4];
    int64_t sq[2];
    float f[4];
    double fd[2];
} __attribute__((aligned(16)));

/* x87/SSE state in FXSAVE terms; st[] is in ST(i) order. */
struct x86_fpu {
    uint16_t fcw, fsw;
    uint8_t ftw;        /* abridged tag word: bit i set = physical R(i) valid */
    uint16_t fop;
    uint64_t fip, fdp;
    uint16_t fcs, fds;
    struct x87_reg st[8];
    uint32_t mxcsr;
    union x86_xmm xmm[16];
};

/* MSRs that are part of the architectural state Linux relies on. */
struct x86_msrs {
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t apic_base, pat, tsc, tsc_aux, misc_enable;
    uint64_t mtrr_def_type, mtrr_fixed[11], mtrr_var[16]; /* base/mask pairs */
};

struct cpu_state {
    uint64_t gpr[X86_NR_GPRS];
    uint64_t rip;
    uint64_t rflags;
    struct x86_segment seg[X86_NR_SREGS];
    struct x86_segment ldtr, tr;
    struct x86_dtable gdtr, idtr;
    uint64_t cr0, cr2, cr3, cr4, cr8;
    uint64_t efer;
    uint64_t dr[8];     /* dr[4], dr[5] unused (aliases) */
    uint64_t xcr0;
    struct x86_msrs msr;
    struct x86_fpu fpu;
    bool halted;        /* in HLT, waiting for an interrupt */
};

/* EFLAGS bits (SDM vol. 1 3.4.3) */
#define X86_FLAG_CF   (1u << 0)
#define X86_FLAG_FIXED (1u << 1)
#define X86_FLAG_PF   (1u << 2)
#define X86_FLAG_AF   (1u << 4)
#define X86_FLAG_ZF   (1u << 6)
#define X86_FLAG_SF   (1u << 7)
#define X86_FLAG_TF   (1u << 8)
#define X86_FLAG_IF   (1u << 9)
#define X86_FLAG_DF   (1u << 10)
#define X86_FLAG_OF   (1u << 11)
#define X86_FLAG_IOPL (3u << 12)
#define X86_FLAG_NT   (1u << 14)
#define X86_FLAG_RF   (1u << 16)
#define X86_FLAG_VM   (1u << 17)
#define X86_FLAG_AC   (1u << 18)
#define X86_FLAG_VIF  (1u << 19)
#define X86_FLAG_VIP  (1u << 20)
#define X86_FLAG_ID   (1u << 21)

/* CR0 / CR4 / EFER bits used across back ends */
#define X86_CR0_PE (1u << 0)
#define X86_CR0_MP (1u << 1)
#define X86_CR0_EM (1u << 2)
#define X86_CR0_TS (1u << 3)
#define X86_CR0_ET (1u << 4)
#define X86_CR0_NE (1u << 5)
#define X86_CR0_WP (1u << 16)
#define X86_CR0_AM (1u << 18)
#define X86_CR0_NW (1u << 29)
#define X86_CR0_CD (1u << 30)
#define X86_CR0_PG (1u << 31)

#define X86_CR4_PSE (1u << 4)
#define X86_CR4_PAE (1u << 5)
#define X86_CR4_PGE (1u << 7)
#define X86_CR4_OSFXSR (1u << 9)
#define X86_CR4_OSXMMEXCPT (1u << 10)
#define X86_CR4_OSXSAVE (1u << 18)

#define X86_EFER_SCE (1u << 0)
#define X86_EFER_LME (1u << 8)
#define X86_EFER_LMA (1u << 10)
#define X86_EFER_NXE (1u << 11)

/* EDX after RESET and CPUID.1:EAX of the one CPUID profile (cpu/cpuid.c):
 * family 6, model 0x1A, stepping 5. */
#define VIREO_CPU_SIGNATURE 0x000106a5u

/* Fill S with the state after RESET (SDM vol. 3A 9.1.1, table 9-1):
 * real mode, CS=F000 base FFFF0000, IP=FFF0, EDX=processor signature. */
void cpu_state_reset(struct cpu_state *s, uint32_t signature);

/* The 512-byte FXSAVE image (SDM vol. 1 10.5.1, 64-bit format: FIP/FDP
 * 64-bit, no FCS/FDS) from and to F.  Reserved bytes are written as 0. */
#define FXSAVE_SIZE 512
void cpu_fpu_from_fxsave(const uint8_t *fx, struct x86_fpu *f);
void cpu_fpu_to_fxsave(uint8_t *fx, const struct x86_fpu *f);

/* Set segment SEG to a flat 4 GiB protected-mode segment. */
void cpu_state_flat_segment(struct x86_segment *seg, uint16_t selector, bool code);

#endif
