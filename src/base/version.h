/*
 * version.h - mailtls's version, for --version, JSON and the audit log.
 */
#ifndef MAILTLS_VERSION_H
#define MAILTLS_VERSION_H

#define MAILTLS_VERSION "0.2.0"

#endif
