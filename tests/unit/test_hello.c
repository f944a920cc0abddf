/* Unit tests: ClientHello writer, ServerHello reader (tls/hello.c) and the suite table
 * (tls/suites.c), with a round trip through OpenSSL's own server over memory BIOs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "selfsigned.h"
#include "tls/hello.h"
#include "model/suites.h"

static EVP_PKEY *key;
static X509 *cert;
static unsigned char seed[64];

static const uint16_t sigalgs[] = {0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0403, 0x0503,
    0x0201, 0x0203};
static const uint16_t groups_x25519[] = {HELLO_GROUP_X25519, HELLO_GROUP_SECP256R1};
static const uint16_t groups_p256[] = {HELLO_GROUP_SECP256R1, HELLO_GROUP_X25519};
static const uint16_t groups_p384[] = {HELLO_GROUP_SECP384R1, HELLO_GROUP_X25519};
static const uint16_t suites13[] = {0x1302, 0x1301, 0x1303};

/* One RSA key and a self-signed certificate for every server of the file. */
static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(seed); i++)
		seed[i] = (unsigned char)(i * 7 + 1);
	return selfsigned("mx.example.test", &key, &cert);
}

static int teardown(void **state)
{
	(void)state;
	X509_free(cert);
	EVP_PKEY_free(key);
	return 0;
}

static int status_cb(SSL *ssl, void *arg)
{
	unsigned char *resp = OPENSSL_malloc(4);

	(void)arg;
	memcpy(resp, "\x30\x03\x0a\x01", 4); /* bytes only: nobody parses them here */
	SSL_set_tlsext_status_ocsp_resp(ssl, resp, 4);
	return SSL_TLSEXT_ERR_OK;
}

/* OpenSSL's server, everything enabled that it still has: the ClientHello in, its first
 * flight (or alert) out. */
static size_t serve(const unsigned char *ch, size_t n, unsigned char *ans, size_t cap)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	SSL *ssl;
	BIO *rb, *wb;
	int got;

	assert_non_null(ctx);
	SSL_CTX_set_security_level(ctx, 0);
	assert_true(SSL_CTX_set_min_proto_version(ctx, 0));
	assert_true(SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0"));
	assert_true(SSL_CTX_use_certificate(ctx, cert));
	assert_true(SSL_CTX_use_PrivateKey(ctx, key));
	SSL_CTX_set_tlsext_status_cb(ctx, status_cb);
	ssl = SSL_new(ctx);
	rb = BIO_new(BIO_s_mem());
	wb = BIO_new(BIO_s_mem());
	assert_int_equal(BIO_write(rb, ch, (int)n), (int)n);
	SSL_set_bio(ssl, rb, wb);
	SSL_set_accept_state(ssl);
	assert_true(SSL_do_handshake(ssl) <= 0); /* waits for our next flight, or failed */
	if (getenv("HELLO_DEBUG"))               /* why OpenSSL answered as it did */
		ERR_print_errors_fp(stderr);
	got = BIO_read(wb, ans, (int)cap);
	assert_true(got > 0);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return (size_t)got;
}

/* Every proper prefix is HELLO_MORE or the whole's answer, field for field. */
static enum hello_result read_all(const unsigned char *in, size_t n, struct server_hello *sh)
{
	enum hello_result whole = hello_read(in, n, sh);

	for (size_t k = 0; k < n; k++) {
		struct server_hello part;
		enum hello_result r = hello_read(in, k, &part);

		if (r != HELLO_MORE) {
			assert_int_equal(r, whole);
			assert_memory_equal(&part, sh, sizeof(part));
		}
	}
	if (whole == HELLO_ERROR) {
		assert_true(sh->why[0] != '\0');
		for (const char *c = sh->why; *c; c++)
			assert_true(*c >= 0x20 && *c < 0x7f);
	}
	return whole;
}

/* HELLO_SEEDS=DIR: keep OpenSSL's answers as seeds for tests/fuzz/server_hello (whose
 * first input byte says where to cut). */
static void save_seed(const unsigned char *ans, size_t n)
{
	static int count;
	const char *dir = getenv("HELLO_SEEDS");
	char path[4096];
	FILE *f;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/openssl-%02d", dir, count++);
	assert_non_null(f = fopen(path, "wb"));
	fputc(0x2a, f);
	fwrite(ans, 1, n, f);
	fclose(f);
}

static enum hello_result round_trip(const struct hello_offer *o, struct server_hello *sh)
{
	unsigned char ch[2048], ans[16384];
	size_t n = hello_write(o, seed, ch, sizeof(ch)), m;

	assert_true(n > 0);
	m = serve(ch, n, ans, sizeof(ans));
	save_seed(ans, m);
	return read_all(ans, m, sh);
}

static void openssl_tls13(void **state)
{
	struct hello_offer o = {.version = HELLO_TLS13,
	    .min_version = HELLO_TLS12,
	    .suites = suites13,
	    .nsuites = 3,
	    .groups = groups_x25519,
	    .ngroups = 2,
	    .sigalgs = sigalgs,
	    .nsigalgs = 10,
	    .sni = "mx.example.test",
	    .ocsp = 1};
	struct server_hello sh;

	(void)state;
	assert_int_equal(round_trip(&o, &sh), HELLO_SERVER_HELLO);
	assert_int_equal(sh.version, HELLO_TLS13);
	assert_int_equal(sh.legacy_version, HELLO_TLS12);
	assert_int_equal(sh.suite, 0x1302); /* OpenSSL follows the client's order by default */
	assert_int_equal(sh.group, HELLO_GROUP_X25519);
	assert_int_equal(sh.session_id_len, 32); /* echoed: RFC 8446 4.1.3 */
	assert_int_equal(sh.compression, 0);
	assert_int_equal(sh.downgrade, 0);
	assert_true(suite_by_id(sh.suite)->flags & SUITE_AEAD);
}

/* The fixed P-256 key (the base point) is a share OpenSSL accepts. */
static void openssl_tls13_p256(void **state)
{
	struct hello_offer o = {.version = HELLO_TLS13,
	    .suites = suites13 + 1,
	    .nsuites = 1,
	    .groups = groups_p256,
	    .ngroups = 2,
	    .sigalgs = sigalgs,
	    .nsigalgs = 10};
	struct server_hello sh;

	(void)state;
	assert_int_equal(round_trip(&o, &sh), HELLO_SERVER_HELLO);
	assert_int_equal(sh.version, HELLO_TLS13);
	assert_int_equal(sh.suite, 0x1301);
	assert_int_equal(sh.group, HELLO_GROUP_SECP256R1);
}

/* No share for secp384r1: the server asks again with a HelloRetryRequest. */
static void openssl_tls13_retry(void **state)
{
	struct hello_offer o = {.version = HELLO_TLS13,
	    .suites = suites13,
	    .nsuites = 3,
	    .groups = groups_p384,
	    .ngroups = 2,
	    .sigalgs = sigalgs,
	    .nsigalgs = 10};
	struct server_hello sh;

	(void)state;
	assert_int_equal(round_trip(&o, &sh), HELLO_RETRY_REQUEST);
	assert_int_equal(sh.version, HELLO_TLS13);
	assert_true(sh.group == HELLO_GROUP_SECP384R1 || sh.group == HELLO_GROUP_X25519);
	assert_int_equal(sh.suite, 0x1302);
}

static void openssl_tls12(void **state)
{
	static const uint16_t s[] = {0xc02f, 0xc030, 0x009c, 0x002f};
	struct hello_offer o = {.version = HELLO_TLS12,
	    .suites = s,
	    .nsuites = 4,
	    .groups = groups_x25519,
	    .ngroups = 2,
	    .sigalgs = sigalgs,
	    .nsigalgs = 10,
	    .sni = "mx.example.test",
	    .ocsp = 1};
	struct server_hello sh;

	(void)state;
	assert_int_equal(round_trip(&o, &sh), HELLO_SERVER_HELLO);
	assert_int_equal(sh.version, HELLO_TLS12);
	assert_int_equal(sh.suite, 0xc02f);
	assert_int_equal(sh.group, 0);
	assert_true(sh.secure_renegotiation);
	assert_true(sh.extended_master_secret);
	assert_true(sh.ocsp_status_requested);
	assert_int_equal(sh.downgrade, HELLO_TLS12); /* a TLS 1.3 server says DOWNGRD\1 */
}

static void openssl_tls11_and_10(void **state)
{
	static const uint16_t s[] = {0xc013, 0x002f};
	struct hello_offer o = {.version = HELLO_TLS11,
	    .suites = s,
	    .nsuites = 2,
	    .groups = groups_x25519,
	    .ngroups = 2};
	struct server_hello sh;

	(void)state;
	assert_int_equal(round_trip(&o, &sh), HELLO_SERVER_HELLO);
	assert_int_equal(sh.version, HELLO_TLS11);
	assert_int_equal(sh.suite, 0xc013);
	assert_int_equal(sh.downgrade, HELLO_TLS11);
	o.version = HELLO_TLS10;
	o.suites = s + 1;
	o.nsuites = 1;
	assert_int_equal(round_trip(&o, &sh), HELLO_SERVER_HELLO);
	assert_int_equal(sh.version, HELLO_TLS10);
	assert_int_equal(sh.suite, 0x002f);
	assert_true(sh.secure_renegotiation);
}

/* What OpenSSL 3 no longer speaks comes back as an alert, read as one. */
static void openssl_refusals(void **state)
{
	static const uint16_t rc4[] = {0x0004, 0x0005};
	static const uint16_t aes[] = {0x002f};
	struct hello_offer o = {.version = HELLO_TLS12,
	    .suites = rc4,
	    .nsuites = 2,
	    .groups = groups_x25519,
	    .ngroups = 2,
	    .sigalgs = sigalgs,
	    .nsigalgs = 10};
	struct server_hello sh;

	(void)state;
	assert_int_equal(round_trip(&o, &sh), HELLO_ALERT);
	assert_int_equal(sh.alert_level, 2);
	assert_int_equal(sh.alert_desc, 40); /* handshake_failure */
	o.version = HELLO_SSL3;
	o.suites = aes;
	o.nsuites = 1;
	assert_int_equal(round_trip(&o, &sh), HELLO_ALERT);
	assert_int_equal(sh.alert_level, 2);
	/* "version too low", but SSL 3.0 has no protocol_version alert: OpenSSL's
	 * ssl3_send_alert() turns it into handshake_failure for an SSLv3 peer. */
	assert_int_equal(sh.alert_desc, 40);
	assert_int_equal(sh.record_version, HELLO_SSL3);
}

static void write_layout(void **state)
{
	static const uint16_t s[] = {0xc02f, 0x002f};
	struct hello_offer o = {.version = HELLO_TLS12, .suites = s, .nsuites = 2};
	unsigned char a[512], b[512];
	size_t n, m;

	(void)state;
	n = hello_write(&o, seed, a, sizeof(a));
	assert_true(n > 0);
	assert_memory_equal(a, "\x16\x03\x01", 3);
	assert_int_equal(a[3] << 8 | a[4], n - 5);
	assert_int_equal(a[5], 1);
	assert_int_equal(a[6] << 16 | a[7] << 8 | a[8], n - 9);
	assert_memory_equal(a + 9, "\x03\x03", 2);
	assert_memory_equal(a + 11, seed, 32);
	assert_int_equal(a[43], 0); /* no session id below TLS 1.3 */
	assert_memory_equal(a + 44, "\x00\x04\xc0\x2f\x00\x2f\x01\x00", 8);
	/* extended_master_secret and renegotiation_info, nothing else asked for */
	assert_int_equal(a[52] << 8 | a[53], 9);
	assert_int_equal(n, 54 + 9);
	m = hello_write(&o, seed, b, sizeof(b));
	assert_int_equal(m, n);
	assert_memory_equal(a, b, n); /* deterministic */
	for (size_t k = 0; k < n; k++)
		assert_int_equal(hello_write(&o, seed, b, k), 0);

	/* SSLv3: record version 3.0, the renegotiation SCSV, no extensions. */
	o.version = HELLO_SSL3;
	n = hello_write(&o, seed, a, sizeof(a));
	assert_int_equal(n, 9 + 2 + 32 + 1 + 2 + 6 + 2);
	assert_memory_equal(a, "\x16\x03\x00", 3);
	assert_memory_equal(a + 44, "\x00\x06\xc0\x2f\x00\x2f\x00\xff\x01\x00", 10);

	/* TLS 1.3: legacy 1.2, the session id from the seed, versions 1.3 down to 1.1. */
	o.version = HELLO_TLS13;
	o.min_version = HELLO_TLS11;
	o.groups = groups_x25519;
	o.ngroups = 2;
	n = hello_write(&o, seed, a, sizeof(a));
	assert_true(n > 0);
	assert_memory_equal(a + 9, "\x03\x03", 2);
	assert_int_equal(a[43], 32);
	assert_memory_equal(a + 44, seed + 32, 32);
	assert_non_null(memmem(a, n, "\x00\x2b\x00\x07\x06\x03\x04\x03\x03\x03\x02", 11));
	assert_non_null(memmem(a, n, "\x00\x33\x00\x26\x00\x24\x00\x1d\x00\x20\x85\x20", 12));
}

static void write_refuses(void **state)
{
	static const uint16_t s[] = {0x1301};
	char longname[HELLO_SNI_MAX + 2];
	struct hello_offer o = {.version = HELLO_TLS13, .suites = s, .nsuites = 1};
	unsigned char a[512];
	static uint16_t many[9000];

	(void)state;
	assert_true(hello_write(&o, seed, a, sizeof(a)) > 0);
	o.version = 0x0200;
	assert_int_equal(hello_write(&o, seed, a, sizeof(a)), 0);
	o.version = 0x0305;
	assert_int_equal(hello_write(&o, seed, a, sizeof(a)), 0);
	o.version = HELLO_TLS12;
	o.min_version = HELLO_TLS13;
	assert_int_equal(hello_write(&o, seed, a, sizeof(a)), 0);
	o.min_version = 0;
	o.nsuites = 0;
	assert_int_equal(hello_write(&o, seed, a, sizeof(a)), 0);
	o.nsuites = 1;
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	o.sni = longname;
	assert_int_equal(hello_write(&o, seed, a, sizeof(a)), 0);
	o.sni = "";
	assert_int_equal(hello_write(&o, seed, a, sizeof(a)), 0);
	o.sni = NULL;
	/* More suites than one record holds: refused whatever the buffer. */
	{
		static unsigned char big[65536];

		o.suites = many;
		o.nsuites = 9000;
		assert_int_equal(hello_write(&o, seed, big, sizeof(big)), 0);
		o.nsuites = 8000;
		assert_true(hello_write(&o, seed, big, sizeof(big)) > 0);
	}
}

/* A ServerHello record built from parts: legacy version, random, suite, extensions. */
static size_t server_hello(unsigned char *p, unsigned version, const unsigned char *random,
    unsigned suite, const char *ext, size_t extlen)
{
	size_t n = 0, body;

	memcpy(p, "\x16\x03\x03\0\0\x02\0\0\0", 9);
	n = 9;
	p[n++] = (unsigned char)(version >> 8);
	p[n++] = (unsigned char)version;
	memcpy(p + n, random, 32);
	n += 32;
	p[n++] = 0; /* session id */
	p[n++] = (unsigned char)(suite >> 8);
	p[n++] = (unsigned char)suite;
	p[n++] = 0;
	if (ext != NULL) {
		p[n++] = (unsigned char)(extlen >> 8);
		p[n++] = (unsigned char)extlen;
		memcpy(p + n, ext, extlen);
		n += extlen;
	}
	body = n - 9;
	p[3] = (unsigned char)((body + 4) >> 8);
	p[4] = (unsigned char)(body + 4);
	p[7] = (unsigned char)(body >> 8);
	p[8] = (unsigned char)body;
	return n;
}

#define EXT(s) s, sizeof(s) - 1

static void read_retry_request(void **state)
{
	static const unsigned char hrr[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe,
	    0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c,
	    0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
	unsigned char p[256];
	struct server_hello sh;
	size_t n = server_hello(p, 0x0303, hrr, 0x1301,
	    EXT("\x00\x2b\x00\x02\x03\x04\x00\x33\x00\x02\x00\x17"));

	(void)state;
	assert_int_equal(read_all(p, n, &sh), HELLO_RETRY_REQUEST);
	assert_int_equal(sh.version, HELLO_TLS13);
	assert_int_equal(sh.group, HELLO_GROUP_SECP256R1);
	assert_int_equal(sh.suite, 0x1301);
	assert_int_equal(sh.nextensions, 2);
	/* A ServerHello's key_share carries a key: a bare group is malformed there. */
	n = server_hello(p, 0x0303, seed, 0x1301,
	    EXT("\x00\x2b\x00\x02\x03\x04\x00\x33\x00\x02\x00\x17"));
	assert_int_equal(read_all(p, n, &sh), HELLO_ERROR);
	assert_non_null(strstr(sh.why, "key_share"));
}

static void read_alert(void **state)
{
	struct server_hello sh;

	(void)state;
	assert_int_equal(read_all((const unsigned char *)"\x15\x03\x03\x00\x02\x02\x28", 7, &sh),
	    HELLO_ALERT);
	assert_int_equal(sh.alert_level, 2);
	assert_int_equal(sh.alert_desc, 40);
	assert_int_equal(sh.record_version, 0x0303);
	assert_int_equal(read_all((const unsigned char *)"\x15\x03\x01\x00\x01\x02", 6, &sh),
	    HELLO_ERROR);
}

/* Every truncation of a good ServerHello asks for more; none crashes or decides early. */
static void read_truncated(void **state)
{
	unsigned char p[256];
	struct server_hello sh;
	size_t n = server_hello(p, 0x0303, seed, 0xc02f,
	    EXT("\xff\x01\x00\x01\x00\x00\x17\x00\x00\x00\x05\x00\x00"));

	(void)state;
	for (size_t k = 0; k < n; k++)
		assert_int_equal(hello_read(p, k, &sh), HELLO_MORE);
	assert_int_equal(read_all(p, n, &sh), HELLO_SERVER_HELLO);
	assert_int_equal(sh.suite, 0xc02f);
	assert_true(sh.secure_renegotiation && sh.extended_master_secret);
	assert_true(sh.ocsp_status_requested);
	/* What follows the ServerHello is not looked at. */
	memcpy(p + n, "\x17garbage", 8);
	assert_int_equal(read_all(p, n + 8, &sh), HELLO_SERVER_HELLO);
}

/* RFC 8446 5.1: a message may span records; the answer is the same. */
static void read_fragmented(void **state)
{
	unsigned char p[256], q[512];
	struct server_hello a, b;
	size_t n = server_hello(p, 0x0303, seed, 0x009c, EXT("\xff\x01\x00\x01\x00")), m = 0;

	(void)state;
	assert_int_equal(read_all(p, n, &a), HELLO_SERVER_HELLO);
	/* the 4+len handshake bytes, in records of 1, 10 and the rest */
	for (size_t at = 5, step = 1; at < n; step = step == 1 ? 10 : n) {
		size_t take = n - at < step ? n - at : step;

		memcpy(q + m, "\x16\x03\x03", 3);
		q[m + 3] = (unsigned char)(take >> 8);
		q[m + 4] = (unsigned char)take;
		memcpy(q + m + 5, p + at, take);
		m += 5 + take;
		at += take;
	}
	assert_int_equal(read_all(q, m, &b), HELLO_SERVER_HELLO);
	assert_memory_equal(&a, &b, sizeof(a));
	/* a record of another type inside it */
	memcpy(q + 6, "\x17\x03\x03\x00\x01\x00", 6);
	assert_int_equal(read_all(q, 12, &b), HELLO_ERROR);
	assert_non_null(strstr(b.why, "record type 23"));
}

/* An SSLv3-era ServerHello may end after the compression method. */
static void read_no_extensions(void **state)
{
	unsigned char p[256];
	struct server_hello sh;
	size_t n = server_hello(p, 0x0300, seed, 0x000a, NULL, 0);

	(void)state;
	assert_int_equal(read_all(p, n, &sh), HELLO_SERVER_HELLO);
	assert_int_equal(sh.version, HELLO_SSL3);
	assert_int_equal(sh.nextensions, 0);
	assert_false(sh.secure_renegotiation);
	assert_true(suite_by_id(sh.suite)->flags & SUITE_3DES);
}

static void expect_error(const unsigned char *p, size_t n, const char *why)
{
	struct server_hello sh;

	assert_int_equal(read_all(p, n, &sh), HELLO_ERROR);
	if (strstr(sh.why, why) == NULL)
		fail_msg("why \"%s\" lacks \"%s\"", sh.why, why);
}

static void read_hostile(void **state)
{
	unsigned char p[256];
	size_t n;

	(void)state;
	expect_error((const unsigned char *)"\x16\x03\x03\xff\xff", 5, "record of 65535");
	expect_error((const unsigned char *)"\x16\x03\x03\x00\x00", 5, "empty record");
	expect_error((const unsigned char *)"\x16\x02\x00", 3, "record version 2");
	expect_error((const unsigned char *)"\x16\x03\x03\x00\x04\x02\xff\xff\xff", 9,
	    "ServerHello of 16777215");
	expect_error((const unsigned char *)"\x16\x03\x03\x00\x04\x0b\x00\x00\x10", 9,
	    "message type 11");
	expect_error((const unsigned char *)"220 mx.example.test ESMTP\r\n", 27, "text");
	/* SSLv2: a 2-byte header with the top bit, SERVER-HELLO (4) third */
	expect_error((const unsigned char *)"\x80\x2e\x04\x00\x01\x00\x02", 7, "SSLv2 ServerHello");
	expect_error((const unsigned char *)"\x80\x02\x00\x01", 4, "SSLv2-style");

	n = server_hello(p, 0x0303, seed, 0xc02f, EXT("\xff\x01\x00\x09\x00"));
	expect_error(p, n, "overruns");
	n = server_hello(p, 0x0303, seed, 0xc02f, EXT("\xff\x01\x00\x01\x00"));
	p[n - 7] = 0x10; /* the extensions' total length */
	expect_error(p, n, "extensions of");
	n = server_hello(p, 0x0303, seed, 0xc02f, EXT("\xff\x01\x00\x01\x00\xff\x01\x00\x01\x00"));
	expect_error(p, n, "twice");
	n = server_hello(p, 0x0303, seed, 0xc02f, EXT("\xff\x01\x00\x02\x01\x00"));
	expect_error(p, n, "not empty in a first handshake");
	n = server_hello(p, 0x0303, seed, 0xc02f, EXT("\x00\x2b\x00\x03\x03\x04\x00"));
	expect_error(p, n, "supported_versions");
	n = server_hello(p, 0x0303, seed, 0xc02f, EXT("\x00\x17\x00"));
	expect_error(p, n, "stray");
	n = server_hello(p, 0x0303, seed, 0xc02f, NULL, 0);
	p[43] = 33; /* session id length */
	expect_error(p, n, "session id of 33");
	p[43] = 32;
	expect_error(p, n, "overruns the ServerHello");
	n = server_hello(p, 0x0303, seed, 0xc02f, NULL, 0);
	p[n++] = 0; /* one byte after compression; lengths fixed up by hand */
	p[4]++;
	p[8]++;
	expect_error(p, n, "1 byte after");
}

static void suites_table(void **state)
{
	const struct suite *s;

	(void)state;
	assert_true(suite_count() >= 200);
	for (size_t i = 1; suite_at(i); i++)
		assert_true(suite_at(i - 1)->id < suite_at(i)->id);
	for (size_t i = 0; suite_at(i); i++) {
		s = suite_at(i);
		assert_ptr_equal(suite_by_id(s->id), s);
		assert_ptr_equal(suite_by_name(s->iana), s);
		assert_true(s->min_version <= s->max_version);
	}
	s = suite_by_id(0xc02f);
	assert_string_equal(s->openssl, "ECDHE-RSA-AES128-GCM-SHA256");
	assert_int_equal(s->kx, SUITE_KX_ECDHE);
	assert_int_equal(s->bits, 128);
	assert_int_equal(s->flags & (SUITE_FS | SUITE_AEAD), SUITE_FS | SUITE_AEAD);
	s = suite_by_id(0x1303);
	assert_int_equal(s->kx, SUITE_KX_TLS13);
	assert_int_equal(s->min_version, HELLO_TLS13);
	assert_true(suite_by_id(0x0005)->flags & SUITE_RC4);
	assert_true(suite_by_id(0x0003)->flags & SUITE_EXPORT);
	assert_int_equal(suite_by_id(0x0003)->max_version, HELLO_TLS10);
	assert_true(suite_by_id(0x0001)->flags & SUITE_NULL);
	assert_true(suite_by_id(0x00a6)->flags & SUITE_ANON);
	assert_true(suite_by_id(0x000a)->flags & SUITE_3DES);
	assert_true(suite_by_id(0x0009)->flags & SUITE_DES);
	assert_false(suite_by_id(0x002f)->flags & SUITE_FS);
	assert_true(suite_by_id(0x002f)->flags & SUITE_SHA1);
	assert_ptr_equal(suite_by_name("des-cbc3-sha"), suite_by_id(0x000a));
	assert_null(suite_by_id(0x5600));
	assert_null(suite_by_name("NO-SUCH"));
	assert_string_equal(suite_kx_name(SUITE_KX_ECDHE), "ECDHE");
	assert_string_equal(suite_mode_name(SUITE_MODE_GCM), "GCM");
	assert_string_equal(suite_version_name(0x0302), "TLSv1.1");
	assert_string_equal(suite_kx_name(99), "unknown");
}

/* Every suite the linked OpenSSL knows is in the table, under the same names. */
static void suites_cover_openssl(void **state)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_method());
	STACK_OF(SSL_CIPHER) * sk;

	(void)state;
	SSL_CTX_set_security_level(ctx, 0);
	assert_true(SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0"));
	sk = SSL_CTX_get_ciphers(ctx);
	assert_true(sk_SSL_CIPHER_num(sk) > 100);
	for (int i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, i);
		const struct suite *s = suite_by_id(SSL_CIPHER_get_protocol_id(c));

		if (s == NULL)
			fail_msg("0x%04x %s missing", SSL_CIPHER_get_protocol_id(c),
			    SSL_CIPHER_get_name(c));
		assert_string_equal(s->openssl, SSL_CIPHER_get_name(c));
		assert_string_equal(s->iana, SSL_CIPHER_standard_name(c));
		assert_int_equal(s->bits, SSL_CIPHER_get_bits(c, NULL));
		assert_int_equal(!!(s->flags & SUITE_AEAD), SSL_CIPHER_is_aead(c));
	}
	SSL_CTX_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(openssl_tls13),
	    cmocka_unit_test(openssl_tls13_p256),
	    cmocka_unit_test(openssl_tls13_retry),
	    cmocka_unit_test(openssl_tls12),
	    cmocka_unit_test(openssl_tls11_and_10),
	    cmocka_unit_test(openssl_refusals),
	    cmocka_unit_test(write_layout),
	    cmocka_unit_test(write_refuses),
	    cmocka_unit_test(read_retry_request),
	    cmocka_unit_test(read_alert),
	    cmocka_unit_test(read_truncated),
	    cmocka_unit_test(read_fragmented),
	    cmocka_unit_test(read_no_extensions),
	    cmocka_unit_test(read_hostile),
	    cmocka_unit_test(suites_table),
	    cmocka_unit_test(suites_cover_openssl),
	};
	return cmocka_run_group_tests_name("hello", tests, setup, teardown);
}
