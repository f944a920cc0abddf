/*
 * out_json.c - the result as JSON through jansson; the schema is docs/json.md. Field names
 * are stable: programs depend on them.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/pem.h>

#include "base/dnsrr.h"
#include "base/util.h"
#include "model/published.h"
#include "model/suites.h"
#include "model/tlsa.h"
#include "model/tlsmap.h"
#include "out/json_util.h"
#include "out/json_write.h"
#include "out/output.h"

/* A phase never reached is null, not 0. */
static json_t *jms(double ms)
{
	return ms >= 0 ? json_real(ms) : json_null();
}

static json_t *jlist(const struct strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

/* What revocation said of one certificate; null when it was not asked. */
static json_t *jrev(const struct revocation *r)
{
	json_t *o;

	if (r->status == REV_UNCHECKED)
		return json_null();
	o = json_pack("{s:s, s:s}", "method", rev_method_name(r->method), "status",
	    rev_status_name(r->status));
	if (r->status == REV_REVOKED) {
		json_object_set_new(o, "reason", json_string(rev_reason_text(r->reason)));
		json_object_set_new(o, "revoked_at", jtime(r->revoked_at));
	}
	if (r->produced_at)
		json_object_set_new(o, "produced_at", jtime(r->produced_at));
	if (r->this_update)
		json_object_set_new(o, "this_update", jtime(r->this_update));
	if (r->next_update)
		json_object_set_new(o, "next_update", jtime(r->next_update));
	json_object_set_new(o, "url", jstr(r->url));
	json_object_set_new(o, "stapled", json_boolean(r->method == REV_METHOD_STAPLE));
	if (r->why)
		json_object_set_new(o, "why", json_string(r->why));
	return o;
}

static json_t *jcert(const struct probe *p, size_t i, const struct view_opts *v)
{
	const struct cert_info *ci = &p->certs[i];
	json_t *c =
	    json_pack("{s:s, s:s, s:o, s:s, s:o, s:o, s:I, s:{s:s, s:i}, s:s, s:s, s:s, s:b, s:b, s:b}",
	        "subject", ci->subject, "issuer", ci->issuer, "san", jlist(&ci->san), "serial",
	        ci->serial, "not_before", jtime(ci->not_before), "not_after", jtime(ci->not_after),
	        "days_left", (json_int_t)ci->days_left, "key", "type", ci->key_type, "bits",
	        ci->key_bits, "signature_algorithm", ci->sig_alg, "sha256", ci->sha256,
	        "spki_sha256", ci->spki_sha256, "self_signed", ci->self_signed, "ca", ci->is_ca,
	        "must_staple", ci->must_staple);

	if (c == NULL)
		fatal("cannot build JSON");
	if (ci->key_group[0])
		json_object_set_new(json_object_get(c, "key"), "group", json_string(ci->key_group));
	{
		char rec[100];
		tlsa_record_for(ci, i, rec, sizeof(rec));
		json_object_set_new(c, "tlsa", json_string(rec));
	}
	json_object_set_new(c, "revocation", jrev(&ci->rev));
	if (v->pem) {
		BIO *b = BIO_new(BIO_s_mem());
		char *data;
		long n;

		PEM_write_bio_X509(b, sk_X509_value(p->chain, (int)i));
		n = BIO_get_mem_data(b, &data);
		json_object_set_new(c, "pem", json_stringn(data, (size_t)n));
		BIO_free(b);
	}
	return c;
}

static json_t *jfindings(const struct finding *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct finding *f = &v[i];
		json_t *jf = json_pack("{s:s, s:s, s:s}", "code", finding_defs[f->code].name,
		    "severity", severity_name(f->sev), "message", f->message);
		if (f->cert >= 0)
			json_object_set_new(jf, "cert", json_integer(f->cert));
		json_array_append_new(a, jf);
	}
	return a;
}

static json_t *jdane(const struct dane_rrset *set, const struct probe *p)
{
	static const char *const states[] = {"none", "insecure", "secure", "bogus", "failed"};
	json_t *o, *recs;
	char rec[200];

	if (set == NULL)
		return json_null();
	recs = json_array();
	for (size_t i = 0; i < set->n; i++) {
		tlsa_format(&set->rr[i], rec, sizeof(rec));
		json_array_append_new(recs, json_string(rec));
	}
	o = json_pack("{s:s, s:s, s:o}", "tlsa_owner", set->owner, "state", states[set->state],
	    "records", recs);
	if (p) {
		json_object_set_new(o, "usable", json_integer(p->dane_usable));
		json_object_set_new(o, "matched_usage",
		    p->dane_matched ? json_integer(p->dane_matched) : json_null());
	}
	return o;
}

/* domain and mx name where the probe was reached from (domain mode), else NULL. */
static json_t *jprobe(const struct probe *p, const struct view_opts *v, const char *domain,
    const char *mx);

static json_t *jsuite(uint16_t id)
{
	const struct suite *s = suite_by_id(id);
	char hex[8];

	snprintf(hex, sizeof(hex), "0x%04x", id);
	if (s == NULL)
		return json_pack("{s:s}", "id", hex);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:b}", "id", hex,
	    "name", s->iana, "openssl", s->openssl, "kx", suite_kx_name(s->kx), "auth",
	    suite_auth_name(s->auth), "enc", suite_enc_name(s->enc), "mode",
	    suite_mode_name(s->mode), "mac", suite_mac_name(s->mac), "bits", (int)s->bits,
	    "forward_secrecy", (s->flags & SUITE_FS) != 0, "aead", (s->flags & SUITE_AEAD) != 0);
}

static json_t *jgroup(uint16_t g)
{
	char hex[8];

	if (tlsmap_group_name(g))
		return json_string(tlsmap_group_name(g));
	snprintf(hex, sizeof(hex), "0x%04x", g);
	return json_string(hex);
}

