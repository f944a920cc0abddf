/*
 * revocation.c - see revocation.h. A fetch is keyed by what it asks (the responder and the
 * DER request, or the CRL's URL) and kept for the run: the first certificate to need it
 * starts it, later ones wait on it or read its answer. A responder's name is resolved by
 * the run's resolver and the request pinned to that address, as the MTA-STS fetch is; no
 * redirect is followed, every answer is bounded in time and size.
 */
#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/ocsp.h>

#include "base/addr.h"
#include "base/util.h"
#include "conf/limits.h"
#include "engine/revocation.h"
#include "pki/revocation.h"
#include "pki/verify.h"

#define REV_BUCKETS 1024

enum fetch_kind { FETCH_OCSP, FETCH_CRL, FETCH_AIA };

struct rev_job {
	struct revocation_env *env;
	struct probe *p;
	size_t pending;
	void (*done)(void *);
	void *arg;
	struct rev_job *prev, *next; /* env->jobs: freed with the env after an interrupt */
};

/* A certificate waiting for a fetch. */
struct rev_wait {
	struct rev_job *job;
	int cert; /* index into job->p->certs and p->chain */
	struct rev_wait *next;
};

struct rev_fetch {
	struct revocation_env *env;
	enum fetch_kind kind;
	char *key;
	char url[256];
	char host[256];
	unsigned port;
	unsigned char *req; /* the OCSP request posted */
	size_t req_len;
	int rrtype;
	int done;
	unsigned char *body; /* the answer, until every waiter judged it (OCSP) */
	size_t len;
	char err[256]; /* why no answer came */
	struct rev_crl *crl; /* a CRL, parsed once */
	struct rev_wait *waiters;
	struct rev_fetch *hnext;
};

struct revocation_env {
	struct rev_config cfg;
	struct dns *own_dns; /* made here, freed here */
	struct https *own_https;
	char client_err[200]; /* why they could not be made */
	struct rev_fetch *map[REV_BUCKETS];
	size_t fetches;
	struct rev_job *jobs; /* waiting for fetches */
};

