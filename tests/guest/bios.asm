; bios.asm - a 64 KiB raw firmware image for -bios: execution starts in
; real mode at the reset vector (F000:FFF0 with CS base FFFF0000), jumps
; into the ISA BIOS alias below 1 MiB, prints on COM1 and exits through
; isa-debug-exit.  Proves the ROM mapping at both places and the reset
; state.
bits 16
org 0

%define COM1 0x3f8

start:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    ; 115200 8N1
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al
    mov dx, COM1
    mov al, 1
    out dx, al
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 3
    out dx, al
    ; running from F000:xxxx = the alias at 0xF0000
    mov ax, cs
    cmp ax, 0xf000
    jne .bad
    ; the ROM is read-only: a write through the alias is dropped
    mov ax, 0xf000
    mov ds, ax
    mov al, [rom_byte]
    mov byte [rom_byte], 0x00
    cmp byte [rom_byte], 0x5a
    jne .bad
    mov si, msg
    call puts
    mov dx, 0xf4
    mov eax, 0x10
    out dx, eax
.hang:
    hlt
    jmp .hang
.bad:
    mov si, msg_bad
    call puts
    mov dx, 0xf4
    mov eax, 1
    out dx, eax
    jmp .hang

puts:
    cs lodsb
    test al, al
    jz .done
    mov bl, al
    mov dx, COM1 + 5
.busy:
    in al, dx
    test al, 0x20
    jz .busy
    mov al, bl
    mov dx, COM1
    out dx, al
    jmp puts
.done:
    ret

rom_byte: db 0x5a
msg:     db "-- guest start --", 10, "firmware running in real mode from ROM", 10, 0
msg_bad: db "-- guest start --", 10, "unexpected reset state", 10, 0

    times 0xfff0 - ($ - $$) db 0xff
reset_vector:
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xff
