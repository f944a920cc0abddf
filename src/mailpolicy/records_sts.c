/*
 * records_sts.c - MTA-STS (RFC 8461): the _mta-sts TXT record, the policy file and how its mx
 * patterns match a host. Pure functions over untrusted text: no I/O, every input bounded.
 */
#include <stdio.h>
#include <string.h>

#include "mailpolicy/records.h"
#include "mailpolicy/records_lex.h"

/*
 * Decisions where RFC 8461 leaves room (the tests pin each one):
 * - A policy with more than STS_MX_MAX mx: lines is refused, not cut short: keeping 64 would
 *   quietly fail hosts named by the 65th, and no real policy comes near 64.
 * - A key given twice (mode:, max_age:, version:) is an error although 3.2 tells senders to
 *   use the first: what the owner wrote is not what gets applied.
 * - Blank policy lines are skipped and whitespace around a line is trimmed. A known key in
 *   the wrong case ("Mode:") is an error, since senders would skip it as unknown.
 */

/* ---- the TXT record, RFC 8461 3.1 ---- */

static const char *const sts_txt_tags[] = {"id", NULL};

static const struct rec_grammar sts_txt_grammar = {
    .syntax = REC_EXT,
    .version = "STSv1",
    .tags = sts_txt_tags,
    .twice_reason = " (senders use the first, RFC 8461 3.2)",
};

int records_sts_txt(const char *txt, struct sts_txt *out, char *err, size_t errlen)
{
	struct rec_lex lx;
	struct rec_tag t;
	char q[REC_QBUF];
	int r;

	if (rec_lex_start(&lx, &sts_txt_grammar, txt, out, sizeof(*out), err, errlen))
		return -1;
	while ((r = rec_lex_next(&lx, &t, err, errlen)) > 0) {
		/* The only known tag is id=: 1*32(ALPHA / DIGIT). */
		int ok = t.vlen >= 1 && t.vlen <= 32;
		for (size_t i = 0; ok && i < t.vlen; i++)
			ok = rec_is_alnum((unsigned char)t.val[i]);
		if (!ok)
			return rec_fail(err, errlen, "id \"%s\" is not 1-32 letters and digits",
			    rec_quote(q, t.val, t.vlen));
		memcpy(out->id, t.val, t.vlen);
		out->id[t.vlen] = '\0';
	}
	if (r < 0)
		return -1;
	if (!rec_lex_seen(&lx, 0))
		return rec_fail(err, errlen, "no id= field");
	return 0;
}

/* ---- the policy file, RFC 8461 3.2 ---- */

/* RFC 5321 Domain: LDH labels of 1-63 bytes, 253 in all (RFC 1035 2.3.4), no trailing dot. */
static int domain_ok(const char *s, size_t n)
{
	size_t lab = 0;

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '.') {
			if (lab == 0 || s[i - 1] == '-')
				return 0;
			lab = 0;
			continue;
		}
		if (!rec_is_alnum(c) && c != '-')
			return 0;
		if (c == '-' && lab == 0)
			return 0;
		if (++lab > 63)
			return 0;
	}
	return lab > 0 && s[n - 1] != '-';
}

enum { SEEN_VERSION = 1, SEEN_MODE = 2, SEEN_MAX_AGE = 4 };

/* version:, mode: and max_age: come once: 3.2 has senders use the first, so a second is not
 * what the owner meant to apply. */
static int once(int *seen, int bit, const char *key, char *err, size_t errlen)
{
	if (*seen & bit)
		return rec_fail(err, errlen,
		    "%s: appears twice (senders use the first, RFC 8461 3.2)", key);
	*seen |= bit;
	return 0;
}

