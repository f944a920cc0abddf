/*
 * server_hello.c - a server's answer to a ClientHello, raw bytes of exact length, through
 * hello_read whole and as a prefix (the first byte of the input says where to cut, as if
 * the answer came in two reads). A prefix's answer is HELLO_MORE or the whole's, field for
 * field; an error says why in printable text; what a ServerHello reports is in range. The
 * same bytes go on through hello_read_kx (the TLS map's ServerKeyExchange reader), both
 * ways, with the same rule for a prefix.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "tls/hello.h"

static void check(enum hello_result r, const struct server_hello *sh)
{
	if (r == HELLO_ERROR) {
		size_t n = strnlen(sh->why, sizeof(sh->why));

		if (n == 0 || n == sizeof(sh->why))
			abort();
		for (size_t i = 0; i < n; i++)
			if (sh->why[i] < 0x20 || sh->why[i] > 0x7e)
				abort();
	} else if (sh->why[0] != '\0') {
		abort();
	}
	if ((r == HELLO_SERVER_HELLO || r == HELLO_RETRY_REQUEST) &&
	    (sh->legacy_version >> 8 != 3 || sh->session_id_len > 32))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct server_hello whole, part;
	enum hello_result r, rp;
	unsigned char *copy;
	size_t cut;
	int ecdhe;

	if (size == 0)
		return 0;
	cut = data[0] % 8 == 0 ? size - 1 : (data[0] * 7u) % size; /* 1/8: all but the last byte */
	ecdhe = (data[0] >> 3) & 1; /* how the key exchange is read: the same byte's next bit */
	data++;
	size--;
	/* Exact-size copies: a read past len is a heap overflow ASan sees. */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	r = hello_read(copy, size, &whole);
	check(r, &whole);
	{
		struct server_kx kx, kxp;
		enum hello_result k = hello_read_kx(copy, size, ecdhe, &kx);
		enum hello_result kp = hello_read_kx(copy, cut > size ? size : cut, ecdhe, &kxp);

		if ((k == HELLO_ERROR) != (kx.why[0] != '\0') || kx.dh_bits < 0 ||
		    kx.dh_bits > 8 * 65536)
			abort();
		if (kp != HELLO_MORE && (kp != k || memcmp(&kxp, &kx, sizeof(kx)) != 0))
			abort();
	}
	if (cut > size)
		cut = size;
	free(copy);
	copy = malloc(cut ? cut : 1);
	memcpy(copy, data, cut);
	rp = hello_read(copy, cut, &part);
	check(rp, &part);
	if (rp != HELLO_MORE && (rp != r || memcmp(&part, &whole, sizeof(part)) != 0))
		abort();
	free(copy);
	return 0;
}
