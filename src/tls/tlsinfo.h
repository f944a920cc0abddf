/*
 * tlsinfo.h - what the handshake and the certificates were, as plain fields: version, cipher,
 * group, and per certificate its names, dates, key, signature and fingerprints.
 */
#ifndef MAILTLS_TLSINFO_H
#define MAILTLS_TLSINFO_H

#include <openssl/ssl.h>

#include "model/result.h"

struct tls_config {
	const char *ca_file;
	const char *ca_path;
	int many; /* a run over many servers: handshakes in tls_libctx(), dearer to start */
};

/* One SSL_CTX for the whole run: the trust store is loaded once. NULL with err set on error. */
SSL_CTX *tlsinfo_ctx_new(const struct tls_config *, char *err, size_t errlen);

/* Copy the negotiated parameters and the peer chain (as sent) into the probe. */
void tlsinfo_capture(struct probe *, SSL *);

/*
 * Fill p->certs from p->chain; days_left is counted from at. With a store, descriptions
 * are kept in a cache of that store (made on first use, freed with it) and taken from it
 * for the very same certificate: most chains of a run share a few CA certificates, and
 * many MX names one leaf. A CA certificate's is kept the first time, a leaf's the second.
 */
void tlsinfo_describe(struct probe *, time_t at, X509_STORE *cache);
/* Descriptions the cache of store gave so far. */
size_t tlsinfo_describe_hits(X509_STORE *);

void tlsinfo_cert(X509 *, time_t at, struct cert_info *);
time_t tlsinfo_time(const ASN1_TIME *); /* 0 when unreadable */
char *tlsinfo_name(const X509_NAME *);
/* The same certificate: to-be-signed bytes, signature algorithm and signature value. */
int tlsinfo_same_cert(const X509 *, const X509 *);
/* Where a cache of n slots keeps x: by the last bytes of its signature, as good as random. */
size_t tlsinfo_cert_slot(const X509 *x, size_t n);
/* SHA-256 of the DER certificate, colon-separated upper-case hex (openssl x509 -fingerprint). */
void tlsinfo_fingerprint(X509 *, char *out, size_t outlen);

#endif
