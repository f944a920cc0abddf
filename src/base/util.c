/*
 * util.c - allocation, censoring of untrusted text, time helpers.
 * fatal() is for out-of-memory and broken invariants only, never for a failed target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("mailtls: fatal: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(3);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatal("out of memory");
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		fatal("allocation overflow");
	p = realloc(p, (n * size) != 0 ? n * size : 1);
	if (p == NULL)
		fatal("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		fatal("out of memory");
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		fatal("out of memory");
	return p;
}

char *xmemdup(const void *s, size_t n)
{
	char *p = xcalloc(n + 1, 1);

	if (n)
		memcpy(p, s, n);
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *p;

	if (vasprintf(&p, fmt, ap) < 0)
		fatal("out of memory");
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

char *censor(const char *s, size_t len)
{
	char *out = xcalloc(len + 1, 1);

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : c == '\t' ? ' ' : '?';
	}
	return out;
}

size_t hash_str(size_t h, const char *s, int fold)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (fold && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		h = (h ^ c) * (size_t)1099511628211ULL;
	}
	return h;
}

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

/* Open addressing over FNV-1a, folded: domain names compare without case. */
static size_t strset_slot(char *const *v, size_t cap, const char *s)
{
	size_t i = hash_str(HASH_INIT, s, 1) & (cap - 1);

	while (v[i] && strcasecmp(v[i], s) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

int strset_has(const struct strset *set, const char *s)
{
	return set->cap && set->v[strset_slot(set->v, set->cap, s)] != NULL;
}

int strset_add(struct strset *set, const char *s)
{
	size_t i;

	if (set->n * 2 >= set->cap) { /* grow: at most half full */
		size_t cap = set->cap ? set->cap * 2 : 1024;
		char **v = xcalloc(cap, sizeof(*v));

		for (size_t k = 0; k < set->cap; k++)
			if (set->v[k])
				v[strset_slot(v, cap, set->v[k])] = set->v[k];
		free(set->v);
		set->v = v;
		set->cap = cap;
	}
	i = strset_slot(set->v, set->cap, s);
	if (set->v[i])
		return 0;
	set->v[i] = xstrdup(s);
	set->n++;
	return 1;
}

void strset_free(struct strset *set)
{
	for (size_t k = 0; k < set->cap; k++)
		free(set->v[k]);
	free(set->v);
	memset(set, 0, sizeof(*set));
}

ssize_t read_line(FILE *f, char *buf, size_t cap)
{
	size_t n = 0;
	int ch;

	while ((ch = getc_unlocked(f)) != EOF) {
		if (n == cap) { /* too long: to its end */
			while (ch != '\n' && (ch = getc_unlocked(f)) != EOF)
				;
			return -1;
		}
		buf[n++] = (char)ch;
		if (ch == '\n')
			break;
	}
	return (ssize_t)n;
}
