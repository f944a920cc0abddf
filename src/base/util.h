/*
 * util.h - allocation that cannot fail quietly, text censoring, time helpers.
 */
#ifndef MAILTLS_UTIL_H
#define MAILTLS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
/* n bytes of s, NULs included, plus a terminating NUL. */
char *xmemdup(const void *s, size_t n);
char *xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));
_Noreturn void fatal(const char *, ...) __attribute__((format(printf, 1, 2)));

/* The next line of f into buf, its '\n' kept and a NUL read like any byte: its length, 0
 * at the end (a last line without '\n' is short of one). A line longer than cap is read
 * to its end, kept nowhere, and -1 returned. */
ssize_t read_line(FILE *f, char *buf, size_t cap);

/* Copy server text with every byte outside printable ASCII replaced by '?' (a tab, a
 * blank like any other, by a space). */
char *censor(const char *, size_t);

/* FNV-1a over s, continuing from h (start with HASH_INIT); fold: ignore ASCII case. */
#define HASH_INIT ((size_t)14695981039346656037ULL)
size_t hash_str(size_t h, const char *s, int fold);

/* A set of strings compared without ASCII case (domain names), growing as it fills. */
struct strset {
	char **v;
	size_t cap, n;
};
int strset_add(struct strset *, const char *); /* 1 when new, 0 when there already */
int strset_has(const struct strset *, const char *);
void strset_free(struct strset *);

double now_ms(void);
void fmt_time(time_t, char *, size_t); /* "2026-11-23T19:40:38Z" */

#endif
