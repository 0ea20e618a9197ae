; demo.asm - vireo's built-in demo guest (booted when neither -kernel nor
; -bios is given).  A Multiboot v1 kernel using the a.out kludge, so nasm
; alone builds it as a flat binary loaded at 1 MiB.  It runs in 32-bit
; protected mode, initialises COM1 (16550A), prints what the loader told
; it (memory, command line, boot loader), the CPU vendor, then echoes
; what you type.  Ctrl-A x quits vireo.
;
; Not implemented: anything beyond the serial console (no interrupts).

bits 32
org 0x100000

MB_MAGIC equ 0x1badb002
MB_FLAGS equ 0x00010003            ; page-align modules, memory info, a.out kludge
COM1     equ 0x3f8

header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
    dd header                      ; header_addr
    dd header                      ; load_addr
    dd load_end                    ; load_end_addr
    dd bss_end                     ; bss_end_addr
    dd start                       ; entry_addr

start:
    mov esp, stack_top
    mov [mbi], ebx
    mov [magic], eax
    call serial_init

    mov esi, msg_banner
    call puts
    cmp dword [magic], 0x2badb002
    jne .badmagic

    mov ebx, [mbi]
    test dword [ebx], 1            ; mem_lower/mem_upper valid?
    jz .nomem
    mov esi, msg_mem
    call puts
    mov eax, [ebx + 8]             ; mem_upper, KiB above 1 MiB
    shr eax, 10
    inc eax                        ; + the first MiB
    call putdec
    mov esi, msg_mib
    call puts
.nomem:
    test dword [ebx], 1 << 9       ; boot loader name
    jz .noname
    mov esi, msg_loader
    call puts
    mov esi, [ebx + 64]
    call puts
    mov al, 10
    call putc
.noname:
    mov esi, msg_cpu
    call puts
    xor eax, eax
    cpuid
    mov [vendor], ebx
    mov [vendor + 4], edx
    mov [vendor + 8], ecx
    mov esi, vendor
    call puts
    mov al, 10
    call putc

    mov esi, msg_echo
    call puts
.echo:
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 1                     ; LSR.DR
    jz .wait
    mov dx, COM1
    in al, dx
    cmp al, 13
    jne .notcr
    mov al, 10
.notcr:
    call putc
    jmp .echo

.badmagic:
    mov esi, msg_badmagic
    call puts
.halt:
    cli
    hlt
    jmp .halt

; 115200 8N1, FIFOs on, no interrupts
serial_init:
    mov dx, COM1 + 1
    xor al, al
    out dx, al                     ; IER = 0
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al                     ; DLAB
    mov dx, COM1
    mov al, 1
    out dx, al                     ; divisor 1 = 115200 baud
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al                     ; 8N1, DLAB off
    mov dx, COM1 + 2
    mov al, 0x07
    out dx, al                     ; FIFO enable + reset
    mov dx, COM1 + 4
    mov al, 0x03
    out dx, al                     ; DTR, RTS
    ret

; putc: AL -> COM1, waiting for THRE; "\n" becomes "\r\n"
putc:
    push edx
    push eax
    cmp al, 10
    jne .one
    mov al, 13
    call .raw
    mov al, 10
.one:
    call .raw
    pop eax
    pop edx
    ret
.raw:
    push eax
    mov dx, COM1 + 5
.busy:
    in al, dx
    test al, 0x20
    jz .busy
    pop eax
    mov dx, COM1
    out dx, al
    ret

; puts: NUL-terminated string at ESI
puts:
    push eax
.next:
    lodsb
    test al, al
    jz .done
    call putc
    jmp .next
.done:
    pop eax
    ret

; putdec: EAX as unsigned decimal
putdec:
    push ebx
    push ecx
    push edx
    mov ebx, 10
    xor ecx, ecx
.div:
    xor edx, edx
    div ebx
    push edx
    inc ecx
    test eax, eax
    jnz .div
.out:
    pop eax
    add al, '0'
    call putc
    loop .out
    pop edx
    pop ecx
    pop ebx
    ret

msg_banner:   db "vireo demo guest: running in 32-bit protected mode", 10, 0
msg_mem:      db "memory: ", 0
msg_mib:      db " MiB", 10, 0
msg_loader:   db "booted by: ", 0
msg_cpu:      db "CPU vendor: ", 0
msg_echo:     db "Type something and it is echoed back; Ctrl-A x quits vireo.", 10, 0
msg_badmagic: db "not started by a Multiboot loader", 10, 0

load_end:
section .bss
align 4
mbi:    resd 1
magic:  resd 1
vendor: resb 16
        resb 4096
stack_top:
bss_end:
