/*
 * opts.h - the option table of the check command, and the one parser per kind of value.
 * The table drives parsing, --help and the man page's option list (a test keeps them equal).
 */
#ifndef MAILTLS_OPTS_H
#define MAILTLS_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

enum opt_arg { OPT_FLAG, OPT_VALUE };

struct opt {
	const char *lname; /* long name without "--" */
	int sname;         /* short letter, or 0 */
	enum opt_arg arg;
	const char *metavar;
	const char *help;
};

extern const struct opt check_opts_table[];

#define OPTS_RESOLVERS_MAX 8
#define OPTS_DKIM_MAX 16

struct check_opts {
	const char *host;    /* --host, without the port */
	uint16_t port;       /* 0: the protocol's default */
	const char *address; /* --address */
	int mode;            /* -1 by port, else enum tls_mode */
	const char *ca_file;
	const char *ca_path;
	time_t at;
	int at_set;
	long warn_days;
	long crit_days;
	double timeout;
	int family; /* 0, 4 or 6 */
	const char *ehlo;
	const char *protocol; /* --protocol, or NULL: by port */
	int json;
	int jsonl;
	const char *file; /* -f */
	char **domains;   /* positional */
	size_t ndomains;
	const char *resolvers[OPTS_RESOLVERS_MAX + 1];
	size_t nresolvers;
	const char *trust_anchor;
	const char *dkim[OPTS_DKIM_MAX + 1];
	size_t ndkim;
	int no_dane, no_mta_sts, no_dns_records;
	size_t concurrency;
	size_t per_host;
	int show_chain;
	int verbose;
	int pem;
	char hostbuf[256];
};

/* Parse argv (argv[0] is the command name). Returns 0, 1 for --help printed, or -1 after
 * printing every error found. */
int opts_parse_check(int argc, char **argv, struct check_opts *);
void opts_usage_check(FILE *);

/* Value parsers: 0 on success, -1 with a message in err naming what is wrong. */
int opts_parse_seconds(const char *, double *, char *err, size_t);
int opts_parse_count(const char *, size_t *, char *err, size_t);
int opts_check_resolver(const char *, char *err, size_t);
int opts_parse_days(const char *, long *, char *err, size_t);
int opts_parse_date(const char *, time_t now, time_t *, char *err, size_t);
int opts_parse_port(const char *, uint16_t *, char *err, size_t);
int opts_parse_hostport(const char *, char *host, size_t hostlen, uint16_t *port, char *err,
    size_t);

#endif
