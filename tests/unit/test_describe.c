/* Unit tests: tlsinfo_describe's cache of certificates' descriptions (tls/tlsinfo.c).
 * A certificate above the leaf is described once for a store, a leaf twice (the second
 * time it is met, its description is kept); another copy of the very same bytes (another
 * connection's) then takes the description from the cache, field for field what
 * describing it gives, with its days left counted from its own time and nothing of a path
 * carried over. Other bytes are described anew, and the same bytes as a leaf and above
 * one are kept apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "proto/dialect.h"
#include "tls/tlsinfo.h"

static EVP_PKEY *key;
static X509 *ca, *ca_other, *leaf;
static time_t now;

static void ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *e;

	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	assert_non_null(e = X509V3_EXT_conf_nid(NULL, &v3, nid, value));
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* A certificate for cn, signed by key; a CA with names when ca is set. */
static X509 *make(const char *cn, long serial, int is_ca)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400 * 30);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Test", -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_NAME_free(name);
	X509_set_pubkey(x, key);
	if (is_ca) {
		ext(x, NID_basic_constraints, "critical,CA:TRUE");
		ext(x, NID_key_usage, "critical,keyCertSign,cRLSign");
		ext(x, NID_subject_alt_name, "DNS:ca.example.test, IP:192.0.2.1");
	} else {
		ext(x, NID_subject_alt_name, "DNS:mx.example.test");
	}
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	return x;
}

/* Another copy of x, as a connection reads it off the wire. */
static X509 *wire(X509 *x)
{
	unsigned char *der = NULL, *end;
	const unsigned char *p;
	int n = i2d_X509(x, &der);
	X509 *y = NULL;

	assert_true(n > 0);
	p = der;
	end = der + n;
	assert_non_null(d2i_X509(&y, &p, n));
	assert_ptr_equal(p, end);
	OPENSSL_free(der);
	return y;
}

