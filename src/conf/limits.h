/*
 * limits.h - the bounds the client applies to what a server sends and to how long it waits,
 * in one place, each with the reason for its value.
 */
#ifndef MAILTLS_LIMITS_H
#define MAILTLS_LIMITS_H

#include <stddef.h>

/* Compile-time cap on reply lines: EHLO replies are a few dozen lines at most (RFC 5321
 * defines about twenty extensions); a thousand is generous and still bounded. */
#define LIMIT_REPLY_LINES_MAX 1000

/*
 * Waits are per phase, as a sending MTA has them (Postfix: smtp_connect_timeout 30 s,
 * smtp_helo_timeout and smtp_starttls_timeout 300 s), because servers delay on purpose:
 * Exim's connect-ACL delay and Sendmail's greet_pause hold the greeting for seconds to
 * minutes, and RFC 5321 4.5.3.2.1 gives the greeting 5 minutes. Each bound is on the
 * whole wait, not on silence between bytes: a server that trickles cannot stretch it.
 */
struct limits {
	size_t line_max;    /* bytes in one line; RFC 5321 4.5.3.1.5 says 512, servers exceed it */
	size_t reply_lines; /* lines in one reply, <= LIMIT_REPLY_LINES_MAX */
	size_t reply_bytes; /* bytes in one reply (curl's pingpong uses 64 KiB too) */
	double connect_s;   /* the TCP connect */
	double greeting_s;  /* the greeting, from the connect (or from TLS on 465/993/995) */
	double reply_s;     /* each reply to a command */
	double handshake_s; /* the TLS handshake */
};

#define LIMITS_DEFAULT                                                                             \
	{                                                                                          \
		.line_max = 4096, .reply_lines = 100, .reply_bytes = 65536, .connect_s = 30,       \
		.greeting_s = 300, .reply_s = 300, .handshake_s = 300                              \
	}

/* A greeting later than this is a fact worth saying (a deliberate delay), and later than
 * SLOW_GREETING_WARN_S it comes within a minute of the 5 minutes senders wait. */
#define SLOW_GREETING_INFO_S 2.0
#define SLOW_GREETING_WARN_S 240.0

/* Revocation (pki/revocation.c): a stapled OCSP response, as the server sent it (a response
 * for one certificate is 1-4 KiB; RFC 6960 sets no bound); a fetched one; a CRL (tens of MiB
 * exist: past this it is not read, and the finding says so). */
#define OCSP_STAPLE_MAX 65536
#define OCSP_RESPONSE_MAX 65536
#define CRL_MAX (16 * 1024 * 1024)
/* OCSP thisUpdate/nextUpdate leeway for clock skew (OpenSSL's ocsp app uses 5 minutes). */
#define OCSP_LEEWAY_S 300
/* What a caIssuers URL serves (a DER certificate, or a PKCS#7 of a few): its size, and the
 * certificates read from it. */
#define AIA_MAX 65536
#define AIA_CERTS_MAX 8
/* check --chain FILE: a fullchain.pem is a few KiB; a file of this size, or this many
 * certificates, is not a chain to deploy. */
#define CHAIN_FILE_MAX (1024 * 1024)
#define CHAIN_CERTS_MAX 16
/* check --resume: the output buffer, so that each JSONL line leaves in one write(); a
 * domain's line is a few KiB, one with many MX and long chains some tens. */
#define RESUME_LINE_MAX (1024 * 1024)
/* File descriptors a run needs beside its connections and DNS queries: the standard three,
 * the event loop's, the resolver's, an HTTPS fetch or two, the log. */
#define FD_RESERVE 64
/* libunbound's UDP ports beyond one per query in flight (outgoing-range, net/dns.c). */
#define DNS_PORTS_SPARE 64
/*
 * check --workers: from this many workers on, each resolves on its own loop (net/dns.c)
 * rather than the main loop resolving for all. Measured with bench/bulk.sh (2 CPUs, an MX
 * per domain): while the main loop resolves, a domain costs it 0.17 ms and its worker
 * 0.70 ms; while the workers resolve, 0.08 ms and 0.90 ms (the posts between the loops,
 * and the wake-ups they cost, are the difference). So the main loop alone keeps up with
 * 5,900 domains/s, four workers' worth at 1,430 each; resolving on the workers it keeps up
 * with 12,800/s, at 1,100 a worker. That pays from six workers on (6,600/s against 5,900)
 * and below costs CPU for nothing: at 100 ms round trips, where every post wakes an idle
 * loop, 47% more a domain with two workers (bench/latency.sh, --concurrency 200).
 */
#define DNS_SPREAD_WORKERS 6
/* A SERVFAIL that is no DNSSEC failure is asked again this many times (net/dns.c). */
#define DNS_SERVFAIL_RETRIES 2
/* An input line (-f): a domain name is at most 253 bytes; a longer line is reported as not
 * a name, never cut into one. */
#define INPUT_LINE_MAX 1024

/* A server that refuses for now (421, 450, a reset in the greeting) is tried again after
 * this, then twice as long each time (--retries times): 1 s, 2 s, 4 s ... */
#define RETRY_BASE_S 1.0

/* --starttls-tests: how long to wait over TLS for an answer to the command sent with
 * STARTTLS. A vulnerable server answers it as soon as its handshake is done, within one
 * round trip; a second covers a slow or distant one (and bounds the cost of the test). */
#define INJECTION_WAIT_S 1.0

/* DNS queries and the MTA-STS policy fetch, unless --timeout bounds every wait. */
#define DNS_TIMEOUT_S 10.0
#define HTTPS_TIMEOUT_S 10.0

