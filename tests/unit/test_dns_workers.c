/* Unit tests: net/dns.c spread over workers. A query made on the front's loop is asked by
 * the libunbound context of the worker its name hashes to, and its callback runs exactly
 * once, on the front's loop: with the answer, or with DNS_CANCELLED when the resolver is
 * freed first. One name is always asked of the same context, so its second query is a
 * cache hit. The far side is a small UDP responder on loopback (the layer's edge): it
 * answers A queries with 127.0.0.7 and counts them by name, and leaves names that begin
 * with "silent" unanswered. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "net/dns.h"
#include "net/workers.h"

#define NAMES 24

struct responder {
	int fd, stop_fd[2];
	unsigned short port;
	pthread_t thread;
	pthread_mutex_t lock;
	unsigned asked[NAMES]; /* A queries for nNN.dw.test, by NN */
	unsigned silent;       /* queries left unanswered */
};

/* The question's name as dotted text; its end (past QTYPE and QCLASS) in *end. */
static int question(const unsigned char *p, size_t len, char *name, size_t namelen, size_t *end)
{
	size_t i = 12, o = 0;

	while (i < len && p[i] != 0) {
		size_t n = p[i++];
		if (n > 63 || i + n > len || o + n + 2 > namelen)
			return -1;
		if (o)
			name[o++] = '.';
		memcpy(name + o, p + i, n);
		o += n;
		i += n;
	}
	if (i + 5 > len)
		return -1;
	name[o] = '\0';
	*end = i + 5;
	return 0;
}

static void *respond(void *arg)
{
	struct responder *r = arg;
	unsigned char q[512], a[600];

	for (;;) {
		struct pollfd pf[2] = {{r->fd, POLLIN, 0}, {r->stop_fd[0], POLLIN, 0}};
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		char name[256];
		size_t end;
		ssize_t n;
		unsigned nn;
		int qtype;

		if (poll(pf, 2, -1) < 0 || pf[1].revents)
			return NULL;
		n = recvfrom(r->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
		if (n < 12 || question(q, (size_t)n, name, sizeof(name), &end) != 0)
			continue;
		qtype = q[end - 4] << 8 | q[end - 3];
		if (strncmp(name, "silent", 6) == 0) {
			pthread_mutex_lock(&r->lock);
			r->silent++;
			pthread_mutex_unlock(&r->lock);
			continue;
		}
		if (qtype == 1 && sscanf(name, "n%u.dw.test", &nn) == 1 && nn < NAMES) {
			pthread_mutex_lock(&r->lock);
			r->asked[nn]++;
			pthread_mutex_unlock(&r->lock);
		}
		memcpy(a, q, end);
		a[2] = 0x81;                     /* QR, RD */
		a[3] = 0x80;                     /* RA, NOERROR */
		a[6] = 0, a[7] = qtype == 1;     /* ANCOUNT */
		a[8] = a[9] = a[10] = a[11] = 0; /* no authority, no OPT */
		if (qtype == 1) {
			static const unsigned char rr[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4,
			    127, 0, 0, 7};
			memcpy(a + end, rr, sizeof(rr));
			end += sizeof(rr);
		}
		sendto(r->fd, a, end, 0, (struct sockaddr *)&from, fl);
	}
}

static void responder_start(struct responder *r)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sin);

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((r->fd = socket(AF_INET, SOCK_DGRAM, 0)) >= 0);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(r->fd, (struct sockaddr *)&sin, &sl), 0);
	r->port = ntohs(sin.sin_port);
	assert_int_equal(pipe(r->stop_fd), 0);
	assert_int_equal(pthread_create(&r->thread, NULL, respond, r), 0);
}

static void responder_stop(struct responder *r)
{
	assert_int_equal(write(r->stop_fd[1], "x", 1), 1);
	pthread_join(r->thread, NULL);
	close(r->fd);
	close(r->stop_fd[0]);
	close(r->stop_fd[1]);
	pthread_mutex_destroy(&r->lock);
}

struct lab {
	struct responder resp;
	struct workers *ws;
	struct event_base *base;
	struct dns *dns;
	pthread_t front;
	char fwd[64];
	const char *resolvers[2];
	/* on the front's loop */
	size_t calls, expected, cancelled, wrong_thread, wrong_answer;
	unsigned per_name[NAMES + 10];
};

static void lab_open(struct lab *l, double timeout_s)
{
	struct dns_config dc = {0};
	char err[200];

	memset(l, 0, sizeof(*l));
	responder_start(&l->resp);
	assert_int_equal(workers_threads_init(), 0);
	assert_non_null(l->ws = workers_new(2, err, sizeof(err)));
	assert_non_null(l->base = event_base_new());
	l->front = pthread_self();
	snprintf(l->fwd, sizeof(l->fwd), "127.0.0.1@%u", l->resp.port);
	l->resolvers[0] = l->fwd;
	dc.workers = l->ws;
	dc.resolvers = l->resolvers;
	dc.no_dnssec = 1;
	dc.timeout_s = timeout_s;
	dc.max_inflight = 8; /* 4 a worker: the rest wait their turn there */
	l->dns = dns_new(l->base, &dc, err, sizeof(err));
	assert_non_null(l->dns);
}

static void lab_close(struct lab *l)
{
	workers_stop(l->ws);
	dns_free(l->dns);
	workers_free(l->ws);
	event_base_free(l->base);
	responder_stop(&l->resp);
}

struct ask {
	struct lab *l;
	unsigned nn;
};

static void answered(const struct dns_answer *a, void *arg)
{
	struct ask *q = arg;
	struct lab *l = q->l;

	l->wrong_thread += !pthread_equal(pthread_self(), l->front);
	l->per_name[q->nn]++;
	if (a->status == DNS_CANCELLED)
		l->cancelled++;
	else if (a->status != DNS_OK || a->naddrs != 1 || strcmp(a->addrs[0], "127.0.0.7") != 0)
		l->wrong_answer++;
	if (++l->calls == l->expected)
		event_base_loopbreak(l->base);
}

static void ask(struct lab *l, struct ask *q, unsigned nn, const char *fmt)
{
	char name[64];

	q->l = l;
	q->nn = nn;
	snprintf(name, sizeof(name), fmt, nn);
	l->expected++;
	dns_query(l->dns, name, 1, answered, q);
}

static void run_for(struct lab *l, long ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	event_base_loopexit(l->base, &tv);
	event_base_dispatch(l->base);
}

static void test_answers_come_back_on_the_front_loop(void **state)
{
	struct lab l;
	struct ask qs[2][NAMES];

	(void)state;
	lab_open(&l, 5);
	for (unsigned i = 0; i < NAMES; i++)
		ask(&l, &qs[0][i], i, "n%u.dw.test");
	run_for(&l, 5000);
	assert_int_equal(l.calls, NAMES);
	assert_int_equal(l.wrong_thread, 0);
	assert_int_equal(l.wrong_answer, 0);
	for (unsigned i = 0; i < NAMES; i++) {
		assert_int_equal(l.per_name[i], 1);
		assert_int_equal(l.resp.asked[i], 1);
	}
	/* Asked again, every name goes to the context that has it cached: not one more
	 * question reaches the server. Were the worker chosen otherwise than by the name,
	 * about half of them would. */
	for (unsigned i = 0; i < NAMES; i++)
		ask(&l, &qs[1][i], i, "n%u.dw.test");
	run_for(&l, 5000);
	assert_int_equal(l.calls, 2 * NAMES);
	assert_int_equal(l.wrong_thread, 0);
	assert_int_equal(l.wrong_answer, 0);
	for (unsigned i = 0; i < NAMES; i++) {
		assert_int_equal(l.per_name[i], 2);
		pthread_mutex_lock(&l.resp.lock);
		assert_int_equal(l.resp.asked[i], 1);
		pthread_mutex_unlock(&l.resp.lock);
	}
	lab_close(&l);
}

static void test_free_cancels_each_query_once(void **state)
{
	struct lab l;
	struct ask qs[NAMES];

	(void)state;
	lab_open(&l, 30);
	/* More than may be in flight: some are with libunbound, some wait in a worker's
	 * queue, and (posted after the loops stop) some never reached a worker at all. */
	for (unsigned i = 0; i < NAMES / 2; i++)
		ask(&l, &qs[i], i, "silent%u.dw.test");
	run_for(&l, 300);
	assert_int_equal(l.calls, 0);
	workers_stop(l.ws);
	for (unsigned i = NAMES / 2; i < NAMES; i++)
		ask(&l, &qs[i], i, "silent%u.dw.test");
	dns_free(l.dns);
	l.dns = NULL;
	assert_int_equal(l.calls, NAMES);
	assert_int_equal(l.cancelled, NAMES);
	assert_int_equal(l.wrong_thread, 0);
	for (unsigned i = 0; i < NAMES; i++)
		assert_int_equal(l.per_name[i], 1);
	pthread_mutex_lock(&l.resp.lock);
	assert_true(l.resp.silent >= 2); /* the first ones were on the wire */
	pthread_mutex_unlock(&l.resp.lock);
	lab_close(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_answers_come_back_on_the_front_loop),
	    cmocka_unit_test(test_free_cancels_each_query_once),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
