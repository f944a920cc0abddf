/*
 * cred.c - reading the credential of `mailtls auth` from a file, the environment or a
 * no-echo prompt. The secret only ever sits in pages of its own (locked, kept out of core
 * dumps), is read with read(2) so no stdio buffer holds a copy, and is wiped by cred_wipe.
 * It must never reach an error message, a log line or argv.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "base/util.h"
#include "conf/cred.h"

/* The source a secret came from, for messages: a file's path, the variable, the prompt. */
#define CRED_FROM_PROMPT "the terminal"

void cred_wipe_bytes(char *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

/*
 * Pages of our own for the secret: mlock keeps them out of swap (RLIMIT_MEMLOCK may refuse;
 * the secret is still wiped, so that failure is ignored), MADV_DONTDUMP out of core dumps,
 * and no allocator ever hands the bytes to someone else or copies them on realloc.
 */
static char *secbuf_new(size_t need, size_t *map)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t ps = pg > 0 ? (size_t)pg : 4096;
	size_t n = (need + ps - 1) / ps * ps;
	void *p;

	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	(void)mlock(p, n);
	(void)madvise(p, n, MADV_DONTDUMP);
#ifdef MADV_WIPEONFORK
	(void)madvise(p, n, MADV_WIPEONFORK); /* a child process starts without it */
#endif
	*map = n;
	return p;
}

static void secbuf_free(char *p, size_t map)
{
	if (p == NULL)
		return;
	cred_wipe_bytes(p, map);
	(void)munlock(p, map);
	(void)munmap(p, map);
}

void cred_wipe(struct cred *c)
{
	if (c == NULL)
		return;
	secbuf_free(c->secret, c->secret_map);
	free(c->user);
	memset(c, 0, sizeof(*c));
}

static int check_user(const char *user, char *err, size_t errlen)
{
	size_t i, n;

	if (user == NULL || *user == '\0') {
		snprintf(err, errlen, "no user name to log in as");
		return -1;
	}
	n = strlen(user);
	if (n > CRED_USER_MAX) {
		snprintf(err, errlen, "the user name is longer than %d bytes", CRED_USER_MAX);
		return -1;
	}
	/* It is sent inside SASL messages whose separators are control bytes (PLAIN's NUL,
	 * XOAUTH2's ^A): one in the name would forge a field. */
	for (i = 0; i < n; i++) {
		if ((unsigned char)user[i] < 0x20 || user[i] == 0x7f) {
			snprintf(err, errlen, "the user name contains a control character");
			return -1;
		}
	}
	return 0;
}

/* What a secret may be; from names its source. Messages give sizes, never content. */
static int check_secret(const char *s, size_t len, int token, const char *from, char *err,
    size_t errlen)
{
	const char *what = token ? "token" : "password";
	size_t max = token ? CRED_TOKEN_MAX : CRED_SECRET_MAX, i;

	if (len == 0) {
		snprintf(err, errlen, "%s: the %s is empty", from, what);
		return -1;
	}
	if (len > max) {
		snprintf(err, errlen, "%s: the %s is longer than %zu bytes", from, what, max);
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		/* NUL would cut it short; CR or LF would end a protocol line early. */
		if (ch == '\0' || ch == '\r' || ch == '\n') {
			snprintf(err, errlen, "%s: the %s contains a NUL, CR or LF byte", from,
			    what);
			return -1;
		}
		/* RFC 6750 2.1: b64token is letters, digits and -._~+/ with = padding. Anything
		 * outside printable ASCII would break XOAUTH2's ^A-separated fields. */
		if (token && (ch <= 0x20 || ch >= 0x7f)) {
			snprintf(err, errlen,
			    "%s: the token contains a byte that is not printable ASCII", from);
			return -1;
		}
	}
	return 0;
}

/*
 * The first line of the n bytes at buf, a CRLF or LF line end removed. full: the buffer
 * filled up, so a line without a line end did not end here. -1 when the line is longer
 * than the buffer allows.
 */
static int first_line(const char *buf, size_t n, int full, size_t *len)
{
	const char *nl = memchr(buf, '\n', n);

	if (nl != NULL)
		*len = (size_t)(nl - buf);
	else if (full)
		return -1;
	else
		*len = n;
	/* CRLF is a line end; a CR alone (at the end of the file) is a byte of the secret, and
	 * check_secret refuses it. */
	if (nl != NULL && *len > 0 && buf[*len - 1] == '\r')
		(*len)--;
	return 0;
}

