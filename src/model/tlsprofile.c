/*
 * tlsprofile.c - TLS profiles read from YAML (tlsprofile.h) and the grading of a TLS map.
 * The built-in profiles are data/tls-profiles.yml itself, put into the object file by the
 * assembler (the Makefile rebuilds this object when the file changes), so that the data
 * stays a file people read and edit, and the binary needs nothing installed beside it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "conf/yaml.h"
#include "model/suites.h"
#include "model/tlsprofile.h"

__asm__(".pushsection .rodata\n"
        ".balign 16\n"
        "mailtls_tls_profiles_yml:\n"
        ".incbin \"data/tls-profiles.yml\"\n"
        "mailtls_tls_profiles_yml_end:\n"
        ".popsection\n");
extern const char mailtls_tls_profiles_yml[], mailtls_tls_profiles_yml_end[];

static yaml_node_t *node(struct yconf *c, int i)
{
	return yaml_document_get_node(&c->doc, i);
}

/* The items of a sequence node (one scalar counts as a sequence of one). */
static size_t items(struct yconf *c, yaml_node_t *n, yaml_node_t **out, size_t max)
{
	size_t k = 0;

	if (n->type == YAML_SCALAR_NODE) {
		out[0] = n;
		return 1;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top && k < max; it++)
		out[k++] = node(c, *it);
	return n->data.sequence.items.top - n->data.sequence.items.start > (long)max ? max + 1 : k;
}

static int grade_of(const struct tls_profile *p, const char *s)
{
	for (size_t i = 0; i < p->ngrades; i++)
		if (strcmp(p->grade[i].name, s) == 0)
			return (int)i;
	return -1;
}

/* A grade named by node n, or -1 after saying why. */
static int read_grade(struct yconf *c, const struct tls_profile *p, yaml_node_t *n, char *err,
    size_t errlen)
{
	const char *s = n ? yconf_scalar(n) : NULL;
	int g = s ? grade_of(p, s) : -1;

	if (g < 0)
		yconf_fail(err, errlen, c, n, "\"%s\" is not one of the profile's grades", s ? s : "");
	return g;
}

static int read_grades(struct yconf *c, struct tls_profile *p, yaml_node_t *n, char *err,
    size_t errlen)
{
	yaml_node_t *v[TP_GRADES_MAX + 1];
	size_t k = n ? items(c, n, v, TP_GRADES_MAX) : 0;

	if (k == 0 || k > TP_GRADES_MAX)
		return yconf_fail(err, errlen, c, n, "grades: a list of 1 to %s {name, severity}", "8");
	for (size_t i = 0; i < k; i++) {
		const char *name = v[i]->type == YAML_MAPPING_NODE
		                       ? yconf_scalar(yconf_get(c, v[i], "name"))
		                       : NULL;
		const char *sev = v[i]->type == YAML_MAPPING_NODE
		                      ? yconf_scalar(yconf_get(c, v[i], "severity"))
		                      : NULL;
		int s = -1;

		for (int j = SEV_OK; sev && j <= SEV_CRIT; j++)
			if (strcmp(sev, severity_name((enum severity)j)) == 0)
				s = j;
		if (name == NULL || name[0] == '\0' || strlen(name) >= 24 || s < 0)
			return yconf_fail(err, errlen, c, v[i],
			    "a grade is {name: NAME, severity: ok|info|warn|crit}%s", "");
		if (grade_of(p, name) >= 0)
			return yconf_fail(err, errlen, c, v[i], "grade \"%s\" twice", name);
		p->grade[p->ngrades].name = xstrdup(name);
		p->grade[p->ngrades++].sev = (enum severity)s;
	}
	return 0;
}

static int version_index(const char *s)
{
	for (size_t i = 0; i < TLSMAP_VERSIONS; i++)
		if (strcmp(s, tlsmap_version_name(i)) == 0)
			return (int)i;
	return -1;
}

static int read_versions(struct yconf *c, struct tls_profile *p, yaml_node_t *n, char *err,
    size_t errlen)
{
	for (size_t i = 0; i < TLSMAP_VERSIONS; i++)
		p->version[i] = (int)p->ngrades - 1;
	if (n == NULL)
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return yconf_fail(err, errlen, c, n, "versions: a map of version to grade%s", "");
	for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < n->data.mapping.pairs.top;
	     q++) {
		yaml_node_t *k = node(c, q->key);
		const char *s = yconf_scalar(k);
		int vi = s ? version_index(s) : -1, g;

		if (vi < 0)
			return yconf_fail(err, errlen, c, k,
			    "\"%s\" is not SSLv3, TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3", s ? s : "");
		if ((g = read_grade(c, p, node(c, q->value), err, errlen)) < 0)
			return -1;
		p->version[vi] = g;
	}
	return 0;
}

/* A property list: each name one of the enum's (by the names model/suites.c prints). */
static int read_mask(struct yconf *c, yaml_node_t *n, const char *(*name)(unsigned),
    const char *what, uint32_t *mask, char *err, size_t errlen)
{
	yaml_node_t *v[33];
	size_t k;

	*mask = 0;
	if (n == NULL)
		return 0;
	k = items(c, n, v, 32);
	if (k == 0 || k > 32)
		return yconf_fail(err, errlen, c, n, "%s: a list of names", what);
	for (size_t i = 0; i < k; i++) {
		const char *s = yconf_scalar(v[i]);
		unsigned e;

		for (e = 0; e < 32; e++)
			if (s && strcasecmp(s, name(e)) == 0)
				break;
		if (e == 32) {
			char msg[96];

			snprintf(msg, sizeof(msg), "%s: \"%.40s\" is unknown", what, s ? s : "");
			return yconf_fail(err, errlen, c, v[i], "%s", msg);
		}
		*mask |= 1u << e;
	}
	return 0;
}

static int read_rule(struct yconf *c, struct tls_profile *p, yaml_node_t *n, char *err,
    size_t errlen)
{
	struct tp_rule *r = &p->rule[p->nrules];
	yaml_node_t *names = yconf_get(c, n, "names");

	memset(r, 0, sizeof(*r));
	if (read_mask(c, yconf_get(c, n, "kx"), suite_kx_name, "kx", &r->kx, err, errlen) < 0 ||
	    read_mask(c, yconf_get(c, n, "auth"), suite_auth_name, "auth", &r->auth, err,
	        errlen) < 0 ||
	    read_mask(c, yconf_get(c, n, "enc"), suite_enc_name, "enc", &r->enc, err, errlen) <
	        0 ||
	    read_mask(c, yconf_get(c, n, "mode"), suite_mode_name, "mode", &r->mode, err,
	        errlen) < 0 ||
	    read_mask(c, yconf_get(c, n, "mac"), suite_mac_name, "mac", &r->mac, err, errlen) < 0)
		return -1;
	if (names) {
		yaml_node_t *v[TP_NAMES_MAX + 1];
		size_t k = items(c, names, v, TP_NAMES_MAX);

		if (k == 0 || k > TP_NAMES_MAX)
			return yconf_fail(err, errlen, c, names, "names: a list of at most %s suites",
			    "64");
		for (size_t i = 0; i < k; i++) {
			const char *s = yconf_scalar(v[i]);
			const struct suite *st = s ? suite_by_name(s) : NULL;

			if (st == NULL)
				return yconf_fail(err, errlen, c, v[i],
				    "\"%s\" is no suite mailtls knows (IANA or OpenSSL name)",
				    s ? s : "");
			r->ids[r->nids++] = st->id;
		}
	}
	if ((r->grade = read_grade(c, p, yconf_get(c, n, "grade"), err, errlen)) < 0)
		return -1;
	p->nrules++;
	return 0;
}

static int read_profile(struct yconf *c, struct tls_profile *p, yaml_node_t *n, char *err,
    size_t errlen)
{
	const char *name = yconf_scalar(yconf_get(c, n, "name"));
	const char *title = yconf_scalar(yconf_get(c, n, "title"));
	yaml_node_t *x;

	if (name == NULL || name[0] == '\0' || strlen(name) >= 48 || strspn(name,
	        "abcdefghijklmnopqrstuvwxyz0123456789-.") != strlen(name))
		return yconf_fail(err, errlen, c, n, "a profile needs a name (a-z, 0-9, -, .)%s", "");
	p->name = xstrdup(name);
	p->title = xstrdup(title ? title : name);
	if (read_grades(c, p, yconf_get(c, n, "grades"), err, errlen) < 0 ||
	    read_versions(c, p, yconf_get(c, n, "versions"), err, errlen) < 0)
		return -1;
	if ((x = yconf_get(c, n, "suites")) != NULL) {
		yaml_node_t *v[TP_RULES_MAX + 1];
		size_t k = items(c, x, v, TP_RULES_MAX);

		if (k > TP_RULES_MAX || x->type != YAML_SEQUENCE_NODE)
			return yconf_fail(err, errlen, c, x, "suites: a list of at most %s rules", "64");
		for (size_t i = 0; i < k; i++)
			if (v[i]->type != YAML_MAPPING_NODE)
				return yconf_fail(err, errlen, c, v[i], "a rule is a map%s", "");
			else if (read_rule(c, p, v[i], err, errlen) < 0)
				return -1;
	}
	if ((x = yconf_get(c, n, "groups")) != NULL) {
		if (x->type != YAML_MAPPING_NODE)
			return yconf_fail(err, errlen, c, x, "groups: a map of group to grade%s", "");
		for (yaml_node_pair_t *q = x->data.mapping.pairs.start;
		     q < x->data.mapping.pairs.top; q++) {
			yaml_node_t *k = node(c, q->key);
			const char *s = yconf_scalar(k);
			uint16_t id = s ? tlsmap_group_by_name(s) : 0;
			int g;

			if (id == 0)
				return yconf_fail(err, errlen, c, k, "\"%s\" is no group mailtls knows",
				    s ? s : "");
			if (p->ngroups >= TP_GROUPS_MAX)
				return yconf_fail(err, errlen, c, k, "more than %s groups", "32");
			if ((g = read_grade(c, p, node(c, q->value), err, errlen)) < 0)
				return -1;
			p->group[p->ngroups].id = id;
			p->group[p->ngroups++].grade = g;
		}
	}
	if ((x = yconf_get(c, n, "dhe_bits")) != NULL) {
		yaml_node_t *v[TP_DH_MAX + 1];
		size_t k = items(c, x, v, TP_DH_MAX);

		if (k > TP_DH_MAX || x->type != YAML_SEQUENCE_NODE)
			return yconf_fail(err, errlen, c, x, "dhe_bits: a list of {at_least, grade}%s", "");
		for (size_t i = 0; i < k; i++) {
			const char *b = v[i]->type == YAML_MAPPING_NODE
			                    ? yconf_scalar(yconf_get(c, v[i], "at_least"))
			                    : NULL;
			char *end = NULL;
			long bits = b ? strtol(b, &end, 10) : 0;
			int g;

			if (b == NULL || *end != '\0' || bits < 512 || bits > 16384)
				return yconf_fail(err, errlen, c, v[i],
				    "at_least: the bits of a DH prime, 512 to 16384%s", "");
			if ((g = read_grade(c, p, yconf_get(c, v[i], "grade"), err, errlen)) < 0)
				return -1;
			p->dh[p->ndh].bits = (int)bits;
			p->dh[p->ndh++].grade = g;
		}
	}
	return 0;
}

/* A suite by name or 0x id, or 0 after saying why. */
static uint16_t read_suite(struct yconf *c, yaml_node_t *n, char *err, size_t errlen)
{
	const char *s = yconf_scalar(n);
	const struct suite *st = NULL;

	if (s && strncmp(s, "0x", 2) == 0 && strlen(s) == 6 &&
	    strspn(s + 2, "0123456789abcdefABCDEF") == 4)
		st = suite_by_id((uint16_t)strtoul(s + 2, NULL, 16));
	else if (s)
		st = suite_by_name(s);
	if (st == NULL)
		yconf_fail(err, errlen, c, n, "\"%s\" is no suite mailtls knows (IANA, OpenSSL or 0x id)",
		    s ? s : "");
	return st ? st->id : 0;
}

static int read_client(struct yconf *c, struct tls_client *t, yaml_node_t *n, char *err,
    size_t errlen)
{
	yaml_node_t *v[TP_CLIENT_SUITES_MAX + 1], *x;
	const char *name = n->type == YAML_MAPPING_NODE ? yconf_scalar(yconf_get(c, n, "name")) : NULL;
	const char *title = name ? yconf_scalar(yconf_get(c, n, "title")) : NULL;
	size_t k;

	if (name == NULL || name[0] == '\0' || strlen(name) >= 32)
		return yconf_fail(err, errlen, c, n, "a client is a map with a name%s", "");
	t->name = xstrdup(name);
	t->title = xstrdup(title ? title : name);
	t->certs[0] = t->certs[1] = -1;
	if ((x = yconf_get(c, n, "versions")) == NULL || (k = items(c, x, v, 5)) == 0 || k > 5)
		return yconf_fail(err, errlen, c, x ? x : n, "versions: the ones the client offers%s", "");
	for (size_t i = 0; i < k; i++) {
		const char *s = yconf_scalar(v[i]);
		int vi = s ? version_index(s) : -1;

		if (vi < 0)
			return yconf_fail(err, errlen, c, v[i], "\"%s\" is not a TLS version", s ? s : "");
		t->versions |= 1u << vi;
	}
	if ((x = yconf_get(c, n, "suites")) == NULL || (k = items(c, x, v, TP_CLIENT_SUITES_MAX)) == 0 ||
	    k > TP_CLIENT_SUITES_MAX)
		return yconf_fail(err, errlen, c, x ? x : n, "suites: 1 to %s, in the client's order", "128");
	for (size_t i = 0; i < k; i++)
		if ((t->suites[t->nsuites++] = read_suite(c, v[i], err, errlen)) == 0)
			return -1;
	if ((x = yconf_get(c, n, "groups")) != NULL) {
		k = items(c, x, v, TP_GROUPS_MAX);
		if (k > TP_GROUPS_MAX)
			return yconf_fail(err, errlen, c, x, "groups: at most %s", "32");
		for (size_t i = 0; i < k; i++) {
			const char *s = yconf_scalar(v[i]);

			if ((t->groups[t->ngroups++] = s ? tlsmap_group_by_name(s) : 0) == 0)
				return yconf_fail(err, errlen, c, v[i], "\"%s\" is no group mailtls knows",
				    s ? s : "");
		}
	}
	if ((x = yconf_get(c, n, "certs")) != NULL) {
		k = items(c, x, v, 2);
		if (k == 0 || k > 2)
			return yconf_fail(err, errlen, c, x, "certs: ecdsa, rsa or both, in order%s", "");
		for (size_t i = 0; i < k; i++) {
			const char *s = yconf_scalar(v[i]);

			if (s && strcmp(s, "ecdsa") == 0)
				t->certs[i] = TLSMAP_CERT_ECDSA;
			else if (s && strcmp(s, "rsa") == 0)
				t->certs[i] = TLSMAP_CERT_RSA;
			else
				return yconf_fail(err, errlen, c, v[i], "\"%s\" is not ecdsa or rsa",
				    s ? s : "");
		}
	}
	return 0;
}

