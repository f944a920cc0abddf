/*
 * records.c - parsers for MTA-STS, TLS-RPT, SPF, DMARC and DKIM text published beside a mail
 * domain. All input is untrusted: never read or copy past a bound, never do I/O, keep no state.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "mailpolicy/records.h"

/*
 * Decisions where the RFCs leave room (the tests pin each one):
 * - A TXT record longer than RECORD_MAX is refused: one TXT RR cannot carry more.
 * - A policy with more than STS_MX_MAX mx: lines is refused, not cut short: keeping 64 would
 *   quietly fail hosts named by the 65th, and no real policy comes near 64.
 * - Fields given twice (mode:, id=, p=, rua=, redirect= ...) are errors. RFC 8461 3.2 tells
 *   senders to use the first; RFC 6376 3.2 and RFC 7208 6 call the record invalid. Either way
 *   what the owner wrote is not what gets applied, which is worth an error.
 * - Empty fields in tag lists (";;", a trailing ';') and blank policy lines are skipped;
 *   whitespace around a policy line is trimmed. A known policy key in the wrong case
 *   ("Mode:") is an error, since senders would skip it as unknown.
 * - Versions are checked as their grammars spell them: v=STSv1, v=TLSRPTv1, DMARC1 and DKIM1
 *   case-sensitively, v=spf1 not. records_is_kind() ignores case for all, so a "v=stsv1"
 *   record reaches its parser and gets a message rather than being skipped unseen.
 * - SPF terms are separated by SP only (RFC 7208 12): a tab makes the term invalid.
 * - rua lists that do not fit the struct keep the whole URIs that fit (never half a URI).
 * - DMARC sp= stays "" when absent (RFC 7489 6.3: then p applies to subdomains).
 * - SPF: more than 10 lookups is not an error here: includes add theirs, the caller sums.
 * - DKIM rsa keys must be SubjectPublicKeyInfo (what verifiers read); a bare PKCS#1
 *   RSAPublicKey is refused with a message saying so.
 */

#define RECORD_MAX 65535 /* bytes in one TXT RR's data, all strings joined */
#define QUOTE_MAX 40     /* bytes of untrusted text quoted in a message */
#define QBUF (QUOTE_MAX + 1)
#define KEY_B64_MAX 8192          /* base64 of an RSA-16384 SubjectPublicKeyInfo is about 2800 */
#define STS_MAX_AGE_MAX 31557600L /* RFC 8461 3.2: a year */

/* ASCII only: <ctype.h> follows the locale, and these grammars are ASCII. */
static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static int is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* Whitespace DNS text may fold into a tag list (RFC 6376 FWS). */
static int is_fws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* s[0..n) equals the C string lit, ASCII case-insensitively. */
static int ieq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lit[i] == '\0' || lower((unsigned char)s[i]) != lower((unsigned char)lit[i]))
			return 0;
	return lit[i] == '\0';
}

