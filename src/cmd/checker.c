/*
 * checker.c - see checker.h.
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/addr.h"
#include "base/util.h"
#include "cmd/checker.h"
#include "conf/limits.h"
#include "net/workers.h"
#include "proto/dialect.h"
#include "tls/tlsinfo.h"

int checker_init(struct checker *k, struct check_opts *o, struct event_base *base, int need_dns,
    int domains, const char *cmd)
{
	struct tls_config tc = {.ca_file = o->ca_file, .ca_path = o->ca_path,
	    .many = check_opts_many(o)};
	const struct dialect *d = &dialect_smtp;
	struct dns_config dc = {0};
	char err[300];

	struct org_policy org = k->org; /* loaded before, by checker_policy */
	struct workers *ws = k->ec.workers; /* set before, by a bulk check */

	memset(k, 0, sizeof(*k));
	k->org = org;
	k->ec.workers = ws;
	if (org.nrules || org.path)
		k->ec.org_policy = &k->org;
	if (o->protocol)
		d = dialect_by_name(o->protocol);
	else if (o->host && o->port)
		d = dialect_by_port(o->port);
	if (o->port == 0)
		o->port = o->mode == TLS_MODE_IMPLICIT ? d->port_implicit[0] : d->port_starttls[0];
	k->ctx = tlsinfo_ctx_new(&tc, err, sizeof(err));
	if (k->ctx == NULL) {
		fprintf(stderr, "mailtls %s: %s\n", cmd, err);
		return -1;
	}
	dc.resolvers = o->nresolvers ? o->resolvers : NULL;
	dc.no_dnssec = o->trust_anchor && strcmp(o->trust_anchor, "none") == 0;
	dc.trust_anchor = dc.no_dnssec ? NULL : o->trust_anchor;
	dc.timeout_s = o->dns_timeout;
	/* As many queries as connections: on loopback half would do, but at 100 ms a round
	 * trip the connections wait for their names (bench/latency.sh, 100,000 domains at
	 * --concurrency 200: 1,544 domains/s, against 834 with half). */
	dc.max_inflight = o->dns_concurrency ? o->dns_concurrency
	                  : o->concurrency > 32 ? o->concurrency
	                                        : 32;
	if (need_dns) {
		if (ws && workers_count(ws) >= DNS_SPREAD_WORKERS)
			dc.workers = ws; /* each worker resolves the names that hash to it */
		if ((k->dns = dns_new(base, &dc, err, sizeof(err))) == NULL) {
			fprintf(stderr, "mailtls %s: %s\n", cmd, err);
			return -1;
		}
	}
	if (o->ehlo == NULL) {
		if (gethostname(k->ehlo, sizeof(k->ehlo)) != 0 || k->ehlo[0] == '\0' ||
		    strchr(k->ehlo, ' '))
			snprintf(k->ehlo, sizeof(k->ehlo), "localhost");
		k->ehlo[sizeof(k->ehlo) - 1] = '\0';
	}
	k->sp.lim = &o->lim;
	k->sp.ssl_ctx = k->ctx;
	k->sp.ehlo_name = o->ehlo ? o->ehlo : k->ehlo;
	k->sp.trace = o->verbose ? stderr : NULL;
	k->vp.store = SSL_CTX_get_cert_store(k->ctx);
	k->vp.ssl_ctx = k->ctx;
	k->vp.at = o->at;
	k->vp.at_set = o->at_set;
	k->vc.warn_days = o->warn_days;
	k->vc.crit_days = o->crit_days;
	k->vc.at = o->at;

	k->ec.sp = &k->sp;
	k->ec.vp = &k->vp;
	k->ec.verdict = &k->vc;
	k->ec.dns = k->dns;
	k->ec.dialect = d;
	k->ec.port = o->port;
	k->ec.mode = o->mode >= 0 ? (enum tls_mode)o->mode : dialect_mode_for(d, o->port);
	if (o->nports) {
		/* --ports: the MX on 25 over SMTP, every other port as its service is spoken. */
		k->ec.dialect = &dialect_smtp;
		k->ec.port = 25;
		k->ec.mode = TLS_MODE_STARTTLS;
		k->ec.ports = o->ports;
		k->ec.nports = o->nports;
	}
	k->sp.starttls_tests = o->starttls_tests;
	if (o->tls_scan) {
		k->scan.base = base;
		k->scan.sp = &k->sp;
		k->scan.vp = &k->vp;
		k->scan.verdict = &k->vc;
		k->scan.pause_s = o->scan_pause;
		k->ec.scan = &k->scan;
	}
	if (o->tls_scan) {
		/* The profiles and the sending clients: data, read only for a map. */
		k->profiles = xcalloc(1, sizeof(*k->profiles));
		if (tlsprofiles_load(k->profiles, o->tls_profiles, err, sizeof(err)) < 0) {
			fprintf(stderr, "mailtls %s: %s: %s\n", cmd,
			    o->tls_profiles ? "--tls-profiles" : "the built-in TLS profiles", err);
			return -1;
		}
		k->scan.clients = k->profiles;
	}
	if (o->tls_profile) {
		if ((k->scan.profile = tlsprofiles_find(k->profiles, o->tls_profile)) == NULL) {
			tlsprofiles_names(k->profiles, err, sizeof(err));
			fprintf(stderr, "mailtls %s: --tls-profile %s: no such profile; there are: %s\n",
			    cmd, o->tls_profile, err);
			return -1;
		}
	}
	k->sp.retries = o->retries;
	k->ec.family = o->family;
	k->ec.concurrency = o->concurrency;
	k->ec.per_host = o->per_host;
	k->ec.per_ip_rate = o->per_ip_rate;
	k->ec.keep_chain = o->pem;
	k->ec.no_dane = o->no_dane;
	/* Policies belong to domains; --host checks one server and nothing around it. */
	k->pc.mta_sts = !o->no_mta_sts;
	k->pc.dns_records = !o->no_dns_records;
	k->pc.dkim_selectors = o->dkim;
	k->pc.ndkim = o->ndkim;
	k->pc.timeout_s = o->https_timeout;
	k->ec.autoconfig = !o->no_autoconfig && !o->offline;
	k->ec.https_timeout_s = o->https_timeout;
	/* The autoconfig file is fetched only for the client ports (--ports, a rule's ports). */
	if (domains && !o->no_autoconfig && !o->offline && k->https == NULL &&
	    (o->nports || org_policy_has_ports(&k->org)) &&
	    (k->ec.https = k->https = https_new(base, o->ca_file, o->ca_path, err, sizeof(err))) ==
	        NULL) {
		fprintf(stderr, "mailtls %s: %s (use --no-autoconfig)\n", cmd, err);
		return -1;
	}
	if (domains && (k->pc.mta_sts || k->pc.dns_records)) {
		k->ec.policy = &k->pc;
		if (k->pc.mta_sts && k->https == NULL &&
		    (k->ec.https = k->https =
		            https_new(base, o->ca_file, o->ca_path, err, sizeof(err))) == NULL) {
			fprintf(stderr, "mailtls %s: %s (use --no-mta-sts)\n", cmd, err);
			return -1;
		}
	}
	{
		/* Always: --revocation none still repairs a chain through its caIssuers URL. */
		struct rev_config rc = {0};

		rc.mode = o->revocation ? (enum rev_mode)rev_mode_by_name(o->revocation)
		                        : REV_MODE_AUTO;
		rc.chain = o->revocation_chain;
		rc.offline = o->offline;
		rc.timeout_s = o->https_timeout;
		rc.store = k->vp.store;
		rc.at = o->at;
		rc.dns = k->dns;
		rc.https = k->https;
		rc.base = base;
		rc.dnsc = dc;
		rc.dnsc.workers = NULL; /* a resolver of its own is on base's loop */
		rc.ca_file = o->ca_file;
		rc.ca_path = o->ca_path;
		k->ec.rev = k->rev = revocation_env_new(&rc);
	}
	return 0;
}

