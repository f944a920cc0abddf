/*
 * out_log.c - the audit log (check --log FILE): one JSON line per probe of each completed
 * domain (or of --host), with what an auditor asks for: when, which server, the outcome,
 * the finding codes, the certificate's subject, issuer, validity and fingerprints, the
 * version of mailtls and the options that change a verdict. Each line is one write() on a
 * file opened O_APPEND, so several runs appending to one log never interleave or tear a
 * line; with sync, each line is on disk before the next is written.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/util.h"
#include "out/json_util.h"
#include "out/output.h"

static int log_line(const struct log_sink *lg, const struct run *r, const char *domain,
    const struct probe *p)
{
	json_t *o = json_object(), *codes = json_array(), *cert = json_null();
	char *line;
	size_t len;
	int rc = 0;

	for (size_t i = 0; i < p->nfindings; i++)
		json_array_append_new(codes, json_string(finding_defs[p->findings[i].code].name));
	if (p->ncerts) {
		const struct cert_info *c = &p->certs[0];

		cert = json_pack("{s:s, s:s, s:s, s:o, s:o, s:I, s:s, s:s}", "subject", c->subject,
		    "issuer", c->issuer, "serial", c->serial, "not_before", jtime(c->not_before),
		    "not_after", jtime(c->not_after), "days_left", (json_int_t)c->days_left,
		    "sha256", c->sha256, "spki_sha256", c->spki_sha256);
	}
	json_object_set_new(o, "time", jtime(lg->now));
	json_object_set_new(o, "checked_at", jtime(r->at));
	json_object_set_new(o, "mailtls", json_string(lg->version));
	json_object_set_new(o, "domain", jstr(domain));
	json_object_set_new(o, "host", json_string(p->host));
	json_object_set_new(o, "address", json_string(p->address));
	json_object_set_new(o, "port", json_integer(p->port));
	json_object_set_new(o, "protocol", json_string(p->protocol));
	json_object_set_new(o, "status", json_string(status_name(p->status)));
	json_object_set_new(o, "tls", jstr(p->tls_version));
	json_object_set_new(o, "findings", codes);
	json_object_set_new(o, "certificate", cert);
	json_object_set_new(o, "options",
	    json_pack("{s:I, s:I, s:o, s:o}", "warn_days", (json_int_t)lg->warn_days, "crit_days",
	        (json_int_t)lg->crit_days, "trust", jstr(lg->trust), "at",
	        lg->at_set ? jtime(r->at) : json_null()));
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(o);
	if (line == NULL)
		fatal("out of memory");
	len = strlen(line);
	line[len++] = '\n'; /* json_dumps leaves room: the NUL becomes the newline */
	if (write(lg->fd, line, len) != (ssize_t)len || (lg->sync && fsync(lg->fd) != 0))
		rc = -1;
	free(line);
	return rc;
}

int out_log_domain(const struct log_sink *lg, const struct run *r, const struct domain *d)
{
	int rc = 0;

	for (size_t i = 0; i < d->nmx; i++)
		for (size_t k = 0; k < d->mx[i].nprobes; k++)
			rc |= log_line(lg, r, r->domain_mode ? d->name : NULL, d->mx[i].probes[k]);
	return rc;
}
