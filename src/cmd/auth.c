/*
 * auth.c - the auth command: does a login work, over TLS only? One session to one address
 * of --host (check's connection and trust rows), the credential read from a file, the
 * environment or a no-echo prompt (never argv), and the login only once TLS is up and the
 * certificate verified (proto/session.c asks gate() first). The result is a probe like
 * check's, with AUTH_* findings; the credential is wiped before anything is printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/addr.h"
#include "base/util.h"
#include "cmd/checker.h"
#include "cmd/cmd.h"
#include "conf/cred.h"
#include "model/verdict.h"
#include "out/output.h"
#include "proto/auth.h"
#include "proto/dialect.h"
#include "proto/session.h"

enum { A_USER = O__COUNT, A_PASSWORD_FILE, A_TOKEN_FILE, A_MECH, A_INSECURE_LOGIN };

struct auth_opts {
	struct check_opts c;
	const char *user;
	const char *password_file;
	const char *token_file;
	const char *mech;
	int insecure_login;
};

/* check's rows that mean the same for one login: where, how, whom to trust, how long. */
static const int shared[] = {O_ADDRESS, O_CA_FILE, O_CA_PATH, O_CONNECT_TIMEOUT, O_EHLO,
    O_GREETING_TIMEOUT, O_HELP, O_HOST, O_IPV4, O_IPV6, O_JSON, O_PORT, O_PROTOCOL,
    O_REPLY_TIMEOUT, O_STARTTLS, O_TIMEOUT, O_TLS, O_TLS_TIMEOUT, O_VERBOSE};

/* clang-format off */
static const struct opt auth_own[] = {
	{A_INSECURE_LOGIN, "insecure-login", 0, OPT_FLAG, NULL, NULL, "log in even when the certificate does not verify (the credential may go to an impostor)", NULL},
	{A_MECH, "mech", 'm', OPT_WORD, "NAME", NULL, "PLAIN, LOGIN, SCRAM-SHA-1, SCRAM-SHA-256 (-PLUS), XOAUTH2, OAUTHBEARER; IMAP LOGIN, POP3 USER (default: the strongest offered over TLS)", NULL},
	{A_PASSWORD_FILE, "password-file", 0, OPT_STRING, "FILE", NULL, "read the password from FILE's first line (mode 0600 or stricter); else MAILTLS_PASSWORD, else a prompt", NULL},
	{A_TOKEN_FILE, "token-file", 0, OPT_STRING, "FILE", NULL, "read an OAuth 2.0 bearer token from FILE instead (XOAUTH2, OAUTHBEARER)", NULL},
	{A_USER, "user", 'u', OPT_WORD, "NAME", NULL, "the login name", NULL},
};
/* clang-format on */

static struct opt auth_table[sizeof(shared) / sizeof(shared[0]) +
                             sizeof(auth_own) / sizeof(auth_own[0]) + 1];

static int auth_apply(void *ctx, const struct opt *t, const union opt_value *v, int given,
    char *err, size_t errlen)
{
	struct auth_opts *o = ctx;

	switch (t->id) {
	case A_USER:
		o->user = v->s;
		return 0;
	case A_PASSWORD_FILE:
		o->password_file = v->s;
		return 0;
	case A_TOKEN_FILE:
		o->token_file = v->s;
		return 0;
	case A_MECH:
		o->mech = v->s;
		return 0;
	case A_INSECURE_LOGIN:
		o->insecure_login = 1;
		return 0;
	default:
		return check_opts_apply(&o->c, t, v, given, err, errlen);
	}
}

/* clang-format off */
const struct opts_cmd auth_cmd = {
	"auth", auth_table,
	"usage: mailtls auth --host HOST[:PORT] --user NAME [--password-file FILE] [options]\n\n"
	"Does a login work? Connects to HOST (SMTP submission 587/465, IMAP 143/993, POP3\n"
	"110/995, by port or --protocol), starts TLS, verifies the certificate as check does,\n"
	"and only then logs in with the strongest mechanism the server offers over TLS (or\n"
	"--mech): SCRAM, PLAIN, LOGIN, XOAUTH2/OAUTHBEARER with --token-file, IMAP LOGIN,\n"
	"POP3 USER/PASS. No credential is ever sent before TLS, nor to a server whose\n"
	"certificate does not verify (unless --insecure-login). The password comes from\n"
	"--password-file, the environment variable MAILTLS_PASSWORD, or a prompt without\n"
	"echo; never from the command line, which every user of the machine can read.\n",
	"\nexit status: 0 logged in, 2 refused or not attempted, 3 bad usage or no credential\n\n"
	"examples:\n"
	"  mailtls auth --host mail.example.org:587 --user alice --password-file ~/.mailpw\n"
	"  MAILTLS_PASSWORD=... mailtls auth --host imap.example.org:993 --user alice --json\n"
	"  mailtls auth --host smtp.office365.com:587 --user a@example.org --token-file tok\n",
	auth_apply,
};
/* clang-format on */

static void auth_table_build(void)
{
	check_opts_compose(auth_table, shared, sizeof(shared) / sizeof(shared[0]), auth_own,
	    sizeof(auth_own) / sizeof(auth_own[0]));
}

const struct opt *auth_options(void)
{
	auth_table_build();
	return auth_table;
}

struct auth_run {
	struct checker *k;
	int insecure_login;
	int verified; /* gate() ran verify_probe */
	int done;
};

