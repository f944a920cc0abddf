/*
 * sched.h - admission of jobs on the loop: a job starts when fewer than `limit` jobs are in
 * flight and fewer than `per_key` of them share its key (an address, so that one server is
 * never hammered); otherwise it waits, in the FIFO of its key when that bound holds it,
 * else in the global FIFO. It knows nothing of what a job does.
 */
#ifndef MAILTLS_SCHED_H
#define MAILTLS_SCHED_H

#include <stddef.h>

#include <event2/event.h>

struct sched_job {
	const char *key;                   /* jobs with one key are bounded together */
	void (*start)(struct sched_job *); /* admitted: run; sched_done() when it has ended */
	struct sched_job *qnext;           /* the scheduler's own: the FIFO it waits in */
};

struct sched;

struct sched *sched_new(size_t limit, size_t per_key);
/* Also: at most per_min starts a minute on one key, spaced evenly (a start waits for its
 * turn on base's clock); 0: no such bound. */
void sched_set_rate(struct sched *, struct event_base *base, double per_min);
/* Start j now, or queue it where the bound that holds it will release it. */
void sched_submit(struct sched *, struct sched_job *j);
/* j has ended: its place goes to the jobs that waited for it. */
void sched_done(struct sched *, struct sched_job *j);
size_t sched_inflight(const struct sched *);
/* Frees the scheduler; jobs still queued belong to their owners. */
void sched_free(struct sched *);

#endif
