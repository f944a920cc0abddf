/*
 * Unit tests: DANE judgement (RFC 7672) of a chain against TLSA records, through OpenSSL's
 * DANE verifier: which records are usable, which match, rollover risk, and how a match
 * makes PKIX faults irrelevant. Certificates are built in memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "model/verdict.h"
#include "pki/dane.h"
#include "proto/dialect.h"
#include "tls/tlsinfo.h"

static EVP_PKEY *ca_key, *leaf_key, *other_key;
static X509 *ca, *leaf;
static SSL_CTX *ctx;

static X509 *mk(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, int is_ca, long days)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), is_ca ? 1 : 2);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400 * 2);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400 * days);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	    is_ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (!is_ca) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "DNS:mx.example.test");
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	X509_sign(x, ikey ? ikey : key, EVP_sha256());
	return x;
}

static int setup(void **state)
{
	(void)state;
	ca_key = EVP_EC_gen("P-256");
	leaf_key = EVP_EC_gen("P-256");
	other_key = EVP_EC_gen("P-256");
	ca = mk("Test CA", ca_key, NULL, NULL, 1, 365);
	leaf = mk("mx.example.test", leaf_key, ca, ca_key, 0, 30);
	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_dane_enable(ctx);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	X509_free(ca);
	X509_free(leaf);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(other_key);
	SSL_CTX_free(ctx);
	return 0;
}

/* SHA-256 of a key's SubjectPublicKeyInfo: the data of a "x 1 1" record. */
static void spki_sha256(EVP_PKEY *k, unsigned char out[32])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);
	unsigned len = 32;

	EVP_Digest(der, (size_t)n, out, &len, EVP_sha256(), NULL);
	OPENSSL_free(der);
}

static void add(struct dane_rrset *set, int u, int s, int m, EVP_PKEY *k)
{
	struct dns_tlsa *t;

	set->rr = realloc(set->rr, (set->n + 1) * sizeof(*set->rr));
	t = &set->rr[set->n++];
	t->usage = (unsigned char)u;
	t->selector = (unsigned char)s;
	t->mtype = (unsigned char)m;
	t->len = 32;
	t->data = malloc(32);
	spki_sha256(k, t->data);
}

/* A probe that captured leaf (+ CA), with a signed TLSA RRset; trust store empty. */
static struct probe *probe_with(struct dane_rrset *set, int send_ca)
{
	struct probe *p =
	    probe_new("mx.example.test", "192.0.2.1", 25, TLS_MODE_STARTTLS, &dialect_smtp, "smtp");
	struct verify_params vp;
	struct verdict_ctx vc = {.warn_days = 30, .crit_days = 7, .at = time(NULL)};

	memset(&vp, 0, sizeof(vp));
	vp.store = SSL_CTX_get_cert_store(ctx);
	vp.ssl_ctx = ctx;
	vp.at = time(NULL);
	p->chain = sk_X509_new_null();
	X509_up_ref(leaf);
	sk_X509_push(p->chain, leaf);
	if (send_ca) {
		X509_up_ref(ca);
		sk_X509_push(p->chain, ca);
	}
	set->state = DANE_STATE_SECURE;
	p->dane = set;
	verify_probe(p, &vp);
	dane_judge(p, &vp);
	verdict_probe(p, &vc);
	return p;
}

static int count(const struct probe *p, enum finding_code c)
{
	int n = 0;
	for (size_t i = 0; i < p->nfindings; i++)
		n += p->findings[i].code == c;
	return n;
}

static const struct finding *get(const struct probe *p, enum finding_code c)
{
	for (size_t i = 0; i < p->nfindings; i++)
		if (p->findings[i].code == c)
			return &p->findings[i];
	return NULL;
}

static void ee_match_with_next_key(void **state)
{
	struct dane_rrset *set = dane_rrset_new("mx.example.test", 25);
	struct probe *p;

	(void)state;
	add(set, 3, 1, 1, leaf_key);
	add(set, 3, 1, 1, other_key); /* the next key */
	p = probe_with(set, 1);
	assert_int_equal(count(p, F_DANE_VALID), 1);
	assert_int_equal(count(p, F_DANE_ROLLOVER_RISK), 0);
	assert_int_equal(p->dane_matched, 3);
	/* The chain is not PKIX-trusted (empty store): under DANE-EE that is information. */
	assert_non_null(get(p, F_CERT_UNTRUSTED_ROOT));
	assert_int_equal(get(p, F_CERT_UNTRUSTED_ROOT)->sev, SEV_INFO);
	probe_free(p);
}

static void ee_only_current_key_is_rollover_risk(void **state)
{
	struct dane_rrset *set = dane_rrset_new("mx.example.test", 25);
	struct probe *p;

	(void)state;
	add(set, 3, 1, 1, leaf_key);
	p = probe_with(set, 1);
	assert_int_equal(count(p, F_DANE_VALID), 1);
	assert_int_equal(count(p, F_DANE_ROLLOVER_RISK), 1);
	probe_free(p);
}

static void ta_match_is_no_rollover_risk(void **state)
{
	struct dane_rrset *set = dane_rrset_new("mx.example.test", 25);
	struct probe *p;

	(void)state;
	add(set, 2, 1, 1, ca_key);
	p = probe_with(set, 1);
	assert_int_equal(count(p, F_DANE_VALID), 1);
	assert_int_equal(p->dane_matched, 2);
	assert_int_equal(count(p, F_DANE_ROLLOVER_RISK), 0);
	probe_free(p);
}

static void ta_not_in_chain_does_not_match(void **state)
{
	struct dane_rrset *set = dane_rrset_new("mx.example.test", 25);
	struct probe *p;

	(void)state;
	add(set, 2, 1, 1, ca_key);
	p = probe_with(set, 0); /* the server left out its CA: DANE-TA(2) needs it sent */
	assert_int_equal(count(p, F_DANE_NO_MATCH), 1);
	assert_int_equal(p->dane_matched, 0);
	probe_free(p);
}

static void no_match(void **state)
{
	struct dane_rrset *set = dane_rrset_new("mx.example.test", 25);
	struct probe *p;

	(void)state;
	add(set, 3, 1, 1, other_key);
	p = probe_with(set, 1);
	assert_int_equal(count(p, F_DANE_NO_MATCH), 1);
	assert_non_null(strstr(get(p, F_DANE_NO_MATCH)->message, "the one usable TLSA record"));
	/* No match: the PKIX fault keeps its weight. */
	assert_int_equal(get(p, F_CERT_UNTRUSTED_ROOT)->sev, SEV_CRIT);
	probe_free(p);
}

static void pkix_usages_and_bad_parameters_are_unusable(void **state)
{
	struct dane_rrset *set = dane_rrset_new("mx.example.test", 25);
	struct probe *p;

	(void)state;
	add(set, 1, 1, 1, leaf_key); /* PKIX-EE */
	add(set, 0, 1, 1, ca_key);   /* PKIX-TA */
	add(set, 3, 1, 9, leaf_key); /* unknown matching type */
	add(set, 3, 1, 2, leaf_key); /* SHA-512 with a 32-byte digest */
	p = probe_with(set, 1);
	assert_int_equal(count(p, F_DANE_UNUSABLE_RECORD), 5); /* four records + "none usable" */
	assert_int_equal(count(p, F_DANE_VALID), 0);
	assert_int_equal(count(p, F_DANE_NO_MATCH),
	    0); /* nothing usable: plain TLS, RFC 7672 2.2 */
	probe_free(p);
}

static void insecure_records_do_not_apply(void **state)
{
	struct dane_rrset *set = dane_rrset_new("mx.example.test", 25);
	struct probe *p;

	(void)state;
	add(set, 3, 1, 1, leaf_key);
	p = probe_with(set, 1);
	set->state = DANE_STATE_INSECURE;
	for (size_t i = 0; i < p->nfindings; i++) /* judge again, from no findings */
		free(p->findings[i].message);
	p->nfindings = 0;
	dane_judge(p,
	    &(struct verify_params){.store = SSL_CTX_get_cert_store(ctx), .ssl_ctx = ctx});
	assert_int_equal(count(p, F_DANE_NOT_DNSSEC), 1);
	assert_int_equal(count(p, F_DANE_VALID), 0);
	probe_free(p);
}

static void record_to_publish(void **state)
{
	struct cert_info ci;
	char rec[100], hex[65];
	unsigned char d[32];

	(void)state;
	tlsinfo_cert(leaf, time(NULL), &ci);
	spki_sha256(leaf_key, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	tlsa_record_for(&ci, 0, rec, sizeof(rec));
	assert_string_equal(rec + 6, hex);
	assert_memory_equal(rec, "3 1 1 ", 6);
	tlsa_record_for(&ci, 1, rec, sizeof(rec));
	assert_memory_equal(rec, "2 1 1 ", 6);
	free(ci.subject);
	free(ci.issuer);
	free(ci.serial);
	strlist_free(&ci.san);
}

static void free_info(struct cert_info *ci)
{
	free(ci->subject);
	free(ci->issuer);
	free(ci->serial);
	strlist_free(&ci->san);
}

/* RFC 7633: must-staple is a TLS Feature extension naming status_request (5);
 * status_request_v2 (17) alone is not it. */
static int staple_with(const char *features)
{
	X509 *x = X509_dup(leaf);
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	struct cert_info ci;

	X509V3_set_ctx(&v3, ca, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_tlsfeature, features);
	assert_non_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, ca_key, EVP_sha256());
	tlsinfo_cert(x, time(NULL), &ci);
	X509_free(x);
	free_info(&ci);
	return ci.must_staple;
}

static void must_staple_read_from_tls_feature(void **state)
{
	struct cert_info ci;

	(void)state;
	tlsinfo_cert(leaf, time(NULL), &ci);
	assert_int_equal(ci.must_staple, 0);
	free_info(&ci);
	assert_int_equal(staple_with("status_request"), 1);
	assert_int_equal(staple_with("status_request_v2"), 0);
	assert_int_equal(staple_with("status_request_v2,status_request"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ee_match_with_next_key),
	    cmocka_unit_test(ee_only_current_key_is_rollover_risk),
	    cmocka_unit_test(ta_match_is_no_rollover_risk),
	    cmocka_unit_test(ta_not_in_chain_does_not_match),
	    cmocka_unit_test(no_match),
	    cmocka_unit_test(pkix_usages_and_bad_parameters_are_unusable),
	    cmocka_unit_test(insecure_records_do_not_apply),
	    cmocka_unit_test(record_to_publish),
	    cmocka_unit_test(must_staple_read_from_tls_feature),
	};
	return cmocka_run_group_tests_name("dane", tests, setup, teardown);
}
