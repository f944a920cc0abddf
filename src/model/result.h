/*
 * result.h - the plain structs a check produces: a probe (one host/address/port) with what
 * was observed, the facts derived from it, and its findings. Views read these; only the
 * check stages write them.
 */
#ifndef MAILTLS_RESULT_H
#define MAILTLS_RESULT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "model/findings.h"

struct strlist {
	char **v;
	size_t n;
};

void strlist_add(struct strlist *, const char *);
void strlist_free(struct strlist *);

enum tls_mode { TLS_MODE_STARTTLS, TLS_MODE_IMPLICIT };

struct finding {
	enum finding_code code;
	enum severity sev; /* decided by model/verdict.c, nowhere else */
	int cert;          /* index into probe->certs this is about, or -1 */
	long arg;          /* the fact the severity rule of the code reads (verdict.h), or 0 */
	char *message;     /* one line for people */
};

/* Whether a certificate is revoked, and how that was learnt (RFC 6960 OCSP, RFC 5280 CRL). */
enum rev_method { REV_METHOD_NONE, REV_METHOD_STAPLE, REV_METHOD_OCSP, REV_METHOD_CRL };
enum rev_status {
	REV_UNCHECKED,   /* not asked (--revocation none, --offline, not in --revocation-depth) */
	REV_GOOD,        /* the responder or the CRL says it is not revoked */
	REV_REVOKED,     /* revoked: reason and date */
	REV_UNKNOWN,     /* the responder does not know the certificate */
	REV_INVALID,     /* an answer came but does not hold: signature, signer, dates, id */
	REV_UNREACHABLE, /* no answer: the responder or the CRL could not be fetched */
	REV_NO_SOURCE    /* the certificate names no OCSP responder and no CRL */
};

struct revocation {
	enum rev_method method;
	enum rev_status status;
	int reason;            /* CRLReason (RFC 5280 5.3.1), -1 when none was given */
	time_t revoked_at;     /* when revoked */
	time_t produced_at;    /* OCSP producedAt; 0 for a CRL */
	time_t this_update, next_update; /* next_update 0: none given */
	char *url;             /* the responder or the CRL; NULL for a staple */
	char *why;             /* for INVALID, UNREACHABLE, NO_SOURCE: what failed, or NULL */
};

/* Set r's url or why (a copy, replacing what was there), in the heap rather than in every
 * certificate of every probe a bulk scan keeps. */
