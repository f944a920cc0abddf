/*
 * cert_fields.c - certificates built field by field from the input and signed for real, so
 * that the nested lengths stay consistent and the verifier gets past parsing: a leaf under
 * an optional intermediate under the trusted root (or self-signed), with input-chosen key,
 * digest, dates, subject CN, subjectAltName entries of any type and any bytes (iPAddress
 * of any length included), key usages, CA flags, name constraints on the intermediate,
 * the order and extras of the chain as sent, the host name checked and a TLSA record.
 *
 * Input: flags(1) key(1) digest(1) before(1) after(1) ku(1) eku(1) nsan(1), then lines:
 * CN, nsan SAN entries (a type byte, then the value up to LF; iPAddress takes a length
 * byte and that many raw bytes), permitted and excluded DNS subtree, host; then a TLSA
 * selector byte.
 */
#include "cert.h"
#include "fuzz.h"

#define NKEYS 6
static EVP_PKEY *keys[NKEYS];
static EVP_PKEY *int_key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cert_env_init();
	int_key = cert_key_ec("P-256");
	keys[0] = cert_key_ec("P-256");
	keys[1] = cert_key_ec("P-384");
	keys[2] = EVP_RSA_gen(1024);
	keys[3] = EVP_RSA_gen(2048);
	keys[4] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	keys[5] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "prime192v1");
	for (int i = 0; i < NKEYS; i++)
		if (keys[i] == NULL)
			keys[i] = cert_key_ec("P-256"); /* a provider without the curve */
	ERR_clear_error();
	return 0;
}

static X509 *cert_new(const char *cn, X509_NAME *issuer, EVP_PKEY *pub, long nb, long na)
{
	X509 *x = X509_new();
	static long serial = 1000;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial);
	cert_set_name(X509_get_subject_name(x), cn);
	X509_set_issuer_name(x, issuer ? issuer : X509_get_subject_name(x));
	X509_gmtime_adj(X509_getm_notBefore(x), nb);
	X509_gmtime_adj(X509_getm_notAfter(x), na);
	X509_set_pubkey(x, pub);
	return x;
}

static void add_bc(X509 *x, int ca)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();

	bc->ca = ca;
	X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, 0);
	BASIC_CONSTRAINTS_free(bc);
}

static void sign(X509 *x, EVP_PKEY *k, unsigned digest)
{
	const EVP_MD *md = (digest & 3) == 1 ? EVP_sha1()
	    : (digest & 3) == 2              ? EVP_sha384()
	                                     : EVP_sha256();
	/* Ed25519 signs without a separate digest. */
	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519)
		md = NULL;
	X509_sign(x, k, md);
	ERR_clear_error();
}

static GENERAL_NAME *san_entry(struct fuzz_in *in)
{
	unsigned type = fuzz_byte(in);
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_STRING *s;
	char v[256];

	switch (type % 5) {
	case 0: { /* iPAddress of any length */
		size_t len;
		const uint8_t *b = fuzz_bytes(in, fuzz_byte(in) % 20, &len);

		s = ASN1_OCTET_STRING_new();
		ASN1_OCTET_STRING_set(s, b, (int)len);
		GENERAL_NAME_set0_value(g, GEN_IPADD, s);
		break;
	}
	case 1:
	case 2: /* dNSName: any bytes, NULs and wildcards included */
		fuzz_line(in, v, sizeof(v));
		s = ASN1_IA5STRING_new();
		ASN1_STRING_set(s, v, type & 0x80 ? (int)strlen(v) + 1 : -1);
		GENERAL_NAME_set0_value(g, GEN_DNS, s);
		break;
	case 3:
		fuzz_line(in, v, sizeof(v));
		s = ASN1_IA5STRING_new();
		ASN1_STRING_set(s, v, -1);
		GENERAL_NAME_set0_value(g, GEN_EMAIL, s);
		break;
	default:
		fuzz_line(in, v, sizeof(v));
		s = ASN1_IA5STRING_new();
		ASN1_STRING_set(s, v, -1);
		GENERAL_NAME_set0_value(g, GEN_URI, s);
		break;
	}
	return g;
}

