/*
 * test_interp_guest.c - nasm guests (tests/unit/guests) run on the
 * software CPU over the fake bus of interp_harness.h:
 *   interp_modes:  real -> protected -> long -> real mode by the guest, #DE
 *                  through a 64-bit IDT gate, #PF with CR2 and error codes
 *                  (not present, WP write, NX fetch) under 4-level paging,
 *                  HLT wake-up by a hardware interrupt;
 *   interp_string: REP MOVSB / REP STOSD with DF=0/1, self-modifying code,
 *                  flush_code after a "DMA" write, MMIO and page-crossing
 *                  accesses.
 * Also: budget and kick exits, #UD/#GP for bad encodings, triple fault.
 * Expected values come from the SDM, not from running the emulator.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* memmem */
#endif
#include "interp_harness.h"

extern const uint8_t interp_modes_bin[];
extern const size_t interp_modes_bin_size;
extern const uint8_t interp_string_bin[];
extern const size_t interp_string_bin_size;
extern const uint8_t interp_priv_bin[];
extern const size_t interp_priv_bin_size;
extern const uint8_t interp_priv32_bin[];
extern const size_t interp_priv32_bin_size;
extern const uint8_t interp_v86_bin[];
extern const size_t interp_v86_bin_size;
extern const uint8_t interp_task_bin[];
extern const size_t interp_task_bin_size;

static uint64_t rd64(struct fake *f, uint64_t a) { uint64_t v; memcpy(&v, f->ram + a, 8); return v; }
static uint32_t rd32(struct fake *f, uint64_t a) { uint32_t v; memcpy(&v, f->ram + a, 4); return v; }
static uint16_t rd16(struct fake *f, uint64_t a) { uint16_t v; memcpy(&v, f->ram + a, 2); return v; }

START_TEST(modes_faults_irq)
{
    struct fake f;
    struct cpu_state s;
    fake_init(&f, &accel_interp_ops);
    fake_load(&f, 0x1000, interp_modes_bin, interp_modes_bin_size);
    fake_mode_state(&f, &s, MODE_REAL, 0x1000, 0x8000);
    fake_set(&f, &s);

    ck_assert_int_eq(fake_run(&f, 1000000), VCPU_EXIT_HALT);
    ck_assert_uint_eq(rd16(&f, 0x500), 0x1234);
    ck_assert_uint_eq(rd16(&f, 0x502), 0x80);           /* INT 80h through the IVT */
    ck_assert_uint_eq(rd32(&f, 0x508), 0x32323232);     /* reached 32-bit code */
    ck_assert_uint_eq(rd32(&f, 0x510), 0x64646464);     /* reached 64-bit code */
    fake_get(&f, &s);
    ck_assert(s.efer & X86_EFER_LMA);
    ck_assert(s.seg[SEG_CS].l);
    ck_assert(s.cr0 & X86_CR0_PG);
    /* #DE: the pushed RIP is the DIV itself (a fault) */
    ck_assert_uint_ne(rd64(&f, 0x518), 0);
    ck_assert_uint_eq(f.ram[rd64(&f, 0x518)], 0xf7);
    ck_assert_uint_eq(rd64(&f, 0x520), 1);
    /* three page faults, SDM vol. 3A 4.7 error codes */
    ck_assert_uint_eq(rd64(&f, 0x528), 3);
    ck_assert_uint_eq(rd64(&f, 0x530), 0x0);            /* not present, read, supervisor */
    ck_assert_uint_eq(rd64(&f, 0x550), 0x40000000);
    ck_assert_uint_eq(rd64(&f, 0x538), 0x3);            /* present, write (CR0.WP) */
    ck_assert_uint_eq(rd64(&f, 0x558), 0x9008);
    ck_assert_uint_eq(rd64(&f, 0x540), 0x11);           /* present, instruction fetch (NX) */
    ck_assert_uint_eq(rd64(&f, 0x560), 0xb000);
    /* halted with IF=1 and nothing pending: stays halted */
    ck_assert(s.halted);
    ck_assert(s.rflags & X86_FLAG_IF);
    ck_assert_int_eq(fake_run(&f, 1000), VCPU_EXIT_HALT);
    ck_assert_uint_eq(rd64(&f, 0x570), 0);
    /* raise the interrupt line: the handler runs, then the guest finishes */
    f.irq = true;
    f.irq_vec = 0x20;
    ck_assert_int_eq(fake_run(&f, 1000), VCPU_EXIT_HALT);
    ck_assert_uint_eq(rd64(&f, 0x570), 1);
    ck_assert_uint_eq(rd64(&f, 0x578), 0xd0d0);
    /* ... and the guest went back to real mode */
    ck_assert_uint_eq(rd16(&f, 0x580), 0xbac0);
    fake_get(&f, &s);
    ck_assert(!(s.cr0 & (X86_CR0_PE | X86_CR0_PG)));
    ck_assert(!(s.efer & (X86_EFER_LMA | X86_EFER_LME)));
    ck_assert_uint_eq(s.seg[SEG_CS].selector, 0);
    fake_fini(&f);
}
END_TEST

