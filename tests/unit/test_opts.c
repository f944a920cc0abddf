/* Unit tests: the value parsers (dates, seconds, days, HOST[:PORT]) and the option table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

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
}

static void table_is_sorted_and_unique(void **state)
{
	(void)state;
	for (const struct opt *o = check_opts_table; o->lname && o[1].lname; o++)
		assert_true(strcmp(o->lname, o[1].lname) < 0);
	for (const struct opt *o = check_opts_table; o->lname; o++) {
		assert_non_null(o->help);
		assert_true(o->arg == OPT_FLAG || o->metavar != NULL);
		for (const struct opt *q = o + 1; o->sname && q->lname; q++)
			assert_true(o->sname != q->sname);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dates),
	    cmocka_unit_test(seconds_and_days),
	    cmocka_unit_test(hostports),
	    cmocka_unit_test(table_is_sorted_and_unique),
	};
	return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}
