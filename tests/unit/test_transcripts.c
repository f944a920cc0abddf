/*
 * Transcript tests: the session machine against scripted servers, through the fake
 * transport (fake_io.c). Each tests/transcripts/NAME.t says what the server sends, what the
 * client must send back, and the findings and status expected; it is run once with every
 * burst of server bytes in one read, then once for every way of splitting each burst in
 * two reads (unless it says "split no"), so no verdict may depend on how TCP cut the data.
 *
 * Format, one directive a line ('#' starts a comment line):
 *   protocol smtp|imap|pop3        mode starttls|implicit        split no
 *   service NAME (the probe's service: "submission" asks AUTH/MAIL before TLS)
 *   starttls-tests (STARTTLS goes out with the dialect's harmless command behind it)
 *   auth MECH|any (log in once TLS is up, as mailtls auth: alice, lab-secret-1)
 *   S: text      the server sends text and CRLF (lines in a row make one burst)
 *   S~ bytes     the server sends bytes with C escapes (\r \n \t \\ \xHH), nothing added
 *   C: text      the client must have sent text and CRLF next
 *   TLS          the handshake completes        CLOSE   the server closes
 *   TIMEOUT      the wait of the current phase runs out
 *   quit-no-wait (as a bulk run: QUIT, and no wait for its reply)
 *   SENT         what the client wrote has left (raised only if the session asked)
 *   expect finding CODE...  /  expect no CODE...  /  expect message CODE text
 *   expect status ok|warn|crit|unknown  /  expect stale N  /  expect banner text
 *   expect capa plain|tls KEYWORD...   (each offered, compared as the session does)
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/event.h>

#include "base/util.h"
#include "fake_io.h"
#include "model/result.h"
#include "model/verdict.h"
#include "conf/cred.h"
#include "proto/auth.h"
#include "proto/dialect.h"
#include "proto/session.h"
#include "tls/tlsinfo.h"

#define STEPS_MAX 64
#define EXPECT_MAX 32

enum step_kind { ST_SERVER, ST_CLIENT, ST_TLS, ST_CLOSE, ST_TIMEOUT, ST_SENT };

struct step {
	enum step_kind kind;
	char *data;
	size_t len;
};

struct transcript {
	char name[128];
	const struct dialect *d;
	enum tls_mode mode;
	int split;
	char service[32];
	int starttls_tests;
	int quit_no_wait;
	char auth_mech[32]; /* "" no login; "any": the strongest offered */
	int connect_errno;  /* connect-fails: io_connect fails at once with it */
	struct step steps[STEPS_MAX];
	size_t nsteps;
	char *expect[EXPECT_MAX]; /* the expect lines, after "expect " */
	size_t nexpect;
};

static SSL_CTX *ctx;

/* The one credential of the auth transcripts, and a gate that lets it through (the
 * certificate check is pki's business, not the session's). */
static char user[] = "alice", secret[] = "lab-secret-1";
static struct cred cred = {.user = user, .secret = secret, .secret_len = sizeof(secret) - 1};

static int gate_open(struct probe *p, void *arg, char *why, size_t whylen)
{
	(void)p;
	(void)arg;
	(void)why;
	(void)whylen;
	return 1;
}

static void die(const struct transcript *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fail_msg("%s: %s", t->name, buf);
}

/* C escapes of "S~" lines into bytes; returns the length. */
static size_t unescape(const char *s, char *out)
{
	size_t n = 0;

	while (*s) {
		if (*s != '\\' || s[1] == '\0') {
			out[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'r':
			out[n++] = '\r';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'x': {
			char hex[3] = {s[1], s[1] ? s[2] : 0, 0};
			out[n++] = (char)strtol(hex, NULL, 16);
			s += 2;
			break;
		}
		default:
			out[n++] = *s;
		}
		s++;
	}
	return n;
}

static void add_step(struct transcript *t, enum step_kind k, const char *data, size_t len)
{
	struct step *last = t->nsteps ? &t->steps[t->nsteps - 1] : NULL;

	if (k == ST_SERVER && last && last->kind == ST_SERVER) { /* one burst */
		last->data = xreallocarray(last->data, last->len + len + 1, 1);
		memcpy(last->data + last->len, data, len);
		last->len += len;
		return;
	}
	if (t->nsteps >= STEPS_MAX)
		die(t, "more than %d steps", STEPS_MAX);
	t->steps[t->nsteps].kind = k;
	t->steps[t->nsteps].data = xmemdup(data, len);
	t->steps[t->nsteps].len = len;
	t->nsteps++;
}

static struct transcript *load(const char *path)
{
	struct transcript *t = xcalloc(1, sizeof(*t));
	FILE *f = fopen(path, "r");
	char line[8192], buf[8192];
	const char *base = strrchr(path, '/');

	snprintf(t->name, sizeof(t->name), "%s", base ? base + 1 : path);
	t->d = &dialect_smtp;
	t->split = 1;
	if (f == NULL)
		die(t, "cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		size_t l = strcspn(line, "\n");

		line[l] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strncmp(line, "S: ", 3) == 0) {
			snprintf(buf, sizeof(buf), "%s\r\n", line + 3);
			add_step(t, ST_SERVER, buf, strlen(buf));
		} else if (strcmp(line, "S:") == 0) {
			add_step(t, ST_SERVER, "\r\n", 2);
		} else if (strncmp(line, "S~ ", 3) == 0) {
			add_step(t, ST_SERVER, buf, unescape(line + 3, buf));
		} else if (strncmp(line, "C: ", 3) == 0) {
			snprintf(buf, sizeof(buf), "%s\r\n", line + 3);
			add_step(t, ST_CLIENT, buf, strlen(buf));
		} else if (strcmp(line, "TLS") == 0) {
			add_step(t, ST_TLS, "", 0);
		} else if (strcmp(line, "CLOSE") == 0) {
			add_step(t, ST_CLOSE, "", 0);
		} else if (strcmp(line, "TIMEOUT") == 0) {
			add_step(t, ST_TIMEOUT, "", 0);
		} else if (strcmp(line, "SENT") == 0) {
			add_step(t, ST_SENT, "", 0);
		} else if (strcmp(line, "quit-no-wait") == 0) {
			t->quit_no_wait = 1;
		} else if (strncmp(line, "protocol ", 9) == 0) {
			t->d = strcmp(line + 9, "imap") == 0 ? &dialect_imap
			    : strcmp(line + 9, "pop3") == 0  ? &dialect_pop3
			                                     : &dialect_smtp;
		} else if (strcmp(line, "mode implicit") == 0) {
			t->mode = TLS_MODE_IMPLICIT;
		} else if (strcmp(line, "mode starttls") == 0) {
			t->mode = TLS_MODE_STARTTLS;
		} else if (strcmp(line, "split no") == 0) {
			t->split = 0;
		} else if (strncmp(line, "service ", 8) == 0) {
			snprintf(t->service, sizeof(t->service), "%.31s", line + 8);
		} else if (strcmp(line, "starttls-tests") == 0) {
			t->starttls_tests = 1;
		} else if (strncmp(line, "auth ", 5) == 0) {
			snprintf(t->auth_mech, sizeof(t->auth_mech), "%.31s", line + 5);
		} else if (strncmp(line, "connect-fails ", 14) == 0) {
			static const struct {
				const char *name;
				int e;
			} errnos[] = {{"ENETUNREACH", ENETUNREACH}, {"EHOSTUNREACH", EHOSTUNREACH},
			    {"EAFNOSUPPORT", EAFNOSUPPORT}, {"EMFILE", EMFILE},
			    {"EADDRNOTAVAIL", EADDRNOTAVAIL}, {"EACCES", EACCES}, {"EPERM", EPERM}};

			for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
				if (strcmp(line + 14, errnos[i].name) == 0)
					t->connect_errno = errnos[i].e;
			if (t->connect_errno == 0)
				die(t, "cannot read \"%s\"", line);
		} else if (strncmp(line, "expect ", 7) == 0 && t->nexpect < EXPECT_MAX) {
			t->expect[t->nexpect++] = xstrdup(line + 7);
		} else {
			die(t, "cannot read \"%s\"", line);
		}
	}
	fclose(f);
	return t;
}

static void on_done(struct probe *p, void *arg)
{
	(void)p;
	(*(int *)arg)++;
}

static int has_code(const struct probe *p, const char *code)
{
	for (size_t i = 0; i < p->nfindings; i++)
		if (strcmp(finding_defs[p->findings[i].code].name, code) == 0)
			return 1;
	return 0;
}

static void check_expect(const struct transcript *t, const struct probe *p, const char *e,
    const char *how)
{
	char copy[1024], *save = NULL, *w;

	snprintf(copy, sizeof(copy), "%s", e);
	w = strtok_r(copy, " ", &save);
	if (strcmp(w, "finding") == 0 || strcmp(w, "no") == 0) {
		int want = strcmp(w, "finding") == 0;

		while ((w = strtok_r(NULL, " ", &save)) != NULL)
			if (has_code(p, w) != want)
				die(t, "%s%s %s%s", want ? "missing " : "unexpected ", w, how,
				    p->nfindings ? "" : " (no findings)");
	} else if (strcmp(w, "message") == 0) {
		const char *code = strtok_r(NULL, " ", &save), *text = save;
		int found = 0;

		for (size_t i = 0; i < p->nfindings; i++)
			if (strcmp(finding_defs[p->findings[i].code].name, code) == 0 &&
			    strstr(p->findings[i].message, text))
				found = 1;
		if (!found)
			die(t, "no %s saying \"%s\"%s", code, text, how);
	} else if (strcmp(w, "status") == 0) {
		w = strtok_r(NULL, " ", &save);
		if (strcmp(status_name(p->status), w) != 0)
			die(t, "status %s, expected %s%s", status_name(p->status), w, how);
	} else if (strcmp(w, "stale") == 0) {
		long n = strtol(save, NULL, 10);
		if (fake_wire.stale != n)
			die(t, "%ld stale bytes, expected %ld%s", fake_wire.stale, n, how);
	} else if (strcmp(w, "banner") == 0) {
		if (p->banner == NULL || strcmp(p->banner, save) != 0)
			die(t, "banner \"%s\", expected \"%s\"%s", p->banner ? p->banner : "(none)",
			    save, how);
	} else if (strcmp(w, "capa") == 0) {
		const struct strlist *l =
		    strcmp(strtok_r(NULL, " ", &save), "tls") == 0 ? &p->capa_tls : &p->capa_plain;

		while ((w = strtok_r(NULL, " ", &save)) != NULL)
			if (!dialect_has_capa(l, w))
				die(t, "capability %s not recorded%s", w, how);
	} else {
		die(t, "unknown expectation \"%s\"", e);
	}
}

/* One run; split_burst -1 delivers every burst whole, else that burst in two reads, the
 * first of split_at bytes. */
static void run_once(const struct transcript *t, int split_burst, size_t split_at)
{
	struct limits lim = {.line_max = 4096,
	    .reply_lines = 100,
	    .reply_bytes = 65536,
	    .connect_s = 0.001,
	    .greeting_s = 0.001,
	    .reply_s = 0.001,
	    .handshake_s = 0.001};
	struct session_params par = {.lim = &lim, .ssl_ctx = ctx, .ehlo_name = "client.test"};
	struct auth_params ap = {0};
	struct event_base *base = event_base_new();
	uint16_t port =
	    t->mode == TLS_MODE_IMPLICIT ? t->d->port_implicit[0] : t->d->port_starttls[0];
	struct probe *p =
	    probe_new("mx.example.test", "192.0.2.1", port, t->mode, t->d, t->d->name);
	char how[96] = "";
	struct session *sess = NULL;
	size_t off = 0;
	int done = 0, burst = 0;

	if (split_burst >= 0)
		snprintf(how, sizeof(how), " (burst %d split after byte %zu)", split_burst,
		    split_at);
	if (t->service[0])
		p->service = t->service;
	par.starttls_tests = t->starttls_tests;
	par.quit_no_wait = t->quit_no_wait;
	if (t->auth_mech[0]) {
		ap.cred = &cred;
		ap.mech = strcmp(t->auth_mech, "any") ? t->auth_mech : NULL;
		ap.gate = gate_open;
		par.auth = &ap;
	}
	fake_io_reset();
	fake_wire.fail_connect = t->connect_errno != 0;
	fake_wire.fail_connect_errno = t->connect_errno;
	session_start(base, &par, p, &sess, on_done, &done);
	fake_io_connected();
	for (size_t i = 0; i < t->nsteps; i++) {
		const struct step *s = &t->steps[i];

		switch (s->kind) {
		case ST_SERVER:
			if (burst++ == split_burst) {
				fake_io_server(s->data, split_at);
				fake_io_server(s->data + split_at, s->len - split_at);
			} else {
				fake_io_server(s->data, s->len);
			}
			break;
		case ST_CLIENT:
			if (fake_wire.nsent - off < s->len ||
			    memcmp(fake_wire.sent + off, s->data, s->len) != 0) {
				char *want = censor(s->data, s->len),
				     *got = censor(fake_wire.sent + off, fake_wire.nsent - off);
				die(t, "step %zu: the client sent \"%s\", expected \"%s\"%s", i + 1,
				    got, want, how);
			}
			off += s->len;
			break;
		case ST_TLS:
			fake_io_tls_ready();
			break;
		case ST_CLOSE:
			fake_io_closed();
			break;
		case ST_TIMEOUT:
			event_base_loop(base, EVLOOP_ONCE);
			break;
		case ST_SENT:
			fake_io_sent();
			break;
		}
	}
	event_base_loop(base, EVLOOP_NONBLOCK);
	if (done != 1) {
		session_abort(sess);
		die(t, "the session did not end%s", how);
	}
	if (off != fake_wire.nsent) {
		char *extra = censor(fake_wire.sent + off, fake_wire.nsent - off);
		die(t, "the client also sent \"%s\"%s", extra, how);
	}
	verdict_probe(p, &(struct verdict_ctx){.warn_days = 30, .crit_days = 7});
	for (size_t i = 0; i < t->nexpect; i++)
		check_expect(t, p, t->expect[i], how);
	probe_free(p);
	event_base_free(base);
	fake_io_reset();
}

static void run_transcript(void **state)
{
	const struct transcript *t = *state;
	int burst = 0;

	run_once(t, -1, 0);
	if (!t->split)
		return;
	for (size_t i = 0; i < t->nsteps; i++) {
		if (t->steps[i].kind != ST_SERVER)
			continue;
		for (size_t k = 1; k < t->steps[i].len; k++)
			run_once(t, burst, k);
		burst++;
	}
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(void)
{
	struct dirent **ents;
	struct CMUnitTest *tests;
	struct tls_config cfg = {.ca_path = "/nonexistent"};
	char err[200];
	size_t n = 0;
	int nents = scandir("tests/transcripts", &ents, NULL, by_name), rc;

	ctx = tlsinfo_ctx_new(&cfg, err, sizeof(err));
	if (nents < 0 || ctx == NULL) {
		fprintf(stderr, "test_transcripts: run from the top of the tree (%s)\n", err);
		return 1;
	}
	tests = xcalloc((size_t)nents + 1, sizeof(*tests));
	for (int i = 0; i < nents; i++) {
		size_t l = strlen(ents[i]->d_name);
		char path[512];

		if (l > 2 && strcmp(ents[i]->d_name + l - 2, ".t") == 0) {
			snprintf(path, sizeof(path), "tests/transcripts/%s", ents[i]->d_name);
			struct transcript *t = load(path);
			tests[n].name = t->name;
			tests[n].test_func = run_transcript;
			tests[n].initial_state = t;
			n++;
		}
		free(ents[i]);
	}
	free(ents);
	rc = _cmocka_run_group_tests("transcripts", tests, n, NULL, NULL);
	return rc;
}
