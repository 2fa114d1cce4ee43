; a+b with raw Linux system calls (x86-64, no libc).
section .bss
inbuf:  resb 4096
outbuf: resb 32

section .text
global _start
_start:
    xor eax, eax                ; read(0, inbuf, 4096)
    xor edi, edi
    lea rsi, [rel inbuf]
    mov edx, 4096
    syscall
    lea rsi, [rel inbuf]
    lea r8, [rsi + rax]         ; end of input
    call parse
    mov rbx, rax
    call parse
    add rax, rbx
    call print
    mov eax, 60                 ; exit(0)
    xor edi, edi
    syscall

; parse: next signed decimal at [rsi, r8) -> rax; advances rsi
parse:
    xor eax, eax
    xor ecx, ecx
.skip:
    cmp rsi, r8
    jae .done
    movzx edx, byte [rsi]
    cmp dl, '-'
    je .negative
    sub edx, '0'
    cmp edx, 9
    jbe .digits
    inc rsi
    jmp .skip
.negative:
    mov ecx, 1
    inc rsi
.digits:
    cmp rsi, r8
    jae .done
    movzx edx, byte [rsi]
    sub edx, '0'
    cmp edx, 9
    ja .done
    imul rax, rax, 10
    add rax, rdx
    inc rsi
    jmp .digits
.done:
    test ecx, ecx
    jz .ret
    neg rax
.ret:
    ret

; print: rax as signed decimal plus newline to stdout
print:
    lea rdi, [rel outbuf + 31]
    mov byte [rdi], 10
    mov r9, rdi
    mov rcx, rax
    test rax, rax
    jns .convert
    neg rax
.convert:
    mov r10, 10
.loop:
    xor edx, edx
    div r10
    add dl, '0'
    dec rdi
    mov [rdi], dl
    test rax, rax
    jnz .loop
    test rcx, rcx
    jns .write
    dec rdi
    mov byte [rdi], '-'
.write:
    mov rsi, rdi
    lea rdx, [r9 + 1]
    sub rdx, rsi
    mov eax, 1
    mov edi, 1
    syscall
    ret
