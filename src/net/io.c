/*
 * io.c - a libevent bufferevent for the socket and, after STARTTLS or at once, an OpenSSL
 * one on the same socket. Lines are delivered one at a time and bounded by
 * limits->line_max; a line that does not end within the bound is an error, never a larger
 * buffer.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>

#include "base/util.h"
#include "net/io.h"

static void io_read_cb(struct bufferevent *, void *);
static void io_event_cb(struct bufferevent *, short, void *);

struct io *io_new(struct event_base *base, const struct limits *lim, io_cb cb, void *arg)
{
	struct io *io = xcalloc(1, sizeof(*io));

	io->base = base;
	io->lim = lim;
	io->fd = -1; /* until connected */
	io->cb = cb;
	io->arg = arg;
	return io;
}

static void io_write_cb(struct bufferevent *bev, void *arg)
{
	struct io *io = arg;

	bufferevent_setcb(bev, io_read_cb, NULL, io_event_cb, io); /* once */
	io->cb(io, IO_SENT, NULL, 0, io->arg);
}

void io_notify_sent(struct io *io)
{
	/* The write callback runs when the output buffer has drained to its low watermark,
	 * 0: every byte handed to the socket (over TLS, every record). Triggered (deferred)
	 * as well, for a buffer already empty. */
	bufferevent_setcb(io->bev, io_read_cb, io_write_cb, io_event_cb, io);
	bufferevent_trigger(io->bev, EV_WRITE, BEV_TRIG_DEFER_CALLBACKS);
}

static void io_arm(struct io *io)
{
	bufferevent_setcb(io->bev, io_read_cb, NULL, io_event_cb, io);
	/* Stop reading once a longest line and its CRLF are buffered: the reader then either
	 * finds an EOL or reports the line as too long. Memory per connection stays bounded. */
	bufferevent_setwatermark(io->bev, EV_READ, 0, io->lim->line_max + 2);
	bufferevent_enable(io->bev, EV_READ | EV_WRITE);
}

