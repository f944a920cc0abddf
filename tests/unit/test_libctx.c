/* Unit tests: the library context of a run over many domains (tls/libctx.c) is the default
 * one to a server: the same ClientHello, TLS 1.3 and TLS 1.2 alike, every kind of
 * certificate key read, and a handshake and a record each way completed with every kind
 * of key exchange, record protection and MAC a server may choose; only fewer algorithms
 * are on show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "selfsigned.h"
#include "tls/libctx.h"
#include "tls/tlsinfo.h"

static SSL_CTX *deflt, *lean;
static char cafile[] = "/tmp/mailtls-test-libctx-XXXXXX";

/* Both contexts as a run makes them (tlsinfo_ctx_new), trusting one self-signed root. */
static int setup(void **state)
{
	struct tls_config tc = {.ca_file = cafile};
	char err[200];
	EVP_PKEY *key;
	X509 *cert;
	int fd = mkstemp(cafile);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	(void)state;
	if (f == NULL || selfsigned("root.example.test", &key, &cert) != 0 || PEM_write_X509(f, cert) != 1)
		return -1;
	fclose(f);
	EVP_PKEY_free(key);
	X509_free(cert);
	deflt = tlsinfo_ctx_new(&tc, err, sizeof(err));
	tc.many = 1;
	lean = tlsinfo_ctx_new(&tc, err, sizeof(err));
	return deflt && lean && tls_libctx() ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	SSL_CTX_free(deflt);
	SSL_CTX_free(lean);
	unlink(cafile);
	return 0;
}

/* The first flight of a client of ctx, up to max_version (0: any): len bytes into buf. */
static size_t client_hello(SSL_CTX *ctx, int max_version, unsigned char *buf, size_t cap)
{
	SSL *s = SSL_new(ctx);
	BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	int n;

	assert_non_null(s);
	SSL_set_bio(s, rb, wb);
	SSL_set_connect_state(s);
	SSL_set_tlsext_host_name(s, "mx.example.test");
	if (max_version)
		SSL_set_max_proto_version(s, max_version);
	assert_int_equal(SSL_do_handshake(s), -1);
	n = BIO_read(wb, buf, (int)cap);
	assert_true(n > 0);
	SSL_free(s);
	return (size_t)n;
}

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/*
 * Two ClientHellos are the same hello when their version, suites, compression and
 * extensions match byte for byte, but for what is random in each: the random, the session
 * id and the key shares' public keys (their groups must match).
 */
static void same_hello(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	size_t i = 5 + 4 + 2 + 32, j = i, ae, be;

	assert_true(alen > i + 1 && blen > j + 1);
	assert_memory_equal(a + 9, b + 9, 2); /* legacy_version */
	i += 1 + a[i];                        /* session id */
	j += 1 + b[j];
	assert_int_equal(get16(a + i), get16(b + j)); /* the suites */
	assert_memory_equal(a + i, b + j, 2 + get16(a + i));
	i += 2 + get16(a + i);
	j += 2 + get16(b + j);
	assert_memory_equal(a + i, b + j, 1 + a[i]); /* compression */
	i += 1 + a[i];
	j += 1 + b[j];
	ae = i + 2 + get16(a + i);
	be = j + 2 + get16(b + j);
	assert_true(ae <= alen && be <= blen);
	i += 2;
	j += 2;
	while (i + 4 <= ae && j + 4 <= be) {
		unsigned type = get16(a + i), len = get16(a + i + 2);

		assert_int_equal(type, get16(b + j));
		if (type == 51) { /* key_share: the same groups, in order, each key its own */
			size_t p = i + 6, q = j + 6;

			while (p + 4 <= i + 4 + len && q + 4 <= j + 4 + get16(b + j + 2)) {
				assert_int_equal(get16(a + p), get16(b + q));
				p += 4 + get16(a + p + 2);
				q += 4 + get16(b + q + 2);
			}
		} else if (type != 21) { /* padding's length follows the rest */
			assert_int_equal(len, get16(b + j + 2));
			assert_memory_equal(a + i + 4, b + j + 4, len);
		}
		i += 4 + len;
		j += 4 + get16(b + j + 2);
	}
	assert_int_equal(i, ae);
	assert_int_equal(j, be);
}

static void test_same_client_hello(void **state)
{
	unsigned char a[4096], b[4096];
	size_t alen, blen;
	int versions[] = {0, TLS1_2_VERSION, TLS1_VERSION};

	(void)state;
	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		alen = client_hello(deflt, versions[v], a, sizeof(a));
		blen = client_hello(lean, versions[v], b, sizeof(b));
		same_hello(a, alen, b, blen);
	}
}

/* Every suite libssl would offer at all (security level 0, "ALL") in both: a cipher the
 * lean context lacks would silently drop its suites. */
static void test_same_suites_available(void **state)
{
	STACK_OF(SSL_CIPHER) *x, *y;
	SSL *s = SSL_new(deflt), *t = SSL_new(lean);

	(void)state;
	assert_int_equal(SSL_set_cipher_list(s, "ALL:COMPLEMENTOFALL"), 1);
	assert_int_equal(SSL_set_cipher_list(t, "ALL:COMPLEMENTOFALL"), 1);
	x = SSL_get1_supported_ciphers(s);
	y = SSL_get1_supported_ciphers(t);
	assert_true(sk_SSL_CIPHER_num(x) > 60);
	assert_int_equal(sk_SSL_CIPHER_num(x), sk_SSL_CIPHER_num(y));
	for (int i = 0; i < sk_SSL_CIPHER_num(x); i++)
		assert_string_equal(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(x, i)),
		    SSL_CIPHER_get_name(sk_SSL_CIPHER_value(y, i)));
	sk_SSL_CIPHER_free(x);
	sk_SSL_CIPHER_free(y);
	SSL_free(s);
	SSL_free(t);
}

/* A certificate of each key kind a server may hold (and of the key-exchange kinds, which a
 * certificate may carry too) is read with its key in the lean context, as libssl reads
 * it. */
static void test_every_key_kind_read(void **state)
{
	static const struct {
		const char *type;
		const char *param;
		size_t bits;
	} kinds[] = {{"RSA", NULL, 2048}, {"EC", "P-256", 0}, {"EC", "P-384", 0}, {"ED25519", NULL, 0},
	    {"ED448", NULL, 0}, {"RSA-PSS", NULL, 2048}, {"DSA", NULL, 0}, {"X25519", NULL, 0},
	    {"X448", NULL, 0}, {"SM2", NULL, 0}, {"DH", "ffdhe2048", 0}};
	EVP_PKEY *signer, *issuer_key;
	X509 *issuer;

	(void)state;
	assert_int_equal(selfsigned("ca.example.test", &issuer_key, &issuer), 0);
	signer = issuer_key;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		EVP_PKEY *k = NULL;
		X509 *c = X509_new(), *back;
		unsigned char *der = NULL;
		const unsigned char *p;
		int len;

		if (kinds[i].param && strcmp(kinds[i].type, "DH") == 0) { /* a named group */
			EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);

			assert_int_equal(EVP_PKEY_keygen_init(pc), 1);
			assert_int_equal(EVP_PKEY_CTX_set_group_name(pc, kinds[i].param), 1);
			assert_int_equal(EVP_PKEY_keygen(pc, &k), 1);
			EVP_PKEY_CTX_free(pc);
		} else if (kinds[i].param)
			k = EVP_PKEY_Q_keygen(NULL, NULL, kinds[i].type, kinds[i].param);
		else if (strcmp(kinds[i].type, "RSA-PSS") == 0) { /* EVP_PKEY_Q_keygen knows only RSA */
			EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);

			assert_int_equal(EVP_PKEY_keygen_init(pc), 1);
			assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(pc, (int)kinds[i].bits), 1);
			assert_int_equal(EVP_PKEY_keygen(pc, &k), 1);
			EVP_PKEY_CTX_free(pc);
		} else if (kinds[i].bits)
			k = EVP_PKEY_Q_keygen(NULL, NULL, kinds[i].type, kinds[i].bits);
		else if (strcmp(kinds[i].type, "DSA") == 0) {
			EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL);
			EVP_PKEY *params = NULL;

			assert_int_equal(EVP_PKEY_paramgen_init(pc), 1);
			assert_int_equal(EVP_PKEY_CTX_set_dsa_paramgen_bits(pc, 1024), 1);
			assert_int_equal(EVP_PKEY_paramgen(pc, &params), 1);
			EVP_PKEY_CTX_free(pc);
			pc = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
			assert_int_equal(EVP_PKEY_keygen_init(pc), 1);
			assert_int_equal(EVP_PKEY_keygen(pc, &k), 1);
			EVP_PKEY_CTX_free(pc);
			EVP_PKEY_free(params);
		} else
			k = EVP_PKEY_Q_keygen(NULL, NULL, kinds[i].type);
		assert_non_null(k);
		X509_set_version(c, 2);
		ASN1_INTEGER_set(X509_get_serialNumber(c), (long)i + 2);
		X509_gmtime_adj(X509_getm_notBefore(c), 0);
		X509_gmtime_adj(X509_getm_notAfter(c), 86400);
		X509_set_pubkey(c, k);
		X509_set_issuer_name(c, X509_get_subject_name(issuer));
		X509_set_subject_name(c, X509_get_subject_name(issuer));
		assert_true(X509_sign(c, signer, EVP_sha256()) > 0);
		len = i2d_X509(c, &der);
		assert_true(len > 0);
		p = der;
		back = X509_new_ex(tls_libctx(), NULL);
		assert_non_null(d2i_X509(&back, &p, len));
		assert_non_null(X509_get0_pubkey(back));
		assert_true(EVP_PKEY_is_a(X509_get0_pubkey(back), kinds[i].type));
		assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(back), k), 1);
		/* and its signature checks there with the issuer's key */
		assert_int_equal(X509_verify(back, issuer_key), 1);
		OPENSSL_free(der);
		X509_free(back);
		X509_free(c);
		EVP_PKEY_free(k);
	}
	X509_free(issuer);
	EVP_PKEY_free(issuer_key);
}

static void count(void *item, void *arg)
{
	(void)item;
	++*(int *)arg;
}

static void count_cipher(EVP_CIPHER *c, void *arg)
{
	count(c, arg);
}

/*
 * A client of the lean context and OpenSSL's own server (default context, the 2048-bit
 * RSA certificate) complete a handshake at version v with the suite (TLS 1.2 and before:
 * its OpenSSL name) or the TLS 1.3 suite and group given, then a record each way. A key
 * exchange, cipher, MAC, digest or KDF the lean context lacked would fail it.
 */
static void handshake_with(int v, const char *suite, const char *group)
{
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	SSL *c = SSL_new(lean), *s = sctx ? SSL_new(sctx) : NULL;
	BIO *cb, *sb;
	EVP_PKEY *key;
	X509 *cert;
	char buf[8];
	int cdone = 0, sdone = 0;

	assert_non_null(s);
	assert_non_null(c);
	assert_int_equal(selfsigned("mx.example.test", &key, &cert), 0);
	assert_int_equal(SSL_use_certificate(s, cert), 1);
	assert_int_equal(SSL_use_PrivateKey(s, key), 1);
	SSL_set_security_level(s, 0);
	SSL_set_security_level(c, 0);
	SSL_set_dh_auto(s, 1);
	SSL_set_min_proto_version(s, v);
	SSL_set_max_proto_version(s, v);
	SSL_set_min_proto_version(c, v);
	SSL_set_max_proto_version(c, v);
	if (v == TLS1_3_VERSION) {
		assert_int_equal(SSL_set_ciphersuites(c, suite), 1);
		assert_int_equal(SSL_set_ciphersuites(s, suite), 1);
	} else {
		assert_int_equal(SSL_set_cipher_list(c, suite), 1);
		assert_int_equal(SSL_set_cipher_list(s, suite), 1);
	}
	if (group) {
		assert_int_equal(SSL_set1_groups_list(c, group), 1);
		assert_int_equal(SSL_set1_groups_list(s, group), 1);
	}
	assert_int_equal(BIO_new_bio_pair(&cb, 0, &sb, 0), 1);
	SSL_set_bio(c, cb, cb);
	SSL_set_bio(s, sb, sb);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	for (int i = 0; i < 50 && !(cdone && sdone); i++) {
		if (!cdone)
			cdone = SSL_do_handshake(c) == 1;
		if (!sdone)
			sdone = SSL_do_handshake(s) == 1;
	}
	if (!(cdone && sdone))
		ERR_print_errors_fp(stderr);
	assert_true(cdone && sdone);
	assert_int_equal(SSL_version(c), v);
	assert_string_equal(SSL_CIPHER_get_name(SSL_get_current_cipher(c)), suite);
	assert_int_equal(SSL_write(c, "ping", 4), 4);
	assert_int_equal(SSL_read(s, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "ping", 4);
	assert_int_equal(SSL_write(s, "pong", 4), 4);
	assert_int_equal(SSL_read(c, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "pong", 4);
	SSL_free(c);
	SSL_free(s);
	SSL_CTX_free(sctx);
	EVP_PKEY_free(key);
	X509_free(cert);
}

static void test_handshakes_complete(void **state)
{
	static const struct {
		int v;
		const char *suite, *group;
	} cases[] = {
	    /* TLS 1.3: the AEADs, and each kind of key exchange (X25519, X448, ECDH, DH) */
	    {TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", "X25519"},
	    {TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384", "X448"},
	    {TLS1_3_VERSION, "TLS_CHACHA20_POLY1305_SHA256", "P-256"},
	    {TLS1_3_VERSION, "TLS_AES_128_CCM_SHA256", "ffdhe2048"},
	    /* TLS 1.2: AEADs, CBC with HMAC-SHA1, -SHA256 and -SHA384, RSA and DH key
	     * exchange, CCM, no encryption at all */
	    {TLS1_2_VERSION, "ECDHE-RSA-AES128-GCM-SHA256", NULL},
	    {TLS1_2_VERSION, "ECDHE-RSA-CHACHA20-POLY1305", NULL},
	    {TLS1_2_VERSION, "ECDHE-RSA-AES128-SHA", NULL},
	    {TLS1_2_VERSION, "ECDHE-RSA-AES256-SHA384", NULL},
	    {TLS1_2_VERSION, "AES128-SHA256", NULL},
	    {TLS1_2_VERSION, "DHE-RSA-AES256-GCM-SHA384", NULL},
	    {TLS1_2_VERSION, "DHE-RSA-AES128-CCM", NULL},
	    {TLS1_2_VERSION, "NULL-SHA256", NULL},
	    /* TLS 1.0: MD5-SHA1 signatures and the old PRF */
	    {TLS1_VERSION, "ECDHE-RSA-AES128-SHA", NULL},
	    {TLS1_VERSION, "DHE-RSA-AES256-SHA", NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		handshake_with(cases[i].v, cases[i].suite, cases[i].group);
}

static void count_keymgmt(EVP_KEYMGMT *k, void *arg)
{
	(void)k;
	(*(int *)arg)++;
}

static void count_mac(EVP_MAC *m, void *arg)
{
	(void)m;
	(*(int *)arg)++;
}

static void count_kdf(EVP_KDF *k, void *arg)
{
	(void)k;
	(*(int *)arg)++;
}

/* What makes it lean: fewer algorithms on show than in the default context. */
static void test_fewer_algorithms(void **state)
{
	int d_default = 0, d_lean = 0, c_default = 0, c_lean = 0, k_default = 0, k_lean = 0;
	int m_default = 0, m_lean = 0, f_default = 0, f_lean = 0;

	(void)state;
	OSSL_DECODER_do_all_provided(NULL, (void (*)(OSSL_DECODER *, void *))count, &d_default);
	OSSL_DECODER_do_all_provided(tls_libctx(), (void (*)(OSSL_DECODER *, void *))count, &d_lean);
	EVP_CIPHER_do_all_provided(NULL, count_cipher, &c_default);
	EVP_CIPHER_do_all_provided(tls_libctx(), count_cipher, &c_lean);
	assert_true(d_lean > 0 && d_lean * 3 <= d_default);
	assert_true(c_lean > 0 && c_lean * 3 <= c_default);
	EVP_KEYMGMT_do_all_provided(NULL, count_keymgmt, &k_default);
	EVP_KEYMGMT_do_all_provided(tls_libctx(), count_keymgmt, &k_lean);
	EVP_MAC_do_all_provided(NULL, count_mac, &m_default);
	EVP_MAC_do_all_provided(tls_libctx(), count_mac, &m_lean);
	EVP_KDF_do_all_provided(NULL, count_kdf, &f_default);
	EVP_KDF_do_all_provided(tls_libctx(), count_kdf, &f_lean);
	assert_true(k_lean > 0 && k_lean < k_default);
	assert_int_equal(m_lean, 1); /* HMAC */
	assert_int_equal(f_lean, 3); /* TLS1-PRF, HKDF, TLS13-KDF */
	assert_true(f_default > f_lean);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_client_hello),
	    cmocka_unit_test(test_same_suites_available),
	    cmocka_unit_test(test_every_key_kind_read),
	    cmocka_unit_test(test_handshakes_complete),
	    cmocka_unit_test(test_fewer_algorithms),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
