; hello.asm - the smallest guest: a Multiboot (a.out kludge) kernel that
; checks the loader's magic, prints a line and exits through
; isa-debug-exit with 0x10 (vireo/QEMU exit status 0x21).
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, bss_end
%include "guest_lib.inc"

start:
    mov esp, 0x90000
    mov ebp, eax
    call serial_init
    mov esi, msg_start
    call puts
    cmp ebp, 0x2badb002
    jne .bad
    mov esi, msg_hello
    call puts
    EXIT 0x10
.bad:
    mov esi, msg_bad
    call puts
    EXIT 0x01

msg_start: db "-- guest start --", 10, 0
msg_hello: db "hello from a multiboot guest", 10, 0
msg_bad:   db "bad multiboot magic", 10, 0
load_end:
bss_end:
