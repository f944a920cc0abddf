/*
 * exporter.c - see exporter.h. One job per target in flight; scrapes of a target whose
 * check is running wait for it rather than starting another; a finished target's metrics
 * are served from a bounded cache until they expire. Every request is bounded: GET only,
 * the URI's length, the headers' size, the checks in flight.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>

#include "base/addr.h"
#include "base/util.h"
#include "conf/limits.h"
#include "conf/modules.h"
#include "conf/opts.h"
#include "engine/exporter.h"
#include "model/result.h"
#include "proto/dialect.h"

struct waiter {
	struct evhttp_request *req;
	struct job *job;
	struct waiter *next;
};

struct job {
	struct exporter *x;
	char *key;
	struct engine *engine;
	struct engine_config cfg;
	struct session_params sp;
	struct limits lim;
	struct policy_config pc;
	struct run run;
	struct waiter *waiters;
	double t0;
	int done;         /* answered; freed once the loop is back */
	struct job *next; /* in x->jobs */
};

struct entry {
	char *key;
	char *text;
	size_t len;
	double expires_ms;
	struct entry *next; /* in x->cache, most recent first */
};

struct exporter {
	struct event_base *base;
	struct exporter_config cfg;
	struct evhttp *http;
	struct job *jobs;
	size_t njobs;
	struct entry *cache;
	size_t ncache;
	int stopping; /* SIGTERM: every scrape is answered 503 */
	/* counters for /metrics */
	unsigned long long requests, probes, cache_hits, joined, errors;
};

static void job_free(struct job *j);

static void reply(struct evhttp_request *req, int code, const char *reason, const char *type,
    const char *body, size_t len)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL)
		fatal("out of memory");
	evbuffer_add(b, body, len);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", type);
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

static void reply_error(struct exporter *x, struct evhttp_request *req, int code,
    const char *reason, const char *why)
{
	char body[512];
	int n = snprintf(body, sizeof(body), "%s\n", why);

	x->errors++;
	reply(req, code, reason, "text/plain; charset=utf-8", body,
	    n > 0 && (size_t)n < sizeof(body) ? (size_t)n : strlen(body));
}

static const char *prom_type = "text/plain; version=0.0.4; charset=utf-8";

static struct entry *cache_get(struct exporter *x, const char *key)
{
	struct entry **pe = &x->cache;

	for (; *pe; pe = &(*pe)->next)
		if (strcmp((*pe)->key, key) == 0) {
			struct entry *e = *pe;

			if (e->expires_ms < now_ms())
				return NULL;
			*pe = e->next; /* most recent first */
			e->next = x->cache;
			x->cache = e;
			return e;
		}
	return NULL;
}

static void entry_free(struct entry *e)
{
	free(e->key);
	free(e->text);
	free(e);
}

static void cache_put(struct exporter *x, const char *key, char *text, size_t len)
{
	struct entry **pe = &x->cache, *e;

	while (*pe) { /* drop the old result of this key, and expired ones */
		if (strcmp((*pe)->key, key) == 0 || (*pe)->expires_ms < now_ms()) {
			e = *pe;
			*pe = e->next;
			entry_free(e);
			x->ncache--;
		} else {
			pe = &(*pe)->next;
		}
	}
	e = xcalloc(1, sizeof(*e));
	e->key = xstrdup(key);
	e->text = text;
	e->len = len;
	e->expires_ms = now_ms() + x->cfg.cache_ttl_s * 1000;
	e->next = x->cache;
	x->cache = e;
	if (++x->ncache > EXPORTER_CACHE_MAX) { /* the least recent goes */
		for (pe = &x->cache; (*pe)->next; pe = &(*pe)->next)
			;
		entry_free(*pe);
		*pe = NULL;
		x->ncache--;
	}
}

/* The client went away before the result: it no longer waits. */
static void waiter_closed(struct evhttp_connection *conn, void *arg)
{
	struct waiter *w = arg, **pw;

	(void)conn;
	for (pw = &w->job->waiters; *pw && *pw != w; pw = &(*pw)->next)
		;
	if (*pw)
		*pw = w->next;
	free(w);
}

static void waiter_add(struct job *j, struct evhttp_request *req)
{
	struct waiter *w = xcalloc(1, sizeof(*w));

	w->req = req;
	w->job = j;
	w->next = j->waiters;
	j->waiters = w;
	evhttp_connection_set_closecb(evhttp_request_get_connection(req), waiter_closed, w);
}

