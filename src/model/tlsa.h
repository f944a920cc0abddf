/*
 * tlsa.h - the TLSA RRset of an MX host and port (RFC 7672), as DNS gave it: records and
 * what DNSSEC said of them. Judged against a chain by pki/dane.c.
 */
#ifndef MAILTLS_TLSA_H
#define MAILTLS_TLSA_H

#include <stddef.h>

#include "base/dnsrr.h"
#include "model/result.h"

enum dane_state {
	DANE_STATE_NONE,     /* not looked up, or no TLSA records */
	DANE_STATE_INSECURE, /* records exist but are not signed, or the host's address is not */
	DANE_STATE_SECURE,   /* signed records: DANE applies */
	DANE_STATE_BOGUS,    /* validation failed */
	DANE_STATE_FAILED,   /* the lookup failed (SERVFAIL, timeout): a DANE sender defers */
};

/* The TLSA RRset of one host and port, shared by every probe of that host. */
struct dane_rrset {
	enum dane_state state;
	char owner[300]; /* _25._tcp.mx.example.org */
	char base[256];  /* mx.example.org: the name DANE-TA(2) checks */
	char why[256];
	struct dns_tlsa *rr;
	size_t n;
	int refs;
};

struct dane_rrset *dane_rrset_new(const char *base, unsigned port);
struct dane_rrset *dane_rrset_ref(struct dane_rrset *);
void dane_rrset_unref(struct dane_rrset *);

/* "3 1 1 <hex>" for the leaf (index 0), "2 1 1 <hex>" for a CA: the record to publish. */
void tlsa_record_for(const struct cert_info *, size_t idx, char *out, size_t len);
/* A record in presentation form: "3 1 1 <hex>". */
void tlsa_format(const struct dns_tlsa *, char *out, size_t len);

#endif
