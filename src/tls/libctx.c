/*
 * libctx.c - the OpenSSL library context the handshakes run in: OpenSSL's default provider,
 * seen through a provider of ours that shows it whole except for its decoders, of which it
 * shows only those that read a SubjectPublicKeyInfo.
 *
 * Why: libssl parses every certificate a server sends, and OpenSSL 3.0 decodes each public
 * key by building a decoder chain over every decoder the context offers (40 in the default
 * provider; 3.0 caches none of it, later releases do). Built over the 12 that read a
 * SubjectPublicKeyInfo, the chain costs a third: 0.44 M instructions a certificate instead of
 * 1.14 M (callgrind, an RSA-2048 certificate), two certificates in a common handshake. Nothing
 * else changes: the keys, ciphers, signatures and key exchanges are the default provider's
 * own code, called with its own provider context.
 *
 * The default provider lives in a private context of its own; ours is the only provider of
 * the context returned, so the default one is not loaded beside it there (OpenSSL loads it
 * only into a context where no provider is loaded).
 *
 * The price is paid once: two more library contexts, each with its own name map, cipher
 * store and random generator, 6 M instructions at start (a one-domain check is 55 M). So it
 * is for runs over many domains (tlsinfo_ctx_new's caller decides); at 2,000 domains it
 * saves 1.4 M of 8.1 M instructions a domain (bench/bulk.sh).
 */
#include <string.h>

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/crypto.h>
#include <openssl/provider.h>

#include "tls/libctx.h"

/* The default provider has 40 decoders, 12 of them for SubjectPublicKeyInfo. */
#define LIBCTX_DECODERS_MAX 32

static struct {
	OSSL_LIB_CTX *inner; /* where the default provider is loaded */
	OSSL_PROVIDER *deflt;
	OSSL_ALGORITHM decoders[LIBCTX_DECODERS_MAX + 1]; /* the kept ones, then all NULL */
	OSSL_LIB_CTX *outer; /* what libssl is given */
	int tried;
} lc;

static const OSSL_ALGORITHM *lean_query(void *provctx, int op, int *no_cache)
{
	(void)provctx;
	if (op == OSSL_OP_DECODER) {
		*no_cache = 0;
		return lc.decoders;
	}
	return OSSL_PROVIDER_query_operation(lc.deflt, op, no_cache);
}

static void lean_unquery(void *provctx, int op, const OSSL_ALGORITHM *algs)
{
	(void)provctx;
	if (algs != lc.decoders)
		OSSL_PROVIDER_unquery_operation(lc.deflt, op, algs);
}

static const OSSL_PARAM *lean_gettable_params(void *provctx)
{
	(void)provctx;
	return OSSL_PROVIDER_gettable_params(lc.deflt);
}

static int lean_get_params(void *provctx, OSSL_PARAM params[])
{
	(void)provctx;
	return OSSL_PROVIDER_get_params(lc.deflt, params);
}

/* TLS-GROUP and TLS-SIGALG: what libssl may offer comes from here. */
static int lean_get_capabilities(void *provctx, const char *capability, OSSL_CALLBACK *cb, void *arg)
{
	(void)provctx;
	return OSSL_PROVIDER_get_capabilities(lc.deflt, capability, cb, arg);
}

static const OSSL_DISPATCH lean_dispatch[] = {
	{ OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))lean_gettable_params },
	{ OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))lean_get_params },
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))lean_query },
	{ OSSL_FUNC_PROVIDER_UNQUERY_OPERATION, (void (*)(void))lean_unquery },
	{ OSSL_FUNC_PROVIDER_GET_CAPABILITIES, (void (*)(void))lean_get_capabilities },
	{ 0, NULL },
};

static int lean_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in, const OSSL_DISPATCH **out,
    void **provctx)
{
	const OSSL_ALGORITHM *all, *a;
	int no_cache = 0, n = 0;

	(void)handle;
	(void)in;
	if ((all = OSSL_PROVIDER_query_operation(lc.deflt, OSSL_OP_DECODER, &no_cache)) == NULL)
		return 0;
	for (a = all; a->algorithm_names != NULL && n < LIBCTX_DECODERS_MAX; a++)
		if (a->property_definition && strstr(a->property_definition, "structure=SubjectPublicKeyInfo"))
			lc.decoders[n++] = *a;
	OSSL_PROVIDER_unquery_operation(lc.deflt, OSSL_OP_DECODER, all);
	if (n == 0)
		return 0;
	/* The default provider's algorithms are called with its own context, as if from it. */
	*provctx = OSSL_PROVIDER_get0_provider_ctx(lc.deflt);
	*out = lean_dispatch;
	return 1;
}

OSSL_LIB_CTX *tls_libctx(void)
{
	if (lc.tried)
		return lc.outer;
	lc.tried = 1;
	if ((lc.inner = OSSL_LIB_CTX_new()) == NULL ||
	    (lc.deflt = OSSL_PROVIDER_load(lc.inner, "default")) == NULL ||
	    (lc.outer = OSSL_LIB_CTX_new()) == NULL ||
	    OSSL_PROVIDER_add_builtin(lc.outer, "mailtls-lean", lean_init) != 1 ||
	    OSSL_PROVIDER_load(lc.outer, "mailtls-lean") == NULL) {
		/* Not worth failing a check over: the default context does the same, slower. */
		OSSL_LIB_CTX_free(lc.outer);
		lc.outer = NULL;
		return NULL;
	}
	return lc.outer;
}
