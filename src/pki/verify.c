/*
 * verify.c - the verdict on a chain, from OpenSSL's own verifier with every error collected
 * (a verify callback that records and continues), plus the checks OpenSSL leaves to the
 * application: RFC 9525 host names, key and signature strength, order of the sent chain.
 * Certificate findings carry the index of the certificate in the chain as sent.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/addr.h"
#include "base/util.h"
#include "conf/limits.h"
#include "pki/sigcache.h"
#include "pki/verify.h"
#include "tls/tlsinfo.h"

struct verify_error {
	int err;
	int depth;
	X509 *cert; /* up-referenced */
};

struct verify_log {
	struct verify_error e[VERIFY_ERRORS_MAX];
	int n;
	int dropped; /* errors beyond the bound: counted, said, not listed */
};

static int verify_log_idx = -1;
static pthread_once_t verify_once = PTHREAD_ONCE_INIT;

/* Once per process, whatever thread verifies first (check --workers). */
static void verify_init(void)
{
	verify_log_idx = X509_STORE_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static int log_idx(void)
{
	pthread_once(&verify_once, verify_init);
	return verify_log_idx;
}

static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
	struct verify_log *log = X509_STORE_CTX_get_ex_data(ctx, verify_log_idx);
	int err = X509_STORE_CTX_get_error(ctx);

	if (ok || log == NULL)
		return ok;
	if (log->n < VERIFY_ERRORS_MAX) {
		struct verify_error *e = &log->e[log->n];
		int dup = 0;

		e->err = err;
		e->depth = X509_STORE_CTX_get_error_depth(ctx);
		e->cert = X509_STORE_CTX_get_current_cert(ctx);
		/* OpenSSL may report one error twice for one certificate: keep it once. */
		for (int i = 0; i < log->n; i++)
			if (log->e[i].err == e->err && log->e[i].cert == e->cert)
				dup = 1;
		if (!dup) {
			if (e->cert)
				X509_up_ref(e->cert);
			log->n++;
		}
	} else {
		log->dropped++;
	}
	/* Keep going: every fault of the chain is reported, not only the first. */
	return 1;
}

/* Index of x in the chain the server sent, or -1 (a certificate from the trust store). */
static int sent_index(const struct probe *p, const X509 *x)
{
	for (int i = 0; x && i < sk_X509_num(p->chain); i++)
		if (X509_cmp(sk_X509_value(p->chain, i), x) == 0)
			return i;
	return -1;
}

/*
 * Map one OpenSSL verify error to a finding code. The "issuer not found" errors mean two
 * different things to an administrator: at the leaf, the server left out its intermediate;
 * at a CA certificate, the chain leads to an issuer the trust store does not hold.
 */
enum finding_code verify_classify(int err, int depth, int is_ca)
{
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return F_CERT_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return F_CERT_NOT_YET_VALID;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		return F_CERT_SELF_SIGNED;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		return F_CERT_UNTRUSTED_ROOT;
	case X509_V_ERR_INVALID_PURPOSE:
		return F_CERT_NO_SERVER_AUTH;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return depth == 0 && !is_ca ? F_CERT_CHAIN_INCOMPLETE : F_CERT_UNTRUSTED_ROOT;
	default:
		return F_CERT_VERIFY_ERROR;
	}
}

static int is_date_error(int err)
{
	return err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID;
}

/*
 * The issuer of cert (sent at idx) is not known. Say only what is known: a certificate the
 * server sent under the issuer's name that cannot have issued it, and why; else that the
 * issuer was not sent and the store lacks it, which is a missing intermediate or an
 * untrusted root (the caIssuers fetch, when there is one, tells which: verify_aia).
 */
