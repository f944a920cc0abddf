/*
 * dns.c - libunbound on our libevent base (ub_ctx_create_event + ub_resolve_event: no
 * thread, no process). Answers arrive as wire packets; glibc's ns_* parser (libresolv)
 * reads them with bounds checks and name decompression, so we do not write our own.
 * Our own timer bounds every query: libunbound's retries can outlast any sane --timeout.
 *
 * With workers (dns_new), the resolver is a front on the caller's loop and one libunbound
 * context on each worker's loop: a query is posted to the worker its name hashes to, and
 * the answer, parsed there, is posted back. The front's loop keeps only the two posts; the
 * sockets, the cache, the validation and the parsing are the workers'.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <unbound-event.h>
#include <unbound.h>

#include "base/util.h"
#include "conf/limits.h"
#include "net/dns.h"
#include "net/workers.h"

/* Debian's dns-root-data; unbound-anchor keeps the same key in unbound's directory. */
#define DNS_ROOT_KEY "/usr/share/dns/root.key"

struct dns {
	struct event_base *base;
	struct ub_ctx *ctx;
	double timeout_s;
	int validating;
	int closing;            /* dns_free() runs: callbacks must not reach the caller */
	struct dns_query *live; /* queries libunbound may still call back */
	/* libunbound keeps some 16 KiB of state per query in flight; at the start of a bulk
	 * scan every domain would resolve at once. Queries past the bound wait their turn. */
	size_t inflight, max_inflight;
	struct dns_query *wait_head, *wait_tail;
	/* The front of resolvers on workers' loops: ctx is NULL, and none of the above but
	 * base and validating is used. */
	struct workers *workers;
	struct dns **shard; /* one a worker, on its loop */
	size_t nshards;
	struct mailbox *home;     /* answers, to base's loop */
	struct dns_relay *relays; /* posted and not answered here yet */
};

/* A query through the front: made and answered on the front's loop, asked on a shard's. */
struct dns_relay {
	struct dns *front, *shard;
	size_t worker;
	int rrtype;
	dns_cb cb;
	void *arg;
	struct dns_answer a;           /* the shard's, taken over and posted home */
	struct dns_relay *prev, *next; /* in front->relays, touched on the front's loop only */
	char name[256];
};

/* Internal: a callback that takes the answer's allocations over (and leaves *a empty). */
typedef void (*dns_take_cb)(struct dns_answer *, void *arg);

struct dns_query {
	struct dns *dns;
	struct event *timer;
	int rrtype;
	int async_id;
	int finished;   /* our callback has run (answer or timeout) */
	int in_resolve; /* inside ub_resolve_event: local data answers synchronously */
	int unbound_done;
	int tries;            /* SERVFAILs retried so far */
	struct event *retry;  /* waiting to ask again after a SERVFAIL; NULL: not */
	dns_cb cb;
	dns_take_cb take; /* instead of cb */
	void *arg;
	struct dns_query *prev, *next; /* in dns->live */
	struct dns_query *wnext;       /* in dns->wait_head, not sent yet */
	char name[256];
};

static void dns_query_free(struct dns_query *);
static void dns_ub_cb(void *arg, int rcode, void *pkt, int len, int sec, char *why_bogus,
    int ratelimited);

/* libunbound's caches of answers, RRsets and DNSSEC keys are 4 MiB each by default. */
#define DNS_CACHE_BYTES (4u << 20)
#define DNS_CACHE_MIN (256u << 10)

/* One context; shares: how many contexts share out the caches one would have. */
static struct dns *dns_new_one(struct event_base *base, const struct dns_config *cfg,
    size_t max_inflight, size_t shares, char *err, size_t errlen)
{
	struct dns *d = xcalloc(1, sizeof(*d));
	int rc = 0;

	d->base = base;
	d->timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : 10;
	d->max_inflight = max_inflight;
	d->ctx = ub_ctx_create_event(base);
	if (d->ctx == NULL) {
		snprintf(err, errlen, "cannot create the DNS resolver");
		free(d);
		return NULL;
	}
	/* A system resolver on 127.0.0.53 or a lab server on loopback must be asked as told. */
	ub_ctx_set_option(d->ctx, "do-not-query-localhost:", "no");
	/*
	 * Bulk scans over a lossy path (bench/latency.sh: 100 ms, 1% loss). Unbound backs off
	 * a server that times out up to 120 s, and with one forwarder and hundreds of queries
	 * a second a few losses in a row stall every query behind our own --timeout: keep
	 * probing it. Room for every query we allow in flight, so that none is jostled out
	 * (jostle-timeout) while it waits for its answer.
	 */
	ub_ctx_set_option(d->ctx, "infra-keep-probing:", "yes");
	{
		char q[32];

		snprintf(q, sizeof(q), "%zu", d->max_inflight * 2 > 1024 ? d->max_inflight * 2 : 1024);
		ub_ctx_set_option(d->ctx, "num-queries-per-thread:", q);
		/* libunbound's default is 32 ports, so 32 queries in flight: at 100 ms a round
		 * trip, 320 a second, whatever --concurrency says (bench/latency.sh: 2,000
		 * domains took 15.8 s; with a port per query in flight, 1.5 s). */
		snprintf(q, sizeof(q), "%zu", d->max_inflight + DNS_PORTS_SPARE);
		ub_ctx_set_option(d->ctx, "outgoing-range:", q);
		/* Each of several contexts holds only the names that hash to it: together they
		 * need the caches one context has, not one each (a long run fills them all). */
		if (shares > 1) {
			size_t bytes = DNS_CACHE_BYTES / shares;

			snprintf(q, sizeof(q), "%zu",
			    bytes > DNS_CACHE_MIN ? bytes : DNS_CACHE_MIN);
			ub_ctx_set_option(d->ctx, "msg-cache-size:", q);
			ub_ctx_set_option(d->ctx, "rrset-cache-size:", q);
			ub_ctx_set_option(d->ctx, "key-cache-size:", q);
		}
	}
	if (cfg->resolvers && cfg->resolvers[0]) {
		for (const char *const *r = cfg->resolvers; *r && rc == 0; r++)
			if ((rc = ub_ctx_set_fwd(d->ctx, *r)) != 0)
				snprintf(err, errlen, "--resolver %s: %s", *r, ub_strerror(rc));
	} else {
		if ((rc = ub_ctx_resolvconf(d->ctx, NULL)) != 0)
			snprintf(err, errlen, "cannot read /etc/resolv.conf: %s", ub_strerror(rc));
		if (rc == 0)
			ub_ctx_hosts(d->ctx, NULL);
	}
	if (rc == 0 && !cfg->no_dnssec) {
		if (cfg->trust_anchor) {
			/* libunbound only notes the name here and fails at the first query. */
			if (access(cfg->trust_anchor, R_OK) != 0) {
				snprintf(err, errlen, "--trust-anchor %s: %s", cfg->trust_anchor,
				    strerror(errno));
				rc = -1;
			} else if ((rc = ub_ctx_add_ta_file(d->ctx, cfg->trust_anchor)) != 0)
				snprintf(err, errlen, "--trust-anchor %s: %s", cfg->trust_anchor,
				    ub_strerror(rc));
			d->validating = rc == 0;
		} else if (access(DNS_ROOT_KEY, R_OK) == 0) {
			if (ub_ctx_add_ta_file(d->ctx, DNS_ROOT_KEY) == 0)
				d->validating = 1;
		}
	}
	/* Zone calls finalize the context, so they come last. The built-in local zones answer
	 * every .test name NXDOMAIN; a resolver the user names must be asked instead. */
	if (rc == 0 && cfg->resolvers && cfg->resolvers[0])
		ub_ctx_zone_add(d->ctx, "test.", "nodefault");
	if (rc != 0) {
		ub_ctx_delete(d->ctx);
		free(d);
		return NULL;
	}
	return d;
}

struct dns *dns_new(struct event_base *base, const struct dns_config *cfg, char *err, size_t errlen)
{
	size_t max = cfg->max_inflight ? cfg->max_inflight : 256;
	struct dns *d;

	if (cfg->workers == NULL)
		return dns_new_one(base, cfg, max, 1, err, errlen);
	d = xcalloc(1, sizeof(*d));
	d->base = base;
	d->workers = cfg->workers;
	d->nshards = workers_count(cfg->workers);
	d->shard = xcalloc(d->nshards, sizeof(*d->shard));
	/*
	 * The bound on queries in flight is the run's, shared out: names spread evenly over
	 * the shards. A context only records its settings here; it opens sockets and reads
	 * the trust anchor at its first query, on its own loop.
	 */
	max = (max + d->nshards - 1) / d->nshards;
	for (size_t i = 0; i < d->nshards; i++)
		if ((d->shard[i] = dns_new_one(workers_base(cfg->workers, i), cfg, max, d->nshards,
		         err, errlen)) == NULL) {
			dns_free(d);
			return NULL;
		}
	d->validating = d->shard[0]->validating;
	d->home = mailbox_new(base);
	return d;
}

int dns_validating(const struct dns *d)
{
	return d && d->validating;
}

static void dns_call(struct dns_query *q, struct dns_answer *a)
{
	if (q->take)
		q->take(a, q->arg);
	else
		q->cb(a, q->arg);
}

/* The front's: the workers' loops have stopped, so nothing moves on them. */
static void dns_free_front(struct dns *d)
{
	/* The shards' queries end first, unseen (relay_answered): their relays are here. */
	for (size_t i = 0; i < d->nshards; i++)
		dns_free(d->shard[i]);
	while (d->relays) {
		struct dns_relay *r = d->relays;
		struct dns_answer a;

		d->relays = r->next;
		memset(&a, 0, sizeof(a));
		a.status = DNS_CANCELLED;
		r->cb(&a, r->arg);
		dns_answer_clear(&r->a);
		free(r);
	}
	mailbox_free(d->home); /* what it still holds pointed to the relays just freed */
	free(d->shard);
	free(d);
}

void dns_free(struct dns *d)
{
	if (d == NULL)
		return;
	if (d->workers) {
		dns_free_front(d);
		return;
	}
	/* After an interrupt: every caller's query ends, as DNS_CANCELLED, so it can free
	 * what it passed; nothing else may happen in those callbacks. */
	for (struct dns_query *q = d->live; q; q = q->next)
		if (!q->finished) {
			struct dns_answer a;

			memset(&a, 0, sizeof(a));
			a.status = DNS_CANCELLED;
			q->finished = 1;
			dns_call(q, &a);
		}
	d->closing = 1;
	ub_ctx_delete(d->ctx);
	while (d->live) /* queries libunbound dropped without a callback */
		dns_query_free(d->live);
	free(d);
}

void dns_answer_clear(struct dns_answer *a)
{
	free(a->mx);
	free(a->srv);
	free(a->addrs);
	for (size_t i = 0; i < a->ntxt; i++)
		free(a->txt[i]);
	free(a->txt);
	for (size_t i = 0; i < a->ntlsa; i++)
		free(a->tlsa[i].data);
	free(a->tlsa);
	memset(a, 0, sizeof(*a));
}

/* RFC 7208 3.3 / RFC 6376 3.6.2.2: a TXT record's character-strings are concatenated. */
static char *txt_join(const unsigned char *rd, size_t len)
{
	char *out = xcalloc(len + 1, 1);
	size_t o = 0;

	for (size_t i = 0; i < len;) {
		size_t n = rd[i++];
		if (n > len - i)
			n = len - i;
		for (size_t k = 0; k < n; k++) {
			unsigned char c = rd[i + k];
			out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
		}
		i += n;
	}
	out[o] = '\0';
	return out;
}

static void strip_dot(char *name)
{
	size_t l = strlen(name);

	if (l > 1 && name[l - 1] == '.')
		name[l - 1] = '\0';
}

