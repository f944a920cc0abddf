/*
 * json_util.h - the small jansson helpers the JSON views share (out_json.c, out_log.c).
 */
#ifndef MAILTLS_JSON_UTIL_H
#define MAILTLS_JSON_UTIL_H

#include <time.h>

#include <jansson.h>

#include "base/util.h"

/* A string, or null for NULL. */
static inline json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* A time as "2026-11-23T19:40:38Z". */
static inline json_t *jtime(time_t t)
{
	char buf[32];

	fmt_time(t, buf, sizeof(buf));
	return json_string(buf);
}

#endif
