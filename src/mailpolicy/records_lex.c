/*
 * records_lex.c - the lexer and helpers every record parser shares (records_lex.h says what
 * each offers). Input is untrusted: never read past a bound, never do I/O, keep no state.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mailpolicy/records.h"
#include "mailpolicy/records_lex.h"

/*
 * Decisions where the RFCs leave room, for every tag-value record (the tests pin each one):
 * - A TXT record longer than RECORD_MAX is refused: one TXT RR cannot carry more.
 * - Fields given twice (id=, p=, rua= ...) are errors. RFC 8461 3.2 tells senders to use the
 *   first; RFC 6376 3.2 and RFC 7208 6 call the record invalid. Either way what the owner
 *   wrote is not what gets applied, which is worth an error.
 * - Empty fields in tag lists (";;", a trailing ';') are skipped.
 * - Versions are checked as their grammars spell them: v=STSv1, v=TLSRPTv1, DMARC1 and DKIM1
 *   case-sensitively, v=spf1 not. records_is_kind() ignores case for all, so a "v=stsv1"
 *   record reaches its parser and gets a message rather than being skipped unseen.
 * - rua lists that do not fit the struct keep the whole URIs that fit (never half a URI) and
 *   count the ones left out.
 */

int rec_ieq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lit[i] == '\0' ||
		    rec_lower((unsigned char)s[i]) != rec_lower((unsigned char)lit[i]))
			return 0;
	return lit[i] == '\0';
}

int rec_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

const char *rec_quote(char out[REC_QBUF], const char *s, size_t n)
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

int rec_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

long rec_begin(const char *txt, void *out, size_t outsize, char *err, size_t errlen)
{
	size_t n;

	if (!txt)
		return rec_fail(err, errlen, "no record");
	n = strnlen(txt, RECORD_MAX + 1);
	if (n > RECORD_MAX)
		return rec_fail(err, errlen, "record longer than %d bytes", RECORD_MAX);
	if (!out)
		return rec_fail(err, errlen, "no record");
	memset(out, 0, outsize);
	return (long)n;
}

int rec_ext_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 32 || !rec_is_alnum((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++) {
		int c = (unsigned char)s[i];
		if (!rec_is_alnum(c) && c != '_' && c != '-' && c != '.')
			return 0;
	}
	return 1;
}

long rec_parse_uint(const char *s, size_t n, size_t maxdigits, int leading_zero_ok)
{
	long v = 0;

	if (n == 0 || n > maxdigits || (!leading_zero_ok && n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!rec_is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int rec_keep_list(char *dst, size_t dstsize, const char *s, size_t n, int *left_out)
{
	size_t cut = n;

	*left_out = 0;
	if (n >= dstsize) {
		cut = 0;
		for (size_t i = 0; i < dstsize; i++)
			if (s[i] == ',')
				cut = i;
		while (cut && rec_is_fws((unsigned char)s[cut - 1]))
			cut--;
		if (cut == 0)
			return -1;
	}
	/* Each URI left out follows a comma of its own. */
	for (size_t i = cut; i < n; i++)
		if (s[i] == ',')
			(*left_out)++;
	memcpy(dst, s, cut);
	dst[cut] = '\0';
	return 0;
}

int records_is_kind(const char *txt, const char *tag)
{
	size_t i;

	if (!txt || !tag || !tag[0])
		return 0;
	/* Stops at txt's NUL: a mismatch, since tag has none there. */
	for (i = 0; tag[i]; i++)
		if (rec_lower((unsigned char)txt[i]) != rec_lower((unsigned char)tag[i]))
			return 0;
	return txt[i] == '\0' || txt[i] == ';' || txt[i] == ' ' || txt[i] == '\t';
}

/* ---- the tag-value lexer ---- */

/* Strip FWS from both ends of s[0..*n). */
static const char *trim(const char *s, size_t *n)
{
	while (*n && rec_is_fws((unsigned char)s[0])) {
		s++;
		(*n)--;
	}
	while (*n && rec_is_fws((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

/* One field, trimmed; name and value split at the first '=', val NULL when there is none. */
struct field {
	const char *s, *name, *val;
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
	if (n == 0 || !rec_is_alpha((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!rec_is_alnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

static int name_is(const struct rec_grammar *g, const char *s, size_t n, const char *lit)
{
	return g->fold_case ? rec_ieq(s, n, lit) : rec_eq(s, n, lit);
}

/* The v= value as its grammar spells it: case-sensitive (the decisions above). */
static int version_ok(const struct rec_lex *lx, const struct field *f, char *err, size_t errlen)
{
	char q[REC_QBUF];

	if (rec_eq(f->val, f->vlen, lx->g->version))
		return 0;
	return rec_fail(err, errlen, "version \"%s\" is not %s", rec_quote(q, f->val, f->vlen),
	    lx->g->version);
}

/* RFC 8461 3.1, RFC 8460 3, RFC 7489 6.4: the first field is v=<version>, at the very start
 * of the record. */
static int version_first(const struct rec_lex *lx, const struct field *f, char *err, size_t errlen)
{
	char q[REC_QBUF];

	if (f->s != lx->txt || !f->val || !name_is(lx->g, f->name, f->nlen, "v"))
		return rec_fail(err, errlen, "record \"%s\" does not start with v=%s",
		    rec_quote(q, lx->txt, lx->len), lx->g->version);
	return version_ok(lx, f, err, errlen);
}

/* v= after the first field: once only, and first even where it is optional (RFC 6376 3.6.1). */
static int version_later(struct rec_lex *lx, const struct field *f, int first, char *err,
    size_t errlen)
{
	if (lx->have_v)
		return rec_fail(err, errlen, "v= appears twice");
	lx->have_v = 1;
	if (!first)
		return rec_fail(err, errlen, "v= is not the first tag");
	return version_ok(lx, f, err, errlen);
}

/* A field's shape before its name is looked up: name=value with a name of the grammar. */
static int field_syntax(const struct rec_grammar *g, const struct field *f, char *err,
    size_t errlen)
{
	char q[REC_QBUF];

	if (g->syntax == REC_EXT) {
		if (!f->val || !rec_ext_name_ok(f->name, f->nlen))
			return rec_fail(err, errlen, "field \"%s\" is not name=value",
			    rec_quote(q, f->s, f->n));
		return 0;
	}
	if (!f->val)
		return rec_fail(err, errlen, "tag \"%s\" has no '='", rec_quote(q, f->s, f->n));
	if (!tag_name_ok(f->name, f->nlen))
		return rec_fail(err, errlen, "tag name \"%s\" is not valid",
		    rec_quote(q, f->name, f->nlen));
	return 0;
}

int rec_lex_start(struct rec_lex *lx, const struct rec_grammar *g, const char *txt, void *out,
    size_t outsize, char *err, size_t errlen)
{
	long len = rec_begin(txt, out, outsize, err, errlen);

	if (len < 0)
		return -1;
	memset(lx, 0, sizeof(*lx));
	lx->g = g;
	lx->txt = txt;
	lx->len = (size_t)len;
	return 0;
}

int rec_lex_next(struct rec_lex *lx, struct rec_tag *t, char *err, size_t errlen)
{
	const struct rec_grammar *g = lx->g;
	struct field f;
	char q[REC_QBUF];

	while (next_field(lx->txt, lx->len, &lx->pos, &f)) {
		int first = lx->nfields++ == 0;
		size_t k;

		if (g->syntax == REC_TAG) {
			/* RFC 6376 3.2: FWS around '='; MTA-STS and TLS-RPT allow none. */
			f.name = trim(f.name, &f.nlen);
			if (f.val)
				f.val = trim(f.val, &f.vlen);
		}
		if (first && !g->version_optional) {
			if (version_first(lx, &f, err, errlen))
				return -1;
			lx->have_v = 1;
			continue;
		}
		if (field_syntax(g, &f, err, errlen))
			return -1;
		if (name_is(g, f.name, f.nlen, "v")) {
			if (version_later(lx, &f, first, err, errlen))
				return -1;
			continue;
		}
		for (k = 0; g->tags[k] && !name_is(g, f.name, f.nlen, g->tags[k]); k++)
			;
		if (!g->tags[k]) {
			/* Unknown: RFC 8461 3.1 and RFC 8460 3 allow extension fields of their
			 * grammar, RFC 6376 3.2 and RFC 7489 6.3 say ignore unknown tags. */
			if (g->syntax == REC_EXT && !ext_value_ok(f.val, f.vlen))
				return rec_fail(err, errlen, "field \"%s\" is not name=value",
				    rec_quote(q, f.s, f.n));
			continue;
		}
		if (lx->seen & (1u << k))
			return rec_fail(err, errlen, "%s= appears twice%s", g->tags[k],
			    g->twice_reason ? g->twice_reason : "");
		lx->seen |= 1u << k;
		t->k = k;
		t->val = f.val;
		t->vlen = f.vlen;
		return 1;
	}
	if (lx->nfields == 0)
		return rec_fail(err, errlen, "record is empty");
	return 0;
}

int rec_lex_seen(const struct rec_lex *lx, size_t k)
{
	return (lx->seen >> k) & 1u;
}
