/*
 * out_text.c - the report for people: the verdict first, then why, then the chain.
 * Everything printed from a server was censored when it was stored.
 */
#include <string.h>

#include <openssl/pem.h>

#include "base/addr.h"
#include "base/dnsrr.h"
#include "base/util.h"
#include "model/suites.h"
#include "model/tlsa.h"
#include "model/tlsmap.h"
#include "out/output.h"

static const char *const sev_color[] = {"\033[32m", "\033[36m", "\033[33m", "\033[31m",
    "\033[35m"};
static const char *const status_color[] = {"\033[1;32m", "\033[1;33m", "\033[1;31m", "\033[1;35m"};
static const char *const status_word[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

static const char *c_on(const struct view_opts *v, const char *c)
{
	return v->color ? c : "";
}

static const char *c_off(const struct view_opts *v)
{
	return v->color ? "\033[0m" : "";
}

static void date_only(time_t t, char *buf, size_t len)
{
	fmt_time(t, buf, len);
	if (strlen(buf) > 10)
		buf[10] = '\0';
}

static void days_phrase(long d, char *buf, size_t len)
{
	if (d < 0)
		snprintf(buf, len, "expired %ld day%s ago", -d, d == -1 ? "" : "s");
	else
		snprintf(buf, len, "%ld day%s left", d, d == 1 ? "" : "s");
}

static void out_finding(FILE *, const struct finding *, const char *, const struct view_opts *);

static void out_cert(FILE *f, const struct probe *p, size_t i, const struct view_opts *v)
{
	const struct cert_info *ci = &p->certs[i];
	char nb[32], na[32], left[48];

	days_phrase(ci->days_left, left, sizeof(left));
	date_only(ci->not_before, nb, sizeof(nb));
	date_only(ci->not_after, na, sizeof(na));
	fprintf(f, "    #%zu %s\n", i, ci->subject);
	fprintf(f, "       issuer  %s\n", ci->issuer);
	if (!v->show_chain) {
		fprintf(f, "       valid   %s .. %s (%s)\n", nb, na, left);
		return;
	}
	fprintf(f, "       san     ");
	for (size_t k = 0; k < ci->san.n; k++)
		fprintf(f, "%s%s", k ? ", " : "", ci->san.v[k]);
	fprintf(f, "%s\n", ci->san.n ? "" : "(none)");
	fprintf(f, "       serial  %s\n", ci->serial);
	fprintf(f, "       valid   %s .. %s (%s)\n", nb, na, left);
	fprintf(f, "       key     %s %d%s%s, signed with %s%s%s\n", ci->key_type, ci->key_bits,
	    ci->key_group[0] ? " " : "", ci->key_group, ci->sig_alg,
	    ci->self_signed ? ", self-signed" : "", ci->is_ca ? ", CA" : "");
	fprintf(f, "       sha256  %s\n", ci->sha256);
	fprintf(f, "       spki    %s\n", ci->spki_sha256);
	{
		char rec[100];
		tlsa_record_for(ci, i, rec, sizeof(rec));
		fprintf(f, "       tlsa    %s\n", rec);
	}
	if (v->pem)
		PEM_write_X509(f, sk_X509_value(p->chain, (int)i));
}

/* Names after a label, wrapped under it. */
static void out_wrapped(FILE *f, size_t *col, const char *word, int first)
{
	size_t n = strlen(word) + (first ? 0 : 2);

	if (!first && *col + n > 96) {
		fputs(",\n                 ", f);
		*col = 17;
		n -= 2;
	} else if (!first) {
		fputs(", ", f);
	}
	fputs(word, f);
	*col += n;
}

/* One certificate handshake of the map, against the check's own certificate. */
static void out_map_cert(FILE *f, const struct probe *p, const struct probe *c, int k)
{
	fprintf(f, "    %-8s ", tlsmap_cert_name((enum tlsmap_cert)k));
	if (c == NULL)
		fputs("not asked (the check connected to an address, without SNI)\n", f);
	else if (c->ncerts == 0)
		fputs(k == TLSMAP_CERT_NO_SNI ? "no certificate (the handshake failed)\n"
		                              : "none (the handshake failed: it holds no such key)\n",
		    f);
	else if (tlsmap_same_leaf(c, p))
		fprintf(f, "the same certificate (%s %d)\n", c->certs[0].key_type,
		    c->certs[0].key_bits);
	else
		fprintf(f, "%s, %s %d, %s\n", c->certs[0].subject, c->certs[0].key_type,
		    c->certs[0].key_bits, status_word[c->status]);
}

static void out_map(FILE *f, const struct probe *p)
{
	const struct tls_map *m = p->map;
	char buf[64];

	fprintf(f, "  tls map  %u hellos in %.0f ms%s%s\n", m->connections, m->ms,
	    m->stopped[0] ? "; incomplete: " : "", m->stopped);
	if (m->grades)
		fprintf(f, "    profile  %s: %s\n", m->grades->profile,
		    m->grades->name[m->grades->overall]);
	for (size_t vi = TLSMAP_VERSIONS; vi-- > 0;) {
		const struct tlsmap_version *tv = &m->v[vi];
		size_t col = 17;

		fprintf(f, "    %-8s %-3s", tlsmap_version_name(vi), tlsmap_state_name(tv->state));
		if (m->grades && m->grades->version[vi] >= 0)
			fprintf(f, "  [%s]", m->grades->name[m->grades->version[vi]]);
		if (tv->state != TLSMAP_ACCEPTED) {
			if (tv->refusal[0])
				fprintf(f, "  (%s)", tv->refusal);
			fputc('\n', f);
			continue;
		}
		fprintf(f, "  %s order, %zu suite%s%s", tlsmap_order_name(tv->order), tv->nsuites,
		    tv->nsuites == 1 ? "" : "s", tv->cut ? " and more" : "");
		if (tv->ecdhe_group)
			fprintf(f, ", ECDHE %s", tlsmap_group_name(tv->ecdhe_group)
			                             ? tlsmap_group_name(tv->ecdhe_group)
			                             : "(unknown group)");
		if (tv->dhe_bits)
			fprintf(f, ", DHE %d bits", tv->dhe_bits);
		fputs(":\n                 ", f);
		for (size_t i = 0; i < tv->nsuites; i++) {
			const struct suite *s = suite_by_id(tv->suites[i]);

			if (m->grades)
				snprintf(buf, sizeof(buf), "%s [%s]", s ? s->openssl : "?",
				    m->grades->name[m->grades->suite[vi][i]]);
			else if (s == NULL)
				snprintf(buf, sizeof(buf), "0x%04x", tv->suites[i]);
			out_wrapped(f, &col, m->grades || s == NULL ? buf : s->openssl, i == 0);
		}
		fputc('\n', f);
	}
	if (m->ngroups) {
		size_t col = 17;

		fputs("    groups   ", f);
		for (size_t i = 0; i < m->ngroups; i++) {
			const char *g = tlsmap_group_name(m->groups[i]);

			if (g == NULL)
				snprintf(buf, sizeof(buf), "0x%04x", m->groups[i]), g = buf;
			out_wrapped(f, &col, g, i == 0);
		}
		fputs(" (TLS 1.3)\n", f);
	}
	if (m->secure_renegotiation >= 0)
		fprintf(f, "    hello    secure renegotiation %s, extended master secret %s, "
		           "compression %s\n",
		    m->secure_renegotiation ? "yes" : "no", m->extended_master_secret ? "yes" : "no",
		    m->compression ? "yes" : "none");
	for (int k = 0; k < TLSMAP_CERTS; k++)
		out_map_cert(f, p, m->cert[k], k);
	for (size_t i = 0; i < m->nclients; i++) {
		const struct tlsmap_client *c = &m->clients[i];
		const struct suite *s = suite_by_id(c->suite);
		const struct probe *cp = c->cert >= 0 ? m->cert[c->cert] : NULL;

		fprintf(f, "    %-15s", c->name);
		if (!c->ok) {
			fprintf(f, "fails: %s\n", c->why);
			continue;
		}
		fprintf(f, "%s %s", tlsmap_version_name((size_t)c->version), s ? s->openssl : "?");
		if (c->group && tlsmap_group_name(c->group))
			fprintf(f, " %s", tlsmap_group_name(c->group));
		if (c->cert >= 0)
			fprintf(f, ", %s certificate%s%s", c->cert == TLSMAP_CERT_ECDSA ? "ECDSA" : "RSA",
			    cp && cp->ncerts ? " " : "", cp && cp->ncerts ? status_word[cp->status] : "");
		fputc('\n', f);
	}
}

static void out_probe(FILE *f, const struct probe *p, const struct view_opts *v)
{
	const char *addr_fmt = strchr(p->address, ':') ? "[%s]" : "%s";

	fprintf(f, "%s%-8s%s %s ", c_on(v, status_color[p->status]), status_word[p->status],
	    c_off(v), p->host);
	fprintf(f, addr_fmt, p->address);
	fprintf(f, ":%u (%s, %s)\n", p->port, p->protocol,
	    p->mode == TLS_MODE_IMPLICIT ? "implicit TLS" : "STARTTLS");
	for (size_t i = 0; i < p->nfindings; i++)
		out_finding(f, &p->findings[i], "  ", v);
	if (p->banner) {
		const char *nl = strchr(p->banner, '\n');
		fprintf(f, "  banner   %.*s%s\n",
		    nl ? (int)(nl - p->banner) : (int)strlen(p->banner), p->banner,
		    nl ? " ..." : "");
	}
	if (p->capa_tls.n || p->capa_plain.n) {
		const struct strlist *c = p->capa_tls.n ? &p->capa_tls : &p->capa_plain;
		fprintf(f, "  capa%s  ", p->capa_tls.n ? "/tls" : "    ");
		for (size_t i = 0; i < c->n; i++)
			fprintf(f, "%s%s", i ? ", " : "", c->v[i]);
		fputc('\n', f);
	}
	if (p->ncerts) {
		fprintf(f, "  chain    %zu certificate%s as sent\n", p->ncerts,
		    p->ncerts == 1 ? "" : "s");
		for (size_t i = 0; i < p->ncerts; i++)
			out_cert(f, p, i, v);
	}
	if (p->map)
		out_map(f, p);
	if (p->t.total_ms >= 0) {
		const struct {
			const char *name;
			double ms;
		} ph[] = {{"connect", p->t.connect_ms}, {"banner", p->t.banner_ms},
		    {"starttls", p->t.starttls_ms}, {"tls", p->t.handshake_ms},
		    {"total", p->t.total_ms}};
		const char *sep = "  timing   ";

		for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]); i++) {
			if (ph[i].ms < 0)
				continue;
			fprintf(f, "%s%s %.1f ms", sep, ph[i].name, ph[i].ms);
			sep = ", ";
		}
		fputc('\n', f);
	}
}

