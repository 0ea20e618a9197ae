; interp_paging.asm - 32-bit code snippets for test_interp_mmu, loaded at
; 0x1000 and entered at fixed offsets; the test builds the page tables
; (32-bit with 4 MiB pages, PAE with 2 MiB pages and NX) and the IDT.
        org 0x1000
        bits 32
; 0x1000: load through a large page, store through it, halt
snip_rw:
        mov eax, [0x400010]
        mov [0x400020], ebx
        hlt
        times 0x100 - ($ - $$) db 0x90
; 0x1100: read an unmapped address (#PF)
snip_read_np:
        mov eax, [0xc00000]
        hlt
        times 0x200 - ($ - $$) db 0x90
; 0x1200: write to address in ESI (#PF if read-only)
snip_write:
        mov [esi], ebx
        mov eax, 0x600d
        hlt
        times 0x300 - ($ - $$) db 0x90
; 0x1300: call the address in ESI (NX fetch test)
snip_call:
        call esi
        mov eax, 0x600d
        hlt
        times 0x400 - ($ - $$) db 0x90
; 0x1400: read [esi], rewrite the PTE at [edi] to EDX, reload CR3 or
; INVLPG (ECX = 0: mov cr3; 1: invlpg [ebp]), read [esi] again
snip_remap:
        mov eax, [esi]
        mov [edi], edx
        test ecx, ecx
        jnz .inv
        mov ebx, cr3
        mov cr3, ebx
        jmp .re
.inv:   invlpg [ebp]
.re:    mov ebx, [esi]
        hlt
        times 0x800 - ($ - $$) db 0x90
; 0x1800: #PF handler: EAX = CR2, EBX = error code, EDX = faulting EIP
pf_handler:
        mov eax, cr2
        pop ebx
        mov edx, [esp]
        hlt
