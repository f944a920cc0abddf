/*
 * yaml.h - configuration files in YAML, read with libyaml (the format Prometheus users
 * already write blackbox_exporter's modules in). A file is loaded whole into libyaml's
 * document tree, bounded in size, then walked with the helpers here; every error names the
 * file and the line.
 */
#ifndef MAILTLS_YAML_H
#define MAILTLS_YAML_H

#include <stddef.h>

#include <yaml.h>

struct yconf {
	const char *path;
	yaml_document_t doc;
	int loaded;
};

/* Load path (at most CONF_FILE_MAX bytes). 0, or -1 with err naming file and line. */
int yconf_load(struct yconf *, const char *path, char *err, size_t errlen);
/* The same from len bytes in memory, called name in errors. */
int yconf_load_buffer(struct yconf *, const char *name, const char *buf, size_t len, char *err,
    size_t errlen);
void yconf_free(struct yconf *);

yaml_node_t *yconf_root(struct yconf *);
/* The value of key in mapping m, or NULL. */
yaml_node_t *yconf_get(struct yconf *, yaml_node_t *m, const char *key);
/* The scalar text of n, or NULL when n is not a scalar. */
const char *yconf_scalar(const yaml_node_t *n);
int yconf_line(const yaml_node_t *n); /* 1-based */
/* "FILE: line N: " and fmt with what (one %s) into err; returns -1. */
int yconf_fail(char *err, size_t errlen, const struct yconf *, const yaml_node_t *n,
    const char *fmt, const char *what);
/* A boolean (true/false, yes/no, on/off); 0, or -1 when it is none of them. */
int yconf_bool(const yaml_node_t *n, int *out);

#endif
