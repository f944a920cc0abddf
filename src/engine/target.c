/*
 * target.c - domain -> MX -> address -> probe, on the event loop. MX handling follows
 * RFC 5321 5.1 (implicit MX), RFC 7505 (null MX) and RFC 2181 10.3 (no aliases); every
 * address of every MX is a probe of its own; identical host/address/port probes are made
 * once and shared. A domain completes when its last query and last probe have.
 */
#include <arpa/nameser.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "base/util.h"
#include "conf/policy.h"
#include "conf/limits.h"
#include "engine/revocation.h"
#include "engine/target.h"
#include "engine/tlsscan.h"
#include "pki/revocation.h"
#include "mailpolicy/autoconfig.h"
#include "model/verdict.h"
#include "net/sched.h"
#include "net/workers.h"
#include "pki/dane.h"
#include "proto/dialect.h"
#include "tls/tlsinfo.h"

/*
 * One probe as the engine schedules it: the probe holds what was observed, the job how it
 * is shared, scheduled and cached. Every probe of the engine lives in a job.
 */
struct job {
	struct probe probe;
	struct engine *e;
	struct sched_job sj;     /* its place in the scheduler */
	struct session *session; /* while its session runs */
	struct tlsscan *scan;    /* while --tls-scan maps its server */
	void (*then)(struct job *); /* ... and where the job goes on after it */
	int admitted;            /* holds a place in the scheduler, until its connections end */
	size_t worker;           /* --workers: the loop its connections run on */
	int scheduled;           /* submitted to the scheduler (or judged without one) */
	int done;                /* judged: complete */
	struct domain **waiters; /* domains waiting for it */
	size_t nwaiters;
	int refs;   /* domains holding it */
	int in_lru; /* in the cache of completed, unused probes */
	struct job *lru_prev, *lru_next;
	struct job *hnext; /* the probe map's chain */
};

#define JOB_OF(p) ((struct job *)((char *)(p)-offsetof(struct job, probe)))

struct engine {
	struct event_base *base;
	struct engine_config cfg;
	struct run *run;
	struct sched *sched;
	struct job **map; /* host|address|port -> job */
	size_t nmap;
	size_t domains_in_flight;
	/* Completed probes no domain in flight refers to, most recently used first: kept so that
	 * later domains behind the same MX reuse them, bounded so that a million-domain
	 * --jsonl scan does not keep every result. */
	struct job *lru_head, *lru_tail;
	size_t nlru;
	struct domain *live; /* domains in flight, freed by engine_free() after an interrupt */
	struct policy_env policy_env;
	/* --workers: sessions, verification and --tls-scan run on the workers' loops; what
	 * they find comes back through this loop's mailbox, in which all the rest happens. */
	struct mailbox *mailbox;
	struct tlsscan_env *scan_env; /* one per worker, on its loop */
};

/* The context of one address query: which domain and which of its MX hosts. */
struct addr_query {
	struct engine *e;
	struct domain *d;
	size_t mx; /* index into d->mx, which is complete before any address query starts */
	int rrtype;
};

/* Host names compare without case. */
static size_t probe_hash(const char *host, const char *addr, uint16_t port)
{
	char ps[8];

	snprintf(ps, sizeof(ps), "|%u", (unsigned)port);
	return hash_str(hash_str(hash_str(HASH_INIT, host, 1), addr, 0), ps, 0);
}

static void domain_complete(struct engine *e, struct domain *d);

static void domain_release(struct engine *e, struct domain *d)
{
	if (--d->pending == 0)
		domain_complete(e, d);
}

/* The hold of a policy lookup (struct policy_env). */
static void domain_hold(struct domain *d)
{
	d->pending++;
}

static void domain_unhold(struct domain *d)
{
	domain_release(d->engine, d);
}

/* Everything about the probe is known: the verdict, then every domain waiting gets it. */
static void job_finish(void *arg)
{
	struct job *j = arg;
	struct engine *e = j->e;
	struct probe *p = &j->probe;
	struct domain **w = j->waiters;
	size_t n = j->nwaiters;

	if (e->cfg.rev && revocation_asked(e->cfg.rev))
		rev_findings(p);
	verdict_probe(p, e->cfg.verdict);
	if (!e->cfg.keep_chain && p->chain) {
		sk_X509_pop_free(p->chain, X509_free);
		p->chain = NULL;
		if (p->path)
			sk_X509_pop_free(p->path, X509_free);
		p->path = NULL;
	}
	j->done = 1;
	j->waiters = NULL;
	j->nwaiters = 0;
	for (size_t i = 0; i < n; i++)
		domain_release(e, w[i]);
	free(w);
}

/* The connections to the server are over: revocation may have to ask a responder. */
static void job_revoke(struct job *j)
{
	struct engine *e = j->e;

	if (j->admitted) {
		j->admitted = 0;
		sched_done(e->sched, &j->sj);
	}
	if (e->cfg.rev && revocation_probe(e->cfg.rev, &j->probe, job_finish, j) > 0)
		return;
	job_finish(j);
}

static void job_scanned(void *arg)
{
	struct job *j = arg;

	j->scan = NULL;
	j->then(j);
}

/* A session ended: judge what it saw; with --tls-scan, map the server first, in the
 * probe's place in the scheduler, so that --per-host bounds the map's connections too.
 * Then the job goes on to then(). */
static void job_inspect(struct job *j, const struct tlsscan_env *scan, void (*then)(struct job *))
{
	struct probe *p = &j->probe;

	verify_probe(p, j->e->cfg.vp);
	dane_judge(p, j->e->cfg.vp);
	if (scan && tlsscan_applies(p)) {
		j->then = then;
		j->scan = tlsscan_start(scan, p, job_scanned, j);
		return;
	}
	then(j);
}

static void job_judge(struct job *j)
{
	job_inspect(j, j->e->cfg.scan, job_revoke);
}

static void job_session_done(struct probe *p, void *arg)
{
	(void)p;
	job_judge(arg);
}

/*
 * --workers. From the session's start to its verdict's inputs (verification, DANE, the TLS
 * map) a job's probe belongs to its worker's thread; the engine's thread touches only the
 * job's own fields meanwhile (waiters, references), and takes the probe back when
 * job_back runs on its loop. Scheduling, sharing, revocation and verdicts stay here, so
 * --per-host, --per-ip-rate and "one probe per server" hold whatever the worker.
 */
static void job_back(void *arg)
{
	job_revoke(arg);
}

static void job_hand_back(struct job *j)
{
	mailbox_post(j->e->mailbox, job_back, j);
}

static void job_remote_done(struct probe *p, void *arg)
{
	struct job *j = arg;
	struct engine *e = j->e;

	(void)p;
	job_inspect(j, e->scan_env ? &e->scan_env[j->worker] : NULL, job_hand_back);
}

static void job_remote_start(void *arg)
{
	struct job *j = arg;
	struct engine *e = j->e;

	session_start(workers_base(e->cfg.workers, j->worker), e->cfg.sp, &j->probe, &j->session,
	    job_remote_done, j);
}

static void job_start(struct sched_job *sj)
{
	struct job *j = (struct job *)((char *)sj - offsetof(struct job, sj));
	struct engine *e = j->e;

	j->admitted = 1;
	if (e->cfg.workers) {
		/* One address, one loop. */
		j->worker = hash_str(HASH_INIT, j->probe.address, 0) % workers_count(e->cfg.workers);
		workers_post(e->cfg.workers, j->worker, job_remote_start, j);
		return;
	}
	session_start(e->base, e->cfg.sp, &j->probe, &j->session, job_session_done, j);
}

static void lru_unlink(struct engine *e, struct job *j)
{
	if (!j->in_lru)
		return;
	if (j->lru_prev)
		j->lru_prev->lru_next = j->lru_next;
	else
		e->lru_head = j->lru_next;
	if (j->lru_next)
		j->lru_next->lru_prev = j->lru_prev;
	else
		e->lru_tail = j->lru_prev;
	j->lru_prev = j->lru_next = NULL;
	j->in_lru = 0;
	e->nlru--;
}

static void lru_push(struct engine *e, struct job *j)
{
	j->lru_prev = NULL;
	j->lru_next = e->lru_head;
	if (e->lru_head)
		e->lru_head->lru_prev = j;
	else
		e->lru_tail = j;
	e->lru_head = j;
	j->in_lru = 1;
	e->nlru++;
}

static void map_remove(struct engine *e, struct job *j)
{
	struct job **jp =
	    &e->map[probe_hash(j->probe.host, j->probe.address, j->probe.port) % e->nmap];

	while (*jp && *jp != j)
		jp = &(*jp)->hnext;
	if (*jp)
		*jp = j->hnext;
}

static void job_free(struct job *j)
{
	session_abort(j->session);
	tlsscan_abort(j->scan);
	probe_clear(&j->probe);
	free(j->waiters);
	free(j);
}

/* The shared probe for m's host at addr and m's port, created on first use. */
static struct job *job_for(struct engine *e, const struct mx_host *m, const char *addr,
    struct dane_rrset *dane, const struct policy_rule *rule)
{
	size_t h = probe_hash(m->host, addr, m->port) % e->nmap;
	struct job *j;

	/* Under two rules of the policy file one server is two probes: they judge it apart. */
	for (j = e->map[h]; j; j = j->hnext)
		if (strcasecmp(j->probe.host, m->host) == 0 && strcmp(j->probe.address, addr) == 0 &&
		    j->probe.port == m->port && j->probe.mode == m->mode &&
		    j->probe.dialect == m->dialect && j->probe.rule == rule)
			break;
	if (j == NULL) {
		j = xcalloc(1, sizeof(*j));
		probe_init(&j->probe, m->host, addr, m->port, m->mode, m->dialect, m->dialect->name);
		j->probe.service = m->service;
		j->probe.dane = dane_rrset_ref(dane);
		j->probe.rule = rule;
		j->e = e;
		j->sj.key = j->probe.address;
		j->sj.start = job_start;
		j->hnext = e->map[h];
		e->map[h] = j;
	}
	lru_unlink(e, j); /* in use again */
	j->refs++;
	return j;
}

static void mx_add_probe(struct domain *d, struct mx_host *m, struct probe *p)
{
	m->probes = xreallocarray(m->probes, m->nprobes + 1, sizeof(*m->probes));
	m->probes[m->nprobes++] = p;
	if (d->host_mode)
		run_add(d->engine->run, p); /* --host: the view lists probes, not domains */
}

static void mx_attach(struct engine *e, struct domain *d, struct mx_host *m, const char *addr)
{
	struct job *j;

	for (size_t i = 0; i < m->nprobes; i++)
		if (strcmp(m->probes[i]->address, addr) == 0)
			return;
	j = job_for(e, m, addr, m->dane,
	    org_policy_rule(e->cfg.org_policy, d->host_mode ? NULL : d->name, m->host));
	mx_add_probe(d, m, &j->probe);
	if (j->done)
		return;
	j->waiters = xreallocarray(j->waiters, j->nwaiters + 1, sizeof(*j->waiters));
	j->waiters[j->nwaiters++] = d;
	d->pending++;
	if (d->file_chain) {
		/* check --chain: the file is what a session would have captured. */
		j->scheduled = 1;
		j->probe.chain = d->file_chain;
		j->probe.source = "file";
		d->file_chain = NULL;
		if (d->file_key > 0)
			probe_add(&j->probe, F_CERT_KEY_MATCHES, 0,
			    "the private key in %s belongs to the server certificate", d->file_key_path);
		else if (d->file_key < 0)
			probe_add(&j->probe, F_CERT_KEY_MISMATCH, 0,
			    "the private key in %s does not belong to the server certificate",
			    d->file_key_path);
		job_judge(j);
		return;
	}
	if (!j->scheduled) {
		j->scheduled = 1;
		sched_submit(e->sched, &j->sj);
	}
}

