/*
 * Unit tests: the list reader (cmd/input.c) against the bytes a list may hold: one name a
 * line whatever the line holds, shown printable, bounded by INPUT_LINE_MAX.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd/input.h"

struct got {
	char name[INPUT_LINE_MAX];
	const char *why; /* NULL, or whybuf */
	char whybuf[200];
};

/* Every name input_next gives for the bytes of a list (and args before them), into got. */
static size_t read_all(const char *bytes, size_t n, char **args, size_t nargs, struct got *got,
    size_t max)
{
	char path[] = "/tmp/mailtls-test-input-XXXXXX";
	int fd = mkstemp(path);
	struct input *in = calloc(1, sizeof(*in));
	size_t k = 0;

	assert_true(fd >= 0 && in != NULL);
	assert_int_equal(write(fd, bytes, n), (ssize_t)n);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	input_init(in, args, nargs);
	in->fd = fd;
	while (k < max && input_next(in, got[k].name, sizeof(got[k].name), &got[k].why)) {
		if (got[k].why) /* it lasts until the next call */
			got[k].why = strcpy(got[k].whybuf, got[k].why);
		k++;
	}
	assert_int_equal(input_count(path), k - nargs);
	assert_int_equal(input_is_file(in, fd), 1);
	assert_int_equal(input_is_file(in, STDERR_FILENO), 0);
	unlink(path);
	close(fd);
	free(in);
	return k;
}

static void lines(void **state)
{
	static const char list[] = "a.test\r\n"
	                           "  # only a comment\n"
	                           "\n\t \n"
	                           "b.test   # and a comment\n"
	                           "c.test\0d.test\n"
	                           "e\x1b[31m.test\n"
	                           "caf\xc3\xa9.test\n"
	                           "caf\xe9.test\n" /* Latin-1: not UTF-8 */
	                           "B\xc3\x9c"
	                           "CHER.test\n"
	                           "fa\xc3\x9f.test\n"
	                           "last.test"; /* no newline at the end */
	char *args[] = {"arg\x07.test", "x.test"};
	struct got got[16];
	size_t n;

	(void)state;
	n = read_all(list, sizeof(list) - 1, args, 2, got, 16);
	assert_int_equal(n, 11);
	assert_string_equal(got[0].name, "arg?.test");
	assert_null(got[0].why);
	assert_string_equal(got[1].name, "x.test");
	assert_string_equal(got[2].name, "a.test");
	assert_null(got[2].why);
	assert_string_equal(got[3].name, "b.test");
	assert_string_equal(got[4].name, "c.test?d.test"); /* a NUL does not end the line */
	assert_string_equal(got[5].name, "e?[31m.test");
	assert_null(got[5].why); /* not a name: addr_domain_syntax says why */
	/* Names in other scripts are asked by their A-labels: IDNA2008 as UTS #46 maps it
	 * (case folded; ß kept, not turned into "ss"). */
	assert_string_equal(got[6].name, "xn--caf-dma.test");
	assert_null(got[6].why);
	assert_string_equal(got[7].name, "caf?.test");
	assert_non_null(got[7].why);
	assert_non_null(strstr(got[7].why, "not a domain name in any script (IDNA: "));
	assert_string_equal(got[8].name, "xn--bcher-kva.test");
	assert_null(got[8].why);
	assert_string_equal(got[9].name, "xn--fa-hia.test");
	assert_null(got[9].why);
	assert_string_equal(got[10].name, "last.test");
}

/* A line longer than the buffer is one name, said to be too long, however many times the
 * buffer fills before its newline; the next line is read as it is. */
static void long_lines(void **state)
{
	size_t len = 5 * INPUT_LINE_MAX + 17;
	char *list = malloc(len + 64);
	struct got got[8];
	size_t n;

	(void)state;
	memset(list, 'x', len);
	list[3] = '\0';
	memcpy(list + len, "\nok.test\n", 9);
	n = read_all(list, len + 9, NULL, 0, got, 8);
	assert_int_equal(n, 2);
	assert_int_equal(strlen(got[0].name), 63);
	assert_memory_equal(got[0].name, "xxx?xx", 6);
	assert_string_equal(got[0].name + 60, "...");
	assert_string_equal(got[0].why, "the line is longer than any domain name");
	assert_string_equal(got[1].name, "ok.test");
	assert_null(got[1].why);
	/* The longest line that fits is still a line. */
	memset(list, 'y', INPUT_LINE_MAX - 2);
	list[INPUT_LINE_MAX - 2] = '\n';
	n = read_all(list, INPUT_LINE_MAX - 1, NULL, 0, got, 8);
	assert_int_equal(n, 1);
	assert_int_equal(strlen(got[0].name), INPUT_LINE_MAX - 2);
	assert_null(got[0].why);
	free(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(lines),
	    cmocka_unit_test(long_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
