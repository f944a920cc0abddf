/*
 * workers.c - loops on threads and mailboxes between them (workers.h). A mailbox is a
 * locked queue and one event: posting appends and activates the event, which runs every
 * queued function on the owning loop. Only a post to an empty queue activates it: the
 * event is then pending and takes whatever follows with it, so a burst of posts costs the
 * owner's loop one lock and one wake-up, not one each.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/thread.h>

#include "base/util.h"
#include "net/workers.h"

struct letter {
	void (*fn)(void *);
	void *arg;
	struct letter *next;
};

struct mailbox {
	pthread_mutex_t lock;
	struct letter *head, *tail;
	struct event *ev;
};

int workers_threads_init(void)
{
	static int done;

	if (done)
		return 0;
	if (evthread_use_pthreads() != 0)
		return -1;
	done = 1;
	return 0;
}

/* On the owner's loop: run what was posted, in order, without the lock held. */
static void mailbox_read(evutil_socket_t fd, short what, void *arg)
{
	struct mailbox *mb = arg;
	struct letter *l;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&mb->lock);
	l = mb->head;
	mb->head = mb->tail = NULL;
	pthread_mutex_unlock(&mb->lock);
	while (l) {
		struct letter *next = l->next;

		l->fn(l->arg);
		free(l);
		l = next;
	}
}

struct mailbox *mailbox_new(struct event_base *base)
{
	struct mailbox *mb = xcalloc(1, sizeof(*mb));

	pthread_mutex_init(&mb->lock, NULL);
	mb->ev = event_new(base, -1, 0, mailbox_read, mb);
	if (mb->ev == NULL)
		fatal("cannot create mailbox event");
	return mb;
}

void mailbox_post(struct mailbox *mb, void (*fn)(void *), void *arg)
{
	struct letter *l = xcalloc(1, sizeof(*l));
	int first;

	l->fn = fn;
	l->arg = arg;
	pthread_mutex_lock(&mb->lock);
	first = mb->head == NULL;
	if (mb->tail)
		mb->tail->next = l;
	else
		mb->head = l;
	mb->tail = l;
	pthread_mutex_unlock(&mb->lock);
	if (first) /* the reader empties the queue after it is activated, never before */
		event_active(mb->ev, EV_READ, 0); /* thread-safe once libevent locks */
}

void mailbox_free(struct mailbox *mb)
{
	if (mb == NULL)
		return;
	event_free(mb->ev);
	while (mb->head) {
		struct letter *n = mb->head->next;

		free(mb->head);
		mb->head = n;
	}
	pthread_mutex_destroy(&mb->lock);
	free(mb);
}

struct worker {
	struct event_base *base;
	struct mailbox *mb;
	pthread_t thread;
	int started;
};

struct workers {
	struct worker *w;
	size_t n;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	event_base_loop(w->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

struct workers *workers_new(size_t n, char *err, size_t errlen)
{
	struct workers *ws = xcalloc(1, sizeof(*ws));

	ws->w = xcalloc(n, sizeof(*ws->w));
	ws->n = n;
	for (size_t i = 0; i < n; i++) {
		struct worker *w = &ws->w[i];

		if ((w->base = event_base_new()) == NULL) {
			snprintf(err, errlen, "cannot create the event loop of worker %zu", i);
			goto fail;
		}
		w->mb = mailbox_new(w->base);
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			snprintf(err, errlen, "cannot start the thread of worker %zu", i);
			goto fail;
		}
		w->started = 1;
	}
	return ws;
fail:
	workers_stop(ws);
	workers_free(ws);
	return NULL;
}

size_t workers_count(const struct workers *ws)
{
	return ws->n;
}

struct event_base *workers_base(const struct workers *ws, size_t i)
{
	return ws->w[i].base;
}

void workers_post(struct workers *ws, size_t i, void (*fn)(void *), void *arg)
{
	mailbox_post(ws->w[i].mb, fn, arg);
}

/* Posted, so that it runs inside the loop: a break asked before the loop has started
 * would be forgotten when it starts (event_base_loop clears the flag). */
static void worker_break(void *arg)
{
	event_base_loopbreak(arg);
}

void workers_stop(struct workers *ws)
{
	if (ws == NULL)
		return;
	for (size_t i = 0; i < ws->n; i++)
		if (ws->w[i].started)
			mailbox_post(ws->w[i].mb, worker_break, ws->w[i].base);
	for (size_t i = 0; i < ws->n; i++)
		if (ws->w[i].started) {
			pthread_join(ws->w[i].thread, NULL);
			ws->w[i].started = 0;
		}
}

void workers_free(struct workers *ws)
{
	if (ws == NULL)
		return;
	for (size_t i = 0; i < ws->n; i++) {
		mailbox_free(ws->w[i].mb);
		if (ws->w[i].base)
			event_base_free(ws->w[i].base);
	}
	free(ws->w);
	free(ws);
}

size_t workers_cpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (size_t)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (size_t)n : 1;
}
