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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(domain_names),
	    cmocka_unit_test(addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