static void out_finding(FILE *f, const struct finding *fd, const char *indent,
    const struct view_opts *v)
{
	fprintf(f, "%s%s%-4s%s %-22s %s", indent, c_on(v, sev_color[fd->sev]),
	    severity_name(fd->sev), c_off(v), finding_defs[fd->code].name, fd->message);
	if (fd->cert >= 0)
		fprintf(f, " [#%d]", fd->cert);
	fputc('\n', f);
}

/* One line per probe; what is wrong below it; each distinct leaf described once. */
static void out_domain_probe(FILE *f, const struct probe *p, const struct view_opts *v,
    char (*seen)[96], size_t *nseen, size_t maxseen)
{
	const char *fmt = strchr(p->address, ':') ? "[%s]:%u" : "%s:%u";
	char where[80];

	snprintf(where, sizeof(where), fmt, p->address, p->port);
	fprintf(f, "    %s%-8s%s %-24s", c_on(v, status_color[p->status]), status_word[p->status],
	    c_off(v), where);
	if (p->tls_version)
		fprintf(f, " %s %s", p->tls_version, p->cipher);
	if (p->ncerts) {
		const struct cert_info *ci = &p->certs[0];
		size_t k;

		for (k = 0; k < *nseen; k++)
			if (strcmp(seen[k], ci->sha256) == 0)
				break;
		if (k < *nseen) {
			fprintf(f, ", same certificate as above");
		} else {
			char na[32];
			date_only(ci->not_after, na, sizeof(na));
			fprintf(f, ", %s, until %s (%ld days), issued by %s", ci->subject, na,
			    ci->days_left, ci->issuer);
			if (*nseen < maxseen)
				snprintf(seen[(*nseen)++], 96, "%s", ci->sha256);
		}
	}
	if (p->dane_matched)
		fprintf(f, ", DANE-%s matches", p->dane_matched == 3 ? "EE" : "TA");
	fputc('\n', f);
	for (size_t i = 0; i < p->nfindings; i++)
		if (p->findings[i].sev >= SEV_WARN)
			out_finding(f, &p->findings[i], "        ", v);
}

