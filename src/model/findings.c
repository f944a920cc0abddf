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

/*
 * The ranking a verdict folds by, worst first: crit, unknown, warn, ok. A critical finding
 * is never hidden behind a server that could not be judged (a monitoring system may not
 * page on UNKNOWN, and monitoring-plugins' max_state_alt also puts CRITICAL first); what
 * could not be judged may be worse than a warning, so unknown comes before warn.
 */
int severity_rank(enum severity s)
{
	static const int rank[] =
	    {[SEV_OK] = 0, [SEV_INFO] = 1, [SEV_WARN] = 2, [SEV_UNKNOWN] = 3, [SEV_CRIT] = 4};

	return rank[s];
}

enum status status_worst(enum status a, enum status b)
{
	static const int rank[] =
	    {[STATUS_OK] = 0, [STATUS_WARN] = 1, [STATUS_UNKNOWN] = 2, [STATUS_CRIT] = 3};

	return rank[a] >= rank[b] ? a : b;
}
