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
void https_free(struct https *);

#endif
