; debugreg_sdm.asm - debug-register cases whose expected output comes
; from the SDM (vol. 3B 17.2.4, 17.3.1.2, 17.3.1.3, 17.3.1.4) because
; QEMU 7.2's TCG does not model them (no I/O breakpoints, no DR7.GD, and
; it reports a single-step trap inside the #DB handler instead of one #DB
; with BS and B1), and this host's KVM cannot run the guest (IRET in
; kernel mode): an I/O breakpoint on port 0x80 with CR4.DE (trap after
; OUT, EIP of the next instruction; port 0x81 does not hit), single step
; plus a data write breakpoint in the same instruction (one #DB, DR6 =
; BS|B1, EIP after the instruction), and general detect (MOV from DR0
; with DR7.GD=1 faults with DR6.BD at the MOV itself; GD is clear in the
; handler, so the MOV then runs and DR7.GD reads 0).
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

    ; 1. I/O breakpoint on port 0x80 (DR2, L2, R/W=10, LEN=00) with CR4.DE
    mov esi, msg_io
    call puts
    mov eax, cr4
    or eax, 8
    mov cr4, eax
    mov eax, 0x80
    mov dr2, eax
    mov eax, 0x02000010
    mov dr7, eax
    mov al, 0x55
io_insn:
    out 0x80, al                   ; hit: #DB with EIP = next instruction
io_next:
    out 0x81, al                   ; no hit
    xor eax, eax
    mov dr7, eax
    mov eax, io_next
    call puthex32
    call newline

    ; 2. single step and a data breakpoint in the same instruction:
    ; 4 bytes at 'var' (DR1, L1, R/W=01, LEN=11)
    mov esi, msg_step
    call puts
    mov eax, var
    mov dr1, eax
    mov eax, 0x00d00004
    mov dr7, eax
    pushfd
    or dword [esp], 0x100
    popfd
    mov dword [var], 7             ; one #DB: BS and B1 (handler clears TF)
step_next:
    nop
    xor eax, eax
    mov dr7, eax
    mov eax, step_next
    call puthex32
    call newline

    ; 3. general detect
    mov esi, msg_gd
    call puts
    mov eax, 0x00002000
    mov dr7, eax
gd_insn:
    mov eax, dr0                   ; #DB fault at this MOV, BD; GD cleared
    mov eax, dr7
    and eax, 0x2000
    call puthex32
    call newline
    mov eax, gd_insn
    call puthex32
    call newline

    mov esi, msg_done
    call puts
    EXIT 0x10

msg_start: db "-- guest start --", 10, 0
msg_io: db "I/O breakpoint:", 10, 0
msg_step: db "single step + data:", 10, 0
msg_gd: db "general detect:", 10, 0
msg_done: db "done", 10, 0

align 8
idt_desc:
    dw 8 * 32 - 1
    dd idt
align 16
var: dd 0, 0
align 8
idt: times 32 dq 0
load_end:
bss_end:
