/*
 * auth.c - see auth.h. One exchange: the mechanism is chosen from what the server offers
 * over TLS (never from what it said before), each line that may carry the credential is
 * handed to the session with a redacted twin for --verbose, and wiped once written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "conf/cred.h"
#include "proto/auth.h"
#include "proto/sasl.h"

#define OFFERED_MAX 32 /* mechanisms read from one capability list */

enum auth_kind {
	K_SASL,       /* AUTH / AUTHENTICATE with a SASL mechanism */
	K_IMAP_LOGIN, /* IMAP's LOGIN command (RFC 9051 6.2.3) */
	K_POP3_USER   /* POP3's USER and PASS (RFC 1939 7) */
};

struct auth {
	const struct dialect *d;
	const struct cred *cred;
	enum auth_kind kind;
	struct sasl *sasl;
	int started;   /* sasl_step has run once */
	int steps;     /* challenges answered */
	int cancelled; /* "*" went out after the mechanism failed: a refusal is due */
	int user_sent; /* POP3: USER accepted, PASS sent */
	char why[200]; /* the mechanism's own failure, said with the refusal */
	char mech[40];
};

static int is_imap(const struct auth *a)
{
	return a->d->tagged;
}

static int is_pop3(const struct auth *a)
{
	return a->d->capa_multiline;
}

/* The SASL mechanisms the capabilities over TLS offer: SMTP "AUTH A B" (RFC 4954 3),
 * IMAP "AUTH=A" (RFC 9051 7.2.2), POP3 "SASL A B" (RFC 5034 3). Words point into copy. */
static size_t offered(const struct dialect *d, const struct strlist *capa, char *copy,
    size_t copylen, const char **v)
{
	size_t n = 0, used = 0;

	for (size_t i = 0; i < capa->n; i++) {
		const char *c = capa->v[i] + strspn(capa->v[i], " \t"), *list = NULL;
		char *save = NULL, *dst;
		size_t l;

		if (d->tagged && strncasecmp(c, "AUTH=", 5) == 0)
			list = c + 5;
		else if (!d->tagged && !d->capa_multiline && strncasecmp(c, "AUTH", 4) == 0 &&
		         (c[4] == ' ' || c[4] == '='))
			list = c + 5;
		else if (d->capa_multiline && strncasecmp(c, "SASL ", 5) == 0)
			list = c + 5;
		if (list == NULL || (l = strlen(list)) + 1 > copylen - used)
			continue;
		dst = copy + used;
		memcpy(dst, list, l + 1);
		used += l + 1;
		for (char *w = strtok_r(dst, " \t", &save); w && n < OFFERED_MAX;
		     w = strtok_r(NULL, " \t", &save))
			v[n++] = w;
	}
	return n;
}

static int has_word(const char *const *v, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v[i], w) == 0)
			return 1;
	return 0;
}

/*
 * Channel binding data of the TLS session (RFC 5929, RFC 9266): tls-exporter on TLS 1.3,
 * tls-unique (the first Finished) on a full TLS 1.2 handshake; 0 when there is none.
 */
static size_t channel_binding(SSL *ssl, unsigned char *cb, size_t cap, const char **type)
{
	static const char label[] = "EXPORTER-Channel-Binding";

	if (ssl == NULL)
		return 0;
	if (SSL_version(ssl) == TLS1_3_VERSION) {
		if (cap < 32 || SSL_export_keying_material(ssl, cb, 32, label, sizeof(label) - 1,
		                    NULL, 0, 0) != 1)
			return 0;
		*type = "tls-exporter";
		return 32;
	}
	if (SSL_session_reused(ssl))
		return 0; /* tls-unique is then the server's Finished: not worth the doubt */
	*type = "tls-unique";
	return SSL_get_finished(ssl, cb, cap);
}

/* Which way to log in: the user's --mech if the server offers it, else the strongest. */
static int choose(struct auth *a, const struct auth_params *ap, const struct probe *p,
    int have_cb, char *err, size_t errlen)
{
	char copy[2048];
	const char *v[OFFERED_MAX];
	size_t n = offered(a->d, &p->capa_tls, copy, sizeof(copy), v);
	int token = a->cred->token;
	const char *m;

	if (ap->mech) {
		if (has_word(v, n, ap->mech)) {
			snprintf(a->mech, sizeof(a->mech), "%s", ap->mech);
			return 0;
		}
		if (is_imap(a) && strcasecmp(ap->mech, "LOGIN") == 0 &&
		    !dialect_has_capa(&p->capa_tls, "LOGINDISABLED")) {
			a->kind = K_IMAP_LOGIN;
			return 0;
		}
		if (is_pop3(a) && strcasecmp(ap->mech, "USER") == 0 &&
		    dialect_has_capa(&p->capa_tls, "USER")) {
			a->kind = K_POP3_USER;
			return 0;
		}
		snprintf(err, errlen, "the server does not offer %s over TLS", ap->mech);
		return -1;
	}
	if ((m = sasl_choose(v, n, token, have_cb)) != NULL) {
		snprintf(a->mech, sizeof(a->mech), "%s", m);
		return 0;
	}
	/* No SASL mechanism fits: the protocols' own password commands, over TLS. */
	if (!token && is_imap(a) && !dialect_has_capa(&p->capa_tls, "LOGINDISABLED")) {
		a->kind = K_IMAP_LOGIN;
		return 0;
	}
	if (!token && is_pop3(a) && dialect_has_capa(&p->capa_tls, "USER")) {
		a->kind = K_POP3_USER;
		return 0;
	}
	snprintf(err, errlen, "no mechanism over TLS fits a %s (offered: %zu SASL mechanism%s)",
	    token ? "bearer token" : "password", n, n == 1 ? "" : "s");
	return -1;
}

/* Ready r for the answer to what goes out next: a tagged status or "+ " (IMAP), "+ " or
 * +OK/-ERR (POP3), a code (SMTP). */
static void expect(const struct auth *a, struct reply *r)
{
	reply_expect(r, a->d, is_imap(a) ? "A AUTHENTICATE" : "AUTH");
	r->cont_ok = is_imap(a) || is_pop3(a);
}

/* "A LOGIN" with two quoted strings (RFC 9051 4.3); a password a quoted string cannot carry
 * (CR, LF, 8-bit) needs a literal, and then AUTHENTICATE PLAIN is the better road. */
static char *imap_login_line(const struct cred *c, char *err, size_t errlen)
{
	size_t ul = strlen(c->user), cap = 16 + 2 * (ul + c->secret_len);
	char *line = xcalloc(cap, 1), *q = line;
	const char *parts[2] = {c->user, c->secret};

	q += sprintf(q, "A LOGIN");
	for (int k = 0; k < 2; k++) {
		*q++ = ' ';
		*q++ = '"';
		for (const unsigned char *s = (const unsigned char *)parts[k]; *s; s++) {
			if (*s < 0x20 || *s > 0x7e) {
				cred_wipe_bytes(line, cap);
				free(line);
				snprintf(err, errlen, "the %s has bytes an IMAP quoted string cannot carry; "
				                      "use --mech PLAIN",
				    k ? "password" : "user name");
				return NULL;
			}
			if (*s == '"' || *s == '\\')
				*q++ = '\\';
			*q++ = (char)*s;
		}
		*q++ = '"';
	}
	return line;
}

/* The first SASL line: the command, and the initial response where the mechanism has one
 * and the protocol carries it (SMTP and POP3 always; IMAP with SASL-IR, RFC 4959). */
