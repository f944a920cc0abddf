/*
 * records_dmarc.c - the DMARC record (RFC 7489 6.3-6.4): the policy for mail that fails
 * SPF and DKIM alignment, and where reports go. Pure function over untrusted text.
 */
#include <string.h>

#include "mailpolicy/records.h"
#include "mailpolicy/records_lex.h"

/*
 * Decisions where RFC 7489 leaves room (the tests pin each one):
 * - sp= stays "" when absent (6.3: then p applies to subdomains).
 * - rua= that does not fit keeps the whole URIs that do and counts the rest in rua_left_out.
 */

static int dmarc_policy(char dst[16], const char *v, size_t n)
{
	static const char *const ok[] = {"none", "quarantine", "reject"};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (rec_ieq(v, n, ok[i])) {
			memcpy(dst, ok[i], strlen(ok[i]) + 1);
			return 0;
		}
	return -1;
}

/* The tags RFC 7489 6.3 defines, besides v=. */
enum { D_P, D_SP, D_PCT, D_RUA, D_RUF, D_ADKIM, D_ASPF, D_FO, D_RF, D_RI };
static const char *const dmarc_tags[] = {"p", "sp", "pct", "rua", "ruf", "adkim", "aspf", "fo",
    "rf", "ri", NULL};

static const struct rec_grammar dmarc_grammar = {
    .syntax = REC_TAG,
    .version = "DMARC1",
    .fold_case = 1, /* tag names are ABNF strings (RFC 5234 2.3) */
    .tags = dmarc_tags,
};

int records_dmarc(const char *txt, struct dmarc *out, char *err, size_t errlen)
{
	struct rec_lex lx;
	struct rec_tag t;
	char q[REC_QBUF];
	long v;
	int r;

	if (rec_lex_start(&lx, &dmarc_grammar, txt, out, sizeof(*out), err, errlen))
		return -1;
	out->pct = 100;
	while ((r = rec_lex_next(&lx, &t, err, errlen)) > 0) {
		switch (t.k) {
		case D_P:
		case D_SP:
			if (dmarc_policy(t.k == D_P ? out->p : out->sp, t.val, t.vlen))
				return rec_fail(err, errlen,
				    "%s \"%s\" is not none, quarantine or reject", dmarc_tags[t.k],
				    rec_quote(q, t.val, t.vlen));
			break;
		case D_PCT:
			v = rec_parse_uint(t.val, t.vlen, 3, 1); /* 1*3DIGIT */
			if (v < 0 || v > 100)
				return rec_fail(err, errlen, "pct \"%s\" is not a number 0-100",
				    rec_quote(q, t.val, t.vlen));
			out->pct = (int)v;
			break;
		case D_RUA:
			if (t.vlen == 0)
				return rec_fail(err, errlen, "rua= is empty");
			if (rec_keep_list(out->rua, sizeof(out->rua), t.val, t.vlen,
			        &out->rua_left_out))
				return rec_fail(err, errlen,
				    "rua URI \"%s\" is longer than %d bytes",
				    rec_quote(q, t.val, t.vlen), DMARC_RUA_MAX);
			break;
		case D_ADKIM:
		case D_ASPF:
			if (!rec_ieq(t.val, t.vlen, "r") && !rec_ieq(t.val, t.vlen, "s"))
				return rec_fail(err, errlen, "%s \"%s\" is not r or s",
				    dmarc_tags[t.k], rec_quote(q, t.val, t.vlen));
			break;
		default:
			break; /* ruf fo rf ri: known, so checked for repeats, not kept */
		}
	}
	if (r < 0)
		return -1;
	if (!rec_lex_seen(&lx, D_P))
		return rec_fail(err, errlen, "no p= tag (required)");
	return 0;
}
