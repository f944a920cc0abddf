/*
 * Unit tests of the credential reader (conf/cred.c): a password file with and without a line
 * end, a 0644 file, an empty, a too long and a NUL-holding file, a token file, a pipe, the
 * environment variable read and removed, no source at all, and the wipe. No error may
 * carry the secret.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/cred.h"

#define SECRET "lab-secret-1"

/* A file holding n bytes of text, with the given mode; its path into path (64 bytes). */
static void write_file(char *path, const char *text, size_t n, mode_t mode)
{
	int fd;

	strcpy(path, "/tmp/mailtls-cred-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* Load from a file of n bytes; the return code, with c and err filled. */
static int load_file(struct cred *c, const char *text, size_t n, mode_t mode, int token, char *err,
    size_t errlen, char *path)
{
	int rc;

	write_file(path, text, n, mode);
	err[0] = '\0';
	rc = cred_load(c, "alice", token ? NULL : path, token ? path : NULL, 0, err, errlen);
	unlink(path);
	return rc;
}

static void assert_loaded(const struct cred *c, const char *want)
{
	size_t i;

	assert_string_equal(c->user, "alice");
	assert_int_equal(c->secret_len, strlen(want));
	assert_memory_equal(c->secret, want, strlen(want) + 1);
	/* Whatever else was read (a second line) is gone from the buffer. */
	for (i = c->secret_len; i < c->secret_map; i++)
		assert_int_equal(c->secret[i], 0);
}

static void file_line_ends(void **state)
{
	static const char *texts[] = {SECRET "\n", SECRET, SECRET "\r\n", SECRET "\nsecond line\n",
	    SECRET "\r\nsecond line"};
	struct cred c;
	char err[300], path[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(load_file(&c, texts[i], strlen(texts[i]), 0600, 0, err,
		                     sizeof(err), path),
		    0);
		assert_loaded(&c, SECRET);
		assert_false(c.token);
		cred_wipe(&c);
	}
}

/* The refusal names the file and its mode, never what it holds. */
static void file_readable_by_others(void **state)
{
	static const mode_t modes[] = {0644, 0640, 0604, 0660, 0610};
	struct cred c;
	char err[300], path[64], mode[8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(load_file(&c, SECRET "\n", 13, modes[i], 0, err, sizeof(err),
		                     path),
		    -1);
		snprintf(mode, sizeof(mode), "%04o", (unsigned)modes[i]);
		assert_non_null(strstr(err, path));
		assert_non_null(strstr(err, mode));
		assert_null(strstr(err, SECRET));
		assert_null(c.secret);
		cred_wipe(&c);
	}
}

static void file_refusals(void **state)
{
	static const struct {
		const char *text;
		size_t n;
		const char *why;
	} cases[] = {
#define CASE(text, why) {text, sizeof(text) - 1, why}
	    /* clang-format off */
	    CASE("", "empty"),
	    CASE("\n", "empty"),
	    CASE("\r\n" SECRET "\n", "empty"), /* the first line counts, even when blank */
	    CASE("lab-se\0cret-1\n", "NUL"),
	    CASE("lab-se\rcret-1\n", "NUL, CR or LF"),
	    CASE("lab-secret-1\r", "NUL, CR or LF"), /* a CR without its LF is no line end */
	/* clang-format on */
#undef CASE
	};
	struct cred c;
	char err[300], path[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (load_file(&c, cases[i].text, cases[i].n, 0600, 0, err, sizeof(err), path) != -1)
			fail_msg("case %zu: accepted", i);
		if (strstr(err, cases[i].why) == NULL)
			fail_msg("case %zu: \"%s\" does not say %s", i, err, cases[i].why);
		assert_non_null(strstr(err, path));
		assert_null(strstr(err, "cret-1"));
		cred_wipe(&c);
	}
}

/* CRED_SECRET_MAX bytes pass, one more does not; tokens may be longer. */
static void file_lengths(void **state)
{
	size_t n = CRED_TOKEN_MAX + 2;
	char *text = malloc(n), err[300], path[64];
	struct cred c;

	(void)state;
	memset(text, 'a', n);
	text[CRED_SECRET_MAX] = '\n';
	assert_int_equal(load_file(&c, text, CRED_SECRET_MAX + 1, 0600, 0, err, sizeof(err), path),
	    0);
	assert_int_equal(c.secret_len, CRED_SECRET_MAX);
	cred_wipe(&c);
	text[CRED_SECRET_MAX] = 'a';
	text[CRED_SECRET_MAX + 1] = '\n';
	assert_int_equal(load_file(&c, text, CRED_SECRET_MAX + 2, 0600, 0, err, sizeof(err), path),
	    -1);
	assert_non_null(strstr(err, "longer than 4096"));
	assert_null(strstr(err, "aaaa"));
	/* No line end at all, and far past the bound. */
	assert_int_equal(load_file(&c, text, n, 0600, 0, err, sizeof(err), path), -1);
	assert_non_null(strstr(err, "longer than 4096"));
	memset(text, 'a', n);
	assert_int_equal(load_file(&c, text, CRED_TOKEN_MAX, 0600, 1, err, sizeof(err), path), 0);
	assert_int_equal(c.secret_len, CRED_TOKEN_MAX);
	assert_true(c.token);
	cred_wipe(&c);
	assert_int_equal(load_file(&c, text, CRED_TOKEN_MAX + 1, 0600, 1, err, sizeof(err), path),
	    -1);
	assert_non_null(strstr(err, "token is longer than 16384"));
	free(text);
}

static void token_file(void **state)
{
	struct cred c;
	char err[300], path[64];
	const char *tok = "ya29.a0Af-_tok~en+/==";

	(void)state;
	assert_int_equal(load_file(&c, "ya29.a0Af-_tok~en+/==\n", 22, 0600, 1, err, sizeof(err),
	                     path),
	    0);
	assert_loaded(&c, tok);
	assert_true(c.token);
	cred_wipe(&c);
	/* A blank or a ^A would break the OAuth messages' fields. */
	assert_int_equal(load_file(&c, "ya29 tok\n", 9, 0600, 1, err, sizeof(err), path), -1);
	assert_non_null(strstr(err, "not printable ASCII"));
	assert_int_equal(load_file(&c, "ya29\001tok\n", 9, 0600, 1, err, sizeof(err), path), -1);
	assert_non_null(strstr(err, "not printable ASCII"));
}

/* --password-file /dev/fd/N: a pipe is private to the process, mode 0600. */
static void file_pipe(void **state)
{
	struct cred c;
	char err[300], path[32];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], SECRET "\n", 13), 13);
	close(p[1]);
	snprintf(path, sizeof(path), "/dev/fd/%d", p[0]);
	assert_int_equal(cred_load(&c, "alice", path, NULL, 0, err, sizeof(err)), 0);
	assert_loaded(&c, SECRET);
	close(p[0]);
	cred_wipe(&c);
}

