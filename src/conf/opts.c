/*
 * opts.c - the generic option parser (getopt_long built from a command's table, defaults
 * parsed like given values, every error reported before giving up), --help from the
 * table, and one parser per value type.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/addr.h"
#include "conf/opts.h"

#define OPTS_MAX 64 /* rows in one command's table */

int opts_parse_count(const char *s, size_t *out, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 1 || v > 100000) {
		snprintf(err, errlen, "\"%s\" is not a number between 1 and 100000", s);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

/* IP[@PORT], as libunbound's forwarder syntax takes it. */
int opts_check_resolver(const char *s, char *err, size_t errlen)
{
	char ip[64];
	const char *at = strchr(s, '@');
	size_t l = at ? (size_t)(at - s) : strlen(s);
	uint16_t port;

	if (l == 0 || l >= sizeof(ip)) {
		snprintf(err, errlen, "\"%s\" is not IP[@PORT]", s);
		return -1;
	}
	memcpy(ip, s, l);
	ip[l] = '\0';
	if (!addr_is_ip(ip)) {
		snprintf(err, errlen, "\"%s\" is not an IP address (write IP[@PORT])", ip);
		return -1;
	}
	return at ? opts_parse_port(at + 1, &port, err, errlen) : 0;
}

int opts_parse_seconds(const char *s, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !isfinite(v) || v <= 0 || v > 86400) {
		snprintf(err, errlen, "\"%s\" is not a number of seconds between 0 and 86400", s);
		return -1;
	}
	*out = v;
	return 0;
}

int opts_parse_days(const char *s, long *out, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 0 || v > 36500) {
		snprintf(err, errlen, "\"%s\" is not a number of days between 0 and 36500", s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Dates are UTC. Accepted: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z], "YYYY-MM-DD HH:MM[:SS]",
 * +Nd / -Nd relative to now, @EPOCH. */
int opts_parse_date(const char *s, time_t now, time_t *out, char *err, size_t errlen)
{
	struct tm tm;
	const char *rest;
	char *end;

	if (s[0] == '+' || s[0] == '-') {
		long d;
		errno = 0;
		d = strtol(s + 1, &end, 10);
		if (!errno && end != s + 1 && (strcmp(end, "d") == 0 || *end == '\0') &&
		    d <= 36500) {
			*out = now + (s[0] == '-' ? -1 : 1) * (time_t)d * 86400;
			return 0;
		}
	} else if (s[0] == '@') {
		long long e;
		errno = 0;
		e = strtoll(s + 1, &end, 10);
		if (!errno && end != s + 1 && *end == '\0') {
			*out = (time_t)e;
			return 0;
		}
	} else {
		memset(&tm, 0, sizeof(tm));
		rest = strptime(s, "%Y-%m-%d", &tm);
		if (rest && (*rest == 'T' || *rest == ' ')) {
			const char *r2 = strptime(rest + 1, "%H:%M:%S", &tm);
			rest = r2 ? r2 : strptime(rest + 1, "%H:%M", &tm);
		}
		if (rest && *rest == 'Z')
			rest++;
		if (rest && *rest == '\0' && tm.tm_year >= 70 && tm.tm_year < 1100) {
			*out = timegm(&tm);
			return 0;
		}
	}
	snprintf(err, errlen,
	    "\"%s\" is not a date (use 2027-01-15, 2027-01-15T10:00:00Z, +30d or @EPOCH)", s);
	return -1;
}

int opts_parse_port(const char *s, uint16_t *port, char *err, size_t errlen)
{
	char *end;
	long p;

	errno = 0;
	p = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || p < 1 || p > 65535) {
		snprintf(err, errlen, "\"%s\" is not a port between 1 and 65535", s);
		return -1;
	}
	*port = (uint16_t)p;
	return 0;
}

int opts_parse_hostport(const char *s, char *host, size_t hostlen, uint16_t *port, char *err,
    size_t errlen)
{
	const char *h = s, *colon = NULL;
	size_t hl;

	*port = 0;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || (close[1] != '\0' && close[1] != ':')) {
			snprintf(err, errlen,
			    "\"%s\": an IPv6 literal is written [ADDR] or [ADDR]:PORT", s);
			return -1;
		}
		h = s + 1;
		hl = (size_t)(close - h);
		colon = close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) /* a bare IPv6 address */
			colon = NULL;
		hl = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (hl == 0 || hl >= hostlen || hl > 253) {
		snprintf(err, errlen, "\"%s\" has no usable host name", s);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (!addr_is_ascii(host)) { /* a name in other scripts: its A-labels */
		char why[160];

		if (addr_to_ascii(host, host, hostlen, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "\"%s\" is %s", s, why);
			return -1;
		}
		hl = strlen(host);
	}
	for (size_t i = 0; i < hl; i++) {
		unsigned char c = (unsigned char)host[i];
		if (!isalnum(c) && c != '-' && c != '.' && c != '_' && c != ':') {
			snprintf(err, errlen, "\"%s\" is not a host name", s);
			return -1;
		}
	}
	return colon ? opts_parse_port(colon + 1, port, err, errlen) : 0;
}

static int word_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