START_TEST(strings_smc_flush)
{
    struct fake f;
    struct cpu_state s;
    fake_init(&f, &accel_interp_ops);
    fake_load(&f, 0x1000, interp_string_bin, interp_string_bin_size);
    fake_mode_state(&f, &s, MODE_PROT32, 0x1000, 0x8000);
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 100000), VCPU_EXIT_STOP);

    /* locate src: the 37 bytes i*7+3 */
    uint8_t want[37];
    for (int k = 0; k < 37; k++)
        want[k] = (uint8_t)(k * 7 + 3);
    uint8_t *src = memmem(f.ram + 0x1000, interp_string_bin_size, want, sizeof(want));
    ck_assert_ptr_nonnull(src);
    uint32_t src_addr = (uint32_t)(src - f.ram);
    /* REP MOVSB, DF=0: copied; ESI/EDI past the end, ECX=0 */
    ck_assert_mem_eq(f.ram + 0x3000, want, 37);
    ck_assert_uint_eq(rd32(&f, 0x500), src_addr + 37);
    ck_assert_uint_eq(rd32(&f, 0x504), 0x3000 + 37);
    ck_assert_uint_eq(rd32(&f, 0x508), 0);
    /* DF=1: same bytes, pointers end one below the start */
    ck_assert_mem_eq(f.ram + 0x3100, want, 37);
    ck_assert_uint_eq(rd32(&f, 0x50c), src_addr - 1);
    ck_assert_uint_eq(rd32(&f, 0x510), 0x3100 - 1);
    ck_assert_uint_eq(f.ram[0x3100 + 37], 0);
    /* REP STOSD forward and backward */
    for (int k = 0; k < 5; k++) {
        ck_assert_uint_eq(rd32(&f, 0x3200 + 4 * k), 0xdeadbeef);
        ck_assert_uint_eq(rd32(&f, 0x3300 + 4 * k), 0x01020304);
    }
    ck_assert_uint_eq(rd32(&f, 0x3200 + 20), 0);
    ck_assert_uint_eq(rd32(&f, 0x514), 0x3200 + 20);
    ck_assert_uint_eq(rd32(&f, 0x518), 0x3300 - 4);
    /* self-modifying code */
    ck_assert_uint_eq(rd32(&f, 0x51c), 1);
    ck_assert_uint_eq(rd32(&f, 0x520), 2);
    ck_assert_uint_eq(f.ram[0x524], 0x55);

    /* stop 1: rewrite f's immediate behind the CPU's back, no flush */
    uint8_t fbytes[] = {0xb8, 0x02, 0x00, 0x00, 0x00, 0xc3};
    uint8_t *fp = memmem(f.ram + 0x1000, interp_string_bin_size, fbytes, sizeof(fbytes));
    ck_assert_ptr_nonnull(fp);
    fp[1] = 7;
    f.stop = false;
    ck_assert_int_eq(fake_run(&f, 100000), VCPU_EXIT_STOP);
    ck_assert_uint_eq(rd32(&f, 0x528), 2);   /* the cached decode ran: proves the cache */
    /* stop 2: rewrite again and tell the accelerator, as DMA would */
    fp[1] = 9;
    f.a.ops->flush_code(&f.a, (uint64_t)(fp - f.ram) + 1, 1);
    f.stop = false;
    ck_assert_int_eq(fake_run(&f, 100000), VCPU_EXIT_HALT);
    ck_assert_uint_eq(rd32(&f, 0x52c), 9);
    /* MMIO through the bus callbacks */
    ck_assert_uint_eq(rd32(&f, 0x530), 0x12345678);
    ck_assert_uint_eq(f.mmio_last_addr, 0xfee00004);
    ck_assert_uint_eq(f.mmio_last_val, 0xcafe);
    /* page-crossing store and load */
    ck_assert_uint_eq(rd32(&f, 0x3ffe), 0x11223344);
    ck_assert_uint_eq(rd32(&f, 0x534), 0x11223344);
    fake_fini(&f);
}
END_TEST

START_TEST(privilege_changes)
{
    struct fake f;
    struct cpu_state s;
    fake_init(&f, &accel_interp_ops);
    fake_load(&f, 0x1000, interp_priv_bin, interp_priv_bin_size);
    fake_mode_state(&f, &s, MODE_LONG64, 0x1000, 0x8000);
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 100000), VCPU_EXIT_HALT);
    ck_assert_uint_eq(rd64(&f, 0x570), 3);              /* ran in ring 3 */
    ck_assert_uint_eq(rd64(&f, 0x500), 0x2b);           /* INT 80h frame: CS = user code, RPL 3 */
    ck_assert_uint_eq(rd64(&f, 0x508), 0x9000 - 40);    /* on TSS.RSP0 with SS:RSP pushed */
    ck_assert_uint_eq(rd64(&f, 0x510), 2);              /* two #GP */
    ck_assert_uint_eq(rd64(&f, 0x518), 0);              /* HLT at CPL 3: #GP(0) */
    ck_assert_uint_eq(rd64(&f, 0x520), 0x81 * 8 + 2);   /* INT 81h via DPL-0 gate: IDT, not EXT */
    ck_assert_uint_eq(rd64(&f, 0x530), rd64(&f, 0x538)); /* SYSCALL: RCX = next RIP */
    ck_assert(rd64(&f, 0x540) & X86_FLAG_IF);           /* R11 = user RFLAGS */
    ck_assert(!(rd64(&f, 0x548) & X86_FLAG_IF));        /* SFMASK cleared IF */
    ck_assert_uint_eq(rd16(&f, 0x550), 0x08);           /* SYSCALL CS from STAR[47:32] */
    ck_assert_uint_eq(rd16(&f, 0x558), 0x2b);           /* SYSRET CS = STAR[63:48]+16 | 3 */
    ck_assert_uint_eq(rd16(&f, 0x560), 0x23);
    ck_assert_uint_eq(rd64(&f, 0x568), 0xd0d0);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.seg[SEG_CS].selector & 3, 0);
    fake_fini(&f);
}
END_TEST

START_TEST(privilege_changes32)
{
    struct fake f;
    struct cpu_state s;
    fake_init(&f, &accel_interp_ops);
    fake_load(&f, 0x1000, interp_priv32_bin, interp_priv32_bin_size);
    fake_mode_state(&f, &s, MODE_PROT32, 0x1000, 0x8000);
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 100000), VCPU_EXIT_HALT);
    ck_assert_uint_eq(rd16(&f, 0x500), 0);              /* DS (DPL 0) nulled entering ring 3 */
    ck_assert_uint_eq(rd32(&f, 0x504), 0x1b);           /* INT 80h frame: user CS */
    ck_assert_uint_eq(rd32(&f, 0x508), 0x23);           /* user SS pushed */
    ck_assert_uint_eq(rd32(&f, 0x50c), 0x7000);         /* user ESP pushed */
    ck_assert_uint_eq(rd32(&f, 0x510), 0x9000 - 20);    /* handler on SS0:ESP0 */
    ck_assert_uint_eq(rd32(&f, 0x514), 2);              /* IN and CLI faulted */
    ck_assert_uint_eq(rd32(&f, 0x518), 0);
    ck_assert_uint_eq(rd32(&f, 0x51c), 0);
    ck_assert_uint_eq(f.ncon, 1);                       /* OUT E9h allowed by the bitmap */
    ck_assert_int_eq(f.con[0], 'A');
    ck_assert_uint_eq(rd32(&f, 0x524), 0xd0d0);
    ck_assert_uint_eq(rd32(&f, 0x528), 0x1b);
    /* CALL through a DPL-3 call gate to ring 0 with two parameters copied */
    ck_assert_uint_eq(rd32(&f, 0x52c), 0x22222222);
    ck_assert_uint_eq(rd32(&f, 0x530), 0x11111111);
    ck_assert_uint_eq(rd32(&f, 0x534), 0x1b);
    ck_assert_uint_eq(rd32(&f, 0x538), 0x23);
    ck_assert_uint_eq(rd16(&f, 0x53c), 0x08);
    ck_assert_uint_eq(rd32(&f, 0x540), 0x7000);          /* RETF 8 popped both stacks */
    fake_fini(&f);
}
END_TEST

START_TEST(virtual_8086)
{
    struct fake f;
    struct cpu_state s;
    fake_init(&f, &accel_interp_ops);
    fake_load(&f, 0x1000, interp_v86_bin, interp_v86_bin_size);
    fake_mode_state(&f, &s, MODE_PROT32, 0x1000, 0x8000);
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 100000), VCPU_EXIT_HALT);
    ck_assert_uint_eq(rd16(&f, 0x500), 0x8686);         /* V86 store through DS=0x50 */
    ck_assert_uint_eq(rd32(&f, 0x600), 2);              /* CLI and INT 30h faulted */
    ck_assert_uint_eq(rd32(&f, 0x604), 0x2000);         /* pushed CS: the V86 segment */
    ck_assert(rd32(&f, 0x608) & X86_FLAG_VM);           /* pushed EFLAGS has VM */
    ck_assert_uint_eq(rd32(&f, 0x60c), 0x50);           /* DS saved on the ring-0 stack */
    ck_assert_uint_eq(rd32(&f, 0x610), 7);              /* INT 30h at 2000:0007 */
    ck_assert_uint_eq(rd16(&f, 0x614), 0);              /* DS nulled in the handler */
    fake_get(&f, &s);
    ck_assert(!(s.rflags & X86_FLAG_VM));
    ck_assert_uint_eq(s.seg[SEG_CS].selector, 0x08);
    fake_fini(&f);
}
END_TEST

START_TEST(task_switches)
{
    struct fake f;
    struct cpu_state s;
    fake_init(&f, &accel_interp_ops);
    fake_load(&f, 0x1000, interp_task_bin, interp_task_bin_size);
    fake_mode_state(&f, &s, MODE_PROT32, 0x1000, 0x8000);
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 100000), VCPU_EXIT_HALT);
    ck_assert_uint_eq(rd32(&f, 0x708), 0xbbbb);          /* B's registers from its TSS */
    ck_assert_uint_eq(rd16(&f, 0x700), 0x18);            /* back link = TSS A */
    ck_assert(rd32(&f, 0x704) & X86_FLAG_NT);            /* CALL set NT in B */
    ck_assert_uint_eq(rd32(&f, 0x70c), 0xaaaa);          /* A's EAX restored by IRET */
    ck_assert_uint_eq(f.ram[0x710] & 0xf, 0x9);          /* B available again */
    ck_assert_uint_eq(rd16(&f, 0x714), 0x18);            /* #DF task: back link = A */
    ck_assert_uint_eq(rd32(&f, 0x718), 0);               /* #DF error code 0 */
    ck_assert(rd32(&f, 0x71c) & X86_CR0_TS);             /* task switch set CR0.TS */
    ck_assert_uint_eq(f.ram[rd32(&f, 0x720)], 0x0f);     /* A saved at the faulting UD2 */
    ck_assert_uint_eq(f.ram[rd32(&f, 0x720) + 1], 0x0b);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.tr.selector, 0x28);
    fake_fini(&f);
}
END_TEST

