/*
 * policy.h - the mail transport policies a domain publishes beside its MX: MTA-STS (TXT and
 * the HTTPS policy), TLS-RPT, and the SPF, DMARC and DKIM records; looked up while the MX
 * are probed, judged when the domain completes.
 */
#ifndef MAILTLS_POLICY_H
#define MAILTLS_POLICY_H

#include <stddef.h>

#include "mailpolicy/records.h"
#include "model/result.h"

struct policy_config {
	int mta_sts;     /* look up and fetch MTA-STS, TLS-RPT */
	int dns_records; /* SPF, DMARC, DKIM */
	const char *const *dkim_selectors;
	size_t ndkim;
	double timeout_s;
};

struct dns;
struct https;

/* How the lookups of a domain reach the loop: the resolver, the HTTPS client for MTA-STS
 * policies (NULL: not fetched), and a hold on the domain while a lookup runs (the engine
 * completes a domain when its last hold is released). Outlives every lookup. */
struct policy_env {
	struct dns *dns;
	struct https *https;
	void (*hold)(struct domain *);
	void (*release)(struct domain *);
};

/* Start the lookups for d; each holds d until it ends. */
void policy_start(const struct policy_env *, struct domain *, const struct policy_config *);
/* Turn what was found into findings, once every probe of d is done. */
void policy_judge(struct domain *, const struct policy_config *);

struct https_result;
/* Keep what an MTA-STS policy fetch answered (pure: for the fetch callback and the fuzzer). */
void policy_sts_fetched(struct domain_policy *, const struct https_result *);

#endif
