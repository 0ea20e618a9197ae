; interp_priv.asm - guest for test_interp_guest, entered directly in
; 64-bit long mode at 0x1000 with the harness's identity map (user
; pages).  It loads its own GDT/TSS/IDT, drops to ring 3 with IRETQ and
; from there: INT 80h through a DPL-3 gate (stack switch to TSS.RSP0),
; HLT (#GP(0) at CPL 3), SYSCALL/SYSRET, INT 81h through a DPL-0 gate
; (#GP with error code 81h*8+2), then INT 82h to finish in ring 0.
; SDM vol. 3A 6.12.1, 6.14, 5.8.8.  Results at 0x500.
R         equ 0x500
R_I80CS   equ R + 0x00
R_I80RSP  equ R + 0x08
R_GPN     equ R + 0x10
R_GPERR   equ R + 0x18      ; 2 qwords
R_SKIP    equ R + 0x28
R_SCRCX   equ R + 0x30
R_SCEXP   equ R + 0x38
R_SCR11   equ R + 0x40
R_SCFL    equ R + 0x48
R_SCCS    equ R + 0x50
R_UCS     equ R + 0x58
R_USS     equ R + 0x60
R_DONE    equ R + 0x68
R_UMARK   equ R + 0x70
KSTACK    equ 0x9000
USTACK    equ 0x7000

        org 0x1000
        bits 64
start:
        lgdt [gdtr]
        push 0x08
        lea rax, [rel .k]
        push rax
        retfq
.k:     mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov rsp, 0x8000
        ; TSS descriptor base
        lea rax, [rel tss]
        mov [gdt_tss + 2], ax
        shr rax, 16
        mov [gdt_tss + 4], al
        mov [gdt_tss + 7], ah
        shr rax, 16
        mov [gdt_tss + 8], eax
        mov qword [tss + 4], KSTACK  ; RSP0
        mov ax, 0x30
        ltr ax
        ; IDT
        lea rdi, [idt + 13 * 16]
        lea rax, [rel gp_handler]
        mov ebx, 0x8e00
        call set_gate
        lea rdi, [idt + 0x80 * 16]
        lea rax, [rel int80_handler]
        mov ebx, 0xee00              ; DPL 3
        call set_gate
        lea rdi, [idt + 0x81 * 16]
        lea rax, [rel int80_handler]
        mov ebx, 0x8e00              ; DPL 0: INT 81h from ring 3 is #GP
        call set_gate
        lea rdi, [idt + 0x82 * 16]
        lea rax, [rel done_handler]
        mov ebx, 0xee00
        call set_gate
        lidt [idtr]
        ; SYSCALL setup
        mov ecx, 0xc0000080
        rdmsr
        or eax, 1                    ; SCE
        wrmsr
        mov ecx, 0xc0000081          ; STAR
        xor eax, eax
        mov edx, 0x00180008          ; sysret base 0x18, syscall CS 0x08
        wrmsr
        mov ecx, 0xc0000082          ; LSTAR
        lea rax, [rel syscall_entry]
        mov rdx, rax
        shr rdx, 32
        wrmsr
        mov ecx, 0xc0000084          ; SFMASK: clear IF
        mov eax, 0x200
        xor edx, edx
        wrmsr
        ; to ring 3
        push 0x23                    ; SS
        push USTACK                  ; RSP
        push 0x202                   ; RFLAGS (IF)
        push 0x2b                    ; CS
        lea rax, [rel user]
        push rax
        iretq

; rdi = gate, rax = handler, ebx = type/attr word << 8
set_gate:
        mov [rdi], ax
        mov word [rdi + 2], 0x08
        mov [rdi + 4], ebx
        shr rax, 16
        mov [rdi + 6], ax
        shr rax, 16
        mov [rdi + 8], eax
        mov dword [rdi + 12], 0
        ret

int80_handler:
        mov rax, [rsp + 8]           ; saved CS
        mov [R_I80CS], rax
        mov [R_I80RSP], rsp
        iretq

gp_handler:
        push rax
        push rcx
        mov rcx, [R_GPN]
        mov rax, [rsp + 16]          ; error code
        mov [R_GPERR + rcx * 8], rax
        inc qword [R_GPN]
        mov rax, [R_SKIP]
        add [rsp + 24], rax          ; skip the faulting instruction
        pop rcx
        pop rax
        add rsp, 8
        iretq

syscall_entry:
        mov [R_SCRCX], rcx
        mov [R_SCR11], r11
        pushfq
        pop rax
        mov [R_SCFL], rax
        mov ax, cs
        mov [R_SCCS], ax
        o64 sysret

done_handler:
        mov qword [R_DONE], 0xd0d0
        hlt

        bits 64
user:
        mov qword [R_UMARK], 3
        int 0x80
        mov qword [R_SKIP], 1
        hlt                          ; #GP(0): privileged
        lea rax, [rel .after]
        mov [R_SCEXP], rax
        syscall
.after: mov ax, cs
        mov [R_UCS], ax
        mov ax, ss
        mov [R_USS], ax
        mov qword [R_SKIP], 2
        int 0x81                     ; #GP(0x40a)
        int 0x82
        jmp $

        align 8
gdt:    dq 0
        dq 0x00af9a000000ffff        ; 0x08 kernel code64
        dq 0x00cf92000000ffff        ; 0x10 kernel data
        dq 0x00cffa000000ffff        ; 0x18 user code32
        dq 0x00cff2000000ffff        ; 0x20 user data
        dq 0x00affa000000ffff        ; 0x28 user code64
gdt_tss:
        dw 0x67, 0                   ; 0x30 TSS (base filled in)
        db 0, 0x89, 0, 0
        dd 0, 0
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dq gdt
idtr:   dw 256 * 16 - 1
        dq idt
        align 16
tss:    times 0x68 db 0
        align 16
idt:    times 256 * 16 db 0
