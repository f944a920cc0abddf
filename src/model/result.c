/*
 * result.c - building and freeing probes and runs, and deriving a status from findings.
 * The status is computed here and nowhere else.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/published.h"
#include "model/result.h"
#include "model/tlsa.h"
#include "model/tlsmap.h"

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

static void findings_free(struct finding *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].message);
	free(v);
}

void probe_init(struct probe *p, const char *host, const char *address, uint16_t port,
    enum tls_mode mode, const struct dialect *d, const char *protocol)
{
	memset(p, 0, sizeof(*p));
	p->host = xstrdup(host);
	p->address = xstrdup(address ? address : "");
	p->port = port;
	p->mode = mode;
	p->dialect = d;
	p->protocol = protocol;
	p->status = STATUS_OK;
	timing_reset(&p->t);
}

void timing_reset(struct timing *t)
{
	t->connect_ms = t->banner_ms = t->starttls_ms = t->handshake_ms = t->total_ms = -1;
	t->capa_ms = t->capa_tls_ms = t->auth_ms = t->mail_ms = t->rcpt_ms = t->data_ms = -1;
	t->noop_ms = t->quit_ms = -1;
}

struct probe *probe_new(const char *host, const char *address, uint16_t port, enum tls_mode mode,
    const struct dialect *d, const char *protocol)
{
	struct probe *p = xcalloc(1, sizeof(*p));

	probe_init(p, host, address, port, mode, d, protocol);
	return p;
}

void probe_clear(struct probe *p)
{
	free(p->view_text);
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
	if (p->path)
		sk_X509_pop_free(p->path, X509_free);
	free(p->staple);
	for (size_t i = 0; i < p->ncerts; i++)
		cert_info_free(&p->certs[i]);
	free(p->certs);
	free(p->facts.matched_name);
	free(p->facts.trust_anchor);
	findings_free(p->findings, p->nfindings);
	dane_rrset_unref(p->dane);
	tlsmap_free(p->map);
	memset(p, 0, sizeof(*p));
}

void cert_info_free(struct cert_info *ci)
{
	free(ci->subject);
	free(ci->issuer);
	free(ci->serial);
	strlist_free(&ci->san);
	free(ci->rev.url);
	free(ci->rev.why);
	memset(ci, 0, sizeof(*ci));
}

void cert_info_copy(struct cert_info *dst, const struct cert_info *src)
{
	*dst = *src;
	dst->subject = src->subject ? xstrdup(src->subject) : NULL;
	dst->issuer = src->issuer ? xstrdup(src->issuer) : NULL;
	dst->serial = src->serial ? xstrdup(src->serial) : NULL;
	memset(&dst->san, 0, sizeof(dst->san));
	for (size_t i = 0; i < src->san.n; i++)
		strlist_add(&dst->san, src->san.v[i]);
	memset(&dst->rev, 0, sizeof(dst->rev));
	dst->in_path = 0;
}

void probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	probe_clear(p);
	free(p);
}

static void findings_vadd(struct finding **v, size_t *n, enum finding_code code, int cert, long arg,
    const char *fmt, va_list ap)
{
	struct finding *f;

	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	f = &(*v)[(*n)++];
	f->code = code;
	f->sev = finding_defs[code].sev; /* until the verdict */
	f->cert = cert;
	f->arg = arg;
	f->message = xvasprintf(fmt, ap);
}

void probe_add(struct probe *p, enum finding_code code, int cert, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	findings_vadd(&p->findings, &p->nfindings, code, cert, 0, fmt, ap);
	va_end(ap);
}

void probe_add_arg(struct probe *p, enum finding_code code, int cert, long arg, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	findings_vadd(&p->findings, &p->nfindings, code, cert, arg, fmt, ap);
	va_end(ap);
}

void probe_forget_session(struct probe *p)
{
	for (size_t i = 0; i < p->nfindings; i++)
		free(p->findings[i].message);
	p->nfindings = 0;
	free(p->banner);
	p->banner = NULL;
	strlist_free(&p->capa_plain);
	timing_reset(&p->t);
}

int probe_has(const struct probe *p, enum finding_code code)
{
	for (size_t i = 0; i < p->nfindings; i++)
		if (p->findings[i].code == code)
			return 1;
	return 0;
}

size_t domain_probes_with(const struct domain *d, enum finding_code code, size_t *total)
{
	size_t n = 0;

	*total = 0;
	for (size_t i = 0; i < d->nmx; i++)
		for (size_t j = 0; j < d->mx[i].nprobes; j++, (*total)++)
			n += probe_has(d->mx[i].probes[j], code);
	return n;
}

void domain_add(struct domain *d, enum finding_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	findings_vadd(&d->findings, &d->nfindings, code, -1, 0, fmt, ap);
	va_end(ap);
}

void domain_add_arg(struct domain *d, enum finding_code code, long arg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	findings_vadd(&d->findings, &d->nfindings, code, -1, arg, fmt, ap);
	va_end(ap);
}

void rev_set_url(struct revocation *r, const char *url)
{
	free(r->url);
	r->url = url ? xstrdup(url) : NULL;
}

void rev_set_why(struct revocation *r, const char *fmt, ...)
{
	va_list ap;
	char *w;

	va_start(ap, fmt);
	if (vasprintf(&w, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	free(r->why);
	r->why = w;
}

const char *rev_method_name(enum rev_method m)
{
	static const char *const names[] = {"none", "ocsp-staple", "ocsp", "crl"};
	return names[m];
}

const char *rev_status_name(enum rev_status s)
{
	static const char *const names[] = {"unchecked", "good", "revoked", "unknown", "invalid",
	    "unreachable", "no source"};
	return names[s];
}

const char *rev_reason_text(int reason)
{
	static const char *const names[] = {"unspecified", "keyCompromise", "cACompromise",
	    "affiliationChanged", "superseded", "cessationOfOperation", "certificateHold",
	    "(unused)", "removeFromCRL", "privilegeWithdrawn", "aACompromise"};

	return reason >= 0 && reason <= 10 ? names[reason] : "unspecified";
}

const char *svc_state_name(enum svc_state s)
{
	static const char *const names[] = {"pending", "found", "not offered", "no SRV record",
	    "lookup failed"};
	return names[s];
}

void domain_free(struct domain *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nmx; i++) {
		free(d->mx[i].host);
		free(d->mx[i].cname);
		free(d->mx[i].dns_error);
		dane_rrset_unref(d->mx[i].dane);
		strlist_free(&d->mx[i].addrs);
		free(d->mx[i].probes);
	}
	free(d->mx);
	for (size_t i = 0; i < d->nsvc; i++)
		free(d->svc[i].owner);
	free(d->svc);
	policy_free(d->policy);
	autoconfig_found_free(d->autoconfig);
	if (d->file_chain)
		sk_X509_pop_free(d->file_chain, X509_free);
	free(d->file_key_path);
	findings_free(d->findings, d->nfindings);
	free(d->name);
	free(d);
}

void run_probes(const struct run *r, struct probe_list *c)
{
	size_t cap = r->nprobes;

	for (size_t i = 0; i < r->ndomains; i++)
		for (size_t k = 0; k < r->domains[i]->nmx; k++)
			cap += r->domains[i]->mx[k].nprobes;
	c->v = xcalloc(cap + 1, sizeof(*c->v));
	c->n = 0;
	for (size_t i = 0; i < r->nprobes; i++)
		c->v[c->n++] = r->probes[i];
	for (size_t i = 0; i < r->ndomains; i++)
		for (size_t k = 0; k < r->domains[i]->nmx; k++)
			for (size_t j = 0; j < r->domains[i]->mx[k].nprobes; j++) {
				const struct probe *p = r->domains[i]->mx[k].probes[j];
				size_t x = 0;

				while (x < c->n && c->v[x] != p)
					x++;
				if (x == c->n)
					c->v[c->n++] = p;
			}
}

void run_add(struct run *r, struct probe *p)
{
	r->probes = xreallocarray(r->probes, r->nprobes + 1, sizeof(*r->probes));
	r->probes[r->nprobes++] = p;
}

void run_add_domain(struct run *r, struct domain *d)
{
	r->domains = xreallocarray(r->domains, r->ndomains + 1, sizeof(*r->domains));
	r->domains[r->ndomains++] = d;
}

void run_free(struct run *r)
{
	free(r->probes); /* the probes themselves belong to the engine */
	for (size_t i = 0; i < r->ndomains; i++)
		domain_free(r->domains[i]);
	free(r->domains);
	memset(r, 0, sizeof(*r));
}
