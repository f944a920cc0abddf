/*
 * tlsinfo.c - reading facts out of an SSL session and X509 objects. No judgement here:
 * verify.c decides what the facts mean.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "base/util.h"
#include "conf/limits.h"
#include "tls/libctx.h"
#include "tls/storedata.h"
#include "tls/tlsinfo.h"

/*
 * The chain is judged once, after the handshake, by verify.c with every error collected.
 * OpenSSL would otherwise build and verify it inside the handshake too, even under
 * SSL_VERIFY_NONE, only for the result to be ignored: 10% of a check's instructions.
 */
static int tlsinfo_defer_verify(X509_STORE_CTX *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	return 1;
}

/* A directory of c_rehash links ("1a2b3c4d.0"): where OpenSSL can look a root up by name. */
static int hashed_dir(const char *path)
{
	DIR *d = path ? opendir(path) : NULL;
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		found = n >= 10 && strspn(e->d_name, "0123456789abcdef") == 8 && e->d_name[8] == '.' &&
		    strspn(e->d_name + 9, "0123456789") == n - 9;
	}
	if (d)
		closedir(d);
	return found;
}

SSL_CTX *tlsinfo_ctx_new(const struct tls_config *cfg, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new_ex(cfg->many ? tls_libctx() : NULL, NULL, TLS_client_method());
	int ok;

	if (ctx == NULL) {
		snprintf(err, errlen, "cannot create TLS context");
		return NULL;
	}
	/*
	 * A checker must complete handshakes that a strict client would refuse, to report on
	 * what it finds: verification happens afterwards in verify.c, every error collected.
	 * Security level 0 and TLS 1.0 as floor let weak keys and old servers be seen and named.
	 */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, tlsinfo_defer_verify, NULL);
	/* DANE is judged after the handshake, offline, on SSL objects of this context. */
	SSL_CTX_dane_enable(ctx);
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	/* Idle connections in a bulk scan should not hold 34 KiB of record buffers each. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	/* Every check is a full handshake: no session to resume, so no tickets to ask for. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	/* Ask every server for its OCSP staple (RFC 6066 8): what it sends is judged after the
	 * handshake with the rest (pki/revocation.c); a server that staples nothing says so. */
	SSL_CTX_set_tlsext_status_type(ctx, TLSEXT_STATUSTYPE_ocsp);

	if (cfg->ca_file || cfg->ca_path)
		ok = SSL_CTX_load_verify_locations(ctx, cfg->ca_file, cfg->ca_path);
	else if ((getenv(X509_get_default_cert_file_env()) == NULL ||
	             *getenv(X509_get_default_cert_file_env()) == '\0') &&
	         hashed_dir(getenv(X509_get_default_cert_dir_env())
	                 ? getenv(X509_get_default_cert_dir_env())
	                 : X509_get_default_cert_dir()))
		/*
		 * The system store as the hashed directory alone, read a root at a time as a
		 * chain asks for it: the bundle file (what SSL_CTX_set_default_verify_paths adds
		 * too) is parsed whole at every start, 140 roots, 238 M instructions of a
		 * --host check's 265 M (callgrind; 26 M this way). Debian's update-ca-certificates
		 * keeps both views of one set of roots.
		 */
		ok = SSL_CTX_load_verify_dir(ctx, getenv(X509_get_default_cert_dir_env())
		                                      ? getenv(X509_get_default_cert_dir_env())
		                                      : X509_get_default_cert_dir());
	else
		ok = SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1) {
		unsigned long e = ERR_get_error();
		char buf[160];

		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(err, errlen, "cannot load trust store %s: %s",
		    cfg->ca_file       ? cfg->ca_file
		        : cfg->ca_path ? cfg->ca_path
		                       : "(system)",
		    buf);
		SSL_CTX_free(ctx);
		return NULL;
	}
	ERR_clear_error();
	return ctx;
}

void tlsinfo_capture(struct probe *p, SSL *ssl)
{
	STACK_OF(X509) * sent;
	int nid;
	EVP_PKEY *tmp = NULL;

	/* Only a finished handshake has parameters to read; OpenSSL 3.0 dereferences the
	 * missing session of one that is not. */
	if (ssl == NULL || !SSL_is_init_finished(ssl) || SSL_get_session(ssl) == NULL) {
		p->tls_version = xstrdup("unknown");
		p->cipher = xstrdup("unknown");
		return;
	}
	sent = SSL_get_peer_cert_chain(ssl);
	nid = SSL_get_negotiated_group(ssl);
	p->tls_version = xstrdup(SSL_get_version(ssl));
	p->cipher = xstrdup(SSL_get_cipher_name(ssl));
	if (nid > 0) {
		const char *name = SSL_group_to_name(ssl, nid);
		p->group = xstrdup(name ? name : OBJ_nid2sn(nid));
	} else if (SSL_get_peer_tmp_key(ssl, &tmp) == 1) {
		char gname[64];
		size_t glen = 0;

		if (EVP_PKEY_get_group_name(tmp, gname, sizeof(gname), &glen) == 1)
			p->group = xstrdup(gname);
		else
			p->group = xasprintf("%s-%d", EVP_PKEY_get0_type_name(tmp),
			    EVP_PKEY_get_bits(tmp));
		EVP_PKEY_free(tmp);
	}
	{
		/* The OCSP response the server stapled (RFC 6066 8), if it did: judged later. */
		const unsigned char *st = NULL;
		long stlen = SSL_get_tlsext_status_ocsp_resp(ssl, &st);

		if (st && stlen > 0 && stlen <= OCSP_STAPLE_MAX) {
			p->staple = (unsigned char *)xmemdup(st, (size_t)stlen);
			p->staple_len = (size_t)stlen;
		}
	}
	/* On a client the peer chain includes the leaf, in the order the server sent it. */
	if (sent != NULL)
		p->chain = X509_chain_up_ref(sent);
	ERR_clear_error();
}

char *tlsinfo_name(const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	if (b == NULL)
		fatal("out of memory");
	/* RFC 2253 order reversed to the familiar "CN=..., O=..." reading; UTF-8 kept, controls
	 * escaped. */
	X509_NAME_print_ex(b, name, 0,
	    (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB & ~XN_FLAG_DN_REV) | XN_FLAG_SEP_CPLUS_SPC |
	        XN_FLAG_DN_REV);
	n = BIO_get_mem_data(b, &data);
	out = censor(data, n > 0 ? (size_t)n : 0);
	BIO_free(b);
	return out;
}

/* Upper-case hex, ':' between bytes if colon; as many bytes as fit, NUL-terminated. (Two
 * fingerprints a certificate: a snprintf a byte was a fifth of describing it.) */
static void hexcolon(const unsigned char *md, unsigned n, char *out, size_t outlen, int colon)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (outlen == 0)
		return;
	for (unsigned i = 0; i < n; i++) {
		size_t w = colon && i ? 3 : 2;

		if (o + w >= outlen)
			break;
		if (colon && i)
			out[o++] = ':';
		out[o++] = hex[md[i] >> 4];
		out[o++] = hex[md[i] & 15];
	}
	out[o] = '\0';
}

void tlsinfo_fingerprint(X509 *x, char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	X509_digest(x, EVP_sha256(), md, &mdlen);
	hexcolon(md, mdlen, out, outlen, 1);
}

time_t tlsinfo_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

static void describe_key(X509 *x, struct cert_info *ci)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	size_t glen = 0;

	if (pk == NULL) {
		snprintf(ci->key_type, sizeof(ci->key_type), "unknown");
		return;
	}
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		snprintf(ci->key_type, sizeof(ci->key_type), "RSA");
		break;
	case EVP_PKEY_EC:
		snprintf(ci->key_type, sizeof(ci->key_type), "EC");
		EVP_PKEY_get_group_name(pk, ci->key_group, sizeof(ci->key_group), &glen);
		break;
	case EVP_PKEY_DSA:
		snprintf(ci->key_type, sizeof(ci->key_type), "DSA");
		break;
	case EVP_PKEY_ED25519:
		snprintf(ci->key_type, sizeof(ci->key_type), "ED25519");
		break;
	case EVP_PKEY_ED448:
		snprintf(ci->key_type, sizeof(ci->key_type), "ED448");
		break;
	default:
		snprintf(ci->key_type, sizeof(ci->key_type), "%s", EVP_PKEY_get0_type_name(pk));
	}
	ci->key_bits = EVP_PKEY_get_bits(pk);
}

/* RFC 7633: a TLS Feature extension listing status_request (5): "must staple". */
static int tlsinfo_must_staple(X509 *x)
{
	STACK_OF(ASN1_INTEGER) *features = X509_get_ext_d2i(x, NID_tlsfeature, NULL, NULL);
	int found = 0;

	for (int i = 0; features && i < sk_ASN1_INTEGER_num(features); i++)
		found |= ASN1_INTEGER_get(sk_ASN1_INTEGER_value(features, i)) == 5;
	sk_ASN1_INTEGER_pop_free(features, ASN1_INTEGER_free);
	return found;
}

