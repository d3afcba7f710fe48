#!/bin/bash
# test-mmap_churn.sh - checkpoints while three threads map, unmap,
# split, grow and mprotect regions without a pause (tests/progs/
# mmap_churn): private and shared anonymous memory, private and shared
# file mappings, and private mappings longer than their file (reading
# past the end raises SIGBUS, which made every checkpoint kill the
# process).  Ten checkpoints in a row, then three kill/restart cycles
# with three more checkpoints after each restart; the program checks
# every region's pages and, at the end, every page's protection against
# /proc/self/maps.  gzip and raw, root and unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() { t_churn mmap_churn; }

t_main t_modes scenario
