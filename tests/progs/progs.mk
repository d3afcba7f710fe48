# tests/progs/progs.mk - the small self-checking programs the end-to-end
# tests (tests/e2e) checkpoint and restart.  Built by `make check` before
# the runner starts; the demo's counter is built by plain `make`.
check_PROGRAMS += tests/progs/threads_tls tests/progs/heap_pattern \
	tests/progs/signals_timers tests/progs/file_offsets \
	tests/progs/mmap_file tests/progs/dlopen_lib \
	tests/progs/sparse_reserve tests/progs/interrupted_calls \
	tests/progs/api tests/progs/static_hello tests/progs/libdltest.so \
	tests/progs/spawn_kinds tests/progs/pgid_sid tests/progs/fifo_pair \
	tests/progs/sock_fresh
noinst_PROGRAMS += tests/progs/counter
EXTRA_DIST += tests/progs/testprog.h

tests_progs_threads_tls_SOURCES = tests/progs/threads_tls.c tests/progs/testprog.h
tests_progs_threads_tls_LDADD = -lpthread
tests_progs_heap_pattern_SOURCES = tests/progs/heap_pattern.c
tests_progs_signals_timers_SOURCES = tests/progs/signals_timers.c
tests_progs_file_offsets_SOURCES = tests/progs/file_offsets.c
tests_progs_mmap_file_SOURCES = tests/progs/mmap_file.c
tests_progs_dlopen_lib_SOURCES = tests/progs/dlopen_lib.c
tests_progs_dlopen_lib_LDADD = -ldl
tests_progs_sparse_reserve_SOURCES = tests/progs/sparse_reserve.c
tests_progs_interrupted_calls_SOURCES = tests/progs/interrupted_calls.c
tests_progs_interrupted_calls_LDADD = -lpthread
tests_progs_api_SOURCES = tests/progs/api.c
tests_progs_static_hello_SOURCES = tests/progs/static_hello.c
tests_progs_static_hello_LDFLAGS = -static
tests_progs_counter_SOURCES = tests/progs/counter.c

# The library dlopen_lib loads (no libtool here: link it with -shared).
tests_progs_libdltest_so_SOURCES = tests/progs/libdltest.c
tests_progs_libdltest_so_CFLAGS = $(AM_CFLAGS) -fPIC
tests_progs_libdltest_so_LDFLAGS = -shared -fPIC

# --ckpt-on-crash test program (tests/e2e/test-crash.sh)
check_PROGRAMS += tests/progs/crasher
tests_progs_crasher_SOURCES = tests/progs/crasher.c
tests_progs_crasher_CFLAGS = $(AM_CFLAGS) -O0 -g -pthread
tests_progs_crasher_LDADD = -lpthread

# multi-process: fork, pipes both ways, process groups (test-fork_pipe.sh)
check_PROGRAMS += tests/progs/fork_pipe
tests_progs_fork_pipe_SOURCES = tests/progs/fork_pipe.c tests/progs/testprog.h

# multi-process shared memory (test-shm_shared.sh)
check_PROGRAMS += tests/progs/shm_shared
tests_progs_shm_shared_SOURCES = tests/progs/shm_shared.c tests/progs/testprog.h

# listening socket + epoll + eventfd (test-server_epoll.sh)
check_PROGRAMS += tests/progs/server_epoll
tests_progs_server_epoll_SOURCES = tests/progs/server_epoll.c tests/progs/testprog.h
tests_progs_server_epoll_LDADD = -lpthread

# 32 small processes, 256 threads (test-many-procs.sh, bench/many-procs.sh)
check_PROGRAMS += tests/progs/many_procs
tests_progs_many_procs_SOURCES = tests/progs/many_procs.c tests/progs/testprog.h
tests_progs_many_procs_LDADD = -lpthread

# timerfd, signalfd, inotify (test-fd_timers.sh); pty pairs (test-pty_pair.sh);
# an fd kind that cannot be checkpointed (test-fd_refused.sh)
check_PROGRAMS += tests/progs/fd_timers
tests_progs_fd_timers_SOURCES = tests/progs/fd_timers.c tests/progs/testprog.h
check_PROGRAMS += tests/progs/fd_refused
tests_progs_fd_refused_SOURCES = tests/progs/fd_refused.c tests/progs/testprog.h

# connected sockets between processes, with data in flight (test-sockets.sh)
check_PROGRAMS += tests/progs/sock_pair
tests_progs_sock_pair_SOURCES = tests/progs/sock_pair.c tests/progs/testprog.h
check_PROGRAMS += tests/progs/sock_external
tests_progs_sock_external_SOURCES = tests/progs/sock_external.c tests/progs/testprog.h
check_PROGRAMS += tests/progs/pty_pair
tests_progs_pty_pair_SOURCES = tests/progs/pty_pair.c tests/progs/testprog.h

# process creation of every kind (tests/e2e/test-spawn_kinds.sh)
tests_progs_spawn_kinds_SOURCES = tests/progs/spawn_kinds.c
# checkpoints in the middle of process creation (test-fork_churn.sh)
check_PROGRAMS += tests/progs/fork_churn
tests_progs_fork_churn_SOURCES = tests/progs/fork_churn.c tests/progs/testprog.h
tests_progs_fork_churn_LDADD = -lpthread
tests_progs_pgid_sid_SOURCES = tests/progs/pgid_sid.c
tests_progs_fifo_pair_SOURCES = tests/progs/fifo_pair.c
tests_progs_sock_fresh_SOURCES = tests/progs/sock_fresh.c

# deleted, renamed and saved files (doc/files.md; test-ghost_files.sh,
# test-file_policy.sh)
check_PROGRAMS += tests/progs/ghost_files tests/progs/open_files
tests_progs_ghost_files_SOURCES = tests/progs/ghost_files.c tests/progs/testprog.h
tests_progs_open_files_SOURCES = tests/progs/open_files.c tests/progs/testprog.h
# producers faster than their consumers on every kind of stream: TCP,
# UNIX, socketpair, half-closed, urgent data, pipes, FIFO
# (test-stream_full.sh)
check_PROGRAMS += tests/progs/stream_full
tests_progs_stream_full_SOURCES = tests/progs/stream_full.c tests/progs/testprog.h
# N full TCP connections (bench/sock-drain.sh: the cost of the drain)
check_PROGRAMS += tests/progs/tcp_fill
tests_progs_tcp_fill_SOURCES = tests/progs/tcp_fill.c tests/progs/testprog.h
# an urgent byte on a UNIX stream, a known limit (test-unix_oob.sh)
check_PROGRAMS += tests/progs/unix_oob
tests_progs_unix_oob_SOURCES = tests/progs/unix_oob.c tests/progs/testprog.h

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
tests_progs_mmap_shrink_SOURCES = tests/progs/mmap_shrink.c tests/progs/testprog.h
# a memory map that changes all the time (test-mmap_churn.sh)
check_PROGRAMS += tests/progs/mmap_churn
tests_progs_mmap_churn_SOURCES = tests/progs/mmap_churn.c tests/progs/testprog.h
tests_progs_mmap_churn_LDADD = -lpthread
# a clone(CLONE_VM) child changes the memory map during checkpoints
# (test-mem_unfrozen.sh)
check_PROGRAMS += tests/progs/mm_sharer
tests_progs_mm_sharer_SOURCES = tests/progs/mm_sharer.c tests/progs/testprog.h
