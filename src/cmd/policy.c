/*
 * policy.c - the policy command: mailtls policy check FILE... says whether each policy file
 * is one check --policy would take, with the line of every error, before it is deployed.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "conf/policy.h"
#include "model/findings.h"

static int code_known(const char *name)
{
	return finding_code_by_name(name) >= 0;
}

int policy_main(int argc, char **argv)
{
	int rc = 0;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		puts(
		    "usage: mailtls policy check FILE...\n\n"
		    "Read each policy file as check --policy would, and say what is wrong with "
		    "it,\n"
		    "line by line, or how many rules it holds. The format is in docs/policy.md.\n\n"
		    "exit status: 0 every file is good, 3 one is not");
		return 0;
	}
	if (argc < 3 || strcmp(argv[1], "check") != 0) {
		fprintf(stderr, "usage: mailtls policy check FILE...\n");
		return 3;
	}
	for (int i = 2; i < argc; i++) {
		struct org_policy op;
		char err[400];

		if (org_policy_load(&op, argv[i], code_known, err, sizeof(err)) != 0) {
			fprintf(stderr, "mailtls policy: %s\n", err);
			rc = 3;
			continue;
		}
		printf("%s: %zu rule%s, ok\n", argv[i], op.nrules, op.nrules == 1 ? "" : "s");
		for (size_t r = 0; r < op.nrules; r++)
			printf("  line %d: %s\n", op.rules[r].line, op.rules[r].match);
		org_policy_free(&op);
	}
	return rc;
}
