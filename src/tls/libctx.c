/*
 * libctx.c - the OpenSSL library context the handshakes run in: OpenSSL's default provider,
 * seen through a provider of ours that shows it whole except for what neither TLS nor a
 * certificate needs: of its decoders, only those that read a SubjectPublicKeyInfo; of its
 * ciphers, those of TLS records; none of its MACs, KDFs and digests that TLS and X.509 do
 * not use.
 *
 * Why: libssl parses every certificate a server sends, and OpenSSL 3.0 decodes each public
 * key by building a decoder chain over every decoder the context offers (40 in the default
 * provider; 3.0 caches none of it, later releases do). The same construction walks (in
 * 3.0: copies) every method the context's store holds. So of the decoders only the 11
 * that read a SubjectPublicKeyInfo into a key are shown; of the 124 ciphers only the 17
 * libssl's record layer asks for; and none of the other MACs, KDFs, their EVP_PKEY
 * bridges, KMAC or BLAKE2.
 * A chain then costs 0.34 M instructions a certificate instead of 1.14 M (callgrind, an
 * RSA-2048 certificate), two certificates in a common handshake.
 * tests/unit/test_libctx.c holds the ClientHellos of both contexts against each other,
 * reads a certificate of every key kind and completes handshakes with every kind of key
 * exchange, record protection and MAC, so an algorithm libssl wants cannot go missing
 * unseen. Nothing else changes: the keys, ciphers, signatures and key exchanges are the
 * default provider's own code, called with its own provider context.
 *
 * The default provider lives in a private context of its own; ours is the only provider of
 * the context returned, so the default one is not loaded beside it there (OpenSSL loads it
 * only into a context where no provider is loaded).
 *
 * The price is paid once: two more library contexts, each with its own name map, cipher
 * store and random generator, 6 M instructions at start (a one-domain check is 55 M). So it
 * is for runs over many domains (tlsinfo_ctx_new's caller decides); at 2,000 domains it
 * saves 2.1 M of 8.1 M instructions a domain (bench/bulk.sh).
 */
#include <string.h>
#include <strings.h>

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/crypto.h>
#include <openssl/provider.h>

#include "tls/libctx.h"

/*
 * What is kept of each kind of algorithm: by a rule of its own, a list of the names kept
 * or a list of the names dropped. The default provider has 40 decoders, 11 of them for
 * SubjectPublicKeyInfo; 124 ciphers, 17 of them for TLS records; of the rest, what neither
 * TLS nor X.509 uses goes.
 * Every decoder chain built walks the whole method store (a copy of it, in 3.0), and the
 * first fetch of a kind puts every algorithm of that kind on show into the store, so what
 * goes costs nothing again: each one kept costs about 3 K instructions a domain.
 */
#define LIBCTX_ALGS_MAX 64

static int keep_decoder(const OSSL_ALGORITHM *);

/*
 * The ciphers libssl's record layer asks for (OpenSSL 3.0, ssl/ssl_ciph.c: its table of
 * record ciphers and the stitched CBC-HMAC ones it tries first), by the default provider's
 * first name for each: what a suite of "ALL:COMPLEMENTOFALL" at security level 0 may use
 * and the default provider has (DES, RC4, RC2, IDEA and SEED are in the legacy one). Not
 * the 192-bit keys, ARIA's CBC and CCM, SM4 or the modes no suite uses: no suite needs
 * them, and tests/unit/test_libctx.c holds every suite available in both contexts.
 */
static const char *const tls_ciphers[] = { "AES-128-CBC", "AES-256-CBC", "AES-128-GCM", "AES-256-GCM",
	"AES-128-CCM", "AES-256-CCM", "ChaCha20-Poly1305", "ARIA-128-GCM", "ARIA-256-GCM",
	"CAMELLIA-128-CBC", "CAMELLIA-256-CBC", "DES-EDE3-CBC", "NULL", "AES-128-CBC-HMAC-SHA1",
	"AES-256-CBC-HMAC-SHA1", "AES-128-CBC-HMAC-SHA256", "AES-256-CBC-HMAC-SHA256", NULL };

/*
 * The EVP_PKEY bridges to KDFs and MACs (a "key" and a key exchange or signature that
 * derive or MAC through the EVP_PKEY API) but HMAC's: libssl derives and MACs through
 * EVP_KDF and EVP_MAC, except that it makes an HMAC key for the MACs of CBC records
 * (ssl/t1_enc.c). The MACs but HMAC, the KDFs but TLS's, the digests KMAC and BLAKE2 (not
 * in a TLS signature or a certificate's).
 */
static const char *const drop_bridges[] = { "TLS1-PRF", "HKDF", "SCRYPT", "SIPHASH", "POLY1305", "CMAC",
	NULL };
static const char *const drop_macs[] = { "BLAKE2BMAC", "BLAKE2SMAC", "CMAC", "GMAC", "KMAC-128", "KMAC-256",
	"SIPHASH", "POLY1305", NULL };
static const char *const drop_kdfs[] = { "SSKDF", "PBKDF2", "PKCS12KDF", "SSHKDF", "X963KDF", "KBKDF",
	"X942KDF-ASN1", "SCRYPT", "KRB5KDF", NULL };
static const char *const drop_digests[] = { "KECCAK-KMAC-128", "KECCAK-KMAC-256", "BLAKE2S-256",
	"BLAKE2B-512", NULL };

