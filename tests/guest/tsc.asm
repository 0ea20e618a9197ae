; tsc.asm - the time stamp counter follows the machine's virtual clock at
; 1 GHz.  Under -icount shift=1 (2 ns per instruction) the TSC delta
; between two RDTSCs separated by exactly 10,000,002 instructions (two
; MOVs and 10^7 LOOPs) plus the first RDTSC itself is 2 x 10,000,003.
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, load_end
%include "guest_lib.inc"

start:
    mov esp, 0x90000
    call serial_init
    mov esi, msg_start
    call puts
    rdtsc
    mov ebx, eax
    mov ecx, 10000000
.spin:
    loop .spin
    rdtsc
    sub eax, ebx
    call putdec
    call newline
    EXIT 0x10

msg_start: db "-- guest start --", 10, 0
load_end:
