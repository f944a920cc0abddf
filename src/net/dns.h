/*
 * dns.h - DNS through libunbound on the program's event loop: MX, A, AAAA (and TXT, TLSA
 * later), each answer with its DNSSEC state. Every query ends in exactly one callback,
 * bounded by its own timeout.
 */
#ifndef MAILTLS_DNS_H
#define MAILTLS_DNS_H

#include <stddef.h>

#include <event2/event.h>

#include "base/dnsrr.h"

#define DNS_T_TLSA 52 /* RFC 6698; older headers lack ns_t_tlsa */

/* DNS_CANCELLED: dns_free() ended the query; the callback only frees its argument. */
enum dns_status { DNS_OK, DNS_NXDOMAIN, DNS_SERVFAIL, DNS_TIMEOUT, DNS_ERROR, DNS_CANCELLED };

struct dns_mx {
	unsigned preference;
	char host[256]; /* "." for a null MX; no trailing dot otherwise */
};

struct dns_srv {
	unsigned priority, weight, port;
	char host[256]; /* "." when the service is not offered (RFC 2782) */
};

struct dns_answer {
	enum dns_status status;
	enum dnssec_state sec;
	char why[256];     /* resolver's words for a failure or a bogus answer */
	char cname[256];   /* the first CNAME target when the name was an alias */
	struct dns_mx *mx; /* MX answers */
	size_t nmx;
	struct dns_srv *srv; /* SRV answers */
	size_t nsrv;
	char (*addrs)[46]; /* A / AAAA answers, numeric */
	size_t naddrs;
	char **txt; /* TXT: each record's strings joined, censored */
	size_t ntxt;
	struct dns_tlsa *tlsa;
	size_t ntlsa;
	size_t dropped; /* records of the type asked for beyond the bound, not kept */
};

struct workers;

struct dns_config {
	struct workers *workers;      /* resolve on these loops (see dns_new); NULL: on base */
	const char *const *resolvers; /* IP[@PORT], NULL-terminated; NULL: /etc/resolv.conf */
	const char *trust_anchor;     /* DS/DNSKEY file; NULL: the system root key if present */
	int no_dnssec;                /* do not validate at all */
	double timeout_s;             /* per query */
	size_t max_inflight;          /* queries sent and not answered, at most (0: 256) */
};

struct dns;
typedef void (*dns_cb)(const struct dns_answer *, void *arg);

/*
 * A resolver whose callbacks run on base's loop. With cfg->workers, each worker's loop has a
 * libunbound context of its own, which asks and parses; the name picks the context, so one
 * name is always asked of the same cache. Queries are made and answered on base's loop,
 * from that thread only. Such a resolver is freed after workers_stop() and before
 * workers_free().
 */
struct dns *dns_new(struct event_base *, const struct dns_config *, char *err, size_t errlen);
/* Query name for rrtype (1 A, 28 AAAA, 15 MX, 16 TXT, 33 SRV, 52 TLSA). cb runs exactly once,
 * maybe before return. */
void dns_query(struct dns *, const char *name, int rrtype, dns_cb, void *arg);
/* Every query not answered yet ends as DNS_CANCELLED, before it returns. */
void dns_free(struct dns *);
int dns_validating(const struct dns *); /* a trust anchor is loaded */

/* Parse an answer packet for name/rrtype into a (pure; for unit tests and the callback). */
int dns_parse(const unsigned char *pkt, size_t len, int rrtype, struct dns_answer *a);
void dns_answer_clear(struct dns_answer *);

#endif
