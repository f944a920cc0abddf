/*
 * loop.h - the scheduler: starts probe sessions on the one event loop, never more than
 * --concurrency at once and never more than --per-host against one address.
 */
#ifndef MAILTLS_LOOP_H
#define MAILTLS_LOOP_H

#include <stddef.h>

#include "model/result.h"
#include "proto/session.h"

struct sched;
typedef void (*sched_done_cb)(struct probe *, void *arg);

struct sched *sched_new(struct event_base *, const struct session_params *, size_t limit,
    size_t per_host, sched_done_cb, void *arg);
void sched_submit(struct sched *, struct probe *);
size_t sched_inflight(const struct sched *);
void sched_free(struct sched *);

#endif
