; mips.asm - the MIPS meter: a Multiboot guest that runs a known number
; of mixed integer instructions (loads, stores, ALU, read-modify-write,
; LEA, shifts, IMUL, a never-taken and a taken branch, CALL/RET) and
; prints "BEGIN" and "END" lines around the loop so the benchmark harness
; can time it from outside, then exits through isa-debug-exit (0x10).
;
; Built twice: MODE=32 runs the loop in 32-bit protected mode (as entered
; by the loader); MODE=64 first switches itself into long mode (identity
; mapped 2 MiB pages) and runs the same loop on 64-bit registers.
; The iteration count comes from the command line: "iters=N" (decimal);
; 17 instructions retire per iteration.  The loop runs at CPL 3 (with
; IOPL 3 for the serial port and the exit port), so it measures user-mode
; speed: nested KVM hosts emulate kernel-mode guest code instruction by
; instruction but run user mode natively.
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, bss_end
%include "guest_lib.inc"

start:
    mov esp, 0x90000
    mov [mbi], ebx
    call serial_init
    ; default 10 million iterations, or iters=N from the command line
    mov dword [iters], 10000000
    mov ebx, [mbi]
    test dword [ebx], 4
    jz .go
    mov esi, [ebx + 16]
.find:
    lodsb
    test al, al
    jz .go
    cmp al, 'i'
    jne .find
    cmp dword [esi], 'ters'
    jne .find
    cmp byte [esi + 4], '='
    jne .find
    add esi, 5
    xor ecx, ecx
.digit:
    movzx eax, byte [esi]
    sub eax, '0'
    cmp eax, 9
    ja .parsed
    imul ecx, ecx, 10
    add ecx, eax
    inc esi
    jmp .digit
.parsed:
    test ecx, ecx
    jz .go
    mov [iters], ecx
.go:
%if MODE == 64
    ; identity-map the first 1 GiB with 2 MiB pages
    mov edi, pml4
    mov dword [edi], pdpt + 7
    mov dword [pdpt], pd + 7
    xor eax, eax
    mov ecx, 0
.pde:
    mov edx, ecx
    shl edx, 21
    or edx, 0x87                  ; present, writable, user, 2 MiB
    mov [pd + ecx * 8], edx
    inc ecx
    cmp ecx, 512
    jb .pde
    mov eax, pml4
    mov cr3, eax
    mov eax, cr4
    or eax, 1 << 5                ; PAE
    mov cr4, eax
    mov ecx, 0xc0000080           ; EFER
    rdmsr
    or eax, 1 << 8                ; LME
    wrmsr
    lgdt [gdt64_desc]
    mov eax, cr0
    or eax, 0x80000001            ; PG | PE
    mov cr0, eax
    jmp 0x08:long_mode
bits 64
long_mode:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, 0x90000
    ; to CPL 3 with IOPL 3: IRETQ to the 64-bit user code segment
    push 0x23                     ; SS: user data
    push 0x80000                  ; RSP
    push 0x3002                   ; RFLAGS: IOPL 3, IF 0
    push 0x1b                     ; CS: user 64-bit code
    push user64
    iretq
user64:
%else
    lgdt [gdt32_desc]
    pushfd
    or dword [esp], 0x3000
    popfd
    mov ecx, 0x174                ; IA32_SYSENTER_CS
    xor edx, edx
    mov eax, 0x10
    wrmsr
    mov edx, user32
    mov ecx, 0x80000
    sysexit
user32:
    mov ax, 0x2b
    mov ds, ax
    mov es, ax
%endif
    mov esi, msg_begin
    call puts_any
    mov ecx, [iters]
    mov esi, scratch
    mov edi, scratch + 16
    xor ebx, ebx
    xor edx, edx
%if MODE == 64
%define AX rax
%define BX rbx
%define CX rcx
%define DX rdx
%define SI rsi
%define DI rdi
%else
%define AX eax
%define BX ebx
%define CX ecx
%define DX edx
%define SI esi
%define DI edi
%endif
%include "mips_loop.inc"
    mov esi, msg_end
    call puts_any
    mov dx, DEBUG_EXIT_PORT
    mov eax, 0x10
    out dx, eax
.never:
    hlt
    jmp .never

leaf:
    add BX, CX                    ; 10
    ret                           ; 11

; print the NUL-terminated string at ESI in either mode
puts_any:
.next:
    mov al, [SI]
    inc SI
    test al, al
    jz .done
    push DX
    push AX
    mov dx, COM1 + 5
.busy:
    in al, dx
    test al, 0x20
    jz .busy
    pop AX
    mov dx, COM1
    out dx, al
    pop DX
    jmp .next
.done:
    ret

%if MODE == 64
align 8
gdt64:
    dq 0
    dq 0x00af9a000000ffff         ; 0x08: 64-bit code
    dq 0x00cf92000000ffff         ; 0x10: data
    dq 0x00affa000000ffff         ; 0x18: user 64-bit code
    dq 0x00cff2000000ffff         ; 0x20: user data
gdt64_desc:
    dw gdt64_desc - gdt64 - 1
    dd gdt64
%else
align 8
gdt32:
    dq 0
    dq 0
    dq 0x00cf9a000000ffff         ; 0x10: code (the loader's selector)
    dq 0x00cf92000000ffff         ; 0x18: data
    dq 0x00cffa000000ffff         ; 0x20: user code (SYSENTER_CS + 16)
    dq 0x00cff2000000ffff         ; 0x28: user data (SYSENTER_CS + 24)
gdt32_desc:
    dw gdt32_desc - gdt32 - 1
    dd gdt32
%endif

msg_begin: db "BEGIN", 10, 0
msg_end:   db "END", 10, 0
load_end:
section .bss
alignb 4096
pml4:    resb 4096
pdpt:    resb 4096
pd:      resb 4096
mbi:     resd 1
iters:   resd 1
scratch: resb 64
bss_end:
