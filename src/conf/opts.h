/*
 * opts.h - command-line options as tables: each command has one table of rows (id, long and
 * short name, value type, default, help), one generic parser built on getopt_long, and one
 * parser per value type, so a number, a duration or a date means the same in every command
 * and every error names the option and the bad value. --help is printed from the table, and
 * a unit test holds the man page's OPTIONS against it in both directions.
 */
#ifndef MAILTLS_OPTS_H
#define MAILTLS_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

enum opt_type {
	OPT_FLAG,     /* no value */
	OPT_STRING,   /* any text (a file name, "-") */
	OPT_WORD,     /* one word of printable ASCII */
	OPT_LABEL,    /* a DNS label: letters, digits, '-', '_', '.', at most 63 */
	OPT_COUNT,    /* 1 .. 100000 */
	OPT_SECONDS,  /* more than 0, at most 86400; fractions allowed */
	OPT_DAYS,     /* 0 .. 36500 */
	OPT_DATE,     /* 2027-01-15, 2027-01-15T10:00:00Z, +30d, -30d, @EPOCH (UTC) */
	OPT_PORT,     /* 1 .. 65535 */
	OPT_IP,       /* a numeric IPv4 or IPv6 address */
	OPT_HOSTPORT, /* HOST[:PORT], [IPv6]:PORT */
	OPT_RESOLVER, /* IP[@PORT] */
	OPT_CHOICE,   /* one of the row's choices, compared without case */
};

struct opt {
	int id;                     /* the command's own enum */
	const char *lname;          /* long name without "--" */
	int sname;                  /* short letter, or 0 */
	enum opt_type type;         /* how the value is parsed */
	const char *metavar;        /* what --help calls the value */
	const char *def;            /* the default as it would be written, parsed like a given value
	                               before the command line (NULL: none); --help shows it */
	const char *help;           /* one line */
	const char *const *choices; /* OPT_CHOICE: NULL-terminated */
};

/* A parsed value; which member is set follows the row's type. */
union opt_value {
	int flag;       /* OPT_FLAG: 1 */
	const char *s;  /* OPT_STRING, OPT_WORD, OPT_LABEL, OPT_IP, OPT_RESOLVER, OPT_CHOICE */
	size_t count;   /* OPT_COUNT */
	double seconds; /* OPT_SECONDS */
	long days;      /* OPT_DAYS */
	time_t date;    /* OPT_DATE */
	uint16_t port;  /* OPT_PORT */
	struct {
		char host[256];
		uint16_t port; /* 0 when none was written */
	} hostport;            /* OPT_HOSTPORT */
};

struct opts_cmd {
	const char *name;        /* "check": in messages, "mailtls check: --port: ..." */
	const struct opt *table; /* ends with a row whose lname is NULL */
	const char *synopsis;    /* printed before the options */
	const char *epilog;      /* printed after them */
	/* Store value v of row o for the command; 0, or -1 with err set. Called for every
	 * default first (given 0), then for every option on the command line in order
	 * (given 1). */
	int (*apply)(void *ctx, const struct opt *o, const union opt_value *v, int given, char *err,
	    size_t errlen);
};

/*
 * Parse argv (argv[0] is the command's name) into ctx. Returns the index of the first
 * operand, 0 when --help was printed, or -1 after printing every error found (each names
 * the option and the value), then a line pointing to --help.
 */
int opts_parse(const struct opts_cmd *, int argc, char **argv, void *ctx);
void opts_usage(const struct opts_cmd *, FILE *);
/* The long name of the row with this id (for messages about combinations). */
const char *opts_name(const struct opts_cmd *, int id);

/* One parser per type; now is what relative dates count from. 0, or -1 with err set. */
int opts_value(const struct opt *, const char *text, time_t now, union opt_value *, char *err,
    size_t errlen);

/* The value parsers on their own (for the unit tests, and where a value is not an option). */
int opts_parse_seconds(const char *, double *, char *err, size_t);
int opts_parse_count(const char *, size_t *, char *err, size_t);
int opts_check_resolver(const char *, char *err, size_t);
int opts_parse_days(const char *, long *, char *err, size_t);
int opts_parse_date(const char *, time_t now, time_t *, char *err, size_t);
int opts_parse_port(const char *, uint16_t *, char *err, size_t);
int opts_parse_hostport(const char *, char *host, size_t hostlen, uint16_t *port, char *err,
    size_t);

#endif
