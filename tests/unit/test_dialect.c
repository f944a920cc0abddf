/* Unit tests: SMTP reply grammar (RFC 5321 4.2) and EHLO capability parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "dialect.h"
#include "result.h"

static const struct limits lim = LIMITS_DEFAULT;

static enum feed feed(struct reply *r, const char *line, char *err)
{
	return smtp_feed(r, line, strlen(line), &lim, err, 160);
}

static void single_line_reply(void **state)
{
	struct reply r = {0};
	char err[160];

	(void)state;
	assert_int_equal(feed(&r, "220 mx.example.test ESMTP", err), FEED_DONE);
	assert_int_equal(r.code, 220);
	assert_int_equal(r.verdict, REPLY_OK);
	assert_string_equal(r.lines[0], "mx.example.test ESMTP");
	reply_reset(&r);
}

static void bare_code_ends_reply(void **state)
{
	struct reply r = {0};
	char err[160];

	(void)state;
	assert_int_equal(feed(&r, "250", err), FEED_DONE);
	assert_int_equal(r.code, 250);
	assert_string_equal(r.lines[0], "");
	reply_reset(&r);
}

static void multiline_ehlo_and_capabilities(void **state)
{
	struct reply r = {0};
	struct strlist capa = {0};
	char err[160];

	(void)state;
	assert_int_equal(feed(&r, "250-mx.example.test", err), FEED_MORE);
	assert_int_equal(feed(&r, "250-PIPELINING", err), FEED_MORE);
	assert_int_equal(feed(&r, "250-SIZE 10240000", err), FEED_MORE);
	assert_int_equal(feed(&r, "250-starttls", err), FEED_MORE);
	assert_int_equal(feed(&r, "250 8BITMIME", err), FEED_DONE);
	dialect_smtp.capabilities(&r, &capa);
	assert_int_equal(capa.n, 4);
	assert_string_equal(capa.v[1], "SIZE 10240000");
	assert_true(dialect_has_capa(&capa, "STARTTLS")); /* keywords ignore case */
	assert_true(dialect_has_capa(&capa, "SIZE"));
	assert_false(dialect_has_capa(&capa, "SIZ")); /* whole keyword only */
	assert_false(dialect_has_capa(&capa, "AUTH"));
	strlist_free(&capa);
	reply_reset(&r);
}

static void codes_classify(void **state)
{
	struct reply r = {0};
	char err[160];

	(void)state;
	assert_int_equal(feed(&r, "454 4.7.0 TLS not available", err), FEED_DONE);
	assert_int_equal(r.verdict, REPLY_TEMPFAIL);
	reply_reset(&r);
	assert_int_equal(feed(&r, "554 5.7.1 go away", err), FEED_DONE);
	assert_int_equal(r.verdict, REPLY_PERMFAIL);
	reply_reset(&r);
}

static void code_change_is_error(void **state)
{
	struct reply r = {0};
	char err[160];

	(void)state;
	assert_int_equal(feed(&r, "250-mx", err), FEED_MORE);
	assert_int_equal(feed(&r, "251-STARTTLS", err), FEED_ERROR);
	assert_non_null(strstr(err, "250 to 251"));
	reply_reset(&r);
}

static void malformed_lines(void **state)
{
	const char *bad[] = {"", "22", "2x0 hi", "220hello", "120 too low", "650 too high",
	    "\x01\x02\x03 bin", "HELLO"};
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct reply r = {0};
		assert_int_equal(feed(&r, bad[i], err), FEED_ERROR);
		assert_non_null(strstr(err, "malformed"));
		reply_reset(&r);
	}
}

static void line_count_is_bounded(void **state)
{
	struct reply r = {0};
	char err[160];
	size_t i;

	(void)state;
	for (i = 0; i < lim.reply_lines; i++)
		assert_int_equal(feed(&r, "250-X", err), FEED_MORE);
	assert_int_equal(feed(&r, "250-X", err), FEED_ERROR);
	assert_non_null(strstr(err, "lines"));
	reply_reset(&r);
}

static void byte_count_is_bounded(void **state)
{
	struct limits small = LIMITS_DEFAULT;
	struct reply r = {0};
	char err[160], line[1001];

	(void)state;
	small.reply_bytes = 3000;
	memset(line, 'A', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line, "250-", 4);
	assert_int_equal(smtp_feed(&r, line, strlen(line), &small, err, sizeof(err)), FEED_MORE);
	assert_int_equal(smtp_feed(&r, line, strlen(line), &small, err, sizeof(err)), FEED_MORE);
	assert_int_equal(smtp_feed(&r, line, strlen(line), &small, err, sizeof(err)), FEED_MORE);
	assert_int_equal(smtp_feed(&r, line, strlen(line), &small, err, sizeof(err)), FEED_ERROR);
	assert_non_null(strstr(err, "bytes"));
	reply_reset(&r);
}

static void server_text_is_censored(void **state)
{
	struct reply r = {0};
	char err[160];
	const char line[] = "220 evil\x1b[31m\x7f\xff name";

	(void)state;
	assert_int_equal(smtp_feed(&r, line, sizeof(line) - 1, &lim, err, sizeof(err)), FEED_DONE);
	assert_string_equal(r.lines[0], "evil?[31m?? name");
	reply_reset(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(single_line_reply),
	    cmocka_unit_test(bare_code_ends_reply),
	    cmocka_unit_test(multiline_ehlo_and_capabilities),
	    cmocka_unit_test(codes_classify),
	    cmocka_unit_test(code_change_is_error),
	    cmocka_unit_test(malformed_lines),
	    cmocka_unit_test(line_count_is_bounded),
	    cmocka_unit_test(byte_count_is_bounded),
	    cmocka_unit_test(server_text_is_censored),
	};
	return cmocka_run_group_tests_name("dialect", tests, NULL, NULL);
}
