/*
 * fullio.h - writev(2) until every byte of an iovec is written (EINTR
 * and short writes retried), as a static inline function: libc calls
 * only, no allocation, so the image writer (src/image/img-write.c,
 * which runs while the other threads are frozen and links no
 * libdmtcpcommon) and util_write_all share it.
 */
#ifndef DMTCP_FULLIO_H
#define DMTCP_FULLIO_H

#include <errno.h>
#include <sys/uio.h>

/* 0, or -1 with errno (EIO when writev wrote nothing); iov is consumed.
   Nothing to write (n == 0, empty entries) is no call at all. */
static inline int full_writev(int fd, struct iovec *iov, int n)
{
	ssize_t k = 0;

	for (;;) {
		/* drop what is written, and empty entries */
		while (n > 0 && (size_t)k >= iov->iov_len) {
			k -= iov->iov_len;
			iov++;
			n--;
		}
		if (n == 0)
			return 0;
		iov->iov_base = (char *)iov->iov_base + k;
		iov->iov_len -= k;
		k = writev(fd, iov, n);
		if (k < 0 && errno == EINTR) {
			k = 0;
			continue;
		}
		if (k < 0)
			return -1;
		if (k == 0) {
			errno = EIO;
			return -1;
		}
	}
}

#endif /* DMTCP_FULLIO_H */
