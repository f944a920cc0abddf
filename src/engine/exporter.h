/*
 * exporter.h - the Prometheus exporter on the loop: libevent's evhttp serves /probe (a
 * target checked by an engine of its own, in the manner of blackbox_exporter), /metrics
 * (the exporter's own counters) and /; results are cached for a while so that a scrape
 * storm or several Prometheus replicas do not hammer a mail server.
 */
#ifndef MAILTLS_EXPORTER_H
#define MAILTLS_EXPORTER_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <event2/event.h>

#include "conf/modules.h"
#include "engine/target.h"

struct exporter_config {
	const struct engine_config *engine; /* the template of every check (port, dialect set
	                                       per target); its emit is the exporter's */
	const struct limits *lim;           /* the waits of a check, before a scrape's timeout */
	double cache_ttl_s;                 /* how long a result is served again */
	size_t max_targets;                 /* checks in flight at once; more get 503 */
	const struct modules *modules;      /* by name, for /probe?module= */
	/* The view that renders a finished target (the command's: out/out_prom.c). */
	void (*render)(FILE *, const struct run *, const struct domain *, double seconds);
};

struct exporter;

/* Listen on addr:port; NULL with err set when that cannot be done. */
struct exporter *exporter_new(struct event_base *, const struct exporter_config *, const char *addr,
    uint16_t port, char *err, size_t errlen);
/* Stop: every waiting scrape is answered 503 now (give the loop a moment to send them),
 * and so is every later one. */
void exporter_stop(struct exporter *);
/* Ends every check in flight and closes the listener. */
void exporter_free(struct exporter *);

#endif
