/*
 * dialect.c - SMTP as a row of data plus its reply grammar (RFC 5321 4.2). IMAP and POP3 are
 * further rows of the same shape. Nothing here does I/O.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dialect.h"
#include "result.h"
#include "util.h"

void reply_reset(struct reply *r)
{
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i]);
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

/* EHLO reply: the first line is the server's greeting name, each further line a keyword. */
static void smtp_capabilities(const struct reply *r, struct strlist *out)
{
	for (size_t i = 1; i < r->nlines; i++)
		strlist_add(out, r->lines[i]);
}

const struct dialect dialect_smtp = {
    .name = "smtp",
    .port_starttls = {25, 587, 0},
    .port_implicit = {465, 0, 0},
    .capa_cmd = "EHLO %s",
    .starttls_cmd = "STARTTLS",
    .starttls_capa = "STARTTLS",
    .quit_cmd = "QUIT",
    .feed = smtp_feed,
    .capabilities = smtp_capabilities,
};

/* Implicit TLS on the dialect's implicit ports (465, RFC 8314), STARTTLS elsewhere. */
enum tls_mode dialect_mode_for(const struct dialect *d, unsigned short port)
{
	for (size_t i = 0; i < sizeof(d->port_implicit) / sizeof(d->port_implicit[0]); i++)
		if (d->port_implicit[i] && d->port_implicit[i] == port)
			return TLS_MODE_IMPLICIT;
	return TLS_MODE_STARTTLS;
}

/* A capability line's keyword is its first word, compared without case (RFC 5321 2.4). */
int dialect_has_capa(const struct strlist *capa, const char *keyword)
{
	size_t kl = strlen(keyword);

	for (size_t i = 0; i < capa->n; i++) {
		const char *c = capa->v[i];
		if (strncasecmp(c, keyword, kl) == 0 && (c[kl] == '\0' || c[kl] == ' '))
			return 1;
	}
	return 0;
}
