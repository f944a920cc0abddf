/*
 * verdict.c - severities and statuses from findings, facts and context (verdict.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "conf/limits.h"
#include "conf/policy.h"
#include "model/published.h"
#include "model/suites.h"
#include "model/tlsa.h"
#include "model/verdict.h"

/* What a DANE match makes irrelevant for mail (RFC 7672 3.1.1 for DANE-EE, 3.1.2 for TA). */
static const enum finding_code dane_ee_moot[] = {F_CERT_EXPIRED, F_CERT_NOT_YET_VALID,
    F_CERT_EXPIRES_SOON, F_CERT_SELF_SIGNED, F_CERT_UNTRUSTED_ROOT, F_CERT_CHAIN_INCOMPLETE,
    F_CERT_CHAIN_ORDER, F_CERT_VERIFY_ERROR, F_CERT_HOSTNAME_MISMATCH, F_CERT_CN_ONLY,
    F_CERT_NO_SERVER_AUTH, F_CERT_REVOKED, F_CERT_NAME_CONSTRAINT_VIOLATION};
static const enum finding_code dane_ta_moot[] = {F_CERT_SELF_SIGNED, F_CERT_UNTRUSTED_ROOT,
    F_CERT_CHAIN_INCOMPLETE};

static int dane_moot(const struct finding *f, const struct probe *p)
{
	const enum finding_code *v = p->dane_matched == 3 ? dane_ee_moot : dane_ta_moot;
	size_t n = p->dane_matched == 3 ? sizeof(dane_ee_moot) / sizeof(dane_ee_moot[0])
	                                : sizeof(dane_ta_moot) / sizeof(dane_ta_moot[0]);

	if (p->dane_matched != 2 && p->dane_matched != 3)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] == f->code)
			return 1;
	return 0;
}

static enum severity verdict_rule(const struct finding *f, const struct verdict_ctx *ctx)
{
	switch (f->code) {
	case F_CERT_EXPIRES_SOON:
		return f->arg < ctx->crit_days ? SEV_CRIT : SEV_WARN;
	case F_SLOW_GREETING:
		return f->arg >= (long)(SLOW_GREETING_WARN_S * 1000) ? SEV_WARN : SEV_INFO;
	case F_MTASTS_MX_NOT_COVERED:
	case F_MTASTS_CERT_INVALID:
		return f->arg == STS_MODE_ENFORCE ? SEV_CRIT : SEV_WARN;
	case F_TLS_PROFILE:
		return f->arg >= SEV_OK && f->arg <= SEV_CRIT ? (enum severity)f->arg : SEV_CRIT;
	case F_TLS_LEGACY_VERSION:
		return f->arg == 0x0300 ? SEV_CRIT : SEV_WARN;
	case F_TLS_WEAK_CIPHER:
		/* Anonymous suites are chosen only by a client that offers them, which no client
		 * that verifies does: Postfix keeps them for opportunistic TLS (RFC 7435). */
		return f->arg == SUITE_3DES || f->arg == SUITE_ANON ? SEV_WARN : SEV_CRIT;
	case F_TLS_WEAK_DH:
		return f->arg < 1024 ? SEV_CRIT : SEV_WARN;
	case F_TLSRPT_MISSING:
	case F_MX_NULL:
		return f->arg ? SEV_WARN : SEV_INFO;
	default:
		return finding_defs[f->code].sev;
	}
}

enum severity verdict_severity(const struct finding *f, const struct probe *p,
    const struct verdict_ctx *ctx)
{
	enum severity s = verdict_rule(f, ctx);

	if (p && s > SEV_INFO && dane_moot(f, p))
		return SEV_INFO;
	return s;
}

/* Why a severity is what it is, where the message alone would not say. */
static void verdict_note(struct finding *f, const struct probe *p, const struct verdict_ctx *ctx)
{
	char *m = NULL;

	if (p && f->sev == SEV_INFO && verdict_rule(f, ctx) > SEV_INFO && dane_moot(f, p))
		m = xasprintf("%s (for mail this does not matter: a DANE-%s(%d) record matches, "
		              "RFC 7672 %s)",
		    f->message, p->dane_matched == 3 ? "EE" : "TA", p->dane_matched,
		    p->dane_matched == 3 ? "3.1.1" : "3.1.2");
	else if (f->code == F_SLOW_GREETING)
		m = xasprintf(f->sev == SEV_WARN
		        ? "%s, within a minute of the 5 minutes senders wait for it (RFC 5321 "
		          "4.5.3.2.1); some give up sooner"
		        : "%s (a deliberate delay?); senders wait up to 5 minutes (RFC 5321 "
		          "4.5.3.2.1), so mail flows, each delivery that much later",
		    f->message);
	if (m) {
		free(f->message);
		f->message = m;
	}
}

/* Worst first, stable; the status the findings fold into. */
static enum status verdict_fold(struct finding *v, size_t n)
{
	enum status st = STATUS_OK;

	for (size_t i = 1; i < n; i++) {
		struct finding f = v[i];
		size_t j = i;

		while (j > 0 && severity_rank(v[j - 1].sev) < severity_rank(f.sev)) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = f;
	}
	for (size_t i = 0; i < n; i++)
		st = status_worst(st, status_of(v[i].sev));
	return st;
}

/* CERT_EXPIRES_SOON for each certificate of the path in date but within warn_days, or
 * CERT_DATES_OK when the path is in date and none is. */
static void verdict_dates(struct probe *p, const struct verdict_ctx *ctx)
{
	int soon = 0;

	for (size_t i = 0; i < p->ncerts; i++) {
		const struct cert_info *ci = &p->certs[i];
		char when[32];

		if (!ci->in_path || ci->days_left < 0 || ci->not_after <= ctx->at ||
		    ci->days_left >= ctx->warn_days)
			continue;
		fmt_time(ci->not_after, when, sizeof(when));
		probe_add_arg(p, F_CERT_EXPIRES_SOON, (int)i, ci->days_left,
		    "certificate \"%s\" expires in %ld day%s (%s)", ci->subject, ci->days_left,
		    ci->days_left == 1 ? "" : "s", when);
		soon = 1;
	}
	if (p->facts.checked && p->facts.dates_ok && !soon && p->ncerts)
		probe_add(p, F_CERT_DATES_OK, 0,
		    "the server certificate is valid for %ld more days", p->certs[0].days_left);
}

