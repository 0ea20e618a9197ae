; apic_msr.asm - the CPU's side of the local APIC (SDM vol. 3A 10.4.4,
; 10.5.4.1): CPUID.1 advertises the APIC (EDX[9]) and the TSC-deadline
; timer (ECX[24]); IA32_APIC_BASE reads 0xFEE00900 (base, enabled, BSP);
; an LVT timer in TSC-deadline mode fires when the TSC passes the value
; written to IA32_TSC_DEADLINE.  (QEMU's default CPU model has no
; TSC-deadline timer, so this test has no QEMU run.)
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, bss_end
%include "guest_lib.inc"

%define LAPIC 0xfee00000

start:
    FLAT_GDT
    call serial_init
    mov esi, msg_start
    call puts
    mov eax, 1
    cpuid
    mov eax, edx
    shr eax, 9
    and eax, 1
    mov esi, msg_apic
    call puts
    call putdec
    call newline
    mov eax, ecx
    shr eax, 24
    and eax, 1
    mov esi, msg_dl
    call puts
    call putdec
    call newline
    mov ecx, 0x1b
    rdmsr
    mov esi, msg_base
    call puts
    call puthex32
    call newline

    mov eax, isr
    mov edi, idt + 0x40 * 8
    call set_gate
    lidt [idt_desc]
    mov al, 0xff                   ; 8259A fully masked
    out 0x21, al
    out 0xa1, al
    mov dword [LAPIC + 0xf0], 0x1ff
    mov dword [LAPIC + 0x320], 0x40 | (2 << 17)   ; TSC-deadline mode
    rdtsc
    add eax, 200000
    adc edx, 0
    mov ecx, 0x6e0
    wrmsr
    sti
.wait:
    hlt
    cmp byte [fired], 0
    je .wait
    cli
    ; the deadline MSR reads 0 once the timer has fired
    mov ecx, 0x6e0
    rdmsr
    or eax, edx
    mov esi, msg_fired
    call puts
    call putdec
    call newline
    EXIT 0x10

isr:
    mov byte [fired], 1
    mov dword [LAPIC + 0xb0], 0
    iret

align 8
idt_desc:
    dw 256 * 8 - 1
    dd idt
msg_start: db "-- guest start --", 10, 0
msg_apic:  db "CPUID APIC ", 0
msg_dl:    db "CPUID TSC-deadline ", 0
msg_base:  db "IA32_APIC_BASE ", 0
msg_fired: db "TSC-deadline interrupt; IA32_TSC_DEADLINE now ", 0
load_end:
section .bss
alignb 8
idt:   resb 256 * 8
fired: resb 1
bss_end:
