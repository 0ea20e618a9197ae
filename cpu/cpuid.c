/*
 * cpuid.c - the CPUID profile of the software CPU (SDM vol. 2 "CPUID").
 * It advertises only what cpu/ implements today, so it grows with the
 * ISA; every back end should present this same profile.
 *
 * Vendor: "GenuineIntel", because vireo implements Intel's choices where
 * vendors differ (SYSCALL only in 64-bit mode, Intel's undefined-flag
 * results as the differential tests establish them) and guests pick code
 * paths by vendor.  The brand string (leaves 80000002-4) says "vireo".
 * Family 6, model 15, stepping 1.
 *
 * Not advertised (not implemented yet): FPU, MMX, FXSR, SSE*, CLFLUSH,
 * APIC (the board decides), BMI1/BMI2/ADX and later extensions.
 */
#include "cpu/vcpu.h"

#define BRAND "vireo virtual CPU"

void cpu_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    (void)v;
    (void)sub;
    memset(out, 0, 4 * sizeof(uint32_t));
    switch (leaf) {
    case 0:
        out[0] = 1;
        memcpy(&out[1], "Genu", 4);
        memcpy(&out[3], "ineI", 4);
        memcpy(&out[2], "ntel", 4);
        break;
    case 1:
        out[0] = 0x6f1;
        out[1] = (8u << 8) | (1u << 16);     /* CLFLUSH size 64 bytes, 1 logical CPU */
        out[2] = (1u << 13)                  /* CMPXCHG16B */
               | (1u << 22)                  /* MOVBE */
               | (1u << 23);                 /* POPCNT */
        out[3] = (1u << 2)    /* DE */
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
               | (1u << 17);  /* PSE-36 */
        /* The local APIC is the platform's (hw/i386/lapic.c). */
        if (v->bus->platform_features & CPU_PLATFORM_APIC)
            out[3] |= 1u << 9;
        if (v->bus->platform_features & CPU_PLATFORM_TSC_DEADLINE)
            out[2] |= 1u << 24;
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
        break;
    }
}
