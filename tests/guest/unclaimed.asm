; unclaimed.asm - reads from ports nothing decodes return all ones in
; every size; writes there are dropped without harm.
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, load_end
%include "guest_lib.inc"

start:
    mov esp, 0x90000
    call serial_init
    mov esi, msg_start
    call puts
    mov dx, 0x2e8 + 0x100      ; 0x3e8 region: nothing on this board
    mov dx, 0x0500
    mov al, 0x12
    out dx, al                 ; dropped
    in al, dx
    movzx eax, al
    mov esi, msg_b
    call puts
    call puthex32
    call newline
    in ax, dx
    movzx eax, ax
    mov esi, msg_w
    call puts
    call puthex32
    call newline
    in eax, dx
    mov esi, msg_d
    call puts
    call puthex32
    call newline
    EXIT 0x10

msg_start: db "-- guest start --", 10, 0
msg_b:     db "inb  0x500=", 0
msg_w:     db "inw  0x500=", 0
msg_d:     db "inl  0x500=", 0
load_end:
