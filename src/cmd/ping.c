/*
 * ping.c - the ping command: what each phase of a mail transaction costs, over TLS, for
 * SMTP, IMAP and POP3, like smtpping (which speaks neither TLS nor IMAP nor POP3). One
 * session per transaction, COUNT of them INTERVAL apart; or open-loop at --rate for
 * --duration, so that a slow server shows as latency, not as a lower rate. Each line says
 * when each phase's reply was complete, counted from the start of the connect; the summary
 * gives min/avg/max/stddev and p50/p95/p99 per phase. Nothing is delivered unless --from,
 * --to and --data are all given, and then only a message marked as a test.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "base/util.h"
#include "cmd/checker.h"
#include "cmd/cmd.h"
#include "conf/cred.h"
#include "model/verdict.h"
#include "out/output.h"
#include "proto/auth.h"
#include "proto/dialect.h"
#include "proto/session.h"

/* A rate above this, in transactions per second, is an attack on someone's server unless
 * the user says otherwise (--force). */
#define PING_RATE_POLITE 10.0
#define PING_SAMPLES_MAX 1000000 /* transactions kept for the summary (then counted only) */
#define PING_ADDR_MAX 320        /* --from and --to: an RFC 5321 path is at most 256 octets */

enum {
	P_COUNT = O__COUNT,
	P_INTERVAL,
	P_FROM,
	P_TO,
	P_DATA,
	P_SIZE,
	P_NO_TLS,
	P_USER,
	P_PASSWORD_FILE,
	P_TOKEN_FILE,
	P_MECH,
	P_INSECURE_LOGIN,
	P_RATE,
	P_DURATION,
	P_FORCE,
};

struct ping_opts {
	struct check_opts c;
	size_t count;
	double interval;
	const char *from, *to;
	int data;
	size_t size;
	int no_tls;
	const char *user, *password_file, *token_file, *mech;
	int insecure_login;
	double rate, duration;
	int force;
};

static const int shared[] = {O_ADDRESS, O_CA_FILE, O_CA_PATH, O_CONCURRENCY, O_CONNECT_TIMEOUT,
    O_EHLO, O_GREETING_TIMEOUT, O_HELP, O_IPV4, O_IPV6, O_JSON, O_PORT, O_PROTOCOL,
    O_REPLY_TIMEOUT, O_STARTTLS, O_TIMEOUT, O_TLS, O_TLS_TIMEOUT, O_VERBOSE};

/* clang-format off */
static const struct opt ping_own[] = {
	{P_COUNT, "count", 'c', OPT_COUNT, "N", "5", "transactions, one after another (not with --rate)", NULL},
	{P_DATA, "data", 0, OPT_FLAG, NULL, NULL, "send a message, marked as a test, after RCPT TO (needs --from and --to)", NULL},
	{P_DURATION, "duration", 0, OPT_SECONDS, "SECONDS", NULL, "with --rate: how long to go on (required: a load test always ends)", NULL},
	{P_FORCE, "force", 0, OPT_FLAG, NULL, NULL, "allow --rate above 10 transactions a second", NULL},
	{P_FROM, "from", 0, OPT_STRING, "ADDRESS", NULL, "send MAIL FROM:<ADDRESS> (SMTP)", NULL},
	{P_INSECURE_LOGIN, "insecure-login", 0, OPT_FLAG, NULL, NULL, "log in even when the certificate does not verify", NULL},
	{P_INTERVAL, "interval", 'i', OPT_SECONDS, "SECONDS", "1", "wait between the starts of two transactions", NULL},
	{P_MECH, "mech", 'm', OPT_WORD, "NAME", NULL, "the login mechanism (as mailtls auth --mech)", NULL},
	{P_NO_TLS, "no-tls", 0, OPT_FLAG, NULL, NULL, "stay in plaintext, as smtpping does (to compare; no login then)", NULL},
	{P_PASSWORD_FILE, "password-file", 0, OPT_STRING, "FILE", NULL, "with --user: the password's file (0600); else MAILTLS_PASSWORD, else a prompt", NULL},
	{P_RATE, "rate", 0, OPT_STRING, "N", NULL, "start N transactions a second, open-loop, up to --concurrency in flight, for --duration", NULL},
	{P_SIZE, "size", 0, OPT_COUNT, "BYTES", "1024", "the size of the test message (--data)", NULL},
	{P_TO, "to", 0, OPT_STRING, "ADDRESS", NULL, "send RCPT TO:<ADDRESS>: the only recipient, never another", NULL},
	{P_TOKEN_FILE, "token-file", 0, OPT_STRING, "FILE", NULL, "with --user: an OAuth 2.0 bearer token's file", NULL},
	{P_USER, "user", 'u', OPT_WORD, "NAME", NULL, "log in as NAME over TLS first (as mailtls auth)", NULL},
};
/* clang-format on */

static struct opt ping_table[sizeof(shared) / sizeof(shared[0]) +
                             sizeof(ping_own) / sizeof(ping_own[0]) + 1];

/* An address for MAIL FROM or RCPT TO: printable, no blank, no <, > or CR/LF that would
 * change the command; "" is the null path for MAIL FROM. */
static int path_ok(const char *s)
{
	if (strlen(s) > PING_ADDR_MAX)
		return 0;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '<' || *s == '>')
			return 0;
	return 1;
}

static int ping_apply(void *ctx, const struct opt *t, const union opt_value *v, int given,
    char *err, size_t errlen)
{
	struct ping_opts *o = ctx;
	char *end;

	switch (t->id) {
	case P_COUNT:
		o->count = v->count;
		return 0;
	case P_INTERVAL:
		o->interval = v->seconds;
		return 0;
	case P_FROM:
	case P_TO:
		if (!path_ok(v->s)) {
			snprintf(err, errlen, "\"%.60s\" is not a mail address (no blanks, <, > or "
			                      "controls; at most %d bytes)",
			    v->s, PING_ADDR_MAX);
			return -1;
		}
		*(t->id == P_FROM ? &o->from : &o->to) = v->s;
		return 0;
	case P_DATA:
		o->data = 1;
		return 0;
	case P_SIZE:
		o->size = v->count;
		return 0;
	case P_NO_TLS:
		o->no_tls = 1;
		return 0;
	case P_USER:
		o->user = v->s;
		return 0;
	case P_PASSWORD_FILE:
		o->password_file = v->s;
		return 0;
	case P_TOKEN_FILE:
		o->token_file = v->s;
		return 0;
	case P_MECH:
		o->mech = v->s;
		return 0;
	case P_INSECURE_LOGIN:
		o->insecure_login = 1;
		return 0;
	case P_RATE:
		o->rate = strtod(v->s, &end);
		if (end == v->s || *end != '\0' || !(o->rate > 0) || o->rate > 10000) {
			snprintf(err, errlen, "\"%s\" is not a rate between 0 and 10000 a second", v->s);
			return -1;
		}
		return 0;
	case P_DURATION:
		o->duration = v->seconds;
		return 0;
	case P_FORCE:
		o->force = 1;
		return 0;
	default:
		return check_opts_apply(&o->c, t, v, given, err, errlen);
	}
}

/* clang-format off */
const struct opts_cmd ping_cmd = {
	"ping", ping_table,
	"usage: mailtls ping HOST[:PORT] [-c COUNT] [-i INTERVAL] [options]\n"
	"       mailtls ping HOST[:PORT] --rate N --duration SECONDS [--concurrency C]\n\n"
	"How long each phase of a mail transaction takes, over TLS: connect, greeting, EHLO,\n"
	"STARTTLS, the handshake, EHLO again, then only when asked a login (--user), MAIL FROM\n"
	"(--from), RCPT TO (--to), the message (--data), and QUIT; IMAP and POP3 by port or\n"
	"--protocol, with their own words (CAPABILITY, STLS, NOOP, LOGOUT). Each line gives the\n"
	"time each phase's reply was complete, from the start of the connect; the summary gives\n"
	"min/avg/max/stddev and p50/p95/p99 per phase. Ctrl-C prints the summary so far. A\n"
	"certificate problem is said once, above the lines; the measurement goes on.\n",
	"\nexit status: 0 every transaction succeeded, 2 one or more failed, 3 bad usage\n\n"
	"examples:\n"
	"  mailtls ping mail.example.org:587 -c 10\n"
	"  mailtls ping imap.example.org:993 -c 3 --json\n"
	"  mailtls ping mail.example.org:587 --user me --password-file pw --from me@example.org \\\n"
	"      --to me@example.org --data --size 10000\n"
	"  mailtls ping mx.example.org --no-tls -c 5          (as smtpping measures)\n"
	"  mailtls ping mx.example.org --rate 5 --duration 60 --concurrency 20\n",
	ping_apply,
};
/* clang-format on */

static void ping_table_build(void)
{
	check_opts_compose(ping_table, shared, sizeof(shared) / sizeof(shared[0]), ping_own,
	    sizeof(ping_own) / sizeof(ping_own[0]));
}

const struct opt *ping_options(void)
{
	ping_table_build();
	return ping_table;
}

/* The phases, in order, with their names per dialect (SMTP, IMAP, POP3). */
struct phase {
	const char *name[3];
	size_t off; /* into struct timing */
};

/* clang-format off */
static const struct phase phases[] = {
	{{"connect", "connect", "connect"}, offsetof(struct timing, connect_ms)},
	{{"greeting", "greeting", "greeting"}, offsetof(struct timing, banner_ms)},
	{{"ehlo", "capability", "capa"}, offsetof(struct timing, capa_ms)},
	{{"starttls", "starttls", "stls"}, offsetof(struct timing, starttls_ms)},
	{{"tls", "tls", "tls"}, offsetof(struct timing, handshake_ms)},
	{{"ehlo2", "capability2", "capa2"}, offsetof(struct timing, capa_tls_ms)},
	{{"auth", "login", "auth"}, offsetof(struct timing, auth_ms)},
	{{"mailfrom", "mailfrom", "mailfrom"}, offsetof(struct timing, mail_ms)},
	{{"rcptto", "rcptto", "rcptto"}, offsetof(struct timing, rcpt_ms)},
	{{"datasent", "datasent", "datasent"}, offsetof(struct timing, data_ms)},
	{{"noop", "noop", "noop"}, offsetof(struct timing, noop_ms)},
	{{"quit", "logout", "quit"}, offsetof(struct timing, quit_ms)},
	{{"total", "total", "total"}, offsetof(struct timing, total_ms)},
};
/* clang-format on */
#define NPHASES (sizeof(phases) / sizeof(phases[0]))

static double phase_ms(const struct timing *t, size_t i)
{
	return *(const double *)((const char *)t + phases[i].off);
}

struct sample {
	unsigned long seq;
	int ok;
	struct timing t;
	char *why; /* the first problem, for a failed transaction */
};

struct ping {
	struct ping_opts *o;
	struct checker *k;
	struct event_base *base;
	struct session_params sp;
	struct auth_params ap;
	struct txn_params tx;
	const struct dialect *d;
	int di; /* index of the dialect's column in phases */
	char addr[64];
	uint16_t port;
	enum tls_mode mode;
	struct event *tick;
	struct sample *samples;
	size_t nsamples;
	unsigned long started, done, failed, missed;
	size_t inflight;
	int stopping, interrupted, cert_said;
	double run_t0;     /* the run's start (--rate: its duration counts from here) */
	double last_start; /* sequential: the last transaction's start */
	json_t *jsamples; /* --json: every sample */
};