/* Flat 32-bit state with a GDT (0x08 code, 0x10 data) and an IDT at 0x31000. */
static void sys32(struct fake *f, struct cpu_state *s, uint32_t eip)
{
    uint64_t gdt[3] = {0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull};
    fake_load(f, 0x30000, gdt, sizeof(gdt));
    fake_mode_state(f, s, MODE_PROT32, eip, 0x9000);
    s->gdtr.base = 0x30000;
    s->gdtr.limit = sizeof(gdt) - 1;
    s->idtr.base = 0x31000;
    s->idtr.limit = 0x7ff;
}

static void gate32(struct fake *f, int vec, uint32_t off)
{
    uint32_t g[2] = {(0x08u << 16) | (off & 0xffff), (off & 0xffff0000u) | 0x8e00};
    fake_load(f, 0x31000 + vec * 8, g, 8);
}

/* TF: a #DB trap after every instruction that starts with TF=1 (the one
 * after the POPF that sets it, through the POPF that clears it). */
START_TEST(single_step)
{
    struct fake f;
    struct cpu_state s;
    fake_init(&f, &accel_interp_ops);
    uint8_t code[] = {0x9c, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9d, 0x90, 0x90,
                      0x9c, 0x81, 0x24, 0x24, 0xff, 0xfe, 0xff, 0xff, 0x9d, 0xf4};
    uint8_t handler[] = {0x41, 0xcf};   /* inc ecx; iretd */
    fake_load(&f, 0x1000, code, sizeof(code));
    fake_load(&f, 0x2000, handler, sizeof(handler));
    sys32(&f, &s, 0x1000);
    gate32(&f, 1, 0x2000);
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 1000), VCPU_EXIT_HALT);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.gpr[R_RCX], 5);
    ck_assert(s.dr[6] & (1u << 14));
    ck_assert(!(s.rflags & X86_FLAG_TF));
    fake_fini(&f);
}
END_TEST

START_TEST(sysenter_lar_lsl)
{
    struct fake f;
    struct cpu_state s;
    fake_init(&f, &accel_interp_ops);
    /* mov edx,0x1010; mov ecx,0x7000; sysenter; ... 0x1010: mov ebx,cs; jmp $ */
    uint8_t code[] = {0xba, 0x10, 0x10, 0, 0, 0xb9, 0x00, 0x70, 0, 0, 0x0f, 0x34};
    uint8_t back[] = {0x8c, 0xcb, 0xeb, 0xfe};
    uint8_t entry[] = {0xb8, 0x5e, 0, 0, 0, 0x0f, 0x35};   /* mov eax,0x5e; sysexit */
    fake_load(&f, 0x1000, code, sizeof(code));
    fake_load(&f, 0x1010, back, sizeof(back));
    fake_load(&f, 0x2100, entry, sizeof(entry));
    sys32(&f, &s, 0x1000);
    s.msr.sysenter_cs = 0x08;
    s.msr.sysenter_eip = 0x2100;
    s.msr.sysenter_esp = 0x9000;
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 50), VCPU_EXIT_KICK);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.gpr[R_RAX], 0x5e);
    ck_assert_uint_eq(s.gpr[R_RBX] & 0xffff, 0x08 + 16 + 3);
    ck_assert_uint_eq(s.seg[SEG_SS].selector, 0x08 + 24 + 3);
    ck_assert_uint_eq(s.gpr[R_RSP], 0x7000);
    ck_assert_uint_eq(s.rip, 0x1012);
    /* lar eax,ebx; lsl ecx,ebx; lar edx,esi (bad selector); hlt */
    uint8_t lar[] = {0x0f, 0x02, 0xc3, 0x0f, 0x03, 0xcb, 0x0f, 0x02, 0xd6, 0xf4};
    fake_load(&f, 0x1000, lar, sizeof(lar));
    sys32(&f, &s, 0x1000);
    s.gpr[R_RBX] = 0x10;
    s.gpr[R_RSI] = 0x38;
    s.gpr[R_RDX] = 0x1234;
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 50), VCPU_EXIT_HALT);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.gpr[R_RAX], 0x00cf9200);   /* bytes 5-6 of the descriptor as stored */
    ck_assert_uint_eq(s.gpr[R_RCX], 0xffffffff);
    ck_assert_uint_eq(s.gpr[R_RDX], 0x1234);
    ck_assert(!(s.rflags & X86_FLAG_ZF));
    fake_fini(&f);
}
END_TEST