int dns_parse(const unsigned char *pkt, size_t len, int rrtype, struct dns_answer *a)
{
	ns_msg msg;
	int n;

	if (ns_initparse(pkt, (int)len, &msg) < 0) {
		snprintf(a->why, sizeof(a->why), "malformed DNS answer");
		return -1;
	}
	/* ub_resolve_event passes rcode 0 for NXDOMAIN: the packet's own rcode says it. */
	switch (ns_msg_getflag(msg, ns_f_rcode)) {
	case ns_r_noerror:
		break;
	case ns_r_nxdomain:
		a->status = DNS_NXDOMAIN;
		return 0;
	case ns_r_servfail:
		a->status = DNS_SERVFAIL;
		snprintf(a->why, sizeof(a->why), "the resolver answered SERVFAIL");
		return 0;
	default:
		a->status = DNS_SERVFAIL;
		snprintf(a->why, sizeof(a->why), "the resolver answered rcode %d",
		    (int)ns_msg_getflag(msg, ns_f_rcode));
		return 0;
	}
	n = ns_msg_count(msg, ns_s_an);
	for (int i = 0; i < n; i++) {
		ns_rr rr;
		const unsigned char *rd;

		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0) {
			snprintf(a->why, sizeof(a->why), "malformed record in DNS answer");
			return -1;
		}
		if (ns_rr_class(rr) != ns_c_in)
			continue;
		rd = ns_rr_rdata(rr);
		if (ns_rr_type(rr) == ns_t_cname && a->cname[0] == '\0') {
			if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), rd, a->cname,
			        sizeof(a->cname)) < 0)
				a->cname[0] = '\0';
			continue;
		}
		if ((int)ns_rr_type(rr) != rrtype)
			continue;
		if ((rrtype == ns_t_mx && a->nmx >= DNS_ANSWERS_MAX) ||
		    (rrtype == ns_t_txt && a->ntxt >= DNS_ANSWERS_MAX) ||
		    (rrtype == DNS_T_TLSA && a->ntlsa >= DNS_ANSWERS_MAX) ||
		    (rrtype == ns_t_srv && a->nsrv >= DNS_ANSWERS_MAX) ||
		    ((rrtype == ns_t_a || rrtype == ns_t_aaaa) && a->naddrs >= DNS_ANSWERS_MAX)) {
			a->dropped++; /* said by whoever reads the answer, never silently */
			continue;
		}
		if (rrtype == ns_t_mx && ns_rr_rdlen(rr) >= 3) {
			struct dns_mx *m;

			a->mx = xreallocarray(a->mx, a->nmx + 1, sizeof(*a->mx));
			m = &a->mx[a->nmx];
			m->preference = ns_get16(rd);
			if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), rd + 2, m->host,
			        sizeof(m->host)) < 0)
				continue;
			if (m->host[0] == '\0')
				snprintf(m->host, sizeof(m->host), ".");
			strip_dot(m->host);
			a->nmx++;
		} else if (rrtype == ns_t_srv && ns_rr_rdlen(rr) >= 7) {
			/* RFC 2782: priority, weight, port, target (never compressed, but
			 * ns_name_uncompress reads either). */
			struct dns_srv *v;

			a->srv = xreallocarray(a->srv, a->nsrv + 1, sizeof(*a->srv));
			v = &a->srv[a->nsrv];
			v->priority = ns_get16(rd);
			v->weight = ns_get16(rd + 2);
			v->port = ns_get16(rd + 4);
			if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), rd + 6, v->host,
			        sizeof(v->host)) < 0)
				continue;
			if (v->host[0] == '\0')
				snprintf(v->host, sizeof(v->host), ".");
			strip_dot(v->host);
			a->nsrv++;
		} else if (rrtype == ns_t_txt) {
			a->txt = xreallocarray(a->txt, a->ntxt + 1, sizeof(*a->txt));
			a->txt[a->ntxt++] = txt_join(rd, ns_rr_rdlen(rr));
		} else if (rrtype == DNS_T_TLSA && ns_rr_rdlen(rr) >= 3) {
			struct dns_tlsa *t;

			a->tlsa = xreallocarray(a->tlsa, a->ntlsa + 1, sizeof(*a->tlsa));
			t = &a->tlsa[a->ntlsa++];
			t->usage = rd[0];
			t->selector = rd[1];
			t->mtype = rd[2];
			t->len = ns_rr_rdlen(rr) - 3u;
			t->data = xcalloc(t->len + 1, 1);
			memcpy(t->data, rd + 3, t->len);
		} else if ((rrtype == ns_t_a && ns_rr_rdlen(rr) == 4) ||
		    (rrtype == ns_t_aaaa && ns_rr_rdlen(rr) == 16)) {
			a->addrs = xreallocarray(a->addrs, a->naddrs + 1, sizeof(*a->addrs));
			inet_ntop(rrtype == ns_t_a ? AF_INET : AF_INET6, rd, a->addrs[a->naddrs],
			    sizeof(a->addrs[0]));
			a->naddrs++;
		}
	}
	strip_dot(a->cname);
	return 0;
}

