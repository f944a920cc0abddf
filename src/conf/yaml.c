/*
 * yaml.c - see yaml.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "conf/limits.h"
#include "conf/yaml.h"

/* Parse what parser is set to read into c->doc; name is for errors. */
static int yconf_parse(struct yconf *c, yaml_parser_t *parser, const char *name, char *err,
    size_t errlen)
{
	int ok = yaml_parser_load(parser, &c->doc);

	if (!ok)
		snprintf(err, errlen, "%s: line %zu: %s", name, parser->problem_mark.line + 1,
		    parser->problem ? parser->problem : "does not parse as YAML");
	else
		c->loaded = 1;
	yaml_parser_delete(parser);
	if (ok && yaml_document_get_root_node(&c->doc) == NULL) {
		snprintf(err, errlen, "%s: the file is empty", name);
		yconf_free(c);
		return -1;
	}
	return ok ? 0 : -1;
}

int yconf_load_buffer(struct yconf *c, const char *name, const char *buf, size_t len, char *err,
    size_t errlen)
{
	yaml_parser_t parser;

	memset(c, 0, sizeof(*c));
	c->path = name;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot start the YAML parser", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	return yconf_parse(c, &parser, name, err, errlen);
}

int yconf_load(struct yconf *c, const char *path, char *err, size_t errlen)
{
	yaml_parser_t parser;
	struct stat st;
	FILE *f;
	int ok;

	memset(c, 0, sizeof(*c));
	c->path = path;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot read it", path);
		return -1;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > CONF_FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file of at most %d bytes", path,
		    CONF_FILE_MAX);
		fclose(f);
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		snprintf(err, errlen, "%s: cannot start the YAML parser", path);
		return -1;
	}
	yaml_parser_set_input_file(&parser, f);
	ok = yconf_parse(c, &parser, path, err, errlen);
	fclose(f);
	return ok;
}

void yconf_free(struct yconf *c)
{
	if (c->loaded)
		yaml_document_delete(&c->doc);
	c->loaded = 0;
}

yaml_node_t *yconf_root(struct yconf *c)
{
	return yaml_document_get_root_node(&c->doc);
}

const char *yconf_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *yconf_get(struct yconf *c, yaml_node_t *m, const char *key)
{
	if (m == NULL || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	     p++) {
		const char *k = yconf_scalar(yaml_document_get_node(&c->doc, p->key));

		if (k && strcmp(k, key) == 0)
			return yaml_document_get_node(&c->doc, p->value);
	}
	return NULL;
}

int yconf_fail(char *err, size_t errlen, const struct yconf *c, const yaml_node_t *n,
    const char *fmt, const char *what)
{
	char msg[200];

	snprintf(msg, sizeof(msg), fmt, what);
	snprintf(err, errlen, "%s: line %d: %s", c->path, yconf_line(n), msg);
	return -1;
}

int yconf_line(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

int yconf_bool(const yaml_node_t *n, int *out)
{
	static const char *const yes[] = {"true", "yes", "on"},
	                         *const no[] = {"false", "no", "off"};
	const char *s = yconf_scalar(n);

	for (size_t i = 0; s && i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}
