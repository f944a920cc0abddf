/*
 * storedata.h - state of one's own kept with an X509_STORE: made on first use, freed with
 * the store. The run's trust store lives as long as the run and is shared by every worker,
 * which is what a cache of what was learnt about certificates needs (pki/sigcache.c,
 * tlsinfo_describe's descriptions).
 */
#ifndef MAILTLS_STOREDATA_H
#define MAILTLS_STOREDATA_H

#include <openssl/x509_vfy.h>

struct store_data {
	void *(*make)(void *arg); /* NULL when it cannot be made */
	void (*free)(void *);
	int idx; /* the ex_data index; -1 until the first use */
};

#define STORE_DATA(make, free) {(make), (free), -1}

/* What sd keeps with store; made from arg when there is none yet and arg is not NULL.
 * NULL without a store, or when there is none and it cannot be made. */
void *store_data(X509_STORE *store, struct store_data *sd, void *arg);

#endif
