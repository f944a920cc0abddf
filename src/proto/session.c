/*
 * session.c - the mail session machine. session_enter() says what each state sends,
 * session_reply() what a complete reply means there, session_io() turns transport events
 * into those two. Credentials are never sent: this machine has no state that could.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "base/addr.h"
#include "base/util.h"
#include "net/io.h"
#include "proto/auth.h"
#include "proto/dialect.h"
#include "proto/session.h"
#include "tls/tlsinfo.h"

enum session_state {
	S_CONNECT,   /* TCP connect in progress */
	S_GREETING,  /* waiting for the banner */
	S_CAPA,      /* capability command sent (EHLO, CAPABILITY, CAPA) */
	S_FALLBACK,  /* SMTP: HELO sent after EHLO was refused */
	S_PRETLS,    /* submission: AUTH or MAIL FROM sent before STARTTLS, to be refused */
	S_CANCEL,    /* ... AUTH was taken: "*" sent to cancel it (RFC 4954 4) */
	S_RSET,      /* ... MAIL FROM was taken: RSET sent to forget it */
	S_STARTTLS,  /* STARTTLS sent */
	S_HANDSHAKE, /* TLS handshake in progress */
	S_RAW,       /* --tls-scan: the crafted ClientHello sent, its answer awaited */
	S_INJECTED,  /* --starttls-tests: TLS is up; does the command sent with STARTTLS
	                get an answer nobody asked for over it? */
	S_AUTH,      /* mailtls auth: the login over TLS (proto/auth.c says the words) */
	S_MAIL,      /* mailtls ping: MAIL FROM sent */
	S_RCPT,      /* ... RCPT TO */
	S_DATA,      /* ... DATA, waiting for 354 */
	S_BODY,      /* ... the message and its ".", waiting for 250 */
	S_NOOP,      /* ... NOOP */
	S_RETRY,     /* refused for now: waiting to connect again (bounded back-off) */
	S_QUIT,      /* QUIT sent; any answer or close ends it */
	S_DONE,
};

static const char *const session_state_names[] = {
    "connect",
    "greeting",
    "capabilities",
    "helo",
    "pre-TLS AUTH or MAIL",
    "AUTH cancel",
    "RSET",
    "starttls",
    "handshake",
    "scan hello",
    "injection wait",
    "login",
    "MAIL FROM",
    "RCPT TO",
    "DATA",
    "message",
    "NOOP",
    "retry wait",
    "quit",
    "done",
};

struct session {
	struct event_base *base;
	const struct session_params *par;
	const struct session_variant *var; /* NULL: the usual handshake */
	struct probe *p;
	struct io *io;
	struct event *timer;
	struct session **handle; /* the owner's pointer to this session */
	enum session_state state;
	struct reply reply;
	int greeted;
	char *refusal; /* the capability command's refusal, while falling back */
	char *pretls;  /* the command sent in S_PRETLS, for the finding */
	int injected;  /* STARTTLS went out with the dialect's inject_cmd behind it */
	int retried;   /* connected again without it, after the server hung up on it */
	struct auth *auth; /* the login in progress (S_AUTH) */
	int logged_in;     /* the login succeeded (a POP3 NOOP needs it) */
	int tries;         /* connections refused for now so far */
	double retry_s;    /* the wait before the next */
	unsigned long seq; /* ping: this transaction's number (par is shared by those in flight) */
	double auth_t0;
	double t0;
	session_done_cb done;
	void *arg;
};

static void session_enter(struct session *, enum session_state);
static void session_txn_begin(struct session *);
static void session_txn_reply(struct session *);
static void session_trace(const struct session *, const char *who, const char *text, size_t);
static void session_arm(struct session *);

static void session_finish(struct session *s)
{
	struct probe *p = s->p;
	session_done_cb done = s->done;
	void *arg = s->arg;

	p->t.total_ms = now_ms() - s->t0;
	if (s->state == S_QUIT && p->t.quit_ms < 0 && !s->par->quit_no_wait)
		p->t.quit_ms = p->t.total_ms; /* QUIT answered by a close */
	session_abort(s);
	done(p, arg);
}

/* A failure ends the session at once, without QUIT: after a protocol error, a timeout or a
 * failed handshake no command would mean anything to the server. */
static void session_connect(struct session *);

/*
 * A server may hang up, or fail the handshake, when a command follows STARTTLS in its
 * segment (Dovecot does): it keeps nothing across the upgrade, which is the right answer
 * to the test, and the certificate is still to be seen. Connect again, without the test.
 */
static int session_retry_without_injection(struct session *s, const char *detail)
{
	struct probe *p = s->p;
	char *why;

	if (s->state != S_HANDSHAKE || !s->injected || s->retried)
		return 0;
	why = xstrdup(detail);
	session_trace(s, "--", "handshake failed after the injected command; again without it",
	    61);
	probe_forget_session(p);
	probe_add(p, F_STARTTLS_INJECTION_SAFE, -1,
	    "with \"%s\" behind %s in one segment the server failed the handshake (%s): it "
	    "keeps no plaintext across STARTTLS; checked again on a new connection",
	    p->dialect->inject_cmd, p->dialect->starttls_cmd, why);
	free(why);
	io_free(s->io);
	s->io = NULL;
	s->retried = 1;
	s->injected = 0;
	s->greeted = 0;
	s->t0 = now_ms();
	session_connect(s);
	return 1;
}

/*
 * A server at its limit refuses for now: 421 or 450 in the greeting (RFC 5321 3.8, 4.2.5),
 * "too many connections", or a close before any greeting. That says nothing of its TLS:
 * connect again after a back-off that doubles (RETRY_BASE_S, 2x, ...), par->retries times,
 * then say it was refused, which leaves the verdict unknown. Returns 1 when a retry waits.
 */
static int session_refused_for_now(struct session *s, const char *what)
{
	if (s->tries < s->par->retries) {
		char msg[200];

		s->retry_s = RETRY_BASE_S * (double)(1u << (s->tries < 10 ? s->tries : 10));
		s->tries++;
		snprintf(msg, sizeof(msg), "refused for now (%.120s): connecting again in %.3g s",
		    what, s->retry_s);
		session_trace(s, "--", msg, strlen(msg));
		io_free(s->io);
		s->io = NULL;
		probe_forget_session(s->p);
		s->greeted = 0;
		s->state = S_RETRY;
		session_arm(s);
		return 1;
	}
	probe_add(s->p, F_TEMPORARILY_REFUSED, -1,
	    "the server refused for now, %d time%s (the last: %s): no verdict on its TLS; "
	    "try later",
	    s->tries + 1, s->tries ? "s" : "", what);
	return 0;
}

static void session_fail(struct session *s, enum finding_code code, const char *fmt,
    const char *detail)
{
	if (code == F_TLS_HANDSHAKE_FAILED && session_retry_without_injection(s, detail))
		return;
	probe_add(s->p, code, -1, fmt, session_state_names[s->state], detail);
	session_finish(s);
}

/*
 * A failure before any I/O (no socket: EMFILE, say) still ends through the loop, never
 * inside session_start(): callers that start the next probe from the done callback would
 * otherwise recurse once per queued probe.
 */
static void session_fail_later(struct session *s, enum finding_code code, const char *fmt,
    const char *detail)
{
	struct timeval now = {0, 0};

	probe_add(s->p, code, -1, fmt, detail);
	s->state = S_DONE;
	evtimer_add(s->timer, &now);
}

/* The bound of the wait in state st (conf/limits.h says why each is what it is). */
static double session_wait(const struct session *s, enum session_state st)
{
	const struct limits *lim = s->par->lim;

	switch (st) {
	case S_CONNECT:
		return lim->connect_s;
	case S_GREETING:
		return lim->greeting_s;
	case S_HANDSHAKE:
	case S_RAW:
		return lim->handshake_s;
	case S_INJECTED:
		return lim->reply_s < INJECTION_WAIT_S ? lim->reply_s : INJECTION_WAIT_S;
	case S_RETRY:
		return s->retry_s;
	default:
		return lim->reply_s;
	}
}

static void session_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct session *s = arg;
	char detail[64];

	(void)fd;
	(void)what;
	if (s->state == S_QUIT || s->state == S_DONE) {
		session_finish(s);
		return;
	}
	if (s->state == S_RETRY) {
		session_connect(s);
		return;
	}
	if (s->state == S_INJECTED) {
		/* Nothing came unasked: the capabilities over TLS are the harmless command
		 * that makes sure (a late answer to the injected one would precede theirs). */
		const char *m = "no answer to the injected command over TLS";

		session_trace(s, "--", m, strlen(m));
		probe_add(s->p, F_STARTTLS_INJECTION_SAFE, -1,
		    "\"%s\" sent in one segment with %s was not answered over TLS within %.3g s",
		    s->p->dialect->inject_cmd, s->p->dialect->starttls_cmd,
		    session_wait(s, S_INJECTED));
		session_enter(s, S_CAPA);
		return;
	}
	snprintf(detail, sizeof(detail), "%.3g s", session_wait(s, s->state));
	if (s->state == S_RAW) {
		snprintf(s->var->raw->why, sizeof(s->var->raw->why), "no answer within %s",
		    detail);
		session_finish(s);
		return;
	}
	session_fail(s, F_TIMEOUT, "no answer in state %s within %s", detail);
}

/* Every wait is bounded by one timer, re-armed at each state: a server that trickles bytes
 * cannot stretch a reply past its bound. */
static void session_arm(struct session *s)
{
	struct timeval tv;
	double t = session_wait(s, s->state);

	tv.tv_sec = (time_t)t;
	tv.tv_usec = (suseconds_t)((t - (double)tv.tv_sec) * 1e6);
	evtimer_add(s->timer, &tv);
}

/* --verbose: "[address]:port C: EHLO x" and "S: 250-..."; server text censored. */
static void session_trace(const struct session *s, const char *who, const char *text, size_t len)
{
	char *c;

	if (s->par->trace == NULL)
		return;
	c = censor(text, len);
	fprintf(s->par->trace, strchr(s->p->address, ':') ? "[%s]:%u %s %s\n" : "%s:%u %s %s\n",
	    s->p->address, s->p->port, who, c);
	free(c);
}

/* A line that may carry the credential: written as it is, traced as shown. */
static void session_send_line(struct session *s, const char *line, const char *shown)
{
	session_trace(s, "C:", shown, strlen(shown));
	if (io_write_line(s->io, line, strlen(line)) < 0)
		session_fail(s, F_PROTOCOL_ERROR, "in state %s: %s", s->io->err);
}

static void session_send(struct session *s, const char *cmd)
{
	session_trace(s, "C:", cmd, strlen(cmd));
	if (io_printf(s->io, "%s", cmd) < 0)
		session_fail(s, F_PROTOCOL_ERROR, "in state %s: %s", s->io->err);
}

/* --tls-scan: the crafted hello instead of the handshake. */
static void session_raw(struct session *s)
{
	struct raw_hello *rh = s->var->raw;

	s->state = S_RAW;
	session_arm(s);
	if (io_start_raw(s->io, rh->bytes, rh->len, HELLO_READ_MAX) < 0) {
		snprintf(rh->why, sizeof(rh->why), "%.150s", s->io->err);
		session_finish(s);
		return;
	}
	rh->sent = 1;
	rh->r = HELLO_MORE;
	session_trace(s, "C:", "(a crafted ClientHello)", 23);
}

/* The answer so far: 1 when it is whole (or broken) and the session has ended. */
static int session_raw_data(struct session *s, const unsigned char *in, size_t len)
{
	struct raw_hello *rh = s->var->raw;
	int ecdhe = 0;

	rh->r = hello_read(in, len, &rh->sh);
	if (rh->r == HELLO_MORE)
		return 0;
	if (rh->r == HELLO_SERVER_HELLO && rh->wants_kx && rh->wants_kx(rh->arg, &rh->sh, &ecdhe)) {
		enum hello_result k = hello_read_kx(in, len, ecdhe, &rh->kx);

		if (k == HELLO_MORE)
			return 0;
		if (k != HELLO_SERVER_HELLO)
			rh->kx.seen = 0; /* the ServerHello stands; the key exchange is unknown */
	}
	session_trace(s, "S:", hello_result_name(rh->r), strlen(hello_result_name(rh->r)));
	session_finish(s);
	return 1;
}

static int session_handshake(struct session *s)
{
	SSL *ssl;
	long stale;

	if (s->var && s->var->raw) {
		session_raw(s);
		return 0;
	}
	ssl = SSL_new(s->par->ssl_ctx);

	if (ssl == NULL) {
		session_fail(s, F_TLS_HANDSHAKE_FAILED, "in state %s: %s", "cannot create SSL");
		return -1;
	}
	/* SNI is a host name, never an address literal (RFC 6066 3). */
	if (!addr_is_ip(s->p->host) && !(s->var && s->var->no_sni))
		SSL_set_tlsext_host_name(ssl, s->p->host);
	if (s->var && ((s->var->sigalgs && !SSL_set1_sigalgs_list(ssl, s->var->sigalgs)) ||
	                  (s->var->cipher_list && !SSL_set_cipher_list(ssl, s->var->cipher_list)))) {
		SSL_free(ssl);
		session_fail(s, F_TLS_HANDSHAKE_FAILED, "in state %s: %s",
		    "OpenSSL refused the signature algorithms or suites asked for");
		return -1;
	}
	s->state = S_HANDSHAKE;
	session_arm(s);
	stale = io_start_tls(s->io, ssl);
	if (stale < 0) {
		session_fail(s, F_TLS_HANDSHAKE_FAILED, "in state %s: %s", s->io->err);
		return -1;
	}
	if (stale > 0) {
		char msg[80];

		snprintf(msg, sizeof(msg),
		    "%ld plaintext bytes after the STARTTLS reply, discarded", stale);
		session_trace(s, "--", msg, strlen(msg));
		probe_add(s->p, F_STARTTLS_INJECTION, -1,
		    "%ld bytes of plaintext followed the STARTTLS reply before the handshake; "
		    "discarded (a client that read them would accept forged replies)",
		    stale);
	}
	return 0;
}

/* Send one of the dialect's commands (a %s in it is the EHLO name) and await its reply. */
static void session_command(struct session *s, const char *fmt)
{
	char *cmd = xasprintf(fmt, s->par->ehlo_name);

	reply_expect(&s->reply, s->p->dialect, cmd);
	session_send(s, cmd);
	free(cmd);
}

/*
 * The test message of mailtls ping: marked as one in its subject and a header of its own,
 * to the one recipient the user named, padded to about the size asked with lines no dot
 * starts (so nothing needs stuffing, RFC 5321 4.5.2), then the "." that ends it.
 */
static void session_body(struct session *s)
{
	const struct txn_params *tx = s->par->txn;
	char date[64], line[128];
	time_t now = time(NULL);
	struct tm tm;
	size_t sent = 0;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	{
		char *hdr = xasprintf(
		    "From: <%s>\r\nTo: <%s>\r\nSubject: mailtls ping test message %lu\r\n"
		    "Date: %s\r\nMessage-ID: <mailtls-ping-%ld-%lu@%s>\r\n"
		    "X-Mailtls-Test: yes; sent by mailtls ping to measure this server; discard it\r\n"
		    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
		    "This is a test message sent by mailtls ping to measure how long this server\r\n"
		    "takes to accept mail. It can be deleted.",
		    tx->from, tx->to, s->seq, date, (long)now, s->seq, s->par->ehlo_name);

		sent = strlen(hdr);
		if (io_write_line(s->io, hdr, sent) < 0) {
			free(hdr);
			goto fail;
		}
		free(hdr);
	}
	memset(line, 'x', 76);
	line[76] = '\0';
	while (sent + 78 <= tx->size) {
		if (io_write_line(s->io, line, 76) < 0)
			goto fail;
		sent += 78;
	}
	session_trace(s, "C:", "(the message)", 13);
	reply_expect(&s->reply, s->p->dialect, "DATA");
	session_send(s, ".");
	return;
fail:
	session_fail(s, F_PROTOCOL_ERROR, "in state %s: %s", s->io->err);
}

static void session_enter(struct session *s, enum session_state st)
{
	const struct dialect *d = s->p->dialect;

	s->state = st;
	reply_expect(&s->reply, d, NULL);
	session_arm(s);
	switch (st) {
	case S_CAPA:
		session_command(s, d->capa_cmd);
		break;
	case S_FALLBACK:
		session_command(s, d->fallback_cmd);
		break;
	case S_PRETLS:
		reply_expect(&s->reply, d, s->pretls);
		session_send(s, s->pretls);
		break;
	case S_CANCEL:
		session_send(s, "*");
		break;
	case S_RSET:
		session_send(s, "RSET");
		break;
	case S_STARTTLS:
		if (s->par->starttls_tests && d->inject_cmd && !s->retried) {
			/* CVE-2011-0411: both in one write, so in one segment; a server
			 * that keeps what followed STARTTLS answers it over TLS. */
			char *cmd = xasprintf("%s\r\n%s", d->starttls_cmd, d->inject_cmd);

			s->injected = 1;
			reply_expect(&s->reply, d, d->starttls_cmd);
			session_send(s, cmd);
			free(cmd);
		} else {
			session_command(s, d->starttls_cmd);
		}
		break;
	case S_HANDSHAKE:
		session_handshake(s);
		break;
	case S_QUIT:
		session_command(s, d->quit_cmd);
		if (s->par->quit_no_wait)
			io_notify_sent(s->io);
		break;
	case S_MAIL:
	case S_RCPT: {
		char *cmd = xasprintf(st == S_MAIL ? "MAIL FROM:<%s>" : "RCPT TO:<%s>",
		    st == S_MAIL ? s->par->txn->from : s->par->txn->to);

		reply_expect(&s->reply, d, cmd);
		session_send(s, cmd);
		free(cmd);
		break;
	}
	case S_DATA:
		session_command(s, "DATA");
		break;
	case S_BODY:
		session_body(s);
		break;
	case S_NOOP:
		session_command(s, d->tagged ? "N NOOP" : "NOOP");
		break;
	default: /* S_GREETING and S_INJECTED wait; S_CONNECT and S_DONE never enter */
		break;
	}
}

static char *reply_join(const struct reply *r)
{
	size_t len = 0;
	char *out, *q;

	for (size_t i = 0; i < r->nlines; i++)
		len += strlen(r->lines[i]) + 5;
	out = q = xcalloc(len + 1, 1);
	for (size_t i = 0; i < r->nlines; i++) {
		if (r->code)
			q += sprintf(q, "%s%d %s", i ? "\n" : "", r->code, r->lines[i]);
		else
			q += sprintf(q, "%s%s", i ? "\n" : "", r->lines[i]);
	}
	return out;
}

/*
 * A greeting that took seconds is a fact worth saying: a deliberate delay (Exim's connect
 * ACL, Sendmail's greet_pause) that every delivery waits out. How bad it is, the verdict
 * says (near the 5 minutes senders give it, some of them give up first).
 */
static void session_slow_greeting(struct session *s)
{
	struct probe *p = s->p;
	double waited =
	    (p->t.banner_ms - (p->t.handshake_ms >= 0 ? p->t.handshake_ms : p->t.connect_ms)) /
	    1000;

	if (waited >= SLOW_GREETING_INFO_S)
		probe_add_arg(p, F_SLOW_GREETING, -1, (long)(waited * 1000),
		    "the greeting came after %.1f s", waited);
}

/* A reply of the success class must also carry the code the protocol names (0: any). */
static int code_ok(const struct reply *r, int want)
{
	return want == 0 || r->code == want;
}

/* Before TLS: would a client that logs in here send its password in the clear? */
static void session_cleartext_auth(struct session *s)
{
	char what[160];

	if (dialect_cleartext_auth(s->p->dialect, &s->p->capa_plain, what, sizeof(what)))
		probe_add(s->p, F_PLAINTEXT_AUTH_OFFERED, -1,
		    "before TLS the server offers %s: a client that logs in now sends its "
		    "password in the clear (RFC 8314 3, RFC 9051 11.1)",
		    what);
}

/*
 * A submission server must refuse mail and logins before TLS (RFC 8314 3; "530 Must issue
 * a STARTTLS command first", RFC 3207 4). Ask what a careless client would: AUTH with the
 * first mechanism it offers, without an initial response, so that no credential exists to
 * be sent; else MAIL FROM:<>. Only on 587 over SMTP. Sets s->pretls; 0 when not asked.
 */
static int session_pretls_command(struct session *s)
{
	const struct probe *p = s->p;
	char mech[32] = "";

	if (p->service == NULL || strcmp(p->service, "submission") != 0 ||
	    p->dialect->tagged || p->dialect->capa_multiline)
		return 0;
	for (size_t i = 0; i < p->capa_plain.n && mech[0] == '\0'; i++) {
		const char *c = p->capa_plain.v[i] + strspn(p->capa_plain.v[i], " \t");

		if (strncasecmp(c, "AUTH ", 5) == 0)
			sscanf(c + 5, "%31[A-Za-z0-9_-]", mech);
	}
	free(s->pretls);
	s->pretls = mech[0] ? xasprintf("AUTH %s", mech) : xstrdup("MAIL FROM:<>");
	return 1;
}

/* The answer to the pre-TLS AUTH or MAIL FROM: 530 (or 538, RFC 4954 6) is right. */
static int session_pretls_reply(struct session *s)
{
	struct reply *r = &s->reply;
	int auth = strncmp(s->pretls, "AUTH", 4) == 0;
	char *text;

	if (r->code == 530 || r->code == 538 || r->code >= 400) {
		/* Refused: with 530 as it should; with another refusal TLS may or may not be
		 * what it wants, and nothing is claimed. */
		session_enter(s, S_STARTTLS);
		return 1;
	}
	text = reply_join(r);
	probe_add(s->p, F_TLS_NOT_REQUIRED, -1,
	    "before TLS the server answered \"%s\" with \"%s\" where RFC 8314 3 wants it "
	    "refused (530): a client may %s in plaintext%s",
	    s->pretls, text, auth ? "log in" : "submit mail",
	    auth ? "; mailtls cancelled the exchange and sent no credential" : "");
	free(text);
	session_enter(s, auth ? (r->code == 334 ? S_CANCEL : S_STARTTLS) : S_RSET);
	return 1;
}

/*
 * TLS is up and its capabilities read: ask the owner (who verifies the certificate) whether
 * to log in, then send the first line of the exchange. Nothing of the credential exists in
 * this file; the lines come from proto/auth.c with their redacted twins.
 */
static void session_auth_begin(struct session *s)
{
	const struct auth_params *ap = s->par->auth;
	char why[256] = "", shown[128] = "", *line = NULL;

	if (!ap->gate(s->p, ap->arg, why, sizeof(why))) {
		probe_add(s->p, F_AUTH_NOT_ATTEMPTED, -1, "no credential was sent: %s", why);
		session_enter(s, S_QUIT);
		return;
	}
	s->auth = auth_begin(ap, s->p, s->io->ssl, &s->reply, &line, shown, sizeof(shown), why,
	    sizeof(why));
	if (s->auth == NULL) {
		probe_add(s->p, F_AUTH_NO_MECHANISM, -1, "no credential was sent: %s", why);
		session_enter(s, S_QUIT);
		return;
	}
	s->state = S_AUTH;
	s->auth_t0 = now_ms();
	session_arm(s);
	session_send_line(s, line, shown);
	auth_line_free(line);
}

static void session_auth_reply(struct session *s)
{
	char msg[400], shown[128] = "", *line = NULL;
	enum auth_next n =
	    auth_reply(s->auth, &s->reply, &line, shown, sizeof(shown), msg, sizeof(msg));
	double ms = now_ms() - s->auth_t0;

	if (n == AUTH_SEND) {
		session_arm(s);
		session_send_line(s, line, shown);
		auth_line_free(line);
		return;
	}
	if (n == AUTH_SUCCEEDED)
		probe_add(s->p, F_AUTH_SUCCEEDED, -1, "logged in with %s over %s in %.1f ms: \"%s\"",
		    auth_mech(s->auth), s->p->tls_version ? s->p->tls_version : "TLS", ms, msg);
	else
		probe_add(s->p, F_AUTH_FAILED, -1, "the login with %s failed after %.1f ms: %s",
		    auth_mech(s->auth), ms, msg);
	auth_free(s->auth);
	s->auth = NULL;
	if (n != AUTH_SUCCEEDED) {
		session_enter(s, S_QUIT);
		return;
	}
	s->p->t.auth_ms = now_ms() - s->t0;
	s->logged_in = 1;
	session_txn_begin(s);
}

/* mailtls ping: the transaction's first command, or QUIT when none is asked. */
static void session_txn_begin(struct session *s)
{
	const struct txn_params *tx = s->par->txn;
	const struct dialect *d = s->p->dialect;
	int smtp = !d->tagged && !d->capa_multiline;

	if (tx && smtp && tx->from)
		session_enter(s, S_MAIL);
	else if (tx && tx->noop && (!d->capa_multiline || s->logged_in))
		session_enter(s, S_NOOP);
	else
		session_enter(s, S_QUIT);
}

/* A reply within the transaction: its phase's time, then the next step or a refusal. */
static void session_txn_reply(struct session *s)
{
	struct probe *p = s->p;
	const struct txn_params *tx = s->par->txn;
	struct reply *r = &s->reply;
	double at = now_ms() - s->t0;
	enum session_state next = S_QUIT;
	int ok = r->verdict == REPLY_OK;

	switch (s->state) {
	case S_MAIL:
		p->t.mail_ms = at;
		next = tx->to ? S_RCPT : S_QUIT;
		break;
	case S_RCPT:
		p->t.rcpt_ms = at;
		next = tx->data ? S_DATA : S_QUIT;
		break;
	case S_DATA:
		ok = r->code == 354; /* RFC 5321 4.3.2: only 354 invites the message */
		next = S_BODY;
		break;
	case S_BODY:
		p->t.data_ms = at;
		break;
	default: /* S_NOOP */
		p->t.noop_ms = at;
		break;
	}
	if (!ok) {
		char *text = reply_join(r);

		probe_add(p, F_TRANSACTION_REFUSED, -1, "%s was answered \"%s\"",
		    session_state_names[s->state], text);
		free(text);
		next = S_QUIT;
	}
	session_enter(s, next);
}

/* What a complete reply means in the current state. Returns non-zero when the transport
 * changed (TLS started or the session ended), so the reader must stop. */
static int session_reply(struct session *s)
{
	struct probe *p = s->p;
	struct reply *r = &s->reply;
	char *text;
	int bad;

	switch (s->state) {
	case S_GREETING:
		p->t.banner_ms = now_ms() - s->t0;
		session_slow_greeting(s);
		text = reply_join(r);
		if (p->banner == NULL)
			p->banner = xstrdup(text);
		bad = 1;
		if (r->verdict == REPLY_TEMPFAIL ||
		    (r->verdict != REPLY_OK && strcasestr(text, "too many connections"))) {
			if (session_refused_for_now(s, text)) {
				free(text);
				return 1;
			}
		} else if (r->verdict != REPLY_OK)
			probe_add(p, F_BANNER_REJECTED, -1, "the server greeted with \"%s\"", text);
		else if (!code_ok(r, p->dialect->greeting_code))
			probe_add(p, F_PROTOCOL_ERROR, -1,
			    "the server greeted with \"%s\", where RFC 5321 4.3.2 has %d (or 554)",
			    text, p->dialect->greeting_code);
		else
			bad = 0;
		free(text);
		if (bad) {
			session_enter(s, S_QUIT);
			return 1;
		}
		s->greeted = 1;
		if (p->dialect->tagged && !s->io->tls && strncasecmp(r->lines[0], "PREAUTH", 7) == 0) {
			/* RFC 9051 6.2.1: STARTTLS is valid only before authentication. */
			probe_add(p, F_IMAP_PREAUTH, -1,
			    "the greeting \"* %s\" logs the client in before TLS: STARTTLS is no "
			    "longer allowed, so the session stays in plaintext",
			    r->lines[0]);
			session_enter(s, S_QUIT);
			return 1;
		}
		session_enter(s, S_CAPA);
		return 1;
	case S_CAPA:
		text = reply_join(r);
		if (r->verdict == REPLY_PERMFAIL && !s->io->tls && p->dialect->fallback_cmd) {
			/* RFC 5321 4.1.4: a server that refuses EHLO may still take HELO. */
			s->refusal = text;
			session_enter(s, S_FALLBACK);
			return 1;
		}
		if (r->verdict != REPLY_OK || !code_ok(r, p->dialect->capa_code)) {
			if (!s->io->tls)
				probe_add(p, F_STARTTLS_NOT_OFFERED, -1,
				    "%s was refused (\"%s\"), so %s cannot be offered",
				    p->dialect->capa_name, text, p->dialect->starttls_capa);
			else
				probe_add(p, F_PROTOCOL_ERROR, -1,
				    "%s over TLS was refused: \"%s\"", p->dialect->capa_name, text);
			free(text);
			session_enter(s, S_QUIT);
			return 1;
		}
		free(text);
		if (s->io->tls) {
			p->t.capa_tls_ms = now_ms() - s->t0;
			p->dialect->capabilities(r, &p->capa_tls);
			if (s->par->auth)
				session_auth_begin(s);
			else
				session_txn_begin(s);
			return 1;
		}
		p->t.capa_ms = now_ms() - s->t0;
		p->dialect->capabilities(r, &p->capa_plain);
		session_cleartext_auth(s);
		if (s->par->txn && s->par->txn->no_tls) {
			session_txn_begin(s); /* ping --no-tls: in plaintext, as smtpping measures */
			return 1;
		}
		if (!dialect_has_capa(&p->capa_plain, p->dialect->starttls_capa)) {
			probe_add(p, F_STARTTLS_NOT_OFFERED, -1,
			    "the server's capabilities do not include %s",
			    p->dialect->starttls_capa);
			session_enter(s, S_QUIT);
			return 1;
		}
		if (s->par->txn == NULL && session_pretls_command(s)) {
			session_enter(s, S_PRETLS);
			return 1;
		}
		session_enter(s, S_STARTTLS);
		return 1;
	case S_PRETLS:
		return session_pretls_reply(s);
	case S_CANCEL:
	case S_RSET:
		session_enter(s, S_STARTTLS);
		return 1;
	case S_FALLBACK:
		text = reply_join(r);
		if (r->verdict == REPLY_OK)
			probe_add(p, F_STARTTLS_NOT_OFFERED, -1,
			    "%s was refused (\"%s\") and HELO accepted: without %s no extension "
			    "can be offered, %s included (RFC 3207 4)",
			    p->dialect->capa_name, s->refusal, p->dialect->capa_name,
			    p->dialect->starttls_capa);
		else
			probe_add(p, F_PROTOCOL_ERROR, -1,
			    "neither %s (\"%s\") nor HELO (\"%s\") was accepted",
			    p->dialect->capa_name, s->refusal, text);
		free(text);
		session_enter(s, S_QUIT);
		return 1;
	case S_STARTTLS:
		p->t.starttls_ms = now_ms() - s->t0;
		if (r->verdict != REPLY_OK || !code_ok(r, p->dialect->starttls_code)) {
			text = reply_join(r);
			if (r->verdict == REPLY_OK)
				probe_add(p, F_STARTTLS_REJECTED, -1,
				    "%s was answered \"%s\"; only %d starts TLS (RFC 3207 4)",
				    p->dialect->starttls_capa, text, p->dialect->starttls_code);
			else
				probe_add(p, F_STARTTLS_REJECTED, -1, "%s was answered \"%s\"",
				    p->dialect->starttls_capa, text);
			free(text);
			session_enter(s, S_QUIT);
			return 1;
		}
		session_enter(s, S_HANDSHAKE);
		return 1;
	case S_AUTH:
		session_auth_reply(s);
		return 1;
	case S_MAIL:
	case S_RCPT:
	case S_DATA:
	case S_BODY:
	case S_NOOP:
		session_txn_reply(s);
		return 1;
	case S_QUIT:
		p->t.quit_ms = now_ms() - s->t0;
		session_finish(s);
		return 1;
	default:
		return 0;
	}
}

/* A line over TLS that answers the command sent in the STARTTLS segment. */
static void session_injection(struct session *s, const char *line, size_t len)
{
	char *c = censor(line, len < 60 ? len : 60);

	probe_add(s->p, F_STARTTLS_COMMAND_INJECTION, -1,
	    "\"%s\" was sent in one segment with %s, and the server answered it over TLS "
	    "(\"%s\"): it keeps plaintext across STARTTLS, so an attacker's commands run "
	    "inside the client's TLS session (CVE-2011-0411)",
	    s->p->dialect->inject_cmd, s->p->dialect->starttls_cmd, c);
	free(c);
	s->injected = 0; /* said once */
	session_enter(s, S_QUIT);
}

/*
 * A server speaks when spoken to: a line that follows a complete reply before the client's
 * next command would be read as the reply to that command (a greeting "220 hi" followed by
 * "250 bogus" would answer our EHLO), so it is a protocol error, as in OpenSMTPD and curl.
 * IMAP servers may send untagged data ("* ...") at any time (RFC 9051 7), but a tagged
 * line or a continuation answers a command, and none was sent. After STARTTLS the
 * handshake drains and reports what followed; after QUIT nothing matters.
 */
static int session_unasked(struct session *s)
{
	char buf[512], *c, detail[80];
	size_t have, n, at = 0, l;

	if (s->state == S_STARTTLS || s->state == S_QUIT)
		return 0;
	have = io_peek(s->io, buf, sizeof(buf));
	if (have == 0)
		return 0;
	n = have < sizeof(buf) - 1 ? have : sizeof(buf) - 1;
	if (s->p->dialect->tagged) {
		while (at < n && buf[at] == '*') {
			const char *eol = memchr(buf + at, '\n', n - at);

			if (eol == NULL)
				return 0; /* the rest of an untagged line is still on its way */
			at = (size_t)(eol - buf) + 1;
		}
		if (at >= n)
			return 0;
	}
	l = strcspn(buf + at, "\r\n");
	if (at + l > n)
		l = n - at;
	if (s->injected && s->io->tls && s->state == S_CAPA) {
		/* The answer to the injected command came late, ahead of the capabilities'. */
		char line[80];

		snprintf(line, sizeof(line), "%.*s", (int)(l < 60 ? l : 60), buf + at);
		session_injection(s, line, strlen(line));
		return 1;
	}
	c = censor(buf + at, l < 60 ? l : 60);
	snprintf(detail, sizeof(detail), "%s%s", c, l > 60 ? "..." : "");
	free(c);
	session_fail(s, F_PROTOCOL_ERROR,
	    "in state %s: the server sent \"%s\" after its reply, before the client's next "
	    "command",
	    detail);
	return 1;
}

static int session_io(struct io *io, enum io_event ev, const char *line, size_t len, void *arg)
{
	struct session *s = arg;
	char err[160];

	/* The transport raises each of these once, in its state; anything else is a broken
	 * invariant of the transport, and must not be read twice into the probe. */
	if ((ev == IO_CONNECTED && s->state != S_CONNECT) ||
	    (ev == IO_TLS_READY && s->state != S_HANDSHAKE))
		return 0;
	if (s->state == S_RAW) {
		if (ev == IO_DATA)
			return session_raw_data(s, (const unsigned char *)line, len);
		if (ev == IO_ERROR || ev == IO_CLOSED) {
			/* Refused without an alert: a close or a reset is an answer too. */
			snprintf(s->var->raw->why, sizeof(s->var->raw->why), "%.150s", io->err);
			session_finish(s);
		}
		return 1;
	}
	switch (ev) {
	case IO_DATA:
		return 1; /* only raw mode raises it */
	case IO_SENT:     /* asked for in S_QUIT only */
		if (s->state == S_QUIT) {
			session_trace(s, "--", "QUIT sent; its reply is not awaited", 35);
			session_finish(s);
			return 1;
		}
		return 0;
	case IO_CONNECTED:
		s->p->t.connect_ms = now_ms() - s->t0;
		session_trace(s, "--", "connected", 9);
		if (s->p->mode == TLS_MODE_IMPLICIT)
			session_enter(s, S_HANDSHAKE);
		else
			session_enter(s, S_GREETING);
		return 1;
	case IO_TLS_READY:
		s->p->t.handshake_ms = now_ms() - s->t0;
		tlsinfo_capture(s->p, io->ssl);
		probe_add(s->p, F_TLS_ESTABLISHED, -1, "%s, %s, %s", s->p->tls_version,
		    s->p->cipher, s->p->group ? s->p->group : "no key exchange group");
		session_trace(s, "--", "TLS established", 15);
		if (s->injected && s->greeted)
			session_enter(s, S_INJECTED);
		else
			session_enter(s, s->greeted ? S_CAPA : S_GREETING);
		return 1;
	case IO_LINE:
		session_trace(s, "S:", line, len);
		if (s->state == S_HANDSHAKE || s->state == S_CONNECT) {
			session_fail(s, F_PROTOCOL_ERROR, "in state %s: unexpected line \"%s\"",
			    "");
			return 1;
		}
		if (s->state == S_INJECTED) {
			session_injection(s, line, len);
			return 1;
		}
		switch (s->p->dialect->feed(&s->reply, line, len, s->par->lim, err, sizeof(err))) {
		case FEED_MORE:
			return 0;
		case FEED_DONE:
			if (session_unasked(s))
				return 1;
			return session_reply(s);
		case FEED_ERROR:
			if (s->state == S_QUIT) {
				session_finish(s);
				return 1;
			}
			session_fail(s, F_PROTOCOL_ERROR, "in state %s: %s", err);
			return 1;
		}
		return 1;
	case IO_ERROR:
	case IO_CLOSED:
		if (s->state == S_QUIT) {
			session_finish(s);
		} else if (s->state == S_CONNECT) {
			session_fail(s, F_CONNECT_FAILED, "in state %s: %s", io->err);
		} else if (s->state == S_HANDSHAKE) {
			session_fail(s, F_TLS_HANDSHAKE_FAILED, "in state %s: %s", io->err);
		} else if (s->state == S_GREETING && s->reply.nlines == 0 && s->par->retries &&
		           (ev == IO_CLOSED || strstr(io->err, "reset") != NULL)) {
			/* Closed or reset before a word: a limit, not a broken greeting (a line
			 * too long, or garbage, is that). */
			char what[200];

			snprintf(what, sizeof(what), "%.150s before any greeting", io->err);
			if (!session_refused_for_now(s, what))
				session_finish(s);
		} else {
			session_fail(s, F_PROTOCOL_ERROR, "in state %s: %s", io->err);
		}
		return 1;
	}
	return 1;
}

/* Free the session and all it holds; the probe keeps what was observed. */
void session_abort(struct session *s)
{
	if (s == NULL)
		return;
	if (s->handle)
		*s->handle = NULL;
	if (s->timer)
		event_free(s->timer);
	io_free(s->io);
	reply_reset(&s->reply);
	free(s->refusal);
	free(s->pretls);
	auth_free(s->auth);
	free(s);
}

void session_start(struct event_base *base, const struct session_params *par, struct probe *p,
    struct session **handle, session_done_cb done, void *arg)
{
	session_start_variant(base, par, NULL, p, handle, done, arg);
}

void session_start_variant(struct event_base *base, const struct session_params *par,
    const struct session_variant *var, struct probe *p, struct session **handle,
    session_done_cb done, void *arg)
{
	struct session *s = xcalloc(1, sizeof(*s));

	s->base = base;
	s->par = par;
	s->var = var;
	s->seq = par->seq;
	s->p = p;
	s->done = done;
	s->arg = arg;
	s->t0 = now_ms();
	s->state = S_CONNECT;
	s->handle = handle;
	*handle = s;
	s->timer = evtimer_new(base, session_timeout, s);
	if (s->timer == NULL)
		fatal("cannot create timer");
	session_connect(s);
}

static void session_connect(struct session *s)
{
	struct probe *p = s->p;
	struct sockaddr_storage ss;
	socklen_t sslen;

	s->state = S_CONNECT;
	s->io = io_new(s->base, s->par->lim, session_io, s);
	if (addr_sockaddr(p->address, p->port, &ss, &sslen) < 0) {
		session_fail_later(s, F_CONNECT_FAILED, "\"%s\" is not an IP address", p->address);
		return;
	}
	session_arm(s);
	if (io_connect(s->io, (struct sockaddr *)&ss, sslen) == 0)
		return;
	/*
	 * A connect that fails at once, before any packet, says nothing of the server: for
	 * want of a route (no IPv6 on this machine, an address family it lacks) this vantage
	 * point cannot test it; out of descriptors, ports or memory, or forbidden by this
	 * machine's own policy (EPERM, EACCES: a cgroup's socket filter, as systemd's
	 * IPAddressDeny= sets, or a security module), this machine could not try. A refusal
	 * or a timeout comes later, from the network; a firewall rule that drops the SYN on
	 * its way out is such a timeout (TCP sends it again), not an error here.
	 */
	switch (s->io->connect_errno) {
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EAFNOSUPPORT:
		session_fail_later(s, F_ADDRESS_UNROUTED,
		    "%s: this machine has no route to the address, so it was not tested from here "
		    "(-4 or -6 leaves an address family out)",
		    s->io->err);
		break;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
	case EADDRNOTAVAIL:
		session_fail_later(s, F_LOCAL_LIMIT,
		    "%s: this machine could not open the connection, so the server was not tested "
		    "(a lower --concurrency asks less of it)",
		    s->io->err);
		break;
	case EPERM:
	case EACCES:
		session_fail_later(s, F_LOCAL_LIMIT,
		    "%s: this machine's own policy forbids the connection, so the server was not "
		    "tested",
		    s->io->err);
		break;
	default:
		session_fail_later(s, F_CONNECT_FAILED, "%s", s->io->err);
	}
}
