/*
 * lag.c - the loops' lateness (lag.h). Each loop's timer keeps its worst lateness in an
 * atomic of its own, read when asked: a worker's timer and the reader never take a lock.
 */
#include <stdlib.h>

#include "base/util.h"
#include "net/lag.h"
#include "net/workers.h"

struct tick {
	struct event *ev;
	double last;        /* when it last fired (ms, now_ms()); its own loop's alone */
	unsigned long late; /* worst lateness so far (ms); atomic */
};

struct lag {
	struct tick *t; /* [0]: the run's loop, then the workers' */
	size_t nt;
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

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	tick_note(arg);
}

struct lag *lag_new(struct event_base *base, struct workers *ws)
{
	struct lag *g = xcalloc(1, sizeof(*g));

	g->nt = 1 + (ws ? workers_count(ws) : 0);
	g->t = xcalloc(g->nt, sizeof(*g->t));
	for (size_t i = 0; i < g->nt; i++) {
		g->t[i].ev = event_new(i == 0 ? base : workers_base(ws, i - 1), -1, EV_PERSIST, on_tick, &g->t[i]);
		if (g->t[i].ev == NULL || event_add(g->t[i].ev, &every) != 0) {
			lag_free(g);
			return NULL;
		}
	}
	return g;
}

double lag_worst_ms(const struct lag *g)
{
	unsigned long worst = 0;

	for (size_t i = 0; i < g->nt; i++) {
		unsigned long l = __atomic_load_n(&g->t[i].late, __ATOMIC_RELAXED);

		if (l > worst)
			worst = l;
	}
	return (double)worst;
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
