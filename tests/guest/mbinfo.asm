; mbinfo.asm - prints what the Multiboot loader handed over that does not
; depend on the emulator: mem_lower, the command line after the kernel
; path, each module's arguments, page alignment and contents, and
; whether the memory map has a RAM entry covering [1 MiB, 2 MiB).
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, bss_end
%include "guest_lib.inc"

start:
    mov esp, 0x90000
    mov ebx, ebx
    mov [mbi], ebx
    call serial_init
    mov esi, msg_start
    call puts
    mov ebx, [mbi]

    ; mem_lower (flags bit 0)
    test dword [ebx], 1
    jz .nomem
    mov esi, msg_lower
    call puts
    mov eax, [ebx + 4]
    call putdec
    call newline
.nomem:
    ; command line (bit 2): print the part after the first space
    test dword [ebx], 4
    jz .nocmd
    mov esi, msg_cmd
    call puts
    mov esi, [ebx + 16]
    call skip_word
    call puts
    mov al, ']'
    call putc
    call newline
.nocmd:
    ; modules (bit 3)
    test dword [ebx], 8
    jz .nomods
    mov esi, msg_mods
    call puts
    mov eax, [ebx + 20]
    call putdec
    call newline
    mov ecx, [ebx + 20]
    mov edi, [ebx + 24]
.mod:
    test ecx, ecx
    jz .nomods
    mov esi, msg_modargs
    call puts
    mov esi, [edi + 8]
    call skip_word
    call puts
    mov al, ']'
    call putc
    call newline
    mov eax, [edi]
    test eax, 0xfff
    jnz .unaligned
    mov esi, msg_aligned
    call puts
.unaligned:
    ; contents, up to mod_end
    mov esi, [edi]
.byte:
    cmp esi, [edi + 4]
    jae .modend
    lodsb
    call putc
    jmp .byte
.modend:
    add edi, 16
    dec ecx
    jmp .mod
.nomods:
    ; memory map (bit 6): a RAM entry covering [1M, 2M)?
    test dword [ebx], 64
    jz .done
    mov esi, [ebx + 48]
    mov edx, esi
    add edx, [ebx + 44]
.entry:
    cmp esi, edx
    jae .nomap
    cmp dword [esi + 20], 1          ; type RAM
    jne .nextent
    cmp dword [esi + 8], 0           ; base high
    jne .nextent
    cmp dword [esi + 4], 0x100000    ; base <= 1M
    ja .nextent
    mov eax, [esi + 4]
    add eax, [esi + 12]              ; base + length (low)
    cmp eax, 0x200000
    jb .nextent
    mov esi, msg_mmap_ok
    call puts
    jmp .done
.nextent:
    add esi, [esi]
    add esi, 4
    jmp .entry
.nomap:
    mov esi, msg_mmap_bad
    call puts
.done:
    EXIT 0x10

; ESI -> after the first space of the string (or its end)
skip_word:
    cmp byte [esi], 0
    je .out
    lodsb
    cmp al, ' '
    jne skip_word
.out:
    ret

msg_start:    db "-- guest start --", 10, 0
msg_lower:    db "mem_lower=", 0
msg_cmd:      db "cmdline=[", 0
msg_mods:     db "modules=", 0
msg_modargs:  db "module args=[", 0
msg_aligned:  db "module page-aligned", 10, 0
msg_mmap_ok:  db "mmap: RAM covers 1M-2M", 10, 0
msg_mmap_bad: db "mmap: no RAM entry at 1M", 10, 0
load_end:
section .bss
mbi: resd 1
bss_end:
