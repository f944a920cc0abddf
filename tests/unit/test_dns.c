/*
 * Unit tests: DNS answer parsing (dns_parse) with good and hostile packets, and the
 * partial-failure explanation of a domain (target_explain_partial).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <arpa/nameser.h>
#include <cmocka.h>

#include "engine/target.h"
#include "model/published.h"
#include "net/dns.h"
#include "proto/dialect.h"

/* Build a response: header, one question, answers given as raw RR bytes. */
static size_t packet(unsigned char *buf, int rcode, const char *qname_wire, size_t qlen, int qtype,
    const unsigned char *answers, size_t alen, int ancount)
{
	size_t n = 0;

	memset(buf, 0, 12);
	buf[2] = 0x81; /* QR, RD */
	buf[3] = (unsigned char)(0x80 | rcode);
	buf[5] = 1;
	buf[7] = (unsigned char)ancount;
	n = 12;
	memcpy(buf + n, qname_wire, qlen);
	n += qlen;
	buf[n++] = 0;
	buf[n++] = (unsigned char)qtype;
	buf[n++] = 0;
	buf[n++] = 1;
	if (alen)
		memcpy(buf + n, answers, alen);
	return n + alen;
}

static const char qname[] = "\7example\4test"; /* + terminating 0 from the literal */

static void mx_answers_with_compression(void **state)
{
	/* Two MX: 10 mx1.example.test (pointer to the question name), 0 "." */
	const unsigned char an[] = {
	    0xc0,
	    12,
	    0,
	    15,
	    0,
	    1,
	    0,
	    0,
	    1,
	    44,
	    0,
	    8,
	    0,
	    10,
	    3,
	    'm',
	    'x',
	    '1',
	    0xc0,
	    12,
	    0xc0,
	    12,
	    0,
	    15,
	    0,
	    1,
	    0,
	    0,
	    1,
	    44,
	    0,
	    3,
	    0,
	    0,
	    0,
	};
	unsigned char pkt[512];
	size_t len = packet(pkt, 0, qname, sizeof(qname), ns_t_mx, an, sizeof(an), 2);
	struct dns_answer a;

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(dns_parse(pkt, len, ns_t_mx, &a), 0);
	assert_int_equal(a.status, DNS_OK);
	assert_int_equal(a.nmx, 2);
	assert_int_equal(a.mx[0].preference, 10);
	assert_string_equal(a.mx[0].host, "mx1.example.test");
	assert_int_equal(a.mx[1].preference, 0);
	assert_string_equal(a.mx[1].host, "."); /* null MX */
	dns_answer_clear(&a);
}

static void addresses_and_cname(void **state)
{
	const unsigned char an[] = {
	    /* example.test CNAME host.example.test */
	    0xc0,
	    12,
	    0,
	    5,
	    0,
	    1,
	    0,
	    0,
	    1,
	    44,
	    0,
	    7,
	    4,
	    'h',
	    'o',
	    's',
	    't',
	    0xc0,
	    12,
	    /* host.example.test A 192.0.2.1 */
	    0xc0,
	    42,
	    0,
	    1,
	    0,
	    1,
	    0,
	    0,
	    1,
	    44,
	    0,
	    4,
	    192,
	    0,
	    2,
	    1,
	    /* a bad A record of 5 bytes: skipped */
	    0xc0,
	    42,
	    0,
	    1,
	    0,
	    1,
	    0,
	    0,
	    1,
	    44,
	    0,
	    5,
	    1,
	    2,
	    3,
	    4,
	    5,
	};
	unsigned char pkt[512];
	size_t len = packet(pkt, 0, qname, sizeof(qname), ns_t_a, an, sizeof(an), 3);
	struct dns_answer a;

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(dns_parse(pkt, len, ns_t_a, &a), 0);
	assert_string_equal(a.cname, "host.example.test");
	assert_int_equal(a.naddrs, 1);
	assert_string_equal(a.addrs[0], "192.0.2.1");
	dns_answer_clear(&a);
}

