/*
 * tlsscan.c - check --tls-scan (tlsscan.h): tls/scan.c decides what to offer, this file
 * connects, and the session machine speaks the protocol up to TLS and sends the hello.
 * One connection at a time, so a server sees at most one more connection from us than a
 * check without the scan, with --scan-pause between them if asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "base/addr.h"
#include "base/util.h"
#include "engine/tlsscan.h"
#include "model/suites.h"
#include "model/tlsa.h"
#include "model/tlsmap.h"
#include "model/tlsprofile.h"
#include "pki/dane.h"
#include "tls/scan.h"

/* The handshakes that ask for each kind of certificate (tlsmap.h). TLS 1.2 picks the
 * certificate by the suite's authentication, TLS 1.3 by signature_algorithms: both are
 * narrowed. */
static const struct session_variant cert_variants[TLSMAP_CERTS] = {
    [TLSMAP_CERT_ECDSA] = {NULL,
        "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:ed25519:ed448:ECDSA+SHA1", "aECDSA", 0},
    [TLSMAP_CERT_RSA] = {NULL,
        "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:rsa_pss_pss_sha256:"
        "rsa_pss_pss_sha384:rsa_pss_pss_sha512:RSA+SHA256:RSA+SHA384:RSA+SHA512:RSA+SHA1",
        "aRSA", 0},
    [TLSMAP_CERT_NO_SNI] = {NULL, NULL, NULL, 1},
};

struct tlsscan {
	const struct tlsscan_env *env;
	struct probe *p; /* the probe whose server is mapped */
	struct tls_map *map;
	struct scan_plan plan;
	struct probe conn; /* the connection in flight's own probe (the scan's hellos) */
	int conn_live;
	struct raw_hello rh;
	struct session_variant var;
	unsigned char hello[5 + HELLO_CLIENT_MAX];
	struct session *session;
	struct event *pause;
	int cert; /* the certificate handshake in flight, -1 before them */
	double t0;
	void (*done)(void *);
	void *arg;
};

static void scan_step(struct tlsscan *);

int tlsscan_applies(const struct probe *p)
{
	return p->tls_version != NULL || probe_has(p, F_TLS_HANDSHAKE_FAILED);
}

static int scan_wants_kx(void *arg, const struct server_hello *sh, int *ecdhe)
{
	struct tlsscan *sc = arg;

	return scan_plan_wants_kx(&sc->plan, sh, ecdhe);
}

/* Why a connection did not reach TLS: its first finding says. */
static const char *conn_why(const struct probe *c)
{
	return c->nfindings ? c->findings[0].message : "the session ended before TLS";
}

static void hello_done(struct probe *c, void *arg)
{
	struct tlsscan *sc = arg;
	struct raw_hello *rh = &sc->rh;

	(void)c;
	if (!rh->sent)
		scan_plan_feed(&sc->plan, SCAN_UNREACHED, HELLO_MORE, NULL, NULL, conn_why(c));
	else if (rh->r == HELLO_MORE)
		scan_plan_feed(&sc->plan, SCAN_CLOSED, HELLO_MORE, &rh->sh, NULL,
		    rh->why[0] ? rh->why : "no answer");
	else
		scan_plan_feed(&sc->plan, SCAN_ANSWERED, rh->r, &rh->sh, &rh->kx, NULL);
	probe_clear(&sc->conn);
	sc->conn_live = 0;
	scan_step(sc);
}

/* A certificate handshake ended: judge what it got as a probe of its own. */
static void cert_done(struct probe *c, void *arg)
{
	struct tlsscan *sc = arg;

	if (c->chain) {
		verify_probe(c, sc->env->vp);
		dane_judge(c, sc->env->vp);
	}
	verdict_probe(c, sc->env->verdict);
	if (c->chain) {
		sk_X509_pop_free(c->chain, X509_free);
		c->chain = NULL;
		if (c->path)
			sk_X509_pop_free(c->path, X509_free);
		c->path = NULL;
	}
	scan_step(sc);
}

static void start_hello(struct tlsscan *sc, const struct hello_offer *o)
{
	unsigned char seed[64];
	const struct probe *p = sc->p;

	if (RAND_bytes(seed, sizeof(seed)) != 1)
		memset(seed, 0x5a, sizeof(seed)); /* a random that is not: harmless here */
	memset(&sc->rh, 0, sizeof(sc->rh));
	sc->rh.len = hello_write(o, seed, sc->hello, sizeof(sc->hello));
	sc->rh.bytes = sc->hello;
	sc->rh.wants_kx = scan_wants_kx;
	sc->rh.arg = sc;
	memset(&sc->var, 0, sizeof(sc->var));
	sc->var.raw = &sc->rh;
	probe_init(&sc->conn, p->host, p->address, p->port, p->mode, p->dialect, p->protocol);
	sc->conn_live = 1;
	session_start_variant(sc->env->base, sc->env->sp, &sc->var, &sc->conn, &sc->session,
	    hello_done, sc);
}

static void start_cert(struct tlsscan *sc)
{
	const struct probe *p = sc->p;
	struct probe *c;

	c = sc->map->cert[sc->cert] =
	    probe_new(p->host, p->address, p->port, p->mode, p->dialect, p->protocol);
	c->service = p->service;
	c->rule = p->rule;
	if (p->dane)
		c->dane = dane_rrset_ref(p->dane);
	session_start_variant(sc->env->base, sc->env->sp, &cert_variants[sc->cert], c,
	    &sc->session, cert_done, sc);
}

static void scan_end(struct tlsscan *sc)
{
	void (*done)(void *) = sc->done;
	void *arg = sc->arg;

	sc->map->ms = now_ms() - sc->t0;
	sc->p->map = sc->map;
	sc->map = NULL;
	tlsscan_findings(sc->p, sc->env->profile, sc->env->clients);
	tlsscan_abort(sc);
	done(arg);
}

static void scan_next(struct tlsscan *sc)
{
	struct hello_offer o;

	if (sc->cert < 0 && scan_plan_next(&sc->plan, &o)) {
		start_hello(sc, &o);
		return;
	}
	/* The certificates: no-SNI only when the check sent SNI (a name, not an address). */
	while (++sc->cert < TLSMAP_CERTS)
		if (sc->cert != TLSMAP_CERT_NO_SNI || !addr_is_ip(sc->p->host))
			break;
	if (sc->cert < TLSMAP_CERTS) {
		start_cert(sc);
		return;
	}
	scan_end(sc);
}

static void scan_resume(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	scan_next(arg);
}

/* The next connection, after the pause if one was asked for. */
static void scan_step(struct tlsscan *sc)
{
	struct timeval tv;

	if (sc->env->pause_s <= 0) {
		scan_next(sc);
		return;
	}
	tv.tv_sec = (time_t)sc->env->pause_s;
	tv.tv_usec = (suseconds_t)((sc->env->pause_s - (double)tv.tv_sec) * 1e6);
	evtimer_add(sc->pause, &tv);
}

struct tlsscan *tlsscan_start(const struct tlsscan_env *env, struct probe *p,
    void (*done)(void *), void *arg)
{
	struct tlsscan *sc = xcalloc(1, sizeof(*sc));

	sc->env = env;
	sc->p = p;
	sc->map = xcalloc(1, sizeof(*sc->map));
	sc->cert = -1;
	sc->done = done;
	sc->arg = arg;
	sc->t0 = now_ms();
	scan_plan_init(&sc->plan, sc->map, addr_is_ip(p->host) ? NULL : p->host);
	sc->pause = evtimer_new(env->base, scan_resume, sc);
	if (sc->pause == NULL)
		fatal("cannot create timer");
	/* Through the loop, so that done never runs inside this call. */
	{
		struct timeval now = {0, 0};

		evtimer_add(sc->pause, &now);
	}
	return sc;
}

void tlsscan_abort(struct tlsscan *sc)
{
	if (sc == NULL)
		return;
	session_abort(sc->session);
	if (sc->conn_live)
		probe_clear(&sc->conn);
	if (sc->pause)
		event_free(sc->pause);
	tlsmap_free(sc->map);
	free(sc);
}

/* --- What the map shows ------------------------------------------------------------ */

/* The weak classes of suites, worst first: the flag, its name, why. */
static const struct {
	unsigned flag;
	const char *name;
} weak_classes[] = {
    {SUITE_NULL, "NULL (no encryption)"},
    {SUITE_ANON, "anonymous (no server authentication)"},
    {SUITE_EXPORT, "EXPORT (40/56-bit, FREAK and Logjam)"},
    {SUITE_RC4, "RC4 (RFC 7465 forbids it)"},
    {SUITE_DES, "single DES"},
    {SUITE_3DES, "3DES (64-bit blocks, Sweet32)"},
};

/* A short list of the suites of class flag the server accepts, in every version. */
static size_t weak_list(const struct tls_map *m, unsigned flag, char *buf, size_t cap)
{
	size_t n = 0, at = 0;

	buf[0] = '\0';
	for (size_t vi = TLSMAP_VERSIONS; vi-- > 0;) {
		const struct tlsmap_version *v = &m->v[vi];

		for (size_t i = 0; i < v->nsuites; i++) {
			const struct suite *s = suite_by_id(v->suites[i]);
			int w;

			if (s == NULL || !(s->flags & flag))
				continue;
			n++;
			if (at < cap) {
				w = snprintf(buf + at, cap - at, "%s%s in %s", at ? ", " : "",
				    s->openssl, tlsmap_version_name(vi));
				at += w > 0 ? (size_t)w : 0;
			}
		}
	}
	if (at >= cap && cap > 4)
		memcpy(buf + cap - 4, "...", 4);
	return n;
}

/* The certificate handshake c passed: PKIX with the name, or a DANE match. */
static int cert_passes(const struct probe *c)
{
	return c->ncerts > 0 && ((c->facts.trusted && c->facts.dates_ok && c->facts.name_matched) ||
	                            c->dane_matched);
}

/* The first failing finding of a judged probe, for the message. */
static const char *cert_fault(const struct probe *c)
{
	for (size_t i = 0; i < c->nfindings; i++)
		if (c->findings[i].sev >= SEV_WARN &&
		    strncmp(finding_defs[c->findings[i].code].name, "CERT_", 5) == 0)
			return c->findings[i].message;
	return "it does not verify";
}

static void cert_findings(struct probe *p, const struct tls_map *m)
{
	static const char *const who[TLSMAP_CERTS] = {
	    [TLSMAP_CERT_ECDSA] = "senders that offer ECDSA, as OpenSSL-based MTAs (Postfix, Exim) "
	                          "do first, are given it",
	    [TLSMAP_CERT_RSA] = "senders that offer only RSA signatures (older or restricted TLS "
	                        "stacks) are given it",
	};
	int main_ok = cert_passes(p);

	for (int k = TLSMAP_CERT_ECDSA; k <= TLSMAP_CERT_RSA; k++) {
		const struct probe *c = m->cert[k];

		if (c == NULL || c->ncerts == 0 || tlsmap_same_leaf(c, p))
			continue; /* no such certificate, or the one the check judged */
		if (main_ok && !cert_passes(c))
			probe_add(p, F_CERT_ALT_CHAIN_PROBLEM, -1,
			    "the server also holds an %s certificate (%s, %s %d bits) and it fails: "
			    "%s; %s",
			    k == TLSMAP_CERT_ECDSA ? "ECDSA" : "RSA", c->certs[0].subject,
			    c->certs[0].key_type, c->certs[0].key_bits, cert_fault(c), who[k]);
		else if (!main_ok && cert_passes(c))
			probe_add(p, F_CERT_ALT_CHAIN_PROBLEM, -1,
			    "the certificate the check was given fails, but the server's %s "
			    "certificate (%s) passes: only %s",
			    k == TLSMAP_CERT_ECDSA ? "ECDSA" : "RSA", c->certs[0].subject,
			    k == TLSMAP_CERT_ECDSA ? "senders that offer ECDSA get a valid one"
			                           : "senders that offer only RSA get a valid one");
	}
	{
		const struct probe *c = m->cert[TLSMAP_CERT_NO_SNI];

		if (c && c->ncerts > 0 && !tlsmap_same_leaf(c, p) && !cert_passes(c))
			probe_add(p, F_CERT_NO_SNI_DIFFERENT, -1,
			    "without SNI the server shows another certificate (%s) and it fails: %s; "
			    "senders that send no server name (Postfix unless DANE or "
			    "smtp_tls_servername asks for one) are given it",
			    c->certs[0].subject, cert_fault(c));
	}
}