/* Every address query of an MX has answered: make its probes, or say why there are none. */
static void mx_resolved(struct engine *e, struct domain *d, struct mx_host *m)
{
	/* Signed TLSA records of a host whose addresses are not signed are not used (a chain
	 * file is judged as if they were: it is the records that are asked about). */
	if (m->dane && m->dane->state == DANE_STATE_SECURE && m->dnssec != DNSSEC_SECURE &&
	    !d->from_file)
		m->dane->state = DANE_STATE_INSECURE;
	if (d->from_file) {
		mx_attach(e, d, m, "file");
		return;
	}
	/* ... nor those of a host named by an unsigned SRV record (RFC 7673 3). */
	if (m->dane && m->dane->state == DANE_STATE_SECURE && m->svc &&
	    d->svc[m->svc - 1].dnssec != DNSSEC_SECURE)
		m->dane->state = DANE_STATE_INSECURE;
	if (m->addrs.n == 0) {
		if (m->implicit)
			domain_add(d, F_MX_NO_ADDRESS,
			    "%s has no MX records and no address%s: it cannot receive mail",
			    d->name, m->dns_error ? m->dns_error : "");
		else if (!d->host_mode)
			domain_add(d, F_MX_NO_ADDRESS, "MX %s (preference %u) has no address%s",
			    m->host, m->preference, m->dns_error ? m->dns_error : "");
		else {
			/* One server asked for by name: the failure is that server's record. */
			struct job *j = job_for(e, m, "", NULL,
			    org_policy_rule(e->cfg.org_policy, NULL, m->host));

			if (!j->done) {
				probe_add(&j->probe, F_DNS_FAILED, -1, "cannot resolve %s%s%s",
				    m->host,
				    e->cfg.family ? (e->cfg.family == 4 ? " (IPv4)" : " (IPv6)")
				                  : "",
				    m->dns_error ? m->dns_error : "");
				verdict_probe(&j->probe, e->cfg.verdict);
				j->scheduled = j->done = 1;
			}
			mx_add_probe(d, m, &j->probe);
		}
		return;
	}
	for (size_t i = 0; i < m->addrs.n; i++)
		mx_attach(e, d, m, m->addrs.v[i]);
}

/* What the TLSA answer means for DANE (RFC 7672 2.2): only signed records are used. */
void target_tlsa_apply(struct dane_rrset *set, const struct dns_answer *a)
{
	if (a->sec == DNSSEC_BOGUS) {
		set->state = DANE_STATE_BOGUS;
		snprintf(set->why, sizeof(set->why), "%s", a->why[0] ? a->why : "bogus");
	} else if (a->status == DNS_NXDOMAIN || (a->status == DNS_OK && a->ntlsa == 0)) {
		set->state = DANE_STATE_NONE;
	} else if (a->status != DNS_OK) {
		set->state = DANE_STATE_FAILED;
		snprintf(set->why, sizeof(set->why), "%s", a->why);
	} else {
		set->state = a->sec == DNSSEC_SECURE ? DANE_STATE_SECURE : DANE_STATE_INSECURE;
		set->rr = xcalloc(a->ntlsa, sizeof(*set->rr));
		for (size_t i = 0; i < a->ntlsa; i++) {
			set->rr[i] = a->tlsa[i];
			set->rr[i].data = (unsigned char *)xmemdup(a->tlsa[i].data, a->tlsa[i].len);
		}
		set->n = a->ntlsa;
	}
}

/* The state of a host's address records: bogus if any is, insecure if any is. */
static int dnssec_combine(int have, enum dnssec_state s)
{
	if (have < 0)
		return (int)s;
	if (have == DNSSEC_BOGUS || s == DNSSEC_BOGUS)
		return DNSSEC_BOGUS;
	if (have == DNSSEC_INSECURE || s == DNSSEC_INSECURE)
		return DNSSEC_INSECURE;
	return have;
}

/* What an A or AAAA answer means for one MX host: its addresses, or why it has none. */
void target_addr_apply(struct domain *d, struct mx_host *m, int rrtype, const struct dns_answer *a)
{
	const char *type = rrtype == ns_t_a ? "A" : "AAAA";

	if (a->status == DNS_OK && a->sec == DNSSEC_BOGUS) {
		domain_add(d, F_DNS_BOGUS, "%s %s: DNSSEC validation failed: %s", m->host, type,
		    a->why);
	} else if (a->status == DNS_OK) {
		for (size_t i = 0; i < a->naddrs; i++)
			strlist_add(&m->addrs, a->addrs[i]);
		if (a->dropped)
			domain_add(d, F_DNS_TRUNCATED,
			    "%s has %zu more %s records than the %zu read; they were not checked",
			    m->host, a->dropped, type, a->naddrs);
		if (a->cname[0] && m->cname == NULL) {
			m->cname = xstrdup(a->cname);
			if (!d->host_mode && !m->implicit)
				domain_add(d, F_MX_CNAME,
				    "MX %s is an alias of %s (RFC 2181 10.3: an MX must "
				    "name a host, "
				    "not an alias); the certificate is judged against %s",
				    m->host, a->cname, m->host);
		}
		m->dnssec = dnssec_combine(m->dnssec, a->sec);
	} else {
		char *prev = m->dns_error;
		m->dns_error = xasprintf("%s (%s: %s)", prev ? prev : "", type,
		    a->status == DNS_NXDOMAIN ? "NXDOMAIN" : a->why);
		free(prev);
	}
}

static void addr_answer(const struct dns_answer *a, void *arg)
{
	struct addr_query *q = arg;
	struct engine *e = q->e;
	struct domain *d = q->d;
	struct mx_host *m;
	int rrtype = q->rrtype;

	if (a->status == DNS_CANCELLED) {
		free(q);
		return;
	}
	m = &d->mx[q->mx];

	if (rrtype == DNS_T_TLSA) {
		free(q);
		target_tlsa_apply(m->dane, a);
		if (a->dropped)
			domain_add(d, F_DNS_TRUNCATED,
			    "%s has %zu more TLSA records than the %zu read; they were not matched",
			    m->dane->owner, a->dropped, a->ntlsa);
		if (--m->pending == 0)
			mx_resolved(e, d, m);
		domain_release(e, d);
		return;
	}
	free(q);
	target_addr_apply(d, m, rrtype, a);
	if (--m->pending == 0)
		mx_resolved(e, d, m);
	domain_release(e, d);
}

