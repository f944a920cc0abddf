/*
 * findings.c - the findings command: every finding code with its default severity and
 * meaning, one a line, from the one table (model/findings.h).
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "model/findings.h"

int findings_main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		puts("usage: mailtls findings\n\nEvery finding code, its default severity and "
		     "what it means.");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "mailtls findings: takes no arguments (\"%s\")\n", argv[1]);
		return STATUS_UNKNOWN;
	}
	for (int i = 0; i < F__COUNT; i++)
		printf("%-24s %-5s %s\n", finding_defs[i].name, severity_name(finding_defs[i].sev),
		    finding_defs[i].meaning);
	return 0;
}
