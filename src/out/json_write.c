/*
 * json_write.c - see json_write.h.
 *
 * Why not json_dumps: it writes what this writes, byte for byte (tests/unit/test_json_write.c
 * holds the two against each other), but at about 100 instructions a byte of output: it
 * decodes every character of every string as UTF-8 and appends through a callback a token
 * at a time. A --jsonl record is 3 KiB; jansson's dump was 0.31 M of the 6.2 M instructions
 * a domain costs in bench/bulk.sh, this is a fifth of that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "out/json_write.h"

struct jw {
	char *p;
	size_t len, cap;
};

static void jw_room(struct jw *w, size_t n)
{
	if (w->len + n + 1 <= w->cap)
		return;
	while (w->len + n + 1 > w->cap)
		w->cap = w->cap ? 2 * w->cap : 4096;
	w->p = xreallocarray(w->p, w->cap, 1);
}

static void jw_add(struct jw *w, const char *s, size_t n)
{
	jw_room(w, n);
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void jw_char(struct jw *w, char c)
{
	jw_room(w, 1);
	w->p[w->len++] = c;
}

/* A string as jansson writes it without JSON_ENSURE_ASCII: UTF-8 as it is (jansson keeps
 * only valid UTF-8), '"' '\\' and control characters escaped, the usual five by name. */
static void jw_string(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0;

	jw_char(w, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[6];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		jw_add(w, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			memcpy(u, "\\u00", 4);
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			jw_add(w, u, 6);
			continue;
		}
		jw_add(w, esc, 2);
	}
	jw_add(w, s + run, n - run);
	jw_char(w, '"');
}

/* A real as jansson's jsonp_dtostr writes it at its default precision: %.17g, ".0" added
 * when that reads as an integer, the exponent without '+' or leading zeros. */
static void jw_real(struct jw *w, double v)
{
	char b[64], *e;
	int n = snprintf(b, sizeof(b) - 3, "%.17g", v);

	if (n < 0 || (size_t)n >= sizeof(b) - 3)
		n = snprintf(b, sizeof(b), "0.0");
	if (strchr(b, '.') == NULL && strchr(b, 'e') == NULL) {
		memcpy(b + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(b, 'e')) != NULL) {
		char *start = e + 1, *end = e + 2;

		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start) {
			memmove(start, end, (size_t)(n - (end - b)) + 1);
			n -= (int)(end - start);
		}
	}
	jw_add(w, b, (size_t)n);
}

static void jw_value(struct jw *w, const json_t *v)
{
	char b[32];
	int n;

	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *x;
		int first = 1;

		jw_char(w, '{');
		json_object_foreach((json_t *)v, key, x) {
			if (!first)
				jw_char(w, ',');
			first = 0;
			jw_string(w, key, strlen(key));
			jw_char(w, ':');
			jw_value(w, x);
		}
		jw_char(w, '}');
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *x;

		jw_char(w, '[');
		json_array_foreach(v, i, x) {
			if (i)
				jw_char(w, ',');
			jw_value(w, x);
		}
		jw_char(w, ']');
		break;
	}
	case JSON_STRING:
		jw_string(w, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		n = snprintf(b, sizeof(b), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		jw_add(w, b, (size_t)n);
		break;
	case JSON_REAL:
		jw_real(w, json_real_value(v));
		break;
	case JSON_TRUE:
		jw_add(w, "true", 4);
		break;
	case JSON_FALSE:
		jw_add(w, "false", 5);
		break;
	case JSON_NULL:
		jw_add(w, "null", 4);
		break;
	}
}

char *json_write(const json_t *v, size_t *len)
{
	struct jw w = {0};

	jw_value(&w, v);
	jw_room(&w, 0);
	w.p[w.len] = '\0';
	if (len)
		*len = w.len;
	return w.p;
}
