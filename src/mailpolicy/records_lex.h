/*
 * records_lex.h - what the record parsers (records_*.c) share: ASCII classes, one lexer for the
 * ';'-separated tag-value records, quoting untrusted text, the error helper. Internal to
 * mailpolicy/: callers use records.h. Names start rec_, public ones records_.
 */
#ifndef MAILTLS_RECORDS_LEX_H
#define MAILTLS_RECORDS_LEX_H

#include <stddef.h>

#include "conf/limits.h"

#define REC_QBUF (QUOTE_MAX + 1) /* room for rec_quote()'s result */

/* ASCII only: <ctype.h> follows the locale, and these grammars are ASCII. */
static inline int rec_is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int rec_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int rec_is_alnum(int c)
{
	return rec_is_alpha(c) || rec_is_digit(c);
}

static inline int rec_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* Whitespace DNS text may fold into a tag list (RFC 6376 FWS). */
static inline int rec_is_fws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline int rec_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* s[0..n) equals the C string lit: rec_eq exactly, rec_ieq ASCII case-insensitively. */
int rec_eq(const char *s, size_t n, const char *lit);
int rec_ieq(const char *s, size_t n, const char *lit);

/* Untrusted text for a message: printable ASCII only, at most QUOTE_MAX bytes ("..." when
 * cut). Returns out. */
const char *rec_quote(char out[REC_QBUF], const char *s, size_t n);

/* Writes the message to err (when there is room) and returns -1. */
int rec_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The start of every TXT record parser: the record's length, or -1 with err when it is
 * missing or longer than RECORD_MAX; then out (outsize bytes) is zeroed, or "no record" when
 * there is none. */
long rec_begin(const char *txt, void *out, size_t outsize, char *err, size_t errlen);

/* RFC 8461 3.1 sts-ext-name, RFC 8460 3 tlsrpt-ext-name: 1-32 of alnum "_-.", alnum first. */
int rec_ext_name_ok(const char *s, size_t n);

/* 1..maxdigits decimal digits, no sign, no leading zero unless leading_zero_ok or "0"; the
 * value, or -1. */
long rec_parse_uint(const char *s, size_t n, size_t maxdigits, int leading_zero_ok);

/*
 * Copy a comma-separated URI list s[0..n) into dst. When it does not fit, keep the whole URIs
 * that do (never half a URI) and count the rest in *left_out. -1 when not even the first fits.
 */
int rec_keep_list(char *dst, size_t dstsize, const char *s, size_t n, int *left_out);

/*
 * The tag-value lexer: "v=<version>; name=value; ..." (RFC 8461 3.1, RFC 8460 3, RFC 7489
 * 6.4, RFC 6376 3.2). Fields are split at ';' and trimmed of FWS; empty ones (";;", a
 * trailing ';') are skipped. The lexer owns the rules the records share: where v= goes and
 * what it must say, name syntax, a tag given twice, unknown tags, an empty record. It hands
 * the parser only the known tags, numbered by their place in the grammar's table.
 */
enum rec_syntax {
	/* ext-name=ext-value, no whitespace around '=', unknown fields checked and skipped,
	 * names case-sensitive (MTA-STS TXT, TLS-RPT). */
	REC_EXT,
	/* RFC 6376 3.2 tag-name, FWS around '=' allowed, unknown tags ignored (DKIM, DMARC). */
	REC_TAG,
};

struct rec_grammar {
	enum rec_syntax syntax;
	const char *version;      /* what v= must say: "STSv1" (case-sensitive) */
	int version_optional;     /* DKIM: v= may be absent, but when present it is first */
	int fold_case;            /* tag names are ABNF strings, case-insensitive (DMARC) */
	const char *const *tags;  /* known tags besides v=, NULL-terminated; fewer than 32 */
	const char *twice_reason; /* said after "<tag>= appears twice", or NULL */
};

/* One known tag: tags[k] = val[0..vlen), val trimmed where the grammar allows FWS. */
struct rec_tag {
	size_t k;
	const char *val;
	size_t vlen;
};

struct rec_lex {
	const struct rec_grammar *g;
	const char *txt;
	size_t len, pos;
	size_t nfields; /* non-empty fields so far */
	int have_v;     /* v= seen */
	unsigned seen;  /* bit k: tags[k] seen */
};

/* rec_begin() over txt and out, then ready to lex. 0, or -1 with err. */
int rec_lex_start(struct rec_lex *, const struct rec_grammar *, const char *txt, void *out,
    size_t outsize, char *err, size_t errlen);

/* The next known tag: 1 with *t, 0 at the end of a good record, -1 with err. */
int rec_lex_next(struct rec_lex *, struct rec_tag *t, char *err, size_t errlen);

/* Whether tags[k] was seen. */
int rec_lex_seen(const struct rec_lex *, size_t k);

#endif