/* Records of one type kept from one DNS answer; the rest are counted and reported as
 * DNS_TRUNCATED. No mail domain needs 64 MX hosts or addresses of one host; big providers
 * publish a few dozen TXT records at their apex at most. */
#define DNS_ANSWERS_MAX 64
/* Distinct verification errors listed for one chain; more are counted in one finding. A
 * chain of four certificates with every fault has about a dozen. */
#define VERIFY_ERRORS_MAX 32
/* Completed probes kept for later domains behind the same MX (about 3 KiB each), so a
 * million-domain --jsonl scan does not keep every result. */
#define ENGINE_PROBE_CACHE 1024
/* One command line the client writes; its longest is EHLO and a 255-byte host name. */
#define IO_COMMAND_MAX 1024
/* The exporter (mailtls serve): a request URI and its headers, idle connections, the
 * results kept (each a few KiB of metrics). */
#define EXPORTER_URI_MAX 2048
#define EXPORTER_HEADERS_MAX 8192
#define EXPORTER_IDLE_S 30
#define EXPORTER_CACHE_MAX 1024
/* Configuration files (serve's modules, later the policy): read whole, so bounded. */
#define CONF_FILE_MAX (1024 * 1024)
#define MODULES_MAX 256
/* The policy file: rules, and the items of one list in a rule (issuers, pins, names). */
#define POLICY_RULES_MAX 10000
#define POLICY_RULES_MAX_TEXT "10000"
#define POLICY_LIST_MAX 64
/* One audit log line read by mailtls log: a probe's line is about 1 KiB. */
#define LOG_LINE_MAX 65536
/* Repeatable options: resolvers (libunbound forwards to a handful) and DKIM selectors. */
#define OPTS_RESOLVERS_MAX 8
#define OPTS_DKIM_MAX 16
/* --ports and a policy rule's ports: the seven mail ports leave room for a host's own. */
#define OPTS_PORTS_MAX 16
#define OPTS_PORTS_MAX_TEXT "16"

/*
 * What the record parsers (mailpolicy/records_*.c) accept from a domain's TXT records and its
 * MTA-STS policy. Past a bound a record is refused with a message naming the bound, except a
 * rua= list, which keeps the whole URIs that fit and counts the ones left out: nothing is cut
 * silently.
 */
#define RECORD_MAX 65535          /* bytes in a TXT record, strings joined: RDLENGTH is 16 bits */
#define QUOTE_MAX 40              /* bytes of untrusted text in a message: enough to recognise */
#define KEY_B64_MAX 8192          /* DKIM p= base64; RSA-16384 SubjectPublicKeyInfo is ~2800 */
#define STS_POLICY_MAX 65536      /* RFC 8461 3.3: policies are at most 64 KiB */
#define STS_MAX_AGE_MAX 31557600L /* RFC 8461 3.2: max_age is at most a year of seconds */
#define STS_MX_MAX 64             /* mx: lines; more is refused: no real policy comes near 64 */
#define STS_MX_NAME_MAX 255       /* an mx pattern: "*." and a 253-byte name (RFC 1035 2.3.4) */
#define TLSRPT_RUA_MAX 511        /* TLS-RPT rua= kept: a few URIs, most name one; rest counted */
#define DMARC_RUA_MAX 255         /* DMARC rua= kept: a few mailto: URIs; the rest counted */
#define SPF_REDIRECT_MAX 255      /* redirect= bytes: a 253-byte name (RFC 1035 2.3.4) and a dot */
#define SPF_IP6_TEXT_MAX 45       /* the longest IPv6 text, "ffff:" x 6 and a dotted quad */

/*
 * The Thunderbird autoconfig file (mailpolicy/autoconfig.c), from
 * https://autoconfig.DOMAIN/mail/config-v1.1.xml. Read whole, so bounded: a provider's file
 * is a few KiB, and a larger one is refused. Servers past AC_SERVERS_MAX are counted in
 * dropped (providers list a handful, in order of preference); a value longer than
 * AC_VALUE_MAX (a 253-byte name or a %EMAILDOMAIN% template, with whitespace around it) or
 * an authentication method longer than AC_AUTH_MAX (Thunderbird's longest,
 * "password-encrypted", has 18) makes its server invalid: nothing is cut to fit.
 */
#define AC_FILE_MAX 65536 /* bytes in the file */
#define AC_SERVERS_MAX 32 /* servers kept */
#define AC_VALUE_MAX 512  /* bytes of one <hostname>, <port>, <socketType>, <authentication> */
#define AC_AUTH_MAX 31    /* bytes of an <authentication> method name */

/*
 * The crafted handshakes of the TLS scanner (tls/hello.c). A ClientHello is one record:
 * RFC 8446 5.1 caps a plaintext record at 2^14 bytes, and 2^14+2048 is the most any record
 * may claim (a ciphertext bound, RFC 5246 6.2.3): a longer length is not TLS. A ServerHello
 * with every extension is a few hundred bytes and a HelloRetryRequest's cookie is some
 * hundreds (OpenSSL's); one record's worth is generous and bounds the reassembly buffer.
 */
#define HELLO_RECORD_MAX (16384 + 2048) /* a record's length field, from a server */
#define HELLO_CLIENT_MAX 16384          /* our ClientHello record body (one plaintext record) */
#define HELLO_MESSAGE_MAX 16384         /* a ServerHello or HelloRetryRequest, header excluded */
#define HELLO_READ_MAX 65536 /* a scan hello's answer read: ServerHello, chain, key exchange */
#define HELLO_SNI_MAX 255               /* a server_name: a 253-byte DNS name, RFC 6066 3 */

#endif