static void rcode_from_packet(void **state)
{
	unsigned char pkt[512];
	size_t len = packet(pkt, ns_r_nxdomain, qname, sizeof(qname), ns_t_mx, NULL, 0, 0);
	struct dns_answer a;

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(dns_parse(pkt, len, ns_t_mx, &a), 0);
	assert_int_equal(a.status, DNS_NXDOMAIN);
	dns_answer_clear(&a);
	len = packet(pkt, ns_r_servfail, qname, sizeof(qname), ns_t_mx, NULL, 0, 0);
	assert_int_equal(dns_parse(pkt, len, ns_t_mx, &a), 0);
	assert_int_equal(a.status, DNS_SERVFAIL);
	dns_answer_clear(&a);
}

static void hostile_packets(void **state)
{
	/* A compression pointer to itself, a count larger than the data, truncation. */
	const unsigned char loop[] = {0xc0, 29, 0, 15, 0, 1, 0, 0, 1, 44, 0, 4, 0, 10, 0xc0, 43};
	unsigned char pkt[512];
	size_t len = packet(pkt, 0, qname, sizeof(qname), ns_t_mx, loop, sizeof(loop), 1);
	struct dns_answer a;

	(void)state;
	memset(&a, 0, sizeof(a));
	/* Either rejected as a whole or the looping name skipped: never a host. */
	dns_parse(pkt, len, ns_t_mx, &a);
	assert_int_equal(a.nmx, 0);
	dns_answer_clear(&a);
	len = packet(pkt, 0, qname, sizeof(qname), ns_t_mx, loop, 6, 40); /* 40 claimed, 6 bytes */
	assert_int_equal(dns_parse(pkt, len, ns_t_mx, &a), -1);
	dns_answer_clear(&a);
	for (size_t cut = 0; cut < 12; cut++) {
		memset(&a, 0, sizeof(a));
		assert_int_equal(dns_parse(pkt, cut, ns_t_mx, &a), -1);
		dns_answer_clear(&a);
	}
}

static void answer_count_is_bounded(void **state)
{
	/* 100 A records: at most 64 are kept, and the other 36 are counted, not lost. */
	unsigned char an[100 * 16], pkt[2048];
	struct dns_answer a;
	size_t len;

	(void)state;
	for (int i = 0; i < 100; i++) {
		unsigned char rr[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 10, 0, 0,
		    (unsigned char)i};
		memcpy(an + i * 16, rr, 16);
	}
	len = packet(pkt, 0, qname, sizeof(qname), ns_t_a, an, sizeof(an), 100);
	memset(&a, 0, sizeof(a));
	assert_int_equal(dns_parse(pkt, len, ns_t_a, &a), 0);
	assert_int_equal(a.naddrs, 64);
	assert_int_equal(a.dropped, 36);
	dns_answer_clear(&a);
	/* What the engine makes of it: a finding that says so. */
	{
		struct domain *d = calloc(1, sizeof(*d));
		struct mx_host m = {.host = "mx.example.test", .dnssec = -1};

		d->name = strdup("example.test");
		memset(&a, 0, sizeof(a));
		assert_int_equal(dns_parse(pkt, len, ns_t_a, &a), 0);
		target_addr_apply(d, &m, ns_t_a, &a);
		assert_int_equal(m.addrs.n, 64);
		assert_int_equal(d->nfindings, 1);
		assert_int_equal(d->findings[0].code, F_DNS_TRUNCATED);
		assert_non_null(strstr(d->findings[0].message, "36 more A records"));
		strlist_free(&m.addrs);
		dns_answer_clear(&a);
		domain_free(d);
	}
}

static struct probe *mk(const char *addr, enum status st)
{
	struct probe *p = probe_new("mx", addr, 25, TLS_MODE_STARTTLS, &dialect_smtp, "smtp");
	p->status = st;
	return p;
}

static struct domain *dom(void)
{
	struct domain *d = calloc(1, sizeof(*d));
	d->name = strdup("example.test");
	return d;
}