/* The profile's verdict in one line: the overall grade, then what holds it there. */
static void profile_finding(struct probe *p, const struct tls_profile *pr)
{
	const struct tls_map *m = p->map;
	const struct tlsmap_grades *g = m->grades;
	char why[600];
	size_t at = 0;
	int w;

	why[0] = '\0';
#define WHY(...)                                                                          \
	do {                                                                               \
		if (at < sizeof(why)) {                                                    \
			w = snprintf(why + at, sizeof(why) - at, __VA_ARGS__);             \
			at += w > 0 ? (size_t)w : 0;                                       \
		}                                                                          \
	} while (0)
	if (g->overall > 0) {
		uint16_t seen[64];
		size_t nseen = 0, more = 0;

		for (size_t vi = TLSMAP_VERSIONS; vi-- > 0;)
			if (g->version[vi] == g->overall)
				WHY("%s%s", at ? ", " : "", tlsmap_version_name(vi));
		/* Each suite once, whatever the versions it is accepted in. */
		for (size_t vi = TLSMAP_VERSIONS; vi-- > 0;)
			for (size_t i = 0; i < m->v[vi].nsuites; i++) {
				uint16_t id = m->v[vi].suites[i];
				const struct suite *s = suite_by_id(id);
				size_t k;

				if (g->suite[vi][i] != g->overall)
					continue;
				for (k = 0; k < nseen && seen[k] != id; k++)
					;
				if (k < nseen)
					continue;
				if (nseen < sizeof(seen) / sizeof(seen[0]))
					seen[nseen++] = id;
				if (nseen <= 6)
					WHY("%s%s", at ? ", " : "", s ? s->openssl : "?");
				else
					more++;
			}
		if (more)
			WHY(" and %zu more suites", more);
		for (size_t vi = TLSMAP_VERSIONS; vi-- > 0;)
			if (g->dhe_bits[vi] == g->overall) {
				WHY("%sDHE %d bits", at ? ", " : "", m->v[vi].dhe_bits);
				break;
			}
		for (size_t vi = TLSMAP_VERSIONS; vi-- > 0;)
			if (g->ecdhe_group[vi] == g->overall) {
				const char *gn = tlsmap_group_name(m->v[vi].ecdhe_group);

				WHY("%sECDHE %s", at ? ", " : "", gn ? gn : "?");
				break;
			}
		for (size_t i = 0; i < m->ngroups; i++)
			if (g->group[i] == g->overall)
				WHY("%s%s", at ? ", " : "",
				    tlsmap_group_name(m->groups[i]) ? tlsmap_group_name(m->groups[i])
				                                    : "?");
	}
#undef WHY
	if (at >= sizeof(why))
		memcpy(why + sizeof(why) - 4, "...", 4);
	probe_add_arg(p, F_TLS_PROFILE, -1, g->sev[g->overall], "%s (%s): %s%s%s", pr->name,
	    pr->title, g->name[g->overall], at ? ", for " : "", why);
}

/* Whether the server holds a certificate of kind k: its own handshake's, or the one the
 * map asked for. */
static int holds_kind(const struct probe *p, const struct tls_map *m, int k)
{
	const struct probe *c = m->cert[k];
	const char *want = k == TLSMAP_CERT_ECDSA ? "EC" : "RSA";

	return (c && c->ncerts > 0) || (p->ncerts > 0 && strcmp(p->certs[0].key_type, want) == 0);
}

