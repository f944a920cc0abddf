/*
 * sasl.c - client SASL for `mailtls auth`: PLAIN, LOGIN and SCRAM through GNU SASL (one
 * libgsasl context per process), XOAUTH2 and OAUTHBEARER built here. Every buffer that holds
 * the password, or an answer made from it, is wiped before it is freed, libgsasl's own
 * copies included; nothing here prints or logs.
 *
 * libgsasl 2.2 (Debian 12) as a client: ANONYMOUS EXTERNAL LOGIN PLAIN SECURID NTLM
 * DIGEST-MD5 CRAM-MD5 SCRAM-SHA-1(-PLUS) SCRAM-SHA-256(-PLUS) SAML20 OPENID20 GSSAPI
 * GS2-KRB5; no XOAUTH2 and no OAUTHBEARER. The SCRAM client asks for GSASL_CB_TLS_EXPORTER
 * before GSASL_CB_TLS_UNIQUE (since 2.1.0).
 */
#include <errno.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsasl.h>
#include <openssl/evp.h>

#include "base/util.h"
#include "conf/cred.h"
#include "proto/sasl.h"

/* PBKDF2 rounds a server may ask of us: OWASP's 2023 advice for PBKDF2-HMAC-SHA256 is
 * 600,000 and RFC 7677 asks for at least 4096; past a million it is a server making us
 * spin (each million costs about half a second). */
#define SASL_SCRAM_ITER_MAX 1000000
/* Channel binding data: tls-exporter is 32 bytes (RFC 9266), tls-unique 12 (RFC 5929). */
#define SASL_CB_MAX 64
/* Bytes of a server's error text kept for a message. */
#define SASL_SERVER_TEXT_MAX 200

enum sasl_impl {
	SASL_IMPL_GSASL,       /* libgsasl does the mechanism */
	SASL_IMPL_XOAUTH2,     /* Google / Microsoft, one message, built here */
	SASL_IMPL_OAUTHBEARER, /* RFC 7628, one message, built here */
};

struct sasl_mech {
	const char *name;
	enum sasl_impl impl;
	int client_first; /* sends an initial response */
	int token;        /* takes an OAuth bearer token instead of a password */
	int plus;         /* needs channel binding */
	int scram;        /* the SCRAM hash (Gsasl_hash), or 0 */
};

/* In order of preference: sasl_choose walks it from the top. */
static const struct sasl_mech sasl_mechs[] = {
    {"SCRAM-SHA-256-PLUS", SASL_IMPL_GSASL, 1, 0, 1, GSASL_HASH_SHA256},
    {"SCRAM-SHA-256", SASL_IMPL_GSASL, 1, 0, 0, GSASL_HASH_SHA256},
    {"SCRAM-SHA-1-PLUS", SASL_IMPL_GSASL, 1, 0, 1, GSASL_HASH_SHA1},
    {"SCRAM-SHA-1", SASL_IMPL_GSASL, 1, 0, 0, GSASL_HASH_SHA1},
    {"PLAIN", SASL_IMPL_GSASL, 1, 0, 0, 0},
    {"LOGIN", SASL_IMPL_GSASL, 0, 0, 0, 0},
    {"OAUTHBEARER", SASL_IMPL_OAUTHBEARER, 1, 1, 0, 0},
    {"XOAUTH2", SASL_IMPL_XOAUTH2, 1, 1, 0, 0},
};
#define SASL_NMECHS (sizeof(sasl_mechs) / sizeof(sasl_mechs[0]))

struct sasl {
	const struct sasl_mech *m;
	const struct cred *c; /* the caller's; outlives us */
	Gsasl_session *gs;    /* NULL for the formats built here */
	char *host;           /* OAUTHBEARER's host=, or NULL */
	int steps;            /* sasl_step calls so far */
	int complete;         /* every message sent; SCRAM: the server's signature verified */
	int refused;          /* OAuth: the server sent its error challenge, we answered it */
	char why[160];        /* set by the callback when it refuses, for sasl_step's err */
};

/*
 * libgsasl is opened with dlopen() on the first login: linked in, it and the libraries it
 * pulls (libgssglue, libidn, libntlm) are loaded and relocated at every start of the
 * program, 0.43 million instructions that a check never needs (callgrind, one --host
 * check: 28.49 M linked, 28.06 M opened on demand), as with libcurl in net/https.c.
 */
#define GSASL_FUNCS(X) X(gsasl_base64_from) X(gsasl_callback_set) X(gsasl_check_version) X(gsasl_client_start) X(gsasl_client_support_p) X(gsasl_finish) X(gsasl_free) X(gsasl_init) X(gsasl_property_fast) X(gsasl_property_set) X(gsasl_saslprep) X(gsasl_session_hook_get) X(gsasl_session_hook_set) X(gsasl_step) X(gsasl_strerror)

static struct {
#define X(f) __typeof__(&f) f;
	GSASL_FUNCS(X)
#undef X
} G;

/* Open libgsasl and find what we call; 0, or -1 with err set. */
static int sasl_load(char *err, size_t errlen)
{
	static void *lib;

	if (lib)
		return 0;
	lib = dlopen("libgsasl.so.18", RTLD_NOW | RTLD_LOCAL); /* Debian 12's libgsasl18 */
	if (lib == NULL) {
		snprintf(err, errlen, "cannot load libgsasl: %s", dlerror());
		return -1;
	}
#define X(f)                                                                                       \
	if ((*(void **)&G.f = dlsym(lib, #f)) == NULL) {                                           \
		snprintf(err, errlen, "libgsasl lacks " #f);                                       \
		dlclose(lib);                                                                      \
		lib = NULL;                                                                        \
		return -1;                                                                         \
	}
	GSASL_FUNCS(X)
#undef X
	return 0;
}

/* The one libgsasl context of the process, made on first use; never freed (it holds no
 * secret: every session's properties are wiped in sasl_free). */
static Gsasl *sasl_ctx;

static int sasl_callback(Gsasl *, Gsasl_session *, Gsasl_property);

static Gsasl *sasl_context(char *err, size_t errlen)
{
	int rc;

	if (sasl_ctx != NULL)
		return sasl_ctx;
	if (sasl_load(err, errlen) != 0)
		return NULL;
	/* 2.1.0 brought tls-exporter, the only channel binding TLS 1.3 has. */
	if (G.gsasl_check_version("2.1.0") == NULL) {
		snprintf(err, errlen, "libgsasl %s is older than 2.1.0", G.gsasl_check_version(NULL));
		return NULL;
	}
	if ((rc = G.gsasl_init(&sasl_ctx)) != GSASL_OK) {
		snprintf(err, errlen, "libgsasl: %s", G.gsasl_strerror(rc));
		sasl_ctx = NULL;
		return NULL;
	}
	G.gsasl_callback_set(sasl_ctx, sasl_callback);
	return sasl_ctx;
}

/* base64 of n bytes as a fresh string; OpenSSL's block encoder writes no line breaks. */
static char *b64_encode(const void *p, size_t n)
{
	char *out = xcalloc(4 * ((n + 2) / 3) + 1, 1);

	if (n > 0)
		EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

/* A challenge as it came; *raw NULL for an empty one. libgsasl's decoder is strict: no
 * blanks, padding required. */
static int b64_decode(const char *in, char **raw, size_t *rawlen, char *err, size_t errlen)
{
	size_t n = in != NULL ? strnlen(in, SASL_CHALLENGE_MAX + 1) : 0;

	*raw = NULL;
	*rawlen = 0;
	if (n > SASL_CHALLENGE_MAX) {
		snprintf(err, errlen, "the server's challenge is longer than %d bytes",
		    SASL_CHALLENGE_MAX);
		return -1;
	}
	if (n > 0 && G.gsasl_base64_from(in, n, raw, rawlen) != GSASL_OK) {
		snprintf(err, errlen, "the server's challenge is not base64");
		*raw = NULL;
		return -1;
	}
	return 0;
}

/* Server text for a message: bounded, censored. */
static void server_text(const char *what, const char *p, size_t n, char *err, size_t errlen)
{
	char *t = censor(p, n < SASL_SERVER_TEXT_MAX ? n : SASL_SERVER_TEXT_MAX);

	snprintf(err, errlen, "%s: %s", what, t);
	free(t);
}

static const struct sasl_mech *mech_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < SASL_NMECHS; i++)
		if (strcasecmp(name, sasl_mechs[i].name) == 0)
			return &sasl_mechs[i];
	return NULL;
}

/*
 * SCRAM's SaltedPassword := Hi(Normalize(password), salt, i) (RFC 5802 3), answered from
 * the callback instead of handing libgsasl the password: libgsasl frees its SASLprep copy
 * of a password unwiped, and would run any iteration count a server names.
 */
static int scram_hi(struct sasl *s, const char *iter_s, const char *salt, size_t saltlen, char *hex,
    size_t hexlen)
{
	const EVP_MD *md = s->m->scram == GSASL_HASH_SHA256 ? EVP_sha256() : EVP_sha1();
	unsigned char key[EVP_MAX_MD_SIZE];
	int klen = EVP_MD_get_size(md), i, ok;
	const char *pw = s->c->secret, *q;
	char *prep = NULL, *end;
	long iter;

	errno = 0;
	iter = strtol(iter_s, &end, 10);
	if (errno || end == iter_s || *end != '\0' || iter < 1 || iter > SASL_SCRAM_ITER_MAX) {
		snprintf(s->why, sizeof(s->why),
		    "the server asks for %.20s SCRAM iterations, over %d", iter_s,
		    SASL_SCRAM_ITER_MAX);
		return -1;
	}
	/* SASLprep leaves printable ASCII as it is; only other text goes through libgsasl. */
	for (q = pw; *q >= 0x20 && *q < 0x7f; q++)
		;
	if (*q != '\0' && G.gsasl_saslprep(pw, GSASL_ALLOW_UNASSIGNED, &prep, NULL) != GSASL_OK) {
		snprintf(s->why, sizeof(s->why), "SASLprep refuses the password (SCRAM needs it)");
		return -1;
	}
	if (prep != NULL)
		pw = prep;
	ok = PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), (const unsigned char *)salt, (int)saltlen,
	    (int)iter, md, klen, key);
	if (prep != NULL) {
		cred_wipe_bytes(prep, strlen(prep));
		G.gsasl_free(prep);
	}
	/* libgsasl wants lower-case hex of the key. */
	for (i = 0; ok && i < klen && (size_t)(2 * i + 2) < hexlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	cred_wipe_bytes((char *)key, sizeof(key));
	if (!ok)
		snprintf(s->why, sizeof(s->why), "PBKDF2 failed");
	return ok ? 0 : -1;
}

static int scram_salted(struct sasl *s, Gsasl_session *gs)
{
	const char *iter = G.gsasl_property_fast(gs, GSASL_SCRAM_ITER);
	const char *salt_b64 = G.gsasl_property_fast(gs, GSASL_SCRAM_SALT);
	char hex[2 * EVP_MAX_MD_SIZE + 1] = "";
	char *salt = NULL;
	size_t saltlen = 0;
	int rc = GSASL_AUTHENTICATION_ERROR;

	if (iter == NULL || salt_b64 == NULL ||
	    G.gsasl_base64_from(salt_b64, strlen(salt_b64), &salt, &saltlen) != GSASL_OK) {
		snprintf(s->why, sizeof(s->why), "the server's SCRAM salt is not base64");
		return rc;
	}
	if (scram_hi(s, iter, salt, saltlen, hex, sizeof(hex)) == 0)
		rc = G.gsasl_property_set(gs, GSASL_SCRAM_SALTED_PASSWORD, hex);
	cred_wipe_bytes(hex, sizeof(hex));
	G.gsasl_free(salt);
	return rc;
}

/* libgsasl asks here for what a session does not hold: only SCRAM's salted password is
 * ours to give; everything else was set up front or is not wanted (GSASL_AUTHZID). */
static int sasl_callback(Gsasl *ctx, Gsasl_session *gs, Gsasl_property prop)
{
	struct sasl *s = G.gsasl_session_hook_get(gs);

	(void)ctx;
	if (s == NULL || prop != GSASL_SCRAM_SALTED_PASSWORD || !s->m->scram)
		return GSASL_NO_CALLBACK;
	return scram_salted(s, gs);
}

/* A property libgsasl copies; failure is only ever out of memory. */
static void prop_set(Gsasl_session *gs, Gsasl_property prop, const char *v)
{
	if (G.gsasl_property_set(gs, prop, v) != GSASL_OK)
		fatal("out of memory");
}

/* libgsasl frees its property strings without clearing them; each is its own malloc'd
 * copy, so overwriting it in place before gsasl_finish is safe. */
static void prop_wipe(Gsasl_session *gs, Gsasl_property prop)
{
	char *v = (char *)G.gsasl_property_fast(gs, prop);

	if (v != NULL)
		cred_wipe_bytes(v, strlen(v));
}

static int gsasl_open(struct sasl *s, const char *service, const char *host,
    const unsigned char *cb, size_t cblen, const char *cbtype, char *err, size_t errlen)
{
	Gsasl *ctx = sasl_context(err, errlen);
	char *cb64;
	int rc, exporter;

	if (ctx == NULL)
		return -1;
	if (!G.gsasl_client_support_p(ctx, s->m->name)) {
		snprintf(err, errlen, "this libgsasl cannot do %s", s->m->name);
		return -1;
	}
	if ((rc = G.gsasl_client_start(ctx, s->m->name, &s->gs)) != GSASL_OK) {
		snprintf(err, errlen, "%s: %s", s->m->name, G.gsasl_strerror(rc));
		s->gs = NULL;
		return -1;
	}
	G.gsasl_session_hook_set(s->gs, s);
	prop_set(s->gs, GSASL_AUTHID, s->c->user);
	if (service != NULL)
		prop_set(s->gs, GSASL_SERVICE, service);
	if (host != NULL)
		prop_set(s->gs, GSASL_HOSTNAME, host);
	/* PLAIN and LOGIN send the password as it is; SCRAM gets only the salted form. */
	if (!s->m->scram)
		prop_set(s->gs, GSASL_PASSWORD, s->c->secret);
	/*
	 * Binding data goes to the -PLUS variants only. For a plain SCRAM, RFC 5802 6 would
	 * have the client say "y" (I could bind, you offered no -PLUS), but libgsasl 2.2 then
	 * names the binding type beside "y" and refuses its own client-first message
	 * ("Error authenticating user"); so a plain SCRAM says "n".
	 */
	if (s->m->plus) {
		exporter = strcmp(cbtype, "tls-exporter") == 0;
		cb64 = b64_encode(cb, cblen);
		prop_set(s->gs, exporter ? GSASL_CB_TLS_EXPORTER : GSASL_CB_TLS_UNIQUE, cb64);
		free(cb64);
	}
	return 0;
}

/* What the credential, the host and the channel binding must be for m. */
static int start_check(const struct sasl_mech *m, const struct cred *c, const char *host,
    const unsigned char *cb, size_t cblen, const char *cbtype, char *err, size_t errlen)
{
	const char *p;

	if (c == NULL || c->user == NULL || c->secret == NULL) {
		snprintf(err, errlen, "%s: no credential loaded", m->name);
		return -1;
	}
	if (m->token != (c->token != 0)) {
		snprintf(err, errlen,
		    m->token ? "%s needs an OAuth bearer token, not a password"
		             : "%s needs a password, not an OAuth token",
		    m->name);
		return -1;
	}
	if (cb != NULL &&
	    (cblen == 0 || cblen > SASL_CB_MAX || cbtype == NULL ||
	        (strcmp(cbtype, "tls-exporter") != 0 && strcmp(cbtype, "tls-unique") != 0))) {
		snprintf(err, errlen,
		    "%s: channel binding must be tls-exporter or tls-unique data "
		    "of 1 to %d bytes",
		    m->name, SASL_CB_MAX);
		return -1;
	}
	if (m->plus && cb == NULL) {
		snprintf(err, errlen, "%s needs channel binding data from the TLS session",
		    m->name);
		return -1;
	}
	/* OAUTHBEARER separates fields with ^A: a control byte in the name would forge one. */
	for (p = host; p != NULL && *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "%s: the host name contains a control byte", m->name);
			return -1;
		}
	}
	return 0;
}

struct sasl *sasl_start(const char *mech, const struct cred *c, const char *service,
    const char *host, const unsigned char *cb, size_t cblen, const char *cbtype, char *err,
    size_t errlen)
{
	const struct sasl_mech *m = mech_find(mech);
	struct sasl *s;

	if (m == NULL) {
		server_text("not a mechanism mailtls speaks (PLAIN, LOGIN, SCRAM-SHA-1[-PLUS], "
		            "SCRAM-SHA-256[-PLUS], XOAUTH2, OAUTHBEARER)",
		    mech ? mech : "(none)", mech ? strlen(mech) : 6, err, errlen);
		return NULL;
	}
	if (start_check(m, c, host, cb, cblen, cbtype, err, errlen) < 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->m = m;
	s->c = c;
	s->host = host != NULL ? xstrdup(host) : NULL;
	if (m->impl == SASL_IMPL_GSASL &&
	    gsasl_open(s, service, host, cb, cblen, cbtype, err, errlen) < 0) {
		sasl_free(s);
		return NULL;
	}
	return s;
}

const char *sasl_mech(const struct sasl *s)
{
	return s->m->name;
}

int sasl_client_first(const struct sasl *s)
{
	return s->m->client_first;
}

int sasl_complete(const struct sasl *s)
{
	return s->complete;
}

/* Why a libgsasl step failed, in the words a user needs. */
static void gsasl_why(struct sasl *s, int rc, const char *in, size_t inlen, char *err,
    size_t errlen)
{
	if (s->why[0] != '\0')
		snprintf(err, errlen, "%s", s->why);
	else if (s->m->scram && inlen >= 2 && memcmp(in, "e=", 2) == 0)
		server_text("the server refused", in + 2, inlen - 2, err, errlen);
	else if (s->m->scram && s->steps == 3 && rc == GSASL_AUTHENTICATION_ERROR)
		snprintf(err, errlen, "the server's SCRAM signature does not verify");
	else if (s->m->scram && s->steps == 2 && rc == GSASL_AUTHENTICATION_ERROR)
		snprintf(err, errlen, "the server's SCRAM nonce does not start with ours");
	else
		snprintf(err, errlen, "%s: %s", s->m->name, G.gsasl_strerror(rc));
}

static enum sasl_rc step_gsasl(struct sasl *s, const char *in, size_t inlen, char **out, char *err,
    size_t errlen)
{
	char *raw = NULL;
	size_t rawlen = 0;
	int rc;

	rc = G.gsasl_step(s->gs, in, inlen, &raw, &rawlen);
	if (rc == GSASL_OK || rc == GSASL_NEEDS_MORE)
		*out = b64_encode(raw, rawlen);
	else
		gsasl_why(s, rc, in, inlen, err, errlen);
	if (raw != NULL) {
		cred_wipe_bytes(raw, rawlen);
		G.gsasl_free(raw);
	}
	if (rc == GSASL_OK)
		s->complete = 1;
	return rc == GSASL_OK ? SASL_DONE : rc == GSASL_NEEDS_MORE ? SASL_MORE : SASL_FAIL;
}

/* n bytes at p onto the message at b (room was counted before). */
static char *put(char *b, const char *p, size_t n)
{
	memcpy(b, p, n);
	return b + n;
}

/* RFC 5801 saslname: ',' and '=' escaped as =2C and =3D. */
static char *put_saslname(char *b, const char *p)
{
	for (; *p != '\0'; p++) {
		if (*p == ',')
			b = put(b, "=2C", 3);
		else if (*p == '=')
			b = put(b, "=3D", 3);
		else
			*b++ = *p;
	}
	return b;
}

/*
 * The one client message of the OAuth formats, raw:
 * XOAUTH2 (no RFC; Google's and Microsoft's "SASL XOAUTH2" pages):
 *   "user=" U ^A "auth=Bearer " T ^A ^A
 * OAUTHBEARER (RFC 7628 3.1, gs2 header of RFC 5801, no port: it is optional):
 *   "n,a=" U "," ^A "host=" H ^A "auth=Bearer " T ^A ^A
 */
static char *oauth_message(const struct sasl *s, size_t *len)
{
	const struct cred *c = s->c;
	size_t cap = 64 + 3 * strlen(c->user) + (s->host ? strlen(s->host) : 0) + c->secret_len;
	char *msg = xcalloc(cap, 1), *b = msg;

	if (s->m->impl == SASL_IMPL_XOAUTH2) {
		b = put(b, "user=", 5);
		b = put(b, c->user, strlen(c->user));
	} else {
		b = put(b, "n,a=", 4);
		b = put_saslname(b, c->user);
		b = put(b, ",", 1);
		if (s->host != NULL) {
			b = put(b, "\x01host=", 6);
			b = put(b, s->host, strlen(s->host));
		}
	}
	b = put(b,
	    "\x01"
	    "auth=Bearer ",
	    13);
	b = put(b, c->secret, c->secret_len);
	b = put(b, "\x01\x01", 2);
	*len = (size_t)(b - msg);
	return msg;
}

/*
 * OAuth: the first step sends the token; a success ends it there. A failure comes as one
 * challenge holding a JSON error, which wants an answer before the final refusal: nothing
 * for XOAUTH2, a lone ^A for OAUTHBEARER (RFC 7628 3.2.3).
 */
static enum sasl_rc step_oauth(struct sasl *s, const char *in, size_t inlen, char **out, char *err,
    size_t errlen)
{
	char *msg;
	size_t len;

	if (!s->complete) {
		msg = oauth_message(s, &len);
		*out = b64_encode(msg, len);
		cred_wipe_bytes(msg, len);
		free(msg);
		s->complete = 1;
		return SASL_DONE;
	}
	if (s->refused) {
		snprintf(err, errlen, "the server challenges after %s completed", s->m->name);
		return SASL_FAIL;
	}
	s->refused = 1;
	server_text("the server refused the token", in, inlen, err, errlen);
	*out = b64_encode("\x01", s->m->impl == SASL_IMPL_OAUTHBEARER ? 1 : 0);
	return SASL_DONE;
}

enum sasl_rc sasl_step(struct sasl *s, const char *challenge_b64, char **out, char *err,
    size_t errlen)
{
	char *in = NULL;
	size_t inlen = 0;
	enum sasl_rc rc;

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	if (++s->steps > SASL_STEPS_MAX) {
		snprintf(err, errlen, "the server sent more than %d challenges", SASL_STEPS_MAX);
		return SASL_FAIL;
	}
	if (b64_decode(challenge_b64, &in, &inlen, err, errlen) < 0)
		return SASL_FAIL;
	if (s->m->impl != SASL_IMPL_GSASL) {
		rc = step_oauth(s, in, inlen, out, err, errlen);
	} else if (s->complete) {
		/* libgsasl would answer LOGIN's or PLAIN's extra challenge with the password. */
		snprintf(err, errlen, "the server challenges after %s completed", s->m->name);
		rc = SASL_FAIL;
	} else {
		rc = step_gsasl(s, in, inlen, out, err, errlen);
	}
	G.gsasl_free(in);
	return rc;
}

void sasl_wipe_free(char *p)
{
	if (p == NULL)
		return;
	cred_wipe_bytes(p, strlen(p));
	free(p);
}

void sasl_free(struct sasl *s)
{
	if (s == NULL)
		return;
	if (s->gs != NULL) {
		prop_wipe(s->gs, GSASL_PASSWORD);
		prop_wipe(s->gs, GSASL_SCRAM_SALTED_PASSWORD);
		G.gsasl_finish(s->gs);
	}
	free(s->host);
	cred_wipe_bytes((char *)s, sizeof(*s));
	free(s);
}

static int offered_has(const char *const *offered, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (offered[i] != NULL && strcasecmp(offered[i], name) == 0)
			return 1;
	return 0;
}

const char *sasl_choose(const char *const *offered, size_t n, int token, int have_cb)
{
	size_t i;

	for (i = 0; i < SASL_NMECHS; i++) {
		const struct sasl_mech *m = &sasl_mechs[i];

		if (m->token != (token != 0) || (m->plus && !have_cb))
			continue;
		if (offered_has(offered, n, m->name))
			return m->name;
	}
	return NULL;
}
