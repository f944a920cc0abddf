/*
 * autoconfig.h - the Thunderbird autoconfig file ("clientConfig" XML, version 1.1), as a
 * domain serves it at https://autoconfig.DOMAIN/mail/config-v1.1.xml: which IMAP, POP3 and
 * SMTP servers it tells mail clients to use, on which port, with which kind of TLS. Pure
 * parsing of untrusted bytes: no I/O, every bound in conf/limits.h, nothing dropped unsaid.
 *
 * Format: https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat
 *
 *   <clientConfig version="1.1">
 *     <emailProvider id="example.com">
 *       <incomingServer type="imap">          (or pop3; others such as exchange are skipped)
 *         <hostname>imap.%EMAILDOMAIN%</hostname>
 *         <port>993</port>
 *         <socketType>SSL</socketType>        (plain, STARTTLS or SSL)
 *         <authentication>password-cleartext</authentication>
 *       </incomingServer>
 *       <outgoingServer type="smtp"> ... </outgoingServer>
 *     </emailProvider>
 *   </clientConfig>
 *
 * Servers are listed in order of preference (the wiki's "Multiple servers"), so document
 * order is kept.
 */
#ifndef MAILTLS_AUTOCONFIG_H
#define MAILTLS_AUTOCONFIG_H

#include <stddef.h>

#include "conf/limits.h"
#include "model/published.h" /* struct ac_config: what the file says, for the views */

/*
 * Parse len bytes of an autoconfig file published for domain (the mail domain that
 * %EMAILDOMAIN% stands for). Returns 0 with c filled, or -1 with c->why; either way call
 * autoconfig_free(c) after.
 *
 * The file is refused (-1) when it is larger than AC_FILE_MAX, is not well-formed XML (NUL
 * bytes and bytes that are not in its encoding included: UTF-8 unless its XML declaration or
 * a byte order mark says otherwise), has a DOCTYPE (no DTD, so no entity is ever declared,
 * expanded or fetched), or its root is not <clientConfig>; also when domain is not a domain
 * name.
 *
 * One bad server does not refuse the file: it is counted in c->invalid (first fault in
 * c->why) and the rest are kept, as Thunderbird does (readFromXML skips a server that fails
 * its checks and uses the next). A checker that refused the whole file would hide the good
 * servers it could still probe, and a client would still use them. A file with no usable
 * server parses with n 0; what that means is for the caller to judge.
 */
int autoconfig_parse(const char *buf, size_t len, const char *domain, struct ac_config *c);

/* Frees c->servers and empties c; c itself is the caller's. NULL is fine. */
void autoconfig_free(struct ac_config *c);

/* "imap", "pop3", "smtp" and "plain", "STARTTLS", "SSL" (as the file spells them). */
const char *autoconfig_proto_name(enum ac_proto);
const char *autoconfig_socket_name(enum ac_socket);

#endif
