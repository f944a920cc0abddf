/*
 * fake_io.c - see fake_io.h. It keeps the real transport's contract: lines through the
 * same reader, a read stops when the callback says the transport changed, STARTTLS drains
 * what was buffered and returns its length, the SSL belongs to the transport.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "base/util.h"
#include "fake_io.h"

struct fake_wire fake_wire;
static struct evbuffer *fake_in;

void fake_io_reset(void)
{
	if (fake_in)
		evbuffer_free(fake_in);
	fake_in = NULL;
	memset(&fake_wire, 0, sizeof(fake_wire));
}

struct io *io_new(struct event_base *base, const struct limits *lim, io_cb cb, void *arg)
{
	struct io *io = xcalloc(1, sizeof(*io));

	io->base = base;
	io->lim = lim;
	io->cb = cb;
	io->arg = arg;
	if (fake_in)
		evbuffer_free(fake_in);
	fake_in = evbuffer_new();
	if (fake_in == NULL)
		fatal("out of memory");
	fake_wire.io = io;
	return io;
}

int io_connect(struct io *io, const struct sockaddr *sa, socklen_t salen)
{
	(void)sa;
	(void)salen;
	if (fake_wire.fail_connect) {
		io->connect_errno =
		    fake_wire.fail_connect_errno ? fake_wire.fail_connect_errno : EMFILE;
		snprintf(io->err, sizeof(io->err), "%s", strerror(io->connect_errno));
		return -1;
	}
	return 0;
}

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
	if (fake_wire.nsent + (size_t)n > FAKE_SENT_MAX)
		n = (int)(FAKE_SENT_MAX - fake_wire.nsent);
	memcpy(fake_wire.sent + fake_wire.nsent, buf, (size_t)n);
	fake_wire.nsent += (size_t)n;
	fake_wire.sent[fake_wire.nsent] = '\0';
	return 0;
}

int io_write_line(struct io *io, const char *line, size_t len)
{
	(void)io;
	if (fake_wire.nsent + len + 2 > FAKE_SENT_MAX)
		return -1;
	memcpy(fake_wire.sent + fake_wire.nsent, line, len);
	memcpy(fake_wire.sent + fake_wire.nsent + len, "\r\n", 2);
	fake_wire.nsent += len + 2;
	fake_wire.sent[fake_wire.nsent] = '\0';
	return 0;
}

long io_start_tls(struct io *io, SSL *ssl)
{
	size_t stale = evbuffer_get_length(fake_in);

	evbuffer_drain(fake_in, stale);
	io->ssl = ssl;
	io->tls = 1;
	fake_wire.tls_started = 1;
	fake_wire.stale = (long)stale;
	return (long)stale;
}

long io_start_raw(struct io *io, const void *bytes, size_t len, size_t max)
{
	size_t stale = evbuffer_get_length(fake_in);

	(void)bytes;
	evbuffer_drain(fake_in, stale);
	io->raw_max = max;
	fake_wire.raw_started = 1;
	fake_wire.raw_len = len;
	return (long)stale;
}

void io_free(struct io *io)
{
	if (io == NULL)
		return;
	if (io->ssl)
		SSL_free(io->ssl);
	free(io->line);
	free(io);
	if (fake_wire.io == io)
		fake_wire.io = NULL;
}

void fake_io_connected(void)
{
	if (fake_wire.io)
		fake_wire.io->cb(fake_wire.io, IO_CONNECTED, NULL, 0, fake_wire.io->arg);
}

void fake_io_server(const void *bytes, size_t n)
{
	if (fake_wire.io == NULL)
		return;
	evbuffer_add(fake_in, bytes, n);
	if (fake_wire.io->raw_max) {
		if (evbuffer_get_length(fake_in) == 0)
			return; /* as io.c: no event for nothing */
		fake_wire.io->cb(fake_wire.io, IO_DATA, (const char *)evbuffer_pullup(fake_in, -1),
		    evbuffer_get_length(fake_in), fake_wire.io->arg);
		return;
	}
	io_deliver(fake_wire.io, fake_in);
}

void fake_io_tls_ready(void)
{
	if (fake_wire.io && fake_wire.io->tls && !fake_wire.tls_ready++)
		fake_wire.io->cb(fake_wire.io, IO_TLS_READY, NULL, 0, fake_wire.io->arg);
}

void fake_io_closed(void)
{
	if (fake_wire.io == NULL)
		return;
	snprintf(fake_wire.io->err, sizeof(fake_wire.io->err), "connection closed by server");
	fake_wire.io->cb(fake_wire.io, IO_CLOSED, NULL, 0, fake_wire.io->arg);
}

void fake_io_error(const char *why)
{
	if (fake_wire.io == NULL)
		return;
	snprintf(fake_wire.io->err, sizeof(fake_wire.io->err), "%s", why);
	fake_wire.io->cb(fake_wire.io, IO_ERROR, NULL, 0, fake_wire.io->arg);
}

void io_notify_sent(struct io *io)
{
	(void)io;
	fake_wire.notify_sent = 1;
}

void fake_io_sent(void)
{
	if (fake_wire.io == NULL || !fake_wire.notify_sent)
		return;
	fake_wire.notify_sent = 0; /* once, as io.c */
	fake_wire.io->cb(fake_wire.io, IO_SENT, NULL, 0, fake_wire.io->arg);
}

size_t io_peek(struct io *io, char *buf, size_t len)
{
	(void)io;
	return fake_in ? io_peek_buffer(fake_in, buf, len) : 0;
}

size_t fake_io_pending(void)
{
	return fake_in ? evbuffer_get_length(fake_in) : 0;
}
