/*
 * auth.h - a login over TLS, for `mailtls auth`: which mechanism, and the words of the
 * exchange in each dialect (SMTP AUTH, RFC 4954; IMAP AUTHENTICATE and LOGIN, RFC 9051 6.2;
 * POP3 AUTH, RFC 5034, and USER/PASS, RFC 1939 7). The mechanisms themselves are
 * proto/sasl.c's; the session machine only moves the lines this hands it, and traces what
 * this says may be shown. Nothing here runs before TLS: the session never asks it to.
 */
#ifndef MAILTLS_AUTH_H
#define MAILTLS_AUTH_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "model/result.h"
#include "proto/dialect.h"

struct cred;

struct auth_params {
	const struct cred *cred;
	const char *mech; /* --mech; NULL: the strongest the server offers over TLS */
	/* Called once TLS is up and the capabilities over it are read: 1 to log in, or 0 with
	 * why (the command verifies the certificate here; an unverified one stops the login
	 * unless the user said --insecure-login). */
	int (*gate)(struct probe *, void *arg, char *why, size_t whylen);
	void *arg;
};

struct auth;

enum auth_next {
	AUTH_SEND,      /* send *line, then feed the reply to auth_reply() */
	AUTH_SUCCEEDED, /* logged in: msg holds the server's words */
	AUTH_FAILED     /* refused, or the mechanism failed: msg says why */
};

/*
 * Begin a login on p's session over ssl (for channel binding): the mechanism chosen from the
 * capabilities over TLS, and the first line to send in *line (free it with auth_line_free:
 * it may hold the credential), what --verbose may show of it in shown, and the reply it
 * expects in r. NULL with err when no mechanism fits or the credential does not suit it.
 */
struct auth *auth_begin(const struct auth_params *, const struct probe *p, SSL *ssl,
    struct reply *r, char **line, char *shown, size_t shownlen, char *err, size_t errlen);

/* The complete reply r to the last line: the next line (and r readied for its reply), or
 * the end, with the server's words or the reason in msg. */
enum auth_next auth_reply(struct auth *, struct reply *r, char **line, char *shown,
    size_t shownlen, char *msg, size_t msglen);

/* The mechanism in use ("SCRAM-SHA-256", "PLAIN", or "USER/PASS", "LOGIN command"). */
const char *auth_mech(const struct auth *);

void auth_line_free(char *);
void auth_free(struct auth *);

#endif
