/*
 * input.h - the names a check is given: arguments first, then a list (a file, or a pipe
 * read without blocking), one name a line, '#' starting a comment.
 */
#ifndef MAILTLS_CMD_INPUT_H
#define MAILTLS_CMD_INPUT_H

#include <sys/types.h>

#include "conf/limits.h"

struct event;

struct input {
	char **args;
	size_t nargs, next;
	int saved_flags; /* a stream's file status flags before input_open, or -1 */
	size_t seq;      /* domains handed out */
	size_t total;    /* known total, or 0 */
	size_t lineno;
	/* A pipe or a terminal is read without blocking, so that the domains in flight go on
	 * while the next line is on its way: read into rbuf when readable (ev). */
	int stream;
	int fd;    /* the list: -1 when none */
	int owned; /* fd is ours to close (not standard input) */
	char rbuf[INPUT_LINE_MAX];
	size_t roff, rlen;          /* the bytes not yet taken: rbuf[roff, rlen) */
	int eof, waiting, skipping; /* skipping: the rest of a line longer than rbuf */
	char why[160];              /* the last name's reason, when it is said here */
	struct event *ev;
};

/* No list yet: the names are args. */
void input_init(struct input *, char **args, size_t nargs);

/* The list at path ("-": standard input) after the arguments: a regular file is counted
 * for the ETA; a pipe, a terminal or a socket is read as it comes, without blocking the
 * loop (ev, made by the caller, says when). -1 with errno set. */
int input_open(struct input *, const char *path);

/* The list closed (not standard input), the flags of a stream as they were. */
void input_close(struct input *);

/*
 * The next name into buf: 1, or 0 at the end (or, waiting set, until the stream says
 * more). A name in other scripts is given as its A-labels (xn--); every other byte
 * outside printable ASCII is shown as '?', so that the views, the shard's hash and
 * --resume all see the name the output shows. why is set for a line no name can be
 * however it reads (too long, not a name in any script), else NULL; it lasts until the
 * next call.
 */
int input_next(struct input *, char *buf, size_t len, const char **why);

/* The lines of the list file at path that input_next would give, for the ETA. */
size_t input_count(const char *path);

/* Whether fd is the list file itself: writing to it would feed the run its own output. */
int input_is_file(const struct input *, int fd);

#endif
