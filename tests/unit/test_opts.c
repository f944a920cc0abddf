/* Unit tests: the value parsers (dates, seconds, days, HOST[:PORT]), the generic option
 * parser through check's table, and the man page held against that table both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/version.h"
#include "base/util.h"
#include "cmd/check_opts.h"
#include "cmd/cmd.h"
#include "conf/opts.h"

static void dates(void **state)
{
	time_t t, now = 1700000000;
	char err[200];

	(void)state;
	assert_int_equal(opts_parse_date("2027-01-15", now, &t, err, sizeof(err)), 0);
	assert_int_equal(t, 1799971200);
	assert_int_equal(opts_parse_date("2027-01-15T10:00:00Z", now, &t, err, sizeof(err)), 0);
	assert_int_equal(t, 1799971200 + 36000);
	assert_int_equal(opts_parse_date("2027-01-15 10:30", now, &t, err, sizeof(err)), 0);
	assert_int_equal(t, 1799971200 + 37800);
	assert_int_equal(opts_parse_date("+30d", now, &t, err, sizeof(err)), 0);
	assert_int_equal(t, now + 30 * 86400);
	assert_int_equal(opts_parse_date("-2", now, &t, err, sizeof(err)), 0);
	assert_int_equal(t, now - 2 * 86400);
	assert_int_equal(opts_parse_date("@86400", now, &t, err, sizeof(err)), 0);
	assert_int_equal(t, 86400);
	assert_int_equal(opts_parse_date("2027-13-01", now, &t, err, sizeof(err)), -1);
	assert_int_equal(opts_parse_date("2027-01-15junk", now, &t, err, sizeof(err)), -1);
	assert_int_equal(opts_parse_date("tomorrow", now, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "\"tomorrow\" is not a date"));
	assert_int_equal(opts_parse_date("+30x", now, &t, err, sizeof(err)), -1);
}

static void seconds_and_days(void **state)
{
	double s;
	long d;
	char err[200];

	(void)state;
	assert_int_equal(opts_parse_seconds("2.5", &s, err, sizeof(err)), 0);
	assert_true(s > 2.49 && s < 2.51);
	assert_int_equal(opts_parse_seconds("0", &s, err, sizeof(err)), -1);
	assert_int_equal(opts_parse_seconds("-1", &s, err, sizeof(err)), -1);
	assert_int_equal(opts_parse_seconds("nan", &s, err, sizeof(err)), -1);
	assert_int_equal(opts_parse_seconds("10s", &s, err, sizeof(err)), -1);
	assert_int_equal(opts_parse_days("30", &d, err, sizeof(err)), 0);
	assert_int_equal(d, 30);
	assert_int_equal(opts_parse_days("-3", &d, err, sizeof(err)), -1);
	assert_int_equal(opts_parse_days("3.5", &d, err, sizeof(err)), -1);
}

static void hostports(void **state)
{
	char host[256], err[200];
	uint16_t port;

	(void)state;
	assert_int_equal(opts_parse_hostport("mx.example.test", host, sizeof(host), &port, err,
	                     sizeof(err)),
	    0);
	assert_string_equal(host, "mx.example.test");
	assert_int_equal(port, 0);
	assert_int_equal(opts_parse_hostport("mx.example.test:465", host, sizeof(host), &port, err,
	                     sizeof(err)),
	    0);
	assert_string_equal(host, "mx.example.test");
	assert_int_equal(port, 465);
	assert_int_equal(opts_parse_hostport("[::1]:587", host, sizeof(host), &port, err,
	                     sizeof(err)),
	    0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 587);
	assert_int_equal(opts_parse_hostport("2001:db8::25", host, sizeof(host), &port, err,
	                     sizeof(err)),
	    0);
	assert_string_equal(host, "2001:db8::25");
	assert_int_equal(port, 0);
	assert_int_equal(opts_parse_hostport("mx:0", host, sizeof(host), &port, err, sizeof(err)),
	    -1);
	assert_int_equal(opts_parse_hostport("mx:65536", host, sizeof(host), &port, err,
	                     sizeof(err)),
	    -1);
	assert_int_equal(opts_parse_hostport("mx:25x", host, sizeof(host), &port, err, sizeof(err)),
	    -1);
	assert_int_equal(opts_parse_hostport(":25", host, sizeof(host), &port, err, sizeof(err)),
	    -1);
	assert_int_equal(opts_parse_hostport("[::1", host, sizeof(host), &port, err, sizeof(err)),
	    -1);
	assert_int_equal(opts_parse_hostport("mx example", host, sizeof(host), &port, err,
	                     sizeof(err)),
	    -1);
	/* A name in other scripts is its A-labels; one in no script is said to be. */
	assert_int_equal(opts_parse_hostport("mx.b\xc3\xbc"
	                                     "cher.example:587",
	                     host, sizeof(host), &port, err, sizeof(err)),
	    0);
	assert_string_equal(host, "mx.xn--bcher-kva.example");
	assert_int_equal(port, 587);
	assert_int_equal(opts_parse_hostport("caf\xe9.example", host, sizeof(host), &port, err,
	                     sizeof(err)),
	    -1);
	assert_non_null(
	    strstr(err, "\"caf\xe9.example\" is not a domain name in any script (IDNA: "));
}

static void table_is_sorted_and_unique(void **state)
{
	(void)state;
	for (int k = 0; k < 4; k++) {
		const struct opt *t = k == 0 ? check_cmd.table
		    : k == 1               ? serve_options()
		    : k == 2               ? auth_options()
		                           : ping_options();

		for (const struct opt *o = t; o->lname && o[1].lname; o++)
			assert_true(strcmp(o->lname, o[1].lname) < 0);
		for (const struct opt *o = t; o->lname; o++) {
			assert_non_null(o->help);
			assert_true(o->type == OPT_FLAG || o->metavar != NULL);
			assert_true(o->type != OPT_CHOICE || o->choices != NULL);
			for (const struct opt *q = o + 1; q->lname; q++) {
				assert_true(o->id != q->id);
				assert_true(!o->sname || o->sname != q->sname);
			}
		}
	}
}

/* Parse a NULL-terminated argv for check; the return of check_opts_parse. */
static int parse(struct check_opts *o, ...)
{
	char *argv[32] = {"check"};
	int argc = 1;
	va_list ap;

	va_start(ap, o);
	for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 31;)
		argv[argc++] = a;
	va_end(ap);
	return check_opts_parse(argc, argv, o);
}

static void defaults_come_from_the_table(void **state)
{
	struct check_opts o;

	(void)state;
	assert_int_equal(parse(&o, "example.test", NULL), 0);
	assert_int_equal(o.concurrency, 100);
	assert_int_equal(o.per_host, 4);
	assert_int_equal(o.warn_days, 30);
	assert_int_equal(o.crit_days, 7);
	assert_true(o.lim.connect_s == 30 && o.lim.greeting_s == 300);
	assert_true(o.lim.reply_s == 300 && o.lim.handshake_s == 300);
	assert_true(o.dns_timeout == 10 && o.https_timeout == 10);
	assert_int_equal(o.ndomains, 1);
	assert_string_equal(o.domains[0], "example.test");
}

static void timeout_bounds_every_wait_unless_a_phase_is_named(void **state)
{
	struct check_opts o;

	(void)state;
	/* Order does not matter: the phase named keeps its own bound. */
	assert_int_equal(parse(&o, "--greeting-timeout", "60", "--timeout", "5", "x.test", NULL),
	    0);
	assert_true(o.lim.greeting_s == 60);
	assert_true(o.lim.connect_s == 5 && o.lim.reply_s == 5 && o.lim.handshake_s == 5);
	assert_true(o.dns_timeout == 5 && o.https_timeout == 5);
	assert_int_equal(parse(&o, "--timeout", "5", "--greeting-timeout", "60", "x.test", NULL),
	    0);
	assert_true(o.lim.greeting_s == 60 && o.lim.connect_s == 5);
}

static void values_parsed_by_type(void **state)
{
	struct check_opts o;

	(void)state;
	assert_int_equal(parse(&o, "--host", "[::1]:465", "--protocol", "IMAP", "--dkim-selector",
	                     "s1", "--dkim-selector", "s2", NULL),
	    0);
	assert_string_equal(o.host, "::1");
	assert_int_equal(o.port, 465);
	assert_string_equal(o.protocol, "imap"); /* the table's spelling */
	assert_int_equal(o.ndkim, 2);
	assert_int_equal(parse(&o, "--host", "mx.test", "--protocol", "nntp", NULL), -1);
	assert_int_equal(parse(&o, "--host", "mx.test:25", "--port", "587", NULL), -1);
	assert_int_equal(parse(&o, "--host", "mx.test", "--timeout", NULL), -1);
	assert_int_equal(parse(&o, "--help", NULL), 1);
}

/* --shard K/N, or N with K from the scheduler's environment; never K >= N; and the set of
 * names --resume keeps, compared without case. */
