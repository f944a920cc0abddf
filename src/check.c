/*
 * check.c - the check command: turn options into probes, run every session on one event
 * loop, verify each chain as its session ends, then hand the run to a view. Every probe
 * ends in exactly one result, whatever happens to it.
 */
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/err.h>

#include "check.h"
#include "dialect.h"
#include "opts.h"
#include "output.h"
#include "session.h"
#include "tlsinfo.h"
#include "util.h"
#include "verify.h"

struct check {
	struct run run;
	struct verify_params vp;
	size_t pending;
};

static void check_done(struct probe *p, void *arg)
{
	struct check *c = arg;

	verify_probe(p, &c->vp);
	probe_settle(p);
	c->pending--;
}

static enum tls_mode mode_for(const struct dialect *d, uint16_t port, int forced)
{
	if (forced >= 0)
		return (enum tls_mode)forced;
	for (size_t i = 0; i < sizeof(d->port_implicit) / sizeof(d->port_implicit[0]); i++)
		if (d->port_implicit[i] == port)
			return TLS_MODE_IMPLICIT;
	return TLS_MODE_STARTTLS;
}

/* --host without --address: the system resolver, as openssl s_client and MTAs with
 * /etc/hosts would. A failure is a probe with DNS_FAILED, not an abort. */
static void add_probes(struct run *run, const struct check_opts *o, const struct dialect *d,
    enum tls_mode mode)
{
	struct addrinfo hints, *res = NULL, *ai;
	size_t before = run->nprobes;
	int rc;

	if (o->address || tlsinfo_is_ip(o->host)) {
		run_add(run, probe_new(o->host, o->address ? o->address : o->host, o->port, mode, d));
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = o->family == 4 ? AF_INET : o->family == 6 ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(o->host, NULL, &hints, &res);
	for (ai = rc == 0 ? res : NULL; ai; ai = ai->ai_next) {
		char addr[NI_MAXHOST];
		int dup = 0;

		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof(addr), NULL, 0,
			NI_NUMERICHOST) != 0)
			continue;
		for (size_t i = before; i < run->nprobes; i++)
			if (strcmp(run->probes[i]->address, addr) == 0)
				dup = 1;
		if (!dup)
			run_add(run, probe_new(o->host, addr, o->port, mode, d));
	}
	if (res)
		freeaddrinfo(res);
	if (run->nprobes == before) {
		struct probe *p = probe_new(o->host, "", o->port, mode, d);
		probe_add(p, F_DNS_FAILED, -1, "cannot resolve %s%s: %s", o->host,
		    o->family ? (o->family == 4 ? " (IPv4)" : " (IPv6)") : "",
		    rc ? gai_strerror(rc) : "no address");
		probe_settle(p);
		run_add(run, p);
	}
}

int check_main(int argc, char **argv)
{
	struct check_opts o;
	struct check c;
	struct tls_config tc = {0};
	struct limits lim = LIMITS_DEFAULT;
	struct session_params sp;
	struct view_opts vo = {0};
	struct event_base *base = NULL;
	SSL_CTX *ctx = NULL;
	const struct dialect *d = &dialect_smtp;
	char err[300], ehlo[256];
	int rc;

	rc = opts_parse_check(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? 0 : STATUS_UNKNOWN;
	memset(&c, 0, sizeof(c));
	if (o.port == 0)
		o.port = d->port_starttls[0];
	tc.ca_file = o.ca_file;
	tc.ca_path = o.ca_path;
	ctx = tlsinfo_ctx_new(&tc, err, sizeof(err));
	if (ctx == NULL) {
		fprintf(stderr, "mailtls check: %s\n", err);
		return STATUS_UNKNOWN;
	}
	lim.timeout_s = o.timeout;
	if (o.ehlo == NULL) {
		if (gethostname(ehlo, sizeof(ehlo)) != 0 || ehlo[0] == '\0' || strchr(ehlo, ' '))
			snprintf(ehlo, sizeof(ehlo), "localhost");
		ehlo[sizeof(ehlo) - 1] = '\0';
	}
	sp.lim = &lim;
	sp.ssl_ctx = ctx;
	sp.ehlo_name = o.ehlo ? o.ehlo : ehlo;
	c.vp.store = SSL_CTX_get_cert_store(ctx);
	c.vp.at = o.at;
	c.vp.at_set = o.at_set;
	c.vp.warn_days = o.warn_days;
	c.vp.crit_days = o.crit_days;
	c.run.at = o.at;

	base = event_base_new();
	if (base == NULL)
		fatal("cannot create event loop");
	add_probes(&c.run, &o, d, mode_for(d, o.port, o.mode));
	for (size_t i = 0; i < c.run.nprobes; i++) {
		struct probe *p = c.run.probes[i];
		if (p->address[0] == '\0')
			continue; /* already a result */
		c.pending++;
		session_start(base, &sp, p, check_done, &c);
	}
	if (c.pending)
		event_base_dispatch(base);
	if (c.pending)
		fatal("event loop ended with %zu probes unfinished", c.pending);
	run_settle(&c.run);

	vo.show_chain = o.show_chain;
	vo.pem = o.pem;
	vo.color = !o.json && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	if (o.json)
		out_json(stdout, &c.run, &vo);
	else
		out_text(stdout, &c.run, &vo);
	fflush(stdout);
	rc = c.run.status;
	run_free(&c.run);
	event_base_free(base);
	SSL_CTX_free(ctx);
	return rc;
}
