; pci.asm - the PCI side of the PC as a guest sees it: configuration
; mechanism #1 (0xCF8/0xCFC) reading the IDs of the i440FX host bridge
; (00:00.0), the PIIX3 ISA bridge (00:01.0) and the PIIX4 power
; management function (00:01.3), an absent device reading all ones, the
; ACPI PM timer at PMBA+8 advancing, and finally an ACPI S5 request
; (SLP_TYP 0 | SLP_EN in PM1a_CNT), which powers the machine off: the
; emulator exits with status 0.  QEMU's PC has the same functions and
; the same PMBA (0x600, set by its firmware), so it must print the same.
bits 32
org 0x100000
%include "guest.inc"
MULTIBOOT_AOUT_HEADER start, load_end, load_end
%include "guest_lib.inc"

%define PMBA 0x600

start:
    mov esp, 0x90000
    call serial_init
    mov esi, msg_start
    call puts
    mov ebx, 0x80000000            ; 00:00.0 register 0
    call show_id
    mov ebx, 0x80000800            ; 00:01.0
    call show_id
    mov ebx, 0x80000b00            ; 00:01.3
    call show_id
    mov ebx, 0x8000f800            ; 00:1f.0: nothing there
    call show_id
    ; PMBA as the PIIX4 reports it (register 0x40, I/O space indicator)
    mov esi, msg_pmba
    call puts
    mov eax, 0x80000b40
    mov dx, 0xcf8
    out dx, eax
    mov dx, 0xcfc
    in eax, dx
    and eax, 0xffc0
    call puthex32
    call newline
    ; the PM timer runs at 3.579545 MHz: two reads some time apart differ
    mov dx, PMBA + 8
    in eax, dx
    mov ebx, eax
    mov ecx, 100000
.spin:
    in eax, dx
    cmp eax, ebx
    jne .moved
    loop .spin
    mov esi, msg_stuck
    call puts
    EXIT 0x01
.moved:
    mov esi, msg_moved
    call puts
    ; S5: SLP_TYP = 0, SLP_EN (bit 13)
    mov dx, PMBA + 4
    mov ax, 1 << 13
    out dx, ax
    ; power-off may take effect a little after the write (QEMU handles it
    ; in its main loop): give it time before declaring failure
    mov ecx, 200000000
.wait:
    dec ecx
    jnz .wait
    mov esi, msg_alive
    call puts
    EXIT 0x01

; EBX = config address of register 0: print "vendor:device"
show_id:
    mov eax, ebx
    mov dx, 0xcf8
    out dx, eax
    mov dx, 0xcfc
    in eax, dx
    call puthex32
    call newline
    ret

msg_start: db "-- guest start --", 10, 0
msg_pmba:  db "PMBA ", 0
msg_moved: db "PM timer runs", 10, 0
msg_stuck: db "PM timer stuck", 10, 0
msg_alive: db "still running after S5", 10, 0
load_end:
