/*
 * Unit tests: host name rules (RFC 9525 via OpenSSL's X509_check_host), error classification,
 * key and digest strength, expiry thresholds, and the status fold. Certificates are built in
 * memory so every case states exactly the names it carries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "pki/verify.h"
#include "proto/dialect.h"
#include "tls/tlsinfo.h"

static EVP_PKEY *key;

static int setup(void **state)
{
	(void)state;
	key = EVP_EC_gen("P-256");
	return key ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(key);
	return 0;
}

/* A leaf with subject CN=cn (if not NULL) and the comma-separated SAN list (if not NULL). */
static X509 *make_cert(const char *cn, const char *san)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX ctx;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400 * 30);
	if (cn)
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
		    -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_NAME_free(name);
	X509_set_pubkey(x, key);
	if (san) {
		X509_EXTENSION *ext;
		X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
		ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
		assert_non_null(ext);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	X509_sign(x, key, EVP_sha256());
	return x;
}

static struct probe *probe_for(const char *host, const char *cn, const char *san)
{
	struct probe *p =
	    probe_new(host, "127.0.0.1", 25, TLS_MODE_STARTTLS, &dialect_smtp, "smtp");

	p->chain = sk_X509_new_null();
	sk_X509_push(p->chain, make_cert(cn, san));
	tlsinfo_describe(p, time(NULL), NULL);
	return p;
}

static const char *name_code(const char *host, const char *cn, const char *san)
{
	static char code[40];
	struct probe *p = probe_for(host, cn, san);

	verify_name(p);
	assert_int_equal(p->nfindings, 1);
	snprintf(code, sizeof(code), "%s", finding_defs[p->findings[0].code].name);
	probe_free(p);
	return code;
}

static void san_exact_and_case(void **state)
{
	(void)state;
	assert_string_equal(name_code("mx.example.test", "other", "DNS:mx.example.test"),
	    "CERT_HOSTNAME_OK");
	assert_string_equal(name_code("MX.Example.TEST", NULL, "DNS:mx.example.test"),
	    "CERT_HOSTNAME_OK");
	/* A trailing dot is the same name in DNS. */
	assert_string_equal(name_code("mx.example.test", NULL,
	                        "DNS:other.test, DNS:mx.example.test"),
	    "CERT_HOSTNAME_OK");
}

static void wildcard_rules(void **state)
{
	(void)state;
	/* RFC 9525 6.3: the wildcard is the whole left-most label and matches exactly one label. */
	assert_string_equal(name_code("mx.wild.test", NULL, "DNS:*.wild.test"), "CERT_HOSTNAME_OK");
	assert_string_equal(name_code("a.mx.wild.test", NULL, "DNS:*.wild.test"),
	    "CERT_HOSTNAME_MISMATCH");
	assert_string_equal(name_code("wild.test", NULL, "DNS:*.wild.test"),
	    "CERT_HOSTNAME_MISMATCH");
	/* Partial-label wildcards are not honoured. */
	assert_string_equal(name_code("mx1.wild.test", NULL, "DNS:mx*.wild.test"),
	    "CERT_HOSTNAME_MISMATCH");
	/* A wildcard in a non-left-most label never matches. */
	assert_string_equal(name_code("mx.a.test", NULL, "DNS:mx.*.test"),
	    "CERT_HOSTNAME_MISMATCH");
}

static void cn_rules(void **state)
{
	(void)state;
	/* The CN is never consulted when a DNS-ID exists... */
	assert_string_equal(name_code("mx.example.test", "mx.example.test", "DNS:other.test"),
	    "CERT_HOSTNAME_MISMATCH");
	/* ...and matching by CN alone is a finding of its own. */
	assert_string_equal(name_code("mx.example.test", "mx.example.test", NULL), "CERT_CN_ONLY");
	assert_string_equal(name_code("mx.example.test", "other.test", NULL),
	    "CERT_HOSTNAME_MISMATCH");
}

static void ip_hosts(void **state)
{
	(void)state;
	assert_string_equal(name_code("127.0.0.5", NULL, "IP:127.0.0.5"), "CERT_HOSTNAME_OK");
	assert_string_equal(name_code("127.0.0.5", NULL, "DNS:127.0.0.5"),
	    "CERT_HOSTNAME_MISMATCH");
}

static void mismatch_says_what_is_covered(void **state)
{
	struct probe *p = probe_for("mx.example.test", "other.test", "DNS:a.test, DNS:b.test");

	(void)state;
	verify_name(p);
	assert_int_equal(p->findings[0].code, F_CERT_HOSTNAME_MISMATCH);
	assert_non_null(strstr(p->findings[0].message, "a.test, b.test"));
	probe_free(p);
}

static void classify(void **state)
{
	(void)state;
	assert_int_equal(verify_classify(X509_V_ERR_CERT_HAS_EXPIRED, 1, 1), F_CERT_EXPIRED);
	assert_int_equal(verify_classify(X509_V_ERR_CERT_NOT_YET_VALID, 0, 0),
	    F_CERT_NOT_YET_VALID);
	assert_int_equal(verify_classify(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, 0),
	    F_CERT_SELF_SIGNED);
	assert_int_equal(verify_classify(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 2, 1),
	    F_CERT_UNTRUSTED_ROOT);
	/* Issuer not found at the leaf: the intermediate was not sent. */
	assert_int_equal(verify_classify(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0, 0),
	    F_CERT_CHAIN_INCOMPLETE);
	assert_int_equal(verify_classify(X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, 0, 0),
	    F_CERT_CHAIN_INCOMPLETE);
	/* Issuer not found above an intermediate: the root is not trusted. */
	assert_int_equal(verify_classify(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1, 1),
	    F_CERT_UNTRUSTED_ROOT);
	assert_int_equal(verify_classify(X509_V_ERR_CERT_SIGNATURE_FAILURE, 0, 0),
	    F_CERT_VERIFY_ERROR);
}

static void strength(void **state)
{
	(void)state;
	assert_true(verify_weak_key("RSA", 1024));
	assert_false(verify_weak_key("RSA", 2048));
	assert_true(verify_weak_key("EC", 224));
	assert_false(verify_weak_key("EC", 256));
	assert_false(verify_weak_key("ED25519", 253));
	assert_true(verify_weak_digest(NID_sha1, 63));
	assert_true(verify_weak_digest(NID_md5, 39));
	assert_false(verify_weak_digest(NID_sha256, 128));
	assert_true(verify_weak_digest(NID_sha256, 80)); /* a 1024-bit RSA signature */
}

/* How severities fold into statuses is model/verdict.c's, tested in test_verdict.c. */
static void finding_names_unique(void **state)
{
	(void)state;
	for (int i = 0; i < F__COUNT; i++)
		for (int j = i + 1; j < F__COUNT; j++)
			assert_true(strcmp(finding_defs[i].name, finding_defs[j].name) != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(san_exact_and_case),
	    cmocka_unit_test(wildcard_rules),
	    cmocka_unit_test(cn_rules),
	    cmocka_unit_test(ip_hosts),
	    cmocka_unit_test(mismatch_says_what_is_covered),
	    cmocka_unit_test(classify),
	    cmocka_unit_test(strength),
	    cmocka_unit_test(finding_names_unique),
	};
	return cmocka_run_group_tests_name("verify", tests, setup, teardown);
}
