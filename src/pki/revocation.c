/*
 * revocation.c - see revocation.h. OpenSSL does the cryptography (OCSP_basic_verify checks
 * the signature, the signer's chain to the store and that the signer is the issuer or
 * authorised by it; X509_CRL_verify the CRL's signature); this file checks what OpenSSL
 * leaves to the caller: which certificate a response is about, the dates against the time
 * the check is judged at, and the CRL's issuer, and says each failure in words.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/util.h"
#include "conf/limits.h"
#include "pki/revocation.h"

struct rev_crl {
	X509_CRL *crl;       /* NULL when the bytes did not parse */
	char why[200];       /* "" when the CRL holds; else why it does not */
	time_t this_update, next_update;
};

static time_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

X509 *rev_issuer(const struct probe *p, X509 *cert)
{
	STACK_OF(X509) *path = p->path;

	for (int i = 0; path && i + 1 < sk_X509_num(path); i++)
		if (X509_cmp(sk_X509_value(path, i), cert) == 0 &&
		    X509_check_issued(sk_X509_value(path, i + 1), cert) == X509_V_OK)
			return sk_X509_value(path, i + 1);
	for (int i = 0; p->chain && i < sk_X509_num(p->chain); i++) {
		X509 *c = sk_X509_value(p->chain, i);

		if (X509_cmp(c, cert) != 0 && X509_check_issued(c, cert) == X509_V_OK)
			return c;
	}
	return NULL;
}

/* u into url when it is an http URI that fits: RFC 5280 and the CA/B Forum say OCSP,
 * caIssuers and CRLs are served over http, and anything else (ldap, file) is not fetched. */
static int http_uri(const ASN1_IA5STRING *u, char *url, size_t len)
{
	if (u->length <= 7 || (size_t)u->length >= len || memchr(u->data, 0, u->length) != NULL ||
	    strncmp((const char *)u->data, "http://", 7) != 0)
		return -1;
	memcpy(url, u->data, (size_t)u->length);
	url[u->length] = '\0';
	return 0;
}

/* The first http URI of access method nid in the AIA extension. */
static int aia_url(X509 *x, int nid, char *url, size_t len)
{
	AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
	int rc = -1;

	for (int i = 0; aia && rc < 0 && i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
		ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);

		if (OBJ_obj2nid(ad->method) == nid && ad->location->type == GEN_URI)
			rc = http_uri(ad->location->d.uniformResourceIdentifier, url, len);
	}
	AUTHORITY_INFO_ACCESS_free(aia);
	return rc;
}

int rev_ocsp_url(X509 *x, char *url, size_t len)
{
	return aia_url(x, NID_ad_OCSP, url, len);
}

int rev_ca_issuers_url(X509 *x, char *url, size_t len)
{
	return aia_url(x, NID_ad_ca_issuers, url, len);
}

int rev_crl_url(X509 *x, char *url, size_t len)
{
	CRL_DIST_POINTS *dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	int rc = -1;

	for (int i = 0; dps && rc < 0 && i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

		if (dp->distpoint == NULL || dp->distpoint->type != 0)
			continue;
		for (int k = 0; rc < 0 && k < sk_GENERAL_NAME_num(dp->distpoint->name.fullname); k++) {
			GENERAL_NAME *gn = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, k);

			if (gn->type == GEN_URI)
				rc = http_uri(gn->d.uniformResourceIdentifier, url, len);
		}
	}
	CRL_DIST_POINTS_free(dps);
	return rc;
}

unsigned char *rev_ocsp_request(X509 *cert, X509 *issuer, size_t *len)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), cert, issuer);
	unsigned char *der = NULL;
	int n;

	if (req == NULL || id == NULL || OCSP_request_add0_id(req, id) == NULL)
		fatal("cannot build an OCSP request");
	n = i2d_OCSP_REQUEST(req, &der);
	OCSP_REQUEST_free(req);
	if (n <= 0)
		fatal("cannot encode an OCSP request");
	*len = (size_t)n;
	return der;
}

static void invalid(struct revocation *out, const char *why)
{
	char err[120] = "";
	unsigned long e = ERR_peek_last_error();

	if (e)
		ERR_error_string_n(e, err, sizeof(err));
	out->status = REV_INVALID;
	rev_set_why(out, "%s%s%s", why, err[0] ? ": " : "", err);
	ERR_clear_error();
}

/* The single response about cert: by a SHA-1 CertID (what is asked and stapled), else by
 * SHA-256 (some responders answer in the hash they prefer). */
static int find_status(OCSP_BASICRESP *bs, X509 *cert, X509 *issuer, int *status, int *reason,
    ASN1_GENERALIZEDTIME **rev, ASN1_GENERALIZEDTIME **thisupd,
    ASN1_GENERALIZEDTIME **nextupd)
{
	const EVP_MD *mds[2] = {EVP_sha1(), EVP_sha256()};

	for (int i = 0; i < 2; i++) {
		OCSP_CERTID *id = OCSP_cert_to_id(mds[i], cert, issuer);
		int found = id && OCSP_resp_find_status(bs, id, status, reason, rev, thisupd,
		                      nextupd) == 1;

		OCSP_CERTID_free(id);
		if (found)
			return 1;
	}
	return 0;
}

