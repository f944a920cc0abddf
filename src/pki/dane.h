/*
 * dane.h - DANE for SMTP (RFC 7672): the TLSA RRset of an MX host, judged against the chain
 * a probe captured, by OpenSSL's own DANE verifier.
 */
#ifndef MAILTLS_DANE_H
#define MAILTLS_DANE_H

#include <openssl/ssl.h>

#include "model/result.h"
#include "model/tlsa.h"
#include "pki/verify.h"

/* Judge p's chain against its host's TLSA RRset; adds DANE_* findings, and when a record
 * matches, marks the PKIX findings that DANE makes irrelevant for mail. */
void dane_judge(struct probe *, const struct verify_params *);

#endif
