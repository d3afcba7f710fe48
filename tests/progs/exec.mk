# tests/progs/exec.mk - programs that exec with environments of their own
# (tests/e2e/test-exec_env.sh).
check_PROGRAMS += tests/progs/exec_env
