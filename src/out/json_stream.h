/*
 * json_stream.h - JSON written as it is walked, into one buffer: no tree of values first.
 * The text is what jansson's json_dumps writes for the same document with
 * JSON_PRESERVE_ORDER and either JSON_COMPACT (indent 0) or JSON_INDENT(n), byte for byte
 * (tests/unit/test_json_stream.c holds the two against each other).
 *
 * Every call that writes a value takes the member's key: a string inside an object, NULL
 * inside an array or for the document itself. A key where none belongs, or none where one
 * does, is a bug in the caller, and fatal.
 */
#ifndef MAILTLS_JSON_STREAM_H
#define MAILTLS_JSON_STREAM_H

#include <stddef.h>
#include <time.h>

#define JS_MAXDEPTH 32

struct js {
	char *p;
	size_t len, cap;
	int indent; /* spaces a level; 0: compact */
	int depth;  /* containers open */
	struct {
		char close;      /* '}' or ']' */
		unsigned filled; /* members written */
	} level[JS_MAXDEPTH];
};

void js_init(struct js *, int indent);
/* The text, NUL-terminated, with room for one byte more before the NUL (a newline); the
 * caller's to free. Every container must have been closed. */
char *js_finish(struct js *, size_t *len);

void js_object(struct js *, const char *key); /* opens an object */
void js_array(struct js *, const char *key);  /* opens an array */
void js_end(struct js *);                     /* closes what was opened last */

void js_string(struct js *, const char *key, const char *); /* NULL: null */
void js_stringn(struct js *, const char *key, const char *, size_t);
void js_int(struct js *, const char *key, long long);
void js_real(struct js *, const char *key, double);
void js_bool(struct js *, const char *key, int);
void js_null(struct js *, const char *key);
void js_time(struct js *, const char *key, time_t); /* "2026-11-23T19:40:38Z" */

/*
 * Members written once and kept, written again as they are: js_mark is where they begin
 * (after at least one member of the open object, so that they begin with the separator),
 * js_since their bytes so far, and js_members writes such bytes into another object at
 * the same point. Compact writers only: indented text depends on the depth.
 */
size_t js_mark(const struct js *);
const char *js_since(const struct js *, size_t mark, size_t *len);
void js_members(struct js *, const char *bytes, size_t len);

#endif
