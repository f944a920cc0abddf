/*
 * dnsrr.h - the DNS vocabulary every layer speaks: what DNSSEC said of an answer, and a
 * TLSA record as published. Types only; the resolver is net/dns.h.
 */
#ifndef MAILTLS_DNSRR_H
#define MAILTLS_DNSRR_H

#include <stddef.h>

enum dnssec_state {
	DNSSEC_UNVALIDATED, /* no trust anchor configured: nothing was checked */
	DNSSEC_INSECURE,    /* validated: provably unsigned */
	DNSSEC_SECURE,
	DNSSEC_BOGUS,
};

/* "unvalidated", "insecure", "secure", "bogus"; "unknown" out of range. */
const char *dnssec_name(enum dnssec_state);

/* One TLSA record (RFC 6698 2.1). */
struct dns_tlsa {
	unsigned char usage, selector, mtype;
	unsigned char *data;
	size_t len;
};

#endif
