/*
 * Unit tests of the verdict (model/verdict.c): the severity of every finding code in the
 * contexts that change it, the findings the thresholds derive, DANE supersession, the
 * status folds. A code without a row below fails the test: a new code needs its rule here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/policy.h"
#include "model/published.h"
#include "model/result.h"
#include "model/verdict.h"
#include "proto/dialect.h"

static const struct verdict_ctx ctx = {.warn_days = 30, .crit_days = 7, .at = 1800000000};

struct rule {
	enum finding_code code;
	long arg;
	int dane_matched; /* 0, 2 or 3 */
	enum severity want;
};

/* clang-format off */
static const struct rule rules[] = {
	{F_CERT_TRUSTED, 0, 0, SEV_OK},
	{F_CERT_HOSTNAME_OK, 0, 0, SEV_OK},
	{F_CERT_DATES_OK, 0, 0, SEV_OK},
	{F_TLS_ESTABLISHED, 0, 0, SEV_INFO},
	{F_CERT_EXPIRED, 0, 0, SEV_CRIT},
	{F_CERT_EXPIRED, 0, 3, SEV_INFO},          /* DANE-EE: dates do not matter */
	{F_CERT_EXPIRED, 0, 2, SEV_CRIT},          /* DANE-TA: they do */
	{F_CERT_NOT_YET_VALID, 0, 0, SEV_CRIT},
	{F_CERT_NOT_YET_VALID, 0, 3, SEV_INFO},
	{F_CERT_EXPIRES_SOON, 20, 0, SEV_WARN},    /* within --warn-days */
	{F_CERT_EXPIRES_SOON, 7, 0, SEV_WARN},     /* --crit-days is "within 7": 7 is not */
	{F_CERT_EXPIRES_SOON, 6, 0, SEV_CRIT},
	{F_CERT_EXPIRES_SOON, 0, 0, SEV_CRIT},
	{F_CERT_EXPIRES_SOON, 3, 3, SEV_INFO},
	{F_CERT_SELF_SIGNED, 0, 0, SEV_CRIT},
	{F_CERT_SELF_SIGNED, 0, 2, SEV_INFO},
	{F_CERT_UNTRUSTED_ROOT, 0, 0, SEV_CRIT},
	{F_CERT_UNTRUSTED_ROOT, 0, 2, SEV_INFO},
	{F_CERT_UNTRUSTED_ROOT, 0, 3, SEV_INFO},
	{F_CERT_CHAIN_INCOMPLETE, 0, 0, SEV_CRIT},
	{F_CERT_CHAIN_INCOMPLETE, 0, 2, SEV_INFO},
	{F_CERT_CHAIN_ORDER, 0, 0, SEV_WARN},
	{F_CERT_CHAIN_ORDER, 0, 3, SEV_INFO},
	{F_CERT_CHAIN_ORDER, 0, 2, SEV_WARN},
	{F_CERT_VERIFY_ERROR, 0, 0, SEV_CRIT},
	{F_CERT_VERIFY_ERROR, 0, 3, SEV_INFO},
	{F_CERT_HOSTNAME_MISMATCH, 0, 0, SEV_CRIT},
	{F_CERT_HOSTNAME_MISMATCH, 0, 3, SEV_INFO}, /* RFC 7672 3.1.1: names do not matter */
	{F_CERT_HOSTNAME_MISMATCH, 0, 2, SEV_CRIT}, /* 3.1.2: they do */
	{F_CERT_CN_ONLY, 0, 0, SEV_WARN},
	{F_CERT_CN_ONLY, 0, 3, SEV_INFO},
	{F_CERT_NO_SERVER_AUTH, 0, 0, SEV_CRIT},
	{F_CERT_NO_SERVER_AUTH, 0, 3, SEV_INFO},
	{F_CERT_WEAK_KEY, 0, 0, SEV_CRIT},
	{F_CERT_WEAK_KEY, 0, 3, SEV_CRIT},         /* a weak key stays weak under DANE */
	{F_CERT_WEAK_SIGNATURE, 0, 0, SEV_CRIT},
	{F_DANE_VALID, 0, 3, SEV_OK},
	{F_DANE_NO_MATCH, 0, 0, SEV_CRIT},
	{F_DANE_BOGUS, 0, 0, SEV_CRIT},
	{F_DANE_UNUSABLE_RECORD, 0, 0, SEV_WARN},
	{F_DANE_NOT_DNSSEC, 0, 0, SEV_INFO},
	{F_DANE_ROLLOVER_RISK, 0, 3, SEV_WARN},
	{F_MTASTS_VALID, 0, 0, SEV_OK},
	{F_MTASTS_NO_TXT, 0, 0, SEV_INFO},
	{F_MTASTS_TXT_INVALID, 0, 0, SEV_WARN},
	{F_MTASTS_POLICY_FETCH_FAILED, 0, 0, SEV_WARN},
	{F_MTASTS_POLICY_INVALID, 0, 0, SEV_WARN},
	{F_MTASTS_MX_NOT_COVERED, STS_MODE_ENFORCE, 0, SEV_CRIT},
	{F_MTASTS_MX_NOT_COVERED, STS_MODE_TESTING, 0, SEV_WARN},
	{F_MTASTS_CERT_INVALID, STS_MODE_ENFORCE, 0, SEV_CRIT},
	{F_MTASTS_CERT_INVALID, STS_MODE_TESTING, 0, SEV_WARN},
	{F_MTASTS_TESTING, 0, 0, SEV_INFO},
	{F_TLSRPT_OK, 0, 0, SEV_INFO},
	{F_TLSRPT_MISSING, 0, 0, SEV_INFO},
	{F_TLSRPT_MISSING, 1, 0, SEV_WARN},         /* DANE or MTA-STS published */
	{F_TLSRPT_INVALID, 0, 0, SEV_WARN},
	{F_SPF_OK, 0, 0, SEV_INFO},
	{F_SPF_MISSING, 0, 0, SEV_INFO},
	{F_SPF_MULTIPLE, 0, 0, SEV_WARN},
	{F_SPF_INVALID, 0, 0, SEV_WARN},
	{F_DMARC_OK, 0, 0, SEV_INFO},
	{F_DMARC_MISSING, 0, 0, SEV_INFO},
	{F_DMARC_INVALID, 0, 0, SEV_WARN},
	{F_DKIM_OK, 0, 0, SEV_INFO},
	{F_DKIM_MISSING, 0, 0, SEV_WARN},
	{F_DKIM_INVALID, 0, 0, SEV_WARN},
	{F_DNS_FAILED, 0, 0, SEV_CRIT},
	{F_DNS_NXDOMAIN, 0, 0, SEV_CRIT},
	{F_DNS_BOGUS, 0, 0, SEV_CRIT},
	{F_DNS_TRUNCATED, 0, 0, SEV_WARN},
	{F_MX_NULL, 0, 0, SEV_INFO},
	{F_MX_NULL, 1, 0, SEV_WARN},               /* mixed with other MX (RFC 7505 3) */
	{F_MX_IMPLICIT, 0, 0, SEV_INFO},
	{F_MX_CNAME, 0, 0, SEV_WARN},
	{F_MX_IP_LITERAL, 0, 0, SEV_WARN},
	{F_MX_NO_ADDRESS, 0, 0, SEV_CRIT},
	{F_MX_PARTIAL, 0, 0, SEV_INFO},
	{F_CONNECT_FAILED, 0, 0, SEV_CRIT},
	{F_CONNECT_FAILED, 0, 3, SEV_CRIT},        /* DANE cannot excuse a dead server */
	{F_TIMEOUT, 0, 0, SEV_CRIT},
	{F_SLOW_GREETING, 2000, 0, SEV_INFO},
	{F_SLOW_GREETING, 239999, 0, SEV_INFO},
	{F_SLOW_GREETING, 240000, 0, SEV_WARN},
	{F_BANNER_REJECTED, 0, 0, SEV_CRIT},
	{F_STARTTLS_NOT_OFFERED, 0, 0, SEV_CRIT},
	{F_STARTTLS_REJECTED, 0, 0, SEV_CRIT},
	{F_STARTTLS_INJECTION, 0, 0, SEV_CRIT},
	{F_STARTTLS_INJECTION, 0, 3, SEV_CRIT},
	{F_STARTTLS_COMMAND_INJECTION, 0, 0, SEV_CRIT},
	{F_STARTTLS_COMMAND_INJECTION, 0, 3, SEV_CRIT}, /* DANE does not make it moot */
	{F_STARTTLS_INJECTION_SAFE, 0, 0, SEV_OK},
	{F_PLAINTEXT_AUTH_OFFERED, 0, 0, SEV_CRIT},
	{F_PLAINTEXT_AUTH_OFFERED, 0, 3, SEV_CRIT},
	{F_TLS_NOT_REQUIRED, 0, 0, SEV_WARN},
	{F_IMAP_PREAUTH, 0, 0, SEV_CRIT},
	{F_CERT_NAME_CONSTRAINT_VIOLATION, 0, 0, SEV_CRIT},
	{F_CERT_NAME_CONSTRAINT_VIOLATION, 0, 3, SEV_INFO}, /* DANE-EE: names do not matter */
	{F_CERT_KEY_MATCHES, 0, 0, SEV_OK},
	{F_CERT_KEY_MISMATCH, 0, 0, SEV_CRIT},
	{F_CERT_NOT_REVOKED, 0, 0, SEV_OK},
	{F_CERT_REVOKED, 0, 0, SEV_CRIT},
	{F_CERT_REVOKED, 0, 2, SEV_CRIT}, /* a DANE-TA match does not vouch for this key */
	{F_CERT_REVOKED, 0, 3, SEV_INFO}, /* DANE-EE: the key itself is published (RFC 7672) */
	{F_CERT_MUST_STAPLE_MISSING, 0, 0, SEV_CRIT},
	{F_OCSP_STAPLED, 0, 0, SEV_INFO},
	{F_OCSP_NOT_STAPLED, 0, 0, SEV_INFO},
	{F_OCSP_RESPONSE_INVALID, 0, 0, SEV_WARN},
	{F_OCSP_UNKNOWN, 0, 0, SEV_WARN},
	{F_OCSP_UNREACHABLE, 0, 0, SEV_WARN},
	{F_CRL_INVALID, 0, 0, SEV_WARN},
	{F_CRL_UNREACHABLE, 0, 0, SEV_WARN},
	{F_REVOCATION_NO_SOURCE, 0, 0, SEV_INFO},
	{F_AUTH_SUCCEEDED, 0, 0, SEV_OK},
	{F_AUTH_FAILED, 0, 0, SEV_CRIT},
	{F_AUTH_FAILED, 0, 3, SEV_CRIT},
	{F_AUTH_NOT_ATTEMPTED, 0, 0, SEV_CRIT},
	{F_AUTH_NO_MECHANISM, 0, 0, SEV_CRIT},
	{F_AUTOCONFIG_OK, 0, 0, SEV_INFO},
	{F_AUTOCONFIG_MISSING, 0, 0, SEV_INFO},
	{F_AUTOCONFIG_INVALID, 0, 0, SEV_WARN},
	{F_AUTOCONFIG_PLAINTEXT, 0, 0, SEV_CRIT},
	{F_TRANSACTION_REFUSED, 0, 0, SEV_CRIT},
	{F_TEMPORARILY_REFUSED, 0, 0, SEV_UNKNOWN},
	{F_ADDRESS_UNROUTED, 0, 0, SEV_UNKNOWN},
	{F_ADDRESS_UNROUTED, 0, 3, SEV_UNKNOWN},   /* not tested: DANE changes nothing */
	{F_LOCAL_LIMIT, 0, 0, SEV_UNKNOWN},
	{F_ADDRESSES_UNTESTED, 0, 0, SEV_INFO},
	{F_SRV_NOT_OFFERED, 0, 0, SEV_INFO},
	{F_SRV_MISSING, 0, 0, SEV_INFO},
	{F_SRV_NAME_INSECURE, 0, 0, SEV_INFO},
	{F_TLS_HANDSHAKE_FAILED, 0, 0, SEV_CRIT},
	{F_TLS_MAP, 0, 0, SEV_INFO},
	{F_TLS_MAP_INCOMPLETE, 0, 0, SEV_INFO},
	{F_TLS_CLIENT_FAILS, 0, 0, SEV_WARN},
	{F_TLS_PROFILE, SEV_OK, 0, SEV_OK},            /* the profile's own severity */
	{F_TLS_PROFILE, SEV_WARN, 0, SEV_WARN},
	{F_TLS_PROFILE, SEV_CRIT, 0, SEV_CRIT},
	{F_TLS_PROFILE, 99, 0, SEV_CRIT},              /* out of range: the worst */
	{F_TLS_LEGACY_VERSION, 0x0301, 0, SEV_WARN},
	{F_TLS_LEGACY_VERSION, 0x0302, 0, SEV_WARN},
	{F_TLS_LEGACY_VERSION, 0x0300, 0, SEV_CRIT},   /* SSLv3 */
	{F_TLS_NO_TLS13, 0, 0, SEV_INFO},
	{F_TLS_WEAK_CIPHER, 0x0080, 0, SEV_WARN},      /* SUITE_3DES */
	{F_TLS_WEAK_CIPHER, 0x0010, 0, SEV_WARN},      /* SUITE_ANON: only if offered */
	{F_TLS_WEAK_CIPHER, 0x0020, 0, SEV_CRIT},      /* SUITE_RC4 */
	{F_TLS_WEAK_CIPHER, 0x0004, 0, SEV_CRIT},      /* SUITE_EXPORT */
	{F_TLS_WEAK_CIPHER, 0x0008, 0, SEV_CRIT},      /* SUITE_NULL */
	{F_TLS_WEAK_DH, 1024, 0, SEV_WARN},
	{F_TLS_WEAK_DH, 768, 0, SEV_CRIT},
	{F_TLS_NO_SECURE_RENEGOTIATION, 0, 0, SEV_WARN},
	{F_TLS_NO_EXTENDED_MASTER_SECRET, 0, 0, SEV_INFO},
	{F_TLS_COMPRESSION, 0, 0, SEV_CRIT},
	{F_CERT_ALT_CHAIN_PROBLEM, 0, 0, SEV_CRIT},
	{F_CERT_NO_SNI_DIFFERENT, 0, 0, SEV_WARN},
	{F_PROTOCOL_ERROR, 0, 0, SEV_CRIT},
	{F_POLICY_ISSUER_UNEXPECTED, 0, 0, SEV_CRIT},
	{F_POLICY_ISSUER_UNEXPECTED, 0, 3, SEV_CRIT}, /* the organisation's rule, DANE or not */
	{F_POLICY_PIN_MISMATCH, 0, 0, SEV_CRIT},
	{F_POLICY_NAME_MISSING, 0, 0, SEV_CRIT},
	{F_POLICY_TLS_VERSION, 0, 0, SEV_CRIT},
	{F_POLICY_KEY_SIZE, 0, 0, SEV_CRIT},
	{F_POLICY_MUST_STAPLE, 0, 0, SEV_CRIT},
	{F_POLICY_DANE_REQUIRED, 0, 0, SEV_CRIT},
	{F_POLICY_MTA_STS_REQUIRED, 0, 0, SEV_CRIT},
};
/* clang-format on */

static void every_code_has_its_rules(void **state)
{
	(void)state;
	for (int c = 0; c < F__COUNT; c++) {
		int found = 0;

		for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
			found |= rules[i].code == (enum finding_code)c;
		if (!found)
			fail_msg("%s has no row in the verdict's rule table", finding_defs[c].name);
	}
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		struct probe p = {0};
		struct finding f = {.code = rules[i].code, .arg = rules[i].arg};
		enum severity got;

		p.dane_matched = rules[i].dane_matched;
		got = verdict_severity(&f, &p, &ctx);
		if (got != rules[i].want)
			fail_msg("%s (arg %ld, DANE usage %d): %s, expected %s",
			    finding_defs[f.code].name, f.arg, p.dane_matched, severity_name(got),
			    severity_name(rules[i].want));
	}
}

static struct probe *probe_with_cert(long days_left)
{
	struct probe *p =
	    probe_new("mx.example.test", "192.0.2.1", 25, TLS_MODE_STARTTLS, &dialect_smtp, "smtp");

	p->certs = calloc(1, sizeof(*p->certs));
	p->ncerts = 1;
	p->certs[0].subject = strdup("CN=mx.example.test");
	p->certs[0].issuer = strdup("CN=CA");
	p->certs[0].serial = strdup("01");
	p->certs[0].in_path = 1;
	p->certs[0].days_left = days_left;
	p->certs[0].not_after = ctx.at + days_left * 86400 + 60;
	p->facts.checked = 1;
	p->facts.dates_ok = days_left >= 0;
	return p;
}

static enum severity sev_in(const struct finding *v, size_t n, enum finding_code c)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].code == c)
			return v[i].sev;
	return (enum severity) - 1;
}

static enum severity sev_of(const struct probe *p, enum finding_code c)
{
	return sev_in(p->findings, p->nfindings, c);
}

static enum severity sev_of_domain(const struct domain *d, enum finding_code c)
{
	return sev_in(d->findings, d->nfindings, c);
}

static void thresholds_derive_expiry_findings(void **state)
{
	struct probe *p;

	(void)state;
	p = probe_with_cert(20);
	verdict_probe(p, &ctx);
	assert_int_equal(sev_of(p, F_CERT_EXPIRES_SOON), SEV_WARN);
	assert_int_equal((int)sev_of(p, F_CERT_DATES_OK), -1);
	assert_int_equal(p->status, STATUS_WARN);
	verdict_probe(p, &ctx); /* once per probe: nothing added twice */
	assert_int_equal(p->nfindings, 1);
	probe_free(p);

	p = probe_with_cert(3);
	verdict_probe(p, &ctx);
	assert_int_equal(sev_of(p, F_CERT_EXPIRES_SOON), SEV_CRIT);
	assert_int_equal(p->status, STATUS_CRIT);
	probe_free(p);

	p = probe_with_cert(40);
	verdict_probe(p, &ctx);
	assert_int_equal((int)sev_of(p, F_CERT_EXPIRES_SOON), -1);
	assert_int_equal(sev_of(p, F_CERT_DATES_OK), SEV_OK);
	assert_int_equal(p->status, STATUS_OK);
	probe_free(p);

	/* An expired certificate is CERT_EXPIRED's (verify.c), never "soon". */
	p = probe_with_cert(-2);
	verdict_probe(p, &ctx);
	assert_int_equal(p->nfindings, 0);
	probe_free(p);
}

