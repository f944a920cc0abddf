/*
 * opts.c - the check command's option table, parsed with getopt_long built from that table,
 * and the parsers for seconds, days, dates and HOST[:PORT]. Every error names the option and
 * the bad value; all of them are reported before giving up.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "conf/opts.h"
#include "model/result.h"
#include "proto/dialect.h"
#include "tls/tlsinfo.h"

/* Sorted by long name. */
/* clang-format off */
const struct opt check_opts_table[] = {
	{"address", 'a', OPT_VALUE, "IP", "connect to IP instead of resolving HOST; the certificate is still judged against HOST"},
	{"at", 0, OPT_VALUE, "DATE", "judge dates as of DATE (2027-01-15, 2027-01-15T10:00:00Z, +30d, @EPOCH): \"will it still verify then?\""},
	{"ca-file", 0, OPT_VALUE, "FILE", "trust the PEM certificates in FILE instead of the system store"},
	{"ca-path", 0, OPT_VALUE, "DIR", "trust the hashed certificate directory DIR (c_rehash) instead of the system store"},
	{"concurrency", 0, OPT_VALUE, "N", "connections in flight at once (default 100)"},
	{"crit-days", 'c', OPT_VALUE, "N", "critical when a certificate expires within N days (default 7)"},
	{"dkim-selector", 0, OPT_VALUE, "S", "also check the DKIM key at S._domainkey.DOMAIN (repeatable)"},
	{"ehlo", 0, OPT_VALUE, "NAME", "name to send in EHLO (default: this machine's host name)"},
	{"file", 'f', OPT_VALUE, "FILE", "read domains from FILE, one a line, # comments; - for standard input"},
	{"help", 'h', OPT_FLAG, NULL, "show this help"},
	{"host", 'H', OPT_VALUE, "HOST[:PORT]", "the mail server to check; [IPv6]:PORT for an address literal"},
	{"ipv4", '4', OPT_FLAG, NULL, "use IPv4 addresses only"},
	{"ipv6", '6', OPT_FLAG, NULL, "use IPv6 addresses only"},
	{"json", 'j', OPT_FLAG, NULL, "print the result as JSON (schema: docs/json.md)"},
	{"jsonl", 0, OPT_FLAG, NULL, "stream one JSON object per domain as each completes (for large scans)"},
	{"no-dane", 0, OPT_FLAG, NULL, "do not look up TLSA records (DANE, RFC 7672)"},
	{"no-dns-records", 0, OPT_FLAG, NULL, "do not look up SPF, DMARC and DKIM records"},
	{"no-mta-sts", 0, OPT_FLAG, NULL, "do not look up MTA-STS and TLS-RPT, nor fetch the policy"},
	{"pem", 0, OPT_FLAG, NULL, "print the chain as sent, in PEM, for openssl x509 (implies --show-chain)"},
	{"per-host", 0, OPT_VALUE, "N", "connections in flight to one address (default 4)"},
	{"port", 'p', OPT_VALUE, "PORT", "port (default 25, 143 or 110; with --tls 465, 993 or 995); 465, 993 and 995 are implicit TLS"},
	{"protocol", 'P', OPT_VALUE, "NAME", "smtp, imap or pop3 (default: by port: 143/993 imap, 110/995 pop3, else smtp)"},
	{"resolver", 0, OPT_VALUE, "IP[@PORT]", "ask this DNS resolver instead of /etc/resolv.conf (repeatable)"},
	{"show-chain", 0, OPT_FLAG, NULL, "print every certificate of the chain in the text report"},
	{"starttls", 0, OPT_FLAG, NULL, "upgrade with STARTTLS whatever the port"},
	{"timeout", 't', OPT_VALUE, "SECONDS", "bound every wait: connect, each reply, the handshake (default 10)"},
	{"tls", 0, OPT_FLAG, NULL, "start TLS at once (implicit TLS, RFC 8314) whatever the port"},
	{"trust-anchor", 0, OPT_VALUE, "FILE", "DNSSEC trust anchor (DS or DNSKEY lines) instead of the system root key; none: do not validate"},
	{"verbose", 'v', OPT_FLAG, NULL, "print the dialogue with each server on standard error (server text censored)"},
	{"warn-days", 'w', OPT_VALUE, "N", "warn when a certificate expires within N days (default 30)"},
	{NULL, 0, 0, NULL, NULL},
};
/* clang-format on */