int checker_address(const struct check_opts *o, char *out, size_t outlen, const char *cmd)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	if (o->address || addr_is_ip(o->host)) {
		snprintf(out, outlen, "%s", o->address ? o->address : o->host);
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = o->family == 4 ? AF_INET : o->family == 6 ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(o->host, NULL, &hints, &res)) != 0) {
		fprintf(stderr, "mailtls %s: cannot resolve %s: %s\n", cmd, o->host, gai_strerror(rc));
		return -1;
	}
	rc = getnameinfo(res->ai_addr, res->ai_addrlen, out, (socklen_t)outlen, NULL, 0,
	    NI_NUMERICHOST);
	freeaddrinfo(res);
	return rc == 0 ? 0 : -1;
}

static int code_known(const char *name)
{
	return finding_code_by_name(name) >= 0;
}

int checker_policy(struct checker *k, const char *path, const char *cmd)
{
	char err[400];

	if (path == NULL)
		return 0;
	if (org_policy_load(&k->org, path, code_known, err, sizeof(err)) != 0) {
		fprintf(stderr, "mailtls %s: --policy %s\n", cmd, err);
		return -1;
	}
	/* A rule's ports are found as --ports finds them: the mail services' ports only. */
	for (size_t i = 0; i < k->org.nrules; i++)
		for (size_t j = 0; j < k->org.rules[i].nports; j++)
			if (mail_service_by_port(k->org.rules[i].ports[j]) == NULL) {
				fprintf(stderr,
				    "mailtls %s: --policy %s: line %d: ports: %u is not a mail "
				    "service port (25, 465, 587, 143, 993, 110, 995)\n",
				    cmd, path, k->org.rules[i].line, k->org.rules[i].ports[j]);
				return -1;
			}
	k->ec.org_policy = &k->org;
	return 0;
}

void checker_free(struct checker *k)
{
	org_policy_free(&k->org);
	dns_free(k->dns);
	https_free(k->https);
	revocation_env_free(k->rev); /* after the clients it shares: their callbacks are done */
	if (k->profiles) {
		tlsprofiles_free(k->profiles);
		free(k->profiles);
	}
	SSL_CTX_free(k->ctx);
	memset(k, 0, sizeof(*k));
}
