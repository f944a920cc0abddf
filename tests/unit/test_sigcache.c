/* Unit tests: pki/sigcache.c against OpenSSL's own X509_verify_cert(). For every path,
 * good or broken, the verify callback sees the same calls (ok, error, depth, certificate)
 * in the same order, and X509_verify_cert returns the same, with the cache cold and warm;
 * a signature is taken from the cache only for the very same bytes under the very same
 * issuer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "pki/sigcache.h"

#define CALLS_MAX 32

struct call {
	int ok, err, depth;
	X509 *cert;
};

struct log {
	struct call c[CALLS_MAX];
	int n;
};

static int log_idx;

static int record(int ok, X509_STORE_CTX *ctx)
{
	struct log *l = X509_STORE_CTX_get_ex_data(ctx, log_idx);

	if (l->n < CALLS_MAX) {
		struct call *c = &l->c[l->n++];

		c->ok = ok;
		c->err = X509_STORE_CTX_get_error(ctx);
		c->depth = X509_STORE_CTX_get_error_depth(ctx);
		c->cert = X509_STORE_CTX_get_current_cert(ctx);
	}
	return 1; /* go on, as mailtls's callback does: every error is seen */
}

static EVP_PKEY *key(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	assert_non_null(k);
	return k;
}

static void ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *e;

	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	assert_non_null(e = X509V3_EXT_conf_nid(NULL, &v3, nid, value));
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* A certificate for cn with key k, signed by issuer (issuer_key), or by itself when issuer
 * is NULL; valid from now + from to now + to seconds; ku the key usage, or NULL for none;
 * skid its key identifier ("hash": of its key). */
static X509 *cert_skid(const char *cn, EVP_PKEY *k, X509 *issuer, EVP_PKEY *issuer_key, int ca,
    const char *ku, long from, long to, const char *skid)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	static long serial = 1;

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), from);
	X509_gmtime_adj(X509_getm_notAfter(x), to);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_NAME_free(name);
	ext(x, issuer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	if (ku)
		ext(x, issuer, NID_key_usage, ku);
	ext(x, issuer, NID_subject_key_identifier, skid);
	if (issuer)
		ext(x, issuer, NID_authority_key_identifier, "keyid:always");
	assert_true(X509_sign(x, issuer_key ? issuer_key : k, EVP_sha256()) > 0);
	return x;
}

static X509 *cert(const char *cn, EVP_PKEY *k, X509 *issuer, EVP_PKEY *issuer_key, int ca,
    const char *ku, long from, long to)
{
	return cert_skid(cn, k, issuer, issuer_key, ca, ku, from, to, "hash");
}

/* x encoded and read back, so its bytes are its own (as a server sends it); with flip, one
 * bit of its signature value flipped on the way. */
static X509 *reread(X509 *x, int flip)
{
	unsigned char *der = NULL;
	const unsigned char *q;
	int len = i2d_X509(x, &der);
	X509 *y;

	assert_true(len > 8);
	if (flip)
		der[len - 3] ^= 0x01; /* the signature value is the encoding's last field */
	q = der;
	assert_non_null(y = d2i_X509(NULL, &q, len));
	OPENSSL_free(der);
	return y;
}

static X509 *wire(X509 *x)
{
	return reread(x, 0);
}

/* The same certificate with one bit of its signature value flipped. */
static X509 *tampered(X509 *x)
{
	return reread(x, 1);
}

struct run {
	int ret, err;
	struct log log;
};

static void verify(X509_STORE *store, X509 *leaf, STACK_OF(X509) *sent, unsigned long flags,
    time_t at, int cached, struct run *r)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();

	memset(r, 0, sizeof(*r));
	assert_non_null(ctx);
	assert_int_equal(X509_STORE_CTX_init(ctx, store, leaf, sent), 1);
	X509_STORE_CTX_set_ex_data(ctx, log_idx, &r->log);
	X509_STORE_CTX_set_verify_cb(ctx, record);
	X509_STORE_CTX_set_default(ctx, "ssl_server");
	X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), flags);
	if (at)
		X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), at);
	if (cached)
		sigcache_use(ctx);
	r->ret = X509_verify_cert(ctx);
	r->err = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
}

static void same_run(const struct run *a, const struct run *b)
{
	assert_int_equal(a->ret, b->ret);
	assert_int_equal(a->err, b->err);
	assert_int_equal(a->log.n, b->log.n);
	for (int i = 0; i < a->log.n; i++) {
		assert_int_equal(a->log.c[i].ok, b->log.c[i].ok);
		assert_int_equal(a->log.c[i].err, b->log.c[i].err);
		assert_int_equal(a->log.c[i].depth, b->log.c[i].depth);
		assert_ptr_equal(a->log.c[i].cert, b->log.c[i].cert);
	}
}

/* The calls a run made with error err (0: those with ok set). */
static int calls_with(const struct run *r, int err)
{
	int n = 0;

	for (int i = 0; i < r->log.n; i++)
		n += err ? r->log.c[i].err == err && !r->log.c[i].ok : r->log.c[i].ok;
	return n;
}

struct pki {
	EVP_PKEY *root_key, *int_key, *leaf_key, *other_key;
	X509 *root, *inter, *leaf;
	X509_STORE *store;
};

static struct pki pki;

static int setup(void **state)
{
	(void)state;
	log_idx = X509_STORE_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	pki.root_key = key();
	pki.int_key = key();
	pki.leaf_key = key();
	pki.other_key = key();
	pki.root = cert("Test Root", pki.root_key, NULL, NULL, 1, "critical,keyCertSign,cRLSign", -86400,
	    86400 * 3650L);
	pki.inter = cert("Test Intermediate", pki.int_key, pki.root, pki.root_key, 1,
	    "critical,keyCertSign,cRLSign", -86400, 86400 * 365L);
	pki.leaf = cert("mx.example.test", pki.leaf_key, pki.inter, pki.int_key, 0,
	    "critical,digitalSignature", -3600, 86400 * 90L);
	pki.store = X509_STORE_new();
	X509_STORE_add_cert(pki.store, pki.root);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	X509_STORE_free(pki.store); /* and its cache with it (LeakSanitizer watches) */
	X509_free(pki.root);
	X509_free(pki.inter);
	X509_free(pki.leaf);
	EVP_PKEY_free(pki.root_key);
	EVP_PKEY_free(pki.int_key);
	EVP_PKEY_free(pki.leaf_key);
	EVP_PKEY_free(pki.other_key);
	return 0;
}

/* leaf and the intermediate as sent: OpenSSL's run, then ours, twice; equal each time. */
static void against_openssl(X509 *leaf, X509 *inter, unsigned long flags, time_t at,
    struct run *plain)
{
	STACK_OF(X509) *sent = sk_X509_new_null();
	struct run cached;

	sk_X509_push(sent, leaf);
	if (inter)
		sk_X509_push(sent, inter);
	verify(pki.store, leaf, sent, flags, at, 0, plain);
	for (int i = 0; i < 2; i++) {
		verify(pki.store, leaf, sent, flags, at, 1, &cached);
		same_run(plain, &cached);
	}
	sk_X509_free(sent);
}

static void test_good_path_verified_once(void **state)
{
	X509 *leaf = wire(pki.leaf), *inter = wire(pki.inter);
	X509 *leaf2 = wire(pki.leaf), *inter2 = wire(pki.inter);
	X509 *mx2 = cert("mx2.example.test", pki.leaf_key, pki.inter, pki.int_key, 0,
	    "critical,digitalSignature", -3600, 86400 * 90L);
	X509 *other = wire(mx2);
	struct sigcache_stats st0, st;
	struct run plain;

	(void)state;
	sigcache_stats(pki.store, &st0);
	against_openssl(leaf, inter, 0, 0, &plain);
	assert_int_equal(plain.err, X509_V_OK);
	assert_int_equal(calls_with(&plain, 0), 3); /* success said at each depth */
	sigcache_stats(pki.store, &st);
	assert_int_equal(st.added - st0.added, 2); /* the intermediate's and the leaf's */
	assert_int_equal(st.hits - st0.hits, 2);   /* the second cached run took both */
	assert_int_equal(st.lent - st0.lent, 0);   /* and verified nothing */

	/* Other copies of the same bytes (another connection's, another MX name's) are the
	 * same certificates. */
	against_openssl(leaf2, inter2, 0, 0, &plain);
	assert_int_equal(plain.err, X509_V_OK);
	sigcache_stats(pki.store, &st);
	assert_int_equal(st.hits - st0.hits, 6);
	assert_int_equal(st.added - st0.added, 2);

	/* Another leaf under the same intermediate: verified once, with the key of the
	 * cache's copy of the intermediate. */
	against_openssl(other, inter2, 0, 0, &plain);
	assert_int_equal(plain.err, X509_V_OK);
	sigcache_stats(pki.store, &st);
	assert_int_equal(st.added - st0.added, 3);
	assert_int_equal(st.hits - st0.hits, 9); /* the intermediate twice, then the leaf */
	assert_int_equal(st.lent - st0.lent, 1);
	X509_free(leaf);
	X509_free(inter);
	X509_free(leaf2);
	X509_free(inter2);
	X509_free(mx2);
	X509_free(other);
}

/* The good path put in the cache, then leaf under inter, one of them with its signature
 * tampered with: the run fails at that signature alone, as OpenSSL's does; *d is what the
 * cache did meanwhile. */
static void tampered_run(X509 *leaf, X509 *inter, struct sigcache_stats *d)
{
	X509 *good_leaf = wire(pki.leaf), *good_inter = wire(pki.inter);
	struct sigcache_stats st0, st;
	struct run plain;

	against_openssl(good_leaf, good_inter, 0, 0, &plain);
	sigcache_stats(pki.store, &st0);
	against_openssl(leaf, inter, 0, 0, &plain);
	assert_int_equal(plain.err, X509_V_ERR_CERT_SIGNATURE_FAILURE);
	assert_int_equal(calls_with(&plain, X509_V_ERR_CERT_SIGNATURE_FAILURE), 1);
	sigcache_stats(pki.store, &st);
	d->hits = st.hits - st0.hits;
	d->added = st.added - st0.added;
	d->lent = st.lent - st0.lent;
	X509_free(good_leaf);
	X509_free(good_inter);
}

static void test_tampered_intermediate_never_taken_from_cache(void **state)
{
	X509 *leaf = wire(pki.leaf), *bad = tampered(pki.inter);
	struct sigcache_stats d;

	(void)state;
	/* The same to-be-signed bytes, another signature value: verified, and it fails. */
	tampered_run(leaf, bad, &d);
	/* Under that other issuer certificate (the same key) the leaf's signature is
	 * verified, and kept: the second cached run takes it, and only it. */
	assert_int_equal(d.added, 1);
	assert_int_equal(d.hits, 1);
	assert_int_equal(d.lent, 0); /* the bad copy's key is never lent */
	X509_free(leaf);
	X509_free(bad);
}

static void test_tampered_leaf_never_taken_from_cache(void **state)
{
	X509 *leaf = wire(pki.leaf), *inter = wire(pki.inter), *bad = tampered(pki.leaf);
	struct sigcache_stats d, st0, st;
	struct run plain;

	(void)state;
	tampered_run(bad, inter, &d);
	assert_int_equal(d.hits, 2);  /* the intermediate, in each cached run */
	assert_int_equal(d.added, 0); /* the bad leaf failed: nothing kept */
	assert_int_equal(d.lent, 2);  /* verified each time, with the lent key */
	/* and the good leaf is still there */
	sigcache_stats(pki.store, &st0);
	against_openssl(leaf, inter, 0, 0, &plain);
	assert_int_equal(plain.err, X509_V_OK);
	sigcache_stats(pki.store, &st);
	assert_int_equal(st.hits - st0.hits, 4);
	assert_int_equal(st.added, st0.added);
	X509_free(leaf);
	X509_free(inter);
	X509_free(bad);
}

