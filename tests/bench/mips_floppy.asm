; mips_floppy.asm - the MIPS meter as a 1.44 MB boot floppy, for emulators
; that cannot load a Multiboot kernel (Bochs).  The boot sector switches
; to 32-bit protected mode itself and runs the same 17-instruction loop as
; mips.asm (at CPL 0), printing BEGIN/END on COM1, then powers off through
; the Bochs shutdown port (0x8900) and, for QEMU, isa-debug-exit.
; The iteration count is the dword at offset 0x1f0 of the image (the
; harness patches it).
bits 16
org 0x7c00

%define COM1 0x3f8

boot:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7c00
    lgdt [gdt_desc]
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp 0x08:pm

bits 32
pm:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, 0x7c00
    ; COM1: 115200 8N1
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
    mov esi, msg_begin
    call puts
    mov ecx, [iters]
    mov esi, scratch
    mov edi, scratch + 16
    xor ebx, ebx
    xor edx, edx
%define AX eax
%define BX ebx
%define CX ecx
%define DX edx
%define SI esi
%define DI edi
%include "mips_loop.inc"
    mov esi, msg_end
    call puts
    ; Bochs: the shutdown port; QEMU: isa-debug-exit at 0xf4
    mov dx, 0x8900
    mov esi, msg_shutdown
.sd:
    lodsb
    test al, al
    jz .sd_done
    out dx, al
    jmp .sd
.sd_done:
    mov dx, 0xf4
    mov eax, 0x10
    out dx, eax
.never:
    hlt
    jmp .never

leaf:
    add ebx, ecx                  ; 10
    ret                           ; 11

puts:
    lodsb
    test al, al
    jz .done
    mov ah, al
    mov dx, COM1 + 5
.busy:
    in al, dx
    test al, 0x20
    jz .busy
    mov al, ah
    mov dx, COM1
    out dx, al
    jmp puts
.done:
    ret

align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff
    dq 0x00cf92000000ffff
gdt_desc:
    dw gdt_desc - gdt - 1
    dd gdt
msg_begin:    db "BEGIN", 10, 0
msg_end:      db "END", 10, 0
msg_shutdown: db "Shutdown", 0
scratch:      times 32 db 0

    times 0x1f0 - ($ - $$) db 0
iters: dd 10000000
    times 510 - ($ - $$) db 0
    dw 0xaa55
    times 1474560 - ($ - $$) db 0
