/*
 * sasl.h - the client side of SASL for `mailtls auth`: one small interface over GNU SASL
 * (PLAIN, LOGIN, SCRAM-SHA-1/-256 and their -PLUS variants) and the two OAuth formats
 * libgsasl 2.2 lacks (XOAUTH2, OAUTHBEARER), so the session machine only moves base64
 * strings and never sees a mechanism's insides.
 *
 * A round: the session sends AUTH/AUTHENTICATE with the mechanism (and, when
 * sasl_client_first() says so, the first sasl_step(s, NULL, ...) output as initial
 * response); every challenge the server sends (334 / "+") goes to sasl_step, and the
 * session answers it with *out, even an empty one (an empty line: SASL needs an answer to
 * every challenge). Then the server's verdict (235 / OK / +OK) decides, but a success is
 * only as good as sasl_complete(): for SCRAM it means the server proved it knows the
 * password too.
 */
#ifndef MAILTLS_SASL_H
#define MAILTLS_SASL_H

#include <stddef.h>

#include "conf/cred.h"

/* A server challenge, in base64 as it came: a SCRAM server-first message is ~100 bytes, an
 * OAuth error a small JSON document; anything near this is not SASL. */
#define SASL_CHALLENGE_MAX 8192
/* Calls to sasl_step: SCRAM needs 3, LOGIN and the OAuth formats 2; a server that keeps
 * challenging past this is looping. */
#define SASL_STEPS_MAX 6

struct sasl;

enum sasl_rc {
	SASL_MORE, /* send *out, wait for the next challenge */
	SASL_DONE, /* answer with *out if it came from a challenge; the server's verdict decides */
	SASL_FAIL  /* err says why; abort the exchange (SMTP "*", IMAP "*", POP3 "*") */
};

/*
 * Start mech (any case) for c, to host (used by OAUTHBEARER's host= and given to libgsasl)
 * for service ("smtp", "imap" or "pop", as GSSAPI names them). cb, cblen, cbtype: channel
 * binding data from the TLS session ("tls-exporter", RFC 9266, on TLS 1.3; "tls-unique" on
 * TLS 1.2): required by the -PLUS variants, ignored by the others (NULL is fine there). c
 * must stay loaded until sasl_free.
 * NULL with err when the mechanism is unknown, does not fit the credential (a password for
 * OAuth, a token for SCRAM), lacks channel binding or libgsasl cannot start it.
 */
struct sasl *sasl_start(const char *mech, const struct cred *c, const char *service,
    const char *host, const unsigned char *cb, size_t cblen, const char *cbtype, char *err,
    size_t errlen);

/* The mechanism's name as on the wire (upper case). */
const char *sasl_mech(const struct sasl *);

/* Whether the mechanism sends an initial response (PLAIN, SCRAM, XOAUTH2, OAUTHBEARER: yes;
 * LOGIN: no, it waits for "Username:"). */
int sasl_client_first(const struct sasl *);

/*
 * One step: challenge_b64 is the server's challenge in base64 as it came (NULL or "" for
 * the first step or an empty challenge); *out gets the client's answer in base64 (malloc'd,
 * possibly "", NULL on SASL_FAIL; free it with sasl_wipe_free, it may carry the password).
 * SASL_FAIL: err says why, e.g. "the server's SCRAM signature does not verify". SASL_DONE
 * after an OAuth error challenge: *out is the dummy answer the server waits for, and err
 * holds the server's error (censored) to show with its final refusal; else err is "".
 */
enum sasl_rc sasl_step(struct sasl *, const char *challenge_b64, char **out, char *err,
    size_t errlen);

/* Whether the mechanism ran to its end: every message sent and, for SCRAM, the server's
 * signature verified. A server success before this skipped the mutual authentication. */
int sasl_complete(const struct sasl *);

/* Overwrite and free an answer from sasl_step. NULL-safe. */
void sasl_wipe_free(char *);

/* Wipe what the session holds of the password, including libgsasl's copies, and free it.
 * NULL-safe. */
void sasl_free(struct sasl *);

/*
 * The mechanism to use among those offered (each a word, any case): with a password
 * SCRAM-SHA-256-PLUS (when have_cb), SCRAM-SHA-256, SCRAM-SHA-1-PLUS (when have_cb),
 * SCRAM-SHA-1, PLAIN, LOGIN; with a token OAUTHBEARER, XOAUTH2. NULL when none fits.
 */
const char *sasl_choose(const char *const *offered, size_t n, int token, int have_cb);

#endif
