/*
 * delayproxy.c - bench/latency.sh's stand-in for tc netem where the kernel has no
 * sch_netem: forwards TCP connections and UDP datagrams, holding every chunk of bytes
 * for a delay (plus a uniform jitter) in each direction, in order. Loss is nft's job.
 *
 *   delayproxy DELAY_MS JITTER_MS tcp:LISTEN_IP:PORT=TO_IP:PORT ... udp:...=... ...
 *
 * A bench tool, not part of mailtls: built by bench/latency.sh, never installed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

static struct event_base *base;
static double delay_ms, jitter_ms;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double hold(void)
{
	return delay_ms + jitter_ms * ((double)random() / RAND_MAX);
}

/* One direction of a TCP connection: chunks waiting for their time, in order. */
struct chunk {
	double due;
	size_t len;
	struct chunk *next;
};

struct pipe_dir {
	struct bufferevent *from, *to;
	struct evbuffer *held;
	struct chunk *head, *tail;
	struct event *timer;
	double last_due;
	struct conn *c;
	int eof; /* from closed: close to once everything held has gone */
};

struct conn {
	struct pipe_dir up, down; /* client -> server, server -> client */
	int refs;
};

static void conn_close(struct conn *c)
{
	struct pipe_dir *d[2] = {&c->up, &c->down};

	for (int i = 0; i < 2; i++) {
		while (d[i]->head) {
			struct chunk *n = d[i]->head->next;
			free(d[i]->head);
			d[i]->head = n;
		}
		event_free(d[i]->timer);
		evbuffer_free(d[i]->held);
	}
	bufferevent_free(c->up.from);
	bufferevent_free(c->down.from);
	free(c);
}

static void on_read(struct bufferevent *bev, void *arg);
static void on_event(struct bufferevent *bev, short what, void *arg);

/* The last bytes written, the connection goes (bufferevent_free drops unsent output). */
static void on_drained(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_close(arg);
}

static void finish(struct pipe_dir *d)
{
	if (evbuffer_get_length(bufferevent_get_output(d->to)) == 0)
		conn_close(d->c);
	else
		bufferevent_setcb(d->to, on_read, on_drained, on_event, d->c);
}

static void arm(struct pipe_dir *d)
{
	double wait = d->head ? d->head->due - now_ms() : 0;
	struct timeval tv;

	if (!d->head)
		return;
	if (wait < 0)
		wait = 0;
	tv.tv_sec = (time_t)(wait / 1e3);
	tv.tv_usec = (suseconds_t)((wait - (double)tv.tv_sec * 1e3) * 1e3);
	evtimer_add(d->timer, &tv);
}

static void release(evutil_socket_t fd, short what, void *arg)
{
	struct pipe_dir *d = arg;
	double t = now_ms();

	(void)fd;
	(void)what;
	while (d->head && d->head->due <= t + 0.1) {
		struct chunk *ch = d->head;

		evbuffer_remove_buffer(d->held, bufferevent_get_output(d->to), ch->len);
		d->head = ch->next;
		if (!d->head)
			d->tail = NULL;
		free(ch);
	}
	if (!d->head && d->eof) {
		finish(d);
		return;
	}
	arm(d);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->up.eof && c->down.eof)
		return;
	struct pipe_dir *d = bev == c->up.from ? &c->up : &c->down;
	struct chunk *ch = calloc(1, sizeof(*ch));
	double due = now_ms() + hold();

	if (due < d->last_due)
		due = d->last_due; /* jitter never reorders a stream */
	d->last_due = due;
	ch->due = due;
	ch->len = evbuffer_get_length(bufferevent_get_input(bev));
	evbuffer_add_buffer(d->held, bufferevent_get_input(bev));
	if (d->tail)
		d->tail->next = ch;
	else
		d->head = ch;
	d->tail = ch;
	if (d->head == ch)
		arm(d);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	struct pipe_dir *d = bev == c->up.from ? &c->up : &c->down;

	if (what & BEV_EVENT_CONNECTED)
		return;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		/* After the delay, the other side learns it too: close all then. */
		d->eof = 1;
		bufferevent_disable(bev, EV_READ);
		if (!d->head)
			finish(d);
	}
}

struct tcp_map {
	struct sockaddr_in to;
};

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len,
    void *arg)
{
	struct tcp_map *m = arg;
	struct conn *c = calloc(1, sizeof(*c));
	struct bufferevent *cl = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	struct bufferevent *sv = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);

	(void)l;
	(void)sa;
	(void)len;
	c->up.from = c->down.to = cl;
	c->down.from = c->up.to = sv;
	c->up.c = c->down.c = c;
	c->up.held = evbuffer_new();
	c->down.held = evbuffer_new();
	c->up.timer = evtimer_new(base, release, &c->up);
	c->down.timer = evtimer_new(base, release, &c->down);
	bufferevent_setcb(cl, on_read, NULL, on_event, c);
	bufferevent_setcb(sv, on_read, NULL, on_event, c);
	bufferevent_enable(cl, EV_READ | EV_WRITE);
	bufferevent_enable(sv, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(sv, (struct sockaddr *)&m->to, sizeof(m->to)) < 0)
		conn_close(c);
}

/* UDP: each datagram forwarded after the delay from a socket of its own per client, so
 * answers find their way back. Enough for DNS queries. */
struct udp_map {
	int fd;
	struct sockaddr_in to;
};

struct dgram {
	int from_fd;      /* where it goes out from */
	struct sockaddr_in dst;
	char buf[4096];
	ssize_t len;
	struct udp_map *m;
	struct sockaddr_in client; /* for answers */
	struct event *ev;
};

static void answer_read(evutil_socket_t fd, short what, void *arg);

static void dgram_send(evutil_socket_t fd, short what, void *arg)
{
	struct dgram *g = arg;

	(void)fd;
	(void)what;
	sendto(g->from_fd, g->buf, (size_t)g->len, 0, (struct sockaddr *)&g->dst, sizeof(g->dst));
	event_free(g->ev);
	free(g);
}

static void later(struct dgram *g)
{
	double w = hold();
	struct timeval tv = {(time_t)(w / 1e3), (suseconds_t)((w - (double)(long)(w / 1e3) * 1e3) * 1e3)};

	g->ev = evtimer_new(base, dgram_send, g);
	evtimer_add(g->ev, &tv);
}

struct upstream {
	int fd;
	struct sockaddr_in client;
	struct udp_map *m;
	struct event *ev, *idle;
};

static void upstream_idle(evutil_socket_t fd, short what, void *arg)
{
	struct upstream *u = arg;

	(void)fd;
	(void)what;
	event_free(u->ev);
	event_free(u->idle);
	close(u->fd);
	free(u);
}

static void answer_read(evutil_socket_t fd, short what, void *arg)
{
	struct upstream *u = arg;
	struct dgram *g = calloc(1, sizeof(*g));

	(void)what;
	g->len = recv(fd, g->buf, sizeof(g->buf), 0);
	if (g->len <= 0) {
		free(g);
		return;
	}
	g->from_fd = u->m->fd;
	g->dst = u->client;
	later(g);
}

/* A burst of queries (a scanner starting hundreds of lookups at once) must not overflow
 * the socket's buffer: a large one, and every datagram read at each wake-up. */
static void big_buffers(int fd)
{
	int sz = 16 << 20;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

static int query_one(evutil_socket_t fd, struct udp_map *m);

static void query_read(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	while (query_one(fd, arg) == 0)
		;
}

static int query_one(evutil_socket_t fd, struct udp_map *m)
{
	struct dgram *g = calloc(1, sizeof(*g));
	struct upstream *u = calloc(1, sizeof(*u));
	socklen_t sl = sizeof(u->client);
	struct timeval idle = {10, 0};

	g->len = recvfrom(fd, g->buf, sizeof(g->buf), 0, (struct sockaddr *)&u->client, &sl);
	if (g->len <= 0) {
		free(g);
		free(u);
		return -1;
	}
	u->m = m;
	u->fd = socket(AF_INET, SOCK_DGRAM, 0);
	evutil_make_socket_nonblocking(u->fd);
	u->ev = event_new(base, u->fd, EV_READ | EV_PERSIST, answer_read, u);
	u->idle = evtimer_new(base, upstream_idle, u);
	event_add(u->ev, NULL);
	evtimer_add(u->idle, &idle);
	g->from_fd = u->fd;
	g->dst = m->to;
	later(g);
	return 0;
}

static int parse(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((unsigned short)atoi(colon + 1));
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: delayproxy DELAY_MS JITTER_MS tcp|udp:IP:PORT=IP:PORT ...\n");
		return 2;
	}
	delay_ms = atof(argv[1]);
	jitter_ms = atof(argv[2]);
	base = event_base_new();
	for (int i = 3; i < argc; i++) {
		char spec[128], *eq;
		struct sockaddr_in from;

		snprintf(spec, sizeof(spec), "%s", argv[i] + 4);
		eq = strchr(spec, '=');
		if (!eq || (strncmp(argv[i], "tcp:", 4) && strncmp(argv[i], "udp:", 4)))
			return fprintf(stderr, "delayproxy: bad spec %s\n", argv[i]), 2;
		*eq = '\0';
		if (!strncmp(argv[i], "tcp:", 4)) {
			struct tcp_map *m = calloc(1, sizeof(*m));

			if (parse(spec, &from) || parse(eq + 1, &m->to))
				return fprintf(stderr, "delayproxy: bad address in %s\n", argv[i]), 2;
			if (!evconnlistener_new_bind(base, on_accept, m,
			        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 4096, (struct sockaddr *)&from,
			        sizeof(from)))
				return fprintf(stderr, "delayproxy: cannot listen on %s: %s\n", spec,
				           strerror(errno)),
				       1;
		} else {
			struct udp_map *m = calloc(1, sizeof(*m));

			if (parse(spec, &from) || parse(eq + 1, &m->to))
				return fprintf(stderr, "delayproxy: bad address in %s\n", argv[i]), 2;
			m->fd = socket(AF_INET, SOCK_DGRAM, 0);
			big_buffers(m->fd);
			if (bind(m->fd, (struct sockaddr *)&from, sizeof(from)) < 0)
				return fprintf(stderr, "delayproxy: cannot bind %s: %s\n", spec,
				           strerror(errno)),
				       1;
			evutil_make_socket_nonblocking(m->fd);
			event_add(event_new(base, m->fd, EV_READ | EV_PERSIST, query_read, m), NULL);
		}
	}
	printf("ready\n");
	fflush(stdout);
	return event_base_dispatch(base);
}
