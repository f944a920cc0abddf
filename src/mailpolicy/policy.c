/*
 * policy.c - MTA-STS (RFC 8461), TLS-RPT (RFC 8460), SPF, DMARC and DKIM for a domain.
 * Lookups run beside the MX probes on the same loop; judging waits for the probes, because
 * MTA-STS is about them: every MX must be covered by the policy and present a certificate
 * that passes PKIX validation. Parsing lives in records_*.c; this file decides.
 */
#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "mailpolicy/policy.h"
#include "model/tlsa.h"
#include "net/dns.h"
#include "net/https.h"

struct txt_q {
	const struct policy_env *env;
	struct domain *d;
	struct txt_set *set;
	const char *kind; /* version tag the records must start with, or NULL for any */
	void (*then)(const struct policy_env *, struct domain *, double timeout_s);
	double timeout_s;
};

static void txt_answer(const struct dns_answer *a, void *arg)
{
	struct txt_q *q = arg;
	struct txt_set *set = q->set;

	if (a->status == DNS_CANCELLED) {
		free(q);
		return;
	}
	set->looked_up = 1;
	if (a->sec == DNSSEC_BOGUS) {
		set->failed = 1;
		snprintf(set->why, sizeof(set->why), "DNSSEC validation failed: %s", a->why);
	} else if (a->status == DNS_OK) {
		for (size_t i = 0; i < a->ntxt; i++)
			if (q->kind == NULL || records_is_kind(a->txt[i], q->kind))
				strlist_add(&set->recs, a->txt[i]);
		set->dropped = a->dropped;
	} else if (a->status != DNS_NXDOMAIN) {
		set->failed = 1;
		snprintf(set->why, sizeof(set->why), "%s", a->why);
	}
	if (q->then)
		q->then(q->env, q->d, q->timeout_s);
	q->env->release(q->d);
	free(q);
}

static void txt_lookup(const struct policy_env *env, struct domain *d, const char *prefix,
    struct txt_set *set, const char *kind,
    void (*then)(const struct policy_env *, struct domain *, double), double timeout_s)
{
	struct txt_q *q = xcalloc(1, sizeof(*q));
	char name[512];

	snprintf(name, sizeof(name), "%s%s", prefix, d->name);
	q->env = env;
	q->d = d;
	q->set = set;
	q->kind = kind;
	q->then = then;
	q->timeout_s = timeout_s;
	env->hold(d);
	dns_query(env->dns, name, ns_t_txt, txt_answer, q);
}

struct sts_q {
	const struct policy_env *env;
	struct domain *d;
	int rrtype;
	double timeout_s;
};

/* What a fetch answered, kept for judge_sts(): a body only when RFC 8461 3.3 allows one. */
void policy_sts_fetched(struct domain_policy *pol, const struct https_result *r)
{
	pol->sts_fetched = 1;
	pol->sts_http_status = r->status;
	snprintf(pol->sts_content_type, sizeof(pol->sts_content_type), "%s", r->content_type);
	if (r->err[0]) {
		pol->sts_fetch_error = xstrdup(r->err);
	} else if (r->status != 200) {
		/* RFC 8461 3.3: only 200 is a policy; redirects are not followed. */
		pol->sts_fetch_error = xasprintf("HTTP status %ld, not 200%s", r->status,
		    r->status >= 300 && r->status < 400 ? " (redirects are not followed)" : "");
	} else if (strncasecmp(r->content_type, "text/plain", 10) != 0 ||
	    (r->content_type[10] != '\0' && r->content_type[10] != ';')) {
		pol->sts_fetch_error = xasprintf("media type \"%s\", not text/plain",
		    r->content_type[0] ? r->content_type : "(none)");
	} else {
		/* Every byte as it came, NULs included: the parser says what a NUL means. */
		pol->sts_body = xmemdup(r->body ? r->body : "", r->body ? r->len : 0);
		pol->sts_body_len = r->body ? r->len : 0;
	}
}

static void sts_fetched(const struct https_result *r, void *arg)
{
	struct sts_q *q = arg;

	if (r->cancelled) {
		free(q); /* the engine frees the domain */
		return;
	}
	policy_sts_fetched(q->d->policy, r);
	q->env->release(q->d);
	free(q);
}

static void sts_addr(const struct dns_answer *a, void *arg)
{
	struct sts_q *q = arg;
	struct domain_policy *pol = q->d->policy;
	char host[512], url[600];

	if (a->status == DNS_CANCELLED) {
		free(q);
		return;
	}
	snprintf(host, sizeof(host), "mta-sts.%s", q->d->name);
	if (a->status == DNS_OK && a->naddrs > 0 && a->sec != DNSSEC_BOGUS) {
		snprintf(pol->sts_addr, sizeof(pol->sts_addr), "%s", a->addrs[0]);
		snprintf(url, sizeof(url), "https://%s/.well-known/mta-sts.txt", host);
		struct sts_q *f = xcalloc(1, sizeof(*f));

		*f = *q;
		q->env->hold(q->d);
		https_get(q->env->https, url, host, pol->sts_addr, q->timeout_s, STS_POLICY_MAX,
		    sts_fetched, f);
	} else if (q->rrtype == ns_t_a) {
		struct sts_q *q6 = xcalloc(1, sizeof(*q6));
		*q6 = *q;
		q6->rrtype = ns_t_aaaa;
		q->env->hold(q->d);
		dns_query(q->env->dns, host, ns_t_aaaa, sts_addr, q6);
	} else {
		pol->sts_fetched = 1;
		pol->sts_fetch_error = xasprintf("%s has no address", host);
	}
	q->env->release(q->d);
	free(q);
}

/* After the _mta-sts TXT: exactly one valid record means a policy to fetch. */
static void sts_txt_done(const struct policy_env *env, struct domain *d, double timeout_s)
{
	struct domain_policy *pol = d->policy;
	struct sts_q *q;
	char err[160], host[512];

	if (pol->sts_txt.failed || pol->sts_txt.recs.n != 1 ||
	    records_sts_txt(pol->sts_txt.recs.v[0], &pol->sts_id, err, sizeof(err)) != 0)
		return;
	pol->sts_txt_ok = 1;
	if (env->https == NULL)
		return;
	q = xcalloc(1, sizeof(*q));
	q->env = env;
	q->d = d;
	q->rrtype = ns_t_a;
	q->timeout_s = timeout_s;
	snprintf(host, sizeof(host), "mta-sts.%s", d->name);
	env->hold(d);
	dns_query(env->dns, host, ns_t_a, sts_addr, q);
}

void policy_start(const struct policy_env *env, struct domain *d, const struct policy_config *cfg)
{
	struct domain_policy *pol = xcalloc(1, sizeof(*pol));

	d->policy = pol;
	if (cfg->mta_sts) {
		txt_lookup(env, d, "_mta-sts.", &pol->sts_txt, "v=STSv1", sts_txt_done,
		    cfg->timeout_s);
		txt_lookup(env, d, "_smtp._tls.", &pol->tlsrpt_txt, "v=TLSRPTv1", NULL, 0);
	}
	if (cfg->dns_records) {
		txt_lookup(env, d, "", &pol->spf_txt, "v=spf1", NULL, 0);
		txt_lookup(env, d, "_dmarc.", &pol->dmarc_txt, "v=DMARC1", NULL, 0);
		pol->dkim = xcalloc(cfg->ndkim + 1, sizeof(*pol->dkim));
		pol->ndkim = cfg->ndkim;
		for (size_t i = 0; i < cfg->ndkim; i++) {
			char prefix[300];
			pol->dkim[i].selector = xstrdup(cfg->dkim_selectors[i]);
			snprintf(prefix, sizeof(prefix), "%s._domainkey.", cfg->dkim_selectors[i]);
			txt_lookup(env, d, prefix, &pol->dkim[i].txt, NULL, NULL, 0);
		}
	}
}

/* MTA-STS demands PKIX: a trusted chain, in date, naming the MX by a DNS-ID (RFC 8461 4.2). */
static int pkix_valid(const struct probe *p, char *why, size_t len)
{
	if (!p->facts.checked) {
		snprintf(why, len, "no TLS certificate was seen");
		return 0;
	}
	if (!p->facts.trusted)
		snprintf(why, len, "the chain does not verify to a trusted root");
	else if (!p->facts.dates_ok)
		snprintf(why, len, "a certificate is expired or not yet valid");
	else if (!p->facts.name_matched || p->facts.name_by_cn)
		snprintf(why, len,
		    "the certificate does not name the MX host in a DNS subjectAltName");
	else
		return 1;
	return 0;
}

static void judge_sts(struct domain *d)
{
	struct domain_policy *pol = d->policy;
	struct sts_policy *sp;
	char err[200];
	int bad = 0, enforce;
	size_t tested = 0, untested = 0;

	if (pol->sts_txt.failed) {
		domain_add(d, F_MTASTS_TXT_INVALID, "the _mta-sts.%s lookup failed: %s", d->name,
		    pol->sts_txt.why);
		return;
	}
	if (pol->sts_txt.recs.n == 0) {
		domain_add(d, F_MTASTS_NO_TXT, "%s publishes no MTA-STS policy (_mta-sts TXT)",
		    d->name);
		return;
	}
	if (pol->sts_txt.recs.n > 1) {
		domain_add(d, F_MTASTS_TXT_INVALID,
		    "_mta-sts.%s has %zu v=STSv1 records; RFC 8461 3.1 says senders then assume "
		    "no policy",
		    d->name, pol->sts_txt.recs.n);
		return;
	}
	if (!pol->sts_txt_ok) {
		records_sts_txt(pol->sts_txt.recs.v[0], &pol->sts_id, err, sizeof(err));
		domain_add(d, F_MTASTS_TXT_INVALID, "_mta-sts.%s: %s", d->name, err);
		return;
	}
	if (!pol->sts_fetched)
		return;
	if (pol->sts_fetch_error) {
		domain_add(d, F_MTASTS_POLICY_FETCH_FAILED,
		    "https://mta-sts.%s/.well-known/mta-sts.txt: %s", d->name,
		    pol->sts_fetch_error);
		return;
	}
	sp = pol->sts_policy = xcalloc(1, sizeof(*sp));
	if (records_sts_policy(pol->sts_body, pol->sts_body_len, sp, err, sizeof(err)) != 0) {
		domain_add(d, F_MTASTS_POLICY_INVALID, "the MTA-STS policy of %s: %s", d->name,
		    err);
		return;
	}
	pol->sts_policy_ok = 1;
	if (sp->mode != STS_MODE_ENFORCE)
		domain_add(d, F_MTASTS_TESTING,
		    "the MTA-STS policy is in %s mode: senders report failures but still deliver",
		    sp->mode == STS_MODE_TESTING ? "testing" : "none");
	if (sp->mode == STS_MODE_NONE)
		return;
	enforce = sp->mode == STS_MODE_ENFORCE;
	for (size_t i = 0; i < d->nmx; i++) {
		const struct mx_host *m = &d->mx[i];
		int covered = 0;

		if (m->implicit || m->svc)
			continue; /* RFC 8461 applies to MX delivery only */
		for (size_t k = 0; k < sp->nmx && !covered; k++)
			covered = records_sts_mx_match(sp->mx[k], m->host);
		if (!covered) {
			bad = 1;
			domain_add_arg(d, F_MTASTS_MX_NOT_COVERED, sp->mode,
			    "MX %s matches no mx: pattern of the MTA-STS policy%s", m->host,
			    enforce ? "; in enforce mode senders will not deliver to it" : "");
			continue;
		}
		for (size_t k = 0; k < m->nprobes; k++) {
			char why[160];

			/* No verdict on the server (refused for now, no route from here): its
			 * certificate was not seen, so it neither meets the policy nor fails it. */
			if (m->probes[k]->status == STATUS_UNKNOWN) {
				untested++;
				continue;
			}
			tested++;
			if (pkix_valid(m->probes[k], why, sizeof(why)))
				continue;
			bad = 1;
			domain_add_arg(d, F_MTASTS_CERT_INVALID, sp->mode,
			    "MX %s [%s]: %s, which MTA-STS does not accept%s", m->host,
			    m->probes[k]->address, why,
			    enforce ? "; in enforce mode senders will not deliver to it" : "");
		}
	}
	if (!bad && (tested || !untested))
		domain_add(d, F_MTASTS_VALID,
		    "MTA-STS policy id %s, mode %s, max_age %ld s: every MX is covered and "
		    "presents a valid certificate%s",
		    pol->sts_id.id, enforce ? "enforce" : "testing", sp->max_age,
		    untested ? " (of the addresses tested; some could not be)" : "");
}

