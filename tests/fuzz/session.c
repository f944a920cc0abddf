/*
 * session.c - the session machine through the fake transport (tests/unit/fake_io.c): the
 * input picks the dialect and TLS mode, then is a script of transport events (bytes in
 * one read, handshake done, close, error, timer expiry). The session must end in exactly
 * one done callback, or be abortable, and its probe must render as JSON and text. Some
 * inputs run --tls-scan's raw mode: a crafted hello where TLS would start, and the
 * server's bytes read as its answer, on to a ServerKeyExchange.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "fake_io.h"
#include "fuzz.h"
#include "model/result.h"
#include "model/verdict.h"
#include "out/output.h"
#include "proto/dialect.h"
#include "proto/session.h"
#include "tls/tlsinfo.h"

static SSL_CTX *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[200];
	struct tls_config cfg = {0};

	(void)argc;
	(void)argv;
	ctx = tlsinfo_ctx_new(&cfg, err, sizeof(err));
	if (ctx == NULL)
		abort();
	return 0;
}

static int done_calls;

static int want_kx(void *arg, const struct server_hello *sh, int *ecdhe)
{
	(void)arg;
	*ecdhe = sh->suite & 1;
	return 1;
}

static void on_done(struct probe *p, void *arg)
{
	(void)p;
	(void)arg;
	done_calls++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct dialect *const dialects[] = {&dialect_smtp, &dialect_imap,
	    &dialect_pop3};
	/* Timers of zero: an expiry happens exactly when the script runs the loop. */
	struct limits lim = {.line_max = 512,
	    .reply_lines = 20,
	    .reply_bytes = 4096,
	    .connect_s = 0,
	    .greeting_s = 0,
	    .reply_s = 0,
	    .handshake_s = 0};
	struct session_params par = {.lim = &lim,
	    .ssl_ctx = ctx,
	    .ehlo_name = "fuzz.invalid",
	    .trace = fuzz_devnull()};
	/* A ping transaction (MAIL, RCPT, DATA, NOOP), sometimes in plaintext. */
	struct txn_params tx = {.from = "a@fuzz.test", .to = "b@fuzz.test", .data = 1, .size = 300,
	    .noop = 1};
	struct fuzz_in in = {data, size};
	unsigned head = fuzz_byte(&in);
	const struct dialect *d = dialects[head % 3];
	struct event_base *base = event_base_new();
	struct probe *p = probe_new("mx.fuzz.test", "192.0.2.1", 25,
	    head & 4 ? TLS_MODE_IMPLICIT : TLS_MODE_STARTTLS, d, d->name);
	struct run run = {0};
	struct view_opts vo = {0};
	struct session *sess = NULL;
	static const unsigned char hello[] = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};
	struct raw_hello rh = {.bytes = hello, .len = sizeof(hello), .wants_kx = want_kx};
	struct session_variant var = {.raw = &rh};
	int raw = (head & 0x23) == 0x23;

	if (base == NULL)
		abort();
	/* head's bits also pick: the submission service (AUTH or MAIL before TLS), the STARTTLS
	 * injection test, a ping transaction and, with it, plaintext, and a bulk run's QUIT
	 * that is not waited for. */
	if (head & 8)
		p->service = "submission";
	par.starttls_tests = (head & 16) != 0;
	par.quit_no_wait = (head & 128) != 0; /* as a bulk run: QUIT, then close once it left */
	if ((head & 32) && !raw) {
		tx.no_tls = (head & 64) != 0;
		par.txn = &tx;
	}
	fake_io_reset();
	fake_wire.fail_connect = (head & 0xf8) == 0xf8;
	fake_wire.fail_connect_errno = head & 1 ? ENETUNREACH : 0; /* no route, or EMFILE */
	done_calls = 0;
	session_start_variant(base, &par, raw ? &var : NULL, p, &sess, on_done, NULL);
	fake_io_connected();
	while (in.n > 0 && done_calls == 0) {
		unsigned op = fuzz_byte(&in);
		size_t len;
		const uint8_t *b;

		switch (op % 8) {
		case 5:
			fake_io_tls_ready();
			break;
		case 6:
			fake_io_closed();
			break;
		case 7:
			if (op & 8)
				fake_io_error("reset by peer");
			else if (op & 16)
				fake_io_sent(); /* what was written has left (when asked) */
			else
				event_base_loop(base, EVLOOP_NONBLOCK);
			break;
		default:
			b = fuzz_bytes(&in, (op >> 3) + 1, &len);
			fake_io_server(b, len);
			break;
		}
	}
	event_base_loop(base, EVLOOP_NONBLOCK); /* a failure before any I/O ends here */
	if (done_calls > 1)
		abort();
	/* A raw session ends with what it read, and says why when no whole answer came. */
	if (raw && done_calls && rh.sent && rh.r == HELLO_MORE && rh.why[0] == '\0' &&
	    fake_wire.io != NULL)
		abort();
	if (done_calls == 0)
		session_abort(sess);
	else if (sess != NULL)
		abort();
	verdict_probe(p, &(struct verdict_ctx){.warn_days = 30, .crit_days = 7});
	run_add(&run, p);
	out_json(fuzz_devnull(), &run, &vo);
	out_text(fuzz_devnull(), &run, &vo);
	run_free(&run);
	probe_free(p);
	event_base_free(base);
	fake_io_reset();
	return 0;
}
