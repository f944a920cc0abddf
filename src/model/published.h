/*
 * published.h - what a domain publishes beside its MX, as it was found: the TXT record sets
 * looked up, the MTA-STS fetch and policy, TLS-RPT, SPF, DMARC and DKIM as parsed. Facts
 * only: mailpolicy/ parses and judges, views read.
 */
#ifndef MAILTLS_PUBLISHED_H
#define MAILTLS_PUBLISHED_H

#include <stddef.h>

#include "conf/limits.h"
#include "model/result.h"

/* Parsed records (mailpolicy/records.h says what each parser accepts). */
struct sts_txt {
	char id[33];
};
enum sts_mode { STS_MODE_NONE, STS_MODE_TESTING, STS_MODE_ENFORCE };
struct sts_policy {
	enum sts_mode mode;
	long max_age;
	char mx[STS_MX_MAX][STS_MX_NAME_MAX + 1];
	size_t nmx;
};
struct tlsrpt {
	char rua[TLSRPT_RUA_MAX + 1]; /* the whole URIs that fit */
	int rua_left_out;             /* URIs of rua= that did not fit, after those kept */
};
struct spf {
	char all_qualifier;
	char redirect[SPF_REDIRECT_MAX + 1]; /* longer is refused */
	int lookups; /* DNS-querying terms: include a mx ptr exists redirect (limit 10, 4.6.4) */
};
struct dmarc {
	char p[16];
	char sp[16];
	int pct;                     /* 100 when absent */
	char rua[DMARC_RUA_MAX + 1]; /* the whole URIs that fit */
	int rua_left_out;            /* URIs of rua= that did not fit, after those kept */
};
struct dkim {
	char k[16];
	int key_bits;
	int revoked;
};

/* The TXT records of one name that are of one kind (e.g. start with "v=STSv1"). */
struct txt_set {
	int looked_up;
	int failed; /* the lookup failed: SERVFAIL, timeout, bogus */
	char why[300];
	struct strlist recs;
	size_t dropped; /* TXT records of the name beyond what is read (DNS_TRUNCATED) */
};

struct dkim_sel {
	char *selector;
	struct txt_set txt;
	int ok;
	struct dkim key;
};

struct domain_policy {
	struct txt_set sts_txt, tlsrpt_txt, spf_txt, dmarc_txt;
	struct dkim_sel *dkim;
	size_t ndkim;

	/* MTA-STS: the TXT id, the fetch, the parsed policy */
	int sts_txt_ok;
	struct sts_txt sts_id;
	int sts_fetched;   /* a fetch was attempted */
	char sts_addr[46]; /* where mta-sts.<domain> resolved */
	long sts_http_status;
	char sts_content_type[128];
	char *sts_fetch_error; /* why no usable body was fetched */
	char *sts_body;
	size_t sts_body_len;
	int sts_policy_ok;
	struct sts_policy *sts_policy;

	int tlsrpt_ok;
	struct tlsrpt tlsrpt;
	int spf_ok;
	struct spf spf;
	int dmarc_ok;
	struct dmarc dmarc;
};

/* The Thunderbird autoconfig file (mailpolicy/autoconfig.h says what is accepted). */
enum ac_proto { AC_SMTP, AC_IMAP, AC_POP3 };
enum ac_socket { AC_SOCKET_PLAIN, AC_SOCKET_STARTTLS, AC_SOCKET_SSL }; /* plain, STARTTLS, SSL */

struct ac_server {
	enum ac_proto proto; /* incomingServer type="imap"/"pop3", outgoingServer type="smtp" */
	char host[256];      /* lower case, no trailing dot, %EMAILDOMAIN% substituted: a DNS name
	                      * (253 bytes at most, RFC 1035 2.3.4) or an IPv4/IPv6 literal */
	unsigned port;       /* 1..65535 */
	enum ac_socket socket;
	char auth[AC_AUTH_MAX + 1]; /* the first <authentication>, as written ("password-cleartext",
	                             * "OAuth2", ...); "" when there is none */
	unsigned line; /* where its <incomingServer>/<outgoingServer> starts, for messages */
};

struct ac_config {
	struct ac_server *servers; /* in document order; NULL when n is 0 */
	size_t n;
	size_t dropped; /* good servers past AC_SERVERS_MAX: counted, not kept */
	size_t skipped; /* servers of a type this checker does not probe (exchange, jmap, ...) */
	size_t invalid; /* imap/pop3/smtp servers with a fault (a bad hostname, port, socketType,
	                 * ...), or a server element outside <emailProvider>; not kept */
	char why[160];  /* -1: why the file was refused. 0: "" when invalid is 0, else the first
	                 * invalid server's fault, "server N (line L): ...". Input in it is censored
	                 * and at most QUOTE_MAX bytes. */
};

/* What the autoconfig fetch of a domain found (check --ports): where, and what it said. */
struct autoconfig_found {
	char url[320];
	char addr[46];    /* where autoconfig.DOMAIN resolved; "" when it did not */
	long http_status; /* 0 when no answer came */
	char *error;      /* why no file was read or it was refused; NULL when it was read */
	int parsed;       /* the file parsed (cfg holds its servers) */
	struct ac_config cfg;
};

void autoconfig_found_free(struct autoconfig_found *);

void policy_free(struct domain_policy *);

#endif