static void job_free_later(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	job_free(arg);
}

/* The target's one domain completed: render, cache, answer every waiter. */
static void job_emit(struct domain *d, void *arg)
{
	struct job *j = arg;
	struct exporter *x = j->x;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		fatal("out of memory");
	j->done = 1;
	run_add_domain(&j->run, d); /* freed with the run */
	x->cfg.render(f, &j->run, d, (now_ms() - j->t0) / 1000);
	fclose(f);
	while (j->waiters) {
		struct waiter *w = j->waiters;

		j->waiters = w->next;
		evhttp_connection_set_closecb(evhttp_request_get_connection(w->req), NULL, NULL);
		reply(w->req, 200, "OK", prom_type, text, len);
		free(w);
	}
	cache_put(x, j->key, text, len);
	/* The engine is still on the stack: it is freed once the loop is back. */
	event_base_once(x->base, -1, EV_TIMEOUT, job_free_later, j, &(struct timeval){0, 0});
}

/* The exporter stops with the check in flight: its scrapes are answered now. */
static void job_refuse(struct job *j)
{
	while (j->waiters) {
		struct waiter *w = j->waiters;

		j->waiters = w->next;
		evhttp_connection_set_closecb(evhttp_request_get_connection(w->req), NULL, NULL);
		reply_error(j->x, w->req, 503, "Service Unavailable", "the exporter is stopping");
		free(w);
	}
}

static void job_free(struct job *j)
{
	struct job **pj;

	for (pj = &j->x->jobs; *pj && *pj != j; pj = &(*pj)->next)
		;
	if (*pj) {
		*pj = j->next;
		j->x->njobs--;
	}
	job_refuse(j);
	engine_free(j->engine);
	run_free(&j->run);
	free(j->key);
	free(j);
}

/* A scrape says how long Prometheus waits: the check gives up half a second sooner. */
static void job_waits(struct job *j, struct evhttp_request *req)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "X-Prometheus-Scrape-Timeout-Seconds");
	double t = 0;
	char err[128];

	if (h == NULL || opts_parse_seconds(h, &t, err, sizeof(err)) != 0 || t <= 1)
		return;
	t -= 0.5;
	if (j->lim.connect_s > t)
		j->lim.connect_s = t;
	if (j->lim.greeting_s > t)
		j->lim.greeting_s = t;
	if (j->lim.reply_s > t)
		j->lim.reply_s = t;
	if (j->lim.handshake_s > t)
		j->lim.handshake_s = t;
}

static void job_start(struct exporter *x, struct evhttp_request *req, const char *key,
    const struct module *m, const char *domain, const char *host, uint16_t port)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->x = x;
	j->key = xstrdup(key);
	j->t0 = now_ms();
	j->lim = *x->cfg.lim;
	if (m->timeout_s > 0) /* the module's bound on every wait */
		j->lim.connect_s = j->lim.greeting_s = j->lim.reply_s = j->lim.handshake_s =
		    m->timeout_s;
	job_waits(j, req);
	j->sp = *x->cfg.engine->sp;
	j->sp.lim = &j->lim;
	j->cfg = *x->cfg.engine;
	j->cfg.sp = &j->sp;
	j->cfg.dialect = dialect_by_name(m->protocol);
	j->cfg.port = port;
	j->cfg.mode = m->implicit_tls ? TLS_MODE_IMPLICIT : TLS_MODE_STARTTLS;
	j->cfg.no_dane = j->cfg.no_dane || !m->dane;
	j->cfg.emit = job_emit;
	j->cfg.arg = j;
	/* One server has nothing around it; a domain's policies as the module says. */
	if (domain && x->cfg.engine->policy) {
		j->pc = *x->cfg.engine->policy;
		j->pc.mta_sts = j->pc.mta_sts && m->mta_sts;
		j->pc.dns_records = j->pc.dns_records && m->dns_records;
		j->cfg.policy = j->pc.mta_sts || j->pc.dns_records ? &j->pc : NULL;
	} else {
		j->cfg.policy = NULL;
	}
	j->run.domain_mode = domain != NULL;
	j->run.at = time(NULL);
	j->next = x->jobs;
	x->jobs = j;
	x->njobs++;
	x->probes++;
	waiter_add(j, req);
	j->engine = engine_new(x->base, &j->cfg, &j->run);
	if (domain)
		engine_add_domain(j->engine, domain, 0);
	else
		engine_add_host(j->engine, host, addr_is_ip(host) ? host : NULL, 0);
}

