/*
 * https.c - libcurl's multi-socket API driven by libevent: curl says which sockets and
 * timeouts it wants watched, we watch them on our base and tell curl when they fire.
 * Redirects are never followed (RFC 8461 3.3); the body is capped and the transfer aborted
 * past the cap rather than buffered.
 *
 * libcurl is opened with dlopen() the first time a policy must be fetched: linked in, it
 * pulls 29 more libraries (GnuTLS, Kerberos, LDAP, ...) into every start of the program,
 * 13 million instructions that a --host check or --version never needs (measured with
 * callgrind: --version costs 12.9 M instructions linked, 5.4 M without).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CURL_DISABLE_TYPECHECK /* calls go through pointers; curl's macros would get in the way */
#include <curl/curl.h>

#include "base/util.h"
#include "base/version.h"
#include "net/https.h"

/* clang-format off */
#define CURL_FUNCS(X)                                                                       \
	X(curl_global_init) X(curl_global_cleanup) X(curl_multi_init) X(curl_multi_setopt)  \
	X(curl_multi_socket_action) X(curl_multi_info_read) X(curl_multi_remove_handle)     \
	X(curl_multi_add_handle) X(curl_multi_assign) X(curl_multi_cleanup) X(curl_easy_init) \
	X(curl_easy_setopt) X(curl_easy_getinfo) X(curl_easy_cleanup) X(curl_easy_strerror)  \
	X(curl_slist_append) X(curl_slist_free_all)

/* clang-format on */

static struct {
#define X(f) __typeof__(&f) f;
	CURL_FUNCS(X)
#undef X
} C;

/* Open libcurl and find what we call; 0, or -1 with err set. */
static int https_load(char *err, size_t errlen)
{
	static void *lib;

	if (lib)
		return 0;
	/* The SONAME of libcurl 7 and 8 (Debian's libcurl4). */
	lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		snprintf(err, errlen, "cannot load libcurl: %s", dlerror());
		return -1;
	}
#define X(f)                                                                                       \
	if ((*(void **)&C.f = dlsym(lib, #f)) == NULL) {                                           \
		snprintf(err, errlen, "libcurl lacks " #f);                                        \
		dlclose(lib);                                                                      \
		lib = NULL;                                                                        \
		return -1;                                                                         \
	}
	CURL_FUNCS(X)
#undef X
	return 0;
}

struct https {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	char *ca_file, *ca_path;
	int running;
	struct https_req *live; /* requests in flight */
};

struct https_req {
	struct https *h;
	CURL *easy;
	struct curl_slist *resolve;
	struct curl_slist *headers;
	size_t max;
	struct https_result r;
	https_cb cb;
	void *arg;
	char errbuf[CURL_ERROR_SIZE];
	struct https_req *prev, *next; /* in h->live */
};

static void https_req_free(struct https *h, struct https_req *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else
		h->live = q->next;
	if (q->next)
		q->next->prev = q->prev;
	C.curl_multi_remove_handle(h->multi, q->easy);
	C.curl_easy_cleanup(q->easy);
	C.curl_slist_free_all(q->resolve);
	C.curl_slist_free_all(q->headers);
	free(q->r.body);
	free(q);
}

struct https_sock {
	struct event *ev;
};

static void https_check(struct https *h)
{
	CURLMsg *msg;
	int left;

	while ((msg = C.curl_multi_info_read(h->multi, &left)) != NULL) {
		struct https_req *q;
		char *ct = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		C.curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&q);
		C.curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &q->r.status);
		if (C.curl_easy_getinfo(q->easy, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct) {
			char *c = censor(ct,
			    strlen(ct) < sizeof(q->r.content_type) - 1
			        ? strlen(ct)
			        : sizeof(q->r.content_type) - 1);
			snprintf(q->r.content_type, sizeof(q->r.content_type), "%s", c);
			free(c);
		}
		if (msg->data.result == CURLE_FILESIZE_EXCEEDED)
			q->r.too_large =
			    1; /* announced by Content-Length, refused before reading */
		if (msg->data.result != CURLE_OK && !q->r.too_large)
			snprintf(q->r.err, sizeof(q->r.err), "%s",
			    q->errbuf[0] ? q->errbuf : C.curl_easy_strerror(msg->data.result));
		if (q->r.too_large)
			snprintf(q->r.err, sizeof(q->r.err), "body larger than %zu bytes", q->max);
		q->cb(&q->r, q->arg);
		https_req_free(h, q);
	}
}

static void https_event(evutil_socket_t fd, short what, void *arg)
{
	struct https *h = arg;
	int flags =
	    (what & EV_READ ? CURL_CSELECT_IN : 0) | (what & EV_WRITE ? CURL_CSELECT_OUT : 0);

	C.curl_multi_socket_action(h->multi, fd, flags, &h->running);
	https_check(h);
}

static void https_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct https *h = arg;

	(void)fd;
	(void)what;
	C.curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &h->running);
	https_check(h);
}

static int https_sockfn(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct https *h = userp;
	struct https_sock *hs = socketp;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (hs) {
			event_free(hs->ev);
			free(hs);
		}
		C.curl_multi_assign(h->multi, s, NULL);
		return 0;
	}
	if (hs == NULL) {
		hs = xcalloc(1, sizeof(*hs));
		C.curl_multi_assign(h->multi, s, hs);
	} else {
		event_free(hs->ev);
	}
	hs->ev = event_new(h->base, s,
	    (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0) |
	        EV_PERSIST,
	    https_event, h);
	event_add(hs->ev, NULL);
	return 0;
}

