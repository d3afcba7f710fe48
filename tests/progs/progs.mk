# tests/progs/progs.mk - the small self-checking programs the end-to-end
# tests (tests/e2e) checkpoint and restart.  Built by `make check` before
# the runner starts; the demo's counter is built by plain `make`.  A
# program P is built from P.c (automake's default; testprog.h is found by
# the dependency tracking): only what differs is written here.
check_PROGRAMS += tests/progs/threads_tls tests/progs/heap_pattern \
	tests/progs/signals_timers tests/progs/file_offsets \
	tests/progs/mmap_file tests/progs/dlopen_lib \
	tests/progs/sparse_reserve tests/progs/interrupted_calls \
	tests/progs/api tests/progs/static_hello tests/progs/libdltest.so \
	tests/progs/spawn_kinds tests/progs/pgid_sid tests/progs/fifo_pair \
	tests/progs/sock_fresh tests/progs/heap_rewrite \
	tests/progs/mixed_pages
noinst_PROGRAMS += tests/progs/counter
EXTRA_DIST += tests/progs/testprog.h

tests_progs_threads_tls_LDADD = -lpthread
tests_progs_heap_rewrite_LDADD = -lpthread
tests_progs_dlopen_lib_LDADD = -ldl
tests_progs_interrupted_calls_LDADD = -lpthread
tests_progs_static_hello_LDFLAGS = -static

# The library dlopen_lib loads (no libtool here: link it with -shared).
tests_progs_libdltest_so_SOURCES = tests/progs/libdltest.c
tests_progs_libdltest_so_CFLAGS = $(AM_CFLAGS) -fPIC
tests_progs_libdltest_so_LDFLAGS = -shared -fPIC

# --ckpt-on-crash test program (tests/e2e/test-crash.sh)
check_PROGRAMS += tests/progs/crasher
tests_progs_crasher_CFLAGS = $(AM_CFLAGS) -O0 -g -pthread
tests_progs_crasher_LDADD = -lpthread

# multi-process: fork, pipes both ways, process groups (test-fork_pipe.sh)
check_PROGRAMS += tests/progs/fork_pipe

# multi-process shared memory (test-shm_shared.sh)
check_PROGRAMS += tests/progs/shm_shared

# listening socket + epoll + eventfd (test-server_epoll.sh)
check_PROGRAMS += tests/progs/server_epoll
tests_progs_server_epoll_LDADD = -lpthread

# 32 small processes, 256 threads (test-many-procs.sh, bench/many-procs.sh)
check_PROGRAMS += tests/progs/many_procs
tests_progs_many_procs_LDADD = -lpthread

# timerfd, signalfd, inotify (test-fd_timers.sh); pty pairs (test-pty_pair.sh);
# an fd kind that cannot be checkpointed (test-fd_refused.sh)
check_PROGRAMS += tests/progs/fd_timers
check_PROGRAMS += tests/progs/fd_refused

# connected sockets between processes, with data in flight (test-sockets.sh)
check_PROGRAMS += tests/progs/sock_pair
check_PROGRAMS += tests/progs/sock_external
check_PROGRAMS += tests/progs/pty_pair

# checkpoints in the middle of process creation (test-fork_churn.sh)
check_PROGRAMS += tests/progs/fork_churn
tests_progs_fork_churn_LDADD = -lpthread

# deleted, renamed and saved files (doc/files.md; test-ghost_files.sh,
# test-file_policy.sh)
check_PROGRAMS += tests/progs/ghost_files tests/progs/open_files
# producers faster than their consumers on every kind of stream: TCP,
# UNIX, socketpair, half-closed, urgent data, pipes, FIFO
# (test-stream_full.sh)
check_PROGRAMS += tests/progs/stream_full
# N full TCP connections (bench/sock-drain.sh: the cost of the drain)
check_PROGRAMS += tests/progs/tcp_fill
# an urgent byte on a UNIX stream, a known limit (test-unix_oob.sh)
check_PROGRAMS += tests/progs/unix_oob

# memory capture while mappings change (test-dlopen_churn.sh): threads
# loading and unloading copies of libdlchurn.so in a loop
check_PROGRAMS += tests/progs/dlopen_churn tests/progs/libdlchurn.so
tests_progs_dlopen_churn_SOURCES = tests/progs/dlopen_churn.c tests/progs/dlchurn.h \
	tests/progs/testprog.h
tests_progs_dlopen_churn_LDADD = -ldl -lpthread
tests_progs_libdlchurn_so_SOURCES = tests/progs/libdlchurn.c tests/progs/dlchurn.h
tests_progs_libdlchurn_so_CFLAGS = $(AM_CFLAGS) -fPIC
tests_progs_libdlchurn_so_LDFLAGS = -shared -fPIC
# mapped files that shrink: past their end reading raises SIGBUS
# (test-mmap_shrink.sh)
check_PROGRAMS += tests/progs/mmap_shrink
# a memory map that changes all the time (test-mmap_churn.sh)
check_PROGRAMS += tests/progs/mmap_churn
tests_progs_mmap_churn_LDADD = -lpthread
# a clone(CLONE_VM) child changes the memory map during checkpoints
# (test-mem_unfrozen.sh)
check_PROGRAMS += tests/progs/mm_sharer
