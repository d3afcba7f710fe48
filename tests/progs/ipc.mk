# tests/progs/ipc.mk - programs of the IPC tests (doc/ipc.md):
# SysV shared memory, semaphores, message queues and zombie children
# (test-sysv_ipc.sh), POSIX message queues (test-posix_mq.sh).
check_PROGRAMS += tests/progs/sysv_ipc
check_PROGRAMS += tests/progs/posix_mq