int tlsprofiles_load(struct tls_profiles *ps, const char *path, char *err, size_t errlen)
{
	struct yconf c;
	yaml_node_t *root, *list, *v[TP_PROFILES_MAX + 1];
	size_t k;
	int rc = -1;

	memset(ps, 0, sizeof(*ps));
	if (path ? yconf_load(&c, path, err, errlen)
	         : yconf_load_buffer(&c, "data/tls-profiles.yml (built in)",
	               mailtls_tls_profiles_yml,
	               (size_t)(mailtls_tls_profiles_yml_end - mailtls_tls_profiles_yml), err,
	               errlen))
		return -1;
	root = yconf_root(&c);
	list = root && root->type == YAML_MAPPING_NODE ? yconf_get(&c, root, "profiles") : NULL;
	if (list == NULL || list->type != YAML_SEQUENCE_NODE) {
		yconf_fail(err, errlen, &c, root, "the file holds no \"profiles:\" list%s", "");
		goto out;
	}
	k = items(&c, list, v, TP_PROFILES_MAX);
	if (k == 0 || k > TP_PROFILES_MAX) {
		yconf_fail(err, errlen, &c, list, "profiles: 1 to %s of them", "32");
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		if (v[i]->type != YAML_MAPPING_NODE) {
			yconf_fail(err, errlen, &c, v[i], "a profile is a map%s", "");
			goto out;
		}
		ps->n++;
		if (read_profile(&c, &ps->v[i], v[i], err, errlen) < 0)
			goto out;
		if (tlsprofiles_find(ps, ps->v[i].name) != &ps->v[i]) {
			yconf_fail(err, errlen, &c, v[i], "profile \"%s\" twice", ps->v[i].name);
			goto out;
		}
	}
	if ((list = yconf_get(&c, root, "clients")) != NULL) {
		k = items(&c, list, v, TLSMAP_CLIENTS_MAX);
		if (k > TLSMAP_CLIENTS_MAX || list->type != YAML_SEQUENCE_NODE) {
			yconf_fail(err, errlen, &c, list, "clients: a list of at most %s", "8");
			goto out;
		}
		for (size_t i = 0; i < k; i++) {
			ps->nc++;
			if (read_client(&c, &ps->c[i], v[i], err, errlen) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	yconf_free(&c);
	if (rc < 0)
		tlsprofiles_free(ps);
	return rc;
}

const struct tls_profile *tlsprofiles_find(const struct tls_profiles *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].name && strcmp(ps->v[i].name, name) == 0)
			return &ps->v[i];
	return NULL;
}

void tlsprofiles_names(const struct tls_profiles *ps, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ps->n && at < len; i++) {
		int w = snprintf(buf + at, len - at, "%s%s", i ? ", " : "", ps->v[i].name);

		at += w > 0 ? (size_t)w : 0;
	}
}

void tlsprofiles_free(struct tls_profiles *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		struct tls_profile *p = &ps->v[i];

		free(p->name);
		free(p->title);
		for (size_t g = 0; g < p->ngrades; g++)
			free(p->grade[g].name);
	}
	for (size_t i = 0; i < ps->nc; i++) {
		free(ps->c[i].name);
		free(ps->c[i].title);
	}
	memset(ps, 0, sizeof(*ps));
}

/* --- Grading ----------------------------------------------------------------------- */

static int in_mask(uint32_t mask, unsigned v)
{
	return mask == 0 || (v < 32 && (mask & (1u << v)));
}

int tlsprofile_suite(const struct tls_profile *p, uint16_t id)
{
	const struct suite *s = suite_by_id(id);

	for (size_t i = 0; s && i < p->nrules; i++) {
		const struct tp_rule *r = &p->rule[i];
		int named = 0;

		for (size_t k = 0; k < r->nids; k++)
			named |= r->ids[k] == id;
		if (r->nids ? named
		            : in_mask(r->kx, s->kx) && in_mask(r->auth, s->auth) &&
		                  in_mask(r->enc, s->enc) && in_mask(r->mode, s->mode) &&
		                  in_mask(r->mac, s->mac))
			return r->grade;
	}
	return (int)p->ngrades - 1;
}

int tlsprofile_group(const struct tls_profile *p, uint16_t group)
{
	for (size_t i = 0; i < p->ngroups; i++)
		if (p->group[i].id == group)
			return p->group[i].grade;
	return (int)p->ngrades - 1;
}

int tlsprofile_dh(const struct tls_profile *p, int bits)
{
	for (size_t i = 0; i < p->ndh; i++)
		if (bits >= p->dh[i].bits)
			return p->dh[i].grade;
	return (int)p->ngrades - 1;
}

static void worst(int *overall, int g)
{
	if (g > *overall)
		*overall = g;
}

