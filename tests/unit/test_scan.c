/* Unit tests: the TLS map's search (tls/scan.c) against model servers, hostile ones among
 * them, and against OpenSSL's own server over memory BIOs (tls/hello.c's bytes both ways). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "engine/tlsscan.h"
#include "model/result.h"
#include "model/suites.h"
#include "model/tlsprofile.h"
#include "model/verdict.h"
#include "model/tlsmap.h"
#include "selfsigned.h"
#include "tls/hello.h"
#include "tls/scan.h"

/* A model server: the suites it has per version, in its order, and whose order it uses. */
struct model {
	const uint16_t *suites[TLSMAP_VERSIONS];
	size_t nsuites[TLSMAP_VERSIONS];
	int server_order;
	const uint16_t *groups; /* TLS 1.3, in its preference */
	size_t ngroups;
	uint16_t rogue_suite; /* answers this suite whatever was offered, when set */
	unsigned hellos;
};

static int offered(const uint16_t *v, size_t n, uint16_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

/* What the model answers to an offer: ServerHello (r = SERVER_HELLO) or alert. */
static enum hello_result model_answer(struct model *m, const struct hello_offer *o,
    struct server_hello *sh)
{
	size_t vi = o->version - 0x0300;

	memset(sh, 0, sizeof(*sh));
	m->hellos++;
	/* The highest version both have, at or below the offer's. */
	for (;; vi--) {
		if (m->nsuites[vi] > 0)
			break;
		if (vi == 0 || (o->version == 0x0304 && vi == 4))
			goto refuse;
	}
	if (o->version == 0x0304 && vi != 4)
		goto refuse; /* our 1.3 offers list 1.3 alone */
	if (m->rogue_suite) {
		sh->version = (uint16_t)(0x0300 + vi);
		sh->suite = m->rogue_suite;
		return HELLO_SERVER_HELLO;
	}
	for (size_t i = 0; i < (m->server_order ? m->nsuites[vi] : o->nsuites); i++) {
		uint16_t s = m->server_order ? m->suites[vi][i] : o->suites[i];

		if (offered(o->suites, o->nsuites, s) && offered(m->suites[vi], m->nsuites[vi], s)) {
			sh->version = (uint16_t)(0x0300 + vi);
			sh->suite = s;
			sh->secure_renegotiation = 1;
			if (vi == 4) {
				for (size_t g = 0; g < m->ngroups; g++)
					if (offered(o->groups, o->ngroups, m->groups[g])) {
						sh->group = m->groups[g];
						return sh->group == o->groups[0] ? HELLO_SERVER_HELLO
						                                  : HELLO_RETRY_REQUEST;
					}
				goto refuse;
			}
			return HELLO_SERVER_HELLO;
		}
	}
refuse:
	sh->alert_level = 2;
	sh->alert_desc = 40;
	return HELLO_ALERT;
}

static void run_model(struct model *m, struct tls_map *map)
{
	struct scan_plan sp;
	struct hello_offer o;

	memset(map, 0, sizeof(*map));
	scan_plan_init(&sp, map, "mx.example.test");
	while (scan_plan_next(&sp, &o)) {
		struct server_hello sh;
		enum hello_result r = model_answer(m, &o, &sh);

		assert_string_equal(o.sni, "mx.example.test");
		scan_plan_feed(&sp, SCAN_ANSWERED, r, &sh, NULL, NULL);
	}
	assert_int_equal(map->connections, m->hellos);
}

static const uint16_t s12[] = {0xc030, 0xc02f, 0x000a}; /* ECDHE-RSA-AES256/128-GCM, 3DES */
static const uint16_t s10[] = {0xc014, 0x000a};
static const uint16_t s13[] = {0x1302, 0x1301};
static const uint16_t g13[] = {0x0018, 0x001d}; /* secp384r1 before x25519 */

static void test_server_order(void **state)
{
	struct model m = {.server_order = 1, .groups = g13, .ngroups = 2};
	struct tls_map map;

	(void)state;
	m.suites[4] = s13, m.nsuites[4] = 2;
	m.suites[3] = s12, m.nsuites[3] = 3;
	m.suites[1] = s10, m.nsuites[1] = 2;
	run_model(&m, &map);
	assert_int_equal(map.v[4].state, TLSMAP_ACCEPTED);
	assert_int_equal(map.v[3].state, TLSMAP_ACCEPTED);
	assert_int_equal(map.v[2].state, TLSMAP_REFUSED);
	assert_int_equal(map.v[1].state, TLSMAP_ACCEPTED);
	assert_int_equal(map.v[0].state, TLSMAP_REFUSED);
	/* The server's own order, found by elimination. */
	assert_int_equal(map.v[3].nsuites, 3);
	assert_memory_equal(map.v[3].suites, s12, sizeof(s12));
	assert_int_equal(map.v[3].order, TLSMAP_ORDER_SERVER);
	assert_memory_equal(map.v[4].suites, s13, sizeof(s13));
	assert_int_equal(map.v[4].order, TLSMAP_ORDER_SERVER);
	assert_memory_equal(map.v[1].suites, s10, sizeof(s10));
	assert_string_equal(map.v[2].refusal, "answered with TLSv1"); /* the highest it has */
	assert_string_equal(map.v[0].refusal, "handshake_failure alert (40)");
	/* Groups: both, whatever the order. */
	assert_int_equal(map.ngroups, 2);
	assert_true(offered(map.groups, 2, 0x0018) && offered(map.groups, 2, 0x001d));
	/* n + 1 hellos per version with suites, one more for the order, one per refused
	 * version, groups + 1. */
	assert_int_equal(map.connections, (2 + 1 + 1) + (3 + 1 + 1) + 1 + (2 + 1 + 1) + 1 + 3);
	assert_int_equal(map.secure_renegotiation, 1);
	assert_string_equal(map.stopped, "");
}

static void test_client_order(void **state)
{
	struct model m = {.server_order = 0};
	struct tls_map map;

	(void)state;
	m.suites[3] = s12, m.nsuites[3] = 3;
	run_model(&m, &map);
	assert_int_equal(map.v[4].state, TLSMAP_REFUSED);
	assert_int_equal(map.v[3].nsuites, 3);
	assert_int_equal(map.v[3].order, TLSMAP_ORDER_CLIENT);
	/* Elimination in the table's (id) order, as offered. */
	assert_int_equal(map.v[3].suites[0], 0x000a);
	assert_int_equal(map.v[3].suites[1], 0xc02f);
	assert_int_equal(map.v[3].suites[2], 0xc030);
	assert_int_equal(map.ngroups, 0);
}

/* A server that answers a suite it was never offered does not make the search loop. */
static void test_rogue_suite(void **state)
{
	struct model m = {.rogue_suite = 0x0000};
	struct tls_map map;

	(void)state;
	m.suites[3] = s12, m.nsuites[3] = 3;
	m.rogue_suite = 0xfefe;
	run_model(&m, &map);
	assert_true(m.hellos < 10);
	assert_non_null(strstr(map.stopped, "0xfefe"));
	assert_int_equal(map.v[3].nsuites, 0);
}

/* Nothing read yet: an empty buffer may come as NULL (an empty evbuffer's pullup). */
static void test_empty_answer(void **state)
{
	struct server_hello sh;
	struct server_kx kx;

	(void)state;
	assert_int_equal(hello_read(NULL, 0, &sh), HELLO_MORE);
	assert_int_equal(hello_read_kx(NULL, 0, 1, &kx), HELLO_MORE);
}

/* A message the reader skips may run past what has come of its record: more is needed,
 * not a read past the end (found by the server_hello fuzzer). */
static void test_kx_skip_past_the_end(void **state)
{
	static const unsigned char part[] = {0x16, 0x03, 0x03, 0x00, 0x3a, 0x02, 0x00, 0x45, 0x01,
	    0x00, 0x80};
	unsigned char *exact = malloc(sizeof(part)); /* ASan sees a read past it */
	struct server_kx kx;

	(void)state;
	memcpy(exact, part, sizeof(part));
	assert_int_equal(hello_read_kx(exact, sizeof(part), 1, &kx), HELLO_MORE);
	free(exact);
}

/* A connection that fails before its hello ends the scan as inconclusive, not refused. */
static void test_unreached(void **state)
{
	struct tls_map map;
	struct scan_plan sp;
	struct hello_offer o;

	(void)state;
	memset(&map, 0, sizeof(map));
	scan_plan_init(&sp, &map, NULL);
	assert_true(scan_plan_next(&sp, &o));
	assert_null(o.sni);
	assert_int_equal(o.version, 0x0304);
	scan_plan_feed(&sp, SCAN_UNREACHED, HELLO_MORE, NULL, NULL, "connection refused");
	assert_false(scan_plan_next(&sp, &o));
	assert_int_equal(map.v[4].state, TLSMAP_INCONCLUSIVE);
	assert_int_equal(map.v[3].state, TLSMAP_NOT_PROBED);
	assert_string_equal(map.stopped, "connection refused");
}

/* A server that accepts everything is bounded by SCAN_CONNECTIONS_MAX... and by the table. */
static void test_bounded(void **state)
{
	struct model m = {.server_order = 1};
	static uint16_t all[TLSMAP_VERSIONS][SCAN_OFFER_MAX];
	struct tls_map map;
	const struct suite *s;

	(void)state;
	for (size_t vi = 0; vi < 4; vi++) {
		for (size_t i = 0; (s = suite_at(i)) != NULL; i++)
			if (s->kx != SUITE_KX_TLS13 && s->min_version <= 0x0300 + vi &&
			    s->max_version >= 0x0300 + vi)
				all[vi][m.nsuites[vi]++] = s->id;
		m.suites[vi] = all[vi];
	}
	run_model(&m, &map);
	assert_true(map.connections <= SCAN_CONNECTIONS_MAX);
	assert_int_equal(map.v[3].nsuites, TLSMAP_SUITES_MAX);
	assert_true(map.v[3].cut);
}

/* OpenSSL's server over memory BIOs: the ClientHello in, its first flight out. */
static EVP_PKEY *key;
static X509 *cert;

static int setup(void **state)
{
	(void)state;
	return selfsigned("mx.example.test", &key, &cert);
}

static int teardown(void **state)
{
	(void)state;
	X509_free(cert);
	EVP_PKEY_free(key);
	return 0;
}

static size_t serve(SSL_CTX *ctx, const unsigned char *ch, size_t n, unsigned char *ans,
    size_t cap)
{
	SSL *ssl = SSL_new(ctx);
	BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	int got;

	assert_int_equal(BIO_write(rb, ch, (int)n), (int)n);
	SSL_set_bio(ssl, rb, wb);
	SSL_set_accept_state(ssl);
	SSL_do_handshake(ssl);
	got = BIO_read(wb, ans, (int)cap);
	SSL_free(ssl);
	return got > 0 ? (size_t)got : 0;
}

static void test_openssl_server(void **state)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	static unsigned char ch[5 + HELLO_CLIENT_MAX], ans[65536];
	unsigned char seed[64] = {1};
	struct tls_map map;
	struct scan_plan sp;
	struct hello_offer o;

	(void)state;
	assert_non_null(ctx);
	SSL_CTX_set_security_level(ctx, 0);
	assert_true(SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION));
	assert_true(SSL_CTX_set_cipher_list(ctx,
	    "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA:AES128-SHA:@SECLEVEL=0"));
	assert_true(SSL_CTX_set_ciphersuites(ctx, "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"));
	assert_true(SSL_CTX_set1_groups_list(ctx, "P-256:X25519"));
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_dh_auto(ctx, 1);
	assert_true(SSL_CTX_use_certificate(ctx, cert));
	assert_true(SSL_CTX_use_PrivateKey(ctx, key));

	memset(&map, 0, sizeof(map));
	scan_plan_init(&sp, &map, "mx.example.test");
	while (scan_plan_next(&sp, &o)) {
		size_t n = hello_write(&o, seed, ch, sizeof(ch)), got;
		struct server_hello sh;
		struct server_kx kx;
		enum hello_result r;
		int ecdhe;

		assert_true(n > 0);
		got = serve(ctx, ch, n, ans, sizeof(ans));
		if (got == 0) {
			scan_plan_feed(&sp, SCAN_CLOSED, HELLO_MORE, NULL, NULL, "closed");
			continue;
		}
		r = hello_read(ans, got, &sh);
		assert_int_not_equal(r, HELLO_MORE);
		memset(&kx, 0, sizeof(kx));
		if (r == HELLO_SERVER_HELLO && scan_plan_wants_kx(&sp, &sh, &ecdhe))
			assert_int_equal(hello_read_kx(ans, got, ecdhe, &kx), HELLO_SERVER_HELLO);
		scan_plan_feed(&sp, SCAN_ANSWERED, r, &sh, &kx, NULL);
	}
	assert_string_equal(map.stopped, "");
	assert_int_equal(map.v[4].state, TLSMAP_ACCEPTED);
	assert_int_equal(map.v[4].nsuites, 2);
	assert_int_equal(map.v[4].suites[0], 0x1302); /* the server's order */
	assert_int_equal(map.v[4].order, TLSMAP_ORDER_SERVER);
	assert_int_equal(map.ngroups, 2);
	assert_true(offered(map.groups, 2, 0x0017) && offered(map.groups, 2, 0x001d));
	assert_int_equal(map.v[3].state, TLSMAP_ACCEPTED);
	assert_int_equal(map.v[3].nsuites, 3);
	assert_int_equal(map.v[3].suites[0], 0xc02f);
	assert_int_equal(map.v[3].suites[1], 0x0039);
	assert_int_equal(map.v[3].suites[2], 0x002f);
	assert_int_equal(map.v[3].order, TLSMAP_ORDER_SERVER);
	assert_int_equal(map.v[3].ecdhe_group, 0x0017); /* P-256 first: the server's choice */
	assert_int_equal(map.v[3].dhe_bits, 2048);      /* dh_auto with a 2048-bit key */
	assert_int_equal(map.v[2].state, TLSMAP_ACCEPTED);
	assert_int_equal(map.v[1].state, TLSMAP_ACCEPTED);
	assert_int_equal(map.v[1].nsuites, 2); /* no GCM before 1.2 */
	assert_int_equal(map.v[0].state, TLSMAP_REFUSED);
	assert_int_equal(map.secure_renegotiation, 1);
	assert_int_equal(map.extended_master_secret, 1);
	assert_int_equal(map.compression, 0);
	SSL_CTX_free(ctx);
}