static void dane_match_says_why_a_fault_is_information(void **state)
{
	struct probe *p = probe_with_cert(40);

	(void)state;
	p->dane_matched = 3;
	probe_add(p, F_CERT_HOSTNAME_MISMATCH, 0, "the certificate does not cover mx");
	probe_add(p, F_CERT_WEAK_KEY, 0, "a 1024-bit RSA key");
	verdict_probe(p, &ctx);
	assert_int_equal(sev_of(p, F_CERT_HOSTNAME_MISMATCH), SEV_INFO);
	assert_int_equal(sev_of(p, F_CERT_WEAK_KEY), SEV_CRIT);
	assert_int_equal(p->status, STATUS_CRIT);
	assert_int_equal(p->findings[0].code, F_CERT_WEAK_KEY); /* worst first */
	for (size_t i = 0; i < p->nfindings; i++)
		if (p->findings[i].code == F_CERT_HOSTNAME_MISMATCH)
			assert_non_null(strstr(p->findings[i].message,
			    "a DANE-EE(3) record matches, "
			    "RFC 7672 3.1.1"));
	probe_free(p);
}

static void slow_greeting_says_what_senders_do(void **state)
{
	struct probe *p = probe_with_cert(40);

	(void)state;
	probe_add_arg(p, F_SLOW_GREETING, -1, 250000, "the greeting came after 250.0 s");
	verdict_probe(p, &ctx);
	assert_int_equal(sev_of(p, F_SLOW_GREETING), SEV_WARN);
	assert_non_null(strstr(p->findings[0].message, "some give up sooner"));
	probe_free(p);
}