static void chain_incomplete(struct probe *p, int idx, X509 *cert, const char *iss)
{
	for (int i = 0; cert && i < sk_X509_num(p->chain); i++) {
		X509 *c = sk_X509_value(p->chain, i);
		int r;

		if (c == cert || X509_NAME_cmp(X509_get_subject_name(c), X509_get_issuer_name(cert)))
			continue;
		r = X509_check_issued(c, cert);
		if (r == X509_V_OK && X509_check_ca(c) == 0)
			r = X509_V_ERR_INVALID_CA;
		if (r == X509_V_OK) {
			EVP_PKEY *k = X509_get0_pubkey(c);
			if (k == NULL || X509_verify(cert, k) != 1)
				r = X509_V_ERR_CERT_SIGNATURE_FAILURE;
		}
		ERR_clear_error();
		if (r != X509_V_OK) {
			probe_add(p, F_CERT_CHAIN_INCOMPLETE, idx,
			    "the server sent \"%s\" (#%d) as the issuer of its certificate, but it "
			    "cannot be: %s; the issuer that signed it is missing",
			    iss, i, X509_verify_cert_error_string(r));
			return;
		}
	}
	probe_add(p, F_CERT_CHAIN_INCOMPLETE, idx,
	    "the issuer \"%s\" of the certificate was not sent and the trust store does not hold "
	    "it: a missing intermediate, or an untrusted root",
	    iss);
}

/*
 * The issuer of cert is "not in the store": unless the store holds a certificate of that
 * name that could not be used (another key, a key identifier that does not match). Then
 * say that, with OpenSSL's reason, into why; 0 when the store holds none of the name.
 */
static int store_rejected(X509_STORE *store, X509 *cert, char *why, size_t whylen)
{
	STACK_OF(X509_OBJECT) *objs;
	int found = 0;

	if (store == NULL || cert == NULL || !X509_STORE_lock(store))
		return 0;
	objs = X509_STORE_get0_objects(store);
	for (int i = 0; objs && !found && i < sk_X509_OBJECT_num(objs); i++) {
		X509 *c = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		int r;

		if (c == NULL ||
		    X509_NAME_cmp(X509_get_subject_name(c), X509_get_issuer_name(cert)) != 0)
			continue;
		r = X509_check_issued(c, cert);
		if (r == X509_V_OK) {
			EVP_PKEY *k = X509_get0_pubkey(c);
			if (k == NULL || X509_verify(cert, k) != 1)
				r = X509_V_ERR_CERT_SIGNATURE_FAILURE;
		}
		if (r != X509_V_OK) {
			char *subj = tlsinfo_name(X509_get_subject_name(c));
			snprintf(why, whylen, "the trust store holds \"%s\", but it did not issue the "
			                      "chain's top certificate: %s",
			    subj, X509_verify_cert_error_string(r));
			free(subj);
			found = 1;
		}
	}
	X509_STORE_unlock(store);
	ERR_clear_error();
	return found;
}

static void report_verify_error(struct probe *p, const struct verify_error *e,
    X509_STORE *store)
{
	char rejected[300];
	int idx = sent_index(p, e->cert);
	char *subj = e->cert ? tlsinfo_name(X509_get_subject_name(e->cert)) : xstrdup("?");
	char *iss = e->cert ? tlsinfo_name(X509_get_issuer_name(e->cert)) : xstrdup("?");
	char when[32];
	enum finding_code code =
	    verify_classify(e->err, e->depth, e->cert && X509_check_ca(e->cert) > 0);
	const char *who = idx >= 0 ? "" : " (trust anchor)";

	/* The leaf's usage is reported by verify_usage() in its own words. */
	if (code == F_CERT_NO_SERVER_AUTH && idx == 0)
		code = F__COUNT;
	/* OpenSSL may name one fault twice (20, then 21, for a leaf whose issuer is missing). */
	for (size_t i = 0; i < p->nfindings; i++)
		if (p->findings[i].code == code && p->findings[i].cert == idx)
			code = F__COUNT;

	switch (code) {
	case F__COUNT:
		break;
	case F_CERT_EXPIRED:
		fmt_time(tlsinfo_time(X509_get0_notAfter(e->cert)), when, sizeof(when));
		probe_add(p, code, idx, "certificate \"%s\"%s expired on %s", subj, who, when);
		break;
	case F_CERT_NOT_YET_VALID:
		fmt_time(tlsinfo_time(X509_get0_notBefore(e->cert)), when, sizeof(when));
		probe_add(p, code, idx, "certificate \"%s\"%s is not valid before %s", subj, who,
		    when);
		break;
	case F_CERT_SELF_SIGNED:
		probe_add(p, code, idx,
		    "the server certificate \"%s\" is self-signed and not in the trust store",
		    subj);
		break;
	case F_CERT_CHAIN_INCOMPLETE:
		chain_incomplete(p, idx, e->cert, iss);
		break;
	case F_CERT_UNTRUSTED_ROOT:
		if (e->err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN)
			probe_add(p, code, idx,
			    "the chain ends at root \"%s\", which the trust store does not hold",
			    subj);
		else if (store_rejected(store, e->cert, rejected, sizeof(rejected)))
			probe_add(p, code, idx, "the chain ends at \"%s\", issued by \"%s\"; %s", subj,
			    iss, rejected);
		else
			probe_add(p, code, idx,
			    "the chain ends at \"%s\", issued by \"%s\", which the trust "
			    "store does not hold",
			    subj, iss);
		break;
	case F_CERT_NO_SERVER_AUTH:
		probe_add(p, code, idx,
		    "CA certificate \"%s\" is not allowed to issue TLS server certificates (%s)",
		    subj, X509_verify_cert_error_string(e->err));
		break;
	default:
		probe_add(p, code, idx, "certificate \"%s\"%s: %s (X509 error %d)", subj, who,
		    X509_verify_cert_error_string(e->err), e->err);
		break;
	}
	free(subj);
	free(iss);
}

int verify_weak_key(const char *type, int bits)
{
	if (strcmp(type, "RSA") == 0 || strcmp(type, "DSA") == 0)
		return bits < 2048;
	if (strcmp(type, "EC") == 0)
		return bits < 256;
	return 0;
}

/* MD2/MD4/MD5/SHA-1, or anything OpenSSL rates below 112 bits of security (NIST SP 800-57). */
int verify_weak_digest(int md_nid, int secbits)
{
	if (md_nid == NID_md5 || md_nid == NID_sha1 || md_nid == NID_md4 || md_nid == NID_md2 ||
	    md_nid == NID_md5_sha1)
		return 1;
	return secbits > 0 && secbits < 112;
}

static void verify_strength(struct probe *p)
{
	for (size_t i = 0; i < p->ncerts; i++) {
		X509 *x = sk_X509_value(p->chain, (int)i);
		const struct cert_info *ci = &p->certs[i];
		int mdnid = NID_undef, pknid = NID_undef, secbits = 0;
		uint32_t flags = 0;

		if (verify_weak_key(ci->key_type, ci->key_bits))
			probe_add(p, F_CERT_WEAK_KEY, (int)i,
			    "certificate \"%s\" has a %d-bit %s key", ci->subject, ci->key_bits,
			    ci->key_type);
		/* A trust anchor's self-signature is never checked, so its digest does not matter.
		 */
		if (ci->self_signed)
			continue;
		if (X509_get_signature_info(x, &mdnid, &pknid, &secbits, &flags) == 1 &&
		    verify_weak_digest(mdnid, secbits))
			probe_add(p, F_CERT_WEAK_SIGNATURE, (int)i,
			    "certificate \"%s\" is signed with %s", ci->subject, ci->sig_alg);
	}
}

static void verify_usage(struct probe *p)
{
	X509 *leaf = sk_X509_value(p->chain, 0);
	EXTENDED_KEY_USAGE *eku;
	char have[200] = "";

	if (X509_check_purpose(leaf, X509_PURPOSE_SSL_SERVER, 0) == 1)
		return;
	eku = X509_get_ext_d2i(leaf, NID_ext_key_usage, NULL, NULL);
	for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++) {
		char name[64];
		size_t l = strlen(have);

		OBJ_obj2txt(name, sizeof(name), sk_ASN1_OBJECT_value(eku, i), 0);
		snprintf(have + l, sizeof(have) - l, "%s%s", l ? ", " : "", name);
	}
	EXTENDED_KEY_USAGE_free(eku);
	if (have[0])
		probe_add(p, F_CERT_NO_SERVER_AUTH, 0,
		    "the server certificate is not for TLS servers: extendedKeyUsage is %s", have);
	else
		probe_add(p, F_CERT_NO_SERVER_AUTH, 0,
		    "the server certificate is not for TLS servers: its keyUsage allows neither "
		    "digitalSignature nor keyEncipherment");
	ERR_clear_error();
}

