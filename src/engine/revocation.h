/*
 * revocation.h - asking whether the certificates of a probe are revoked, on the event loop:
 * the stapled OCSP response first, else the responder the certificate names, else (or when
 * the responder cannot be reached) its CRL. Every answer is fetched once per run, whatever
 * number of certificates it covers: one request per issuer and serial, one fetch per CRL.
 */
#ifndef MAILTLS_ENGINE_REVOCATION_H
#define MAILTLS_ENGINE_REVOCATION_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509_vfy.h>

#include "model/result.h"
#include "net/dns.h"
#include "net/https.h"

enum rev_mode { REV_MODE_AUTO, REV_MODE_OCSP, REV_MODE_CRL, REV_MODE_NONE };

struct rev_config {
	enum rev_mode mode; /* --revocation */
	int chain;          /* --revocation-depth chain: every certificate below the anchor */
	int offline;        /* --offline: only what the server stapled */
	double timeout_s;   /* each fetch */
	X509_STORE *store;  /* for the OCSP responder's certificate */
	time_t at;          /* judged as of */
	/* To find and ask the responders: the run's, or made on the first fetch from base and
	 * dnsc (a --host check with --address has no resolver, and most certificates never
	 * need one made). */
	struct dns *dns;
	struct https *https;
	struct event_base *base;
	struct dns_config dnsc;
	const char *ca_file, *ca_path;
};

struct revocation_env;

struct revocation_env *revocation_env_new(const struct rev_config *);
void revocation_env_free(struct revocation_env *);

/*
 * Repair p's chain when its issuer is missing and the certificate names where to fetch it
 * (caIssuers), then judge its revocation (after verify_probe: its path is set), recording each certificate's
 * struct revocation and the findings. Returns 0 when that is done; else the number of
 * fetches p waits for, and done(arg) runs once they have all answered (never inside this
 * call). p and its chain must live until then.
 */
size_t revocation_probe(struct revocation_env *, struct probe *p, void (*done)(void *), void *arg);

/* Whether revocation is judged at all (not --revocation none): its findings are said. */
int revocation_asked(const struct revocation_env *);

/* Counted fetches, for tests and notes: requests sent, answers served from the run's cache. */
size_t revocation_fetches(const struct revocation_env *);

/* "auto", "ocsp", "crl", "none" -> mode; -1 when it is none of them. */
int rev_mode_by_name(const char *);

#endif