/* read(2) into buf until a line end, cap bytes or end of file; *n bytes read. */
static int read_line_fd(int fd, char *buf, size_t cap, size_t *n)
{
	ssize_t r;

	*n = 0;
	while (*n < cap && memchr(buf, '\n', *n) == NULL) {
		r = read(fd, buf + *n, cap - *n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		*n += (size_t)r;
	}
	return 0;
}

/*
 * Take the first line of the n bytes in buf (cap of them room) as the secret: the rest of
 * the buffer (later lines of the file) wiped, the NUL placed, the result checked.
 */
static int take_secret(struct cred *c, char *buf, size_t map, size_t n, size_t cap, int token,
    const char *from, char *err, size_t errlen)
{
	size_t len = 0;
	size_t max = token ? CRED_TOKEN_MAX : CRED_SECRET_MAX;

	if (first_line(buf, n, n == cap, &len) < 0 || len > max) {
		snprintf(err, errlen, "%s: the %s is longer than %zu bytes", from,
		    token ? "token" : "password", max);
		secbuf_free(buf, map);
		return -1;
	}
	cred_wipe_bytes(buf + len, map - len);
	if (check_secret(buf, len, token, from, err, errlen) < 0) {
		secbuf_free(buf, map);
		return -1;
	}
	c->secret = buf;
	c->secret_len = len;
	c->secret_map = map;
	c->token = token;
	return 0;
}

/* A file others cannot read: regular, or a pipe (--password-file /dev/fd/3). */
static int open_private(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file or a pipe", path);
		close(fd);
		return -1;
	}
	/* As ssh does with keys: a secret others may read is already leaked, and using it
	 * quietly would hide that. */
	if (st.st_mode & 077) {
		snprintf(err, errlen, "%s: mode %04o lets group or others read it; chmod 600 it",
		    path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	return fd;
}

static int load_file(struct cred *c, const char *path, int token, char *err, size_t errlen)
{
	/* Room for the longest secret, a CRLF, and the NUL. */
	size_t cap = (token ? CRED_TOKEN_MAX : CRED_SECRET_MAX) + 2, map, n = 0;
	char *buf;
	int fd, rc;

	if ((fd = open_private(path, err, errlen)) < 0)
		return -1;
	if ((buf = secbuf_new(cap + 1, &map)) == NULL) {
		snprintf(err, errlen, "%s: no memory for the secret", path);
		close(fd);
		return -1;
	}
	rc = read_line_fd(fd, buf, cap, &n);
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	close(fd);
	if (rc < 0) {
		secbuf_free(buf, map);
		return -1;
	}
	return take_secret(c, buf, map, n, cap, token, path, err, errlen);
}

/*
 * MAILTLS_PASSWORD: copied out, then overwritten where it lies (the initial environment is
 * what /proc/PID/environ shows, to the same user, for the life of the process) and unset so
 * no child inherits it. 1: the variable is not set.
 */
static int load_env(struct cred *c, char *err, size_t errlen)
{
	char *v = getenv(CRED_ENV), *buf;
	size_t len, map;
	int rc = -1;

	if (v == NULL)
		return 1;
	len = strlen(v);
	/* Checked whole: a line end in a variable is not the end of the password. */
	if (check_secret(v, len, 0, CRED_ENV, err, errlen) == 0) {
		if ((buf = secbuf_new(len + 1, &map)) == NULL) {
			snprintf(err, errlen, "%s: no memory for the secret", CRED_ENV);
		} else {
			memcpy(buf, v, len);
			rc = take_secret(c, buf, map, len, len + 1, 0, CRED_ENV, err, errlen);
		}
	}
	/* The name stays intact, so unsetenv still finds the entry. */
	cred_wipe_bytes(v, len);
	unsetenv(CRED_ENV);
	return rc;
}

/*
 * The prompt's terminal, where a signal handler can find it: the one reason for file-scope
 * state in this file. Only set while echo is off.
 */
static const int prompt_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define PROMPT_NSIG (sizeof(prompt_signals) / sizeof(prompt_signals[0]))
static struct {
	int fd;
	struct termios saved;
	struct sigaction old[PROMPT_NSIG];
	volatile sig_atomic_t active; /* echo is off: restore saved on a signal */
	volatile sig_atomic_t caught; /* a signal came; the prompt gives up */
} prompt_tty;

/* Echo back on, the previous disposition back, the signal raised again so it does what it
 * would have done without us (usually: end the process). Async-signal-safe calls only. */
static void prompt_on_signal(int sig)
{
	size_t i;

	if (prompt_tty.active)
		(void)tcsetattr(prompt_tty.fd, TCSANOW, &prompt_tty.saved);
	prompt_tty.caught = 1;
	for (i = 0; i < PROMPT_NSIG; i++)
		if (prompt_signals[i] == sig)
			(void)sigaction(sig, &prompt_tty.old[i], NULL);
	(void)raise(sig);
}

static void prompt_handlers(int install)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = prompt_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < PROMPT_NSIG; i++)
		sigaddset(&sa.sa_mask, prompt_signals[i]);
	/* No SA_RESTART: a read interrupted by a handled signal returns, and the prompt ends. */
	for (i = 0; i < PROMPT_NSIG; i++) {
		if (install)
			(void)sigaction(prompt_signals[i], &sa, &prompt_tty.old[i]);
		else
			(void)sigaction(prompt_signals[i], &prompt_tty.old[i], NULL);
	}
}

