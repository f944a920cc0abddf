/*
 * tlsmap.h - what a server negotiates (check --tls-scan): the protocol versions it accepts,
 * the cipher suites of each and in whose order it picks them, the TLS 1.3 groups, what its
 * ServerHello says of renegotiation, extended master secret and compression, and every
 * certificate it holds, each fetched in a handshake of its own. Observations only: the
 * verdict decides what is weak.
 */
#ifndef MAILTLS_TLSMAP_H
#define MAILTLS_TLSMAP_H

#include <stddef.h>
#include <stdint.h>

#define TLSMAP_VERSIONS 5     /* SSLv3, TLS 1.0, 1.1, 1.2, 1.3: index = wire version - 0x0300 */
#define TLSMAP_SUITES_MAX 128 /* suites recorded per version; a server with more is cut */
#define TLSMAP_GROUPS_MAX 16

enum tlsmap_order {
	TLSMAP_ORDER_UNKNOWN, /* fewer than two suites, or the probe was inconclusive */
	TLSMAP_ORDER_SERVER,  /* the server picks by its own preference */
	TLSMAP_ORDER_CLIENT,  /* the server takes the client's first suite it supports */
};

enum tlsmap_state {
	TLSMAP_NOT_PROBED, /* not asked (the scan stopped before it) */
	TLSMAP_ACCEPTED,
	TLSMAP_REFUSED,      /* an alert, a close, or a ServerHello for a lower version */
	TLSMAP_INCONCLUSIVE, /* the connection failed before the hello could be sent */
};

struct tlsmap_version {
	enum tlsmap_state state;
	uint16_t suites[TLSMAP_SUITES_MAX]; /* in the server's order when it has one */
	size_t nsuites;
	int cut;                            /* the scan stopped at TLSMAP_SUITES_MAX */
	enum tlsmap_order order;
	char refusal[96]; /* how the version was refused: "alert 40 (handshake_failure)" */
	/* ServerKeyExchange of the first ephemeral suite of this version (TLS 1.2 and older) */
	uint16_t ecdhe_group; /* the named curve of an ECDHE suite; 0: none seen */
	int dhe_bits;         /* the prime of a DHE suite, in bits; 0: none seen */
};

/* Which of the server's certificates a handshake asked for. */
enum tlsmap_cert {
	TLSMAP_CERT_ECDSA, /* ECDSA (and EdDSA) signature algorithms only */
	TLSMAP_CERT_RSA,   /* RSA (PKCS#1 and PSS) only */
	TLSMAP_CERT_NO_SNI, /* without server_name, as most MTAs connect */
	TLSMAP_CERTS,
};

struct probe;

#define TLSMAP_GRADES_MAX 8

/* The map graded against a profile (--tls-profile): indexes into name[], worst last. */
struct tlsmap_grades {
	char profile[48];
	char name[TLSMAP_GRADES_MAX][24];
	int sev[TLSMAP_GRADES_MAX]; /* enum severity of each grade */
	int overall;                /* the worst grade of anything accepted */
	int version[TLSMAP_VERSIONS];                  /* -1: not accepted */
	int8_t suite[TLSMAP_VERSIONS][TLSMAP_SUITES_MAX]; /* of v[].suites[] */
	int group[TLSMAP_GROUPS_MAX];                  /* of groups[] */
	int ecdhe_group[TLSMAP_VERSIONS], dhe_bits[TLSMAP_VERSIONS]; /* -1: none seen */
};

#define TLSMAP_CLIENTS_MAX 8

/* What a named sending client would negotiate with the server (data/tls-profiles.yml). */
struct tlsmap_client {
	char name[32], title[96];
	int ok;         /* a handshake would succeed */
	int version;    /* TLSMAP index, -1 when none */
	uint16_t suite; /* 0 when none */
	uint16_t group; /* TLS 1.3's, or the ECDHE curve when the map saw it; 0: unknown */
	int cert;       /* TLSMAP_CERT_ECDSA or _RSA, -1 when unknown */
	char why[120];  /* when not ok: where it fails */
};

struct tls_map {
	struct tlsmap_version v[TLSMAP_VERSIONS];
	uint16_t groups[TLSMAP_GROUPS_MAX]; /* TLS 1.3 key exchange groups accepted */
	size_t ngroups;
	/* From the ServerHello of the highest version before TLS 1.3 accepted (-1: none) */
	int secure_renegotiation; /* RFC 5746 renegotiation_info */
	int extended_master_secret;  /* RFC 7627 */
	int compression;             /* the method chosen when null was not the only one offered:
	                                never offered, so 0 unless the server breaks the rules */
	unsigned connections;        /* crafted hellos sent */
	double ms;                   /* wall time of the whole scan */
	char stopped[160];           /* why the scan ended early, or "" */
	/* Each certificate asked for in an OpenSSL handshake, judged as a probe of its own;
	 * NULL when not asked. A failed handshake means the server holds no such certificate. */
	struct probe *cert[TLSMAP_CERTS];
	struct tlsmap_grades *grades; /* --tls-profile, or NULL */
	struct tlsmap_client clients[TLSMAP_CLIENTS_MAX];
	size_t nclients;
};

/* "SSLv3" .. "TLSv1.3" for index i. */
const char *tlsmap_version_name(size_t i);
const char *tlsmap_cert_name(enum tlsmap_cert); /* "ecdsa", "rsa", "no-sni" */
const char *tlsmap_order_name(enum tlsmap_order); /* "unknown", "server", "client" */
const char *tlsmap_state_name(enum tlsmap_state); /* "not probed", "yes", "no", "unknown" */
/* "x25519", "secp256r1", "ffdhe2048", ... or NULL for another id. */
const char *tlsmap_group_name(uint16_t group);
uint16_t tlsmap_group_by_name(const char *name); /* 0: unknown */
/* a and b both saw a certificate, and the same one (a map's handshake against the check's). */
int tlsmap_same_leaf(const struct probe *a, const struct probe *b);
void tlsmap_free(struct tls_map *);

#endif
