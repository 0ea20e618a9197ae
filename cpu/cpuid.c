/*
 * cpuid.c - the CPUID profile (SDM vol. 2 "CPUID"), shared by every back
 * end: the interpreter answers CPUID from it and the KVM back end loads
 * it with KVM_SET_CPUID2.  It advertises only what cpu/ implements.
 *
 * An x86-64-v2 CPU: vendor "GenuineIntel" (vireo implements Intel's
 * choices where vendors differ: SYSCALL only in 64-bit mode, Intel's
 * undefined-flag results), family 6 model 0x1A stepping 5 (Nehalem, the
 * first Intel core with SSE4.2 and POPCNT), brand string "vireo virtual
 * CPU".  Features: x87, MMX, FXSR, SSE-SSE4.2, CMPXCHG8B/16B, POPCNT,
 * LZCNT, MOVBE, LAHF/SAHF in 64-bit mode, XSAVE/XSAVEOPT/XSAVEC for x87
 * and SSE state, NX, RDTSCP, SYSCALL, long mode; APIC and TSC-deadline
 * when the board has a local APIC.
 *
 * Not advertised (not implemented): AVX and later, BMI1/BMI2/ADX,
 * PCLMULQDQ/AES, RDRAND, MONITOR/MWAIT, VME, x2APIC, PCID, SMEP/SMAP,
 * FSGSBASE, XSAVES, perfmon, cache/topology leaves (4, 0xB).
 */
#include "cpu/cpu.h"
#include "cpu/fpu.h"

#define BRAND "vireo virtual CPU"

static const uint32_t leaves[][2] = {
    {0, 0}, {1, 0}, {7, 0}, {0xd, 0}, {0xd, 1},
    {0x80000000, 0}, {0x80000001, 0}, {0x80000002, 0}, {0x80000003, 0},
    {0x80000004, 0}, {0x80000008, 0},
};

void cpu_cpuid_leaves(void (*fn)(void *opaque, uint32_t leaf, uint32_t sub), void *opaque)
{
    for (size_t k = 0; k < sizeof(leaves) / sizeof(leaves[0]); k++)
        fn(opaque, leaves[k][0], leaves[k][1]);
}

void cpu_cpuid_profile(unsigned platform_features, uint64_t cr4, uint64_t xcr0,
                       uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    memset(out, 0, 4 * sizeof(uint32_t));
    switch (leaf) {
    case 0:
        out[0] = 0xd;
        memcpy(&out[1], "Genu", 4);
        memcpy(&out[3], "ineI", 4);
        memcpy(&out[2], "ntel", 4);
        break;
    case 1:
        out[0] = VIREO_CPU_SIGNATURE;
        out[1] = (8u << 8) | (1u << 16);     /* CLFLUSH size 64 bytes, 1 logical CPU */
        out[2] = (1u << 0)    /* SSE3 */
               | (1u << 9)    /* SSSE3 */
               | (1u << 13)   /* CMPXCHG16B */
               | (1u << 19)   /* SSE4.1 */
               | (1u << 20)   /* SSE4.2 */
               | (1u << 22)   /* MOVBE */
               | (1u << 23)   /* POPCNT */
               | (1u << 26);  /* XSAVE */
        if (cr4 & X86_CR4_OSXSAVE)
            out[2] |= 1u << 27;
        out[3] = (1u << 0)    /* FPU */
               | (1u << 2)    /* DE */
               | (1u << 3)    /* PSE */
               | (1u << 4)    /* TSC */
               | (1u << 5)    /* MSR */
               | (1u << 6)    /* PAE */
               | (1u << 8)    /* CX8 */
               | (1u << 11)   /* SEP: SYSENTER/SYSEXIT */
               | (1u << 12)   /* MTRR */
               | (1u << 13)   /* PGE */
               | (1u << 15)   /* CMOV */
               | (1u << 16)   /* PAT */
               | (1u << 17)   /* PSE-36 */
               | (1u << 19)   /* CLFLUSH */
               | (1u << 23)   /* MMX */
               | (1u << 24)   /* FXSR */
               | (1u << 25)   /* SSE */
               | (1u << 26);  /* SSE2 */
        /* The local APIC is the platform's (hw/i386/lapic.c). */
        if (platform_features & CPU_PLATFORM_APIC)
            out[3] |= 1u << 9;
        if (platform_features & CPU_PLATFORM_TSC_DEADLINE)
            out[2] |= 1u << 24;
        break;
    case 0xd:
        cpu_cpuid_xsave(xcr0, sub, out);
        break;
    case 0x80000000:
        out[0] = 0x80000008;
        break;
    case 0x80000001:
        out[2] = (1u << 0)                   /* LAHF/SAHF in 64-bit mode */
               | (1u << 5);                  /* ABM: LZCNT */
        out[3] = (1u << 11) | (1u << 20) | (1u << 27) | (1u << 29); /* SYSCALL NX RDTSCP LM */
        break;
    case 0x80000002: case 0x80000003: case 0x80000004: {
        char brand[48] = {0};
        memcpy(brand, BRAND, sizeof(BRAND));
        memcpy(out, brand + (leaf - 0x80000002) * 16, 16);
        break;
    }
    case 0x80000008:
        out[0] = 40 | (48 << 8);             /* physical / linear address bits */
        break;
    default:
        /* leaves 2-6, 8-0xC and above the maximum read as zero (an Intel
         * CPU returns the highest basic leaf's data beyond the maximum;
         * guests do not rely on that) */
        break;
    }
}

void cpu_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    cpu_cpuid_profile(v->bus->platform_features, v->s.cr4, v->s.xcr0, leaf, sub, out);
}