static void on_probe(struct exporter *x, struct evhttp_request *req, struct evkeyvalq *q)
{
	const char *target = evhttp_find_header(q, "target");
	const char *hostarg = evhttp_find_header(q, "host");
	const char *portarg = evhttp_find_header(q, "port");
	const char *modname = evhttp_find_header(q, "module");
	const struct module *m = modules_find(x->cfg.modules, "smtp");
	char host[256], err[256], key[600], alabel[256];
	const char *why = NULL;
	uint16_t port = 0;
	struct entry *e;

	if (modname && (m = modules_find(x->cfg.modules, modname)) == NULL) {
		reply_error(x, req, 400, "Bad Request",
		    "unknown module (built in: smtp, submission, submissions, imap, imaps, pop3, "
		    "pop3s; more with serve --modules)");
		return;
	}
	if ((target == NULL) == (hostarg == NULL)) {
		reply_error(x, req, 400, "Bad Request",
		    "name a domain with target=DOMAIN, or one server with host=HOST[:PORT]");
		return;
	}
	if (target) {
		if (!m->domains) {
			reply_error(x, req, 400, "Bad Request",
			    "a domain is checked at its MX, over SMTP: use host= for this module");
			return;
		}
		if (!addr_is_ascii(target)) { /* a name in other scripts: its A-labels */
			if (addr_to_ascii(target, alabel, sizeof(alabel), err, sizeof(err)) != 0) {
				char msg[300];

				snprintf(msg, sizeof(msg), "target: %s", err);
				reply_error(x, req, 400, "Bad Request", msg);
				return;
			}
			target = alabel;
		}
		if (!addr_domain_syntax(target, &why)) {
			snprintf(err, sizeof(err), "target: %s", why);
			reply_error(x, req, 400, "Bad Request", err);
			return;
		}
		port = m->port;
		snprintf(key, sizeof(key), "%s|%s", m->name, target);
	} else {
		if (opts_parse_hostport(hostarg, host, sizeof(host), &port, err, sizeof(err)) !=
		        0 ||
		    (portarg && opts_parse_port(portarg, &port, err, sizeof(err)) != 0)) {
			char msg[300];

			snprintf(msg, sizeof(msg), "host/port: %s", err);
			reply_error(x, req, 400, "Bad Request", msg);
			return;
		}
		if (port == 0)
			port = m->port;
		snprintf(key, sizeof(key), "%s|%s|%u", m->name, host, port);
	}
	if ((e = cache_get(x, key)) != NULL) {
		x->cache_hits++;
		reply(req, 200, "OK", prom_type, e->text, e->len);
		return;
	}
	for (struct job *j = x->jobs; j; j = j->next)
		if (!j->done && strcmp(j->key, key) == 0) {
			x->joined++;
			waiter_add(j, req);
			return;
		}
	if (x->njobs >= x->cfg.max_targets) {
		reply_error(x, req, 503, "Service Unavailable",
		    "too many checks in flight (--max-probes); try again");
		return;
	}
	job_start(x, req, key, m, target, target ? NULL : host, port);
}