void rev_ocsp_judge(const unsigned char *der, size_t len, X509 *cert, X509 *issuer,
    STACK_OF(X509) *untrusted, X509_STORE *store, time_t at, struct revocation *out)
{
	const unsigned char *q = der;
	OCSP_RESPONSE *resp = len <= OCSP_RESPONSE_MAX ? d2i_OCSP_RESPONSE(NULL, &q, (long)len)
	                                               : NULL;
	OCSP_BASICRESP *bs = NULL;
	ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
	int st, status = -1, reason = -1;

	if (resp == NULL || q != der + len) {
		invalid(out, resp ? "trailing bytes after the OCSP response" : "not an OCSP response");
		goto done;
	}
	if ((st = OCSP_response_status(resp)) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		char why[80];
		snprintf(why, sizeof(why), "the responder answered \"%s\"",
		    OCSP_response_status_str(st));
		invalid(out, why);
		goto done;
	}
	if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
		invalid(out, "no basic OCSP response in it");
		goto done;
	}
	/* The signature, the signer's chain to the store, and that the signer is the issuer or
	 * holds id-kp-OCSPSigning from it (RFC 6960 4.2.2.2). */
	if (OCSP_basic_verify(bs, untrusted, store, 0) <= 0) {
		invalid(out, "its signature or signer does not verify");
		goto done;
	}
	if (!find_status(bs, cert, issuer, &status, &reason, &rev, &thisupd, &nextupd)) {
		invalid(out, "it is about another certificate (no response for this serial)");
		goto done;
	}
	out->produced_at = asn1_time(OCSP_resp_get0_produced_at(bs));
	out->this_update = asn1_time(thisupd);
	out->next_update = asn1_time(nextupd);
	if (out->this_update > at + OCSP_LEEWAY_S) {
		invalid(out, "its thisUpdate is in the future");
		goto done;
	}
	if (out->next_update && out->next_update + OCSP_LEEWAY_S < at) {
		invalid(out, "it is stale: its nextUpdate has passed");
		goto done;
	}
	out->reason = reason;
	if (status == V_OCSP_CERTSTATUS_GOOD) {
		out->status = REV_GOOD;
	} else if (status == V_OCSP_CERTSTATUS_REVOKED) {
		out->status = REV_REVOKED;
		out->revoked_at = asn1_time(rev);
	} else {
		out->status = REV_UNKNOWN;
	}
done:
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
}

struct rev_crl *rev_crl_load(const unsigned char *der, size_t len, X509 *issuer, time_t at)
{
	struct rev_crl *c = xcalloc(1, sizeof(*c));
	const unsigned char *q = der;
	EVP_PKEY *key = issuer ? X509_get0_pubkey(issuer) : NULL;

	c->crl = d2i_X509_CRL(NULL, &q, (long)len);
	if (c->crl == NULL) {
		/* Some distribution points serve PEM, though RFC 5280 4.2.1.13 says DER. */
		BIO *b = BIO_new_mem_buf(der, (int)len);

		c->crl = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
		BIO_free(b);
	}
	if (c->crl == NULL) {
		snprintf(c->why, sizeof(c->why), "not a CRL");
	} else if (issuer == NULL) {
		snprintf(c->why, sizeof(c->why), "the certificate's issuer is not known");
	} else if (X509_NAME_cmp(X509_CRL_get_issuer(c->crl), X509_get_subject_name(issuer)) != 0) {
		snprintf(c->why, sizeof(c->why), "the CRL is issued by another CA");
	} else if (key == NULL || X509_CRL_verify(c->crl, key) != 1) {
		snprintf(c->why, sizeof(c->why), "the CRL's signature does not verify with the "
		                                 "issuer's key");
	} else {
		c->this_update = asn1_time(X509_CRL_get0_lastUpdate(c->crl));
		c->next_update = asn1_time(X509_CRL_get0_nextUpdate(c->crl));
		if (c->this_update > at + OCSP_LEEWAY_S)
			snprintf(c->why, sizeof(c->why), "the CRL's thisUpdate is in the future");
		else if (c->next_update == 0 || c->next_update + OCSP_LEEWAY_S < at)
			snprintf(c->why, sizeof(c->why), "the CRL is stale: its nextUpdate has %s",
			    c->next_update ? "passed" : "not been given");
	}
	ERR_clear_error();
	return c;
}