/* Segment limits (SDM vol. 3A 5.3): an expand-down data segment with
 * limit 0xfff pages (G=1, B=1) allows offsets 0x1000000..0xffffffff only; an expand-up one
 * with limit 0x1fff faults on a dword at 0x1ffe; a read-only segment
 * faults on stores.  #GP handler: EAX = error code, then HLT. */
START_TEST(segment_limits)
{
    struct fake f;
    struct cpu_state s;
    fake_init(&f, &accel_interp_ops);
    uint64_t gdt[6] = {0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull,
                       0x00c0960000000000ull | 0x0fff,   /* 0x18: expand-down, limit 0xfff pages */
                       0x0040920000001fffull,            /* 0x20: expand-up, limit 0x1fff, byte granular */
                       0x00cf90000000ffffull};           /* 0x28: read-only */
    /* G=1 scales the expand-down limit to 0xffffff: offsets above it are valid */
    fake_load(&f, 0x30000, gdt, sizeof(gdt));
    uint8_t gp[] = {0x58, 0xf4};                /* pop eax (error code); hlt */
    fake_load(&f, 0x2000, gp, sizeof(gp));
    /* mov ax, SEL; mov es, ax; mov ebx, [es:esi]; hlt */
    uint8_t code[] = {0x66, 0xb8, 0x18, 0x00, 0x8e, 0xc0, 0x26, 0x8b, 0x1e, 0xf4};
    struct { uint16_t sel; uint32_t esi; bool fault; } cases[] = {
        {0x18, 0x01000000, false}, {0x18, 0x00800000, true}, {0x18, 0x00fffffe, true},
        {0x20, 0x1ffc, false}, {0x20, 0x1ffe, true}, {0x20, 0x2000, true},
    };
    for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        code[2] = (uint8_t)cases[k].sel;
        fake_load(&f, 0x1000, code, sizeof(code));
        fake_mode_state(&f, &s, MODE_PROT32, 0x1000, 0x9000);
        s.gdtr.base = 0x30000;
        s.gdtr.limit = sizeof(gdt) - 1;
        s.idtr.base = 0x31000;
        s.idtr.limit = 0x7ff;
        gate32(&f, 13, 0x2000);
        s.gpr[R_RSI] = cases[k].esi;
        s.gpr[R_RAX] = 0x1234;
        fake_set(&f, &s);
        ck_assert_int_eq(fake_run(&f, 100), VCPU_EXIT_HALT);
        fake_get(&f, &s);
        ck_assert_msg((s.rip == 0x2002) == cases[k].fault, "case %u: rip %#llx eax %#llx", k,
                      (unsigned long long)s.rip, (unsigned long long)s.gpr[R_RAX]);
        if (cases[k].fault)
            ck_assert_uint_eq(s.gpr[R_RAX], 0);
    }
    /* store through a read-only data segment: #GP(0) */
    uint8_t ro[] = {0x66, 0xb8, 0x28, 0x00, 0x8e, 0xc0, 0x26, 0x89, 0x1e, 0xf4};
    fake_load(&f, 0x1000, ro, sizeof(ro));
    fake_mode_state(&f, &s, MODE_PROT32, 0x1000, 0x9000);
    s.gdtr.base = 0x30000;
    s.gdtr.limit = sizeof(gdt) - 1;
    s.idtr.base = 0x31000;
    s.idtr.limit = 0x7ff;
    s.gpr[R_RSI] = 0x100;
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 100), VCPU_EXIT_HALT);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.rip, 0x2002);
    /* loading a selector beyond the GDT limit: #GP(selector) */
    uint8_t bad[] = {0x66, 0xb8, 0x40, 0x00, 0x8e, 0xc0, 0xf4};
    fake_load(&f, 0x1000, bad, sizeof(bad));
    fake_mode_state(&f, &s, MODE_PROT32, 0x1000, 0x9000);
    s.gdtr.base = 0x30000;
    s.gdtr.limit = sizeof(gdt) - 1;
    s.idtr.base = 0x31000;
    s.idtr.limit = 0x7ff;
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 100), VCPU_EXIT_HALT);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.rip, 0x2002);
    ck_assert_uint_eq(s.gpr[R_RAX], 0x40);
    fake_fini(&f);
}
END_TEST