static void policy_rule_tls_version_and_key(void **state)
{
	struct probe *p = probe_with_cert(80);
	struct policy_rule rule;

	(void)state;
	memset(&rule, 0, sizeof(rule));
	snprintf(rule.match, sizeof(rule.match), "mx.example.test");
	rule.line = 4;
	rule.min_tls = 13;
	rule.min_rsa_bits = 3072;
	rule.must_staple = 1;
	rule.warn_days = rule.crit_days = -1;
	p->rule = &rule;
	p->tls_version = strdup("TLSv1.2");
	snprintf(p->certs[0].key_type, sizeof(p->certs[0].key_type), "RSA");
	p->certs[0].key_bits = 2048;
	verdict_probe(p, &ctx);
	assert_int_equal(sev_of(p, F_POLICY_TLS_VERSION), SEV_CRIT);
	assert_int_equal(sev_of(p, F_POLICY_KEY_SIZE), SEV_CRIT);
	assert_int_equal(sev_of(p, F_POLICY_MUST_STAPLE), SEV_CRIT);
	assert_int_equal(p->status, STATUS_CRIT);
	probe_free(p);

	p = probe_with_cert(80); /* TLS 1.3, an EC key and must-staple keep the same rule */
	p->rule = &rule;
	p->certs[0].must_staple = 1;
	p->tls_version = strdup("TLSv1.3");
	snprintf(p->certs[0].key_type, sizeof(p->certs[0].key_type), "EC");
	p->certs[0].key_bits = 256;
	verdict_probe(p, &ctx);
	assert_int_equal(p->status, STATUS_OK);
	probe_free(p);
}

