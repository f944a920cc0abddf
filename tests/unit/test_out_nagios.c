/*
 * Unit tests of the monitoring-plugins view (out/out_nagios.c): the status line names the
 * worst problem, a '|' or a newline in server text cannot break the format, perfdata
 * follows the guidelines' grammar, labels keep several probes apart.
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/result.h"
#include "model/verdict.h"
#include "out/output.h"
#include "proto/dialect.h"

static const struct verdict_ctx ctx = {.warn_days = 30, .crit_days = 7, .at = 1800000000};
static const struct view_opts vo = {.warn_days = 30, .crit_days = 7};

static struct probe *mk(const char *host, const char *addr, long days)
{
	struct probe *p = probe_new(host, addr, 25, TLS_MODE_STARTTLS, &dialect_smtp, "smtp");

	p->certs = calloc(1, sizeof(*p->certs));
	p->ncerts = 1;
	p->certs[0].subject = strdup("CN=mx");
	p->certs[0].issuer = strdup("CN=CA");
	p->certs[0].serial = strdup("01");
	p->certs[0].days_left = days;
	p->facts.checked = 1;
	p->facts.min_days_left = days;
	p->t.connect_ms = 1.5;
	p->t.total_ms = 12.25;
	p->tls_version = strdup("TLSv1.3");
	p->cipher = strdup("TLS_AES_256_GCM_SHA384");
	return p;
}

static char *render(const struct run *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	out_nagios(f, r, &vo);
	fclose(f);
	return buf;
}

/* The guidelines' grammar: 'label'=value[UOM];[warn];[crit];[min];[max], space-separated. */
static void check_grammar(const char *out)
{
	regex_t status, perf;
	regmatch_t m[3];
	char line[4096];
	const char *nl = strchr(out, '\n'), *bar;
	size_t n = nl ? (size_t)(nl - out) : strlen(out);

	assert_true(n < sizeof(line));
	memcpy(line, out, n);
	line[n] = '\0';
	assert_int_equal(regcomp(&status,
	                     "^MAILTLS (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+( \\| (.*))?$",
	                     REG_EXTENDED),
	    0);
	assert_int_equal(regcomp(&perf,
	                     "^'([^']|'')+'=-?[0-9]+(\\.[0-9]+)?(s|%|B|KB|MB|TB|c)?"
	                     "(;[0-9.:~@-]*){0,4}$",
	                     REG_EXTENDED),
	    0);
	assert_int_equal(regexec(&status, line, 3, m, 0), 0);
	bar = strstr(line, " | ");
	if (bar) {
		char *copy = strdup(bar + 3);

		/* Labels are quoted and hold spaces: split on "' " boundaries by walking quotes. */
		for (char *p = copy; *p;) {
			char *q = p + 1, item[512];

			while (*q && !(q[0] == '\'' && q[1] == '=')) /* the label's end */
				q += q[0] == '\'' && q[1] == '\'' ? 2 : 1;
			q = strchr(q, ' ');
			n = q ? (size_t)(q - p) : strlen(p);
			memcpy(item, p, n);
			item[n] = '\0';
			if (regexec(&perf, item, 0, NULL, 0) != 0)
				fail_msg("perfdata item does not follow the guidelines: %s", item);
			p += n + (q ? 1 : 0);
		}
		free(copy);
	}
	regfree(&status);
	regfree(&perf);
}

