/* Unit tests: MTA-STS, TLS-RPT, SPF, DMARC and DKIM record parsers, good input and hostile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailpolicy/records.h"

/* Generated for these tests with
 * openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:N | openssl pkey -pubout -outform DER
 * | base64 -w0 (and -algorithm ED25519, EC P-256, openssl rsa -RSAPublicKey_out). */
#define K1024                                                                                      \
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDQCY09jsJE/yiywbL+qftnvo00rM+bsugG991TbNys8J0eCD9O" \
	"m20kacIHPLLRyBK42kA3O2UlA3ID+EYc3tgdJ7pu41wnUik8I/65XBKyePfcW1nKQL1B9tK/AJ5rkMeGLLVgXAXy" \
	"DJsFiNV439SWBY7jlovuttk82a7piyAUcwIDAQAB"
#define K2048                                                                                      \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnYHqQbfWuNEJQq+41cNNVuGQgKlGpfLwo7F2ZFyKySA4" \
	"d9A1Mr8nkmESDG9p4vMTn0JbEc5uYSOuxHSsF92JxePM4DogbyRC7+1dwG27nsliFURMN3UUrg7+0zUjcOmWQyQo" \
	"iTewX0g4R2GK3RTvw9F5oHNErPxrJfVwcMrJoqUSuVlEG8Fed/v9MRPYDqYvgS3u9vXyGl7cIR3AQ+7qGof8uLZr" \
	"C5HCfPkria1Ut3hLB9Qy4kZvjZB0T3QsvtpgXKfRsoueGPgzgale/c4JyGQKpyKtKZxafDUk+M7JNa+BfZjvVkth" \
	"fKNF3+mnaF9qgDu1JWN0nQYw2tLQR4RtmwIDAQAB"
#define ED25519_RAW "Koek+JEAQRDjHO5Afc3OQ+4Jr0nn/WFswJ8Or7tW1kc="
#define ED25519_SPKI "MCowBQYDK2VwAyEARY6CWXNPF5cWKqtvSHM132rvwbRzS3+yD3OYiXr4Pkk="
#define EC_P256                                                                                    \
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE61/iQ+LRBmFwEaT5ilWBYQ/6wU6sNCSlEu0ISO4s+swiLBGp7Ipm" \
	"nVBXVy7Uyycc9Dw5DdqHpR5jKbopjkPKhQ=="
#define PKCS1_1024                                                                                 \
	"MIGJAoGBANdMdLZlVB7BRlK1oI1We4Hfm0DWVgPFLfLBvwGlVp3iAdK4ZJxji4Wd7UYDtL0JO4UC3MSzajdwGDfW" \
	"KVhDmuhip5fTFKhAr0oUaVSYCuEY/OOe56/LsVruZnuO1olBXYjCyYb6u3NXlY8hRZFdo18ibkiME2qoGJKDh7GO" \
	"P8dxAgMBAAE="

/* Each returns "OK" or the parser's message, so a test reads as input -> verdict. */
static char err[256];

static const char *sts_txt(const char *txt)
{
	struct sts_txt t;

	return records_sts_txt(txt, &t, err, sizeof(err)) ? err : "OK";
}

static const char *policy_n(const char *body, size_t len, struct sts_policy *p)
{
	return records_sts_policy(body, len, p, err, sizeof(err)) ? err : "OK";
}

static const char *policy_p(const char *body, struct sts_policy *p)
{
	return policy_n(body, strlen(body), p);
}

static const char *policy(const char *body)
{
	static struct sts_policy p;

	return policy_p(body, &p);
}

static const char *tlsrpt(const char *txt)
{
	struct tlsrpt t;

	return records_tlsrpt(txt, &t, err, sizeof(err)) ? err : "OK";
}

static const char *spf(const char *txt)
{
	struct spf s;

	return records_spf(txt, &s, err, sizeof(err)) ? err : "OK";
}

static const char *dmarc(const char *txt)
{
	struct dmarc d;

	return records_dmarc(txt, &d, err, sizeof(err)) ? err : "OK";
}

static const char *dkim(const char *txt, struct dkim *k)
{
	struct dkim scratch;

	return records_dkim(txt, k ? k : &scratch, err, sizeof(err)) ? err : "OK";
}

/* A NUL-terminated string of n copies of c. */
static char *filled(size_t n, char c)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* ---- records_is_kind ---- */

static void kind_by_version_tag(void **state)
{
	(void)state;
	assert_true(records_is_kind("v=STSv1; id=1", "v=STSv1"));
	assert_true(records_is_kind("v=STSv1;id=1", "v=STSv1"));
	assert_true(records_is_kind("v=spf1", "v=spf1"));
	assert_true(records_is_kind("V=SPF1 -all", "v=spf1")); /* RFC 7208 4.5 */
	assert_true(records_is_kind("v=DMARC1\t; p=none", "v=DMARC1"));
	assert_false(records_is_kind("v=spf10 -all", "v=spf1"));
	assert_false(records_is_kind("v=spf", "v=spf1"));
	assert_false(records_is_kind(" v=spf1", "v=spf1"));
	assert_false(records_is_kind("", "v=spf1"));
	assert_false(records_is_kind("google-site-verification=abc", "v=spf1"));
	assert_false(records_is_kind(NULL, "v=spf1"));
	assert_false(records_is_kind("v=spf1", NULL));
	assert_false(records_is_kind("v=spf1", ""));
}

/* ---- MTA-STS TXT ---- */

static void sts_txt_good(void **state)
{
	struct sts_txt t;

	(void)state;
	assert_int_equal(records_sts_txt("v=STSv1; id=20240101T000000Z;", &t, err, sizeof(err)), 0);
	assert_string_equal(t.id, "20240101T000000Z");
	assert_string_equal(sts_txt("v=STSv1;id=abc"), "OK");
	assert_string_equal(sts_txt("v=STSv1 ;  id=abc ;  "), "OK");
	assert_string_equal(sts_txt("v=STSv1; id=abc;; ext_1.x=some-value"), "OK");
	assert_int_equal(records_sts_txt("v=STSv1; id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &t, err,
	                     sizeof(err)),
	    0);
	assert_int_equal(strlen(t.id), 32);
}

