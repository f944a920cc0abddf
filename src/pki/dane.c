/*
 * dane.c - RFC 7672 on top of OpenSSL's DANE (SSL_dane_enable, SSL_dane_tlsa_add,
 * X509_STORE_CTX_set0_dane): the chain captured by the probe is verified again, offline,
 * against the TLSA records, as a DANE-enabled MTA would have verified it live. Usages
 * PKIX-TA(0) and PKIX-EE(1) are not for SMTP (RFC 7672 3.1.3) and are never handed to
 * OpenSSL; each one is reported. Every usable record is also tried alone, to tell whether
 * a next key is published.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "base/util.h"
#include "model/tlsa.h"
#include "pki/dane.h"

/* Verify the captured chain against records rr (all usable); returns 1 on a match and
 * fills *usage with the usage of the record that matched, else 0 with err set. */
static int dane_verify(const struct probe *p, const struct verify_params *vp,
    const struct dane_rrset *set, const struct dns_tlsa *const *rr, size_t n, int *usage, char *err,
    size_t errlen)
{
	SSL *ssl = SSL_new(vp->ssl_ctx);
	X509_STORE_CTX *sctx = X509_STORE_CTX_new();
	int ok = 0;

	if (ssl == NULL || sctx == NULL)
		fatal("cannot set up DANE verification");
	if (SSL_dane_enable(ssl, set->base) <= 0)
		goto out;
	/* RFC 7672 3.1.1: with DANE-EE(3) the names in the certificate do not matter. */
	SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	for (size_t i = 0; i < n; i++)
		SSL_dane_tlsa_add(ssl, rr[i]->usage, rr[i]->selector, rr[i]->mtype, rr[i]->data,
		    rr[i]->len);
	if (X509_STORE_CTX_init(sctx, vp->store, sk_X509_value(p->chain, 0), p->chain) != 1)
		goto out;
	X509_STORE_CTX_set_default(sctx, "ssl_server");
	X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(sctx), SSL_get0_param(ssl));
	if (vp->at_set)
		X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(sctx), vp->at);
	X509_STORE_CTX_set0_dane(sctx, SSL_get0_dane(ssl));
	if (X509_verify_cert(sctx) == 1) {
		uint8_t u = 0, s, m;
		const unsigned char *data;
		size_t dlen;

		ok = SSL_get0_dane_tlsa(ssl, &u, &s, &m, &data, &dlen) >= 0;
		*usage = u;
	} else {
		int e = X509_STORE_CTX_get_error(sctx);
		snprintf(err, errlen, "%s", X509_verify_cert_error_string(e));
	}
out:
	X509_STORE_CTX_free(sctx);
	SSL_free(ssl);
	ERR_clear_error();
	return ok;
}

void dane_judge(struct probe *p, const struct verify_params *vp)
{
	const struct dane_rrset *set = p->dane;
	const struct dns_tlsa **usable;
	size_t nusable = 0, nmatch_alone = 0;
	char err[200] = "", rec[160];
	int usage = -1, ta_match = 0;

	if (set == NULL || set->state == DANE_STATE_NONE)
		return;
	switch (set->state) {
	case DANE_STATE_INSECURE:
		probe_add(p, F_DANE_NOT_DNSSEC, -1,
		    "%s has TLSA records, but they (or the host's address records) are not "
		    "DNSSEC-signed: DANE does not apply",
		    set->owner);
		return;
	case DANE_STATE_BOGUS:
		probe_add(p, F_DANE_BOGUS, -1,
		    "the TLSA lookup for %s failed DNSSEC validation (%s): a DANE sender defers "
		    "mail to this host",
		    set->owner, set->why);
		return;
	case DANE_STATE_FAILED:
		probe_add(p, F_DANE_BOGUS, -1,
		    "the TLSA lookup for %s failed (%s): a DANE sender cannot tell whether DANE "
		    "applies, and defers mail",
		    set->owner, set->why);
		return;
	default:
		break;
	}
	if (p->chain == NULL || sk_X509_num(p->chain) == 0)
		return; /* no TLS: the session findings already say why */
	usable = xcalloc(set->n + 1, sizeof(*usable));
	for (size_t i = 0; i < set->n; i++) {
		const struct dns_tlsa *t = &set->rr[i];

		tlsa_format(t, rec, sizeof(rec));
		if (t->usage == 0 || t->usage == 1) {
			probe_add(p, F_DANE_UNUSABLE_RECORD, -1,
			    "TLSA %s: %s(%u) is not for SMTP (RFC 7672 3.1.3) and is ignored", rec,
			    t->usage == 0 ? "PKIX-TA" : "PKIX-EE", t->usage);
		} else if (t->usage > 3 || t->selector > 1 || t->mtype > 2 ||
		    (t->mtype == 1 && t->len != 32) || (t->mtype == 2 && t->len != 64)) {
			probe_add(p, F_DANE_UNUSABLE_RECORD, -1,
			    "TLSA %s: unknown usage, selector or matching type, or a digest of the "
			    "wrong length; ignored (RFC 7672 2.2)",
			    rec);
		} else {
			usable[nusable++] = t;
		}
	}
	p->dane_usable = (int)nusable;
	if (nusable == 0) {
		probe_add(p, F_DANE_UNUSABLE_RECORD, -1,
		    "%s has no usable TLSA record: senders fall back to unauthenticated TLS "
		    "(RFC 7672 2.2)",
		    set->owner);
		free(usable);
		return;
	}
	if (!dane_verify(p, vp, set, usable, nusable, &usage, err, sizeof(err))) {
		if (p->source && p->ncerts) /* a chain file (check --chain), before it is deployed */
			probe_add(p, F_DANE_NO_MATCH, -1,
			    "the new chain matches none of the %zu usable TLSA records at %s (%s): "
			    "deployed now, it would stop DANE senders; publish \"3 1 1 %s\" (its key) "
			    "beside the records there first, and wait two TTLs",
			    nusable, set->owner, err, p->certs[0].spki_sha256);
		else if (nusable == 1)
			probe_add(p, F_DANE_NO_MATCH, -1,
			    "the one usable TLSA record at %s does not match the chain "
			    "presented (%s): "
			    "DANE senders will not deliver to this server",
			    set->owner, err);
		else
			probe_add(p, F_DANE_NO_MATCH, -1,
			    "none of the %zu usable TLSA records at %s matches the chain "
			    "presented (%s): "
			    "DANE senders will not deliver to this server",
			    nusable, set->owner, err);
		free(usable);
		return;
	}
	p->dane_matched = usage;
	for (size_t i = 0; i < nusable; i++) {
		int u = -1;
		if (dane_verify(p, vp, set, &usable[i], 1, &u, err, sizeof(err))) {
			nmatch_alone++;
			ta_match |= u == 2;
		}
	}
	probe_add(p, F_DANE_VALID, -1,
	    "DANE-%s(%d) matches at %s (%zu of %zu usable records match)%s",
	    usage == 3 ? "EE" : "TA", usage, set->owner, nmatch_alone, nusable,
	    usage == 3
	        ? "; the certificate's names and dates do not matter for mail (RFC 7672 3.1.1)"
	        : "");
	if (!ta_match && nmatch_alone == nusable)
		probe_add(p, F_DANE_ROLLOVER_RISK, -1,
		    "every TLSA record at %s matches only the current key: publish the next key's "
		    "record (or a DANE-TA record) before the certificate is renewed, or DANE "
		    "senders will stop delivering",
		    set->owner);
	free(usable);
}