static void on_metrics(struct exporter *x, struct evhttp_request *req)
{
	char body[2048];
	int n = snprintf(body, sizeof(body),
	    "# HELP mailtls_exporter_requests_total HTTP requests received\n"
	    "# TYPE mailtls_exporter_requests_total counter\n"
	    "mailtls_exporter_requests_total %llu\n"
	    "# HELP mailtls_exporter_probes_total checks started\n"
	    "# TYPE mailtls_exporter_probes_total counter\n"
	    "mailtls_exporter_probes_total %llu\n"
	    "# HELP mailtls_exporter_cache_hits_total scrapes answered from the cache\n"
	    "# TYPE mailtls_exporter_cache_hits_total counter\n"
	    "mailtls_exporter_cache_hits_total %llu\n"
	    "# HELP mailtls_exporter_joined_total scrapes that waited for a check in flight\n"
	    "# TYPE mailtls_exporter_joined_total counter\n"
	    "mailtls_exporter_joined_total %llu\n"
	    "# HELP mailtls_exporter_errors_total requests refused (4xx, 5xx)\n"
	    "# TYPE mailtls_exporter_errors_total counter\n"
	    "mailtls_exporter_errors_total %llu\n"
	    "# HELP mailtls_exporter_probes_in_flight checks running now\n"
	    "# TYPE mailtls_exporter_probes_in_flight gauge\n"
	    "mailtls_exporter_probes_in_flight %zu\n"
	    "# HELP mailtls_exporter_cache_entries results cached\n"
	    "# TYPE mailtls_exporter_cache_entries gauge\n"
	    "mailtls_exporter_cache_entries %zu\n",
	    x->requests, x->probes, x->cache_hits, x->joined, x->errors, x->njobs, x->ncache);

	reply(req, 200, "OK", prom_type, body, (size_t)n < sizeof(body) ? (size_t)n : 0);
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct exporter *x = arg;
	const char *uri = evhttp_request_get_uri(req);
	struct evhttp_uri *u;
	struct evkeyvalq q;
	const char *path;

	x->requests++;
	if (x->stopping) {
		reply_error(x, req, 503, "Service Unavailable", "the exporter is stopping");
		return;
	}
	if (strlen(uri) > EXPORTER_URI_MAX) {
		reply_error(x, req, 414, "URI Too Long", "the request URI is too long");
		return;
	}
	u = evhttp_uri_parse(uri);
	if (u == NULL) {
		reply_error(x, req, 400, "Bad Request", "the request URI does not parse");
		return;
	}
	path = evhttp_uri_get_path(u);
	TAILQ_INIT(&q);
	if (evhttp_uri_get_query(u) && evhttp_parse_query_str(evhttp_uri_get_query(u), &q) != 0) {
		reply_error(x, req, 400, "Bad Request", "the query does not parse");
	} else if (path && strcmp(path, "/probe") == 0) {
		on_probe(x, req, &q);
	} else if (path && strcmp(path, "/metrics") == 0) {
		on_metrics(x, req);
	} else if (path && strcmp(path, "/") == 0) {
		static const char page[] =
		    "mailtls exporter\n\n"
		    "/probe?target=DOMAIN                 a mail domain: every MX, DANE, MTA-STS, "
		    "TLS-RPT\n"
		    "/probe?host=HOST[:PORT]&module=NAME  one server (smtp, submission, "
		    "submissions,\n"
		    "                                     imap, imaps, pop3, pop3s)\n"
		    "/metrics                             the exporter's own metrics\n";
		reply(req, 200, "OK", "text/plain; charset=utf-8", page, sizeof(page) - 1);
	} else {
		reply_error(x, req, 404, "Not Found", "no such page: /probe, /metrics or /");
	}
	evhttp_clear_headers(&q);
	evhttp_uri_free(u);
}

struct exporter *exporter_new(struct event_base *base, const struct exporter_config *cfg,
    const char *addr, uint16_t port, char *err, size_t errlen)
{
	struct exporter *x = xcalloc(1, sizeof(*x));

	x->base = base;
	x->cfg = *cfg;
	x->http = evhttp_new(base);
	if (x->http == NULL)
		fatal("cannot create the HTTP server");
	evhttp_set_allowed_methods(x->http, EVHTTP_REQ_GET);
	evhttp_set_max_headers_size(x->http, EXPORTER_HEADERS_MAX);
	evhttp_set_max_body_size(x->http, 0);
	evhttp_set_timeout(x->http, EXPORTER_IDLE_S);
	evhttp_set_gencb(x->http, on_request, x);
	if (evhttp_bind_socket(x->http, addr, port) != 0) {
		snprintf(err, errlen, "cannot listen on %s port %u", addr, port);
		exporter_free(x);
		return NULL;
	}
	return x;
}

void exporter_stop(struct exporter *x)
{
	x->stopping = 1;
	for (struct job *j = x->jobs; j; j = j->next)
		job_refuse(j);
}

void exporter_free(struct exporter *x)
{
	if (x == NULL)
		return;
	while (x->jobs)
		job_free(x->jobs);
	while (x->cache) {
		struct entry *e = x->cache;
		x->cache = e->next;
		entry_free(e);
	}
	evhttp_free(x->http);
	free(x);
}
