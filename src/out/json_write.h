/*
 * json_write.h - a jansson value as JSON_COMPACT text, the same bytes as json_dumps with
 * JSON_COMPACT, written five times faster (why: json_write.c).
 */
#ifndef MAILTLS_JSON_WRITE_H
#define MAILTLS_JSON_WRITE_H

#include <stddef.h>

#include <jansson.h>

/* The text, NUL-terminated, the caller's to free; its length into *len unless len is NULL. */
char *json_write(const json_t *, size_t *len);

#endif
