/*
 * json_stream.c - see json_stream.h.
 *
 * Why not a jansson tree and json_dumps: a --jsonl record is about 3 KiB and 300 values. As
 * a tree, each value was an allocation and each member a hash-table insert, then jansson's
 * dump decoded every character as UTF-8 and appended a token at a time through a callback:
 * 0.29 M instructions and 300 allocations a domain of the 5.3 M bench/bulk.sh counts.
 * Written as it is walked, a record is one growing buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "out/json_stream.h"

static void js_room(struct js *w, size_t n)
{
	if (w->len + n + 2 <= w->cap) /* and a newline and the NUL (js_finish) */
		return;
	while (w->len + n + 2 > w->cap)
		w->cap = w->cap ? 2 * w->cap : 4096;
	w->p = xreallocarray(w->p, w->cap, 1);
}

static void js_add(struct js *w, const char *s, size_t n)
{
	js_room(w, n);
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void js_char(struct js *w, char c)
{
	js_room(w, 1);
	w->p[w->len++] = c;
}

/* A newline and the indent of depth levels; nothing when compact. */
static void js_newline(struct js *w, int depth)
{
	size_t n = (size_t)w->indent * (size_t)depth;

	if (w->indent == 0)
		return;
	js_room(w, n + 1);
	w->p[w->len++] = '\n';
	memset(w->p + w->len, ' ', n);
	w->len += n;
}

/*
 * The length of the valid UTF-8 sequence at s (at most n bytes), or 0 (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), as jansson checks it.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * A string as jansson writes it without JSON_ENSURE_ASCII: UTF-8 as it is, '"' '\\' and
 * control characters escaped, the usual five by name. jansson refuses a string that is not
 * UTF-8 (the member is lost); here each byte that does not begin a valid sequence becomes
 * U+FFFD, so nothing is dropped. What servers say is censored before it gets here.
 */
static void js_quoted(struct js *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	size_t run = 0, i = 0;

	js_char(w, '"');
	while (i < n) {
		unsigned char c = u[i];
		const char *esc;
		char x[6];
		size_t l;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80 && (l = utf8_len(u + i, n - i)) > 0) {
			i += l;
			continue;
		}
		js_add(w, s + run, i - run);
		run = ++i;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (c >= 0x80) {
				js_add(w, "\xef\xbf\xbd", 3);
				continue;
			}
			memcpy(x, "\\u00", 4);
			x[4] = hex[c >> 4];
			x[5] = hex[c & 15];
			js_add(w, x, 6);
			continue;
		}
		js_add(w, esc, 2);
	}
	js_add(w, s + run, n - run);
	js_char(w, '"');
}

/* What comes before a value: the separator and indent, and the key inside an object. */
static void js_member(struct js *w, const char *key)
{
	int in_object = w->depth > 0 && w->level[w->depth - 1].close == '}';

	if ((key != NULL) != in_object)
		fatal("JSON: %s %s", key ? "a key inside an array:" : "no key inside an object",
		    key ? key : "");
	if (w->depth == 0)
		return;
	if (w->level[w->depth - 1].filled++)
		js_char(w, ',');
	js_newline(w, w->depth);
	if (key) {
		js_quoted(w, key, strlen(key));
		if (w->indent)
			js_add(w, ": ", 2);
		else
			js_char(w, ':');
	}
}

void js_init(struct js *w, int indent)
{
	memset(w, 0, sizeof(*w));
	w->indent = indent;
}

char *js_finish(struct js *w, size_t *len)
{
	if (w->depth != 0)
		fatal("JSON: %d containers left open", w->depth);
	js_room(w, 0);
	w->p[w->len] = '\0';
	if (len)
		*len = w->len;
	return w->p;
}

static void js_open(struct js *w, const char *key, char open, char close)
{
	js_member(w, key);
	if (w->depth == JS_MAXDEPTH)
		fatal("JSON: more than %d levels", JS_MAXDEPTH);
	js_char(w, open);
	w->level[w->depth].close = close;
	w->level[w->depth].filled = 0;
	w->depth++;
}

void js_object(struct js *w, const char *key)
{
	js_open(w, key, '{', '}');
}

void js_array(struct js *w, const char *key)
{
	js_open(w, key, '[', ']');
}

void js_end(struct js *w)
{
	if (w->depth == 0)
		fatal("JSON: nothing to close");
	w->depth--;
	if (w->level[w->depth].filled)
		js_newline(w, w->depth);
	js_char(w, w->level[w->depth].close);
}

void js_stringn(struct js *w, const char *key, const char *s, size_t n)
{
	js_member(w, key);
	js_quoted(w, s, n);
}

void js_string(struct js *w, const char *key, const char *s)
{
	if (s == NULL)
		js_null(w, key);
	else
		js_stringn(w, key, s, strlen(s));
}

void js_int(struct js *w, const char *key, long long v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%lld", v);

	js_member(w, key);
	js_add(w, b, (size_t)n);
}

/* A real as jansson's jsonp_dtostr writes it at its default precision: %.17g, ".0" added
 * when that reads as an integer, the exponent without '+' or leading zeros. */
void js_real(struct js *w, const char *key, double v)
{
	char b[64], *e;
	int n = snprintf(b, sizeof(b) - 3, "%.17g", v);

	js_member(w, key);
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
	js_add(w, b, (size_t)n);
}

void js_bool(struct js *w, const char *key, int v)
{
	js_member(w, key);
	if (v)
		js_add(w, "true", 4);
	else
		js_add(w, "false", 5);
}

void js_null(struct js *w, const char *key)
{
	js_member(w, key);
	js_add(w, "null", 4);
}

/* Members kept and written again: in an open object that has members already, compact. */
static void js_members_point(const struct js *w)
{
	if (w->indent || w->depth == 0 || w->level[w->depth - 1].close != '}' ||
	    w->level[w->depth - 1].filled == 0)
		fatal("JSON: kept members go after a member of an open object, compact");
}

size_t js_mark(const struct js *w)
{
	js_members_point(w);
	return w->len;
}

const char *js_since(const struct js *w, size_t mark, size_t *len)
{
	*len = w->len - mark;
	return w->p + mark;
}

void js_members(struct js *w, const char *bytes, size_t len)
{
	js_members_point(w);
	js_add(w, bytes, len);
}

void js_time(struct js *w, const char *key, time_t t)
{
	char buf[32];

	fmt_time(t, buf, sizeof(buf));
	js_string(w, key, buf);
}
