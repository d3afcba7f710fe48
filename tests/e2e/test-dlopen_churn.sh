#!/bin/bash
# test-dlopen_churn.sh - checkpoints while four threads dlopen() and
# dlclose() libraries without a pause (tests/progs/dlopen_churn): ten
# checkpoints in a row of the running program, then three kill/restart
# cycles with three more checkpoints after each restart.  Checkpoints
# catch threads in the middle of the loader mapping a library (its whole
# span mapped from the file, past the file's end, before the segments
# go over it), which made the checkpoint thread die of SIGBUS reading
# those pages.  The program checks every call into every fresh load
# (.rodata, .data, .bss, TLS) and its heap, before and after restarts.
# gzip and raw, root and unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() { t_churn dlopen_churn; }

t_main t_modes scenario