/*
 * RFC 9525 6.3-6.4: DNS-IDs in subjectAltName only; a wildcard only as the whole left-most
 * label (OpenSSL's X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS). The CN is tried only when there
 * is no DNS-ID at all, and a match that way is its own finding: RFC 9525 forbids it, while
 * many MTAs still allow it.
 */
void verify_name(struct probe *p)
{
	X509 *leaf = sk_X509_value(p->chain, 0);
	const struct cert_info *ci = &p->certs[0];
	char *peer = NULL;
	int has_dns = 0, rc;
	size_t l = 0;
	char covers[512] = "";

	for (size_t i = 0; i < ci->san.n; i++)
		if (strncmp(ci->san.v[i], "DNS:", 4) == 0)
			has_dns = 1;
	if (addr_is_ip(p->host))
		rc = X509_check_ip_asc(leaf, p->host, 0);
	else
		rc = X509_check_host(leaf, p->host, 0,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
		    &peer);
	if (rc == 1) {
		p->facts.name_matched = 1;
		p->facts.matched_name = xstrdup(peer ? peer : p->host);
		probe_add(p, F_CERT_HOSTNAME_OK, 0, "the certificate covers %s (as %s)", p->host,
		    p->facts.matched_name);
		OPENSSL_free(peer);
		return;
	}
	if (!has_dns && !addr_is_ip(p->host) &&
	    X509_check_host(leaf, p->host, 0,
	        X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT,
	        &peer) == 1) {
		p->facts.name_matched = 1;
		p->facts.name_by_cn = 1;
		p->facts.matched_name = xstrdup(peer ? peer : p->host);
		probe_add(p, F_CERT_CN_ONLY, 0,
		    "%s matches only the subject CN: the certificate has no DNS subjectAltName, "
		    "which RFC 9525 requires (some MTAs will refuse it)",
		    p->host);
		OPENSSL_free(peer);
		return;
	}
	for (size_t i = 0; i < ci->san.n && l + 4 < sizeof(covers); i++) {
		snprintf(covers + l, sizeof(covers) - l, "%s%s", l ? ", " : "",
		    ci->san.v[i] + (strncmp(ci->san.v[i], "DNS:", 4) == 0 ? 4 : 0));
		l = strlen(covers);
	}
	if (!has_dns) {
		const char *cn = strstr(ci->subject, "CN=");
		snprintf(covers + l, sizeof(covers) - l, "%sno subjectAltName; subject %s",
		    l ? "; " : "", cn ? cn : ci->subject);
	}
	probe_add(p, F_CERT_HOSTNAME_MISMATCH, 0,
	    "the certificate does not cover %s; it covers: %s", p->host,
	    covers[0] ? covers : "(no names)");
	ERR_clear_error();
}

/*
 * Order of the sent chain: each certificate should be followed by its issuer (RFC 5246
 * 7.4.2; RFC 8446 4.4.2 relaxes this, so it is a warning), and none should be unrelated to
 * the path. Judged only when a path was built.
 */
/*
 * The key of every certificate of the built path the server did not send: the trust anchor
 * from the store (an RSA-1024 root in --ca-file signs as weakly as one that was sent).
 */
static void verify_anchor_strength(struct probe *p, STACK_OF(X509) * path)
{
	for (int i = 0; path && i < sk_X509_num(path); i++) {
		X509 *x = sk_X509_value(path, i);
		EVP_PKEY *k = X509_get0_pubkey(x);
		const char *type;
		char *subj;

		if (sent_index(p, x) >= 0 || k == NULL)
			continue;
		type = EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA ? "RSA"
		    : EVP_PKEY_get_base_id(k) == EVP_PKEY_DSA  ? "DSA"
		    : EVP_PKEY_get_base_id(k) == EVP_PKEY_EC   ? "EC"
		                                              : "";
		if (!verify_weak_key(type, EVP_PKEY_get_bits(k)))
			continue;
		subj = tlsinfo_name(X509_get_subject_name(x));
		probe_add(p, F_CERT_WEAK_KEY, -1, "the trust anchor \"%s\" has a %d-bit %s key",
		    subj, EVP_PKEY_get_bits(k), type);
		free(subj);
	}
}

