/*
 * io.h - the transport: a socket (then TLS) on the event loop, a bounded line reader and a
 * few neutral events. It knows nothing of any mail protocol.
 */
#ifndef MAILTLS_IO_H
#define MAILTLS_IO_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "conf/limits.h"

enum io_event {
	IO_CONNECTED, /* TCP connected */
	IO_LINE,      /* one complete line, EOL stripped, NUL-terminated (NULs inside kept) */
	IO_TLS_READY, /* handshake done */
	IO_ERROR,     /* io->err says why */
	IO_CLOSED,    /* peer closed */
	IO_DATA,      /* raw mode: every byte received since it began (line, len); more may
	                 follow in later events, each again from the first byte */
	IO_SENT,      /* after io_notify_sent: what was written has left our buffers */
};

struct io;

/*
 * Returns 0 to go on reading, non-zero when the callee changed the transport (started TLS)
 * or freed it: the reader then stops touching io at once.
 */
typedef int (*io_cb)(struct io *, enum io_event, const char *line, size_t len, void *arg);

struct io {
	struct event_base *base;
	struct bufferevent *bev;
	SSL *ssl; /* owned by bev once TLS starts */
	const struct limits *lim;
	io_cb cb;
	void *arg;
	int tls;
	size_t raw_max; /* raw mode (io_start_raw): bytes it may hold; 0 in line mode */
	evutil_socket_t fd;
	char *line;      /* the line being delivered (io_take_line grows it) */
	size_t line_cap; /* its bytes */
	char err[256];
	int connect_errno; /* io_connect failed at once (no route, say): its errno; else 0 */
};

struct io *io_new(struct event_base *, const struct limits *, io_cb, void *);
int io_connect(struct io *, const struct sockaddr *, socklen_t);
int io_printf(struct io *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Start a TLS client handshake on the connection; returns the number of plaintext bytes that
 * were already buffered and are thrown away (never read as a reply), or -1 on error. */
/* len bytes of line and CRLF, as they are (no format, no length bound but the caller's). */
int io_write_line(struct io *, const char *line, size_t len);
long io_start_tls(struct io *, SSL *);
/* IO_SENT once everything written so far is in the kernel's hands (not sooner than the
 * next turn of the loop): then closing still sends it, before the FIN. */
void io_notify_sent(struct io *);
/* Leave the mail protocol for bytes (check --tls-scan's crafted ClientHello): what was
 * buffered in plaintext is thrown away as io_start_tls does (its count is returned), len
 * bytes go out, and from then on reads raise IO_DATA with everything received, up to max
 * bytes; more than that is an IO_ERROR. -1 on error. */
long io_start_raw(struct io *, const void *bytes, size_t len, size_t max);
void io_free(struct io *);

/* The line reader on its own (pure over an evbuffer; for io.c and the fuzzer). */
enum io_take { IO_TAKE_LINE, IO_TAKE_MORE, IO_TAKE_TOO_LONG };
struct evbuffer;
enum io_take io_take_line(struct evbuffer *in, size_t line_max, char **line, size_t *cap, size_t *len);
/* Hand every complete line of in to io->cb, as a read event does. */
void io_deliver(struct io *, struct evbuffer *in);
/* Bytes received and not yet read (0: none), and as many of them as fit into buf (len
 * bytes, NUL-terminated; raw, untrusted): what the server said that nobody asked for. */
size_t io_peek(struct io *, char *buf, size_t len);
size_t io_peek_buffer(struct evbuffer *, char *buf, size_t len);
/* One command line, CRLF added: its length, or -1 with io->err set (too long). */
int io_vformat(struct io *, char *buf, size_t cap, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

#endif