static void shards_and_names(void **state)
{
	struct check_opts o;
	struct strset set = {0};

	(void)state;
	unsetenv("JOB_COMPLETION_INDEX");
	unsetenv("SLURM_ARRAY_TASK_ID");
	assert_int_equal(parse(&o, "--shard", "1/4", "x.test", NULL), 0);
	assert_true(o.shard_k == 1 && o.shard_n == 4);
	assert_int_equal(parse(&o, "--shard", "4/4", "x.test", NULL), -1);
	assert_int_equal(parse(&o, "--shard", "0/0", "x.test", NULL), -1);
	assert_int_equal(parse(&o, "--shard", "a/2", "x.test", NULL), -1);
	/* No sign or blank: strtoul would read "-1" as 2^64 - 1 and " 2" as 2. */
	assert_int_equal(parse(&o, "--shard", "-1/2", "x.test", NULL), -1);
	assert_int_equal(parse(&o, "--shard", "+1/2", "x.test", NULL), -1);
	assert_int_equal(parse(&o, "--shard", "1/ 2", "x.test", NULL), -1);
	assert_int_equal(parse(&o, "--shard", "1/2/3", "x.test", NULL), -1);
	assert_int_equal(parse(&o, "--shard", "0/1000001", "x.test", NULL), -1);
	assert_int_equal(parse(&o, "--shard", "999999/1000000", "x.test", NULL), 0);
	assert_true(o.shard_k == 999999 && o.shard_n == 1000000);
	assert_int_equal(parse(&o, "--shard", "3", "x.test", NULL), -1); /* no index given */
	setenv("SLURM_ARRAY_TASK_ID", "2", 1);
	assert_int_equal(parse(&o, "--shard", "3", "x.test", NULL), 0);
	assert_true(o.shard_k == 2 && o.shard_n == 3);
	setenv("JOB_COMPLETION_INDEX", "0", 1); /* Kubernetes first */
	assert_int_equal(parse(&o, "--shard", "3", "x.test", NULL), 0);
	assert_int_equal(o.shard_k, 0);
	setenv("JOB_COMPLETION_INDEX", "7", 1);
	assert_int_equal(parse(&o, "--shard", "3", "x.test", NULL), -1); /* 7 >= 3 */
	setenv("JOB_COMPLETION_INDEX", "-1", 1);
	assert_int_equal(parse(&o, "--shard", "3", "x.test", NULL), -1);
	unsetenv("JOB_COMPLETION_INDEX");
	unsetenv("SLURM_ARRAY_TASK_ID");
	assert_int_equal(parse(&o, "--resume", "f.jsonl", "x.test", NULL), -1); /* needs --jsonl */
	assert_int_equal(parse(&o, "--resume", "f.jsonl", "--jsonl", "x.test", NULL), 0);
	for (int i = 0; i < 5000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "d%d.Example.TEST", i);
		assert_int_equal(strset_add(&set, name), 1);
	}
	assert_int_equal(strset_add(&set, "D42.example.test"), 0);
	assert_true(strset_has(&set, "d4999.example.test"));
	assert_false(strset_has(&set, "d5000.example.test"));
	assert_int_equal(set.n, 5000);
	strset_free(&set);
}

/* --ports: a list of ports, each once; for domains only the mail services' ports; never
 * with a port or a way of speaking named otherwise. --all-ports is every one and the tests. */
static void ports_lists(void **state)
{
	struct check_opts o;

	(void)state;
	assert_int_equal(parse(&o, "--ports", "25, 587,993", "example.test", NULL), 0);
	assert_int_equal(o.nports, 3);
	assert_int_equal(o.ports[1], 587);
	assert_false(o.starttls_tests);
	assert_int_equal(parse(&o, "--all-ports", "example.test", NULL), 0);
	assert_int_equal(o.nports, 7);
	assert_true(o.starttls_tests);
	assert_int_equal(parse(&o, "--host", "mx.test", "--ports", "25,2525", NULL), 0);
	assert_int_equal(parse(&o, "--ports", "25,2525", "example.test", NULL), -1);
	assert_int_equal(parse(&o, "--ports", "25,25", "example.test", NULL), -1);
	assert_int_equal(parse(&o, "--ports", "25,x", "example.test", NULL), -1);
	assert_int_equal(parse(&o, "--ports", ",", "example.test", NULL), -1);
	assert_int_equal(parse(&o, "--ports", "25", "--port", "25", "example.test", NULL), -1);
	assert_int_equal(parse(&o, "--host", "mx.test:25", "--ports", "587", NULL), -1);
	assert_int_equal(parse(&o, "--host", "mx.test", "--ports", "587", "--tls", NULL), -1);
}

