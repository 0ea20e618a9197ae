; clock.asm - reads the PIT counter 0 (latched) eight times with a fixed
; amount of work in between and prints the values, then waits in HLT for
; five PIT interrupts.  Under -icount the output must be identical from
; run to run (virtual time is a function of executed instructions), and
; the counter must move between reads.
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, bss_end
%include "guest_lib.inc"

start:
    FLAT_GDT
    call serial_init
    mov esi, msg_start
    call puts

    mov eax, timer_isr
    mov edi, idt + 0x20 * 8
    call set_gate
    lidt [idt_desc]
    ; 8259A: vectors 0x20.., only IRQ0 unmasked
    mov ax, 0xfffe
    call pic_init
    ; PIT counter 0: mode 2, count 0 (65536)
    mov al, 0x34
    out 0x43, al
    xor al, al
    out 0x40, al
    out 0x40, al

    mov ebx, 8
.sample:
    mov ecx, 2000
.work:
    imul eax, ecx, 3
    loop .work
    mov al, 0x00                   ; latch counter 0
    out 0x43, al
    in al, 0x40
    mov ah, al
    in al, 0x40
    xchg al, ah
    movzx eax, ax
    call puthex32
    call newline
    dec ebx
    jnz .sample

    sti
.wait:
    hlt
    cmp dword [ticks], 5
    jb .wait
    cli
    mov esi, msg_ticks
    call puts
    EXIT 0x10

timer_isr:
    push eax
    inc dword [ticks]
    mov al, 0x20
    out 0x20, al
    pop eax
    iret

align 8
idt_desc:
    dw 256 * 8 - 1
    dd idt
msg_start: db "-- guest start --", 10, 0
msg_ticks: db "5 timer interrupts", 10, 0
load_end:
section .bss
alignb 8
idt:   resb 256 * 8
ticks: resd 1
bss_end:
