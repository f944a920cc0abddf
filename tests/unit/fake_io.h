/*
 * fake_io.h - the transport replaced at its seam, for session transcripts and the session
 * fuzzer: linked instead of src/io.c. What the client writes is kept; what the "server"
 * says goes through the real line reader (io_deliver), split wherever the test says.
 * One connection at a time.
 */
#ifndef MAILTLS_FAKE_IO_H
#define MAILTLS_FAKE_IO_H

#include <stddef.h>

#include "net/io.h"

#define FAKE_SENT_MAX 65536

struct fake_wire {
	struct io *io;                /* the live transport, NULL once the session freed it */
	char sent[FAKE_SENT_MAX + 1]; /* every byte the client wrote, CRLFs kept */
	size_t nsent;
	int tls_started;  /* io_start_tls was called */
	long stale;       /* what it returned */
	int tls_ready;    /* the handshake completed (raised once, as the transport does) */
	int fail_connect; /* make io_connect fail */
	int fail_connect_errno; /* ... with this errno (default EMFILE) */
	int raw_started;  /* io_start_raw was called (check --tls-scan) */
	size_t raw_len;   /* the bytes it sent */
	int notify_sent;  /* io_notify_sent was called: fake_io_sent raises IO_SENT */
};

extern struct fake_wire fake_wire;

void fake_io_reset(void);
/* Events as the real transport raises them; each is a no-op once the session ended. */
void fake_io_connected(void);
void fake_io_server(const void *bytes, size_t n); /* bytes arrive in one read */
void fake_io_tls_ready(void);                     /* the handshake completes */
void fake_io_closed(void);                        /* the server closes */
void fake_io_error(const char *why);              /* a socket or TLS error */
void fake_io_sent(void); /* what was written has left (only when io_notify_sent asked) */
/* Bytes the server sent that no read has delivered yet. */
size_t fake_io_pending(void);

#endif