/* RFC 5280 4.2.1.10: is DNS name host within the subtree base ("example.org" holds the name
 * and every name below it; ".example.org" only those below)? */
static int dns_within(const char *host, const char *base, size_t blen)
{
	size_t hl = strlen(host);

	if (blen && base[blen - 1] == '.')
		blen--; /* a trailing dot names the same subtree */
	if (blen == 0)
		return 1; /* the empty name is every name */
	if (base[0] == '.')
		return hl > blen && strncasecmp(host + hl - blen, base, blen) == 0;
	if (hl == blen)
		return strncasecmp(host, base, blen) == 0;
	return hl > blen && host[hl - blen - 1] == '.' &&
	    strncasecmp(host + hl - blen, base, blen) == 0;
}

/*
 * OpenSSL holds a CA's nameConstraints against the names a certificate carries, not against
 * the name being verified: a leaf for *.example.org under a CA that excludes bar.example.org
 * verifies as bar.example.org (the CVE-2025-61727 class). Hold the name that matched, the
 * host, against every CA of the path.
 */
static void verify_name_constraints(struct probe *p, STACK_OF(X509) * path)
{
	const char *host = p->host;

	if (!p->facts.name_matched || addr_is_ip(host))
		return;
	for (int i = 1; path && i < sk_X509_num(path); i++) {
		X509 *ca = sk_X509_value(path, i);
		NAME_CONSTRAINTS *nc = X509_get_ext_d2i(ca, NID_name_constraints, NULL, NULL);
		int permitted_dns = 0, inside = 0, excluded = 0;
		char *subj;

		if (nc == NULL)
			continue;
		for (int k = 0; k < sk_GENERAL_SUBTREE_num(nc->permittedSubtrees); k++) {
			GENERAL_SUBTREE *t = sk_GENERAL_SUBTREE_value(nc->permittedSubtrees, k);
			if (t->base->type != GEN_DNS)
				continue;
			permitted_dns = 1;
			inside |= dns_within(host, (const char *)t->base->d.dNSName->data,
			    (size_t)t->base->d.dNSName->length);
		}
		for (int k = 0; k < sk_GENERAL_SUBTREE_num(nc->excludedSubtrees); k++) {
			GENERAL_SUBTREE *t = sk_GENERAL_SUBTREE_value(nc->excludedSubtrees, k);
			if (t->base->type == GEN_DNS &&
			    dns_within(host, (const char *)t->base->d.dNSName->data,
			        (size_t)t->base->d.dNSName->length))
				excluded = 1;
		}
		NAME_CONSTRAINTS_free(nc);
		if (!excluded && (!permitted_dns || inside))
			continue;
		subj = tlsinfo_name(X509_get_subject_name(ca));
		probe_add(p, F_CERT_NAME_CONSTRAINT_VIOLATION, sent_index(p, ca),
		    "%s matched the certificate (as %s), but the CA \"%s\" %s it by its name "
		    "constraints (RFC 5280 4.2.1.10): the certificate is not valid for it",
		    host, p->facts.matched_name, subj, excluded ? "excludes" : "does not permit");
		free(subj);
	}
}

