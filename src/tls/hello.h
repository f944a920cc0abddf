/*
 * hello.h - a ClientHello written byte by byte, and the server's answer read up to and
 * including its ServerHello (or an alert), so that the scanner can offer protocol versions
 * and cipher suites the linked OpenSSL will not speak. Pure functions over buffers: no I/O,
 * no allocation, no randomness of their own (the caller brings the random bytes).
 */
#ifndef MAILTLS_HELLO_H
#define MAILTLS_HELLO_H

#include <stddef.h>
#include <stdint.h>

#include "conf/limits.h"

#define HELLO_SSL3 0x0300
#define HELLO_TLS10 0x0301
#define HELLO_TLS11 0x0302
#define HELLO_TLS12 0x0303
#define HELLO_TLS13 0x0304

#define HELLO_GROUP_SECP256R1 0x0017
#define HELLO_GROUP_SECP384R1 0x0018
#define HELLO_GROUP_X25519 0x001d

/* What to offer. */
struct hello_offer {
	uint16_t version;     /* highest offered: HELLO_SSL3 .. HELLO_TLS13 */
	uint16_t min_version; /* TLS 1.3 offers: the lowest in supported_versions (0: 1.3 only) */
	const uint16_t
	    *suites; /* cipher suite ids, in preference order (SCSVs may be among them) */
	size_t nsuites;
	const uint16_t *groups; /* supported_groups; TLS 1.3's key_share is for the first, when it
	                           is x25519 or secp256r1, else empty (the server answers HRR) */
	size_t ngroups;
	const uint16_t *sigalgs; /* signature_algorithms (TLS 1.2 and up) */
	size_t nsigalgs;
	const char *sni; /* NULL: no server_name */
	int ocsp;        /* status_request */
};

/*
 * Write the ClientHello record (record header and handshake message) into out. seed gives
 * the 32 bytes of random, then the 32 of the session id sent with a TLS 1.3 offer (RFC 8446
 * D.4 middlebox compatibility; older offers send none). Returns the record's length, or 0
 * when the offer is invalid (version out of range, no suites, an SNI longer than
 * HELLO_SNI_MAX) or the record does not fit in outlen or in HELLO_CLIENT_MAX.
 *
 * SSLv3 offers carry no extensions (RFC 6101 has none) and signal secure renegotiation with
 * SUITE_SCSV_RENEGOTIATION instead; TLS 1.0 and up send renegotiation_info and
 * extended_master_secret, and TLS 1.3 offers legacy_version 0x0303 with supported_versions
 * from version down to min_version, psk_key_exchange_modes and a key_share with a fixed,
 * valid public key (the handshake is never finished, so no private key is needed).
 */
size_t hello_write(const struct hello_offer *offer, const unsigned char seed[64],
    unsigned char *out, size_t outlen);

enum hello_result {
	HELLO_MORE,          /* not enough bytes yet: read more and call again with all of them */
	HELLO_SERVER_HELLO,  /* a ServerHello: its fields are in out */
	HELLO_RETRY_REQUEST, /* a TLS 1.3 HelloRetryRequest (RFC 8446 4.1.3's special random) */
	HELLO_ALERT,         /* an alert record came first: alert_level, alert_desc */
	HELLO_ERROR,         /* not a TLS answer, or a malformed one: why says what */
};

struct server_hello {
	uint16_t version; /* negotiated: supported_versions when present, else legacy_version */
	uint16_t legacy_version;
	uint16_t record_version; /* of the first record */
	uint16_t suite;
	uint8_t compression;
	uint8_t session_id_len;
	uint16_t group;           /* key_share's group (TLS 1.3, and HRR's), 0 when none */
	uint16_t downgrade;       /* RFC 8446 4.1.3 sentinel in the random: 0x0303 for "DOWNGRD\1",
	                             0x0302 for "DOWNGRD\0", else 0 */
	int secure_renegotiation; /* renegotiation_info, empty as in a first handshake */
	int extended_master_secret;      /* RFC 7627 */
	int ocsp_status_requested;       /* status_request in the ServerHello (TLS 1.2 and older;
	                                    TLS 1.3 staples in the encrypted Certificate instead) */
	unsigned nextensions;            /* extensions in the ServerHello */
	uint8_t alert_level, alert_desc; /* HELLO_ALERT */
	char why[160];                   /* HELLO_ERROR: what was wrong, printable ASCII */
};

/*
 * Read the server's answer: in holds every byte received so far, from the first. Returns
 * HELLO_MORE until a whole ServerHello (or HelloRetryRequest, or an alert) is there, and
 * looks at nothing after it. Records may split the ServerHello (RFC 8446 5.1); a record
 * longer than HELLO_RECORD_MAX, a ServerHello longer than HELLO_MESSAGE_MAX, an empty
 * record, an SSLv2 answer, another record type or message first, a length that overruns
 * its container or trailing bytes inside the message are HELLO_ERROR. Never reads past len;
 * out is cleared first. The answer for a prefix is HELLO_MORE or the answer for the whole.
 */
enum hello_result hello_read(const unsigned char *in, size_t len, struct server_hello *out);

/* What a TLS 1.2 (or older) server's ServerKeyExchange says of an ephemeral key exchange. */
struct server_kx {
	int seen;       /* a ServerKeyExchange came before ServerHelloDone */
	uint16_t group; /* ECDHE: its named curve (RFC 8422 5.4); 0 for explicit curves */
	int dh_bits;    /* DHE: the size of the prime p, in bits (RFC 5246 7.4.3) */
	char why[160];  /* HELLO_ERROR: what was wrong */
};

/*
 * Read on past the ServerHello (the same bytes hello_read was given, from the first) to the
 * ServerKeyExchange, through Certificate and CertificateStatus, without copying them: only
 * the key exchange's first bytes are kept, so a chain of any length costs nothing but the
 * reading. ecdhe says how to read it (else DHE). Returns HELLO_MORE, HELLO_SERVER_HELLO
 * once the ServerKeyExchange or ServerHelloDone is there (out->seen says which), HELLO_ALERT
 * or HELLO_ERROR. Never reads past len.
 */
enum hello_result hello_read_kx(const unsigned char *in, size_t len, int ecdhe,
    struct server_kx *out);

/* "more", "server-hello", "hello-retry-request", "alert", "error". */
const char *hello_result_name(enum hello_result);

#endif