static int sts_line(const char *line, size_t n, struct sts_policy *out, int *seen, char *err,
    size_t errlen)
{
	static const char *const known[] = {"version", "mode", "max_age", "mx"};
	const char *colon = memchr(line, ':', n), *key = line, *val;
	size_t klen, vlen;
	char q[REC_QBUF];
	long age;

	if (!colon)
		return rec_fail(err, errlen, "line \"%s\" is not \"key: value\"",
		    rec_quote(q, line, n));
	klen = (size_t)(colon - line);
	if (!rec_ext_name_ok(key, klen))
		return rec_fail(err, errlen, "line \"%s\" is not \"key: value\"",
		    rec_quote(q, line, n));
	val = colon + 1;
	vlen = n - klen - 1;
	while (vlen && rec_is_wsp((unsigned char)val[0])) {
		val++;
		vlen--;
	}
	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)val[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return rec_fail(err, errlen, "line \"%s\" has a control character",
			    rec_quote(q, line, n));
	}

	if (rec_eq(key, klen, "version")) {
		if (once(seen, SEEN_VERSION, "version", err, errlen))
			return -1;
		if (!rec_eq(val, vlen, "STSv1"))
			return rec_fail(err, errlen, "version \"%s\" is not STSv1",
			    rec_quote(q, val, vlen));
	} else if (rec_eq(key, klen, "mode")) {
		if (once(seen, SEEN_MODE, "mode", err, errlen))
			return -1;
		if (rec_eq(val, vlen, "enforce"))
			out->mode = STS_MODE_ENFORCE;
		else if (rec_eq(val, vlen, "testing"))
			out->mode = STS_MODE_TESTING;
		else if (rec_eq(val, vlen, "none"))
			out->mode = STS_MODE_NONE;
		else
			return rec_fail(err, errlen, "mode \"%s\" is not enforce, testing or none",
			    rec_quote(q, val, vlen));
	} else if (rec_eq(key, klen, "max_age")) {
		if (once(seen, SEEN_MAX_AGE, "max_age", err, errlen))
			return -1;
		age = rec_parse_uint(val, vlen, 10, 1); /* 1*10DIGIT */
		if (age < 0)
			return rec_fail(err, errlen, "max_age \"%s\" is not a number of seconds",
			    rec_quote(q, val, vlen));
		if (age > STS_MAX_AGE_MAX)
			return rec_fail(err, errlen, "max_age %ld is more than %ld (a year)", age,
			    STS_MAX_AGE_MAX);
		out->max_age = age;
	} else if (rec_eq(key, klen, "mx")) {
		const char *d = val;
		size_t dn = vlen;
		if (out->nmx == STS_MX_MAX)
			return rec_fail(err, errlen, "more than %d mx: lines", STS_MX_MAX);
		/* ["*."] Domain: domain_ok() bounds it to 2 + 253 <= STS_MX_NAME_MAX. */
		if (dn >= 2 && d[0] == '*' && d[1] == '.') {
			d += 2;
			dn -= 2;
		}
		if (!domain_ok(d, dn))
			return rec_fail(err, errlen, "mx \"%s\" is not a host name or *.host name",
			    rec_quote(q, val, vlen));
		memcpy(out->mx[out->nmx], val, vlen);
		out->mx[out->nmx][vlen] = '\0';
		out->nmx++;
	} else {
		/* Unknown keys are ignored (RFC 8461 3.2), but a known one in the wrong case is
		 * a mistake senders would silently skip over. */
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (rec_ieq(key, klen, known[i]))
				return rec_fail(err, errlen,
				    "key \"%s\" is not \"%s\" (keys are case-sensitive)",
				    rec_quote(q, key, klen), known[i]);
	}
	return 0;
}

int records_sts_policy(const char *body, size_t len, struct sts_policy *out, char *err,
    size_t errlen)
{
	size_t pos = 0, lineno = 0;
	const char *nul;
	int seen = 0;

	if (!out || (!body && len))
		return rec_fail(err, errlen, "no policy");
	memset(out, 0, sizeof(*out));
	if (len > STS_POLICY_MAX)
		return rec_fail(err, errlen, "policy larger than %d bytes", STS_POLICY_MAX);
	/* RFC 8461 3.2: the policy is text; a NUL is no part of any line (and would end a C
	 * string early for whoever reads it next). */
	if (len && (nul = memchr(body, '\0', len)) != NULL)
		return rec_fail(err, errlen, "NUL byte at offset %zu: a policy is text",
		    (size_t)(nul - body));
	while (pos < len) {
		const char *line = body + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		pos += n + (nl ? 1 : 0);
		lineno++;
		/* sts-policy-term is LF or CRLF. */
		if (n && line[n - 1] == '\r')
			n--;
		while (n && rec_is_wsp((unsigned char)line[n - 1]))
			n--;
		while (n && rec_is_wsp((unsigned char)line[0])) {
			line++;
			n--;
		}
		if (n == 0)
			continue;
		if (sts_line(line, n, out, &seen, err, errlen)) {
			if (err && errlen) {
				size_t used = strnlen(err, errlen);
				if (used + 1 < errlen)
					snprintf(err + used, errlen - used, " (line %zu)", lineno);
			}
			return -1;
		}
	}
	if (!(seen & SEEN_VERSION))
		return rec_fail(err, errlen, "no version: line");
	if (!(seen & SEEN_MODE))
		return rec_fail(err, errlen, "no mode: line");
	if (!(seen & SEEN_MAX_AGE))
		return rec_fail(err, errlen, "no max_age: line");
	if (out->mode != STS_MODE_NONE && out->nmx == 0)
		return rec_fail(err, errlen, "no mx: line (required unless mode is none)");
	return 0;
}

/* ---- mx patterns, RFC 8461 4.1 ---- */

/* a[0..n) and b[0..n) are the same, ASCII case-insensitively (names, RFC 4343). */
static int same_name(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rec_lower((unsigned char)a[i]) != rec_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

int records_sts_mx_match(const char *pattern, const char *host)
{
	size_t pn, hn;

	if (!pattern || !host)
		return 0;
	pn = strnlen(pattern, STS_MX_NAME_MAX + 1);
	hn = strnlen(host, STS_MX_NAME_MAX + 1);
	if (pn > STS_MX_NAME_MAX || hn > STS_MX_NAME_MAX)
		return 0; /* longer than any DNS name */
	if (pn && pattern[pn - 1] == '.')
		pn--;
	if (hn && host[hn - 1] == '.')
		hn--;
	if (pn == 0 || hn == 0)
		return 0;
	if (pn >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* RFC 8461 4.1: the wildcard is exactly one non-empty left-most label. */
		const char *rest = pattern + 2;
		size_t rn = pn - 2, dot;

		if (rn == 0 || hn <= rn + 1)
			return 0;
		dot = hn - rn - 1;
		if (host[dot] != '.' || memchr(host, '.', dot))
			return 0;
		return same_name(host + dot + 1, rest, rn);
	}
	return pn == hn && same_name(pattern, host, pn);
}