static void verify_order(struct probe *p, STACK_OF(X509) * path)
{
	int n = sk_X509_num(p->chain);
	char extras[256] = "";

	for (int i = 1; i < n; i++) {
		X509 *x = sk_X509_value(p->chain, i);
		int used = 0;

		for (int j = 0; path && j < sk_X509_num(path); j++)
			if (X509_cmp(sk_X509_value(path, j), x) == 0)
				used = 1;
		if (!used) {
			size_t l = strlen(extras);
			snprintf(extras + l, sizeof(extras) - l, "%s#%d", l ? ", " : "", i);
		}
	}
	if (extras[0]) {
		probe_add(p, F_CERT_CHAIN_ORDER, -1,
		    "the server sent certificates that are not part of the path: %s", extras);
		return;
	}
	for (int i = 1; i < n; i++) {
		if (X509_check_issued(sk_X509_value(p->chain, i), sk_X509_value(p->chain, i - 1)) !=
		    X509_V_OK) {
			probe_add(p, F_CERT_CHAIN_ORDER, i,
			    "certificate #%d is not the issuer of certificate #%d: the chain "
			    "was sent "
			    "out of order",
			    i, i - 1);
			return;
		}
	}
}

/* While the repaired chain is verified: whether any error but a date's came. */
static int repair_cb(int ok, X509_STORE_CTX *ctx)
{
	int *bad = X509_STORE_CTX_get_ex_data(ctx, verify_log_idx);
	int err = X509_STORE_CTX_get_error(ctx);

	if (!ok && bad && !is_date_error(err) && err != X509_V_ERR_INVALID_PURPOSE)
		*bad = 1;
	return 1;
}

/* The certificates a caIssuers URL serves: one DER certificate (RFC 5280 4.2.2.1), a
 * certs-only PKCS#7 (".p7c"), or, seen in the wild, PEM. */
