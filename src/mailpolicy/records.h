/*
 * records.h - parsers for the DNS TXT records and the policy file that sit beside a mail
 * domain's MX: MTA-STS (RFC 8461), TLS-RPT (RFC 8460), SPF (RFC 7208), DMARC (RFC 7489),
 * DKIM keys (RFC 6376). Pure functions over untrusted text: no I/O, every input bounded
 * (conf/limits.h), every failure a message that names what is wrong. One file per record
 * (records_sts.c, records_tlsrpt.c, ...) over one tag-value lexer (records_lex.c).
 */
#ifndef MAILTLS_RECORDS_H
#define MAILTLS_RECORDS_H

#include <stddef.h>

#include "conf/limits.h"
#include "model/published.h"

/* Which TXT records of a set are of a kind ("v=STSv1", "v=spf1", ...): RFC 8461 3.1 and
 * RFC 7208 4.5 say records that do not start with the version tag are ignored. */
int records_is_kind(const char *txt, const char *version_tag);

/* _mta-sts TXT, RFC 8461 3.1: "v=STSv1; id=<1-32 alnum>;" fields separated by ';' with
 * optional whitespace, v first; unknown extension fields allowed. 0 ok, -1 with err. */
int records_sts_txt(const char *txt, struct sts_txt *, char *err, size_t errlen);

/* The policy file, RFC 8461 3.2: lines "key: value" ending CRLF or LF; version (STSv1, must
 * be present), mode (enforce|testing|none, exactly once), max_age (0..31557600, exactly
 * once), mx (one or more unless mode none; patterns: a host name or "*." + host name);
 * unknown keys ignored; at most STS_POLICY_MAX bytes. 0 ok, -1 with err. */
int records_sts_policy(const char *body, size_t len, struct sts_policy *, char *err, size_t errlen);

/* RFC 8461 4.1: an mx pattern matches a host name exactly (case-insensitive, trailing dot
 * ignored), or "*.example.org" matches exactly one extra left-most label. */
int records_sts_mx_match(const char *pattern, const char *host);

/* _smtp._tls TXT, RFC 8460 3: "v=TLSRPTv1; rua=<uri>[,<uri>...]" with mailto: or https:
 * URIs. rua gets the raw list, or the whole URIs of it that fit, with rua_left_out counting
 * the rest. 0 ok, -1 with err. */
int records_tlsrpt(const char *txt, struct tlsrpt *, char *err, size_t errlen);

/* SPF, RFC 7208: "v=spf1" then terms. all_qualifier is '+', '-', '~', '?' for the "all"
 * mechanism, or 0 when there is none; redirect gets a redirect= modifier's domain. Syntax
 * checked term by term (mechanisms all include a ip4 ip6 mx ptr exists, modifiers
 * name=value). 0 ok, -1 with err. */
int records_spf(const char *txt, struct spf *, char *err, size_t errlen);

/* DMARC, RFC 7489 6.3-6.4: "v=DMARC1" first, p= required (none|quarantine|reject), sp= and
 * pct= (0-100) optional, rua= kept as for TLS-RPT (rua_left_out). 0 ok, -1 with err. */
int records_dmarc(const char *txt, struct dmarc *, char *err, size_t errlen);

/* DKIM key record, RFC 6376 3.6.1: optional v=DKIM1 first, k= (rsa default, ed25519),
 * p= base64 public key (empty: revoked). key_bits from the decoded key (OpenSSL d2i_PUBKEY
 * for rsa; 256 for ed25519 raw keys). 0 ok, -1 with err. */
int records_dkim(const char *txt, struct dkim *, char *err, size_t errlen);

#endif
