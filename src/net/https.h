/*
 * https.h - HTTPS GETs with libcurl's multi interface on the program's event loop, for
 * MTA-STS policies: one address pinned (resolved by our own resolver), no redirects, a
 * byte cap, a timeout, PKIX verification against the run's trust store.
 */
#ifndef MAILTLS_HTTPS_H
#define MAILTLS_HTTPS_H

#include <stddef.h>

#include <event2/event.h>

struct https_result {
	long status;            /* HTTP status, 0 when none was received */
	char content_type[128]; /* as sent, censored */
	char *body;             /* NUL-terminated; NULL on failure */
	size_t len;
	int too_large; /* the body exceeded the cap: transfer aborted */
	char err[256]; /* curl's words on failure, "" on success */
	int cancelled; /* https_free() ended the request: the callback only frees its argument */
};

typedef void (*https_cb)(const struct https_result *, void *arg);

struct https;

/* NULL with err set when libcurl cannot be loaded. */
struct https *https_new(struct event_base *, const char *ca_file, const char *ca_path, char *err,
    size_t errlen);
/* GET url, connecting to addr (numeric) for host:443. cb runs exactly once, later (with
 * cancelled set when https_free() ends the request first). */
void https_get(struct https *, const char *url, const char *host, const char *addr,
    double timeout_s, size_t max_bytes, https_cb, void *arg);

/* Any request: plain http allowed (OCSP and CRLs are served so, RFC 6960 A.1, RFC 5280
 * 4.2.1.13), a POST when body is given, still pinned to addr and never redirected. */
struct http_request {
	const char *url;
	const char *host; /* as in the URL */
	unsigned port;    /* as in the URL (80, 443, 8080 ...) */
	const char *addr; /* numeric: where our resolver said host is */
	const unsigned char *body; /* POST this (NULL: GET) */
	size_t body_len;
	const char *content_type; /* of the body */
	int allow_http;           /* http as well as https */
	double timeout_s;
	size_t max_bytes;
};
void https_request(struct https *, const struct http_request *, https_cb, void *arg);
void https_free(struct https *);

#endif
