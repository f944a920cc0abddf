/*
 * scan.h - the search behind check --tls-scan: which crafted ClientHello to send next, and
 * what each answer teaches. Pure: it never connects; the engine sends each hello on a new
 * connection and feeds the answer back, so the search is tested against a model server.
 *
 * The search, per version from TLS 1.3 down to SSLv3: offer every suite the table knows for
 * that version alone; a ServerHello at the version accepts it and names one suite, which is
 * then left out of the next offer, until the server refuses: n suites cost n + 1 hellos.
 * Two or more suites are offered once more in the reverse of the order found: the same
 * first choice means the server picks by its own preference (and the order found is it),
 * the other end means it takes the client's. TLS 1.3 groups are found the same way, one
 * group left out at a time.
 */
#ifndef MAILTLS_SCAN_H
#define MAILTLS_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "model/tlsmap.h"
#include "tls/hello.h"

#define SCAN_OFFER_MAX 256      /* suites in one hello: the table has 223 */
#define SCAN_CONNECTIONS_MAX 800 /* hellos per server, whatever it answers */

enum scan_phase { SCAN_VERSION, SCAN_SUITES, SCAN_ORDER, SCAN_GROUPS, SCAN_DONE };

struct scan_plan {
	struct tls_map *map;
	const char *sni; /* NULL: none (an address) */
	enum scan_phase phase;
	size_t vi; /* the version (TLSMAP index) being probed */
	uint16_t suites[SCAN_OFFER_MAX];
	size_t nsuites;
	uint16_t groups[TLSMAP_GROUPS_MAX];
	size_t ngroups;
};

void scan_plan_init(struct scan_plan *, struct tls_map *, const char *sni);

/* The next hello: 1 with offer filled (its arrays live in the plan until the next call),
 * 0 when the map is complete. */
int scan_plan_next(struct scan_plan *, struct hello_offer *offer);

/* What the server did with the hello. */
enum scan_outcome {
	SCAN_ANSWERED,    /* r and sh hold hello_read's answer (kx too, when it was read) */
	SCAN_CLOSED,      /* the hello went out; the server closed, reset or went silent */
	SCAN_UNREACHED,   /* the connection failed before the hello could go out */
};

void scan_plan_feed(struct scan_plan *, enum scan_outcome, enum hello_result r,
    const struct server_hello *sh, const struct server_kx *kx, const char *why);

/* Whether the key exchange of this ServerHello is worth reading on for (hello_read_kx):
 * the first ephemeral one of a version before TLS 1.3. ecdhe says how to read it. */
int scan_plan_wants_kx(const struct scan_plan *, const struct server_hello *sh, int *ecdhe);

#endif