static void dns_send(struct dns_query *);

/* Send waiting queries while there is room. */
static void dns_pump(struct dns *d)
{
	while (d->wait_head && d->inflight < d->max_inflight && !d->closing) {
		struct dns_query *q = d->wait_head;

		d->wait_head = q->wnext;
		if (d->wait_head == NULL)
			d->wait_tail = NULL;
		dns_send(q);
	}
}

static void dns_finish(struct dns_query *q, struct dns_answer *a)
{
	struct dns *d = q->dns;

	q->finished = 1;
	d->inflight--;
	if (q->timer)
		event_del(q->timer);
	dns_call(q, a);
	dns_pump(d);
}

static void dns_query_free(struct dns_query *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else
		q->dns->live = q->next;
	if (q->next)
		q->next->prev = q->prev;
	if (q->timer)
		event_free(q->timer);
	if (q->retry)
		event_free(q->retry);
	free(q);
}

static int dns_ask(struct dns_query *q);

/* The retry's pause is over: the same question again, within the query's own timeout. */
static void dns_resend(evutil_socket_t fd, short what, void *arg)
{
	struct dns_query *q = arg;

	(void)fd;
	(void)what;
	event_free(q->retry);
	q->retry = NULL;
	dns_ask(q);
}

static void dns_ub_cb(void *arg, int rcode, void *pkt, int len, int sec, char *why_bogus,
    int ratelimited)
{
	struct dns_query *q = arg;
	struct dns_answer a;

	(void)ratelimited;
	q->unbound_done = 1;
	if (q->finished || q->dns->closing) { /* timed out earlier, or shutting down */
		dns_query_free(q);
		return;
	}
	/*
	 * A SERVFAIL that is no DNSSEC failure may be the resolver's own trouble of the moment
	 * (libunbound gives one at once while it backs off a forwarder that lost a few
	 * packets: bench/latency.sh at 1% loss). Ask again, DNS_SERVFAIL_RETRIES times at
	 * most, inside the query's timeout, before calling the name broken.
	 */
	if ((rcode == ns_r_servfail ||
	        (rcode == 0 && pkt && len >= 4 && (((unsigned char *)pkt)[3] & 0x0f) == ns_r_servfail)) &&
	    why_bogus == NULL && sec != 1 && q->tries < DNS_SERVFAIL_RETRIES && !q->in_resolve) {
		/* 0.5 s, then 1 s: inside the default 10 s of a query. */
		long ms = 500L << q->tries;
		struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

		q->tries++;
		q->retry = evtimer_new(q->dns->base, dns_resend, q);
		if (q->retry && evtimer_add(q->retry, &tv) == 0)
			return;
	}
	memset(&a, 0, sizeof(a));
	a.sec = !q->dns->validating ? DNSSEC_UNVALIDATED
	    : sec == 2              ? DNSSEC_SECURE
	    : sec == 1              ? DNSSEC_BOGUS
	                            : DNSSEC_INSECURE;
	if (why_bogus)
		snprintf(a.why, sizeof(a.why), "%s", why_bogus);
	if (rcode == ns_r_nxdomain) {
		a.status = DNS_NXDOMAIN;
	} else if (rcode != 0) {
		a.status = DNS_SERVFAIL;
		if (!a.why[0])
			snprintf(a.why, sizeof(a.why), "the resolver answered %s%s",
			    rcode == ns_r_servfail      ? "SERVFAIL"
			        : rcode == ns_r_refused ? "REFUSED"
			                                : "an error",
			    q->tries ? ", asked again and again" : "");
	} else if (pkt == NULL || dns_parse(pkt, (size_t)len, q->rrtype, &a) < 0) {
		a.status = DNS_ERROR;
	}
	dns_finish(q, &a);
	dns_answer_clear(&a);
	if (!q->in_resolve) /* else dns_query() frees q once ub_resolve_event returns */
		dns_query_free(q);
}