static void test_same_intermediate_other_issuer_key(void **state)
{
	/* A root of the same name and key identifier, with another key: the path is built the
	 * same way, and the intermediate's signature does not verify under it. */
	char *skid = OPENSSL_buf2hexstr(ASN1_STRING_get0_data(X509_get0_subject_key_id(pki.root)),
	    ASN1_STRING_length(X509_get0_subject_key_id(pki.root)));
	X509 *other_root = cert_skid("Test Root", pki.other_key, NULL, NULL, 1, "critical,keyCertSign",
	    -86400, 86400 * 3650L, skid);
	X509_STORE *store = X509_STORE_new();
	X509 *leaf = wire(pki.leaf), *inter = wire(pki.inter);
	STACK_OF(X509) *sent = sk_X509_new_null();
	STACK_OF(X509_OBJECT) *objs;
	struct run plain, cached;
	struct sigcache_stats st;

	(void)state;
	sk_X509_push(sent, leaf);
	sk_X509_push(sent, inter);
	X509_STORE_add_cert(store, pki.root);
	verify(store, leaf, sent, 0, 0, 1, &cached);
	assert_int_equal(cached.err, X509_V_OK);
	sigcache_stats(store, &st);
	assert_int_equal(st.added, 2); /* the intermediate's and the leaf's */

	/* The same store, its root swapped for the impostor: the cached pair is not taken. */
	objs = X509_STORE_get0_objects(store);
	assert_int_equal(sk_X509_OBJECT_num(objs), 1);
	X509_OBJECT_free(sk_X509_OBJECT_pop(objs));
	X509_STORE_add_cert(store, other_root);
	verify(store, leaf, sent, 0, 0, 0, &plain);
	verify(store, leaf, sent, 0, 0, 1, &cached);
	same_run(&plain, &cached);
	assert_int_equal(plain.err, X509_V_ERR_CERT_SIGNATURE_FAILURE);
	assert_int_equal(calls_with(&plain, X509_V_ERR_CERT_SIGNATURE_FAILURE), 1);
	sigcache_stats(store, &st);
	assert_int_equal(st.hits, 1); /* the leaf's, by the very same intermediate: good still */
	assert_int_equal(st.lent, 0);
	sk_X509_free(sent);
	X509_STORE_free(store);
	X509_free(other_root);
	X509_free(leaf);
	X509_free(inter);
	OPENSSL_free(skid);
}

static void test_broken_paths_same_as_openssl(void **state)
{
	X509 *expired_int = cert("Test Intermediate", pki.int_key, pki.root, pki.root_key, 1,
	    "critical,keyCertSign", -86400 * 30L, -86400);
	X509 *nosign_int = cert("Test Intermediate", pki.int_key, pki.root, pki.root_key, 1,
	    "critical,digitalSignature", -86400, 86400 * 365L);
	X509 *future_leaf = cert("mx.example.test", pki.leaf_key, pki.inter, pki.int_key, 0, NULL,
	    86400, 86400 * 90L);
	X509 *bad_leaf = tampered(pki.leaf), *leaf = wire(pki.leaf), *inter = wire(pki.inter);
	struct run plain;

	(void)state;
	against_openssl(leaf, expired_int, 0, 0, &plain);
	assert_int_equal(calls_with(&plain, X509_V_ERR_CERT_HAS_EXPIRED), 1);
	against_openssl(leaf, nosign_int, 0, 0, &plain);
	assert_true(calls_with(&plain, X509_V_ERR_KEYUSAGE_NO_CERTSIGN) >= 1);
	against_openssl(future_leaf, inter, 0, 0, &plain);
	assert_int_equal(calls_with(&plain, X509_V_ERR_CERT_NOT_YET_VALID), 1);
	against_openssl(bad_leaf, inter, 0, 0, &plain);
	assert_int_equal(calls_with(&plain, X509_V_ERR_CERT_SIGNATURE_FAILURE), 1);
	/* Judged as of a time: a year on, the intermediate has expired. */
	against_openssl(leaf, inter, 0, time(NULL) + 86400 * 400L, &plain);
	assert_true(calls_with(&plain, X509_V_ERR_CERT_HAS_EXPIRED) >= 2);
	/* No intermediate: OpenSSL's own path (the top is not self-issued). */
	against_openssl(leaf, NULL, 0, 0, &plain);
	assert_int_equal(plain.err, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE);
	/* Dates not checked at all. */
	against_openssl(leaf, expired_int, X509_V_FLAG_NO_CHECK_TIME, 0, &plain);
	assert_int_equal(plain.err, X509_V_OK);
	/* The intermediate as a trust anchor of its own (partial chain). */
	{
		X509_STORE *keep = pki.store;

		pki.store = X509_STORE_new();
		X509_STORE_add_cert(pki.store, pki.inter);
		against_openssl(leaf, NULL, X509_V_FLAG_PARTIAL_CHAIN, 0, &plain);
		assert_int_equal(plain.err, X509_V_OK);
		X509_STORE_free(pki.store);
		pki.store = keep;
	}
	X509_free(expired_int);
	X509_free(nosign_int);
	X509_free(future_leaf);
	X509_free(bad_leaf);
	X509_free(leaf);
	X509_free(inter);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_path_verified_once),
		cmocka_unit_test(test_tampered_intermediate_never_taken_from_cache),
		cmocka_unit_test(test_tampered_leaf_never_taken_from_cache),
		cmocka_unit_test(test_same_intermediate_other_issuer_key),
		cmocka_unit_test(test_broken_paths_same_as_openssl),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
