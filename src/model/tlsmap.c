/*
 * tlsmap.c - names for what the TLS map holds, and freeing it.
 */
#include <stdlib.h>
#include <string.h>

#include "model/result.h"
#include "model/tlsmap.h"

const char *tlsmap_version_name(size_t i)
{
	static const char *const names[TLSMAP_VERSIONS] = {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2",
	    "TLSv1.3"};

	return i < TLSMAP_VERSIONS ? names[i] : "unknown";
}

const char *tlsmap_cert_name(enum tlsmap_cert c)
{
	switch (c) {
	case TLSMAP_CERT_ECDSA:
		return "ecdsa";
	case TLSMAP_CERT_RSA:
		return "rsa";
	case TLSMAP_CERT_NO_SNI:
		return "no-sni";
	default:
		return "unknown";
	}
}

const char *tlsmap_order_name(enum tlsmap_order o)
{
	switch (o) {
	case TLSMAP_ORDER_SERVER:
		return "server";
	case TLSMAP_ORDER_CLIENT:
		return "client";
	default:
		return "unknown";
	}
}

const char *tlsmap_state_name(enum tlsmap_state s)
{
	switch (s) {
	case TLSMAP_ACCEPTED:
		return "yes";
	case TLSMAP_REFUSED:
		return "no";
	case TLSMAP_INCONCLUSIVE:
		return "unknown";
	default:
		return "not probed";
	}
}

/* The IANA TLS Supported Groups registry, the ones a mail server may choose. */
static const struct {
	uint16_t id;
	const char *name;
} groups[] = {
    {0x0015, "secp224r1"},
    {0x0016, "secp256k1"},
    {0x0017, "secp256r1"},
    {0x0018, "secp384r1"},
    {0x0019, "secp521r1"},
    {0x001a, "brainpoolP256r1"},
    {0x001b, "brainpoolP384r1"},
    {0x001c, "brainpoolP512r1"},
    {0x001d, "x25519"},
    {0x001e, "x448"},
    {0x0100, "ffdhe2048"},
    {0x0101, "ffdhe3072"},
    {0x0102, "ffdhe4096"},
    {0x0103, "ffdhe6144"},
    {0x0104, "ffdhe8192"},
};

const char *tlsmap_group_name(uint16_t g)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == g)
			return groups[i].name;
	return NULL;
}

uint16_t tlsmap_group_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strcmp(groups[i].name, name) == 0)
			return groups[i].id;
	return 0;
}

int tlsmap_same_leaf(const struct probe *a, const struct probe *b)
{
	return a->ncerts && b->ncerts && strcmp(a->certs[0].sha256, b->certs[0].sha256) == 0;
}

void tlsmap_free(struct tls_map *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < TLSMAP_CERTS; i++)
		probe_free(m->cert[i]);
	free(m->grades);
	free(m);
}
