/*
 * scan.c - the TLS map's search (scan.h): versions, suites by elimination, whose order,
 * TLS 1.3 groups. Every answer is untrusted: a suite or group the server was not offered,
 * or a version it was not asked for, ends that part of the search with a note instead of
 * looping on it.
 */
#include <stdio.h>
#include <string.h>

#include "model/suites.h"
#include "tls/scan.h"

/* Signature algorithms offered (RFC 8446 4.2.3): every one a mail server may hold a
 * certificate for, SHA-1 and DSA included, so that no certificate is missed for them. */
static const uint16_t scan_sigalgs[] = {0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0807,
    0x0808, 0x0403, 0x0503, 0x0603, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0402, 0x0203,
    0x0201, 0x0202};

/* Groups offered: elliptic curves first (x25519 carries the TLS 1.3 key share), then the
 * RFC 7919 finite-field groups. */
static const uint16_t scan_groups[] = {0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x001a, 0x001b,
    0x001c, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104};
#define NGROUPS (sizeof(scan_groups) / sizeof(scan_groups[0]))

static uint16_t wire_version(size_t vi)
{
	return (uint16_t)(0x0300 + vi);
}

static int has(const uint16_t *v, size_t n, uint16_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

/* Every suite of the table that may be negotiated at this version, minus those found. */
static void suites_for(struct scan_plan *sp)
{
	const struct tlsmap_version *v = &sp->map->v[sp->vi];
	uint16_t wv = wire_version(sp->vi);
	const struct suite *s;

	sp->nsuites = 0;
	for (size_t i = 0; (s = suite_at(i)) != NULL && sp->nsuites < SCAN_OFFER_MAX; i++) {
		if (wv == 0x0304 ? s->kx != SUITE_KX_TLS13
		                 : (s->kx == SUITE_KX_TLS13 || s->min_version > wv ||
		                       s->max_version < wv))
			continue;
		if (!has(v->suites, v->nsuites, s->id))
			sp->suites[sp->nsuites++] = s->id;
	}
}

void scan_plan_init(struct scan_plan *sp, struct tls_map *map, const char *sni)
{
	memset(sp, 0, sizeof(*sp));
	sp->map = map;
	sp->sni = sni;
	map->secure_renegotiation = map->extended_master_secret = -1;
	sp->phase = SCAN_VERSION;
	sp->vi = TLSMAP_VERSIONS - 1;
}

/* The version after vi (downwards), or the groups, or the end. */
static void next_version(struct scan_plan *sp)
{
	if (sp->vi == 0) {
		if (sp->map->v[TLSMAP_VERSIONS - 1].state == TLSMAP_ACCEPTED) {
			sp->phase = SCAN_GROUPS;
			memcpy(sp->groups, scan_groups, sizeof(scan_groups));
			sp->ngroups = NGROUPS;
		} else {
			sp->phase = SCAN_DONE;
		}
		return;
	}
	sp->vi--;
	sp->phase = SCAN_VERSION;
}

int scan_plan_next(struct scan_plan *sp, struct hello_offer *o)
{
	const struct tlsmap_version *v;

	if (sp->phase != SCAN_DONE && sp->map->connections >= SCAN_CONNECTIONS_MAX) {
		snprintf(sp->map->stopped, sizeof(sp->map->stopped),
		    "stopped after %d hellos (the bound per server)", SCAN_CONNECTIONS_MAX);
		sp->phase = SCAN_DONE;
	}
	if (sp->phase == SCAN_DONE)
		return 0;
	v = &sp->map->v[sp->vi];
	memset(o, 0, sizeof(*o));
	o->version = wire_version(sp->vi);
	o->sni = sp->sni;
	o->sigalgs = scan_sigalgs;
	o->nsigalgs = sizeof(scan_sigalgs) / sizeof(scan_sigalgs[0]);
	o->groups = scan_groups;
	o->ngroups = NGROUPS;
	switch (sp->phase) {
	case SCAN_VERSION:
	case SCAN_SUITES:
		suites_for(sp);
		break;
	case SCAN_ORDER:
		/* The suites found, last first. */
		sp->nsuites = v->nsuites;
		for (size_t i = 0; i < v->nsuites; i++)
			sp->suites[i] = v->suites[v->nsuites - 1 - i];
		break;
	case SCAN_GROUPS:
		o->version = 0x0304;
		sp->vi = TLSMAP_VERSIONS - 1;
		sp->nsuites = sp->map->v[sp->vi].nsuites;
		memcpy(sp->suites, sp->map->v[sp->vi].suites, sp->nsuites * sizeof(uint16_t));
		o->groups = sp->groups;
		o->ngroups = sp->ngroups;
		break;
	case SCAN_DONE:
		return 0;
	}
	o->suites = sp->suites;
	o->nsuites = sp->nsuites;
	if (o->nsuites == 0 || o->ngroups == 0) {
		/* Nothing left to offer: every suite (or group) was accepted. */
		if (sp->phase == SCAN_GROUPS)
			sp->phase = SCAN_DONE;
		else if (sp->phase == SCAN_SUITES)
			sp->phase = v->nsuites >= 2 ? SCAN_ORDER : SCAN_VERSION;
		if (sp->phase == SCAN_VERSION)
			next_version(sp);
		return scan_plan_next(sp, o);
	}
	sp->map->connections++;
	return 1;
}

/* RFC 8446 6 and RFC 5246 7.2: the alerts a refusing server sends. */
static const char *alert_name(unsigned d)
{
	switch (d) {
	case 10:
		return "unexpected_message";
	case 20:
		return "bad_record_mac";
	case 40:
		return "handshake_failure";
	case 47:
		return "illegal_parameter";
	case 50:
		return "decode_error";
	case 70:
		return "protocol_version";
	case 71:
		return "insufficient_security";
	case 80:
		return "internal_error";
	case 86:
		return "inappropriate_fallback";
	case 109:
		return "missing_extension";
	case 112:
		return "unrecognized_name";
	}
	return "unknown";
}

static void refusal(struct tlsmap_version *v, enum scan_outcome out, enum hello_result r,
    const struct server_hello *sh, const char *why)
{
	if (out == SCAN_CLOSED)
		snprintf(v->refusal, sizeof(v->refusal), "%.80s", why && *why ? why : "closed");
	else if (r == HELLO_ALERT)
		snprintf(v->refusal, sizeof(v->refusal), "%s alert (%u)",
		    alert_name(sh->alert_desc), sh->alert_desc);
	else if (r == HELLO_SERVER_HELLO)
		snprintf(v->refusal, sizeof(v->refusal), "answered with %s",
		    suite_version_name(sh->version));
	else
		snprintf(v->refusal, sizeof(v->refusal), "%.90s", sh->why);
}

/* The ServerHello's version, suite and extensions for the version being probed. */
static int accepts(const struct scan_plan *sp, enum scan_outcome out, enum hello_result r,
    const struct server_hello *sh)
{
	return out == SCAN_ANSWERED &&
	       (r == HELLO_SERVER_HELLO || (r == HELLO_RETRY_REQUEST && sp->vi == 4)) &&
	       sh->version == wire_version(sp->vi);
}

static void stop(struct scan_plan *sp, const char *fmt, unsigned a, unsigned b)
{
	snprintf(sp->map->stopped, sizeof(sp->map->stopped), fmt, a, b);
}

void scan_plan_feed(struct scan_plan *sp, enum scan_outcome out, enum hello_result r,
    const struct server_hello *sh, const struct server_kx *kx, const char *why)
{
	struct tls_map *m = sp->map;
	struct tlsmap_version *v = &m->v[sp->vi];

	if (out == SCAN_UNREACHED) {
		/* No verdict on TLS from a connection that never got that far: stop. */
		if (v->state == TLSMAP_NOT_PROBED)
			v->state = TLSMAP_INCONCLUSIVE;
		snprintf(m->stopped, sizeof(m->stopped), "%.150s", why && *why ? why : "no connection");
		sp->phase = SCAN_DONE;
		return;
	}
	switch (sp->phase) {
	case SCAN_VERSION:
	case SCAN_SUITES:
		if (!accepts(sp, out, r, sh)) {
			if (sp->phase == SCAN_VERSION) {
				v->state = TLSMAP_REFUSED;
				refusal(v, out, r, sh, why);
			}
			if (out == SCAN_ANSWERED && r == HELLO_SERVER_HELLO &&
			    sh->version > wire_version(sp->vi))
				stop(sp, "the server answered 0x%04x to a hello for 0x%04x at most",
				    sh->version, wire_version(sp->vi));
			sp->phase = sp->phase == SCAN_SUITES && v->nsuites >= 2 ? SCAN_ORDER
			                                                        : SCAN_VERSION;
			break;
		}
		if (!has(sp->suites, sp->nsuites, sh->suite)) {
			snprintf(m->stopped, sizeof(m->stopped),
			    "the server chose suite 0x%04x in %s, which was not offered", sh->suite,
			    tlsmap_version_name(sp->vi));
			sp->phase = SCAN_VERSION;
			break;
		}
		if (sp->phase == SCAN_VERSION) {
			v->state = TLSMAP_ACCEPTED;
			if (sp->vi < 4 && m->secure_renegotiation < 0) {
				/* The highest version before 1.3 speaks for the extensions. */
				m->secure_renegotiation = sh->secure_renegotiation;
				m->extended_master_secret = sh->extended_master_secret;
				m->compression = sh->compression;
			}
		}
		if (v->nsuites < TLSMAP_SUITES_MAX)
			v->suites[v->nsuites++] = sh->suite;
		else
			v->cut = 1;
		if (kx && kx->seen) {
			if (kx->group && !v->ecdhe_group)
				v->ecdhe_group = kx->group;
			if (kx->dh_bits && !v->dhe_bits)
				v->dhe_bits = kx->dh_bits;
		}
		sp->phase = v->cut ? (v->nsuites >= 2 ? SCAN_ORDER : SCAN_VERSION) : SCAN_SUITES;
		return; /* the same version, next suite */
	case SCAN_ORDER:
		if (accepts(sp, out, r, sh) && v->nsuites >= 2) {
			if (sh->suite == v->suites[0])
				v->order = TLSMAP_ORDER_SERVER;
			else if (sh->suite == v->suites[v->nsuites - 1])
				v->order = TLSMAP_ORDER_CLIENT;
		}
		sp->phase = SCAN_VERSION;
		break;
	case SCAN_GROUPS:
		if (!accepts(sp, out, r, sh) || sh->group == 0) {
			sp->phase = SCAN_DONE;
			return;
		}
		if (!has(sp->groups, sp->ngroups, sh->group)) {
			snprintf(m->stopped, sizeof(m->stopped),
			    "the server chose group 0x%04x, which was not offered", sh->group);
			sp->phase = SCAN_DONE;
			return;
		}
		if (m->ngroups < TLSMAP_GROUPS_MAX)
			m->groups[m->ngroups++] = sh->group;
		{
			size_t k = 0;

			for (size_t i = 0; i < sp->ngroups; i++)
				if (sp->groups[i] != sh->group)
					sp->groups[k++] = sp->groups[i];
			sp->ngroups = k;
		}
		return;
	case SCAN_DONE:
		return;
	}
	if (sp->phase == SCAN_VERSION)
		next_version(sp);
}

int scan_plan_wants_kx(const struct scan_plan *sp, const struct server_hello *sh, int *ecdhe)
{
	const struct suite *s = suite_by_id(sh->suite);
	const struct tlsmap_version *v;

	if (s == NULL || sh->version >= 0x0304 || sh->version < 0x0300 ||
	    (sp->phase != SCAN_VERSION && sp->phase != SCAN_SUITES))
		return 0;
	v = &sp->map->v[sh->version - 0x0300];
	*ecdhe = s->kx == SUITE_KX_ECDHE;
	if (s->kx == SUITE_KX_ECDHE)
		return v->ecdhe_group == 0;
	if (s->kx == SUITE_KX_DHE)
		return v->dhe_bits == 0;
	return 0;
}
