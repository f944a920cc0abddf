/*
 * autoconfig.c - the Thunderbird autoconfig file (clientConfig XML 1.1) to the IMAP, POP3 and
 * SMTP servers it names. Parses untrusted bytes only: it never opens, fetches or resolves
 * anything, and never lets the file declare or expand an entity.
 *
 * The XML library is expat (libexpat1-dev), not libxml2, because:
 * - expat has no I/O of its own. An external entity is handed to a callback, and this file
 *   sets none, so nothing the file names (SYSTEM "file:///etc/passwd", an http: DTD) is ever
 *   read. libxml2 has file and network loaders built in, and is safe only while every call
 *   passes the right XML_PARSE_* flags (no NOENT, no DTDLOAD, NONET).
 * - expat reports a DOCTYPE as soon as it has read the name, before any declaration in it.
 *   Stopping there means no entity is ever declared, so billion laughs and XXE cannot start.
 *   Behind that, parameter entities are off and expat (2.4 and later) bounds entity
 *   amplification itself.
 * - It streams (SAX): no tree is built, and memory follows the input, at most AC_FILE_MAX
 *   bytes, given to one XML_Parse call. With the whole input in one call, the cost of
 *   reparsing large tokens fed in pieces (CVE-2023-52425) does not arise.
 * - No global state to set up or tear down (libxml2's xmlInitParser and xmlCleanupParser),
 *   so the parser stays a pure function and the fuzz target has nothing left over.
 * - A small API: a parser, four callbacks, one error code.
 *
 * Decisions the format leaves open (the unit tests pin each one):
 * - A bad server is counted in invalid and skipped, with the first fault kept in why; the
 *   file still parses (see autoconfig.h). What is refused whole is what makes the file as
 *   a whole untrustworthy: not XML, a DTD, the wrong root, too large.
 * - <hostname>, <port> and <socketType> at most once per server. Thunderbird takes the first
 *   socketType it knows and other readers take the last, so a second one is a fault, not a
 *   guess. <authentication> is a list in order of preference: the first is kept.
 * - Types and socketType values are case-sensitive, as in Thunderbird: "IMAP" or "ssl" is a
 *   fault, named as such. Types other than imap, pop3 and smtp (exchange, jmap, ...) are not
 *   faults: they are counted in skipped.
 * - Text is trimmed of XML whitespace; "0993" is port 993 (Thunderbird reads it so).
 * - Servers are read from every <emailProvider> under the root; a server element anywhere
 *   else is no part of the format, and clients never read it: it is counted invalid.
 * - Encodings: UTF-8, or what the XML declaration or a byte order mark says (expat knows
 *   UTF-8, UTF-16, ISO-8859-1 and US-ASCII). Bytes that are not in the encoding, and NUL,
 *   are not well-formed XML.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "base/addr.h"
#include "base/util.h"
#include "mailpolicy/autoconfig.h"
#include "mailpolicy/records_lex.h"

#define AC_PLACEHOLDER "%EMAILDOMAIN%"

/* The children of a server that are read; the rest (username, password, pop3, ...) are
 * no matter for TLS and are passed over. */
enum ac_field { F_NONE, F_HOSTNAME, F_PORT, F_SOCKET, F_AUTH, F_COUNT };

static const char *const ac_field_name[F_COUNT] = {NULL, "hostname", "port", "socketType",
    "authentication"};

/* Depths of the elements read: <clientConfig> 0, <emailProvider> 1, servers 2, fields 3. */
enum { D_ROOT, D_PROVIDER, D_SERVER, D_FIELD };

/* The server element being read. */
struct ac_pending {
	int active;      /* inside a server element of an <emailProvider> */
	int skip;        /* of a type not probed: counted in skipped, its fields not read */
	unsigned seen;   /* bit f: field f was given */
	size_t ordinal;  /* its place among all server elements, from 1 */
	char fault[136]; /* the first fault found in it, "" while none; with "server N (line
	                  * L): " before it, it fits in why */
	struct ac_server s;
};

