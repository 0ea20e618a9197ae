; interp_string.asm - guest for test_interp_guest, entered directly in
; flat 32-bit protected mode at 0x1000 (no paging): REP MOVSB and
; REP STOSD with DF=0 and DF=1, self-modifying code (a patched CALL
; target and a store into the next instruction of the same block), code
; rewritten behind the CPU's back with and without flush_code (the test
; does that at the two OUT 0xF4 stops), an MMIO load/store, and a store
; that crosses a page boundary.  Results go to 0x500.
R       equ 0x500
SRC_N   equ 37
DST1    equ 0x3000
DST2    equ 0x3100
DST3    equ 0x3200
DST4    equ 0x3300
MMIO    equ 0xfee00000

        org 0x1000
        bits 32
start:
        cld
        mov esi, src
        mov edi, DST1
        mov ecx, SRC_N
        rep movsb
        mov [R + 0], esi
        mov [R + 4], edi
        mov [R + 8], ecx

        std
        mov esi, src + SRC_N - 1
        mov edi, DST2 + SRC_N - 1
        mov ecx, SRC_N
        rep movsb
        cld
        mov [R + 12], esi
        mov [R + 16], edi

        mov eax, 0xdeadbeef
        mov edi, DST3
        mov ecx, 5
        rep stosd
        mov [R + 20], edi

        std
        mov eax, 0x01020304
        mov edi, DST4 + 16
        mov ecx, 5
        rep stosd
        cld
        mov [R + 24], edi

        call f
        mov [R + 28], eax           ; 1
        mov byte [f + 1], 2         ; patch the immediate of f
        call f
        mov [R + 32], eax           ; 2

        mov byte [next + 1], 0x55   ; patch the very next instruction
next:   mov al, 0x11
        mov [R + 36], al            ; 0x55
        call f                      ; decode f again (the patch above dropped the page)

        out 0xf4, al                ; stop 1: test rewrites f without flush_code
        call f
        mov [R + 40], eax           ; still 2: the decoded block is used
        out 0xf4, al                ; stop 2: test rewrites f and calls flush_code
        call f
        mov [R + 44], eax           ; 9

        mov eax, [MMIO]
        mov [R + 48], eax           ; 0x12345678 from the fake bus
        mov dword [MMIO + 4], 0xcafe

        mov dword [0x3ffe], 0x11223344   ; crosses 0x4000
        mov eax, [0x3ffe]
        mov [R + 52], eax
        hlt

f:      mov eax, 1
        ret

src:
%assign i 0
%rep SRC_N
        db i * 7 + 3
%assign i i + 1
%endrep
