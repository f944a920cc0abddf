/*
 * addr.h - the syntax of addresses and host names, and socket addresses from text. No
 * lookups: the resolver is net/dns.h.
 */
#ifndef MAILTLS_ADDR_H
#define MAILTLS_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* s is a numeric IPv4 or IPv6 address. */
int addr_is_ip(const char *s);
/* s is a domain name (RFC 1035 2.3.1 letters, digits, hyphens, and '_' as found in the
 * wild; dot-separated, 1-253 characters, labels 1-63, one trailing dot allowed); else 0
 * with *why set. */
int addr_domain_syntax(const char *s, const char **why);
/* s holds no byte beyond ASCII: as a name, it needs no IDNA. */
int addr_is_ascii(const char *s);
/*
 * A name in UTF-8 as DNS knows it, its labels in other scripts as A-labels ("bücher.de":
 * "xn--bcher-kva.de"): IDNA2008 with UTS #46 non-transitional mapping, as browsers and
 * idn2(1) do ("faß.de" stays ß). 0, or -1 with why (libidn2's words).
 */
int addr_to_ascii(const char *name, char *out, size_t outlen, char *why, size_t whylen);
/* A name holding A-labels as people read it: 1 with out; 0 when it holds none, or its
 * Unicode form does not turn back into the same name (then it is shown as it is). */
int addr_to_unicode(const char *name, char *out, size_t outlen);
/* The socket address of a numeric address and port; -1 when s is not one. */
int addr_sockaddr(const char *s, uint16_t port, struct sockaddr_storage *, socklen_t *);

#endif
