/*
 * dialect.h - what differs between mail protocols, as data: the commands a session sends and
 * how a complete reply is recognised and judged. The session machine is shared.
 */
#ifndef MAILTLS_DIALECT_H
#define MAILTLS_DIALECT_H

#include <stddef.h>

#include "conf/limits.h"
#include "model/result.h"

enum reply_verdict { REPLY_OK, REPLY_TEMPFAIL, REPLY_PERMFAIL };

/* One reply being assembled from lines; bounded by struct limits. */
struct reply {
	int code;      /* SMTP: the three-digit code; others: 0 */
	char tag[8];   /* IMAP: the tag that ends this reply; "" for the greeting */
	int multiline; /* POP3: the reply is +OK and lines up to "." (CAPA) */
	int cont_ok;   /* IMAP, POP3: a "+ " continuation may answer (a SASL challenge) */
	int cont;      /* ... and did: lines[0] is the text after "+ " */
	enum reply_verdict verdict;
	size_t nlines;
	size_t bytes;
	int complete;
	char **lines; /* censored text after the code/status, nlines of them */
	size_t cap;   /* lines' room: grown as lines come, up to the reply_lines limit */
};

/* Free what the reply holds and make it empty ({0} is empty too). */
void reply_reset(struct reply *);

enum feed { FEED_MORE, FEED_DONE, FEED_ERROR };

struct dialect {
	const char *name;                /* "smtp" */
	unsigned short port_starttls[3]; /* ports where STARTTLS is the default (0 ends) */
	unsigned short port_implicit[3]; /* ports where TLS starts at once */
	const char *capa_cmd;            /* printf format, %s = the EHLO name where it has one */
	const char *capa_name;           /* how people call it: EHLO, CAPABILITY, CAPA */
	int capa_multiline;              /* POP3: its reply runs to a "." line */
	const char *starttls_cmd;
	const char *starttls_capa; /* capability keyword announcing STARTTLS */
	const char *quit_cmd;
	/* SMTP: a reply of the right class is not enough, the code must be this one (0: any
	 * success): the greeting (RFC 5321 4.3.2), EHLO, STARTTLS (RFC 3207 4). */
	int greeting_code, capa_code, starttls_code;
	/* SMTP: what to send when the capability command is refused for good (RFC 5321
	 * 4.1.4: fall back to HELO); NULL: nothing. */
	const char *fallback_cmd;
	/* --starttls-tests: the harmless command sent in the same segment as STARTTLS, whose
	 * reply must never arrive over TLS (CVE-2011-0411). */
	const char *inject_cmd;
	int tagged; /* IMAP: each command's first word is the tag that ends its reply */
	/* Feed one line into r; err gets a reason on FEED_ERROR. The line is len bytes
	 * without its EOL, and line[len] is always a NUL (the io layer guarantees it), so an
	 * empty line can be tested with line[0]. It may hold NUL bytes of its own: len, not
	 * strlen, is its length. */
	enum feed (*feed)(struct reply *r, const char *line, size_t len, const struct limits *,
	    char *err, size_t errlen);
	/* Capability lines from a complete reply to capa_cmd, into out (keyword first). */
	void (*capabilities)(const struct reply *r, struct strlist *out);
	/* The capabilities that would make a client send a password itself, into out. */
	void (*cleartext_auth)(const struct strlist *capa, char *out, size_t outlen);
};

extern const struct dialect dialect_smtp, dialect_imap, dialect_pop3;

/* By name ("smtp", "imap", "pop3"), or NULL. */
const struct dialect *dialect_by_name(const char *);
/* The dialect whose standard ports include port (SMTP when none does). */
const struct dialect *dialect_by_port(unsigned short port);
/* Ready r for the reply to cmd (NULL: the greeting). */
void reply_expect(struct reply *, const struct dialect *, const char *cmd);

enum tls_mode dialect_mode_for(const struct dialect *, unsigned short port);
int dialect_has_capa(const struct strlist *, const char *keyword);
/* What in capa would send a password in the clear before TLS ("AUTH PLAIN LOGIN", "LOGIN
 * (no LOGINDISABLED)", "USER"), into out; 1 when anything does. SCRAM and other
 * challenge-response mechanisms expose no password and are not named. */
int dialect_cleartext_auth(const struct dialect *, const struct strlist *capa, char *out,
    size_t outlen);

/*
 * The mail services of a domain by their standard port: how each is found (the MX for
 * port 25; the RFC 6186 and RFC 8314 SRV records for the client ports) and spoken.
 */
struct mail_service {
	const char *name; /* "submission": the SRV service name, and how people call it */
	unsigned short port;
	const char *srv; /* "_submission._tcp"; NULL: found through the MX records */
	const struct dialect *dialect;
	enum tls_mode mode;
	int client; /* a port mail clients use (RFC 8314), not MTA to MTA */
};

const struct mail_service *mail_service_by_port(unsigned short);
const struct mail_service *mail_service_by_name(const char *);
/* The i-th of the table, or NULL past its end (--all-ports walks it). */
const struct mail_service *mail_service_at(size_t i);

enum feed smtp_feed(struct reply *, const char *, size_t, const struct limits *, char *, size_t);
enum feed imap_feed(struct reply *, const char *, size_t, const struct limits *, char *, size_t);
enum feed pop3_feed(struct reply *, const char *, size_t, const struct limits *, char *, size_t);

#endif
