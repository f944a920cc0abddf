/*
 * Unit tests: MTA-STS judged against the MX probes (mailpolicy/policy.c, policy_judge). A
 * probe with no verdict on its server (refused for now, an address this machine has no
 * route to) showed no certificate: it neither meets the policy nor fails it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/util.h"
#include "mailpolicy/policy.h"
#include "mailpolicy/records.h"
#include "model/result.h"
#include "model/verdict.h"
#include "net/https.h"
#include "proto/dialect.h"

static const struct verdict_ctx ctx = {.warn_days = 30, .crit_days = 7};

/* A probe of mx.sts.test at addr: a valid certificate, or none seen for want of a route. */
static struct probe *probe_at(const char *addr, int unrouted, int valid)
{
	struct probe *p =
	    probe_new("mx.sts.test", addr, 25, TLS_MODE_STARTTLS, &dialect_smtp, "smtp");

	if (unrouted) {
		probe_add(p, F_ADDRESS_UNROUTED, -1, "Network is unreachable");
	} else {
		p->facts.checked = 1;
		p->facts.trusted = valid;
		p->facts.dates_ok = 1;
		p->facts.name_matched = 1;
		probe_add(p, valid ? F_CERT_TRUSTED : F_CERT_UNTRUSTED_ROOT, -1, "chain");
	}
	verdict_probe(p, &ctx);
	return p;
}

/* sts.test, enforce, mx.sts.test its one MX, with these probes; judged. */
static struct domain *judged(struct probe **probes, size_t n)
{
	static char body[] = "version: STSv1\nmode: enforce\nmx: mx.sts.test\nmax_age: 86400\n";
	struct policy_config cfg = {.mta_sts = 1, .timeout_s = 1};
	struct https_result r = {.status = 200, .body = body, .len = sizeof(body) - 1};
	struct domain *d = xcalloc(1, sizeof(*d));
	struct domain_policy *pol = xcalloc(1, sizeof(*pol));
	char err[200];

	snprintf(r.content_type, sizeof(r.content_type), "text/plain");
	d->name = xstrdup("sts.test");
	d->policy = pol;
	strlist_add(&pol->sts_txt.recs, "v=STSv1; id=20261203;");
	pol->sts_txt.looked_up = 1;
	assert_int_equal(records_sts_txt(pol->sts_txt.recs.v[0], &pol->sts_id, err, sizeof(err)),
	    0);
	pol->sts_txt_ok = 1;
	d->mx = xcalloc(1, sizeof(*d->mx));
	d->nmx = 1;
	d->mx[0].host = xstrdup("mx.sts.test");
	d->mx[0].dnssec = -1;
	d->mx[0].probes = xcalloc(n, sizeof(*probes));
	memcpy(d->mx[0].probes, probes, n * sizeof(*probes));
	d->mx[0].nprobes = n;
	policy_sts_fetched(pol, &r);
	policy_judge(d, &cfg);
	verdict_domain(d, &ctx);
	return d;
}

static const struct finding *domain_finding(const struct domain *d, enum finding_code c)
{
	for (size_t i = 0; i < d->nfindings; i++)
		if (d->findings[i].code == c)
			return &d->findings[i];
	return NULL;
}

static void unrouted_address_neither_meets_nor_fails(void **state)
{
	struct probe *p[3] = {probe_at("192.0.2.25", 0, 1), probe_at("2001:db8::25", 1, 0),
	    probe_at("192.0.2.26", 0, 0)};
	struct domain *d;
	const struct finding *f;

	(void)state;
	/* IPv4 valid, IPv6 untested: the policy is met by what was tested, and says so. */
	d = judged(p, 2);
	assert_null(domain_finding(d, F_MTASTS_CERT_INVALID));
	assert_non_null(f = domain_finding(d, F_MTASTS_VALID));
	assert_non_null(strstr(f->message, "of the addresses tested"));
	domain_free(d);
	/* Nothing tested: no claim either way. */
	d = judged(p + 1, 1);
	assert_null(domain_finding(d, F_MTASTS_CERT_INVALID));
	assert_null(domain_finding(d, F_MTASTS_VALID));
	domain_free(d);
	/* IPv6 untested, IPv4 invalid: that one fails the policy, and only that one. */
	d = judged(p + 1, 2);
	assert_non_null(f = domain_finding(d, F_MTASTS_CERT_INVALID));
	assert_non_null(strstr(f->message, "[192.0.2.26]"));
	assert_null(domain_finding(d, F_MTASTS_VALID));
	assert_int_equal(d->status, STATUS_CRIT);
	domain_free(d);
	for (size_t i = 0; i < 3; i++)
		probe_free(p[i]);
}

/* A valid certificate on every address: as before, without the note. */
static void every_address_valid(void **state)
{
	struct probe *p = probe_at("192.0.2.25", 0, 1);
	struct domain *d = judged(&p, 1);
	const struct finding *f = domain_finding(d, F_MTASTS_VALID);

	(void)state;
	assert_non_null(f);
	assert_null(strstr(f->message, "of the addresses tested"));
	assert_null(domain_finding(d, F_MTASTS_CERT_INVALID));
	domain_free(d);
	probe_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unrouted_address_neither_meets_nor_fails),
	    cmocka_unit_test(every_address_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
