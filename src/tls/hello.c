/*
 * hello.c - a ClientHello written byte by byte (RFC 5246 7.4.1.2, RFC 8446 4.1.2) and the
 * server's answer read up to its ServerHello (RFC 8446 4.1.3) or an alert. It never does
 * I/O and never trusts a length it has not checked against what it holds.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tls/hello.h"
#include "model/suites.h"

enum {
	REC_ALERT = 21,
	REC_HANDSHAKE = 22,
	HS_CLIENT_HELLO = 1,
	HS_SERVER_HELLO = 2,
	EXT_SERVER_NAME = 0,
	EXT_STATUS_REQUEST = 5,
	EXT_SUPPORTED_GROUPS = 10,
	EXT_EC_POINT_FORMATS = 11,
	EXT_SIGNATURE_ALGORITHMS = 13,
	EXT_EXTENDED_MASTER_SECRET = 23,
	EXT_SUPPORTED_VERSIONS = 43,
	EXT_PSK_KEY_EXCHANGE_MODES = 45,
	EXT_KEY_SHARE = 51,
	EXT_RENEGOTIATION_INFO = 0xff01,
};

/* RFC 7748 6.1: Alice's X25519 public key, a valid point whose private key is published:
 * the handshake is never finished, so nobody needs to keep it secret. */
static const unsigned char x25519_key[32] = {0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74,
    0x8b, 0x7d, 0xdc, 0xb4, 0x3e, 0xf7, 0x5a, 0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38, 0x1a, 0xf4, 0xeb,
    0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a};

/* The P-256 base point G, uncompressed (SEC 2 2.4.2): the public key of private key 1. */
static const unsigned char p256_key[65] = {0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47,
    0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0,
    0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b,
    0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce,
    0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};

