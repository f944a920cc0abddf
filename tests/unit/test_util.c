/*
 * Unit tests: base/util.c's bounded line reader, which reads files a crash or a disk may
 * have damaged (--resume, the audit logs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/util.h"

static void lines(void **state)
{
	/* A NUL inside a line; a line one byte too long; one that just fits; a torn end. */
	static const char bytes[] = "ab\0cd\n"
	                            "0123456789\n"
	                            "next\n"
	                            "012345678\n"
	                            "torn";
	FILE *f = fmemopen((void *)bytes, sizeof(bytes) - 1, "r");
	char buf[10];

	(void)state;
	assert_non_null(f);
	assert_int_equal(read_line(f, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "ab\0cd\n", 6);
	assert_int_equal(read_line(f, buf, sizeof(buf)), -1); /* 11 bytes with its newline */
	assert_int_equal(read_line(f, buf, sizeof(buf)), 5);  /* the next line is whole */
	assert_memory_equal(buf, "next\n", 5);
	assert_int_equal(read_line(f, buf, sizeof(buf)), 10); /* 10 bytes: fits */
	assert_memory_equal(buf, "012345678\n", 10);
	assert_int_equal(read_line(f, buf, sizeof(buf)), 4); /* no newline: torn */
	assert_memory_equal(buf, "torn", 4);
	assert_int_equal(read_line(f, buf, sizeof(buf)), 0);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
