; apic_poll.asm - the local APIC with interrupts off, so it runs under
; every back end (this project's nested KVM cannot IRET in guest kernel
; mode): IA32_APIC_BASE reads the board's APIC (0xFEE00900: base, enabled,
; BSP; under KVM the MSR reaches vireo's model through an MSR filter), and
; a one-shot LVT timer (divide by 1, 100000 bus clocks) sets the IRR bit
; of its vector (SDM vol. 3A 10.5.4, 10.8.4), polled through the APIC's
; MMIO page.  QEMU agrees.
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, load_end
%include "guest_lib.inc"
%define LAPIC 0xfee00000
start:
    FLAT_GDT
    call serial_init
    mov esi, msg_start
    call puts
    mov ecx, 0x1b                    ; IA32_APIC_BASE: the board's APIC
    rdmsr
    mov esi, msg_base
    call puts
    call puthex32
    call newline
    mov dword [LAPIC + 0xf0], 0x1ff
    mov dword [LAPIC + 0x3e0], 0xb   ; divide by 1
    mov dword [LAPIC + 0x320], 0x40  ; one-shot, vector 0x40
    mov dword [LAPIC + 0x380], 100000
.poll:
    mov eax, [LAPIC + 0x220]        ; IRR bits 32-63: vector 0x40 is bit 0
    test eax, 1
    jz .poll
    mov esi, msg_irr
    call puts
    EXIT 0x10
msg_start: db "-- guest start --", 10, 0
msg_base: db "IA32_APIC_BASE ", 0
msg_irr: db "one-shot timer: IRR bit of vector 0x40 set", 10, 0
load_end:
