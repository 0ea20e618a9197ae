; a20.asm - the A20 gate (SDM vol. 3A 21.33.1; i8042 output port bit 1,
; port 0x92 bit 1): with both gates off, physical address bit 20 is forced
; to 0, so 0x180000 aliases 0x080000; with A20 back on it does not.  The
; test runs from a copy at 0x8000 (the kernel itself sits above 1 MiB,
; which the gate would also fold).  KVM keeps A20 on, so this test runs
; under the software CPU and QEMU only.
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, load_end
%include "guest_lib.inc"

%define LOW 0x8000

start:
    mov esp, 0x90000
    call serial_init
    mov esi, msg_start
    call puts
    ; copy the routine below 1 MiB and run it there
    mov esi, low_begin
    mov edi, LOW
    mov ecx, low_end - low_begin
    cld
    rep movsb
    mov eax, LOW
    jmp eax
back:
    mov esi, msg_off
    call puts
    mov eax, ebx
    call puthex32
    call newline
    mov esi, msg_on
    call puts
    mov eax, ecx
    call puthex32
    call newline
    EXIT 0x10

; position-independent: only relative jumps and absolute data addresses
low_begin:
    ; A20 off through port 0x92 ...
    in al, 0x92
    and al, 0xfc                   ; bit 1 = A20, never set bit 0 (reset)
    out 0x92, al
    ; ... and through the keyboard controller's output port (0xd1)
.w1:
    in al, 0x64
    test al, 2
    jnz .w1
    mov al, 0xd1
    out 0x64, al
.w2:
    in al, 0x64
    test al, 2
    jnz .w2
    mov al, 0xdd                   ; output port: reset line high, A20 off
    out 0x60, al
.w3:
    in al, 0x64
    test al, 2
    jnz .w3
    jmp .off
.off:
    mov dword [0x080000], 0
    mov dword [0x180000], 0x0a200ff0
    mov ebx, [0x080000]            ; aliased: sees the write above
    ; A20 back on through both gates
    in al, 0x92
    or al, 2
    and al, 0xfe
    out 0x92, al
    mov al, 0xd1
    out 0x64, al
.w4:
    in al, 0x64
    test al, 2
    jnz .w4
    mov al, 0xdf
    out 0x60, al
.w5:
    in al, 0x64
    test al, 2
    jnz .w5
    jmp .on
.on:
    mov dword [0x180000], 0x11111111
    mov ecx, [0x080000]            ; not aliased any more
    mov eax, back
    jmp eax
low_end:

msg_start: db "-- guest start --", 10, 0
msg_off:   db "A20 off, [0x80000] after writing 0x180000: ", 0
msg_on:    db "A20 on,  [0x80000] after writing 0x180000: ", 0
load_end:
