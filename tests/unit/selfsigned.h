/*
 * selfsigned.h - for the unit tests that run OpenSSL's own server over memory BIOs (hello,
 * scan): a 2048-bit RSA key and a certificate for CN it signs itself, valid for a day.
 */
#ifndef MAILTLS_TEST_SELFSIGNED_H
#define MAILTLS_TEST_SELFSIGNED_H

#include <openssl/evp.h>
#include <openssl/x509.h>

/* 0 with *key and *cert the caller's to free, or -1. */
static int selfsigned(const char *cn, EVP_PKEY **key, X509 **cert)
{
	X509_NAME *name;

	*key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	*cert = X509_new();
	if (*key == NULL || *cert == NULL)
		return -1;
	X509_set_version(*cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(*cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(*cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(*cert), 86400);
	X509_set_pubkey(*cert, *key);
	name = X509_get_subject_name(*cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(*cert, name);
	return X509_sign(*cert, *key, EVP_sha256()) > 0 ? 0 : -1;
}

#endif