int rev_mode_by_name(const char *s)
{
	static const char *const names[] = {"auto", "ocsp", "crl", "none"};

	for (int i = 0; i < 4; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	return -1;
}

struct revocation_env *revocation_env_new(const struct rev_config *cfg)
{
	struct revocation_env *env = xcalloc(1, sizeof(*env));

	env->cfg = *cfg;
	return env;
}

size_t revocation_fetches(const struct revocation_env *env)
{
	return env->fetches;
}

static void job_free(struct rev_job *j)
{
	if (j->prev)
		j->prev->next = j->next;
	else
		j->env->jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	free(j);
}

static void job_release(struct rev_job *j)
{
	if (--j->pending == 0) {
		void (*done)(void *) = j->done;
		void *arg = j->arg;

		job_free(j);
		done(arg);
	}
}

static void fetch_start(struct rev_fetch *f);
static void wait_crl(struct rev_job *j, int cert, X509 *x);
static void rev_walk(struct rev_job *j);

/* Judge what fetch f answered for the certificate w waits with. */
static void judge(struct rev_fetch *f, struct rev_wait *w)
{
	struct probe *p = w->job->p;
	X509 *x = sk_X509_value(p->chain, w->cert);
	X509 *issuer = rev_issuer(p, x);
	struct revocation *r = &p->certs[w->cert].rev;

	if (f->kind == FETCH_AIA) {
		struct verify_params vp = {.store = f->env->cfg.store, .at = f->env->cfg.at, .at_set = 1};

		verify_aia(p, &vp, f->body, f->len, f->url, f->err[0] ? f->err : NULL);
		rev_walk(w->job); /* the repaired path names the issuers to ask */
		return;
	}
	rev_set_url(r, f->url);
	if (f->kind == FETCH_OCSP) {
		r->method = REV_METHOD_OCSP;
		if (f->err[0]) {
			char url[256];

			/* A responder outage: the CRL, when the certificate names one, says it. */
			if (f->env->cfg.mode == REV_MODE_AUTO && rev_crl_url(x, url, sizeof(url)) == 0) {
				wait_crl(w->job, w->cert, x);
				return;
			}
			r->status = REV_UNREACHABLE;
			rev_set_why(r, "%s", f->err);
			return;
		}
		rev_ocsp_judge(f->body, f->len, x, issuer, p->path, f->env->cfg.store,
		    f->env->cfg.at, r);
		return;
	}
	if (f->err[0]) {
		r->method = REV_METHOD_CRL;
		r->status = REV_UNREACHABLE;
		rev_set_why(r, "%s", f->err);
		return;
	}
	if (f->crl == NULL)
		f->crl = rev_crl_load(f->body, f->len, issuer, f->env->cfg.at);
	rev_crl_judge(f->crl, x, r);
}

/* Every waiter of f judged, then released (which may finish their probes). */
static void fetch_answered(struct rev_fetch *f)
{
	struct rev_wait *w = f->waiters;

	f->done = 1;
	f->waiters = NULL;
	while (w) {
		struct rev_wait *next = w->next;
		struct rev_job *j = w->job;

		judge(f, w);
		free(w);
		job_release(j);
		w = next;
	}
	if (f->crl) {
		free(f->body); /* a CRL is kept parsed; an OCSP answer (small) as it came */
		f->body = NULL;
	}
}

static void fetched(const struct https_result *r, void *arg)
{
	struct rev_fetch *f = arg;

	if (r->cancelled)
		return; /* revocation_env_free frees f */
	if (r->err[0])
		snprintf(f->err, sizeof(f->err), "%.120s: %.120s", f->url, r->err);
	else if (r->status != 200)
		snprintf(f->err, sizeof(f->err), "%.150s: HTTP status %ld, not 200%s", f->url, r->status,
		    r->status >= 300 && r->status < 400 ? " (redirects are not followed)" : "");
	else {
		f->body = (unsigned char *)xmemdup(r->body ? r->body : "", r->len);
		f->len = r->len;
	}
	fetch_answered(f);
}

static void fetch_addr(const struct dns_answer *a, void *arg)
{
	struct rev_fetch *f = arg;
	const struct rev_config *cfg = &f->env->cfg;
	struct http_request hr = {0};

	if (a->status == DNS_CANCELLED)
		return;
	if (a->status != DNS_OK || a->naddrs == 0 || a->sec == DNSSEC_BOGUS) {
		if (f->rrtype == ns_t_a) {
			f->rrtype = ns_t_aaaa;
			dns_query(cfg->dns, f->host, ns_t_aaaa, fetch_addr, f);
			return;
		}
		snprintf(f->err, sizeof(f->err), "%.110s: %.110s has no address", f->url, f->host);
		fetch_answered(f);
		return;
	}
	hr.url = f->url;
	hr.host = f->host;
	hr.port = f->port;
	hr.addr = a->addrs[0];
	hr.body = f->req;
	hr.body_len = f->req_len;
	hr.content_type = f->req ? "application/ocsp-request" : NULL;
	hr.allow_http = 1;
	hr.timeout_s = cfg->timeout_s;
	hr.max_bytes = f->kind == FETCH_CRL ? CRL_MAX
	             : f->kind == FETCH_AIA ? AIA_MAX
	                                    : OCSP_RESPONSE_MAX;
	f->env->fetches++;
	https_request(cfg->https, &hr, fetched, f);
}

/* The resolver and the HTTP client, made on the first fetch when the run has none. */
static int env_clients(struct revocation_env *env)
{
	struct rev_config *cfg = &env->cfg;

	if (cfg->dns == NULL && env->client_err[0] == '\0')
		cfg->dns = env->own_dns =
		    dns_new(cfg->base, &cfg->dnsc, env->client_err, sizeof(env->client_err));
	if (cfg->https == NULL && env->client_err[0] == '\0')
		cfg->https = env->own_https = https_new(cfg->base, cfg->ca_file, cfg->ca_path,
		    env->client_err, sizeof(env->client_err));
	return cfg->dns && cfg->https ? 0 : -1;
}

static void fetch_start(struct rev_fetch *f)
{
	const struct rev_config *cfg = &f->env->cfg;
	struct dns_answer lit = {.status = DNS_OK, .naddrs = 1};
	char one[1][46];

	if (env_clients(f->env) != 0) {
		snprintf(f->err, sizeof(f->err), "%.200s", f->env->client_err);
		fetch_answered(f);
		return;
	}
	if (rev_url_split(f->url, f->host, sizeof(f->host), &f->port) != 0) {
		snprintf(f->err, sizeof(f->err), "%.200s: not a URL mailtls fetches (plain http only)",
		    f->url);
		fetch_answered(f);
		return;
	}
	if (addr_is_ip(f->host)) {
		snprintf(one[0], sizeof(one[0]), "%.45s", f->host);
		lit.addrs = one;
		fetch_addr(&lit, f);
		return;
	}
	f->rrtype = ns_t_a;
	dns_query(cfg->dns, f->host, ns_t_a, fetch_addr, f);
}

/* The fetch for key, created (and started, later) on first use; w joins its waiters. */
static void fetch_wait(struct rev_job *j, int cert, enum fetch_kind kind, const char *url,
    unsigned char *req, size_t req_len)
{
	struct revocation_env *env = j->env;
	char *key = xasprintf("%d %s %zu", (int)kind, url, req_len);
	size_t h;
	struct rev_fetch *f;
	struct rev_wait *w = xcalloc(1, sizeof(*w));

	h = hash_str(HASH_INIT, key, 0);
	for (size_t i = 0; i < req_len; i++)
		h = (h ^ req[i]) * 1099511628211ULL;
	h %= REV_BUCKETS;
	for (f = env->map[h]; f; f = f->hnext)
		if (f->kind == kind && strcmp(f->key, key) == 0 && f->req_len == req_len &&
		    (req_len == 0 || memcmp(f->req, req, req_len) == 0))
			break;
	w->job = j;
	w->cert = cert;
	j->pending++;
	if (f) {
		free(key);
		free(req);
		if (f->done) {
			/* Answered already: judge now, but release from the loop's next turn never
			 * inside revocation_probe (the caller counts on done() coming later). */
			judge(f, w);
			free(w);
			j->pending--;
			return;
		}
		w->next = f->waiters;
		f->waiters = w;
		return;
	}
	f = xcalloc(1, sizeof(*f));
	f->env = env;
	f->kind = kind;
	f->key = key;
	snprintf(f->url, sizeof(f->url), "%s", url);
	f->req = req;
	f->req_len = req_len;
	f->waiters = w;
	f->hnext = env->map[h];
	env->map[h] = f;
	fetch_start(f);
}

static void wait_crl(struct rev_job *j, int cert, X509 *x)
{
	char url[256];

	if (rev_crl_url(x, url, sizeof(url)) == 0)
		fetch_wait(j, cert, FETCH_CRL, url, NULL, 0);
}

/* What to ask for certificate i of p: the staple answers for the leaf; then OCSP or CRL. */
static void rev_cert(struct rev_job *j, int i)
{
	const struct rev_config *cfg = &j->env->cfg;
	struct probe *p = j->p;
	X509 *x = sk_X509_value(p->chain, i), *issuer = rev_issuer(p, x);
	struct revocation *r = &p->certs[i].rev;
	char ocsp[256], crl[256];
	int has_ocsp = rev_ocsp_url(x, ocsp, sizeof(ocsp)) == 0;
	int has_crl = rev_crl_url(x, crl, sizeof(crl)) == 0;

	r->reason = -1;
	if (i == 0 && p->staple) {
		r->method = REV_METHOD_STAPLE;
		if (issuer == NULL) {
			r->status = REV_INVALID;
			rev_set_why(r, "the issuer of the certificate is not known");
			return;
		}
		rev_ocsp_judge(p->staple, p->staple_len, x, issuer, p->path, cfg->store, cfg->at, r);
		return;
	}
	if (cfg->mode == REV_MODE_NONE || cfg->offline)
		return; /* unchecked */
	if (issuer == NULL && (has_ocsp || has_crl)) {
		/* No request can name a certificate whose issuer is unknown (RFC 6960 4.1.1); the
		 * chain's findings say why it is. */
		r->status = REV_NO_SOURCE;
		rev_set_why(r, "its issuer is not known (see the chain), so its "
		                                 "status cannot be asked");
		return;
	}
	if (has_ocsp && cfg->mode != REV_MODE_CRL) {
		size_t len;
		unsigned char *req = rev_ocsp_request(x, issuer, &len);
		unsigned char *copy = (unsigned char *)xmemdup(req, len);

		OPENSSL_free(req);
		fetch_wait(j, i, FETCH_OCSP, ocsp, copy, len);
	} else if (has_crl && cfg->mode != REV_MODE_OCSP) {
		fetch_wait(j, i, FETCH_CRL, crl, NULL, 0);
	} else {
		r->status = REV_NO_SOURCE;
		rev_set_why(r, "it names no %s",
		    cfg->mode == REV_MODE_OCSP ? "OCSP responder"
		    : cfg->mode == REV_MODE_CRL ? "CRL distribution point"
		                                : "OCSP responder and no CRL distribution point");
	}
}

/* Revocation of every certificate in scope (--revocation-depth). */
static void rev_walk(struct rev_job *j)
{
	struct probe *p = j->p;
	int n = j->env->cfg.chain ? sk_X509_num(p->chain) : 1;

	if (j->env->cfg.mode == REV_MODE_NONE)
		return;
	for (int i = 0; i < n && (size_t)i < p->ncerts; i++) {
		/* Below the anchor, and in the path: an extra the server sent is not asked for. */
		if (i > 0 && (!p->certs[i].in_path || p->certs[i].self_signed))
			continue;
		rev_cert(j, i);
	}
}

/* The certificate whose issuer verification could not find (CERT_CHAIN_INCOMPLETE), or -1. */
static int chain_gap(const struct probe *p)
{
	for (size_t i = 0; i < p->nfindings; i++)
		if (p->findings[i].code == F_CERT_CHAIN_INCOMPLETE && p->findings[i].cert >= 0)
			return p->findings[i].cert;
	return -1;
}

int revocation_asked(const struct revocation_env *env)
{
	return env->cfg.mode != REV_MODE_NONE;
}

size_t revocation_probe(struct revocation_env *env, struct probe *p, void (*done)(void *),
    void *arg)
{
	struct rev_job *j;
	int i;
	size_t pending;
	char url[256];

	if (p->chain == NULL || sk_X509_num(p->chain) == 0)
		return 0;
	j = xcalloc(1, sizeof(*j));
	j->env = env;
	j->p = p;
	j->done = done;
	j->arg = arg;
	j->pending = 1; /* held while the certificates are walked */
	j->next = env->jobs;
	if (env->jobs)
		env->jobs->prev = j;
	env->jobs = j;
	if (!env->cfg.offline && (i = chain_gap(p)) >= 0 &&
	    rev_ca_issuers_url(sk_X509_value(p->chain, i), url, sizeof(url)) == 0)
		fetch_wait(j, i, FETCH_AIA, url, NULL, 0); /* then rev_walk */
	else
		rev_walk(j);
	pending = --j->pending;
	if (pending == 0)
		job_free(j);
	return pending;
}

/* The clients made here go first: their callbacks end, cancelled, before the fetches. */
void revocation_env_free(struct revocation_env *env)
{
	if (env == NULL)
		return;
	dns_free(env->own_dns);
	https_free(env->own_https);
	for (size_t i = 0; i < REV_BUCKETS; i++)
		while (env->map[i]) {
			struct rev_fetch *f = env->map[i];

			env->map[i] = f->hnext;
			while (f->waiters) {
				struct rev_wait *w = f->waiters;
				f->waiters = w->next;
				free(w); /* the jobs go with the engine's probes */
			}
			free(f->key);
			free(f->req);
			free(f->body);
			rev_crl_free(f->crl);
			free(f);
		}
	while (env->jobs)
		job_free(env->jobs);
	free(env);
}