/* Read one line from the terminal into buf; what goes past cap is read and thrown away so
 * it does not land on the next shell prompt. *n bytes kept. */
static int prompt_read(int fd, char *buf, size_t cap, size_t *n)
{
	char drain[256];
	ssize_t r;
	int rc = 0;

	*n = 0;
	while (*n < cap && memchr(buf, '\n', *n) == NULL) {
		r = read(fd, buf + *n, cap - *n);
		if (r < 0 && errno == EINTR && !prompt_tty.caught)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -1 : 0;
			break;
		}
		*n += (size_t)r;
	}
	while (rc == 0 && *n == cap && memchr(buf, '\n', *n) == NULL) {
		r = read(fd, drain, sizeof(drain));
		if (r <= 0 || memchr(drain, '\n', (size_t)r) != NULL)
			break;
	}
	cred_wipe_bytes(drain, sizeof(drain));
	return rc;
}

/* Echo off with the line discipline kept (so backspace works), the prompt on the terminal
 * itself rather than stdout, echo restored however the read ends. */
static int prompt_tty_line(int fd, const char *user, char *buf, size_t cap, size_t *n)
{
	struct termios noecho;
	char msg[CRED_USER_MAX + 32];
	int rc, len;

	if (tcgetattr(fd, &prompt_tty.saved) < 0)
		return -1;
	prompt_tty.fd = fd;
	prompt_tty.caught = 0;
	prompt_handlers(1);
	prompt_tty.active = 1;
	noecho = prompt_tty.saved;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	noecho.c_lflag |= ECHONL;
	len = snprintf(msg, sizeof(msg), "Password for %s: ", user);
	rc = tcsetattr(fd, TCSAFLUSH, &noecho);
	if (rc == 0 && write(fd, msg, (size_t)len) != len)
		rc = -1;
	if (rc == 0)
		rc = prompt_read(fd, buf, cap, n);
	(void)tcsetattr(fd, TCSANOW, &prompt_tty.saved);
	prompt_tty.active = 0;
	prompt_handlers(0);
	if (prompt_tty.caught)
		rc = -1;
	return rc;
}

static int load_prompt(struct cred *c, const char *user, char *err, size_t errlen)
{
	size_t cap = CRED_SECRET_MAX + 2, map, n = 0;
	char *buf;
	int fd, rc;

	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "/dev/tty: %s", strerror(errno));
		return -1;
	}
	if ((buf = secbuf_new(cap + 1, &map)) == NULL) {
		snprintf(err, errlen, "no memory for the secret");
		close(fd);
		return -1;
	}
	rc = prompt_tty_line(fd, user, buf, cap, &n);
	close(fd);
	if (rc < 0 || n == 0) {
		if (prompt_tty.caught)
			snprintf(err, errlen, "the password prompt was interrupted");
		else if (rc < 0)
			snprintf(err, errlen, "/dev/tty: cannot read the password");
		else
			snprintf(err, errlen, "no password typed");
		secbuf_free(buf, map);
		return -1;
	}
	return take_secret(c, buf, map, n, cap, 0, CRED_FROM_PROMPT, err, errlen);
}

static int load_secret(struct cred *c, const char *user, const char *password_file,
    const char *token_file, int allow_prompt, char *err, size_t errlen)
{
	int rc;

	if (password_file != NULL && token_file != NULL) {
		snprintf(err, errlen, "give a password file or a token file, not both");
		return -1;
	}
	if (password_file != NULL || token_file != NULL)
		return load_file(c, password_file ? password_file : token_file, token_file != NULL,
		    err, errlen);
	if ((rc = load_env(c, err, errlen)) <= 0)
		return rc;
	if (allow_prompt && isatty(STDIN_FILENO))
		return load_prompt(c, user, err, errlen);
	snprintf(err, errlen,
	    "no password: give --password-file FILE (or --token-file FILE), set %s, or run on "
	    "a terminal to be asked",
	    CRED_ENV);
	return -1;
}

int cred_load(struct cred *c, const char *user, const char *password_file, const char *token_file,
    int allow_prompt, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	if (check_user(user, err, errlen) < 0)
		return -1;
	if (load_secret(c, user, password_file, token_file, allow_prompt, err, errlen) < 0) {
		cred_wipe(c);
		return -1;
	}
	c->user = xstrdup(user);
	return 0;
}
