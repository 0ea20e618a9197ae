; pit_calib.asm - Linux's "quick PIT calibration" of the TSC (the fast path
; of arch/x86/kernel/tsc.c, written anew from its description): PIT
; channel 2 in mode 0 counting down from 0xFFFF with the gate on (port
; 0x61 bit 0); for each MSB value the TSC is read while the MSB stays put
; (read LSB, read MSB), and the TSC reads around each MSB change must be
; close enough that the error is below 500 ppm within 50 ms.  A PIT and a
; TSC that tick steadily against one clock pass; the guest prints "ok" and
; the TSC frequency rounded to 10 MHz.  (8254 datasheet: mode 0 loads the
; count at the next CLK edge, read order LSB then MSB after a lo/hi count
; write; SDM RDTSC.)  The first read pair after programming must already
; see the count: on a PC each ISA I/O cycle takes about a microsecond,
; longer than a PIT clock, and vireo charges that time (hw/core/machine.c).
; The calibration itself is statistical (a host preempting the emulator at
; the wrong moment spoils a run), so it gets ten tries, as an OS may.
; Expected output from the algorithm, not QEMU: QEMU 7.2's TCG fails this
; calibration (its TSC reads are not steady against its PIT).
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, load_end
%include "guest_lib.inc"

%define MAX_ITER 233                  ; 50 ms of 256-tick MSB steps at 1.193182 MHz

start:
    mov esp, 0x90000
    call serial_init
    mov esi, msg_start
    call puts
    mov dword [tries], 10             ; a busy host may preempt a run: 10 tries
calibrate:
    in al, 0x61                       ; gate high, speaker off
    and al, 0xfd
    or al, 1
    out 0x61, al
    mov al, 0xb0                      ; counter 2, lo/hi, mode 0, binary
    out 0x43, al
    mov al, 0xff
    out 0x42, al
    out 0x42, al
    in al, 0x42                       ; one read-back as the delay (LSB, MSB)
    in al, 0x42
    in al, 0x42                       ; the count must be loaded by now
    in al, 0x42
    cmp al, 0xff
    jne not_loaded
    mov bl, 0xff
    call expect_msb                   ; -> ESI:EDI = tsc, EBP = d1, CF = fail
    jc fail
    mov [tsc0], edi
    mov [tsc0 + 4], esi
    mov [d1], ebp
    mov dword [iter], 1
.next:
    mov ecx, [iter]
    cmp ecx, MAX_ITER
    ja fail
    mov bl, 0xff
    sub bl, cl
    call expect_msb                   ; ESI:EDI = tsc at this step, EBP = d2
    jc fail
    sub edi, [tsc0]                   ; delta (low 32 bits suffice: < 4 s)
    mov [delta], edi
    mov eax, [d1]
    add eax, ebp                      ; d1 + d2
    mov edx, edi
    shr edx, 11                       ; delta >> 11: 500 ppm
    cmp eax, edx
    jb .good
    inc dword [iter]
    jmp .next
.good:
    mov bl, 0xfe
    sub bl, byte [iter]
    call verify_msb
    jnz fail
    ; frequency = delta / (iter * 256 ticks / 1193182 Hz), in MHz / 10
    mov eax, [delta]
    mov ecx, 1193182
    mul ecx                           ; EDX:EAX = delta * PIT Hz
    mov ecx, [iter]
    shl ecx, 8
    div ecx                           ; EAX = TSC Hz
    xor edx, edx
    mov ecx, 10000000
    add eax, 5000000
    div ecx                           ; tens of MHz, rounded
    push eax
    mov esi, msg_ok
    call puts
    pop eax
    call putdec
    mov esi, msg_mhz
    call puts
    EXIT 0x10
not_loaded:
    mov esi, msg_notloaded
    call puts
    EXIT 0x11
fail:
    dec dword [tries]
    jnz calibrate
    mov esi, msg_fail
    call puts
    mov eax, [iter]
    call putdec
    call newline
    EXIT 0x11

; ZF=1 when the counter's MSB equals BL (the LSB is read and dropped).
verify_msb:
    in al, 0x42
    in al, 0x42
    cmp al, bl
    ret

; Read the TSC while the MSB stays BL.  Out: ESI:EDI = last TSC seen with
; the MSB at BL, EBP = TSC(now) - the TSC before that, CF set unless more
; than 5 reads saw BL.
expect_msb:
    xor esi, esi
    xor edi, edi
    mov dword [prev], 0
    mov dword [prev + 4], 0
    xor ecx, ecx
.loop:
    cmp ecx, 50000
    jae .done
    call verify_msb
    jne .done
    mov [prev], edi
    mov [prev + 4], esi
    rdtsc
    mov edi, eax
    mov esi, edx
    inc ecx
    jmp .loop
.done:
    rdtsc
    sub eax, [prev]
    mov ebp, eax
    cmp ecx, 6
    ret                               ; CF = (count < 6)

msg_start: db "-- guest start --", 10, 0
msg_ok: db "quick PIT calibration ok: ", 0
msg_mhz: db "0 MHz", 10, 0
msg_fail: db "quick PIT calibration failed at step ", 0
msg_notloaded: db "PIT count not loaded after two ISA read cycles", 10, 0
align 4096                            ; data apart from code: stores to a code page
                                      ; cost the software CPU a re-decode
tsc0: dd 0, 0
prev: dd 0, 0
d1: dd 0
delta: dd 0
iter: dd 0
tries: dd 0
load_end:
