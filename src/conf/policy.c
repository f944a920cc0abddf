/*
 * policy.c - see policy.h. The file:
 *
 *   rules:
 *     - match: "*.example.org"       # a domain checked or a server's host name; "*" all
 *       issuers: ["CN=R11, O=Let's Encrypt, C=US"]
 *       issuer_spki: [<SHA-256 hex of the issuing CA's key>]
 *       pins: [<SHA-256 hex of the server key>, <of the next key>]
 *       names: [mx1.example.org]     # must be DNS names of the server certificate
 *       min_tls: "1.2"               # 1.0, 1.1, 1.2 or 1.3
 *       min_rsa_bits: 3072
 *       warn_days: 21
 *       crit_days: 10
 *       dane: required
 *       mta_sts: enforce
 *       must_staple: true            # the certificate asks for OCSP stapling (RFC 7633)
 *       ports: [25, 587, 993]        # the ports to check, as check --ports
 *       severity: {CERT_CN_ONLY: crit, DANE_NOT_DNSSEC: ignore}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/addr.h"
#include "base/util.h"
#include "conf/limits.h"
#include "conf/opts.h"
#include "conf/policy.h"
#include "conf/yaml.h"

static int hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdefABCDEF") == 64;
}

/* A sequence of scalars (or one scalar) into l; check, when given, each one. */
static int read_list(struct yconf *c, yaml_node_t *n, struct policy_list *l,
    int (*check)(const char *), const char *what, char *err, size_t errlen)
{
	yaml_node_item_t *it, *end;
	yaml_node_item_t one;

	if (n->type == YAML_SCALAR_NODE) {
		one = (yaml_node_item_t)(n - c->doc.nodes.start + 1);
		it = &one;
		end = it + 1;
	} else if (n->type == YAML_SEQUENCE_NODE) {
		it = n->data.sequence.items.start;
		end = n->data.sequence.items.top;
	} else {
		return yconf_fail(err, errlen, c, n, "%s is a list of values", what);
	}
	for (; it < end; it++) {
		yaml_node_t *v = yaml_document_get_node(&c->doc, *it);
		const char *s = yconf_scalar(v);

		if (s == NULL || s[0] == '\0')
			return yconf_fail(err, errlen, c, v ? v : n, "%s: every item is a plain value",
			    what);
		if (check && !check(s))
			return yconf_fail(err, errlen, c, v, "%s: not 64 hex digits (a SHA-256)",
			    what);
		if (l->n >= POLICY_LIST_MAX)
			return yconf_fail(err, errlen, c, v, "%s: too many items", what);
		l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = xstrdup(s);
	}
	return 0;
}

static int read_overrides(struct yconf *c, yaml_node_t *n, struct policy_rule *r,
    int (*code_known)(const char *), char *err, size_t errlen)
{
	static const char *const sevs[] = {"ok", "info", "warn", "crit"};

	if (n->type != YAML_MAPPING_NODE)
		return yconf_fail(err, errlen, c, n,
		    "%s maps finding codes to ok, info, warn, crit or "
		    "ignore",
		    "severity");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = yaml_document_get_node(&c->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(&c->doc, p->value);
		const char *code = yconf_scalar(kn), *v = yconf_scalar(vn);
		struct policy_override o = {.sev = POLICY_SEV_UNSET};

		if (code == NULL || !code_known(code) || strlen(code) >= sizeof(o.code))
			return yconf_fail(err, errlen, c, kn,
			    "\"%s\" is not a finding code (mailtls findings lists them)",
			    code ? code : "?");
		for (int i = 0; v && i < 4; i++)
			if (strcasecmp(v, sevs[i]) == 0)
				o.sev = i;
		if (v && strcasecmp(v, "ignore") == 0)
			o.sev = POLICY_SEV_IGNORE;
		if (o.sev == POLICY_SEV_UNSET)
			return yconf_fail(err, errlen, c, vn, "%s: not ok, info, warn, crit or ignore",
			    code);
		snprintf(o.code, sizeof(o.code), "%s", code);
		r->overrides =
		    xreallocarray(r->overrides, r->noverrides + 1, sizeof(*r->overrides));
		r->overrides[r->noverrides++] = o;
	}
	return 0;
}

static void list_free(struct policy_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* ports: [25, 587]: each a port once; which ports can be found, the command says. */
static int read_ports(struct yconf *c, yaml_node_t *n, struct policy_rule *r, char *err,
    size_t errlen)
{
	struct policy_list l = {0};
	char why[120];
	int rc = 0;

	if (read_list(c, n, &l, NULL, "ports", err, errlen))
		return -1;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		uint16_t p;

		if (opts_parse_port(l.v[i], &p, why, sizeof(why)) != 0)
			rc = yconf_fail(err, errlen, c, n, "ports: %s", why);
		for (size_t k = 0; rc == 0 && k < r->nports; k++)
			if (r->ports[k] == p)
				rc = yconf_fail(err, errlen, c, n, "ports: %s is named twice", l.v[i]);
		if (rc == 0 && r->nports == OPTS_PORTS_MAX)
			rc = yconf_fail(err, errlen, c, n, "ports: at most %s", OPTS_PORTS_MAX_TEXT);
		if (rc == 0)
			r->ports[r->nports++] = p;
	}
	list_free(&l);
	return rc;
}

static int read_rule(struct yconf *c, yaml_node_t *n, struct policy_rule *r,
    int (*code_known)(const char *), char *err, size_t errlen)
{
	int have_match = 0;

	r->warn_days = r->crit_days = -1;
	r->line = yconf_line(n);
	if (n->type != YAML_MAPPING_NODE)
		return yconf_fail(err, errlen, c, n, "%s",
		    "a rule is a mapping (match: ..., and what "
		    "must hold)");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = yaml_document_get_node(&c->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(&c->doc, p->value);
		const char *k = yconf_scalar(kn), *v = yconf_scalar(vn);
		char why[200] = "";
		long days;
		size_t count;

		if (k == NULL)
			return yconf_fail(err, errlen, c, kn, "%s", "a key is a plain word");
		if (strcmp(k, "match") == 0) {
			const char *bad = NULL;
			const char *name = v && strncmp(v, "*.", 2) == 0 ? v + 2 : v;

			if (v == NULL || strlen(v) >= sizeof(r->match) ||
			    (strcmp(v, "*") != 0 && !addr_domain_syntax(name, &bad)))
				return yconf_fail(err, errlen, c, vn,
				    "match \"%s\" is not a name, \"*.\" and a name, or \"*\"",
				    v ? v : "?");
			snprintf(r->match, sizeof(r->match), "%s", v);
			have_match = 1;
		} else if (strcmp(k, "issuers") == 0) {
			if (read_list(c, vn, &r->issuers, NULL, k, err, errlen))
				return -1;
		} else if (strcmp(k, "issuer_spki") == 0 || strcmp(k, "pins") == 0) {
			if (read_list(c, vn, k[0] == 'p' ? &r->pins : &r->issuer_spki, hex64, k,
			        err, errlen))
				return -1;
		} else if (strcmp(k, "names") == 0) {
			if (read_list(c, vn, &r->names, NULL, k, err, errlen))
				return -1;
		} else if (strcmp(k, "min_tls") == 0) {
			static const char *const v_[] = {"1.0", "1.1", "1.2", "1.3"};
			for (int i = 0; v && i < 4; i++)
				if (strcmp(v, v_[i]) == 0 ||
				    (strncasecmp(v, "TLSv", 4) == 0 && strcmp(v + 4, v_[i]) == 0))
					r->min_tls = 10 + i;
			if (r->min_tls == 0)
				return yconf_fail(err, errlen, c, vn,
				    "min_tls \"%s\" is not 1.0, 1.1, 1.2 or 1.3", v ? v : "?");
		} else if (strcmp(k, "min_rsa_bits") == 0) {
			if (v == NULL || opts_parse_count(v, &count, why, sizeof(why)) != 0 ||
			    count > 16384)
				return yconf_fail(err, errlen, c, vn,
				    "min_rsa_bits \"%s\" is not a number of bits", v ? v : "?");
			r->min_rsa_bits = (int)count;
		} else if (strcmp(k, "warn_days") == 0 || strcmp(k, "crit_days") == 0) {
			if (v == NULL || opts_parse_days(v, &days, why, sizeof(why)) != 0)
				return yconf_fail(err, errlen, c, vn, "%s",
				    why[0] ? why : "not a number of days");
			*(k[0] == 'w' ? &r->warn_days : &r->crit_days) = days;
		} else if (strcmp(k, "dane") == 0) {
			if (v == NULL || (strcmp(v, "required") != 0 && strcmp(v, "optional") != 0))
				return yconf_fail(err, errlen, c, vn,
				    "dane \"%s\" is not required or optional", v ? v : "?");
			r->dane_required = strcmp(v, "required") == 0;
		} else if (strcmp(k, "mta_sts") == 0) {
			if (v == NULL || (strcmp(v, "enforce") != 0 && strcmp(v, "optional") != 0))
				return yconf_fail(err, errlen, c, vn,
				    "mta_sts \"%s\" is not enforce or optional", v ? v : "?");
			r->mta_sts_enforce = strcmp(v, "enforce") == 0;
		} else if (strcmp(k, "must_staple") == 0) {
			if (yconf_bool(vn, &r->must_staple) != 0)
				return yconf_fail(err, errlen, c, vn, "must_staple \"%s\" is not true or false",
				    v ? v : "?");
		} else if (strcmp(k, "ports") == 0) {
			if (read_ports(c, vn, r, err, errlen))
				return -1;
		} else if (strcmp(k, "severity") == 0) {
			if (read_overrides(c, vn, r, code_known, err, errlen))
				return -1;
		} else {
			return yconf_fail(err, errlen, c, kn,
			    "unknown setting \"%s\" (match, issuers, issuer_spki, pins, names, "
			    "min_tls, "
			    "min_rsa_bits, warn_days, crit_days, dane, mta_sts, must_staple, ports, "
			    "severity)",
			    k);
		}
	}
	if (!have_match)
		return yconf_fail(err, errlen, c, n, "%s", "a rule needs match:");
	if (r->warn_days >= 0 && r->crit_days > r->warn_days)
		return yconf_fail(err, errlen, c, n, "%s", "crit_days is larger than warn_days");
	return 0;
}

