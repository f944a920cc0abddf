/*
 * addr.h - the syntax of addresses and host names, and socket addresses from text. No
 * lookups: the resolver is net/dns.h.
 */
#ifndef MAILTLS_ADDR_H
#define MAILTLS_ADDR_H

#include <stdint.h>
#include <sys/socket.h>

/* s is a numeric IPv4 or IPv6 address. */
int addr_is_ip(const char *s);
/* s is a domain name (RFC 1035 2.3.1 letters, digits, hyphens, and '_' as found in the
 * wild; dot-separated, 1-253 characters, labels 1-63, one trailing dot allowed); else 0
 * with *why set. */
int addr_domain_syntax(const char *s, const char **why);
/* The socket address of a numeric address and port; -1 when s is not one. */
int addr_sockaddr(const char *s, uint16_t port, struct sockaddr_storage *, socklen_t *);

#endif
