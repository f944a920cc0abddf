/*
 * output.h - the views of a run: text for people, JSON for programs, the plugin output for
 * monitoring. Views read the result and decide nothing; the status they print is the one
 * the verdict (model/verdict.c) derived.
 */
#ifndef MAILTLS_OUTPUT_H
#define MAILTLS_OUTPUT_H

#include <stdio.h>

#include "model/result.h"

struct view_opts {
	int color;      /* ANSI colour */
	int show_chain; /* every certificate in full */
	int pem;        /* and its PEM */
	long warn_days; /* thresholds the user gave, shown as perfdata ranges */
	long crit_days;
};

void out_text(FILE *, const struct run *, const struct view_opts *);
void out_json(FILE *, const struct run *, const struct view_opts *);
/* The monitoring-plugins output (--nagios): status line, perfdata, long output. */
void out_nagios(FILE *, const struct run *, const struct view_opts *);
/* A target (a domain d, or --host's probes) as Prometheus metrics (mailtls serve). */
void out_prom(FILE *, const struct run *, const struct domain *d, double seconds);
/* The audit log (check --log): where it goes and what every line says besides the probe. */
struct log_sink {
	int fd;              /* opened O_APPEND */
	int sync;            /* fsync each line (--log-sync) */
	const char *version; /* mailtls's */
	time_t now;          /* when the run started */
	long warn_days, crit_days;
	int at_set;          /* --at: dates judged at another time */
	const char *trust;   /* --ca-file or --ca-path, NULL: the system store */
};
/* One line per probe of d; -1 when a line could not be written whole. */
int out_log_domain(const struct log_sink *, const struct run *, const struct domain *d);
/* One domain as one line of JSON (--jsonl). */
void out_jsonl_domain(FILE *, const struct run *, const struct domain *, const struct view_opts *);

#endif
