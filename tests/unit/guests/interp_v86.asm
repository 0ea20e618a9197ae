; interp_v86.asm - guest for test_interp_guest, entered directly in flat
; 32-bit protected mode at 0x1000.  It enters virtual-8086 mode with
; IRETD (IOPL 0), where real-mode code at 2000:0000 stores through DS,
; executes CLI and INT 30h (both #GP(0) at IOPL < 3, SDM vol. 3A 20.2.7)
; which reach the ring-0 #GP handler with ES/DS/FS/GS saved on its
; stack; the handler resumes V86 code once (IRETD back to VM=1) and
; finishes on the second fault.  Results at 0x600.
R         equ 0x600
R_GPN     equ R + 0x00
R_GPCS    equ R + 0x04
R_GPFL    equ R + 0x08
R_GPDS    equ R + 0x0c
R_GPIP    equ R + 0x10
R_HDS     equ R + 0x14      ; DS inside the handler (nulled)
V86_SEG   equ 0x2000

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
        mov dword [tss + 4], 0x9000     ; ESP0
        mov dword [tss + 8], 0x10       ; SS0
        mov word [tss + 0x66], 0x68     ; no I/O bitmap
        mov ax, 0x18
        ltr ax
        mov eax, gp_handler
        mov [idt + 13 * 8], ax
        mov word [idt + 13 * 8 + 2], 0x08
        mov word [idt + 13 * 8 + 4], 0x8e00
        shr eax, 16
        mov [idt + 13 * 8 + 6], ax
        lidt [idtr]
        ; copy the V86 code to 2000:0000
        mov esi, v86_code
        mov edi, V86_SEG * 16
        mov ecx, v86_end - v86_code
        rep movsb
        push 0                          ; GS
        push 0                          ; FS
        push 0x50                       ; DS
        push 0                          ; ES
        push 0x3000                     ; SS
        push 0x0100                     ; ESP
        push 0x00020002                 ; EFLAGS: VM, IOPL 0
        push V86_SEG                    ; CS
        push 0                          ; EIP
        iretd

gp_handler:
        mov [ss:R_HDS], ds
        push eax
        mov ax, 0x10
        mov ds, ax
        inc dword [R_GPN]
        mov eax, [esp + 8]              ; EIP
        mov [R_GPIP], eax
        mov eax, [esp + 12]             ; CS
        mov [R_GPCS], eax
        mov eax, [esp + 16]             ; EFLAGS
        mov [R_GPFL], eax
        mov eax, [esp + 32]             ; saved DS (after ESP, SS, ES)
        mov [R_GPDS], eax
        cmp dword [R_GPN], 2
        je .done
        pop eax
        add esp, 4                      ; error code
        inc dword [esp]                 ; skip the 1-byte CLI
        iretd
.done:  hlt

        bits 16
v86_code:
        mov word [0x00], 0x8686         ; DS = 0x50: linear 0x500
        cli
        int 0x30
        jmp $
v86_end:

        bits 32
        align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff           ; 0x08 code
        dq 0x00cf92000000ffff           ; 0x10 data
gdt_tss:
        dw 0x67, 0                      ; 0x18 TSS
        db 0, 0x89, 0, 0
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr:   dw 256 * 8 - 1
        dd idt
        align 16
tss:    times 0x68 db 0
        align 16
idt:    times 256 * 8 db 0
