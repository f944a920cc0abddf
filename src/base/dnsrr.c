/*
 * dnsrr.c - names for the DNS vocabulary of dnsrr.h.
 */
#include "base/dnsrr.h"

const char *dnssec_name(enum dnssec_state s)
{
	static const char *const names[] = {"unvalidated", "insecure", "secure", "bogus"};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}