/* REP MOVS/STOS corner cases: overlapping forward copy replicates (the
 * element order is architectural), long runs cross pages, and a #PF in
 * the middle leaves RCX/RDI at the faulting element (restartable). */
START_TEST(rep_corners)
{
    struct fake f;
    struct cpu_state s;
    fake_init(&f, &accel_interp_ops);
    uint8_t movsb[] = {0xf3, 0xa4, 0xf4};
    fake_load(&f, 0x1000, movsb, sizeof(movsb));
    f.ram[0x3000] = 0x77;
    fake_mode_state(&f, &s, MODE_PROT32, 0x1000, 0x8000);
    s.gpr[R_RSI] = 0x3000;
    s.gpr[R_RDI] = 0x3001;
    s.gpr[R_RCX] = 100;
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 1000), VCPU_EXIT_HALT);
    for (int k = 0; k <= 100; k++)
        ck_assert_uint_eq(f.ram[0x3000 + k], 0x77);
    ck_assert_uint_eq(f.ram[0x3000 + 101], 0);
    /* 10000 dwords from 0x10000 (crosses ten pages) */
    uint8_t stosd[] = {0xf3, 0xab, 0xf4};
    fake_load(&f, 0x1000, stosd, sizeof(stosd));
    fake_mode_state(&f, &s, MODE_PROT32, 0x1000, 0x8000);
    s.gpr[R_RAX] = 0xa5a5a5a5;
    s.gpr[R_RDI] = 0x10000;
    s.gpr[R_RCX] = 10000;
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 100000), VCPU_EXIT_HALT);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.gpr[R_RDI], 0x10000 + 40000);
    ck_assert_uint_eq(s.gpr[R_RCX], 0);
    ck_assert_uint_eq(rd32(&f, 0x10000), 0xa5a5a5a5);
    ck_assert_uint_eq(rd32(&f, 0x10000 + 39996), 0xa5a5a5a5);
    ck_assert_uint_eq(rd32(&f, 0x10000 + 40000), 0);
    /* long mode, 2-4 MiB not present: REP STOSB from 0x1ff000 faults at 0x200000 */
    uint8_t stosb[] = {0xf3, 0xaa, 0xf4};
    fake_load(&f, 0x1000, stosb, sizeof(stosb));
    fake_mode_state(&f, &s, MODE_LONG64, 0x1000, 0x8000);
    uint64_t zero = 0;
    fake_load(&f, FAKE_PT_BASE + 0x2000 + 8, &zero, 8);
    s.gpr[R_RDI] = 0x1ff000;
    s.gpr[R_RCX] = 0x2000;
    s.idtr.limit = 0;
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 100000), VCPU_EXIT_SHUTDOWN);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.gpr[R_RCX], 0x1000);
    ck_assert_uint_eq(s.gpr[R_RDI], 0x200000);
    ck_assert_uint_eq(s.cr2, 0x200000);
    ck_assert_uint_eq(s.rip, 0x1000);
    fake_fini(&f);
}
END_TEST

/* An infinite loop: the budget and kick end vcpu_run; executed counts. */
START_TEST(budget_and_kick)
{
    struct fake f;
    struct cpu_state s;
    fake_init(&f, &accel_interp_ops);
    uint8_t loop[] = {0x40, 0xeb, 0xfd};   /* inc eax; jmp -3 (32-bit) */
    fake_load(&f, 0x1000, loop, sizeof(loop));
    fake_mode_state(&f, &s, MODE_PROT32, 0x1000, 0x8000);
    fake_set(&f, &s);
    struct vcpu_exit ex = {.budget = 1001};
    ck_assert_int_eq(f.a.ops->vcpu_run(&f.a, 0, &ex), 0);
    ck_assert_int_eq(ex.reason, VCPU_EXIT_KICK);
    ck_assert_uint_eq(ex.executed, 1001);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.gpr[R_RAX], 501);
    f.a.ops->kick(&f.a, 0);
    memset(&ex, 0, sizeof(ex));
    ck_assert_int_eq(f.a.ops->vcpu_run(&f.a, 0, &ex), 0);
    ck_assert_int_eq(ex.reason, VCPU_EXIT_KICK);
    ck_assert_uint_eq(ex.executed, 0);
    fake_fini(&f);
}
END_TEST

