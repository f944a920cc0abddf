/*
 * session.h - one mail session (greeting, capabilities, STARTTLS or implicit TLS, capabilities
 * again, QUIT) as a state machine over io events. The dialect supplies the words.
 */
#ifndef MAILTLS_SESSION_H
#define MAILTLS_SESSION_H

#include <stdio.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "conf/limits.h"
#include "model/result.h"
#include "tls/hello.h"

struct session;
struct auth_params;

/* mailtls ping: what a session does once its capabilities (over TLS, or in plaintext with
 * no_tls) and any login are done, before QUIT. Nothing is delivered unless from, to and
 * data are all given. */
struct txn_params {
	const char *from, *to; /* MAIL FROM and RCPT TO (SMTP); NULL: neither is sent */
	int data;              /* DATA: a message marked as a test, of about size bytes */
	size_t size;
	int noop;              /* a NOOP (IMAP always can; POP3 only after a login) */
	int no_tls;            /* stay in plaintext (smtpping's way, to compare) */
};

typedef void (*session_done_cb)(struct probe *, void *arg);

struct session_params {
	const struct limits *lim;
	SSL_CTX *ssl_ctx;
	const char *ehlo_name;
	FILE *trace; /* --verbose: the dialogue, censored, one line per command and reply line */
	int starttls_tests; /* send a command with STARTTLS; its reply must not come over TLS */
	const struct auth_params *auth; /* mailtls auth: log in once TLS is up; NULL: never */
	const struct txn_params *txn;   /* mailtls ping: the transaction; NULL: none */
	unsigned long seq;              /* ping: the transaction's number, in its message */
	int retries; /* a temporary refusal in the greeting is tried again this many times */
	/* Close once QUIT has left, without waiting for its reply (RFC 5321 4.1.1.10 says a
	 * client SHOULD wait; Postfix's smtp_skip_quit_response does not): a bulk run holds
	 * each connection a round trip less. The reply says nothing a check reads. */
	int quit_no_wait;
};

/* Starts the session for p (p->address and p->port must be set). *handle holds the session
 * while it runs and is set to NULL when it ends; done is called exactly once, never before
 * this returns, when the probe holds everything observed. */
void session_start(struct event_base *, const struct session_params *, struct probe *,
    struct session **handle, session_done_cb done, void *arg);

/*
 * check --tls-scan: where TLS would start, a crafted ClientHello goes out instead and the
 * answer is read up to its ServerHello (on to the ServerKeyExchange when wants_kx says so);
 * the session then ends without QUIT, the server being mid-handshake. The probe only
 * carries the protocol's findings up to there; the answer is in the raw_hello.
 */
struct raw_hello {
	const unsigned char *bytes; /* the ClientHello record(s) */
	size_t len;
	int (*wants_kx)(void *arg, const struct server_hello *, int *ecdhe);
	void *arg;
	/* what happened */
	int sent;           /* the hello went out: the protocol reached the point of TLS */
	enum hello_result r; /* HELLO_MORE when no whole answer came (why says what did) */
	struct server_hello sh;
	struct server_kx kx;
	char why[160];
};

/* How one session's TLS differs from the rest (check --tls-scan); NULL: it does not. */
struct session_variant {
	struct raw_hello *raw;   /* the crafted hello instead of OpenSSL's handshake */
	const char *sigalgs;     /* OpenSSL's handshake offers only these signature algorithms */
	const char *cipher_list; /* ... and these suites before TLS 1.3 */
	int no_sni;              /* ... and no server_name */
};

void session_start_variant(struct event_base *, const struct session_params *,
    const struct session_variant *, struct probe *, struct session **handle,
    session_done_cb done, void *arg);

/* End a session in flight without a result (the run was interrupted): frees everything it
 * holds, and done is never called. NULL is a no-op. */
void session_abort(struct session *);

#endif
