/*
 * workers.h - event loops on threads of their own, and mailboxes between loops: a function
 * posted to a mailbox runs on the loop that owns it, in the order posted. The engine keeps
 * one loop for what must stay together (scheduling, sharing, verdicts, output) and hands
 * connections to the workers, and with many workers the resolver's queries (net/dns.c).
 * It knows nothing of what the functions do.
 *
 * libevent must be made thread-aware (workers_threads_init) before the first event_base
 * is created, the main loop's included.
 */
#ifndef MAILTLS_WORKERS_H
#define MAILTLS_WORKERS_H

#include <stddef.h>

#include <event2/event.h>

/* Once, before any event_base: 0, or -1 when libevent cannot lock. */
int workers_threads_init(void);

struct mailbox;
/* A mailbox read by base's loop (which must be thread-aware). */
struct mailbox *mailbox_new(struct event_base *base);
/* From any thread: fn(arg) runs on the mailbox's loop, soon. */
void mailbox_post(struct mailbox *, void (*fn)(void *), void *arg);
/* After its loop has stopped: what is still queued is dropped. */
void mailbox_free(struct mailbox *);

struct workers;
/* n loops on n threads, idle until something is posted. NULL with err on failure. */
struct workers *workers_new(size_t n, char *err, size_t errlen);
size_t workers_count(const struct workers *);
struct event_base *workers_base(const struct workers *, size_t i);
void workers_post(struct workers *, size_t i, void (*fn)(void *), void *arg);
/* Stop every loop and wait for its thread; what their loops held is the caller's to free
 * afterwards, from this thread. */
void workers_stop(struct workers *);
void workers_free(struct workers *);

/* The CPUs this process may run on (sched_getaffinity), at least 1. */
size_t workers_cpus(void);

#endif