static char *sasl_first_line(struct auth *a, const struct probe *p, char *shown, size_t shownlen,
    char *err, size_t errlen)
{
	const char *cmd = is_imap(a) ? "A AUTHENTICATE" : "AUTH";
	int ir = sasl_client_first(a->sasl) &&
	    (!is_imap(a) || dialect_has_capa(&p->capa_tls, "SASL-IR"));
	char *out = NULL, *line;

	if (!ir) {
		snprintf(shown, shownlen, "%s %s", cmd, a->mech);
		return xasprintf("%s %s", cmd, a->mech);
	}
	a->started = 1;
	if (sasl_step(a->sasl, NULL, &out, err, errlen) == SASL_FAIL)
		return NULL;
	/* RFC 4954 4, RFC 4959 3: "=" is an initial response of zero length. */
	line = xasprintf("%s %s %s", cmd, a->mech, out[0] ? out : "=");
	snprintf(shown, shownlen, "%s %s <redacted>", cmd, a->mech);
	sasl_wipe_free(out);
	return line;
}

struct auth *auth_begin(const struct auth_params *ap, const struct probe *p, SSL *ssl,
    struct reply *r, char **line, char *shown, size_t shownlen, char *err, size_t errlen)
{
	struct auth *a = xcalloc(1, sizeof(*a));
	unsigned char cb[64];
	const char *cbtype = NULL;
	size_t cblen = channel_binding(ssl, cb, sizeof(cb), &cbtype);
	const char *service;

	a->d = p->dialect;
	a->cred = ap->cred;
	service = is_imap(a) ? "imap" : is_pop3(a) ? "pop" : "smtp";
	*line = NULL;
	if (choose(a, ap, p, cblen > 0, err, errlen) != 0)
		goto fail;
	expect(a, r);
	if (a->kind == K_IMAP_LOGIN) {
		snprintf(a->mech, sizeof(a->mech), "LOGIN command");
		if ((*line = imap_login_line(a->cred, err, errlen)) == NULL)
			goto fail;
		snprintf(shown, shownlen, "A LOGIN <redacted>");
		return a;
	}
	if (a->kind == K_POP3_USER) {
		snprintf(a->mech, sizeof(a->mech), "USER/PASS");
		*line = xasprintf("USER %s", a->cred->user);
		snprintf(shown, shownlen, "USER <redacted>");
		return a;
	}
	{
		/* A -PLUS mechanism binds to this TLS session; a plain SCRAM is told "the client
		 * could bind" only when the server offered no -PLUS (RFC 5802 6), so that a
		 * stripped -PLUS is caught by the server. */
		char copy[2048];
		const char *v[OFFERED_MAX];
		size_t n = offered(a->d, &p->capa_tls, copy, sizeof(copy), v);
		int plus_offered = 0, plus = strlen(a->mech) > 5 &&
		    strcasecmp(a->mech + strlen(a->mech) - 5, "-PLUS") == 0;

		for (size_t i = 0; i < n; i++)
			plus_offered |= strlen(v[i]) > 5 &&
			    strcasecmp(v[i] + strlen(v[i]) - 5, "-PLUS") == 0;
		a->sasl = sasl_start(a->mech, a->cred, service, p->host,
		    (plus || !plus_offered) && cblen ? cb : NULL, cblen, cbtype, err, errlen);
	}
	cred_wipe_bytes((char *)cb, sizeof(cb));
	if (a->sasl == NULL)
		goto fail;
	snprintf(a->mech, sizeof(a->mech), "%s", sasl_mech(a->sasl));
	if ((*line = sasl_first_line(a, p, shown, shownlen, err, errlen)) == NULL)
		goto fail;
	return a;
fail:
	cred_wipe_bytes((char *)cb, sizeof(cb));
	auth_free(a);
	return NULL;
}

/* The server's words: "235 2.7.0 ..." (SMTP), the tagged status text, or "+OK ...". */
static void words(const struct reply *r, char *msg, size_t msglen)
{
	const char *t = r->nlines ? r->lines[r->nlines - 1] : "";

	if (r->code)
		snprintf(msg, msglen, "%d %s", r->code, t);
	else
		snprintf(msg, msglen, "%s", t);
}

/* A challenge: "334 text" (SMTP), "+ text" (IMAP, POP3). */
static int challenge(const struct auth *a, const struct reply *r)
{
	return is_imap(a) || is_pop3(a) ? r->cont : r->code == 334;
}

/* After "*": the refusal is the end, whatever it says; the mechanism's reason comes first. */
static enum auth_next cancelled(struct auth *a, const struct reply *r, char *msg, size_t msglen)
{
	char w[160];

	words(r, w, sizeof(w));
	snprintf(msg, msglen, "%s; cancelled (\"%s\")", a->why, w);
	return AUTH_FAILED;
}

/* The mechanism failed mid-way: say "*" (RFC 4954 4, RFC 9051 6.2.2, RFC 5034 4). */
static enum auth_next cancel(struct auth *a, struct reply *r, char **line, char *shown,
    size_t shownlen)
{
	a->cancelled = 1;
	expect(a, r);
	*line = xstrdup("*");
	snprintf(shown, shownlen, "*");
	return AUTH_SEND;
}

static enum auth_next sasl_reply(struct auth *a, struct reply *r, char **line, char *shown,
    size_t shownlen, char *msg, size_t msglen)
{
	const char *chal = r->nlines ? r->lines[0] : "";
	char *out = NULL;
	enum sasl_rc rc;

	if (!challenge(a, r)) {
		words(r, msg, msglen);
		if (r->verdict != REPLY_OK)
			return AUTH_FAILED;
		if (!sasl_complete(a->sasl)) {
			/* SCRAM: the server said yes without proving it knows the password. */
			char w[160];

			snprintf(w, sizeof(w), "%s", msg);
			snprintf(msg, msglen,
			    "the server accepted (\"%s\") before %s was complete: it never proved it "
			    "knows the password",
			    w, a->mech);
			return AUTH_FAILED;
		}
		return AUTH_SUCCEEDED;
	}
	if (++a->steps > SASL_STEPS_MAX || strlen(chal) > SASL_CHALLENGE_MAX) {
		snprintf(a->why, sizeof(a->why), "the server sent more challenges than %s has",
		    a->mech);
		return cancel(a, r, line, shown, shownlen);
	}
	/* A client-first mechanism without SASL-IR: the first "+ " asks for its first message. */
	rc = sasl_step(a->sasl, a->started ? chal : NULL, &out, a->why, sizeof(a->why));
	a->started = 1;
	if (rc == SASL_FAIL)
		return cancel(a, r, line, shown, shownlen);
	expect(a, r);
	*line = out;
	snprintf(shown, shownlen, "%s", out[0] ? "<redacted>" : "");
	return AUTH_SEND;
}

enum auth_next auth_reply(struct auth *a, struct reply *r, char **line, char *shown,
    size_t shownlen, char *msg, size_t msglen)
{
	*line = NULL;
	msg[0] = '\0';
	if (a->cancelled)
		return cancelled(a, r, msg, msglen);
	if (a->kind == K_SASL)
		return sasl_reply(a, r, line, shown, shownlen, msg, msglen);
	words(r, msg, msglen);
	if (r->verdict != REPLY_OK || r->cont)
		return AUTH_FAILED;
	if (a->kind == K_POP3_USER && !a->user_sent) {
		a->user_sent = 1;
		expect(a, r);
		*line = xasprintf("PASS %s", a->cred->secret);
		snprintf(shown, shownlen, "PASS <redacted>");
		return AUTH_SEND;
	}
	return AUTH_SUCCEEDED;
}

const char *auth_mech(const struct auth *a)
{
	return a->mech;
}

void auth_line_free(char *line)
{
	if (line)
		cred_wipe_bytes(line, strlen(line));
	free(line);
}

void auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	sasl_free(a->sasl);
	cred_wipe_bytes(a->why, sizeof(a->why));
	free(a);
}
