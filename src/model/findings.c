/*
 * findings.c - the finding table and the fold from severities to a status.
 * Views print these; they never decide a status themselves.
 */
#include <string.h>

#include "model/findings.h"

const struct finding_def finding_defs[F__COUNT] = {
#define X(code, sev, meaning) [F_##code] = {#code, SEV_##sev, meaning},
    FINDING_TABLE(X)
#undef X
};

int finding_code_by_name(const char *name)
{
	for (int i = 0; i < F__COUNT; i++)
		if (strcmp(finding_defs[i].name, name) == 0)
			return i;
	return -1;
}

const char *severity_name(enum severity s)
{
	static const char *const names[] = {"ok", "info", "warn", "crit", "unknown"};
	return names[s];
}

const char *status_name(enum status s)
{
	static const char *const names[] = {"ok", "warn", "crit", "unknown"};
	return names[s];
}

enum status status_of(enum severity s)
{
	switch (s) {
	case SEV_WARN:
		return STATUS_WARN;
	case SEV_CRIT:
		return STATUS_CRIT;
	case SEV_UNKNOWN:
		return STATUS_UNKNOWN;
	default:
		return STATUS_OK;
	}
}

/* unknown outranks crit: a run that could not decide must not read as a verdict. */
enum status status_worst(enum status a, enum status b)
{
	return a > b ? a : b;
}