static int want_type(const struct engine *e, const struct domain *d, int rrtype)
{
	if (rrtype == DNS_T_TLSA)
		return e->cfg.dns && dns_validating(e->cfg.dns) && !e->cfg.no_dane;
	if (d->from_file)
		return 0; /* a chain file has no address to connect to */
	return !((rrtype == ns_t_a && e->cfg.family == 6) ||
	    (rrtype == ns_t_aaaa && e->cfg.family == 4));
}

static void mx_lookup(struct engine *e, struct domain *d, size_t i)
{
	static const int types[] = {ns_t_a, ns_t_aaaa, DNS_T_TLSA};
	struct mx_host *m = &d->mx[i];

	/* Count every query before issuing either: an answer from local data (the hosts
	 * file) comes back inside dns_query() and must not see the count reach zero early. */
	for (size_t t = 0; t < 3; t++)
		if (want_type(e, d, types[t])) {
			m->pending++;
			d->pending++;
		}
	if (m->pending == 0) {
		mx_resolved(e, d, m); /* a chain file without DNSSEC: nothing to ask */
		return;
	}
	if (want_type(e, d, DNS_T_TLSA))
		m->dane = dane_rrset_new(m->host, m->port);
	for (size_t t = 0; t < 3; t++) {
		struct addr_query *q;

		if (!want_type(e, d, types[t]))
			continue;
		q = xcalloc(1, sizeof(*q));
		q->e = e;
		q->d = d;
		q->mx = i;
		q->rrtype = types[t];
		dns_query(e->cfg.dns, types[t] == DNS_T_TLSA ? m->dane->owner : m->host, types[t],
		    addr_answer, q);
	}
}

static struct mx_host *mx_add(struct domain *d, const char *host, unsigned pref)
{
	struct mx_host *m;

	d->mx = xreallocarray(d->mx, d->nmx + 1, sizeof(*d->mx));
	m = &d->mx[d->nmx++];
	memset(m, 0, sizeof(*m));
	m->host = xstrdup(host);
	m->preference = pref;
	m->dnssec = -1;
	return m;
}

static int mx_cmp(const void *a, const void *b)
{
	const struct dns_mx *x = a, *y = b;

	if (x->preference != y->preference)
		return x->preference < y->preference ? -1 : 1;
	return strcasecmp(x->host, y->host);
}

/* How the engine speaks to an MX host: its one port, mode and dialect. */
static void mx_speak_default(const struct engine *e, struct mx_host *m)
{
	const struct mail_service *svc = mail_service_by_port(e->cfg.port);

	m->port = e->cfg.port;
	m->mode = e->cfg.mode;
	m->dialect = e->cfg.dialect;
	if (svc && svc->dialect == m->dialect && svc->mode == m->mode)
		m->service = svc->name;
}

/* Start the address lookups of the hosts from index from on; a literal needs none. */
static void hosts_resolve(struct engine *e, struct domain *d, size_t from)
{
	d->pending++; /* hold the domain open while the lookups are issued */
	for (size_t i = from; i < d->nmx; i++) {
		struct mx_host *m = &d->mx[i];

		if (m->dialect == NULL)
			mx_speak_default(e, m);
		if (m->ip_literal || (d->host_mode && addr_is_ip(m->host))) {
			strlist_add(&m->addrs, m->host);
			mx_resolved(e, d, m);
		} else if (m->addrs.n) {
			mx_resolved(e, d, m);
		} else {
			mx_lookup(e, d, i);
		}
	}
	domain_release(e, d);
}

/*
 * What an MX answer means for d: its MX hosts in preference order with the findings about
 * them, or why there are none. Returns 1 when the hosts' addresses are to be looked up.
 */
int target_mx_apply(struct domain *d, const struct dns_answer *a)
{
	struct dns_mx *mx;
	size_t n = 0, nulls = 0;

	d->dnssec = a->sec;
	if (a->status == DNS_NXDOMAIN) {
		d->mx_failed = 1;
		domain_add(d, F_DNS_NXDOMAIN, "%s does not exist (NXDOMAIN)", d->name);
		return 0;
	}
	if (a->status != DNS_OK) {
		d->mx_failed = 1;
		domain_add(d, F_DNS_FAILED, "MX lookup for %s failed: %s", d->name, a->why);
		return 0;
	}
	if (a->sec == DNSSEC_BOGUS) {
		d->mx_failed = 1;
		domain_add(d, F_DNS_BOGUS, "MX of %s: DNSSEC validation failed: %s", d->name,
		    a->why);
		return 0;
	}
	if (a->dropped)
		domain_add(d, F_DNS_TRUNCATED,
		    "%s has %zu more MX records than the %zu read; they were not checked", d->name,
		    a->dropped, a->nmx);
	mx = xcalloc(a->nmx + 1, sizeof(*mx));
	if (a->nmx)
		memcpy(mx, a->mx, a->nmx * sizeof(*mx));
	qsort(mx, a->nmx, sizeof(*mx), mx_cmp);
	for (size_t i = 0; i < a->nmx; i++)
		if (strcmp(mx[i].host, ".") == 0)
			nulls++;
	if (nulls && nulls == a->nmx) {
		domain_add(d, F_MX_NULL, "%s publishes a null MX (RFC 7505): it accepts no mail",
		    d->name);
		free(mx);
		return 0;
	}
	if (nulls)
		domain_add_arg(d, F_MX_NULL, 1,
		    "%s mixes a null MX with other MX records; RFC 7505 3 says a null MX must "
		    "be the only one, and senders may treat the domain as accepting no mail",
		    d->name);
	for (size_t i = 0; i < a->nmx; i++) {
		struct mx_host *m;

		if (strcmp(mx[i].host, ".") == 0)
			continue;
		m = mx_add(d, mx[i].host, mx[i].preference);
		n++;
		if (addr_is_ip(m->host)) {
			m->ip_literal = 1;
			domain_add(d, F_MX_IP_LITERAL,
			    "MX %s is an address literal, not a host name (RFC 5321 5.1); "
			    "checked at that address, judged against that address",
			    m->host);
		}
	}
	free(mx);
	if (n == 0) {
		struct mx_host *m = mx_add(d, d->name, 0);
		m->implicit = 1;
		domain_add(d, F_MX_IMPLICIT,
		    "%s has no MX records: mail goes to its own address records (RFC 5321 5.1)",
		    d->name);
	}
	return 1;
}