struct ac_parse {
	XML_Parser p;
	struct ac_config *c;
	size_t cap;          /* servers allocated in c->servers */
	char domain[254];    /* what %EMAILDOMAIN% stands for: lower case, no trailing dot */
	size_t depth;        /* elements open */
	int in_provider;     /* an <emailProvider> under the root is open */
	size_t servers_seen; /* server elements so far, wherever they are */
	struct ac_pending srv;
	enum ac_field field;     /* the field element open in srv, or F_NONE */
	char text[AC_VALUE_MAX]; /* its text so far */
	size_t tlen;
	int text_long; /* its text went past AC_VALUE_MAX */
	int stopped;   /* a callback refused the file; c->why says why */
};

const char *autoconfig_proto_name(enum ac_proto p)
{
	switch (p) {
	case AC_SMTP:
		return "smtp";
	case AC_IMAP:
		return "imap";
	case AC_POP3:
		return "pop3";
	}
	return "?";
}

const char *autoconfig_socket_name(enum ac_socket s)
{
	switch (s) {
	case AC_SOCKET_PLAIN:
		return "plain";
	case AC_SOCKET_STARTTLS:
		return "STARTTLS";
	case AC_SOCKET_SSL:
		return "SSL";
	}
	return "?";
}

static int ac_is_xml_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'; /* XML 1.0 2.3 S */
}

static void ac_refuse(struct ac_parse *, const char *, ...) __attribute__((format(printf, 2, 3)));
static void ac_fault(struct ac_parse *, const char *, ...) __attribute__((format(printf, 2, 3)));

/* The whole file is refused: say why and stop the parser. */
static void ac_refuse(struct ac_parse *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->c->why, sizeof(ps->c->why), fmt, ap);
	va_end(ap);
	ps->stopped = 1;
	XML_StopParser(ps->p, XML_FALSE);
}

/* A fault in the server being read; the first one is what gets reported. */
static void ac_fault(struct ac_parse *ps, const char *fmt, ...)
{
	va_list ap;

	if (ps->srv.fault[0])
		return;
	va_start(ap, fmt);
	vsnprintf(ps->srv.fault, sizeof(ps->srv.fault), fmt, ap);
	va_end(ap);
}

/* A server element not kept: counted, and the first one's fault goes to why. */
static void ac_invalid(struct ac_parse *ps, size_t ordinal, unsigned line, const char *fault)
{
	ps->c->invalid++;
	if (ps->c->why[0] == '\0')
		snprintf(ps->c->why, sizeof(ps->c->why), "server %zu (line %u): %s", ordinal, line,
		    fault);
}

static void ac_keep(struct ac_parse *ps, const struct ac_server *s)
{
	struct ac_config *c = ps->c;

	if (c->n == AC_SERVERS_MAX) {
		c->dropped++;
		return;
	}
	if (c->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 4;
		if (ps->cap > AC_SERVERS_MAX)
			ps->cap = AC_SERVERS_MAX;
		c->servers = xreallocarray(c->servers, ps->cap, sizeof(*c->servers));
	}
	c->servers[c->n++] = *s;
}

/* <incomingServer type="imap|pop3"> or <outgoingServer type="smtp">. */
static void ac_server_start(struct ac_parse *ps, const char *name, const char **attrs)
{
	static const char *const protos[] = {"smtp", "imap", "pop3"}; /* as enum ac_proto */
	int incoming = strcmp(name, "incomingServer") == 0;
	unsigned line = (unsigned)XML_GetCurrentLineNumber(ps->p);
	const char *type = NULL;
	char q[REC_QBUF], msg[96];
	size_t tn;

	ps->servers_seen++;
	if (ps->depth != D_SERVER || !ps->in_provider) {
		snprintf(msg, sizeof(msg), "<%s> outside <clientConfig><emailProvider>: not read",
		    name);
		ac_invalid(ps, ps->servers_seen, line, msg);
		return;
	}
	memset(&ps->srv, 0, sizeof(ps->srv));
	ps->srv.active = 1;
	ps->srv.ordinal = ps->servers_seen;
	ps->srv.s.line = line;
	for (size_t i = 0; attrs[i] != NULL; i += 2)
		if (strcmp(attrs[i], "type") == 0)
			type = attrs[i + 1];
	if (type == NULL || type[0] == '\0') {
		ac_fault(ps, "<%s> has no type", name);
		return;
	}
	tn = strlen(type);
	for (size_t k = 0; k < sizeof(protos) / sizeof(protos[0]); k++) {
		int want_incoming = k != AC_SMTP;

		if (!rec_ieq(type, tn, protos[k]))
			continue;
		if (want_incoming != incoming)
			ac_fault(ps, "type \"%s\" on <%s>: %s is an <%s>", rec_quote(q, type, tn),
			    name, protos[k], want_incoming ? "incomingServer" : "outgoingServer");
		else if (strcmp(type, protos[k]) != 0)
			ac_fault(ps, "type \"%s\" is not \"%s\" (case-sensitive)",
			    rec_quote(q, type, tn), protos[k]);
		ps->srv.s.proto = (enum ac_proto)k;
		return;
	}
	ps->srv.skip = 1; /* exchange, jmap, nntp, ...: not a protocol this checker probes */
}

