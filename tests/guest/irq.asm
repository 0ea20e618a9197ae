; irq.asm - hardware interrupts end to end: the guest initialises the
; 8259A pair the way a BIOS does (vectors 0x20/0x28), programs PIT
; counter 0 for a 1 kHz rate (mode 2), waits in HLT for 10 timer
; interrupts (checking the PIC's ISR inside the handler and EOI-ing it),
; then enables the UART's THR-empty interrupt (IRQ 4) and takes it too.
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, bss_end
%include "guest_lib.inc"

start:
    ; our own GDT: the Multiboot spec leaves the loader's selectors undefined
    FLAT_GDT
    call serial_init
    mov esi, msg_start
    call puts

    ; IDT: vectors 0x20 (IRQ0) and 0x24 (IRQ4); everything else absent
    mov eax, timer_isr
    mov edi, idt + 0x20 * 8
    call set_gate
    mov eax, uart_isr
    mov edi, idt + 0x24 * 8
    call set_gate
    lidt [idt_desc]

    ; 8259A: ICW1 edge+ICW4, ICW2 base, ICW3 cascade on IR2, ICW4 8086
    mov ax, 0xfffe                  ; IMRs: slave 0xff, master 0xfe
    call pic_init

    ; PIT counter 0: LSB/MSB, mode 2, 1193 counts ~ 1 kHz
    mov al, 0x34
    out 0x43, al
    mov al, 1193 & 0xff
    out 0x40, al
    mov al, 1193 >> 8
    out 0x40, al

    sti
.wait:
    hlt
    cmp dword [ticks], 10
    jb .wait
    cli
    mov esi, msg_ticks
    call puts
    cmp byte [isr_seen], 1
    jne .badisr
    mov esi, msg_isr
    call puts
.badisr:
    ; stop the timer (mask IRQ0), unmask IRQ4, enable the UART's THRE
    ; interrupt with OUT2 set: it fires at once since THR is empty
    mov al, 0xef
    out 0x21, al
    mov dx, COM1 + 4
    mov al, 0x0b                   ; DTR, RTS, OUT2
    out dx, al
    mov dx, COM1 + 1
    mov al, 0x02
    out dx, al
    sti
.wait2:
    hlt
    cmp byte [uart_seen], 0
    je .wait2
    cli
    mov esi, msg_uart
    call puts
    EXIT 0x10

timer_isr:
    push eax
    inc dword [ticks]
    mov al, 0x0b                   ; OCW3: read ISR
    out 0x20, al
    in al, 0x20
    cmp al, 0x01
    jne .nope
    mov byte [isr_seen], 1
    jmp .eoi
.nope:
    mov byte [isr_seen], 2
.eoi:
    mov al, 0x20                   ; non-specific EOI
    out 0x20, al
    mov al, 0x0a                   ; back to reading IRR
    out 0x20, al
    pop eax
    iret

uart_isr:
    push eax
    push edx
    mov dx, COM1 + 2
    in al, dx                      ; IIR: 0xc2 = THRE pending (FIFOs on)
    mov [uart_iir], al
    mov dx, COM1 + 1
    xor al, al
    out dx, al                     ; IER = 0: source gone
    mov byte [uart_seen], 1
    mov al, 0x20
    out 0x20, al
    pop edx
    pop eax
    iret

align 8
idt_desc:
    dw 256 * 8 - 1
    dd idt
msg_start: db "-- guest start --", 10, 0
msg_ticks: db "10 timer interrupts", 10, 0
msg_isr:   db "ISR showed IRQ0 in service", 10, 0
msg_uart:  db "UART THRE interrupt on IRQ4", 10, 0
load_end:
section .bss
alignb 8
idt:       resb 256 * 8
ticks:     resd 1
isr_seen:  resb 1
uart_seen: resb 1
uart_iir:  resb 1
bss_end:
