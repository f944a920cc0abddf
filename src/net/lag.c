/*
 * lag.c - the loops' lateness (lag.h). Each loop's timer keeps the worst lateness since
 * the run's loop last read it, in an atomic of its own: a worker's timer and the reader
 * never take a lock.
 */
#include <stdlib.h>

#include "base/util.h"
#include "net/lag.h"
#include "net/workers.h"

struct tick {
	struct event *ev;
	double last;        /* when it last fired (ms, now_ms()); its own loop's alone */
	unsigned long late; /* worst lateness since read (ms); atomic */
};

struct lag {
	struct tick *t; /* [0]: the run's loop, which also reads the others; then the workers' */
	size_t nt;
	double worst;
};

static const struct timeval every = {0, LAG_TICK_MS * 1000};

/* On the timer's own loop: how late this tick came. */
static void tick_note(struct tick *t)
{
	double now = now_ms(), late = t->last > 0 ? now - t->last - LAG_TICK_MS : 0;
	unsigned long ms = late > 0 ? (unsigned long)late : 0, cur;

	t->last = now;
	cur = __atomic_load_n(&t->late, __ATOMIC_RELAXED);
	while (ms > cur && !__atomic_compare_exchange_n(&t->late, &cur, ms, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static void worker_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	tick_note(arg);
}

static void main_tick(evutil_socket_t fd, short what, void *arg)
{
	struct lag *g = arg;

	(void)fd;
	(void)what;
	tick_note(&g->t[0]);
	for (size_t i = 0; i < g->nt; i++) {
		unsigned long l = __atomic_exchange_n(&g->t[i].late, 0, __ATOMIC_RELAXED);

		if ((double)l > g->worst)
			g->worst = (double)l;
	}
}

struct lag *lag_new(struct event_base *base, struct workers *ws)
{
	struct lag *g = xcalloc(1, sizeof(*g));

	g->nt = 1 + (ws ? workers_count(ws) : 0);
	g->t = xcalloc(g->nt, sizeof(*g->t));
	for (size_t i = 0; i < g->nt; i++) {
		g->t[i].ev = i == 0 ? event_new(base, -1, EV_PERSIST, main_tick, g)
		                    : event_new(workers_base(ws, i - 1), -1, EV_PERSIST, worker_tick, &g->t[i]);
		if (g->t[i].ev == NULL || event_add(g->t[i].ev, &every) != 0) {
			lag_free(g);
			return NULL;
		}
	}
	return g;
}

double lag_worst_ms(const struct lag *g)
{
	return g->worst;
}

void lag_free(struct lag *g)
{
	if (g == NULL)
		return;
	/* event_free waits for a callback running on a worker's loop to return. */
	for (size_t i = 0; i < g->nt; i++)
		if (g->t[i].ev)
			event_free(g->t[i].ev);
	free(g->t);
	free(g);
}