/* Floor division: a certificate expiring in 6 hours has 0 days left, one that expired 6
 * hours ago has -1. */
static long days_left(time_t not_after, time_t at)
{
	long long d = (long long)not_after - (long long)at;

	return (long)(d >= 0 ? d / 86400 : -((-d + 86399) / 86400));
}

void tlsinfo_cert(X509 *x, time_t at, struct cert_info *ci)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	GENERAL_NAMES *gens;
	const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
	BIGNUM *bn;
	const X509_ALGOR *alg;
	unsigned char *spki = NULL;
	int spkilen;

	memset(ci, 0, sizeof(*ci));
	ci->subject = tlsinfo_name(X509_get_subject_name(x));
	ci->issuer = tlsinfo_name(X509_get_issuer_name(x));
	bn = ASN1_INTEGER_to_BN(serial, NULL);
	if (bn) {
		char *hex = BN_bn2hex(bn);
		ci->serial = xstrdup(hex ? hex : "");
		OPENSSL_free(hex);
		BN_free(bn);
	} else {
		ci->serial = xstrdup("");
	}
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char buf[300], addr[INET6_ADDRSTRLEN];
		char *c;

		if (g->type == GEN_DNS) {
			const ASN1_IA5STRING *s = g->d.dNSName;
			c = censor((const char *)ASN1_STRING_get0_data(s),
			    (size_t)ASN1_STRING_length(s));
			snprintf(buf, sizeof(buf), "DNS:%s", c);
			free(c);
			strlist_add(&ci->san, buf);
		} else if (g->type == GEN_IPADD) {
			int l = ASN1_STRING_length(g->d.iPAddress);
			const unsigned char *d = ASN1_STRING_get0_data(g->d.iPAddress);

			/* RFC 5280 4.2.1.6: four octets or sixteen; anything else is shown as
			 * what it is, never read as an address. */
			if ((l == 4 || l == 16) &&
			    inet_ntop(l == 4 ? AF_INET : AF_INET6, d, addr, sizeof(addr)))
				snprintf(buf, sizeof(buf), "IP:%s", addr);
			else
				snprintf(buf, sizeof(buf), "IP:(invalid: %d bytes)", l);
			strlist_add(&ci->san, buf);
		}
	}
	GENERAL_NAMES_free(gens);

	ci->not_before = tlsinfo_time(X509_get0_notBefore(x));
	ci->not_after = tlsinfo_time(X509_get0_notAfter(x));
	ci->days_left = days_left(ci->not_after, at);
	describe_key(x, ci);
	X509_get0_signature(NULL, &alg, x);
	OBJ_obj2txt(ci->sig_alg, sizeof(ci->sig_alg), alg->algorithm, 0);

	X509_digest(x, EVP_sha256(), md, &mdlen);
	hexcolon(md, mdlen, ci->sha256, sizeof(ci->sha256), 1);
	spkilen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
	if (spkilen > 0 && EVP_Digest(spki, (size_t)spkilen, md, &mdlen, EVP_sha256(), NULL))
		hexcolon(md, mdlen, ci->spki_sha256, sizeof(ci->spki_sha256), 0);
	OPENSSL_free(spki);
	ci->self_signed = X509_self_signed(x, 0) == 1;
	ci->is_ca = X509_check_ca(x) > 0;
	ci->must_staple = tlsinfo_must_staple(x);
	ERR_clear_error();
}

int tlsinfo_same_cert(const X509 *a, const X509 *b)
{
	const ASN1_BIT_STRING *sa, *sb;
	const X509_ALGOR *aa, *ab;

	if (a == b)
		return 1;
	/* X509_cmp compares the to-be-signed bytes whole once their SHA-1 agrees. */
	if (a == NULL || b == NULL || X509_cmp(a, b) != 0)
		return 0;
	X509_get0_signature(&sa, &aa, a);
	X509_get0_signature(&sb, &ab, b);
	return ASN1_STRING_cmp(sa, sb) == 0 && X509_ALGOR_cmp(aa, ab) == 0;
}

size_t tlsinfo_cert_slot(const X509 *x, size_t n)
{
	const ASN1_BIT_STRING *sig;
	const unsigned char *d;
	size_t h = 0;
	int len;

	X509_get0_signature(&sig, NULL, x);
	len = ASN1_STRING_length(sig);
	d = ASN1_STRING_get0_data(sig);
	for (int i = len > 4 ? len - 4 : 0; i < len; i++)
		h = h << 8 | d[i];
	return h % n;
}