/* TLS is up: verify as check does; log in only over a certificate that holds. */
static int gate(struct probe *p, void *arg, char *why, size_t whylen)
{
	struct auth_run *ar = arg;
	const struct verify_facts *f = &p->facts;

	verify_probe(p, &ar->k->vp);
	ar->verified = 1;
	if (f->trusted && f->dates_ok && f->name_matched)
		return 1;
	snprintf(why, whylen, "the certificate does not verify for %s (%s%s%s%s%s)%s", p->host,
	    f->trusted ? "" : "no path to a trusted root",
	    !f->trusted && (!f->dates_ok || !f->name_matched) ? ", " : "",
	    f->dates_ok ? "" : "out of date", !f->dates_ok && !f->name_matched ? ", " : "",
	    f->name_matched ? "" : "not issued for this name",
	    ar->insecure_login ? "" : "; --insecure-login to log in anyway");
	if (ar->insecure_login) {
		/* The certificate's findings stay, crit: the login's outcome does not hide them. */
		fprintf(stderr, "mailtls auth: --insecure-login: %s; logging in anyway\n", why);
		return 1;
	}
	return 0;
}

static void on_done(struct probe *p, void *arg)
{
	struct auth_run *ar = arg;

	(void)p;
	ar->done = 1;
}

static int auth_parse(int argc, char **argv, struct auth_opts *o)
{
	const struct limits lim = LIMITS_DEFAULT;
	int first, errors = 0;

	auth_table_build();
	memset(o, 0, sizeof(*o));
	o->c.mode = -1;
	o->c.lim = lim;
	o->c.at = time(NULL);
	first = opts_parse(&auth_cmd, argc, argv, o);
	if (first <= 0)
		return first == 0 ? 1 : -1;
	if (first < argc) {
		/* Most likely a password typed as an operand: never echo it back. */
		fprintf(stderr, "mailtls auth: takes no operands (%d given); the password comes from "
		                "--password-file, MAILTLS_PASSWORD or the prompt\n",
		    argc - first);
		errors++;
	}
	if (o->c.host == NULL) {
		fprintf(stderr, "mailtls auth: name the server with --host HOST[:PORT]\n");
		errors++;
	}
	if (o->user == NULL) {
		fprintf(stderr, "mailtls auth: name the login with --user NAME\n");
		errors++;
	}
	if (o->password_file && o->token_file) {
		fprintf(stderr, "mailtls auth: --password-file and --token-file exclude each other\n");
		errors++;
	}
	if (errors) {
		fprintf(stderr, "Try 'mailtls auth --help'.\n");
		return -1;
	}
	check_opts_waits(&o->c);
	return 0;
}

int auth_main(int argc, char **argv)
{
	struct auth_opts o;
	struct checker k;
	struct cred cred;
	struct auth_params ap;
	struct session_params sp;
	struct auth_run ar;
	struct run run;
	struct view_opts vo;
	struct session *sess = NULL;
	struct event_base *base = NULL;
	struct probe *p = NULL;
	const struct dialect *d;
	char addr[64], err[300];
	int rc;

	memset(&k, 0, sizeof(k));
	memset(&cred, 0, sizeof(cred));
	if ((rc = auth_parse(argc, argv, &o)) != 0)
		return rc > 0 ? 0 : STATUS_UNKNOWN;
	/* The credential first: a refusal costs no connection. */
	if (cred_load(&cred, o.user, o.password_file, o.token_file, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "mailtls auth: %s\n", err);
		cred_wipe(&cred);
		return STATUS_UNKNOWN;
	}
	rc = STATUS_UNKNOWN;
	if (checker_address(&o.c, addr, sizeof(addr), "auth") != 0)
		goto out;
	if ((base = event_base_new()) == NULL)
		fatal("cannot create event loop");
	if (checker_init(&k, &o.c, base, 0, 0, "auth") != 0)
		goto out;
	d = k.ec.dialect;
	p = probe_new(o.c.host, addr, k.ec.port, k.ec.mode, d, d->name);
	{
		const struct mail_service *ms = mail_service_by_port(k.ec.port);
		if (ms && ms->dialect == d && ms->mode == k.ec.mode)
			p->service = ms->name;
	}
	memset(&ar, 0, sizeof(ar));
	ar.k = &k;
	ar.insecure_login = o.insecure_login;
	ap.cred = &cred;
	ap.mech = o.mech;
	ap.gate = gate;
	ap.arg = &ar;
	sp = k.sp;
	sp.auth = &ap;
	session_start(base, &sp, p, &sess, on_done, &ar);
	event_base_dispatch(base);
	cred_wipe(&cred); /* before anything is printed */
	if (!ar.verified)
		verify_probe(p, &k.vp);
	if (!probe_has(p, F_AUTH_SUCCEEDED) && !probe_has(p, F_AUTH_FAILED) &&
	    !probe_has(p, F_AUTH_NOT_ATTEMPTED) && !probe_has(p, F_AUTH_NO_MECHANISM))
		probe_add(p, F_AUTH_NOT_ATTEMPTED, -1,
		    "no credential was sent: the session ended before TLS was up and verified");
	verdict_probe(p, &k.vc);
	memset(&run, 0, sizeof(run));
	memset(&vo, 0, sizeof(vo));
	run.at = o.c.at;
	run_add(&run, p);
	verdict_run_add(&run, p->status);
	vo.color = !o.c.json && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	vo.warn_days = o.c.warn_days;
	vo.crit_days = o.c.crit_days;
	if (o.c.json)
		out_json(stdout, &run, &vo);
	else
		out_text(stdout, &run, &vo);
	fflush(stdout);
	rc = run.status;
	run_free(&run);
out:
	cred_wipe(&cred);
	session_abort(sess);
	probe_free(p);
	checker_free(&k);
	if (base)
		event_base_free(base);
	return rc;
}
