/*
 * out_json.c - the result as JSON, written as it is walked (out/json_stream.h); the schema
 * is docs/json.md. Field names and their order are stable: programs depend on them.
 *
 * Each function below writes one value under the key it is given (NULL inside an array).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "base/addr.h"
#include "base/dnsrr.h"
#include "base/util.h"
#include "model/published.h"
#include "model/suites.h"
#include "model/tlsa.h"
#include "model/tlsmap.h"
#include "out/json_stream.h"
#include "out/output.h"

/* A phase never reached is null, not 0. */
static void jms(struct js *w, const char *key, double ms)
{
	if (ms >= 0)
		js_real(w, key, ms);
	else
		js_null(w, key);
}

/* An int, or null where the value is absent (absent true). */
static void jint_or_null(struct js *w, const char *key, long long v, int absent)
{
	if (absent)
		js_null(w, key);
	else
		js_int(w, key, v);
}

/* A string where present is true, else null. */
static void jstr_if(struct js *w, const char *key, int present, const char *s)
{
	js_string(w, key, present ? s : NULL);
}

/* -1: null, else a boolean. */
static void jtri(struct js *w, const char *key, int v)
{
	if (v < 0)
		js_null(w, key);
	else
		js_bool(w, key, v);
}

static void jlist(struct js *w, const char *key, const struct strlist *l)
{
	js_array(w, key);
	for (size_t i = 0; i < l->n; i++)
		js_string(w, NULL, l->v[i]);
	js_end(w);
}

/* What revocation said of one certificate; null when it was not asked. */
static void jrev(struct js *w, const char *key, const struct revocation *r)
{
	if (r->status == REV_UNCHECKED) {
		js_null(w, key);
		return;
	}
	js_object(w, key);
	js_string(w, "method", rev_method_name(r->method));
	js_string(w, "status", rev_status_name(r->status));
	if (r->status == REV_REVOKED) {
		js_string(w, "reason", rev_reason_text(r->reason));
		js_time(w, "revoked_at", r->revoked_at);
	}
	if (r->produced_at)
		js_time(w, "produced_at", r->produced_at);
	if (r->this_update)
		js_time(w, "this_update", r->this_update);
	if (r->next_update)
		js_time(w, "next_update", r->next_update);
	js_string(w, "url", r->url);
	js_bool(w, "stapled", r->method == REV_METHOD_STAPLE);
	if (r->why)
		js_string(w, "why", r->why);
	js_end(w);
}

static void jcert(struct js *w, const struct probe *p, size_t i, const struct view_opts *v)
{
	const struct cert_info *ci = &p->certs[i];
	char rec[100];

	js_object(w, NULL);
	js_string(w, "subject", ci->subject);
	js_string(w, "issuer", ci->issuer);
	jlist(w, "san", &ci->san);
	js_string(w, "serial", ci->serial);
	js_time(w, "not_before", ci->not_before);
	js_time(w, "not_after", ci->not_after);
	js_int(w, "days_left", (long long)ci->days_left);
	js_object(w, "key");
	js_string(w, "type", ci->key_type);
	js_int(w, "bits", ci->key_bits);
	if (ci->key_group[0])
		js_string(w, "group", ci->key_group);
	js_end(w);
	js_string(w, "signature_algorithm", ci->sig_alg);
	js_string(w, "sha256", ci->sha256);
	js_string(w, "spki_sha256", ci->spki_sha256);
	js_bool(w, "self_signed", ci->self_signed);
	js_bool(w, "ca", ci->is_ca);
	js_bool(w, "must_staple", ci->must_staple);
	tlsa_record_for(ci, i, rec, sizeof(rec));
	js_string(w, "tlsa", rec);
	jrev(w, "revocation", &ci->rev);
	if (v->pem) {
		BIO *b = BIO_new(BIO_s_mem());
		char *data;
		long n;

		if (b == NULL)
			fatal("out of memory");
		PEM_write_bio_X509(b, sk_X509_value(p->chain, (int)i));
		n = BIO_get_mem_data(b, &data);
		js_stringn(w, "pem", data, (size_t)n);
		BIO_free(b);
	}
	js_end(w);
}

static void jfindings(struct js *w, const char *key, const struct finding *v, size_t n)
{
	js_array(w, key);
	for (size_t i = 0; i < n; i++) {
		const struct finding *f = &v[i];

		js_object(w, NULL);
		js_string(w, "code", finding_defs[f->code].name);
		js_string(w, "severity", severity_name(f->sev));
		js_string(w, "message", f->message);
		if (f->cert >= 0)
			js_int(w, "cert", f->cert);
		js_end(w);
	}
	js_end(w);
}

static void jdane(struct js *w, const char *key, const struct dane_rrset *set,
    const struct probe *p)
{
	static const char *const states[] = {"none", "insecure", "secure", "bogus", "failed"};
	char rec[200];

	if (set == NULL) {
		js_null(w, key);
		return;
	}
	js_object(w, key);
	js_string(w, "tlsa_owner", set->owner);
	js_string(w, "state", states[set->state]);
	js_array(w, "records");
	for (size_t i = 0; i < set->n; i++) {
		tlsa_format(&set->rr[i], rec, sizeof(rec));
		js_string(w, NULL, rec);
	}
	js_end(w);
	if (p) {
		js_int(w, "usable", p->dane_usable);
		jint_or_null(w, "matched_usage", p->dane_matched, !p->dane_matched);
	}
	js_end(w);
}

/* domain and mx name where the probe was reached from (domain mode), else NULL;
 * same_as_check 0 or 1 where the probe is one of a TLS map's certificates, else -1. */
static void jprobe(struct js *w, const struct probe *p, const struct view_opts *v,
    const char *domain, const char *mx, int same_as_check);

/* A suite by its number; grade, when the map was graded, else NULL. */
static void jsuite(struct js *w, uint16_t id, const char *grade)
{
	const struct suite *s = suite_by_id(id);
	char hex[8];

	snprintf(hex, sizeof(hex), "0x%04x", id);
	js_object(w, NULL);
	js_string(w, "id", hex);
	if (s) {
		js_string(w, "name", s->iana);
		js_string(w, "openssl", s->openssl);
		js_string(w, "kx", suite_kx_name(s->kx));
		js_string(w, "auth", suite_auth_name(s->auth));
		js_string(w, "enc", suite_enc_name(s->enc));
		js_string(w, "mode", suite_mode_name(s->mode));
		js_string(w, "mac", suite_mac_name(s->mac));
		js_int(w, "bits", (int)s->bits);
		js_bool(w, "forward_secrecy", (s->flags & SUITE_FS) != 0);
		js_bool(w, "aead", (s->flags & SUITE_AEAD) != 0);
	}
	if (grade)
		js_string(w, "grade", grade);
	js_end(w);
}

static void jgroup(struct js *w, const char *key, uint16_t g)
{
	char hex[8];

	if (tlsmap_group_name(g)) {
		js_string(w, key, tlsmap_group_name(g));
		return;
	}
	snprintf(hex, sizeof(hex), "0x%04x", g);
	js_string(w, key, hex);
}

static void jmap_version(struct js *w, const struct tls_map *m, size_t vi)
{
	const struct tlsmap_version *tv = &m->v[vi];

	js_object(w, NULL);
	js_string(w, "version", tlsmap_version_name(vi));
	if (tv->state == TLSMAP_ACCEPTED || tv->state == TLSMAP_REFUSED)
		js_bool(w, "accepted", tv->state == TLSMAP_ACCEPTED);
	else
		js_null(w, "accepted");
	jstr_if(w, "refusal", tv->refusal[0] != 0, tv->refusal);
	js_string(w, "order", tlsmap_order_name(tv->order));
	if (m->grades)
		jstr_if(w, "grade", m->grades->version[vi] >= 0,
		    m->grades->version[vi] >= 0 ? m->grades->name[m->grades->version[vi]] : NULL);
	js_array(w, "suites");
	for (size_t i = 0; i < tv->nsuites; i++)
		jsuite(w, tv->suites[i], m->grades ? m->grades->name[m->grades->suite[vi][i]] : NULL);
	js_end(w);
	js_bool(w, "suites_cut", tv->cut);
	if (tv->ecdhe_group)
		jgroup(w, "ecdhe_group", tv->ecdhe_group);
	else
		js_null(w, "ecdhe_group");
	jint_or_null(w, "dhe_bits", tv->dhe_bits, !tv->dhe_bits);
	js_end(w);
}

