; interp_priv32.asm - guest for test_interp_guest, entered directly in
; flat 32-bit protected mode (no paging) at 0x1000.  It builds its own
; GDT, 32-bit TSS (with an I/O permission bitmap) and IDT, enters ring 3
; with IRETD (DS/ES with DPL 0 become null), takes INT 80h through a
; DPL-3 gate (stack switch to SS0:ESP0), does an allowed OUT to port E9h,
; a forbidden IN from 60h (#GP), CLI at IOPL 0 (#GP), and finishes
; through INT 82h.  SDM vol. 3A 6.12.1, 5.8, vol. 1 19.5.  Results at 0x500.
R         equ 0x500
R_UDS     equ R + 0x00
R_I80CS   equ R + 0x04
R_I80SS   equ R + 0x08
R_I80ESP  equ R + 0x0c
R_I80KSP  equ R + 0x10
R_GPN     equ R + 0x14
R_GPERR   equ R + 0x18      ; 2 dwords
R_SKIP    equ R + 0x20
R_DONE    equ R + 0x24
R_RETCS   equ R + 0x28
R_GP0     equ R + 0x2c      ; call gate: first parameter on the new stack
R_GP1     equ R + 0x30
R_GCS     equ R + 0x34      ; caller CS as pushed
R_GSS     equ R + 0x38      ; caller SS as pushed
R_GCPL    equ R + 0x3c      ; CS inside the gate target
R_UESP    equ R + 0x40      ; user ESP after RETF 8
KSTACK    equ 0x9000
USTACK    equ 0x7000

        org 0x1000
        bits 32
start:
        lgdt [gdtr]
        jmp 0x08:.k
.k:     mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x8000
        mov eax, tss
        mov [gdt_tss + 2], ax
        shr eax, 16
        mov [gdt_tss + 4], al
        mov [gdt_tss + 7], ah
        mov dword [tss + 4], KSTACK     ; ESP0
        mov dword [tss + 8], 0x10       ; SS0
        mov word [tss + 0x66], iomap - tss
        mov eax, gate_fn                ; call gate 0x30: DPL 3, 2 dword parameters
        mov [gdt_gate], ax
        shr eax, 16
        mov [gdt_gate + 6], ax
        mov ax, 0x28
        ltr ax
        mov edi, idt + 13 * 8
        mov eax, gp_handler
        mov ebx, 0x8e00
        call set_gate
        mov edi, idt + 0x80 * 8
        mov eax, int80_handler
        mov ebx, 0xee00
        call set_gate
        mov edi, idt + 0x82 * 8
        mov eax, done_handler
        mov ebx, 0xee00
        call set_gate
        lidt [idtr]
        push 0x23
        push USTACK
        push 0x202
        push 0x1b
        push user
        iretd

; edi = gate, eax = handler, ebx = attributes
set_gate:
        mov [edi], ax
        mov word [edi + 2], 0x08
        mov [edi + 4], bx
        shr eax, 16
        mov [edi + 6], ax
        ret

int80_handler:
        push ds
        push eax
        mov ax, 0x10
        mov ds, ax
        mov eax, [esp + 12]          ; CS
        mov [R_I80CS], eax
        mov eax, [esp + 24]          ; SS
        mov [R_I80SS], eax
        mov eax, [esp + 20]          ; ESP
        mov [R_I80ESP], eax
        lea eax, [esp + 8]
        mov [R_I80KSP], eax
        pop eax
        pop ds
        iretd

gp_handler:
        push ds
        push eax
        push ecx
        mov ax, 0x10
        mov ds, ax
        mov ecx, [R_GPN]
        mov eax, [esp + 12]          ; error code
        mov [R_GPERR + ecx * 4], eax
        inc dword [R_GPN]
        mov eax, [R_SKIP]
        add [esp + 16], eax
        pop ecx
        pop eax
        pop ds
        add esp, 4
        iretd

gate_fn:                             ; ring 0, reached through the call gate
        push ds
        push eax
        mov ax, 0x10
        mov ds, ax
        mov eax, [esp + 16]
        mov [R_GP0], eax
        mov eax, [esp + 20]
        mov [R_GP1], eax
        mov eax, [esp + 12]
        mov [R_GCS], eax
        mov eax, [esp + 28]
        mov [R_GSS], eax
        mov ax, cs
        mov [R_GCPL], ax
        pop eax
        pop ds
        retf 8

done_handler:
        mov ax, 0x10
        mov ds, ax
        mov eax, [esp + 4]
        mov [R_RETCS], eax
        mov dword [R_DONE], 0xd0d0
        hlt

user:
        mov ax, ds
        mov [ss:R_UDS], ax           ; DS was nulled by the IRET to ring 3
        mov ax, 0x23
        mov ds, ax
        mov es, ax
        int 0x80
        mov al, 'A'
        out 0xe9, al                 ; allowed by the I/O bitmap
        mov dword [R_SKIP], 2
        in al, 0x60                  ; #GP(0)
        mov dword [R_SKIP], 1
        cli                          ; #GP(0): IOPL 0
        push 0x11111111
        push 0x22222222
        call 0x33:0                  ; through the call gate (offset ignored)
        mov [R_UESP], esp
        int 0x82
        jmp $

        align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff        ; 0x08 code, DPL 0
        dq 0x00cf92000000ffff        ; 0x10 data, DPL 0
        dq 0x00cffa000000ffff        ; 0x18 code, DPL 3
        dq 0x00cff2000000ffff        ; 0x20 data, DPL 3
gdt_tss:
        dw tss_end - tss - 1, 0      ; 0x28 32-bit TSS
        db 0, 0x89, 0, 0
gdt_gate:
        dw 0, 0x08                   ; 0x30 call gate -> 0x08:gate_fn (filled in)
        db 2, 0xec
        dw 0
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr:   dw 256 * 8 - 1
        dd idt
        align 16
tss:    times 0x68 db 0
iomap:  times 0xe9 / 8 db 0xff
        db 0xff & ~(1 << (0xe9 % 8))  ; port E9h allowed
        times 8192 - (0xe9 / 8) - 1 db 0xff
        db 0xff
tss_end:
        align 16
idt:    times 256 * 8 db 0
