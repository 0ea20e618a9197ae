; apic.asm - the local APIC and IOAPIC as a guest sees them (SDM vol. 3A
; ch. 11, 82093AA): software-enable the APIC through SVR, take a one-shot
; APIC timer interrupt (vector 0x40) and EOI it, then mask the 8259A,
; route ISA IRQ 0 through IOAPIC pin 2 (the MADT override every PC
; firmware reports) to vector 0x41 and take three PIT interrupts there.
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, bss_end
%include "guest_lib.inc"

%define LAPIC 0xfee00000
%define IOAPIC 0xfec00000

start:
    FLAT_GDT
    call serial_init
    mov esi, msg_start
    call puts

    mov eax, apic_timer_isr
    mov edi, idt + 0x40 * 8
    call set_gate
    mov eax, pit_isr
    mov edi, idt + 0x41 * 8
    call set_gate
    lidt [idt_desc]

    ; 8259A: remap away from the exception vectors, then mask everything
    mov ax, 0xffff                  ; IMRs: slave 0xff, master 0xff
    call pic_init

    ; APIC version register: version 0x1x in bits 7:0 (integrated APIC)
    mov eax, [LAPIC + 0x30]
    and eax, 0xf0
    cmp eax, 0x10
    jne .badver
    mov esi, msg_ver
    call puts
.badver:
    ; software enable, spurious vector 0xff; TPR 0
    mov dword [LAPIC + 0xf0], 0x1ff
    mov dword [LAPIC + 0x80], 0
    ; timer: one-shot, vector 0x40, divide by 1, count 100000
    mov dword [LAPIC + 0x3e0], 0x0b
    mov dword [LAPIC + 0x320], 0x40
    mov dword [LAPIC + 0x380], 100000
    sti
.wait1:
    hlt
    cmp byte [timer_seen], 0
    je .wait1
    cli
    mov esi, msg_timer
    call puts
    ; the count has run out and stays at zero in one-shot mode
    cmp dword [LAPIC + 0x390], 0
    jne .notzero
    mov esi, msg_zero
    call puts
.notzero:
    ; IOAPIC: ID register index 0, version index 1 (max entry 23 -> 0x17)
    mov dword [IOAPIC], 1
    mov eax, [IOAPIC + 0x10]
    shr eax, 16
    and eax, 0xff
    cmp eax, 0x17
    jne .badio
    mov esi, msg_ioapic
    call puts
.badio:
    ; redirection entry for pin 2: vector 0x41, fixed, physical, edge,
    ; active high, unmasked, destination APIC 0
    mov dword [IOAPIC], 0x10 + 2 * 2 + 1
    mov dword [IOAPIC + 0x10], 0
    mov dword [IOAPIC], 0x10 + 2 * 2
    mov dword [IOAPIC + 0x10], 0x41
    ; PIT counter 0, mode 2, ~1 kHz
    mov al, 0x34
    out 0x43, al
    mov al, 1193 & 0xff
    out 0x40, al
    mov al, 1193 >> 8
    out 0x40, al
    sti
.wait2:
    hlt
    cmp dword [pit_ticks], 3
    jb .wait2
    cli
    mov esi, msg_pit
    call puts
    EXIT 0x10

apic_timer_isr:
    mov byte [timer_seen], 1
    mov dword [LAPIC + 0xb0], 0    ; EOI
    iret

pit_isr:
    inc dword [pit_ticks]
    mov dword [LAPIC + 0xb0], 0    ; EOI
    iret

align 8
idt_desc:
    dw 256 * 8 - 1
    dd idt
msg_start:  db "-- guest start --", 10, 0
msg_ver:    db "local APIC version 0x1x", 10, 0
msg_timer:  db "APIC timer interrupt (vector 0x40)", 10, 0
msg_zero:   db "one-shot count stopped at 0", 10, 0
msg_ioapic: db "IOAPIC with 24 pins", 10, 0
msg_pit:    db "3 PIT interrupts through IOAPIC pin 2", 10, 0
load_end:
section .bss
alignb 8
idt:        resb 256 * 8
timer_seen: resb 1
alignb 4
pit_ticks:  resd 1
bss_end:
