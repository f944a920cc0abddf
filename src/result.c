/*
 * result.c - building and freeing probes and runs, and deriving a status from findings.
 * The status is computed here and nowhere else.
 */
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "util.h"

void strlist_add(struct strlist *l, const char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

struct probe *probe_new(const char *host, const char *address, uint16_t port,
    enum tls_mode mode, const struct dialect *d)
{
	struct probe *p = xcalloc(1, sizeof(*p));

	p->host = xstrdup(host);
	p->address = xstrdup(address ? address : "");
	p->port = port;
	p->mode = mode;
	p->dialect = d;
	p->status = STATUS_OK;
	return p;
}

void probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	free(p->host);
	free(p->address);
	free(p->banner);
	strlist_free(&p->capa_plain);
	strlist_free(&p->capa_tls);
	free(p->tls_version);
	free(p->cipher);
	free(p->group);
	if (p->chain)
		sk_X509_pop_free(p->chain, X509_free);
	for (size_t i = 0; i < p->ncerts; i++) {
		free(p->certs[i].subject);
		free(p->certs[i].issuer);
		free(p->certs[i].serial);
		strlist_free(&p->certs[i].san);
	}
	free(p->certs);
	free(p->facts.matched_name);
	free(p->facts.trust_anchor);
	for (size_t i = 0; i < p->nfindings; i++)
		free(p->findings[i].message);
	free(p->findings);
	free(p);
}

static void probe_vadd(struct probe *p, enum finding_code code, enum severity sev, int cert,
    const char *fmt, va_list ap)
{
	struct finding *f;

	p->findings = xreallocarray(p->findings, p->nfindings + 1, sizeof(*p->findings));
	f = &p->findings[p->nfindings++];
	f->code = code;
	f->sev = sev;
	f->cert = cert;
	f->message = xvasprintf(fmt, ap);
}

void probe_add(struct probe *p, enum finding_code code, int cert, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	probe_vadd(p, code, finding_defs[code].sev, cert, fmt, ap);
	va_end(ap);
}

void probe_add_sev(struct probe *p, enum finding_code code, enum severity sev, int cert,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	probe_vadd(p, code, sev, cert, fmt, ap);
	va_end(ap);
}

int probe_has(const struct probe *p, enum finding_code code)
{
	for (size_t i = 0; i < p->nfindings; i++)
		if (p->findings[i].code == code)
			return 1;
	return 0;
}

/* Order findings worst first (stable), then fold them into the probe's status. */
void probe_settle(struct probe *p)
{
	enum status st = STATUS_OK;

	for (size_t i = 1; i < p->nfindings; i++) {
		struct finding f = p->findings[i];
		size_t j = i;

		while (j > 0 && p->findings[j - 1].sev < f.sev) {
			p->findings[j] = p->findings[j - 1];
			j--;
		}
		p->findings[j] = f;
	}
	for (size_t i = 0; i < p->nfindings; i++)
		st = status_worst(st, status_of(p->findings[i].sev));
	p->status = st;
}

void run_add(struct run *r, struct probe *p)
{
	r->probes = xreallocarray(r->probes, r->nprobes + 1, sizeof(*r->probes));
	r->probes[r->nprobes++] = p;
}

void run_settle(struct run *r)
{
	r->status = r->nprobes ? STATUS_OK : STATUS_UNKNOWN;
	for (size_t i = 0; i < r->nprobes; i++)
		r->status = status_worst(r->status, r->probes[i]->status);
}

void run_free(struct run *r)
{
	for (size_t i = 0; i < r->nprobes; i++)
		probe_free(r->probes[i]);
	free(r->probes);
	r->probes = NULL;
	r->nprobes = 0;
}
