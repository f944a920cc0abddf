/*
 * serve.c - the serve command: the Prometheus exporter (engine/exporter.c) on one event
 * loop until SIGTERM or SIGINT. It takes check's trust, resolver, threshold and wait options
 * (the same rows of the same table) as the defaults of every check it runs.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "base/util.h"
#include "cmd/checker.h"
#include "cmd/cmd.h"
#include "engine/exporter.h"
#include "out/output.h"

enum { S_LISTEN = O__COUNT, S_CACHE_TTL, S_MAX_PROBES, S_MODULES };

struct serve_opts {
	struct check_opts c;
	char listen[256];
	uint16_t port;
	double cache_ttl;
	size_t max_probes;
	const char *modules; /* --modules FILE */
};

/* check's rows that mean the same for every check the exporter runs */
static const int shared[] = {O_CA_FILE, O_CA_PATH, O_CONCURRENCY, O_CONNECT_TIMEOUT, O_CRIT_DAYS,
    O_DKIM_SELECTOR, O_EHLO, O_GREETING_TIMEOUT, O_HELP, O_IPV4, O_IPV6, O_NO_DANE,
    O_NO_DNS_RECORDS, O_NO_MTA_STS, O_PER_HOST, O_POLICY, O_REPLY_TIMEOUT, O_RESOLVER, O_TIMEOUT,
    O_TLS_TIMEOUT, O_TRUST_ANCHOR, O_WARN_DAYS};

/* clang-format off */
static const struct opt serve_own[] = {
	{S_CACHE_TTL, "cache-ttl", 0, OPT_SECONDS, "SECONDS", "60", "serve a target's result again for this long before checking it anew", NULL},
	{S_LISTEN, "listen", 'l', OPT_HOSTPORT, "ADDR:PORT", "127.0.0.1:9585", "where to listen for scrapes ([IPv6]:PORT for an IPv6 address)", NULL},
	{S_MAX_PROBES, "max-probes", 0, OPT_COUNT, "N", "100", "targets checked at once; a scrape beyond gets 503", NULL},
	{S_MODULES, "modules", 0, OPT_STRING, "FILE", NULL, "more modules, in YAML (docs/monitoring.md): what each checks and how", NULL},
};
/* clang-format on */

static struct opt
    serve_table[sizeof(shared) / sizeof(shared[0]) + sizeof(serve_own) / sizeof(serve_own[0]) + 1];

static int serve_apply(void *ctx, const struct opt *t, const union opt_value *v, int given,
    char *err, size_t errlen)
{
	struct serve_opts *o = ctx;

	switch (t->id) {
	case S_LISTEN:
		if (v->hostport.port == 0) {
			snprintf(err, errlen, "\"%s\" has no port (ADDR:PORT)", v->s);
			return -1;
		}
		snprintf(o->listen, sizeof(o->listen), "%s", v->hostport.host);
		o->port = v->hostport.port;
		return 0;
	case S_CACHE_TTL:
		o->cache_ttl = v->seconds;
		return 0;
	case S_MAX_PROBES:
		o->max_probes = v->count;
		return 0;
	case S_MODULES:
		o->modules = v->s;
		return 0;
	default:
		return check_opts_apply(&o->c, t, v, given, err, errlen);
	}
}

/* clang-format off */
const struct opts_cmd serve_cmd = {
	"serve", serve_table,
	"usage: mailtls serve [--listen ADDR:PORT] [options]\n\n"
	"A Prometheus exporter: GET /probe?target=DOMAIN checks a mail domain (every MX, DANE,\n"
	"MTA-STS, TLS-RPT) and answers its metrics; /probe?host=HOST[:PORT]&module=NAME checks\n"
	"one server (smtp, submission, submissions, imap, imaps, pop3, pop3s); /metrics gives\n"
	"the exporter's own. Results are cached for --cache-ttl; a scrape of a target being\n"
	"checked waits for that check. Stops on SIGTERM or SIGINT.\n",
	"\nexit status: 0 stopped by a signal, 3 bad usage or the listener cannot be opened\n\n"
	"examples:\n"
	"  mailtls serve --listen 127.0.0.1:9585 --timeout 8\n"
	"  curl 'http://127.0.0.1:9585/probe?target=example.org'\n"
	"  curl 'http://127.0.0.1:9585/probe?host=mail.example.org&module=imaps'\n",
	serve_apply,
};
/* clang-format on */

