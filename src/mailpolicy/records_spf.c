/*
 * records_spf.c - SPF records (RFC 7208): syntax checked term by term, the "all" qualifier,
 * redirect= and the count of DNS-querying terms. Pure function over untrusted text.
 */
#include <arpa/inet.h>
#include <string.h>

#include "mailpolicy/records.h"
#include "mailpolicy/records_lex.h"

/*
 * Decisions where RFC 7208 leaves room (the tests pin each one):
 * - v=spf1 is matched case-insensitively (4.5); terms are separated by SP only (12): a tab
 *   makes the term invalid.
 * - redirect= and exp= given twice are errors (6).
 * - More than 10 lookups is not an error here: includes add theirs, the caller sums.
 * - A redirect= longer than SPF_REDIRECT_MAX is refused, never cut.
 */

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
			return rec_fail(why, whylen, "a byte that is not visible ASCII");
		if (c != '%') {
			i++;
			continue;
		}
		if (i + 1 < n && (s[i + 1] == '%' || s[i + 1] == '_' || s[i + 1] == '-')) {
			i += 2;
		} else if (i + 2 < n && s[i + 1] == '{' && s[i + 2] &&
		    strchr("slodiphcrtv", rec_lower((unsigned char)s[i + 2]))) {
			size_t j = i + 3;
			while (j < n && rec_is_digit((unsigned char)s[j]))
				j++;
			if (j < n && rec_lower((unsigned char)s[j]) == 'r')
				j++;
			while (j < n && s[j] && strchr(".-+,/_=", s[j]))
				j++;
			if (j >= n || s[j] != '}')
				return rec_fail(why, whylen, "an unterminated %%{ macro");
			i = j + 1;
		} else {
			return rec_fail(why, whylen, "a '%%' that starts no macro");
		}
		*tail_macro = 1;
	}
	return 0;
}

/* RFC 7208 7.1 toplabel: alphanumerics with a letter, or alnum-hyphens-alnum. */
static int toplabel_ok(const char *s, size_t n)
{
	int alpha = 0, hyphen = 0;

	if (n == 0 || !rec_is_alnum((unsigned char)s[0]) || !rec_is_alnum((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '-')
			hyphen = 1;
		else if (rec_is_alpha(c))
			alpha = 1;
		else if (!rec_is_digit(c))
			return 0;
	}
	return alpha || hyphen;
}

/* domain-spec = macro-string domain-end; domain-end = "." toplabel ["."] / macro-expand. */
static int spf_domain_spec(const char *s, size_t n, char *why, size_t whylen)
{
	int tail_macro;
	size_t e = n, d;
	char q[REC_QBUF];

	if (n == 0)
		return rec_fail(why, whylen, "the domain is empty");
	if (spf_macro_string(s, n, &tail_macro, why, whylen))
		return -1;
	if (tail_macro)
		return 0;
	if (s[e - 1] == '.')
		e--;
	for (d = e; d > 0 && s[d - 1] != '.'; d--)
		;
	if (d == 0 || !toplabel_ok(s + d, e - d))
		return rec_fail(why, whylen, "\"%s\" is not a domain", rec_quote(q, s, n));
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
		while (i < n && i - b < 3 && rec_is_digit((unsigned char)s[i]))
			i++;
		v = rec_parse_uint(s + b, i - b, 3, 0); /* qnum: no leading zeros */
		if (v < 0 || v > 255)
			return -1;
	}
	return i == n ? 0 : -1;
}

static int spf_ip6(const char *s, size_t n)
{
	char buf[SPF_IP6_TEXT_MAX + 1];
	unsigned char a[16];

	if (n == 0 || n > SPF_IP6_TEXT_MAX)
		return -1; /* longer than any IPv6 address is written */
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, a) == 1 ? 0 : -1;
}

/* "/" ("0" / %x31-39 *DIGIT) no more than max (RFC 7208 5.6). s starts after the '/'. */
static int spf_cidr(const char *s, size_t n, long max)
{
	long v = rec_parse_uint(s, n, 3, 0);

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
			return rec_fail(why, whylen, "the IPv4 prefix length is not 0-32");
		if (dd) {
			v6 = dd + 2;
			v6n = n - (size_t)(v6 - s);
		}
	}
	if (v6 && spf_cidr(v6, v6n, 128))
		return rec_fail(why, whylen, "the IPv6 prefix length is not 0-128");
	return 0;
}

enum { SEEN_REDIRECT = 1, SEEN_EXP = 2 };

/* One term. -1 with why (the caller quotes the term). */
static int spf_term(const char *t, size_t n, struct spf *out, int *seen, char *why, size_t whylen)
{
	char qual = '+';
	size_t i = 0, argn;
	const char *arg;
	char q[REC_QBUF];

	/* modifier = name "=" ..., name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
	if (rec_is_alpha((unsigned char)t[0])) {
		while (i < n &&
		    (rec_is_alnum((unsigned char)t[i]) || t[i] == '-' || t[i] == '_' ||
		        t[i] == '.'))
			i++;
		if (i < n && t[i] == '=') {
			const char *v = t + i + 1;
			size_t vn = n - i - 1;
			int tail;
			if (rec_ieq(t, i, "redirect") || rec_ieq(t, i, "exp")) {
				int bit = rec_ieq(t, i, "exp") ? SEEN_EXP : SEEN_REDIRECT;
				if (*seen & bit) /* RFC 7208 6 */
					return rec_fail(why, whylen, "%s= appears twice",
					    bit == SEEN_EXP ? "exp" : "redirect");
				*seen |= bit;
				if (spf_domain_spec(v, vn, why, whylen))
					return -1;
				if (bit == SEEN_REDIRECT) {
					/* Refused, not cut: half a domain is
					 * another domain. */
					if (vn > SPF_REDIRECT_MAX)
						return rec_fail(why, whylen,
						    "the domain is longer than %d bytes",
						    SPF_REDIRECT_MAX);
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
			return rec_fail(why, whylen, "a qualifier with no mechanism");
	}
	for (i = 0; i < n && t[i] != ':' && t[i] != '/'; i++)
		;
	arg = t + i;
	argn = n - i;

	if (rec_ieq(t, i, "all")) {
		if (argn)
			return rec_fail(why, whylen, "all takes no argument");
		if (!out->all_qualifier)
			out->all_qualifier = qual; /* later ones are never reached (RFC 7208 5.1) */
		return 0;
	}
	if (rec_ieq(t, i, "include") || rec_ieq(t, i, "exists")) {
		if (argn < 1 || arg[0] != ':')
			return rec_fail(why, whylen, "%s needs :domain",
			    rec_lower(t[0]) == 'i' ? "include" : "exists");
		out->lookups++;
		return spf_domain_spec(arg + 1, argn - 1, why, whylen);
	}
	if (rec_ieq(t, i, "ptr")) {
		out->lookups++;
		if (argn == 0)
			return 0;
		if (arg[0] != ':')
			return rec_fail(why, whylen, "ptr takes no prefix length");
		return spf_domain_spec(arg + 1, argn - 1, why, whylen);
	}
	if (rec_ieq(t, i, "a") || rec_ieq(t, i, "mx")) {
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
	if (rec_ieq(t, i, "ip4") || rec_ieq(t, i, "ip6")) {
		int v6 = rec_lower(t[2]) == '6';
		size_t j = 1;
		if (argn < 2 || arg[0] != ':')
			return rec_fail(why, whylen, "%s needs :address", v6 ? "ip6" : "ip4");
		while (j < argn && arg[j] != '/')
			j++;
		if (v6 ? spf_ip6(arg + 1, j - 1) : spf_ip4(arg + 1, j - 1))
			return rec_fail(why, whylen, "\"%s\" is not an %s address",
			    rec_quote(q, arg + 1, j - 1), v6 ? "IPv6" : "IPv4");
		if (j < argn && spf_cidr(arg + j + 1, argn - j - 1, v6 ? 128 : 32))
			return rec_fail(why, whylen, "\"%s\" is not a prefix length 0-%d",
			    rec_quote(q, arg + j, argn - j), v6 ? 128 : 32);
		return 0;
	}
	return rec_fail(why, whylen, "unknown mechanism \"%s\"", rec_quote(q, t, i));
}

int records_spf(const char *txt, struct spf *out, char *err, size_t errlen)
{
	long len = rec_begin(txt, out, sizeof(*out), err, errlen);
	size_t pos = 6;
	int seen = 0;
	char q[REC_QBUF], why[96]; /* the longest reason: 35 bytes and a quote */

	if (len < 0)
		return -1;
	/* RFC 7208 4.5: "v=spf1", then SP or the end. */
	if (len < 6 || !rec_ieq(txt, 6, "v=spf1") || (len > 6 && txt[6] != ' '))
		return rec_fail(err, errlen, "record \"%s\" does not start with \"v=spf1 \"",
		    rec_quote(q, txt, (size_t)len));
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
			return rec_fail(err, errlen, "term \"%s\" is not valid: %s",
			    rec_quote(q, txt + b, pos - b), why);
	}
	return 0;
}
