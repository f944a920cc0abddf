/*
 * addr.c - address and host-name syntax (see addr.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <dlfcn.h>
#include <idn2.h>

#include "base/addr.h"

int addr_is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* ASCII only: <ctype.h> follows the locale, and DNS names are ASCII. */
static int is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int addr_domain_syntax(const char *s, const char **why)
{
	size_t len = strlen(s), label = 0;

	if (len > 0 && s[len - 1] == '.')
		len--; /* the root's: not counted */
	if (len == 0 || len > 253) {
		*why = "a domain name is 1 to 253 characters";
		return 0;
	}
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '.') {
			if (label == 0) { /* "..", a leading dot, or "." alone; "a." is fine */
				*why = "empty label";
				return 0;
			}
			label = 0;
		} else if (is_alnum(c) || c == '-' || c == '_') {
			if (++label > 63) {
				*why = "a label is at most 63 characters";
				return 0;
			}
		} else {
			*why = "not a domain name (letters, digits, '-' and '.' only)";
			return 0;
		}
	}
	return 1;
}

int addr_is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

#define IDNA_FLAGS (IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL)

/*
 * libidn2 is opened with dlopen() the first time a name needs it, as libcurl and libgsasl
 * are (net/https.c, proto/sasl.c): linked in, it and the libunistring it pulls are loaded
 * and relocated at every start, 0.9 M instructions (callgrind, mailtls --version: 6.75 M
 * linked, 5.86 M without) for names most runs never see. Names are converted on the
 * engine's thread only.
 */
#define IDN2_FUNCS(X) X(idn2_free) X(idn2_strerror) X(idn2_to_ascii_8z) X(idn2_to_unicode_8z8z)

static struct {
#define X(f) __typeof__(&f) f;
	IDN2_FUNCS(X)
#undef X
} idn;

/* Open libidn2 and find what we call; 0, or -1 with err set. */
static int idna_load(char *err, size_t errlen)
{
	static void *lib;

	if (lib)
		return 0;
	lib = dlopen("libidn2.so.0", RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		snprintf(err, errlen, "cannot load libidn2 for names in other scripts: %s",
		    dlerror());
		return -1;
	}
#define X(f)                                                                                       \
	if ((*(void **)&idn.f = dlsym(lib, #f)) == NULL) {                                         \
		snprintf(err, errlen, "libidn2 lacks " #f);                                        \
		dlclose(lib);                                                                      \
		lib = NULL;                                                                        \
		return -1;                                                                         \
	}
	IDN2_FUNCS(X)
#undef X
	return 0;
}

int addr_to_ascii(const char *name, char *out, size_t outlen, char *why, size_t whylen)
{
	char *a = NULL;
	int rc;

	if (idna_load(why, whylen) != 0)
		return -1;
	if ((rc = idn.idn2_to_ascii_8z(name, &a, IDNA_FLAGS)) != IDN2_OK) {
		snprintf(why, whylen, "not a domain name in any script (IDNA: %s)",
		    idn.idn2_strerror(rc));
		return -1;
	}
	if (strlen(a) >= outlen) {
		snprintf(why, whylen, "a domain name is 1 to 253 characters");
		idn.idn2_free(a);
		return -1;
	}
	/* Without STD3 rules (which would refuse the '_' of names in the wild), IDNA passes
	 * ASCII through as it is: a control character too. */
	for (const char *p = a; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) {
			snprintf(why, whylen,
			    "not a domain name (letters, digits, '-' and '.' only)");
			idn.idn2_free(a);
			return -1;
		}
	snprintf(out, outlen, "%s", a);
	idn.idn2_free(a);
	return 0;
}

/* "xn--" (any case) opens a label of s. */
static int has_alabel(const char *s)
{
	for (const char *p = s;; p++) {
		if (strncasecmp(p, "xn--", 4) == 0)
			return 1;
		if ((p = strchr(p, '.')) == NULL)
			return 0;
	}
}

int addr_to_unicode(const char *name, char *out, size_t outlen)
{
	char lower[256], err[160], *u = NULL, *back = NULL;
	size_t i;
	int ok;

	/* Every domain a view shows comes here: most hold no A-label, and cost one scan. */
	if (!has_alabel(name))
		return 0;
	/* Punycode keeps the case of the ASCII it carries: "XN--BCHER-KVA" is "BüCHER". */
	for (i = 0; name[i] && i < sizeof(lower) - 1; i++)
		lower[i] = name[i] >= 'A' && name[i] <= 'Z' ? (char)(name[i] - 'A' + 'a') : name[i];
	lower[i] = '\0';
	if (name[i] || idna_load(err, sizeof(err)) != 0 ||
	    idn.idn2_to_unicode_8z8z(lower, &u, 0) != IDN2_OK)
		return 0; /* without libidn2, the name is shown as DNS knows it */
	/* Punycode decodes whatever it is given; only a valid name encodes back to itself. */
	ok = idn.idn2_to_ascii_8z(u, &back, IDNA_FLAGS) == IDN2_OK && strcmp(back, lower) == 0 &&
	    strlen(u) < outlen;
	if (ok)
		snprintf(out, outlen, "%s", u);
	idn.idn2_free(u);
	idn.idn2_free(back);
	return ok;
}

int addr_sockaddr(const char *s, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}
