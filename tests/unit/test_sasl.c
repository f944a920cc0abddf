/*
 * Unit tests of the SASL client (proto/sasl.c): PLAIN's and LOGIN's messages, whole SCRAM
 * exchanges against a libgsasl server in the same process (with and without channel
 * binding, a forged server signature, a server error, a hostile iteration count), the
 * OAuth formats built here, the choice of mechanism, and refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsasl.h>

#include "conf/cred.h"
#include "proto/sasl.h"

#define USER "alice"
#define SECRET "lab-secret-1"
#define TOKEN "ya29.tok"

/* The server side, a libgsasl context of the test's own: what its callback answers. */
static struct {
	Gsasl *ctx;
	const char *iter;        /* GSASL_SCRAM_ITER, or NULL for libgsasl's 4096 */
	const unsigned char *cb; /* the server's tls-exporter bytes, 32 */
} srv;

static const unsigned char cb_a[32] = "client-and-server-share-this-32";
static const unsigned char cb_b[32] = "a-different-tls-session-32-byte";

static int srv_callback(Gsasl *ctx, Gsasl_session *gs, Gsasl_property prop)
{
	char *b64;

	(void)ctx;
	switch (prop) {
	case GSASL_PASSWORD:
		if (strcmp(gsasl_property_fast(gs, GSASL_AUTHID), USER) != 0)
			return GSASL_AUTHENTICATION_ERROR;
		return gsasl_property_set(gs, prop, SECRET);
	case GSASL_SCRAM_ITER:
		return srv.iter ? gsasl_property_set(gs, prop, srv.iter) : GSASL_NO_CALLBACK;
	case GSASL_CB_TLS_EXPORTER:
		if (srv.cb == NULL)
			return GSASL_NO_CALLBACK;
		assert_int_equal(gsasl_base64_to((const char *)srv.cb, 32, &b64, NULL), GSASL_OK);
		gsasl_property_set(gs, prop, b64);
		gsasl_free(b64);
		return GSASL_OK;
	default:
		return GSASL_NO_CALLBACK;
	}
}

static int setup(void **state)
{
	(void)state;
	if (gsasl_init(&srv.ctx) != GSASL_OK)
		return -1;
	gsasl_callback_set(srv.ctx, srv_callback);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gsasl_done(srv.ctx);
	return 0;
}

/* A credential loaded the way the command loads one: from a private file. */
static void load(struct cred *c, const char *user, const char *secret, int token)
{
	char path[64] = "/tmp/mailtls-sasl-XXXXXX", err[300];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, secret, strlen(secret)), (ssize_t)strlen(secret));
	close(fd);
	assert_int_equal(cred_load(c, user, token ? NULL : path, token ? path : NULL, 0, err,
	                     sizeof(err)),
	    0);
	unlink(path);
}

static struct sasl *start(const char *mech, const struct cred *c, const unsigned char *cb)
{
	char err[300] = "";
	struct sasl *s;

	s = sasl_start(mech, c, "smtp", "mx.test", cb, cb ? 32 : 0, cb ? "tls-exporter" : NULL, err,
	    sizeof(err));
	if (s == NULL)
		fail_msg("sasl_start %s: %s", mech, err);
	return s;
}

/* One client step that must give rc and, when want is not NULL, exactly want. */
static void step(struct sasl *s, const char *challenge, enum sasl_rc rc, const char *want)
{
	char *out = NULL, err[300] = "";
	enum sasl_rc got = sasl_step(s, challenge, &out, err, sizeof(err));

	if (got != rc)
		fail_msg("step %s: rc %d, want %d (%s)", challenge ? challenge : "(none)", got, rc,
		    err);
	if (want != NULL)
		assert_string_equal(out, want);
	sasl_wipe_free(out);
}

static void plain(void **state)
{
	struct cred c;
	struct sasl *s;

	(void)state;
	load(&c, USER, SECRET, 0);
	s = start("plain", &c, NULL);
	assert_string_equal(sasl_mech(s), "PLAIN");
	assert_true(sasl_client_first(s));
	step(s, NULL, SASL_DONE, "AGFsaWNlAGxhYi1zZWNyZXQtMQ=="); /* "\0alice\0lab-secret-1" */
	assert_true(sasl_complete(s));
	step(s, "", SASL_FAIL, NULL); /* no second copy of the password for a second ask */
	sasl_free(s);
	cred_wipe(&c);
}

static void login(void **state)
{
	struct cred c;
	struct sasl *s;

	(void)state;
	load(&c, USER, SECRET, 0);
	s = start("LOGIN", &c, NULL);
	assert_false(sasl_client_first(s));
	step(s, "VXNlcm5hbWU6", SASL_MORE, "YWxpY2U="); /* "Username:" -> "alice" */
	assert_false(sasl_complete(s));
	step(s, "UGFzc3dvcmQ6", SASL_DONE, "bGFiLXNlY3JldC0x"); /* "Password:" -> the secret */
	assert_true(sasl_complete(s));
	step(s, "UGFzc3dvcmQ6", SASL_FAIL, NULL);
	sasl_free(s);
	cred_wipe(&c);
}

/* The raw text of a base64 string, for looking into SCRAM messages. */
static char *unb64(const char *b64)
{
	char *raw;
	size_t n;

	assert_int_equal(gsasl_base64_from(b64, strlen(b64), &raw, &n), GSASL_OK);
	raw = realloc(raw, n + 1);
	raw[n] = '\0';
	return raw;
}

static char *b64(const char *raw)
{
	char *out;

	assert_int_equal(gsasl_base64_to(raw, strlen(raw), &out, NULL), GSASL_OK);
	return out;
}

/*
 * A SCRAM exchange up to the server-final message: client-first, server-first,
 * client-final checked by the server. Returns the server-final message (base64) for the
 * test to hand to the client as it likes, or NULL when the server refused. gs2: what the
 * client-first must start with.
 */
static char *scram_until_final(struct sasl *cl, const char *mech, const char *gs2)
{
	Gsasl_session *sv;
	char *c1, *c2, *s1, *s2 = NULL, *raw, err[300] = "";
	int rc;

	assert_int_equal(gsasl_server_start(srv.ctx, mech, &sv), GSASL_OK);
	if (sasl_step(cl, NULL, &c1, err, sizeof(err)) != SASL_MORE)
		fail_msg("client-first: %s", err);
	raw = unb64(c1);
	if (strncmp(raw, gs2, strlen(gs2)) != 0)
		fail_msg("client-first \"%s\" does not start with \"%s\"", raw, gs2);
	free(raw);
	assert_int_equal(gsasl_step64(sv, c1, &s1), GSASL_NEEDS_MORE);
	assert_int_equal(sasl_step(cl, s1, &c2, err, sizeof(err)), SASL_MORE);
	rc = gsasl_step64(sv, c2, &s2);
	sasl_wipe_free(c1);
	sasl_wipe_free(c2);
	gsasl_free(s1);
	gsasl_finish(sv);
	if (rc != GSASL_OK) {
		gsasl_free(s2);
		return NULL;
	}
	return s2;
}

static void scram_ok(const char *mech, const unsigned char *cb, const char *gs2)
{
	struct cred c;
	struct sasl *s;
	char *final;

	load(&c, USER, SECRET, 0);
	s = start(mech, &c, cb);
	assert_true(sasl_client_first(s));
	final = scram_until_final(s, mech, gs2);
	assert_non_null(final); /* the server's SASL_DONE: it accepted the proof */
	assert_false(sasl_complete(s));
	step(s, final, SASL_DONE, ""); /* answered with an empty line */
	assert_true(sasl_complete(s));
	gsasl_free(final);
	sasl_free(s);
	cred_wipe(&c);
}

static void scram_exchanges(void **state)
{
	(void)state;
	srv.cb = NULL;
	scram_ok("SCRAM-SHA-256", NULL, "n,,");
	scram_ok("SCRAM-SHA-1", NULL, "n,,");
	srv.cb = cb_a;
	scram_ok("SCRAM-SHA-256-PLUS", cb_a, "p=tls-exporter,,");
	scram_ok("SCRAM-SHA-1-PLUS", cb_a, "p=tls-exporter,,");
	srv.cb = NULL;
	/* Binding data for a plain SCRAM is left out ("n"): see sasl_start. */
	scram_ok("SCRAM-SHA-256", cb_a, "n,,");
}

/* A server in another TLS session (a man in the middle) sees other binding data. */
static void scram_plus_mismatch(void **state)
{
	struct cred c;
	struct sasl *s;

	(void)state;
	load(&c, USER, SECRET, 0);
	srv.cb = cb_b;
	s = start("SCRAM-SHA-256-PLUS", &c, cb_a);
	assert_null(scram_until_final(s, "SCRAM-SHA-256-PLUS", "p=tls-exporter,,"));
	srv.cb = NULL;
	sasl_free(s);
	cred_wipe(&c);
}

/* The client's last step with final (raw text) as the server-final message. */
static void scram_final_fails(const char *final, const char *want_err)
{
	struct cred c;
	struct sasl *s;
	char *good, *forged, *out = NULL, err[300] = "";

	load(&c, USER, SECRET, 0);
	s = start("SCRAM-SHA-256", &c, NULL);
	good = scram_until_final(s, "SCRAM-SHA-256", "n,,");
	assert_non_null(good);
	forged = b64(final);
	assert_int_equal(sasl_step(s, forged, &out, err, sizeof(err)), SASL_FAIL);
	assert_null(out);
	assert_string_equal(err, want_err);
	assert_false(sasl_complete(s));
	gsasl_free(good);
	gsasl_free(forged);
	sasl_free(s);
	cred_wipe(&c);
}

static void scram_bad_final(void **state)
{
	(void)state;
	/* Right length (32 bytes), wrong value: a server that does not know the password. */
	scram_final_fails("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	    "the server's SCRAM signature does not verify");
	scram_final_fails("e=invalid-proof", "the server refused: invalid-proof");
}

/* A server naming two million PBKDF2 rounds is refused before the work. */
static void scram_iterations_bounded(void **state)
{
	struct cred c;
	struct sasl *s;
	char *c1, *s1, *c2 = NULL, err[300] = "";
	Gsasl_session *sv;

	(void)state;
	load(&c, USER, SECRET, 0);
	srv.iter = "2000000";
	s = start("SCRAM-SHA-256", &c, NULL);
	assert_int_equal(gsasl_server_start(srv.ctx, "SCRAM-SHA-256", &sv), GSASL_OK);
	assert_int_equal(sasl_step(s, NULL, &c1, err, sizeof(err)), SASL_MORE);
	assert_int_equal(gsasl_step64(sv, c1, &s1), GSASL_NEEDS_MORE);
	assert_int_equal(sasl_step(s, s1, &c2, err, sizeof(err)), SASL_FAIL);
	assert_non_null(strstr(err, "2000000 SCRAM iterations"));
	assert_null(c2);
	srv.iter = NULL;
	sasl_wipe_free(c1);
	gsasl_free(s1);
	gsasl_finish(sv);
	sasl_free(s);
	cred_wipe(&c);
}

static void oauth(void **state)
{
	struct cred c;
	struct sasl *s;
	char err[300], *out;

	(void)state;
	load(&c, USER, TOKEN, 1);
	/* "user=alice^Aauth=Bearer ya29.tok^A^A" */
	s = start("XOAUTH2", &c, NULL);
	assert_true(sasl_client_first(s));
	step(s, NULL, SASL_DONE, "dXNlcj1hbGljZQFhdXRoPUJlYXJlciB5YTI5LnRvawEB");
	assert_true(sasl_complete(s));
	/* The failure challenge, a JSON error: answered with nothing, its text kept. */
	assert_int_equal(sasl_step(s, "eyJzdGF0dXMiOiI0MDEifQ==", &out, err, sizeof(err)),
	    SASL_DONE);
	assert_string_equal(out, "");
	assert_string_equal(err, "the server refused the token: {\"status\":\"401\"}");
	sasl_wipe_free(out);
	step(s, "eyJzdGF0dXMiOiI0MDEifQ==", SASL_FAIL, NULL);
	sasl_free(s);
	/* "n,a=alice,^Ahost=mx.test^Aauth=Bearer ya29.tok^A^A" (RFC 7628 3.1) */
	s = start("OAUTHBEARER", &c, NULL);
	step(s, "", SASL_DONE, "bixhPWFsaWNlLAFob3N0PW14LnRlc3QBYXV0aD1CZWFyZXIgeWEyOS50b2sBAQ==");
	step(s, "eyJzdGF0dXMiOiI0MDEifQ==", SASL_DONE, "AQ=="); /* a lone ^A */
	sasl_free(s);
	cred_wipe(&c);
}

/* RFC 5801 saslname: ',' and '=' in the authorization name are escaped. */
static void oauthbearer_escapes(void **state)
{
	struct cred c;
	struct sasl *s;
	char err[300], *out, *raw;

	(void)state;
	load(&c, "a,b=c", TOKEN, 1);
	s = sasl_start("OAUTHBEARER", &c, "imap", NULL, NULL, 0, NULL, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(sasl_step(s, NULL, &out, err, sizeof(err)), SASL_DONE);
	raw = unb64(out);
	assert_string_equal(raw, "n,a=a=2Cb=3Dc,\001auth=Bearer " TOKEN "\001\001");
	free(raw);
	sasl_wipe_free(out);
	sasl_free(s);
	cred_wipe(&c);
}

static void choose(void **state)
{
	static const char *const all[] = {"login", "PLAIN", "scram-sha-1", "SCRAM-SHA-256",
	    "SCRAM-SHA-256-PLUS", "xoauth2", "OAUTHBEARER"};
	static const char *const sha1[] = {"PLAIN", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"};
	static const char *const plain_login[] = {"LOGIN", "PLAIN", "CRAM-MD5"};
	static const char *const login_only[] = {"LOGIN"};
	static const char *const legacy[] = {"CRAM-MD5", "DIGEST-MD5", "GSSAPI"};
	static const char *const xoauth2[] = {"PLAIN", "XOAUTH2"};
#define N(a) (sizeof(a) / sizeof(a[0]))

	(void)state;
	assert_string_equal(sasl_choose(all, N(all), 0, 1), "SCRAM-SHA-256-PLUS");
	assert_string_equal(sasl_choose(all, N(all), 0, 0), "SCRAM-SHA-256");
	assert_string_equal(sasl_choose(all, N(all), 1, 1), "OAUTHBEARER");
	assert_string_equal(sasl_choose(sha1, N(sha1), 0, 1), "SCRAM-SHA-1-PLUS");
	assert_string_equal(sasl_choose(sha1, N(sha1), 0, 0), "SCRAM-SHA-1");
	assert_string_equal(sasl_choose(plain_login, N(plain_login), 0, 1), "PLAIN");
	assert_string_equal(sasl_choose(login_only, N(login_only), 0, 0), "LOGIN");
	assert_string_equal(sasl_choose(xoauth2, N(xoauth2), 1, 0), "XOAUTH2");
	assert_null(sasl_choose(xoauth2, 1, 1, 0));        /* a token and only PLAIN */
	assert_null(sasl_choose(xoauth2 + 1, 1, 0, 0));    /* a password and only XOAUTH2 */
	assert_null(sasl_choose(legacy, N(legacy), 0, 1)); /* nothing mailtls speaks */
	assert_null(sasl_choose(all, 0, 0, 1));
#undef N
}

static void refuse_start(const char *mech, const struct cred *c, const unsigned char *cb,
    const char *cbtype, const char *want)
{
	char err[300] = "";

	assert_null(
	    sasl_start(mech, c, "smtp", "mx.test", cb, cb ? 32 : 0, cbtype, err, sizeof(err)));
	if (strstr(err, want) == NULL)
		fail_msg("%s: \"%s\" does not say \"%s\"", mech ? mech : "(null)", err, want);
	assert_null(strstr(err, SECRET));
}

static void refusals(void **state)
{
	struct cred pw, tok;
	struct sasl *s;

	(void)state;
	load(&pw, USER, SECRET, 0);
	load(&tok, USER, TOKEN, 1);
	refuse_start("CRAM-MD5", &pw, NULL, NULL, "not a mechanism mailtls speaks");
	refuse_start("FOO-BAR", &pw, NULL, NULL, "FOO-BAR");
	refuse_start(NULL, &pw, NULL, NULL, "not a mechanism");
	refuse_start("SCRAM-SHA-256-PLUS", &pw, NULL, NULL, "needs channel binding");
	refuse_start("SCRAM-SHA-256-PLUS", &pw, cb_a, "tls-server-end-point", "tls-exporter");
	refuse_start("PLAIN", &tok, NULL, NULL, "needs a password");
	refuse_start("SCRAM-SHA-1", &tok, NULL, NULL, "needs a password");
	refuse_start("XOAUTH2", &pw, NULL, NULL, "needs an OAuth bearer token");
	/* The server's bad challenges. */
	s = start("SCRAM-SHA-256", &pw, NULL);
	step(s, NULL, SASL_MORE, NULL);
	step(s, "not base64!", SASL_FAIL, NULL);
	sasl_free(s);
	cred_wipe(&pw);
	cred_wipe(&tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain),
	    cmocka_unit_test(login),
	    cmocka_unit_test(scram_exchanges),
	    cmocka_unit_test(scram_plus_mismatch),
	    cmocka_unit_test(scram_bad_final),
	    cmocka_unit_test(scram_iterations_bounded),
	    cmocka_unit_test(oauth),
	    cmocka_unit_test(oauthbearer_escapes),
	    cmocka_unit_test(choose),
	    cmocka_unit_test(refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
