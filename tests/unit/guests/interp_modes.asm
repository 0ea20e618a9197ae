; interp_modes.asm - guest for test_interp_guest: starts in real mode at
; 0000:1000 and itself switches real -> 32-bit protected -> 64-bit long
; mode (SDM vol. 3A 9.9 / 9.8.5), then takes #DE through the IDT, three
; page faults (not present, write to read-only with CR0.WP, NX fetch)
; recording CR2 and the error code, and a hardware interrupt after
; STI; HLT.  Results go to a table at 0x500 that the test reads.
ORG_ADDR equ 0x1000
RES      equ 0x500
R_REAL   equ RES + 0x00   ; word 0x1234
R_INT80  equ RES + 0x02   ; word 0x80, set by the real-mode INT 80h handler
R_PM     equ RES + 0x08
R_LM     equ RES + 0x10
R_DERIP  equ RES + 0x18
R_DEOK   equ RES + 0x20
R_PFN    equ RES + 0x28
R_PFERR  equ RES + 0x30   ; 4 qwords
R_PFCR2  equ RES + 0x50   ; 4 qwords
R_IRQ    equ RES + 0x70
R_DONE   equ RES + 0x78
R_BACK   equ RES + 0x80   ; word 0xbac0 once back in real mode
RO_PAGE  equ 0x9000
NX_PAGE  equ 0xb000

        org ORG_ADDR
        bits 16
start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x8000
        mov word [R_REAL], 0x1234
        mov word [0x80 * 4], rm_int80
        mov word [0x80 * 4 + 2], 0
        int 0x80
        lgdt [gdtr]
        mov eax, cr0
        or eax, 1
        mov cr0, eax
        jmp dword 0x08:pm32

rm_int80:
        mov word [R_INT80], 0x80
        iret

        bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x8000
        mov dword [R_PM], 0x32323232
        mov eax, cr4
        or eax, 0x20                ; PAE
        mov cr4, eax
        mov eax, pml4
        mov cr3, eax
        mov ecx, 0xc0000080         ; EFER
        rdmsr
        or eax, 0x900               ; LME | NXE
        wrmsr
        mov eax, cr0
        or eax, 0x80010000          ; PG | WP
        mov cr0, eax
        jmp 0x18:lm64

        bits 64
lm64:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov rsp, 0x8000
        mov dword [R_LM], 0x64646464
        ; IDT gates: 0 (#DE), 14 (#PF), 0x20 (IRQ)
        mov rdi, idt
        lea rax, [rel de_handler]
        call set_gate
        lea rdi, [idt + 14 * 16]
        lea rax, [rel pf_handler]
        call set_gate
        lea rdi, [idt + 0x20 * 16]
        lea rax, [rel irq_handler]
        call set_gate
        lidt [idtr]

        xor edx, edx
        mov eax, 100
        xor ecx, ecx
de_insn:
        div ecx                     ; #DE, handler skips 2 bytes
        mov qword [R_DEOK], 1

        mov rbx, 0x40000000
        mov rax, [rbx]              ; #PF not present, read: err 0
        mov rbx, RO_PAGE + 8
        mov [rbx], rax              ; #PF write to read-only: err 3
        mov byte [NX_PAGE], 0xc3    ; ret
        mov rax, NX_PAGE
        call rax                    ; #PF NX fetch: err 0x11, handler emulates ret

        sti
        hlt                         ; vcpu_run returns HALT; the test raises IRQ 0x20
        cli
        mov qword [R_DONE], 0xd0d0
        ; and back: compatibility mode, paging off (clears EFER.LMA),
        ; 16-bit protected mode, PE off, real mode (SDM vol. 3A 9.8.5.4, 9.9.2)
        jmp far dword [rel to_compat]   ; m16:32 (no REX.W)

        bits 32
compat32:
        mov eax, cr0
        and eax, 0x7fffffff
        mov cr0, eax
        mov ecx, 0xc0000080
        rdmsr
        and eax, ~0x100
        wrmsr
        jmp 0x20:pm16

        bits 16
pm16:
        mov ax, 0x28
        mov ds, ax
        mov ss, ax
        mov eax, cr0
        and eax, ~1
        mov cr0, eax
        jmp 0:real_again
real_again:
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x8000
        mov word [R_BACK], 0xbac0
        hlt

        bits 64
to_compat:
        dd compat32
        dw 0x08

; rdi = gate address, rax = handler
set_gate:
        mov [rdi], ax
        mov word [rdi + 2], 0x18
        mov word [rdi + 4], 0x8e00
        shr rax, 16
        mov [rdi + 6], ax
        shr rax, 16
        mov [rdi + 8], eax
        mov dword [rdi + 12], 0
        ret

de_handler:
        mov rax, [rsp]
        mov [R_DERIP], rax
        add qword [rsp], 2
        iretq

pf_handler:
        push rax
        push rcx
        push rdx
        mov rcx, [R_PFN]
        mov rax, [rsp + 24]         ; error code
        mov [R_PFERR + rcx * 8], rax
        mov rdx, cr2
        mov [R_PFCR2 + rcx * 8], rdx
        inc qword [R_PFN]
        cmp rdx, [rsp + 32]         ; fetch fault: RIP == CR2
        jne .skip
        mov rax, [rsp + 56]         ; interrupted RSP
        mov rcx, [rax]              ; return address of the CALL
        mov [rsp + 32], rcx
        add qword [rsp + 56], 8
        jmp .out
.skip:
        add qword [rsp + 32], 3     ; the faulting movs are 3 bytes
.out:
        pop rdx
        pop rcx
        pop rax
        add rsp, 8                  ; drop the error code
        iretq

irq_handler:
        inc qword [R_IRQ]
        iretq

        align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff       ; 0x08: 32-bit code
        dq 0x00cf92000000ffff       ; 0x10: data
        dq 0x00af9a000000ffff       ; 0x18: 64-bit code
        dq 0x00009a000000ffff       ; 0x20: 16-bit code, 64 KiB
        dq 0x000092000000ffff       ; 0x28: 16-bit data, 64 KiB
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dq gdt
idtr:   dw 256 * 16 - 1
        dq idt

        align 4096
idt:    times 256 * 16 db 0
pml4:   dq pdpt + 3
        times 511 dq 0
pdpt:   dq pd + 3
        times 511 dq 0              ; 0x40000000 is not present
pd:     dq pt + 3
        dq 0x200000 + 0x83          ; 2 MiB page
        times 510 dq 0
pt:
%assign i 0
%rep 512
  %if i * 0x1000 == RO_PAGE
        dq (i << 12) | 1            ; present, read-only
  %elif i * 0x1000 == NX_PAGE
        dq (i << 12) | 3 | (1 << 63) ; present, writable, no-execute
  %else
        dq (i << 12) | 3
  %endif
  %assign i i + 1
%endrep