static void dns_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct dns_query *q = arg;
	struct dns_answer a;

	(void)fd;
	(void)what;
	memset(&a, 0, sizeof(a));
	a.status = DNS_TIMEOUT;
	snprintf(a.why, sizeof(a.why), "no answer within %.3g s%s", q->dns->timeout_s,
	    q->tries ? " (after SERVFAILs)" : "");
	/* Cancelled queries never call back, so q is freed here; if cancel fails, the late
	 * callback frees it (q->finished tells it to). Between a SERVFAIL and its retry
	 * nothing is with libunbound. */
	dns_finish(q, &a);
	if (q->retry || ub_cancel(q->dns->ctx, q->async_id) == 0)
		dns_query_free(q);
}

static void dns_query_on(struct dns *d, const char *name, int rrtype, dns_cb cb, dns_take_cb take,
    void *arg)
{
	struct dns_query *q = xcalloc(1, sizeof(*q));

	q->dns = d;
	q->next = d->live;
	if (d->live)
		d->live->prev = q;
	d->live = q;
	q->rrtype = rrtype;
	q->cb = cb;
	q->take = take;
	q->arg = arg;
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->timer = evtimer_new(d->base, dns_timeout, q);
	if (q->timer == NULL)
		fatal("cannot create timer");
	if (d->inflight >= d->max_inflight) {
		if (d->wait_tail)
			d->wait_tail->wnext = q;
		else
			d->wait_head = q;
		d->wait_tail = q;
		return;
	}
	dns_send(q);
}

/* On the front's loop: the answer, to the caller. */
static void relay_deliver(void *arg)
{
	struct dns_relay *r = arg;
	struct dns *d = r->front;

	if (r->prev)
		r->prev->next = r->next;
	else
		d->relays = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->cb(&r->a, r->arg);
	dns_answer_clear(&r->a);
	free(r);
}

/* On the shard's loop: the answer is taken as it is (its allocations move with it) and
 * posted home. A cancelled one is the front's to end (dns_free_front). */
static void relay_answered(struct dns_answer *a, void *arg)
{
	struct dns_relay *r = arg;

	if (a->status == DNS_CANCELLED)
		return;
	r->a = *a;
	memset(a, 0, sizeof(*a));
	mailbox_post(r->front->home, relay_deliver, r);
}

/* On the shard's loop. */
static void relay_ask(void *arg)
{
	struct dns_relay *r = arg;

	dns_query_on(r->shard, r->name, r->rrtype, NULL, relay_answered, r);
}

void dns_query(struct dns *d, const char *name, int rrtype, dns_cb cb, void *arg)
{
	struct dns_relay *r;

	if (d->workers == NULL) {
		dns_query_on(d, name, rrtype, cb, NULL, arg);
		return;
	}
	r = xcalloc(1, sizeof(*r));
	r->front = d;
	r->worker = hash_str(HASH_INIT, name, 1) % d->nshards;
	r->shard = d->shard[r->worker];
	r->rrtype = rrtype;
	r->cb = cb;
	r->arg = arg;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->next = d->relays;
	if (d->relays)
		d->relays->prev = r;
	d->relays = r;
	workers_post(d->workers, r->worker, relay_ask, r);
}

/* The timeout starts when the query is sent: it measures the resolver, not our queue. */
/* Hand q to libunbound: 0 while it is there; -1 when it has ended already (an error, or
 * local data answering before ub_resolve_event returned) and q is freed. */
static int dns_ask(struct dns_query *q)
{
	int rc;

	q->unbound_done = 0;
	q->in_resolve = 1;
	rc = ub_resolve_event(q->dns->ctx, q->name, q->rrtype, ns_c_in, q, dns_ub_cb,
	    &q->async_id);
	q->in_resolve = 0;
	if (rc != 0) {
		struct dns_answer a;

		memset(&a, 0, sizeof(a));
		a.status = DNS_ERROR;
		snprintf(a.why, sizeof(a.why), "%s", ub_strerror(rc));
		dns_finish(q, &a);
		dns_query_free(q);
		return -1;
	}
	if (q->unbound_done) { /* answered from local data before ub_resolve_event returned */
		dns_query_free(q);
		return -1;
	}
	return 0;
}

static void dns_send(struct dns_query *q)
{
	struct dns *d = q->dns;
	struct timeval tv;

	d->inflight++;
	if (dns_ask(q) < 0)
		return;
	tv.tv_sec = (time_t)d->timeout_s;
	tv.tv_usec = (suseconds_t)((d->timeout_s - (double)tv.tv_sec) * 1e6);
	evtimer_add(q->timer, &tv);
}