struct txn {
	struct ping *pg;
	struct probe *p;
	struct session *sess;
	unsigned long seq;
	struct txn *prev, *next;
};

static struct txn *live; /* transactions in flight, aborted on Ctrl-C */

/* The certificate is verified at the login (the gate) or once the session is over. */
static int gate(struct probe *p, void *arg, char *why, size_t whylen)
{
	struct ping *pg = arg;
	const struct verify_facts *f = &p->facts;

	verify_probe(p, &pg->k->vp);
	if ((f->trusted && f->dates_ok && f->name_matched) || pg->o->insecure_login)
		return 1;
	snprintf(why, whylen, "the certificate does not verify for %s%s", p->host,
	    "; --insecure-login to log in anyway");
	return 0;
}

/* The first warn or crit finding, as the reason of a failed transaction. */
static char *first_problem(const struct probe *p)
{
	for (size_t i = 0; i < p->nfindings; i++)
		if (p->findings[i].sev >= SEV_WARN && strncmp(finding_defs[p->findings[i].code].name,
		                                          "CERT_", 5) != 0)
			return xasprintf("%s %s", finding_defs[p->findings[i].code].name,
			    p->findings[i].message);
	return NULL;
}

/* Certificate findings are said once, above the lines: they do not change per transaction. */
static void say_cert_once(struct ping *pg, const struct probe *p)
{
	if (pg->cert_said || pg->o->c.json || p->ncerts == 0)
		return;
	pg->cert_said = 1;
	for (size_t i = 0; i < p->nfindings; i++)
		if (p->findings[i].sev >= SEV_WARN &&
		    strncmp(finding_defs[p->findings[i].code].name, "CERT_", 5) == 0)
			printf("certificate: %s %s %s\n", severity_name(p->findings[i].sev),
			    finding_defs[p->findings[i].code].name, p->findings[i].message);
}

static void line_out(struct ping *pg, const struct sample *s)
{
	json_t *jp;

	if (pg->o->c.json) {
		jp = json_object();
		for (size_t i = 0; i < NPHASES; i++)
			if (phase_ms(&s->t, i) >= 0)
				json_object_set_new(jp, phases[i].name[pg->di], json_real(phase_ms(&s->t, i)));
		json_array_append_new(pg->jsamples,
		    json_pack("{s:I, s:b, s:o, s:o}", "seq", (json_int_t)s->seq, "ok", s->ok,
		        "phases_ms", jp, "error", s->why ? json_string(s->why) : json_null()));
		return;
	}
	printf("seq=%lu", s->seq);
	{
		/* In the order they happened: with implicit TLS the handshake precedes the
		 * greeting; "total" stays last. */
		size_t order[NPHASES], n = 0;

		for (size_t i = 0; i + 1 < NPHASES; i++)
			if (phase_ms(&s->t, i) >= 0) {
				size_t k = n++;
				while (k > 0 && phase_ms(&s->t, order[k - 1]) > phase_ms(&s->t, i)) {
					order[k] = order[k - 1];
					k--;
				}
				order[k] = i;
			}
		for (size_t k = 0; k < n; k++)
			printf(", %s=%.2f ms", phases[order[k]].name[pg->di], phase_ms(&s->t, order[k]));
		if (s->t.total_ms >= 0)
			printf(", total=%.2f ms", s->t.total_ms);
	}
	if (!s->ok)
		printf(", FAILED: %s", s->why ? s->why : "?");
	putchar('\n');
	fflush(stdout);
}

static void start_txn(struct ping *pg);

static void txn_done(struct probe *p, void *arg)
{
	struct txn *t = arg;
	struct ping *pg = t->pg;
	struct sample s = {.seq = t->seq, .t = p->t};

	if (!p->facts.checked)
		verify_probe(p, &pg->k->vp);
	verdict_probe(p, &pg->k->vc);
	say_cert_once(pg, p);
	s.why = first_problem(p);
	s.ok = s.why == NULL;
	pg->done++;
	pg->failed += !s.ok;
	line_out(pg, &s);
	if (pg->nsamples < PING_SAMPLES_MAX) {
		pg->samples = xreallocarray(pg->samples, pg->nsamples + 1, sizeof(*pg->samples));
		pg->samples[pg->nsamples++] = s;
	} else {
		free(s.why);
	}
	if (t->prev)
		t->prev->next = t->next;
	else
		live = t->next;
	if (t->next)
		t->next->prev = t->prev;
	probe_free(p);
	free(t);
	pg->inflight--;
	if (pg->o->rate == 0 && !pg->stopping && pg->started < pg->o->count) {
		/* Sequential: the next one INTERVAL after this one started, or now if later. */
		double wait = pg->o->interval - (now_ms() - pg->last_start) / 1000.0;
		struct timeval tv = {0, 0};

		if (wait > 0) {
			tv.tv_sec = (time_t)wait;
			tv.tv_usec = (suseconds_t)((wait - (double)tv.tv_sec) * 1e6);
		}
		evtimer_add(pg->tick, &tv);
	} else if (pg->inflight == 0 && (pg->stopping || pg->o->rate == 0)) {
		event_base_loopexit(pg->base, NULL);
	}
}

static void start_txn(struct ping *pg)
{
	struct txn *t = xcalloc(1, sizeof(*t));

	t->pg = pg;
	t->seq = ++pg->started;
	t->p = probe_new(pg->o->c.host, pg->addr, pg->port, pg->mode, pg->d, pg->d->name);
	t->next = live;
	if (live)
		live->prev = t;
	live = t;
	pg->inflight++;
	pg->sp.seq = t->seq;
	pg->last_start = now_ms();
	session_start(pg->base, &pg->sp, t->p, &t->sess, txn_done, t);
}

/* Sequential: the next transaction. Open-loop: one per tick, unless --concurrency are in
 * flight already (a miss: counted, never made up later, so the rate asked is the rate). */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct ping *pg = arg;

	(void)fd;
	(void)what;
	if (pg->stopping)
		return;
	if (pg->o->rate == 0) {
		start_txn(pg);
		return;
	}
	if ((now_ms() - pg->run_t0) / 1000.0 >= pg->o->duration) {
		pg->stopping = 1;
		event_del(pg->tick);
		if (pg->inflight == 0)
			event_base_loopexit(pg->base, NULL);
		return;
	}
	if (pg->inflight >= pg->o->c.concurrency)
		pg->missed++;
	else
		start_txn(pg);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct ping *pg = arg;

	(void)sig;
	(void)what;
	pg->stopping = pg->interrupted = 1;
	while (live) { /* cut short: not counted */
		struct txn *t = live;

		live = t->next;
		session_abort(t->sess);
		probe_free(t->p);
		free(t);
	}
	event_base_loopexit(pg->base, NULL);
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v. */
static double pct(const double *v, size_t n, double q)
{
	size_t r = (size_t)ceil(q / 100.0 * (double)n);

	return v[r ? r - 1 : 0];
}

struct stats {
	size_t n;
	double min, avg, max, sd, p50, p95, p99;
};

static int phase_stats(const struct ping *pg, size_t i, struct stats *st, double **sorted)
{
	double *v = xcalloc(pg->nsamples + 1, sizeof(*v)), sum = 0, sq = 0;
	size_t n = 0;

	/* A phase a failed transaction reached is a time like any other (smtpping counts it). */
	for (size_t k = 0; k < pg->nsamples; k++)
		if (phase_ms(&pg->samples[k].t, i) >= 0)
			v[n++] = phase_ms(&pg->samples[k].t, i);
	if (n == 0) {
		free(v);
		return 0;
	}
	qsort(v, n, sizeof(*v), dbl_cmp);
	for (size_t k = 0; k < n; k++)
		sum += v[k];
	st->n = n;
	st->avg = sum / (double)n;
	for (size_t k = 0; k < n; k++)
		sq += (v[k] - st->avg) * (v[k] - st->avg);
	st->sd = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	st->min = v[0];
	st->max = v[n - 1];
	st->p50 = pct(v, n, 50);
	st->p95 = pct(v, n, 95);
	st->p99 = pct(v, n, 99);
	*sorted = v;
	return 1;
}

/* A small histogram of the total time, ten bins from min to max, for the terminal. */
static void histogram(const double *v, const struct stats *st)
{
	size_t bins[10] = {0}, top = 0;
	double w = (st->max - st->min) / 10;

	if (st->n < 2 || w <= 0)
		return;
	for (size_t k = 0; k < st->n; k++) {
		size_t b = (size_t)((v[k] - st->min) / w);
		bins[b > 9 ? 9 : b]++;
	}
	for (int b = 0; b < 10; b++)
		top = bins[b] > top ? bins[b] : top;
	printf("total, distribution:\n");
	for (int b = 0; b < 10; b++) {
		int bar = (int)(bins[b] * 40 / top);
		printf("  %8.2f .. %8.2f ms %6zu %.*s\n", st->min + w * b, st->min + w * (b + 1),
		    bins[b], bar, "########################################");
	}
}

static void summary(struct ping *pg)
{
	double secs = pg->o->rate ? (now_ms() - pg->run_t0) / 1000.0 : 0;
	json_t *js = pg->o->c.json ? json_object() : NULL;

	if (!pg->o->c.json) {
		printf("\n--- %s ping statistics (%s:%u, %s%s) ---\n", pg->o->c.host, pg->addr, pg->port,
		    pg->d->name, pg->tx.no_tls ? ", NO TLS" : "");
		printf("%lu transactions, %lu ok, %lu failed", pg->done, pg->done - pg->failed,
		    pg->failed);
		if (pg->o->rate)
			printf(", %.2f/s achieved of %.2f/s asked, %lu starts missed (--concurrency %zu "
			       "in flight)",
			    secs > 0 ? (double)pg->started / secs : 0, pg->o->rate, pg->missed,
			    pg->o->c.concurrency);
		printf("%s\n", pg->interrupted ? " (interrupted)" : "");
		printf("%-12s %6s %9s %9s %9s %9s %9s %9s %9s\n", "phase (ms)", "n", "min", "avg",
		    "max", "stddev", "p50", "p95", "p99");
	}
	for (size_t i = 0; i < NPHASES; i++) {
		struct stats st;
		double *v = NULL;

		if (!phase_stats(pg, i, &st, &v))
			continue;
		if (js)
			json_object_set_new(js, phases[i].name[pg->di],
			    json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "n", (json_int_t)st.n,
			        "min", st.min, "avg", st.avg, "max", st.max, "stddev", st.sd, "p50",
			        st.p50, "p95", st.p95, "p99", st.p99));
		else
			printf("%-12s %6zu %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f\n",
			    phases[i].name[pg->di], st.n, st.min, st.avg, st.max, st.sd, st.p50, st.p95,
			    st.p99);
		if (!js && i == NPHASES - 1)
			histogram(v, &st);
		free(v);
	}
	if (pg->failed && !pg->o->c.json) {
		/* Errors by kind (the finding's code), then each failed transaction. */
		printf("failed, by kind:");
		for (size_t k = 0; k < pg->nsamples; k++) {
			size_t cl = strcspn(pg->samples[k].why ? pg->samples[k].why : "", " "), n = 0;
			int first = 1;

			if (pg->samples[k].ok)
				continue;
			for (size_t m = 0; m < pg->nsamples; m++) {
				const char *w = pg->samples[m].why;
				if (pg->samples[m].ok || w == NULL || strncmp(w, pg->samples[k].why, cl) ||
				    (w[cl] != ' ' && w[cl] != '\0'))
					continue;
				first &= m >= k;
				n++;
			}
			if (first)
				printf(" %.*s %zu", (int)cl, pg->samples[k].why, n);
		}
		printf("\n");
		for (size_t k = 0; k < pg->nsamples; k++)
			if (!pg->samples[k].ok)
				printf("  seq=%lu %s\n", pg->samples[k].seq, pg->samples[k].why);
	}
	if (js) {
		json_t *root = json_pack("{s:s, s:s, s:i, s:s, s:b, s:I, s:I, s:I, s:b, s:o, s:o}",
		    "host", pg->o->c.host, "address", pg->addr, "port", pg->port, "protocol",
		    pg->d->name, "tls", !pg->tx.no_tls, "transactions", (json_int_t)pg->done, "ok",
		    (json_int_t)(pg->done - pg->failed), "failed", (json_int_t)pg->failed,
		    "interrupted", pg->interrupted, "samples", pg->jsamples, "summary_ms", js);

		if (pg->o->rate)
			json_object_set_new(root, "rate",
			    json_pack("{s:f, s:f, s:I, s:f}", "asked", pg->o->rate, "achieved",
			        secs > 0 ? (double)pg->started / secs : 0.0, "missed",
			        (json_int_t)pg->missed, "seconds", secs));
		pg->jsamples = NULL;
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(root);
	}
}

static int ping_parse(int argc, char **argv, struct ping_opts *o)
{
	const struct limits lim = LIMITS_DEFAULT;
	int first, errors = 0;

	ping_table_build();
	memset(o, 0, sizeof(*o));
	o->c.mode = -1;
	o->c.lim = lim;
	o->c.at = time(NULL);
	first = opts_parse(&ping_cmd, argc, argv, o);
	if (first <= 0)
		return first == 0 ? 1 : -1;
	if (first + 1 == argc) {
		char err[200];
		union opt_value v;
		struct opt hp = {O_HOST, "host", 0, OPT_HOSTPORT, NULL, NULL, NULL, NULL};

		if (opts_value(&hp, argv[first], o->c.at, &v, err, sizeof(err)) != 0 ||
		    check_opts_apply(&o->c, &hp, &v, 1, err, sizeof(err)) != 0) {
			fprintf(stderr, "mailtls ping: %s: %s\n", argv[first], err);
			errors++;
		}
	} else {
		fprintf(stderr, "mailtls ping: name one server: HOST[:PORT]\n");
		errors++;
	}
	if ((o->from == NULL) != (o->to == NULL)) {
		fprintf(stderr, "mailtls ping: --from and --to go together\n");
		errors++;
	}
	if (o->data && (o->from == NULL || o->to == NULL)) {
		fprintf(stderr, "mailtls ping: --data needs --from and --to: nothing is sent to "
		                "anyone the user did not name\n");
		errors++;
	}
	if (o->no_tls && (o->user || o->c.mode == TLS_MODE_IMPLICIT)) {
		fprintf(stderr, "mailtls ping: --no-tls never logs in, nor speaks to an implicit TLS "
		                "port\n");
		errors++;
	}
	if (o->rate) {
		if (o->duration == 0) {
			fprintf(stderr, "mailtls ping: --rate needs --duration: a load always ends\n");
			errors++;
		}
		if (o->rate > PING_RATE_POLITE && !o->force) {
			fprintf(stderr, "mailtls ping: --rate %.4g is more than %.0f a second: that "
			                "loads someone's server; add --force if it is yours\n",
			    o->rate, PING_RATE_POLITE);
			errors++;
		}
	} else if (o->duration) {
		fprintf(stderr, "mailtls ping: --duration goes with --rate\n");
		errors++;
	}
	if (errors) {
		fprintf(stderr, "Try 'mailtls ping --help'.\n");
		return -1;
	}
	check_opts_waits(&o->c);
	return 0;
}

int ping_main(int argc, char **argv)
{
	struct ping_opts o;
	struct checker k;
	struct cred cred;
	struct ping pg;
	struct event *sigint = NULL, *sigterm = NULL;
	char err[300];
	int rc;

	memset(&k, 0, sizeof(k));
	memset(&cred, 0, sizeof(cred));
	memset(&pg, 0, sizeof(pg));
	if ((rc = ping_parse(argc, argv, &o)) != 0)
		return rc > 0 ? 0 : STATUS_UNKNOWN;
	if (o.user && cred_load(&cred, o.user, o.password_file, o.token_file, 1, err,
	                  sizeof(err)) != 0) {
		fprintf(stderr, "mailtls ping: %s\n", err);
		cred_wipe(&cred);
		return STATUS_UNKNOWN;
	}
	rc = STATUS_UNKNOWN;
	pg.o = &o;
	pg.k = &k;
	if (checker_address(&o.c, pg.addr, sizeof(pg.addr), "ping") != 0)
		goto out;
	if ((pg.base = event_base_new()) == NULL)
		fatal("cannot create event loop");
	if (checker_init(&k, &o.c, pg.base, 0, 0, "ping") != 0)
		goto out;
	pg.d = k.ec.dialect;
	pg.di = pg.d->tagged ? 1 : pg.d->capa_multiline ? 2 : 0;
	pg.port = k.ec.port;
	pg.mode = k.ec.mode;
	pg.tx.from = o.from;
	pg.tx.to = o.to;
	pg.tx.data = o.data;
	pg.tx.size = o.size;
	pg.tx.noop = 1;
	pg.tx.no_tls = o.no_tls;
	pg.ap.cred = &cred;
	pg.ap.mech = o.mech;
	pg.ap.gate = gate;
	pg.ap.arg = &pg;
	pg.sp = k.sp;
	pg.sp.txn = &pg.tx;
	pg.sp.auth = o.user ? &pg.ap : NULL;
	pg.jsamples = json_array();
	pg.tick = event_new(pg.base, -1, o.rate ? EV_PERSIST : 0, on_tick, &pg);
	sigint = evsignal_new(pg.base, SIGINT, on_signal, &pg);
	sigterm = evsignal_new(pg.base, SIGTERM, on_signal, &pg);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);
	if (!o.c.json)
		printf("PING %s (%s) port %u, %s%s\n", o.c.host, pg.addr, pg.port, pg.d->name,
		    o.no_tls ? ", NO TLS (plaintext, as smtpping)"
		    : pg.mode == TLS_MODE_IMPLICIT ? ", implicit TLS"
		                                   : ", STARTTLS");
	if (o.rate) {
		struct timeval tv;
		double period = 1.0 / o.rate;

		tv.tv_sec = (time_t)period;
		tv.tv_usec = (suseconds_t)((period - (double)tv.tv_sec) * 1e6);
		pg.run_t0 = now_ms();
		evtimer_add(pg.tick, &tv);
		on_tick(-1, 0, &pg);
	} else {
		start_txn(&pg);
	}
	event_base_dispatch(pg.base);
	cred_wipe(&cred);
	summary(&pg);
	fflush(stdout);
	rc = pg.failed || pg.done == 0 ? STATUS_CRIT : STATUS_OK;
	if (pg.interrupted && pg.done == 0)
		rc = STATUS_UNKNOWN;
out:
	cred_wipe(&cred);
	for (size_t i = 0; i < pg.nsamples; i++)
		free(pg.samples[i].why);
	free(pg.samples);
	json_decref(pg.jsamples);
	if (pg.tick)
		event_free(pg.tick);
	if (sigint)
		event_free(sigint);
	if (sigterm)
		event_free(sigterm);
	checker_free(&k);
	if (pg.base)
		event_base_free(pg.base);
	return rc;
}
