/*
 * check_opts.h - the check command's options: its table for conf/opts.c, what they parse
 * into, and the rules about combinations.
 */
#ifndef MAILTLS_CHECK_OPTS_H
#define MAILTLS_CHECK_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf/limits.h"
#include "conf/opts.h"

struct check_opts {
	const char *host;    /* --host, without the port */
	uint16_t port;       /* 0: the protocol's default */
	uint16_t ports[OPTS_PORTS_MAX]; /* --ports, --all-ports */
	size_t nports;
	int starttls_tests; /* --starttls-tests */
	int tls_scan;       /* --tls-scan */
	size_t workers;     /* --workers N; 0: the CPUs available */
	size_t dns_concurrency; /* --dns-concurrency N; 0: --concurrency */
	int ordered;        /* --ordered: --jsonl lines in input order */
	const char *tls_profile;  /* --tls-profile NAME */
	const char *tls_profiles; /* --tls-profiles FILE, or NULL: the built-in ones */
	double scan_pause;  /* --scan-pause: seconds between two of the scan's connections */
	const char *revocation; /* --revocation: auto, ocsp, crl, none */
	int revocation_chain;   /* --revocation-depth chain */
	int offline;            /* --offline */
	const char *chain;      /* --chain FILE: judged in place of a session */
	const char *key;        /* --key FILE: must belong to the chain's certificate */
	int retries;            /* --retries: a server refusing for now is tried again */
	double per_ip_rate;     /* --per-ip-rate: connections a minute to one address */
	unsigned long shard_k, shard_n; /* --shard K/N: this run checks the domains whose hash
	                                   is K modulo N; n 0: every domain */
	const char *resume;     /* --resume FILE: the JSONL output, continued */
	const char *address; /* --address */
	int mode;            /* -1 by port, else enum tls_mode */
	const char *ca_file;
	const char *ca_path;
	time_t at;
	int at_set;
	long warn_days;
	long crit_days;
	struct limits lim;    /* line and reply bounds, and the wait of each phase */
	double timeout;       /* --timeout: every wait at once; 0 when not given */
	double dns_timeout;   /* each DNS query */
	double https_timeout; /* the MTA-STS policy fetch */
	int family;           /* 0, 4 or 6 */
	const char *ehlo;
	const char *protocol; /* --protocol ("smtp", "imap", "pop3"), or NULL: by port */
	int json;
	int jsonl;
	int nagios;
	const char *log;    /* --log FILE: the audit log */
	const char *policy; /* --policy FILE */
	int log_sync;
	const char *file; /* -f */
	char **domains;   /* positional */
	size_t ndomains;
	const char *resolvers[OPTS_RESOLVERS_MAX + 1];
	size_t nresolvers;
	const char *trust_anchor;
	const char *dkim[OPTS_DKIM_MAX + 1];
	size_t ndkim;
	int no_dane, no_mta_sts, no_dns_records, no_autoconfig;
	size_t concurrency;
	size_t per_host;
	int show_chain;
	int verbose;
	int pem;
	char hostbuf[256];
	unsigned char given[64]; /* option ids given on the command line */
};

/* The ids of check's options; serve shares some of them (cmd/serve.c). */
enum {
	O_ADDRESS,
	O_ALL_PORTS,
	O_AT,
	O_CA_FILE,
	O_CA_PATH,
	O_CHAIN,
	O_CONCURRENCY,
	O_CONNECT_TIMEOUT,
	O_CRIT_DAYS,
	O_DKIM_SELECTOR,
	O_EHLO,
	O_FILE,
	O_GREETING_TIMEOUT,
	O_HELP,
	O_HOST,
	O_IPV4,
	O_IPV6,
	O_JSON,
	O_JSONL,
	O_KEY,
	O_LOG,
	O_LOG_SYNC,
	O_NAGIOS,
	O_NO_AUTOCONFIG,
	O_OFFLINE,
	O_NO_DANE,
	O_NO_DNS_RECORDS,
	O_NO_MTA_STS,
	O_PEM,
	O_PER_HOST,
	O_PER_IP_RATE,
	O_POLICY,
	O_PORT,
	O_PORTS,
	O_PROTOCOL,
	O_REPLY_TIMEOUT,
	O_RESOLVER,
	O_RESUME,
	O_RETRIES,
	O_REVOCATION,
	O_REVOCATION_DEPTH,
	O_SHARD,
	O_SHOW_CHAIN,
	O_STARTTLS,
	O_STARTTLS_TESTS,
	O_TLS_SCAN,
	O_TLS_PROFILE,
	O_TLS_PROFILES,
	O_SCAN_PAUSE,
	O_TIMEOUT,
	O_TLS,
	O_TLS_TIMEOUT,
	O_TRUST_ANCHOR,
	O_VERBOSE,
	O_WARN_DAYS,
	O_WORKERS,
	O_DNS_CONCURRENCY,
	O_ORDERED,
	O__COUNT
};

extern const struct opts_cmd check_cmd;
/* Store one value of check's table into a struct check_opts (for serve's shared rows). */
int check_opts_apply(void *ctx, const struct opt *, const union opt_value *, int given,
    char *err, size_t errlen);
/* Another command's table into out (nshared + nown + 1 rows, zeroed): check's rows whose
 * ids are in shared, then own, sorted by long name as opts_parse and the man page want.
 * Once: a built table is left as it is. */
void check_opts_compose(struct opt *out, const int *shared, size_t nshared,
    const struct opt *own, size_t nown);
/* A list of ports ("25,587,993") into ports (OPTS_PORTS_MAX of them): 0, or -1 with err. */
int check_ports_parse(const char *s, uint16_t *ports, size_t *n, char *err, size_t errlen);
/* Each phase's wait, and DNS's and HTTPS's, once every option is in (--timeout's rule). */
void check_opts_waits(struct check_opts *);
/* A run over many domains (a list, or more than one named): what --workers, the lean TLS
 * library context and the page hand-back are for. */
int check_opts_many(const struct check_opts *);

/* Parse argv (argv[0] is "check"). Returns 0, 1 when --help was printed, or -1 after
 * printing every error found. */
int check_opts_parse(int argc, char **argv, struct check_opts *);

#endif
