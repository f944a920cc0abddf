/*
 * suites.h - the cipher suite table: for each IANA id, its names and what it is made of
 * (key exchange, authentication, cipher, mode, MAC, protocol versions) and the properties a
 * verdict asks about as flags. Data only: it never decides whether a suite is acceptable.
 */
#ifndef MAILTLS_SUITES_H
#define MAILTLS_SUITES_H

#include <stddef.h>
#include <stdint.h>

/* Signalling values that travel in the cipher suite list but are not suites. */
#define SUITE_SCSV_RENEGOTIATION 0x00FF /* RFC 5746 3.3 */
#define SUITE_SCSV_FALLBACK 0x5600      /* RFC 7507 */

enum suite_kx {
	SUITE_KX_RSA,       /* RSA key transport: no forward secrecy */
	SUITE_KX_DH,        /* static DH from the certificate */
	SUITE_KX_DHE,       /* ephemeral finite-field DH (anon suites too: see SUITE_ANON) */
	SUITE_KX_ECDH,      /* static ECDH from the certificate */
	SUITE_KX_ECDHE,     /* ephemeral ECDH (anon suites too) */
	SUITE_KX_PSK,       /* pre-shared key alone */
	SUITE_KX_DHE_PSK,   /* RFC 4279 */
	SUITE_KX_ECDHE_PSK, /* RFC 5489 */
	SUITE_KX_RSA_PSK,   /* RFC 4279 */
	SUITE_KX_SRP,       /* RFC 5054 */
	SUITE_KX_TLS13,     /* TLS 1.3: negotiated apart from the suite (key_share) */
};

enum suite_auth {
	SUITE_AUTH_RSA,
	SUITE_AUTH_DSS,
	SUITE_AUTH_ECDSA,
	SUITE_AUTH_PSK,
	SUITE_AUTH_SRP,
	SUITE_AUTH_NONE,  /* anonymous */
	SUITE_AUTH_TLS13, /* TLS 1.3: by signature_algorithms, not the suite */
};

enum suite_enc {
	SUITE_ENC_NULL,
	SUITE_ENC_RC4,
	SUITE_ENC_RC2,
	SUITE_ENC_DES,
	SUITE_ENC_3DES,
	SUITE_ENC_IDEA,
	SUITE_ENC_SEED,
	SUITE_ENC_AES,
	SUITE_ENC_CAMELLIA,
	SUITE_ENC_ARIA,
	SUITE_ENC_CHACHA20,
};

enum suite_mode {
	SUITE_MODE_NULL,
	SUITE_MODE_STREAM,
	SUITE_MODE_CBC,
	SUITE_MODE_GCM,
	SUITE_MODE_CCM,
	SUITE_MODE_CCM8,
	SUITE_MODE_POLY1305,
};

enum suite_mac {
	SUITE_MAC_AEAD, /* the mode authenticates; the name's hash is the PRF's */
	SUITE_MAC_MD5,
	SUITE_MAC_SHA1,
	SUITE_MAC_SHA256,
	SUITE_MAC_SHA384,
};

/* Flags: what findings and verdicts ask of a suite. */
#define SUITE_FS 0x0001     /* forward secrecy: ephemeral key exchange, authenticated */
#define SUITE_AEAD 0x0002   /* GCM, CCM, ChaCha20-Poly1305 */
#define SUITE_EXPORT 0x0004 /* 40/56-bit export grade (FREAK, Logjam) */
#define SUITE_NULL 0x0008   /* no encryption */
#define SUITE_ANON 0x0010   /* no authentication of the server */
#define SUITE_RC4 0x0020    /* RFC 7465 forbids it */
#define SUITE_DES 0x0040    /* single DES (and DES40) */
#define SUITE_3DES 0x0080   /* 64-bit block: Sweet32 */
#define SUITE_CBC 0x0100    /* CBC mode (Lucky13, BEAST before TLS 1.1) */
#define SUITE_SHA1 0x0200   /* HMAC-SHA1 record MAC */
#define SUITE_MD5 0x0400    /* HMAC-MD5 record MAC */
#define SUITE_PSK 0x0800    /* needs a pre-shared key: a mail server offering it is odd */
#define SUITE_SRP 0x1000    /* needs an SRP password */

struct suite {
	uint16_t id;         /* IANA TLS Cipher Suites registry */
	const char *iana;    /* registry name, TLS_..._WITH_... */
	const char *openssl; /* OpenSSL's name (1.0.2's for suites OpenSSL 3 dropped) */
	uint8_t kx;          /* enum suite_kx */
	uint8_t auth;        /* enum suite_auth */
	uint8_t enc;         /* enum suite_enc */
	uint8_t mode;        /* enum suite_mode */
	uint8_t mac;         /* enum suite_mac */
	uint16_t bits;       /* cipher strength in bits, as OpenSSL counts (3DES: 112) */
	uint16_t flags;      /* SUITE_* */
	uint16_t min_version,
	    max_version; /* wire versions it may be negotiated in: 0x0300..0x0304 */
};

/* The suite with this id, or NULL when the table does not know it. */
const struct suite *suite_by_id(uint16_t id);
/* By IANA or OpenSSL name (case-insensitive), or NULL. */
const struct suite *suite_by_name(const char *name);
/* The i-th suite in id order, NULL past the end: for offering every suite known. */
const struct suite *suite_at(size_t i);
size_t suite_count(void);

/* Short names for the enums, for views: "ECDHE", "RSA", "AES", "GCM", "SHA256". */
const char *suite_kx_name(unsigned kx);
const char *suite_auth_name(unsigned auth);
const char *suite_enc_name(unsigned enc);
const char *suite_mode_name(unsigned mode);
const char *suite_mac_name(unsigned mac);
/* "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", or "unknown". */
const char *suite_version_name(uint16_t version);

#endif
