/*
 * sched.c - admission control (sched.h). A waiter is only ever queued on a full key, so a
 * completion there will wake it; slots exist only while something of their key is in
 * flight or waiting, so memory follows the work.
 */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "net/sched.h"

struct slot {
	struct sched *s;
	char *key;
	size_t inflight;
	struct sched_job *head, *tail; /* waiting for this key */
	struct slot *next;
	double next_ok;      /* --per-ip-rate: no start on this key before (ms, now_ms()) */
	struct event *timer; /* ... wakes its first waiter then */
};

struct sched {
	size_t limit, per_key, inflight;
	struct event_base *base;
	double gap_ms; /* between two starts on one key; 0: no rate bound */
	struct sched_job *head, *tail; /* waiting for global capacity */
	struct slot **slots;
	size_t nslots;
};

static struct slot **slot_ref(struct sched *s, const char *key)
{
	struct slot **sp = &s->slots[hash_str(HASH_INIT, key, 0) % s->nslots];

	while (*sp && strcmp((*sp)->key, key) != 0)
		sp = &(*sp)->next;
	return sp;
}

static struct slot *slot_get(struct sched *s, const char *key)
{
	struct slot **sp = slot_ref(s, key);

	if (*sp == NULL) {
		*sp = xcalloc(1, sizeof(**sp));
		(*sp)->key = xstrdup(key);
		(*sp)->s = s;
	}
	return *sp;
}

static void slot_free(struct slot *sl)
{
	if (sl->timer)
		event_free(sl->timer);
	free(sl->key);
	free(sl);
}

/* A slot goes when nothing of its key runs or waits, and its rate no longer binds. */
static void slot_put(struct sched *s, struct slot *sl)
{
	struct slot **sp;

	if (sl->inflight || sl->head || (s->gap_ms > 0 && sl->next_ok > now_ms()))
		return;
	sp = slot_ref(s, sl->key);
	*sp = sl->next;
	slot_free(sl);
}

static void enqueue(struct sched_job **head, struct sched_job **tail, struct sched_job *j)
{
	j->qnext = NULL;
	if (*tail)
		(*tail)->qnext = j;
	else
		*head = j;
	*tail = j;
}

static struct sched_job *dequeue(struct sched_job **head, struct sched_job **tail)
{
	struct sched_job *j = *head;

	if (j) {
		*head = j->qnext;
		if (*head == NULL)
			*tail = NULL;
		j->qnext = NULL;
	}
	return j;
}

static void sched_start(struct sched *s, struct slot *sl, struct sched_job *j)
{
	sl->inflight++;
	s->inflight++;
	if (s->gap_ms > 0)
		sl->next_ok = now_ms() + s->gap_ms;
	j->start(j);
}

static void slot_wake(evutil_socket_t fd, short what, void *arg);

/* The key's turn comes at next_ok: wake its first waiter then. */
static void slot_arm(struct sched *s, struct slot *sl)
{
	double ms = sl->next_ok - now_ms();
	struct timeval tv;

	if (sl->timer == NULL && (sl->timer = evtimer_new(s->base, slot_wake, sl)) == NULL)
		fatal("cannot create a timer");
	if (ms < 0)
		ms = 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms - (double)tv.tv_sec * 1000) * 1000);
	evtimer_add(sl->timer, &tv);
}

static void sched_admit(struct sched *s, struct sched_job *j)
{
	struct slot *sl = slot_get(s, j->key);

	if (sl->inflight >= s->per_key || sl->head) {
		enqueue(&sl->head, &sl->tail, j);
	} else if (s->gap_ms > 0 && now_ms() < sl->next_ok) {
		enqueue(&sl->head, &sl->tail, j); /* its turn on this key comes later */
		slot_arm(s, sl);
	} else if (s->inflight >= s->limit) {
		enqueue(&s->head, &s->tail, j);
	} else {
		sched_start(s, sl, j);
	}
}

/* The first waiter of a key, when the key's bounds allow; else the timer or a completion
 * brings it back. */
static void slot_next(struct sched *s, struct slot *sl)
{
	struct sched_job *next;

	if (sl->head == NULL || sl->inflight >= s->per_key)
		return;
	if (s->gap_ms > 0 && now_ms() < sl->next_ok) {
		slot_arm(s, sl);
		return;
	}
	if (s->inflight >= s->limit) {
		/* No global room: the job waits with the others (in order) for it. */
		enqueue(&s->head, &s->tail, dequeue(&sl->head, &sl->tail));
		return;
	}
	next = dequeue(&sl->head, &sl->tail);
	sched_start(s, sl, next);
}

static void slot_wake(evutil_socket_t fd, short what, void *arg)
{
	struct slot *sl = arg;
	struct sched *s = sl->s;

	(void)fd;
	(void)what;
	slot_next(s, sl);
	slot_put(s, sl);
}

void sched_done(struct sched *s, struct sched_job *j)
{
	struct slot *sl = slot_get(s, j->key);
	struct sched_job *next;

	sl->inflight--;
	s->inflight--;
	/* The key that freed up first: its waiters have waited for exactly this. */
	slot_next(s, sl);
	slot_put(s, sl);
	while (s->inflight < s->limit && (next = dequeue(&s->head, &s->tail)) != NULL)
		sched_admit(s, next);
}

struct sched *sched_new(size_t limit, size_t per_key)
{
	struct sched *s = xcalloc(1, sizeof(*s));

	s->limit = limit ? limit : 1;
	s->per_key = per_key ? per_key : 1;
	s->nslots = 1024;
	s->slots = xcalloc(s->nslots, sizeof(*s->slots));
	return s;
}

void sched_submit(struct sched *s, struct sched_job *j)
{
	sched_admit(s, j);
}

void sched_set_rate(struct sched *s, struct event_base *base, double per_min)
{
	s->base = base;
	s->gap_ms = per_min > 0 ? 60000.0 / per_min : 0;
}

size_t sched_inflight(const struct sched *s)
{
	return s->inflight;
}

void sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nslots; i++)
		while (s->slots[i]) {
			struct slot *n = s->slots[i]->next;
			slot_free(s->slots[i]);
			s->slots[i] = n;
		}
	free(s->slots);
	free(s);
}