static json_t *jtri(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

static json_t *jmap(const struct probe *p, const struct view_opts *v)
{
	const struct tls_map *m = p->map;
	json_t *o = json_object(), *vs = json_array(), *gs = json_array(), *cs = json_object();

	json_object_set_new(o, "hellos", json_integer(m->connections));
	json_object_set_new(o, "ms", json_real(m->ms));
	json_object_set_new(o, "incomplete", m->stopped[0] ? json_string(m->stopped) : json_null());
	for (size_t vi = TLSMAP_VERSIONS; vi-- > 0;) {
		const struct tlsmap_version *tv = &m->v[vi];
		json_t *e = json_object(), *ss = json_array();

		json_object_set_new(e, "version", json_string(tlsmap_version_name(vi)));
		json_object_set_new(e, "accepted",
		    tv->state == TLSMAP_ACCEPTED   ? json_true()
		    : tv->state == TLSMAP_REFUSED ? json_false()
		                                  : json_null());
		json_object_set_new(e, "refusal", tv->refusal[0] ? json_string(tv->refusal) : json_null());
		json_object_set_new(e, "order", json_string(tlsmap_order_name(tv->order)));
		for (size_t i = 0; i < tv->nsuites; i++) {
			json_t *js = jsuite(tv->suites[i]);

			if (m->grades)
				json_object_set_new(js, "grade",
				    json_string(m->grades->name[m->grades->suite[vi][i]]));
			json_array_append_new(ss, js);
		}
		if (m->grades)
			json_object_set_new(e, "grade", m->grades->version[vi] >= 0
			                                    ? json_string(m->grades->name[m->grades->version[vi]])
			                                    : json_null());
		json_object_set_new(e, "suites", ss);
		json_object_set_new(e, "suites_cut", json_boolean(tv->cut));
		json_object_set_new(e, "ecdhe_group", tv->ecdhe_group ? jgroup(tv->ecdhe_group) : json_null());
		json_object_set_new(e, "dhe_bits", tv->dhe_bits ? json_integer(tv->dhe_bits) : json_null());
		json_array_append_new(vs, e);
	}
	json_object_set_new(o, "versions", vs);
	for (size_t i = 0; i < m->ngroups; i++)
		json_array_append_new(gs, jgroup(m->groups[i]));
	json_object_set_new(o, "groups_tls13", gs);
	json_object_set_new(o, "secure_renegotiation", jtri(m->secure_renegotiation));
	json_object_set_new(o, "extended_master_secret", jtri(m->extended_master_secret));
	json_object_set_new(o, "compression",
	    m->secure_renegotiation < 0 ? json_null() : json_boolean(m->compression != 0));
	for (int k = 0; k < TLSMAP_CERTS; k++) {
		const struct probe *c = m->cert[k];
		json_t *e;

		if (c == NULL) {
			json_object_set_new(cs, tlsmap_cert_name((enum tlsmap_cert)k), json_null());
			continue;
		}
		e = jprobe(c, v, NULL, NULL);
		json_object_set_new(e, "same_as_check", json_boolean(tlsmap_same_leaf(c, p)));
		json_object_set_new(cs, tlsmap_cert_name((enum tlsmap_cert)k), e);
	}
	json_object_set_new(o, "certificates", cs);
	{
		json_t *cl = json_array();

		for (size_t i = 0; i < m->nclients; i++) {
			const struct tlsmap_client *c = &m->clients[i];
			const struct suite *s = suite_by_id(c->suite);

			json_array_append_new(cl,
			    json_pack("{s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:o}", "name", c->name, "title",
			        c->title, "ok", c->ok,
			        "version",
			        c->version >= 0 ? json_string(tlsmap_version_name((size_t)c->version))
			                        : json_null(),
			        "suite", s ? json_string(s->openssl) : json_null(), "group",
			        c->group ? jgroup(c->group) : json_null(), "certificate",
			        c->cert >= 0 ? json_string(tlsmap_cert_name((enum tlsmap_cert)c->cert))
			                     : json_null(),
			        "why", c->ok ? json_null() : json_string(c->why)));
		}
		json_object_set_new(o, "clients", cl);
	}
	if (m->grades) {
		const struct tlsmap_grades *g = m->grades;
		json_t *gg = json_object();

		for (size_t i = 0; i < m->ngroups; i++) {
			char hex[8];
			const char *gn = tlsmap_group_name(m->groups[i]);

			snprintf(hex, sizeof(hex), "0x%04x", m->groups[i]);
			json_object_set_new(gg, gn ? gn : hex, json_string(g->name[g->group[i]]));
		}
		json_object_set_new(o, "profile",
		    json_pack("{s:s, s:s, s:s, s:o}", "name", g->profile, "grade", g->name[g->overall],
		        "severity", severity_name((enum severity)g->sev[g->overall]), "groups", gg));
	}
	return o;
}

static json_t *jprobe(const struct probe *p, const struct view_opts *v, const char *domain,
    const char *mx)
{
	json_t *o = json_object(), *a;

	if (domain) {
		json_object_set_new(o, "domain", json_string(domain));
		json_object_set_new(o, "mx", jstr(mx));
	}
	json_object_set_new(o, "host", json_string(p->host));
	json_object_set_new(o, "address", json_string(p->address));
	json_object_set_new(o, "port", json_integer(p->port));
	json_object_set_new(o, "protocol", json_string(p->protocol));
	json_object_set_new(o, "service", jstr(p->service));
	json_object_set_new(o, "tls_mode",
	    json_string(p->mode == TLS_MODE_IMPLICIT ? "implicit" : "starttls"));
	json_object_set_new(o, "status", json_string(status_name(p->status)));
	json_object_set_new(o, "banner", jstr(p->banner));
	json_object_set_new(o, "capabilities",
	    json_pack("{s:o, s:o}", "plain", jlist(&p->capa_plain), "tls", jlist(&p->capa_tls)));
	if (p->tls_version)
		json_object_set_new(o, "tls",
		    json_pack("{s:s, s:s, s:o}", "version", p->tls_version, "cipher", p->cipher,
		        "group", jstr(p->group)));
	else
		json_object_set_new(o, "tls", json_null());
	a = json_array();
	for (size_t i = 0; i < p->ncerts; i++)
		json_array_append_new(a, jcert(p, i, v));
	json_object_set_new(o, "chain", a);
	if (p->facts.checked)
		json_object_set_new(o, "verification",
		    json_pack("{s:b, s:b, s:b, s:b, s:o, s:o, s:I}", "trusted", p->facts.trusted,
		        "dates_ok", p->facts.dates_ok, "name_matched", p->facts.name_matched,
		        "name_by_cn_only", p->facts.name_by_cn, "matched_name",
		        jstr(p->facts.matched_name), "trust_anchor", jstr(p->facts.trust_anchor),
		        "min_days_left", (json_int_t)p->facts.min_days_left));
	else
		json_object_set_new(o, "verification", json_null());
	json_object_set_new(o, "dane", jdane(p->dane, p));
	json_object_set_new(o, "findings", jfindings(p->findings, p->nfindings));
	if (p->map)
		json_object_set_new(o, "tls_map", jmap(p, v));
	json_object_set_new(o, "timing_ms",
	    json_pack("{s:o, s:o, s:o, s:o, s:o}", "connect", jms(p->t.connect_ms), "banner",
	        jms(p->t.banner_ms), "starttls", jms(p->t.starttls_ms), "tls",
	        jms(p->t.handshake_ms), "total", jms(p->t.total_ms)));
	return o;
}

static json_t *jtxt(const struct txt_set *s)
{
	return json_pack("{s:o, s:b, s:o}", "records", jlist(&s->recs), "lookup_failed", s->failed,
	    "error", s->failed ? json_string(s->why) : json_null());
}

static void jpolicies(json_t *o, const struct domain_policy *pol)
{
	static const char *const modes[] = {"none", "testing", "enforce"};
	json_t *x;

	if (pol == NULL)
		return;
	if (pol->sts_txt.looked_up) {
		x = jtxt(&pol->sts_txt);
		json_object_set_new(x, "id",
		    pol->sts_txt_ok ? json_string(pol->sts_id.id) : json_null());
		json_object_set_new(x, "fetched", json_boolean(pol->sts_fetched));
		json_object_set_new(x, "address",
		    pol->sts_addr[0] ? json_string(pol->sts_addr) : json_null());
		json_object_set_new(x, "http_status",
		    pol->sts_http_status ? json_integer(pol->sts_http_status) : json_null());
		json_object_set_new(x, "content_type",
		    pol->sts_content_type[0] ? json_string(pol->sts_content_type) : json_null());
		json_object_set_new(x, "fetch_error", jstr(pol->sts_fetch_error));
		if (pol->sts_policy_ok) {
			json_t *mx = json_array();
			for (size_t i = 0; i < pol->sts_policy->nmx; i++)
				json_array_append_new(mx, json_string(pol->sts_policy->mx[i]));
			json_object_set_new(x, "policy",
			    json_pack("{s:s, s:I, s:o}", "mode", modes[pol->sts_policy->mode],
			        "max_age", (json_int_t)pol->sts_policy->max_age, "mx", mx));
		} else {
			json_object_set_new(x, "policy", json_null());
		}
		json_object_set_new(o, "mta_sts", x);
		x = jtxt(&pol->tlsrpt_txt);
		json_object_set_new(x, "rua",
		    pol->tlsrpt_ok ? json_string(pol->tlsrpt.rua) : json_null());
		json_object_set_new(x, "rua_left_out",
		    json_integer(pol->tlsrpt_ok ? pol->tlsrpt.rua_left_out : 0));
		json_object_set_new(o, "tls_rpt", x);
	}
	if (pol->spf_txt.looked_up) {
		char q[2] = {pol->spf.all_qualifier, 0};
		x = jtxt(&pol->spf_txt);
		json_object_set_new(x, "all", pol->spf_ok && q[0] ? json_string(q) : json_null());
		json_object_set_new(x, "redirect",
		    pol->spf_ok && pol->spf.redirect[0] ? json_string(pol->spf.redirect)
		                                        : json_null());
		json_object_set_new(o, "spf", x);
	}
	if (pol->dmarc_txt.looked_up) {
		x = jtxt(&pol->dmarc_txt);
		json_object_set_new(x, "p",
		    pol->dmarc_ok ? json_string(pol->dmarc.p) : json_null());
		json_object_set_new(x, "sp",
		    pol->dmarc_ok && pol->dmarc.sp[0] ? json_string(pol->dmarc.sp) : json_null());
		json_object_set_new(x, "pct",
		    pol->dmarc_ok ? json_integer(pol->dmarc.pct) : json_null());
		json_object_set_new(x, "rua_left_out",
		    json_integer(pol->dmarc_ok ? pol->dmarc.rua_left_out : 0));
		json_object_set_new(o, "dmarc", x);
	}
	if (pol->dkim) {
		json_t *a = json_array();
		for (size_t i = 0; i < pol->ndkim; i++) {
			const struct dkim_sel *k = &pol->dkim[i];
			x = jtxt(&k->txt);
			json_object_set_new(x, "selector", json_string(k->selector));
			json_object_set_new(x, "type", k->ok ? json_string(k->key.k) : json_null());
			json_object_set_new(x, "bits",
			    k->ok ? json_integer(k->key.key_bits) : json_null());
			json_array_append_new(a, x);
		}
		json_object_set_new(o, "dkim", a);
	}
}

static json_t *jdnssec(int state)
{
	return state < 0 ? json_null() : json_string(dnssec_name((enum dnssec_state)state));
}

/* The client services asked for (--ports), each with the hosts its SRV records name. */
static json_t *jservices(const struct domain *d)
{
	json_t *a = json_array();

	for (size_t i = 0; i < d->nsvc; i++) {
		const struct service_state *st = &d->svc[i];
		json_t *hosts = json_array();

		for (size_t k = 0; k < d->nmx; k++) {
			const struct mx_host *m = &d->mx[k];
			json_t *jh, *src;

			if (m->svc != i + 1)
				continue;
			jh = json_pack("{s:s, s:i, s:i, s:i, s:s, s:o, s:o, s:o}", "host", m->host,
			    "priority", (int)m->preference, "weight", (int)m->weight, "port",
			    (int)m->port, "tls_mode",
			    m->mode == TLS_MODE_IMPLICIT ? "implicit" : "starttls", "cname",
			    jstr(m->cname), "dnssec", jdnssec(m->dnssec), "addresses",
			    jlist(&m->addrs));
			json_object_set_new(jh, "dane", jdane(m->dane, NULL));
			src = json_array();
			if (m->from_srv)
				json_array_append_new(src, json_string("srv"));
			if (m->from_autoconfig)
				json_array_append_new(src, json_string("autoconfig"));
			json_object_set_new(jh, "sources", src);
			json_array_append_new(hosts, jh);
		}
		json_array_append_new(a,
		    json_pack("{s:s, s:i, s:s, s:s, s:o, s:o}", "service", st->name, "port",
		        (int)st->port, "srv", st->owner, "state", svc_state_name(st->state),
		        "dnssec", jdnssec(st->dnssec), "hosts", hosts));
	}
	return a;
}

static const char *const ac_protos[] = {"smtp", "imap", "pop3"};
static const char *const ac_sockets[] = {"plain", "STARTTLS", "SSL"};

/* The autoconfig fetch (--ports): where, the answer, and the servers the file names. */
static json_t *jautoconfig(const struct autoconfig_found *f)
{
	json_t *o, *sv;

	if (f == NULL)
		return json_null();
	sv = json_array();
	for (size_t i = 0; i < f->cfg.n; i++) {
		const struct ac_server *s = &f->cfg.servers[i];
		json_array_append_new(sv, json_pack("{s:s, s:s, s:i, s:s, s:s, s:i}", "protocol",
		                              ac_protos[s->proto], "host", s->host, "port", (int)s->port,
		                              "socket", ac_sockets[s->socket], "authentication", s->auth,
		                              "line", (int)s->line));
	}
	o = json_pack("{s:s, s:s?, s:o, s:o, s:b, s:o, s:i, s:i, s:i}", "url", f->url, "address",
	    f->addr[0] ? f->addr : NULL, "http_status",
	    f->http_status ? json_integer(f->http_status) : json_null(), "error", jstr(f->error),
	    "parsed", f->parsed, "servers", sv, "invalid", (int)f->cfg.invalid, "skipped",
	    (int)f->cfg.skipped, "dropped", (int)f->cfg.dropped);
	return o;
}

static json_t *jdomain(const struct domain *d, const struct view_opts *v)
{
	json_t *o = json_object(), *mxs = json_array(), *probes = json_array();

	json_object_set_new(o, "domain", json_string(d->name));
	json_object_set_new(o, "status", json_string(status_name(d->status)));
	json_object_set_new(o, "dnssec", json_string(dnssec_name((enum dnssec_state)d->dnssec)));
	for (size_t i = 0; i < d->nmx; i++) {
		const struct mx_host *m = &d->mx[i];
		json_t *jm;

		for (size_t k = 0; k < m->nprobes; k++)
			json_array_append_new(probes,
			    jprobe(m->probes[k], v, d->name, m->svc ? NULL : m->host));
		if (m->svc)
			continue; /* under services */
		jm = json_pack("{s:s, s:i, s:b, s:b, s:o, s:o, s:o}", "host", m->host,
		    "preference", (int)m->preference, "implicit", m->implicit, "ip_literal",
		    m->ip_literal, "cname", jstr(m->cname), "dnssec", jdnssec(m->dnssec),
		    "addresses", jlist(&m->addrs));
		json_object_set_new(jm, "dane", jdane(m->dane, NULL));
		json_array_append_new(mxs, jm);
	}
	json_object_set_new(o, "mx", mxs);
	json_object_set_new(o, "services", jservices(d));
	json_object_set_new(o, "autoconfig", jautoconfig(d->autoconfig));
	{
		/* The domain's DANE at a glance; the details are on each mx and probe. */
		json_t *dn = json_array();
		int published = 0, looked_up = 0;

		for (size_t i = 0; i < d->nmx; i++) {
			const struct dane_rrset *set = d->mx[i].dane;
			if (set == NULL || d->mx[i].svc)
				continue;
			looked_up = 1;
			published |= set->state == DANE_STATE_SECURE;
			json_array_append_new(dn,
			    json_pack("{s:s, s:o}", "host", d->mx[i].host, "tlsa",
			        jdane(set, NULL)));
		}
		if (looked_up)
			json_object_set_new(o, "dane",
			    json_pack("{s:b, s:o}", "published", published, "mx", dn));
		else {
			json_decref(dn);
			json_object_set_new(o, "dane", json_null());
		}
	}
	jpolicies(o, d->policy);
	json_object_set_new(o, "findings", jfindings(d->findings, d->nfindings));
	json_object_set_new(o, "probes", probes);
	return o;
}

void out_jsonl_domain(FILE *f, const struct run *r, const struct domain *d,
    const struct view_opts *v)
{
	json_t *o = jdomain(d, v);

	json_object_set_new(o, "checked_at", jtime(r->at));
	{
		/* One buffer and one write: json_dumpf calls fwrite for every token. */
		size_t len;
		char *s = json_write(o, &len);

		s[len] = '\n'; /* the NUL: the line is written whole, in one go */
		fwrite(s, 1, len + 1, f);
		free(s);
	}
	json_decref(o);
}

void out_json(FILE *f, const struct run *r, const struct view_opts *v)
{
	json_t *root = json_object(), *a = json_array();

	json_object_set_new(root, "status", json_string(status_name(r->status)));
	json_object_set_new(root, "exit_code", json_integer(r->status));
	json_object_set_new(root, "checked_at", jtime(r->at));
	if (r->domain_mode) {
		json_t *ds = json_array();

		for (size_t i = 0; i < r->ndomains; i++) {
			const struct domain *d = r->domains[i];
			json_array_append_new(ds, jdomain(d, v));
			for (size_t k = 0; k < d->nmx; k++)
				for (size_t n = 0; n < d->mx[k].nprobes; n++)
					json_array_append_new(a,
					    jprobe(d->mx[k].probes[n], v, d->name,
					        d->mx[k].svc ? NULL : d->mx[k].host));
		}
		json_object_set_new(root, "domains", ds);
	} else {
		for (size_t i = 0; i < r->nprobes; i++)
			json_array_append_new(a, jprobe(r->probes[i], v, NULL, NULL));
	}
	json_object_set_new(root, "probes", a);
	json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(root);
}
