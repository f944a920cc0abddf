/*
 * cert.h - what the two certificate targets share: a trust store holding one root made at
 * start-up (EC P-256, so that start-up stays quick), and the judgement of a chain as the
 * engine does it after a handshake (description, verification, DANE, status) rendered by
 * every view, PEM included.
 */
#ifndef MAILTLS_FUZZ_CERT_H
#define MAILTLS_FUZZ_CERT_H

#include <stdio.h>
#include <stdlib.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "fuzz.h"
#include "model/result.h"
#include "model/verdict.h"
#include "out/output.h"
#include "pki/dane.h"
#include "pki/verify.h"
#include "proto/dialect.h"
#include "tls/tlsinfo.h"

struct cert_env {
	SSL_CTX *ctx;
	EVP_PKEY *root_key;
	X509 *root;
	struct verify_params vp;
	struct verdict_ctx vc;
};

static struct cert_env cenv;

static EVP_PKEY *cert_key_ec(const char *curve)
{
	EVP_PKEY *k = EVP_EC_gen(curve);

	if (k == NULL)
		abort();
	return k;
}

static void cert_set_name(X509_NAME *n, const char *cn)
{
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
}

static void cert_env_init(void)
{
	char err[200];
	struct tls_config cfg = {0};
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();

	/* An empty directory: no system roots, only the one made here. */
	cfg.ca_path = "/nonexistent-mailtls-fuzz";
	cenv.ctx = tlsinfo_ctx_new(&cfg, err, sizeof(err));
	if (cenv.ctx == NULL)
		abort();
	cenv.root_key = cert_key_ec("P-256");
	cenv.root = X509_new();
	X509_set_version(cenv.root, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cenv.root), 1);
	cert_set_name(X509_get_subject_name(cenv.root), "Fuzz Root");
	cert_set_name(X509_get_issuer_name(cenv.root), "Fuzz Root");
	X509_gmtime_adj(X509_getm_notBefore(cenv.root), -86400L * 365);
	X509_gmtime_adj(X509_getm_notAfter(cenv.root), 86400L * 3650);
	X509_set_pubkey(cenv.root, cenv.root_key);
	bc->ca = 1;
	X509_add1_ext_i2d(cenv.root, NID_basic_constraints, bc, 1, 0);
	BASIC_CONSTRAINTS_free(bc);
	if (X509_sign(cenv.root, cenv.root_key, EVP_sha256()) <= 0)
		abort();
	X509_STORE_add_cert(SSL_CTX_get_cert_store(cenv.ctx), cenv.root);
	cenv.vp.store = SSL_CTX_get_cert_store(cenv.ctx);
	cenv.vp.ssl_ctx = cenv.ctx;
	cenv.vp.at = time(NULL);
	cenv.vc.warn_days = 30;
	cenv.vc.crit_days = 7;
	cenv.vc.at = cenv.vp.at;
}

/* Judge chain (taken over) for host with an optional TLSA record, and render it. */
static void cert_judge(STACK_OF(X509) * chain, const char *host, const struct dns_tlsa *tlsa)
{
	struct probe *p =
	    probe_new(host, "192.0.2.9", 25, TLS_MODE_STARTTLS, &dialect_smtp, "smtp");
	struct run run = {0};
	struct view_opts vo = {.show_chain = 1, .pem = 1};

	p->chain = chain;
	if (tlsa) {
		p->dane = dane_rrset_new(host, 25);
		p->dane->state = DANE_STATE_SECURE;
		p->dane->rr = malloc(sizeof(*p->dane->rr));
		p->dane->rr[0] = *tlsa;
		p->dane->rr[0].data = malloc(tlsa->len + 1);
		memcpy(p->dane->rr[0].data, tlsa->data, tlsa->len);
		p->dane->n = 1;
	}
	verify_probe(p, &cenv.vp);
	dane_judge(p, &cenv.vp);
	verdict_probe(p, &cenv.vc);
	run_add(&run, p);
	out_json(fuzz_devnull(), &run, &vo);
	out_text(fuzz_devnull(), &run, &vo);
	/* FUZZ_SHOW=1 replay FILE: see what an input makes, to write seeds by hand. */
	if (getenv("FUZZ_SHOW"))
		out_text(stdout, &run, &(struct view_opts){0});
	run_free(&run);
	probe_free(p);
}

#endif