static void sts_txt_bad(void **state)
{
	(void)state;
	assert_string_equal(sts_txt("v=STSv2; id=1"), "version \"STSv2\" is not STSv1");
	assert_string_equal(sts_txt("v=stsv1; id=1"), "version \"stsv1\" is not STSv1");
	assert_string_equal(sts_txt("id=1; v=STSv1"),
	    "record \"id=1; v=STSv1\" does not start with v=STSv1");
	assert_string_equal(sts_txt(" v=STSv1; id=1"),
	    "record \" v=STSv1; id=1\" does not start with v=STSv1");
	assert_string_equal(sts_txt("v=STSv1"), "no id= field");
	assert_string_equal(sts_txt("v=STSv1; ID=abc"), "no id= field"); /* %s"id=" */
	assert_string_equal(sts_txt("v=STSv1; id="), "id \"\" is not 1-32 letters and digits");
	assert_string_equal(sts_txt("v=STSv1; id=has-hyphen"),
	    "id \"has-hyphen\" is not 1-32 letters and digits");
	assert_string_equal(sts_txt("v=STSv1; id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	    "id \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" is not 1-32 letters and digits");
	assert_string_equal(sts_txt("v=STSv1; id=1; id=2"),
	    "id= appears twice (senders use the first, RFC 8461 3.2)");
	assert_string_equal(sts_txt("v=STSv1; id=1; v=STSv1"), "v= appears twice");
	assert_string_equal(sts_txt("v=STSv1; id=1; garbage"),
	    "field \"garbage\" is not name=value");
	assert_string_equal(sts_txt("v=STSv1; id = 1"), "field \"id = 1\" is not name=value");
	assert_string_equal(sts_txt("v=STSv1; id=1; x=a b"), "field \"x=a b\" is not name=value");
	assert_string_equal(sts_txt("v=STSv1; id=\xc3\xa9t\xe9"),
	    "id \"??t?\" is not 1-32 letters and digits");
	assert_string_equal(sts_txt(""), "record is empty");
	assert_string_equal(sts_txt(";;"), "record is empty");
	assert_string_equal(sts_txt(NULL), "no record");
}

static void sts_txt_huge(void **state)
{
	char *big = filled(70000, 'a');

	(void)state;
	memcpy(big, "v=STSv1; id=1; x=", 17);
	assert_string_equal(sts_txt(big), "record longer than 65535 bytes");
	big[65535] = '\0';
	assert_string_equal(sts_txt(big), "OK");
	free(big);
}

/* ---- MTA-STS policy ---- */

static void policy_good(void **state)
{
	struct sts_policy p;

	(void)state;
	assert_string_equal(policy_p("version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
	                             "mx: *.example.net\nmax_age: 604800\n",
	                        &p),
	    "OK");
	assert_int_equal(p.mode, STS_MODE_ENFORCE);
	assert_int_equal(p.max_age, 604800);
	assert_int_equal(p.nmx, 2);
	assert_string_equal(p.mx[0], "mx1.example.com");
	assert_string_equal(p.mx[1], "*.example.net");

	/* CRLF, no final line end, trailing whitespace, fields in any order, unknown keys. */
	assert_string_equal(policy_p("max_age: 86400\r\nmx: mx.example.com  \r\nmode: testing\t\r\n"
	                             "future_key: whatever \xe2\x9c\x93\r\nversion: STSv1",
	                        &p),
	    "OK");
	assert_int_equal(p.mode, STS_MODE_TESTING);
	assert_int_equal(p.max_age, 86400);
	assert_string_equal(p.mx[0], "mx.example.com");

	/* Mixed LF and CRLF, blank lines, max_age bounds. */
	assert_string_equal(policy("version: STSv1\r\n\nmode: none\n\r\nmax_age: 0\n"), "OK");
	assert_string_equal(policy("version:STSv1\nmode:enforce\nmx:a.example\nmax_age:31557600\n"),
	    "OK");
	assert_string_equal(policy("version: STSv1\nmode: none\nmax_age: 0000000001\n"), "OK");
}

static void policy_bad_values(void **state)
{
	(void)state;
	assert_string_equal(policy(
	                        "version: STSv1\nmode: enforce-ish\nmx: a.example\nmax_age: 1\n"),
	    "mode \"enforce-ish\" is not enforce, testing or none (line 2)");
	assert_string_equal(policy("version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n"),
	    "mode \"Enforce\" is not enforce, testing or none (line 2)");
	assert_string_equal(policy("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: lots\n"),
	    "max_age \"lots\" is not a number of seconds (line 4)");
	assert_string_equal(policy("version: STSv1\nmode: none\nmax_age: -1\n"),
	    "max_age \"-1\" is not a number of seconds (line 3)");
	assert_string_equal(policy("version: STSv1\nmode: none\nmax_age: 12345678901\n"),
	    "max_age \"12345678901\" is not a number of seconds (line 3)");
	assert_string_equal(policy("version: STSv1\nmode: none\nmax_age: 31557601\n"),
	    "max_age 31557601 is more than 31557600 (a year) (line 3)");
	assert_string_equal(policy("version: STSv1\nmode: none\nmax_age:\n"),
	    "max_age \"\" is not a number of seconds (line 3)");
	assert_string_equal(policy("version: STSv2\nmode: none\nmax_age: 1\n"),
	    "version \"STSv2\" is not STSv1 (line 1)");
	assert_string_equal(policy("version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 1\n"),
	    "mx \"a..example\" is not a host name or *.host name (line 3)");
	assert_string_equal(policy("version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 1\n"),
	    "mx \"*.*.example\" is not a host name or *.host name (line 3)");
	assert_string_equal(policy("version: STSv1\nmode: enforce\nmx: a.example.\nmax_age: 1\n"),
	    "mx \"a.example.\" is not a host name or *.host name (line 3)");
	assert_string_equal(policy("version: STSv1\nmode: enforce\nmx: *\nmax_age: 1\n"),
	    "mx \"*\" is not a host name or *.host name (line 3)");
	assert_string_equal(policy("version: STSv1\nmode: enforce\nmx: -a.example\nmax_age: 1\n"),
	    "mx \"-a.example\" is not a host name or *.host name (line 3)");
	assert_string_equal(policy("version: STSv1\nmode: enforce\nmx: a b.example\nmax_age: 1\n"),
	    "mx \"a b.example\" is not a host name or *.host name (line 3)");
	assert_string_equal(policy("version: STSv1\nmode: enforce\nmx:\nmax_age: 1\n"),
	    "mx \"\" is not a host name or *.host name (line 3)");
}

static void policy_missing_and_repeated(void **state)
{
	(void)state;
	assert_string_equal(policy("mode: none\nmax_age: 1\n"), "no version: line");
	assert_string_equal(policy("version: STSv1\nmax_age: 1\n"), "no mode: line");
	assert_string_equal(policy("version: STSv1\nmode: none\n"), "no max_age: line");
	assert_string_equal(policy("version: STSv1\nmode: enforce\nmax_age: 1\n"),
	    "no mx: line (required unless mode is none)");
	assert_string_equal(policy("version: STSv1\nmode: testing\nmax_age: 1\n"),
	    "no mx: line (required unless mode is none)");
	assert_string_equal(policy(""), "no version: line");
	assert_string_equal(policy(" \r\n\t\n\n"), "no version: line");
	assert_string_equal(policy("version: STSv1\nmode: none\nmode: enforce\nmax_age: 1\n"),
	    "mode: appears twice (senders use the first, RFC 8461 3.2) (line 3)");
	assert_string_equal(policy("version: STSv1\nmode: none\nmax_age: 1\nmax_age: 1\n"),
	    "max_age: appears twice (senders use the first, RFC 8461 3.2) (line 4)");
	assert_string_equal(policy("version: STSv1\nversion: STSv1\nmode: none\nmax_age: 1\n"),
	    "version: appears twice (senders use the first, RFC 8461 3.2) (line 2)");
	/* mx repeats by design; unknown keys may repeat too. */
	assert_string_equal(policy("version: STSv1\nmode: enforce\nmx: a.example\nmx: a.example\n"
	                           "x: 1\nx: 2\nmax_age: 1\n"),
	    "OK");
}

static void policy_hostile_lines(void **state)
{
	static const char nul[] = "version: STSv1\nmode: none\0enforce\nmax_age: 1\n";
	struct sts_policy p;

	(void)state;
	assert_string_equal(policy("version: STSv1\nMode: enforce\nmx: a.example\nmax_age: 1\n"),
	    "key \"Mode\" is not \"mode\" (keys are case-sensitive) (line 2)");
	assert_string_equal(policy("version: STSv1\nmode enforce\n"),
	    "line \"mode enforce\" is not \"key: value\" (line 2)");
	assert_string_equal(policy("version: STSv1\nmode : enforce\n"),
	    "line \"mode : enforce\" is not \"key: value\" (line 2)");
	assert_string_equal(policy(": STSv1\n"), "line \": STSv1\" is not \"key: value\" (line 1)");
	/* Old Mac line ends: one line holding control characters. */
	assert_string_equal(policy("version: STSv1\rmode: none\rmax_age: 1\r"),
	    "line \"version: STSv1?mode: none?max_age: 1\" has a control character (line 1)");
	/* An embedded NUL counts (len, not strlen), and makes the body no text at all. */
	assert_string_equal(policy_n(nul, sizeof(nul) - 1, &p),
	    "NUL byte at offset 25: a policy is text");
	assert_string_equal(policy("version: STSv1\nmode: \xff\xfe\x1b[31m\n"),
	    "line \"mode: ???[31m\" has a control character (line 2)");
	assert_string_equal(policy("version: STSv1\nmode: \xc3\xa9nforce\nmax_age: 1\n"),
	    "mode \"??nforce\" is not enforce, testing or none (line 2)");
	/* Truncated mid-file. */
	assert_string_equal(policy("version: STSv1\nmode: enf"),
	    "mode \"enf\" is not enforce, testing or none (line 2)");
	assert_string_equal(policy("version: STSv1\nmo"),
	    "line \"mo\" is not \"key: value\" (line 2)");
	assert_string_equal(policy_n(NULL, 0, &p), "no version: line");
	assert_string_equal(policy_n(NULL, 5, &p), "no policy");
}

static void policy_size_bounds(void **state)
{
	const char *head = "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\nx: ";
	size_t hn = strlen(head);
	char *big = filled(1 << 20, 'y');
	struct sts_policy p;

	(void)state;
	memcpy(big, head, hn);
	assert_string_equal(policy_n(big, 1 << 20, &p), "policy larger than 65536 bytes");
	assert_string_equal(policy_n(big, STS_POLICY_MAX + 1, &p),
	    "policy larger than 65536 bytes");
	assert_string_equal(policy_n(big, STS_POLICY_MAX, &p), "OK"); /* exactly 64 KiB is fine */
	assert_int_equal(p.nmx, 1);
	free(big);
}

static void policy_mx_limit(void **state)
{
	char *body = malloc(16384);
	size_t n = 0;
	struct sts_policy p;

	(void)state;
	assert_non_null(body);
	n += (size_t)sprintf(body + n, "version: STSv1\nmode: enforce\nmax_age: 86400\n");
	for (int i = 0; i < STS_MX_MAX; i++)
		n += (size_t)sprintf(body + n, "mx: mx%d.example.com\n", i);
	assert_string_equal(policy_n(body, n, &p), "OK");
	assert_int_equal(p.nmx, STS_MX_MAX);
	assert_string_equal(p.mx[63], "mx63.example.com");
	/* The 65th is refused, not dropped: a host it names would wrongly fail. */
	for (int i = STS_MX_MAX; i < 100; i++)
		n += (size_t)sprintf(body + n, "mx: mx%d.example.com\n", i);
	assert_string_equal(policy_n(body, n, &p), "more than 64 mx: lines (line 68)");
	free(body);
}

static void policy_long_values_are_quoted_short(void **state)
{
	char *body = malloc(20000);
	char *label = filled(64, 'a');
	char *name = malloc(400);

	(void)state;
	assert_non_null(body);
	assert_non_null(name);
	snprintf(body, 20000, "version: STSv1\nmode: %s\n", "x");
	memset(body + 21, 'x', 10000);
	strcpy(body + 21 + 10000, "\n");
	assert_string_equal(policy(body),
	    "mode \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\" is not enforce, testing or none "
	    "(line 2)");
	/* A 64-byte label and a 254-byte name are not host names. */
	snprintf(body, 20000, "version: STSv1\nmode: enforce\nmx: %s.example\nmax_age: 1\n", label);
	assert_string_equal(policy(body),
	    "mx \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is not a host name or *.host name "
	    "(line 3)");
	label[63] = '\0';
	snprintf(name, 400, "%s.%s.%s.%s", label, label, label, label); /* 255 */
	name[253] = '\0';
	name[252] = 'z';
	snprintf(body, 20000, "version: STSv1\nmode: enforce\nmx: *.%s\nmax_age: 1\n", name);
	assert_string_equal(policy(body), "OK");
	name[253] = 'z';
	name[254] = '\0';
	snprintf(body, 20000, "version: STSv1\nmode: enforce\nmx: *.%s\nmax_age: 1\n", name);
	assert_string_not_equal(policy(body), "OK");
	free(body);
	free(label);
	free(name);
}

static void small_or_missing_err_buffer(void **state)
{
	char tiny[8];
	struct sts_policy p;
	struct spf s;

	(void)state;
	assert_int_equal(records_sts_policy("mode: x\n", 8, &p, tiny, sizeof(tiny)), -1);
	assert_string_equal(tiny, "mode \"x");
	assert_int_equal(records_sts_policy("mode: x\n", 8, &p, NULL, 0), -1);
	assert_int_equal(records_spf("v=spf1 foo", &s, NULL, 0), -1);
	assert_int_equal(records_spf("v=spf1 foo", &s, tiny, 1), -1);
	assert_string_equal(tiny, "");
}

/* ---- RFC 8461 4.1 mx matching ---- */

static void mx_match_rules(void **state)
{
	(void)state;
	assert_true(records_sts_mx_match("mx.example.com", "mx.example.com"));
	assert_true(records_sts_mx_match("mx.example.com", "MX.Example.COM."));
	assert_true(records_sts_mx_match("MX.example.com.", "mx.example.com"));
	assert_false(records_sts_mx_match("mx.example.com", "mx2.example.com"));
	assert_false(records_sts_mx_match("mx.example.com", "x.example.com"));
	assert_false(records_sts_mx_match("mx.example.com", "a.mx.example.com"));
	assert_true(records_sts_mx_match("*.example.com", "mx.example.com"));
	assert_true(records_sts_mx_match("*.example.com", "MX.EXAMPLE.COM."));
	assert_false(records_sts_mx_match("*.example.com", "example.com"));
	assert_false(records_sts_mx_match("*.example.com", "a.b.example.com"));
	assert_false(records_sts_mx_match("*.example.com", ".example.com"));
	assert_false(records_sts_mx_match("*.example.com", "mx.example.org"));
	assert_false(records_sts_mx_match("*.example.com", "mxexample.com"));
	assert_false(records_sts_mx_match("*.", "a."));
	assert_false(records_sts_mx_match("", ""));
	assert_false(records_sts_mx_match(".", "."));
	assert_false(records_sts_mx_match(NULL, "a"));
	assert_false(records_sts_mx_match("a", NULL));
}

static void mx_match_long_names(void **state)
{
	char *host = filled(300, 'a');

	(void)state;
	assert_false(records_sts_mx_match(host, host)); /* longer than any DNS name */
	host[255] = '\0';
	assert_true(records_sts_mx_match(host, host));
	host[1] = '.';
	assert_true(records_sts_mx_match(host, host));
	free(host);
}

/* ---- TLS-RPT ---- */

static void tlsrpt_good(void **state)
{
	struct tlsrpt t;

	(void)state;
	assert_int_equal(records_tlsrpt("v=TLSRPTv1; rua=mailto:tls@example.com", &t, err,
	                     sizeof(err)),
	    0);
	assert_string_equal(t.rua, "mailto:tls@example.com");
	assert_int_equal(records_tlsrpt("v=TLSRPTv1;rua=mailto:a@example.com , "
	                                "HTTPS://r.example.com/x;",
	                     &t, err, sizeof(err)),
	    0);
	assert_string_equal(t.rua, "mailto:a@example.com , HTTPS://r.example.com/x");
	assert_string_equal(tlsrpt("v=TLSRPTv1; ext=1; rua=https://r.example.com"), "OK");
}

static void tlsrpt_bad(void **state)
{
	(void)state;
	assert_string_equal(tlsrpt("v=TLSRPTv1"), "no rua= field (required)");
	assert_string_equal(tlsrpt("v=TLSRPTv1; RUA=mailto:a@example.com"),
	    "no rua= field (required)");
	assert_string_equal(tlsrpt("v=TLSRPTv2; rua=mailto:a@example.com"),
	    "version \"TLSRPTv2\" is not TLSRPTv1");
	assert_string_equal(tlsrpt("rua=mailto:a@example.com; v=TLSRPTv1"),
	    "record \"rua=mailto:a@example.com; v=TLSRPTv1\" does not start with v=TLSRPTv1");
	assert_string_equal(tlsrpt("v=TLSRPTv1; rua=http://r.example.com"),
	    "rua URI \"http://r.example.com\" is not mailto: or https:");
	assert_string_equal(tlsrpt("v=TLSRPTv1; rua=mailto:"),
	    "rua URI \"mailto:\" is not mailto: or https:");
	assert_string_equal(tlsrpt("v=TLSRPTv1; rua="), "rua= is empty");
	assert_string_equal(tlsrpt("v=TLSRPTv1; rua=mailto:a@example.com,"),
	    "rua= has an empty URI");
	assert_string_equal(tlsrpt("v=TLSRPTv1; rua=mailto:a@ex\xc3\xa4mple.com"),
	    "rua URI \"mailto:a@ex??mple.com\" has a space or non-ASCII byte");
	assert_string_equal(tlsrpt(
	                        "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com"),
	    "rua= appears twice");
	assert_string_equal(tlsrpt(""), "record is empty");
}

static void tlsrpt_long_rua_keeps_whole_uris(void **state)
{
	char txt[2400], uri[700];
	struct tlsrpt t;

	(void)state;
	memset(uri, 'a', 200);
	uri[200] = '\0';
	snprintf(txt, sizeof(txt),
	    "v=TLSRPTv1; rua=mailto:%s@x.example,mailto:%s@y.example,"
	    "mailto:%s@z.example",
	    uri, uri, uri);
	assert_int_equal(records_tlsrpt(txt, &t, err, sizeof(err)), 0);
	assert_int_equal(strlen(t.rua), 2 * (7 + 200 + 10) + 1); /* a third would not fit */
	assert_non_null(strstr(t.rua, "@y.example"));
	assert_null(strstr(t.rua, "@z.example"));
	memset(uri, 'a', 600);
	uri[600] = '\0';
	snprintf(txt, sizeof(txt), "v=TLSRPTv1; rua=mailto:%s@x.example", uri);
	assert_string_equal(tlsrpt(txt),
	    "rua URI \"mailto:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is longer than 511 bytes");
}

/* ---- SPF ---- */

static void spf_good(void **state)
{
	struct spf s;

	(void)state;
	assert_int_equal(records_spf("v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.7 ip6:2001:db8::/32 "
	                             "ip6:::ffff:192.0.2.1 a mx:mail.example.com/24//64 a//128 "
	                             "include:_spf.example.net ptr exists:%{i}.spf.example.org "
	                             "~all",
	                     &s, err, sizeof(err)),
	    0);
	assert_int_equal(s.all_qualifier, '~');
	assert_int_equal(s.lookups, 6); /* a mx a include ptr exists */
	assert_string_equal(s.redirect, "");

	assert_int_equal(records_spf("v=spf1 -all", &s, err, sizeof(err)), 0);
	assert_int_equal(s.all_qualifier, '-');
	assert_int_equal(s.lookups, 0);
	assert_int_equal(records_spf("v=spf1", &s, err, sizeof(err)), 0);
	assert_int_equal(s.all_qualifier, 0);
	assert_int_equal(records_spf("V=SPF1 +ALL", &s, err, sizeof(err)), 0);
	assert_int_equal(s.all_qualifier, '+');
	assert_int_equal(records_spf("v=spf1 all ?all", &s, err, sizeof(err)), 0);
	assert_int_equal(s.all_qualifier, '+'); /* the first is the one reached */
	assert_int_equal(records_spf("v=spf1  mx   redirect=_spf.example.com  ", &s, err,
	                     sizeof(err)),
	    0);
	assert_string_equal(s.redirect, "_spf.example.com");
	assert_int_equal(s.lookups, 2);
	assert_string_equal(spf("v=spf1 ?include:a.example +ptr:b.example a:%{d}"), "OK");
	assert_string_equal(
	    spf("v=spf1 exp=explain._spf.%{d} foo-bar=baz%%x a:c.example.com. -all"), "OK");
	assert_string_equal(spf("v=spf1 a:%{ir.-}.example.com/24 mx:a.1-2/0 ip4:0.0.0.0/0 -all"),
	    "OK");
	assert_string_equal(spf("v=spf1 ip6:::/0 ip6:::1/128 ip4:255.255.255.255/32"), "OK");
}

static void spf_bad_terms(void **state)
{
	(void)state;
	assert_string_equal(spf("v=spf1 ip4:300.1.1.1 -all"),
	    "term \"ip4:300.1.1.1\" is not valid: \"300.1.1.1\" is not an IPv4 address");
	assert_string_equal(spf("v=spf1 ip4:1.2.3.4/33"),
	    "term \"ip4:1.2.3.4/33\" is not valid: \"/33\" is not a prefix length 0-32");
	assert_string_equal(spf("v=spf1 ip4:1.2.3.4/"),
	    "term \"ip4:1.2.3.4/\" is not valid: \"/\" is not a prefix length 0-32");
	assert_string_equal(spf("v=spf1 ip4:1.2.3.4/024"),
	    "term \"ip4:1.2.3.4/024\" is not valid: \"/024\" is not a prefix length 0-32");
	assert_string_equal(spf("v=spf1 ip4:1.2.3"),
	    "term \"ip4:1.2.3\" is not valid: \"1.2.3\" is not an IPv4 address");
	assert_string_equal(spf("v=spf1 ip4:01.2.3.4"),
	    "term \"ip4:01.2.3.4\" is not valid: \"01.2.3.4\" is not an IPv4 address");
	assert_string_equal(spf("v=spf1 ip4:1.2.3.4.5"),
	    "term \"ip4:1.2.3.4.5\" is not valid: \"1.2.3.4.5\" is not an IPv4 address");
	assert_string_equal(spf("v=spf1 ip4:2001:db8::1"),
	    "term \"ip4:2001:db8::1\" is not valid: \"2001:db8::1\" is not an IPv4 address");
	assert_string_equal(spf("v=spf1 ip4"), "term \"ip4\" is not valid: ip4 needs :address");
	assert_string_equal(spf("v=spf1 ip6:2001:db8::/129"),
	    "term \"ip6:2001:db8::/129\" is not valid: \"/129\" is not a prefix length 0-128");
	assert_string_equal(spf("v=spf1 ip6:zz::1"),
	    "term \"ip6:zz::1\" is not valid: \"zz::1\" is not an IPv6 address");
	assert_string_equal(spf("v=spf1 ip6:1.2.3.4"),
	    "term \"ip6:1.2.3.4\" is not valid: \"1.2.3.4\" is not an IPv6 address");
	assert_string_equal(spf("v=spf1 ip6:"), "term \"ip6:\" is not valid: ip6 needs :address");
	assert_string_equal(spf("v=spf1 a/33"),
	    "term \"a/33\" is not valid: the IPv4 prefix length is not 0-32");
	assert_string_equal(spf("v=spf1 mx//129"),
	    "term \"mx//129\" is not valid: the IPv6 prefix length is not 0-128");
	assert_string_equal(spf("v=spf1 a/24/64"),
	    "term \"a/24/64\" is not valid: the IPv4 prefix length is not 0-32");
	assert_string_equal(spf("v=spf1 mx:/24"),
	    "term \"mx:/24\" is not valid: the domain is empty");
	assert_string_equal(spf("v=spf1 foo:bar.example"),
	    "term \"foo:bar.example\" is not valid: unknown mechanism \"foo\"");
	assert_string_equal(spf("v=spf1 allow"),
	    "term \"allow\" is not valid: unknown mechanism \"allow\"");
	assert_string_equal(spf("v=spf1 all:x"),
	    "term \"all:x\" is not valid: all takes no argument");
	assert_string_equal(spf("v=spf1 -"),
	    "term \"-\" is not valid: a qualifier with no mechanism");
	assert_string_equal(spf("v=spf1 !all"),
	    "term \"!all\" is not valid: unknown mechanism \"!all\"");
	assert_string_equal(spf("v=spf1 include"),
	    "term \"include\" is not valid: include needs :domain");
	assert_string_equal(spf("v=spf1 exists:"),
	    "term \"exists:\" is not valid: the domain is empty");
	assert_string_equal(spf("v=spf1 include:localhost"),
	    "term \"include:localhost\" is not valid: \"localhost\" is not a domain");
	assert_string_equal(spf("v=spf1 include:example.123"),
	    "term \"include:example.123\" is not valid: \"example.123\" is not a domain");
	assert_string_equal(spf("v=spf1 ptr/24"),
	    "term \"ptr/24\" is not valid: ptr takes no prefix length");
	assert_string_equal(spf("v=spf1 -redirect=a.example"),
	    "term \"-redirect=a.example\" is not valid: unknown mechanism \"redirect=a.example\"");
	assert_string_equal(spf("v=spf1 exists:%{z}.example.com"),
	    "term \"exists:%{z}.example.com\" is not valid: a '%' that starts no macro");
	assert_string_equal(spf("v=spf1 exists:%{d.example.com"),
	    "term \"exists:%{d.example.com\" is not valid: an unterminated %{ macro");
	assert_string_equal(spf("v=spf1 a:50%.example.com"),
	    "term \"a:50%.example.com\" is not valid: a '%' that starts no macro");
	assert_string_equal(spf("v=spf1 a:ex\xc3\xa4mple.com"),
	    "term \"a:ex??mple.com\" is not valid: a byte that is not visible ASCII");
}

static void spf_bad_records(void **state)
{
	(void)state;
	assert_string_equal(spf("v=spf1-all"),
	    "record \"v=spf1-all\" does not start with \"v=spf1 \"");
	assert_string_equal(spf("v=spf1\t-all"),
	    "record \"v=spf1?-all\" does not start with \"v=spf1 \"");
	assert_string_equal(spf("v=spf1 a\t-all"), /* terms are separated by SP only */
	    "term \"a?-all\" is not valid: unknown mechanism \"a?-all\"");
	assert_string_equal(spf("spf1 -all"),
	    "record \"spf1 -all\" does not start with \"v=spf1 \"");
	assert_string_equal(spf(""), "record \"\" does not start with \"v=spf1 \"");
	assert_string_equal(spf("v=spf1 redirect=a.example redirect=b.example"),
	    "term \"redirect=b.example\" is not valid: redirect= appears twice");
	assert_string_equal(spf("v=spf1 exp=a.example EXP=b.example"),
	    "term \"EXP=b.example\" is not valid: exp= appears twice");
	assert_string_equal(spf("v=spf1 redirect="),
	    "term \"redirect=\" is not valid: the domain is empty");
	assert_string_equal(spf("v=spf1 redirect=nodot"),
	    "term \"redirect=nodot\" is not valid: \"nodot\" is not a domain");
	assert_string_equal(spf(NULL), "no record");
}

static void spf_hostile_sizes(void **state)
{
	char *big = malloc(70000);
	struct spf s;
	size_t n = 6;

	(void)state;
	assert_non_null(big);
	memcpy(big, "v=spf1", 6);
	while (n + 2 < 60000) {
		memcpy(big + n, " a", 2);
		n += 2;
	}
	big[n] = '\0';
	/* Lookups are counted, not limited: includes add theirs and the caller sums. */
	assert_int_equal(records_spf(big, &s, err, sizeof(err)), 0);
	assert_int_equal(s.lookups, (int)((n - 6) / 2));
	memset(big + n, 'a', 70000 - n - 1);
	big[69999] = '\0';
	assert_string_equal(spf(big), "record longer than 65535 bytes");
	/* A redirect domain that cannot fit the struct. */
	snprintf(big, 70000, "v=spf1 redirect=");
	memset(big + 16, 'a', 300);
	strcpy(big + 316, ".example");
	assert_string_equal(spf(big),
	    "term \"redirect=aaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is not "
	    "valid: the domain is longer than 255 bytes");
	free(big);
}

/* ---- DMARC ---- */

static void dmarc_good(void **state)
{
	struct dmarc d;

	(void)state;
	assert_int_equal(records_dmarc("v=DMARC1; p=reject; sp=quarantine; pct=50; "
	                               "rua=mailto:d@example.com,mailto:e@example.net",
	                     &d, err, sizeof(err)),
	    0);
	assert_string_equal(d.p, "reject");
	assert_string_equal(d.sp, "quarantine");
	assert_int_equal(d.pct, 50);
	assert_string_equal(d.rua, "mailto:d@example.com,mailto:e@example.net");

	assert_int_equal(records_dmarc("v=DMARC1;p=none", &d, err, sizeof(err)), 0);
	assert_string_equal(d.p, "none");
	assert_string_equal(d.sp, ""); /* absent: p applies to subdomains */
	assert_int_equal(d.pct, 100);
	assert_string_equal(d.rua, "");

	/* WSP around '=' and ';', value case, p not right after v, unknown tags ignored. */
	assert_int_equal(records_dmarc("v = DMARC1 ; rua=mailto:x@example.com; P = Quarantine ; "
	                               "adkim=s; aspf=R; fo=1; future=yes; pct=0;",
	                     &d, err, sizeof(err)),
	    0);
	assert_string_equal(d.p, "quarantine");
	assert_int_equal(d.pct, 0);
}

static void dmarc_bad(void **state)
{
	(void)state;
	assert_string_equal(dmarc("v=DMARC1"), "no p= tag (required)");
	assert_string_equal(dmarc("v=DMARC1; rua=mailto:d@example.com"), "no p= tag (required)");
	assert_string_equal(dmarc("v=DMARC1; p=bogus"),
	    "p \"bogus\" is not none, quarantine or reject");
	assert_string_equal(dmarc("v=DMARC1; p="), "p \"\" is not none, quarantine or reject");
	assert_string_equal(dmarc("v=DMARC1; p=reject; sp=all"),
	    "sp \"all\" is not none, quarantine or reject");
	assert_string_equal(dmarc("v=DMARC1; p=reject; pct=101"),
	    "pct \"101\" is not a number 0-100");
	assert_string_equal(dmarc("v=DMARC1; p=reject; pct=-1"),
	    "pct \"-1\" is not a number 0-100");
	assert_string_equal(dmarc("v=DMARC1; p=reject; pct=1000"),
	    "pct \"1000\" is not a number 0-100");
	assert_string_equal(dmarc("v=DMARC1; p=reject; pct=half"),
	    "pct \"half\" is not a number 0-100");
	assert_string_equal(dmarc("v=DMARC1; p=reject; p=none"), "p= appears twice");
	assert_string_equal(dmarc("v=DMARC1; p=reject; PCT=5; pct=6"), "pct= appears twice");
	assert_string_equal(dmarc("v=DMARC1; p=none; v=DMARC1"), "v= appears twice");
	assert_string_equal(dmarc("p=reject; v=DMARC1"),
	    "record \"p=reject; v=DMARC1\" does not start with v=DMARC1");
	assert_string_equal(dmarc(" v=DMARC1; p=reject"),
	    "record \" v=DMARC1; p=reject\" does not start with v=DMARC1");
	assert_string_equal(dmarc("v=DMARC2; p=reject"), "version \"DMARC2\" is not DMARC1");
	assert_string_equal(dmarc("v=dmarc1; p=reject"), "version \"dmarc1\" is not DMARC1");
	assert_string_equal(dmarc("v=DMARC1; p=reject; adkim=x"), "adkim \"x\" is not r or s");
	assert_string_equal(dmarc("v=DMARC1; p=reject; junk"), "tag \"junk\" has no '='");
	assert_string_equal(dmarc("v=DMARC1; p=reject; 9x=1"), "tag name \"9x\" is not valid");
	assert_string_equal(dmarc("v=DMARC1; p=reject; rua="), "rua= is empty");
	assert_string_equal(dmarc("v=DMARC1; p=r\xe9ject"),
	    "p \"r?ject\" is not none, quarantine or reject");
	assert_string_equal(dmarc(""), "record is empty");
}

static void dmarc_long_rua(void **state)
{
	char txt[1000], uri[200];
	struct dmarc d;

	(void)state;
	memset(uri, 'a', 150);
	uri[150] = '\0';
	snprintf(txt, sizeof(txt), "v=DMARC1; p=none; rua=mailto:%s@x.example, mailto:%s@y.example",
	    uri, uri);
	assert_int_equal(records_dmarc(txt, &d, err, sizeof(err)), 0);
	assert_string_equal(d.rua + 7 + 150, "@x.example"); /* the second did not fit */
}

/* ---- DKIM ---- */

static void dkim_rsa_sizes(void **state)
{
	struct dkim k;

	(void)state;
	assert_string_equal(dkim("v=DKIM1; k=rsa; p=" K2048, &k), "OK");
	assert_int_equal(k.key_bits, 2048);
	assert_string_equal(k.k, "rsa");
	assert_false(k.revoked);
	assert_string_equal(dkim("p=" K1024, &k), "OK"); /* v= optional, k=rsa the default */
	assert_int_equal(k.key_bits, 1024);
	assert_string_equal(k.k, "rsa");
	assert_string_equal(dkim("v=DKIM1; h=sha256; k=RSA; s=email; t=y; p=" K1024 ";", &k), "OK");
	assert_int_equal(k.key_bits, 1024);
}

static void dkim_folded_key(void **state)
{
	static const char k2048[] = K2048;
	char txt[1024];
	size_t n = 0;
	struct dkim k;

	(void)state;
	/* FWS anywhere inside p= is ignored (RFC 6376 3.6.1), as DNS tools split long keys. */
	n += (size_t)snprintf(txt, sizeof(txt), "v=DKIM1; k=rsa; p= ");
	for (size_t i = 0; i < sizeof(k2048) - 1; i++) {
		txt[n++] = k2048[i];
		if (i % 60 == 59)
			n += (size_t)snprintf(txt + n, sizeof(txt) - n, "%s",
			    i % 120 == 119 ? "\r\n\t" : " ");
	}
	snprintf(txt + n, sizeof(txt) - n, " ; ");
	assert_string_equal(dkim(txt, &k), "OK");
	assert_int_equal(k.key_bits, 2048);
}

static void dkim_revoked_and_ed25519(void **state)
{
	struct dkim k;

	(void)state;
	assert_string_equal(dkim("v=DKIM1; p=", &k), "OK");
	assert_true(k.revoked);
	assert_int_equal(k.key_bits, 0);
	assert_string_equal(dkim("v=DKIM1; k=rsa; p= ;", &k), "OK");
	assert_true(k.revoked);
	assert_string_equal(dkim("v=DKIM1; k=ed25519; p=" ED25519_RAW, &k), "OK");
	assert_string_equal(k.k, "ed25519");
	assert_int_equal(k.key_bits, 256);
	assert_false(k.revoked);
	/* An SPKI-wrapped Ed25519 key is the common mistake (RFC 8463 3 wants the raw key). */
	assert_string_equal(dkim("v=DKIM1; k=ed25519; p=" ED25519_SPKI, &k),
	    "ed25519 key is 44 bytes, not 32");
	assert_string_equal(dkim("v=DKIM1; k=ed25519; p=AAAA", &k),
	    "ed25519 key is 3 bytes, not 32");
}

static void dkim_bad(void **state)
{
	(void)state;
	assert_string_equal(dkim("v=DKIM1; k=rsa", NULL), "no p= tag (the public key)");
	assert_string_equal(dkim("v=DKIM1; k=rsa; p=abc!def=", NULL),
	    "p= is not base64 at \"!def=\"");
	assert_string_equal(dkim("v=DKIM1; p=abcde", NULL),
	    "p= is not base64: 5 characters, not a multiple of 4");
	assert_string_equal(dkim("v=DKIM1; p=ab=c", NULL), "p= is not base64 at \"c\"");
	assert_string_equal(dkim("v=DKIM1; p=a===", NULL),
	    "p= is not base64: 4 characters, not a multiple of 4");
	assert_string_equal(dkim("v=DKIM1; p=\xc3\xa9\xc3\xa9", NULL),
	    "p= is not base64 at \"????\"");
	assert_string_equal(dkim("v=DKIM1; p=AAAAAAAA", NULL),
	    "p= is not a DER public key (6 bytes)");
	assert_string_equal(dkim("p=" K2048 "AAAA", NULL), "p= has 3 bytes after the key");
	assert_string_equal(dkim("k=rsa; p=" EC_P256, NULL),
	    "k=rsa but p= holds a id-ecPublicKey key");
	assert_string_equal(dkim("k=rsa; p=" ED25519_SPKI, NULL),
	    "k=rsa but p= holds a ED25519 key");
	assert_string_equal(dkim("p=" PKCS1_1024, NULL),
	    "p= is a bare PKCS#1 RSAPublicKey, not the SubjectPublicKeyInfo verifiers read");
	assert_string_equal(dkim("k=dsa; p=" K1024, NULL),
	    "key type \"dsa\" is not rsa or ed25519");
	assert_string_equal(dkim("k=rsa; v=DKIM1; p=" K1024, NULL), "v= is not the first tag");
	assert_string_equal(dkim("v=DKIM2; p=" K1024, NULL), "version \"DKIM2\" is not DKIM1");
	assert_string_equal(dkim("p=" K1024 "; p=", NULL), "p= appears twice");
	assert_string_equal(dkim("k=rsa; k=ed25519; p=", NULL), "k= appears twice");
	assert_string_equal(dkim("v=DKIM1; P=" K1024, NULL), "no p= tag (the public key)");
	assert_string_equal(dkim("v=DKIM1; key", NULL), "tag \"key\" has no '='");
	assert_string_equal(dkim("v=DKIM1; _x=1; p=", NULL), "tag name \"_x\" is not valid");
	assert_string_equal(dkim("", NULL), "record is empty");
	assert_string_equal(dkim(" ; ;", NULL), "record is empty");
	assert_string_equal(dkim(NULL, NULL), "no record");
}

static void dkim_truncated_and_huge_keys(void **state)
{
	static const char k2048[] = K2048;
	char txt[600];
	char *big = filled(20000, 'A');

	(void)state;
	/* Cut on a 4-character boundary, so base64 is fine and DER is not. */
	for (size_t cut = 4; cut < sizeof(k2048) - 1; cut += 4) {
		snprintf(txt, sizeof(txt), "p=%.*s", (int)cut, k2048);
		assert_string_not_equal(dkim(txt, NULL), "OK");
	}
	memcpy(big, "p=", 2);
	assert_string_equal(dkim(big, NULL), "p= is longer than 8192 base64 characters");
	free(big);
}

/* ---- Bounds (conf/limits.h): past one a record is refused, or a rua= list says what it left out
 * ---- */

/* "mailto:" + n-16 'a's + "@x.example": a URI of exactly n bytes (n >= 17). */
static char *uri_of(size_t n, char host)
{
	char *u = filled(n, 'a');

	memcpy(u, "mailto:", 7);
	memcpy(u + n - 10, "@x.example", 10);
	u[n - 9] = host;
	return u;
}

static void tlsrpt_rua_left_out_is_counted(void **state)
{
	char txt[4096];
	char *u300 = uri_of(300, 'x'), *u211 = uri_of(211, 'y'), *u210 = uri_of(210, 'y');
	char *u500 = uri_of(500, 'w'), *u511 = uri_of(511, 'z');
	struct tlsrpt t;

	(void)state;
	assert_int_equal(sizeof(t.rua), TLSRPT_RUA_MAX + 1);
	assert_int_equal(records_tlsrpt("v=TLSRPTv1; rua=mailto:a@example.com,https://r.example/",
	                     &t, err, sizeof(err)),
	    0);
	assert_int_equal(t.rua_left_out, 0);
	/* 300 + 1 + 211 = 512 bytes: one too many, so the second is left out and counted. */
	snprintf(txt, sizeof(txt), "v=TLSRPTv1; rua=%s,%s", u300, u211);
	assert_int_equal(records_tlsrpt(txt, &t, err, sizeof(err)), 0);
	assert_string_equal(t.rua, u300);
	assert_int_equal(t.rua_left_out, 1);
	/* One byte shorter fits whole. */
	snprintf(txt, sizeof(txt), "v=TLSRPTv1; rua=%s,%s", u300, u210);
	assert_int_equal(records_tlsrpt(txt, &t, err, sizeof(err)), 0);
	assert_int_equal(strlen(t.rua), TLSRPT_RUA_MAX);
	assert_int_equal(t.rua_left_out, 0);
	/* Whitespace before the cut is not kept; every URI after it is counted. */
	snprintf(txt, sizeof(txt),
	    "v=TLSRPTv1; rua=%s , mailto:a@b.example,mailto:c@d.example , https://e.example/,%s",
	    u500, u300);
	assert_int_equal(records_tlsrpt(txt, &t, err, sizeof(err)), 0);
	assert_string_equal(t.rua, u500);
	assert_int_equal(t.rua_left_out, 4);
	/* A single URI of exactly the bound fits; one byte more is refused, naming the bound. */
	snprintf(txt, sizeof(txt), "v=TLSRPTv1; rua=%s", u511);
	assert_int_equal(records_tlsrpt(txt, &t, err, sizeof(err)), 0);
	assert_int_equal(t.rua_left_out, 0);
	snprintf(txt, sizeof(txt), "v=TLSRPTv1; rua=a%s,mailto:a@b.example", u511);
	assert_string_equal(tlsrpt(txt),
	    "rua URI \"amailto:aaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is not mailto: or https:");
	snprintf(txt, sizeof(txt), "v=TLSRPTv1; rua=mailto:a%s,mailto:a@b.example", u511 + 7);
	assert_string_equal(tlsrpt(txt),
	    "rua URI \"mailto:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is longer than 511 bytes");
	free(u300);
	free(u211);
	free(u210);
	free(u500);
	free(u511);
}

static void dmarc_rua_left_out_is_counted(void **state)
{
	char txt[2048];
	char *u240 = uri_of(240, 'x'), *u255 = uri_of(255, 'z');
	struct dmarc d;

	(void)state;
	assert_int_equal(sizeof(d.rua), DMARC_RUA_MAX + 1);
	assert_int_equal(records_dmarc("v=DMARC1; p=none; rua=mailto:a@example.com", &d, err,
	                     sizeof(err)),
	    0);
	assert_int_equal(d.rua_left_out, 0);
	snprintf(txt, sizeof(txt),
	    "v=DMARC1; p=none; rua=%s,mailto:b@example.com, mailto:c@example.com!10m; pct=5", u240);
	assert_int_equal(records_dmarc(txt, &d, err, sizeof(err)), 0);
	assert_string_equal(d.rua, u240);
	assert_int_equal(d.rua_left_out, 2);
	assert_int_equal(d.pct, 5);
	/* Exactly the bound fits; one byte more, with nothing before it to keep, is refused. */
	snprintf(txt, sizeof(txt), "v=DMARC1; p=none; rua=%s", u255);
	assert_int_equal(records_dmarc(txt, &d, err, sizeof(err)), 0);
	assert_string_equal(d.rua, u255);
	assert_int_equal(d.rua_left_out, 0);
	snprintf(txt, sizeof(txt), "v=DMARC1; p=none; rua=%sa", u255);
	assert_string_equal(dmarc(txt),
	    "rua URI \"mailto:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is longer than 255 bytes");
	free(u240);
	free(u255);
}

static void spf_bounds_refuse(void **state)
{
	char txt[600];
	struct spf s;

	(void)state;
	assert_int_equal(sizeof(s.redirect), SPF_REDIRECT_MAX + 1);
	/* A redirect= of exactly SPF_REDIRECT_MAX bytes is kept whole; one more is refused. */
	memcpy(txt, "v=spf1 redirect=", 16);
	memset(txt + 16, 'a', SPF_REDIRECT_MAX - 8);
	strcpy(txt + 16 + SPF_REDIRECT_MAX - 8, ".example");
	assert_int_equal(records_spf(txt, &s, err, sizeof(err)), 0);
	assert_int_equal(strlen(s.redirect), SPF_REDIRECT_MAX);
	memset(txt + 16, 'a', SPF_REDIRECT_MAX - 7);
	strcpy(txt + 16 + SPF_REDIRECT_MAX - 7, ".example");
	assert_string_equal(spf(txt),
	    "term \"redirect=aaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is not "
	    "valid: the domain is longer than 255 bytes");
	/* The longest IPv6 text fits the bound; longer is no address. */
	assert_int_equal(strlen("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"), SPF_IP6_TEXT_MAX);
	assert_string_equal(spf("v=spf1 ip6:ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128"),
	    "OK");
	assert_string_equal(spf("v=spf1 ip6:0ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"),
	    "term \"ip6:0ffff:ffff:ffff:ffff:ffff:ffff:25...\" is not valid: "
	    "\"0ffff:ffff:ffff:ffff:ffff:ffff:255.25...\" is not an IPv6 address");
}

static void dkim_key_bound_refuses(void **state)
{
	char *txt = filled(2 + KEY_B64_MAX + 40, 'A');

	(void)state;
	/* KEY_B64_MAX characters pass the bound (and fail as DER); one more is refused. */
	memcpy(txt, "p=", 2);
	txt[2 + KEY_B64_MAX] = '\0';
	assert_string_equal(dkim(txt, NULL), "p= is not a DER public key (6144 bytes)");
	txt[2 + KEY_B64_MAX] = 'A';
	txt[2 + KEY_B64_MAX + 1] = '\0';
	assert_string_equal(dkim(txt, NULL), "p= is longer than 8192 base64 characters");
	/* Folding whitespace does not count toward it (RFC 6376 3.6.1). */
	memcpy(txt + 2 + KEY_B64_MAX - 4, " \r\n\tAAAA", 8);
	txt[2 + KEY_B64_MAX + 4] = '\0';
	assert_string_equal(dkim(txt, NULL), "p= is not a DER public key (6144 bytes)");
	free(txt);
}

/* ---- Everything at once: every prefix and random bytes must give 0 or -1, never a crash. ---- */

static void run_all(const char *s, size_t n)
{
	struct sts_txt t;
	struct sts_policy *p = malloc(sizeof(*p));
	struct tlsrpt r;
	struct spf f;
	struct dmarc d;
	struct dkim k;
	char *z = malloc(n + 1);
	char e[64];

	assert_non_null(p);
	assert_non_null(z);
	memcpy(z, s, n);
	z[n] = '\0';
	records_is_kind(z, "v=spf1");
	records_sts_mx_match(z, "mx.example.com");
	records_sts_mx_match("*.example.com", z);
#define ONE(call)                                                                                  \
	do {                                                                                       \
		e[0] = '\0';                                                                       \
		int rc_ = (call);                                                                  \
		assert_true(rc_ == 0 || rc_ == -1);                                                \
		assert_true(memchr(e, '\0', sizeof(e)) != NULL);                                   \
		if (rc_)                                                                           \
			assert_true(e[0] != '\0');                                                 \
	} while (0)
	ONE(records_sts_txt(z, &t, e, sizeof(e)));
	ONE(records_sts_policy(s, n, p, e, sizeof(e)));
	ONE(records_tlsrpt(z, &r, e, sizeof(e)));
	ONE(records_spf(z, &f, e, sizeof(e)));
	ONE(records_dmarc(z, &d, e, sizeof(e)));
	ONE(records_dkim(z, &k, e, sizeof(e)));
#undef ONE
	free(z);
	free(p);
}

static void every_prefix_of_good_input(void **state)
{
	static const char *const good[] = {
	    "v=STSv1; id=20240101;",
	    "version: STSv1\r\nmode: enforce\r\nmx: *.example.com\r\nmax_age: 86400\r\n",
	    "v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/",
	    "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a:%{d}/24//64 include:a.example -all",
	    "v=DMARC1; p=reject; sp=none; pct=50; rua=mailto:d@example.com",
	    "v=DKIM1; k=rsa; p=" K1024,
	    "v=DKIM1; k=ed25519; p=" ED25519_RAW,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		for (size_t n = 0; n <= strlen(good[i]); n++)
			run_all(good[i], n);
}

static void random_bytes(void **state)
{
	/* A fixed-seed xorshift: the same bytes every run. Bias toward the grammar's own
	 * punctuation so the parsers get past their first check. */
	static const char alphabet[] = "v=STSv1;id:DMARC1p%{}/.-+~?*\r\n\t :,0123456789aAzZ\xff";
	unsigned long x = 88172645463325252UL;
	char buf[512];

	(void)state;
	for (int round = 0; round < 3000; round++) {
		size_t n = 0, len;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len = x % sizeof(buf);
		for (; n < len; n++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (x & 0x100)
				buf[n] = (char)(x & 0xff);
			else
				buf[n] = alphabet[x % (sizeof(alphabet) - 1)];
		}
		run_all(buf, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kind_by_version_tag),
	    cmocka_unit_test(sts_txt_good),
	    cmocka_unit_test(sts_txt_bad),
	    cmocka_unit_test(sts_txt_huge),
	    cmocka_unit_test(policy_good),
	    cmocka_unit_test(policy_bad_values),
	    cmocka_unit_test(policy_missing_and_repeated),
	    cmocka_unit_test(policy_hostile_lines),
	    cmocka_unit_test(policy_size_bounds),
	    cmocka_unit_test(policy_mx_limit),
	    cmocka_unit_test(policy_long_values_are_quoted_short),
	    cmocka_unit_test(small_or_missing_err_buffer),
	    cmocka_unit_test(mx_match_rules),
	    cmocka_unit_test(mx_match_long_names),
	    cmocka_unit_test(tlsrpt_good),
	    cmocka_unit_test(tlsrpt_bad),
	    cmocka_unit_test(tlsrpt_long_rua_keeps_whole_uris),
	    cmocka_unit_test(spf_good),
	    cmocka_unit_test(spf_bad_terms),
	    cmocka_unit_test(spf_bad_records),
	    cmocka_unit_test(spf_hostile_sizes),
	    cmocka_unit_test(dmarc_good),
	    cmocka_unit_test(dmarc_bad),
	    cmocka_unit_test(dmarc_long_rua),
	    cmocka_unit_test(dkim_rsa_sizes),
	    cmocka_unit_test(dkim_folded_key),
	    cmocka_unit_test(dkim_revoked_and_ed25519),
	    cmocka_unit_test(dkim_bad),
	    cmocka_unit_test(dkim_truncated_and_huge_keys),
	    cmocka_unit_test(tlsrpt_rua_left_out_is_counted),
	    cmocka_unit_test(dmarc_rua_left_out_is_counted),
	    cmocka_unit_test(spf_bounds_refuse),
	    cmocka_unit_test(dkim_key_bound_refuses),
	    cmocka_unit_test(every_prefix_of_good_input),
	    cmocka_unit_test(random_bytes),
	};
	return cmocka_run_group_tests_name("records", tests, NULL, NULL);
}
