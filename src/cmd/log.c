/*
 * log.c - the log command: what audit logs (check --log) say, streamed, in memory bounded
 * by the number of servers rather than of lines.
 *   mailtls log summary FILE...          per server (host, address, port): last checked,
 *                                        last status, days left, since when its certificate
 *                                        is the current one, how many changes and the last
 *   mailtls log changes [--since DATE] FILE...
 *                                        each change in time order: status, certificate,
 *                                        issuer, key, findings that came or went
 * A line that is not whole JSON (a run killed mid-write, or a line over the bound) is
 * skipped and counted; the counts end the output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"
#include "cmd/cmd.h"
#include "conf/limits.h"
#include "conf/opts.h"

struct server {
	char *key; /* host|address|port */
	char *host, *address, *protocol;
	long port;
	char last[32]; /* time of the last line */
	char status[16];
	long days_left;
	int has_cert;
	char *sha256, *spki, *issuer, *subject;
	char since[32];     /* first line with the current certificate */
	char *findings;     /* the codes of the last line, sorted, joined by ',' */
	long certs_changed; /* renewals and replacements */
	char changed[32];   /* when the certificate last changed */
	long lines;
	struct server *next; /* hash chain */
};

struct book {
	struct server **map;
	size_t nmap, n;
	long lines, unreadable, torn, too_long;
	char since[32]; /* changes: only those at or after this time */
	int json;
	int changes; /* print changes as they are found */
};

enum { L_HELP, L_JSON, L_SINCE };

/* clang-format off */
static const struct opt log_table[] = {
	{L_HELP, "help", 'h', OPT_FLAG, NULL, NULL, "show this help", NULL},
	{L_JSON, "json", 'j', OPT_FLAG, NULL, NULL, "print JSON (summary: one array; changes: one object per line)", NULL},
	{L_SINCE, "since", 0, OPT_DATE, "DATE", NULL, "changes at or after DATE only (2027-01-15, -7d, @EPOCH)", NULL},
	{0, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
/* clang-format on */

static int log_apply(void *ctx, const struct opt *o, const union opt_value *v, int given, char *err,
    size_t errlen)
{
	struct book *b = ctx;

	(void)given;
	(void)err;
	(void)errlen;
	if (o->id == L_JSON)
		b->json = 1;
	else if (o->id == L_SINCE)
		fmt_time(v->date, b->since, sizeof(b->since));
	return 0;
}

static const struct opts_cmd log_cmd = {
    "log",
    log_table,
    "usage: mailtls log summary [--json] FILE...\n"
    "       mailtls log changes [--since DATE] [--json] FILE...\n\n"
    "What the audit logs written by mailtls check --log say. summary: per server (host,\n"
    "address, port) the last check, its status, days left, since when the certificate is\n"
    "the current one and how often it changed. changes: every change in order: status,\n"
    "certificate, issuer, key, findings that came or went. Files are read in the order\n"
    "given, each from the start; lines that are not whole (a run killed mid-write) are\n"
    "skipped and counted.\n",
    "\nexit status: 0 read, 3 bad usage or a file that cannot be read\n",
    log_apply,
};

static const char *jstr_or(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : dflt;
}

static void set(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

/* The finding codes of a line, sorted and joined, so that two lines compare as strings. */
static char *codes_of(json_t *arr)
{
	size_t n = json_array_size(arr), len = 1;
	const char **v = xcalloc(n + 1, sizeof(*v));
	char *out;

	for (size_t i = 0; i < n; i++) {
		v[i] = json_string_value(json_array_get(arr, i));
		v[i] = v[i] ? v[i] : "";
		len += strlen(v[i]) + 1;
	}
	for (size_t i = 1; i < n; i++) /* few codes: insertion sort */
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			const char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	out = xcalloc(len, 1);
	for (size_t i = 0; i < n; i++) {
		if (i && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if (out[0])
			strcat(out, ",");
		strcat(out, v[i]);
	}
	free(v);
	return out;
}

static struct server *server_get(struct book *b, json_t *o)
{
	const char *host = jstr_or(o, "host", ""), *addr = jstr_or(o, "address", "");
	long port = (long)json_integer_value(json_object_get(o, "port"));
	char *key = xasprintf("%s|%s|%ld", host, addr, port);
	size_t h = hash_str(HASH_INIT, key, 1) % b->nmap;
	struct server *s;

	for (s = b->map[h]; s; s = s->next)
		if (strcmp(s->key, key) == 0) {
			free(key);
			return s;
		}
	s = xcalloc(1, sizeof(*s));
	s->key = key;
	s->host = xstrdup(host);
	s->address = xstrdup(addr);
	s->port = port;
	s->next = b->map[h];
	b->map[h] = s;
	b->n++;
	return s;
}

static void change(struct book *b, const struct server *s, const char *when, const char *what,
    const char *from, const char *to)
{
	if (!b->changes || strcmp(when, b->since) < 0)
		return;
	if (b->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "time", when, "host",
		    s->host, "address", s->address, "port", (json_int_t)s->port, "change", what,
		    "from", from ? from : "", "to", to ? to : "");
		char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

		puts(line);
		free(line);
		json_decref(o);
	} else {
		printf("%s  %s [%s]:%ld  %s", when, s->host, s->address, s->port, what);
		if (from && to)
			printf(": %s -> %s", from[0] ? from : "(none)", to[0] ? to : "(none)");
		else if (from || to)
			printf(" %s", from ? from : to);
		putchar('\n');
	}
}

/* A change for each code of "a,b,c" list from that is not in list to. */
static void codes_missing(struct book *b, const struct server *s, const char *when,
    const char *from, const char *to, int gone)
{
	char *copy = xstrdup(from), *save = NULL, *hay = xasprintf(",%s,", to);

	for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		char pat[128];

		snprintf(pat, sizeof(pat), ",%s,", c);
		if (strstr(hay, pat) == NULL)
			change(b, s, when, gone ? "finding gone" : "new finding", gone ? c : NULL,
			    gone ? NULL : c);
	}
	free(hay);
	free(copy);
}

static void take(struct book *b, json_t *o)
{
	struct server *s = server_get(b, o);
	json_t *cert = json_object_get(o, "certificate");
	const char *when = jstr_or(o, "time", ""), *status = jstr_or(o, "status", "?");
	const char *sha = json_is_object(cert) ? jstr_or(cert, "sha256", NULL) : NULL;
	char *codes = codes_of(json_object_get(o, "findings"));

	if (s->lines > 0) {
		if (strcmp(s->status, status) != 0)
			change(b, s, when, "status", s->status, status);
		if (sha && s->sha256 && strcmp(sha, s->sha256) != 0) {
			const char *iss = jstr_or(cert, "issuer", ""),
			           *spki = jstr_or(cert, "spki_sha256", "");

			change(b, s, when, "certificate changed", s->subject,
			    jstr_or(cert, "subject", ""));
			if (s->issuer && strcmp(iss, s->issuer) != 0)
				change(b, s, when, "issuer changed", s->issuer, iss);
			if (s->spki && strcmp(spki, s->spki) != 0)
				change(b, s, when, "key changed", s->spki, spki);
		}
		codes_missing(b, s, when, codes, s->findings ? s->findings : "", 0);
		codes_missing(b, s, when, s->findings ? s->findings : "", codes, 1);
	}
	if (sha && (s->sha256 == NULL || strcmp(sha, s->sha256) != 0)) {
		if (s->sha256) {
			s->certs_changed++;
			snprintf(s->changed, sizeof(s->changed), "%s", when);
		}
		snprintf(s->since, sizeof(s->since), "%s", when);
		set(&s->sha256, sha);
		set(&s->spki, jstr_or(cert, "spki_sha256", ""));
		set(&s->issuer, jstr_or(cert, "issuer", ""));
		set(&s->subject, jstr_or(cert, "subject", ""));
	}
	if (json_is_object(cert))
		s->days_left = (long)json_integer_value(json_object_get(cert, "days_left"));
	s->has_cert = json_is_object(cert);
	snprintf(s->last, sizeof(s->last), "%s", when);
	snprintf(s->status, sizeof(s->status), "%s", status);
	set(&s->protocol, jstr_or(o, "protocol", ""));
	free(s->findings);
	s->findings = codes;
	s->lines++;
}

/* Every line of path; -1 when it cannot be read at all. */
static int read_file(struct book *b, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = xcalloc(LOG_LINE_MAX + 1, 1);
	ssize_t n;

	if (f == NULL) {
		fprintf(stderr, "mailtls log: %s: cannot read it\n", path);
		free(line);
		return -1;
	}
	while ((n = read_line(f, line, LOG_LINE_MAX + 1)) != 0) {
		json_t *o;

		if (n < 0) { /* longer than the bound */
			b->too_long++;
			continue;
		}
		if (line[n - 1] != '\n') { /* the last line, not whole */
			b->torn++;
			continue;
		}
		b->lines++;
		o = json_loadb(line, (size_t)n, 0, NULL);
		if (!json_is_object(o) || !json_is_string(json_object_get(o, "host")))
			b->unreadable++;
		else
			take(b, o);
		json_decref(o);
	}
	fclose(f);
	free(line);
	return 0;
}

static int by_key(const void *a, const void *b)
{
	return strcmp((*(struct server *const *)a)->key, (*(struct server *const *)b)->key);
}

static void summary(struct book *b)
{
	struct server **v = xcalloc(b->n + 1, sizeof(*v));
	size_t n = 0;
	json_t *arr = json_array();

	for (size_t i = 0; i < b->nmap; i++)
		for (struct server *s = b->map[i]; s; s = s->next)
			v[n++] = s;
	qsort(v, n, sizeof(*v), by_key);
	if (!b->json)
		printf("%-28s %-20s %5s  %-20s %-7s %5s  %-20s %8s  %s\n", "host", "address",
		    "port", "last checked", "status", "days", "certificate since", "changes",
		    "last change");
	for (size_t i = 0; i < n; i++) {
		const struct server *s = v[i];

		if (b->json) {
			json_array_append_new(arr,
			    json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:o, s:o, s:I, s:o, s:I}",
			        "host", s->host, "address", s->address, "port", (json_int_t)s->port,
			        "protocol", s->protocol ? s->protocol : "", "last_checked", s->last,
			        "status", s->status, "days_left",
			        s->has_cert ? json_integer(s->days_left) : json_null(),
			        "certificate_since",
			        s->since[0] ? json_string(s->since) : json_null(),
			        "certificate_changes", (json_int_t)s->certs_changed, "last_change",
			        s->changed[0] ? json_string(s->changed) : json_null(), "checks",
			        (json_int_t)s->lines));
			continue;
		}
		printf("%-28s %-20s %5ld  %-20s %-7s ", s->host, s->address, s->port, s->last,
		    s->status);
		if (s->has_cert)
			printf("%5ld", s->days_left);
		else
			printf("%5s", "-");
		printf("  %-20s %8ld  %s\n", s->since[0] ? s->since : "-", s->certs_changed,
		    s->changed[0] ? s->changed : "-");
	}
	if (b->json) {
		char *out = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(out);
		free(out);
	}
	json_decref(arr);
	free(v);
}

