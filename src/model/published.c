/*
 * published.c - freeing what a domain was found to publish.
 */
#include <stdlib.h>

#include "model/published.h"

static void txt_set_free(struct txt_set *s)
{
	strlist_free(&s->recs);
}

void autoconfig_found_free(struct autoconfig_found *f)
{
	if (f == NULL)
		return;
	free(f->error);
	free(f->cfg.servers);
	free(f);
}

void policy_free(struct domain_policy *pol)
{
	if (pol == NULL)
		return;
	txt_set_free(&pol->sts_txt);
	txt_set_free(&pol->tlsrpt_txt);
	txt_set_free(&pol->spf_txt);
	txt_set_free(&pol->dmarc_txt);
	for (size_t i = 0; i < pol->ndkim; i++) {
		free(pol->dkim[i].selector);
		txt_set_free(&pol->dkim[i].txt);
	}
	free(pol->dkim);
	free(pol->sts_fetch_error);
	free(pol->sts_body);
	free(pol->sts_policy);
	free(pol);
}