/* s[0..n) equals the C string lit exactly. */
static int eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Untrusted text for a message: printable ASCII only, at most QUOTE_MAX bytes. */
static const char *quote(char out[QBUF], const char *s, size_t n)
{
	size_t max = n > QUOTE_MAX ? QUOTE_MAX - 3 : n, i;

	for (i = 0; i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (n > QUOTE_MAX) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The length of a record, or -1 with err when it is missing or longer than any TXT RR. */
static long record_len(const char *txt, char *err, size_t errlen)
{
	size_t n;

	if (!txt) {
		fail(err, errlen, "no record");
		return -1;
	}
	n = strnlen(txt, RECORD_MAX + 1);
	if (n > RECORD_MAX) {
		fail(err, errlen, "record longer than %d bytes", RECORD_MAX);
		return -1;
	}
	return (long)n;
}

/* Strip fws from both ends of s[0..*n). */
static const char *trim(const char *s, size_t *n)
{
	while (*n && is_fws((unsigned char)s[0])) {
		s++;
		(*n)--;
	}
	while (*n && is_fws((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

/*
 * Tag lists, "name=value; name=value" (RFC 8461 3.1, RFC 8460 3, RFC 7489 6.4, RFC 6376 3.2).
 * A field is trimmed at both ends; name and value are split at the first '=' but not trimmed
 * there, because MTA-STS and TLS-RPT allow no whitespace around '=' and DKIM and DMARC do.
 */
struct field {
	const char *s, *name, *val; /* val NULL when there is no '=' */
	size_t n, nlen, vlen;
};

static int next_field(const char *s, size_t len, size_t *pos, struct field *f)
{
	while (*pos < len) {
		size_t b = *pos, e = b, n;
		const char *p, *eqs;

		while (e < len && s[e] != ';')
			e++;
		*pos = e < len ? e + 1 : e;
		n = e - b;
		p = trim(s + b, &n);
		if (n == 0)
			continue; /* ";;" and a trailing ';' */
		f->s = p;
		f->n = n;
		f->name = p;
		eqs = memchr(p, '=', n);
		if (eqs) {
			f->nlen = (size_t)(eqs - p);
			f->val = eqs + 1;
			f->vlen = n - f->nlen - 1;
		} else {
			f->nlen = n;
			f->val = NULL;
			f->vlen = 0;
		}
		return 1;
	}
	return 0;
}

/* RFC 8461 3.1 sts-ext-name, RFC 8460 3 tlsrpt-ext-name. */
static int ext_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 32 || !is_alnum((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++) {
		int c = (unsigned char)s[i];
		if (!is_alnum(c) && c != '_' && c != '-' && c != '.')
			return 0;
	}
	return 1;
}

/* RFC 8461 3.1 sts-ext-value, RFC 8460 3 tlsrpt-ext-value: visible ASCII but '=' and ';'. */
static int ext_value_ok(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7e || c == '=' || c == ';')
			return 0;
	}
	return 1;
}

/* RFC 6376 3.2 tag-name, which DMARC borrows (RFC 7489 6.4). */
static int tag_name_ok(const char *s, size_t n)
{
	if (n == 0 || !is_alpha((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/*
 * Copy a comma-separated URI list into dst. When it does not fit, keep the whole URIs that
 * do. -1 when not even the first fits.
 */
static int keep_list(char *dst, size_t dstsize, const char *s, size_t n)
{
	size_t cut = n;

	if (n >= dstsize) {
		cut = 0;
		for (size_t i = 0; i < dstsize; i++)
			if (s[i] == ',')
				cut = i;
		while (cut && is_fws((unsigned char)s[cut - 1]))
			cut--;
		if (cut == 0)
			return -1;
	}
	memcpy(dst, s, cut);
	dst[cut] = '\0';
	return 0;
}

/* Parse 1..maxdigits decimal digits, no sign, no leading zero unless "0". -1 if not. */
static long parse_uint(const char *s, size_t n, size_t maxdigits, int leading_zero_ok)
{
	long v = 0;

	if (n == 0 || n > maxdigits || (!leading_zero_ok && n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int records_is_kind(const char *txt, const char *tag)
{
	size_t i;

	if (!txt || !tag || !tag[0])
		return 0;
	/* Stops at txt's NUL: a mismatch, since tag has none there. */
	for (i = 0; tag[i]; i++)
		if (lower((unsigned char)txt[i]) != lower((unsigned char)tag[i]))
			return 0;
	return txt[i] == '\0' || txt[i] == ';' || txt[i] == ' ' || txt[i] == '\t';
}

/* RFC 8461 3.1, RFC 8460 3: the first field is "v=<version>" (%s: case-sensitive) at the
 * very start of the record. */
static int version_first(const char *txt, size_t len, const struct field *f, const char *want,
    char *err, size_t errlen)
{
	char q[QBUF];

	if (f->s == txt && eq(f->s, f->n, want))
		return 0;
	if (f->s == txt && f->val && eq(f->name, f->nlen, "v"))
		return fail(err, errlen, "version \"%s\" is not %s", quote(q, f->val, f->vlen),
		    want + 2);
	return fail(err, errlen, "record \"%s\" does not start with %s", quote(q, txt, len), want);
}

/* Every later field is name=value with an extension-style name, and v= comes once. */
static int later_field(const struct field *f, char *err, size_t errlen)
{
	char q[QBUF];

	if (!f->val || !ext_name_ok(f->name, f->nlen))
		return fail(err, errlen, "field \"%s\" is not name=value", quote(q, f->s, f->n));
	if (eq(f->name, f->nlen, "v"))
		return fail(err, errlen, "v= appears twice");
	return 0;
}

/* ---- MTA-STS TXT, RFC 8461 3.1 ---- */

int records_sts_txt(const char *txt, struct sts_txt *out, char *err, size_t errlen)
{
	long len = record_len(txt, err, errlen);
	struct field f;
	size_t pos = 0;
	int first = 1, have_id = 0;
	char q[QBUF];

	if (len < 0)
		return -1;
	if (!out)
		return fail(err, errlen, "no record");
	memset(out, 0, sizeof(*out));
	while (next_field(txt, (size_t)len, &pos, &f)) {
		if (first) {
			first = 0;
			if (version_first(txt, (size_t)len, &f, "v=STSv1", err, errlen))
				return -1;
			continue;
		}
		if (later_field(&f, err, errlen))
			return -1;
		if (eq(f.name, f.nlen, "id")) {
			int ok = f.vlen >= 1 && f.vlen <= 32;
			for (size_t i = 0; ok && i < f.vlen; i++)
				ok = is_alnum((unsigned char)f.val[i]);
			if (have_id)
				return fail(err, errlen,
				    "id= appears twice (senders use the first, RFC 8461 3.2)");
			if (!ok)
				return fail(err, errlen, "id \"%s\" is not 1-32 letters and digits",
				    quote(q, f.val, f.vlen));
			memcpy(out->id, f.val, f.vlen);
			out->id[f.vlen] = '\0';
			have_id = 1;
		} else if (!ext_value_ok(f.val, f.vlen)) {
			return fail(err, errlen, "field \"%s\" is not name=value",
			    quote(q, f.s, f.n));
		}
	}
	if (first)
		return fail(err, errlen, "record is empty");
	if (!have_id)
		return fail(err, errlen, "no id= field");
	return 0;
}

/* ---- MTA-STS policy, RFC 8461 3.2 ---- */

/* RFC 5321 Domain: LDH labels of 1-63 bytes, 253 in all, no trailing dot. */
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
		if (!is_alnum(c) && c != '-')
			return 0;
		if (c == '-' && lab == 0)
			return 0;
		if (++lab > 63)
			return 0;
	}
	return lab > 0 && s[n - 1] != '-';
}

enum { SEEN_VERSION = 1, SEEN_MODE = 2, SEEN_MAX_AGE = 4 };

static int sts_line(const char *line, size_t n, struct sts_policy *out, int *seen, char *err,
    size_t errlen)
{
	static const char *const known[] = {"version", "mode", "max_age", "mx"};
	const char *colon = memchr(line, ':', n), *key = line, *val;
	size_t klen, vlen;
	char q[QBUF];
	long age;

	if (!colon)
		return fail(err, errlen, "line \"%s\" is not \"key: value\"", quote(q, line, n));
	klen = (size_t)(colon - line);
	if (!ext_name_ok(key, klen))
		return fail(err, errlen, "line \"%s\" is not \"key: value\"", quote(q, line, n));
	val = colon + 1;
	vlen = n - klen - 1;
	while (vlen && is_wsp((unsigned char)val[0])) {
		val++;
		vlen--;
	}
	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)val[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(err, errlen, "line \"%s\" has a control character",
			    quote(q, line, n));
	}

	if (eq(key, klen, "version")) {
		if (*seen & SEEN_VERSION)
			return fail(err, errlen,
			    "version: appears twice (senders use the first, RFC 8461 3.2)");
		*seen |= SEEN_VERSION;
		if (!eq(val, vlen, "STSv1"))
			return fail(err, errlen, "version \"%s\" is not STSv1",
			    quote(q, val, vlen));
	} else if (eq(key, klen, "mode")) {
		if (*seen & SEEN_MODE)
			return fail(err, errlen,
			    "mode: appears twice (senders use the first, RFC 8461 3.2)");
		*seen |= SEEN_MODE;
		if (eq(val, vlen, "enforce"))
			out->mode = STS_MODE_ENFORCE;
		else if (eq(val, vlen, "testing"))
			out->mode = STS_MODE_TESTING;
		else if (eq(val, vlen, "none"))
			out->mode = STS_MODE_NONE;
		else
			return fail(err, errlen, "mode \"%s\" is not enforce, testing or none",
			    quote(q, val, vlen));
	} else if (eq(key, klen, "max_age")) {
		if (*seen & SEEN_MAX_AGE)
			return fail(err, errlen,
			    "max_age: appears twice (senders use the first, RFC 8461 3.2)");
		*seen |= SEEN_MAX_AGE;
		age = parse_uint(val, vlen, 10, 1); /* 1*10DIGIT */
		if (age < 0)
			return fail(err, errlen, "max_age \"%s\" is not a number of seconds",
			    quote(q, val, vlen));
		if (age > STS_MAX_AGE_MAX)
			return fail(err, errlen, "max_age %ld is more than %ld (a year)", age,
			    STS_MAX_AGE_MAX);
		out->max_age = age;
	} else if (eq(key, klen, "mx")) {
		const char *d = val;
		size_t dn = vlen;
		if (out->nmx == STS_MX_MAX)
			return fail(err, errlen, "more than %d mx: lines", STS_MX_MAX);
		/* ["*."] Domain; 2 + 253 fits mx[][256]. */
		if (dn >= 2 && d[0] == '*' && d[1] == '.') {
			d += 2;
			dn -= 2;
		}
		if (!domain_ok(d, dn))
			return fail(err, errlen, "mx \"%s\" is not a host name or *.host name",
			    quote(q, val, vlen));
		memcpy(out->mx[out->nmx], val, vlen);
		out->mx[out->nmx][vlen] = '\0';
		out->nmx++;
	} else {
		/* Unknown keys are ignored (RFC 8461 3.2), but a known one in the wrong case is
		 * a mistake senders would silently skip over. */
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (ieq(key, klen, known[i]))
				return fail(err, errlen,
				    "key \"%s\" is not \"%s\" (keys are case-sensitive)",
				    quote(q, key, klen), known[i]);
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
		return fail(err, errlen, "no policy");
	memset(out, 0, sizeof(*out));
	if (len > STS_POLICY_MAX)
		return fail(err, errlen, "policy larger than %d bytes", STS_POLICY_MAX);
	/* RFC 8461 3.2: the policy is text; a NUL is no part of any line (and would end a C
	 * string early for whoever reads it next). */
	if (len && (nul = memchr(body, '\0', len)) != NULL)
		return fail(err, errlen, "NUL byte at offset %zu: a policy is text",
		    (size_t)(nul - body));
	while (pos < len) {
		const char *line = body + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		pos += n + (nl ? 1 : 0);
		lineno++;
		/* sts-policy-term is LF or CRLF. */
		if (n && line[n - 1] == '\r')
			n--;
		while (n && is_wsp((unsigned char)line[n - 1]))
			n--;
		while (n && is_wsp((unsigned char)line[0])) {
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
		return fail(err, errlen, "no version: line");
	if (!(seen & SEEN_MODE))
		return fail(err, errlen, "no mode: line");
	if (!(seen & SEEN_MAX_AGE))
		return fail(err, errlen, "no max_age: line");
	if (out->mode != STS_MODE_NONE && out->nmx == 0)
		return fail(err, errlen, "no mx: line (required unless mode is none)");
	return 0;
}

int records_sts_mx_match(const char *pattern, const char *host)
{
	size_t pn, hn;

	if (!pattern || !host)
		return 0;
	pn = strnlen(pattern, 256);
	hn = strnlen(host, 256);
	if (pn > 255 || hn > 255)
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
		for (size_t i = 0; i < rn; i++)
			if (lower((unsigned char)host[dot + 1 + i]) !=
			    lower((unsigned char)rest[i]))
				return 0;
		return 1;
	}
	if (pn != hn)
		return 0;
	for (size_t i = 0; i < pn; i++)
		if (lower((unsigned char)pattern[i]) != lower((unsigned char)host[i]))
			return 0;
	return 1;
}

/* ---- TLS-RPT, RFC 8460 3 ---- */

/* tlsrpt-rua: URIs separated by *WSP "," *WSP, each mailto: or https: (RFC 8460 3). */
static int tlsrpt_rua(const char *s, size_t n, char *err, size_t errlen)
{
	size_t pos = 0;
	char q[QBUF];

	if (n == 0)
		return fail(err, errlen, "rua= is empty");
	while (pos <= n) {
		const char *u = s + pos, *c = memchr(u, ',', n - pos);
		size_t un = c ? (size_t)(c - u) : n - pos, scheme;

		pos += un + 1;
		while (un && is_wsp((unsigned char)u[0])) {
			u++;
			un--;
		}
		while (un && is_wsp((unsigned char)u[un - 1]))
			un--;
		if (un == 0)
			return fail(err, errlen, "rua= has an empty URI");
		scheme = 0;
		if (un > 7 && ieq(u, 7, "mailto:"))
			scheme = 7;
		else if (un > 6 && ieq(u, 6, "https:"))
			scheme = 6;
		if (!scheme)
			return fail(err, errlen,
			    "rua URI \"%s\" is not mailto: or https:", quote(q, u, un));
		for (size_t i = 0; i < un; i++)
			if ((unsigned char)u[i] < 0x21 || (unsigned char)u[i] > 0x7e)
				return fail(err, errlen,
				    "rua URI \"%s\" has a space or non-ASCII byte",
				    quote(q, u, un));
	}
	return 0;
}

int records_tlsrpt(const char *txt, struct tlsrpt *out, char *err, size_t errlen)
{
	long len = record_len(txt, err, errlen);
	struct field f;
	size_t pos = 0;
	int first = 1, have_rua = 0;
	char q[QBUF];

	if (len < 0)
		return -1;
	if (!out)
		return fail(err, errlen, "no record");
	memset(out, 0, sizeof(*out));
	while (next_field(txt, (size_t)len, &pos, &f)) {
		if (first) {
			first = 0;
			if (version_first(txt, (size_t)len, &f, "v=TLSRPTv1", err, errlen))
				return -1;
			continue;
		}
		if (later_field(&f, err, errlen))
			return -1;
		if (eq(f.name, f.nlen, "rua")) {
			if (have_rua)
				return fail(err, errlen, "rua= appears twice");
			have_rua = 1;
			if (tlsrpt_rua(f.val, f.vlen, err, errlen))
				return -1;
			if (keep_list(out->rua, sizeof(out->rua), f.val, f.vlen))
				return fail(err, errlen, "rua URI \"%s\" is longer than %zu bytes",
				    quote(q, f.val, f.vlen), sizeof(out->rua) - 1);
		} else if (!ext_value_ok(f.val, f.vlen)) {
			return fail(err, errlen, "field \"%s\" is not name=value",
			    quote(q, f.s, f.n));
		}
	}
	if (first)
		return fail(err, errlen, "record is empty");
	if (!have_rua)
		return fail(err, errlen, "no rua= field (required)");
	return 0;
}

/* ---- SPF, RFC 7208 ---- */

/*
 * macro-string (RFC 7208 7.1): visible ASCII, '%' only in "%%", "%_", "%-" or
 * "%{" letter *DIGIT ["r"] *delimiter "}". *tail_macro says whether it ends in a macro.
 */
static int spf_macro_string(const char *s, size_t n, int *tail_macro, char *why, size_t whylen)
{
	size_t i = 0;

	*tail_macro = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		*tail_macro = 0;
		if (c < 0x21 || c > 0x7e)
			return fail(why, whylen, "a byte that is not visible ASCII");
		if (c != '%') {
			i++;
			continue;
		}
		if (i + 1 < n && (s[i + 1] == '%' || s[i + 1] == '_' || s[i + 1] == '-')) {
			i += 2;
		} else if (i + 2 < n && s[i + 1] == '{' && s[i + 2] &&
		    strchr("slodiphcrtv", lower((unsigned char)s[i + 2]))) {
			size_t j = i + 3;
			while (j < n && is_digit((unsigned char)s[j]))
				j++;
			if (j < n && lower((unsigned char)s[j]) == 'r')
				j++;
			while (j < n && s[j] && strchr(".-+,/_=", s[j]))
				j++;
			if (j >= n || s[j] != '}')
				return fail(why, whylen, "an unterminated %%{ macro");
			i = j + 1;
		} else {
			return fail(why, whylen, "a '%%' that starts no macro");
		}
		*tail_macro = 1;
	}
	return 0;
}

/* RFC 7208 7.1 toplabel: alphanumerics with a letter, or alnum-hyphens-alnum. */
static int toplabel_ok(const char *s, size_t n)
{
	int alpha = 0, hyphen = 0;

	if (n == 0 || !is_alnum((unsigned char)s[0]) || !is_alnum((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '-')
			hyphen = 1;
		else if (is_alpha(c))
			alpha = 1;
		else if (!is_digit(c))
			return 0;
	}
	return alpha || hyphen;
}

/* domain-spec = macro-string domain-end; domain-end = "." toplabel ["."] / macro-expand. */
static int spf_domain_spec(const char *s, size_t n, char *why, size_t whylen)
{
	int tail_macro;
	size_t e = n, d;
	char q[QBUF];

	if (n == 0)
		return fail(why, whylen, "the domain is empty");
	if (spf_macro_string(s, n, &tail_macro, why, whylen))
		return -1;
	if (tail_macro)
		return 0;
	if (s[e - 1] == '.')
		e--;
	for (d = e; d > 0 && s[d - 1] != '.'; d--)
		;
	if (d == 0 || !toplabel_ok(s + d, e - d))
		return fail(why, whylen, "\"%s\" is not a domain", quote(q, s, n));
	return 0;
}

static int spf_ip4(const char *s, size_t n)
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		size_t b;
		long v;

		if (part) {
			if (i >= n || s[i] != '.')
				return -1;
			i++;
		}
		b = i;
		while (i < n && i - b < 3 && is_digit((unsigned char)s[i]))
			i++;
		v = parse_uint(s + b, i - b, 3, 0); /* qnum: no leading zeros */
		if (v < 0 || v > 255)
			return -1;
	}
	return i == n ? 0 : -1;
}

static int spf_ip6(const char *s, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned char a[16];

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, a) == 1 ? 0 : -1;
}

/* "/" ("0" / %x31-39 *DIGIT) no more than max (RFC 7208 5.6). s starts after the '/'. */
static int spf_cidr(const char *s, size_t n, long max)
{
	long v = parse_uint(s, n, 3, 0);

	return (v < 0 || v > max) ? -1 : 0;
}

/* dual-cidr-length = [ "/" ip4-cidr ] [ "//" ip6-cidr ], s at the first '/'. */
static int spf_dual_cidr(const char *s, size_t n, char *why, size_t whylen)
{
	const char *v6 = NULL;
	size_t v4n = 0, v6n = 0;

	if (n == 0)
		return 0;
	if (n >= 2 && s[1] == '/') {
		v6 = s + 2;
		v6n = n - 2;
	} else {
		const char *dd = NULL;
		for (size_t i = 1; i + 1 < n; i++)
			if (s[i] == '/' && s[i + 1] == '/') {
				dd = s + i;
				break;
			}
		v4n = (dd ? (size_t)(dd - s) : n) - 1;
		if (spf_cidr(s + 1, v4n, 32))
			return fail(why, whylen, "the IPv4 prefix length is not 0-32");
		if (dd) {
			v6 = dd + 2;
			v6n = n - (size_t)(v6 - s);
		}
	}
	if (v6 && spf_cidr(v6, v6n, 128))
		return fail(why, whylen, "the IPv6 prefix length is not 0-128");
	return 0;
}

enum { SEEN_REDIRECT = 1, SEEN_EXP = 2 };

/* One term. -1 with why (the caller quotes the term). */
static int spf_term(const char *t, size_t n, struct spf *out, int *seen, char *why, size_t whylen)
{
	char qual = '+';
	size_t i = 0, argn;
	const char *arg;
	char q[QBUF];

	/* modifier = name "=" ..., name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
	if (is_alpha((unsigned char)t[0])) {
		while (i < n &&
		    (is_alnum((unsigned char)t[i]) || t[i] == '-' || t[i] == '_' || t[i] == '.'))
			i++;
		if (i < n && t[i] == '=') {
			const char *v = t + i + 1;
			size_t vn = n - i - 1;
			int tail;
			if (ieq(t, i, "redirect") || ieq(t, i, "exp")) {
				int bit = ieq(t, i, "exp") ? SEEN_EXP : SEEN_REDIRECT;
				if (*seen & bit) /* RFC 7208 6 */
					return fail(why, whylen, "%s= appears twice",
					    bit == SEEN_EXP ? "exp" : "redirect");
				*seen |= bit;
				if (spf_domain_spec(v, vn, why, whylen))
					return -1;
				if (bit == SEEN_REDIRECT) {
					if (vn >= sizeof(out->redirect))
						return fail(why, whylen,
						    "the domain is longer than %zu bytes",
						    sizeof(out->redirect) - 1);
					memcpy(out->redirect, v, vn);
					out->redirect[vn] = '\0';
					out->lookups++;
				}
				return 0;
			}
			return spf_macro_string(v, vn, &tail, why, whylen); /* unknown: allowed */
		}
	}

	if (strchr("+-~?", t[0])) {
		qual = t[0];
		t++;
		n--;
		if (n == 0)
			return fail(why, whylen, "a qualifier with no mechanism");
	}
	for (i = 0; i < n && t[i] != ':' && t[i] != '/'; i++)
		;
	arg = t + i;
	argn = n - i;

	if (ieq(t, i, "all")) {
		if (argn)
			return fail(why, whylen, "all takes no argument");
		if (!out->all_qualifier)
			out->all_qualifier = qual; /* later ones are never reached (RFC 7208 5.1) */
		return 0;
	}
	if (ieq(t, i, "include") || ieq(t, i, "exists")) {
		if (argn < 1 || arg[0] != ':')
			return fail(why, whylen, "%s needs :domain",
			    lower(t[0]) == 'i' ? "include" : "exists");
		out->lookups++;
		return spf_domain_spec(arg + 1, argn - 1, why, whylen);
	}
	if (ieq(t, i, "ptr")) {
		out->lookups++;
		if (argn == 0)
			return 0;
		if (arg[0] != ':')
			return fail(why, whylen, "ptr takes no prefix length");
		return spf_domain_spec(arg + 1, argn - 1, why, whylen);
	}
	if (ieq(t, i, "a") || ieq(t, i, "mx")) {
		out->lookups++;
		if (argn && arg[0] == ':') {
			/* The domain runs to the first '/' outside a %{...} macro. */
			size_t j = 1;
			int in_macro = 0;
			while (j < argn && (in_macro || arg[j] != '/')) {
				if (arg[j] == '%' && j + 1 < argn && arg[j + 1] == '{')
					in_macro = 1;
				else if (arg[j] == '}')
					in_macro = 0;
				j++;
			}
			if (spf_domain_spec(arg + 1, j - 1, why, whylen))
				return -1;
			arg += j;
			argn -= j;
		}
		return spf_dual_cidr(arg, argn, why, whylen);
	}
	if (ieq(t, i, "ip4") || ieq(t, i, "ip6")) {
		int v6 = lower(t[2]) == '6';
		size_t j = 1;
		if (argn < 2 || arg[0] != ':')
			return fail(why, whylen, "%s needs :address", v6 ? "ip6" : "ip4");
		while (j < argn && arg[j] != '/')
			j++;
		if (v6 ? spf_ip6(arg + 1, j - 1) : spf_ip4(arg + 1, j - 1))
			return fail(why, whylen, "\"%s\" is not an %s address",
			    quote(q, arg + 1, j - 1), v6 ? "IPv6" : "IPv4");
		if (j < argn && spf_cidr(arg + j + 1, argn - j - 1, v6 ? 128 : 32))
			return fail(why, whylen, "\"%s\" is not a prefix length 0-%d",
			    quote(q, arg + j, argn - j), v6 ? 128 : 32);
		return 0;
	}
	return fail(why, whylen, "unknown mechanism \"%s\"", quote(q, t, i));
}

int records_spf(const char *txt, struct spf *out, char *err, size_t errlen)
{
	long len = record_len(txt, err, errlen);
	size_t pos = 6;
	int seen = 0;
	char q[QBUF], why[96];

	if (len < 0)
		return -1;
	if (!out)
		return fail(err, errlen, "no record");
	memset(out, 0, sizeof(*out));
	/* RFC 7208 4.5: "v=spf1", then SP or the end. */
	if (len < 6 || !ieq(txt, 6, "v=spf1") || (len > 6 && txt[6] != ' '))
		return fail(err, errlen, "record \"%s\" does not start with \"v=spf1 \"",
		    quote(q, txt, (size_t)len));
	/* Terms are separated by 1*SP and only SP (RFC 7208 4.6.1, 12). */
	while (pos < (size_t)len) {
		size_t b;
		if (txt[pos] == ' ') {
			pos++;
			continue;
		}
		b = pos;
		while (pos < (size_t)len && txt[pos] != ' ')
			pos++;
		if (spf_term(txt + b, pos - b, out, &seen, why, sizeof(why)))
			return fail(err, errlen, "term \"%s\" is not valid: %s",
			    quote(q, txt + b, pos - b), why);
	}
	return 0;
}

/* ---- DMARC, RFC 7489 6.3-6.4 ---- */

static int dmarc_policy(char dst[16], const char *v, size_t n)
{
	static const char *const ok[] = {"none", "quarantine", "reject"};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (ieq(v, n, ok[i])) {
			memcpy(dst, ok[i], strlen(ok[i]) + 1);
			return 0;
		}
	return -1;
}

int records_dmarc(const char *txt, struct dmarc *out, char *err, size_t errlen)
{
	/* Tag names are ABNF strings, so case-insensitive (RFC 5234 2.3). */
	static const char *const tags[] = {"v", "p", "sp", "pct", "rua", "ruf", "adkim", "aspf",
	    "fo", "rf", "ri"};
	long len = record_len(txt, err, errlen);
	struct field f;
	size_t pos = 0;
	int first = 1;
	unsigned seen = 0;
	char q[QBUF];

	if (len < 0)
		return -1;
	if (!out)
		return fail(err, errlen, "no record");
	memset(out, 0, sizeof(*out));
	out->pct = 100;
	while (next_field(txt, (size_t)len, &pos, &f)) {
		size_t nl = f.nlen, vl = f.vlen, k;
		const char *name = trim(f.name, &nl), *val = f.val ? trim(f.val, &vl) : NULL;

		if (first) {
			/* dmarc-version = "v" *WSP "=" *WSP "DMARC1", first (RFC 7489 6.4). */
			first = 0;
			if (f.s != txt || !val || !ieq(name, nl, "v"))
				return fail(err, errlen,
				    "record \"%s\" does not start with v=DMARC1",
				    quote(q, txt, (size_t)len));
			if (!eq(val, vl, "DMARC1"))
				return fail(err, errlen, "version \"%s\" is not DMARC1",
				    quote(q, val, vl));
			seen |= 1;
			continue;
		}
		if (!val)
			return fail(err, errlen, "tag \"%s\" has no '='", quote(q, f.s, f.n));
		if (!tag_name_ok(name, nl))
			return fail(err, errlen, "tag name \"%s\" is not valid",
			    quote(q, name, nl));
		for (k = 0; k < sizeof(tags) / sizeof(tags[0]) && !ieq(name, nl, tags[k]); k++)
			;
		if (k == sizeof(tags) / sizeof(tags[0]))
			continue; /* unknown tags MUST be ignored (RFC 7489 6.3) */
		if (seen & (1u << k))
			return fail(err, errlen, "%s= appears twice", tags[k]);
		seen |= 1u << k;
		if (k == 1 && dmarc_policy(out->p, val, vl))
			return fail(err, errlen, "p \"%s\" is not none, quarantine or reject",
			    quote(q, val, vl));
		if (k == 2 && dmarc_policy(out->sp, val, vl))
			return fail(err, errlen, "sp \"%s\" is not none, quarantine or reject",
			    quote(q, val, vl));
		if (k == 3) {
			long v = parse_uint(val, vl, 3, 1); /* 1*3DIGIT */
			if (v < 0 || v > 100)
				return fail(err, errlen, "pct \"%s\" is not a number 0-100",
				    quote(q, val, vl));
			out->pct = (int)v;
		}
		if (k == 4) {
			if (vl == 0)
				return fail(err, errlen, "rua= is empty");
			if (keep_list(out->rua, sizeof(out->rua), val, vl))
				return fail(err, errlen, "rua URI \"%s\" is longer than %zu bytes",
				    quote(q, val, vl), sizeof(out->rua) - 1);
		}
		if ((k == 6 || k == 7) && !ieq(val, vl, "r") && !ieq(val, vl, "s"))
			return fail(err, errlen, "%s \"%s\" is not r or s", tags[k],
			    quote(q, val, vl));
	}
	if (first)
		return fail(err, errlen, "record is empty");
	if (!(seen & 2))
		return fail(err, errlen, "no p= tag (required)");
	return 0;
}

/* ---- DKIM key record, RFC 6376 3.6.1 ---- */

static int b64_char(int c)
{
	return is_alnum(c) || c == '+' || c == '/';
}

/* p= without its folding whitespace, decoded into der (room for KEY_B64_MAX / 4 * 3). */
static int dkim_decode(const char *p, size_t n, unsigned char *der, size_t *dlen, char *err,
    size_t errlen)
{
	char clean[KEY_B64_MAX + 1];
	size_t m = 0, pad = 0;
	char q[QBUF];
	int r;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)p[i];
		if (is_fws(c))
			continue; /* RFC 6376 3.6.1: FWS inside p= is ignored */
		if (m == KEY_B64_MAX)
			return fail(err, errlen, "p= is longer than %d base64 characters",
			    KEY_B64_MAX);
		if (c == '=')
			pad++;
		else if (pad || !b64_char(c))
			return fail(err, errlen, "p= is not base64 at \"%s\"",
			    quote(q, p + i, n - i));
		clean[m++] = (char)c;
	}
	if (pad > 2 || m % 4)
		return fail(err, errlen, "p= is not base64: %zu characters, not a multiple of 4",
		    m);
	clean[m] = '\0';
	r = EVP_DecodeBlock(der, (const unsigned char *)clean, (int)m);
	if (r < 0 || (size_t)r < pad)
		return fail(err, errlen, "p= is not base64");
	*dlen = (size_t)r - pad; /* EVP_DecodeBlock counts the padding as zero bytes */
	return 0;
}

static int dkim_rsa_bits(const unsigned char *der, size_t dlen, int *bits, char *err, size_t errlen)
{
	const unsigned char *pp = der;
	EVP_PKEY *pkey = d2i_PUBKEY(NULL, &pp, (long)dlen);
	int id;

	if (!pkey) {
		pp = der;
		pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &pp, (long)dlen);
		ERR_clear_error(); /* leave no decoder noise for the TLS code to trip on */
		if (pkey) {
			EVP_PKEY_free(pkey);
			return fail(err, errlen,
			    "p= is a bare PKCS#1 RSAPublicKey, not the "
			    "SubjectPublicKeyInfo verifiers read");
		}
		return fail(err, errlen, "p= is not a DER public key (%zu bytes)", dlen);
	}
	if (pp != der + dlen) {
		EVP_PKEY_free(pkey);
		return fail(err, errlen, "p= has %zu bytes after the key",
		    dlen - (size_t)(pp - der));
	}
	id = EVP_PKEY_get_base_id(pkey);
	if (id != EVP_PKEY_RSA) {
		const char *sn = OBJ_nid2sn(id);
		EVP_PKEY_free(pkey);
		return fail(err, errlen, "k=rsa but p= holds a %s key", sn ? sn : "non-RSA");
	}
	*bits = EVP_PKEY_get_bits(pkey);
	EVP_PKEY_free(pkey);
	return 0;
}

int records_dkim(const char *txt, struct dkim *out, char *err, size_t errlen)
{
	/* Tag names are case-sensitive here (RFC 6376 3.2). */
	static const char *const tags[] = {"v", "k", "p", "h", "s", "t", "n", "g"};
	long len = record_len(txt, err, errlen);
	struct field f;
	size_t pos = 0, pn = 0, dlen = 0, k;
	const char *p = NULL;
	unsigned seen = 0;
	int first = 1;
	unsigned char der[KEY_B64_MAX / 4 * 3];
	char q[QBUF];

	if (len < 0)
		return -1;
	if (!out)
		return fail(err, errlen, "no record");
	memset(out, 0, sizeof(*out));
	memcpy(out->k, "rsa", 4); /* the default (RFC 6376 3.6.1) */
	while (next_field(txt, (size_t)len, &pos, &f)) {
		size_t nl = f.nlen, vl = f.vlen;
		const char *name = trim(f.name, &nl), *val = f.val ? trim(f.val, &vl) : NULL;

		if (!val)
			return fail(err, errlen, "tag \"%s\" has no '='", quote(q, f.s, f.n));
		if (!tag_name_ok(name, nl))
			return fail(err, errlen, "tag name \"%s\" is not valid",
			    quote(q, name, nl));
		for (k = 0; k < sizeof(tags) / sizeof(tags[0]) && !eq(name, nl, tags[k]); k++)
			;
		if (k < sizeof(tags) / sizeof(tags[0])) {
			if (seen & (1u << k)) /* RFC 6376 3.2: the whole list is invalid */
				return fail(err, errlen, "%s= appears twice", tags[k]);
			seen |= 1u << k;
		}
		if (k == 0) {
			if (!first)
				return fail(err, errlen, "v= is not the first tag");
			if (!eq(val, vl, "DKIM1"))
				return fail(err, errlen, "version \"%s\" is not DKIM1",
				    quote(q, val, vl));
		} else if (k == 1) {
			if (ieq(val, vl, "rsa"))
				memcpy(out->k, "rsa", 4);
			else if (ieq(val, vl, "ed25519"))
				memcpy(out->k, "ed25519", 8);
			else
				return fail(err, errlen, "key type \"%s\" is not rsa or ed25519",
				    quote(q, val, vl));
		} else if (k == 2) {
			p = val;
			pn = vl;
		}
		first = 0;
	}
	if (first)
		return fail(err, errlen, "record is empty");
	if (!p)
		return fail(err, errlen, "no p= tag (the public key)");
	if (dkim_decode(p, pn, der, &dlen, err, errlen))
		return -1;
	if (dlen == 0) {
		out->revoked = 1; /* empty p=: the key is revoked (RFC 6376 3.6.1) */
		return 0;
	}
	if (out->k[0] == 'e') {
		/* RFC 8463 3: the raw 32-byte public key, no ASN.1. */
		if (dlen != 32)
			return fail(err, errlen, "ed25519 key is %zu bytes, not 32", dlen);
		out->key_bits = 256;
		return 0;
	}
	return dkim_rsa_bits(der, dlen, &out->key_bits, err, errlen);
}
