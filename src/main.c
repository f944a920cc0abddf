/*
 * main.c - the command table and dispatch; nothing else.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/version.h"
#include "cmd/cmd.h"

/* clang-format off */
static const struct command {
	const char *name;
	int (*main)(int, char **);
	const char *summary; /* for --help; lines after the first start with a newline */
} commands[] = {
	{"auth", auth_main, "does a login work, over TLS only: SMTP AUTH, IMAP, POP3, SCRAM,\n"
	    "PLAIN, OAuth (mailtls auth --help)"},
	{"check", check_main, "the mail servers of domains (every MX, every address; --all-ports:\n"
	    "submission, IMAP, POP3 too), or one server with --host, or a chain file\n"
	    "before it is deployed (--chain): the chain, names, dates, keys,\n"
	    "revocation, DANE, MTA-STS, TLS-RPT (mailtls check --help)"},
	{"findings", findings_main, "every finding code with its severity and meaning"},
	{"log", log_main, "what audit logs (check --log) say: summary, changes (mailtls log --help)"},
	{"ping", ping_main, "per-phase latency of mail transactions over TLS, like smtpping\n"
	    "(mailtls ping --help)"},
	{"policy", policy_main, "check a policy file before check --policy uses it"},
	{"serve", serve_main, "a Prometheus exporter: /probe?target=DOMAIN, /metrics\n"
	    "(mailtls serve --help)"},
};
/* clang-format on */

static void usage(FILE *f)
{
	fputs("usage: mailtls COMMAND [options]\n\n"
	      "mailtls tells whether mail servers present valid, trusted TLS certificates.\n\n"
	      "commands:\n",
	    f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		fprintf(f, "  %-10s ", commands[i].name);
		for (const char *s = commands[i].summary; *s; s++) {
			fputc(*s, f);
			if (*s == '\n')
				fprintf(f, "  %-10s ", "");
		}
		fputc('\n', f);
	}
	fputs("\noptions:\n"
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
		return 3;
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
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "mailtls: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 3;
}
