// gdb_cxx.cc - a C++ program for tests/e2e/test-gdb-cxx.sh: after a
// restore the gdb helpers select its own frame, so gdb debugs it as C++
// (`print v.size()`).  Appends to the std::vector v every 10 ms and keeps
// the global pushed equal to v.size(); prints READY, stops (PASS) when
// $TEST_STOP_FILE exists.  Compiled by the test itself (g++ -g -O0): the
// build has no C++ compiler rule.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <unistd.h>
#include <vector>

static std::vector<long> v;
static volatile long pushed;

static bool should_stop()
{
	const char *f = std::getenv("TEST_STOP_FILE");

	return f && access(f, F_OK) == 0;
}

__attribute__((noinline)) static void step()
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	v.push_back(static_cast<long>(v.size()) * 2);
	pushed = static_cast<long>(v.size());
	nanosleep(&ts, nullptr);
}

int main()
{
	std::setvbuf(stdout, nullptr, _IOLBF, 0);
	std::printf("READY\n");
	while (!should_stop())
		step();
	std::printf("%s gdb_cxx %zu\n", pushed == (long)v.size() ? "PASS" :
		    "FAIL", v.size());
	return 0;
}