static void book_free(struct book *b)
{
	for (size_t i = 0; i < b->nmap; i++)
		while (b->map[i]) {
			struct server *s = b->map[i];
			b->map[i] = s->next;
			free(s->key);
			free(s->host);
			free(s->address);
			free(s->protocol);
			free(s->sha256);
			free(s->spki);
			free(s->issuer);
			free(s->subject);
			free(s->findings);
			free(s);
		}
	free(b->map);
}

int log_main(int argc, char **argv)
{
	struct book b;
	int first, rc = 0;

	memset(&b, 0, sizeof(b));
	if (argc < 2 || (strcmp(argv[1], "summary") != 0 && strcmp(argv[1], "changes") != 0)) {
		if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
			opts_usage(&log_cmd, stdout);
			return 0;
		}
		fprintf(stderr, "mailtls log: say summary or changes\n");
		opts_usage(&log_cmd, stderr);
		return 3;
	}
	b.changes = strcmp(argv[1], "changes") == 0;
	first = opts_parse(&log_cmd, argc - 1, argv + 1, &b);
	if (first <= 0)
		return first == 0 ? 0 : 3;
	if (first >= argc - 1) {
		fprintf(stderr, "mailtls log: name one or more log files\n");
		return 3;
	}
	if (!b.changes && b.since[0]) {
		fprintf(stderr, "mailtls log: --since is for changes\n");
		return 3;
	}
	b.nmap = 4096;
	b.map = xcalloc(b.nmap, sizeof(*b.map));
	for (int i = first + 1; i < argc; i++)
		if (read_file(&b, argv[i]) != 0)
			rc = 3;
	if (!b.changes)
		summary(&b);
	fprintf(stderr, "mailtls log: %ld lines, %zu servers", b.lines, b.n);
	if (b.unreadable || b.torn || b.too_long)
		fprintf(stderr,
		    "; skipped: %ld not JSON, %ld torn at the end of a file, %ld over %d bytes",
		    b.unreadable, b.torn, b.too_long, LOG_LINE_MAX);
	fputc('\n', stderr);
	book_free(&b);
	return rc;
}
