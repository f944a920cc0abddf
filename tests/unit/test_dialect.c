/* Unit tests: SMTP reply grammar (RFC 5321 4.2) and EHLO capability parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "model/result.h"
#include "proto/dialect.h"

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

static enum feed ifeed(struct reply *r, const char *line, char *err)
{
	return imap_feed(r, line, strlen(line), &lim, err, 160);
}

static void imap_greeting_and_capability(void **state)
{
	struct reply r = {0};
	struct strlist capa = {0};
	char err[160];

	(void)state;
	reply_expect(&r, &dialect_imap, NULL);
	assert_int_equal(ifeed(&r, "* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.", err),
	    FEED_DONE);
	assert_int_equal(r.verdict, REPLY_OK);
	reply_expect(&r, &dialect_imap, "C CAPABILITY");
	assert_string_equal(r.tag, "C");
	assert_int_equal(ifeed(&r, "* CAPABILITY IMAP4rev1 SASL-IR starttls LOGINDISABLED", err),
	    FEED_MORE);
	assert_int_equal(
	    ifeed(&r, "C OK Pre-login capabilities listed, post-login capabilities have more.",
	        err),
	    FEED_DONE);
	assert_int_equal(r.verdict, REPLY_OK);
	dialect_imap.capabilities(&r, &capa);
	assert_int_equal(capa.n, 4);
	assert_true(dialect_has_capa(&capa, "STARTTLS"));
	assert_true(dialect_has_capa(&capa, "LOGINDISABLED"));
	strlist_free(&capa);
	reply_reset(&r);
}

static void imap_refusals_and_garbage(void **state)
{
	struct reply r = {0};
	char err[160];

	(void)state;
	reply_expect(&r, &dialect_imap, NULL);
	assert_int_equal(ifeed(&r, "* BYE too many connections", err), FEED_DONE);
	assert_int_equal(r.verdict, REPLY_PERMFAIL);
	reply_expect(&r, &dialect_imap, NULL);
	assert_int_equal(ifeed(&r, "220 smtp.example.test ESMTP", err), FEED_ERROR);
	assert_non_null(strstr(err, "malformed IMAP greeting"));
	reply_expect(&r, &dialect_imap, "S STARTTLS");
	assert_int_equal(ifeed(&r, "S NO TLS not available", err), FEED_DONE);
	assert_int_equal(r.verdict, REPLY_TEMPFAIL);
	reply_expect(&r, &dialect_imap, "S STARTTLS");
	assert_int_equal(ifeed(&r, "S BAD unknown command", err), FEED_DONE);
	assert_int_equal(r.verdict, REPLY_PERMFAIL);
	/* Another tag's status is not the end of this reply: it is a protocol error. */
	reply_expect(&r, &dialect_imap, "S STARTTLS");
	assert_int_equal(ifeed(&r, "X OK", err), FEED_ERROR);
	assert_non_null(strstr(err, "waiting for tag S"));
	/* Untagged lines are bounded like any reply. */
	reply_expect(&r, &dialect_imap, "C CAPABILITY");
	for (size_t i = 0; i < lim.reply_lines; i++)
		assert_int_equal(ifeed(&r, "* X", err), FEED_MORE);
	assert_int_equal(ifeed(&r, "* X", err), FEED_ERROR);
	reply_reset(&r);
}

static enum feed pfeed(struct reply *r, const char *line, char *err)
{
	return pop3_feed(r, line, strlen(line), &lim, err, 160);
}

static void pop3_capa_and_stls(void **state)
{
	struct reply r = {0};
	struct strlist capa = {0};
	char err[160];

	(void)state;
	reply_expect(&r, &dialect_pop3, NULL);
	assert_int_equal(pfeed(&r, "+OK Dovecot ready.", err), FEED_DONE);
	reply_expect(&r, &dialect_pop3, "CAPA");
	assert_true(r.multiline);
	assert_int_equal(pfeed(&r, "+OK", err), FEED_MORE);
	assert_int_equal(pfeed(&r, "CAPA", err), FEED_MORE);
	assert_int_equal(pfeed(&r, "STLS", err), FEED_MORE);
	assert_int_equal(pfeed(&r, "..dot-stuffed", err), FEED_MORE);
	assert_int_equal(pfeed(&r, ".", err), FEED_DONE);
	dialect_pop3.capabilities(&r, &capa);
	assert_int_equal(capa.n, 3);
	assert_true(dialect_has_capa(&capa, "STLS"));
	assert_string_equal(capa.v[2], ".dot-stuffed");
	strlist_free(&capa);
	reply_expect(&r, &dialect_pop3, "STLS");
	assert_false(r.multiline);
	assert_int_equal(pfeed(&r, "-ERR TLS not available", err), FEED_DONE);
	assert_int_equal(r.verdict, REPLY_PERMFAIL);
	/* A -ERR to CAPA ends at once, without a "." line. */
	reply_expect(&r, &dialect_pop3, "CAPA");
	assert_int_equal(pfeed(&r, "-ERR unknown command", err), FEED_DONE);
	reply_expect(&r, &dialect_pop3, NULL);
	assert_int_equal(pfeed(&r, "* OK IMAP here", err), FEED_ERROR);
	assert_non_null(strstr(err, "malformed POP3 reply"));
	reply_reset(&r);
}