/* Bad encodings reach the guest as exceptions; no IDT -> triple fault. */
START_TEST(bad_encodings_shutdown)
{
    struct fake f;
    struct cpu_state s;
    fake_init(&f, &accel_interp_ops);
    /* real mode: IVT vector 6 -> handler at 0x2000 that records and halts */
    uint16_t ivt6[2] = {0x2000, 0};
    fake_load(&f, 6 * 4, ivt6, 4);
    uint16_t ivt13[2] = {0x2010, 0};
    fake_load(&f, 13 * 4, ivt13, 4);
    uint8_t h6[] = {0xb0, 0x06, 0xf4};     /* mov al, 6; hlt */
    uint8_t h13[] = {0xb0, 0x0d, 0xf4};    /* mov al, 13; hlt */
    fake_load(&f, 0x2000, h6, 3);
    fake_load(&f, 0x2010, h13, 3);
    uint8_t ud2[] = {0x0f, 0x0b};
    fake_load(&f, 0x1000, ud2, 2);
    fake_mode_state(&f, &s, MODE_REAL, 0x1000, 0x8000);
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 100), VCPU_EXIT_HALT);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.gpr[R_RAX] & 0xff, 6);
    ck_assert_uint_eq(rd16(&f, 0x8000 - 6), 0x1000);   /* pushed IP = the UD2 */
    /* LOCK on a register destination: #UD */
    uint8_t lock_reg[] = {0xf0, 0x01, 0xd8};
    fake_load(&f, 0x1000, lock_reg, 3);
    fake_mode_state(&f, &s, MODE_REAL, 0x1000, 0x8000);
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 100), VCPU_EXIT_HALT);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.gpr[R_RAX] & 0xff, 6);
    /* 16 bytes of prefixes: longer than 15 -> #GP(0) */
    uint8_t longi[17];
    memset(longi, 0x66, 15);
    longi[15] = 0x90;
    fake_load(&f, 0x1000, longi, 16);
    fake_mode_state(&f, &s, MODE_REAL, 0x1000, 0x8000);
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 100), VCPU_EXIT_HALT);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.gpr[R_RAX] & 0xff, 13);
    /* protected mode with an empty IDT: #UD -> #GP -> #DF -> shutdown */
    fake_load(&f, 0x1000, ud2, 2);
    fake_mode_state(&f, &s, MODE_PROT32, 0x1000, 0x8000);
    s.idtr.limit = 0;
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 100), VCPU_EXIT_SHUTDOWN);
    fake_fini(&f);
}
END_TEST

/* The tcg name is the same interpreter for now. */
START_TEST(tcg_alias)
{
    struct fake f;
    struct cpu_state s;
    fake_init(&f, &accel_tcg_ops);
    uint8_t code[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xf4};
    fake_load(&f, 0x1000, code, sizeof(code));
    fake_mode_state(&f, &s, MODE_LONG64, 0x1000, 0x8000);
    fake_set(&f, &s);
    ck_assert_int_eq(fake_run(&f, 100), VCPU_EXIT_HALT);
    fake_get(&f, &s);
    ck_assert_uint_eq(s.gpr[R_RAX], 42);
    ck_assert_str_eq(accel_tcg_ops.name, "tcg");
    fake_fini(&f);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("interp_guest");
    TCase *tc = tcase_create("guests");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, modes_faults_irq);
    tcase_add_test(tc, strings_smc_flush);
    tcase_add_test(tc, privilege_changes);
    tcase_add_test(tc, privilege_changes32);
    tcase_add_test(tc, virtual_8086);
    tcase_add_test(tc, task_switches);
    tcase_add_test(tc, budget_and_kick);
    tcase_add_test(tc, single_step);
    tcase_add_test(tc, rep_corners);
    tcase_add_test(tc, segment_limits);
    tcase_add_test(tc, sysenter_lar_lsl);
    tcase_add_test(tc, bad_encodings_shutdown);
    tcase_add_test(tc, tcg_alias);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