void tlsprofile_grade(const struct tls_profile *p, struct tls_map *m)
{
	struct tlsmap_grades *g = xcalloc(1, sizeof(*g));

	snprintf(g->profile, sizeof(g->profile), "%s", p->name);
	for (size_t i = 0; i < p->ngrades && i < TLSMAP_GRADES_MAX; i++) {
		snprintf(g->name[i], sizeof(g->name[i]), "%s", p->grade[i].name);
		g->sev[i] = (int)p->grade[i].sev;
	}
	for (size_t vi = 0; vi < TLSMAP_VERSIONS; vi++) {
		const struct tlsmap_version *v = &m->v[vi];

		g->version[vi] = g->ecdhe_group[vi] = g->dhe_bits[vi] = -1;
		if (v->state != TLSMAP_ACCEPTED)
			continue;
		worst(&g->overall, g->version[vi] = p->version[vi]);
		for (size_t i = 0; i < v->nsuites; i++)
			worst(&g->overall, g->suite[vi][i] = (int8_t)tlsprofile_suite(p, v->suites[i]));
		if (v->ecdhe_group)
			worst(&g->overall, g->ecdhe_group[vi] = tlsprofile_group(p, v->ecdhe_group));
		if (v->dhe_bits)
			worst(&g->overall, g->dhe_bits[vi] = tlsprofile_dh(p, v->dhe_bits));
	}
	for (size_t i = 0; i < m->ngroups; i++)
		worst(&g->overall, g->group[i] = tlsprofile_group(p, m->groups[i]));
	free(m->grades);
	m->grades = g;
}

/* --- Sending clients ---------------------------------------------------------------- */

static int offers(const uint16_t *v, size_t n, uint16_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

void tlsclient_simulate(const struct tls_client *t, const struct tls_map *m, const int holds[2],
    struct tlsmap_client *out)
{
	const struct tlsmap_version *v = NULL;
	int vi;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", t->name);
	snprintf(out->title, sizeof(out->title), "%s", t->title);
	out->version = out->cert = -1;
	/* The server answers with the highest version both speak. */
	for (vi = TLSMAP_VERSIONS - 1; vi >= 0; vi--)
		if ((t->versions & (1u << vi)) && m->v[vi].state == TLSMAP_ACCEPTED)
			break;
	if (vi < 0) {
		snprintf(out->why, sizeof(out->why), "no version in common");
		return;
	}
	v = &m->v[vi];
	out->version = vi;
	/* The suite: by the server's order when it has one, else by the client's. */
	if (v->order == TLSMAP_ORDER_SERVER) {
		for (size_t i = 0; i < v->nsuites && !out->suite; i++)
			if (offers(t->suites, t->nsuites, v->suites[i]))
				out->suite = v->suites[i];
	} else {
		for (size_t i = 0; i < t->nsuites && !out->suite; i++)
			if (offers(v->suites, v->nsuites, t->suites[i]))
				out->suite = t->suites[i];
	}
	if (!out->suite) {
		snprintf(out->why, sizeof(out->why), "no suite in common in %s (the server does not "
		                                     "fall back to an older version)",
		    tlsmap_version_name((size_t)vi));
		return;
	}
	if (vi == 4) {
		for (size_t i = 0; i < t->ngroups && !out->group; i++)
			if (offers(m->groups, m->ngroups, t->groups[i]))
				out->group = t->groups[i];
		if (!out->group && m->ngroups) {
			snprintf(out->why, sizeof(out->why), "no TLS 1.3 group in common");
			return;
		}
		for (size_t i = 0; i < 2 && out->cert < 0; i++)
			if (t->certs[i] >= 0 && holds[t->certs[i]])
				out->cert = t->certs[i];
	} else {
		const struct suite *s = suite_by_id(out->suite);

		if (v->ecdhe_group && s && s->kx == SUITE_KX_ECDHE &&
		    offers(t->groups, t->ngroups, v->ecdhe_group))
			out->group = v->ecdhe_group;
		if (s && s->auth == SUITE_AUTH_ECDSA)
			out->cert = TLSMAP_CERT_ECDSA;
		else if (s && s->auth == SUITE_AUTH_RSA)
			out->cert = TLSMAP_CERT_RSA;
	}
	out->ok = 1;
}
