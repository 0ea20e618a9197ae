; debugreg.asm - breakpoints through the debug registers (SDM vol. 3B
; 17.2-17.3): an instruction breakpoint (fault before the instruction;
; RF set in the saved EFLAGS lets it run once), data write breakpoints of
; 4 bytes (trap after the instruction; overlapping byte writes hit,
; reads and neighbouring bytes do not) and a 2-byte read/write
; breakpoint.  QEMU agrees; the cases QEMU's TCG does not model are in
; debugreg_sdm.asm.
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, bss_end
%include "guest_lib.inc"
%include "db_handler.inc"

start:
    FLAT_GDT
    call serial_init
    mov esi, msg_start
    call puts
    DB_IDT

    ; 1. instruction breakpoint on 'target' (DR0, L0, R/W=00, LEN=00)
    mov esi, msg_exec
    call puts
    xor ebx, ebx
    mov eax, target
    mov dr0, eax
    mov eax, 0x00000001
    mov dr7, eax
    call target
    mov eax, ebx                   ; target ran exactly once
    call putdec
    call newline
    xor eax, eax
    mov dr7, eax

    ; 2. data write breakpoint, 4 bytes at 'var' (DR1, L1, R/W=01, LEN=11)
    mov esi, msg_write
    call puts
    mov eax, var
    mov dr1, eax
    mov eax, 0x00d00004
    mov dr7, eax
    mov dword [var], 5             ; hit
    mov eax, [var]                 ; read: no hit
    mov byte [var + 3], 1          ; overlapping byte: hit
    mov byte [var + 4], 1          ; next dword: no hit
    xor eax, eax
    mov dr7, eax

    ; 3. read/write breakpoint, 2 bytes at 'var2' (DR3, L3, R/W=11, LEN=01)
    mov esi, msg_rw
    call puts
    mov eax, var2
    mov dr3, eax
    mov eax, 0x70000040
    mov dr7, eax
    mov ax, [var2]                 ; hit
    mov al, [var2 + 1]             ; hit
    mov al, [var2 + 2]             ; no hit
    xor eax, eax
    mov dr7, eax

    mov esi, msg_done
    call puts
    EXIT 0x10

target:
    inc ebx
    ret

msg_start: db "-- guest start --", 10, 0
msg_exec: db "instruction breakpoint:", 10, 0
msg_write: db "data write breakpoint:", 10, 0
msg_rw: db "data read/write breakpoint:", 10, 0
msg_done: db "done", 10, 0

align 8
idt_desc:
    dw 8 * 32 - 1
    dd idt
align 16
var: dd 0, 0
var2: dd 0
align 8
idt: times 32 dq 0
load_end:
bss_end:
