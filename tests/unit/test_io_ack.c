/* Unit tests: the transport (net/io.c) over a real TCP connection on loopback, to a server
 * in a thread of its own. Whenever a reply reaches the line reader, the connection is out
 * of Linux's "ping-pong" mode, which delays ACKs: a server writing its next piece only on
 * the ACK of the last one (Nagle on) is never held 40 ms. Without TCP_QUICKACK after our
 * sends, the kernel turns that mode on with the first send soon after a receive. This is
 * what getsockopt(TCP_QUICKACK) reads: 1 outside the mode. Plaintext, then TLS on the
 * socket itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "net/io.h"
#include "selfsigned.h"

#define ROUNDS 3

struct server {
	int lfd;
	SSL_CTX *ctx;
	int ok; /* it saw every command it expected */
};

/* One line of at most cap-1 bytes from fd (or ssl), CRLF stripped; -1 at EOF or error. */
static int srv_line(int fd, SSL *ssl, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		char c;
		int r = ssl ? SSL_read(ssl, &c, 1) : (int)read(fd, &c, 1);

		if (r != 1)
			return -1;
		if (c == '\n') {
			if (n > 0 && buf[n - 1] == '\r')
				n--;
			buf[n] = '\0';
			return 0;
		}
		buf[n++] = c;
	}
	return -1;
}

static int srv_say(int fd, SSL *ssl, const char *s)
{
	int len = (int)strlen(s);

	return (ssl ? SSL_write(ssl, s, len) : (int)write(fd, s, (size_t)len)) == len ? 0 : -1;
}

/* 220; ROUNDS times a command and 250; STARTTLS and 220; the handshake; ROUNDS times a
 * command and 250 over TLS; then it waits for the client to close. */
static void *serve(void *arg)
{
	struct server *sv = arg;
	char line[100];
	SSL *ssl = NULL;
	int fd = accept(sv->lfd, NULL, NULL), ok = fd >= 0;

	ok = ok && srv_say(fd, NULL, "220 ack.test ready\r\n") == 0;
	for (int i = 0; ok && i < ROUNDS; i++)
		ok = srv_line(fd, NULL, line, sizeof(line)) == 0 && strncmp(line, "NOOP", 4) == 0 &&
		    srv_say(fd, NULL, "250 ok\r\n") == 0;
	ok = ok && srv_line(fd, NULL, line, sizeof(line)) == 0 && strcmp(line, "STARTTLS") == 0 &&
	    srv_say(fd, NULL, "220 go ahead\r\n") == 0;
	if (ok && (ssl = SSL_new(sv->ctx)) != NULL && SSL_set_fd(ssl, fd) == 1)
		ok = SSL_accept(ssl) == 1;
	else
		ok = 0;
	for (int i = 0; ok && i < ROUNDS; i++)
		ok = srv_line(fd, ssl, line, sizeof(line)) == 0 && strncmp(line, "NOOP", 4) == 0 &&
		    srv_say(fd, ssl, "250 ok over tls\r\n") == 0;
	sv->ok = ok;
	if (ok)
		(void)srv_line(fd, ssl, line, sizeof(line)); /* until the client closes */
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	return NULL;
}

struct client {
	SSL_CTX *ctx;
	int plain_acks[ROUNDS], tls_acks[ROUNDS], ready_ack;
	int plain, tls, started, failed;
	char err[300];
};

/* 1: the connection ACKs at once (not in ping-pong mode). */
static int quick(struct io *io)
{
	int on = -1;
	socklen_t len = sizeof(on);

	if (getsockopt(io->fd, IPPROTO_TCP, TCP_QUICKACK, &on, &len) != 0)
		return -1;
	return on;
}

static int on_io(struct io *io, enum io_event ev, const char *line, size_t len, void *arg)
{
	struct client *c = arg;

	(void)len;
	switch (ev) {
	case IO_CONNECTED:
		return 0;
	case IO_TLS_READY:
		c->ready_ack = quick(io);
		io_printf(io, "NOOP tls 0");
		return 0;
	case IO_LINE:
		if (strncmp(line, "220 ack.test", 12) == 0) {
			io_printf(io, "NOOP 0");
		} else if (strcmp(line, "250 ok") == 0 && c->plain < ROUNDS) {
			c->plain_acks[c->plain++] = quick(io);
			if (c->plain < ROUNDS)
				io_printf(io, "NOOP %d", c->plain);
			else
				io_printf(io, "STARTTLS");
		} else if (strncmp(line, "220 go", 6) == 0 && !c->started) {
			SSL *ssl = SSL_new(c->ctx);

			c->started = 1;
			if (ssl == NULL || io_start_tls(io, ssl) < 0) {
				c->failed = 1;
				event_base_loopbreak(io->base);
			}
			return 1;
		} else if (strcmp(line, "250 ok over tls") == 0 && c->tls < ROUNDS) {
			c->tls_acks[c->tls++] = quick(io);
			if (c->tls < ROUNDS)
				io_printf(io, "NOOP tls %d", c->tls);
			else
				event_base_loopbreak(io->base);
		} else {
			snprintf(c->err, sizeof(c->err), "unexpected line: %s", line);
			c->failed = 1;
			event_base_loopbreak(io->base);
		}
		return 0;
	default:
		snprintf(c->err, sizeof(c->err), "event %d: %s", (int)ev, io->err);
		c->failed = 1;
		event_base_loopbreak(io->base);
		return 1;
	}
}

static void test_replies_find_the_connection_acking_at_once(void **state)
{
	const struct limits lim = LIMITS_DEFAULT;
	struct server sv = {.lfd = socket(AF_INET, SOCK_STREAM, 0)};
	struct client c = {0};
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t slen = sizeof(sin);
	struct event_base *base = event_base_new();
	struct timeval limit = {10, 0};
	EVP_PKEY *key;
	X509 *cert;
	pthread_t t;
	struct io *io;

	(void)state;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_non_null(base);
	assert_true(sv.lfd >= 0);
	assert_int_equal(bind(sv.lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(sv.lfd, 1), 0);
	assert_int_equal(getsockname(sv.lfd, (struct sockaddr *)&sin, &slen), 0);
	assert_int_equal(selfsigned("ack.test", &key, &cert), 0);
	assert_non_null(sv.ctx = SSL_CTX_new(TLS_server_method()));
	assert_int_equal(SSL_CTX_use_certificate(sv.ctx, cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(sv.ctx, key), 1);
	assert_non_null(c.ctx = SSL_CTX_new(TLS_client_method()));
	SSL_CTX_set_verify(c.ctx, SSL_VERIFY_NONE, NULL);
	assert_int_equal(pthread_create(&t, NULL, serve, &sv), 0);

	io = io_new(base, &lim, on_io, &c);
	assert_int_equal(io_connect(io, (struct sockaddr *)&sin, sizeof(sin)), 0);
	event_base_loopexit(base, &limit);
	event_base_dispatch(base);
	io_free(io);
	event_base_loop(base, EVLOOP_NONBLOCK); /* libevent finalizes (closes) in the loop */
	pthread_join(t, NULL);

	if (c.failed)
		fail_msg("%s", c.err);
	assert_int_equal(c.plain, ROUNDS);
	assert_int_equal(c.tls, ROUNDS);
	assert_true(sv.ok);
	for (int i = 0; i < ROUNDS; i++) {
		assert_int_equal(c.plain_acks[i], 1);
		assert_int_equal(c.tls_acks[i], 1);
	}
	/* The handshake's last flight went out just after the server's. */
	assert_int_equal(c.ready_ack, 1);

	SSL_CTX_free(sv.ctx);
	SSL_CTX_free(c.ctx);
	EVP_PKEY_free(key);
	X509_free(cert);
	close(sv.lfd);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replies_find_the_connection_acking_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
