/*
 * Unit tests: the syntax of host names and addresses (base/addr.c), which every name from
 * a list, a DNS answer, a policy file or an autoconfig file passes before it is used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "base/addr.h"

static void domain_names(void **state)
{
	static const char *const good[] = {"example.test", "example.test.", "a", "_25._tcp.mx.test",
	    "xn--bcher-kva.test", "1.2.3.4.in-addr.arpa"};
	static const struct {
		const char *name, *why;
	} bad[] = {
	    {"", "a domain name is 1 to 253 characters"},
	    {".", "a domain name is 1 to 253 characters"}, /* the root alone */
	    {".example.test", "empty label"},
	    {"example..test", "empty label"},
	    /* One trailing dot is the root; a second is an empty label, not the root again. */
	    {"example.test..", "empty label"},
	    {"bad name.test", "not a domain name (letters, digits, '-' and '.' only)"},
	    {"a\x1b[31m.test", "not a domain name (letters, digits, '-' and '.' only)"},
	    {"caf\xc3\xa9.test", "not a domain name (letters, digits, '-' and '.' only)"},
	};
	char label64[80], name[260];
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!addr_domain_syntax(good[i], &why))
			fail_msg("%s refused: %s", good[i], why);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (addr_domain_syntax(bad[i].name, &why))
			fail_msg("\"%s\" taken for a domain name", bad[i].name);
		assert_string_equal(why, bad[i].why);
	}
	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".test");
	assert_int_equal(addr_domain_syntax(label64, &why), 0);
	assert_string_equal(why, "a label is at most 63 characters");
	assert_int_equal(addr_domain_syntax(label64 + 1, &why), 1);
	for (size_t i = 0; i < 255; i++) /* "a.a. ... .a", 255 bytes */
		name[i] = i % 2 ? '.' : 'a';
	name[255] = '\0';
	assert_int_equal(addr_domain_syntax(name, &why), 0);
	assert_string_equal(why, "a domain name is 1 to 253 characters");
	assert_int_equal(addr_domain_syntax(name + 2, &why), 1); /* 253 */
	assert_int_equal(addr_domain_syntax(name + 1, &why), 0); /* a leading dot */
	name[255] = '.'; /* 253 and the root's dot, which is not counted */
	name[256] = '\0';
	assert_int_equal(addr_domain_syntax(name + 2, &why), 1);
	assert_int_equal(addr_domain_syntax(name + 1, &why), 0);
}

static void addresses(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;

	(void)state;
	assert_true(addr_is_ip("127.0.0.1") && addr_is_ip("::1") && addr_is_ip("2001:db8::25"));
	assert_false(addr_is_ip("127.0.0.1.") || addr_is_ip("[::1]") || addr_is_ip("mx.test") ||
	    addr_is_ip("127.1") || addr_is_ip(""));
	assert_int_equal(addr_sockaddr("::1", 25, &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(addr_sockaddr("mx.test", 25, &ss, &len), -1);
}

/* Names in other scripts: their A-labels, and back; what is no name is said, with why. */
static void idna(void **state)
{
	char out[256], why[160];
	char big[300];

	(void)state;
	assert_int_equal(addr_to_ascii("b\xc3\xbc"
	                               "cher.example",
	                     out, sizeof(out), why, sizeof(why)),
	    0);
	assert_string_equal(out, "xn--bcher-kva.example");
	/* UTS #46 maps case; non-transitional keeps sharp s (transitional would give "fass"). */
	assert_int_equal(addr_to_ascii("Fa\xc3\x9f.DE", out, sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, "xn--fa-hia.de");
	assert_int_equal(addr_to_ascii("\xe4\xb8\xad\xe5\x9b\xbd.cn", out, sizeof(out), why,
	                     sizeof(why)),
	    0);
	assert_string_equal(out, "xn--fiqs8s.cn");
	/* Latin-1, not UTF-8 */
	assert_int_equal(addr_to_ascii("caf\xe9.example", out, sizeof(out), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not a domain name in any script (IDNA: "));
	/* a code point IDNA2008 disallows (U+2665 BLACK HEART SUIT) */
	assert_int_equal(addr_to_ascii("i\xe2\x99\xa5.example", out, sizeof(out), why, sizeof(why)),
	    -1);
	/* longer than a name can be */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "\xc3\xbc", 2);
	assert_int_equal(addr_to_ascii(big, out, sizeof(out), why, sizeof(why)), -1);
	/* IDNA passes ASCII through, a terminal's escape too: not a name */
	assert_int_equal(addr_to_ascii("e\x1b[31m.f\xc3\xa9", out, sizeof(out), why, sizeof(why)),
	    -1);
	assert_string_equal(why, "not a domain name (letters, digits, '-' and '.' only)");
	/* too small a buffer is an error, never a cut name */
	assert_int_equal(addr_to_ascii("b\xc3\xbc"
	                               "cher.example",
	                     out, 10, why, sizeof(why)),
	    -1);

	assert_int_equal(addr_to_unicode("xn--bcher-kva.example", out, sizeof(out)), 1);
	assert_string_equal(out,
	    "b\xc3\xbc"
	    "cher.example");
	assert_int_equal(addr_to_unicode("mx.XN--BCHER-KVA.example", out, sizeof(out)), 1);
	assert_string_equal(out,
	    "mx.b\xc3\xbc"
	    "cher.example");
	assert_int_equal(addr_to_unicode("plain.example", out, sizeof(out)), 0);
	assert_int_equal(addr_to_unicode("axn--bcher-kva.example", out, sizeof(out)), 0);
	/* Punycode of something no name may hold decodes, but does not encode back to
	 * itself: not shown as Unicode. */
	assert_int_equal(addr_to_unicode("xn--Bcher-kva.example", out, sizeof(out)), 1);
	assert_int_equal(addr_to_unicode("xn--i-n3p.example", out, sizeof(out)), 0);
	assert_int_equal(addr_to_unicode("xn--ls8h.example", out, sizeof(out)), 0); /* an emoji */
	assert_int_equal(addr_to_unicode("xn--a.example", out, sizeof(out)), 0);    /* U+0080 */
	assert_int_equal(addr_to_unicode("xn--ab-.example", out, sizeof(out)), 0); /* no Punycode */
	assert_int_equal(addr_to_unicode("xn--bcher-kva.example", out, 5), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(domain_names),
	    cmocka_unit_test(addresses),
	    cmocka_unit_test(idna),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
