/*
 * out_nagios.c - the monitoring-plugins view (Nagios, Icinga, Naemon, Sensu): one status
 * line, "MAILTLS <STATUS> - <what is worst> | <perfdata>", then one line per probe and per
 * problem. The exit status is the run's, decided by the verdict; this view only picks
 * what to name first (the first finding of the first probe as bad as the run) and
 * renders thresholds the user gave as perfdata ranges.
 * Guidelines: https://www.monitoring-plugins.org/doc/guidelines.html (plugin output,
 * performance data: 'label'=value[UOM];[warn];[crit];[min];[max]).
 */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "out/output.h"

static const char *const status_word[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

/* Text for the plugin's output: a '|' would start perfdata, a newline a new line. */
static void put_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '|' ? '/' : *s == '\n' ? ' ' : *s, f);
}

static void where(const struct probe *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s [%s]:%u", p->host, p->address, p->port);
}

/* A perfdata label: quoted, a quote doubled, nothing that ends the label. */
static void put_label(FILE *f, const struct probe *p, const char *what)
{
	char w[300];

	where(p, w, sizeof(w));
	fputc('\'', f);
	for (const char *s = w; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s == '=' || *s == '|' ? '_' : *s, f);
	}
	fprintf(f, " %s'", what);
}

static size_t problems(const struct finding *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += v[i].sev >= SEV_WARN;
	return k;
}

static void status_line(FILE *f, const struct run *r, const struct probe_list *c)
{
	const struct finding *first = NULL;
	const struct probe *at = NULL;
	const char *domain = NULL;
	size_t total = 0;
	char w[300];

	/* Findings are worst first (the verdict sorted them): the first one of a probe or a
	 * domain as bad as the run names what is wrong. */
	for (size_t i = 0; i < r->ndomains; i++) {
		const struct domain *d = r->domains[i];

		total += problems(d->findings, d->nfindings);
		if (!first && d->nfindings && d->findings[0].sev >= SEV_WARN &&
		    status_of(d->findings[0].sev) == r->status) {
			first = &d->findings[0];
			domain = d->name;
		}
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct probe *p = c->v[i];

		total += problems(p->findings, p->nfindings);
		if (!first && p->status == r->status && p->nfindings &&
		    p->findings[0].sev >= SEV_WARN) {
			first = &p->findings[0];
			at = p;
		}
	}
	fprintf(f, "MAILTLS %s - ", status_word[r->status]);
	if (first) {
		if (at)
			where(at, w, sizeof(w));
		put_text(f, at ? w : domain);
		fputs(": ", f);
		put_text(f, first->message);
		if (total > 1)
			fprintf(f, " (and %zu more problem%s)", total - 1, total == 2 ? "" : "s");
	} else if (r->status == STATUS_UNKNOWN) {
		fputs("the check did not finish", f);
	} else if (c->n == 0) {
		for (size_t i = 0; i < r->ndomains; i++) {
			put_text(f, r->domains[i]->name);
			fputs(i + 1 < r->ndomains ? ", " : ": no mail server to check", f);
		}
	} else {
		/* The first probe that was tested names the run; those this machine has no
		 * route to are counted apart, never called ok. */
		const struct probe *p = c->v[0];
		size_t untested = 0;

		for (size_t i = c->n; i-- > 0;)
			if (probe_has(c->v[i], F_ADDRESS_UNROUTED))
				untested++;
			else
				p = c->v[i];
		where(p, w, sizeof(w));
		put_text(f, w);
		if (p->tls_version)
			fprintf(f, " %s", p->tls_version);
		if (p->ncerts)
			fprintf(f, ", certificate valid for %ld more days", p->facts.min_days_left);
		if (c->n > 1 && untested)
			fprintf(f, " (and %zu more probe%s: %zu ok, %zu not tested from here)",
			    c->n - 1, c->n == 2 ? "" : "s", c->n - 1 - untested, untested);
		else if (c->n > 1)
			fprintf(f, " (and %zu more probes, all ok)", c->n - 1);
	}
}

/* Days left of the path (thresholds as ranges: alert below them), then each phase's
 * seconds where it was reached. */
static void perfdata(FILE *f, const struct probe_list *c, const struct view_opts *v)
{
	const char *sep = " | ";

	for (size_t i = 0; i < c->n; i++) {
		const struct probe *p = c->v[i];
		const struct {
			const char *name;
			double ms;
		} ph[] = {{"connect", p->t.connect_ms}, {"greeting", p->t.banner_ms},
		    {"starttls", p->t.starttls_ms}, {"tls", p->t.handshake_ms},
		    {"total", p->t.total_ms}};

		if (p->facts.checked) {
			fputs(sep, f);
			put_label(f, p, "days");
			fprintf(f, "=%ld;%ld:;%ld:;;", p->facts.min_days_left, v->warn_days,
			    v->crit_days);
			sep = " ";
		}
		for (size_t k = 0; k < sizeof(ph) / sizeof(ph[0]); k++) {
			if (ph[k].ms < 0)
				continue;
			fputs(sep, f);
			put_label(f, p, ph[k].name);
			fprintf(f, "=%.6fs;;;0;", ph[k].ms / 1000);
			sep = " ";
		}
	}
}

/* The warnings and critical findings, one a line, with their codes. */
static void put_problems(FILE *f, const struct finding *v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (v[k].sev < SEV_WARN)
			continue;
		fprintf(f, "  %s %s: ", severity_name(v[k].sev), finding_defs[v[k].code].name);
		put_text(f, v[k].message);
		fputc('\n', f);
	}
}

static void long_output(FILE *f, const struct run *r, const struct probe_list *c)
{
	char w[300];

	/* With --host the one "domain" is the server itself: its probes say it all. */
	for (size_t i = 0; r->domain_mode && i < r->ndomains; i++) {
		const struct domain *d = r->domains[i];

		fprintf(f, "%s ", status_word[d->status]);
		put_text(f, d->name);
		fputc('\n', f);
		put_problems(f, d->findings, d->nfindings);
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct probe *p = c->v[i];

		where(p, w, sizeof(w));
		fprintf(f, "%s ", status_word[p->status]);
		put_text(f, w);
		if (p->tls_version)
			fprintf(f, " %s %s", p->tls_version, p->cipher);
		if (p->ncerts) {
			fputs(", ", f);
			put_text(f, p->certs[0].subject);
			fprintf(f, ", %ld days left", p->certs[0].days_left);
		}
		fputc('\n', f);
		put_problems(f, p->findings, p->nfindings);
	}
}

void out_nagios(FILE *f, const struct run *r, const struct view_opts *v)
{
	struct probe_list c;

	run_probes(r, &c);
	status_line(f, r, &c);
	perfdata(f, &c, v);
	fputc('\n', f);
	long_output(f, r, &c);
	free(c.v);
}