static STACK_OF(X509) *aia_certs(const unsigned char *der, size_t len)
{
	STACK_OF(X509) *out = sk_X509_new_null();
	const unsigned char *q = der;
	X509 *x = d2i_X509(NULL, &q, (long)len);
	PKCS7 *p7;

	if (x) {
		sk_X509_push(out, x);
		return out;
	}
	q = der;
	p7 = d2i_PKCS7(NULL, &q, (long)len);
	if (p7 && PKCS7_type_is_signed(p7) && p7->d.sign && p7->d.sign->cert) {
		for (int i = 0; i < sk_X509_num(p7->d.sign->cert) && i < AIA_CERTS_MAX; i++) {
			X509 *c = sk_X509_value(p7->d.sign->cert, i);
			X509_up_ref(c);
			sk_X509_push(out, c);
		}
	} else {
		BIO *b = BIO_new_mem_buf(der, (int)len);
		while (b && sk_X509_num(out) < AIA_CERTS_MAX &&
		       (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
			sk_X509_push(out, x);
		BIO_free(b);
	}
	PKCS7_free(p7);
	ERR_clear_error();
	return out;
}

static void finding_say(struct finding *f, enum finding_code code, char *msg)
{
	f->code = code;
	free(f->message);
	f->message = msg;
}

void verify_aia(struct probe *p, const struct verify_params *vp, const unsigned char *der,
    size_t len, const char *url, const char *fetch_err)
{
	struct finding *f = NULL;
	STACK_OF(X509) *got, *untrusted;
	X509 *cert, *issuer = NULL;
	X509_STORE_CTX *sctx;
	int bad = 0;
	char *subj, fp[96];

	for (size_t i = 0; i < p->nfindings && f == NULL; i++)
		if (p->findings[i].code == F_CERT_CHAIN_INCOMPLETE && p->findings[i].cert >= 0)
			f = &p->findings[i];
	if (f == NULL)
		return;
	cert = sk_X509_value(p->chain, f->cert);
	if (fetch_err) {
		finding_say(f, f->code, xasprintf("%s; its caIssuers URL %s could not be fetched (%s)",
		                            f->message, url, fetch_err));
		return;
	}
	got = aia_certs(der, len);
	for (int i = 0; i < sk_X509_num(got) && issuer == NULL; i++)
		if (X509_check_issued(sk_X509_value(got, i), cert) == X509_V_OK)
			issuer = sk_X509_value(got, i);
	ERR_clear_error();
	if (issuer == NULL) {
		finding_say(f, f->code, xasprintf("%s; what its caIssuers URL %s serves is %s",
		                            f->message, url,
		                            sk_X509_num(got) ? "not its issuer" : "not a certificate"));
		sk_X509_pop_free(got, X509_free);
		return;
	}
	/* The chain as sent plus what was fetched: does a path to the store exist now? */
	untrusted = sk_X509_dup(p->chain);
	for (int i = 0; i < sk_X509_num(got); i++)
		sk_X509_push(untrusted, sk_X509_value(got, i));
	sctx = X509_STORE_CTX_new();
	if (sctx == NULL || X509_STORE_CTX_init(sctx, vp->store, sk_X509_value(p->chain, 0),
	                        untrusted) != 1)
		fatal("cannot set up certificate verification");
	X509_STORE_CTX_set_ex_data(sctx, log_idx(), &bad);
	X509_STORE_CTX_set_verify_cb(sctx, repair_cb);
	X509_STORE_CTX_set_default(sctx, "ssl_server");
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(sctx), vp->at);
	(void)X509_verify_cert(sctx);
	subj = tlsinfo_name(X509_get_subject_name(issuer));
	tlsinfo_fingerprint(issuer, fp, sizeof(fp));
	if (!bad) {
		finding_say(f, F_CERT_CHAIN_INCOMPLETE,
		    xasprintf("the server did not send the intermediate \"%s\" (SHA-256 %s) that "
		              "issued its certificate; its caIssuers URL %s serves it, but mail "
		              "clients do not fetch it: append it to the chain file after the server "
		              "certificate",
		        subj, fp, url));
		if (p->path)
			sk_X509_pop_free(p->path, X509_free);
		p->path = X509_STORE_CTX_get1_chain(sctx); /* revocation asks along it */
	} else if (X509_check_issued(issuer, issuer) == X509_V_OK) {
		finding_say(f, F_CERT_UNTRUSTED_ROOT,
		    xasprintf("the certificate's issuer, served by its caIssuers URL %s, is the root "
		              "\"%s\" (SHA-256 %s), which the trust store does not hold",
		        url, subj, fp));
	} else {
		finding_say(f, f->code,
		    xasprintf("%s; its caIssuers URL %s serves \"%s\", whose own issuer is not known "
		              "either",
		        f->message, url, subj));
	}
	free(subj);
	X509_STORE_CTX_free(sctx);
	sk_X509_free(untrusted);
	sk_X509_pop_free(got, X509_free);
	ERR_clear_error();
}

STACK_OF(X509) * verify_load_chain(const char *path, char *err, size_t errlen)
{
	struct stat st;
	BIO *b;
	STACK_OF(X509) *chain;
	X509 *x;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (b = BIO_new_file(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open it as a file", path);
		ERR_clear_error();
		return NULL;
	}
	if (st.st_size > CHAIN_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes: not a chain", path, CHAIN_FILE_MAX);
		BIO_free(b);
		return NULL;
	}
	chain = sk_X509_new_null();
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_num(chain) == CHAIN_CERTS_MAX) {
			X509_free(x);
			snprintf(err, errlen, "%s: more than %d certificates", path, CHAIN_CERTS_MAX);
			sk_X509_pop_free(chain, X509_free);
			BIO_free(b);
			return NULL;
		}
		sk_X509_push(chain, x);
	}
	BIO_free(b);
	ERR_clear_error();
	if (sk_X509_num(chain) == 0) {
		snprintf(err, errlen, "%s: no PEM certificate in it", path);
		sk_X509_free(chain);
		return NULL;
	}
	return chain;
}

/* A passphrase is never asked for: a key the check can read is one a server can. */
static int no_passphrase(char *buf, int size, int rw, void *u)
{
	(void)buf;
	(void)size;
	(void)rw;
	(void)u;
	return -1;
}

int verify_key_matches(X509 *cert, const char *path, char *err, size_t errlen)
{
	BIO *b = BIO_new_file(path, "r");
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL) : NULL;
	int rc;

	BIO_free(b);
	if (k == NULL) {
		snprintf(err, errlen, "%s: %s", path,
		    b ? "no private key in it (or an encrypted one)" : "cannot open it");
		ERR_clear_error();
		return -1;
	}
	rc = X509_check_private_key(cert, k) == 1;
	EVP_PKEY_free(k);
	ERR_clear_error();
	return rc;
}