static int in_list(const struct policy_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* "TLSv1.2" -> 12 (SSLv3 -> 3), 0 when unknown. */
static int tls_rank(const char *v)
{
	if (v == NULL)
		return 0;
	if (strcmp(v, "SSLv3") == 0)
		return 3;
	if (strcmp(v, "TLSv1") == 0)
		return 10;
	if (strncmp(v, "TLSv1.", 6) == 0 && v[6] >= '1' && v[6] <= '3' && v[7] == '\0')
		return 10 + v[6] - '0';
	return 0;
}

/* What the policy file's rule for this server requires, each breach a finding. */
static void verdict_policy_probe(struct probe *p, const struct policy_rule *r)
{
	const struct cert_info *leaf = p->ncerts ? &p->certs[0] : NULL;

	if (r->min_tls && p->tls_version && tls_rank(p->tls_version) < r->min_tls)
		probe_add(p, F_POLICY_TLS_VERSION, -1,
		    "%s was negotiated; the policy (rule %s, line "
		    "%d) asks for TLS 1.%d at least",
		    p->tls_version, r->match, r->line, r->min_tls - 10);
	if (leaf == NULL)
		return;
	if ((r->issuers.n || r->issuer_spki.n) && !in_list(&r->issuers, leaf->issuer) &&
	    !(p->ncerts > 1 && p->certs[1].in_path &&
	        in_list(&r->issuer_spki, p->certs[1].spki_sha256)))
		probe_add(p, F_POLICY_ISSUER_UNEXPECTED, 0,
		    "issued by \"%s\", which the policy (rule %s, line %d) does not expect",
		    leaf->issuer, r->match, r->line);
	if (r->pins.n && !in_list(&r->pins, leaf->spki_sha256))
		probe_add(p, F_POLICY_PIN_MISMATCH, 0,
		    "the server key (SPKI SHA-256 %s) is none of the %zu the policy (rule %s, line "
		    "%d) pins",
		    leaf->spki_sha256, r->pins.n, r->match, r->line);
	for (size_t i = 0; i < r->names.n; i++) {
		char want[300];
		size_t k = 0;

		snprintf(want, sizeof(want), "DNS:%s", r->names.v[i]);
		while (k < leaf->san.n && strcasecmp(leaf->san.v[k], want) != 0)
			k++;
		if (k == leaf->san.n)
			probe_add(p, F_POLICY_NAME_MISSING, 0,
			    "the certificate does not name %s, which the policy (rule %s, line %d) "
			    "requires",
			    r->names.v[i], r->match, r->line);
	}
	if (r->min_rsa_bits && strcmp(leaf->key_type, "RSA") == 0 &&
	    leaf->key_bits < r->min_rsa_bits)
		probe_add(p, F_POLICY_KEY_SIZE, 0,
		    "a %d-bit RSA key; the policy (rule %s, line %d) asks for %d bits at least",
		    leaf->key_bits, r->match, r->line, r->min_rsa_bits);
	if (r->must_staple && !leaf->must_staple)
		probe_add(p, F_POLICY_MUST_STAPLE, 0,
		    "the certificate has no TLS Feature status_request extension; the policy (rule "
		    "%s, line %d) requires must-staple",
		    r->match, r->line);
}

/* The policy's word on a finding's severity: its override, else the rule's. The severity
 * is set each time the verdict is taken; the message says so once. */
static void verdict_override(struct finding *f, const struct policy_rule *r)
{
	for (size_t i = 0; r && i < r->noverrides; i++) {
		int ignore = r->overrides[i].sev == POLICY_SEV_IGNORE;
		char *m;

		if (strcmp(r->overrides[i].code, finding_defs[f->code].name) != 0)
			continue;
		f->sev = ignore ? SEV_OK : (enum severity)r->overrides[i].sev;
		if (strstr(f->message, "by the policy, rule ") != NULL) /* said already */
			continue;
		m = xasprintf("%s (%s by the policy, rule %s)", f->message,
		    ignore ? "ignored" : severity_name(f->sev), r->match);
		free(f->message);
		f->message = m;
	}
}

void verdict_probe(struct probe *p, const struct verdict_ctx *ctx)
{
	struct verdict_ctx local = *ctx;

	if (p->judged)
		return;
	p->judged = 1;
	if (p->rule && p->rule->warn_days >= 0)
		local.warn_days = p->rule->warn_days;
	if (p->rule && p->rule->crit_days >= 0)
		local.crit_days = p->rule->crit_days;
	verdict_dates(p, &local);
	if (p->rule)
		verdict_policy_probe(p, p->rule);
	for (size_t i = 0; i < p->nfindings; i++) {
		p->findings[i].sev = verdict_severity(&p->findings[i], p, &local);
		verdict_note(&p->findings[i], p, &local);
		verdict_override(&p->findings[i], p->rule);
	}
	p->status = verdict_fold(p->findings, p->nfindings);
}

/* What the policy file's rule for the domain requires of what it publishes. */
static void verdict_policy_domain(struct domain *d, const struct policy_rule *r)
{
	int dane = 0, sts = 0;

	for (size_t i = 0; i < d->nmx; i++)
		dane |= d->mx[i].svc == 0 && d->mx[i].dane &&
		    d->mx[i].dane->state == DANE_STATE_SECURE;
	for (size_t i = 0; i < d->nfindings; i++)
		sts |= d->findings[i].code == F_MTASTS_VALID;
	sts = sts && d->policy && d->policy->sts_policy_ok &&
	    d->policy->sts_policy->mode == STS_MODE_ENFORCE;
	if (r->dane_required && !dane && !d->mx_failed)
		domain_add(d, F_POLICY_DANE_REQUIRED,
		    "no MX of %s has DNSSEC-signed TLSA records; the policy (rule %s, line %d) "
		    "requires DANE",
		    d->name, r->match, r->line);
	if (r->mta_sts_enforce && !sts && !d->mx_failed)
		domain_add(d, F_POLICY_MTA_STS_REQUIRED,
		    "%s has no valid MTA-STS policy in enforce mode covering every MX; the policy "
		    "(rule %s, line %d) requires one",
		    d->name, r->match, r->line);
}

void verdict_domain(struct domain *d, const struct verdict_ctx *ctx)
{
	enum status st;
	size_t unrouted, total;

	if (d->rule && !d->policy_judged) {
		d->policy_judged = 1;
		verdict_policy_domain(d, d->rule);
	}
	for (size_t i = 0; i < d->nfindings; i++) {
		d->findings[i].sev = verdict_severity(&d->findings[i], NULL, ctx);
		verdict_override(&d->findings[i], d->rule);
	}
	/* An address this machine has no route to was not tested: the verdict stands on
	 * those that were (ADDRESSES_UNTESTED says so), unless none was. */
	unrouted = domain_probes_with(d, F_ADDRESS_UNROUTED, &total);
	st = verdict_fold(d->findings, d->nfindings);
	for (size_t i = 0; i < d->nmx; i++)
		for (size_t j = 0; j < d->mx[i].nprobes; j++) {
			const struct probe *p = d->mx[i].probes[j];

			if (unrouted == total || !probe_has(p, F_ADDRESS_UNROUTED))
				st = status_worst(st, p->status);
		}
	d->status = st;
}

void verdict_run_add(struct run *r, enum status st)
{
	r->status = status_worst(r->status, st);
}

void verdict_run_interrupted(struct run *r)
{
	r->status = STATUS_UNKNOWN; /* an unfinished run is no verdict */
}
