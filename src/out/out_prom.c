/*
 * out_prom.c - a run as Prometheus metrics (text exposition format 0.0.4), for the
 * exporter (mailtls serve). Names start mailtls_, but probe_success and
 * probe_duration_seconds, which blackbox_exporter recipes expect. Every certificate metric
 * is written whenever a chain was seen, verified or not: an expired or untrusted chain is
 * exactly when they are needed. Nothing is decided here: statuses are the verdict's.
 */
#include <stdlib.h>
#include <string.h>

#include "base/dnsrr.h"
#include "model/published.h"
#include "model/tlsa.h"
#include "out/output.h"

/* A label value: backslash, double quote and newline escaped (the format's only rules). */
static void put_value(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void family(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* name{mx="..",address="..",port="..",protocol=".."[,extra] */
static void probe_sample(FILE *f, const char *name, const struct probe *p)
{
	fprintf(f, "%s{mx=\"", name);
	put_value(f, p->host);
	fputs("\",address=\"", f);
	put_value(f, p->address);
	fprintf(f, "\",port=\"%u\",protocol=\"%s\"", p->port, p->protocol);
}

static const char *dane_state_name(enum dane_state s)
{
	static const char *const names[] = {"none", "insecure", "secure", "bogus", "failed"};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

static void probe_metrics(FILE *f, const struct probe_list *c, time_t at)
{
	const struct {
		const char *name;
		size_t off;
	} phases[] = {{"connect", offsetof(struct timing, connect_ms)},
	    {"greeting", offsetof(struct timing, banner_ms)},
	    {"starttls", offsetof(struct timing, starttls_ms)},
	    {"tls", offsetof(struct timing, handshake_ms)},
	    {"total", offsetof(struct timing, total_ms)}};

	family(f, "mailtls_probe_status",
	    "the verdict on one server: 0 ok, 1 warn, 2 crit, 3 unknown");
	for (size_t i = 0; i < c->n; i++) {
		probe_sample(f, "mailtls_probe_status", c->v[i]);
		fprintf(f, "} %d\n", (int)c->v[i]->status);
	}
	family(f, "mailtls_tls_info", "the TLS version and cipher negotiated (always 1)");
	for (size_t i = 0; i < c->n; i++) {
		const struct probe *p = c->v[i];

		if (!p->tls_version)
			continue;
		probe_sample(f, "mailtls_tls_info", p);
		fputs(",version=\"", f);
		put_value(f, p->tls_version);
		fputs("\",cipher=\"", f);
		put_value(f, p->cipher);
		fputs("\"} 1\n", f);
	}
	family(f, "mailtls_cert_not_before_seconds",
	    "notBefore of each certificate as sent, by position (0: the server's)");
	for (size_t i = 0; i < c->n; i++)
		for (size_t k = 0; k < c->v[i]->ncerts; k++) {
			probe_sample(f, "mailtls_cert_not_before_seconds", c->v[i]);
			fprintf(f, ",position=\"%zu\"} %lld\n", k,
			    (long long)c->v[i]->certs[k].not_before);
		}
	family(f, "mailtls_cert_not_after_seconds",
	    "notAfter of each certificate as sent, by position (0: the server's)");
	for (size_t i = 0; i < c->n; i++)
		for (size_t k = 0; k < c->v[i]->ncerts; k++) {
			probe_sample(f, "mailtls_cert_not_after_seconds", c->v[i]);
			fprintf(f, ",position=\"%zu\"} %lld\n", k,
			    (long long)c->v[i]->certs[k].not_after);
		}
	family(f, "mailtls_cert_expires_in_seconds",
	    "seconds from the check to notAfter of each certificate as sent; negative once "
	    "expired");
	for (size_t i = 0; i < c->n; i++)
		for (size_t k = 0; k < c->v[i]->ncerts; k++) {
			probe_sample(f, "mailtls_cert_expires_in_seconds", c->v[i]);
			fprintf(f, ",position=\"%zu\"} %lld\n", k,
			    (long long)c->v[i]->certs[k].not_after - (long long)at);
		}
	family(f, "mailtls_cert_path_expires_in_seconds",
	    "seconds from the check to the first notAfter in the verified path");
	for (size_t i = 0; i < c->n; i++) {
		const struct probe *p = c->v[i];
		long long first = 0;
		int any = 0;

		for (size_t k = 0; k < p->ncerts; k++)
			if (p->certs[k].in_path && (!any || p->certs[k].not_after < first)) {
				first = p->certs[k].not_after;
				any = 1;
			}
		if (!any)
			continue;
		probe_sample(f, "mailtls_cert_path_expires_in_seconds", p);
		fprintf(f, "} %lld\n", first - (long long)at);
	}
	family(f, "mailtls_cert_trusted",
	    "1 when the chain verifies to a trust anchor (dates aside)");
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i]->facts.checked) {
			probe_sample(f, "mailtls_cert_trusted", c->v[i]);
			fprintf(f, "} %d\n", c->v[i]->facts.trusted ? 1 : 0);
		}
	family(f, "mailtls_cert_hostname_match",
	    "1 when the certificate covers the host name (RFC 9525)");
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i]->facts.checked) {
			probe_sample(f, "mailtls_cert_hostname_match", c->v[i]);
			fprintf(f, "} %d\n", c->v[i]->facts.name_matched ? 1 : 0);
		}
	family(f, "mailtls_dane_match",
	    "the usage of the TLSA record that matched (3 DANE-EE, 2 DANE-TA), 0 none");
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i]->dane) {
			probe_sample(f, "mailtls_dane_match", c->v[i]);
			fprintf(f, ",tlsa=\"%s\"} %d\n", dane_state_name(c->v[i]->dane->state),
			    c->v[i]->dane_matched);
		}
	family(f, "mailtls_finding",
	    "a warning or critical finding of a server (mailtls findings lists the codes)");
	for (size_t i = 0; i < c->n; i++)
		for (size_t k = 0; k < c->v[i]->nfindings; k++) {
			const struct finding *fd = &c->v[i]->findings[k];

			if (fd->sev < SEV_WARN)
				continue;
			probe_sample(f, "mailtls_finding", c->v[i]);
			fprintf(f, ",code=\"%s\",severity=\"%s\"} 1\n", finding_defs[fd->code].name,
			    severity_name(fd->sev));
		}
	family(f, "mailtls_phase_seconds",
	    "seconds from the start of the connection to the end of each phase reached");
	for (size_t i = 0; i < c->n; i++)
		for (size_t k = 0; k < sizeof(phases) / sizeof(phases[0]); k++) {
			double ms = *(const double *)((const char *)&c->v[i]->t + phases[k].off);

			if (ms < 0)
				continue;
			probe_sample(f, "mailtls_phase_seconds", c->v[i]);
			fprintf(f, ",phase=\"%s\"} %.6f\n", phases[k].name, ms / 1000);
		}
}

static void domain_metrics(FILE *f, const struct domain *d)
{
	const struct domain_policy *pol = d->policy;
	static const char *const modes[] = {"none", "testing", "enforce"};
	int valid = 0;

	family(f, "mailtls_domain_finding", "a warning or critical finding of the domain itself");
	for (size_t k = 0; k < d->nfindings; k++) {
		if (d->findings[k].sev < SEV_WARN)
			continue;
		fprintf(f, "mailtls_domain_finding{code=\"%s\",severity=\"%s\"} 1\n",
		    finding_defs[d->findings[k].code].name, severity_name(d->findings[k].sev));
	}
	family(f, "mailtls_dane_tlsa",
	    "the TLSA RRset of each MX host: what DNSSEC said of it (always 1)");
	for (size_t i = 0; i < d->nmx; i++) {
		if (!d->mx[i].dane || d->mx[i].svc)
			continue;
		fputs("mailtls_dane_tlsa{mx=\"", f);
		put_value(f, d->mx[i].host);
		fprintf(f, "\",state=\"%s\",records=\"%zu\"} 1\n",
		    dane_state_name(d->mx[i].dane->state), d->mx[i].dane->n);
	}
	if (pol == NULL || !pol->sts_txt.looked_up)
		return;
	family(f, "mailtls_mta_sts_mode",
	    "the mode of the MTA-STS policy fetched (always 1); absent: none published");
	if (pol->sts_policy_ok)
		fprintf(f, "mailtls_mta_sts_mode{mode=\"%s\"} 1\n", modes[pol->sts_policy->mode]);
	family(f, "mailtls_mta_sts_valid",
	    "1 when the policy is valid, covers every MX and every MX passes PKIX");
	for (size_t k = 0; k < d->nfindings; k++)
		valid |= d->findings[k].code == F_MTASTS_VALID;
	fprintf(f, "mailtls_mta_sts_valid %d\n", valid);
	family(f, "mailtls_tls_rpt_present", "1 when one valid TLS-RPT record is published");
	fprintf(f, "mailtls_tls_rpt_present %d\n", pol->tlsrpt_ok ? 1 : 0);
}

void out_prom(FILE *f, const struct run *r, const struct domain *d, double seconds)
{
	struct probe_list c;
	int success = 1;
	size_t tested = 0;

	run_probes(r, &c);
	/* An address this machine has no route to is left out, as the verdict leaves it. */
	for (size_t i = 0; i < c.n; i++)
		if (!probe_has(c.v[i], F_ADDRESS_UNROUTED)) {
			tested++;
			success &= c.v[i]->tls_version != NULL;
		}
	family(f, "probe_success",
	    "1 when every server of the target this machine has a route to was reached and spoke "
	    "TLS");
	fprintf(f, "probe_success %d\n", tested > 0 && success);
	family(f, "probe_duration_seconds", "how long the check took");
	fprintf(f, "probe_duration_seconds %.6f\n", seconds);
	family(f, "mailtls_status", "the verdict on the target: 0 ok, 1 warn, 2 crit, 3 unknown");
	fprintf(f, "mailtls_status %d\n", (int)(d ? d->status : r->status));
	probe_metrics(f, &c, r->at);
	if (d && r->domain_mode)
		domain_metrics(f, d);
	free(c.v);
}
