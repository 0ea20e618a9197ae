; uart.asm - the 16550A as a guest sees it (PC16550D datasheet values):
; scratch register, divisor latch, IIR with FIFOs, loopback data path and
; loopback modem-status wiring, THRE/TEMT after a transmit.
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, load_end
%include "guest_lib.inc"

%macro CHECK 3                ; register-offset-name, expected AL, label text
    mov esi, %3
    call puts
    mov dx, COM1 + %1
    in al, dx
    movzx eax, al
    call puthex8
    cmp al, %2
    je %%ok
    mov esi, msg_fail
    call puts
    jmp %%next
%%ok:
    mov esi, msg_ok
    call puts
%%next:
%endmacro

%macro SHOW 3                 ; saved byte, expected, label text
    mov esi, %3
    call puts
    movzx eax, byte [%1]
    call puthex8
    cmp al, %2
    je %%ok
    mov esi, msg_fail
    call puts
    jmp %%next
%%ok:
    mov esi, msg_ok
    call puts
%%next:
%endmacro

start:
    mov esp, 0x90000
    call serial_init
    mov esi, msg_start
    call puts

    ; scratch register holds any value
    mov dx, COM1 + 7
    mov al, 0xa5
    out dx, al
    CHECK 7, 0xa5, msg_scr
    ; IIR with FIFOs enabled and nothing pending: 0xc1
    CHECK 2, 0xc1, msg_iir
    ; LCR as programmed by serial_init (8N1)
    CHECK 3, 0x03, msg_lcr
    ; divisor latch reads back through DLAB (read both, then leave DLAB
    ; before printing: with DLAB set, offset 0 is DLL, not THR)
    mov dx, COM1 + 3
    mov al, 0x83
    out dx, al
    mov dx, COM1
    in al, dx
    mov bl, al
    mov dx, COM1 + 1
    in al, dx
    mov bh, al
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al
    mov esi, msg_dll
    call puts
    movzx eax, bl
    call puthex8
    call newline
    mov esi, msg_dlm
    call puts
    movzx eax, bh
    call puthex8
    call newline
    ; transmitter idle: LSR = THRE|TEMT = 0x60
    CHECK 5, 0x60, msg_lsr

    ; loopback: MCR = LOOP|OUT2|OUT1|RTS|DTR.  Nothing reaches the line in
    ; this mode, so collect the values first and print them afterwards.
    mov dx, COM1 + 4
    mov al, 0x1f
    out dx, al
    ; MSR: CTS<-RTS, DSR<-DTR, RI<-OUT1, DCD<-OUT2 in the upper nibble;
    ; read once to clear the delta bits, then expect exactly 0xf0
    mov dx, COM1 + 6
    in al, dx
    in al, dx
    mov [res_msr], al
    mov dx, COM1
    mov al, 'Z'
    out dx, al
    mov dx, COM1 + 5
    in al, dx
    mov [res_lsr_dr], al
    mov dx, COM1
    in al, dx
    mov [res_rbr], al
    mov dx, COM1 + 5
    in al, dx
    mov [res_lsr], al
    ; leave loopback
    mov dx, COM1 + 4
    mov al, 0x03
    out dx, al
    SHOW res_msr, 0xf0, msg_msr
    SHOW res_lsr_dr, 0x61, msg_lsr_dr
    SHOW res_rbr, 'Z', msg_rbr
    SHOW res_lsr, 0x60, msg_lsr
    EXIT 0x10

puthex8:
    push eax
    push ecx
    push edx
    mov edx, eax
    shl edx, 24
    mov ecx, 2
.d:
    rol edx, 4
    mov al, dl
    and al, 0x0f
    add al, '0'
    cmp al, '9'
    jbe .o
    add al, 'a' - '9' - 1
.o:
    call putc
    loop .d
    pop edx
    pop ecx
    pop eax
    ret

msg_start:  db "-- guest start --", 10, 0
msg_scr:    db "SCR=", 0
msg_iir:    db "IIR=", 0
msg_lcr:    db "LCR=", 0
msg_dll:    db "DLL=", 0
msg_dlm:    db "DLM=", 0
msg_lsr:    db "LSR=", 0
msg_msr:    db "MSR(loop)=", 0
msg_lsr_dr: db "LSR(loop)=", 0
msg_rbr:    db "RBR(loop)=", 0
msg_ok:     db " ok", 10, 0
msg_fail:   db " FAIL", 10, 0
res_msr:    db 0
res_lsr_dr: db 0
res_rbr:    db 0
res_lsr:    db 0
load_end:
