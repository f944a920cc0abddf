/*
 * Unit tests of the policy file (conf/policy.c): a good file, the most specific rule
 * winning, a host's rule beating a domain's, and every refusal naming the file and line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/policy.h"
#include "model/findings.h"

static int code_known(const char *name)
{
	return finding_code_by_name(name) >= 0;
}

static const char *load(struct org_policy *op, const char *text, char *err, size_t errlen)
{
	char path[64] = "/tmp/mailtls-policy-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	int rc;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	rc = org_policy_load(op, path, code_known, err, errlen);
	unlink(path);
	return rc == 0 ? NULL : err;
}

static void good_file_and_specificity(void **state)
{
	struct org_policy op;
	char err[400];
	const struct policy_rule *r;

	(void)state;
	assert_null(load(&op,
	    "rules:\n"
	    "  - match: \"*\"\n"
	    "    warn_days: 21\n"
	    "  - match: \"*.example.org\"\n"
	    "    issuers: [\"CN=R11, O=Let's Encrypt, C=US\"]\n"
	    "    min_tls: \"1.2\"\n"
	    "    severity: {CERT_CN_ONLY: crit, DANE_NOT_DNSSEC: ignore}\n"
	    "  - match: mx1.example.org\n"
	    "    pins: [08d038678fb5e14490e27b90fdab22dc51ddf9ca04117837c5996eb96b0086a4]\n"
	    "    names: mx1.example.org\n"
	    "  - match: example.org\n"
	    "    dane: required\n"
	    "    mta_sts: enforce\n"
	    "    must_staple: true\n"
	    "    ports: [25, 587, \"993\"]\n",
	    err, sizeof(err)));
	assert_int_equal(op.nrules, 4);
	r = org_policy_rule(&op, "example.org", "mx1.example.org");
	assert_string_equal(r->match, "mx1.example.org"); /* the exact host */
	assert_int_equal(r->pins.n, 1);
	assert_int_equal(r->names.n, 1);
	r = org_policy_rule(&op, "example.org", "mx2.example.org");
	assert_string_equal(r->match, "example.org"); /* an exact name beats a wildcard */
	r = org_policy_rule(&op, "other.test", "mx2.example.org");
	assert_string_equal(r->match, "*.example.org");
	assert_int_equal(r->min_tls, 12);
	assert_int_equal(r->noverrides, 2);
	assert_int_equal(r->overrides[1].sev, POLICY_SEV_IGNORE);
	r = org_policy_rule(&op, "other.test", "mx.other.test");
	assert_string_equal(r->match, "*");
	assert_int_equal(r->warn_days, 21);
	assert_int_equal(r->crit_days, -1);
	r = org_policy_rule(&op, "example.org", NULL);
	assert_true(r->dane_required && r->mta_sts_enforce && r->must_staple);
	assert_int_equal(r->nports, 3);
	assert_int_equal(r->ports[2], 993);
	assert_false(org_policy_rule(&op, "other.test", "mx.other.test")->must_staple);
	assert_int_equal(org_policy_match("*.example.org", "example.org"), -1);
	assert_true(org_policy_match("*.example.org", "a.b.example.org") > 0);
	assert_true(org_policy_match("example.org", "EXAMPLE.ORG.") > 0);
	org_policy_free(&op);
}

static void refusals_name_the_line(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"rules:\n  - match: a.test\n    pins: [abc]\n", "line 3: pins: not 64 hex digits"},
	    {"rules:\n  - match: a.test\n    colour: blue\n", "line 3: unknown setting \"colour\""},
	    {"rules:\n  - names: [a.test]\n", "line 2: a rule needs match:"},
	    {"rules:\n  - match: a..test\n", "line 2: match \"a..test\" is not a name"},
	    {"rules:\n  - match: a.test\n    min_tls: \"1.4\"\n", "line 3: min_tls \"1.4\" is not"},
	    {"rules:\n  - match: a.test\n    severity: {CERT_NOPE: crit}\n",
	        "line 3: \"CERT_NOPE\" is not a finding code"},
	    {"rules:\n  - match: a.test\n    severity: {CERT_CN_ONLY: loud}\n",
	        "line 3: CERT_CN_ONLY: not ok, info, warn, crit or ignore"},
	    {"rules:\n  - match: a.test\n    must_staple: often\n",
	        "line 3: must_staple \"often\" is not true or false"},
	    {"rules:\n  - match: a.test\n    ports: [25, 70000]\n", "line 3: ports: "},
	    {"rules:\n  - match: a.test\n    ports: [25, 25]\n", "line 3: ports: 25 is named twice"},
	    {"rules:\n  - match: a.test\n    dane: maybe\n",
	        "line 3: dane \"maybe\" is not required"},
	    {"rules:\n  - match: a.test\n    warn_days: 5\n    crit_days: 9\n",
	        "line 2: crit_days is larger than warn_days"},
	    {"rules:\n  - match: a.test\n  - match: A.TEST\n",
	        "line 3: match A.TEST is given twice"},
	    {"rulez: []\n", "expected \"rules:\""},
	    {"rules: []\nextra: 1\n", "line 2: unknown section \"extra\""},
	    {"rules:\n  - match: [a\n", "line"},
	};
	char err[400];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct org_policy op;
		const char *got = load(&op, cases[i].text, err, sizeof(err));

		if (got == NULL || strstr(got, cases[i].want) == NULL ||
		    strstr(got, "/tmp/") == NULL)
			fail_msg("case %zu: \"%s\", expected \"%s\"", i, got ? got : "(accepted)",
			    cases[i].want);
		if (got == NULL)
			org_policy_free(&op);
	}
}

/* The example in docs/policy.md is a file that loads, and means what its comments say. */
static void the_documented_example_loads(void **state)
{
	static char doc[16384], text[8192];
	struct org_policy op;
	char err[400];
	const struct policy_rule *r;
	FILE *f = fopen("docs/policy.md", "r");
	size_t n;
	char *start, *end;

	(void)state;
	assert_non_null(f);
	n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = '\0';
	start = strstr(doc, "```yaml\n");
	assert_non_null(start);
	start += strlen("```yaml\n");
	end = strstr(start, "```");
	assert_non_null(end);
	assert_true((size_t)(end - start) < sizeof(text));
	memcpy(text, start, (size_t)(end - start));
	text[end - start] = '\0';
	if (load(&op, text, err, sizeof(err)))
		fail_msg("docs/policy.md's example: %s", err);
	assert_int_equal(op.nrules, 4);
	r = org_policy_rule(&op, "example.org", "mx1.example.org");
	assert_string_equal(r->match, "mx1.example.org");
	assert_int_equal(r->pins.n, 2); /* the current key and the next */
	assert_int_equal(r->names.n, 2);
	r = org_policy_rule(&op, "other.test", "mx2.example.org");
	assert_string_equal(r->match, "*.example.org");
	assert_int_equal(r->issuers.n, 2);
	assert_int_equal(r->min_tls, 12);
	assert_int_equal(r->min_rsa_bits, 2048);
	r = org_policy_rule(&op, "elsewhere.test", "mx.elsewhere.test");
	assert_string_equal(r->match, "*");
	assert_int_equal(r->warn_days, 21);
	assert_int_equal(r->crit_days, 7);
	r = org_policy_rule(&op, "example.org", NULL);
	assert_true(r->dane_required && r->mta_sts_enforce);
	assert_int_equal(r->nports, 3);
	assert_int_equal(r->ports[1], 587);
	org_policy_free(&op);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(good_file_and_specificity),
	    cmocka_unit_test(refusals_name_the_line),
	    cmocka_unit_test(the_documented_example_loads),
	};
	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