static void jmap(struct js *w, const char *key, const struct probe *p, const struct view_opts *v)
{
	const struct tls_map *m = p->map;

	js_object(w, key);
	js_int(w, "hellos", m->connections);
	js_real(w, "ms", m->ms);
	jstr_if(w, "incomplete", m->stopped[0] != 0, m->stopped);
	js_array(w, "versions");
	for (size_t vi = TLSMAP_VERSIONS; vi-- > 0;)
		jmap_version(w, m, vi);
	js_end(w);
	js_array(w, "groups_tls13");
	for (size_t i = 0; i < m->ngroups; i++)
		jgroup(w, NULL, m->groups[i]);
	js_end(w);
	jtri(w, "secure_renegotiation", m->secure_renegotiation);
	jtri(w, "extended_master_secret", m->extended_master_secret);
	jtri(w, "compression", m->secure_renegotiation < 0 ? -1 : m->compression != 0);
	js_object(w, "certificates");
	for (int k = 0; k < TLSMAP_CERTS; k++) {
		const struct probe *c = m->cert[k];
		const char *name = tlsmap_cert_name((enum tlsmap_cert)k);

		if (c == NULL) {
			js_null(w, name);
			continue;
		}
		js_object(w, name);
		jprobe(w, c, v, NULL, NULL, tlsmap_same_leaf(c, p));
		js_end(w);
	}
	js_end(w);
	js_array(w, "clients");
	for (size_t i = 0; i < m->nclients; i++) {
		const struct tlsmap_client *c = &m->clients[i];
		const struct suite *s = suite_by_id(c->suite);

		js_object(w, NULL);
		js_string(w, "name", c->name);
		js_string(w, "title", c->title);
		js_bool(w, "ok", c->ok);
		js_string(w, "version",
		    c->version >= 0 ? tlsmap_version_name((size_t)c->version) : NULL);
		js_string(w, "suite", s ? s->openssl : NULL);
		if (c->group)
			jgroup(w, "group", c->group);
		else
			js_null(w, "group");
		js_string(w, "certificate",
		    c->cert >= 0 ? tlsmap_cert_name((enum tlsmap_cert)c->cert) : NULL);
		js_string(w, "why", c->ok ? NULL : c->why);
		js_end(w);
	}
	js_end(w);
	if (m->grades) {
		const struct tlsmap_grades *g = m->grades;

		js_object(w, "profile");
		js_string(w, "name", g->profile);
		js_string(w, "grade", g->name[g->overall]);
		js_string(w, "severity", severity_name((enum severity)g->sev[g->overall]));
		js_object(w, "groups");
		for (size_t i = 0; i < m->ngroups; i++) {
			char hex[8];
			const char *gn = tlsmap_group_name(m->groups[i]);

			snprintf(hex, sizeof(hex), "0x%04x", m->groups[i]);
			js_string(w, gn ? gn : hex, g->name[g->group[i]]);
		}
		js_end(w);
		js_end(w);
	}
	js_end(w);
}

/* The members of a probe's object, which the caller opens and closes. */
static void jprobe_members(struct js *w, const struct probe *p, const struct view_opts *v);

static void jprobe(struct js *w, const struct probe *p, const struct view_opts *v,
    const char *domain, const char *mx, int same_as_check)
{
	if (domain) {
		js_string(w, "domain", domain);
		js_string(w, "mx", mx);
	}
	jprobe_members(w, p, v);
	if (same_as_check >= 0)
		js_bool(w, "same_as_check", same_as_check);
}