/*
 * The host name: %EMAILDOMAIN% replaced by the domain, lower case, no trailing dot; a DNS
 * name or an IP address. The other placeholders stand for the user, and which server a
 * domain's mail is on cannot depend on who the user is.
 */
static void ac_hostname(struct ac_parse *ps, const char *v, size_t n)
{
	static const char *const user_vars[] = {"%EMAILADDRESS%", "%EMAILLOCALPART%"};
	const size_t phn = sizeof(AC_PLACEHOLDER) - 1, dn = strlen(ps->domain);
	char *h = ps->srv.s.host, q[REC_QBUF];
	const size_t hmax = sizeof(ps->srv.s.host);
	const char *why = "";
	size_t o = 0;
	int toolong = 0;

	for (size_t k = 0; k < sizeof(user_vars) / sizeof(user_vars[0]); k++)
		if (memmem(v, n, user_vars[k], strlen(user_vars[k])) != NULL) {
			ac_fault(ps,
			    "hostname \"%s\" uses %s: a host name cannot depend on the user",
			    rec_quote(q, v, n), user_vars[k]);
			return;
		}
	for (size_t i = 0; i < n && !toolong;) {
		if (n - i >= phn && memcmp(v + i, AC_PLACEHOLDER, phn) == 0) {
			toolong = o + dn >= hmax; /* no room left for the NUL */
			if (!toolong) {
				memcpy(h + o, ps->domain, dn);
				o += dn;
				i += phn;
			}
		} else {
			toolong = o + 1 >= hmax;
			if (!toolong)
				h[o++] = (char)rec_lower((unsigned char)v[i++]);
		}
	}
	if (toolong) {
		h[0] = '\0';
		ac_fault(ps, "hostname \"%s\" is longer than 253 bytes", rec_quote(q, v, n));
		return;
	}
	h[o] = '\0';
	if (memchr(h, '%', o) != NULL) {
		h[0] = '\0';
		ac_fault(ps, "hostname \"%s\": %s is the only placeholder a host name may use",
		    rec_quote(q, v, n), AC_PLACEHOLDER);
		return;
	}
	if (addr_is_ip(h) || addr_domain_syntax(h, &why)) {
		/* One trailing dot is the root, and names are compared without it. */
		if (o > 0 && h[o - 1] == '.')
			h[--o] = '\0';
		return;
	}
	ac_fault(ps, "hostname \"%s\": %s", rec_quote(q, v, n), why);
	h[0] = '\0';
}

static void ac_field_end(struct ac_parse *ps)
{
	const char *v = ps->text, *name = ac_field_name[ps->field];
	size_t n = ps->tlen;
	char q[REC_QBUF];
	long port;
	int ok;

	if (ps->text_long) {
		ac_fault(ps, "<%s> is longer than %d bytes", name, AC_VALUE_MAX);
		return;
	}
	while (n > 0 && ac_is_xml_space((unsigned char)v[0])) {
		v++;
		n--;
	}
	while (n > 0 && ac_is_xml_space((unsigned char)v[n - 1]))
		n--;
	switch (ps->field) {
	case F_HOSTNAME:
		ac_hostname(ps, v, n);
		break;
	case F_PORT:
		port = rec_parse_uint(v, n, 5, 1);
		if (port < 1 || port > 65535)
			ac_fault(ps, "port \"%s\" is not 1-65535", rec_quote(q, v, n));
		else
			ps->srv.s.port = (unsigned)port;
		break;
	case F_SOCKET:
		if (rec_eq(v, n, "plain"))
			ps->srv.s.socket = AC_SOCKET_PLAIN;
		else if (rec_eq(v, n, "STARTTLS"))
			ps->srv.s.socket = AC_SOCKET_STARTTLS;
		else if (rec_eq(v, n, "SSL"))
			ps->srv.s.socket = AC_SOCKET_SSL;
		else
			ac_fault(ps, "socketType \"%s\" is not plain, STARTTLS or SSL%s",
			    rec_quote(q, v, n),
			    rec_ieq(v, n, "plain") || rec_ieq(v, n, "starttls") ||
			            rec_ieq(v, n, "ssl")
			        ? " (case-sensitive)"
			        : "");
		break;
	case F_AUTH:
		ok = n >= 1 && n <= AC_AUTH_MAX;
		for (size_t i = 0; ok && i < n; i++)
			ok = rec_is_alnum((unsigned char)v[i]) || v[i] == '-' || v[i] == '_';
		if (!ok) {
			ac_fault(ps,
			    "authentication \"%s\" is not a method name (1-%d of A-Z a-z 0-9 - _)",
			    rec_quote(q, v, n), AC_AUTH_MAX);
			break;
		}
		memcpy(ps->srv.s.auth, v, n);
		ps->srv.s.auth[n] = '\0';
		break;
	case F_NONE:
	case F_COUNT:
		break;
	}
}

static void ac_server_end(struct ac_parse *ps)
{
	struct ac_pending *sv = &ps->srv;
	static const enum ac_field required[] = {F_HOSTNAME, F_PORT, F_SOCKET};

	sv->active = 0;
	if (sv->skip) {
		ps->c->skipped++;
		return;
	}
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!(sv->seen & (1u << required[i])))
			ac_fault(ps, "no <%s>", ac_field_name[required[i]]);
	if (sv->fault[0])
		ac_invalid(ps, sv->ordinal, sv->s.line, sv->fault);
	else
		ac_keep(ps, &sv->s);
}

static void XMLCALL ac_on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct ac_parse *ps = ud;
	char q[REC_QBUF];

	if (ps->stopped)
		return;
	if (ps->depth == D_ROOT && strcmp(name, "clientConfig") != 0) {
		ac_refuse(ps, "the root element <%s> is not <clientConfig>",
		    rec_quote(q, name, strlen(name)));
		return;
	}
	if (ps->field != F_NONE)
		ac_fault(ps, "<%s> holds an element", ac_field_name[ps->field]);
	if (strcmp(name, "incomingServer") == 0 || strcmp(name, "outgoingServer") == 0) {
		ac_server_start(ps, name, attrs);
	} else if (ps->depth == D_PROVIDER && strcmp(name, "emailProvider") == 0) {
		ps->in_provider = 1;
	} else if (ps->depth == D_FIELD && ps->srv.active && !ps->srv.skip) {
		for (enum ac_field f = F_HOSTNAME; f < F_COUNT; f++) {
			if (strcmp(name, ac_field_name[f]) != 0)
				continue;
			if (ps->srv.seen & (1u << f)) {
				if (f != F_AUTH) /* a list: the first is kept */
					ac_fault(ps, "<%s> given twice", ac_field_name[f]);
			} else {
				ps->srv.seen |= 1u << f;
				ps->field = f;
				ps->tlen = 0;
				ps->text_long = 0;
			}
			break;
		}
	}
	ps->depth++;
}

static void XMLCALL ac_on_end(void *ud, const XML_Char *name)
{
	struct ac_parse *ps = ud;

	(void)name; /* expat has matched it to its start tag */
	if (ps->stopped)
		return;
	ps->depth--;
	if (ps->depth == D_FIELD && ps->field != F_NONE) {
		ac_field_end(ps);
		ps->field = F_NONE;
	} else if (ps->depth == D_SERVER && ps->srv.active) {
		ac_server_end(ps);
	} else if (ps->depth == D_PROVIDER) {
		ps->in_provider = 0;
	}
}

static void XMLCALL ac_on_text(void *ud, const XML_Char *s, int len)
{
	struct ac_parse *ps = ud;

	/* Only text directly inside the field: one level below it is already a fault. */
	if (ps->stopped || ps->field == F_NONE || ps->depth != D_FIELD + 1 || len <= 0)
		return;
	if ((size_t)len > sizeof(ps->text) - ps->tlen) {
		ps->text_long = 1;
		return;
	}
	memcpy(ps->text + ps->tlen, s, (size_t)len);
	ps->tlen += (size_t)len;
}

/* Called on "<!DOCTYPE name", before anything inside the DTD is read. */
static void XMLCALL ac_on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	ac_refuse(ud,
	    "has a DOCTYPE: refused (the format needs no DTD, and a DTD can declare "
	    "entities: XXE, billion laughs)");
}

/* Unreachable while the DOCTYPE is refused at its start; here so that no change there can
 * ever let an entity be declared. */
static void XMLCALL ac_on_entity(void *ud, const XML_Char *name, int is_param,
    const XML_Char *value, int value_len, const XML_Char *base, const XML_Char *sysid,
    const XML_Char *pubid, const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	ac_refuse(ud, "declares an entity: refused");
}

/* What %EMAILDOMAIN% stands for, lower case and without a trailing dot. */
static int ac_domain(struct ac_parse *ps, const char *domain)
{
	const char *why = "";
	char q[REC_QBUF];
	size_t n;

	if (domain == NULL) {
		snprintf(ps->c->why, sizeof(ps->c->why), "no domain");
		return -1;
	}
	if (!addr_domain_syntax(domain, &why)) {
		snprintf(ps->c->why, sizeof(ps->c->why), "domain \"%s\": %s",
		    rec_quote(q, domain, strlen(domain)), why);
		return -1;
	}
	n = strlen(domain); /* 253 at most, or 254 with the trailing dot */
	if (domain[n - 1] == '.')
		n--;
	for (size_t i = 0; i < n; i++)
		ps->domain[i] = (char)rec_lower((unsigned char)domain[i]);
	ps->domain[n] = '\0';
	return 0;
}

int autoconfig_parse(const char *buf, size_t len, const char *domain, struct ac_config *c)
{
	struct ac_parse ps;
	XML_Parser p = NULL;
	int rc = -1;

	if (c == NULL)
		return -1;
	memset(c, 0, sizeof(*c));
	memset(&ps, 0, sizeof(ps));
	ps.c = c;
	if (buf == NULL && len > 0) {
		snprintf(c->why, sizeof(c->why), "no file");
		goto out;
	}
	if (ac_domain(&ps, domain) != 0)
		goto out;
	if (len > AC_FILE_MAX) {
		snprintf(c->why, sizeof(c->why), "larger than %d bytes (%zu)", AC_FILE_MAX, len);
		goto out;
	}
	/* NULL: the encoding is what the document declares, UTF-8 when it says nothing. */
	if ((p = XML_ParserCreate(NULL)) == NULL)
		fatal("out of memory");
	ps.p = p;
	XML_SetUserData(p, &ps);
	XML_SetElementHandler(p, ac_on_start, ac_on_end);
	XML_SetCharacterDataHandler(p, ac_on_text);
	XML_SetStartDoctypeDeclHandler(p, ac_on_doctype);
	XML_SetEntityDeclHandler(p, ac_on_entity);
	/* The default, said out loud: no external DTD subset, no parameter entities. No
	 * XML_SetExternalEntityRefHandler: without one expat opens nothing. */
	XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
	if (XML_Parse(p, buf ? buf : "", (int)len, XML_TRUE) != XML_STATUS_OK) {
		if (!ps.stopped)
			snprintf(c->why, sizeof(c->why),
			    "not well-formed XML: line %lu, column %lu: %s",
			    (unsigned long)XML_GetErrorLineNumber(p),
			    (unsigned long)XML_GetErrorColumnNumber(p),
			    XML_ErrorString(XML_GetErrorCode(p)));
		goto out;
	}
	rc = 0;
out:
	if (p != NULL)
		XML_ParserFree(p);
	if (rc != 0) {
		/* A refused file has no servers, whatever was read before the fault. */
		free(c->servers);
		c->servers = NULL;
		c->n = c->dropped = c->skipped = c->invalid = 0;
		if (c->why[0] == '\0')
			snprintf(c->why, sizeof(c->why), "refused");
	}
	return rc;
}

void autoconfig_free(struct ac_config *c)
{
	if (c == NULL)
		return;
	free(c->servers);
	memset(c, 0, sizeof(*c));
}