void rev_set_url(struct revocation *, const char *url);
void rev_set_why(struct revocation *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const char *rev_method_name(enum rev_method);
const char *rev_status_name(enum rev_status);
/* "keyCompromise" for CRLReason 1, ... (RFC 5280 5.3.1); "unspecified" for -1. */
const char *rev_reason_text(int reason);

/* What one certificate says about itself; independent of any verdict. */
struct cert_info {
	char *subject;
	char *issuer;
	char *serial;       /* hex */
	struct strlist san; /* "DNS:name" / "IP:addr" */
	time_t not_before;
	time_t not_after;
	long days_left;    /* whole days from the check time to notAfter; negative once expired */
	char key_type[16]; /* "RSA", "EC", "ED25519", ... */
	int key_bits;
	char key_group[32]; /* EC curve, if any */
	char sig_alg[64];
	char sha256[96];      /* colon-separated hex of the DER */
	char spki_sha256[65]; /* hex of the DER SubjectPublicKeyInfo */
	int self_signed;
	int is_ca;
	int in_path; /* part of the path verification built (not an extra the server sent) */
	int must_staple; /* a TLS Feature extension asks for status_request (RFC 7633) */
	struct revocation rev;
};

void cert_info_free(struct cert_info *); /* what it holds; then all zero */
/* dst a copy of src's description of a certificate: what it holds duplicated, nothing
 * yet known of it in a path (in_path, rev zero). */
void cert_info_copy(struct cert_info *dst, const struct cert_info *src);

/* Facts established by verify.c; findings and status are derived from these. */
struct verify_facts {
	int checked;      /* a chain was seen and judged */
	int trusted;      /* path to a trust anchor, ignoring dates */
	int dates_ok;     /* every certificate in the path is in date */
	int name_matched; /* a DNS-ID (or the CN fallback) covers the host */
	int name_by_cn;   /* ... and only by the CN fallback */
	char *matched_name;
	char *trust_anchor; /* subject of the anchor, when trusted */
	long min_days_left; /* over the path the server sent */
};

/* Milliseconds from the start of the session to each phase's end; -1: never reached. */
struct timing {
	double connect_ms;   /* TCP connect done */
	double banner_ms;    /* greeting complete */
	double starttls_ms;  /* STARTTLS reply complete */
	double handshake_ms; /* TLS handshake done */
	double total_ms;
	/* mailtls ping's further phases, each when its reply was complete */
	double capa_ms;     /* EHLO (CAPABILITY, CAPA) before TLS */
	double capa_tls_ms; /* ... over TLS */
	double auth_ms;     /* the login */
	double mail_ms, rcpt_ms, data_ms; /* MAIL FROM, RCPT TO, the message after DATA */
	double noop_ms;     /* NOOP */
	double quit_ms;     /* QUIT (LOGOUT) */
};

void timing_reset(struct timing *);

struct probe {
	char *host;    /* the name the certificate is judged against, and the SNI */
	char *address; /* numeric address connected to */
	uint16_t port;
	enum tls_mode mode;
	const struct dialect *dialect; /* how the session speaks (proto/dialect.h) */
	const char *protocol;          /* and its name: "smtp", "imap", "pop3" (static) */
	const char *service; /* "smtp", "submission", "imaps", ... by the port; NULL: another */

	char *banner;              /* censored; lines joined with "\n" */
	struct strlist capa_plain; /* capabilities before TLS */
	struct strlist capa_tls;   /* capabilities over TLS */
	char *tls_version;
	char *cipher;
	char *group;            /* key exchange group */
	STACK_OF(X509) * chain; /* exactly as sent, leaf first */
	STACK_OF(X509) * path;  /* the path verification built, leaf to anchor (pki/verify.c) */
	unsigned char *staple;  /* the OCSP response the server stapled (DER), or NULL */
	size_t staple_len;
	struct cert_info *certs;
	size_t ncerts;

	struct verify_facts facts;
	const struct policy_rule *rule; /* the policy file's rule for this server, or NULL */
	int judged; /* the verdict has been given (model/verdict.c) */
	struct finding *findings;
	size_t nfindings;
	enum status status; /* decided by model/verdict.c */
	struct timing t;

	struct dane_rrset *dane; /* the TLSA RRset of this host and port, if looked up */
	int dane_usable;         /* usable TLSA records */
	int dane_matched;        /* usage of the matching record (2 or 3), 0 if none */
	const char *source;      /* "file" for check --chain: judged without a session */
	struct tls_map *map;     /* check --tls-scan: what the server negotiates, or NULL */
	/* A view's text for the probe, kept for the next domain that shows it once a second
	 * one did (out/out_json.c: --jsonl, where a provider's MX serves thousands): NULL
	 * until then. Written on the engine's thread only, after the probe is complete. */
	unsigned view_shown;
	char *view_text;
	size_t view_len;
};

struct tls_map;
struct engine;
struct domain_policy;
struct autoconfig_found;
struct policy_rule;

/* One mail exchanger of a domain, with the addresses it resolved to. */
struct mx_host {
	char *host;
	unsigned preference;
	int implicit;   /* no MX: the domain's own address records (RFC 5321 5.1) */
	int ip_literal; /* the MX target was an address literal */
	char *cname;    /* alias target when the MX name was a CNAME */
	int dnssec;     /* enum dnssec_state of its address records; -1 before any */
	struct strlist addrs;
	char *dns_error;         /* why it has no address, if so */
	struct dane_rrset *dane; /* its TLSA RRset (NULL when DNSSEC is not validated) */
	struct probe **probes;
	size_t nprobes;
	int pending; /* address queries in flight */
	/* Where and how it is spoken to: the MX port, a --ports service or an SRV record's. */
	uint16_t port;
	enum tls_mode mode;
	const struct dialect *dialect;
	const char *service; /* static, as in struct probe */
	size_t svc;          /* 1 + its index in domain->svc for a client service's host; 0: MX */
	unsigned weight;     /* the SRV weight (preference holds the SRV priority) */
	int from_srv;        /* named by the service's SRV record */
	int from_autoconfig; /* named by the domain's autoconfig file */
};

/* One client service asked of a domain (--ports): what its SRV lookup said (RFC 6186). */
enum svc_state { SVC_PENDING, SVC_FOUND, SVC_NOT_OFFERED, SVC_MISSING, SVC_FAILED };

struct service_state {
	const char *name; /* "submission" (static) */
	uint16_t port;    /* its standard port; the hosts carry the SRV record's */
	char *owner;      /* "_submission._tcp.example.org" */
	enum svc_state state;
	int dnssec; /* enum dnssec_state of the SRV answer */
};

const char *svc_state_name(enum svc_state);

struct domain {
	char *name;
	size_t seq;    /* position in the input */
	int host_mode; /* --host: the one "MX" is the host itself, no MX lookup */
	int dnssec;    /* enum dnssec_state of the MX answer */
	int mx_failed; /* the MX lookup failed: NXDOMAIN, SERVFAIL, timeout, bogus */
	struct mx_host *mx; /* the MX hosts, then the hosts of each client service */
	size_t nmx;
	struct service_state *svc; /* the client services asked for (--ports), or none */
	size_t nsvc;
	struct finding *findings;
	size_t nfindings;
	enum status status;
	size_t pending; /* DNS queries and probes outstanding */
	struct engine *engine;
	struct domain *prev, *next; /* the engine's domains in flight */
	/* MTA-STS, TLS-RPT, SPF, DMARC, DKIM; NULL if not looked up */
	struct domain_policy *policy;
	const struct policy_rule *rule; /* the policy file's rule for the domain, or NULL */
	int policy_judged;              /* its rule's findings were derived */
	struct autoconfig_found *autoconfig; /* --ports: the autoconfig file's fetch, or NULL */
	/* check --chain: the chain file judged in place of a session, until its probe takes
	 * it; and what --key said of it (0 none given, 1 it matches, -1 it does not). */
	int from_file;
	STACK_OF(X509) * file_chain;
	int file_key;
	char *file_key_path;
};

/* Record a finding: what was found, never how bad it is (model/verdict.c decides). The
 * _arg forms carry the one fact the code's severity rule reads (verdict.h). */
void domain_add(struct domain *, enum finding_code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void domain_add_arg(struct domain *, enum finding_code, long arg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void domain_free(struct domain *);

struct probe *probe_new(const char *host, const char *address, uint16_t port, enum tls_mode mode,
    const struct dialect *, const char *protocol);
void probe_free(struct probe *);
/* The same for a probe that lives inside something else (the engine's job). */
void probe_init(struct probe *, const char *host, const char *address, uint16_t port,
    enum tls_mode mode, const struct dialect *, const char *protocol);
void probe_clear(struct probe *);
void probe_add(struct probe *, enum finding_code, int cert, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void probe_add_arg(struct probe *, enum finding_code, int cert, long arg, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int probe_has(const struct probe *, enum finding_code);
/* How many probes of d have a finding of code, of *total. */
size_t domain_probes_with(const struct domain *, enum finding_code, size_t *total);
/* Forget what a session saw before TLS, to connect again (nothing of TLS was seen yet). */
void probe_forget_session(struct probe *);

struct run {
	struct probe **probes; /* every distinct probe, in the order they were created */
	size_t nprobes;
	struct domain **domains; /* completed domains kept for the final view (not --jsonl) */
	size_t ndomains;
	int domain_mode;
	enum status status;
	time_t at; /* the time certificates were judged at */
};

/* Every distinct probe of a run: those of --host, then those of each domain's MX hosts
 * (a probe several domains share, once). Free v when done. */
struct probe_list {
	const struct probe **v;
	size_t n;
};
void run_probes(const struct run *, struct probe_list *);
void run_add(struct run *, struct probe *);
void run_add_domain(struct run *, struct domain *);
void run_free(struct run *);

#endif
