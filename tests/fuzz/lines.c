/*
 * lines.c - the line reader (io_take_line) against a model of what it must do, with the
 * stream split into reads at pseudo-random points: the lines it hands out and where it
 * gives up must not depend on how TCP split the bytes. Any difference aborts.
 */
#include <stdlib.h>

#include <event2/buffer.h>

#include "fuzz.h"
#include "net/io.h"

/* The model: the complete lines of s[0..n), one trailing CR stripped from each, up to the
 * first line (complete or not) longer than max, which sets *over. */
static long model(const uint8_t *s, size_t n, size_t max, size_t *starts, size_t *lens, int *over)
{
	size_t pos = 0;
	long k = 0;

	while (pos < n) {
		const uint8_t *nl = memchr(s + pos, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - (s + pos)) : n - pos;
		size_t content = len;

		if (content && s[pos + content - 1] == '\r')
			content--;
		if (content > max) {
			*over = 1;
			break;
		}
		if (!nl)
			break;
		starts[k] = pos;
		lens[k] = content;
		k++;
		pos += len + 1;
	}
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned sel = fuzz_byte(&in), seed = fuzz_byte(&in);
	size_t max = sel < 128 ? sel % 16 + 1 : 4096, n = in.n, pos = 0, *starts, *lens;
	const uint8_t *s = in.p;
	struct evbuffer *buf = evbuffer_new();
	char *line = NULL;
	size_t cap = 0;
	long want, got = 0;
	int too_long = 0, over = 0;

	starts = calloc(n + 1, sizeof(*starts));
	lens = calloc(n + 1, sizeof(*lens));
	want = model(s, n, max, starts, lens, &over);
	while (pos < n && !too_long) {
		size_t chunk = (seed = seed * 1103515245u + 12345u) >> 16 & 15;

		chunk = chunk ? chunk : 1;
		if (chunk > n - pos)
			chunk = n - pos;
		evbuffer_add(buf, s + pos, chunk);
		pos += chunk;
		for (;;) {
			size_t len = 0;
			enum io_take t = io_take_line(buf, max, &line, &cap, &len);

			if (t == IO_TAKE_MORE)
				break;
			if (t == IO_TAKE_TOO_LONG) {
				too_long = 1;
				break;
			}
			/* A line the model does not have, or a different one. */
			if (got >= want || line[len] != '\0')
				abort();
			if (len != lens[got] || memcmp(line, s + starts[got], len))
				abort();
			got++;
		}
	}
	if (too_long != over || got != want)
		abort();
	evbuffer_free(buf);
	free(line);
	free(starts);
	free(lens);
	return 0;
}
