/*
 * libctx.h - the OpenSSL library context for handshakes: the default provider's algorithms,
 * but those neither TLS nor a certificate needs (what and why: libctx.c).
 */
#ifndef MAILTLS_LIBCTX_H
#define MAILTLS_LIBCTX_H

#include <openssl/types.h>

/* Made once, on first use, from the main thread; NULL (the default context) if it cannot be. */
OSSL_LIB_CTX *tls_libctx(void);

#endif
