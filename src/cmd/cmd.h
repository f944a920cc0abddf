/*
 * cmd.h - the commands, one file each; main.c dispatches to them. Each takes its argv
 * (argv[0] is the command's name) and returns the exit status: 0 ok, 1 warning,
 * 2 critical, 3 unknown (bad usage, internal error).
 */
#ifndef MAILTLS_CMD_H
#define MAILTLS_CMD_H

int auth_main(int argc, char **argv);
int check_main(int argc, char **argv);
int findings_main(int argc, char **argv);
int serve_main(int argc, char **argv);
int log_main(int argc, char **argv);
int policy_main(int argc, char **argv);
int ping_main(int argc, char **argv);

struct opt;
/* serve's option table (check's shared rows and its own), for the man page's unit test. */
const struct opt *serve_options(void);
/* auth's (check's shared rows and its own), likewise. */
const struct opt *auth_options(void);
const struct opt *ping_options(void);

#endif