static void statuses_fold_worst_first(void **state)
{
	struct domain d = {0};
	struct mx_host mx = {0};
	struct probe *probes[2] = {probe_with_cert(40), probe_with_cert(20)};
	struct run r = {0};

	(void)state;
	assert_int_equal(status_of(SEV_OK), STATUS_OK);
	assert_int_equal(status_of(SEV_INFO), STATUS_OK);
	assert_int_equal(status_of(SEV_WARN), STATUS_WARN);
	assert_int_equal(status_of(SEV_CRIT), STATUS_CRIT);
	/* A crit is never hidden behind what could not be judged; that is not hidden behind
	 * a warning. */
	assert_int_equal(status_worst(STATUS_CRIT, STATUS_UNKNOWN), STATUS_CRIT);
	assert_int_equal(status_worst(STATUS_UNKNOWN, STATUS_CRIT), STATUS_CRIT);
	assert_int_equal(status_worst(STATUS_WARN, STATUS_UNKNOWN), STATUS_UNKNOWN);
	assert_int_equal(status_worst(STATUS_UNKNOWN, STATUS_WARN), STATUS_UNKNOWN);
	assert_int_equal(status_worst(STATUS_OK, STATUS_UNKNOWN), STATUS_UNKNOWN);
	verdict_probe(probes[0], &ctx);
	verdict_probe(probes[1], &ctx);
	mx.probes = probes;
	mx.nprobes = 2;
	d.mx = &mx;
	d.nmx = 1;
	domain_add(&d, F_SPF_MISSING, "no SPF");
	verdict_domain(&d, &ctx);
	assert_int_equal(d.status, STATUS_WARN); /* a probe's warning is the domain's */
	domain_add_arg(&d, F_TLSRPT_MISSING, 1, "no TLS-RPT");
	verdict_domain(&d, &ctx);
	assert_int_equal(d.findings[0].code, F_TLSRPT_MISSING);
	verdict_run_add(&r, d.status);
	verdict_run_add(&r, STATUS_OK);
	assert_int_equal(r.status, STATUS_WARN);
	verdict_run_interrupted(&r);
	assert_int_equal(r.status, STATUS_UNKNOWN);
	for (size_t i = 0; i < d.nfindings; i++)
		free(d.findings[i].message);
	free(d.findings);
	probe_free(probes[0]);
	probe_free(probes[1]);
}

/* d with one MX, mx, holding probes[0..n). */
static void one_mx(struct domain *d, struct mx_host *mx, struct probe **probes, size_t n)
{
	mx->probes = probes;
	mx->nprobes = n;
	d->mx = mx;
	d->nmx = 1;
}

/* An address this machine has no route to was not tested: the domain stands on the others,
 * good or bad, and is unknown only when none was tested. */