/*
 * The descriptions of certificates, kept for the run. Why: describing a certificate (its
 * names printed, two SHA-256 fingerprints, its key, dates and extensions) is 0.16 M
 * instructions, and the intermediate a chain carries is nearly always one a run has met
 * before; so is, often, a leaf: one certificate can stand behind a great many MX names (a
 * provider's wildcard for its customers' hosts), each a probe of its own. Only the very
 * same certificate (tlsinfo_same_cert) is taken from here, and a copy is made: days_left
 * is counted again from the probe's own time, and nothing of a path (in_path,
 * revocation) comes along.
 *
 * Leaves have places of their own, so that the many met once never push a CA out, and a
 * leaf's description is kept only when the leaf is met a second time: the first time its
 * place only holds it, so a leaf met once costs a reference, not a copy of its names.
 */
#define DESC_SLOTS 64
#define DESC_LEAF_SLOTS 64

struct desc {
	X509 *x;             /* up-referenced */
	struct cert_info ci; /* x's description when described */
	int described;
};

struct desc_cache {
	pthread_mutex_t mu;
	struct desc slot[DESC_SLOTS]; /* CA certificates */
	struct desc leaf[DESC_LEAF_SLOTS];
	size_t hits;
};

static void desc_free(void *ptr)
{
	struct desc_cache *c = ptr;

	for (size_t i = 0; i < DESC_SLOTS; i++) {
		X509_free(c->slot[i].x);
		cert_info_free(&c->slot[i].ci);
	}
	for (size_t i = 0; i < DESC_LEAF_SLOTS; i++) {
		X509_free(c->leaf[i].x);
		cert_info_free(&c->leaf[i].ci);
	}
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static void *desc_new(void *arg)
{
	struct desc_cache *c = xcalloc(1, sizeof(*c));

	(void)arg;
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

static struct store_data desc_data = STORE_DATA(desc_new, desc_free);

/* The place of x at depth (0: the leaf). */
static struct desc *desc_place(struct desc_cache *c, const X509 *x, int depth)
{
	if (depth == 0)
		return &c->leaf[tlsinfo_cert_slot(x, DESC_LEAF_SLOTS)];
	return &c->slot[tlsinfo_cert_slot(x, DESC_SLOTS)];
}

/* ci from the cache when x is there (1), else 0. */
static int desc_known(struct desc_cache *c, X509 *x, int depth, time_t at, struct cert_info *ci)
{
	struct desc *d = desc_place(c, x, depth);
	int hit;

	pthread_mutex_lock(&c->mu);
	if ((hit = d->described && tlsinfo_same_cert(d->x, x)) != 0) {
		cert_info_copy(ci, &d->ci);
		c->hits++;
	}
	pthread_mutex_unlock(&c->mu);
	if (hit)
		ci->days_left = days_left(ci->not_after, at);
	return hit;
}

static void desc_remember(struct desc_cache *c, X509 *x, int depth, const struct cert_info *ci)
{
	struct desc *d = desc_place(c, x, depth);
	struct cert_info old;
	X509 *old_x;

	if (!X509_up_ref(x))
		return;
	pthread_mutex_lock(&c->mu);
	old_x = d->x;
	old = d->ci;
	/* A leaf met for the first time: held, not described. */
	d->described = depth > 0 || tlsinfo_same_cert(old_x, x);
	d->x = x;
	memset(&d->ci, 0, sizeof(d->ci));
	if (d->described)
		cert_info_copy(&d->ci, ci);
	pthread_mutex_unlock(&c->mu);
	X509_free(old_x);
	cert_info_free(&old);
}

void tlsinfo_describe(struct probe *p, time_t at, X509_STORE *cache)
{
	int n = p->chain ? sk_X509_num(p->chain) : 0;
	struct desc_cache *c;

	if (n <= 0)
		return;
	c = store_data(cache, &desc_data, cache);
	p->certs = xcalloc((size_t)n, sizeof(*p->certs));
	p->ncerts = (size_t)n;
	for (int i = 0; i < n; i++) {
		X509 *x = sk_X509_value(p->chain, i);

		if (c && desc_known(c, x, i, at, &p->certs[i]))
			continue;
		tlsinfo_cert(x, at, &p->certs[i]);
		if (c)
			desc_remember(c, x, i, &p->certs[i]);
	}
}

size_t tlsinfo_describe_hits(X509_STORE *store)
{
	struct desc_cache *c = store_data(store, &desc_data, NULL);
	size_t hits = 0;

	if (c) {
		pthread_mutex_lock(&c->mu);
		hits = c->hits;
		pthread_mutex_unlock(&c->mu);
	}
	return hits;
}