static struct lean_op {
	int op;
	int (*keep)(const OSSL_ALGORITHM *); /* or */
	const char *const *only;             /* by first name, or */
	const char *const *drop;             /* by first name */
	OSSL_ALGORITHM algs[LIBCTX_ALGS_MAX + 1]; /* the kept ones, then all NULL */
} lean_ops[] = {
	{ OSSL_OP_DECODER, keep_decoder, NULL, NULL, { { 0 } } },
	{ OSSL_OP_CIPHER, NULL, tls_ciphers, NULL, { { 0 } } },
	{ OSSL_OP_KEYMGMT, NULL, NULL, drop_bridges, { { 0 } } },
	{ OSSL_OP_KEYEXCH, NULL, NULL, drop_bridges, { { 0 } } },
	{ OSSL_OP_SIGNATURE, NULL, NULL, drop_bridges, { { 0 } } },
	{ OSSL_OP_MAC, NULL, NULL, drop_macs, { { 0 } } },
	{ OSSL_OP_KDF, NULL, NULL, drop_kdfs, { { 0 } } },
	{ OSSL_OP_DIGEST, NULL, NULL, drop_digests, { { 0 } } },
};

#define NLEAN_OPS (sizeof(lean_ops) / sizeof(lean_ops[0]))

static struct {
	OSSL_LIB_CTX *inner; /* where the default provider is loaded */
	OSSL_PROVIDER *deflt;
	OSSL_LIB_CTX *outer; /* what libssl is given */
	int tried;
} lc;

/* The kind of algorithm op is, when ours filters it; NULL: the default provider's whole. */
static const struct lean_op *lean_op_of(int op)
{
	for (size_t i = 0; i < NLEAN_OPS; i++)
		if (lean_ops[i].op == op)
			return &lean_ops[i];
	return NULL;
}

/*
 * What the store keeps: a kind fetched at most a few times a run is not kept, so the
 * copies of the store every parsed key makes (3 K instructions a domain for each
 * algorithm held) do not carry it. The random generators are fetched when a thread's
 * DRBGs are made; RSA encryption for a TLS 1.2 RSA key exchange, once in such a
 * handshake; RSA's KEM never. Each such fetch builds that kind's few algorithms afresh.
 */
static int lean_fetched_seldom(int op)
{
	return op == OSSL_OP_RAND || op == OSSL_OP_ASYM_CIPHER || op == OSSL_OP_KEM;
}

static const OSSL_ALGORITHM *lean_query(void *provctx, int op, int *no_cache)
{
	const struct lean_op *o = lean_op_of(op);
	const OSSL_ALGORITHM *algs;

	(void)provctx;
	if (o == NULL) {
		algs = OSSL_PROVIDER_query_operation(lc.deflt, op, no_cache);
		if (lean_fetched_seldom(op))
			*no_cache = 1;
		return algs;
	}
	*no_cache = 0;
	return o->algs;
}

static void lean_unquery(void *provctx, int op, const OSSL_ALGORITHM *algs)
{
	(void)provctx;
	if (lean_op_of(op) == NULL)
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

/*
 * A decoder of a SubjectPublicKeyInfo into a key (RSA, EC, ...): 11. Not the twelfth,
 * "DER", which only unwraps one into the key's own structure for the decoders of those,
 * none of which is here; the chains would walk it for nothing (0.14 M a domain).
 */
static int keep_decoder(const OSSL_ALGORITHM *a)
{
	return a->property_definition && strstr(a->property_definition, "structure=SubjectPublicKeyInfo") &&
	       strcmp(a->algorithm_names, "DER") != 0;
}

/* Whether a's first name (its names are ':'-separated aliases) is on list; OpenSSL's
 * names compare without case. */
static int first_name_in(const OSSL_ALGORITHM *a, const char *const *list)
{
	size_t len = strcspn(a->algorithm_names, ":");

	for (const char *const *n = list; *n; n++)
		if (strlen(*n) == len && strncasecmp(*n, a->algorithm_names, len) == 0)
			return 1;
	return 0;
}

/* Whether o keeps a: by its rule, its list of the kept, or its list of the dropped. */
static int lean_keeps(const struct lean_op *o, const OSSL_ALGORITHM *a)
{
	if (o->keep)
		return o->keep(a);
	if (o->only)
		return first_name_in(a, o->only);
	return !first_name_in(a, o->drop);
}

/* Copy what o keeps of the default provider's algorithms into o->algs (then a NULL row);
 * how many, or -1 if there were none or too many. */
static int keep_of(struct lean_op *o)
{
	const OSSL_ALGORITHM *all, *a;
	int no_cache = 0, n = 0;

	if ((all = OSSL_PROVIDER_query_operation(lc.deflt, o->op, &no_cache)) == NULL)
		return -1;
	for (a = all; a->algorithm_names != NULL && n <= LIBCTX_ALGS_MAX; a++)
		if (lean_keeps(o, a)) {
			if (n < LIBCTX_ALGS_MAX)
				o->algs[n] = *a;
			n++;
		}
	OSSL_PROVIDER_unquery_operation(lc.deflt, o->op, all);
	return n > 0 && n <= LIBCTX_ALGS_MAX ? n : -1;
}

static int lean_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in, const OSSL_DISPATCH **out,
    void **provctx)
{
	(void)handle;
	(void)in;
	for (size_t i = 0; i < NLEAN_OPS; i++)
		if (keep_of(&lean_ops[i]) < 0)
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