static int https_timerfn(CURLM *multi, long ms, void *userp)
{
	struct https *h = userp;
	struct timeval tv;

	(void)multi;
	if (ms < 0) {
		evtimer_del(h->timer);
		return 0;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(h->timer, &tv);
	return 0;
}

static size_t https_write(char *data, size_t size, size_t n, void *arg)
{
	struct https_req *q = arg;
	size_t len = size * n;

	if (q->r.len + len > q->max) {
		q->r.too_large = 1;
		return 0; /* aborts the transfer: nothing past the cap is read into memory */
	}
	q->r.body = xreallocarray(q->r.body, q->r.len + len + 1, 1);
	memcpy(q->r.body + q->r.len, data, len);
	q->r.len += len;
	q->r.body[q->r.len] = '\0';
	return len;
}

struct https *https_new(struct event_base *base, const char *ca_file, const char *ca_path,
    char *err, size_t errlen)
{
	struct https *h;

	if (https_load(err, errlen) != 0)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	if (C.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatal("cannot initialise libcurl");
	h->base = base;
	h->multi = C.curl_multi_init();
	h->timer = evtimer_new(base, https_timeout, h);
	if (h->multi == NULL || h->timer == NULL)
		fatal("cannot initialise libcurl");
	h->ca_file = ca_file ? xstrdup(ca_file) : NULL;
	h->ca_path = ca_path ? xstrdup(ca_path) : NULL;
	C.curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, https_sockfn);
	C.curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	C.curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, https_timerfn);
	C.curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

void https_get(struct https *h, const char *url, const char *host, const char *addr,
    double timeout_s, size_t max_bytes, https_cb cb, void *arg)
{
	struct http_request r = {.url = url, .host = host, .port = 443, .addr = addr,
	    .timeout_s = timeout_s, .max_bytes = max_bytes};

	https_request(h, &r, cb, arg);
}

void https_request(struct https *h, const struct http_request *r, https_cb cb, void *arg)
{
	struct https_req *q = xcalloc(1, sizeof(*q));
	char pin[400];

	q->h = h;
	q->max = r->max_bytes;
	q->cb = cb;
	q->arg = arg;
	q->easy = C.curl_easy_init();
	if (q->easy == NULL)
		fatal("cannot create an HTTPS request");
	/* The address our resolver found, never the system's: curl must go where the checked
	 * DNS says. */
	snprintf(pin, sizeof(pin), strchr(r->addr, ':') ? "%s:%u:[%s]" : "%s:%u:%s", r->host,
	    r->port, r->addr);
	q->resolve = C.curl_slist_append(NULL, pin);
	C.curl_easy_setopt(q->easy, CURLOPT_URL, r->url);
	C.curl_easy_setopt(q->easy, CURLOPT_RESOLVE, q->resolve);
	C.curl_easy_setopt(q->easy, CURLOPT_PROTOCOLS_STR, r->allow_http ? "http,https" : "https");
	C.curl_easy_setopt(q->easy, CURLOPT_FOLLOWLOCATION, 0L);
	C.curl_easy_setopt(q->easy, CURLOPT_TIMEOUT_MS, (long)(r->timeout_s * 1000));
	C.curl_easy_setopt(q->easy, CURLOPT_NOSIGNAL, 1L);
	C.curl_easy_setopt(q->easy, CURLOPT_USERAGENT, "mailtls/" MAILTLS_VERSION);
	if (r->body) {
		char ct[128];

		snprintf(ct, sizeof(ct), "Content-Type: %s",
		    r->content_type ? r->content_type : "application/octet-stream");
		q->headers = C.curl_slist_append(NULL, ct);
		C.curl_easy_setopt(q->easy, CURLOPT_HTTPHEADER, q->headers);
		C.curl_easy_setopt(q->easy, CURLOPT_POSTFIELDSIZE, (long)r->body_len);
		C.curl_easy_setopt(q->easy, CURLOPT_COPYPOSTFIELDS, r->body);
	}
	C.curl_easy_setopt(q->easy, CURLOPT_WRITEFUNCTION, https_write);
	C.curl_easy_setopt(q->easy, CURLOPT_WRITEDATA, q);
	C.curl_easy_setopt(q->easy, CURLOPT_ERRORBUFFER, q->errbuf);
	C.curl_easy_setopt(q->easy, CURLOPT_PRIVATE, q);
	C.curl_easy_setopt(q->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)r->max_bytes);
	if (h->ca_file)
		C.curl_easy_setopt(q->easy, CURLOPT_CAINFO, h->ca_file);
	if (h->ca_path)
		C.curl_easy_setopt(q->easy, CURLOPT_CAPATH, h->ca_path);
	if (h->ca_file && !h->ca_path)
		C.curl_easy_setopt(q->easy, CURLOPT_CAPATH, NULL);
	q->next = h->live;
	if (h->live)
		h->live->prev = q;
	h->live = q;
	C.curl_multi_add_handle(h->multi, q->easy);
}

void https_free(struct https *h)
{
	if (h == NULL)
		return;
	while (h->live) { /* after an interrupt */
		h->live->r.cancelled = 1;
		h->live->cb(&h->live->r, h->live->arg);
		https_req_free(h, h->live);
	}
	C.curl_multi_cleanup(h->multi);
	event_free(h->timer);
	free(h->ca_file);
	free(h->ca_path);
	free(h);
	C.curl_global_cleanup();
}
