/*
 * sigcache.c - a certificate's signature by its issuer, verified once for many chains.
 *
 * Why: in a run over many domains most chains share a few issuing CAs (one public CA's
 * intermediate stands behind a great many mail servers' certificates), and OpenSSL checks
 * that intermediate's signature by the root again on every chain: the digest of the
 * certificate and an RSA or ECDSA verification, the one step of verifying a path whose
 * result is known beforehand (the same bytes, the same signature, the same issuer key).
 *
 * How: X509_verify_cert() checks the signatures and dates of the path it built in one
 * function a store context may replace (X509_STORE_CTX_set_verify). sigcache_verify() is
 * that function, written after OpenSSL 3.0's own (internal_verify() in
 * crypto/x509/x509_vfy.c) for the common case: a path that ends in a certificate
 * X509_check_issued() finds issued by itself, no X509_V_FLAG_CHECK_SS_SIGNATURE, no
 * certificate with extensions OpenSSL cannot read. Anything else goes to OpenSSL's own.
 * It reports the same errors, in the same order, at the same depths, to the same callback
 * (tests/unit/test_sigcache.c holds the two against each other). One thing differs: a
 * certificate whose bytes (to be signed, signature algorithm and value) were verified
 * before under the same issuer certificate is not verified again. Only a signature that
 * verified is kept.
 *
 * Leaves have a table of their own, so that the many a run meets once never push a CA out.
 * A leaf is met again more often than it seems: one certificate can stand behind a great
 * many MX names (a provider's wildcard for its customers' hosts, as in
 * <tenant>.mail.protection.outlook.com), each a probe of its own.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "base/util.h"
#include "pki/sigcache.h"
#include "tls/storedata.h"
#include "tls/tlsinfo.h"

#define SIGCACHE_SLOTS 256 /* one per issuing CA seen; a run meets a few dozen */
#define LEAF_SLOTS 64      /* leaves: a place lost to a leaf met once is soon retaken */

struct sig {
	X509 *subject, *issuer; /* up-referenced; a verified signature of subject */
};

struct sigcache {
	pthread_mutex_t mu;
	X509_STORE_CTX_verify_fn openssl; /* OpenSSL's own: internal_verify() */
	struct sig slot[SIGCACHE_SLOTS];  /* CA certificates */
	struct sig leaf[LEAF_SLOTS];
	struct sigcache_stats stats;
};

/* The place of subject at depth (0: the leaf). */
static struct sig *place(struct sigcache *c, const X509 *subject, int depth)
{
	if (depth == 0)
		return &c->leaf[tlsinfo_cert_slot(subject, LEAF_SLOTS)];
	return &c->slot[tlsinfo_cert_slot(subject, SIGCACHE_SLOTS)];
}

/* With the store it belongs to. */
static void sigcache_free(void *ptr)
{
	struct sigcache *c = ptr;

	for (size_t i = 0; i < SIGCACHE_SLOTS; i++) {
		X509_free(c->slot[i].subject);
		X509_free(c->slot[i].issuer);
	}
	for (size_t i = 0; i < LEAF_SLOTS; i++) {
		X509_free(c->leaf[i].subject);
		X509_free(c->leaf[i].issuer);
	}
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* For the store of sctx, whose verification function is OpenSSL's own. */
static void *sigcache_new(void *sctx)
{
	struct sigcache *c = xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->mu, NULL);
	if ((c->openssl = X509_STORE_CTX_get_verify(sctx)) == NULL) {
		sigcache_free(c);
		return NULL;
	}
	return c;
}

static struct store_data sigcache_data = STORE_DATA(sigcache_new, sigcache_free);

/* Whether subject's signature by issuer was verified before; if so and kept is not NULL,
 * *kept is the copy of subject the cache holds, up-referenced (the caller frees it). */
static int known(struct sigcache *c, const X509 *subject, const X509 *issuer, int depth,
    X509 **kept)
{
	struct sig *s = place(c, subject, depth);
	int hit;

	pthread_mutex_lock(&c->mu);
	hit = tlsinfo_same_cert(s->subject, subject) && tlsinfo_same_cert(s->issuer, issuer) &&
	    (kept == NULL || X509_up_ref(s->subject));
	if (hit && kept)
		*kept = s->subject;
	c->stats.hits += (size_t)hit;
	pthread_mutex_unlock(&c->mu);
	return hit;
}

static void remember(struct sigcache *c, X509 *subject, X509 *issuer, int depth)
{
	struct sig *s = place(c, subject, depth);
	X509 *old_subject, *old_issuer;

	if (!X509_up_ref(subject))
		return;
	if (!X509_up_ref(issuer)) {
		X509_free(subject);
		return;
	}
	pthread_mutex_lock(&c->mu);
	old_subject = s->subject;
	old_issuer = s->issuer;
	s->subject = subject;
	s->issuer = issuer;
	c->stats.added++;
	pthread_mutex_unlock(&c->mu);
	X509_free(old_subject);
	X509_free(old_issuer);
}

/* An error to the verify callback, as OpenSSL's verify_cb_cert() raises it: 0 to stop. */
static int fail(X509_STORE_CTX *ctx, X509 *x, int depth, int err)
{
	X509_STORE_CTX_set_error_depth(ctx, depth);
	X509_STORE_CTX_set_current_cert(ctx, x);
	X509_STORE_CTX_set_error(ctx, err);
	return X509_STORE_CTX_get_verify_cb(ctx)(0, ctx);
}