static void mx_answer(const struct dns_answer *a, void *arg)
{
	struct domain *d = arg;
	struct engine *e = d->engine;
	size_t from = d->nmx; /* an SRV answer may have come first */

	if (a->status == DNS_CANCELLED)
		return; /* the engine frees the domain */
	if (target_mx_apply(d, a))
		hosts_resolve(e, d, from);
	domain_release(e, d);
}

static int srv_cmp(const void *a, const void *b)
{
	const struct dns_srv *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1; /* the heavier is tried more often */
	return strcasecmp(x->host, y->host);
}

/* The host of client service si at host:port, added when d has none yet (an SRV record and
 * the autoconfig file may both name it: one host, one probe, both sources said). */
static struct mx_host *svc_host(struct domain *d, size_t si, const char *host, unsigned port,
    unsigned priority)
{
	const struct mail_service *ms = mail_service_by_name(d->svc[si].name);
	struct mx_host *m;

	for (size_t i = 0; i < d->nmx; i++)
		if (d->mx[i].svc == si + 1 && d->mx[i].port == port &&
		    strcasecmp(d->mx[i].host, host) == 0)
			return &d->mx[i];
	m = mx_add(d, host, priority);
	m->port = (uint16_t)port;
	m->mode = ms->mode;
	m->dialect = ms->dialect;
	m->service = ms->name;
	m->svc = si + 1;
	m->ip_literal = addr_is_ip(m->host);
	return m;
}

/*
 * What the SRV answer of client service si means for d (RFC 2782, RFC 6186): its hosts,
 * appended to d->mx in priority order, each spoken to as the service is, or why there are
 * none. Returns the index of the first host it added.
 */
size_t target_srv_apply(struct domain *d, size_t si, const struct dns_answer *a)
{
	struct service_state *st = &d->svc[si];
	size_t from = d->nmx, nsrv = a->nsrv, found = 0;
	struct dns_srv *v;

	st->dnssec = a->sec;
	if (a->status == DNS_OK && a->sec == DNSSEC_BOGUS) {
		st->state = SVC_FAILED;
		domain_add(d, F_DNS_BOGUS, "%s SRV: DNSSEC validation failed: %s", st->owner,
		    a->why);
		return from;
	}
	if (a->status == DNS_NXDOMAIN || (a->status == DNS_OK && nsrv == 0)) {
		st->state = SVC_MISSING;
		domain_add(d, F_SRV_MISSING,
		    "no %s SRV record: mail clients cannot find the %s service of %s (port %u) "
		    "by RFC 6186 and must be set up by hand",
		    st->owner, st->name, d->name, st->port);
		return from;
	}
	if (a->status != DNS_OK) {
		st->state = SVC_FAILED;
		domain_add(d, F_DNS_FAILED, "SRV lookup for %s failed: %s", st->owner, a->why);
		return from;
	}
	if (a->dropped)
		domain_add(d, F_DNS_TRUNCATED,
		    "%s has %zu more SRV records than the %zu read; they were not checked",
		    st->owner, a->dropped, nsrv);
	v = xcalloc(nsrv, sizeof(*v));
	memcpy(v, a->srv, nsrv * sizeof(*v));
	qsort(v, nsrv, sizeof(*v), srv_cmp);
	if (nsrv == 1 && strcmp(v[0].host, ".") == 0) {
		st->state = SVC_NOT_OFFERED;
		domain_add(d, F_SRV_NOT_OFFERED,
		    "%s has the target \".\": %s says it offers no %s service (RFC 6186 3.4)",
		    st->owner, d->name, st->name);
		free(v);
		return from;
	}
	for (size_t i = 0; i < nsrv; i++) {
		struct mx_host *m;

		if (strcmp(v[i].host, ".") == 0 || v[i].port == 0) {
			domain_add(d, F_SRV_NOT_OFFERED,
			    "%s: the record \"%u %u %u %s\" names no server (RFC 2782: \".\" "
			    "stands alone); it was skipped",
			    st->owner, v[i].priority, v[i].weight, v[i].port, v[i].host);
			continue;
		}
		m = svc_host(d, si, v[i].host, v[i].port, v[i].priority);
		m->preference = v[i].priority;
		m->weight = v[i].weight;
		m->from_srv = 1;
		found++;
	}
	free(v);
	st->state = found ? SVC_FOUND : SVC_NOT_OFFERED;
	return from;
}

/*
 * RFC 6186 6 (and RFC 7817 3): a host named by an SRV answer that is not DNSSEC-signed may
 * not be used as the name to check; a strict client checks the domain's own name, or asks
 * its user. Said once for the domain, naming the answers.
 */
void target_explain_srv(struct domain *d)
{
	char owners[400] = "";
	size_t n = 0;

	for (size_t i = 0; i < d->nsvc; i++) {
		size_t l = strlen(owners);

		if (d->svc[i].state != SVC_FOUND || d->svc[i].dnssec == DNSSEC_SECURE)
			continue;
		snprintf(owners + l, sizeof(owners) - l, "%s%s", n++ ? ", " : "",
		    d->svc[i].owner);
	}
	if (n)
		domain_add(d, F_SRV_NAME_INSECURE,
		    "%s %s not DNSSEC-signed, so RFC 6186 6 has a client check each certificate "
		    "for %s itself (or ask its user to accept the host the record names); mailtls "
		    "judged each host for its own name, as most clients do",
		    owners, n == 1 ? "is" : "are", d->name);
}

/* Which client service a server of the autoconfig file is: SSL is implicit TLS (465, 993,
 * 995), STARTTLS and plain the upgrade ports. */
static const char *autoconfig_service(const struct ac_server *s)
{
	int ssl = s->socket == AC_SOCKET_SSL;

	switch (s->proto) {
	case AC_SMTP:
		return ssl ? "submissions" : "submission";
	case AC_IMAP:
		return ssl ? "imaps" : "imap";
	default:
		return ssl ? "pop3s" : "pop3";
	}
}

