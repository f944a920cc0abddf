/* Unit tests: net/workers.c's mailboxes. Whatever threads post, and however their posts
 * interleave with the owner's loop draining the queue, every function runs exactly once,
 * on the owner's loop, in the order each thread posted; none waits for a later post to be
 * run (a post to an empty queue wakes the loop, and the ones behind it ride along). */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <event2/event.h>

#include "net/workers.h"

#define POSTERS 4
#define LETTERS 20000 /* each */

struct box {
	struct event_base *base;
	struct mailbox *mb;
	pthread_t loop_thread;
	size_t ran, next[POSTERS]; /* touched on the loop only */
	int out_of_order, wrong_thread;
};

struct letter {
	struct box *b;
	size_t poster, seq;
};

static struct letter letters[POSTERS][LETTERS];

static void deliver(void *arg)
{
	struct letter *l = arg;
	struct box *b = l->b;

	b->wrong_thread |= !pthread_equal(pthread_self(), b->loop_thread);
	b->out_of_order |= l->seq != b->next[l->poster];
	b->next[l->poster] = l->seq + 1;
	if (++b->ran == POSTERS * LETTERS)
		event_base_loopbreak(b->base);
}

struct poster {
	struct box *b;
	size_t id;
};

static void *post_all(void *arg)
{
	struct poster *p = arg;

	for (size_t i = 0; i < LETTERS; i++) {
		struct letter *l = &letters[p->id][i];

		l->b = p->b;
		l->poster = p->id;
		l->seq = i;
		mailbox_post(p->b->mb, deliver, l);
		if (i % 1000 == 0)
			sched_yield(); /* let the loop drain now and then: empty queues, anew */
	}
	return NULL;
}

/* A mailbox on a thread-aware loop that runs on this thread. */
static void box_open(struct box *b)
{
	memset(b, 0, sizeof(*b));
	assert_int_equal(workers_threads_init(), 0);
	assert_non_null(b->base = event_base_new());
	assert_non_null(b->mb = mailbox_new(b->base));
	b->loop_thread = pthread_self();
}

static void test_every_post_runs_once_in_order(void **state)
{
	struct box b;
	struct poster p[POSTERS];
	pthread_t t[POSTERS];
	struct timeval limit = {20, 0};

	(void)state;
	box_open(&b);
	for (size_t i = 0; i < POSTERS; i++) {
		p[i].b = &b;
		p[i].id = i;
		assert_int_equal(pthread_create(&t[i], NULL, post_all, &p[i]), 0);
	}
	/* Runs until the last letter (loopbreak) or the limit: a lost wake-up stalls it. */
	event_base_loopexit(b.base, &limit);
	event_base_loop(b.base, EVLOOP_NO_EXIT_ON_EMPTY);
	for (size_t i = 0; i < POSTERS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(b.ran, POSTERS * LETTERS);
	assert_false(b.out_of_order);
	assert_false(b.wrong_thread);
	mailbox_free(b.mb);
	event_base_free(b.base);
}

static void test_posts_before_the_loop_runs_are_not_lost(void **state)
{
	struct box b;

	(void)state;
	box_open(&b);
	/* A burst into the empty queue, then one more after the loop emptied it. */
	for (size_t i = 0; i < 3; i++) {
		letters[0][i] = (struct letter){&b, 0, i};
		mailbox_post(b.mb, deliver, &letters[0][i]);
	}
	event_base_loop(b.base, EVLOOP_NONBLOCK);
	assert_int_equal(b.ran, 3);
	letters[0][3] = (struct letter){&b, 0, 3};
	mailbox_post(b.mb, deliver, &letters[0][3]);
	event_base_loop(b.base, EVLOOP_NONBLOCK);
	assert_int_equal(b.ran, 4);
	assert_false(b.out_of_order);
	mailbox_free(b.mb);
	event_base_free(b.base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_post_runs_once_in_order),
	    cmocka_unit_test(test_posts_before_the_loop_runs_are_not_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