static const struct finding *first(const struct probe *p, enum finding_code c)
{
	for (size_t i = 0; i < p->nfindings; i++)
		if (p->findings[i].code == c)
			return &p->findings[i];
	return NULL;
}

/* What a map shows, and how bad the verdict calls it. */
static void test_findings(void **state)
{
	struct probe *p = probe_new("mx.example.test", "192.0.2.1", 25, TLS_MODE_STARTTLS, NULL,
	    "smtp");
	struct verdict_ctx vc = {30, 7, 0};
	struct tls_map *m = calloc(1, sizeof(*m));
	const struct finding *f;
	int weak_rc4 = 0, weak_3des = 0, weak_export = 0;

	(void)state;
	m->v[0].state = TLSMAP_ACCEPTED; /* SSLv3 with RC4 and an EXPORT suite */
	m->v[0].suites[0] = 0x0005;
	m->v[0].suites[1] = 0x0003;
	m->v[0].nsuites = 2;
	m->v[1].state = TLSMAP_ACCEPTED; /* TLS 1.0 with 3DES and 768-bit DHE */
	m->v[1].suites[0] = 0x000a;
	m->v[1].nsuites = 1;
	m->v[1].dhe_bits = 768;
	m->v[3].state = TLSMAP_ACCEPTED;
	m->v[3].suites[0] = 0xc02f;
	m->v[3].nsuites = 1;
	m->v[4].state = TLSMAP_REFUSED;
	snprintf(m->v[4].refusal, sizeof(m->v[4].refusal), "protocol_version alert (70)");
	m->secure_renegotiation = 0;
	m->extended_master_secret = 1;
	m->connections = 9;
	p->map = m;
	tlsscan_findings(p, NULL, NULL);
	verdict_probe(p, &vc);
	for (size_t i = 0; i < p->nfindings; i++) {
		f = &p->findings[i];
		if (f->code == F_TLS_WEAK_CIPHER && strstr(f->message, "RC4-SHA in SSLv3"))
			weak_rc4 = f->sev == SEV_CRIT;
		if (f->code == F_TLS_WEAK_CIPHER && strstr(f->message, "DES-CBC3-SHA in TLSv1"))
			weak_3des = f->sev == SEV_WARN;
		if (f->code == F_TLS_WEAK_CIPHER && strstr(f->message, "EXP-RC4-MD5"))
			weak_export = f->sev == SEV_CRIT;
		if (f->code == F_TLS_LEGACY_VERSION)
			assert_int_equal(f->sev, strstr(f->message, "SSLv3") ? SEV_CRIT : SEV_WARN);
	}
	assert_true(weak_rc4 && weak_3des && weak_export);
	assert_non_null(f = first(p, F_TLS_WEAK_DH));
	assert_int_equal(f->sev, SEV_CRIT);
	assert_non_null(strstr(f->message, "768-bit"));
	assert_non_null(f = first(p, F_TLS_NO_TLS13));
	assert_non_null(strstr(f->message, "protocol_version"));
	assert_non_null(first(p, F_TLS_NO_SECURE_RENEGOTIATION));
	assert_null(first(p, F_TLS_NO_EXTENDED_MASTER_SECRET));
	assert_null(first(p, F_TLS_COMPRESSION));
	assert_null(first(p, F_TLS_MAP_INCOMPLETE));
	assert_non_null(f = first(p, F_TLS_MAP));
	assert_non_null(strstr(f->message, "TLSv1.2 (1 suite), TLSv1 (1 suite), SSLv3 (2 suites)"));
	assert_int_equal(p->status, STATUS_CRIT);
	probe_free(p);
}

static int grade(const struct tls_profile *p, const char *want, int got)
{
	if (strcmp(p->grade[got].name, want) != 0) {
		fprintf(stderr, "%s: got %s, want %s\n", p->name, p->grade[got].name, want);
		return 0;
	}
	return 1;
}

/* The built-in profiles grade as internet.nl and Mozilla say. */
static void test_profiles(void **state)
{
	struct tls_profiles ps;
	const struct tls_profile *n, *mi, *mm;
	char err[300];

	(void)state;
	assert_int_equal(tlsprofiles_load(&ps, NULL, err, sizeof(err)), 0);
	assert_non_null(n = tlsprofiles_find(&ps, "ncsc"));
	assert_non_null(mi = tlsprofiles_find(&ps, "mozilla-intermediate"));
	assert_non_null(mm = tlsprofiles_find(&ps, "mozilla-modern"));
	assert_null(tlsprofiles_find(&ps, "nope"));
	assert_true(grade(n, "good", tlsprofile_suite(n, 0x1302)));
	assert_true(grade(n, "sufficient", tlsprofile_suite(n, 0x1301)));
	assert_true(grade(n, "sufficient", tlsprofile_suite(n, 0xc02f)));  /* ECDHE-RSA-AES128-GCM */
	assert_true(grade(n, "sufficient", tlsprofile_suite(n, 0xcca8)));  /* ECDHE-RSA-CHACHA20 */
	assert_true(grade(n, "phase-out", tlsprofile_suite(n, 0xc027)));   /* ECDHE-RSA-AES128-SHA256 */
	assert_true(grade(n, "phase-out", tlsprofile_suite(n, 0x009e)));   /* DHE-RSA-AES128-GCM */
	assert_true(grade(n, "insufficient", tlsprofile_suite(n, 0xc013))); /* CBC with SHA-1 */
	assert_true(grade(n, "insufficient", tlsprofile_suite(n, 0x002f))); /* RSA key transport */
	assert_true(grade(n, "insufficient", tlsprofile_suite(n, 0x000a))); /* 3DES */
	assert_true(grade(n, "insufficient", tlsprofile_suite(n, 0x1305))); /* CCM_8 */
	assert_true(grade(n, "good", tlsprofile_group(n, 0x001d)));
	assert_true(grade(n, "phase-out", tlsprofile_group(n, 0x0101)));   /* ffdhe3072 */
	assert_true(grade(n, "insufficient", tlsprofile_group(n, 0x0100))); /* ffdhe2048 */
	assert_true(grade(n, "phase-out", tlsprofile_dh(n, 4096)));
	assert_true(grade(n, "insufficient", tlsprofile_dh(n, 2048)));
	assert_true(grade(n, "sufficient", n->version[3]) && grade(n, "insufficient", n->version[1]));
	assert_true(grade(mi, "recommended", tlsprofile_suite(mi, 0xc02f)));
	assert_true(grade(mi, "outside", tlsprofile_suite(mi, 0xc027)));
	assert_true(grade(mi, "recommended", tlsprofile_dh(mi, 2048)));
	assert_true(grade(mi, "outside", tlsprofile_dh(mi, 1024)));
	assert_true(grade(mm, "outside", mm->version[3]) && grade(mm, "recommended", mm->version[4]));
	assert_true(grade(mm, "recommended", tlsprofile_suite(mm, 0x1303)));
	assert_true(grade(mm, "outside", tlsprofile_suite(mm, 0xc02f)));
	tlsprofiles_free(&ps);
}

