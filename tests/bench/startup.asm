; startup.asm - the start-up workload: a Multiboot guest that prints one
; byte as its first act and exits at once through isa-debug-exit.  The
; harness times the first serial byte (first guest instruction, near
; enough) and the process exit.
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, load_end
start:
    mov dx, COM1
    mov al, '!'
    out dx, al
    mov dx, DEBUG_EXIT_PORT
    mov eax, 0x10
    out dx, eax
.halt:
    hlt
    jmp .halt
load_end:
