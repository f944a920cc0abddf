/*
 * sigcache.h - a CA certificate's signature by its issuer, verified once for many chains.
 */
#ifndef MAILTLS_SIGCACHE_H
#define MAILTLS_SIGCACHE_H

#include <stddef.h>

#include <openssl/x509_vfy.h>

/*
 * Let X509_verify_cert(sctx) take the signatures of CA certificates from the cache of its
 * store (made on first use, freed with the store). Call after X509_STORE_CTX_init, and
 * only for a context with no DANE (nothing of ours uses DANE through a store context).
 */
void sigcache_use(X509_STORE_CTX *sctx);

/* What the cache of store did so far: signatures taken from it, signatures added. */
void sigcache_stats(X509_STORE *store, size_t *hits, size_t *added);

#endif