static void add_mx(struct domain *d, const char *host, unsigned pref, struct probe **ps, size_t n)
{
	d->mx = realloc(d->mx, (d->nmx + 1) * sizeof(*d->mx));
	memset(&d->mx[d->nmx], 0, sizeof(d->mx[0]));
	d->mx[d->nmx].host = strdup(host);
	d->mx[d->nmx].preference = pref;
	d->mx[d->nmx].probes = calloc(n, sizeof(*ps));
	memcpy(d->mx[d->nmx].probes, ps, n * sizeof(*ps));
	d->mx[d->nmx].nprobes = n;
	d->nmx++;
}

static void free_dom(struct domain *d)
{
	for (size_t i = 0; i < d->nmx; i++)
		for (size_t j = 0; j < d->mx[i].nprobes; j++)
			probe_free(d->mx[i].probes[j]);
	domain_free(d);
}

static void partial_backup_only(void **state)
{
	struct domain *d = dom();
	struct probe *a[] = {mk("192.0.2.1", STATUS_OK)}, *b[] = {mk("192.0.2.2", STATUS_CRIT)};

	(void)state;
	add_mx(d, "mx1.example.test", 10, a, 1);
	add_mx(d, "backup.example.test", 20, b, 1);
	target_explain_partial(d);
	assert_int_equal(d->nfindings, 1);
	assert_int_equal(d->findings[0].code, F_MX_PARTIAL);
	assert_non_null(
	    strstr(d->findings[0].message, "backup MX backup.example.test (preference 20)"));
	free_dom(d);
}

static void partial_ipv6_only(void **state)
{
	struct domain *d = dom();
	struct probe *a[] = {mk("192.0.2.1", STATUS_OK), mk("2001:db8::1", STATUS_CRIT)};

	(void)state;
	add_mx(d, "mx1.example.test", 10, a, 2);
	target_explain_partial(d);
	assert_int_equal(d->nfindings, 1);
	assert_non_null(strstr(d->findings[0].message, "only IPv6"));
	free_dom(d);
}

static void nothing_partial(void **state)
{
	struct domain *d = dom();
	struct probe *a[] = {mk("192.0.2.1", STATUS_CRIT)}, *b[] = {mk("192.0.2.2", STATUS_CRIT)};
	struct probe *c[] = {mk("192.0.2.3", STATUS_WARN)};

	(void)state;
	add_mx(d, "mx1.example.test", 10, a, 1);
	add_mx(d, "mx2.example.test", 20, b, 1);
	target_explain_partial(d); /* all broken: nothing partial to say */
	assert_int_equal(d->nfindings, 0);
	free_dom(d);
	d = dom();
	add_mx(d, "mx1.example.test", 10, c, 1);
	target_explain_partial(d); /* a warning is not "broken" */
	assert_int_equal(d->nfindings, 0);
	free_dom(d);
}

/* One SRV RR, its owner a pointer to the question: priority, weight, port, target. */
static size_t srv_rr(unsigned char *b, unsigned prio, unsigned weight, unsigned port,
    const char *target_wire, size_t tlen)
{
	size_t n = 0;
	unsigned rdlen = (unsigned)(6 + tlen);

	b[n++] = 0xc0, b[n++] = 12, b[n++] = 0, b[n++] = 33, b[n++] = 0, b[n++] = 1;
	b[n++] = 0, b[n++] = 0, b[n++] = 1, b[n++] = 44;
	b[n++] = (unsigned char)(rdlen >> 8), b[n++] = (unsigned char)rdlen;
	b[n++] = (unsigned char)(prio >> 8), b[n++] = (unsigned char)prio;
	b[n++] = (unsigned char)(weight >> 8), b[n++] = (unsigned char)weight;
	b[n++] = (unsigned char)(port >> 8), b[n++] = (unsigned char)port;
	memcpy(b + n, target_wire, tlen);
	return n + tlen;
}

/* RFC 2782 SRV: priority, weight, port and target read; "." kept as "."; a record whose
 * RDATA is too short for its fixed fields is skipped. */
static void srv_answers(void **state)
{
	unsigned char an[256], pkt[512];
	size_t n = 0, len;
	struct dns_answer a;

	(void)state;
	n += srv_rr(an + n, 10, 5, 587, "\4smtp\7example\4test", 19);
	n += srv_rr(an + n, 0, 0, 0, "", 1);
	/* A truncated RR: rdlen 4, too short for priority, weight and port. */
	memcpy(an + n, "\xc0\x0c\x00\x21\x00\x01\x00\x00\x01\x2c\x00\x04\x00\x01\x00\x02", 16);
	n += 16;
	len = packet(pkt, 0, qname, sizeof(qname), ns_t_srv, an, n, 3);
	memset(&a, 0, sizeof(a));
	assert_int_equal(dns_parse(pkt, len, ns_t_srv, &a), 0);
	assert_int_equal(a.nsrv, 2);
	assert_int_equal(a.srv[0].priority, 10);
	assert_int_equal(a.srv[0].weight, 5);
	assert_int_equal(a.srv[0].port, 587);
	assert_string_equal(a.srv[0].host, "smtp.example.test");
	assert_string_equal(a.srv[1].host, ".");
	dns_answer_clear(&a);
}

static struct domain *dom_with_service(const char *name, uint16_t port)
{
	struct domain *d = calloc(1, sizeof(*d));

	d->name = strdup("example.test");
	d->svc = calloc(1, sizeof(*d->svc));
	d->nsvc = 1;
	d->svc[0].name = name;
	d->svc[0].port = port;
	d->svc[0].owner = strdup("_x._tcp.example.test");
	return d;
}

/* What an SRV answer means (RFC 6186): hosts in priority order, heavier first within one;
 * the service's dialect and mode on each; "." alone: not offered; none: missing. */
static void srv_apply(void **state)
{
	struct dns_srv v[3] = {{20, 0, 993, "b.example.test"}, {10, 1, 9993, "c.example.test"},
	    {10, 7, 993, "a.example.test"}};
	struct dns_answer a = {.status = DNS_OK, .sec = DNSSEC_INSECURE, .srv = v, .nsrv = 3};
	struct domain *d = dom_with_service("imaps", 993);

	(void)state;
	assert_int_equal(target_srv_apply(d, 0, &a), 0);
	assert_int_equal(d->nmx, 3);
	assert_string_equal(d->mx[0].host, "a.example.test"); /* priority 10, weight 7 */
	assert_string_equal(d->mx[1].host, "c.example.test");
	assert_int_equal(d->mx[1].port, 9993); /* the record's port */
	assert_string_equal(d->mx[2].host, "b.example.test");
	assert_ptr_equal(d->mx[0].dialect, &dialect_imap);
	assert_int_equal(d->mx[0].mode, TLS_MODE_IMPLICIT);
	assert_int_equal(d->mx[0].svc, 1);
	assert_string_equal(d->mx[0].service, "imaps");
	assert_int_equal(d->svc[0].state, SVC_FOUND);
	assert_int_equal(d->nfindings, 0);
	d->svc[0].dnssec = DNSSEC_INSECURE;
	target_explain_srv(d); /* unsigned: strict clients check the domain, said once */
	assert_int_equal(d->nfindings, 1);
	assert_int_equal(d->findings[0].code, F_SRV_NAME_INSECURE);
	assert_non_null(strstr(d->findings[0].message, "_x._tcp.example.test is not DNSSEC-signed"));
	d->svc[0].dnssec = DNSSEC_SECURE;
	target_explain_srv(d);
	assert_int_equal(d->nfindings, 1);
	domain_free(d);

	d = dom_with_service("pop3", 110);
	strcpy(v[0].host, ".");
	a.nsrv = 1;
	a.sec = DNSSEC_SECURE;
	assert_int_equal(target_srv_apply(d, 0, &a), 0);
	assert_int_equal(d->nmx, 0);
	assert_int_equal(d->svc[0].state, SVC_NOT_OFFERED);
	assert_int_equal(d->findings[0].code, F_SRV_NOT_OFFERED);
	domain_free(d);

	d = dom_with_service("submission", 587);
	a.nsrv = 0;
	target_srv_apply(d, 0, &a);
	assert_int_equal(d->svc[0].state, SVC_MISSING);
	assert_int_equal(d->findings[0].code, F_SRV_MISSING);
	domain_free(d);

	d = dom_with_service("submission", 587);
	a.status = DNS_SERVFAIL;
	snprintf(a.why, sizeof(a.why), "timeout");
	target_srv_apply(d, 0, &a);
	assert_int_equal(d->svc[0].state, SVC_FAILED);
	assert_int_equal(d->findings[0].code, F_DNS_FAILED);
	domain_free(d);
}

