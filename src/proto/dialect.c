/*
 * dialect.c - SMTP (RFC 5321 4.2), IMAP (RFC 9051, STARTTLS per RFC 2595) and POP3 (RFC 1939,
 * CAPA and STLS per RFC 2449 and 2595) as rows of data, each with its reply grammar. The
 * session machine is shared; nothing here does I/O.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "model/result.h"
#include "proto/dialect.h"

void reply_reset(struct reply *r)
{
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	free(r->lines);
	memset(r, 0, sizeof(*r));
}

static enum feed reply_line(struct reply *r, const char *text, size_t len, size_t raw,
    const struct limits *lim, char *err, size_t errlen)
{
	if (r->nlines >= lim->reply_lines || r->nlines >= LIMIT_REPLY_LINES_MAX) {
		snprintf(err, errlen, "reply longer than %zu lines", lim->reply_lines);
		return FEED_ERROR;
	}
	r->bytes += raw;
	if (r->bytes > lim->reply_bytes) {
		snprintf(err, errlen, "reply larger than %zu bytes", lim->reply_bytes);
		return FEED_ERROR;
	}
	/* Room as lines come: most replies are one line, an EHLO reply a dozen, and a session
	 * in flight should not carry room for the limit's thousand (bench/bulk.sh). */
	if (r->nlines == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 4;
		r->lines = xreallocarray(r->lines, r->cap, sizeof(*r->lines));
	}
	r->lines[r->nlines++] = censor(text, len);
	return FEED_MORE;
}

/*
 * RFC 5321 4.2: "ddd-text" continues, "ddd text" or "ddd" ends; every line of one reply
 * carries the same code (4.2.1 says a client should not rely on it, but a reply whose
 * codes disagree cannot be judged: it is a protocol error, as in OpenSMTPD's mta).
 */
enum feed smtp_feed(struct reply *r, const char *line, size_t len, const struct limits *lim,
    char *err, size_t errlen)
{
	int code;
	char sep;

	if (len < 3 || !isdigit((unsigned char)line[0]) || !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]) || line[0] < '2' || line[0] > '5') {
		char *c = censor(line, len < 40 ? len : 40);
		snprintf(err, errlen, "malformed reply line \"%s\"", c);
		free(c);
		return FEED_ERROR;
	}
	sep = len > 3 ? line[3] : ' ';
	if (sep != ' ' && sep != '-') {
		char *c = censor(line, len < 40 ? len : 40);
		snprintf(err, errlen, "malformed reply line \"%s\"", c);
		free(c);
		return FEED_ERROR;
	}
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (r->nlines > 0 && code != r->code) {
		snprintf(err, errlen, "reply code changed from %d to %d within one reply", r->code,
		    code);
		return FEED_ERROR;
	}
	r->code = code;
	if (reply_line(r, len > 4 ? line + 4 : "", len > 4 ? len - 4 : 0, len, lim, err, errlen) ==
	    FEED_ERROR)
		return FEED_ERROR;
	if (sep == '-')
		return FEED_MORE;
	r->complete = 1;
	r->verdict = code < 400 ? REPLY_OK : code < 500 ? REPLY_TEMPFAIL : REPLY_PERMFAIL;
	return FEED_DONE;
}

static void censored_copy(char *dst, size_t dstlen, const char *src, size_t len)
{
	char *c = censor(src, len < 40 ? len : 40);

	snprintf(dst, dstlen, "%s", c);
	free(c);
}

/* "+ text": the server asks for the next line of a command (RFC 9051 7.5; RFC 5034 4 for
 * POP3's AUTH). The text, a SASL challenge in base64, is kept as it came: censoring only
 * touches bytes outside printable ASCII, which base64 has none of. */
static enum feed continuation(struct reply *r, const char *line, size_t len,
    const struct limits *lim, char *err, size_t errlen)
{
	if (reply_line(r, len > 2 ? line + 2 : "", len > 2 ? len - 2 : 0, len, lim, err, errlen) ==
	    FEED_ERROR)
		return FEED_ERROR;
	r->cont = r->complete = 1;
	r->verdict = REPLY_OK;
	return FEED_DONE;
}

/*
 * IMAP: the greeting is one untagged line ("* OK", "* PREAUTH"; "* BYE" refuses); a command's
 * reply is any number of untagged "* " lines ended by the line that starts with its tag,
 * whose status is OK, NO or BAD (RFC 9051 7.1).
 */
enum feed imap_feed(struct reply *r, const char *line, size_t len, const struct limits *lim,
    char *err, size_t errlen)
{
	char c[48];
	size_t tl = strlen(r->tag);

	if (len >= 2 && line[0] == '*' && line[1] == ' ') {
		const char *t = line + 2;
		size_t n = len - 2;

		if (reply_line(r, t, n, len, lim, err, errlen) == FEED_ERROR)
			return FEED_ERROR;
		if (tl)
			return FEED_MORE; /* untagged data before the tagged status */
		r->complete = 1;
		if ((n >= 2 && strncasecmp(t, "OK", 2) == 0) ||
		    (n >= 7 && strncasecmp(t, "PREAUTH", 7) == 0))
			r->verdict = REPLY_OK;
		else
			r->verdict = REPLY_PERMFAIL; /* BYE, or anything else */
		return FEED_DONE;
	}
	if (tl && len > tl && strncmp(line, r->tag, tl) == 0 && line[tl] == ' ') {
		const char *st = line + tl + 1;
		size_t n = len - tl - 1;

		if (reply_line(r, st, n, len, lim, err, errlen) == FEED_ERROR)
			return FEED_ERROR;
		r->complete = 1;
		if (n >= 2 && strncasecmp(st, "OK", 2) == 0)
			r->verdict = REPLY_OK;
		else if (n >= 2 && strncasecmp(st, "NO", 2) == 0)
			r->verdict = REPLY_TEMPFAIL;
		else
			r->verdict = REPLY_PERMFAIL;
		return FEED_DONE;
	}
	if (r->cont_ok && line[0] == '+' && (len == 1 || line[1] == ' '))
		return continuation(r, line, len, lim, err, errlen);
	censored_copy(c, sizeof(c), line, len);
	if (tl)
		snprintf(err, errlen, "unexpected IMAP line \"%s\" (waiting for tag %s)", c,
		    r->tag);
	else
		snprintf(err, errlen, "malformed IMAP greeting \"%s\"", c);
	return FEED_ERROR;
}

/* "* CAPABILITY IMAP4rev1 STARTTLS ..." lines: every word after CAPABILITY is one. */
static void imap_capabilities(const struct reply *r, struct strlist *out)
{
	for (size_t i = 0; i < r->nlines; i++) {
		char *copy, *save = NULL;

		if (strncasecmp(r->lines[i], "CAPABILITY ", 11) != 0)
			continue;
		copy = xstrdup(r->lines[i] + 11);
		for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
			strlist_add(out, w);
		free(copy);
	}
}

/*
 * POP3: "+OK" or "-ERR" on the first line; a multi-line reply (CAPA) then runs to a line of
 * a single ".", with lines that start with "." dot-stuffed (RFC 1939 3).
 */
enum feed pop3_feed(struct reply *r, const char *line, size_t len, const struct limits *lim,
    char *err, size_t errlen)
{
	char c[48];

	if (r->nlines == 0) {
		int ok = len >= 3 && strncmp(line, "+OK", 3) == 0;

		if (!ok && r->cont_ok && line[0] == '+' && (len == 1 || line[1] == ' '))
			return continuation(r, line, len, lim, err, errlen);

		if (!ok && !(len >= 4 && strncmp(line, "-ERR", 4) == 0)) {
			censored_copy(c, sizeof(c), line, len);
			snprintf(err, errlen, "malformed POP3 reply \"%s\"", c);
			return FEED_ERROR;
		}
		if (reply_line(r, line, len, len, lim, err, errlen) == FEED_ERROR)
			return FEED_ERROR;
		r->verdict = ok ? REPLY_OK : REPLY_PERMFAIL;
		if (ok && r->multiline)
			return FEED_MORE;
		r->complete = 1;
		return FEED_DONE;
	}
	if (len == 1 && line[0] == '.') {
		r->complete = 1;
		return FEED_DONE;
	}
	if (line[0] == '.') {
		line++;
		len--;
	}
	return reply_line(r, line, len, len + 1, lim, err, errlen);
}

/* EHLO and CAPA: each line after the first (the greeting name, "+OK") is a capability. */
static void lines_after_first(const struct reply *r, struct strlist *out)
{
	for (size_t i = 1; i < r->nlines; i++)
		strlist_add(out, r->lines[i]);
}

/* Append word to out ("PLAIN LOGIN"); out always stays a string. */
static void words_add(char *out, size_t outlen, const char *word)
{
	size_t l = strlen(out);

	snprintf(out + l, outlen - l, "%s%s", l ? " " : "", word);
}

/* The mechanisms in a space-separated list that carry the password itself (RFC 4616
 * PLAIN; LOGIN), unlike challenge-response ones (SCRAM, RFC 5802; CRAM-MD5). */
static void cleartext_mechs(const char *list, const char *prefix, char *out, size_t outlen)
{
	char *copy = xstrdup(list), *save = NULL;

	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		if (strcasecmp(w, "PLAIN") == 0 || strcasecmp(w, "LOGIN") == 0) {
			char word[64];

			snprintf(word, sizeof(word), "%s%s", prefix, w);
			words_add(out, outlen, word);
		}
	free(copy);
}

/* SMTP: "AUTH PLAIN LOGIN" (RFC 4954 3), or the pre-standard "AUTH=LOGIN" some still send. */
static void smtp_cleartext_auth(const struct strlist *capa, char *out, size_t outlen)
{
	for (size_t i = 0; i < capa->n; i++) {
		const char *c = capa->v[i] + strspn(capa->v[i], " \t");

		if (strncasecmp(c, "AUTH", 4) == 0 && (c[4] == ' ' || c[4] == '='))
			cleartext_mechs(c + 5, "AUTH ", out, outlen);
	}
}

/* IMAP: the LOGIN command sends the password unless LOGINDISABLED (RFC 9051 6.2.3), and so
 * do AUTH=PLAIN and AUTH=LOGIN. */
static void imap_cleartext_auth(const struct strlist *capa, char *out, size_t outlen)
{
	if (!dialect_has_capa(capa, "LOGINDISABLED"))
		words_add(out, outlen, "LOGIN (no LOGINDISABLED)");
	for (size_t i = 0; i < capa->n; i++)
		if (strncasecmp(capa->v[i], "AUTH=", 5) == 0)
			cleartext_mechs(capa->v[i] + 5, "AUTH=", out, outlen);
}

/* POP3: USER/PASS (RFC 2449 6.5) and SASL PLAIN or LOGIN (RFC 5034). */
static void pop3_cleartext_auth(const struct strlist *capa, char *out, size_t outlen)
{
	if (dialect_has_capa(capa, "USER"))
		words_add(out, outlen, "USER");
	for (size_t i = 0; i < capa->n; i++) {
		const char *c = capa->v[i] + strspn(capa->v[i], " \t");

		if (strncasecmp(c, "SASL", 4) == 0 && (c[4] == ' ' || c[4] == '\t'))
			cleartext_mechs(c + 5, "SASL ", out, outlen);
	}
}

int dialect_cleartext_auth(const struct dialect *d, const struct strlist *capa, char *out,
    size_t outlen)
{
	out[0] = '\0';
	d->cleartext_auth(capa, out, outlen);
	return out[0] != '\0';
}

/* clang-format off */
const struct dialect dialect_smtp = {
	.name = "smtp",
	.port_starttls = {25, 587, 0},
	.port_implicit = {465, 0, 0},
	.capa_cmd = "EHLO %s",
	.capa_name = "EHLO",
	.starttls_cmd = "STARTTLS",
	.starttls_capa = "STARTTLS",
	.quit_cmd = "QUIT",
	.greeting_code = 220,
	.capa_code = 250,
	.starttls_code = 220,
	.fallback_cmd = "HELO %s",
	.inject_cmd = "NOOP",
	.feed = smtp_feed,
	.capabilities = lines_after_first,
	.cleartext_auth = smtp_cleartext_auth,
};

/* Tags are fixed per command: a session never has two commands in flight. */
const struct dialect dialect_imap = {
	.name = "imap",
	.port_starttls = {143, 0, 0},
	.port_implicit = {993, 0, 0},
	.capa_cmd = "C CAPABILITY",
	.capa_name = "CAPABILITY",
	.starttls_cmd = "S STARTTLS",
	.starttls_capa = "STARTTLS",
	.quit_cmd = "L LOGOUT",
	.inject_cmd = "N NOOP",
	.tagged = 1,
	.feed = imap_feed,
	.capabilities = imap_capabilities,
	.cleartext_auth = imap_cleartext_auth,
};

const struct dialect dialect_pop3 = {
	.name = "pop3",
	.port_starttls = {110, 0, 0},
	.port_implicit = {995, 0, 0},
	.capa_cmd = "CAPA",
	.capa_name = "CAPA",
	.capa_multiline = 1,
	.starttls_cmd = "STLS",
	.starttls_capa = "STLS",
	.quit_cmd = "QUIT",
	.inject_cmd = "NOOP",
	.feed = pop3_feed,
	.capabilities = lines_after_first,
	.cleartext_auth = pop3_cleartext_auth,
};
/* clang-format on */

static const struct dialect *const dialects[] = {&dialect_smtp, &dialect_imap, &dialect_pop3};

const struct dialect *dialect_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(dialects) / sizeof(dialects[0]); i++)
		if (strcasecmp(dialects[i]->name, name) == 0)
			return dialects[i];
	return NULL;
}

const struct dialect *dialect_by_port(unsigned short port)
{
	for (size_t i = 0; i < sizeof(dialects) / sizeof(dialects[0]); i++)
		for (size_t k = 0; k < 3; k++)
			if (port &&
			    (dialects[i]->port_starttls[k] == port ||
			        dialects[i]->port_implicit[k] == port))
				return dialects[i];
	return &dialect_smtp;
}

/* The reply to cmd ends with cmd's tag (IMAP), or at "." when cmd is POP3's CAPA. */
void reply_expect(struct reply *r, const struct dialect *d, const char *cmd)
{
	reply_reset(r);
	if (cmd && d->tagged)
		snprintf(r->tag, sizeof(r->tag), "%.*s", (int)strcspn(cmd, " "), cmd);
	r->multiline = cmd && d->capa_multiline && strcmp(cmd, d->capa_cmd) == 0;
}

/* Implicit TLS on the dialect's implicit ports (465, RFC 8314), STARTTLS elsewhere. */
enum tls_mode dialect_mode_for(const struct dialect *d, unsigned short port)
{
	for (size_t i = 0; i < sizeof(d->port_implicit) / sizeof(d->port_implicit[0]); i++)
		if (d->port_implicit[i] && d->port_implicit[i] == port)
			return TLS_MODE_IMPLICIT;
	return TLS_MODE_STARTTLS;
}

/* A capability line's keyword is its first word, compared without case (RFC 5321 2.4);
 * blanks around it are tolerated, as Postfix's and Exim's clients tolerate them. */
int dialect_has_capa(const struct strlist *capa, const char *keyword)
{
	size_t kl = strlen(keyword);

	for (size_t i = 0; i < capa->n; i++) {
		const char *c = capa->v[i] + strspn(capa->v[i], " \t");

		if (strncasecmp(c, keyword, kl) == 0 &&
		    (c[kl] == '\0' || c[kl] == ' ' || c[kl] == '\t'))
			return 1;
	}
	return 0;
}

/* clang-format off */
static const struct mail_service services[] = {
	{"smtp",        25,  NULL,               &dialect_smtp, TLS_MODE_STARTTLS, 0},
	{"submissions", 465, "_submissions._tcp", &dialect_smtp, TLS_MODE_IMPLICIT, 1},
	{"submission",  587, "_submission._tcp",  &dialect_smtp, TLS_MODE_STARTTLS, 1},
	{"imap",        143, "_imap._tcp",        &dialect_imap, TLS_MODE_STARTTLS, 1},
	{"imaps",       993, "_imaps._tcp",       &dialect_imap, TLS_MODE_IMPLICIT, 1},
	{"pop3",        110, "_pop3._tcp",        &dialect_pop3, TLS_MODE_STARTTLS, 1},
	{"pop3s",       995, "_pop3s._tcp",       &dialect_pop3, TLS_MODE_IMPLICIT, 1},
};
/* clang-format on */

const struct mail_service *mail_service_by_port(unsigned short port)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (services[i].port == port)
			return &services[i];
	return NULL;
}

const struct mail_service *mail_service_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (strcasecmp(services[i].name, name) == 0)
			return &services[i];
	return NULL;
}

const struct mail_service *mail_service_at(size_t i)
{
	return i < sizeof(services) / sizeof(services[0]) ? &services[i] : NULL;
}
