/*
 * json_walk.h - a jansson document walked into the stream writer (out/json_stream.h), the
 * way out_json.c walks its structs: for the tests that hold the stream against
 * json_dumps (tests/unit/test_json_stream.c, tests/fuzz/json_stream.c).
 */
#ifndef MAILTLS_TEST_JSON_WALK_H
#define MAILTLS_TEST_JSON_WALK_H

#include <jansson.h>

#include "out/json_stream.h"

static inline void json_walk(struct js *w, const char *key, const json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		js_object(w, key);
		json_object_foreach((json_t *)v, k, x)
			json_walk(w, k, x);
		js_end(w);
		break;
	case JSON_ARRAY:
		js_array(w, key);
		json_array_foreach(v, i, x)
			json_walk(w, NULL, x);
		js_end(w);
		break;
	case JSON_STRING:
		js_stringn(w, key, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		js_int(w, key, json_integer_value(v));
		break;
	case JSON_REAL:
		js_real(w, key, json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		js_bool(w, key, json_is_true(v));
		break;
	case JSON_NULL:
		js_null(w, key);
		break;
	}
}

#endif