/* A profile file with a mistake is refused with its line. */
static void test_profile_errors(void **state)
{
	static const struct {
		const char *yaml, *want;
	} bad[] = {
	    {"profiles:\n  - name: x\n    grades: [{name: a, severity: ok}]\n"
	     "    suites:\n      - {kx: [ECDHX], grade: a}\n",
	        "line 5: kx: \"ECDHX\" is unknown"},
	    {"profiles:\n  - name: x\n    grades: [{name: a, severity: ok}]\n"
	     "    versions: {TLSv1.4: a}\n",
	        "line 4: \"TLSv1.4\" is not SSLv3"},
	    {"profiles:\n  - name: x\n    grades: [{name: a, severity: ok}]\n"
	     "    suites:\n      - {names: [NOPE-SHA], grade: a}\n",
	        "line 5: \"NOPE-SHA\" is no suite"},
	    {"profiles:\n  - name: x\n    grades: [{name: a, severity: ok}]\n"
	     "    versions: {TLSv1.2: b}\n",
	        "line 4: \"b\" is not one of the profile's grades"},
	    {"profiles:\n  - name: x\n    grades: [{name: a, severity: bad}]\n",
	        "line 3: a grade is {name: NAME, severity"},
	    {"nothing: here\n", "no \"profiles:\" list"},
	};
	char path[] = "/tmp/mailtls-profile-XXXXXX", err[300];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tls_profiles ps;
		int fd = mkstemp(path);
		FILE *f = fdopen(fd, "w");

		fputs(bad[i].yaml, f);
		fclose(f);
		assert_int_equal(tlsprofiles_load(&ps, path, err, sizeof(err)), -1);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, bad[i].want);
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	}
}

