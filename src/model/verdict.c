/*
 * verdict.c - severities and statuses from findings, facts and context (verdict.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "conf/limits.h"
#include "model/published.h"
#include "model/verdict.h"

/* What a DANE match makes irrelevant for mail (RFC 7672 3.1.1 for DANE-EE, 3.1.2 for TA). */
static const enum finding_code dane_ee_moot[] = {F_CERT_EXPIRED, F_CERT_NOT_YET_VALID,
    F_CERT_EXPIRES_SOON, F_CERT_SELF_SIGNED, F_CERT_UNTRUSTED_ROOT, F_CERT_CHAIN_INCOMPLETE,
    F_CERT_CHAIN_ORDER, F_CERT_VERIFY_ERROR, F_CERT_HOSTNAME_MISMATCH, F_CERT_CN_ONLY,
    F_CERT_NO_SERVER_AUTH};
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

		while (j > 0 && v[j - 1].sev < f.sev) {
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

void verdict_probe(struct probe *p, const struct verdict_ctx *ctx)
{
	if (p->judged)
		return;
	p->judged = 1;
	verdict_dates(p, ctx);
	for (size_t i = 0; i < p->nfindings; i++) {
		p->findings[i].sev = verdict_severity(&p->findings[i], p, ctx);
		verdict_note(&p->findings[i], p, ctx);
	}
	p->status = verdict_fold(p->findings, p->nfindings);
}

void verdict_domain(struct domain *d, const struct verdict_ctx *ctx)
{
	enum status st;

	for (size_t i = 0; i < d->nfindings; i++)
		d->findings[i].sev = verdict_severity(&d->findings[i], NULL, ctx);
	st = verdict_fold(d->findings, d->nfindings);
	for (size_t i = 0; i < d->nmx; i++)
		for (size_t j = 0; j < d->mx[i].nprobes; j++)
			st = status_worst(st, d->mx[i].probes[j]->status);
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
