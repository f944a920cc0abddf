/*
 * Unit tests: the pure pieces of revocation (pki/revocation.c) against hostile bytes, and
 * the names the views print. The real answers (good, revoked, unknown, stale, badly signed)
 * come from the lab's responder and CRLs in the end-to-end suite.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pki/revocation.h"

/* Whatever bytes come, the answer is INVALID with a reason, never a crash or a verdict. */
static void hostile_ocsp_and_crl_bytes(void **state)
{
	static const unsigned char junk[][8] = {{0}, {0x30, 0x82, 0xff, 0xff}, {0x30, 0x03, 0x0a, 0x01, 0x06},
	    {0x30, 0x80, 0x00, 0x00}};
	X509_STORE *store = X509_STORE_new();

	(void)state;
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		struct revocation r;
		struct rev_crl *c;

		memset(&r, 0, sizeof(r));
		rev_ocsp_judge(junk[i], sizeof(junk[i]), NULL, NULL, NULL, store, 0, &r);
		assert_int_equal(r.status, REV_INVALID);
		assert_true(r.why && r.why[0] != '\0');
		free(r.why);
		memset(&r, 0, sizeof(r));
		c = rev_crl_load(junk[i], sizeof(junk[i]), NULL, 0);
		rev_crl_judge(c, NULL, &r);
		assert_int_equal(r.status, REV_INVALID);
		assert_string_equal(r.why, "not a CRL");
		free(r.why);
		rev_crl_free(c);
	}
	/* 0x30 03 0a 01 06 is an OCSPResponse whose status is 6, unauthorized: said as such. */
	{
		struct revocation r = {0};
		rev_ocsp_judge(junk[2], 5, NULL, NULL, NULL, store, 0, &r);
		assert_non_null(strstr(r.why, "unauthorized"));
		free(r.why);
	}
	X509_STORE_free(store);
}

/* A responder's or CRL's URL from a certificate: the host and port to connect to, or -1. */
static void urls(void **state)
{
	static const struct {
		const char *url, *host;
		unsigned port;
	} good[] = {{"http://ocsp.test/", "ocsp.test", 80}, {"http://ocsp.test", "ocsp.test", 80},
	    {"http://ocsp.test:8080/x?y", "ocsp.test", 8080},
	    {"http://127.0.0.71:80", "127.0.0.71", 80}, {"http://[::1]:8888/ca.crl", "::1", 8888},
	    {"http://[::1]", "::1", 80}};
	static const char *const bad[] = {"https://ocsp.test/", "ldap://ocsp.test/", "http://",
	    "http:///x", "http://u:p@ocsp.test/", "http://ocsp.test:/", "http://ocsp.test:0/",
	    "http://ocsp.test:65536/", "http://ocsp.test: 80/", "http://ocsp.test:+80/",
	    "http://ocsp.test:-1/", "http://ocsp.test:80x/", "http://[::1", "http://[::1]x/",
	    "http://[]/"};
	char host[64];
	unsigned port;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(rev_url_split(good[i].url, host, sizeof(host), &port), 0);
		assert_string_equal(host, good[i].host);
		assert_int_equal(port, good[i].port);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rev_url_split(bad[i], host, sizeof(host), &port) != -1)
			fail_msg("%s was taken: host %s port %u", bad[i], host, port);
	/* A host longer than the room for it. */
	assert_int_equal(rev_url_split("http://a-rather-long-name.test/", host, 8, &port), -1);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(rev_reason_text(1), "keyCompromise");
	assert_string_equal(rev_reason_text(4), "superseded");
	assert_string_equal(rev_reason_text(-1), "unspecified");
	assert_string_equal(rev_reason_text(99), "unspecified");
	assert_string_equal(rev_method_name(REV_METHOD_STAPLE), "ocsp-staple");
	assert_string_equal(rev_status_name(REV_NO_SOURCE), "no source");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hostile_ocsp_and_crl_bytes),
	    cmocka_unit_test(urls),
	    cmocka_unit_test(names),
	};
	return cmocka_run_group_tests_name("revocation", tests, NULL, NULL);
}