static int dane_published(const struct domain *d)
{
	for (size_t i = 0; i < d->nmx; i++)
		if (d->mx[i].svc == 0 && d->mx[i].dane &&
		    d->mx[i].dane->state == DANE_STATE_SECURE)
			return 1;
	return 0;
}

static void judge_tlsrpt(struct domain *d)
{
	struct domain_policy *pol = d->policy;
	char err[200];
	int needed = pol->sts_txt.recs.n > 0 || dane_published(d);

	if (pol->tlsrpt_txt.recs.n == 0) {
		domain_add_arg(d, F_TLSRPT_MISSING, needed,
		    "no TLS-RPT record at _smtp._tls.%s%s%s%s%s", d->name,
		    pol->tlsrpt_txt.failed ? " (the lookup failed: " : "",
		    pol->tlsrpt_txt.failed ? pol->tlsrpt_txt.why : "",
		    pol->tlsrpt_txt.failed ? ")" : "",
		    !needed ? ""
		        : pol->sts_txt.recs.n
		        ? "; with MTA-STS published, nobody hears when senders fail"
		        : "; with DANE published, nobody hears when senders fail");
		return;
	}
	if (pol->tlsrpt_txt.recs.n > 1) {
		domain_add(d, F_TLSRPT_INVALID,
		    "%zu TLS-RPT records; RFC 8460 3 says senders then use none",
		    pol->tlsrpt_txt.recs.n);
		return;
	}
	if (records_tlsrpt(pol->tlsrpt_txt.recs.v[0], &pol->tlsrpt, err, sizeof(err)) != 0) {
		domain_add(d, F_TLSRPT_INVALID, "_smtp._tls.%s: %s", d->name, err);
		return;
	}
	pol->tlsrpt_ok = 1;
	if (pol->tlsrpt.rua_left_out)
		domain_add(d, F_TLSRPT_OK,
		    "TLS failure reports go to %s (and %d more URIs not read)", pol->tlsrpt.rua,
		    pol->tlsrpt.rua_left_out);
	else
		domain_add(d, F_TLSRPT_OK, "TLS failure reports go to %s", pol->tlsrpt.rua);
}

static void judge_records(struct domain *d)
{
	struct domain_policy *pol = d->policy;
	char err[200];

	if (pol->spf_txt.recs.n == 0)
		domain_add(d, F_SPF_MISSING, "no SPF record (v=spf1 TXT) at %s%s%s%s", d->name,
		    pol->spf_txt.failed ? " (the lookup failed: " : "",
		    pol->spf_txt.failed ? pol->spf_txt.why : "", pol->spf_txt.failed ? ")" : "");
	else if (pol->spf_txt.recs.n > 1)
		domain_add(d, F_SPF_MULTIPLE,
		    "%zu SPF records at %s: SPF evaluation is a permerror", pol->spf_txt.recs.n,
		    d->name);
	else if (records_spf(pol->spf_txt.recs.v[0], &pol->spf, err, sizeof(err)) != 0)
		domain_add(d, F_SPF_INVALID, "SPF: %s", err);
	else if (pol->spf.lookups > 10)
		domain_add(d, F_SPF_INVALID,
		    "SPF needs %d DNS lookups; more than 10 is a permerror "
		    "(RFC 7208 4.6.4)",
		    pol->spf.lookups);
	else {
		pol->spf_ok = 1;
		if (pol->spf.all_qualifier)
			domain_add(d, F_SPF_OK, "SPF ends in %call", pol->spf.all_qualifier);
		else
			domain_add(d, F_SPF_OK, "SPF has no all mechanism%s%s",
			    pol->spf.redirect[0] ? "; redirect=" : " (neutral for the rest)",
			    pol->spf.redirect);
	}
	if (pol->dmarc_txt.recs.n == 0)
		domain_add(d, F_DMARC_MISSING, "no DMARC record at _dmarc.%s%s%s%s", d->name,
		    pol->dmarc_txt.failed ? " (the lookup failed: " : "",
		    pol->dmarc_txt.failed ? pol->dmarc_txt.why : "",
		    pol->dmarc_txt.failed ? ")" : "");
	else if (pol->dmarc_txt.recs.n > 1)
		domain_add(d, F_DMARC_INVALID, "%zu DMARC records at _dmarc.%s: receivers use none",
		    pol->dmarc_txt.recs.n, d->name);
	else if (records_dmarc(pol->dmarc_txt.recs.v[0], &pol->dmarc, err, sizeof(err)) != 0)
		domain_add(d, F_DMARC_INVALID, "DMARC: %s", err);
	else {
		pol->dmarc_ok = 1;
		domain_add(d, F_DMARC_OK, "DMARC p=%s%s%s, pct=%d%s", pol->dmarc.p,
		    pol->dmarc.sp[0] ? ", sp=" : "", pol->dmarc.sp, pol->dmarc.pct,
		    pol->dmarc.rua_left_out ? " (rua= longer than mailtls reads; the rest not read)"
		                            : "");
	}
	for (size_t i = 0; i < pol->ndkim; i++) {
		struct dkim_sel *k = &pol->dkim[i];

		if (k->txt.recs.n == 0)
			domain_add(d, F_DKIM_MISSING, "no DKIM key at %s._domainkey.%s%s%s",
			    k->selector, d->name, k->txt.failed ? ": " : "",
			    k->txt.failed ? k->txt.why : "");
		else if (k->txt.recs.n > 1)
			domain_add(d, F_DKIM_INVALID, "%zu TXT records at %s._domainkey.%s",
			    k->txt.recs.n, k->selector, d->name);
		else if (records_dkim(k->txt.recs.v[0], &k->key, err, sizeof(err)) != 0)
			domain_add(d, F_DKIM_INVALID, "DKIM %s: %s", k->selector, err);
		else if (k->key.revoked)
			domain_add(d, F_DKIM_INVALID, "DKIM %s: the key is revoked (empty p=)",
			    k->selector);
		else if (strcmp(k->key.k, "rsa") == 0 && k->key.key_bits < 1024)
			domain_add(d, F_DKIM_INVALID,
			    "DKIM %s: a %d-bit RSA key; RFC 8301 3.2 forbids keys under 1024 bits",
			    k->selector, k->key.key_bits);
		else {
			k->ok = 1;
			domain_add(d, F_DKIM_OK, "DKIM %s: %s %d bits%s", k->selector, k->key.k,
			    k->key.key_bits,
			    strcmp(k->key.k, "rsa") == 0 && k->key.key_bits < 2048
			        ? " (RFC 8301 asks for 2048)"
			        : "");
		}
	}
}

/* A TXT answer with more records than are read: the record looked for may be among them. */
static void judge_truncated(struct domain *d)
{
	struct domain_policy *pol = d->policy;
	const struct {
		const struct txt_set *set;
		const char *prefix;
	} sets[] = {{&pol->sts_txt, "_mta-sts."}, {&pol->tlsrpt_txt, "_smtp._tls."},
	    {&pol->spf_txt, ""}, {&pol->dmarc_txt, "_dmarc."}};

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (sets[i].set->dropped)
			domain_add(d, F_DNS_TRUNCATED,
			    "%s%s has %zu more TXT records than are read; a record looked for "
			    "there may be among them",
			    sets[i].prefix, d->name, sets[i].set->dropped);
	for (size_t i = 0; i < pol->ndkim; i++)
		if (pol->dkim[i].txt.dropped)
			domain_add(d, F_DNS_TRUNCATED,
			    "%s._domainkey.%s has %zu more TXT records than are read",
			    pol->dkim[i].selector, d->name, pol->dkim[i].txt.dropped);
}

void policy_judge(struct domain *d, const struct policy_config *cfg)
{
	/* A domain that does not exist, or whose MX lookup failed, has nothing to say about
	 * its policies beyond that: the lookups beside it failed for the same reason. */
	if (d->policy == NULL || d->mx_failed)
		return;
	judge_truncated(d);
	if (cfg->mta_sts) {
		judge_sts(d);
		judge_tlsrpt(d);
	}
	if (cfg->dns_records)
		judge_records(d);
}