int opts_value(const struct opt *o, const char *s, time_t now, union opt_value *v, char *err,
    size_t errlen)
{
	memset(v, 0, sizeof(*v));
	v->s = s;
	switch (o->type) {
	case OPT_FLAG:
		v->flag = 1;
		return 0;
	case OPT_STRING:
		return 0;
	case OPT_WORD:
		if (word_ok(s))
			return 0;
		snprintf(err, errlen, "\"%s\" is not a single word", s);
		return -1;
	case OPT_LABEL:
		if (strlen(s) > 0 && strlen(s) <= 63 &&
		    strspn(s,
		        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
		        strlen(s))
			return 0;
		snprintf(err, errlen, "\"%s\" is not a DNS label", s);
		return -1;
	case OPT_COUNT:
		return opts_parse_count(s, &v->count, err, errlen);
	case OPT_SECONDS:
		return opts_parse_seconds(s, &v->seconds, err, errlen);
	case OPT_DAYS:
		return opts_parse_days(s, &v->days, err, errlen);
	case OPT_DATE:
		return opts_parse_date(s, now, &v->date, err, errlen);
	case OPT_PORT:
		return opts_parse_port(s, &v->port, err, errlen);
	case OPT_IP:
		if (addr_is_ip(s))
			return 0;
		snprintf(err, errlen, "\"%s\" is not an IPv4 or IPv6 address", s);
		return -1;
	case OPT_HOSTPORT:
		return opts_parse_hostport(s, v->hostport.host, sizeof(v->hostport.host),
		    &v->hostport.port, err, errlen);
	case OPT_RESOLVER:
		return opts_check_resolver(s, err, errlen);
	case OPT_CHOICE: {
		size_t l = 0;

		for (const char *const *c = o->choices; c && *c; c++)
			if (strcasecmp(*c, s) == 0) {
				v->s = *c;
				return 0;
			}
		l = (size_t)snprintf(err, errlen, "\"%s\" is not", s);
		for (const char *const *c = o->choices; c && *c && l < errlen; c++)
			l += (size_t)snprintf(err + l, errlen - l, "%s %s",
			    c == o->choices ? ""
			        : c[1]      ? ","
			                    : " or",
			    *c);
		return -1;
	}
	}
	snprintf(err, errlen, "no parser for this option");
	return -1;
}

void opts_usage(const struct opts_cmd *cmd, FILE *f)
{
	fputs(cmd->synopsis, f);
	fputs("\noptions:\n", f);
	for (const struct opt *o = cmd->table; o->lname; o++) {
		char left[48];

		if (o->sname)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->sname, o->lname,
			    o->metavar ? " " : "", o->metavar ? o->metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->lname,
			    o->metavar ? " " : "", o->metavar ? o->metavar : "");
		if (strlen(left) > 26)
			fprintf(f, "  %s\n  %-26s %s", left, "", o->help);
		else
			fprintf(f, "  %-26s %s", left, o->help);
		if (o->def)
			fprintf(f, " (default %s)", o->def);
		fputc('\n', f);
	}
	fputs(cmd->epilog, f);
}

const char *opts_name(const struct opts_cmd *cmd, int id)
{
	for (const struct opt *o = cmd->table; o->lname; o++)
		if (o->id == id)
			return o->lname;
	return "?";
}

int opts_parse(const struct opts_cmd *cmd, int argc, char **argv, void *ctx)
{
	struct option lopts[OPTS_MAX + 1];
	char shorts[2 * OPTS_MAX + 2], err[256];
	size_t n = 0, sl = 0;
	int c, idx, errors = 0;
	time_t now = time(NULL);
	union opt_value v;

	shorts[sl++] = ':'; /* a missing value is told apart from an unknown option */
	for (const struct opt *t = cmd->table; t->lname && n < OPTS_MAX; t++, n++) {
		lopts[n].name = t->lname;
		lopts[n].has_arg = t->type == OPT_FLAG ? no_argument : required_argument;
		lopts[n].flag = NULL;
		lopts[n].val = 256 + (int)n;
		if (t->sname) {
			shorts[sl++] = (char)t->sname;
			if (t->type != OPT_FLAG)
				shorts[sl++] = ':';
		}
		/* Defaults go through the same parser and the same store as given values. */
		if (t->def &&
		    (opts_value(t, t->def, now, &v, err, sizeof(err)) != 0 ||
		        cmd->apply(ctx, t, &v, 0, err, sizeof(err)) != 0)) {
			fprintf(stderr, "mailtls %s: internal error: default of --%s: %s\n",
			    cmd->name, t->lname, err);
			return -1;
		}
	}
	memset(&lopts[n], 0, sizeof(lopts[n]));
	shorts[sl] = '\0';

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lopts, &idx)) != -1) {
		const struct opt *t = NULL;

		if (c >= 256)
			t = &cmd->table[c - 256];
		for (const struct opt *u = cmd->table; !t && c != '?' && c != ':' && u->lname; u++)
			if (u->sname == c)
				t = u;
		if (t == NULL && c == ':') {
			if (optopt >= 256)
				fprintf(stderr, "mailtls %s: --%s needs a value\n", cmd->name,
				    cmd->table[optopt - 256].lname);
			else
				fprintf(stderr, "mailtls %s: -%c needs a value\n", cmd->name,
				    optopt);
			errors++;
			continue;
		}
		if (t == NULL) {
			if (optopt && optopt < 256)
				fprintf(stderr, "mailtls %s: unknown option -%c\n", cmd->name,
				    optopt);
			else
				fprintf(stderr, "mailtls %s: unknown option %s\n", cmd->name,
				    argv[optind - 1]);
			errors++;
			continue;
		}
		if (strcmp(t->lname, "help") == 0) {
			opts_usage(cmd, stdout);
			return 0;
		}
		err[0] = '\0';
		if (opts_value(t, t->type == OPT_FLAG ? "" : optarg, now, &v, err, sizeof(err)) ==
		    0)
			cmd->apply(ctx, t, &v, 1, err, sizeof(err));
		if (err[0]) {
			fprintf(stderr, "mailtls %s: --%s: %s\n", cmd->name, t->lname, err);
			errors++;
		}
	}
	if (errors) {
		fprintf(stderr, "Try 'mailtls %s --help'.\n", cmd->name);
		return -1;
	}
	return optind;
}
