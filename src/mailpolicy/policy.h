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

/* The TXT records of one name that are of one kind (e.g. start with "v=STSv1"). */
struct txt_set {
	int looked_up;
	int failed; /* the lookup failed: SERVFAIL, timeout, bogus */
	char why[300];
	struct strlist recs;
};

struct dkim_sel {
	char *selector;
	struct txt_set txt;
	int ok;
	struct dkim key;
};

struct domain_policy {
	struct txt_set sts_txt, tlsrpt_txt, spf_txt, dmarc_txt;
	struct dkim_sel *dkim;
	size_t ndkim;

	/* MTA-STS: the TXT id, the fetch, the parsed policy */
	int sts_txt_ok;
	struct sts_txt sts_id;
	int sts_fetched;   /* a fetch was attempted */
	char sts_addr[46]; /* where mta-sts.<domain> resolved */
	long sts_http_status;
	char sts_content_type[128];
	char *sts_fetch_error; /* why no usable body was fetched */
	char *sts_body;
	size_t sts_body_len;
	int sts_policy_ok;
	struct sts_policy *sts_policy;

	int tlsrpt_ok;
	struct tlsrpt tlsrpt;
	int spf_ok;
	struct spf spf;
	int dmarc_ok;
	struct dmarc dmarc;
};

struct engine;

/* Start the lookups for d (the engine holds d open until they end). */
void policy_start(struct engine *, struct domain *, const struct policy_config *);
/* Turn what was found into findings, once every probe of d is done. */
void policy_judge(struct domain *, const struct policy_config *);
void policy_free(struct domain_policy *);

struct https_result;
/* Keep what an MTA-STS policy fetch answered (pure: for the fetch callback and the fuzzer). */
void policy_sts_fetched(struct domain_policy *, const struct https_result *);

#endif
