/*
 * autoconfig.c - a Thunderbird autoconfig file exactly as an HTTPS server sent it (raw bytes
 * of exact length, never NUL-terminated) through autoconfig_parse for a fixed domain, then
 * freed. Asserts: the result is 0 or -1; why is terminated and printable; a refused file
 * has no servers and no counts; every kept server is a lower-case name without a trailing
 * dot, a port 1-65535 and terminated strings; a second parse gives the same result.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "mailpolicy/autoconfig.h"

static void check(const struct ac_config *c, int rc)
{
	size_t wn = strnlen(c->why, sizeof(c->why));

	if (rc != 0 && rc != -1)
		abort();
	if (wn == sizeof(c->why))
		abort();
	for (size_t i = 0; i < wn; i++)
		if (c->why[i] < 0x20 || c->why[i] > 0x7e)
			abort();
	if (rc != 0) {
		if (c->servers != NULL || c->n || c->dropped || c->skipped || c->invalid || wn == 0)
			abort();
		return;
	}
	if (c->n > AC_SERVERS_MAX || (c->n == 0) != (c->servers == NULL))
		abort();
	if ((c->invalid == 0) != (wn == 0) || (c->dropped && c->n != AC_SERVERS_MAX))
		abort();
	for (size_t i = 0; i < c->n; i++) {
		const struct ac_server *s = &c->servers[i];
		size_t hn = strnlen(s->host, sizeof(s->host));

		if (hn == 0 || hn == sizeof(s->host) || s->host[hn - 1] == '.')
			abort();
		for (size_t j = 0; j < hn; j++)
			if ((s->host[j] >= 'A' && s->host[j] <= 'Z') || s->host[j] == '%')
				abort();
		if (s->port < 1 || s->port > 65535 || s->proto > AC_POP3 ||
		    s->socket > AC_SOCKET_SSL)
			abort();
		if (strnlen(s->auth, sizeof(s->auth)) == sizeof(s->auth))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: any read past size is a heap overflow ASan sees. */
	char *buf = malloc(size ? size : 1);
	struct ac_config a, b;
	int ra, rb;

	memcpy(buf, data, size);
	ra = autoconfig_parse(buf, size, "example.org", &a);
	check(&a, ra);
	rb = autoconfig_parse(buf, size, "example.org", &b);
	if (ra != rb || a.n != b.n || a.dropped != b.dropped || a.skipped != b.skipped ||
	    a.invalid != b.invalid || strcmp(a.why, b.why) != 0 ||
	    (a.n && memcmp(a.servers, b.servers, a.n * sizeof(*a.servers)) != 0))
		abort();
	autoconfig_free(&a);
	autoconfig_free(&b);
	free(buf);
	return 0;
}
