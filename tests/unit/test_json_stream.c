/* Unit tests: json_stream writes what jansson's json_dumps writes for the same document,
 * byte for byte, compact (--jsonl) and indented by two (--json): every kind of value,
 * every character a string may hold, and a --jsonl record's worth of nesting. A string
 * that is not UTF-8, which jansson refuses, keeps its member, its bad bytes as U+FFFD.
 * A key where none belongs, or none where one does, is fatal. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>

#include "json_walk.h"
#include "out/json_stream.h"

static void same_at(const json_t *v, int indent)
{
	size_t flags = JSON_ENCODE_ANY | JSON_PRESERVE_ORDER |
	    (indent ? JSON_INDENT(indent) : JSON_COMPACT);
	char *want = json_dumps(v, flags), *got;
	struct js w;
	size_t len = 0;

	assert_non_null(want);
	js_init(&w, indent);
	json_walk(&w, NULL, v);
	got = js_finish(&w, &len);
	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
	free(want);
	free(got);
}

static void same(json_t *v)
{
	assert_non_null(v);
	same_at(v, 0);
	same_at(v, 2);
	same_at(v, 4);
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
	/* UTF-8: two, three and four bytes, and U+2028 (jansson leaves it as it is), and the
	 * edges of what is valid: U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000,
	 * U+10FFFF. */
	same(json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92 \xe2\x80\xa8 end"));
	same(json_string("\xc2\x80 \xdf\xbf \xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf "
	                 "\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf"));
	same(json_string("a/b \"q\" \\ \t\r\n\b\f \x1b[31m"));
}

/* What jansson refuses (json_string gives NULL) becomes U+FFFD a byte, the rest kept. */
static void test_not_utf8_is_replaced_not_dropped(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"a\x80z", "\"a\xef\xbf\xbdz\""},                  /* a lone continuation byte */
	    {"\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\""},      /* overlong '/' */
	    {"\xe0\x80\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* overlong, 3 bytes */
	    {"\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* a surrogate */
	    {"\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* > U+10FFFF */
	    {"\xc3", "\"\xef\xbf\xbd\""},                      /* cut short */
	    {"\xe2\x82 x", "\"\xef\xbf\xbd\xef\xbf\xbd x\""},  /* cut short, then ASCII */
	    {"\xff\"", "\"\xef\xbf\xbd\\\"\""},                /* never valid, then a quote */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct js w;
		char *got;

		assert_null(json_string(cases[i].in));
		js_init(&w, 0);
		js_string(&w, NULL, cases[i].in);
		got = js_finish(&w, NULL);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
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
	same(json_pack("{s:[{s:[]}], s:{s:{}}}", "a", "b", "c", "d"));
}

/* js_finish leaves a byte before the NUL for the caller's newline. */
static void test_room_for_the_newline(void **state)
{
	(void)state;
	for (int n = 0; n < 5000; n += 97) {
		struct js w;
		char *s;
		size_t len;

		js_init(&w, 0);
		js_array(&w, NULL);
		for (int i = 0; i < n; i++)
			js_int(&w, NULL, i % 10);
		js_end(&w);
		s = js_finish(&w, &len);
		assert_true(len + 2 <= w.cap);
		s[len] = '\n';
		s[len + 1] = '\0';
		assert_int_equal(strlen(s), len + 1);
		free(s);
	}
}

/* In a child: how it ended, 0 when it returned. */
static int ends(void (*fn)(void))
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(99);
		fn();
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void key_in_array(void)
{
	struct js w;

	js_init(&w, 0);
	js_array(&w, NULL);
	js_int(&w, "n", 1);
}

static void no_key_in_object(void)
{
	struct js w;

	js_init(&w, 0);
	js_object(&w, NULL);
	js_int(&w, NULL, 1);
}

static void left_open(void)
{
	struct js w;

	js_init(&w, 0);
	js_object(&w, NULL);
	free(js_finish(&w, NULL));
}

static void closed_twice(void)
{
	struct js w;

	js_init(&w, 0);
	js_array(&w, NULL);
	js_end(&w);
	js_end(&w);
}

static void too_deep(void)
{
	struct js w;

	js_init(&w, 0);
	for (int i = 0; i <= JS_MAXDEPTH; i++)
		js_array(&w, NULL);
}

static void well_formed(void)
{
	struct js w;

	js_init(&w, 0);
	js_object(&w, NULL);
	js_array(&w, "a");
	js_end(&w);
	js_end(&w);
	free(js_finish(&w, NULL));
}

static void test_misuse_is_fatal(void **state)
{
	(void)state;
	assert_int_equal(ends(well_formed), 0);
	assert_int_not_equal(ends(key_in_array), 0);
	assert_int_not_equal(ends(no_key_in_object), 0);
	assert_int_not_equal(ends(left_open), 0);
	assert_int_not_equal(ends(closed_twice), 0);
	assert_int_not_equal(ends(too_deep), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scalars),
	    cmocka_unit_test(test_every_byte_of_a_string),
	    cmocka_unit_test(test_not_utf8_is_replaced_not_dropped),
	    cmocka_unit_test(test_nesting),
	    cmocka_unit_test(test_room_for_the_newline),
	    cmocka_unit_test(test_misuse_is_fatal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
