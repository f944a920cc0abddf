/*
 * records_dkim.c - DKIM key records (RFC 6376 3.6.1): the key type, whether the key is
 * revoked, and its size, decoded with OpenSSL. Pure function over untrusted text.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "mailpolicy/records.h"
#include "mailpolicy/records_lex.h"

/*
 * Decisions where RFC 6376 leaves room (the tests pin each one):
 * - rsa keys must be SubjectPublicKeyInfo (what verifiers read); a bare PKCS#1
 *   RSAPublicKey is refused with a message saying so.
 * - p= longer than KEY_B64_MAX base64 characters is refused, never cut.
 */

static int b64_char(int c)
{
	return rec_is_alnum(c) || c == '+' || c == '/';
}

/* p= without its folding whitespace, decoded into der (room for KEY_B64_MAX / 4 * 3). */
static int dkim_decode(const char *p, size_t n, unsigned char *der, size_t *dlen, char *err,
    size_t errlen)
{
	char clean[KEY_B64_MAX + 1];
	size_t m = 0, pad = 0;
	char q[REC_QBUF];
	int r;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)p[i];
		if (rec_is_fws(c))
			continue; /* RFC 6376 3.6.1: FWS inside p= is ignored */
		if (m == KEY_B64_MAX)
			return rec_fail(err, errlen, "p= is longer than %d base64 characters",
			    KEY_B64_MAX);
		if (c == '=')
			pad++;
		else if (pad || !b64_char(c))
			return rec_fail(err, errlen, "p= is not base64 at \"%s\"",
			    rec_quote(q, p + i, n - i));
		clean[m++] = (char)c;
	}
	if (pad > 2 || m % 4)
		return rec_fail(err, errlen,
		    "p= is not base64: %zu characters, not a multiple of 4", m);
	clean[m] = '\0';
	r = EVP_DecodeBlock(der, (const unsigned char *)clean, (int)m);
	if (r < 0 || (size_t)r < pad)
		return rec_fail(err, errlen, "p= is not base64");
	*dlen = (size_t)r - pad; /* EVP_DecodeBlock counts the padding as zero bytes */
	return 0;
}

static int dkim_rsa_bits(const unsigned char *der, size_t dlen, int *bits, char *err, size_t errlen)
{
	const unsigned char *pp = der;
	EVP_PKEY *pkey = d2i_PUBKEY(NULL, &pp, (long)dlen);
	int id;

	if (!pkey) {
		pp = der;
		pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &pp, (long)dlen);
		ERR_clear_error(); /* leave no decoder noise for the TLS code to trip on */
		if (pkey) {
			EVP_PKEY_free(pkey);
			return rec_fail(err, errlen,
			    "p= is a bare PKCS#1 RSAPublicKey, not the "
			    "SubjectPublicKeyInfo verifiers read");
		}
		return rec_fail(err, errlen, "p= is not a DER public key (%zu bytes)", dlen);
	}
	if (pp != der + dlen) {
		EVP_PKEY_free(pkey);
		return rec_fail(err, errlen, "p= has %zu bytes after the key",
		    dlen - (size_t)(pp - der));
	}
	id = EVP_PKEY_get_base_id(pkey);
	if (id != EVP_PKEY_RSA) {
		const char *sn = OBJ_nid2sn(id);
		EVP_PKEY_free(pkey);
		return rec_fail(err, errlen, "k=rsa but p= holds a %s key", sn ? sn : "non-RSA");
	}
	*bits = EVP_PKEY_get_bits(pkey);
	EVP_PKEY_free(pkey);
	return 0;
}

/* The tags RFC 6376 3.6.1 defines, besides v=. */
enum { K_K, K_P, K_H, K_S, K_T, K_N, K_G };
static const char *const dkim_tags[] = {"k", "p", "h", "s", "t", "n", "g", NULL};

static const struct rec_grammar dkim_grammar = {
    .syntax = REC_TAG,
    .version = "DKIM1",
    .version_optional = 1, /* RFC 6376 3.6.1: v= is RECOMMENDED; if present, first */
    .tags = dkim_tags,     /* case-sensitive here (RFC 6376 3.2) */
};

int records_dkim(const char *txt, struct dkim *out, char *err, size_t errlen)
{
	struct rec_lex lx;
	struct rec_tag t;
	const char *p = NULL;
	size_t pn = 0, dlen = 0;
	unsigned char der[KEY_B64_MAX / 4 * 3];
	char q[REC_QBUF];
	int r;

	if (rec_lex_start(&lx, &dkim_grammar, txt, out, sizeof(*out), err, errlen))
		return -1;
	memcpy(out->k, "rsa", 4); /* the default (RFC 6376 3.6.1) */
	while ((r = rec_lex_next(&lx, &t, err, errlen)) > 0) {
		if (t.k == K_K) {
			if (rec_ieq(t.val, t.vlen, "rsa"))
				memcpy(out->k, "rsa", 4);
			else if (rec_ieq(t.val, t.vlen, "ed25519"))
				memcpy(out->k, "ed25519", 8);
			else
				return rec_fail(err, errlen,
				    "key type \"%s\" is not rsa or ed25519",
				    rec_quote(q, t.val, t.vlen));
		} else if (t.k == K_P) {
			p = t.val;
			pn = t.vlen;
		}
	}
	if (r < 0)
		return -1;
	if (!p)
		return rec_fail(err, errlen, "no p= tag (the public key)");
	if (dkim_decode(p, pn, der, &dlen, err, errlen))
		return -1;
	if (dlen == 0) {
		out->revoked = 1; /* empty p=: the key is revoked (RFC 6376 3.6.1) */
		return 0;
	}
	if (out->k[0] == 'e') {
		/* RFC 8463 3: the raw 32-byte public key, no ASN.1. */
		if (dlen != 32)
			return rec_fail(err, errlen, "ed25519 key is %zu bytes, not 32", dlen);
		out->key_bits = 256;
		return 0;
	}
	return dkim_rsa_bits(der, dlen, &out->key_bits, err, errlen);
}
