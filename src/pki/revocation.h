/*
 * revocation.h - whether a certificate is revoked: an OCSP response (stapled or fetched,
 * RFC 6960) or a CRL (RFC 5280 5) judged against the certificate and its issuer, with the
 * trust store for the responder's certificate. Pure: bytes in, a struct revocation out;
 * the fetching is engine/revocation.c's.
 */
#ifndef MAILTLS_REVOCATION_H
#define MAILTLS_REVOCATION_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "model/result.h"

/* The issuer of cert: in the verified path after it, else among the certificates sent, else
 * in the store. NULL when none is known. Not a new reference. */
X509 *rev_issuer(const struct probe *, X509 *cert);

/* The certificate's OCSP responder URL (AIA, RFC 5280 4.2.2.1) and first HTTP CRL
 * distribution point (4.2.1.13), into url; 0, or -1 when it names none. */
int rev_ocsp_url(X509 *, char *url, size_t len);
int rev_crl_url(X509 *, char *url, size_t len);
/* Its caIssuers URL (AIA): where its issuer may be fetched. */
int rev_ca_issuers_url(X509 *, char *url, size_t len);

/* "http://host[:port]/path" (host a name, an IPv4 or a bracketed IPv6 literal, port digits
 * only): the host and port a fetch connects to; -1 for anything else, userinfo included. */
int rev_url_split(const char *url, char *host, size_t hostlen, unsigned *port);

/* A DER OCSP request for cert (SHA-1 CertID, as responders expect); malloc'd, *len set. */
unsigned char *rev_ocsp_request(X509 *cert, X509 *issuer, size_t *len);

/*
 * Judge a DER OCSP response for cert from issuer at time at: the response status, the
 * signature and that its signer is the issuer or a responder the issuer authorised
 * (id-kp-OCSPSigning, RFC 6960 4.2.2.2), the CertID, and thisUpdate/nextUpdate freshness
 * (OCSP_LEEWAY_S of skew). Fills out's status and dates; why says what failed.
 */
void rev_ocsp_judge(const unsigned char *der, size_t len, X509 *cert, X509 *issuer,
    STACK_OF(X509) *untrusted, X509_STORE *store, time_t at, struct revocation *out);

/* A CRL, parsed once per run and shared by every certificate it covers. */
struct rev_crl;
/* Parse DER (or PEM) crl bytes and check them against issuer at time at: the signature,
 * the issuer name, thisUpdate and nextUpdate. NULL never: a CRL that does not hold is kept
 * with its reason, so every certificate under it says the same. */
struct rev_crl *rev_crl_load(const unsigned char *der, size_t len, X509 *issuer, time_t at);
/* Look cert up in c: good, revoked (reason, date), or invalid with c's reason. */
void rev_crl_judge(const struct rev_crl *, X509 *cert, struct revocation *out);
void rev_crl_free(struct rev_crl *);

/* The findings of what each certificate's struct revocation says, of the staple, and of a
 * must-staple certificate that came without one. */
void rev_findings(struct probe *);

#endif
