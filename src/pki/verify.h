/*
 * verify.h - judging a captured chain: trust path, host name, dates, key, signature, usage.
 * Each check records facts in probe->facts and findings on the probe.
 */
#ifndef MAILTLS_VERIFY_H
#define MAILTLS_VERIFY_H

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "model/result.h"

struct verify_params {
	X509_STORE *store; /* the trust store, shared by every probe */
	SSL_CTX *ssl_ctx;  /* for OpenSSL's DANE verifier (dane.c) */
	time_t at;         /* judge as of this time */
	int at_set;        /* the user named --at */
};

void verify_probe(struct probe *, const struct verify_params *);

/* check --chain: the PEM certificates of path in order (the server's first, as a
 * fullchain.pem has them), or NULL with err naming the file and what is wrong. */
STACK_OF(X509) * verify_load_chain(const char *path, char *err, size_t errlen);
/* check --key: 1 when the private key in path belongs to cert, 0 when not, -1 with err when
 * it cannot be read (an encrypted key is refused, never prompted for). */
int verify_key_matches(X509 *cert, const char *path, char *err, size_t errlen);

/* The issuer a CERT_CHAIN_INCOMPLETE finding misses, as fetched from the certificate's
 * caIssuers URL (der, len), or why the fetch failed (fetch_err): the finding then says
 * which case it is: a missing intermediate (named, with the fix; p->path becomes the
 * repaired path), an untrusted root (CERT_UNTRUSTED_ROOT), or neither known. */
void verify_aia(struct probe *, const struct verify_params *, const unsigned char *der,
    size_t len, const char *url, const char *fetch_err);

/* Pure pieces, exposed for unit tests. */
enum finding_code verify_classify(int x509_err, int depth, int is_ca);
int verify_weak_key(const char *key_type, int bits);
int verify_weak_digest(int md_nid, int secbits);
void verify_name(struct probe *);

#endif
