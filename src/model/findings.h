/*
 * findings.h - the one table of finding codes, their default severity and meaning,
 * and how severities fold into a status. Nothing else defines a code.
 */
#ifndef MAILTLS_FINDINGS_H
#define MAILTLS_FINDINGS_H

/* SEV_UNKNOWN: no verdict could be reached (a server that kept refusing for now, an
 * address this machine has no route to, a limit of this machine's). */
enum severity { SEV_OK, SEV_INFO, SEV_WARN, SEV_CRIT, SEV_UNKNOWN };

/* Exit codes follow the monitoring plugin convention. */
enum status { STATUS_OK = 0, STATUS_WARN = 1, STATUS_CRIT = 2, STATUS_UNKNOWN = 3 };

/* X(code, default severity, meaning) */
/* clang-format off */
#define FINDING_TABLE(X)                                                                   \
	X(CERT_TRUSTED, OK, "the chain verifies to a trusted root")                        \
	X(CERT_HOSTNAME_OK, OK, "the certificate covers the host name")                    \
	X(CERT_DATES_OK, OK, "every certificate in the path is within its validity dates") \
	X(TLS_ESTABLISHED, INFO, "TLS was negotiated; version, cipher and group")          \
	X(CERT_EXPIRED, CRIT, "a certificate in the path has expired")                     \
	X(CERT_NOT_YET_VALID, CRIT, "a certificate in the path is not valid yet")          \
	X(CERT_EXPIRES_SOON, WARN, "a certificate expires within --warn-days (crit within --crit-days)") \
	X(CERT_SELF_SIGNED, CRIT, "the server certificate is self-signed")                 \
	X(CERT_UNTRUSTED_ROOT, CRIT, "the chain ends at a root or issuer the trust store does not hold") \
	X(CERT_CHAIN_INCOMPLETE, CRIT, "the server did not send the intermediate that issued its certificate") \
	X(CERT_CHAIN_ORDER, WARN, "the chain was sent out of order or with unrelated certificates") \
	X(CERT_VERIFY_ERROR, CRIT, "the chain fails verification for another reason OpenSSL names") \
	X(CERT_HOSTNAME_MISMATCH, CRIT, "the certificate does not cover the host name (RFC 9525)") \
	X(CERT_CN_ONLY, WARN, "the name matched only the subject CN; there is no DNS subjectAltName") \
	X(CERT_NO_SERVER_AUTH, CRIT, "extendedKeyUsage or keyUsage does not allow TLS server use") \
	X(CERT_NAME_CONSTRAINT_VIOLATION, CRIT, "a CA of the path excludes (or does not permit) the host name by its name constraints") \
	X(CERT_KEY_MATCHES, OK, "check --chain --key: the private key belongs to the server certificate") \
	X(CERT_KEY_MISMATCH, CRIT, "check --chain --key: the private key does not belong to the server certificate") \
	X(CERT_WEAK_KEY, CRIT, "a key is too small (RSA/DSA < 2048 bits, EC < 256 bits)")  \
	X(CERT_WEAK_SIGNATURE, CRIT, "a certificate below a trust anchor is signed with MD5 or SHA-1") \
	X(CERT_NOT_REVOKED, OK, "the OCSP responder (stapled or asked) or the CRL says the certificate is not revoked") \
	X(CERT_REVOKED, CRIT, "a certificate of the path is revoked: reason and date, by OCSP or CRL") \
	X(CERT_MUST_STAPLE_MISSING, CRIT, "the certificate demands a stapled OCSP response (RFC 7633) and none came") \
	X(OCSP_STAPLED, INFO, "the server stapled an OCSP response (RFC 6066 8)") \
	X(OCSP_NOT_STAPLED, INFO, "the server stapled no OCSP response") \
	X(OCSP_RESPONSE_INVALID, WARN, "an OCSP response does not hold: signature, signer, certificate or dates") \
	X(OCSP_UNKNOWN, WARN, "the OCSP responder does not know the certificate") \
	X(OCSP_UNREACHABLE, WARN, "the OCSP responder could not be asked (not the mail server's fault)") \
	X(CRL_INVALID, WARN, "the CRL does not hold: signature, issuer, or stale") \
	X(CRL_UNREACHABLE, WARN, "the CRL could not be fetched, or is larger than mailtls reads") \
	X(REVOCATION_NO_SOURCE, INFO, "the certificate names no OCSP responder and no CRL") \
	X(DANE_VALID, OK, "a usable TLSA record matches the chain (RFC 7672)")             \
	X(DANE_NO_MATCH, CRIT, "no usable TLSA record matches: DANE senders will not deliver") \
	X(DANE_BOGUS, CRIT, "the TLSA lookup failed DNSSEC validation (or failed): DANE senders defer") \
	X(DANE_UNUSABLE_RECORD, WARN, "a TLSA record cannot be used for SMTP (usage 0/1, bad parameters)") \
	X(DANE_NOT_DNSSEC, INFO, "TLSA records exist but are not DNSSEC-signed: DANE does not apply") \
	X(DANE_ROLLOVER_RISK, WARN, "every TLSA record matches only the current key: no next key published") \
	X(MTASTS_VALID, OK, "MTA-STS policy valid, covering every MX, every MX certificate valid") \
	X(MTASTS_NO_TXT, INFO, "no _mta-sts TXT record: no MTA-STS policy")                 \
	X(MTASTS_TXT_INVALID, WARN, "the _mta-sts TXT record is malformed, duplicated or failed") \
	X(MTASTS_POLICY_FETCH_FAILED, WARN, "the MTA-STS policy could not be fetched as RFC 8461 3.3 requires") \
	X(MTASTS_POLICY_INVALID, WARN, "the MTA-STS policy file does not parse")            \
	X(MTASTS_MX_NOT_COVERED, CRIT, "an MX is not matched by any mx: pattern of the policy (warn in testing)") \
	X(MTASTS_CERT_INVALID, CRIT, "an MX fails the PKIX validation MTA-STS demands (warn in testing)") \
	X(MTASTS_TESTING, INFO, "the MTA-STS policy is in testing (or none) mode: not enforced") \
	X(TLSRPT_OK, INFO, "a TLS-RPT record names where failure reports go")               \
	X(TLSRPT_MISSING, INFO, "no TLS-RPT record (warn when DANE or MTA-STS is published)") \
	X(TLSRPT_INVALID, WARN, "the TLS-RPT record is malformed or duplicated")            \
	X(SPF_OK, INFO, "an SPF record, and its all qualifier")                             \
	X(SPF_MISSING, INFO, "no SPF record")                                                \
	X(SPF_MULTIPLE, WARN, "more than one SPF record: a permerror (RFC 7208 4.5)")       \
	X(SPF_INVALID, WARN, "the SPF record does not parse, or needs more than 10 lookups") \
	X(DMARC_OK, INFO, "a DMARC record, and its policy")                                 \
	X(DMARC_MISSING, INFO, "no DMARC record")                                            \
	X(DMARC_INVALID, WARN, "the DMARC record is malformed or duplicated")               \
	X(DKIM_OK, INFO, "a DKIM key for the selector, its type and size")                  \
	X(DKIM_MISSING, WARN, "no DKIM key for a selector named with --dkim-selector")      \
	X(DKIM_INVALID, WARN, "the DKIM key record is malformed, revoked or too small")     \
	X(DNS_FAILED, CRIT, "the resolver failed (SERVFAIL, timeout) for a name that must resolve") \
	X(DNS_NXDOMAIN, CRIT, "the domain does not exist")                                 \
	X(DNS_BOGUS, CRIT, "DNSSEC validation failed for an answer (bogus)")               \
	X(DNS_TRUNCATED, WARN, "an answer held more records than mailtls reads: the rest were not checked") \
	X(MX_NULL, INFO, "the domain publishes a null MX (RFC 7505): it accepts no mail") \
	X(MX_IMPLICIT, INFO, "no MX records: mail goes to the domain's own addresses (RFC 5321 5.1)") \
	X(MX_CNAME, WARN, "an MX target is an alias (CNAME), which RFC 2181 10.3 forbids") \
	X(MX_IP_LITERAL, WARN, "an MX target is an IP address literal, not a host name")    \
	X(MX_NO_ADDRESS, CRIT, "an MX host (or the implicit MX) has no address")           \
	X(MX_PARTIAL, INFO, "only part of the domain's mail path is broken: which part")   \
	X(CONNECT_FAILED, CRIT, "the TCP connection could not be made")                    \
	X(ADDRESS_UNROUTED, UNKNOWN, "this machine has no route to the address (no IPv6 here, say): not tested from here") \
	X(LOCAL_LIMIT, UNKNOWN, "this machine could not open the connection (out of descriptors, ports or memory, or its own policy forbids it): not tested") \
	X(ADDRESSES_UNTESTED, INFO, "some of the domain's addresses have no route from this machine: the verdict stands on the others") \
	X(TIMEOUT, CRIT, "the server did not answer within the bound of the phase (--greeting-timeout, ...)") \
	X(SLOW_GREETING, INFO, "the greeting came seconds late (warn near the 5 minutes senders wait)") \
	X(TEMPORARILY_REFUSED, UNKNOWN, "the server kept refusing for now (421, 450, a reset in the greeting): inconclusive") \
	X(BANNER_REJECTED, CRIT, "the server greeted with a rejection (554 and friends)")  \
	X(STARTTLS_NOT_OFFERED, CRIT, "the server does not offer STARTTLS")                \
	X(STARTTLS_REJECTED, CRIT, "the server refused the STARTTLS command")              \
	X(STARTTLS_INJECTION, CRIT, "plaintext followed the STARTTLS reply and was discarded") \
	X(STARTTLS_COMMAND_INJECTION, CRIT, "a command sent with STARTTLS was answered over TLS (CVE-2011-0411)") \
	X(STARTTLS_INJECTION_SAFE, OK, "a command sent with STARTTLS was not answered over TLS (--starttls-tests)") \
	X(PLAINTEXT_AUTH_OFFERED, CRIT, "before TLS the server offers a login that sends the password itself") \
	X(TLS_NOT_REQUIRED, WARN, "a submission server takes AUTH or MAIL FROM before TLS (RFC 8314 3)") \
	X(IMAP_PREAUTH, CRIT, "the IMAP greeting is PREAUTH: logged in before TLS, STARTTLS no longer allowed") \
	X(AUTH_SUCCEEDED, OK, "mailtls auth: the login over TLS succeeded") \
	X(AUTH_FAILED, CRIT, "mailtls auth: the server refused the login, or the mechanism failed") \
	X(AUTH_NOT_ATTEMPTED, CRIT, "mailtls auth: no credential was sent (no TLS, or a certificate that does not verify)") \
	X(AUTH_NO_MECHANISM, CRIT, "mailtls auth: no login mechanism over TLS fits the credential") \
	X(AUTOCONFIG_OK, INFO, "the domain's autoconfig file names its mail servers (Thunderbird, RFC-less but everywhere)") \
	X(AUTOCONFIG_MISSING, INFO, "no autoconfig file at https://autoconfig.DOMAIN/mail/config-v1.1.xml") \
	X(AUTOCONFIG_INVALID, WARN, "the autoconfig file is refused, or some of its servers are") \
	X(AUTOCONFIG_PLAINTEXT, CRIT, "the autoconfig file tells clients to use a server without TLS (socketType plain)") \
	X(TRANSACTION_REFUSED, CRIT, "mailtls ping: a command of the transaction was refused (MAIL, RCPT, DATA, NOOP)") \
	X(SRV_NOT_OFFERED, INFO, "the domain's SRV record says it does not offer the service (target \".\")") \
	X(SRV_MISSING, INFO, "no SRV record for a client service: mail clients must be set up by hand (RFC 6186)") \
	X(SRV_NAME_INSECURE, INFO, "a host found through an unsigned SRV record: strict clients check the domain's name") \
	X(TLS_HANDSHAKE_FAILED, CRIT, "the TLS handshake failed")                          \
	X(TLS_MAP, INFO, "check --tls-scan: the versions and suites the server accepts, and what the map cost") \
	X(TLS_MAP_INCOMPLETE, INFO, "check --tls-scan: the map stopped early (the server closed, or broke the rules): why") \
	X(TLS_PROFILE, OK, "check --tls-profile: the TLS map graded by the profile; the severity its worst grade carries") \
	X(TLS_CLIENT_FAILS, WARN, "check --tls-scan: a named sending client (data/tls-profiles.yml) would fail its handshake, and where") \
	X(TLS_LEGACY_VERSION, WARN, "the server accepts TLS 1.0 or 1.1 (crit for SSLv3)")    \
	X(TLS_NO_TLS13, INFO, "the server does not speak TLS 1.3")                          \
	X(TLS_WEAK_CIPHER, WARN, "weak suites are accepted: 3DES, anonymous (crit for NULL, EXPORT, RC4, DES)") \
	X(TLS_WEAK_DH, WARN, "a DHE suite uses a prime below 2048 bits (crit below 1024)")   \
	X(TLS_NO_SECURE_RENEGOTIATION, WARN, "the ServerHello lacks renegotiation_info (RFC 5746)") \
	X(TLS_NO_EXTENDED_MASTER_SECRET, INFO, "the ServerHello lacks extended_master_secret (RFC 7627) before TLS 1.3") \
	X(TLS_COMPRESSION, CRIT, "the server chose TLS compression (CRIME)")                \
	X(CERT_ALT_CHAIN_PROBLEM, CRIT, "one of the server's certificates (ECDSA, RSA) fails where another passes: which senders get it") \
	X(CERT_NO_SNI_DIFFERENT, WARN, "without SNI the server shows another certificate, and it fails") \
	X(PROTOCOL_ERROR, CRIT, "the server broke the protocol (syntax, limits, early close)") \
	X(POLICY_ISSUER_UNEXPECTED, CRIT, "the policy file expects another issuer of the server certificate") \
	X(POLICY_PIN_MISMATCH, CRIT, "the server key is none of the keys the policy file pins") \
	X(POLICY_NAME_MISSING, CRIT, "the certificate lacks a DNS name the policy file requires") \
	X(POLICY_TLS_VERSION, CRIT, "the TLS version is below the policy file's minimum") \
	X(POLICY_KEY_SIZE, CRIT, "the server key is smaller than the policy file's minimum") \
	X(POLICY_MUST_STAPLE, CRIT, "the policy file requires a must-staple certificate (RFC 7633)") \
	X(POLICY_DANE_REQUIRED, CRIT, "the policy file requires DANE and no MX has signed TLSA records") \
	X(POLICY_MTA_STS_REQUIRED, CRIT, "the policy file requires MTA-STS in enforce mode, valid")

/* clang-format on */

enum finding_code {
#define X(code, sev, meaning) F_##code,
	FINDING_TABLE(X)
#undef X
	    F__COUNT
};

struct finding_def {
	const char *name;    /* stable code as printed, e.g. "CERT_EXPIRED" */
	enum severity sev;   /* default severity */
	const char *meaning; /* one line, for docs and --list-findings */
};

extern const struct finding_def finding_defs[F__COUNT];

const char *severity_name(enum severity);
/* The code named name ("CERT_EXPIRED"), or -1. */
int finding_code_by_name(const char *name);
const char *status_name(enum status);
enum status status_of(enum severity);
/* Worst first: crit, unknown, warn, then ok (and info); see findings.c. */
int severity_rank(enum severity);
enum status status_worst(enum status, enum status);

#endif