int io_connect(struct io *io, const struct sockaddr *sa, socklen_t salen)
{
	io->bev = bufferevent_socket_new(io->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (io->bev == NULL) {
		snprintf(io->err, sizeof(io->err), "cannot create socket buffer");
		return -1;
	}
	io_arm(io);
	if (bufferevent_socket_connect(io->bev, (struct sockaddr *)sa, (int)salen) < 0) {
		io->connect_errno = errno;
		snprintf(io->err, sizeof(io->err), "%s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * One command, one write: over TLS each evbuffer chunk becomes its own record, and a command
 * split in two records meets Nagle and the peer's delayed ACK (40 ms per command).
 */
int io_printf(struct io *io, const char *fmt, ...)
{
	char buf[IO_COMMAND_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = io_vformat(io, buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if (bufferevent_write(io->bev, buf, (size_t)n) < 0) {
		snprintf(io->err, sizeof(io->err), "cannot queue output");
		return -1;
	}
	return 0;
}

int io_write_line(struct io *io, const char *line, size_t len)
{
	/* Straight into the output buffer, with no copy on the stack: the line may carry a
	 * credential (the caller wipes its own), and may be longer than a command (an OAuth
	 * token's SASL response runs to kilobytes). */
	if (bufferevent_write(io->bev, line, len) < 0 || bufferevent_write(io->bev, "\r\n", 2) < 0) {
		snprintf(io->err, sizeof(io->err), "cannot queue output");
		return -1;
	}
	return 0;
}

/*
 * Quick ACKs. Servers that write a reply in several small pieces with Nagle on (GNU
 * Mailutils, Perdition) send each later piece only when the one before is ACKed, and a
 * TLS 1.3 server holds the EHLO reply behind its session tickets until they are ACKed (the
 * tickets never reach the line reader): a client that delays its ACKs waits 40 ms for each.
 * Linux ACKs at once when a read empties the socket of a small segment, unless the
 * connection is in "ping-pong" mode, which a send soon after a receive turns on (the reply
 * is expected to carry the ACK). So every send is followed by TCP_QUICKACK, which leaves
 * that mode, and the reads ACK by themselves: one setsockopt a write, not one a read.
 * Linux only; elsewhere a no-op.
 */
static void io_ack_now(evutil_socket_t fd)
{
#ifdef TCP_QUICKACK
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#else
	(void)fd;
#endif
}

/* Plaintext: after every write from the output buffer to the socket. */
static void io_quickack(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct io *io = arg;

	(void)buf;
	if (info->n_deleted > 0)
		io_ack_now(io->fd);
}

/* TLS on the socket itself: after every write of the socket BIO. */
static long io_quickack_write(BIO *b, int oper, const char *argp, size_t len, int argi, long argl,
    int ret, size_t *processed)
{
	(void)argp;
	(void)len;
	(void)argi;
	(void)argl;
	(void)processed;
	if (oper == (BIO_CB_WRITE | BIO_CB_RETURN) && ret > 0)
		io_ack_now((evutil_socket_t)BIO_get_fd(b, NULL));
	return ret;
}

static void io_read_cb(struct bufferevent *bev, void *arg)
{
	struct io *io = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n;

	if (io->raw_max == 0) {
		io_deliver(io, in);
		return;
	}
	n = evbuffer_get_length(in);
	if (n == 0)
		return;
	if (io->cb(io, IO_DATA, (const char *)evbuffer_pullup(in, -1), n, io->arg))
		return;
	if (n >= io->raw_max) {
		snprintf(io->err, sizeof(io->err), "%zu bytes without a whole answer", n);
		io->cb(io, IO_ERROR, NULL, 0, io->arg);
	}
}

static void io_ssl_error(struct io *io, const char *what)
{
	unsigned long e;
	char buf[200];

	e = bufferevent_get_openssl_error(io->bev);
	if (e == 0)
		e = ERR_get_error();
	if (e) {
		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(io->err, sizeof(io->err), "%s: %s", what, buf);
	} else if (errno && errno != EAGAIN) {
		snprintf(io->err, sizeof(io->err), "%s: %s", what, strerror(errno));
	} else {
		snprintf(io->err, sizeof(io->err), "%s", what);
	}
	ERR_clear_error();
}

static void io_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct io *io = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		/* Commands are whole lines written at once; Nagle would only hold the first one
		 * after the TLS Finished until the server's delayed ACK (40 ms). */
		if (!io->tls) {
			int one = 1;

			io->fd = bufferevent_getfd(bev);
			setsockopt(io->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			evbuffer_add_cb(bufferevent_get_output(bev), io_quickack, io);
		}
		io->cb(io, io->tls ? IO_TLS_READY : IO_CONNECTED, NULL, 0, io->arg);
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		if (io->tls)
			io_ssl_error(io, "TLS error");
		else
			snprintf(io->err, sizeof(io->err), "%s",
			    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		io->cb(io, IO_ERROR, NULL, 0, io->arg);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		snprintf(io->err, sizeof(io->err), "connection closed by server");
		io->cb(io, IO_CLOSED, NULL, 0, io->arg);
	}
}

long io_start_tls(struct io *io, SSL *ssl)
{
	struct evbuffer *in = bufferevent_get_input(io->bev);
	size_t stale = evbuffer_get_length(in);
	struct bufferevent *tls;

	/* RFC 3207 5: nothing received before the handshake may be used after it. */
	evbuffer_drain(in, stale);
	if (evbuffer_get_length(bufferevent_get_output(io->bev)) == 0 && io->fd >= 0) {
		/*
		 * TLS on the socket itself, the plaintext buffers gone: over a filter every record
		 * passed through one more buffer pair and BIO (8 KiB a connection at 200 in flight,
		 * bench/bulk.sh). What the server sent and nobody read yet stays in the socket, and
		 * the handshake reads it as TLS, as the filter would have. The quick ACKs move to
		 * the socket BIO's writes.
		 */
		evutil_socket_t fd = io->fd;

		bufferevent_setfd(io->bev, -1);
		bufferevent_free(io->bev);
		io->bev = NULL;
		tls = bufferevent_openssl_socket_new(io->base, fd, ssl, BUFFEREVENT_SSL_CONNECTING,
		    BEV_OPT_CLOSE_ON_FREE);
		if (tls == NULL)
			evutil_closesocket(fd);
		else if (SSL_get_wbio(ssl) != NULL)
			BIO_set_callback_ex(SSL_get_wbio(ssl), io_quickack_write);
	} else
		tls = bufferevent_openssl_filter_new(io->base, io->bev, ssl,
		    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (tls == NULL) {
		SSL_free(ssl);
		snprintf(io->err, sizeof(io->err), "cannot start TLS");
		return -1;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(tls, 1);
	io->bev = tls;
	io->ssl = ssl;
	io->tls = 1;
	io_arm(io);
	return (long)stale;
}

long io_start_raw(struct io *io, const void *bytes, size_t len, size_t max)
{
	struct evbuffer *in = bufferevent_get_input(io->bev);
	size_t stale = evbuffer_get_length(in);

	evbuffer_drain(in, stale);
	io->raw_max = max;
	/* Read until max is buffered: the answer is judged whole each time, never consumed. */
	bufferevent_setwatermark(io->bev, EV_READ, 0, max);
	if (bufferevent_write(io->bev, bytes, len) < 0) {
		snprintf(io->err, sizeof(io->err), "cannot queue output");
		return -1;
	}
	return (long)stale;
}

size_t io_peek(struct io *io, char *buf, size_t len)
{
	return io->bev ? io_peek_buffer(bufferevent_get_input(io->bev), buf, len) : 0;
}

void io_free(struct io *io)
{
	if (io == NULL)
		return;
	if (io->bev)
		bufferevent_free(io->bev);
	free(io->line);
	free(io);
}