/* Everything of a probe but whose it is: the same for every domain that shows it. */
static void jprobe_members(struct js *w, const struct probe *p, const struct view_opts *v)
{
	js_string(w, "host", p->host);
	js_string(w, "address", p->address);
	js_int(w, "port", p->port);
	js_string(w, "protocol", p->protocol);
	js_string(w, "service", p->service);
	js_string(w, "tls_mode", p->mode == TLS_MODE_IMPLICIT ? "implicit" : "starttls");
	js_string(w, "status", status_name(p->status));
	js_string(w, "banner", p->banner);
	js_object(w, "capabilities");
	jlist(w, "plain", &p->capa_plain);
	jlist(w, "tls", &p->capa_tls);
	js_end(w);
	if (p->tls_version) {
		js_object(w, "tls");
		js_string(w, "version", p->tls_version);
		js_string(w, "cipher", p->cipher);
		js_string(w, "group", p->group);
		js_end(w);
	} else
		js_null(w, "tls");
	js_array(w, "chain");
	for (size_t i = 0; i < p->ncerts; i++)
		jcert(w, p, i, v);
	js_end(w);
	if (p->facts.checked) {
		js_object(w, "verification");
		js_bool(w, "trusted", p->facts.trusted);
		js_bool(w, "dates_ok", p->facts.dates_ok);
		js_bool(w, "name_matched", p->facts.name_matched);
		js_bool(w, "name_by_cn_only", p->facts.name_by_cn);
		js_string(w, "matched_name", p->facts.matched_name);
		js_string(w, "trust_anchor", p->facts.trust_anchor);
		js_int(w, "min_days_left", (long long)p->facts.min_days_left);
		js_end(w);
	} else
		js_null(w, "verification");
	jdane(w, "dane", p->dane, p);
	jfindings(w, "findings", p->findings, p->nfindings);
	if (p->map)
		jmap(w, "tls_map", p, v);
	js_object(w, "timing_ms");
	jms(w, "connect", p->t.connect_ms);
	jms(w, "banner", p->t.banner_ms);
	jms(w, "starttls", p->t.starttls_ms);
	jms(w, "tls", p->t.handshake_ms);
	jms(w, "total", p->t.total_ms);
	js_end(w);
}

/* A TXT lookup's object, left open for the caller's members. */
static void jtxt_open(struct js *w, const char *key, const struct txt_set *s)
{
	js_object(w, key);
	jlist(w, "records", &s->recs);
	js_bool(w, "lookup_failed", s->failed);
	js_string(w, "error", s->failed ? s->why : NULL);
}

static void jpolicies(struct js *w, const struct domain_policy *pol)
{
	static const char *const modes[] = {"none", "testing", "enforce"};

	if (pol == NULL)
		return;
	if (pol->sts_txt.looked_up) {
		jtxt_open(w, "mta_sts", &pol->sts_txt);
		jstr_if(w, "id", pol->sts_txt_ok, pol->sts_id.id);
		js_bool(w, "fetched", pol->sts_fetched);
		jstr_if(w, "address", pol->sts_addr[0] != 0, pol->sts_addr);
		jint_or_null(w, "http_status", pol->sts_http_status, !pol->sts_http_status);
		jstr_if(w, "content_type", pol->sts_content_type[0] != 0, pol->sts_content_type);
		js_string(w, "fetch_error", pol->sts_fetch_error);
		if (pol->sts_policy_ok) {
			js_object(w, "policy");
			js_string(w, "mode", modes[pol->sts_policy->mode]);
			js_int(w, "max_age", (long long)pol->sts_policy->max_age);
			js_array(w, "mx");
			for (size_t i = 0; i < pol->sts_policy->nmx; i++)
				js_string(w, NULL, pol->sts_policy->mx[i]);
			js_end(w);
			js_end(w);
		} else
			js_null(w, "policy");
		js_end(w);
		jtxt_open(w, "tls_rpt", &pol->tlsrpt_txt);
		jstr_if(w, "rua", pol->tlsrpt_ok, pol->tlsrpt.rua);
		js_int(w, "rua_left_out", pol->tlsrpt_ok ? pol->tlsrpt.rua_left_out : 0);
		js_end(w);
	}
	if (pol->spf_txt.looked_up) {
		char q[2] = {pol->spf.all_qualifier, 0};

		jtxt_open(w, "spf", &pol->spf_txt);
		jstr_if(w, "all", pol->spf_ok && q[0], q);
		jstr_if(w, "redirect", pol->spf_ok && pol->spf.redirect[0], pol->spf.redirect);
		js_end(w);
	}
	if (pol->dmarc_txt.looked_up) {
		jtxt_open(w, "dmarc", &pol->dmarc_txt);
		jstr_if(w, "p", pol->dmarc_ok, pol->dmarc.p);
		jstr_if(w, "sp", pol->dmarc_ok && pol->dmarc.sp[0], pol->dmarc.sp);
		jint_or_null(w, "pct", pol->dmarc.pct, !pol->dmarc_ok);
		js_int(w, "rua_left_out", pol->dmarc_ok ? pol->dmarc.rua_left_out : 0);
		js_end(w);
	}
	if (pol->dkim) {
		js_array(w, "dkim");
		for (size_t i = 0; i < pol->ndkim; i++) {
			const struct dkim_sel *k = &pol->dkim[i];

			jtxt_open(w, NULL, &k->txt);
			js_string(w, "selector", k->selector);
			jstr_if(w, "type", k->ok, k->key.k);
			jint_or_null(w, "bits", k->key.key_bits, !k->ok);
			js_end(w);
		}
		js_end(w);
	}
}