static int setup(void **state)
{
	(void)state;
	now = time(NULL);
	if ((key = EVP_EC_gen("P-256")) == NULL)
		return -1;
	ca = make("Test CA", 7, 1);
	ca_other = make("Test CA", 8, 1); /* the same but for its serial */
	leaf = make("mx.example.test", 9, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	X509_free(ca);
	X509_free(ca_other);
	X509_free(leaf);
	EVP_PKEY_free(key);
	return 0;
}

/* A probe whose server sent copies of the certificates given (NULL-terminated). */
static struct probe *sent(X509 *first, ...)
{
	struct probe *p = probe_new("mx.example.test", "127.0.0.1", 25, TLS_MODE_STARTTLS,
	    &dialect_smtp, "smtp");
	va_list ap;

	p->chain = sk_X509_new_null();
	va_start(ap, first);
	for (X509 *x = first; x; x = va_arg(ap, X509 *))
		sk_X509_push(p->chain, wire(x));
	va_end(ap);
	return p;
}

static void same_description(const struct cert_info *a, const struct cert_info *b)
{
	assert_string_equal(a->subject, b->subject);
	assert_string_equal(a->issuer, b->issuer);
	assert_string_equal(a->serial, b->serial);
	assert_int_equal(a->san.n, b->san.n);
	for (size_t i = 0; i < a->san.n; i++)
		assert_string_equal(a->san.v[i], b->san.v[i]);
	assert_int_equal(a->not_before, b->not_before);
	assert_int_equal(a->not_after, b->not_after);
	assert_int_equal(a->days_left, b->days_left);
	assert_string_equal(a->key_type, b->key_type);
	assert_int_equal(a->key_bits, b->key_bits);
	assert_string_equal(a->key_group, b->key_group);
	assert_string_equal(a->sig_alg, b->sig_alg);
	assert_string_equal(a->sha256, b->sha256);
	assert_string_equal(a->spki_sha256, b->spki_sha256);
	assert_int_equal(a->self_signed, b->self_signed);
	assert_int_equal(a->is_ca, b->is_ca);
	assert_int_equal(a->in_path, b->in_path);
	assert_int_equal(a->must_staple, b->must_staple);
	assert_int_equal(a->rev.method, b->rev.method);
	assert_int_equal(a->rev.status, b->rev.status);
	assert_null(a->rev.url);
	assert_null(b->rev.url);
}

/* What describing ca without any cache gives, days counted from at. */
static struct probe *plain(X509 *x, time_t at)
{
	struct probe *p = sent(leaf, x, NULL);

	tlsinfo_describe(p, at, NULL);
	return p;
}

static void test_ca_described_once(void **state)
{
	X509_STORE *store = X509_STORE_new();
	struct probe *first = sent(leaf, ca, NULL), *second = sent(leaf, ca, NULL);
	struct probe *want = plain(ca, now);

	(void)state;
	tlsinfo_describe(first, now, store);
	assert_int_equal(tlsinfo_describe_hits(store), 0);
	same_description(&first->certs[1], &want->certs[1]);

	/* What verification later sets on the first probe's description stays there. */
	first->certs[1].in_path = 1;
	rev_set_url(&first->certs[1].rev, "http://ocsp.example.test/");
	first->certs[1].rev.status = REV_GOOD;

	tlsinfo_describe(second, now, store);
	assert_int_equal(tlsinfo_describe_hits(store), 1);
	assert_ptr_not_equal(sk_X509_value(second->chain, 1), sk_X509_value(first->chain, 1));
	same_description(&second->certs[1], &want->certs[1]);
	same_description(&second->certs[0], &want->certs[0]);
	assert_ptr_not_equal(second->certs[1].subject, first->certs[1].subject); /* a copy */
	probe_free(first);
	probe_free(second);
	probe_free(want);
	X509_STORE_free(store);
}

static void test_days_left_from_the_probes_own_time(void **state)
{
	X509_STORE *store = X509_STORE_new();
	struct probe *first = sent(leaf, ca, NULL), *later = sent(leaf, ca, NULL);
	struct probe *want = plain(ca, now + 10 * 86400);

	(void)state;
	tlsinfo_describe(first, now, store);
	tlsinfo_describe(later, now + 10 * 86400, store);
	assert_int_equal(tlsinfo_describe_hits(store), 1);
	assert_int_equal(later->certs[1].days_left, first->certs[1].days_left - 10);
	same_description(&later->certs[1], &want->certs[1]);
	probe_free(first);
	probe_free(later);
	probe_free(want);
	X509_STORE_free(store);
}

static void test_other_bytes_or_the_leaf_described_anew(void **state)
{
	X509_STORE *store = X509_STORE_new();
	struct probe *first = sent(leaf, ca, NULL), *other = sent(leaf, ca_other, NULL);
	struct probe *as_leaf = sent(ca, ca, NULL), *want = plain(ca_other, now);

	(void)state;
	tlsinfo_describe(first, now, store);
	/* In the leaf's place it is described; above it, the cache gives it. */
	tlsinfo_describe(as_leaf, now, store);
	assert_int_equal(tlsinfo_describe_hits(store), 1);
	same_description(&as_leaf->certs[0], &first->certs[1]);
	/* The same name, key and dates; another serial, so other bytes. */
	tlsinfo_describe(other, now, store);
	assert_int_equal(tlsinfo_describe_hits(store), 1);
	same_description(&other->certs[1], &want->certs[1]);
	assert_string_not_equal(other->certs[1].sha256, first->certs[1].sha256);
	probe_free(first);
	probe_free(other);
	probe_free(as_leaf);
	probe_free(want);
	X509_STORE_free(store);
}

static void test_leaf_kept_when_met_again(void **state)
{
	X509_STORE *store = X509_STORE_new();
	struct probe *p[4], *want = plain(ca, now + 86400);

	(void)state;
	for (int i = 0; i < 4; i++)
		p[i] = sent(leaf, NULL);
	tlsinfo_describe(p[0], now, store);
	tlsinfo_describe(p[1], now, store); /* met again: described, and now kept */
	assert_int_equal(tlsinfo_describe_hits(store), 0);
	/* What verification later sets on a probe's description stays there. */
	p[1]->certs[0].in_path = 1;
	p[1]->certs[0].rev.status = REV_REVOKED;
	tlsinfo_describe(p[2], now, store);
	tlsinfo_describe(p[3], now + 86400, store);
	assert_int_equal(tlsinfo_describe_hits(store), 2);
	same_description(&p[2]->certs[0], &p[0]->certs[0]);
	/* Judged a day later, a day less left. */
	same_description(&p[3]->certs[0], &want->certs[0]);
	assert_ptr_not_equal(p[2]->certs[0].subject, p[1]->certs[0].subject); /* a copy */
	for (int i = 0; i < 4; i++)
		probe_free(p[i]);
	probe_free(want);
	X509_STORE_free(store);
}

static void test_leaf_met_once_does_not_push_a_ca_out(void **state)
{
	X509_STORE *store = X509_STORE_new();
	struct probe *first = sent(leaf, ca, NULL), *again = sent(leaf, ca, NULL);
	struct probe *as_leaf = sent(ca, NULL), *other = sent(ca_other, NULL);

	(void)state;
	tlsinfo_describe(first, now, store);
	/* The CA's very bytes as a leaf: where CA certificates are kept, they would take the
	 * place of its description. */
	tlsinfo_describe(as_leaf, now, store);
	tlsinfo_describe(other, now, store);
	tlsinfo_describe(again, now, store);
	assert_int_equal(tlsinfo_describe_hits(store), 1); /* the CA, still there */
	probe_free(first);
	probe_free(again);
	probe_free(as_leaf);
	probe_free(other);
	X509_STORE_free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ca_described_once),
	    cmocka_unit_test(test_days_left_from_the_probes_own_time),
	    cmocka_unit_test(test_other_bytes_or_the_leaf_described_anew),
	    cmocka_unit_test(test_leaf_kept_when_met_again),
	    cmocka_unit_test(test_leaf_met_once_does_not_push_a_ca_out),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
