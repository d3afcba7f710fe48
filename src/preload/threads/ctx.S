/*
 * ctx.S - minimal context save/restore and a clone3 trampoline for the
 * checkpoint and restore paths (glibc's setjmp mangles pointers and
 * longjmp checks stack frames; we need neither).
 *
 *   int  dmtcp_ctx_save(struct dmtcp_ctx *c);        returns 0, or v
 *   void dmtcp_ctx_restore(struct dmtcp_ctx *c, int v);  never returns
 *   long dmtcp_clone3(struct clone_args *a, size_t sz, void (*fn)(void *),
 *                     void *arg);   child runs fn(arg) on the new stack
 */
	.text
	.globl	dmtcp_ctx_save
	.hidden	dmtcp_ctx_save
	.type	dmtcp_ctx_save, @function
dmtcp_ctx_save:
	movq	%rbx, 0(%rdi)
	movq	%rbp, 8(%rdi)
	movq	%r12, 16(%rdi)
	movq	%r13, 24(%rdi)
	movq	%r14, 32(%rdi)
	movq	%r15, 40(%rdi)
	leaq	8(%rsp), %rdx		/* rsp after return */
	movq	%rdx, 48(%rdi)
	movq	(%rsp), %rdx		/* return address */
	movq	%rdx, 56(%rdi)
	stmxcsr	64(%rdi)
	fnstcw	68(%rdi)
	xorl	%eax, %eax
	ret
	.size	dmtcp_ctx_save, .-dmtcp_ctx_save

	.globl	dmtcp_ctx_restore
	.hidden	dmtcp_ctx_restore
	.type	dmtcp_ctx_restore, @function
dmtcp_ctx_restore:
	movl	%esi, %eax
	ldmxcsr	64(%rdi)
	fldcw	68(%rdi)
	movq	0(%rdi), %rbx
	movq	8(%rdi), %rbp
	movq	16(%rdi), %r12
	movq	24(%rdi), %r13
	movq	32(%rdi), %r14
	movq	40(%rdi), %r15
	movq	48(%rdi), %rsp
	jmpq	*56(%rdi)
	.size	dmtcp_ctx_restore, .-dmtcp_ctx_restore

	.globl	dmtcp_clone3
	.hidden	dmtcp_clone3
	.type	dmtcp_clone3, @function
dmtcp_clone3:
	movq	%rdx, %r8		/* fn: r8/r9 survive syscall */
	movq	%rcx, %r9		/* arg */
	movl	$435, %eax		/* SYS_clone3 */
	syscall
	testq	%rax, %rax
	jnz	1f
	xorl	%ebp, %ebp		/* child: new stack, run fn(arg) */
	movq	%r9, %rdi
	andq	$-16, %rsp
	callq	*%r8
	ud2
1:	ret
	.size	dmtcp_clone3, .-dmtcp_clone3

	.section .note.GNU-stack,"",@progbits