static void jdnssec(struct js *w, const char *key, int state)
{
	js_string(w, key, state < 0 ? NULL : dnssec_name((enum dnssec_state)state));
}

/* The client services asked for (--ports), each with the hosts its SRV records name. */
static void jservices(struct js *w, const char *key, const struct domain *d)
{
	js_array(w, key);
	for (size_t i = 0; i < d->nsvc; i++) {
		const struct service_state *st = &d->svc[i];

		js_object(w, NULL);
		js_string(w, "service", st->name);
		js_int(w, "port", (int)st->port);
		js_string(w, "srv", st->owner);
		js_string(w, "state", svc_state_name(st->state));
		jdnssec(w, "dnssec", st->dnssec);
		js_array(w, "hosts");
		for (size_t k = 0; k < d->nmx; k++) {
			const struct mx_host *m = &d->mx[k];

			if (m->svc != i + 1)
				continue;
			js_object(w, NULL);
			js_string(w, "host", m->host);
			js_int(w, "priority", (int)m->preference);
			js_int(w, "weight", (int)m->weight);
			js_int(w, "port", (int)m->port);
			js_string(w, "tls_mode", m->mode == TLS_MODE_IMPLICIT ? "implicit" : "starttls");
			js_string(w, "cname", m->cname);
			jdnssec(w, "dnssec", m->dnssec);
			jlist(w, "addresses", &m->addrs);
			jdane(w, "dane", m->dane, NULL);
			js_array(w, "sources");
			if (m->from_srv)
				js_string(w, NULL, "srv");
			if (m->from_autoconfig)
				js_string(w, NULL, "autoconfig");
			js_end(w);
			js_end(w);
		}
		js_end(w);
		js_end(w);
	}
	js_end(w);
}

static const char *const ac_protos[] = {"smtp", "imap", "pop3"};
static const char *const ac_sockets[] = {"plain", "STARTTLS", "SSL"};

/* The autoconfig fetch (--ports): where, the answer, and the servers the file names. */
static void jautoconfig(struct js *w, const char *key, const struct autoconfig_found *f)
{
	if (f == NULL) {
		js_null(w, key);
		return;
	}
	js_object(w, key);
	js_string(w, "url", f->url);
	jstr_if(w, "address", f->addr[0] != 0, f->addr);
	jint_or_null(w, "http_status", f->http_status, !f->http_status);
	js_string(w, "error", f->error);
	js_bool(w, "parsed", f->parsed);
	js_array(w, "servers");
	for (size_t i = 0; i < f->cfg.n; i++) {
		const struct ac_server *s = &f->cfg.servers[i];

		js_object(w, NULL);
		js_string(w, "protocol", ac_protos[s->proto]);
		js_string(w, "host", s->host);
		js_int(w, "port", (int)s->port);
		js_string(w, "socket", ac_sockets[s->socket]);
		js_string(w, "authentication", s->auth);
		js_int(w, "line", (int)s->line);
		js_end(w);
	}
	js_end(w);
	js_int(w, "invalid", (int)f->cfg.invalid);
	js_int(w, "skipped", (int)f->cfg.skipped);
	js_int(w, "dropped", (int)f->cfg.dropped);
	js_end(w);
}

/* The domain's DANE at a glance; the details are on each mx and probe. */
static void jdomain_dane(struct js *w, const struct domain *d)
{
	int published = 0, looked_up = 0;

	for (size_t i = 0; i < d->nmx; i++)
		if (d->mx[i].dane && !d->mx[i].svc) {
			looked_up = 1;
			published |= d->mx[i].dane->state == DANE_STATE_SECURE;
		}
	if (!looked_up) {
		js_null(w, "dane");
		return;
	}
	js_object(w, "dane");
	js_bool(w, "published", published);
	js_array(w, "mx");
	for (size_t i = 0; i < d->nmx; i++) {
		if (d->mx[i].dane == NULL || d->mx[i].svc)
			continue;
		js_object(w, NULL);
		js_string(w, "host", d->mx[i].host);
		jdane(w, "tlsa", d->mx[i].dane, NULL);
		js_end(w);
	}
	js_end(w);
	js_end(w);
}