/* OpenSSL's ossl_x509_signing_allowed(): the issuer's key usage lets it sign subject. */
static int signing_allowed(X509 *issuer, X509 *subject)
{
	uint32_t ku = X509_get_key_usage(issuer); /* every bit without the extension */

	if (X509_get_extension_flags(subject) & EXFLAG_PROXY)
		return ku & KU_DIGITAL_SIGNATURE ? X509_V_OK : X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE;
	return ku & KU_KEY_CERT_SIGN ? X509_V_OK : X509_V_ERR_KEYUSAGE_NO_CERTSIGN;
}

/* OpenSSL's ossl_x509_check_cert_time(): 0 to stop. */
static int check_time(X509_STORE_CTX *ctx, X509 *x, int depth)
{
	X509_VERIFY_PARAM *vpm = X509_STORE_CTX_get0_param(ctx);
	unsigned long flags = X509_VERIFY_PARAM_get_flags(vpm);
	time_t t, *pt = NULL;
	int i;

	if (flags & X509_V_FLAG_USE_CHECK_TIME) {
		t = X509_VERIFY_PARAM_get_time(vpm);
		pt = &t;
	} else if (flags & X509_V_FLAG_NO_CHECK_TIME) {
		return 1;
	}
	i = X509_cmp_time(X509_get0_notBefore(x), pt);
	if (i == 0 && !fail(ctx, x, depth, X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD))
		return 0;
	if (i > 0 && !fail(ctx, x, depth, X509_V_ERR_CERT_NOT_YET_VALID))
		return 0;
	i = X509_cmp_time(X509_get0_notAfter(x), pt);
	if (i == 0 && !fail(ctx, x, depth, X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD))
		return 0;
	if (i < 0 && !fail(ctx, x, depth, X509_V_ERR_CERT_HAS_EXPIRED))
		return 0;
	return 1;
}

/* Whether the loop below is OpenSSL's for this path; if not, OpenSSL's own runs. */
static int common_case(X509_STORE_CTX *ctx, STACK_OF(X509) *chain)
{
	int n = sk_X509_num(chain);

	if (n < 1 || (X509_VERIFY_PARAM_get_flags(X509_STORE_CTX_get0_param(ctx)) &
	                 X509_V_FLAG_CHECK_SS_SIGNATURE))
		return 0;
	for (int i = 0; i < n; i++)
		if (X509_get_extension_flags(sk_X509_value(chain, i)) & EXFLAG_INVALID)
			return 0;
	return X509_check_issued(sk_X509_value(chain, n - 1), sk_X509_value(chain, n - 1)) ==
	    X509_V_OK;
}

/*
 * From the top of the path down: each certificate's signature by the one above it (the
 * top's own is not checked, as in OpenSSL), then its dates; success said at each depth.
 *
 * A certificate found in the cache lends the cache's copy of itself to verify the one
 * below: the same bytes, so the same key, and that key object keeps what OpenSSL
 * computes once for a key (an RSA key's Montgomery form of its modulus, 83 K instructions
 * a verification) from the chains before.
 */
static int sigcache_verify(X509_STORE_CTX *ctx)
{
	struct sigcache *c = store_data(X509_STORE_CTX_get0_store(ctx), &sigcache_data, NULL);
	STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
	int n = sk_X509_num(chain) - 1, ok = 0;
	X509 *xi, *xs, *lent = NULL, *kept = NULL; /* lent: the cache's copy of xi */

	if (!common_case(ctx, chain))
		return c->openssl(ctx);
	xi = xs = sk_X509_value(chain, n);
	X509_STORE_CTX_set_error_depth(ctx, n);
	while (n >= 0) {
		if (xs != xi) {
			EVP_PKEY *pkey = X509_get0_pubkey(lent ? lent : xi);
			int ret = signing_allowed(xi, xs);

			if (ret != X509_V_OK && !fail(ctx, xi, n + 1, ret))
				goto out;
			if (pkey == NULL) {
				if (!fail(ctx, xi, n + 1, X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY))
					goto out;
			} else if (!known(c, xs, xi, n, n > 0 ? &kept : NULL)) {
				if (lent)
					__atomic_add_fetch(&c->stats.lent, 1, __ATOMIC_RELAXED);
				if (X509_verify(xs, pkey) <= 0) {
					if (!fail(ctx, xs, n, X509_V_ERR_CERT_SIGNATURE_FAILURE))
						goto out;
				} else {
					remember(c, xs, xi, n);
				}
			}
		}
		if (!check_time(ctx, xs, n))
			goto out;
		X509_STORE_CTX_set_current_cert(ctx, xs);
		X509_STORE_CTX_set_error_depth(ctx, n);
		if (!X509_STORE_CTX_get_verify_cb(ctx)(1, ctx))
			goto out;
		X509_free(lent);
		lent = kept; /* xs's copy in the cache, when it was found there */
		kept = NULL;
		if (--n >= 0) {
			xi = xs;
			xs = sk_X509_value(chain, n);
		}
	}
	ok = 1;
out:
	X509_free(lent);
	X509_free(kept);
	return ok;
}

void sigcache_use(X509_STORE_CTX *sctx)
{
	if (store_data(X509_STORE_CTX_get0_store(sctx), &sigcache_data, sctx) != NULL)
		X509_STORE_CTX_set_verify(sctx, sigcache_verify);
}

void sigcache_stats(X509_STORE *store, struct sigcache_stats *st)
{
	struct sigcache *c = store_data(store, &sigcache_data, NULL);

	memset(st, 0, sizeof(*st));
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	st->hits = c->stats.hits;
	st->added = c->stats.added;
	pthread_mutex_unlock(&c->mu);
	st->lent = __atomic_load_n(&c->stats.lent, __ATOMIC_RELAXED); /* counted without the lock */
}
