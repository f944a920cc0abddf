/*
 * tlsa.c - the TLSA RRset of a host as looked up (shared by every probe of that host), and
 * TLSA records written the way they are published. No judgement: pki/dane.c decides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/tlsa.h"

struct dane_rrset *dane_rrset_new(const char *base, unsigned port)
{
	struct dane_rrset *r = xcalloc(1, sizeof(*r));

	snprintf(r->base, sizeof(r->base), "%s", base);
	snprintf(r->owner, sizeof(r->owner), "_%u._tcp.%s", port, base);
	r->refs = 1;
	return r;
}

/* Atomic: with check --workers a worker thread takes references too (the certificate
 * handshakes of --tls-scan) while the engine's thread takes and drops its own. */
struct dane_rrset *dane_rrset_ref(struct dane_rrset *r)
{
	if (r)
		__atomic_add_fetch(&r->refs, 1, __ATOMIC_RELAXED);
	return r;
}

void dane_rrset_unref(struct dane_rrset *r)
{
	if (r == NULL || __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->rr[i].data);
	free(r->rr);
	free(r);
}

void tlsa_format(const struct dns_tlsa *t, char *out, size_t len)
{
	size_t o = (size_t)snprintf(out, len, "%u %u %u ", t->usage, t->selector, t->mtype);

	for (size_t i = 0; i < t->len && o + 3 < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%02x", t->data[i]);
}

void tlsa_record_for(const struct cert_info *ci, size_t idx, char *out, size_t len)
{
	char hex[65];

	/* spki_sha256 is upper-case hex; TLSA presentation is conventionally lower case. */
	for (size_t i = 0; i < sizeof(hex) - 1 && ci->spki_sha256[i]; i++)
		hex[i] = (char)(ci->spki_sha256[i] | 0x20);
	hex[sizeof(hex) - 1] = '\0';
	hex[strlen(ci->spki_sha256) < 64 ? strlen(ci->spki_sha256) : 64] = '\0';
	snprintf(out, len, "%s 1 1 %s", idx == 0 ? "3" : "2", hex);
}
