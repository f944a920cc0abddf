/*
 * io_lines.c - lines in and out, apart from the socket: the bounded line reader under every
 * dialect (pure over an evbuffer) and the formatting of a command line, so that the
 * transport, the fake transport of the tests and the fuzzer share one implementation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "base/util.h"
#include "net/io.h"

/*
 * The next line of in, without its EOL, into *line (NUL-terminated), which grows as lines
 * need (*cap bytes; at most line_max + 1): a connection holds room for the longest line it
 * was sent, not for the longest allowed.
 * CRLF is the rule; a bare LF is accepted as many servers send it. A CR at the very end
 * of what has arrived may be the first half of a CRLF whose LF is still on the way, so it
 * does not count against the bound: whether a line fits must not depend on how TCP split
 * it.
 */
enum io_take io_take_line(struct evbuffer *in, size_t line_max, char **line, size_t *cap, size_t *len)
{
	size_t eol_len = 0, have = evbuffer_get_length(in), n;
	struct evbuffer_ptr p = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_CRLF);

	if (p.pos < 0) {
		unsigned char last = 0;
		struct evbuffer_ptr end;

		if (have > 0 && evbuffer_ptr_set(in, &end, have - 1, EVBUFFER_PTR_SET) == 0)
			evbuffer_copyout_from(in, &end, &last, 1);
		if (have - (last == '\r' ? 1 : 0) > line_max)
			return IO_TAKE_TOO_LONG;
		return IO_TAKE_MORE;
	}
	n = (size_t)p.pos;
	if (n > line_max)
		return IO_TAKE_TOO_LONG;
	if (n + 1 > *cap) {
		*cap = n + 1 < 128 ? 128 : n + 1;
		*line = xreallocarray(*line, *cap, 1);
	}
	evbuffer_remove(in, *line, n);
	evbuffer_drain(in, eol_len);
	(*line)[n] = '\0';
	*len = n;
	return IO_TAKE_LINE;
}

/* Deliver every complete line buffered; stop as soon as the callback says the transport
 * changed (or is gone): what is left waits for the next read. */
void io_deliver(struct io *io, struct evbuffer *in)
{
	for (;;) {
		size_t n = 0;

		switch (io_take_line(in, io->lim->line_max, &io->line, &io->line_cap, &n)) {
		case IO_TAKE_MORE:
			return;
		case IO_TAKE_TOO_LONG:
			snprintf(io->err, sizeof(io->err), "line longer than %zu bytes",
			    io->lim->line_max);
			io->cb(io, IO_ERROR, NULL, 0, io->arg);
			return;
		case IO_TAKE_LINE:
			if (io->cb(io, IO_LINE, io->line, n, io->arg) != 0)
				return;
			break;
		}
	}
}

/* fmt and CRLF into buf (cap bytes, at most IO_COMMAND_MAX); the length, or -1 with io->err
 * set when the command does not fit. */
int io_vformat(struct io *io, char *buf, size_t cap, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, cap - 2, fmt, ap);

	if (n < 0 || (size_t)n >= cap - 2) {
		snprintf(io->err, sizeof(io->err), "command too long");
		return -1;
	}
	memcpy(buf + n, "\r\n", 2);
	return n + 2;
}

size_t io_peek_buffer(struct evbuffer *in, char *buf, size_t len)
{
	size_t have = evbuffer_get_length(in), n;

	if (have == 0 || len == 0)
		return 0;
	n = have < len - 1 ? have : len - 1;
	evbuffer_copyout(in, buf, n);
	buf[n] = '\0';
	return have;
}
