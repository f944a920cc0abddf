/*
 * fuzz.h - what the fuzz targets share: libFuzzer's entry points, and a reader that takes
 * bytes, small numbers and NUL-terminated strings off the input without ever running past
 * it. Each target is one file; tests/fuzz/README.md says how they are built and run.
 */
#ifndef MAILTLS_FUZZ_H
#define MAILTLS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Where the views write: rendering is exercised, nothing is kept. */
static inline FILE *fuzz_devnull(void)
{
	static FILE *f;

	if (f == NULL && (f = fopen("/dev/null", "w")) == NULL)
		abort();
	return f;
}

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

/* One byte, 0 once the input is used up. */
static inline unsigned fuzz_byte(struct fuzz_in *in)
{
	unsigned b;

	if (in->n == 0)
		return 0;
	b = in->p[0];
	in->p++;
	in->n--;
	return b;
}

/* Up to max bytes; *len says how many there were. */
static inline const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t max, size_t *len)
{
	const uint8_t *p = in->p;

	*len = in->n < max ? in->n : max;
	in->p += *len;
	in->n -= *len;
	return p;
}

/* Bytes up to the next '\n' (not included) or the end, at most cap-1, NUL-terminated into
 * buf; a NUL inside ends the string early, as it would for any C string from the wire. */
static inline char *fuzz_line(struct fuzz_in *in, char *buf, size_t cap)
{
	size_t i = 0;

	while (in->n > 0) {
		uint8_t c = fuzz_byte(in);

		if (c == '\n')
			break;
		if (i + 1 < cap)
			buf[i++] = (char)c;
	}
	buf[i] = '\0';
	return buf;
}

#endif