void opts_usage_check(FILE *f)
{
	fputs(
	    "usage: mailtls check DOMAIN... [options]\n"
	    "       mailtls check -f FILE [options]\n"
	    "       mailtls check --host HOST[:PORT] [options]\n\n"
	    "For each DOMAIN, find its mail exchangers (MX, null MX, implicit MX), resolve every\n"
	    "address, and check each one. For one server, name it with --host. A check reads the\n"
	    "banner, sends EHLO, upgrades with STARTTLS (or starts TLS at once on 465), and "
	    "judges\n"
	    "the certificate chain: trust, host name, dates, key and signature strength, usage "
	    "and\n"
	    "chain order.\n\n"
	    "options:\n",
	    f);
	for (const struct opt *o = check_opts_table; o->lname; o++) {
		char left[48];

		if (o->sname)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->sname, o->lname,
			    o->metavar ? " " : "", o->metavar ? o->metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->lname,
			    o->metavar ? " " : "", o->metavar ? o->metavar : "");
		fprintf(f, "  %-26s %s\n", left, o->help);
	}
	fputs("\nexit status: 0 ok, 1 warning, 2 critical, 3 unknown (bad usage, internal error)\n"
	      "environment: NO_COLOR disables colour; colour is used only on a terminal\n\n"
	      "examples:\n"
	      "  mailtls check example.org\n"
	      "  mailtls check -f domains.txt --jsonl --concurrency 200 > results.jsonl\n"
	      "  mailtls check --host mx.example.org\n"
	      "  mailtls check --host mail.example.org:465\n"
	      "  mailtls check --host imap.example.org:993\n"
	      "  mailtls check --host mx.example.org --address 192.0.2.25 --at 2027-01-15\n"
	      "  mailtls check --host mx.example.org --json | jq .probes[0].findings\n",
	    f);
}

int opts_parse_count(const char *s, size_t *out, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 1 || v > 100000) {
		snprintf(err, errlen, "\"%s\" is not a number between 1 and 100000", s);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

/* IP[@PORT], as libunbound's forwarder syntax takes it. */
int opts_check_resolver(const char *s, char *err, size_t errlen)
{
	char ip[64];
	const char *at = strchr(s, '@');
	size_t l = at ? (size_t)(at - s) : strlen(s);
	uint16_t port;

	if (l == 0 || l >= sizeof(ip)) {
		snprintf(err, errlen, "\"%s\" is not IP[@PORT]", s);
		return -1;
	}
	memcpy(ip, s, l);
	ip[l] = '\0';
	if (!tlsinfo_is_ip(ip)) {
		snprintf(err, errlen, "\"%s\" is not an IP address (write IP[@PORT])", ip);
		return -1;
	}
	return at ? opts_parse_port(at + 1, &port, err, errlen) : 0;
}

int opts_parse_seconds(const char *s, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !isfinite(v) || v <= 0 || v > 86400) {
		snprintf(err, errlen, "\"%s\" is not a number of seconds between 0 and 86400", s);
		return -1;
	}
	*out = v;
	return 0;
}

int opts_parse_days(const char *s, long *out, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 0 || v > 36500) {
		snprintf(err, errlen, "\"%s\" is not a number of days between 0 and 36500", s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Dates are UTC. Accepted: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z], "YYYY-MM-DD HH:MM[:SS]",
 * +Nd / -Nd relative to now, @EPOCH. */
int opts_parse_date(const char *s, time_t now, time_t *out, char *err, size_t errlen)
{
	struct tm tm;
	const char *rest;
	char *end;

	if (s[0] == '+' || s[0] == '-') {
		long d;
		errno = 0;
		d = strtol(s + 1, &end, 10);
		if (!errno && end != s + 1 && (strcmp(end, "d") == 0 || *end == '\0') &&
		    d <= 36500) {
			*out = now + (s[0] == '-' ? -1 : 1) * (time_t)d * 86400;
			return 0;
		}
	} else if (s[0] == '@') {
		long long e;
		errno = 0;
		e = strtoll(s + 1, &end, 10);
		if (!errno && end != s + 1 && *end == '\0') {
			*out = (time_t)e;
			return 0;
		}
	} else {
		memset(&tm, 0, sizeof(tm));
		rest = strptime(s, "%Y-%m-%d", &tm);
		if (rest && (*rest == 'T' || *rest == ' ')) {
			const char *r2 = strptime(rest + 1, "%H:%M:%S", &tm);
			rest = r2 ? r2 : strptime(rest + 1, "%H:%M", &tm);
		}
		if (rest && *rest == 'Z')
			rest++;
		if (rest && *rest == '\0' && tm.tm_year >= 70 && tm.tm_year < 1100) {
			*out = timegm(&tm);
			return 0;
		}
	}
	snprintf(err, errlen,
	    "\"%s\" is not a date (use 2027-01-15, 2027-01-15T10:00:00Z, +30d or @EPOCH)", s);
	return -1;
}

int opts_parse_port(const char *s, uint16_t *port, char *err, size_t errlen)
{
	char *end;
	long p;

	errno = 0;
	p = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || p < 1 || p > 65535) {
		snprintf(err, errlen, "\"%s\" is not a port between 1 and 65535", s);
		return -1;
	}
	*port = (uint16_t)p;
	return 0;
}

