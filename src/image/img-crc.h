/*
 * img-crc.h - crc32 of zlib (the CRC of gzip and PNG), faster on x86-64
 * CPUs with carry-less multiplication (img-crc.c).  Not installed.
 */
#ifndef DMTCP_IMG_CRC_H
#define DMTCP_IMG_CRC_H

#include <stddef.h>
#include <stdint.h>

/* = zlib's crc32_z(crc, buf, len) */
uint32_t img_crc32(uint32_t crc, const void *buf, size_t len);

#endif /* DMTCP_IMG_CRC_H */
