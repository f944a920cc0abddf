/*
 * tlsscan.h - check --tls-scan on the engine's loop: the TLS map of one server (model/
 * tlsmap.h), one connection at a time, each a session that stops where TLS would start and
 * sends tls/scan.c's next crafted hello; then one OpenSSL handshake per certificate kind
 * (ECDSA only, RSA only, no SNI), each judged as a probe of its own. Runs inside the
 * probe's place in the scheduler, so --per-host bounds it like any probe.
 */
#ifndef MAILTLS_TLSSCAN_H
#define MAILTLS_TLSSCAN_H

#include <event2/event.h>

#include "model/result.h"
#include "model/verdict.h"
#include "pki/verify.h"
#include "proto/session.h"

struct tlsscan_env {
	struct event_base *base;
	const struct session_params *sp;
	const struct verify_params *vp;
	const struct verdict_ctx *verdict;
	double pause_s; /* --scan-pause: between two connections to the server */
	const struct tls_profile *profile; /* --tls-profile: grade the map; NULL: not */
	const struct tls_profiles *clients; /* the sending clients to predict; NULL: none */
};

struct tlsscan;
struct tls_profile;
struct tls_profiles;

/* Whether p got far enough (to TLS, or a failed handshake) for its server to be mapped. */
int tlsscan_applies(const struct probe *p);

/* Map p's server into p->map and record what it shows as p's findings; done(arg) once,
 * never before this returns. The handle lives until then. */
struct tlsscan *tlsscan_start(const struct tlsscan_env *, struct probe *p,
    void (*done)(void *arg), void *arg);
/* Interrupted: free everything, done is never called. NULL is a no-op. */
void tlsscan_abort(struct tlsscan *);

/* The findings of a complete map on p (pure, for unit tests): versions, suites, key
 * exchange, extensions, the certificates of the other handshakes against p's own, the
 * profile's grades and what each named client would negotiate (either may be NULL). */
void tlsscan_findings(struct probe *p, const struct tls_profile *profile,
    const struct tls_profiles *clients);

#endif
