// zs_sched_context_switch(void** save_sp /*rdi*/, void* to_sp /*rsi*/): x86-64 SysV.
// Only the callee-saved integer registers need saving: the call itself makes
// every other register dead. MXCSR and the x87 control word are shared by all
// fibers and never changed by them, so they are not switched.
        .text
        .globl  zs_sched_context_switch
        .type   zs_sched_context_switch, @function
        .p2align 4
zs_sched_context_switch:
        .cfi_startproc
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .cfi_endproc
        .size   zs_sched_context_switch, .-zs_sched_context_switch

        .section .note.GNU-stack,"",@progbits