void verify_probe(struct probe *p, const struct verify_params *vp)
{
	X509_STORE_CTX *sctx = NULL;
	struct verify_log log;
	STACK_OF(X509) *path = NULL;
	X509 *leaf;
	int date_errors = 0, trust_errors = 0;

	if (p->chain == NULL || sk_X509_num(p->chain) == 0)
		return;
	tlsinfo_describe(p, vp->at, vp->store); /* descriptions kept for the run */
	p->facts.checked = 1;
	leaf = sk_X509_value(p->chain, 0);
	memset(&log, 0, sizeof(log));

	sctx = X509_STORE_CTX_new();
	if (sctx == NULL || X509_STORE_CTX_init(sctx, vp->store, leaf, p->chain) != 1)
		fatal("cannot set up certificate verification");
	X509_STORE_CTX_set_ex_data(sctx, log_idx(), &log);
	X509_STORE_CTX_set_verify_cb(sctx, verify_cb);
	/* As an MTA verifies a server: purpose sslserver, so CA EKU constraints apply too. */
	X509_STORE_CTX_set_default(sctx, "ssl_server");
	if (vp->at_set)
		X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(sctx), vp->at);
	/* A certificate the user put in the trust store is an anchor, root or not (an
	 * intermediate pinned with --ca-file): RFC 5280 6.1.1 lets any key be a trust anchor. */
	X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(sctx), X509_V_FLAG_PARTIAL_CHAIN);
	sigcache_use(sctx); /* an intermediate's signature by its CA once, not on every chain */
	(void)X509_verify_cert(sctx);
	path = X509_STORE_CTX_get1_chain(sctx);

	for (int i = 0; i < log.n; i++) {
		if (is_date_error(log.e[i].err))
			date_errors++;
		else if (log.e[i].err != X509_V_ERR_INVALID_PURPOSE)
			trust_errors++;
		report_verify_error(p, &log.e[i], vp->store);
		X509_free(log.e[i].cert);
	}
	if (log.dropped) {
		trust_errors++; /* what is not seen cannot be called trusted */
		probe_add(p, F_CERT_VERIFY_ERROR, -1,
		    "%d more verification errors are not listed (at most %d are)", log.dropped,
		    VERIFY_ERRORS_MAX);
	}
	p->facts.trusted = trust_errors == 0;
	p->facts.dates_ok = date_errors == 0;
	if (path && sk_X509_num(path) > 0) {
		X509 *top = sk_X509_value(path, sk_X509_num(path) - 1);
		if (p->facts.trusted) {
			p->facts.trust_anchor = tlsinfo_name(X509_get_subject_name(top));
			if (X509_check_issued(top, top) == X509_V_OK)
				probe_add(p, F_CERT_TRUSTED, -1, "the chain verifies to \"%s\"",
				    p->facts.trust_anchor);
			else
				probe_add(p, F_CERT_TRUSTED, -1,
				    "the chain verifies to \"%s\", a trust anchor that is not a root (a "
				    "CA certificate the trust store holds as such)",
				    p->facts.trust_anchor);
		}
	}
	p->facts.min_days_left = p->certs[0].days_left;
	for (size_t i = 0; i < p->ncerts; i++) {
		int in_path = 0;
		for (int j = 0; path && j < sk_X509_num(path); j++)
			if (X509_cmp(sk_X509_value(path, j), sk_X509_value(p->chain, (int)i)) == 0)
				in_path = 1;
		if (!in_path)
			continue;
		p->certs[i].in_path = 1;
		if (p->certs[i].days_left < p->facts.min_days_left)
			p->facts.min_days_left = p->certs[i].days_left;
	}

	verify_name(p);
	verify_usage(p);
	verify_strength(p);
	verify_anchor_strength(p, path);
	verify_name_constraints(p, path);
	verify_order(p, path);

	if (p->path)
		sk_X509_pop_free(p->path, X509_free);
	p->path = path; /* revocation asks each certificate's issuer from it */
	X509_STORE_CTX_free(sctx);
	ERR_clear_error();
}
