# tests/progs/ipc.mk - programs of the IPC tests (doc/ipc.md):
# SysV shared memory, semaphores, message queues and zombie children
# (test-sysv_ipc.sh), POSIX message queues (test-posix_mq.sh).
check_PROGRAMS += tests/progs/sysv_ipc
tests_progs_sysv_ipc_SOURCES = tests/progs/sysv_ipc.c tests/progs/testprog.h
check_PROGRAMS += tests/progs/posix_mq
tests_progs_posix_mq_SOURCES = tests/progs/posix_mq.c tests/progs/testprog.h
