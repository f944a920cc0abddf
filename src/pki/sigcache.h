/*
 * sigcache.h - a certificate's signature by its issuer, verified once for many chains.
 */
#ifndef MAILTLS_SIGCACHE_H
#define MAILTLS_SIGCACHE_H

#include <stddef.h>

#include <openssl/x509_vfy.h>

/*
 * Let X509_verify_cert(sctx) take the signatures it verified before from the cache of its
 * store (made on first use, freed with the store). Call after X509_STORE_CTX_init, and
 * only for a context with no DANE (nothing of ours uses DANE through a store context).
 */
void sigcache_use(X509_STORE_CTX *sctx);

/* What the cache of a store did so far. */
struct sigcache_stats {
	size_t hits;  /* signatures taken from it */
	size_t added; /* signatures added */
	size_t lent;  /* signatures below verified with the key of a copy it holds */
};

void sigcache_stats(X509_STORE *store, struct sigcache_stats *);

#endif
