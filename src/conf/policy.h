/*
 * policy.h - the organisation's own policy (check --policy FILE), in YAML: rules per domain
 * or host name pattern, the most specific one applying, each saying what the certificates
 * and the domain must be and how severe each finding is for it. Loaded and checked whole
 * before any connection; every error names the file and the line. Judged by the verdict
 * (model/verdict.c).
 */
#ifndef MAILTLS_POLICY_FILE_H
#define MAILTLS_POLICY_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "conf/limits.h"

enum policy_sev { POLICY_SEV_UNSET = -2, POLICY_SEV_IGNORE = -1 }; /* or an enum severity */

struct policy_list {
	char **v;
	size_t n;
};

struct policy_override {
	char code[40]; /* a finding code */
	int sev;       /* enum severity, or POLICY_SEV_IGNORE */
};

struct policy_rule {
	char match[256]; /* "example.org", "*.example.org" (any name below), "*" (everything) */
	int line;        /* where the rule starts, for messages */
	struct policy_list issuers; /* the server certificate's issuer must be one of these DNs */
	struct policy_list issuer_spki; /* ... or the issuing CA's key one of these SPKI SHA-256 */
	struct policy_list pins;        /* the server's key must be one of these SPKI SHA-256 */
	struct policy_list names;       /* DNS names the server certificate must carry */
	int min_tls;                    /* 0, or 10, 11, 12, 13 for TLS 1.0 .. 1.3 */
	int min_rsa_bits;               /* 0: no rule */
	long warn_days, crit_days;      /* -1: the command line's */
	int dane_required;
	int mta_sts_enforce;
	int must_staple; /* the server certificate must ask for OCSP stapling (RFC 7633) */
	uint16_t ports[OPTS_PORTS_MAX]; /* the ports to check (check --ports); none: */
	size_t nports;                    /* the command line's */
	struct policy_override *overrides;
	size_t noverrides;
};

struct org_policy {
	const char *path;
	struct policy_rule *rules;
	size_t nrules;
};

/* Load path; code_known says whether a finding code exists (the model's table). 0, or -1
 * with err naming the file and the line. */
int org_policy_load(struct org_policy *, const char *path, int (*code_known)(const char *),
    char *err, size_t errlen);
void org_policy_free(struct org_policy *);

/* The rule for a server host (may be NULL) of a domain (may be NULL): the most specific
 * pattern matching either, the host's winning a tie; NULL when none matches. */
const struct policy_rule *org_policy_rule(const struct org_policy *, const char *domain,
    const char *host);
/* Whether any rule names ports (then client services may be checked). */
int org_policy_has_ports(const struct org_policy *);
/* How far pattern matches name: -1 not at all, else higher for more specific. */
int org_policy_match(const char *pattern, const char *name);

#endif
