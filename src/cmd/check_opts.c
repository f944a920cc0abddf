/*
 * check_opts.c - the check command's option table (parsed by conf/opts.c), where each value
 * goes, and the rules about combinations, each broken one reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/addr.h"
#include "cmd/check_opts.h"
#include "model/result.h"
#include "proto/dialect.h"

static const char *const protocols[] = {"smtp", "imap", "pop3", NULL};
static const char *const rev_modes[] = {"auto", "ocsp", "crl", "none", NULL};
static const char *const rev_depths[] = {"leaf", "chain", NULL};

/* Sorted by long name; a unit test keeps it so, and keeps docs/mailtls.1 in step. */
/* clang-format off */
static const struct opt check_table[] = {
	{O_ADDRESS, "address", 'a', OPT_IP, "IP", NULL, "connect to IP instead of resolving HOST; the certificate is still judged against HOST", NULL},
	{O_ALL_PORTS, "all-ports", 0, OPT_FLAG, NULL, NULL, "check every mail port: --ports 25,465,587,143,993,110,995 and --starttls-tests", NULL},
	{O_AT, "at", 0, OPT_DATE, "DATE", NULL, "judge dates as of DATE (2027-01-15, 2027-01-15T10:00:00Z, +30d, @EPOCH): \"will it still verify then?\"", NULL},
	{O_CA_FILE, "ca-file", 0, OPT_STRING, "FILE", NULL, "trust the PEM certificates in FILE instead of the system store", NULL},
	{O_CA_PATH, "ca-path", 0, OPT_STRING, "DIR", NULL, "trust the hashed certificate directory DIR (c_rehash) instead of the system store", NULL},
	{O_CHAIN, "chain", 0, OPT_STRING, "FILE", NULL, "judge the PEM chain in FILE (a fullchain.pem about to be deployed) for --host, with every check that needs no connection", NULL},
	{O_CONCURRENCY, "concurrency", 0, OPT_COUNT, "N", "100", "connections in flight at once", NULL},
	{O_CONNECT_TIMEOUT, "connect-timeout", 0, OPT_SECONDS, "SECONDS", "30", "wait for the TCP connection at most this long", NULL},
	{O_CRIT_DAYS, "crit-days", 'c', OPT_DAYS, "N", "7", "critical when a certificate expires within N days", NULL},
	{O_DKIM_SELECTOR, "dkim-selector", 0, OPT_LABEL, "S", NULL, "also check the DKIM key at S._domainkey.DOMAIN (repeatable)", NULL},
	{O_DNS_CONCURRENCY, "dns-concurrency", 0, OPT_COUNT, "N", NULL, "DNS queries in flight at most (default: --concurrency): fewer save libunbound's ~29 KiB a query on a fast network; at internet latency the queries are what a scan waits for", NULL},
	{O_EHLO, "ehlo", 0, OPT_WORD, "NAME", NULL, "name to send in EHLO (default: this machine's host name)", NULL},
	{O_FILE, "file", 'f', OPT_STRING, "FILE", NULL, "read domains from FILE, one a line, # comments; - for standard input", NULL},
	{O_GREETING_TIMEOUT, "greeting-timeout", 0, OPT_SECONDS, "SECONDS", "300", "wait for the greeting at most this long (RFC 5321 4.5.3.2.1: 5 minutes)", NULL},
	{O_HELP, "help", 'h', OPT_FLAG, NULL, NULL, "show this help", NULL},
	{O_HOST, "host", 'H', OPT_HOSTPORT, "HOST[:PORT]", NULL, "the mail server to check; [IPv6]:PORT for an address literal", NULL},
	{O_IPV4, "ipv4", '4', OPT_FLAG, NULL, NULL, "use IPv4 addresses only", NULL},
	{O_IPV6, "ipv6", '6', OPT_FLAG, NULL, NULL, "use IPv6 addresses only", NULL},
	{O_JSON, "json", 'j', OPT_FLAG, NULL, NULL, "print the result as JSON (schema: docs/json.md)", NULL},
	{O_JSONL, "jsonl", 0, OPT_FLAG, NULL, NULL, "stream one JSON object per domain as each completes (for large scans)", NULL},
	{O_KEY, "key", 0, OPT_STRING, "FILE", NULL, "with --chain: the private key that goes with it must belong to its certificate", NULL},
	{O_LOG, "log", 0, OPT_STRING, "FILE", NULL, "append one JSON line per probe to FILE, the audit log (mailtls log reads it)", NULL},
	{O_LOG_SYNC, "log-sync", 0, OPT_FLAG, NULL, NULL, "write each audit log line to disk before the next (fsync)", NULL},
	{O_NAGIOS, "nagios", 0, OPT_FLAG, NULL, NULL, "print the monitoring-plugins output (Nagios, Icinga): a status line, perfdata, one line per probe", NULL},
	{O_NO_AUTOCONFIG, "no-autoconfig", 0, OPT_FLAG, NULL, NULL, "with --ports, do not fetch the domain's mail client autoconfig file (https://autoconfig.DOMAIN/mail/config-v1.1.xml)", NULL},
	{O_NO_DANE, "no-dane", 0, OPT_FLAG, NULL, NULL, "do not look up TLSA records (DANE, RFC 7672)", NULL},
	{O_NO_DNS_RECORDS, "no-dns-records", 0, OPT_FLAG, NULL, NULL, "do not look up SPF, DMARC and DKIM records", NULL},
	{O_NO_MTA_STS, "no-mta-sts", 0, OPT_FLAG, NULL, NULL, "do not look up MTA-STS and TLS-RPT, nor fetch the policy", NULL},
	{O_OFFLINE, "offline", 0, OPT_FLAG, NULL, NULL, "fetch nothing over HTTP: no OCSP responder, CRL or autoconfig file (what the server stapled is still judged)", NULL},
	{O_ORDERED, "ordered", 0, OPT_FLAG, NULL, NULL, "with --jsonl: print the lines in input order (a domain that finishes early waits for those before it; they count against --concurrency)", NULL},
	{O_PEM, "pem", 0, OPT_FLAG, NULL, NULL, "print the chain as sent, in PEM, for openssl x509 (implies --show-chain)", NULL},
	{O_PER_HOST, "per-host", 0, OPT_COUNT, "N", "4", "connections in flight to one address", NULL},
	{O_PER_IP_RATE, "per-ip-rate", 0, OPT_STRING, "N/min", NULL, "at most N connections a minute to one address, spaced evenly (on top of --per-host)", NULL},
	{O_POLICY, "policy", 0, OPT_STRING, "FILE", NULL, "judge also by the organisation's policy in FILE (YAML; mailtls policy check FILE)", NULL},
	{O_PORT, "port", 'p', OPT_PORT, "PORT", NULL, "port (default 25, 143 or 110; with --tls 465, 993 or 995); 465, 993 and 995 are implicit TLS", NULL},
	{O_PORTS, "ports", 0, OPT_STRING, "LIST", NULL, "check these ports, comma-separated: 25 at the MX, 465/587 (submission), 143/993 (IMAP), 110/995 (POP3) at the hosts of the domain's RFC 6186 SRV records; with --host, any ports of that host", NULL},
	{O_PROTOCOL, "protocol", 'P', OPT_CHOICE, "NAME", NULL, "smtp, imap or pop3 (default: by port: 143/993 imap, 110/995 pop3, else smtp)", protocols},
	{O_REPLY_TIMEOUT, "reply-timeout", 0, OPT_SECONDS, "SECONDS", "300", "wait for each reply (EHLO, STARTTLS, QUIT) at most this long", NULL},
	{O_RESOLVER, "resolver", 0, OPT_RESOLVER, "IP[@PORT]", NULL, "ask this DNS resolver instead of /etc/resolv.conf (repeatable)", NULL},
	{O_RESUME, "resume", 0, OPT_STRING, "FILE", NULL, "write the --jsonl lines to FILE and, when it holds some, go on where that run stopped: no domain twice, none lost", NULL},
	{O_RETRIES, "retries", 0, OPT_STRING, "N", "2", "a server that refuses for now (421, 450, a reset in the greeting) is tried N more times, 1 s, 2 s, 4 s ... apart, then inconclusive (0 to 10)", NULL},
	{O_REVOCATION, "revocation", 0, OPT_CHOICE, "HOW", "auto", "auto (the staple, else OCSP, else the CRL), ocsp, crl or none", rev_modes},
	{O_REVOCATION_DEPTH, "revocation-depth", 0, OPT_CHOICE, "WHICH", "leaf", "leaf, or chain: the intermediates too", rev_depths},
	{O_SCAN_PAUSE, "scan-pause", 0, OPT_SECONDS, "SECONDS", NULL, "with --tls-scan: wait this long between two connections to one server, to stay below its rate limits", NULL},
	{O_SHARD, "shard", 0, OPT_STRING, "K/N", NULL, "check only this machine's part: the domains whose stable hash is K modulo N (K from 0); N alone takes K from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID", NULL},
	{O_SHOW_CHAIN, "show-chain", 0, OPT_FLAG, NULL, NULL, "print every certificate of the chain in the text report", NULL},
	{O_STARTTLS, "starttls", 0, OPT_FLAG, NULL, NULL, "upgrade with STARTTLS whatever the port", NULL},
	{O_STARTTLS_TESTS, "starttls-tests", 0, OPT_FLAG, NULL, NULL, "also test for STARTTLS command injection (CVE-2011-0411): a command sent with STARTTLS must not be answered over TLS (adds up to 1 s per server)", NULL},
	{O_TIMEOUT, "timeout", 't', OPT_SECONDS, "SECONDS", NULL, "bound every wait at once: connect, greeting, each reply, the handshake, each DNS query and the MTA-STS fetch (default: each its own; DNS and the fetch 10)", NULL},
	{O_TLS, "tls", 0, OPT_FLAG, NULL, NULL, "start TLS at once (implicit TLS, RFC 8314) whatever the port", NULL},
	{O_TLS_PROFILE, "tls-profile", 0, OPT_STRING, "NAME", NULL, "grade the TLS map against a profile (implies --tls-scan): ncsc (the Dutch NCSC's guidelines as internet.nl applies them), mozilla-intermediate, mozilla-modern; data/tls-profiles.yml says what each grades", NULL},
	{O_TLS_PROFILES, "tls-profiles", 0, OPT_STRING, "FILE", NULL, "read the profiles --tls-profile names from FILE (YAML, the shape of data/tls-profiles.yml) instead of the built-in ones", NULL},
	{O_TLS_SCAN, "tls-scan", 0, OPT_FLAG, NULL, NULL, "map what each server negotiates: TLS versions, cipher suites and their order, groups, and each certificate it holds (ECDSA, RSA, without SNI), with crafted hellos one connection at a time (about n + 1 connections for n suites)", NULL},
	{O_TLS_TIMEOUT, "tls-timeout", 0, OPT_SECONDS, "SECONDS", "300", "wait for the TLS handshake at most this long", NULL},
	{O_TRUST_ANCHOR, "trust-anchor", 0, OPT_STRING, "FILE", NULL, "DNSSEC trust anchor (DS or DNSKEY lines) instead of the system root key; none: do not validate", NULL},
	{O_VERBOSE, "verbose", 'v', OPT_FLAG, NULL, NULL, "print the dialogue with each server on standard error (server text censored)", NULL},
	{O_WARN_DAYS, "warn-days", 'w', OPT_DAYS, "N", "30", "warn when a certificate expires within N days", NULL},
	{O_WORKERS, "workers", 0, OPT_COUNT, "N", NULL, "with many domains: run connections, TLS and verification on N threads (default: the CPUs this process may use); scheduling, the per-host and rate limits, sharing and output stay on one, so each server is still probed once; from 6 threads on, each also resolves", NULL},
	{0, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
/* clang-format on */

/* "25,587, 993": each a port, none twice, at most OPTS_PORTS_MAX. */
int check_ports_parse(const char *s, uint16_t *ports, size_t *n, char *err, size_t errlen)
{
	char buf[256], *save = NULL;

	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "\"%.40s...\" is too long for a list of ports", s);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	*n = 0;
	for (char *w = strtok_r(buf, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
		uint16_t p;

		if (opts_parse_port(w, &p, err, errlen) != 0)
			return -1;
		for (size_t i = 0; i < *n; i++)
			if (ports[i] == p) {
				snprintf(err, errlen, "port %u is named twice", p);
				return -1;
			}
		if (*n == OPTS_PORTS_MAX) {
			snprintf(err, errlen, "at most %d ports", OPTS_PORTS_MAX);
			return -1;
		}
		ports[(*n)++] = p;
	}
	if (*n == 0) {
		snprintf(err, errlen, "\"%s\" names no port", s);
		return -1;
	}
	return 0;
}

/*
 * A shard number: decimal digits only, ending at stop (or at the end of s), at most
 * 1000000. strtoul alone would take a sign or blanks: "-1" would be 2^64 - 1.
 */
static int shard_number(const char *s, int stop, unsigned long *v)
{
	size_t len = strspn(s, "0123456789");

	if (len == 0 || len > 7 || s[len] != stop)
		return -1;
	*v = strtoul(s, NULL, 10);
	return *v <= 1000000 ? 0 : -1;
}

/* "K/N", or "N" with K from the environment of a Kubernetes Indexed Job or a Slurm array. */
static int shard_parse(const char *s, unsigned long *k, unsigned long *n, char *err, size_t errlen)
{
	const char *envs[] = {"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"}, *ks = NULL;
	const char *slash = strchr(s, '/');

	if (shard_number(slash ? slash + 1 : s, '\0', n) != 0 || *n < 1) {
		snprintf(err, errlen, "\"%s\" is not K/N or N with N between 1 and 1000000", s);
		return -1;
	}
	if (slash) {
		if (shard_number(s, '/', k) != 0) {
			snprintf(err, errlen, "\"%s\": K is not a number from 0", s);
			return -1;
		}
	} else {
		for (size_t i = 0; i < 2 && ks == NULL; i++)
			if ((ks = getenv(envs[i])) != NULL && *ks == '\0')
				ks = NULL;
		if (ks == NULL) {
			snprintf(err, errlen, "%s: neither JOB_COMPLETION_INDEX (a Kubernetes Indexed "
			                      "Job) nor SLURM_ARRAY_TASK_ID (a Slurm array) is set: say "
			                      "which shard with K/%s",
			    s, s);
			return -1;
		}
		if (shard_number(ks, '\0', k) != 0) {
			snprintf(err, errlen,
			    "the shard index \"%.40s\" from the environment is not a number from 0",
			    ks);
			return -1;
		}
	}
	if (*k >= *n) {
		snprintf(err, errlen, "shard %lu of %lu: K counts from 0, so it is less than N", *k, *n);
		return -1;
	}
	return 0;
}

int check_opts_apply(void *ctx, const struct opt *t, const union opt_value *v, int given, char *err,
    size_t errlen)
{
	struct check_opts *o = ctx;

	if (given && (size_t)t->id < sizeof(o->given))
		o->given[t->id] = 1;
	switch (t->id) {
	case O_ADDRESS:
		o->address = v->s;
		break;
	case O_ALL_PORTS:
		o->nports = 0;
		for (size_t i = 0; mail_service_at(i); i++)
			o->ports[o->nports++] = mail_service_at(i)->port;
		o->starttls_tests = 1;
		break;
	case O_PORTS:
		return check_ports_parse(v->s, o->ports, &o->nports, err, errlen);
	case O_STARTTLS_TESTS:
		o->starttls_tests = 1;
		break;
	case O_TLS_SCAN:
		o->tls_scan = 1;
		break;
	case O_TLS_PROFILE:
		o->tls_profile = v->s;
		o->tls_scan = 1;
		break;
	case O_TLS_PROFILES:
		o->tls_profiles = v->s;
		break;
	case O_SCAN_PAUSE:
		o->scan_pause = v->seconds;
		break;
	case O_AT:
		o->at = v->date;
		o->at_set = 1;
		break;
	case O_CA_FILE:
		o->ca_file = v->s;
		break;
	case O_CA_PATH:
		o->ca_path = v->s;
		break;
	case O_CHAIN:
		o->chain = v->s;
		break;
	case O_KEY:
		o->key = v->s;
		break;
	case O_CONCURRENCY:
		o->concurrency = v->count;
		break;
	case O_WORKERS:
		o->workers = v->count;
		break;
	case O_DNS_CONCURRENCY:
		o->dns_concurrency = v->count;
		break;
	case O_ORDERED:
		o->ordered = 1;
		break;
	case O_CONNECT_TIMEOUT:
		o->lim.connect_s = v->seconds;
		break;
	case O_CRIT_DAYS:
		o->crit_days = v->days;
		break;
	case O_DKIM_SELECTOR:
		if (o->ndkim >= OPTS_DKIM_MAX) {
			snprintf(err, errlen, "at most %d selectors", OPTS_DKIM_MAX);
			return -1;
		}
		o->dkim[o->ndkim++] = v->s;
		break;
	case O_EHLO:
		o->ehlo = v->s;
		break;
	case O_FILE:
		o->file = v->s;
		break;
	case O_GREETING_TIMEOUT:
		o->lim.greeting_s = v->seconds;
		break;
	case O_HOST:
		snprintf(o->hostbuf, sizeof(o->hostbuf), "%s", v->hostport.host);
		o->host = o->hostbuf;
		if (v->hostport.port) {
			if (o->port && o->port != v->hostport.port) {
				snprintf(err, errlen, "says port %u, --port says %u",
				    v->hostport.port, o->port);
				return -1;
			}
			o->port = v->hostport.port;
		}
		break;
	case O_IPV4:
		o->family = 4;
		break;
	case O_IPV6:
		o->family = 6;
		break;
	case O_JSON:
		o->json = 1;
		break;
	case O_JSONL:
		o->jsonl = 1;
		break;
	case O_NAGIOS:
		o->nagios = 1;
		break;
	case O_LOG:
		o->log = v->s;
		break;
	case O_POLICY:
		o->policy = v->s;
		break;
	case O_LOG_SYNC:
		o->log_sync = 1;
		break;
	case O_NO_AUTOCONFIG:
		o->no_autoconfig = 1;
		break;
	case O_NO_DANE:
		o->no_dane = 1;
		break;
	case O_NO_DNS_RECORDS:
		o->no_dns_records = 1;
		break;
	case O_NO_MTA_STS:
		o->no_mta_sts = 1;
		break;
	case O_PEM:
		o->pem = o->show_chain = 1;
		break;
	case O_OFFLINE:
		o->offline = 1;
		break;
	case O_REVOCATION:
		o->revocation = v->s;
		break;
	case O_RESUME:
		o->resume = v->s;
		break;
	case O_SHARD:
		return shard_parse(v->s, &o->shard_k, &o->shard_n, err, errlen);
	case O_RETRIES: {
		char *end;
		long n = strtol(v->s, &end, 10);

		if (end == v->s || *end != '\0' || n < 0 || n > 10) {
			snprintf(err, errlen, "\"%s\" is not a number between 0 and 10", v->s);
			return -1;
		}
		o->retries = (int)n;
		break;
	}
	case O_REVOCATION_DEPTH:
		o->revocation_chain = strcmp(v->s, "chain") == 0;
		break;
	case O_PER_HOST:
		o->per_host = v->count;
		break;
	case O_PER_IP_RATE: {
		char *end;
		double r = strtod(v->s, &end);

		if (end == v->s || !(r > 0) || r > 1e6 || (*end && strcmp(end, "/min") != 0)) {
			snprintf(err, errlen, "\"%s\" is not a number of connections a minute (6/min, "
			                      "0.5/min, ...)",
			    v->s);
			return -1;
		}
		o->per_ip_rate = r;
		break;
	}
	case O_PORT:
		if (o->port && o->port != v->port) {
			snprintf(err, errlen, "%u, but --host says port %u", v->port, o->port);
			return -1;
		}
		o->port = v->port;
		break;
	case O_PROTOCOL:
		o->protocol = v->s;
		break;
	case O_REPLY_TIMEOUT:
		o->lim.reply_s = v->seconds;
		break;
	case O_RESOLVER:
		if (o->nresolvers >= OPTS_RESOLVERS_MAX) {
			snprintf(err, errlen, "at most %d resolvers", OPTS_RESOLVERS_MAX);
			return -1;
		}
		o->resolvers[o->nresolvers++] = v->s;
		break;
	case O_SHOW_CHAIN:
		o->show_chain = 1;
		break;
	case O_STARTTLS:
		o->mode = TLS_MODE_STARTTLS;
		break;
	case O_TIMEOUT:
		o->timeout = v->seconds;
		break;
	case O_TLS:
		o->mode = TLS_MODE_IMPLICIT;
		break;
	case O_TLS_TIMEOUT:
		o->lim.handshake_s = v->seconds;
		break;
	case O_TRUST_ANCHOR:
		o->trust_anchor = v->s;
		break;
	case O_VERBOSE:
		o->verbose = 1;
		break;
	case O_WARN_DAYS:
		o->warn_days = v->days;
		break;
	}
	return 0;
}

/* clang-format off */
const struct opts_cmd check_cmd = {
	"check", check_table,
	"usage: mailtls check DOMAIN... [options]\n"
	"       mailtls check -f FILE [options]\n"
	"       mailtls check --host HOST[:PORT] [options]\n\n"
	"For each DOMAIN, find its mail exchangers (MX, null MX, implicit MX), resolve every\n"
	"address, and check each one. For one server, name it with --host. A check reads the\n"
	"banner, sends EHLO, upgrades with STARTTLS (or starts TLS at once on 465), and judges\n"
	"the certificate chain: trust, host name, dates, key and signature strength, usage and\n"
	"chain order; for a domain also DANE, MTA-STS, TLS-RPT, SPF, DMARC and DKIM. With\n"
	"--ports or --all-ports also the domain's submission, IMAP and POP3 servers (RFC 6186\n"
	"SRV records), each judged as its clients see it: logins offered before TLS, 530 owed\n"
	"on 587, PREAUTH, and with --starttls-tests the STARTTLS command injection.\n",
	"\nexit status: 0 ok, 1 warning, 2 critical, 3 unknown (bad usage, internal error)\n"
	"environment: NO_COLOR disables colour; colour is used only on a terminal\n\n"
	"examples:\n"
	"  mailtls check example.org\n"
	"  mailtls check -f domains.txt --jsonl --concurrency 200 --timeout 10 > results.jsonl\n"
	"  mailtls check --host mx.example.org\n"
	"  mailtls check --host mail.example.org:465\n"
	"  mailtls check --host imap.example.org:993\n"
	"  mailtls check --all-ports example.org      (MX, submission, IMAP, POP3 by SRV)\n"
	"  mailtls check --host mail.example.org --ports 587,465,993,995 --starttls-tests\n"
	"  mailtls check --host mx.example.org --address 192.0.2.25 --at 2027-01-15\n"
	"  mailtls check --host mx.example.org --json | jq .probes[0].findings\n",
	check_opts_apply,
};
/* clang-format on */

static int opt_by_name(const void *a, const void *b)
{
	return strcmp(((const struct opt *)a)->lname, ((const struct opt *)b)->lname);
}

void check_opts_compose(struct opt *out, const int *shared, size_t nshared,
    const struct opt *own, size_t nown)
{
	size_t n = 0;

	if (out[0].lname)
		return; /* built already */
	for (size_t i = 0; i < nshared; i++)
		for (const struct opt *t = check_table; t->lname; t++)
			if (t->id == shared[i])
				out[n++] = *t;
	for (size_t i = 0; i < nown; i++)
		out[n++] = own[i];
	qsort(out, n, sizeof(out[0]), opt_by_name);
}

int check_opts_many(const struct check_opts *o)
{
	return o->host == NULL && (o->file || o->ndomains > 1);
}

/* A phase keeps its own bound when given; else --timeout, when given, bounds it too. */
void check_opts_waits(struct check_opts *o)
{
	static const struct {
		int id;
		size_t off;
	} phases[] = {
	    {O_CONNECT_TIMEOUT, offsetof(struct limits, connect_s)},
	    {O_GREETING_TIMEOUT, offsetof(struct limits, greeting_s)},
	    {O_REPLY_TIMEOUT, offsetof(struct limits, reply_s)},
	    {O_TLS_TIMEOUT, offsetof(struct limits, handshake_s)},
	};

	o->dns_timeout = o->timeout ? o->timeout : DNS_TIMEOUT_S;
	o->https_timeout = o->timeout ? o->timeout : HTTPS_TIMEOUT_S;
	if (!o->timeout)
		return;
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++)
		if (!o->given[phases[i].id])
			*(double *)((char *)&o->lim + phases[i].off) = o->timeout;
}

int check_opts_parse(int argc, char **argv, struct check_opts *o)
{
	const struct limits lim = LIMITS_DEFAULT;
	int first, errors = 0;

	memset(o, 0, sizeof(*o));
	o->mode = -1;
	o->lim = lim;
	o->at = time(NULL);
	first = opts_parse(&check_cmd, argc, argv, o);
	if (first == 0)
		return 1;
	if (first < 0)
		return -1;
	o->domains = argv + first;
	o->ndomains = (size_t)(argc - first);
	check_opts_waits(o);
	if (o->host && (o->ndomains || o->file)) {
		fprintf(stderr,
		    "mailtls check: --host checks one server; give domains without it\n");
		errors++;
	}
	if (o->chain && (o->host == NULL || o->address || o->nports)) {
		fprintf(stderr, "mailtls check: --chain FILE is judged for one name: give --host NAME "
		                "(the name the server will answer to), without --address or --ports\n");
		errors++;
	}
	if (o->resume && (!o->jsonl || o->host)) {
		fprintf(stderr, "mailtls check: --resume FILE continues a --jsonl run over domains; "
		                "add --jsonl (its lines go to FILE)\n");
		errors++;
	}
	if (o->shard_n && o->host) {
		fprintf(stderr, "mailtls check: --shard splits a list of domains; --host is one server\n");
		errors++;
	}
	if (o->ordered && !o->jsonl) {
		fprintf(stderr, "mailtls check: --ordered orders the lines of --jsonl; the other views "
		                "are printed in input order already\n");
		errors++;
	}
	if (o->workers > 256) {
		fprintf(stderr, "mailtls check: --workers %zu: at most 256 threads\n", o->workers);
		errors++;
	}
	if (o->scan_pause > 0 && !o->tls_scan) {
		fprintf(stderr, "mailtls check: --scan-pause spaces the connections of --tls-scan; "
		                "add --tls-scan\n");
		errors++;
	}
	if (o->tls_profiles && !o->tls_profile) {
		fprintf(stderr, "mailtls check: --tls-profiles FILE holds the profiles --tls-profile "
		                "NAME picks from; add --tls-profile\n");
		errors++;
	}
	if (o->tls_scan && o->chain) {
		fprintf(stderr, "mailtls check: --tls-scan maps a server it connects to; --chain "
		                "judges a file without connecting\n");
		errors++;
	}
	if (o->key && o->chain == NULL) {
		fprintf(stderr, "mailtls check: --key FILE goes with --chain FILE\n");
		errors++;
	}
	if (o->address && o->host == NULL) {
		fprintf(stderr, "mailtls check: --address needs --host\n");
		errors++;
	}
	if (o->host == NULL && o->ndomains == 0 && o->file == NULL) {
		fprintf(stderr, "mailtls check: name a DOMAIN, -f FILE, or --host HOST\n");
		errors++;
	}
	if (o->protocol && o->host == NULL && strcasecmp(o->protocol, "smtp") != 0) {
		fprintf(stderr,
		    "mailtls check: domains are checked at their MX, over SMTP; "
		    "name an IMAP or POP3 server with --host\n");
		errors++;
	}
	if (o->nports && (o->port || o->protocol || o->mode >= 0)) {
		fprintf(stderr, "mailtls check: --ports (or --all-ports) says which ports and how "
		                "each is spoken to; drop --port (or HOST:PORT), --protocol, --tls "
		                "and --starttls, or --ports\n");
		errors++;
	}
	for (size_t i = 0; o->host == NULL && i < o->nports; i++)
		if (mail_service_by_port(o->ports[i]) == NULL) {
			fprintf(stderr,
			    "mailtls check: --ports: a domain's hosts can be found for the ports "
			    "25 (MX), 465, 587, 143, 993, 110 and 995 (SRV), not for %u; check that "
			    "port of one server with --host HOST --ports %u\n",
			    o->ports[i], o->ports[i]);
			errors++;
		}
	if (o->json + o->jsonl + o->nagios > 1) {
		fprintf(stderr, "mailtls check: --json, --jsonl and --nagios exclude each other\n");
		errors++;
	}
	if (o->log_sync && o->log == NULL) {
		fprintf(stderr, "mailtls check: --log-sync needs --log FILE\n");
		errors++;
	}
	if (o->crit_days > o->warn_days) {
		fprintf(stderr,
		    "mailtls check: --crit-days (%ld) is larger than --warn-days (%ld)\n",
		    o->crit_days, o->warn_days);
		errors++;
	}
	if (o->address && o->family) {
		int v6 = strchr(o->address, ':') != NULL;
		if ((o->family == 4 && v6) || (o->family == 6 && !v6)) {
			fprintf(stderr, "mailtls check: --address %s contradicts -%d\n", o->address,
			    o->family);
			errors++;
		}
	}
	if (errors) {
		fprintf(stderr, "Try 'mailtls check --help'.\n");
		return -1;
	}
	return 0;
}
