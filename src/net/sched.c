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
	char *key;
	size_t inflight;
	struct sched_job *head, *tail; /* waiting for this key */
	struct slot *next;
};

struct sched {
	size_t limit, per_key, inflight;
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
	}
	return *sp;
}

static void slot_put(struct sched *s, struct slot *sl)
{
	struct slot **sp;

	if (sl->inflight || sl->head)
		return;
	sp = slot_ref(s, sl->key);
	*sp = sl->next;
	free(sl->key);
	free(sl);
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
	j->start(j);
}

static void sched_admit(struct sched *s, struct sched_job *j)
{
	struct slot *sl = slot_get(s, j->key);

	if (sl->inflight >= s->per_key)
		enqueue(&sl->head, &sl->tail, j);
	else if (s->inflight >= s->limit)
		enqueue(&s->head, &s->tail, j);
	else
		sched_start(s, sl, j);
}

void sched_done(struct sched *s, struct sched_job *j)
{
	struct slot *sl = slot_get(s, j->key);
	struct sched_job *next;

	sl->inflight--;
	s->inflight--;
	/* The key that freed up first: its waiters have waited for exactly this. */
	if ((next = dequeue(&sl->head, &sl->tail)) != NULL)
		sched_start(s, sl, next);
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
			free(s->slots[i]->key);
			free(s->slots[i]);
			s->slots[i] = n;
		}
	free(s->slots);
	free(s);
}
