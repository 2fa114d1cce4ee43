; Reads the input, then writes through a null pointer: SIGSEGV.
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
    xor edi, edi
    mov [rdi], eax
    mov eax, 60
    xor edi, edi
    syscall
