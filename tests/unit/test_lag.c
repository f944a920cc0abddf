/* Unit tests: the lateness of a run's loops (net/lag.c), seen from the run's loop, on real
 * loops: a worker kept from its loop for over a second shows; loops on time do not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <event2/event.h>

#include "base/util.h"
#include "net/lag.h"
#include "net/workers.h"

static void busy(void *arg)
{
	double until = now_ms() + *(double *)arg;

	while (now_ms() < until)
		;
}

static void run_for(struct event_base *base, long ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static void test_a_late_worker_shows(void **state)
{
	char err[100];
	struct event_base *base;
	struct workers *ws;
	struct lag *g;
	double hold = 1200;

	(void)state;
	assert_int_equal(workers_threads_init(), 0);
	base = event_base_new();
	ws = workers_new(2, err, sizeof(err));
	assert_non_null(ws);
	g = lag_new(base, ws);
	assert_non_null(g);
	run_for(base, 400); /* on time */
	assert_true(lag_worst_ms(g) < LAG_WARN_MS);
	workers_post(ws, 1, busy, &hold); /* the second worker's loop is held 1.2 s */
	run_for(base, 1600);
	assert_true(lag_worst_ms(g) >= LAG_WARN_MS);
	assert_true(lag_worst_ms(g) < 2 * hold);
	lag_free(g);
	workers_stop(ws);
	workers_free(ws);
	event_base_free(base);
}

/* The run's own loop held counts the same. */
static void hold_here(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	busy(arg);
}

static void test_a_late_run_loop_shows(void **state)
{
	struct event_base *base;
	struct lag *g;
	struct event *ev;
	double hold = 1200;
	struct timeval soon = {0, 250000};

	(void)state;
	base = event_base_new();
	g = lag_new(base, NULL);
	assert_non_null(g);
	ev = evtimer_new(base, hold_here, &hold);
	evtimer_add(ev, &soon);
	run_for(base, 1800);
	assert_true(lag_worst_ms(g) >= LAG_WARN_MS);
	event_free(ev);
	lag_free(g);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_late_worker_shows),
	    cmocka_unit_test(test_a_late_run_loop_shows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