static void worst_probe_named_and_text_cannot_break_the_format(void **state)
{
	struct run r = {0};
	struct probe *good = mk("mx1.example.test", "192.0.2.1", 80);
	struct probe *bad = mk("mx2.example.test", "2001:db8::2", 80);
	char *out;

	(void)state;
	probe_add(bad, F_BANNER_REJECTED, -1, "the server greeted with \"554 no | way\nx\"");
	verdict_probe(good, &ctx);
	verdict_probe(bad, &ctx);
	run_add(&r, good);
	run_add(&r, bad);
	verdict_run_add(&r, good->status);
	verdict_run_add(&r, bad->status);
	out = render(&r);
	check_grammar(out);
	assert_non_null(strstr(out,
	    "MAILTLS CRITICAL - mx2.example.test [2001:db8::2]:25: the "
	    "server greeted with \"554 no / way x\""));
	assert_non_null(strstr(out, "'mx1.example.test [192.0.2.1]:25 days'=80;30:;7:;;"));
	assert_non_null(strstr(out, "'mx2.example.test [2001:db8::2]:25 total'=0.012250s;;;0;"));
	assert_non_null(strstr(out, "\nCRITICAL mx2.example.test [2001:db8::2]:25 TLSv1.3"));
	assert_non_null(strstr(out, "\n  crit BANNER_REJECTED: "));
	free(out);
	run_free(&r);
	probe_free(good);
	probe_free(bad);
}

static void ok_and_warning(void **state)
{
	struct run r = {0};
	struct probe *p = mk("mx.example.test", "192.0.2.1", 80);
	char *out;

	(void)state;
	verdict_probe(p, &ctx);
	run_add(&r, p);
	verdict_run_add(&r, p->status);
	out = render(&r);
	check_grammar(out);
	assert_true(strncmp(out,
	                "MAILTLS OK - mx.example.test [192.0.2.1]:25 TLSv1.3, "
	                "certificate valid for 80 more days |",
	                71) == 0);
	free(out);
	run_free(&r);
	probe_free(p);

	memset(&r, 0, sizeof(r));
	p = mk("mx.example.test", "192.0.2.1", 12);
	p->certs[0].in_path = 1;
	p->certs[0].not_after = ctx.at + 12 * 86400 + 60;
	p->facts.dates_ok = 1;
	verdict_probe(p, &ctx);
	run_add(&r, p);
	verdict_run_add(&r, p->status);
	out = render(&r);
	check_grammar(out);
	assert_non_null(strstr(out,
	    "MAILTLS WARNING - mx.example.test [192.0.2.1]:25: certificate "
	    "\"CN=mx\" expires in 12 days"));
	free(out);
	run_free(&r);
	probe_free(p);
}

/* An address this machine has no route to neither names an OK run nor is called ok. */
static void untested_address_is_not_ok(void **state)
{
	struct run r = {0};
	struct probe *v6 = probe_new("mx.example.test", "2001:db8::25", 25, TLS_MODE_STARTTLS,
	    &dialect_smtp, "smtp");
	struct probe *p = mk("mx.example.test", "192.0.2.1", 80);
	char *out;

	(void)state;
	probe_add(v6, F_ADDRESS_UNROUTED, -1, "Network is unreachable");
	verdict_probe(v6, &ctx);
	verdict_probe(p, &ctx);
	run_add(&r, v6); /* listed first */
	run_add(&r, p);
	verdict_run_add(&r, p->status); /* as the domain's verdict leaves v6 out */
	out = render(&r);
	check_grammar(out);
	assert_true(strncmp(out, "MAILTLS OK - mx.example.test [192.0.2.1]:25 TLSv1.3", 51) == 0);
	assert_non_null(strstr(out, "(and 1 more probe: 0 ok, 1 not tested from here) |"));
	assert_null(strstr(out, "all ok"));
	free(out);
	run_free(&r);
	probe_free(p);
	probe_free(v6);
}

static void a_quote_in_a_label_is_doubled(void **state)
{
	struct run r = {0};
	struct probe *p = mk("o'brien.example.test", "192.0.2.1", 80);
	char *out;

	(void)state;
	verdict_probe(p, &ctx);
	run_add(&r, p);
	out = render(&r);
	check_grammar(out);
	assert_non_null(strstr(out, "'o''brien.example.test [192.0.2.1]:25 days'=80"));
	free(out);
	run_free(&r);
	probe_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(worst_probe_named_and_text_cannot_break_the_format),
	    cmocka_unit_test(ok_and_warning),
	    cmocka_unit_test(untested_address_is_not_ok),
	    cmocka_unit_test(a_quote_in_a_label_is_doubled),
	};
	return cmocka_run_group_tests_name("out_nagios", tests, NULL, NULL);
}
