/*
 * modules.h - the exporter's modules (mailtls serve --modules FILE): what kind of server a
 * target is and how it is checked, by name, in the manner of blackbox_exporter's modules.
 * Seven are built in; a file adds more or replaces them.
 */
#ifndef MAILTLS_MODULES_H
#define MAILTLS_MODULES_H

#include <stddef.h>
#include <stdint.h>

#define MODULE_NAME_MAX 64

struct module {
	char name[MODULE_NAME_MAX];
	char protocol[8]; /* smtp, imap, pop3 */
	uint16_t port;
	int implicit_tls; /* TLS at once (465, 993, 995) rather than STARTTLS */
	double timeout_s; /* every wait of its checks; 0: the exporter's */
	int dane;         /* look up TLSA records */
	int mta_sts;      /* MTA-STS and TLS-RPT, for a domain target */
	int dns_records;  /* SPF, DMARC, DKIM, for a domain target */
	int domains;      /* target=DOMAIN allowed: its MX, over this module (smtp only) */
};

struct modules {
	struct module *v;
	size_t n;
};

/* The built-in modules, then those of path (NULL: none). 0, or -1 with err naming the file
 * and the line. */
int modules_load(struct modules *, const char *path, char *err, size_t errlen);
const struct module *modules_find(const struct modules *, const char *name);
void modules_free(struct modules *);

#endif
