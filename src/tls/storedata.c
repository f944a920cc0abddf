/*
 * storedata.c - see storedata.h.
 */
#include <pthread.h>

#include "tls/storedata.h"

static pthread_mutex_t store_data_lock = PTHREAD_MUTEX_INITIALIZER;

/* With the store: sd (the index's argp) says how. */
static void store_data_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	struct store_data *sd = argp;

	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	if (ptr != NULL)
		sd->free(ptr);
}

void *store_data(X509_STORE *store, struct store_data *sd, void *arg)
{
	void *d = NULL;

	if (store == NULL)
		return NULL;
	pthread_mutex_lock(&store_data_lock);
	if (sd->idx < 0)
		sd->idx = X509_STORE_get_ex_new_index(0, sd, NULL, NULL, store_data_free);
	if (sd->idx >= 0 && (d = X509_STORE_get_ex_data(store, sd->idx)) == NULL && arg != NULL &&
	    (d = sd->make(arg)) != NULL && !X509_STORE_set_ex_data(store, sd->idx, d)) {
		sd->free(d);
		d = NULL;
	}
	pthread_mutex_unlock(&store_data_lock);
	return d;
}
