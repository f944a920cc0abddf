/*
 * list.c - the list reader (cmd/input.c) against a model of what it must give: the bytes
 * come through a pipe in pieces cut at pseudo-random points, as from `cat list |`, and the
 * names, their printable form and the lines said to be too long must not depend on where
 * the pieces were cut. The same bytes as a file must give the same. Any difference aborts.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/addr.h"
#include "cmd/input.h"
#include "fuzz.h"

#define FIT (INPUT_LINE_MAX - 1) /* the bytes of a line and its newline the reader holds */

struct name {
	char s[INPUT_LINE_MAX];
	int too_long, not_ascii; /* not_ascii: and no name in any script, so a reason */
};

/* What each line of s[0..n) must give, into want; how many. */
static size_t model(const uint8_t *s, size_t n, struct name *want)
{
	size_t pos = 0, k = 0;

	while (pos < n) {
		const uint8_t *nl = memchr(s + pos, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - (s + pos)) : n - pos, a = 0, b, o = 0;
		struct name *w = &want[k];

		memset(w, 0, sizeof(*w));
		if (len >= FIT) { /* no newline in the first FIT bytes */
			for (size_t i = 0; i < 60; i++)
				w->s[i] = s[pos + i] >= 0x20 && s[pos + i] < 0x7f ? (char)s[pos + i]
				                                                  : '?';
			memcpy(w->s + 60, "...", 4);
			w->too_long = 1;
			k++;
		} else {
			b = len;
			for (size_t i = 0; i < len; i++)
				if (s[pos + i] == '#') {
					b = i;
					break;
				}
			/* isspace: a NUL is no blank (the reader makes it a DEL first). */
			while (a < b && s[pos + a] && isspace(s[pos + a]))
				a++;
			while (b > a && s[pos + b - 1] && isspace(s[pos + b - 1]))
				b--;
			char raw[INPUT_LINE_MAX], why[160];

			for (size_t i = a; i < b; i++) {
				uint8_t c = s[pos + i];

				w->not_ascii |= c >= 0x80;
				raw[o] = c ? (char)c : '\x7f'; /* as the reader sees a NUL */
				w->s[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
			}
			raw[o] = '\0';
			/* A name in other scripts: its A-labels, no reason given (base/addr.c is
			 * the oracle here: what is fuzzed is the reader around it). */
			if (w->not_ascii &&
			    addr_to_ascii(raw, w->s, sizeof(w->s), why, sizeof(why)) == 0)
				w->not_ascii = 0;
			k += o > 0;
		}
		pos += len + 1;
	}
	return k;
}

static void same(const struct name *w, const char *got, const char *why)
{
	if (strcmp(w->s, got) != 0)
		abort();
	if (w->too_long != (why && strcmp(why, "the line is longer than any domain name") == 0))
		abort();
	if (!w->too_long && w->not_ascii != (why != NULL))
		abort();
	for (const char *p = got; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned seed = fuzz_byte(&in);
	const uint8_t *s = in.p;
	size_t n = in.n, k, got = 0, pos = 0;
	struct name *want = calloc(n + 1, sizeof(*want));
	struct input *pin = calloc(1, sizeof(*pin)), *fin = calloc(1, sizeof(*fin));
	char name[INPUT_LINE_MAX], path[64];
	const char *why;
	int p[2] = {-1, -1};

	if (n > 1 << 16 || want == NULL || pin == NULL || fin == NULL || pipe(p) != 0)
		goto out;
	k = model(s, n, want);
	input_init(pin, NULL, 0);
	input_init(fin, NULL, 0);
	/* Through a pipe, in pieces of 1 to 2,048 bytes. */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	pin->fd = p[0];
	for (;;) {
		while (input_next(pin, name, sizeof(name), &why)) {
			if (got >= k)
				abort();
			same(&want[got++], name, why);
		}
		if (!pin->waiting)
			break;
		pin->waiting = 0;
		if (pos == n) {
			close(p[1]);
			p[1] = -1;
			continue;
		}
		{
			size_t chunk = ((seed = seed * 1103515245u + 12345u) >> 16 & 2047) + 1;

			if (chunk > n - pos)
				chunk = n - pos;
			if (write(p[1], s + pos, chunk) != (ssize_t)chunk)
				abort();
			pos += chunk;
		}
	}
	if (got != k || pos != n)
		abort();
	/* As a file: the same names, and as many counted. */
	got = 0;
	if ((fin->fd = memfd_create("list", 0)) < 0 || write(fin->fd, s, n) != (ssize_t)n ||
	    lseek(fin->fd, 0, SEEK_SET) != 0)
		abort();
	while (input_next(fin, name, sizeof(name), &why)) {
		if (got >= k)
			abort();
		same(&want[got++], name, why);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fin->fd);
	if (got != k || input_count(path) != k)
		abort();
	close(fin->fd);
out:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	free(want);
	free(pin);
	free(fin);
	return 0;
}
