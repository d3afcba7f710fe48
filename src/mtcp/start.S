/*
 * start.S - entry point of mtcp_restart: leave the kernel's stack (it
 * will be unmapped) for one inside our own bss, then call
 * mtcp_main(original stack pointer).  mtcp_jump() is the final hand-off
 * to the restored library on the stack the image names.
 */
	.text
	.globl	_start
	.type	_start, @function
_start:
	xorl	%ebp, %ebp
	movq	%rsp, %rdi		/* argc, argv, envp live here */
	leaq	mtcp_stack_top(%rip), %rsp
	andq	$-16, %rsp
	call	mtcp_main
	ud2
	.size	_start, .-_start

	/* void mtcp_jump(uint64_t entry, uint64_t stack, void *arg) */
	.globl	mtcp_jump
	.type	mtcp_jump, @function
mtcp_jump:
	movq	%rsi, %rsp
	andq	$-16, %rsp
	movq	%rdx, %rax
	movq	%rdi, %rcx
	movq	%rax, %rdi
	xorl	%ebp, %ebp
	pushq	$0			/* fake return address: keeps the */
	jmpq	*%rcx			/* callee's stack alignment right */
	.size	mtcp_jump, .-mtcp_jump

	.bss
	.align	64
	.globl	mtcp_stack
mtcp_stack:
	.skip	256 * 1024
mtcp_stack_top:

	.section .note.GNU-stack,"",@progbits
