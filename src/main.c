/*
 * main.c - command dispatch only.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd/check.h"
#include "model/findings.h"

#define MAILTLS_VERSION "0.1.0"

static void usage(FILE *f)
{
	fputs("usage: mailtls COMMAND [options]\n\n"
	      "mailtls tells whether mail servers present valid, trusted TLS certificates.\n\n"
	      "commands:\n"
	      "  check      check one mail server's TLS: STARTTLS or implicit TLS, the chain,\n"
	      "             the host name, dates, keys, signatures (mailtls check --help)\n"
	      "  findings   list every finding code with its severity and meaning\n\n"
	      "options:\n"
	      "  -h, --help     this help\n"
	      "  -V, --version  print the version\n\n"
	      "exit status: 0 ok, 1 warning, 2 critical, 3 unknown\n"
	      "see mailtls(1) and docs/json.md\n",
	    f);
}

int main(int argc, char **argv)
{
	/* A peer that closes while we write must be a finding, not a killed process. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return STATUS_UNKNOWN;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("mailtls %s\n", MAILTLS_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "check") == 0)
		return check_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "findings") == 0) {
		for (int i = 0; i < F__COUNT; i++)
			printf("%-24s %-5s %s\n", finding_defs[i].name,
			    severity_name(finding_defs[i].sev), finding_defs[i].meaning);
		return 0;
	}
	fprintf(stderr, "mailtls: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return STATUS_UNKNOWN;
}