/*
 * Every probe of d, each an object of the array open. In compact text a probe that a
 * second domain shows keeps its members' text, and the domains after copy it: behind a
 * provider's MX (ten probes a domain, the same for thousands) rendering them was most of
 * a domain's work on the engine's thread. A probe shown once keeps nothing.
 */
static void jdomain_probes(struct js *w, const struct domain *d, const struct view_opts *v)
{
	for (size_t i = 0; i < d->nmx; i++)
		for (size_t k = 0; k < d->mx[i].nprobes; k++) {
			struct probe *p = d->mx[i].probes[k];
			const char *mx = d->mx[i].svc ? NULL : d->mx[i].host;
			size_t mark;

			js_object(w, NULL);
			js_string(w, "domain", d->name);
			js_string(w, "mx", mx);
			if (w->indent) {
				jprobe_members(w, p, v);
			} else if (p->view_text) {
				js_members(w, p->view_text, p->view_len);
			} else {
				mark = js_mark(w);
				jprobe_members(w, p, v);
				if (++p->view_shown == 2) {
					const char *t = js_since(w, mark, &p->view_len);

					p->view_text = xmemdup(t, p->view_len);
				}
			}
			js_end(w);
		}
}

/* The members of a domain's object, which the caller opens and closes. */
static void jdomain(struct js *w, const struct domain *d, const struct view_opts *v)
{
	char unicode[256];

	js_string(w, "domain", d->name);
	if (addr_to_unicode(d->name, unicode, sizeof(unicode)))
		js_string(w, "unicode", unicode);
	js_string(w, "status", status_name(d->status));
	js_string(w, "dnssec", dnssec_name((enum dnssec_state)d->dnssec));
	js_array(w, "mx");
	for (size_t i = 0; i < d->nmx; i++) {
		const struct mx_host *m = &d->mx[i];

		if (m->svc)
			continue; /* under services */
		js_object(w, NULL);
		js_string(w, "host", m->host);
		js_int(w, "preference", (int)m->preference);
		js_bool(w, "implicit", m->implicit);
		js_bool(w, "ip_literal", m->ip_literal);
		js_string(w, "cname", m->cname);
		jdnssec(w, "dnssec", m->dnssec);
		jlist(w, "addresses", &m->addrs);
		jdane(w, "dane", m->dane, NULL);
		js_end(w);
	}
	js_end(w);
	jservices(w, "services", d);
	jautoconfig(w, "autoconfig", d->autoconfig);
	jdomain_dane(w, d);
	jpolicies(w, d->policy);
	jfindings(w, "findings", d->findings, d->nfindings);
	js_array(w, "probes");
	jdomain_probes(w, d, v);
	js_end(w);
}

void out_jsonl_domain(FILE *f, const struct run *r, const struct domain *d,
    const struct view_opts *v)
{
	struct js w;
	size_t len;
	char *s;

	js_init(&w, 0);
	js_object(&w, NULL);
	jdomain(&w, d, v);
	js_time(&w, "checked_at", r->at);
	js_end(&w);
	s = js_finish(&w, &len);
	s[len] = '\n'; /* js_finish leaves room: the line is written whole, in one go */
	fwrite(s, 1, len + 1, f);
	free(s);
}

void out_json(FILE *f, const struct run *r, const struct view_opts *v)
{
	struct js w;
	size_t len;
	char *s;

	js_init(&w, 2);
	js_object(&w, NULL);
	js_string(&w, "status", status_name(r->status));
	js_int(&w, "exit_code", r->status);
	js_time(&w, "checked_at", r->at);
	if (r->domain_mode) {
		js_array(&w, "domains");
		for (size_t i = 0; i < r->ndomains; i++) {
			js_object(&w, NULL);
			jdomain(&w, r->domains[i], v);
			js_end(&w);
		}
		js_end(&w);
		js_array(&w, "probes");
		for (size_t i = 0; i < r->ndomains; i++)
			jdomain_probes(&w, r->domains[i], v);
		js_end(&w);
	} else {
		js_array(&w, "probes");
		for (size_t i = 0; i < r->nprobes; i++) {
			js_object(&w, NULL);
			jprobe(&w, r->probes[i], v, NULL, NULL, -1);
			js_end(&w);
		}
		js_end(&w);
	}
	js_end(&w);
	s = js_finish(&w, &len);
	s[len] = '\n';
	fwrite(s, 1, len + 1, f);
	free(s);
}
