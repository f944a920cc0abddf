/*
 * addr.c - address and host-name syntax (see addr.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

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