static void file_missing_or_wrong(void **state)
{
	struct cred c;
	char err[300];

	(void)state;
	assert_int_equal(cred_load(&c, "alice", "/nonexistent/pw", NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/pw"));
	assert_int_equal(cred_load(&c, "alice", "/tmp", NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	assert_int_equal(cred_load(&c, "alice", "/a", "/b", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not both"));
}

static void bad_user(void **state)
{
	struct cred c;
	char err[300];

	(void)state;
	assert_int_equal(cred_load(&c, NULL, "/nonexistent", NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no user name"));
	assert_int_equal(cred_load(&c, "", "/nonexistent", NULL, 0, err, sizeof(err)), -1);
	assert_int_equal(cred_load(&c, "al\001ice", "/nonexistent", NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "control character"));
}

static void env_read_and_removed(void **state)
{
	struct cred c;
	char err[300];

	(void)state;
	assert_int_equal(setenv(CRED_ENV, SECRET, 1), 0);
	assert_int_equal(cred_load(&c, "alice", NULL, NULL, 0, err, sizeof(err)), 0);
	assert_loaded(&c, SECRET);
	assert_null(getenv(CRED_ENV));
	cred_wipe(&c);
	/* A refused value is removed too. */
	assert_int_equal(setenv(CRED_ENV, "lab\nsecret", 1), 0);
	assert_int_equal(cred_load(&c, "alice", NULL, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, CRED_ENV));
	assert_null(strstr(err, "secret"));
	assert_null(getenv(CRED_ENV));
	assert_int_equal(setenv(CRED_ENV, "", 1), 0);
	assert_int_equal(cred_load(&c, "alice", NULL, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
	assert_null(getenv(CRED_ENV));
}

/* A file beats the variable, which is then left alone. */
static void file_before_env(void **state)
{
	struct cred c;
	char err[300], path[64];

	(void)state;
	assert_int_equal(setenv(CRED_ENV, "from-env", 1), 0);
	assert_int_equal(load_file(&c, SECRET "\n", 13, 0600, 0, err, sizeof(err), path), 0);
	assert_loaded(&c, SECRET);
	assert_string_equal(getenv(CRED_ENV), "from-env");
	unsetenv(CRED_ENV);
	cred_wipe(&c);
}

static void assert_says_how(const char *err)
{
	assert_non_null(strstr(err, "--password-file"));
	assert_non_null(strstr(err, CRED_ENV));
	assert_non_null(strstr(err, "terminal"));
}

/* Nothing given and no terminal: the message says how to give a password. */
static void no_source(void **state)
{
	struct cred c;
	char err[300];
	int saved, devnull;

	(void)state;
	unsetenv(CRED_ENV);
	assert_int_equal(cred_load(&c, "alice", NULL, NULL, 0, err, sizeof(err)), -1);
	assert_says_how(err);
	assert_null(c.secret);
	/* Prompting allowed, but stdin is not a terminal. */
	saved = dup(STDIN_FILENO);
	devnull = open("/dev/null", O_RDONLY);
	assert_true(saved >= 0 && devnull >= 0);
	assert_int_equal(dup2(devnull, STDIN_FILENO), STDIN_FILENO);
	assert_int_equal(cred_load(&c, "alice", NULL, NULL, 1, err, sizeof(err)), -1);
	dup2(saved, STDIN_FILENO);
	close(saved);
	close(devnull);
	assert_says_how(err);
}

static void wipe(void **state)
{
	char buf[32], zero[32];
	struct cred c;
	char err[300], path[64];

	(void)state;
	memset(zero, 0, sizeof(zero));
	memcpy(buf, SECRET "-and-more-bytes-here", 32);
	cred_wipe_bytes(buf, sizeof(buf));
	assert_memory_equal(buf, zero, sizeof(buf));
	cred_wipe_bytes(NULL, 5);
	assert_int_equal(load_file(&c, SECRET "\n", 13, 0600, 0, err, sizeof(err), path), 0);
	assert_true(c.secret_map >= c.secret_len + 1);
	cred_wipe(&c);
	assert_null(c.secret);
	assert_null(c.user);
	assert_int_equal(c.secret_len, 0);
	assert_int_equal(c.secret_map, 0);
	cred_wipe(&c); /* twice is harmless */
	cred_wipe(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(file_line_ends),
	    cmocka_unit_test(file_readable_by_others),
	    cmocka_unit_test(file_refusals),
	    cmocka_unit_test(file_lengths),
	    cmocka_unit_test(token_file),
	    cmocka_unit_test(file_pipe),
	    cmocka_unit_test(file_missing_or_wrong),
	    cmocka_unit_test(bad_user),
	    cmocka_unit_test(env_read_and_removed),
	    cmocka_unit_test(file_before_env),
	    cmocka_unit_test(no_source),
	    cmocka_unit_test(wipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
