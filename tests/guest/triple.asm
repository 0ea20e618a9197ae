; triple.asm - an exception with an empty IDT escalates to a triple
; fault; under -no-reboot the emulator exits with status 0 (QEMU's
; behaviour) after the guest's first output.  UD2 rather than INT3: this
; host's nested KVM cannot emulate INT3 delivery through an empty IDT.
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
    lidt [idt_empty]
    ud2
    mov esi, msg_alive
    call puts
    EXIT 0x01

align 8
idt_empty: dw 0
           dd 0
msg_start: db "-- guest start --", 10, 0
msg_alive: db "still alive after a triple fault", 10, 0
load_end:
