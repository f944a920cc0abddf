/*
 * limits.h - the bounds the client applies to what a server sends and to how long it waits,
 * in one place, each with the reason for its value.
 */
#ifndef MAILTLS_LIMITS_H
#define MAILTLS_LIMITS_H

#include <stddef.h>

/* Compile-time cap on reply lines: EHLO replies are a few dozen lines at most (RFC 5321
 * defines about twenty extensions); a thousand is generous and still bounded. */
#define LIMIT_REPLY_LINES_MAX 1000

/*
 * Waits are per phase, as a sending MTA has them (Postfix: smtp_connect_timeout 30 s,
 * smtp_helo_timeout and smtp_starttls_timeout 300 s), because servers delay on purpose:
 * Exim's connect-ACL delay and Sendmail's greet_pause hold the greeting for seconds to
 * minutes, and RFC 5321 4.5.3.2.1 gives the greeting 5 minutes. Each bound is on the
 * whole wait, not on silence between bytes: a server that trickles cannot stretch it.
 */
struct limits {
	size_t line_max;    /* bytes in one line; RFC 5321 4.5.3.1.5 says 512, servers exceed it */
	size_t reply_lines; /* lines in one reply, <= LIMIT_REPLY_LINES_MAX */
	size_t reply_bytes; /* bytes in one reply (curl's pingpong uses 64 KiB too) */
	double connect_s;   /* the TCP connect */
	double greeting_s;  /* the greeting, from the connect (or from TLS on 465/993/995) */
	double reply_s;     /* each reply to a command */
	double handshake_s; /* the TLS handshake */
};

#define LIMITS_DEFAULT                                                                             \
	{                                                                                          \
		.line_max = 4096, .reply_lines = 100, .reply_bytes = 65536, .connect_s = 30,       \
		.greeting_s = 300, .reply_s = 300, .handshake_s = 300                              \
	}

/* A greeting later than this is a fact worth saying (a deliberate delay), and later than
 * SLOW_GREETING_WARN_S it comes within a minute of the 5 minutes senders wait. */
#define SLOW_GREETING_INFO_S 2.0
#define SLOW_GREETING_WARN_S 240.0

/* DNS queries and the MTA-STS policy fetch, unless --timeout bounds every wait. */
#define DNS_TIMEOUT_S 10.0
#define HTTPS_TIMEOUT_S 10.0

#endif