static void add_constraints(X509 *ca, const char *permit, const char *exclude)
{
	NAME_CONSTRAINTS *nc = NAME_CONSTRAINTS_new();
	const char *which[2] = {permit, exclude};

	for (int i = 0; i < 2; i++) {
		GENERAL_SUBTREE *t;
		ASN1_IA5STRING *s;

		if (which[i][0] == '\0')
			continue;
		t = GENERAL_SUBTREE_new();
		s = ASN1_IA5STRING_new();
		ASN1_STRING_set(s, which[i], -1);
		GENERAL_NAME_set0_value(t->base, GEN_DNS, s);
		if (i == 0) {
			if (nc->permittedSubtrees == NULL)
				nc->permittedSubtrees = sk_GENERAL_SUBTREE_new_null();
			sk_GENERAL_SUBTREE_push(nc->permittedSubtrees, t);
		} else {
			if (nc->excludedSubtrees == NULL)
				nc->excludedSubtrees = sk_GENERAL_SUBTREE_new_null();
			sk_GENERAL_SUBTREE_push(nc->excludedSubtrees, t);
		}
	}
	X509_add1_ext_i2d(ca, NID_name_constraints, nc, 1, 0);
	NAME_CONSTRAINTS_free(nc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned flags = fuzz_byte(&in), key = fuzz_byte(&in) % NKEYS, digest = fuzz_byte(&in);
	long before = ((long)fuzz_byte(&in) - 128) * 86400L;
	long after = ((long)fuzz_byte(&in) - 64) * 86400L * 4;
	unsigned ku = fuzz_byte(&in), eku = fuzz_byte(&in), nsan = fuzz_byte(&in) % 9;
	char cn[256], permit[256], exclude[256], host[256];
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509 *leaf, *inter = NULL, *issuer = cenv.root;
	EVP_PKEY *issuer_key = cenv.root_key;
	unsigned char md[32] = {0};
	struct dns_tlsa tlsa = {3, 1, 1, md, sizeof(md)};
	unsigned sel;

	fuzz_line(&in, cn, sizeof(cn));
	for (unsigned i = 0; i < nsan; i++)
		sk_GENERAL_NAME_push(gens, san_entry(&in));
	fuzz_line(&in, permit, sizeof(permit));
	fuzz_line(&in, exclude, sizeof(exclude));
	fuzz_line(&in, host, sizeof(host));
	sel = fuzz_byte(&in);

	if (flags & 1) { /* an intermediate */
		inter = cert_new("Fuzz Intermediate", X509_get_subject_name(cenv.root), int_key,
		    -86400L * 30, flags & 0x20 ? -86400L : 86400L * 365);
		add_bc(inter, !(flags & 0x10));
		if (permit[0] || exclude[0])
			add_constraints(inter, permit, exclude);
		sign(inter, cenv.root_key, 0);
		issuer = inter;
		issuer_key = int_key;
	}
	leaf = cert_new(cn, flags & 8 ? NULL : X509_get_subject_name(issuer), keys[key], before,
	    before + after);
	if (nsan)
		X509_add1_ext_i2d(leaf, NID_subject_alt_name, gens, 0, 0);
	if (ku & 1) {
		ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();

		for (int b = 0; b < 7; b++)
			ASN1_BIT_STRING_set_bit(bits, b, (ku >> (b + 1)) & 1);
		X509_add1_ext_i2d(leaf, NID_key_usage, bits, 1, 0);
		ASN1_BIT_STRING_free(bits);
	}
	if (eku & 1) {
		EXTENDED_KEY_USAGE *e = sk_ASN1_OBJECT_new_null();
		static const int nids[] = {NID_server_auth, NID_client_auth, NID_email_protect,
		    NID_code_sign, NID_anyExtendedKeyUsage};

		for (int b = 0; b < 5; b++)
			if ((eku >> (b + 1)) & 1)
				sk_ASN1_OBJECT_push(e, OBJ_nid2obj(nids[b]));
		X509_add1_ext_i2d(leaf, NID_ext_key_usage, e, 0, 0);
		sk_ASN1_OBJECT_free(e);
	}
	if (flags & 0x40)
		add_bc(leaf, 1);
	sign(leaf, flags & 8 ? keys[key] : issuer_key, digest);
	sk_GENERAL_NAME_pop_free(gens, GENERAL_NAME_free);

	sk_X509_push(chain, leaf);
	if (inter && !(flags & 2)) /* flag 2: the intermediate is left out */
		sk_X509_push(chain, inter);
	else
		X509_free(inter);
	if (flags & 4) { /* the root is sent too */
		X509_up_ref(cenv.root);
		sk_X509_push(chain, cenv.root);
	}
	if ((flags & 0x80) && sk_X509_num(chain) > 1) { /* out of order */
		X509 *x = sk_X509_shift(chain);
		sk_X509_push(chain, x);
	}
	if (sel & 1) { /* a DANE record: EE or TA, matching or not */
		X509 *t = (sel & 2) ? (inter ? inter : cenv.root) : leaf;
		unsigned char *spki = NULL;
		unsigned mdlen = 0;
		int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(t), &spki);

		tlsa.usage = (sel & 2) ? 2 : 3;
		if (n > 0)
			EVP_Digest(spki, (size_t)n, md, &mdlen, EVP_sha256(), NULL);
		if (sel & 4)
			md[0] ^= 1;
		if (sel & 8)
			tlsa.usage = (uint8_t)(sel >> 4) % 5;
		OPENSSL_free(spki);
	}
	cert_judge(chain, host, sel & 1 ? &tlsa : NULL);
	return 0;
}
