/*
 * cred.h - the one credential `mailtls auth` holds: a login name and a password or OAuth
 * bearer token, read from a file, the environment or a no-echo prompt, kept in locked pages
 * and wiped after use. Nothing here prints, logs or copies the secret anywhere else.
 */
#ifndef MAILTLS_CRED_H
#define MAILTLS_CRED_H

#include <stddef.h>

/* A password longer than any a person types or a manager generates; bounds the read. */
#define CRED_SECRET_MAX 4096
/* Bearer tokens are bigger: Microsoft's JWTs run to a few KiB; 16 KiB leaves room. */
#define CRED_TOKEN_MAX 16384
/* A login name: an address or a local name; RFC 5321 caps a path at 256 octets. */
#define CRED_USER_MAX 256

/* The environment variable read when no file is given; unset once read. */
#define CRED_ENV "MAILTLS_PASSWORD"

struct cred {
	char *user;        /* the login name (not secret, but never printed with the secret) */
	char *secret;      /* password or OAuth bearer token; NUL-terminated; wiped by cred_wipe */
	size_t secret_len; /* bytes before the NUL */
	int token;         /* secret is an OAuth 2.0 bearer token (XOAUTH2, OAUTHBEARER) */
	size_t secret_map; /* bytes mapped at secret (whole pages, locked where mlock allows) */
};

/*
 * Read the secret for user, from the first source given:
 *   password_file (or token_file, then token = 1): its first line without the line end;
 *     refused when others may read it (mode & 077), when empty, too long (CRED_SECRET_MAX,
 *     CRED_TOKEN_MAX for tokens) or holding NUL, CR or LF (a token: anything but printable
 *     ASCII without spaces, RFC 6750 2.1);
 *   the environment variable MAILTLS_PASSWORD, wiped and unset once read;
 *   when allow_prompt and stdin is a terminal, a prompt on /dev/tty with echo off, the
 *     terminal restored on every path (SIGINT, SIGTERM, SIGHUP, SIGQUIT: restore, re-raise).
 * 0, or -1 with err naming what failed (never the secret) and c left empty. c needs no
 * initialisation; cred_wipe it when done either way.
 */
int cred_load(struct cred *c, const char *user, const char *password_file, const char *token_file,
    int allow_prompt, char *err, size_t errlen);

/* Overwrite the secret, unlock and unmap it, free the rest, leave c zeroed. NULL-safe and
 * safe to call twice. */
void cred_wipe(struct cred *c);

/* Overwrite n bytes at p in a way the compiler may not drop (explicit_bzero). For every
 * buffer that held the secret or something derived from it. NULL-safe. */
void cred_wipe_bytes(char *p, size_t n);

#endif
