; Reads the input, then spins forever.
section .bss
inbuf: resb 4096

section .text
global _start
_start:
    xor eax, eax
    xor edi, edi
    lea rsi, [rel inbuf]
    mov edx, 4096
    syscall
.spin:
    inc rax
    jmp .spin
