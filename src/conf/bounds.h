/*
 * bounds.h - every bound the client applies to what a server sends, in one place.
 */
#ifndef MAILTLS_BOUNDS_H
#define MAILTLS_BOUNDS_H

#include <stddef.h>

struct strlist;

/* Compile-time cap on reply lines: EHLO replies are a few dozen lines at most (RFC 5321
 * defines about twenty extensions); a thousand is generous and still bounded. */
#define LIMIT_REPLY_LINES_MAX 1000

struct limits {
	size_t line_max;    /* bytes in one line; RFC 5321 4.5.3.1.5 says 512, servers exceed it */
	size_t reply_lines; /* lines in one reply, <= LIMIT_REPLY_LINES_MAX */
	size_t reply_bytes; /* bytes in one reply (curl's pingpong uses 64 KiB too) */
	double timeout_s;   /* every wait: connect, each reply, the handshake */
};

#define LIMITS_DEFAULT                                                                             \
	{                                                                                          \
		.line_max = 4096, .reply_lines = 100, .reply_bytes = 65536, .timeout_s = 10        \
	}

#endif