static int has_code(const struct domain *d, enum finding_code c)
{
	for (size_t i = 0; i < d->nfindings; i++)
		if (d->findings[i].code == c)
			return 1;
	return 0;
}

/* The autoconfig file's servers join the services asked for; one host named by the file and
 * the SRV record is one host; a server to use without TLS is said; the rest is counted. */
static void autoconfig_apply(void **state)
{
	struct ac_server sv[3] = {
	    {.proto = AC_IMAP, .host = "imap.example.test", .port = 993, .socket = AC_SOCKET_SSL},
	    {.proto = AC_POP3, .host = "pop.example.test", .port = 995, .socket = AC_SOCKET_SSL},
	    {.proto = AC_SMTP, .host = "smtp.example.test", .port = 587, .socket = AC_SOCKET_PLAIN},
	};
	struct autoconfig_found f = {.url = "https://autoconfig.example.test/mail/config-v1.1.xml",
	    .http_status = 200, .parsed = 1, .cfg = {.servers = sv, .n = 3}};
	struct dns_srv v = {0, 1, 993, "imap.example.test"};
	struct dns_answer a = {.status = DNS_OK, .sec = DNSSEC_INSECURE, .srv = &v, .nsrv = 1};
	struct domain *d = dom_with_service("imaps", 993);

	(void)state;
	d->svc = realloc(d->svc, 2 * sizeof(*d->svc));
	memset(&d->svc[1], 0, sizeof(d->svc[1]));
	d->svc[1].name = "submission";
	d->svc[1].port = 587;
	d->svc[1].owner = strdup("_submission._tcp.example.test");
	d->nsvc = 2;
	assert_int_equal(target_autoconfig_apply(d, &f), 0);
	assert_int_equal(d->nmx, 2); /* pop3s was not asked for */
	assert_string_equal(d->mx[0].host, "imap.example.test");
	assert_true(d->mx[0].from_autoconfig && !d->mx[0].from_srv);
	assert_int_equal(d->mx[1].svc, 2);
	assert_int_equal(d->mx[1].mode, TLS_MODE_STARTTLS);
	assert_true(has_code(d, F_AUTOCONFIG_PLAINTEXT));
	assert_true(has_code(d, F_AUTOCONFIG_OK));
	/* The SRV record names the same host: no second one. */
	assert_int_equal(target_srv_apply(d, 0, &a), 2);
	assert_int_equal(d->nmx, 2);
	assert_true(d->mx[0].from_srv && d->mx[0].from_autoconfig);
	domain_free(d);

	d = dom_with_service("imaps", 993);
	f.parsed = 0;
	f.http_status = 404;
	f.error = "HTTP status 404, not 200";
	target_autoconfig_apply(d, &f);
	assert_true(has_code(d, F_AUTOCONFIG_MISSING));
	domain_free(d);
	d = dom_with_service("imaps", 993);
	f.http_status = 200;
	f.error = "not well-formed";
	target_autoconfig_apply(d, &f);
	assert_true(has_code(d, F_AUTOCONFIG_INVALID));
	assert_int_equal(d->nmx, 0);
	domain_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mx_answers_with_compression),
	    cmocka_unit_test(addresses_and_cname),
	    cmocka_unit_test(rcode_from_packet),
	    cmocka_unit_test(hostile_packets),
	    cmocka_unit_test(answer_count_is_bounded),
	    cmocka_unit_test(partial_backup_only),
	    cmocka_unit_test(partial_ipv6_only),
	    cmocka_unit_test(nothing_partial),
	    cmocka_unit_test(srv_answers),
	    cmocka_unit_test(srv_apply),
	    cmocka_unit_test(autoconfig_apply),
	};
	return cmocka_run_group_tests_name("dns", tests, NULL, NULL);
}
