/*
 * verify.c - the verdict on a chain, from OpenSSL's own verifier with every error collected
 * (a verify callback that records and continues), plus the checks OpenSSL leaves to the
 * application: RFC 9525 host names, key and signature strength, order of the sent chain.
 * Certificate findings carry the index of the certificate in the chain as sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "base/addr.h"
#include "base/util.h"
#include "conf/limits.h"
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

static void report_verify_error(struct probe *p, const struct verify_error *e)
{
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
		probe_add(p, code, idx,
		    "the server did not send the issuer \"%s\" of its certificate, and the trust "
		    "store does not hold it: the intermediate is missing from the chain",
		    iss);
		break;
	case F_CERT_UNTRUSTED_ROOT:
		if (e->err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN)
			probe_add(p, code, idx,
			    "the chain ends at root \"%s\", which the trust store does not hold",
			    subj);
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

void verify_probe(struct probe *p, const struct verify_params *vp)
{
	X509_STORE_CTX *sctx = NULL;
	struct verify_log log;
	STACK_OF(X509) *path = NULL;
	X509 *leaf;
	int date_errors = 0, trust_errors = 0;

	if (p->chain == NULL || sk_X509_num(p->chain) == 0)
		return;
	if (verify_log_idx < 0)
		verify_log_idx = X509_STORE_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	tlsinfo_describe(p, vp->at);
	p->facts.checked = 1;
	leaf = sk_X509_value(p->chain, 0);
	memset(&log, 0, sizeof(log));

	sctx = X509_STORE_CTX_new();
	if (sctx == NULL || X509_STORE_CTX_init(sctx, vp->store, leaf, p->chain) != 1)
		fatal("cannot set up certificate verification");
	X509_STORE_CTX_set_ex_data(sctx, verify_log_idx, &log);
	X509_STORE_CTX_set_verify_cb(sctx, verify_cb);
	/* As an MTA verifies a server: purpose sslserver, so CA EKU constraints apply too. */
	X509_STORE_CTX_set_default(sctx, "ssl_server");
	if (vp->at_set)
		X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(sctx), vp->at);
	(void)X509_verify_cert(sctx);
	path = X509_STORE_CTX_get1_chain(sctx);

	for (int i = 0; i < log.n; i++) {
		if (is_date_error(log.e[i].err))
			date_errors++;
		else if (log.e[i].err != X509_V_ERR_INVALID_PURPOSE)
			trust_errors++;
		report_verify_error(p, &log.e[i]);
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
			probe_add(p, F_CERT_TRUSTED, -1, "the chain verifies to \"%s\"",
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
	verify_order(p, path);

	if (p->path)
		sk_X509_pop_free(p->path, X509_free);
	p->path = path; /* revocation asks each certificate's issuer from it */
	X509_STORE_CTX_free(sctx);
	ERR_clear_error();
}
