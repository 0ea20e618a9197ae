; hello_elf.asm - the same greeting from an ELF32 Multiboot kernel (no
; a.out kludge: the loader must read the program headers).  Linked at
; 1 MiB by ld -m elf_i386.
bits 32
%include "guest.inc"
section .text
global _start
align 4
mb_header:
    dd 0x1badb002
    dd 0x00000003
    dd -(0x1badb002 + 0x00000003)
%include "guest_lib.inc"

_start:
    mov esp, stack_top
    mov ebp, eax
    call serial_init
    mov esi, msg_start
    call puts
    cmp ebp, 0x2badb002
    jne .bad
    ; .bss must be zeroed by the loader
    cmp dword [bss_probe], 0
    jne .badbss
    mov esi, msg_hello
    call puts
    EXIT 0x10
.badbss:
    mov esi, msg_badbss
    call puts
    EXIT 0x01
.bad:
    mov esi, msg_bad
    call puts
    EXIT 0x01

section .data
msg_start:  db "-- guest start --", 10, 0
msg_hello:  db "hello from an ELF32 multiboot guest", 10, 0
msg_bad:    db "bad multiboot magic", 10, 0
msg_badbss: db ".bss not zeroed", 10, 0

section .bss
bss_probe: resd 1
           resb 8192
stack_top:
