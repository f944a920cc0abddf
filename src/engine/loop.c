/*
 * loop.c - admission control for probes. A probe starts when fewer than `limit` sessions
 * are in flight and fewer than `per_host` against its address; otherwise it waits, in a
 * FIFO of its own address when that address is the bound, else in the global FIFO.
 * A waiter is only ever queued on a full address, so a completion there will wake it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/loop.h"

struct slot {
	char *address;
	size_t inflight;
	struct probe *head, *tail; /* waiting for this address */
	struct slot *next;
};

struct sched {
	struct event_base *base;
	const struct session_params *sp;
	size_t limit, per_host, inflight;
	struct probe *head, *tail; /* waiting for global capacity */
	struct slot **slots;
	size_t nslots;
	sched_done_cb done;
	void *arg;
};

static struct slot **slot_ref(struct sched *s, const char *address)
{
	struct slot **sp = &s->slots[hash_str(HASH_INIT, address, 0) % s->nslots];

	while (*sp && strcmp((*sp)->address, address) != 0)
		sp = &(*sp)->next;
	return sp;
}

static struct slot *slot_get(struct sched *s, const char *address)
{
	struct slot **sp = slot_ref(s, address);

	if (*sp == NULL) {
		*sp = xcalloc(1, sizeof(**sp));
		(*sp)->address = xstrdup(address);
	}
	return *sp;
}

/* Slots exist only while something is in flight or waiting: memory follows the work. */
static void slot_put(struct sched *s, struct slot *sl)
{
	struct slot **sp;

	if (sl->inflight || sl->head)
		return;
	sp = slot_ref(s, sl->address);
	*sp = sl->next;
	free(sl->address);
	free(sl);
}

static void enqueue(struct probe **head, struct probe **tail, struct probe *p)
{
	p->qnext = NULL;
	if (*tail)
		(*tail)->qnext = p;
	else
		*head = p;
	*tail = p;
}

static struct probe *dequeue(struct probe **head, struct probe **tail)
{
	struct probe *p = *head;

	if (p) {
		*head = p->qnext;
		if (*head == NULL)
			*tail = NULL;
		p->qnext = NULL;
	}
	return p;
}

static void sched_session_done(struct probe *p, void *arg);

static void sched_start(struct sched *s, struct slot *sl, struct probe *p)
{
	sl->inflight++;
	s->inflight++;
	session_start(s->base, s->sp, p, sched_session_done, s);
}

/* Admit p now, or park it where the bound that holds it will release it. */
static void sched_admit(struct sched *s, struct probe *p)
{
	struct slot *sl = slot_get(s, p->address);

	if (sl->inflight >= s->per_host)
		enqueue(&sl->head, &sl->tail, p);
	else if (s->inflight >= s->limit)
		enqueue(&s->head, &s->tail, p);
	else
		sched_start(s, sl, p);
}

static void sched_session_done(struct probe *p, void *arg)
{
	struct sched *s = arg;
	struct slot *sl = slot_get(s, p->address);
	struct probe *next;

	sl->inflight--;
	s->inflight--;
	/* The address that freed up first: its waiters have waited for exactly this. */
	if ((next = dequeue(&sl->head, &sl->tail)) != NULL)
		sched_start(s, sl, next);
	slot_put(s, sl);
	while (s->inflight < s->limit && (next = dequeue(&s->head, &s->tail)) != NULL)
		sched_admit(s, next);
	s->done(p, s->arg);
}

struct sched *sched_new(struct event_base *base, const struct session_params *sp, size_t limit,
    size_t per_host, sched_done_cb done, void *arg)
{
	struct sched *s = xcalloc(1, sizeof(*s));

	s->base = base;
	s->sp = sp;
	s->limit = limit ? limit : 1;
	s->per_host = per_host ? per_host : 1;
	s->nslots = 1024;
	s->slots = xcalloc(s->nslots, sizeof(*s->slots));
	s->done = done;
	s->arg = arg;
	return s;
}

void sched_submit(struct sched *s, struct probe *p)
{
	sched_admit(s, p);
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
			free(s->slots[i]->address);
			free(s->slots[i]);
			s->slots[i] = n;
		}
	free(s->slots);
	free(s);
}