static void unrouted_addresses_do_not_judge(void **state)
{
	struct domain d = {0};
	struct mx_host mx = {0};
	struct probe *probes[2] = {probe_with_cert(40),
	    probe_new("mx.example.test", "2001:db8::25", 25, TLS_MODE_STARTTLS, &dialect_smtp,
	        "smtp")};

	(void)state;
	probe_add(probes[1], F_ADDRESS_UNROUTED, -1, "Network is unreachable");
	verdict_probe(probes[0], &ctx);
	verdict_probe(probes[1], &ctx);
	assert_int_equal(probes[1]->status, STATUS_UNKNOWN);
	one_mx(&d, &mx, probes, 2);
	verdict_domain(&d, &ctx);
	assert_int_equal(d.status, STATUS_OK);
	probe_add(probes[0], F_CONNECT_FAILED, -1, "Connection refused");
	probes[0]->judged = 0; /* judged again, with the failure */
	verdict_probe(probes[0], &ctx);
	verdict_domain(&d, &ctx);
	assert_int_equal(d.status, STATUS_CRIT);
	one_mx(&d, &mx, probes + 1, 1); /* only the unrouted one */
	verdict_domain(&d, &ctx);
	assert_int_equal(d.status, STATUS_UNKNOWN);
	probe_free(probes[0]);
	probe_free(probes[1]);
}

/* One MX critical, another refusing for now: the domain is critical, which a monitoring
 * system pages on, not unknown; within a probe the crit finding comes first. */
static void crit_is_not_hidden_by_unknown(void **state)
{
	struct domain d = {0};
	struct mx_host mx = {0};
	struct probe *probes[2] = {probe_with_cert(40),
	    probe_new("mx2.example.test", "192.0.2.2", 25, TLS_MODE_STARTTLS, &dialect_smtp,
	        "smtp")};

	(void)state;
	probe_add(probes[1], F_TEMPORARILY_REFUSED, -1, "421 too many connections");
	probe_add(probes[0], F_TEMPORARILY_REFUSED, -1, "421, then served");
	probe_add(probes[0], F_CERT_EXPIRED, 0, "expired");
	verdict_probe(probes[0], &ctx);
	verdict_probe(probes[1], &ctx);
	assert_int_equal(probes[0]->status, STATUS_CRIT);
	assert_int_equal(probes[0]->findings[0].code, F_CERT_EXPIRED);
	assert_int_equal(probes[1]->status, STATUS_UNKNOWN);
	one_mx(&d, &mx, probes, 2);
	verdict_domain(&d, &ctx);
	assert_int_equal(d.status, STATUS_CRIT);
	probe_free(probes[0]);
	probe_free(probes[1]);
}

/* An override is the policy's word every time the verdict is taken, and says so once. */
static void policy_override_holds_when_judged_again(void **state)
{
	struct policy_override o[2] = {{"TLSRPT_MISSING", POLICY_SEV_IGNORE}, {"SPF_MISSING", SEV_CRIT}};
	struct policy_rule rule;
	struct domain d = {0};

	(void)state;
	memset(&rule, 0, sizeof(rule));
	snprintf(rule.match, sizeof(rule.match), "example.test");
	rule.warn_days = rule.crit_days = -1;
	rule.overrides = o;
	rule.noverrides = 2;
	d.name = "example.test";
	d.rule = &rule;
	domain_add_arg(&d, F_TLSRPT_MISSING, 1, "no TLS-RPT");
	domain_add(&d, F_SPF_MISSING, "no SPF");
	for (int round = 0; round < 2; round++) {
		verdict_domain(&d, &ctx);
		assert_int_equal(sev_of_domain(&d, F_TLSRPT_MISSING), SEV_OK);
		assert_int_equal(sev_of_domain(&d, F_SPF_MISSING), SEV_CRIT);
		assert_int_equal(d.status, STATUS_CRIT);
	}
	for (size_t i = 0; i < d.nfindings; i++) {
		const char *m = d.findings[i].message;
		assert_non_null(strstr(m, "by the policy, rule example.test"));
		assert_null(strstr(strstr(m, "by the policy, rule ") + 1, "by the policy, rule "));
		free(d.findings[i].message);
	}
	free(d.findings);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_code_has_its_rules),
	    cmocka_unit_test(thresholds_derive_expiry_findings),
	    cmocka_unit_test(dane_match_says_why_a_fault_is_information),
	    cmocka_unit_test(slow_greeting_says_what_senders_do),
	    cmocka_unit_test(policy_rule_tls_version_and_key),
	    cmocka_unit_test(statuses_fold_worst_first),
	    cmocka_unit_test(unrouted_addresses_do_not_judge),
	    cmocka_unit_test(crit_is_not_hidden_by_unknown),
	    cmocka_unit_test(policy_override_holds_when_judged_again),
	};
	return cmocka_run_group_tests_name("verdict", tests, NULL, NULL);
}