void rev_crl_judge(const struct rev_crl *c, X509 *cert, struct revocation *out)
{
	X509_REVOKED *r = NULL;

	out->method = REV_METHOD_CRL;
	out->this_update = c->this_update;
	out->next_update = c->next_update;
	if (c->why[0]) {
		out->status = REV_INVALID;
		rev_set_why(out, "%s", c->why);
		return;
	}
	if (X509_CRL_get0_by_serial(c->crl, &r, X509_get0_serialNumber(cert)) == 1) {
		ASN1_ENUMERATED *e = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, NULL, NULL);

		out->status = REV_REVOKED;
		out->reason = e ? (int)ASN1_ENUMERATED_get(e) : -1;
		out->revoked_at = asn1_time(X509_REVOKED_get0_revocationDate(r));
		ASN1_ENUMERATED_free(e);
	} else {
		out->status = REV_GOOD;
	}
}

static void date(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "(none)");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%SZ", &tm);
}

/* "the stapled OCSP response", "OCSP http://...", "the CRL http://...". */
static void source(const struct revocation *r, char *buf, size_t len)
{
	if (r->method == REV_METHOD_STAPLE)
		snprintf(buf, len, "the stapled OCSP response");
	else if (r->method == REV_METHOD_OCSP)
		snprintf(buf, len, "the OCSP responder %s", r->url);
	else
		snprintf(buf, len, "the CRL %s", r->url);
}

static void cert_finding(struct probe *p, int i)
{
	const struct cert_info *ci = &p->certs[i];
	const struct revocation *r = &ci->rev;
	char src[300], a[32], b[32];
	int crl = r->method == REV_METHOD_CRL;

	source(r, src, sizeof(src));
	switch (r->status) {
	case REV_GOOD:
		date(r->this_update, a, sizeof(a));
		date(r->next_update, b, sizeof(b));
		probe_add(p, F_CERT_NOT_REVOKED, i, "%s is not revoked, says %s (this update %s, next %s)",
		    ci->subject, src, a, b);
		break;
	case REV_REVOKED:
		date(r->revoked_at, a, sizeof(a));
		probe_add(p, F_CERT_REVOKED, i, "%s is revoked (%s) since %s, says %s", ci->subject,
		    rev_reason_text(r->reason), a, src);
		break;
	case REV_UNKNOWN:
		probe_add(p, F_OCSP_UNKNOWN, i, "%s does not know %s (serial %s)", src, ci->subject,
		    ci->serial);
		break;
	case REV_INVALID:
		probe_add(p, crl ? F_CRL_INVALID : F_OCSP_RESPONSE_INVALID, i,
		    "%s for %s does not hold: %s", src, ci->subject, r->why ? r->why : "?");
		break;
	case REV_UNREACHABLE:
		probe_add(p, crl ? F_CRL_UNREACHABLE : F_OCSP_UNREACHABLE, i,
		    "cannot learn whether %s is revoked: %s", ci->subject, r->why ? r->why : "?");
		break;
	case REV_NO_SOURCE:
		probe_add(p, F_REVOCATION_NO_SOURCE, i, "%s: %s", ci->subject, r->why ? r->why : "?");
		break;
	case REV_UNCHECKED:
		break;
	}
}

void rev_findings(struct probe *p)
{
	if (p->ncerts == 0)
		return;
	if (p->source) /* a chain file: no server, so nothing stapled or not */
		goto certs;
	if (p->staple)
		probe_add(p, F_OCSP_STAPLED, 0, "the server stapled an OCSP response (%zu bytes)",
		    p->staple_len);
	else
		probe_add(p, F_OCSP_NOT_STAPLED, 0, "the server stapled no OCSP response");
	if (p->certs[0].must_staple && p->staple == NULL)
		probe_add(p, F_CERT_MUST_STAPLE_MISSING, 0,
		    "%s carries the TLS Feature status_request (RFC 7633 must-staple) and the server "
		    "stapled nothing: clients that honour it refuse the certificate",
		    p->certs[0].subject);
certs:
	for (size_t i = 0; i < p->ncerts; i++)
		cert_finding(p, (int)i);
}

void rev_crl_free(struct rev_crl *c)
{
	if (c == NULL)
		return;
	X509_CRL_free(c->crl);
	free(c);
}

/* The URL is the certificate's words: nothing but what a plain http fetch may connect to. */
int rev_url_split(const char *url, char *host, size_t hostlen, unsigned *port)
{
	const char *h = url + 7, *end;
	size_t n;

	if (strncmp(url, "http://", 7) != 0)
		return -1;
	if (*h == '[') {
		end = strchr(h, ']');
		if (end == NULL)
			return -1;
		h++;
		n = (size_t)(end - h);
		end++;
		if (*end != '\0' && strchr(":/?#", *end) == NULL)
			return -1;
	} else {
		n = strcspn(h, ":/?#@");
		end = h + n;
		if (*end == '@')
			return -1;
	}
	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	*port = 80;
	if (*end == ':') {
		char *stop;
		unsigned long p = strtoul(end + 1, &stop, 10);

		/* Digits only: strtoul would also take " 80" and "+80", which curl refuses. */
		if (!isdigit((unsigned char)end[1]) || p == 0 || p > 65535 ||
		    (*stop != '/' && *stop != '\0'))
			return -1;
		*port = (unsigned)p;
	}
	return 0;
}
