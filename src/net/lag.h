/*
 * lag.h - how far a run's event loops fall behind. Every loop (the run's own and each
 * worker's) runs a 100 ms timer of its own and notes how late it fires. A machine given
 * more connections than its CPUs can serve lets each wait its turn, past the timeouts,
 * and the servers would be blamed for it (bench/latency.sh, 100,000 domains each with an
 * MX host of its own, 10,000 in flight on 2 CPUs: the loops up to 1.9 to 3.7 s late, 0.3
 * to 1.4% of the domains timed out or were answered SERVFAIL; at 1,000 in flight, under
 * 0.4 s late, 0.01%, as many domains a second). The run says so at its end.
 */
#ifndef MAILTLS_LAG_H
#define MAILTLS_LAG_H

#include <event2/event.h>

struct workers;
struct lag;

#define LAG_TICK_MS 100
/* A loop a second late belongs to a machine that cannot keep up (a timeout is 10 s). */
#define LAG_WARN_MS 1000.0

/* Watches base and the loops of ws (NULL: none). NULL if a timer cannot be made. */
struct lag *lag_new(struct event_base *base, struct workers *ws);
/* The latest any loop has run so far (ms); from any thread. */
double lag_worst_ms(const struct lag *);
/* Before the workers stop. */
void lag_free(struct lag *);

#endif
