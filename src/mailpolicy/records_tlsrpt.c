/*
 * records_tlsrpt.c - the TLS-RPT record (RFC 8460 3): where a domain wants reports of failed
 * TLS. Pure function over untrusted text: no I/O, every input bounded.
 */
#include <string.h>

#include "mailpolicy/records.h"
#include "mailpolicy/records_lex.h"

/* tlsrpt-rua: URIs separated by *WSP "," *WSP, each mailto: or https: (RFC 8460 3). */
static int tlsrpt_rua(const char *s, size_t n, char *err, size_t errlen)
{
	size_t pos = 0;
	char q[REC_QBUF];

	if (n == 0)
		return rec_fail(err, errlen, "rua= is empty");
	while (pos <= n) {
		const char *u = s + pos, *c = memchr(u, ',', n - pos);
		size_t un = c ? (size_t)(c - u) : n - pos, scheme;

		pos += un + 1;
		while (un && rec_is_wsp((unsigned char)u[0])) {
			u++;
			un--;
		}
		while (un && rec_is_wsp((unsigned char)u[un - 1]))
			un--;
		if (un == 0)
			return rec_fail(err, errlen, "rua= has an empty URI");
		scheme = 0;
		if (un > 7 && rec_ieq(u, 7, "mailto:"))
			scheme = 7;
		else if (un > 6 && rec_ieq(u, 6, "https:"))
			scheme = 6;
		if (!scheme)
			return rec_fail(err, errlen,
			    "rua URI \"%s\" is not mailto: or https:", rec_quote(q, u, un));
		for (size_t i = 0; i < un; i++)
			if ((unsigned char)u[i] < 0x21 || (unsigned char)u[i] > 0x7e)
				return rec_fail(err, errlen,
				    "rua URI \"%s\" has a space or non-ASCII byte",
				    rec_quote(q, u, un));
	}
	return 0;
}

static const char *const tlsrpt_tags[] = {"rua", NULL};

static const struct rec_grammar tlsrpt_grammar = {
    .syntax = REC_EXT,
    .version = "TLSRPTv1",
    .tags = tlsrpt_tags,
};

int records_tlsrpt(const char *txt, struct tlsrpt *out, char *err, size_t errlen)
{
	struct rec_lex lx;
	struct rec_tag t;
	char q[REC_QBUF];
	int r;

	if (rec_lex_start(&lx, &tlsrpt_grammar, txt, out, sizeof(*out), err, errlen))
		return -1;
	while ((r = rec_lex_next(&lx, &t, err, errlen)) > 0) {
		/* The only known tag is rua=. */
		if (tlsrpt_rua(t.val, t.vlen, err, errlen))
			return -1;
		if (rec_keep_list(out->rua, sizeof(out->rua), t.val, t.vlen, &out->rua_left_out))
			return rec_fail(err, errlen, "rua URI \"%s\" is longer than %d bytes",
			    rec_quote(q, t.val, t.vlen), TLSRPT_RUA_MAX);
	}
	if (r < 0)
		return -1;
	if (!rec_lex_seen(&lx, 0))
		return rec_fail(err, errlen, "no rua= field (required)");
	return 0;
}