/*
 * What the autoconfig fetch of d found: the servers of the services asked for join their
 * hosts (one host named by both the SRV record and the file is one probe), a server that
 * clients are told to use without TLS is said, and so is a file that is absent or refused.
 * Returns the index of the first host it added.
 */
size_t target_autoconfig_apply(struct domain *d, const struct autoconfig_found *f)
{
	const struct ac_config *c = &f->cfg;
	size_t from = d->nmx, used = 0, other = 0;

	if (!f->parsed) {
		domain_add(d, f->http_status == 200 ? F_AUTOCONFIG_INVALID : F_AUTOCONFIG_MISSING,
		    "%s: %s", f->url, f->error ? f->error : "no file");
		return from;
	}
	if (c->invalid)
		domain_add(d, F_AUTOCONFIG_INVALID, "%s: %zu server%s not used: %s", f->url,
		    c->invalid, c->invalid == 1 ? " is" : "s are", c->why);
	if (c->n == 0) {
		if (!c->invalid)
			domain_add(d, F_AUTOCONFIG_INVALID, "%s names no IMAP, POP3 or SMTP server",
			    f->url);
		return from;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct ac_server *sv = &c->servers[i];
		const char *name = autoconfig_service(sv);
		size_t si = 0;

		while (si < d->nsvc && strcmp(d->svc[si].name, name) != 0)
			si++;
		if (sv->socket == AC_SOCKET_PLAIN)
			domain_add(d, F_AUTOCONFIG_PLAINTEXT,
			    "%s (line %u) tells mail clients to use %s %s:%u without TLS (socketType "
			    "plain): their passwords and mail go in the clear",
			    f->url, sv->line, autoconfig_proto_name(sv->proto), sv->host, sv->port);
		if (si == d->nsvc) {
			other++; /* a port not asked for */
			continue;
		}
		svc_host(d, si, sv->host, sv->port, 0)->from_autoconfig = 1;
		used++;
	}
	domain_add(d, F_AUTOCONFIG_OK, "%s names %zu server%s; %zu of the ports asked for%s", f->url,
	    c->n, c->n == 1 ? "" : "s", used,
	    other ? " (the rest: ports not asked for; --all-ports checks them)" : "");
	return from;
}

struct autoconfig_query {
	struct engine *e;
	struct domain *d;
	int rrtype;
};

static void autoconfig_fetched(const struct https_result *r, void *arg)
{
	struct autoconfig_query *q = arg;
	struct engine *e = q->e;
	struct domain *d = q->d;
	struct autoconfig_found *f;

	free(q);
	if (r->cancelled)
		return; /* the engine frees the domain */
	f = d->autoconfig;
	f->http_status = r->status;
	if (r->err[0])
		f->error = xasprintf("%s", r->err);
	else if (r->too_large)
		f->error = xasprintf("larger than %d bytes", AC_FILE_MAX);
	else if (r->status != 200)
		f->error = xasprintf("HTTP status %ld, not 200%s", r->status,
		    r->status >= 300 && r->status < 400 ? " (redirects are not followed)" : "");
	else if (autoconfig_parse(r->body ? r->body : "", r->body ? r->len : 0, d->name, &f->cfg) != 0)
		f->error = xasprintf("%s", f->cfg.why);
	else
		f->parsed = 1;
	hosts_resolve(e, d, target_autoconfig_apply(d, f));
	domain_release(e, d);
}

/* autoconfig.DOMAIN's address (A, then AAAA), then the file from there, as Thunderbird asks
 * for it: HTTPS, the certificate valid for that name, no redirects, at most AC_FILE_MAX. */
static void autoconfig_addr(const struct dns_answer *a, void *arg)
{
	struct autoconfig_query *q = arg;
	struct engine *e = q->e;
	struct domain *d = q->d;
	struct autoconfig_found *f;
	char host[300];

	if (a->status == DNS_CANCELLED) {
		free(q);
		return;
	}
	f = d->autoconfig;
	snprintf(host, sizeof(host), "autoconfig.%s", d->name);
	if (a->status == DNS_OK && a->naddrs > 0 && a->sec != DNSSEC_BOGUS) {
		snprintf(f->addr, sizeof(f->addr), "%s", a->addrs[0]);
		https_get(e->cfg.https, f->url, host, f->addr, e->cfg.https_timeout_s,
		    AC_FILE_MAX, autoconfig_fetched, q);
		return; /* the domain stays held for the fetch */
	}
	if (q->rrtype == ns_t_a && e->cfg.family != 4) {
		q->rrtype = ns_t_aaaa;
		dns_query(e->cfg.dns, host, ns_t_aaaa, autoconfig_addr, q);
		return;
	}
	free(q);
	f->error = xasprintf("%s has no address%s", host,
	    a->sec == DNSSEC_BOGUS ? " (DNSSEC bogus)" : "");
	hosts_resolve(e, d, target_autoconfig_apply(d, f));
	domain_release(e, d);
}

static void autoconfig_start(struct engine *e, struct domain *d)
{
	struct autoconfig_query *q = xcalloc(1, sizeof(*q));
	char host[300];

	d->autoconfig = xcalloc(1, sizeof(*d->autoconfig));
	snprintf(d->autoconfig->url, sizeof(d->autoconfig->url),
	    "https://autoconfig.%s/mail/config-v1.1.xml", d->name);
	snprintf(host, sizeof(host), "autoconfig.%s", d->name);
	q->e = e;
	q->d = d;
	q->rrtype = e->cfg.family == 6 ? ns_t_aaaa : ns_t_a;
	d->pending++;
	dns_query(e->cfg.dns, host, q->rrtype, autoconfig_addr, q);
}

struct srv_query {
	struct engine *e;
	struct domain *d;
	size_t si; /* index into d->svc, which is complete before any SRV query starts */
};

static void srv_answer(const struct dns_answer *a, void *arg)
{
	struct srv_query *q = arg;
	struct engine *e = q->e;
	struct domain *d = q->d;
	size_t si = q->si;

	free(q);
	if (a->status == DNS_CANCELLED)
		return;
	hosts_resolve(e, d, target_srv_apply(d, si, a));
	domain_release(e, d);
}