static void client_findings(struct probe *p, const struct tls_profiles *ps)
{
	struct tls_map *m = p->map;
	int holds[2] = {holds_kind(p, m, TLSMAP_CERT_ECDSA), holds_kind(p, m, TLSMAP_CERT_RSA)};

	for (size_t i = 0; i < ps->nc && i < TLSMAP_CLIENTS_MAX; i++) {
		struct tlsmap_client *c = &m->clients[m->nclients++];

		tlsclient_simulate(&ps->c[i], m, holds, c);
		if (!c->ok)
			probe_add(p, F_TLS_CLIENT_FAILS, -1, "%s would fail: %s", c->title, c->why);
	}
}

void tlsscan_findings(struct probe *p, const struct tls_profile *profile,
    const struct tls_profiles *clients)
{
	const struct tls_map *m = p->map;
	char sum[400], list[300];
	size_t at = 0;
	int any = 0;

	if (m == NULL)
		return;
	sum[0] = '\0';
	for (size_t vi = TLSMAP_VERSIONS; vi-- > 0;) {
		const struct tlsmap_version *v = &m->v[vi];
		int w;

		if (v->state != TLSMAP_ACCEPTED)
			continue;
		any = 1;
		w = snprintf(sum + at, sizeof(sum) - at, "%s%s (%zu suite%s%s%s)", at ? ", " : "",
		    tlsmap_version_name(vi), v->nsuites, v->nsuites == 1 ? "" : "s",
		    v->order == TLSMAP_ORDER_SERVER   ? ", server order"
		    : v->order == TLSMAP_ORDER_CLIENT ? ", client order"
		                                      : "",
		    v->cut ? ", more not listed" : "");
		if (w > 0 && (size_t)w < sizeof(sum) - at)
			at += (size_t)w;
		if (vi < 3)
			probe_add_arg(p, F_TLS_LEGACY_VERSION, -1, (long)(0x0300 + vi),
			    "the server accepts %s%s", tlsmap_version_name(vi),
			    vi == 0 ? " (RFC 7568 forbids it: POODLE)"
			            : " (RFC 8996 deprecates it)");
	}
	probe_add(p, F_TLS_MAP, -1, "%s; %u hellos in %.0f ms", any ? sum : "no version accepted",
	    m->connections, m->ms);
	if (m->stopped[0])
		probe_add(p, F_TLS_MAP_INCOMPLETE, -1, "the map is incomplete: %s", m->stopped);
	if (m->v[4].state == TLSMAP_REFUSED && any)
		probe_add(p, F_TLS_NO_TLS13, -1, "TLS 1.3 was refused (%s)", m->v[4].refusal);
	for (size_t i = 0; i < sizeof(weak_classes) / sizeof(weak_classes[0]); i++) {
		size_t n = weak_list(m, weak_classes[i].flag, list, sizeof(list));

		if (n > 0)
			probe_add_arg(p, F_TLS_WEAK_CIPHER, -1, (long)weak_classes[i].flag,
			    "%s suites accepted: %s", weak_classes[i].name, list);
	}
	for (size_t vi = TLSMAP_VERSIONS; vi-- > 0;)
		if (m->v[vi].dhe_bits > 0 && m->v[vi].dhe_bits < 2048) {
			probe_add_arg(p, F_TLS_WEAK_DH, -1, m->v[vi].dhe_bits,
			    "DHE suites use a %d-bit prime (in %s): below 2048 bits (Logjam)",
			    m->v[vi].dhe_bits, tlsmap_version_name(vi));
			break;
		}
	if (m->secure_renegotiation == 0)
		probe_add(p, F_TLS_NO_SECURE_RENEGOTIATION, -1,
		    "the ServerHello has no renegotiation_info: renegotiation is not protected "
		    "(RFC 5746)");
	if (m->extended_master_secret == 0)
		probe_add(p, F_TLS_NO_EXTENDED_MASTER_SECRET, -1,
		    "the ServerHello before TLS 1.3 has no extended_master_secret (RFC 7627)");
	if (m->compression > 0)
		probe_add(p, F_TLS_COMPRESSION, -1,
		    "the server chose compression method %d, which was not offered (CRIME)",
		    m->compression);
	cert_findings(p, m);
	if (profile) {
		tlsprofile_grade(profile, p->map);
		profile_finding(p, profile);
	}
	if (clients && m->connections > 0)
		client_findings(p, clients);
}
