/*
 * check.h - the check command: options in, probes run on one event loop, a view out.
 */
#ifndef MAILTLS_CHECK_H
#define MAILTLS_CHECK_H

int check_main(int argc, char **argv);

#endif
