/*
 * sts_fetch.c - the MTA-STS path from what the HTTPS fetch returned to the verdict: status,
 * media type and body (raw bytes, exact length) are kept or refused (policy_sts_fetched),
 * then the policy is judged against a domain whose MX hosts and their certificates' facts
 * the input also sets (policy_judge), and the domain is rendered as JSON.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "mailpolicy/policy.h"
#include "model/result.h"
#include "model/verdict.h"
#include "net/https.h"
#include "out/output.h"
#include "proto/dialect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = {200, 200, 200, 200, 301, 404, 500, 0};
	struct fuzz_in in = {data, size};
	struct policy_config cfg = {.mta_sts = 1, .dns_records = 0, .timeout_s = 1};
	struct https_result r;
	struct domain *d = calloc(1, sizeof(*d));
	struct domain_policy *pol = calloc(1, sizeof(*pol));
	struct run run = {0};
	struct view_opts vo = {0};
	unsigned flags = fuzz_byte(&in), nmx = fuzz_byte(&in) % 4;
	size_t len;
	const uint8_t *body;
	char err[200];

	memset(&r, 0, sizeof(r));
	r.status = statuses[flags % 8];
	if (flags & 8)
		snprintf(r.err, sizeof(r.err), "Operation timed out");
	fuzz_line(&in, r.content_type, sizeof(r.content_type));

	d->name = strdup("fuzz.test");
	d->policy = pol;
	strlist_add(&pol->sts_txt.recs, "v=STSv1; id=fuzz1;");
	pol->sts_txt.looked_up = 1;
	if (records_sts_txt(pol->sts_txt.recs.v[0], &pol->sts_id, err, sizeof(err)) != 0)
		abort();
	pol->sts_txt_ok = 1;
	d->mx = calloc(nmx + 1, sizeof(*d->mx));
	for (unsigned i = 0; i < nmx; i++) {
		struct mx_host *m = &d->mx[d->nmx++];
		char host[256];
		unsigned facts = fuzz_byte(&in);
		struct probe *p;

		fuzz_line(&in, host, sizeof(host));
		m->host = strdup(host);
		m->dnssec = -1;
		m->implicit = (facts & 0x80) != 0;
		p = probe_new(host, "192.0.2.7", 25, TLS_MODE_STARTTLS, &dialect_smtp, "smtp");
		p->facts.checked = facts & 1;
		p->facts.trusted = (facts & 2) != 0;
		p->facts.dates_ok = (facts & 4) != 0;
		p->facts.name_matched = (facts & 8) != 0;
		p->facts.name_by_cn = (facts & 16) != 0;
		m->probes = calloc(1, sizeof(*m->probes));
		m->probes[m->nprobes++] = p;
		run_add(&run, p);
	}
	body = fuzz_bytes(&in, in.n, &len);
	if (len) {
		r.body = malloc(len); /* exact size, as curl's data may hold NULs */
		memcpy(r.body, body, len);
		r.len = len;
	}
	policy_sts_fetched(pol, &r);
	policy_judge(d, &cfg);
	verdict_domain(d, &(struct verdict_ctx){.warn_days = 30, .crit_days = 7});
	run.domain_mode = 1;
	out_jsonl_domain(fuzz_devnull(), &run, d, &vo);
	for (size_t i = 0; i < run.nprobes; i++)
		probe_free(run.probes[i]);
	run_free(&run);
	domain_free(d);
	free(r.body);
	return 0;
}
