/*
 * cert_der.c - certificates as raw DER, the way a server sends them: a flags byte, a host
 * name line, then up to six DER certificates back to back (leaf first), judged and rendered
 * as a captured chain is. With flag 1 a DANE-EE record matching the leaf's key is
 * published, so the DANE verifier runs on whatever parsed.
 */
#include "cert.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cert_env_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned flags = fuzz_byte(&in);
	char host[256];
	STACK_OF(X509) *chain = sk_X509_new_null();
	const unsigned char *p;
	unsigned char md[32];
	unsigned int mdlen = 0;
	struct dns_tlsa tlsa = {3, 1, 1, md, sizeof(md)};

	fuzz_line(&in, host, sizeof(host));
	p = in.p;
	while (sk_X509_num(chain) < 6 && p < in.p + in.n) {
		X509 *x = d2i_X509(NULL, &p, (long)(in.p + in.n - p));

		if (x == NULL)
			break;
		sk_X509_push(chain, x);
	}
	ERR_clear_error();
	if (sk_X509_num(chain) == 0) {
		sk_X509_free(chain);
		return 0;
	}
	if (flags & 1) {
		unsigned char *spki = NULL;
		int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(sk_X509_value(chain, 0)), &spki);

		if (n <= 0 || !EVP_Digest(spki, (size_t)n, md, &mdlen, EVP_sha256(), NULL))
			flags = 0;
		OPENSSL_free(spki);
		ERR_clear_error();
	}
	cert_judge(chain, host, flags & 1 ? &tlsa : NULL);
	return 0;
}
