/*
 * Unit tests of the JSONL view's kept probe text (out/out_json.c): a probe that several
 * domains share is rendered for the first two and copied for the rest, and every line says
 * the same of it as a fresh rendering would, down to the byte; a probe shown once keeps
 * nothing; indented --json never keeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "model/result.h"
#include "model/verdict.h"
#include "out/output.h"
#include "proto/dialect.h"

static const struct view_opts vo = {.warn_days = 30, .crit_days = 7};

static struct probe *mk(void)
{
	struct probe *p =
	    probe_new("mx.example.test", "192.0.2.7", 25, TLS_MODE_STARTTLS, &dialect_smtp, "smtp");

	p->certs = calloc(1, sizeof(*p->certs));
	p->ncerts = 1;
	p->certs[0].subject = strdup("CN=mx.example.test");
	p->certs[0].issuer = strdup("CN=CA \"quoted\"");
	p->certs[0].serial = strdup("01");
	p->certs[0].days_left = 60;
	p->facts.checked = 1;
	p->facts.min_days_left = 60;
	p->banner = strdup("220 mx.example.test ESMTP");
	p->tls_version = strdup("TLSv1.3");
	p->cipher = strdup("TLS_AES_256_GCM_SHA384");
	p->t.connect_ms = 1.5;
	p->t.total_ms = 12.25;
	probe_add(p, F_TLS_ESTABLISHED, -1, "TLSv1.3, with \"quotes\" and a tab\there");
	verdict_probe(p, &(struct verdict_ctx){.warn_days = 30, .crit_days = 7, .at = 1800000000});
	return p;
}

/* A domain whose one MX is the probe. */
static void mkdomain(struct domain *d, struct mx_host *m, const char *name, struct probe *p)
{
	memset(d, 0, sizeof(*d));
	memset(m, 0, sizeof(*m));
	d->name = (char *)name;
	d->mx = m;
	d->nmx = 1;
	m->host = "mx.example.test";
	m->preference = 10;
	m->probes = calloc(1, sizeof(*m->probes));
	m->probes[0] = p;
	m->nprobes = 1;
}

static char *line(const struct run *r, const struct domain *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	out_jsonl_domain(f, r, d, &vo);
	fclose(f);
	return buf;
}

/* The probe object of a line, as text, without its "domain". */
static char *probe_text(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, 0, &err), *p;
	char *s;

	assert_non_null(j);
	p = json_array_get(json_object_get(j, "probes"), 0);
	assert_non_null(p);
	json_object_del(p, "domain");
	s = json_dumps(p, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(j);
	return s;
}

static void shared_probe_kept_and_copied(void **state)
{
	struct run r = {0};
	struct probe *p = mk();
	struct domain d[4];
	struct mx_host m[4];
	char *text[4], *probe[4];
	const char *names[4] = {"a.test", "b.test", "c.test", "d.test"};

	(void)state;
	for (int i = 0; i < 4; i++) {
		mkdomain(&d[i], &m[i], names[i], p);
		text[i] = line(&r, &d[i]);
		probe[i] = probe_text(text[i]);
		/* Kept from the second domain on, not before. */
		if (i == 0)
			assert_null(p->view_text);
		else
			assert_non_null(p->view_text);
	}
	/* Rendered fresh (the first two) or copied (the last two), the same probe. */
	for (int i = 1; i < 4; i++)
		assert_string_equal(probe[i], probe[0]);
	/* And the copied lines are byte for byte the fresh ones but for the domain's name. */
	for (int i = 2; i < 4; i++) {
		size_t n = strlen(text[i]);
		char *want = strdup(text[0]);

		for (char *q = want; (q = strstr(q, "\"a.test\"")) != NULL; q += 8)
			memcpy(q + 1, names[i], 6);
		assert_int_equal(strlen(want), n);
		assert_string_equal(text[i], want);
		free(want);
	}
	for (int i = 0; i < 4; i++) {
		free(text[i]);
		free(probe[i]);
		free(m[i].probes);
	}
	probe_free(p);
}

static void indented_json_keeps_nothing(void **state)
{
	struct run r = {0};
	struct probe *p = mk();
	struct domain d[3];
	struct mx_host m[3];

	(void)state;
	r.domain_mode = 1;
	r.domains = calloc(3, sizeof(*r.domains));
	for (int i = 0; i < 3; i++) {
		mkdomain(&d[i], &m[i], i == 0 ? "a.test" : i == 1 ? "b.test" : "c.test", p);
		r.domains[i] = &d[i];
	}
	r.ndomains = 3;
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		json_error_t err;
		json_t *j;

		out_json(f, &r, &vo);
		fclose(f);
		assert_non_null(j = json_loads(buf, 0, &err));
		assert_int_equal(json_array_size(json_object_get(j, "domains")), 3);
		json_decref(j);
		free(buf);
	}
	assert_null(p->view_text);
	for (int i = 0; i < 3; i++)
		free(m[i].probes);
	free(r.domains);
	probe_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shared_probe_kept_and_copied),
	    cmocka_unit_test(indented_json_keeps_nothing),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