static void serve_table_build(void)
{
	check_opts_compose(serve_table, shared, sizeof(shared) / sizeof(shared[0]), serve_own,
	    sizeof(serve_own) / sizeof(serve_own[0]));
}

/* For the unit test that holds the man page against every table. */
const struct opt *serve_options(void)
{
	serve_table_build();
	return serve_table;
}

struct serve {
	struct event_base *base;
	struct exporter *x;
};

/* Answer whoever waits, give the loop a moment to send it, then stop. */
static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct serve *sv = arg;
	struct timeval flush = {0, 250000};

	(void)sig;
	(void)what;
	exporter_stop(sv->x);
	event_base_loopexit(sv->base, &flush);
}

int serve_main(int argc, char **argv)
{
	struct serve_opts o;
	struct checker k;
	struct exporter_config xc;
	struct modules mods = {0};
	struct exporter *x = NULL;
	struct serve sv;
	struct event_base *base = NULL;
	struct event *sigint = NULL, *sigterm = NULL;
	const struct limits lim = LIMITS_DEFAULT;
	char err[300];
	int first, rc = 3;

	serve_table_build();
	memset(&o, 0, sizeof(o));
	memset(&k, 0, sizeof(k));
	o.c.mode = -1;
	o.c.lim = lim;
	o.c.at = time(NULL);
	first = opts_parse(&serve_cmd, argc, argv, &o);
	if (first == 0)
		return 0;
	if (first < 0)
		return 3;
	if (first < argc) {
		fprintf(stderr,
		    "mailtls serve: \"%s\": serve takes no operands; targets come with "
		    "each scrape\n",
		    argv[first]);
		return 3;
	}
	if (o.c.crit_days > o.c.warn_days) {
		fprintf(stderr,
		    "mailtls serve: --crit-days (%ld) is larger than --warn-days (%ld)\n",
		    o.c.crit_days, o.c.warn_days);
		return 3;
	}
	check_opts_waits(&o.c);
	/* A bad modules file is refused before anything listens. */
	if (modules_load(&mods, o.modules, err, sizeof(err)) != 0) {
		fprintf(stderr, "mailtls serve: --modules %s\n", err);
		modules_free(&mods);
		return 3;
	}
	if (checker_policy(&k, o.c.policy, "serve") != 0) {
		modules_free(&mods);
		return 3;
	}
	base = event_base_new();
	if (base == NULL)
		fatal("cannot create event loop");
	if (checker_init(&k, &o.c, base, 1, 1, "serve") != 0)
		goto out;
	memset(&xc, 0, sizeof(xc));
	xc.engine = &k.ec;
	xc.lim = &o.c.lim;
	xc.cache_ttl_s = o.cache_ttl;
	xc.max_targets = o.max_probes;
	xc.render = out_prom;
	xc.modules = &mods;
	if ((x = exporter_new(base, &xc, o.listen, o.port, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls serve: %s\n", err);
		goto out;
	}
	sv.base = base;
	sv.x = x;
	sigint = evsignal_new(base, SIGINT, on_signal, &sv);
	sigterm = evsignal_new(base, SIGTERM, on_signal, &sv);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);
	fprintf(stderr, "mailtls serve: listening on %s%s%s:%u\n", strchr(o.listen, ':') ? "[" : "",
	    o.listen, strchr(o.listen, ':') ? "]" : "", o.port);
	event_base_dispatch(base);
	rc = 0;
out:
	if (sigint)
		event_free(sigint);
	if (sigterm)
		event_free(sigterm);
	exporter_free(x);
	checker_free(&k);
	modules_free(&mods);
	if (base)
		event_base_free(base);
	return rc;
}
