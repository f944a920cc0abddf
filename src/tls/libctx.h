/*
 * libctx.h - the OpenSSL library context for handshakes: the default provider's algorithms,
 * with only the public-key decoders a certificate needs (why: libctx.c).
 */
#ifndef MAILTLS_LIBCTX_H
#define MAILTLS_LIBCTX_H

#include <openssl/types.h>

/* Made once, on first use, from the main thread; NULL (the default context) if it cannot be. */
OSSL_LIB_CTX *tls_libctx(void);

#endif
