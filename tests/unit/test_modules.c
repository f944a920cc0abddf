/* Unit tests of serve's modules file (conf/modules.c over conf/yaml.c): defaults, a module
 * replacing a built-in one, and every refusal naming the file and the line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/modules.h"

static char path[64];

static const char *load(struct modules *ms, const char *text, char *err, size_t errlen)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/mailtls-modules-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	if (modules_load(ms, path, err, errlen) != 0) {
		unlink(path);
		return err;
	}
	unlink(path);
	return NULL;
}

static void builtin_and_file(void **state)
{
	struct modules ms = {0};
	char err[300];
	const struct module *m;

	(void)state;
	assert_null(load(&ms,
	    "modules:\n"
	    "  quick:\n"
	    "    timeout: 2.5\n"
	    "  imaps-2993:\n"
	    "    protocol: imap\n"
	    "    tls: implicit\n"
	    "    port: 2993\n"
	    "    dane: no\n"
	    "  imaps:\n"
	    "    protocol: imap\n"
	    "    tls: implicit\n"
	    "    mta_sts: false\n",
	    err, sizeof(err)));
	m = modules_find(&ms, "quick");
	assert_non_null(m);
	assert_string_equal(m->protocol, "smtp");
	assert_int_equal(m->port, 25);
	assert_true(m->timeout_s > 2.49 && m->timeout_s < 2.51);
	assert_true(m->domains && m->dane && m->mta_sts && m->dns_records);
	m = modules_find(&ms, "imaps-2993");
	assert_int_equal(m->port, 2993);
	assert_true(m->implicit_tls && !m->dane && !m->domains);
	m = modules_find(&ms, "imaps"); /* replaced: the file's says no MTA-STS */
	assert_int_equal(m->port, 993);
	assert_false(m->mta_sts);
	assert_non_null(modules_find(&ms, "pop3s")); /* built in, untouched */
	assert_int_equal(ms.n, 9);
	modules_free(&ms);
}

static void refusals_name_the_line(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"modules:\n  a:\n    port: 99999\n", "line 3: module a: \"99999\" is not a port"},
	    {"modules:\n  a:\n    protocol: smtp\n    colour: blue\n",
	        "line 4: module a: unknown setting \"colour\""},
	    {"modules:\n  a:\n    tls: maybe\n", "line 3: module a: tls \"maybe\" is not starttls"},
	    {"modules:\n  a:\n    dane: perhaps\n",
	        "line 3: module a: dane \"perhaps\" is not true"},
	    {"modules:\n  a: [1, 2]\n", "line 2: module a is not a mapping"},
	    {"modules:\n  'a b':\n    port: 25\n", "line 2: a module name is 1 to 63"},
	    {"modules: 3\n", "expected \"modules:\" and a mapping"},
	    {"modules:\n  a:\n    port: [25\n", "line"},
	    {"", "the file is empty"},
	};
	char err[300];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct modules ms = {0};
		const char *got = load(&ms, cases[i].text, err, sizeof(err));

		if (got == NULL || strstr(got, cases[i].want) == NULL ||
		    strstr(got, "/tmp/") == NULL)
			fail_msg("case %zu: \"%s\", expected \"%s\"", i, got ? got : "(accepted)",
			    cases[i].want);
		modules_free(&ms);
	}
}

/* The example file in docs/ loads, and means what its comments say. */
static void the_documented_example_loads(void **state)
{
	struct modules ms = {0};
	char err[300] = "";
	const struct module *m;

	(void)state;
	if (modules_load(&ms, "docs/prometheus/mailtls-modules.yml", err, sizeof(err)) != 0)
		fail_msg("%s", err);
	m = modules_find(&ms, "smtp-quick");
	assert_non_null(m);
	assert_true(m->timeout_s == 5);
	m = modules_find(&ms, "mx-tls-only");
	assert_non_null(m);
	assert_false(m->mta_sts || m->dns_records);
	m = modules_find(&ms, "imaps-2993");
	assert_non_null(m);
	assert_string_equal(m->protocol, "imap");
	assert_true(m->implicit_tls);
	assert_int_equal(m->port, 2993);
	assert_non_null(modules_find(&ms, "submissions")); /* the built-in ones stay */
	modules_free(&ms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(builtin_and_file),
	    cmocka_unit_test(refusals_name_the_line),
	    cmocka_unit_test(the_documented_example_loads),
	};
	return cmocka_run_group_tests_name("modules", tests, NULL, NULL);
}
