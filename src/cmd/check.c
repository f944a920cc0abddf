/*
 * check.c - the check command: options in; domains (or one --host) fed to the engine a
 * window at a time so a million-line input never sits in memory; each completed domain
 * handed to a view (streamed with --jsonl, else kept for the final report). Ctrl-C stops
 * feeding, prints what is done and says what was left.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "base/addr.h"
#include "base/util.h"
#include "base/version.h"
#include "cmd/check_opts.h"
#include "cmd/checker.h"
#include "cmd/cmd.h"
#include "cmd/input.h"
#include "engine/target.h"
#include "net/dns.h"
#include "net/lag.h"
#include "net/workers.h"
#include "out/output.h"
#include "pki/verify.h"
#include "proto/dialect.h"
#include "tls/tlsinfo.h"

#define SMTP_SILENT_MAX 1000 /* addresses remembered for the blocked-port-25 hint */

struct check {
	struct event_base *base;
	struct engine *engine;
	struct run run;
	struct input in;
	const struct check_opts *o;
	struct view_opts vo;
	size_t window; /* domains in flight at most */
	size_t done;
	size_t nstatus[STATUS_UNKNOWN + 1]; /* the domains done, by status */
	size_t refused;  /* domains a server refused for now (TEMPORARILY_REFUSED) */
	size_t unrouted; /* domains with an address this machine has no route to */
	size_t limited;  /* domains with a probe this machine could not open (LOCAL_LIMIT) */
	/* Probes of port 25 that connected, and the addresses (up to SMTP_SILENT_MAX) whose
	 * connect nothing answered: all silent is what a machine whose outbound port 25 is
	 * blocked sees. Addresses, not probes: one MX shared by many domains is one. */
	size_t smtp_reached;
	struct strset smtp_silent;
	int interrupted;
	struct log_sink log; /* --log; fd -1 when none */
	int log_failed;
	int feeding; /* inside feed(): completions must not recurse into it */
	double t0;
	struct event *progress;
	struct event *trim; /* bulk runs: freed memory back to the system (give_back) */
	struct lag *lag;    /* ... and how far the loops fell behind */
	int progress_shown;
	struct strset resumed_set; /* --resume: the domains the file holds a line for */
	size_t resumed;     /* ... met in the input again and skipped */
	size_t other_shards; /* --shard: domains of the input left to the other shards */
	/* --ordered: completed domains waiting for those before them, at seq % window */
	struct domain **held;
	size_t nheld, next_seq;
};

/* Whether name is this run's: in its shard (a stable hash of the name, so that N machines
 * given one input share it out, none twice) and not done before (--resume). */
static int input_mine(struct check *c, const char *name)
{
	if (c->o->shard_n && hash_str(HASH_INIT, name, 1) % c->o->shard_n != c->o->shard_k) {
		c->other_shards++;
		return 0;
	}
	if (strset_has(&c->resumed_set, name)) {
		c->resumed++;
		return 0;
	}
	return 1;
}

/*
 * The domain a whole line of --resume's file names; NULL when it is no line of ours. The
 * lines json_stream writes begin {"domain":"NAME", so a name without an escape is taken
 * from there (cut in place) and the rest is not parsed: parsing every line whole took
 * 50 us a line, 50 s before a million-domain run could go on. Anything else is parsed
 * as JSON (*j, for the caller to free).
 */
static const char *resume_domain(char *line, size_t n, json_t **j)
{
	static const char head[] = "{\"domain\":\"";
	const size_t h = sizeof(head) - 1;
	char *q;

	*j = NULL;
	if (n > h + 3 && memcmp(line, head, h) == 0 && line[n - 2] == '}' &&
	    (q = memchr(line + h, '"', n - h)) != NULL && q > line + h &&
	    memchr(line + h, '\\', (size_t)(q - (line + h))) == NULL &&
	    memchr(line, '\0', n) == NULL) {
		*q = '\0';
		return line + h;
	}
	*j = json_loadb(line, n, 0, NULL);
	return json_string_value(json_object_get(*j, "domain"));
}

