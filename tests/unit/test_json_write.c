/* Unit tests: json_write writes what jansson's json_dumps(JSON_COMPACT) writes, byte for byte,
 * for every kind of value and every character a string may hold; and a --jsonl record's
 * worth of nesting. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "out/json_write.h"

static void same(json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	size_t len = 0;
	char *got = json_write(v, &len);

	assert_non_null(want);
	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
	free(want);
	free(got);
	json_decref(v);
}

static void test_scalars(void **state)
{
	static const double reals[] = {0.0, -0.0, 1.0, -1.5, 0.1, 1e-7, 1e21, 1.5e300, -2.5e-300,
	    123456789012345678.0, 0.2789350003004074, 3.14159265358979, 1e100, 5e-324, 100.0};
	static const json_int_t ints[] = {0, 1, -1, 65535, INT64_MAX, INT64_MIN, 1700000000};

	(void)state;
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
		same(json_real(reals[i]));
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		same(json_integer(ints[i]));
	same(json_true());
	same(json_false());
	same(json_null());
}

static void test_every_byte_of_a_string(void **state)
{
	char s[2];

	(void)state;
	/* Each ASCII character alone, then all of them in one string. */
	for (int c = 1; c < 0x80; c++) {
		s[0] = (char)c;
		s[1] = '\0';
		same(json_string(s));
	}
	{
		char all[0x80];

		for (int c = 1; c < 0x80; c++)
			all[c - 1] = (char)c;
		all[0x7f] = '\0';
		same(json_string(all));
	}
	same(json_stringn("nul\0inside", 10));
	same(json_string(""));
	/* UTF-8: two, three and four bytes, and U+2028 (jansson leaves it as it is). */
	same(json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92 \xe2\x80\xa8 end"));
	same(json_string("a/b \"q\" \\ \t\r\n\b\f \x1b[31m"));
}

static void test_nesting(void **state)
{
	json_t *probe = json_pack("{s:s, s:i, s:b, s:n, s:f, s:[s,s], s:{}, s:[], s:{s:{s:[i,{s:s}]}}}",
	    "host", "mx.example.test", "port", 25, "ok", 1, "cname", "ms", 0.278935,
	    "capabilities", "STARTTLS", "SIZE 10240000", "dane", "findings", "deep", "a", "b", 1, "c",
	    "d \"e\"");

	(void)state;
	assert_non_null(probe);
	same(json_pack("[o,o,[],{},[[]],[{}]]", json_incref(probe), probe));
	/* Keys are escaped as strings are. */
	same(json_pack("{s:i, s:i, s:i}", "a\"b", 1, "tab\there", 2, "\xc3\xa9", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scalars),
	    cmocka_unit_test(test_every_byte_of_a_string),
	    cmocka_unit_test(test_nesting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
