/*
 * tlsmap.c - names for what the TLS map holds, and freeing it.
 */
#include <stdlib.h>

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
const char *tlsmap_group_name(uint16_t g)
{
	switch (g) {
	case 0x0017:
		return "secp256r1";
	case 0x0018:
		return "secp384r1";
	case 0x0019:
		return "secp521r1";
	case 0x001d:
		return "x25519";
	case 0x001e:
		return "x448";
	case 0x001a:
		return "brainpoolP256r1";
	case 0x001b:
		return "brainpoolP384r1";
	case 0x001c:
		return "brainpoolP512r1";
	case 0x0100:
		return "ffdhe2048";
	case 0x0101:
		return "ffdhe3072";
	case 0x0102:
		return "ffdhe4096";
	case 0x0103:
		return "ffdhe6144";
	case 0x0104:
		return "ffdhe8192";
	case 0x0015:
		return "secp224r1";
	case 0x0016:
		return "secp256k1";
	default:
		return NULL;
	}
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
