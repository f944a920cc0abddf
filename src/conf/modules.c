/*
 * modules.c - see modules.h. The file:
 *
 *   modules:
 *     smtp-quick:          # a name for /probe?...&module=smtp-quick
 *       protocol: smtp     # smtp, imap or pop3 (default smtp)
 *       port: 25           # default: the protocol's, 465/993/995 with tls: implicit
 *       tls: starttls      # or implicit
 *       timeout: 5         # seconds, every wait (default: the exporter's)
 *       dane: true         # look up TLSA records (default true)
 *       mta_sts: false     # MTA-STS and TLS-RPT of a domain target (default true)
 *       dns_records: false # SPF, DMARC, DKIM of a domain target (default true)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "conf/limits.h"
#include "conf/modules.h"
#include "conf/opts.h"
#include "conf/yaml.h"

/* clang-format off */
static const struct module builtin[] = {
	{"smtp", "smtp", 25, 0, 0, 1, 1, 1, 1},
	{"submission", "smtp", 587, 0, 0, 1, 1, 1, 0},
	{"submissions", "smtp", 465, 1, 0, 1, 1, 1, 0},
	{"imap", "imap", 143, 0, 0, 1, 1, 1, 0},
	{"imaps", "imap", 993, 1, 0, 1, 1, 1, 0},
	{"pop3", "pop3", 110, 0, 0, 1, 1, 1, 0},
	{"pop3s", "pop3", 995, 1, 0, 1, 1, 1, 0},
};
/* clang-format on */

static uint16_t default_port(const char *protocol, int implicit)
{
	if (strcmp(protocol, "imap") == 0)
		return implicit ? 993 : 143;
	if (strcmp(protocol, "pop3") == 0)
		return implicit ? 995 : 110;
	return implicit ? 465 : 25;
}

/* One module's mapping into m; 0, or -1 with err. */
static int module_read(struct yconf *c, yaml_node_t *n, struct module *m, char *err, size_t errlen)
{
	char why[200];
	int port_given = 0;

	if (n->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "%s: line %d: module %s is not a mapping", c->path,
		    yconf_line(n), m->name);
		return -1;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = yaml_document_get_node(&c->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(&c->doc, p->value);
		const char *k = yconf_scalar(kn), *v = yconf_scalar(vn);
		int line = yconf_line(vn), bad = 0;

		why[0] = '\0';
		if (k == NULL || v == NULL) {
			snprintf(why, sizeof(why), "every setting is a key and a plain value");
		} else if (strcmp(k, "protocol") == 0) {
			if (strcmp(v, "smtp") && strcmp(v, "imap") && strcmp(v, "pop3"))
				snprintf(why, sizeof(why),
				    "protocol \"%s\" is not smtp, imap or pop3", v);
			else
				snprintf(m->protocol, sizeof(m->protocol), "%s", v);
		} else if (strcmp(k, "port") == 0) {
			bad = opts_parse_port(v, &m->port, why, sizeof(why));
			port_given = 1;
		} else if (strcmp(k, "tls") == 0) {
			if (strcmp(v, "starttls") && strcmp(v, "implicit"))
				snprintf(why, sizeof(why), "tls \"%s\" is not starttls or implicit",
				    v);
			m->implicit_tls = strcmp(v, "implicit") == 0;
		} else if (strcmp(k, "timeout") == 0) {
			bad = opts_parse_seconds(v, &m->timeout_s, why, sizeof(why));
		} else if (strcmp(k, "dane") == 0 || strcmp(k, "mta_sts") == 0 ||
		    strcmp(k, "dns_records") == 0) {
			int *flag = k[0] == 'd' && k[1] == 'a' ? &m->dane
			    : k[0] == 'm'                      ? &m->mta_sts
			                                       : &m->dns_records;
			if (yconf_bool(vn, flag) != 0)
				snprintf(why, sizeof(why), "%s \"%s\" is not true or false", k, v);
		} else {
			snprintf(why, sizeof(why),
			    "unknown setting \"%s\" (protocol, port, tls, timeout, dane, mta_sts, "
			    "dns_records)",
			    k);
		}
		if (bad || why[0]) {
			snprintf(err, errlen, "%s: line %d: module %s: %s", c->path,
			    line ? line : yconf_line(n), m->name, why);
			return -1;
		}
	}
	if (!port_given)
		m->port = default_port(m->protocol, m->implicit_tls);
	m->domains = strcmp(m->protocol, "smtp") == 0 && !m->implicit_tls;
	return 0;
}

int modules_load(struct modules *ms, const char *path, char *err, size_t errlen)
{
	struct yconf c;
	yaml_node_t *root, *mods;
	int rc = -1;

	ms->n = sizeof(builtin) / sizeof(builtin[0]);
	ms->v = xcalloc(ms->n, sizeof(*ms->v));
	memcpy(ms->v, builtin, sizeof(builtin));
	if (path == NULL)
		return 0;
	if (yconf_load(&c, path, err, errlen) != 0)
		return -1;
	root = yconf_root(&c);
	mods = yconf_get(&c, root, "modules");
	if (root->type != YAML_MAPPING_NODE || mods == NULL || mods->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "%s: line %d: expected \"modules:\" and a mapping of them",
		    path, yconf_line(mods ? mods : root));
		goto out;
	}
	for (yaml_node_pair_t *p = mods->data.mapping.pairs.start; p < mods->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = yaml_document_get_node(&c.doc, p->key);
		const char *name = yconf_scalar(kn);
		struct module m = {.protocol = "smtp", .dane = 1, .mta_sts = 1, .dns_records = 1};
		size_t i;

		if (name == NULL || strlen(name) == 0 || strlen(name) >= MODULE_NAME_MAX ||
		    strspn(name,
		        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
		        strlen(name)) {
			snprintf(err, errlen,
			    "%s: line %d: a module name is 1 to %d letters, digits, "
			    "'-', '_' or '.'",
			    path, yconf_line(kn), MODULE_NAME_MAX - 1);
			goto out;
		}
		if (ms->n >= MODULES_MAX) {
			snprintf(err, errlen, "%s: line %d: more than %d modules", path,
			    yconf_line(kn), MODULES_MAX);
			goto out;
		}
		snprintf(m.name, sizeof(m.name), "%s", name);
		if (module_read(&c, yaml_document_get_node(&c.doc, p->value), &m, err, errlen) != 0)
			goto out;
		for (i = 0; i < ms->n && strcmp(ms->v[i].name, m.name) != 0; i++)
			;
		if (i == ms->n)
			ms->v = xreallocarray(ms->v, ++ms->n, sizeof(*ms->v));
		ms->v[i] = m; /* a module of the file replaces a built-in one of its name */
	}
	rc = 0;
out:
	yconf_free(&c);
	return rc;
}

const struct module *modules_find(const struct modules *ms, const char *name)
{
	for (size_t i = 0; i < ms->n; i++)
		if (strcasecmp(ms->v[i].name, name) == 0)
			return &ms->v[i];
	return NULL;
}

void modules_free(struct modules *ms)
{
	free(ms->v);
	ms->v = NULL;
	ms->n = 0;
}
