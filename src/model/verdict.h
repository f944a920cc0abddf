/*
 * verdict.h - the one place where severities and statuses are decided. Checkers record
 * findings (what was found, with the one fact each code's rule reads in finding->arg) and
 * facts (the probe's verify_facts, each certificate's days left, which DANE record
 * matched); the verdict turns them, with the context the user gave, into a severity per
 * finding and a status per probe, domain and run. Views print what it decided.
 *
 * The rules that read more than the code's default severity (findings.h):
 *   CERT_EXPIRES_SOON, CERT_DATES_OK  derived here from the days left of every
 *                         certificate of the path: crit within crit_days, warn within
 *                         warn_days, else the path's dates are ok
 *   SLOW_GREETING         arg = milliseconds waited; warn from SLOW_GREETING_WARN_S
 *   MTASTS_MX_NOT_COVERED, MTASTS_CERT_INVALID
 *                         arg = the policy's mode: crit in enforce, warn in testing
 *   TLSRPT_MISSING        arg = 1 when DANE or MTA-STS is published: warn, else info
 *   MX_NULL               arg = 1 when mixed with other MX records: warn, else info
 *   TLS_PROFILE           arg = the severity the profile (data) gives the map's worst grade
 *   TLS_LEGACY_VERSION    arg = the wire version: crit for SSLv3 (0x0300), else warn
 *   TLS_WEAK_CIPHER       arg = the suite class (SUITE_* flag): warn for 3DES and
 *                         anonymous suites (only a client that offers them gets them),
 *                         else crit
 *   TLS_WEAK_DH           arg = the prime's bits: crit below 1024, else warn
 *   DANE-EE(3) / DANE-TA(2) match (probe->dane_matched): the PKIX faults RFC 7672 3.1.1 /
 *                         3.1.2 makes irrelevant for mail become info, saying why
 */
#ifndef MAILTLS_VERDICT_H
#define MAILTLS_VERDICT_H

#include <time.h>

#include "model/result.h"

struct verdict_ctx {
	long warn_days; /* --warn-days */
	long crit_days; /* --crit-days */
	time_t at;      /* the time dates are judged at (--at, or now) */
};

/* The severity of f on probe p (NULL for a domain's own finding). Pure. */
enum severity verdict_severity(const struct finding *f, const struct probe *p,
    const struct verdict_ctx *);

/* Once per probe, when everything about it is known: the findings the thresholds derive,
 * every finding's severity (worst first), the probe's status. */
void verdict_probe(struct probe *, const struct verdict_ctx *);
/* A domain's own findings, and its status: the worst of them and of its probes'. */
void verdict_domain(struct domain *, const struct verdict_ctx *);
/* The run: the worst of its domains (and probes, for --host); unknown when interrupted. */
void verdict_run_add(struct run *, enum status);
void verdict_run_interrupted(struct run *);

#endif
