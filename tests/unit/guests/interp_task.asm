; interp_task.asm - guest for test_interp_guest, entered directly in flat
; 32-bit protected mode at 0x1000: hardware task switches with 32-bit
; TSSs (SDM vol. 3A ch. 7).  Task A CALLs TSS B (NT and back link set),
; B returns with IRETD (task return, B no longer busy), then a #UD with
; no handler escalates to #DF, delivered through a task gate to task C
; (the 32-bit kernels' double-fault task), which finds the error code 0
; on its stack.  Results at 0x700.
R         equ 0x700
R_BLINK   equ R + 0x00      ; task B: back link
R_BFL     equ R + 0x04      ; task B: EFLAGS (NT)
R_BEAX    equ R + 0x08      ; task B: EAX loaded from its TSS
R_AEAX    equ R + 0x0c      ; task A after the return: EAX restored
R_BBUSY   equ R + 0x10      ; TSS B descriptor type byte after the return
R_CLINK   equ R + 0x14      ; task C: back link
R_CERR    equ R + 0x18      ; task C: error code on its stack
R_CCR0    equ R + 0x1c      ; task C: CR0 (TS set)
R_CEIP    equ R + 0x20      ; task A's saved EIP in TSS A (the UD2)

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
        mov edi, gdt + 0x18
        mov eax, tss_a
        call set_base
        mov edi, gdt + 0x20
        mov eax, tss_b
        call set_base
        mov edi, gdt + 0x28
        mov eax, tss_c
        call set_base
        ; task images
        mov dword [tss_b + 0x20], task_b
        mov dword [tss_b + 0x24], 0x2
        mov dword [tss_b + 0x28], 0xbbbb        ; EAX
        mov dword [tss_b + 0x38], 0x7000        ; ESP
        mov dword [tss_b + 0x4c], 0x08          ; CS
        mov dword [tss_b + 0x48], 0x10          ; ES
        mov dword [tss_b + 0x50], 0x10          ; SS
        mov dword [tss_b + 0x54], 0x10          ; DS
        mov dword [tss_c + 0x20], task_c
        mov dword [tss_c + 0x24], 0x2
        mov dword [tss_c + 0x38], 0x6000
        mov dword [tss_c + 0x4c], 0x08
        mov dword [tss_c + 0x48], 0x10
        mov dword [tss_c + 0x50], 0x10
        mov dword [tss_c + 0x54], 0x10
        mov ax, 0x18
        ltr ax
        lidt [idtr]
        mov eax, 0xaaaa
        call 0x20:0                  ; task switch to B
        mov [R_AEAX], eax
        mov al, [gdt + 0x20 + 5]
        mov [R_BBUSY], al
        ud2                          ; -> #NP -> #NP -> #DF -> task C
        jmp $

; edi = descriptor, eax = base
set_base:
        mov [edi + 2], ax
        shr eax, 16
        mov [edi + 4], al
        mov [edi + 7], ah
        ret

task_b:
        mov [R_BEAX], eax
        mov ax, [tss_b]
        mov [R_BLINK], ax
        pushfd
        pop eax
        mov [R_BFL], eax
        iretd                        ; NT=1: back to task A
        jmp $

task_c:
        mov ax, [tss_c]
        mov [R_CLINK], ax
        pop eax
        mov [R_CERR], eax
        mov eax, cr0
        mov [R_CCR0], eax
        mov eax, [tss_a + 0x20]
        mov [R_CEIP], eax
        hlt

        align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff        ; 0x08 code
        dq 0x00cf92000000ffff        ; 0x10 data
        dw 0x67, 0                   ; 0x18 TSS A
        db 0, 0x89, 0, 0
        dw 0x67, 0                   ; 0x20 TSS B
        db 0, 0x89, 0, 0
        dw 0x67, 0                   ; 0x28 TSS C
        db 0, 0x89, 0, 0
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr:   dw 256 * 8 - 1
        dd idt
        align 16
tss_a:  times 0x68 db 0
tss_b:  times 0x68 db 0
tss_c:  times 0x68 db 0
        align 16
idt:    times 8 * 8 db 0
        dw 0, 0x28                   ; vector 8: task gate -> TSS C
        db 0, 0x85
        dw 0
        times (256 - 9) * 8 db 0
