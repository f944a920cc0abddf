/*
 * json_stream.c - the stream writer (out/json_stream.c) against jansson's own json_dumps: a
 * document built from the input, walked into the stream, must come out as the same bytes
 * from both, compact and indented. A string jansson refuses (not UTF-8) is written alone
 * and must come out as JSON that jansson parses back to one string. Any difference aborts.
 *
 * Input layout, a small program: each byte picks what comes next (by its value mod 8):
 * 0 a string of the next byte's count of bytes (when jansson finds it not UTF-8: alone),
 * 1 an integer of the next 8 bytes, 2 a real of the next 8 bytes (skipped if not finite),
 * 3 true, false or null, 4 an array opens, 5 an object opens (its keys are the strings
 * that follow), 6 the innermost array or object closes.
 */
#include <math.h>

#include <jansson.h>

#include "fuzz.h"
#include "json_walk.h"
#include "out/json_stream.h"

#define DEPTH_MAX (JS_MAXDEPTH - 1) /* and the empty container the deepest may hold */

static void same(const json_t *root, int indent)
{
	char *want = json_dumps(root, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER |
	    (indent ? JSON_INDENT(indent) : JSON_COMPACT));
	struct js w;
	size_t len = 0;
	char *got;

	js_init(&w, indent);
	json_walk(&w, NULL, root);
	got = js_finish(&w, &len);
	if (want == NULL || strcmp(want, got) != 0 || len != strlen(want))
		abort();
	free(want);
	free(got);
}

/* Bytes jansson refuses as a string: written anyway, as JSON that reads back as a string. */
static void not_utf8(const uint8_t *p, size_t n)
{
	struct js w;
	size_t len;
	char *got;
	json_t *back;

	js_init(&w, 0);
	js_stringn(&w, NULL, (const char *)p, n);
	got = js_finish(&w, &len);
	back = json_loadb(got, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!json_is_string(back) || json_string_length(back) < n)
		abort();
	json_decref(back);
	free(got);
}

static uint64_t take64(struct fuzz_in *in)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | fuzz_byte(in);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	json_t *stack[DEPTH_MAX], *root = json_array();
	char *key = NULL;
	int depth = 0;

	stack[0] = root;
	while (in.n > 0) {
		unsigned op = fuzz_byte(&in) % 8;
		json_t *v = NULL, *top = stack[depth];

		if (op == 0) {
			size_t n = fuzz_byte(&in);

			if (n > in.n)
				n = in.n;
			if (json_is_object(top) && key == NULL) { /* a key: UTF-8 without NUL */
				json_t *k = json_stringn((const char *)in.p, n);

				if (k && memchr(in.p, 0, n) == NULL)
					key = strdup(json_string_value(k));
				json_decref(k);
				in.p += n;
				in.n -= n;
				continue;
			}
			v = json_stringn((const char *)in.p, n);
			if (v == NULL)
				not_utf8(in.p, n);
			in.p += n;
			in.n -= n;
		} else if (op == 1) {
			v = json_integer((json_int_t)take64(&in));
		} else if (op == 2) {
			uint64_t b = take64(&in);
			double d;

			memcpy(&d, &b, sizeof(d));
			if (isfinite(d))
				v = json_real(d);
		} else if (op == 3) {
			unsigned w = fuzz_byte(&in) % 3;

			v = w == 0 ? json_true() : w == 1 ? json_false() : json_null();
		} else if (op == 4 || op == 5) {
			v = op == 4 ? json_array() : json_object();
		} else if (op == 6) {
			if (depth > 0)
				depth--;
			continue;
		}
		if (v == NULL)
			continue;
		if (json_is_array(top))
			json_array_append(top, v);
		else if (key) {
			json_object_set(top, key, v);
			free(key);
			key = NULL;
		} else {
			json_decref(v);
			continue;
		}
		if ((json_is_array(v) || json_is_object(v)) && depth + 1 < DEPTH_MAX)
			stack[++depth] = v;
		json_decref(v);
	}
	free(key);
	same(root, 0);
	same(root, 2);
	json_decref(root);
	return 0;
}
