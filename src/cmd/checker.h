/*
 * checker.h - what every command that checks servers builds from check's options: the TLS
 * context (the trust store loaded once), the resolver, the HTTPS client for MTA-STS, and
 * the parameters of sessions, verification, the verdict and the engine.
 */
#ifndef MAILTLS_CHECKER_H
#define MAILTLS_CHECKER_H

#include <event2/event.h>
#include <openssl/ssl.h>

#include "cmd/check_opts.h"
#include "conf/policy.h"
#include "engine/revocation.h"
#include "engine/target.h"
#include "engine/tlsscan.h"
#include "mailpolicy/policy.h"
#include "model/tlsprofile.h"
#include "model/verdict.h"
#include "net/dns.h"
#include "net/https.h"
#include "pki/verify.h"
#include "proto/session.h"

struct checker {
	SSL_CTX *ctx;
	struct dns *dns;     /* NULL when nothing is resolved */
	struct https *https; /* NULL when no MTA-STS policy is fetched */
	struct session_params sp;
	struct verify_params vp;
	struct verdict_ctx vc;
	struct policy_config pc;
	struct engine_config ec; /* emit and arg are the command's to set */
	struct org_policy org;   /* --policy, when given */
	struct revocation_env *rev; /* --revocation (engine/revocation.h) */
	struct tlsscan_env scan;    /* --tls-scan */
	struct tls_profiles *profiles; /* --tls-profile's, when given */
	char ehlo[256];
};

/* From o (whose port the dialect's default fills in): need_dns builds the resolver,
 * domains the policy lookups and their HTTPS client. 0, or -1 after saying why on
 * standard error as "mailtls CMD: ...". */
int checker_init(struct checker *, struct check_opts *o, struct event_base *, int need_dns,
    int domains, const char *cmd);
/* Load and check a policy file (--policy), before anything connects: 0, or -1 after saying
 * why with the file and the line. */
int checker_policy(struct checker *, const char *path, const char *cmd);
/* The one address of o->host for a command that talks to one server once (auth, ping):
 * --address, a literal, or the first the system resolver gives; -1 after saying why. */
int checker_address(const struct check_opts *o, char *out, size_t outlen, const char *cmd);
/* The resolver first: it may still call back into the engine's domains. */
void checker_free(struct checker *);

#endif