int org_policy_load(struct org_policy *op, const char *path, int (*code_known)(const char *),
    char *err, size_t errlen)
{
	struct yconf c;
	yaml_node_t *root, *rules;
	int rc = -1;

	memset(op, 0, sizeof(*op));
	op->path = path;
	if (yconf_load(&c, path, err, errlen) != 0)
		return -1;
	root = yconf_root(&c);
	rules = yconf_get(&c, root, "rules");
	if (root->type != YAML_MAPPING_NODE || rules == NULL || rules->type != YAML_SEQUENCE_NODE) {
		yconf_fail(err, errlen, &c, rules ? rules : root, "%s",
		    "expected \"rules:\" and a list of rules");
		goto out;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = yaml_document_get_node(&c.doc, p->key);
		const char *k = yconf_scalar(kn);

		if (k == NULL || strcmp(k, "rules") != 0) {
			yconf_fail(err, errlen, &c, kn, "unknown section \"%s\" (rules)", k ? k : "?");
			goto out;
		}
	}
	for (yaml_node_item_t *it = rules->data.sequence.items.start;
	     it < rules->data.sequence.items.top; it++) {
		struct policy_rule r;

		if (op->nrules >= POLICY_RULES_MAX) {
			yconf_fail(err, errlen, &c, rules, "more than %s rules",
			    POLICY_RULES_MAX_TEXT);
			goto out;
		}
		memset(&r, 0, sizeof(r));
		op->rules = xreallocarray(op->rules, op->nrules + 1, sizeof(*op->rules));
		op->rules[op->nrules] = r;
		if (read_rule(&c, yaml_document_get_node(&c.doc, *it), &op->rules[op->nrules],
		        code_known, err, errlen) != 0) {
			op->nrules++; /* freed below with the rest */
			goto out;
		}
		for (size_t i = 0; i < op->nrules; i++)
			if (strcasecmp(op->rules[i].match, op->rules[op->nrules].match) == 0) {
				char msg[300];
				snprintf(msg, sizeof(msg), "match %s is given twice (line %d too)",
				    op->rules[op->nrules].match, op->rules[i].line);
				snprintf(err, errlen, "%s: line %d: %s", path,
				    op->rules[op->nrules].line, msg);
				op->nrules++;
				goto out;
			}
		op->nrules++;
	}
	rc = 0;
out:
	yconf_free(&c);
	if (rc != 0)
		org_policy_free(op);
	return rc;
}

void org_policy_free(struct org_policy *op)
{
	for (size_t i = 0; i < op->nrules; i++) {
		list_free(&op->rules[i].issuers);
		list_free(&op->rules[i].issuer_spki);
		list_free(&op->rules[i].pins);
		list_free(&op->rules[i].names);
		free(op->rules[i].overrides);
	}
	free(op->rules);
	op->rules = NULL;
	op->nrules = 0;
}

int org_policy_match(const char *pattern, const char *name)
{
	size_t pl = strlen(pattern), nl;

	if (name == NULL)
		return -1;
	nl = strlen(name);
	if (nl && name[nl - 1] == '.')
		nl--;
	if (strcmp(pattern, "*") == 0)
		return 0;
	if (pl >= 2 && pattern[0] == '*' && pattern[1] == '.') /* any name below */
		return nl > pl - 1 && strncasecmp(name + nl - (pl - 1), pattern + 1, pl - 1) == 0
		    ? (int)pl
		    : -1;
	return nl == pl && strncasecmp(name, pattern, pl) == 0 ? (int)pl + 1000 : -1;
}

const struct policy_rule *org_policy_rule(const struct org_policy *op, const char *domain,
    const char *host)
{
	const struct policy_rule *best = NULL;
	int score = -1;

	for (size_t i = 0; op && i < op->nrules; i++) {
		int h = org_policy_match(op->rules[i].match, host);
		int d = org_policy_match(op->rules[i].match, domain);
		/* A host's match beats the domain's at equal specificity. */
		int s = h >= 0 && h * 2 + 1 > d * 2 ? h * 2 + 1 : d >= 0 ? d * 2 : -1;

		if (s > score) {
			score = s;
			best = &op->rules[i];
		}
	}
	return best;
}

int org_policy_has_ports(const struct org_policy *op)
{
	for (size_t i = 0; op && i < op->nrules; i++)
		if (op->rules[i].nports)
			return 1;
	return 0;
}
