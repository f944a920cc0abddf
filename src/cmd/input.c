/*
 * input.c - the names to check: the command's arguments, then a list file or a stream,
 * read a line at a time into a buffer of INPUT_LINE_MAX bytes whatever the lines hold.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/addr.h"
#include "base/util.h"
#include "cmd/input.h"

/*
 * s into buf, as every view, the shard's hash and --resume will see it. A name in other
 * scripts (bytes beyond ASCII) becomes its A-labels, as DNS knows it; one that cannot
 * (not UTF-8, or not a name) is reported with IDNA's reason. Then a byte outside printable
 * ASCII becomes '?': no domain name holds one, so a name stays as it was, and a line
 * holding a terminal's escape codes shows as the invalid name it is.
 */
static void input_take(struct input *in, const char *s, char *buf, size_t len, const char **why)
{
	if (*why == NULL && !addr_is_ascii(s)) {
		if (addr_to_ascii(s, buf, len, in->why, sizeof(in->why)) == 0)
			return;
		*why = in->why;
	}
	snprintf(buf, len, "%s", s);
	for (char *p = buf; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c >= 0x7f)
			*p = '?';
	}
}

/* A line read: comments and blanks around it dropped; 0 when nothing is left of it. */
static int input_clean(struct input *in, char *s, char *buf, size_t len, const char **why)
{
	char *e;

	if ((e = strchr(s, '#')) != NULL)
		*e = '\0';
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (*s == '\0')
		return 0;
	input_take(in, s, buf, len, why);
	return 1;
}

/* A NUL in a line is a byte like any other, shown as '?' (DEL is too). */
static void input_no_nul(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0')
			s[i] = '\x7f';
}

/*
 * The next line of the file, a regular one or a stream read without blocking: 1 with a
 * name (why set for a line no name can be, however it reads), 0 at its end or (waiting
 * set) when no whole line has come yet. Lines are read into rbuf, never more than it holds.
 */
static int input_line(struct input *in, char *buf, size_t len, const char **why)
{
	for (;;) {
		char *line = in->rbuf + in->roff;
		size_t avail = in->rlen - in->roff;
		char *nl = memchr(line, '\n', avail);
		ssize_t n;

		if (nl || (in->eof && avail)) {
			size_t l = nl ? (size_t)(nl - line) : avail;

			in->lineno++;
			in->roff += l + (nl != NULL);
			if (in->skipping) {
				in->skipping = 0;
				continue;
			}
			input_no_nul(line, l);
			line[l] = '\0';
			if (input_clean(in, line, buf, len, why))
				return 1;
			continue;
		}
		if (in->eof)
			return 0;
		memmove(in->rbuf, line, avail);
		in->roff = 0;
		in->rlen = avail;
		if (in->rlen == sizeof(in->rbuf) - 1 && in->skipping) {
			in->rlen = 0; /* more of a line already reported */
		} else if (in->rlen == sizeof(in->rbuf) - 1) {
			/* Longer than any name: reported once as invalid, the rest skipped. */
			input_no_nul(in->rbuf, 60);
			in->rbuf[60] = '\0';
			*why = "the line is longer than any domain name";
			input_take(in, in->rbuf, buf, len, why);
			snprintf(buf + strlen(buf), len - strlen(buf), "...");
			in->rlen = 0;
			in->skipping = 1;
			return 1;
		}
		n = read(in->fd, in->rbuf + in->rlen, sizeof(in->rbuf) - 1 - in->rlen);
		if (n > 0)
			in->rlen += (size_t)n;
		else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			in->waiting = 1;
			return 0;
		} else if (n < 0 && errno == EINTR)
			continue;
		else
			in->eof = 1;
	}
}

int input_next(struct input *in, char *buf, size_t len, const char **why)
{
	*why = NULL;
	if (in->next < in->nargs) {
		input_take(in, in->args[in->next++], buf, len, why);
		return 1;
	}
	return in->fd >= 0 ? input_line(in, buf, len, why) : 0;
}

size_t input_count(const char *path)
{
	struct input *in = xcalloc(1, sizeof(*in));
	char name[INPUT_LINE_MAX];
	const char *why;
	size_t n = 0;

	input_init(in, NULL, 0);
	if ((in->fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		while (input_line(in, name, sizeof(name), &why))
			n++;
		close(in->fd);
	}
	free(in);
	return n;
}

int input_is_file(const struct input *in, int fd)
{
	struct stat a, b;

	return in->fd >= 0 && fd >= 0 && fstat(fd, &a) == 0 && fstat(in->fd, &b) == 0 &&
	    S_ISREG(a.st_mode) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void input_init(struct input *in, char **args, size_t nargs)
{
	memset(in, 0, sizeof(*in));
	in->args = args;
	in->nargs = nargs;
	in->total = nargs;
	in->fd = -1;
	in->saved_flags = -1;
}

int input_open(struct input *in, const char *path)
{
	struct stat st;

	if (strcmp(path, "-") == 0)
		in->fd = STDIN_FILENO;
	else if ((in->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	else
		in->owned = 1;
	if (fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode)) {
		/* Counted when it can be named again (not standard input). */
		size_t n = in->owned ? input_count(path) : 0;

		in->total = n ? in->total + n : 0;
		return 0;
	}
	in->total = 0; /* a stream's length is unknown */
	in->saved_flags = fcntl(in->fd, F_GETFL);
	if (in->saved_flags >= 0 && fcntl(in->fd, F_SETFL, in->saved_flags | O_NONBLOCK) == 0)
		in->stream = 1; /* else read as it comes, blocking */
	else
		in->saved_flags = -1;
	return 0;
}

void input_close(struct input *in)
{
	if (in->saved_flags >= 0)
		fcntl(in->fd, F_SETFL, in->saved_flags); /* standard input is the shell's too */
	if (in->owned)
		close(in->fd);
	in->owned = 0;
	in->fd = -1;
}