/* RFC 8446 4.1.3: SHA-256("HelloRetryRequest"), the random of a HelloRetryRequest. */
static const unsigned char hrr_random[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe,
    0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07,
    0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* RFC 8446 4.1.3: the last 8 bytes of a TLS 1.3 server's random when it negotiates less. */
static const unsigned char downgrade_prefix[7] = {'D', 'O', 'W', 'N', 'G', 'R', 'D'};

/* The writer: bytes appended up to cap; one overflow flag instead of a check per call. */
struct wbuf {
	unsigned char *p;
	size_t len, cap;
	int bad;
};

static void put_bytes(struct wbuf *b, const void *src, size_t n)
{
	if (b->bad || n > b->cap - b->len) {
		b->bad = 1;
		return;
	}
	if (n > 0)
		memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void put_int(struct wbuf *b, unsigned long v, size_t width)
{
	unsigned char tmp[3];

	for (size_t i = 0; i < width; i++)
		tmp[i] = (unsigned char)(v >> (8 * (width - 1 - i)));
	put_bytes(b, tmp, width);
}

/* A length field of width bytes, filled in by close_len once what it covers is written. */
static size_t open_len(struct wbuf *b, size_t width)
{
	size_t at = b->len;

	put_int(b, 0, width);
	return at;
}

static void close_len(struct wbuf *b, size_t at, size_t width)
{
	size_t n;

	if (b->bad)
		return;
	n = b->len - at - width;
	if (n >> (8 * width) != 0) {
		b->bad = 1;
		return;
	}
	for (size_t i = 0; i < width; i++)
		b->p[at + i] = (unsigned char)(n >> (8 * (width - 1 - i)));
}

static void put_list16(struct wbuf *b, const uint16_t *v, size_t n, size_t width)
{
	size_t at = open_len(b, width);

	for (size_t i = 0; i < n; i++)
		put_int(b, v[i], 2);
	close_len(b, at, width);
}

/* The key_share entry for the first group, when it is one we hold a public key for. */
static void put_key_share(struct wbuf *b, const struct hello_offer *o)
{
	size_t at = open_len(b, 2);

	if (o->ngroups > 0 && o->groups[0] == HELLO_GROUP_X25519) {
		put_int(b, HELLO_GROUP_X25519, 2);
		put_int(b, sizeof(x25519_key), 2);
		put_bytes(b, x25519_key, sizeof(x25519_key));
	} else if (o->ngroups > 0 && o->groups[0] == HELLO_GROUP_SECP256R1) {
		put_int(b, HELLO_GROUP_SECP256R1, 2);
		put_int(b, sizeof(p256_key), 2);
		put_bytes(b, p256_key, sizeof(p256_key));
	}
	close_len(b, at, 2);
}

static void put_extensions(struct wbuf *b, const struct hello_offer *o, uint16_t min_version)
{
	size_t all = open_len(b, 2), at, at2;

	if (o->sni != NULL) {
		put_int(b, EXT_SERVER_NAME, 2);
		at = open_len(b, 2);
		at2 = open_len(b, 2);
		put_int(b, 0, 1); /* host_name */
		put_int(b, strlen(o->sni), 2);
		put_bytes(b, o->sni, strlen(o->sni));
		close_len(b, at2, 2);
		close_len(b, at, 2);
	}
	if (o->ngroups > 0) {
		/* RFC 8422 5.1.2: uncompressed points only; servers before it want the list. */
		put_int(b, EXT_EC_POINT_FORMATS, 2);
		put_bytes(b, "\x00\x02\x01\x00", 4);
		put_int(b, EXT_SUPPORTED_GROUPS, 2);
		at = open_len(b, 2);
		put_list16(b, o->groups, o->ngroups, 2);
		close_len(b, at, 2);
	}
	if (o->ocsp) {
		/* RFC 6066 8: type ocsp, no responder ids, no request extensions. */
		put_int(b, EXT_STATUS_REQUEST, 2);
		put_bytes(b, "\x00\x05\x01\x00\x00\x00\x00", 7);
	}
	if (o->nsigalgs > 0 && o->version >= HELLO_TLS12) {
		put_int(b, EXT_SIGNATURE_ALGORITHMS, 2);
		at = open_len(b, 2);
		put_list16(b, o->sigalgs, o->nsigalgs, 2);
		close_len(b, at, 2);
	}
	put_bytes(b, "\x00\x17\x00\x00", 4);     /* extended_master_secret, RFC 7627 */
	put_bytes(b, "\xff\x01\x00\x01\x00", 5); /* renegotiation_info, empty: RFC 5746 3.4 */
	if (o->version == HELLO_TLS13) {
		put_int(b, EXT_SUPPORTED_VERSIONS, 2);
		at = open_len(b, 2);
		at2 = open_len(b, 1);
		for (unsigned v = o->version; v >= min_version; v--)
			put_int(b, v, 2);
		close_len(b, at2, 1);
		close_len(b, at, 2);
		put_bytes(b, "\x00\x2d\x00\x02\x01\x01",
		    6); /* psk_key_exchange_modes: psk_dhe_ke */
		put_int(b, EXT_KEY_SHARE, 2);
		at = open_len(b, 2);
		put_key_share(b, o);
		close_len(b, at, 2);
	}
	close_len(b, all, 2);
}

size_t hello_write(const struct hello_offer *o, const unsigned char seed[64], unsigned char *out,
    size_t outlen)
{
	struct wbuf b = {out, 0, outlen < 5 + HELLO_CLIENT_MAX ? outlen : 5 + HELLO_CLIENT_MAX, 0};
	uint16_t min_version = o->min_version ? o->min_version : o->version;
	size_t rec, hs, at;

	if (o->version < HELLO_SSL3 || o->version > HELLO_TLS13 || o->nsuites == 0 ||
	    min_version < HELLO_SSL3 || min_version > o->version ||
	    (o->sni != NULL && (o->sni[0] == '\0' || strlen(o->sni) > HELLO_SNI_MAX)))
		return 0;
	/* The record version: 0x0301 for anything newer than SSLv3, as browsers send, since
	 * some servers drop a ClientHello record whose version they do not know. */
	put_int(&b, REC_HANDSHAKE, 1);
	put_int(&b, o->version == HELLO_SSL3 ? HELLO_SSL3 : HELLO_TLS10, 2);
	rec = open_len(&b, 2);
	put_int(&b, HS_CLIENT_HELLO, 1);
	hs = open_len(&b, 3);
	put_int(&b, o->version > HELLO_TLS12 ? HELLO_TLS12 : o->version, 2);
	put_bytes(&b, seed, 32);
	if (o->version == HELLO_TLS13) {
		put_int(&b, 32, 1);
		put_bytes(&b, seed + 32, 32);
	} else {
		put_int(&b, 0, 1);
	}
	at = open_len(&b, 2);
	for (size_t i = 0; i < o->nsuites; i++)
		put_int(&b, o->suites[i], 2);
	if (o->version == HELLO_SSL3)
		put_int(&b, SUITE_SCSV_RENEGOTIATION, 2);
	close_len(&b, at, 2);
	put_bytes(&b, "\x01\x00", 2); /* compression: null only */
	if (o->version > HELLO_SSL3)
		put_extensions(&b, o, min_version);
	close_len(&b, hs, 3);
	close_len(&b, rec, 2);
	return b.bad ? 0 : b.len;
}

static enum hello_result fail(struct server_hello *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum hello_result fail(struct server_hello *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return HELLO_ERROR;
}

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static enum hello_result parse_extension(unsigned type, const unsigned char *p, size_t n, int hrr,
    uint16_t *selected, struct server_hello *out)
{
	switch (type) {
	case EXT_SUPPORTED_VERSIONS:
		if (n != 2)
			return fail(out, "supported_versions of %zu bytes, not 2", n);
		*selected = (uint16_t)get16(p);
		break;
	case EXT_KEY_SHARE:
		/* RFC 8446 4.2.8: a HelloRetryRequest names a group, a ServerHello gives a share.
		 */
		if (hrr ? n != 2 : (n < 4 || get16(p + 2) != n - 4))
			return fail(out, "key_share of %zu bytes does not hold its %s", n,
			    hrr ? "group" : "key");
		out->group = (uint16_t)get16(p);
		break;
	case EXT_RENEGOTIATION_INFO:
		if (n < 1 || p[0] != n - 1)
			return fail(out, "renegotiation_info of %zu bytes is malformed", n);
		if (n != 1)
			return fail(out,
			    "renegotiation_info not empty in a first handshake "
			    "(RFC 5746 3.4)");
		out->secure_renegotiation = 1;
		break;
	case EXT_EXTENDED_MASTER_SECRET:
		if (n != 0)
			return fail(out, "extended_master_secret of %zu bytes, not empty", n);
		out->extended_master_secret = 1;
		break;
	case EXT_STATUS_REQUEST:
		if (n != 0)
			return fail(out, "status_request of %zu bytes, not empty", n);
		out->ocsp_status_requested = 1;
		break;
	}
	return HELLO_SERVER_HELLO;
}

/* The bit for an extension whose repetition we catch (RFC 8446 4.2: at most one of each). */
static unsigned ext_bit(unsigned type)
{
	switch (type) {
	case EXT_SUPPORTED_VERSIONS:
		return 1;
	case EXT_KEY_SHARE:
		return 2;
	case EXT_RENEGOTIATION_INFO:
		return 4;
	case EXT_EXTENDED_MASTER_SECRET:
		return 8;
	case EXT_STATUS_REQUEST:
		return 16;
	}
	return 0;
}

/* The ServerHello body (after the 4-byte handshake header), all n bytes of it. */
static enum hello_result parse_server_hello(const unsigned char *p, size_t n,
    struct server_hello *out)
{
	uint16_t selected = 0;
	unsigned seen = 0;
	size_t pos, end;
	int hrr;

	if (n < 38)
		return fail(out, "ServerHello of %zu bytes: shorter than its fixed fields", n);
	out->legacy_version = (uint16_t)get16(p);
	if (p[0] != 3)
		return fail(out, "ServerHello version 0x%04x is not SSL 3 or TLS", get16(p));
	hrr = memcmp(p + 2, hrr_random, 32) == 0;
	if (memcmp(p + 2 + 24, downgrade_prefix, 7) == 0 && p[2 + 31] <= 1)
		out->downgrade = p[2 + 31] ? HELLO_TLS12 : HELLO_TLS11;
	out->session_id_len = p[34];
	if (p[34] > 32)
		return fail(out, "session id of %u bytes (at most 32)", p[34]);
	pos = 35 + p[34];
	if (n < pos + 3)
		return fail(out, "session id of %u bytes overruns the ServerHello", p[34]);
	out->suite = (uint16_t)get16(p + pos);
	out->compression = p[pos + 2];
	pos += 3;
	/* RFC 5246 7.4.1.3: an SSLv3 or early TLS server may end the message here. */
	if (pos < n) {
		if (n - pos < 2)
			return fail(out, "1 byte after the compression method");
		if (get16(p + pos) != n - pos - 2)
			return fail(out, "extensions of %u bytes in the %zu left", get16(p + pos),
			    n - pos - 2);
		pos += 2;
	}
	end = n;
	while (pos < end) {
		unsigned type, elen, bit;
		enum hello_result r;

		if (end - pos < 4)
			return fail(out, "%zu stray bytes after the last extension", end - pos);
		type = get16(p + pos);
		elen = get16(p + pos + 2);
		pos += 4;
		if (elen > end - pos)
			return fail(out, "extension 0x%04x of %u bytes overruns the %zu left", type,
			    elen, end - pos);
		bit = ext_bit(type);
		if (seen & bit)
			return fail(out, "extension 0x%04x twice", type);
		seen |= bit;
		r = parse_extension(type, p + pos, elen, hrr, &selected, out);
		if (r == HELLO_ERROR)
			return r;
		out->nextensions++;
		pos += elen;
	}
	out->version = selected ? selected : out->legacy_version;
	return hrr ? HELLO_RETRY_REQUEST : HELLO_SERVER_HELLO;
}

/* The first bytes: an SSLv2 answer (RFC 6176 forbids SSLv2) has the top bit of its 2-byte
 * header set and its message type third. Decided on the first 3 bytes only, so that a
 * prefix never gets another answer than the whole. */
static enum hello_result sslv2(const unsigned char *in, size_t len, struct server_hello *out)
{
	if (len < 3)
		return HELLO_MORE;
	if (in[2] == 4)
		return fail(out, "an SSLv2 ServerHello: the server answers in SSLv2");
	return fail(out, "an SSLv2-style header, message type %u: not TLS", in[2]);
}

enum hello_result hello_read(const unsigned char *in, size_t len, struct server_hello *out)
{
	unsigned char msg[4 + HELLO_MESSAGE_MAX]; /* the ServerHello, joined across records */
	size_t have = 0, need = 4, off = 0;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return HELLO_MORE; /* in may be NULL then (an empty evbuffer's pullup) */
	if (in[0] & 0x80)
		return sslv2(in, len, out);
	for (;;) {
		const unsigned char *h = in + off;
		size_t left = len - off, reclen, avail;

		/* The record header (RFC 8446 5.1), each field judged as soon as it is here. */
		if (left == 0)
			return HELLO_MORE;
		if (h[0] != REC_HANDSHAKE && h[0] != REC_ALERT)
			return fail(out, "record type %u%s where a handshake was due", h[0],
			    off == 0 && h[0] >= 0x20 && h[0] < 0x7f ? " (text: not TLS)" : "");
		if (left < 2)
			return HELLO_MORE;
		if (h[1] != 3)
			return fail(out, "record version %u.x is not SSL 3 or TLS", h[1]);
		if (left < 5)
			return HELLO_MORE;
		if (off == 0)
			out->record_version = (uint16_t)get16(h + 1);
		reclen = get16(h + 3);
		if (reclen == 0)
			return fail(out, "an empty record (type %u)", h[0]);
		if (reclen > HELLO_RECORD_MAX)
			return fail(out, "a record of %zu bytes (at most %d)", reclen,
			    HELLO_RECORD_MAX);
		avail = left - 5 < reclen ? left - 5 : reclen;
		if (h[0] == REC_ALERT) {
			if (reclen < 2)
				return fail(out, "an alert record of %zu byte", reclen);
			if (avail < 2)
				return HELLO_MORE;
			out->alert_level = h[5];
			out->alert_desc = h[6];
			return HELLO_ALERT;
		}
		for (size_t i = 0; i < avail;) {
			size_t take = avail - i < need - have ? avail - i : need - have;

			memcpy(msg + have, h + 5 + i, take);
			have += take;
			i += take;
			if (have == 4 && need == 4) {
				size_t mlen = (size_t)msg[1] << 16 | (size_t)msg[2] << 8 | msg[3];

				if (msg[0] != HS_SERVER_HELLO)
					return fail(out,
					    "handshake message type %u where a "
					    "ServerHello was due",
					    msg[0]);
				if (mlen > HELLO_MESSAGE_MAX)
					return fail(out, "a ServerHello of %zu bytes (at most %d)",
					    mlen, HELLO_MESSAGE_MAX);
				need = 4 + mlen;
			}
			if (have == need && have >= 4)
				return parse_server_hello(msg + 4, need - 4, out);
		}
		if (avail < reclen)
			return HELLO_MORE;
		off += 5 + reclen;
	}
}

const char *hello_result_name(enum hello_result r)
{
	switch (r) {
	case HELLO_MORE:
		return "more";
	case HELLO_SERVER_HELLO:
		return "server-hello";
	case HELLO_RETRY_REQUEST:
		return "hello-retry-request";
	case HELLO_ALERT:
		return "alert";
	case HELLO_ERROR:
		return "error";
	}
	return "unknown";
}

static enum hello_result kx_fail(struct server_kx *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum hello_result kx_fail(struct server_kx *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return HELLO_ERROR;
}

/* The ServerKeyExchange's first bytes: a named curve (type 3, then its id) or dh_p's
 * length and first byte. */
static enum hello_result kx_parse(const unsigned char *b, size_t n, size_t mlen, int ecdhe,
    struct server_kx *out)
{
	out->seen = 1;
	if (ecdhe) {
		if (n < 3)
			return kx_fail(out, "a ServerKeyExchange of %zu bytes", mlen);
		if (b[0] == 3) /* named_curve */
			out->group = (uint16_t)get16(b + 1);
		return HELLO_SERVER_HELLO;
	}
	if (n < 3)
		return kx_fail(out, "a ServerKeyExchange of %zu bytes", mlen);
	{
		size_t plen = get16(b);
		int top = 0;

		if (plen == 0 || plen + 2 > mlen)
			return kx_fail(out, "dh_p of %zu bytes in a ServerKeyExchange of %zu",
			    plen, mlen);
		for (unsigned v = b[2]; v; v >>= 1)
			top++;
		out->dh_bits = (int)((plen - 1) * 8) + top;
	}
	return HELLO_SERVER_HELLO;
}

enum hello_result hello_read_kx(const unsigned char *in, size_t len, int ecdhe,
    struct server_kx *out)
{
	enum { HS_SERVER_KEY_EXCHANGE = 12, HS_SERVER_HELLO_DONE = 14 };
	unsigned char hdr[4], kx[3];
	size_t hlen = 0, left = 0, nkx = 0, mlen = 0, off = 0;
	unsigned messages = 0;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return HELLO_MORE;
	for (;;) {
		const unsigned char *h = in + off;
		size_t reclen;

		if (len - off < 5)
			return HELLO_MORE;
		if (h[0] == REC_ALERT && len - off >= 7) {
			return HELLO_ALERT;
		} else if (h[0] == REC_ALERT) {
			return HELLO_MORE;
		}
		if (h[0] != REC_HANDSHAKE || h[1] != 3)
			return kx_fail(out, "record type %u before ServerHelloDone", h[0]);
		reclen = get16(h + 3);
		if (reclen == 0 || reclen > HELLO_RECORD_MAX)
			return kx_fail(out, "a record of %zu bytes", reclen);
		for (size_t i = 0; i < reclen; i++) {
			unsigned char c;

			if (off + 5 + i >= len)
				return HELLO_MORE;
			if (hlen == 4 && hdr[0] != HS_SERVER_KEY_EXCHANGE && left > 1) {
				/* The body of a message we do not read: skip it whole. */
				size_t skip = reclen - i < left - 1 ? reclen - i : left - 1;

				left -= skip;
				i += skip - 1;
				continue;
			}
			c = h[5 + i];
			if (hlen < 4) {
				hdr[hlen++] = c;
				if (hlen < 4)
					continue;
				mlen = (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
				left = mlen;
				nkx = 0;
				if (++messages > 16)
					return kx_fail(out, "more than 16 handshake messages");
				if (left > 0)
					continue;
			} else {
				if (hdr[0] == HS_SERVER_KEY_EXCHANGE && nkx < sizeof(kx))
					kx[nkx++] = c;
				if (--left > 0)
					continue;
			}
			/* A whole message. */
			if (hdr[0] == HS_SERVER_KEY_EXCHANGE)
				return kx_parse(kx, nkx, mlen, ecdhe, out);
			if (hdr[0] == HS_SERVER_HELLO_DONE)
				return HELLO_SERVER_HELLO;
			hlen = 0;
		}
		/* A skip may have run to the record's end past what has come: wait for it. */
		if (len - off - 5 < reclen)
			return HELLO_MORE;
		off += 5 + reclen;
	}
}