/* What a named client would negotiate: by whose order, which group and certificate. */
static void test_clients(void **state)
{
	struct tls_client t = {.name = "c", .title = "a client", .versions = 1u << 3 | 1u << 4,
	    .suites = {0x1301, 0x1302, 0xc030, 0xc02f}, .nsuites = 4,
	    .groups = {0x0017, 0x001d}, .ngroups = 2, .certs = {TLSMAP_CERT_RSA, TLSMAP_CERT_ECDSA}};
	struct tls_map m;
	struct tlsmap_client out;
	int both[2] = {1, 1}, ecdsa_only[2] = {1, 0};

	(void)state;
	memset(&m, 0, sizeof(m));
	m.v[3].state = TLSMAP_ACCEPTED;
	m.v[3].suites[0] = 0xc02f;
	m.v[3].suites[1] = 0xc030;
	m.v[3].nsuites = 2;
	m.v[3].order = TLSMAP_ORDER_CLIENT;
	/* Client order: the client's first the server takes. */
	tlsclient_simulate(&t, &m, both, &out);
	assert_true(out.ok);
	assert_int_equal(out.version, 3);
	assert_int_equal(out.suite, 0xc030);
	assert_int_equal(out.cert, TLSMAP_CERT_RSA);
	/* Server order: the server's first the client offers. */
	m.v[3].order = TLSMAP_ORDER_SERVER;
	tlsclient_simulate(&t, &m, both, &out);
	assert_int_equal(out.suite, 0xc02f);
	/* TLS 1.3: the client's first group the server takes; its preferred certificate
	 * among those the server holds. */
	m.v[4].state = TLSMAP_ACCEPTED;
	m.v[4].suites[0] = 0x1302;
	m.v[4].nsuites = 1;
	m.groups[0] = 0x001d;
	m.ngroups = 1;
	tlsclient_simulate(&t, &m, ecdsa_only, &out);
	assert_true(out.ok);
	assert_int_equal(out.version, 4);
	assert_int_equal(out.suite, 0x1302);
	assert_int_equal(out.group, 0x001d);
	assert_int_equal(out.cert, TLSMAP_CERT_ECDSA);
	/* No suite in common at the highest common version: no fallback. */
	m.v[4].suites[0] = 0x1303;
	tlsclient_simulate(&t, &m, both, &out);
	assert_false(out.ok);
	assert_non_null(strstr(out.why, "no suite in common in TLSv1.3"));
	/* No version in common. */
	t.versions = 1u << 1;
	tlsclient_simulate(&t, &m, both, &out);
	assert_false(out.ok);
	assert_string_equal(out.why, "no version in common");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_server_order),
	    cmocka_unit_test(test_client_order),
	    cmocka_unit_test(test_rogue_suite),
	    cmocka_unit_test(test_unreached),
	    cmocka_unit_test(test_empty_answer),
	    cmocka_unit_test(test_kx_skip_past_the_end),
	    cmocka_unit_test(test_bounded),
	    cmocka_unit_test(test_openssl_server),
	    cmocka_unit_test(test_findings),
	    cmocka_unit_test(test_profiles),
	    cmocka_unit_test(test_profile_errors),
	    cmocka_unit_test(test_clients),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