/*
 * docs/mailtls.1 against the option tables, both ways: in section sh, every row of table
 * that want() selects is documented with its short name, and every option documented there
 * is such a row.
 */
static void man_section_matches(const char *sh, const struct opt *table,
    int (*want)(const struct opt *))
{
	FILE *f = fopen("docs/mailtls.1", "r");
	char line[512];
	int in_section = 0, after_tp = 0;
	char seen[64][40];
	size_t nseen = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, ".SH", 3) == 0)
			in_section =
			    strncmp(line + 4, sh, strlen(sh)) == 0 && line[4 + strlen(sh)] == '\n';
		if (!in_section)
			continue;
		if (strncmp(line, ".TP", 3) == 0) {
			after_tp = 1;
			continue;
		}
		if (after_tp) {
			/* ".BR \\-a ", " \\-\\-address ..." or ".B \\-\\-jsonl": the long name */
			char name[40] = "", *p = strstr(line, "\\-\\-");
			size_t n = 0;
			const struct opt *o = table;

			assert_non_null(p);
			for (p += 4; *p && n + 1 < sizeof(name); p++) {
				if (p[0] == '\\' && p[1] == '-') {
					name[n++] = '-';
					p++;
				} else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
					name[n++] = *p;
				} else {
					break;
				}
			}
			name[n] = '\0';
			while (o->lname && !(strcmp(o->lname, name) == 0 && want(o)))
				o++;
			if (o->lname == NULL)
				fail_msg("docs/mailtls.1 %s documents --%s, which is not a row "
				         "there",
				    sh, name);
			if (o->sname) {
				char short_name[8];
				snprintf(short_name, sizeof(short_name), "\\-%c", o->sname);
				if (strstr(line, short_name) == NULL)
					fail_msg("docs/mailtls.1: --%s lacks its short name -%c",
					    name, o->sname);
			}
			assert_true(nseen < 64);
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", name);
		}
		after_tp = 0;
	}
	fclose(f);
	for (const struct opt *o = table; o->lname; o++) {
		size_t i = 0;

		if (!want(o))
			continue;
		while (i < nseen && strcmp(seen[i], o->lname) != 0)
			i++;
		if (i == nseen)
			fail_msg("--%s is not in docs/mailtls.1's %s", o->lname, sh);
	}
}

static int any_row(const struct opt *o)
{
	(void)o;
	return 1;
}

/* serve's (and auth's) own rows; the ones shared with check are documented under OPTIONS. */
static int serve_row(const struct opt *o)
{
	return o->id >= O__COUNT;
}

static void man_page_options_match_the_table(void **state)
{
	(void)state;
	man_section_matches("OPTIONS", check_cmd.table, any_row);
	man_section_matches("SERVE", serve_options(), serve_row);
	man_section_matches("AUTH", auth_options(), serve_row);
	man_section_matches("PING", ping_options(), serve_row);
	/* Every row serve and auth share is one of check's. */
	for (int t = 0; t < 3; t++)
		for (const struct opt *o = t == 2 ? ping_options() : t ? auth_options() : serve_options();
		     o->lname; o++)
			if (o->id < O__COUNT) {
				const struct opt *c = check_cmd.table;
				while (c->lname && c->id != o->id)
					c++;
				assert_non_null(c->lname);
				assert_string_equal(c->lname, o->lname);
			}
}

/* The man page's header names the version --version prints. */
static void man_page_names_this_version(void **state)
{
	char line[200] = "", want[64];
	FILE *f = fopen("docs/mailtls.1", "r");

	(void)state;
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	snprintf(want, sizeof(want), "\"mailtls %s\"", MAILTLS_VERSION);
	if (strstr(line, want) == NULL)
		fail_msg("docs/mailtls.1 begins %s, without %s", line, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dates),
	    cmocka_unit_test(seconds_and_days),
	    cmocka_unit_test(hostports),
	    cmocka_unit_test(table_is_sorted_and_unique),
	    cmocka_unit_test(defaults_come_from_the_table),
	    cmocka_unit_test(timeout_bounds_every_wait_unless_a_phase_is_named),
	    cmocka_unit_test(values_parsed_by_type),
	    cmocka_unit_test(ports_lists),
	    cmocka_unit_test(shards_and_names),
	    cmocka_unit_test(man_page_options_match_the_table),
	    cmocka_unit_test(man_page_names_this_version),
	};
	return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}
