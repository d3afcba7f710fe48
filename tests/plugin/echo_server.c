/*
 * echo_server.c - a server OUTSIDE the computation for the reconnect
 * plugin example (tests/e2e/test-plugin-reconnect.sh): listens on a free
 * loopback port (written to argv[2]), answers every line L with
 * "<argv[1]> L", logs the lines it got to stdout, serves several clients.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXC 16

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct pollfd p[MAXC + 1];
	char buf[MAXC][256];
	size_t have[MAXC] = { 0 };
	socklen_t al = sizeof(a);
	int ls, n = 1;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: echo_server TAG PORTFILE\n");
		return 2;
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(ls, 8) < 0 || getsockname(ls, (struct sockaddr *)&a, &al)) {
		perror("echo_server");
		return 1;
	}
	f = fopen(argv[2], "w");
	if (!f)
		return 1;
	fprintf(f, "%d\n", ntohs(a.sin_port));
	fclose(f);
	setvbuf(stdout, NULL, _IOLBF, 0);
	p[0].fd = ls;
	p[0].events = POLLIN;
	for (;;) {
		if (poll(p, n, -1) < 0)
			continue;
		if ((p[0].revents & POLLIN) && n <= MAXC) {
			int c = accept(ls, NULL, NULL);

			if (c >= 0) {
				p[n].fd = c;
				p[n].events = POLLIN;
				have[n - 1] = 0;
				n++;
				printf("%s connect\n", argv[1]);
			}
		}
		for (int i = 1; i < n; i++) {
			char *nl;
			ssize_t r;

			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			r = read(p[i].fd, buf[i - 1] + have[i - 1],
				 sizeof(buf[0]) - 1 - have[i - 1]);
			if (r <= 0) {
				close(p[i].fd);
				printf("%s disconnect\n", argv[1]);
				p[i] = p[n - 1];
				memcpy(buf[i - 1], buf[n - 2], sizeof(buf[0]));
				have[i - 1] = have[n - 2];
				n--;
				i--;
				continue;
			}
			have[i - 1] += r;
			while ((nl = memchr(buf[i - 1], '\n', have[i - 1]))) {
				char out[300];
				size_t len = nl - buf[i - 1];
				int m;

				*nl = 0;
				printf("%s got %s\n", argv[1], buf[i - 1]);
				m = snprintf(out, sizeof(out), "%s %s\n",
					     argv[1], buf[i - 1]);
				if (write(p[i].fd, out, m) != m)
					perror("echo_server: write");
				memmove(buf[i - 1], nl + 1,
					have[i - 1] - len - 1);
				have[i - 1] -= len + 1;
			}
		}
	}
}
