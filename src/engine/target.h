/*
 * target.h - the engine: a domain becomes its MX hosts, each host its addresses, each
 * address a probe; probes are shared by every domain that needs the same host, address and
 * port, and each domain ends in exactly one completed record handed to emit().
 */
#ifndef MAILTLS_TARGET_H
#define MAILTLS_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "mailpolicy/policy.h"
#include "model/result.h"
#include "model/verdict.h"
#include "net/dns.h"
#include "net/https.h"
#include "pki/verify.h"
#include "proto/session.h"

struct engine_config {
	const struct session_params *sp;
	const struct verify_params *vp;
	const struct verdict_ctx *verdict;
	struct dns *dns; /* NULL when nothing needs resolving */
	const struct dialect *dialect;
	uint16_t port; /* of the MX (25 with --ports), or of --host */
	enum tls_mode mode;
	const uint16_t *ports; /* --ports: 25 for the MX, the rest through SRV; none: port */
	size_t nports;
	int family; /* 0, 4 or 6 */
	size_t concurrency;
	size_t per_host;
	double per_ip_rate; /* --per-ip-rate: connections a minute to one address; 0: no bound */
	int keep_chain;                     /* keep the X509 chain after verification (--pem) */
	int no_dane;                        /* --no-dane: no TLSA lookups */
	struct https *https;                /* for MTA-STS policies; NULL: not fetched */
	int autoconfig;                     /* with --ports: fetch the autoconfig file too */
	struct revocation_env *rev;         /* revocation: staples, OCSP, CRLs; NULL: not judged */
	double https_timeout_s;             /* the autoconfig fetch */
	const struct policy_config *policy; /* NULL: no policy lookups (--host) */
	const struct org_policy *org_policy; /* the policy file (--policy), or NULL */
	const struct tlsscan_env *scan;      /* --tls-scan: map each server; NULL: not */
	struct workers *workers;             /* --workers: the loops sessions run on; NULL:
	                                        this one (net/workers.h) */
	void (*emit)(struct domain *, void *arg); /* takes ownership of the domain */
	void *arg;
};

struct engine;
struct tlsscan_env;
struct workers;

/* The engine owns every probe; run->probes lists those of --host for its view. */
struct engine *engine_new(struct event_base *, const struct engine_config *, struct run *);
void engine_add_domain(struct engine *, const char *domain, size_t seq);
/* One host: its address records, or address when given (no resolver then). */
void engine_add_host(struct engine *, const char *host, const char *address, size_t seq);
/* check --chain: a chain file judged for host as a session's would be, with its TLSA
 * records (the engine takes chain); key: what --key said (0 none, 1 matches, -1 not). */
void engine_add_chain(struct engine *, const char *host, STACK_OF(X509) * chain, int key,
    const char *key_path, size_t seq);
/* An input line that is not a domain name still yields its one record. */
void engine_add_invalid(struct engine *, const char *name, size_t seq, const char *why);
/* d was emitted and is about to be freed: its probes may leave the cache (--jsonl). */
void engine_forget(struct engine *, struct domain *);
size_t engine_domains_in_flight(const struct engine *);
size_t engine_probes_in_flight(const struct engine *);
/* p (one of the engine's) was judged, not cut short by an interrupt. */
int engine_probe_complete(const struct probe *p);
void engine_free(struct engine *);

/* Pure pieces, exposed for unit tests and the fuzzer: what each DNS answer means. */
void target_explain_partial(struct domain *);
int target_mx_apply(struct domain *, const struct dns_answer *);
size_t target_srv_apply(struct domain *, size_t svc, const struct dns_answer *);
void target_explain_srv(struct domain *);
struct autoconfig_found;
size_t target_autoconfig_apply(struct domain *, const struct autoconfig_found *);
void target_addr_apply(struct domain *, struct mx_host *, int rrtype, const struct dns_answer *);
struct dane_rrset;
void target_tlsa_apply(struct dane_rrset *, const struct dns_answer *);

#endif