static void dialect_by_port_and_name(void **state)
{
	(void)state;
	assert_ptr_equal(dialect_by_port(993), &dialect_imap);
	assert_ptr_equal(dialect_by_port(110), &dialect_pop3);
	assert_ptr_equal(dialect_by_port(587), &dialect_smtp);
	assert_ptr_equal(dialect_by_port(2525), &dialect_smtp);
	assert_ptr_equal(dialect_by_name("IMAP"), &dialect_imap);
	assert_null(dialect_by_name("nntp"));
	assert_int_equal(dialect_mode_for(&dialect_pop3, 995), TLS_MODE_IMPLICIT);
	assert_int_equal(dialect_mode_for(&dialect_imap, 143), TLS_MODE_STARTTLS);
}

static void capa(struct strlist *l, const char *const *v)
{
	for (; *v; v++)
		strlist_add(l, *v);
}

/* What sends a password in the clear before TLS, per dialect; SCRAM and CRAM never do. */
static void cleartext_auth_per_dialect(void **state)
{
	static const char *const smtp_plain[] = {"PIPELINING", "AUTH PLAIN LOGIN CRAM-MD5",
	    "STARTTLS", NULL};
	static const char *const smtp_old[] = {"AUTH=login", NULL};
	static const char *const smtp_scram[] = {"AUTH SCRAM-SHA-256 CRAM-MD5", "AUTHX PLAIN", NULL};
	static const char *const imap_ok[] = {"IMAP4rev1", "STARTTLS", "LOGINDISABLED",
	    "AUTH=SCRAM-SHA-256", NULL};
	static const char *const imap_login[] = {"IMAP4rev1", "STARTTLS", NULL};
	static const char *const imap_plain[] = {"LOGINDISABLED", "AUTH=PLAIN", NULL};
	static const char *const pop3_user[] = {"USER", "SASL SCRAM-SHA-1 LOGIN", "STLS", NULL};
	static const char *const pop3_ok[] = {"TOP", "SASL SCRAM-SHA-1", "STLS", NULL};
	struct {
		const struct dialect *d;
		const char *const *capa;
		const char *want; /* NULL: nothing */
	} cases[] = {
	    {&dialect_smtp, smtp_plain, "AUTH PLAIN AUTH LOGIN"},
	    {&dialect_smtp, smtp_old, "AUTH login"},
	    {&dialect_smtp, smtp_scram, NULL},
	    {&dialect_imap, imap_ok, NULL},
	    {&dialect_imap, imap_login, "LOGIN (no LOGINDISABLED)"},
	    {&dialect_imap, imap_plain, "AUTH=PLAIN"},
	    {&dialect_pop3, pop3_user, "USER SASL LOGIN"},
	    {&dialect_pop3, pop3_ok, NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strlist l = {0};
		char out[160];
		int got;

		capa(&l, cases[i].capa);
		got = dialect_cleartext_auth(cases[i].d, &l, out, sizeof(out));
		if (cases[i].want) {
			assert_int_equal(got, 1);
			assert_string_equal(out, cases[i].want);
		} else {
			assert_int_equal(got, 0);
			assert_string_equal(out, "");
		}
		strlist_free(&l);
	}
}

/* RFC 6186 and RFC 8314: each client port's SRV name, dialect and TLS mode. */
static void mail_services_table(void **state)
{
	const struct mail_service *m;

	(void)state;
	m = mail_service_by_port(465);
	assert_non_null(m);
	assert_string_equal(m->srv, "_submissions._tcp");
	assert_int_equal(m->mode, TLS_MODE_IMPLICIT);
	m = mail_service_by_port(587);
	assert_string_equal(m->name, "submission");
	assert_int_equal(m->mode, TLS_MODE_STARTTLS);
	assert_ptr_equal(mail_service_by_port(993)->dialect, &dialect_imap);
	assert_string_equal(mail_service_by_port(110)->srv, "_pop3._tcp");
	assert_int_equal(mail_service_by_port(995)->mode, TLS_MODE_IMPLICIT);
	assert_null(mail_service_by_port(25)->srv); /* the MX */
	assert_null(mail_service_by_port(2525));
	assert_ptr_equal(mail_service_by_name("IMAPS"), mail_service_by_port(993));
	for (size_t i = 0; mail_service_at(i); i++)
		assert_ptr_equal(mail_service_by_port(mail_service_at(i)->port), mail_service_at(i));
	assert_null(mail_service_at(7));
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
	    cmocka_unit_test(imap_greeting_and_capability),
	    cmocka_unit_test(imap_refusals_and_garbage),
	    cmocka_unit_test(pop3_capa_and_stls),
	    cmocka_unit_test(dialect_by_port_and_name),
	    cmocka_unit_test(cleartext_auth_per_dialect),
	    cmocka_unit_test(mail_services_table),
	};
	return cmocka_run_group_tests_name("dialect", tests, NULL, NULL);
}