/* "Say plainly when only a backup MX or only IPv6 is broken." */
void target_explain_partial(struct domain *d)
{
	size_t bad = 0, total = 0, bad_primary = 0, bad_v6 = 0, bad_v4 = 0, v4 = 0, v6 = 0;
	unsigned best = (unsigned)-1;
	char names[256] = "";

	for (size_t i = 0; i < d->nmx; i++)
		if (d->mx[i].svc == 0 && d->mx[i].preference < best)
			best = d->mx[i].preference;
	for (size_t i = 0; i < d->nmx; i++) {
		const struct mx_host *m = &d->mx[i];
		int mx_bad = 0;

		if (m->svc)
			continue; /* the client services are judged each on its own */
		for (size_t j = 0; j < m->nprobes; j++) {
			const struct probe *p = m->probes[j];
			int v6addr = strchr(p->address, ':') != NULL;
			int broken = p->status == STATUS_CRIT;

			if (p->status == STATUS_UNKNOWN)
				continue; /* not judged (refused for now, no route): neither works
				             nor is broken */
			total++;
			v6 += v6addr;
			v4 += !v6addr;
			if (!broken)
				continue;
			bad++;
			mx_bad = 1;
			bad_v6 += v6addr;
			bad_v4 += !v6addr;
			if (m->preference == best)
				bad_primary++;
		}
		if (mx_bad && m->preference != best) {
			size_t l = strlen(names);
			snprintf(names + l, sizeof(names) - l, "%s%s (preference %u)",
			    l ? ", " : "", m->host, m->preference);
		}
	}
	if (bad == 0 || bad == total)
		return;
	if (bad_primary == 0)
		domain_add(d, F_MX_PARTIAL,
		    "only the backup MX %s is broken; the primary MX (preference %u) works, "
		    "so mail "
		    "flows until it fails over",
		    names, best);
	else if (bad_v6 == bad && v4 > bad_v4)
		domain_add(d, F_MX_PARTIAL,
		    "only IPv6 is broken (%zu of %zu IPv6 probes); IPv4 works, so senders "
		    "without IPv6, or that fall back to IPv4, still deliver",
		    bad_v6, v6);
	else if (bad_v4 == bad && v6 > bad_v6)
		domain_add(d, F_MX_PARTIAL,
		    "only IPv4 is broken (%zu of %zu IPv4 probes); IPv6 works", bad_v4, v4);
	else
		domain_add(d, F_MX_PARTIAL, "%zu of %zu probes are broken", bad, total);
}

/* Some addresses had no route from this machine: the verdict stands on the others. */
static void explain_untested(struct domain *d)
{
	size_t total, n = domain_probes_with(d, F_ADDRESS_UNROUTED, &total), v6 = 0;

	if (n == 0 || n == total)
		return; /* none, or every probe says it itself */
	for (size_t i = 0; i < d->nmx; i++)
		for (size_t j = 0; j < d->mx[i].nprobes; j++)
			v6 += probe_has(d->mx[i].probes[j], F_ADDRESS_UNROUTED) &&
			    strchr(d->mx[i].probes[j]->address, ':') != NULL;
	domain_add(d, F_ADDRESSES_UNTESTED,
	    "%zu of %zu addresses were not tested: this machine has no route to them%s; the "
	    "verdict stands on the others (%s leaves them out)",
	    n, total, v6 == n ? " (IPv6)" : "", v6 == n ? "-4" : "-4 or -6");
}

/*
 * RFC 7672 2.2: DANE applies only to hosts whose records are DNSSEC-signed. When nothing
 * about a domain is signed, say once why DANE cannot apply, rather than nothing at all.
 */
static void explain_no_dane(struct engine *e, struct domain *d)
{
	int any = 0, secure_host = 0;

	if (!dns_validating(e->cfg.dns) || e->cfg.no_dane || d->mx_failed || d->nmx == 0)
		return;
	for (size_t i = 0; i < d->nmx; i++) {
		const struct mx_host *m = &d->mx[i];

		if (m->dane == NULL || m->svc)
			continue;
		any = 1;
		if (m->dane->state != DANE_STATE_NONE && m->dane->state != DANE_STATE_INSECURE)
			return; /* DANE applies somewhere: the probes say how it went */
		secure_host |= m->dnssec == DNSSEC_SECURE;
	}
	if (!any)
		return;
	if (d->dnssec != DNSSEC_SECURE && !d->host_mode && !secure_host)
		domain_add(d, F_DANE_NOT_DNSSEC,
		    "neither the MX records of %s nor its MX hosts are DNSSEC-signed: DANE cannot "
		    "apply",
		    d->name);
	else if (!secure_host)
		domain_add(d, F_DANE_NOT_DNSSEC,
		    "the address records of the MX hosts of %s are not DNSSEC-signed: DANE cannot "
		    "apply (RFC 7672 2.2)",
		    d->name);
}

static void domain_complete(struct engine *e, struct domain *d)
{
	explain_no_dane(e, d);
	if (e->cfg.policy)
		policy_judge(d, e->cfg.policy);
	target_explain_partial(d);
	explain_untested(d);
	target_explain_srv(d);
	verdict_domain(d, e->cfg.verdict);
	e->domains_in_flight--;
	if (d->prev)
		d->prev->next = d->next;
	else
		e->live = d->next;
	if (d->next)
		d->next->prev = d->prev;
	d->prev = d->next = NULL;
	verdict_run_add(e->run, d->status);
	e->cfg.emit(d, e->cfg.arg);
}

static struct domain *domain_begin(struct engine *e, const char *name, size_t seq)
{
	struct domain *d = xcalloc(1, sizeof(*d));

	d->name = xstrdup(name);
	d->seq = seq;
	d->engine = e;
	d->pending = 1; /* released when the starting step returns */
	e->domains_in_flight++;
	d->next = e->live;
	if (e->live)
		e->live->prev = d;
	e->live = d;
	return d;
}

/* The ports asked of d: its policy rule's, else the command line's (none: the MX only). */
static const uint16_t *domain_ports(const struct engine *e, const struct domain *d, size_t *n)
{
	if (d->rule && d->rule->nports) {
		*n = d->rule->nports;
		return d->rule->ports;
	}
	*n = e->cfg.nports;
	return e->cfg.ports;
}

void engine_add_domain(struct engine *e, const char *name, size_t seq)
{
	struct domain *d = domain_begin(e, name, seq);
	size_t nports;
	const uint16_t *ports;
	int mx = 0;

	d->rule = org_policy_rule(e->cfg.org_policy, name, NULL);
	ports = domain_ports(e, d, &nports);
	/* Every service's state exists before any SRV query: answers index into them. */
	for (size_t i = 0; i < nports; i++) {
		const struct mail_service *ms = mail_service_by_port(ports[i]);
		struct service_state *st;

		if (ms == NULL || ms->srv == NULL) {
			mx = 1; /* port 25, the MX; the options admit no other without --host */
			continue;
		}
		d->svc = xreallocarray(d->svc, d->nsvc + 1, sizeof(*d->svc));
		st = &d->svc[d->nsvc++];
		memset(st, 0, sizeof(*st));
		st->name = ms->name;
		st->port = ms->port;
		st->owner = xasprintf("%s.%s", ms->srv, name);
		st->dnssec = -1;
	}
	if (nports == 0 || mx) {
		d->pending++;
		dns_query(e->cfg.dns, name, ns_t_mx, mx_answer, d);
		/* MTA-STS, TLS-RPT and the rest are about the mail the MX receive. */
		if (e->cfg.policy)
			policy_start(&e->policy_env, d, e->cfg.policy);
	}
	if (d->nsvc && e->cfg.https && e->cfg.autoconfig)
		autoconfig_start(e, d);
	for (size_t i = 0; i < d->nsvc; i++) {
		struct srv_query *q = xcalloc(1, sizeof(*q));

		q->e = e;
		q->d = d;
		q->si = i;
		d->pending++;
		dns_query(e->cfg.dns, d->svc[i].owner, ns_t_srv, srv_answer, q);
	}
	domain_release(e, d);
}

void engine_add_invalid(struct engine *e, const char *name, size_t seq, const char *why)
{
	struct domain *d = domain_begin(e, name, seq);

	domain_add(d, F_DNS_FAILED, "\"%s\" is not looked up: %s", d->name, why);
	domain_release(e, d);
}

void engine_add_chain(struct engine *e, const char *host, STACK_OF(X509) * chain, int key,
    const char *key_path, size_t seq)
{
	struct domain *d = domain_begin(e, host, seq);

	d->host_mode = 1;
	d->from_file = 1;
	d->file_chain = chain;
	d->file_key = key;
	d->file_key_path = key_path ? xstrdup(key_path) : NULL;
	d->rule = org_policy_rule(e->cfg.org_policy, NULL, host);
	mx_add(d, host, 0);
	hosts_resolve(e, d, 0);
	domain_release(e, d);
}

void engine_add_host(struct engine *e, const char *host, const char *address, size_t seq)
{
	struct domain *d = domain_begin(e, host, seq);
	struct mx_host *m;
	size_t nports;
	const uint16_t *ports;

	d->host_mode = 1;
	d->rule = org_policy_rule(e->cfg.org_policy, NULL, host);
	ports = domain_ports(e, d, &nports);
	for (size_t i = 0; i < (nports ? nports : 1); i++) {
		m = mx_add(d, host, 0);
		if (address)
			strlist_add(&m->addrs, address);
		if (nports) {
			/* --ports: each spoken to as its port's service, SMTP where none is. */
			const struct mail_service *ms = mail_service_by_port(ports[i]);

			m->port = ports[i];
			m->dialect = ms ? ms->dialect : &dialect_smtp;
			m->mode = ms ? ms->mode : TLS_MODE_STARTTLS;
			m->service = ms ? ms->name : NULL;
		}
	}
	hosts_resolve(e, d, 0);
	domain_release(e, d);
}

struct engine *engine_new(struct event_base *base, const struct engine_config *cfg, struct run *run)
{
	struct engine *e = xcalloc(1, sizeof(*e));

	e->base = base;
	e->cfg = *cfg;
	e->run = run;
	e->nmap = 4096;
	e->map = xcalloc(e->nmap, sizeof(*e->map));
	e->sched = sched_new(cfg->concurrency, cfg->per_host);
	sched_set_rate(e->sched, base, cfg->per_ip_rate);
	e->policy_env.dns = cfg->dns;
	e->policy_env.https = cfg->https;
	e->policy_env.hold = domain_hold;
	e->policy_env.release = domain_unhold;
	if (cfg->workers) {
		size_t n = workers_count(cfg->workers);

		e->mailbox = mailbox_new(base);
		if (cfg->scan) {
			e->scan_env = xcalloc(n, sizeof(*e->scan_env));
			for (size_t i = 0; i < n; i++) {
				e->scan_env[i] = *cfg->scan;
				e->scan_env[i].base = workers_base(cfg->workers, i);
			}
		}
	}
	return e;
}

size_t engine_domains_in_flight(const struct engine *e)
{
	return e->domains_in_flight;
}

int engine_probe_complete(const struct probe *p)
{
	return JOB_OF(p)->done;
}

size_t engine_probes_in_flight(const struct engine *e)
{
	return sched_inflight(e->sched);
}

void engine_forget(struct engine *e, struct domain *d)
{
	for (size_t i = 0; i < d->nmx; i++)
		for (size_t k = 0; k < d->mx[i].nprobes; k++) {
			struct job *j = JOB_OF(d->mx[i].probes[k]);

			if (--j->refs == 0 && j->done)
				lru_push(e, j);
		}
	while (e->nlru > ENGINE_PROBE_CACHE) {
		struct job *j = e->lru_tail;

		lru_unlink(e, j);
		map_remove(e, j);
		job_free(j);
	}
}

void engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	/* Only after an interrupt is anything still in flight. */
	while (e->live) {
		struct domain *d = e->live;
		e->live = d->next;
		domain_free(d);
	}
	sched_free(e->sched);
	for (size_t i = 0; i < e->nmap; i++)
		while (e->map[i]) {
			struct job *n = e->map[i]->hnext;
			job_free(e->map[i]);
			e->map[i] = n;
		}
	free(e->map);
	mailbox_free(e->mailbox);
	free(e->scan_env);
	free(e);
}
