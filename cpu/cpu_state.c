/*
 * cpu_state.c - constructors for the canonical CPU state: the RESET state
 * (SDM vol. 3A 9.1.1, table 9-1), flat protected-mode segments used by
 * loaders that enter a guest directly in protected mode, and the FXSAVE
 * image of the x87/SSE state (used by FXSAVE/XSAVE in the interpreter, by
 * KVM's XSAVE area and by tests).
 */
#include "cpu/cpu_state.h"

#include <string.h>

static void real_segment(struct x86_segment *seg, uint16_t selector, uint8_t type)
{
    memset(seg, 0, sizeof(*seg));
    seg->selector = selector;
    seg->base = (uint64_t)selector << 4;
    seg->limit = 0xffff;
    seg->type = type;
    seg->s = 1;
    seg->present = 1;
}

void cpu_state_reset(struct cpu_state *s, uint32_t signature)
{
    memset(s, 0, sizeof(*s));
    s->rflags = X86_FLAG_FIXED;
    s->rip = 0xfff0;
    s->gpr[R_RDX] = signature;
    for (int i = 0; i < X86_NR_SREGS; i++)
        real_segment(&s->seg[i], 0, 0x3); /* read/write data, accessed */
    real_segment(&s->seg[SEG_CS], 0xf000, 0xb); /* execute/read code, accessed */
    s->seg[SEG_CS].base = 0xffff0000;
    s->gdtr.limit = 0xffff;
    s->idtr.limit = 0xffff;
    s->ldtr.limit = 0xffff;
    s->ldtr.type = 0x2; /* LDT */
    s->ldtr.present = 1;
    s->tr.limit = 0xffff;
    s->tr.type = 0xb;   /* busy 32-bit TSS */
    s->tr.present = 1;
    s->cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW;
    s->dr[6] = 0xffff0ff0;
    s->dr[7] = 0x400;
    s->xcr0 = 1;
    s->fpu.fcw = 0x40;   /* after RESET; FINIT sets 0x37f */
    s->fpu.mxcsr = 0x1f80;
    s->msr.pat = 0x0007040600070406ull;
    s->msr.apic_base = 0xfee00000ull | (1u << 11) | (1u << 8); /* enabled, BSP */
}

void cpu_state_flat_segment(struct x86_segment *seg, uint16_t selector, bool code)
{
    memset(seg, 0, sizeof(*seg));
    seg->selector = selector;
    seg->base = 0;
    seg->limit = 0xffffffff;
    seg->type = code ? 0xb : 0x3;
    seg->s = 1;
    seg->present = 1;
    seg->db = 1;
    seg->g = 1;
}

/* FXSAVE image offsets (SDM vol. 1 table 10-2, 64-bit format) */
#define FX_FCW   0
#define FX_FSW   2
#define FX_FTW   4
#define FX_FOP   6
#define FX_FIP   8
#define FX_FDP   16
#define FX_MXCSR 24
#define FX_ST    32
#define FX_XMM   160

void cpu_fpu_from_fxsave(const uint8_t *fx, struct x86_fpu *f)
{
    memcpy(&f->fcw, fx + FX_FCW, 2);
    memcpy(&f->fsw, fx + FX_FSW, 2);
    f->ftw = fx[FX_FTW];
    memcpy(&f->fop, fx + FX_FOP, 2);
    f->fop &= 0x7ff;
    memcpy(&f->fip, fx + FX_FIP, 8);
    memcpy(&f->fdp, fx + FX_FDP, 8);
    memcpy(&f->mxcsr, fx + FX_MXCSR, 4);
    for (int i = 0; i < 8; i++) {
        memcpy(&f->st[i].mantissa, fx + FX_ST + 16 * i, 8);
        memcpy(&f->st[i].sign_exp, fx + FX_ST + 16 * i + 8, 2);
    }
    memcpy(f->xmm, fx + FX_XMM, sizeof(f->xmm));
}

void cpu_fpu_to_fxsave(uint8_t *fx, const struct x86_fpu *f)
{
    uint16_t fop = f->fop & 0x7ff;
    memset(fx, 0, FXSAVE_SIZE);
    memcpy(fx + FX_FCW, &f->fcw, 2);
    memcpy(fx + FX_FSW, &f->fsw, 2);
    fx[FX_FTW] = f->ftw;
    memcpy(fx + FX_FOP, &fop, 2);
    memcpy(fx + FX_FIP, &f->fip, 8);
    memcpy(fx + FX_FDP, &f->fdp, 8);
    memcpy(fx + FX_MXCSR, &f->mxcsr, 4);
    for (int i = 0; i < 8; i++) {
        memcpy(fx + FX_ST + 16 * i, &f->st[i].mantissa, 8);
        memcpy(fx + FX_ST + 16 * i + 8, &f->st[i].sign_exp, 2);
    }
    memcpy(fx + FX_XMM, f->xmm, sizeof(f->xmm));
}
