section .text
global _start
_start:
    mov eax, ebx, ecx           ; invalid operand combination
    movq rax, [undefined_label]
    mov eax, 60
    xor edi, edi
    syscall