int opts_parse_hostport(const char *s, char *host, size_t hostlen, uint16_t *port, char *err,
    size_t errlen)
{
	const char *h = s, *colon = NULL;
	size_t hl;

	*port = 0;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || (close[1] != '\0' && close[1] != ':')) {
			snprintf(err, errlen,
			    "\"%s\": an IPv6 literal is written [ADDR] or [ADDR]:PORT", s);
			return -1;
		}
		h = s + 1;
		hl = (size_t)(close - h);
		colon = close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) /* a bare IPv6 address */
			colon = NULL;
		hl = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (hl == 0 || hl >= hostlen || hl > 253) {
		snprintf(err, errlen, "\"%s\" has no usable host name", s);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	for (size_t i = 0; i < hl; i++) {
		unsigned char c = (unsigned char)host[i];
		if (!isalnum(c) && c != '-' && c != '.' && c != '_' && c != ':') {
			snprintf(err, errlen, "\"%s\" is not a host name", s);
			return -1;
		}
	}
	return colon ? opts_parse_port(colon + 1, port, err, errlen) : 0;
}

int opts_parse_check(int argc, char **argv, struct check_opts *o)
{
	struct option lopts[64];
	char shorts[128], err[256], name[40];
	size_t n = 0, sl = 0;
	int c, idx, errors = 0;
	time_t now = time(NULL);
	char *hostarg = NULL;

	memset(o, 0, sizeof(*o));
	o->mode = -1;
	o->concurrency = 100;
	o->per_host = 4;
	o->warn_days = 30;
	o->crit_days = 7;
	o->timeout = 10;
	o->at = now;
	for (const struct opt *t = check_opts_table; t->lname; t++, n++) {
		lopts[n].name = t->lname;
		lopts[n].has_arg = t->arg == OPT_VALUE ? required_argument : no_argument;
		lopts[n].flag = NULL;
		lopts[n].val = 256 + (int)n;
		if (t->sname) {
			shorts[sl++] = (char)t->sname;
			if (t->arg == OPT_VALUE)
				shorts[sl++] = ':';
		}
	}
	memset(&lopts[n], 0, sizeof(lopts[n]));
	shorts[sl] = '\0';

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lopts, &idx)) != -1) {
		const struct opt *t = NULL;

		if (c >= 256)
			t = &check_opts_table[c - 256];
		for (const struct opt *u = check_opts_table; !t && u->lname; u++)
			if (u->sname == c)
				t = u;
		if (t == NULL) {
			if (optopt && optopt < 256)
				fprintf(stderr,
				    "mailtls check: unknown option -%c, or it needs a value\n",
				    optopt);
			else
				fprintf(stderr,
				    "mailtls check: unknown option %s, or it needs a value\n",
				    argv[optind - 1]);
			errors++;
			continue;
		}
		snprintf(name, sizeof(name), "--%s", t->lname);
		err[0] = '\0';
		if (strcmp(t->lname, "help") == 0) {
			opts_usage_check(stdout);
			return 1;
		} else if (strcmp(t->lname, "host") == 0) {
			hostarg = optarg;
		} else if (strcmp(t->lname, "port") == 0) {
			opts_parse_port(optarg, &o->port, err, sizeof(err));
		} else if (strcmp(t->lname, "address") == 0) {
			if (!tlsinfo_is_ip(optarg))
				snprintf(err, sizeof(err), "\"%s\" is not an IPv4 or IPv6 address",
				    optarg);
			o->address = optarg;
		} else if (strcmp(t->lname, "starttls") == 0) {
			o->mode = TLS_MODE_STARTTLS;
		} else if (strcmp(t->lname, "tls") == 0) {
			o->mode = TLS_MODE_IMPLICIT;
		} else if (strcmp(t->lname, "ca-file") == 0) {
			o->ca_file = optarg;
		} else if (strcmp(t->lname, "ca-path") == 0) {
			o->ca_path = optarg;
		} else if (strcmp(t->lname, "at") == 0) {
			opts_parse_date(optarg, now, &o->at, err, sizeof(err));
			o->at_set = 1;
		} else if (strcmp(t->lname, "warn-days") == 0) {
			opts_parse_days(optarg, &o->warn_days, err, sizeof(err));
		} else if (strcmp(t->lname, "crit-days") == 0) {
			opts_parse_days(optarg, &o->crit_days, err, sizeof(err));
		} else if (strcmp(t->lname, "timeout") == 0) {
			opts_parse_seconds(optarg, &o->timeout, err, sizeof(err));
		} else if (strcmp(t->lname, "ipv4") == 0) {
			o->family = 4;
		} else if (strcmp(t->lname, "ipv6") == 0) {
			o->family = 6;
		} else if (strcmp(t->lname, "ehlo") == 0) {
			o->ehlo = optarg;
			for (const char *q = optarg; *q; q++)
				if (!isgraph((unsigned char)*q))
					snprintf(err, sizeof(err), "\"%s\" is not a single word",
					    optarg);
		} else if (strcmp(t->lname, "json") == 0) {
			o->json = 1;
		} else if (strcmp(t->lname, "jsonl") == 0) {
			o->jsonl = 1;
		} else if (strcmp(t->lname, "file") == 0) {
			o->file = optarg;
		} else if (strcmp(t->lname, "resolver") == 0) {
			if (o->nresolvers >= OPTS_RESOLVERS_MAX)
				snprintf(err, sizeof(err), "at most %d resolvers",
				    OPTS_RESOLVERS_MAX);
			else if (opts_check_resolver(optarg, err, sizeof(err)) == 0)
				o->resolvers[o->nresolvers++] = optarg;
		} else if (strcmp(t->lname, "dkim-selector") == 0) {
			if (o->ndkim >= OPTS_DKIM_MAX)
				snprintf(err, sizeof(err), "at most %d selectors", OPTS_DKIM_MAX);
			else if (strlen(optarg) > 63 ||
			    strspn(optarg,
			        "abcdefghijklmnopqrstuvwxyz"
			        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(optarg))
				snprintf(err, sizeof(err), "\"%s\" is not a selector (a DNS label)",
				    optarg);
			else
				o->dkim[o->ndkim++] = optarg;
		} else if (strcmp(t->lname, "protocol") == 0) {
			if (dialect_by_name(optarg) == NULL)
				snprintf(err, sizeof(err), "\"%s\" is not smtp, imap or pop3",
				    optarg);
			o->protocol = optarg;
		} else if (strcmp(t->lname, "no-dane") == 0) {
			o->no_dane = 1;
		} else if (strcmp(t->lname, "no-mta-sts") == 0) {
			o->no_mta_sts = 1;
		} else if (strcmp(t->lname, "no-dns-records") == 0) {
			o->no_dns_records = 1;
		} else if (strcmp(t->lname, "trust-anchor") == 0) {
			o->trust_anchor = optarg;
		} else if (strcmp(t->lname, "concurrency") == 0) {
			opts_parse_count(optarg, &o->concurrency, err, sizeof(err));
		} else if (strcmp(t->lname, "per-host") == 0) {
			opts_parse_count(optarg, &o->per_host, err, sizeof(err));
		} else if (strcmp(t->lname, "pem") == 0) {
			o->pem = o->show_chain = 1;
		} else if (strcmp(t->lname, "verbose") == 0) {
			o->verbose = 1;
		} else if (strcmp(t->lname, "show-chain") == 0) {
			o->show_chain = 1;
		}
		if (err[0]) {
			fprintf(stderr, "mailtls check: %s: %s\n", name, err);
			errors++;
		}
	}
	o->domains = argv + optind;
	o->ndomains = (size_t)(argc - optind);
	if (hostarg && (o->ndomains || o->file)) {
		fprintf(stderr,
		    "mailtls check: --host checks one server; give domains without it\n");
		errors++;
	}
	if (o->address && hostarg == NULL) {
		fprintf(stderr, "mailtls check: --address needs --host\n");
		errors++;
	}
	if (hostarg == NULL && o->ndomains == 0 && o->file == NULL) {
		fprintf(stderr, "mailtls check: name a DOMAIN, -f FILE, or --host HOST\n");
		errors++;
	}
	if (o->protocol && hostarg == NULL && strcasecmp(o->protocol, "smtp") != 0) {
		fprintf(stderr,
		    "mailtls check: domains are checked at their MX, over SMTP; "
		    "name an IMAP or POP3 server with --host\n");
		errors++;
	}
	if (o->json && o->jsonl) {
		fprintf(stderr, "mailtls check: --json and --jsonl exclude each other\n");
		errors++;
	}
	if (hostarg != NULL) {
		uint16_t hp = 0;
		if (opts_parse_hostport(hostarg, o->hostbuf, sizeof(o->hostbuf), &hp, err,
		        sizeof(err)) < 0) {
			fprintf(stderr, "mailtls check: --host: %s\n", err);
			errors++;
		} else {
			o->host = o->hostbuf;
			if (hp && o->port && hp != o->port) {
				fprintf(stderr,
				    "mailtls check: --host says port %u, --port says %u\n", hp,
				    o->port);
				errors++;
			}
			if (hp)
				o->port = hp;
		}
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