/*
 * --resume FILE: the domains FILE holds a whole line for are done; a line a killed run left
 * half written is cut off, so that every line is whole; then the lines of this run go to
 * FILE's end, one write() each (a line is written whole or not at all, until the next kill).
 * A FILE with a whole line that is not one of ours (a domain list given by mistake, a file
 * damaged in its middle) is neither cut nor added to; nor is the input itself.
 */
static int resume_open(struct check *c, const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	FILE *f;
	char *line = xcalloc(1, RESUME_LINE_MAX);
	ssize_t n;
	off_t good = 0;
	size_t lineno = 0;
	const char *bad = NULL;

	if (fd < 0 || (f = fdopen(dup(fd), "r")) == NULL) {
		fprintf(stderr, "mailtls check: --resume %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(line);
		return -1;
	}
	if (input_is_file(&c->in, fd))
		bad = "it is the input (-f): give the results a file of their own";
	while (bad == NULL && (n = read_line(f, line, RESUME_LINE_MAX)) != 0) {
		json_t *j = NULL;
		const char *d;

		lineno++;
		if (n > 0 && line[n - 1] != '\n')
			break; /* torn: cut below */
		if (n == 1) {  /* a blank line, as a merge of files may leave */
			good += n;
			continue;
		}
		if (n > 0 && (d = resume_domain(line, (size_t)n, &j)) != NULL)
			strset_add(&c->resumed_set, d);
		else
			bad = "is not a line mailtls check --jsonl writes";
		json_decref(j);
		good += n;
	}
	free(line);
	fclose(f);
	if (bad) {
		if (lineno)
			fprintf(stderr,
			    "mailtls check: --resume %s: line %zu %s; the file is left as it is\n",
			    path, lineno, bad);
		else
			fprintf(stderr, "mailtls check: --resume %s: %s\n", path, bad);
		close(fd);
		return -1;
	}
	if (ftruncate(fd, good) != 0 || dup2(fd, STDOUT_FILENO) < 0) {
		fprintf(stderr, "mailtls check: --resume %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	/* One write() a line: a buffer larger than any line, flushed after each. */
	setvbuf(stdout, NULL, _IOFBF, RESUME_LINE_MAX);
	return 0;
}

/*
 * Every connection in flight is a file descriptor, and so is every DNS query in flight
 * (as many, each on a UDP port of its own: cmd/checker.c, net/dns.c) and a few of our
 * own. Raise the soft limit (ulimit -n) to
 * what --concurrency needs when the hard limit allows; when it does not, say so and lower
 * --concurrency to what fits, rather than failing connections with EMFILE at random.
 */
static void fd_budget(struct check_opts *o)
{
	struct rlimit rl;
	/* A socket per connection, and as many DNS queries in flight (or --dns-concurrency),
	 * each on a port of its own (libunbound's outgoing-range, net/dns.c), 64 to spare. */
	size_t dns = o->dns_concurrency ? o->dns_concurrency : o->concurrency;
	rlim_t need = (rlim_t)(o->concurrency + dns + DNS_PORTS_SPARE + FD_RESERVE);

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
		return;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need) {
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			return;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 ||
	    rl.rlim_cur <= FD_RESERVE + DNS_PORTS_SPARE + (o->dns_concurrency ? dns : 0) + 3)
		return;
	{
		/* What is left after the reserve: shared with the DNS queries when they follow
		 * --concurrency, else theirs first. */
		size_t left = (size_t)(rl.rlim_cur - FD_RESERVE - DNS_PORTS_SPARE);
		size_t fit = o->dns_concurrency ? left - dns : left / 2;

		fprintf(stderr,
		    "mailtls check: --concurrency %zu needs about %lu file descriptors, and the limit "
		    "is %lu (ulimit -n; the hard limit %lu): checking with --concurrency %zu; raise "
		    "the limit for more\n",
		    o->concurrency, (unsigned long)need, (unsigned long)rl.rlim_cur,
		    (unsigned long)rl.rlim_max, fit);
		o->concurrency = fit;
	}
}

static void feed(struct check *c)
{
	char name[INPUT_LINE_MAX];
	const char *why;

	if (c->feeding || c->interrupted)
		return;
	c->feeding = 1;
	while (engine_domains_in_flight(c->engine) + c->nheld < c->window &&
	    input_next(&c->in, name, sizeof(name), &why)) {
		size_t seq = c->in.seq++;
		int valid = why == NULL && addr_domain_syntax(name, &why);
		size_t l = strlen(name);

		/* The root's dot ends a name, and names are compared without it. */
		if (valid && l > 1 && name[l - 1] == '.')
			name[l - 1] = '\0';
		if (!input_mine(c, name)) {
			c->in.seq--;
			continue;
		}
		if (valid)
			engine_add_domain(c->engine, name, seq);
		else
			engine_add_invalid(c->engine, name, seq, why);
	}
	c->feeding = 0;
	if (c->in.waiting && !c->interrupted) {
		event_add(c->in.ev, NULL); /* the next line wakes feed() */
		return;
	}
	if (engine_domains_in_flight(c->engine) == 0)
		event_base_loopexit(c->base, NULL);
}

static void input_readable(evutil_socket_t fd, short what, void *arg)
{
	struct check *c = arg;

	(void)fd;
	(void)what;
	c->in.waiting = 0;
	feed(c);
}

/* --jsonl: one line for d, then d is gone. */
static void emit_line(struct check *c, struct domain *d)
{
	out_jsonl_domain(stdout, &c->run, d, &c->vo);
	fflush(stdout);
	engine_forget(c->engine, d);
	domain_free(d);
}

/* --ordered: d waits until every domain before it is out. The window bounds how far
 * ahead of the oldest in flight a domain can be, so seq % window is a free slot. */
static void emit_ordered(struct check *c, struct domain *d)
{
	c->held[d->seq % c->window] = d;
	c->nheld++;
	while (c->nheld && c->held[c->next_seq % c->window] &&
	       c->held[c->next_seq % c->window]->seq == c->next_seq) {
		struct domain *x = c->held[c->next_seq % c->window];

		c->held[c->next_seq % c->window] = NULL;
		c->nheld--;
		c->next_seq++;
		emit_line(c, x);
	}
}

/* Interrupted: what waited is complete; out it goes, still in order, gaps and all. */
static void emit_held(struct check *c)
{
	for (size_t k = 0; c->held && c->nheld && k < c->window; k++) {
		struct domain *x = c->held[(c->next_seq + k) % c->window];

		if (x == NULL)
			continue;
		c->held[(c->next_seq + k) % c->window] = NULL;
		c->nheld--;
		emit_line(c, x);
	}
}

/* What the end of the run says of d: its status, and what was not tested and why. */
static void count_domain(struct check *c, const struct domain *d)
{
	int refused = 0, unrouted = 0, limited = 0;

	c->nstatus[d->status]++;
	for (size_t i = 0; i < d->nmx; i++)
		for (size_t j = 0; j < d->mx[i].nprobes; j++) {
			const struct probe *p = d->mx[i].probes[j];

			refused |= probe_has(p, F_TEMPORARILY_REFUSED);
			unrouted |= probe_has(p, F_ADDRESS_UNROUTED);
			limited |= probe_has(p, F_LOCAL_LIMIT);
			if (p->port != 25)
				continue;
			if (p->t.connect_ms >= 0)
				c->smtp_reached++;
			else if (probe_has(p, F_TIMEOUT) && c->smtp_reached == 0 &&
			    c->smtp_silent.n < SMTP_SILENT_MAX)
				strset_add(&c->smtp_silent, p->address);
		}
	c->refused += refused;
	c->unrouted += unrouted;
	c->limited += limited;
}

static void emit(struct domain *d, void *arg)
{
	struct check *c = arg;

	c->done++;
	if (c->progress_shown) /* the next tick redraws it below this result */
		fputs("\r\033[K", stderr);
	count_domain(c, d);
	if (c->log.fd >= 0 && out_log_domain(&c->log, &c->run, d) != 0 && !c->log_failed++)
		fprintf(stderr, "mailtls check: --log %s: a line could not be written: %s\n",
		    c->o->log, strerror(errno));
	if (c->o->jsonl && c->o->ordered) {
		emit_ordered(c, d);
	} else if (c->o->jsonl) {
		emit_line(c, d);
	} else {
		run_add_domain(&c->run, d);
	}
	if (!c->interrupted)
		feed(c);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct check *c = arg;

	(void)sig;
	(void)what;
	c->interrupted = 1;
	event_base_loopbreak(c->base);
}

#ifdef __GLIBC__
/*
 * A bulk run's connections come and go by the thousand, and their 16-17 KiB handshake and
 * record buffers leave holes between the chains and results that outlive them: each
 * thread's allocator arena keeps those pages. Once a second, hand whole free pages back
 * (malloc_trim also releases them inside an arena, not only at its top), so a long run's
 * RSS follows what is in flight, not what once was. Not more often: each trim is a
 * madvise a free run of pages, each page given back a fault and a zeroing when it is used
 * again. Four times a second that was 4 madvise calls and 1.5 faults a domain more in
 * bench/bulk.sh, for no lower peak.
 */
static void give_back(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	malloc_trim(0);
}
#endif

static void show_progress(evutil_socket_t fd, short what, void *arg)
{
	struct check *c = arg;
	double el = (now_ms() - c->t0) / 1000.0, rate = el > 0 ? (double)c->done / el : 0;

	(void)fd;
	(void)what;
	if (c->in.total)
		fprintf(stderr, "\r%zu/%zu domains", c->done, c->in.total);
	else
		fprintf(stderr, "\r%zu domains", c->done);
	fprintf(stderr,
	    ", %.0f/s, %zu failing, %zu inconclusive, %zu domains and %zu connections in flight",
	    rate, c->nstatus[STATUS_CRIT], c->nstatus[STATUS_UNKNOWN],
	    engine_domains_in_flight(c->engine), engine_probes_in_flight(c->engine));
	if (c->in.total && rate > 0)
		fprintf(stderr, ", ETA %.0fs", (double)(c->in.total - c->done) / rate);
	fputs("\033[K", stderr);
	c->progress_shown = 1;
}

static int domain_seq_cmp(const void *a, const void *b)
{
	const struct domain *x = *(const struct domain *const *)a;
	const struct domain *y = *(const struct domain *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int nagios_asked(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--nagios") == 0)
			return 1;
	return 0;
}

/* The results not yet printed (all of them but with --jsonl), in one view, input order. */
static void print_results(struct check *c)
{
	const struct check_opts *o = c->o;

	if (c->interrupted) {
		/* A probe cut short has no verdict: it is left out, and counted by say_end. */
		size_t kept = 0;
		for (size_t i = 0; i < c->run.nprobes; i++)
			if (engine_probe_complete(c->run.probes[i]))
				c->run.probes[kept++] = c->run.probes[i];
		c->run.nprobes = kept;
		verdict_run_interrupted(&c->run);
	}
	if (!o->jsonl) {
		if (c->run.ndomains > 1)
			qsort(c->run.domains, c->run.ndomains, sizeof(*c->run.domains),
			    domain_seq_cmp);
		if (o->json)
			out_json(stdout, &c->run, &c->vo);
		else if (o->nagios)
			out_nagios(stdout, &c->run, &c->vo);
		else
			out_text(stdout, &c->run, &c->vo);
	}
	fflush(stdout);
}

/* What standard error says at the end of a run, beyond its results. */
static void say_end(struct check *c)
{
	const struct check_opts *o = c->o;

	if (c->interrupted) {
		size_t left = engine_domains_in_flight(c->engine);
		if (o->host)
			fprintf(stderr, "mailtls check: interrupted before the check of %s ended\n",
			    o->host);
		else if (o->file)
			fprintf(stderr,
			    "mailtls check: interrupted: %zu domain%s done, %zu in flight dropped, "
			    "%s read up to line %zu%s\n",
			    c->done, c->done == 1 ? "" : "s", left, o->file, c->in.lineno,
			    c->in.total ? "" : " (its length is unknown)");
		else
			fprintf(stderr,
			    "mailtls check: interrupted: %zu domain%s done, %zu in flight dropped, "
			    "%zu not started\n",
			    c->done, c->done == 1 ? "" : "s", left, c->in.nargs - c->in.next);
	}
	if (c->resumed)
		fprintf(stderr,
		    "mailtls check: --resume %s: %zu domain%s done before, not checked again\n",
		    o->resume, c->resumed, c->resumed == 1 ? "" : "s");
	if (c->lag && lag_worst_ms(c->lag) >= LAG_WARN_MS)
		fprintf(stderr,
		    "mailtls check: this machine fell behind: its event loops ran up to %.1f s "
		    "late, "
		    "so timeouts and SERVFAIL answers in this run may be its own rather than the "
		    "servers'; a lower --concurrency (or --dns-concurrency) may check as many "
		    "domains "
		    "a second with fewer of them\n",
		    lag_worst_ms(c->lag) / 1000);
	if (c->refused && c->run.domain_mode) {
		size_t n = c->refused;

		fprintf(stderr,
		    "mailtls check: %zu domain%s refused for now (TEMPORARILY_REFUSED): "
		    "inconclusive, check %s again later\n",
		    n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
	}
	if (c->unrouted && c->run.domain_mode)
		fprintf(stderr,
		    "mailtls check: %zu domain%s had addresses this machine has no route to "
		    "(ADDRESS_UNROUTED, IPv6 most often): not tested from here; -4 leaves IPv6 "
		    "out\n",
		    c->unrouted, c->unrouted == 1 ? "" : "s");
	if (c->limited && c->run.domain_mode)
		fprintf(stderr,
		    "mailtls check: %zu domain%s not fully tested: this machine could not open "
		    "some connections (LOCAL_LIMIT: out of descriptors, ports or memory, or its "
		    "own "
		    "policy forbids them; the findings say which)\n",
		    c->limited, c->limited == 1 ? " was" : "s were");
	if (c->smtp_silent.n >= 2 && c->smtp_reached == 0)
		fprintf(stderr,
		    "mailtls check: no connection to port 25 was answered (%zu%s addresses tried): "
		    "if this machine's outbound port 25 is blocked, as most cloud providers and "
		    "many "
		    "ISPs block it, every server looks down from here; check from a machine that "
		    "can "
		    "reach port 25\n",
		    c->smtp_silent.n, c->smtp_silent.n == SMTP_SILENT_MAX ? "+" : "");
	/* A list's tally, where a run's lines went to a file or a pipe. */
	if (c->run.domain_mode && !o->nagios && c->done > 1) {
		double s = (now_ms() - c->t0) / 1000.0;

		fprintf(stderr,
		    "mailtls check: %zu domains in %.1f s (%.0f a second): %zu ok, %zu warn, %zu "
		    "crit, %zu unknown\n",
		    c->done, s, s > 0 ? c->done / s : 0, c->nstatus[STATUS_OK],
		    c->nstatus[STATUS_WARN], c->nstatus[STATUS_CRIT], c->nstatus[STATUS_UNKNOWN]);
	}
}

/* The list, standard output and the audit log: 0, or -1 (said why) when one cannot be used. */
static int check_files(struct check *c, const struct check_opts *o)
{
	if (o->file && input_open(&c->in, o->file) != 0) {
		fprintf(stderr, "mailtls check: -f %s: %s\n", o->file, strerror(errno));
		return -1;
	}
	if (input_is_file(&c->in, STDOUT_FILENO)) {
		fprintf(stderr,
		    "mailtls check: standard output is the input file %s: its results "
		    "would be read as domains; write them to a file of their own\n",
		    o->file);
		return -1;
	}
	if (o->log == NULL)
		return 0;
	c->log.fd = open(o->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (c->log.fd < 0 || input_is_file(&c->in, c->log.fd)) {
		fprintf(stderr, "mailtls check: --log %s: %s\n", o->log,
		    c->log.fd < 0 ? strerror(errno)
		                  : "it is the input (-f): give the log a file of its own");
		return -1;
	}
	c->log.sync = o->log_sync;
	c->log.version = MAILTLS_VERSION;
	c->log.now = time(NULL);
	c->log.warn_days = o->warn_days;
	c->log.crit_days = o->crit_days;
	c->log.at_set = o->at_set;
	c->log.trust = o->ca_file ? o->ca_file : o->ca_path;
	return 0;
}

int check_main(int argc, char **argv)
{
	struct check_opts o;
	struct check c;
	struct checker k;
	struct event *sigint = NULL, *sigterm = NULL;
	struct workers *ws = NULL;
	int rc = STATUS_UNKNOWN, need_dns, file_key = 0;
	STACK_OF(X509) *file_chain = NULL; /* --chain, until the engine takes it */

	memset(&k, 0, sizeof(k));
	rc = check_opts_parse(argc, argv, &o);
	if (rc < 0 && nagios_asked(argc, argv))
		/* A monitoring system shows the first line of standard output. */
		printf("MAILTLS UNKNOWN - invalid arguments (mailtls check --help)\n");
	if (rc != 0)
		return rc > 0 ? 0 : STATUS_UNKNOWN;
	rc = STATUS_UNKNOWN;
	memset(&c, 0, sizeof(c));
	c.o = &o;
	input_init(&c.in, o.domains, o.ndomains);
	c.log.fd = -1;
	/* A bad policy file is refused before anything connects, and before --resume's file
	 * is touched. */
	if (check_files(&c, &o) != 0 || checker_policy(&k, o.policy, "check") != 0 ||
	    (o.resume && resume_open(&c, o.resume) != 0))
		goto out;
	fd_budget(&o);
	/* --workers: for many domains only; one server is one connection at a time anyway. */
	if (check_opts_many(&o) && o.workers != 1) {
		char err[200];
		size_t n = o.workers ? o.workers : workers_cpus();

		if (n > 1) {
			if (workers_threads_init() != 0) {
				fprintf(stderr, "mailtls check: --workers: libevent cannot lock for "
				                "threads\n");
				goto out;
			}
			if ((ws = workers_new(n, err, sizeof(err))) == NULL) {
				fprintf(stderr, "mailtls check: --workers %zu: %s\n", n, err);
				goto out;
			}
		}
	}
	c.base = event_base_new();
	if (c.base == NULL)
		fatal("cannot create event loop");
	if (c.in.stream)
		c.in.ev = event_new(c.base, c.in.fd, EV_READ, input_readable, &c);
	c.run.at = o.at;
	c.run.domain_mode = o.host == NULL;
	/* No resolver unless something must be resolved: --host with --address needs none; a
	 * chain file only its TLSA records. */
	need_dns = o.host == NULL || (o.address == NULL && !addr_is_ip(o.host)) ||
	    (o.chain && !o.no_dane);
	if (o.chain) {
		char err[400];

		if ((file_chain = verify_load_chain(o.chain, err, sizeof(err))) == NULL ||
		    (o.key && (file_key = verify_key_matches(sk_X509_value(file_chain, 0), o.key, err,
		                   sizeof(err))) < 0)) {
			fprintf(stderr, "mailtls check: --%s %s\n", file_chain ? "key" : "chain", err);
			goto out;
		}
		if (o.key)
			file_key = file_key ? 1 : -1;
	}
	k.ec.workers = ws;
	if (checker_init(&k, &o, c.base, need_dns, c.run.domain_mode, "check") != 0)
		goto out;
	k.ec.emit = emit;
	k.ec.arg = &c;
	k.sp.quit_no_wait = check_opts_many(&o); /* one server is one round trip more at most */
	c.engine = engine_new(c.base, &k.ec, &c.run);
	c.window = o.concurrency > 16 ? o.concurrency : 16;
	if (o.ordered)
		c.held = xcalloc(c.window, sizeof(*c.held));
	c.vo.show_chain = o.show_chain;
	c.vo.pem = o.pem;
	c.vo.color =
	    !o.json && !o.jsonl && !o.nagios && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	c.vo.warn_days = o.warn_days;
	c.vo.crit_days = o.crit_days;
	c.t0 = now_ms();

	sigint = evsignal_new(c.base, SIGINT, on_signal, &c);
	sigterm = evsignal_new(c.base, SIGTERM, on_signal, &c);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);
	if (check_opts_many(&o)) { /* a bulk run's timers: pages back, and the loops' lateness */
#ifdef __GLIBC__
		struct timeval second = {1, 0};

		c.trim = event_new(c.base, -1, EV_PERSIST, give_back, &c);
		evtimer_add(c.trim, &second);
#endif
		if ((c.lag = lag_new(c.base, ws)) == NULL) {
			fprintf(stderr, "mailtls check: cannot create a timer\n");
			goto out;
		}
	}
	if (c.run.domain_mode && isatty(STDERR_FILENO)) {
		struct timeval half = {0, 500000};
		c.progress = event_new(c.base, -1, EV_PERSIST, show_progress, &c);
		evtimer_add(c.progress, &half);
	}

	if (o.chain) {
		engine_add_chain(c.engine, o.host, file_chain, file_key, o.key, 0);
		file_chain = NULL; /* the engine's */
		if (engine_domains_in_flight(c.engine) == 0)
			event_base_loopexit(c.base, NULL);
	} else if (o.host) {
		engine_add_host(c.engine, o.host, o.address, 0);
		if (engine_domains_in_flight(c.engine) == 0)
			event_base_loopexit(c.base, NULL);
	} else {
		feed(&c);
	}
	event_base_dispatch(c.base);
	/* The workers' loops stop before anything they touched is read or freed here. */
	workers_stop(ws);
	if (c.interrupted)
		emit_held(&c);
	if (c.progress_shown)
		fputs("\r\033[K", stderr);

	print_results(&c);
	rc = c.run.status;
	if (c.interrupted)
		rc = STATUS_UNKNOWN;
	say_end(&c);
	/* Nothing checked is no verdict, unless all was done before or is another shard's. */
	if (c.run.ndomains == 0 && c.done == 0 && !c.interrupted && !c.resumed && !c.other_shards)
		rc = STATUS_UNKNOWN;
	if (c.log_failed) /* the audit trail is incomplete: no verdict stands on it */
		rc = STATUS_UNKNOWN;
out:
	workers_stop(ws); /* again, for the ways here that skipped the loop: nothing runs on
	                     them while what they hold is freed */
	lag_free(c.lag); /* first: its timers are on the workers' loops too */
	if (sigint)
		event_free(sigint);
	if (sigterm)
		event_free(sigterm);
	if (c.progress)
		event_free(c.progress);
	if (c.trim)
		event_free(c.trim);
	if (file_chain)
		sk_X509_pop_free(file_chain, X509_free);
	checker_free(&k); /* first: the resolver may still call back into the engine's domains */
	run_free(&c.run);
	engine_free(c.engine); /* last: it owns the probes the domains pointed to */
	workers_free(ws);      /* after the sessions on their loops are freed */
	free(c.held);
	if (c.in.ev)
		event_free(c.in.ev);
	if (c.base)
		event_base_free(c.base);
	input_close(&c.in);
	if (c.log.fd >= 0)
		close(c.log.fd);
	strset_free(&c.resumed_set);
	strset_free(&c.smtp_silent);
	return rc;
}
