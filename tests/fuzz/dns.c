/*
 * dns.c - a DNS answer packet as the resolver hands it over, parsed for every record type
 * the engine asks for (MX, A, AAAA, TLSA, TXT), then what the engine makes of it: the MX
 * plan of a domain (null MX, implicit MX, literals), each MX host's addresses and aliases,
 * the TLSA RRset's DANE state, the domain's findings and its JSON. The first byte sets the
 * DNSSEC state the resolver claims.
 */
#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/target.h"
#include "fuzz.h"
#include "mailpolicy/records.h"
#include "model/result.h"
#include "model/verdict.h"
#include "net/dns.h"
#include "out/output.h"
#include "pki/dane.h"

static void parse(const uint8_t *pkt, size_t len, int rrtype, enum dnssec_state sec,
    struct dns_answer *a)
{
	memset(a, 0, sizeof(*a));
	if (dns_parse(pkt, len, rrtype, a) < 0)
		a->status = DNS_ERROR;
	a->sec = sec;
	if (a->sec == DNSSEC_BOGUS)
		snprintf(a->why, sizeof(a->why), "signature expired");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	enum dnssec_state sec = (enum dnssec_state)(fuzz_byte(&in) % 4);
	struct dns_answer mx, a4, a6, tlsa, txt, srv;
	struct domain *d = calloc(1, sizeof(*d));
	struct run run = {0};
	struct view_opts vo = {0};

	parse(in.p, in.n, ns_t_mx, sec, &mx);
	parse(in.p, in.n, ns_t_a, sec, &a4);
	parse(in.p, in.n, ns_t_aaaa, sec, &a6);
	parse(in.p, in.n, DNS_T_TLSA, sec, &tlsa);
	parse(in.p, in.n, ns_t_txt, sec, &txt);
	parse(in.p, in.n, ns_t_srv, sec, &srv);
	for (size_t i = 0; i < txt.ntxt; i++)
		if (strlen(txt.txt[i]) != strnlen(txt.txt[i], 70000) ||
		    records_is_kind(txt.txt[i], "v=STSv1") < 0)
			abort();

	d->name = strdup("fuzz.test");
	if (target_mx_apply(d, &mx)) {
		for (size_t i = 0; i < d->nmx; i++) {
			struct mx_host *m = &d->mx[i];

			target_addr_apply(d, m, ns_t_a, &a4);
			target_addr_apply(d, m, ns_t_aaaa, &a6);
		}
		if (d->nmx > 0) {
			d->mx[0].dane = dane_rrset_new(d->mx[0].host, 25);
			target_tlsa_apply(d->mx[0].dane, &tlsa);
		}
		target_explain_partial(d);
	}
	/* The same packet as the SRV answer of a client service (RFC 6186): its hosts join. */
	d->svc = calloc(1, sizeof(*d->svc));
	d->nsvc = 1;
	d->svc[0].name = "imaps";
	d->svc[0].port = 993;
	d->svc[0].owner = strdup("_imaps._tcp.fuzz.test");
	target_srv_apply(d, 0, &srv);
	target_explain_srv(d);
	verdict_domain(d, &(struct verdict_ctx){.warn_days = 30, .crit_days = 7});
	run.domain_mode = 1;
	out_jsonl_domain(fuzz_devnull(), &run, d, &vo);
	domain_free(d);
	dns_answer_clear(&mx);
	dns_answer_clear(&a4);
	dns_answer_clear(&a6);
	dns_answer_clear(&tlsa);
	dns_answer_clear(&txt);
	dns_answer_clear(&srv);
	return 0;
}