static int is_record_finding(enum finding_code c)
{
	const char *n = finding_defs[c].name;
	return strncmp(n, "SPF_", 4) == 0 || strncmp(n, "DMARC_", 6) == 0 ||
	    strncmp(n, "DKIM_", 5) == 0;
}

static void out_domain(FILE *f, const struct domain *d, const struct view_opts *v)
{
	size_t naddr = 0, nmx = 0;
	char seen[16][96], unicode[256];
	size_t nseen = 0;
	int idn = addr_to_unicode(d->name, unicode, sizeof(unicode));

	for (size_t i = 0; i < d->nmx; i++) {
		naddr += d->mx[i].nprobes;
		nmx += d->mx[i].svc == 0;
	}
	fprintf(f, "%s%-8s%s %s%s%s%s  (%zu MX, %zu probe%s, DNSSEC %s)\n",
	    c_on(v, status_color[d->status]), status_word[d->status], c_off(v), d->name,
	    idn ? " [" : "", idn ? unicode : "", idn ? "]" : "", nmx, naddr, naddr == 1 ? "" : "s",
	    dnssec_name((enum dnssec_state)d->dnssec));
	/* Transport findings first; the sender-authentication records in a section of their own. */
	for (size_t i = 0; i < d->nfindings; i++)
		if (!is_record_finding(d->findings[i].code))
			out_finding(f, &d->findings[i], "  ", v);
	for (size_t i = 0; i < d->nmx; i++) {
		const struct mx_host *m = &d->mx[i];

		if (m->svc)
			continue;
		fprintf(f, "  %s %u %s%s%s%s\n", m->implicit ? "implicit MX" : "MX", m->preference,
		    m->host, m->cname ? " -> " : "", m->cname ? m->cname : "",
		    m->nprobes ? "" : "  (no address)");
		for (size_t k = 0; k < m->nprobes; k++)
			out_domain_probe(f, m->probes[k], v, seen, &nseen, 16);
	}
	/* The client services (--ports): each SRV answer, then the hosts it names. */
	for (size_t s = 0; s < d->nsvc; s++) {
		const struct service_state *st = &d->svc[s];

		fprintf(f, "  %s (port %u): %s%s%s\n", st->name, st->port, st->owner,
		    st->state == SVC_FOUND ? "" : ": ",
		    st->state == SVC_FOUND ? "" : svc_state_name(st->state));
		for (size_t i = 0; i < d->nmx; i++) {
			const struct mx_host *m = &d->mx[i];

			if (m->svc != s + 1)
				continue;
			if (m->from_srv)
				fprintf(f, "  SRV %u %u %u %s%s%s\n", m->preference, m->weight,
				    m->port, m->host, m->from_autoconfig ? " (and autoconfig)" : "",
				    m->nprobes ? "" : "  (no address)");
			else
				fprintf(f, "  autoconfig %s:%u%s\n", m->host, m->port,
				    m->nprobes ? "" : "  (no address)");
			for (size_t k = 0; k < m->nprobes; k++)
				out_domain_probe(f, m->probes[k], v, seen, &nseen, 16);
		}
	}
	for (size_t i = 0, shown = 0; i < d->nfindings; i++)
		if (is_record_finding(d->findings[i].code)) {
			if (!shown++)
				fprintf(f, "  records (SPF, DMARC, DKIM)\n");
			out_finding(f, &d->findings[i], "    ", v);
		}
}

void out_text(FILE *f, const struct run *r, const struct view_opts *v)
{
	if (r->domain_mode) {
		for (size_t i = 0; i < r->ndomains; i++) {
			if (i)
				fputc('\n', f);
			out_domain(f, r->domains[i], v);
		}
		return;
	}
	for (size_t i = 0; i < r->nprobes; i++) {
		if (i)
			fputc('\n', f);
		out_probe(f, r->probes[i], v);
	}
}
