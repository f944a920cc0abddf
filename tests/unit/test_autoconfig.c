/* Unit tests: the Thunderbird autoconfig parser (mailpolicy/autoconfig.c), good files and
 * hostile ones. */
#include <dlfcn.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mailpolicy/autoconfig.h"

/*
 * Every file this test binary opens is seen here, so that a test can show that the parser
 * never opened what an external entity names: these definitions take the place of libc's
 * (and the sanitizer's) for the whole process, and hand over to the next one in line.
 */
static const char *watched; /* a path fragment; opens of paths holding it are counted */
static int watched_opens;

static void watch(const char *path)
{
	if (watched != NULL && path != NULL && strstr(path, watched) != NULL)
		watched_opens++;
}

FILE *fopen(const char *path, const char *mode)
{
	FILE *(*real)(const char *, const char *) =
	    (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen");

	watch(path);
	return real(path, mode);
}

int open(const char *path, int flags, ...)
{
	int (*real)(const char *, int, ...) =
	    (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	unsigned mode = 0;
	va_list ap;

	va_start(ap, flags);
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) /* as glibc reads it */
		mode = va_arg(ap, unsigned);
	va_end(ap);
	watch(path);
	return real(path, flags, mode);
}

int openat(int dir, const char *path, int flags, ...)
{
	int (*real)(int, const char *, int, ...) =
	    (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	unsigned mode = 0;
	va_list ap;

	va_start(ap, flags);
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) /* as glibc reads it */
		mode = va_arg(ap, unsigned);
	va_end(ap);
	watch(path);
	return real(dir, path, flags, mode);
}

#define DOMAIN "example.org"

/* The lines around the servers of a test file (7 lines: servers start on line 8). */
#define HEAD                                                                                       \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                             \
	"<clientConfig version=\"1.1\">\n"                                                         \
	"  <emailProvider id=\"example.org\">\n"                                                   \
	"    <domain>example.org</domain>\n"                                                       \
	"    <displayName>Example Mail</displayName>\n"                                            \
	"    <displayShortName>Example</displayShortName>\n"                                       \
	"    <!-- servers -->\n"
#define TAIL                                                                                       \
	"  </emailProvider>\n"                                                                     \
	"</clientConfig>\n"

/* One server on one line (no %-placeholder outside host: some tests use it as a format). */
#define SRV(dir, type, host, port, sock)                                                           \
	"<" dir " type=\"" type "\"><hostname>" host "</hostname><port>" port                      \
	"</port><socketType>" sock "</socketType><authentication>password-cleartext"               \
	"</authentication></" dir ">\n"
#define IMAP(host, port, sock) SRV("incomingServer", "imap", host, port, sock)
#define POP3(host, port, sock) SRV("incomingServer", "pop3", host, port, sock)
#define SMTP(host, port, sock) SRV("outgoingServer", "smtp", host, port, sock)
#define GOOD IMAP("imap.example.org", "993", "SSL")

static struct ac_config cfg;

static int setup(void **state)
{
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	autoconfig_free(&cfg);
	watched = NULL;
	return 0;
}

/* why holds printable ASCII only and is terminated within its array. */
static void assert_why_clean(const struct ac_config *c)
{
	size_t n = strnlen(c->why, sizeof(c->why));

	assert_true(n < sizeof(c->why));
	for (size_t i = 0; i < n; i++)
		assert_true(c->why[i] >= 0x20 && c->why[i] < 0x7f);
}

/* Parse n bytes of a file for DOMAIN: "OK" or the reason it was refused. */
static const char *file_n(const char *xml, size_t n)
{
	int rc;

	autoconfig_free(&cfg);
	rc = autoconfig_parse(xml, n, DOMAIN, &cfg);
	assert_why_clean(&cfg);
	if (rc != 0) {
		assert_int_equal(rc, -1);
		assert_null(cfg.servers);
		assert_int_equal(cfg.n + cfg.dropped + cfg.skipped + cfg.invalid, 0);
		assert_true(cfg.why[0] != '\0');
		return cfg.why;
	}
	assert_true(cfg.n <= AC_SERVERS_MAX);
	assert_true((cfg.invalid == 0) == (cfg.why[0] == '\0'));
	return "OK";
}

static const char *file(const char *xml)
{
	return file_n(xml, strlen(xml));
}

/* One server element in a good file: "OK" when it is kept, else its fault (why). */
static const char *one(const char *server)
{
	static char buf[8192];
	const char *r;

	snprintf(buf, sizeof(buf), "%s%s%s", HEAD, server, TAIL);
	r = file(buf);
	if (strcmp(r, "OK") != 0)
		return r;
	assert_int_equal(cfg.n + cfg.invalid + cfg.skipped, 1);
	return cfg.n == 1 ? "OK" : cfg.why;
}

/* The text after "server N (line L): " in why. */
static const char *fault_of(const char *why)
{
	const char *p = strstr(why, "): ");

	return p ? p + 3 : why;
}

/* A malloc'd file of HEAD, count copies of server, TAIL. */
static char *repeat(const char *server, size_t count, size_t *len)
{
	size_t hn = strlen(HEAD), sn = strlen(server), tn = strlen(TAIL);
	char *buf = malloc(hn + count * sn + tn + 1), *p = buf;

	assert_non_null(buf);
	memcpy(p, HEAD, hn);
	p += hn;
	for (size_t i = 0; i < count; i++, p += sn)
		memcpy(p, server, sn);
	memcpy(p, TAIL, tn + 1);
	*len = hn + count * sn + tn;
	return buf;
}

/* ---- good files ---- */

/* As the ISPDB and providers publish it: several servers of each kind in order of
 * preference, placeholders, documentation, elements this parser does not read. */
static const char ispdb[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                            "<clientConfig version=\"1.1\">\n"
                            "  <emailProvider id=\"example.org\">\n"
                            "    <domain>example.org</domain>\n"
                            "    <domain>example.net</domain>\n"
                            "    <displayName>Example Mail &amp; Co</displayName>\n"
                            "    <displayShortName>Example</displayShortName>\n"
                            "    <incomingServer type=\"imap\">\n"
                            "      <hostname>imap.%EMAILDOMAIN%</hostname>\n"
                            "      <port>993</port>\n"
                            "      <socketType>SSL</socketType>\n"
                            "      <username>%EMAILADDRESS%</username>\n"
                            "      <authentication>OAuth2</authentication>\n"
                            "      <authentication>password-cleartext</authentication>\n"
                            "    </incomingServer>\n"
                            "    <incomingServer type=\"pop3\">\n"
                            "      <hostname>\n        POP3.Example.ORG.\n      </hostname>\n"
                            "      <port>995</port>\n"
                            "      <socketType>SSL</socketType>\n"
                            "      <username>%EMAILLOCALPART%</username>\n"
                            "      <authentication>password-cleartext</authentication>\n"
                            "      <pop3>\n"
                            "        <leaveMessagesOnServer>true</leaveMessagesOnServer>\n"
                            "        <downloadOnBiff>true</downloadOnBiff>\n"
                            "      </pop3>\n"
                            "    </incomingServer>\n"
                            "    <outgoingServer type=\"smtp\">\n"
                            "      <hostname>smtp.%EMAILDOMAIN%</hostname>\n"
                            "      <port>465</port>\n"
                            "      <socketType>SSL</socketType>\n"
                            "      <username>%EMAILADDRESS%</username>\n"
                            "      <authentication>password-encrypted</authentication>\n"
                            "      <addThisServer>true</addThisServer>\n"
                            "    </outgoingServer>\n"
                            "    <outgoingServer type=\"smtp\">\n"
                            "      <hostname><![CDATA[smtp.%EMAILDOMAIN%]]></hostname>\n"
                            "      <port>587</port>\n"
                            "      <socketType>STARTTLS</socketType>\n"
                            "      <username>%EMAILADDRESS%</username>\n"
                            "      <authentication>password-cleartext</authentication>\n"
                            "      <useGlobalPreferredServer>false</useGlobalPreferredServer>\n"
                            "    </outgoingServer>\n"
                            "    <documentation url=\"https://example.org/help/mail.html\">\n"
                            "      <descr lang=\"en\">Setting up mail</descr>\n"
                            "    </documentation>\n"
                            "  </emailProvider>\n"
                            "  <webMail>\n"
                            "    <loginPage url=\"https://webmail.example.org/\"/>\n"
                            "  </webMail>\n"
                            "  <oAuth2>\n"
                            "    <issuer>accounts.example.org</issuer>\n"
                            "    <scope>https://mail.example.org/</scope>\n"
                            "  </oAuth2>\n"
                            "</clientConfig>\n";

static void realistic_file(void **state)
{
	const struct ac_server *s;

	(void)state;
	/* The domain as a user may type it: upper case, a trailing dot. */
	assert_int_equal(autoconfig_parse(ispdb, strlen(ispdb), "Example.ORG.", &cfg), 0);
	assert_int_equal(cfg.n, 4);
	assert_int_equal(cfg.dropped, 0);
	assert_int_equal(cfg.skipped, 0);
	assert_int_equal(cfg.invalid, 0);
	assert_string_equal(cfg.why, "");
	s = cfg.servers;
	assert_int_equal(s[0].proto, AC_IMAP);
	assert_string_equal(s[0].host, "imap.example.org");
	assert_int_equal(s[0].port, 993);
	assert_int_equal(s[0].socket, AC_SOCKET_SSL);
	assert_string_equal(s[0].auth, "OAuth2"); /* the first of two */
	assert_int_equal(s[0].line, 8);
	assert_int_equal(s[1].proto, AC_POP3);
	assert_string_equal(s[1].host, "pop3.example.org"); /* trimmed, lower case, no dot */
	assert_int_equal(s[1].port, 995);
	assert_int_equal(s[1].socket, AC_SOCKET_SSL);
	assert_string_equal(s[1].auth, "password-cleartext");
	assert_int_equal(s[2].proto, AC_SMTP);
	assert_string_equal(s[2].host, "smtp.example.org");
	assert_int_equal(s[2].port, 465);
	assert_int_equal(s[2].socket, AC_SOCKET_SSL);
	assert_string_equal(s[2].auth, "password-encrypted");
	assert_int_equal(s[3].proto, AC_SMTP);
	assert_string_equal(s[3].host, "smtp.example.org"); /* from CDATA */
	assert_int_equal(s[3].port, 587);
	assert_int_equal(s[3].socket, AC_SOCKET_STARTTLS);
	assert_string_equal(autoconfig_proto_name(s[3].proto), "smtp");
	assert_string_equal(autoconfig_socket_name(s[3].socket), "STARTTLS");
	assert_string_equal(autoconfig_socket_name(AC_SOCKET_PLAIN), "plain");
	assert_string_equal(autoconfig_proto_name(AC_POP3), "pop3");

	/* The same file for another domain: %EMAILDOMAIN% follows it. */
	autoconfig_free(&cfg);
	assert_int_equal(autoconfig_parse(ispdb, strlen(ispdb), "mail.example.net", &cfg), 0);
	assert_string_equal(cfg.servers[0].host, "imap.mail.example.net");
	assert_string_equal(cfg.servers[1].host, "pop3.example.org");
}

static void order_kept(void **state)
{
	static const char xml[] =
	    HEAD SMTP("s1.example.org", "587", "STARTTLS") IMAP("i1.example.org", "143", "STARTTLS")
	        POP3("p1.example.org", "110", "plain") SMTP("s2.example.org", "25", "plain")
	            IMAP("i2.example.org", "993", "SSL") POP3("p2.example.org", "995", "SSL") TAIL;
	static const char *const hosts[] = {"s1", "i1", "p1", "s2", "i2", "p2"};
	static const enum ac_proto protos[] = {AC_SMTP, AC_IMAP, AC_POP3, AC_SMTP, AC_IMAP,
	    AC_POP3};
	static const unsigned ports[] = {587, 143, 110, 25, 993, 995};
	static const enum ac_socket socks[] = {AC_SOCKET_STARTTLS, AC_SOCKET_STARTTLS,
	    AC_SOCKET_PLAIN, AC_SOCKET_PLAIN, AC_SOCKET_SSL, AC_SOCKET_SSL};

	(void)state;
	assert_string_equal(file(xml), "OK");
	assert_int_equal(cfg.n, 6);
	for (size_t i = 0; i < 6; i++) {
		char want[64];

		snprintf(want, sizeof(want), "%s.example.org", hosts[i]);
		assert_string_equal(cfg.servers[i].host, want);
		assert_int_equal(cfg.servers[i].proto, protos[i]);
		assert_int_equal(cfg.servers[i].port, ports[i]);
		assert_int_equal(cfg.servers[i].socket, socks[i]);
		assert_int_equal(cfg.servers[i].line, 8 + i);
	}
}

/* Servers in every <emailProvider> under the root count, in document order. */
static void two_providers(void **state)
{
	(void)state;
	assert_string_equal(file(HEAD GOOD
	                        "</emailProvider><emailProvider id=\"b\">" SMTP("smtp.example.org",
	                            "587", "STARTTLS") TAIL),
	    "OK");
	assert_int_equal(cfg.n, 2);
	assert_int_equal(cfg.servers[1].proto, AC_SMTP);
}

/* ---- server entries ---- */

static void unknown_types_skipped(void **state)
{
	static const char xml[] = HEAD
	    "<incomingServer type=\"exchange\"><hostname>outlook.office365.com</hostname>"
	    "<port>443</port><socketType>SSL</socketType>"
	    "<owaURL>https://outlook.office365.com/owa/</owaURL></incomingServer>\n"
	    "<incomingServer type=\"jmap\"><hostname>jmap.example.org</hostname></incomingServer>\n"
	    /* skipped servers are not checked: a bad port in one is no fault */
	    "<incomingServer type=\"nntp\"><port>0</port></incomingServer>\n"
	    "<outgoingServer type=\"exchange\"/>\n" GOOD TAIL;

	(void)state;
	assert_string_equal(file(xml), "OK");
	assert_int_equal(cfg.n, 1);
	assert_int_equal(cfg.skipped, 4);
	assert_int_equal(cfg.invalid, 0);
	assert_string_equal(cfg.why, "");
	assert_string_equal(cfg.servers[0].host, "imap.example.org");
}

static void server_types(void **state)
{
	(void)state;
	assert_string_equal(fault_of(
	                        one(SRV("incomingServer", "IMAP", "h.example.org", "993", "SSL"))),
	    "type \"IMAP\" is not \"imap\" (case-sensitive)");
	assert_string_equal(fault_of(one(
	                        SRV("incomingServer", "smtp", "h.example.org", "25", "STARTTLS"))),
	    "type \"smtp\" on <incomingServer>: smtp is an <outgoingServer>");
	assert_string_equal(fault_of(
	                        one(SRV("outgoingServer", "Pop3", "h.example.org", "995", "SSL"))),
	    "type \"Pop3\" on <outgoingServer>: pop3 is an <incomingServer>");
	assert_string_equal(fault_of(one("<incomingServer><hostname>h.example.org</hostname>"
	                                 "<port>993</port><socketType>SSL</socketType>"
	                                 "</incomingServer>")),
	    "<incomingServer> has no type");
	assert_string_equal(fault_of(one("<outgoingServer type=\"\"/>")),
	    "<outgoingServer> has no type");
}

static void socket_types(void **state)
{
	(void)state;
	assert_string_equal(one(IMAP("h.example.org", "143", "plain")), "OK");
	assert_int_equal(cfg.servers[0].socket, AC_SOCKET_PLAIN);
	assert_string_equal(one(IMAP("h.example.org", "143", "STARTTLS")), "OK");
	assert_int_equal(cfg.servers[0].socket, AC_SOCKET_STARTTLS);
	assert_string_equal(one(IMAP("h.example.org", "993", "SSL")), "OK");
	assert_int_equal(cfg.servers[0].socket, AC_SOCKET_SSL);
	assert_string_equal(one(IMAP("h.example.org", "993", " SSL\n")), "OK"); /* trimmed */

	/* Thunderbird compares them case-sensitively: "ssl" is not SSL there either. */
	assert_string_equal(fault_of(one(IMAP("h.example.org", "993", "ssl"))),
	    "socketType \"ssl\" is not plain, STARTTLS or SSL (case-sensitive)");
	assert_string_equal(fault_of(one(IMAP("h.example.org", "143", "StartTLS"))),
	    "socketType \"StartTLS\" is not plain, STARTTLS or SSL (case-sensitive)");
	assert_string_equal(fault_of(one(IMAP("h.example.org", "993", "TLS"))),
	    "socketType \"TLS\" is not plain, STARTTLS or SSL");
	assert_string_equal(fault_of(one(IMAP("h.example.org", "993", ""))),
	    "socketType \"\" is not plain, STARTTLS or SSL");
	assert_string_equal(fault_of(one("<incomingServer type=\"imap\"><hostname>h.example.org"
	                                 "</hostname><port>993</port></incomingServer>")),
	    "no <socketType>");
	assert_string_equal(fault_of(one("<incomingServer type=\"imap\"><hostname>h.example.org"
	                                 "</hostname><port>993</port><socketType>SSL</socketType>"
	                                 "<socketType>STARTTLS</socketType></incomingServer>")),
	    "<socketType> given twice");
}

static void ports(void **state)
{
	(void)state;
	assert_string_equal(one(IMAP("h.example.org", "1", "SSL")), "OK");
	assert_int_equal(cfg.servers[0].port, 1);
	assert_string_equal(one(IMAP("h.example.org", "65535", "SSL")), "OK");
	assert_int_equal(cfg.servers[0].port, 65535);
	assert_string_equal(one(IMAP("h.example.org", "\n 993\t", "SSL")), "OK");
	assert_int_equal(cfg.servers[0].port, 993);
	assert_string_equal(one(IMAP("h.example.org", "0993", "SSL")), "OK"); /* as Thunderbird */
	assert_int_equal(cfg.servers[0].port, 993);
	assert_string_equal(one(IMAP("h.example.org", "9&#57;3", "SSL")), "OK"); /* "993" */
	assert_int_equal(cfg.servers[0].port, 993);

	assert_string_equal(fault_of(one(IMAP("h.example.org", "0", "SSL"))),
	    "port \"0\" is not 1-65535");
	assert_string_equal(fault_of(one(IMAP("h.example.org", "65536", "SSL"))),
	    "port \"65536\" is not 1-65535");
	assert_string_equal(fault_of(one(IMAP("h.example.org", "100000", "SSL"))),
	    "port \"100000\" is not 1-65535");
	assert_string_equal(fault_of(one(IMAP("h.example.org", "-993", "SSL"))),
	    "port \"-993\" is not 1-65535");
	assert_string_equal(fault_of(one(IMAP("h.example.org", "+993", "SSL"))),
	    "port \"+993\" is not 1-65535");
	assert_string_equal(fault_of(one(IMAP("h.example.org", "993abc", "SSL"))),
	    "port \"993abc\" is not 1-65535");
	assert_string_equal(fault_of(one(IMAP("h.example.org", "9 93", "SSL"))),
	    "port \"9 93\" is not 1-65535");
	assert_string_equal(fault_of(one(IMAP("h.example.org", "", "SSL"))),
	    "port \"\" is not 1-65535");
	assert_string_equal(fault_of(one(IMAP("h.example.org", "%PORT%", "SSL"))),
	    "port \"%PORT%\" is not 1-65535");
	assert_string_equal(fault_of(
	                        one("<incomingServer type=\"imap\"><hostname>h.example.org"
	                            "</hostname><socketType>SSL</socketType></incomingServer>")),
	    "no <port>");
	assert_string_equal(fault_of(one("<incomingServer type=\"imap\"><hostname>h.example.org"
	                                 "</hostname><port>993</port><port>143</port>"
	                                 "<socketType>SSL</socketType></incomingServer>")),
	    "<port> given twice");
}

static void hostnames(void **state)
{
	char big[400], srv[1200];

	(void)state;
	assert_string_equal(one(IMAP("%EMAILDOMAIN%", "993", "SSL")), "OK");
	assert_string_equal(cfg.servers[0].host, "example.org");
	assert_string_equal(one(IMAP("mail.%EMAILDOMAIN%.", "993", "SSL")), "OK");
	assert_string_equal(cfg.servers[0].host, "mail.example.org");
	assert_string_equal(one(IMAP("IMAP.Example.ORG.", "993", "SSL")), "OK");
	assert_string_equal(cfg.servers[0].host, "imap.example.org");
	assert_string_equal(one(IMAP("_imap-1.example.org", "993", "SSL")), "OK");
	assert_string_equal(one(IMAP("192.0.2.1", "993", "SSL")), "OK");
	assert_string_equal(cfg.servers[0].host, "192.0.2.1");
	assert_string_equal(one(IMAP("2001:DB8::1", "993", "SSL")), "OK");
	assert_string_equal(cfg.servers[0].host, "2001:db8::1");

	assert_string_equal(fault_of(one(IMAP("%EMAILADDRESS%", "993", "SSL"))),
	    "hostname \"%EMAILADDRESS%\" uses %EMAILADDRESS%: a host name cannot depend on the "
	    "user");
	assert_string_equal(fault_of(one(IMAP("%EMAILLOCALPART%.%EMAILDOMAIN%", "993", "SSL"))),
	    "hostname \"%EMAILLOCALPART%.%EMAILDOMAIN%\" uses %EMAILLOCALPART%: a host name cannot "
	    "depend on the user");
	assert_string_equal(fault_of(one(IMAP("imap.%emaildomain%", "993", "SSL"))),
	    "hostname \"imap.%emaildomain%\": %EMAILDOMAIN% is the only placeholder a host name "
	    "may use");
	assert_string_equal(fault_of(one(IMAP("imap example.org", "993", "SSL"))),
	    "hostname \"imap example.org\": not a domain name "
	    "(letters, digits, '-' and '.' only)");
	assert_string_equal(fault_of(one(IMAP("imap..example.org", "993", "SSL"))),
	    "hostname \"imap..example.org\": empty label");
	assert_string_equal(fault_of(one(IMAP("imap.example.org..", "993", "SSL"))),
	    "hostname \"imap.example.org..\": empty label");
	assert_string_equal(fault_of(one(IMAP("[2001:db8::1]", "993", "SSL"))),
	    "hostname \"[2001:db8::1]\": not a domain name "
	    "(letters, digits, '-' and '.' only)");
	assert_string_equal(fault_of(one(IMAP("https://imap.example.org/", "993", "SSL"))),
	    "hostname \"https://imap.example.org/\": not a "
	    "domain name (letters, digits, '-' and '.' only)");
	assert_string_equal(fault_of(one(IMAP("", "993", "SSL"))),
	    "hostname \"\": a domain name is 1 to 253 characters");
	assert_string_equal(fault_of(one(IMAP("imap.b&#252;cher.example", "993", "SSL"))),
	    "hostname \"imap.b??cher.example\": not a domain "
	    "name (letters, digits, '-' and '.' only)");
	assert_string_equal(fault_of(one("<incomingServer type=\"imap\"><port>993</port>"
	                                 "<socketType>SSL</socketType></incomingServer>")),
	    "no <hostname>");
	assert_string_equal(fault_of(one("<incomingServer type=\"imap\"><hostname>a.example.org"
	                                 "</hostname><hostname>b.example.org</hostname><port>993"
	                                 "</port><socketType>SSL</socketType></incomingServer>")),
	    "<hostname> given twice");
	assert_string_equal(fault_of(one("<incomingServer type=\"imap\"><hostname>imap.<b/>"
	                                 "example.org</hostname><port>993</port><socketType>SSL"
	                                 "</socketType></incomingServer>")),
	    "<hostname> holds an element");

	/* A label of 64 bytes; a name of 254 bytes; one the domain makes longer than 255. */
	memset(big, 'a', 64);
	snprintf(big + 64, sizeof(big) - 64, ".example.org");
	snprintf(srv, sizeof(srv), IMAP("%s", "993", "SSL"), big);
	assert_string_equal(fault_of(one(srv)),
	    "hostname \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\": a label is at most 63 "
	    "characters");
	for (size_t i = 0; i < 254; i += 2)
		memcpy(big + i, "a.", 2);
	big[253] = 'a';
	big[254] = '\0'; /* 254 bytes */
	snprintf(srv, sizeof(srv), IMAP("%s", "993", "SSL"), big);
	assert_string_equal(fault_of(one(srv)),
	    "hostname \"a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a...\": a domain name is 1 to 253 "
	    "characters");
	big[253] = '.'; /* 253 bytes and the root's dot: fine, and the dot goes */
	snprintf(srv, sizeof(srv), IMAP("%s", "993", "SSL"), big);
	assert_string_equal(one(srv), "OK");
	assert_int_equal(strlen(cfg.servers[0].host), 253);
	assert_int_equal(cfg.servers[0].host[252], 'a');
	assert_string_equal(fault_of(one(IMAP(".", "993", "SSL"))),
	    "hostname \".\": a domain name is 1 to 253 characters");
	assert_string_equal(one(IMAP("192.0.2.1.", "993", "SSL")), "OK");
	assert_string_equal(cfg.servers[0].host, "192.0.2.1");
	memset(big, 'a', 250);
	big[250] = '\0';
	snprintf(srv, sizeof(srv), IMAP("%s.%%EMAILDOMAIN%%", "993", "SSL"), big);
	assert_string_equal(fault_of(one(srv)),
	    "hostname \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is longer than 253 bytes");
}

static void authentication(void **state)
{
	char srv[512];

	(void)state;
	assert_string_equal(one("<incomingServer type=\"imap\"><hostname>h.example.org</hostname>"
	                        "<port>993</port><socketType>SSL</socketType></incomingServer>"),
	    "OK");
	assert_string_equal(cfg.servers[0].auth, ""); /* none given */
	assert_string_equal(one("<incomingServer type=\"imap\"><authentication>GSSAPI"
	                        "</authentication><hostname>h.example.org</hostname><port>993"
	                        "</port><socketType>SSL</socketType><authentication>NTLM"
	                        "</authentication></incomingServer>"),
	    "OK");
	assert_string_equal(cfg.servers[0].auth, "GSSAPI");
	snprintf(srv, sizeof(srv),
	    "<outgoingServer type=\"smtp\"><hostname>h.example.org</hostname><port>25</port>"
	    "<socketType>plain</socketType><authentication>%s</authentication></outgoingServer>",
	    "client-IP-address");
	assert_string_equal(one(srv), "OK");
	assert_string_equal(cfg.servers[0].auth, "client-IP-address");

	snprintf(srv, sizeof(srv),
	    "<outgoingServer type=\"smtp\"><hostname>h.example.org</hostname><port>25</port>"
	    "<socketType>plain</socketType><authentication>%s</authentication></outgoingServer>",
	    "a-method-name-of-thirty-two-byte"); /* AC_AUTH_MAX + 1 */
	assert_string_equal(fault_of(one(srv)),
	    "authentication \"a-method-name-of-thirty-two-byte\" is not a method name (1-31 of "
	    "A-Z a-z 0-9 - _)");
	snprintf(srv, sizeof(srv),
	    "<outgoingServer type=\"smtp\"><hostname>h.example.org</hostname><port>25</port>"
	    "<socketType>plain</socketType><authentication>%s</authentication></outgoingServer>",
	    "");
	assert_string_equal(fault_of(one(srv)),
	    "authentication \"\" is not a method name (1-31 of A-Z a-z 0-9 - _)");
	snprintf(srv, sizeof(srv),
	    "<outgoingServer type=\"smtp\"><hostname>h.example.org</hostname><port>25</port>"
	    "<socketType>plain</socketType><authentication>%s</authentication></outgoingServer>",
	    "pass word");
	assert_string_equal(fault_of(one(srv)),
	    "authentication \"pass word\" is not a method name (1-31 of A-Z a-z 0-9 - _)");
}

/* Longer than AC_VALUE_MAX: the server is invalid, the value never cut to fit. */
static void value_too_long(void **state)
{
	char pad[AC_VALUE_MAX + 2], srv[AC_VALUE_MAX + 512];

	(void)state;
	memset(pad, ' ', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	snprintf(srv, sizeof(srv), IMAP("h.example.org%s", "993", "SSL"), pad);
	assert_string_equal(fault_of(one(srv)), "<hostname> is longer than 512 bytes");
	pad[AC_VALUE_MAX - strlen("h.example.org")] = '\0'; /* exactly AC_VALUE_MAX: fine */
	snprintf(srv, sizeof(srv), IMAP("h.example.org%s", "993", "SSL"), pad);
	assert_string_equal(one(srv), "OK");
}

/* The decision: a bad server is skipped and counted; the others are kept and the file
 * parses. why names the first bad one, its place and its line. */
static void bad_server_does_not_fail_file(void **state)
{
	static const char xml[] = HEAD IMAP("imap.example.org", "993", "SSL")
	    IMAP("imap.example.org", "99999", "SSL") SMTP("smtp example", "587",
	        "STARTTLS") "<incomingServer type=\"exchange\"/>\n" SMTP("smtp.example.org", "587",
	        "STARTTLS") TAIL;

	(void)state;
	assert_string_equal(file(xml), "OK");
	assert_int_equal(cfg.n, 2);
	assert_int_equal(cfg.invalid, 2);
	assert_int_equal(cfg.skipped, 1);
	assert_int_equal(cfg.dropped, 0);
	assert_string_equal(cfg.why, "server 2 (line 9): port \"99999\" is not 1-65535");
	assert_string_equal(cfg.servers[0].host, "imap.example.org");
	assert_string_equal(cfg.servers[1].host, "smtp.example.org");
	assert_int_equal(cfg.servers[1].line, 12);

	/* Only bad servers: still parsed, with nothing to probe. */
	assert_string_equal(file(HEAD IMAP("x", "0", "SSL") TAIL), "OK");
	assert_int_equal(cfg.n, 0);
	assert_null(cfg.servers);
	assert_int_equal(cfg.invalid, 1);
	assert_string_equal(cfg.why, "server 1 (line 8): port \"0\" is not 1-65535");

	/* No servers at all, or no <emailProvider>. */
	assert_string_equal(file(HEAD TAIL), "OK");
	assert_int_equal(cfg.n + cfg.invalid + cfg.skipped, 0);
	assert_string_equal(file("<clientConfig version=\"1.1\"/>"), "OK");
	assert_int_equal(cfg.n, 0);
}

/* A server element where the format has none is no part of any provider: counted. */
static void servers_out_of_place(void **state)
{
	(void)state;
	assert_string_equal(file("<clientConfig>" GOOD "</clientConfig>"), "OK");
	assert_int_equal(cfg.n, 0);
	assert_int_equal(cfg.invalid, 1);
	assert_string_equal(cfg.why,
	    "server 1 (line 1): <incomingServer> outside "
	    "<clientConfig><emailProvider>: not read");
	assert_string_equal(file(HEAD "<incomingServer type=\"imap\"><hostname>h.example.org"
	                              "</hostname><port>993</port><socketType>SSL</socketType>"
	                              "<outgoingServer type=\"smtp\"/></incomingServer>" TAIL),
	    "OK");
	assert_int_equal(cfg.n, 1); /* the outer one */
	assert_int_equal(cfg.invalid, 1);
	assert_string_equal(fault_of(cfg.why),
	    "<outgoingServer> outside <clientConfig><emailProvider>: not read");
	assert_string_equal(file(HEAD "<documentation>" GOOD "</documentation>" TAIL), "OK");
	assert_int_equal(cfg.n, 0);
	assert_int_equal(cfg.invalid, 1);
}

static void servers_bound(void **state)
{
	size_t len;
	char *xml = repeat(GOOD, AC_SERVERS_MAX + 8, &len);
	char *bad = repeat(IMAP("h.example.org", "0", "SSL"), AC_SERVERS_MAX + 3, &len);
	char *mixed;

	(void)state;
	assert_string_equal(file(xml), "OK");
	assert_int_equal(cfg.n, AC_SERVERS_MAX);
	assert_int_equal(cfg.dropped, 8);
	assert_int_equal(cfg.invalid, 0);
	assert_int_equal(cfg.servers[AC_SERVERS_MAX - 1].line, 8 + AC_SERVERS_MAX - 1);

	/* Exactly the bound: nothing dropped. */
	free(xml);
	xml = repeat(GOOD, AC_SERVERS_MAX, &len);
	assert_string_equal(file(xml), "OK");
	assert_int_equal(cfg.n, AC_SERVERS_MAX);
	assert_int_equal(cfg.dropped, 0);

	/* Bad servers are invalid, not dropped, wherever they are. */
	assert_string_equal(file(bad), "OK");
	assert_int_equal(cfg.n, 0);
	assert_int_equal(cfg.dropped, 0);
	assert_int_equal(cfg.invalid, AC_SERVERS_MAX + 3);

	/* 32 good, then bad and good ones past the bound. */
	free(xml);
	xml = repeat(GOOD, AC_SERVERS_MAX, &len);
	mixed = malloc(len + 1024);
	assert_non_null(mixed);
	memcpy(mixed, xml, len - strlen(TAIL));
	strcpy(mixed + len - strlen(TAIL),
	    IMAP("h.example.org", "0", "SSL") "<incomingServer type=\"exchange\"/>" GOOD TAIL);
	assert_string_equal(file(mixed), "OK");
	assert_int_equal(cfg.n, AC_SERVERS_MAX);
	assert_int_equal(cfg.dropped, 1);
	assert_int_equal(cfg.invalid, 1);
	assert_int_equal(cfg.skipped, 1);
	free(mixed);
	free(xml);
	free(bad);
}

/* ---- files refused whole ---- */

static void billion_laughs_refused(void **state)
{
	static const char xml[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE clientConfig [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n"
	    "<clientConfig version=\"1.1\"><emailProvider id=\"x\">\n"
	    "<incomingServer type=\"imap\"><hostname>&lol9;</hostname><port>993</port>"
	    "<socketType>SSL</socketType></incomingServer>\n"
	    "</emailProvider></clientConfig>\n";
	clock_t t0 = clock();

	(void)state;
	assert_string_equal(file(xml),
	    "has a DOCTYPE: refused (the format needs no DTD, and a "
	    "DTD can declare entities: XXE, billion laughs)");
	/* Refused at "<!DOCTYPE", not after 10^9 expansions: well under a second. */
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 0.5);
	/* Any DOCTYPE at all, even one declaring nothing. */
	assert_non_null(strstr(file("<!DOCTYPE clientConfig><clientConfig/>"), "DOCTYPE"));
	assert_non_null(strstr(file("<!DOCTYPE clientConfig []><clientConfig/>"), "DOCTYPE"));
}

static void external_entity_never_read(void **state)
{
	char path[] = "/tmp/mailtls-xxe-XXXXXX", xml[1024];
	const char *secret = "leaked.example.org";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, secret, strlen(secret)), (ssize_t)strlen(secret));
	close(fd);
	watched = path;
	watched_opens = 0;

	/* The watch works: opening the file is seen. */
	{
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		fclose(f);
		assert_int_equal(watched_opens, 1);
		watched_opens = 0;
	}

	/* A general entity in the internal subset, used in a hostname. */
	snprintf(xml, sizeof(xml),
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE clientConfig [\n"
	    "  <!ENTITY xxe SYSTEM \"file://%s\">\n]>\n"
	    "<clientConfig><emailProvider id=\"x\"><incomingServer type=\"imap\">"
	    "<hostname>&xxe;</hostname><port>993</port><socketType>SSL</socketType>"
	    "</incomingServer></emailProvider></clientConfig>",
	    path);
	assert_non_null(strstr(file(xml), "DOCTYPE"));
	/* A parameter entity, expanded inside the DTD itself. */
	snprintf(xml, sizeof(xml),
	    "<!DOCTYPE clientConfig [<!ENTITY %% p SYSTEM \"%s\"> %%p;]><clientConfig/>", path);
	assert_non_null(strstr(file(xml), "DOCTYPE"));
	/* An external DTD. */
	snprintf(xml, sizeof(xml), "<!DOCTYPE clientConfig SYSTEM \"%s\"><clientConfig/>", path);
	assert_non_null(strstr(file(xml), "DOCTYPE"));
	assert_int_equal(watched_opens, 0);
	assert_null(strstr(cfg.why, "leaked"));

	/* The classic target too, and an entity used without any declaration. */
	watched = "/etc/passwd";
	assert_non_null(strstr(file("<!DOCTYPE c [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	                            "<clientConfig>&x;</clientConfig>"),
	    "DOCTYPE"));
	assert_string_equal(file("<clientConfig>&x;</clientConfig>"),
	    "not well-formed XML: line 1, column 14: undefined entity");
	assert_int_equal(watched_opens, 0);
	unlink(path);
}

static void not_well_formed(void **state)
{
	(void)state;
	assert_string_equal(file(""), "not well-formed XML: line 1, column 0: no element found");
	assert_string_equal(file_n(NULL, 0),
	    "not well-formed XML: line 1, column 0: no element found");
	assert_string_equal(file("   \n"),
	    "not well-formed XML: line 2, column 0: no element found");
	assert_string_equal(file("just text"),
	    "not well-formed XML: line 1, column 0: syntax error");
	assert_string_equal(file("<clientConfig><emailProvider></clientConfig>"),
	    "not well-formed XML: line 1, column 31: mismatched tag");
	assert_string_equal(file("<clientConfig><emailProvider>"),
	    "not well-formed XML: line 1, column 29: no element found");
	assert_string_equal(file("<clientConfig/><clientConfig/>"),
	    "not well-formed XML: line 1, column 15: junk after document element");
	assert_string_equal(file("<clientConfig a=\"1\" a=\"2\"/>"),
	    "not well-formed XML: line 1, column 20: duplicate attribute");
	assert_string_equal(file("<clientConfig>&amp</clientConfig>"),
	    "not well-formed XML: line 1, column 18: not well-formed (invalid token)");
	assert_string_equal(file("<?xml version=\"1.0\" encoding=\"EBCDIC-1047\"?><clientConfig/>"),
	    "not well-formed XML: line 1, column 30: unknown encoding");
	/* A good file made bad at its end: the servers read before the fault are not kept. */
	assert_string_equal(file(HEAD GOOD GOOD "</emailProvider>"),
	    "not well-formed XML: line 10, column 16: no element found");
}

static void wrong_root(void **state)
{
	(void)state;
	assert_string_equal(file("<html><body>Not Found</body></html>"),
	    "the root element <html> is not <clientConfig>");
	assert_string_equal(file("<?xml version=\"1.0\"?><ClientConfig version=\"1.1\"/>"),
	    "the root element <ClientConfig> is not <clientConfig>");
	assert_string_equal(file("<emailProvider>" GOOD "</emailProvider>"),
	    "the root element <emailProvider> is not <clientConfig>");
	assert_string_equal(file("<a:clientConfig xmlns:a=\"urn:x\"/>"),
	    "the root element <a:clientConfig> is not <clientConfig>");
	/* The name is quoted short. */
	assert_string_equal(file("<r0123456789012345678901234567890123456789012345678901234567/>"),
	    "the root element <r012345678901234567890123456789012345...> is not <clientConfig>");
}

static void size_bound(void **state)
{
	size_t n = AC_FILE_MAX, hn = strlen("<clientConfig>"), tn = strlen("</clientConfig>");
	char *xml = malloc(n + 2);

	(void)state;
	assert_non_null(xml);
	/* AC_FILE_MAX bytes exactly, most of it whitespace: parsed. */
	memcpy(xml, "<clientConfig>", hn);
	memset(xml + hn, ' ', n - hn - tn);
	memcpy(xml + n - tn, "</clientConfig>", tn);
	assert_string_equal(file_n(xml, n), "OK");
	/* One byte more: refused before any parsing. */
	memmove(xml + n + 1 - tn, "</clientConfig>", tn);
	xml[n - tn] = ' ';
	assert_string_equal(file_n(xml, n + 1), "larger than 65536 bytes (65537)");
	assert_string_equal(file_n(xml, (size_t)-1),
	    "larger than 65536 bytes (18446744073709551615)");
	free(xml);
}

static void nul_bytes(void **state)
{
	static const char in_host[] = HEAD IMAP("imap\0.example.org", "993", "SSL") TAIL;
	static const char after[] = "<clientConfig/>\0";
	static const char in_comment[] = "<clientConfig><!-- \0 --></clientConfig>";

	(void)state;
	assert_string_equal(file_n(in_host, sizeof(in_host) - 1),
	    "not well-formed XML: line 8, column 42: not well-formed (invalid token)");
	assert_string_equal(file_n(after, sizeof(after) - 1),
	    "not well-formed XML: line 1, column 15: not well-formed (invalid token)");
	assert_string_equal(file_n(in_comment, sizeof(in_comment) - 1),
	    "not well-formed XML: line 1, column 19: not well-formed (invalid token)");
	assert_string_equal(file("<clientConfig>&#0;</clientConfig>"),
	    "not well-formed XML: line 1, column 14: reference to invalid character number");
}

static void encodings(void **state)
{
	static const char utf16_ascii[] =
	    "<clientConfig><emailProvider>" GOOD "</emailProvider></clientConfig>";
	char utf16[2 * sizeof(utf16_ascii) + 2];
	size_t n = 0;

	(void)state;
	/* Not UTF-8 where the document says nothing else: a stray byte, an overlong
	 * encoding, a surrogate, a truncated sequence. */
	assert_string_equal(file(HEAD "<descr>caf\xe9</descr>" GOOD TAIL),
	    "not well-formed XML: line 8, column 10: not well-formed (invalid token)");
	assert_string_equal(file(HEAD "<descr>\xc0\xaf</descr>" TAIL),
	    "not well-formed XML: line 8, column 7: not well-formed (invalid token)");
	assert_string_equal(file(HEAD "<descr>\xed\xa0\x80</descr>" TAIL),
	    "not well-formed XML: line 8, column 7: not well-formed (invalid token)");
	assert_string_equal(file(HEAD "<descr>\xe2\x82</descr>" TAIL),
	    "not well-formed XML: line 8, column 7: not well-formed (invalid token)");
	assert_string_equal(file(HEAD IMAP("imap.\xff.example.org", "993", "SSL") TAIL),
	    "not well-formed XML: line 8, column 43: not well-formed (invalid token)");
	/* Good UTF-8 text and a byte order mark are fine. */
	assert_string_equal(file("\xef\xbb\xbf" HEAD
	                         "<descr>caf\xc3\xa9 \xe2\x82\xac</descr>" GOOD TAIL),
	    "OK");
	assert_int_equal(cfg.n, 1);
	/* An encoding the declaration names is honoured, as any XML reader does. */
	assert_string_equal(file("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<clientConfig>"
	                         "<emailProvider><descr>caf\xe9</descr>" GOOD
	                         "</emailProvider></clientConfig>"),
	    "OK");
	assert_int_equal(cfg.n, 1);
	/* UTF-16 with its byte order mark (which holds NUL bytes, and is no fault). */
	utf16[n++] = '\xff';
	utf16[n++] = '\xfe';
	for (size_t i = 0; i < sizeof(utf16_ascii) - 1; i++) {
		utf16[n++] = utf16_ascii[i];
		utf16[n++] = '\0';
	}
	assert_string_equal(file_n(utf16, n), "OK");
	assert_int_equal(cfg.n, 1);
	assert_string_equal(cfg.servers[0].host, "imap.example.org");
}

static void arguments(void **state)
{
	(void)state;
	assert_int_equal(autoconfig_parse(GOOD, strlen(GOOD), DOMAIN, NULL), -1);
	assert_int_equal(autoconfig_parse(NULL, 10, DOMAIN, &cfg), -1);
	assert_string_equal(cfg.why, "no file");
	assert_int_equal(autoconfig_parse(ispdb, strlen(ispdb), NULL, &cfg), -1);
	assert_string_equal(cfg.why, "no domain");
	assert_int_equal(autoconfig_parse(ispdb, strlen(ispdb), "exa mple.org", &cfg), -1);
	assert_string_equal(cfg.why,
	    "domain \"exa mple.org\": not a domain name (letters, digits, "
	    "'-' and '.' only)");
	assert_int_equal(autoconfig_parse(ispdb, strlen(ispdb), "", &cfg), -1);
	assert_int_equal(autoconfig_parse(ispdb, strlen(ispdb), "%EMAILDOMAIN%", &cfg), -1);
	assert_int_equal(cfg.n, 0);
	autoconfig_free(&cfg);
	autoconfig_free(&cfg); /* twice is fine */
	autoconfig_free(NULL);
}

/* Whatever the server sends, why holds short, censored, printable text. */
static void why_is_censored(void **state)
{
	(void)state;
	assert_string_equal(fault_of(one(IMAP("[31mred&#9;\x7f\xc3\xa9x&#10;", "993", "SSL"))),
	    "hostname \"[31mred????x\": not a domain name "
	    "(letters, digits, '-' and '.' only)");
	/* XML itself has no raw control characters (XML 1.0 2.2). */
	assert_string_equal(file(HEAD IMAP("\x1b[31m", "993", "SSL") TAIL),
	    "not well-formed XML: line 8, column 38: not well-formed (invalid token)");
	assert_string_equal(fault_of(one(IMAP("h.example.org",
	                        "99999999999999999999999999999999"
	                        "99999999999999999",
	                        "SSL"))),
	    "port \"9999999999999999999999999999999999999...\" is not 1-65535");
	assert_string_equal(file("<\xc3\xa9l\xc3\xa9ment/>"),
	    "the root element <??l??ment> is not <clientConfig>");
}

/* Every cut of a good file is refused (until its last tag is whole), never crashes, and
 * never leaves servers behind. */
static void every_prefix(void **state)
{
	size_t len = strlen(ispdb), last = (size_t)(strrchr(ispdb, '>') - ispdb) + 1;

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		char *copy = malloc(n ? n : 1);

		assert_non_null(copy);
		memcpy(copy, ispdb, n);
		if (n < last)
			assert_string_not_equal(file_n(copy, n), "OK");
		else
			assert_string_equal(file_n(copy, n), "OK");
		free(copy);
	}
	assert_int_equal(cfg.n, 4);
}

/* The good file with bytes changed at random (a fixed seed): the result is 0 or -1, why is
 * clean, and every kept server is well-formed. */
static void mutations(void **state)
{
	static const char alphabet[] = "<>/=\"'&;%!?[]-.: \n\t\r#x0123456789SSLimap\0\xff\xc3";
	unsigned long x = 88172645463325252UL;
	size_t len = strlen(ispdb);
	char *buf = malloc(len);

	(void)state;
	assert_non_null(buf);
	for (int round = 0; round < 4000; round++) {
		memcpy(buf, ispdb, len);
		for (int k = 0; k < 1 + round % 6; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[x % len] = (x & 0x100000) ? (char)(x >> 24)
			                              : alphabet[(x >> 8) % (sizeof(alphabet) - 1)];
		}
		(void)file_n(buf, len);
		for (size_t i = 0; i < cfg.n; i++) {
			const struct ac_server *s = &cfg.servers[i];
			size_t hn = strnlen(s->host, sizeof(s->host));

			assert_true(hn > 0 && hn < sizeof(s->host));
			assert_true(s->host[hn - 1] != '.');
			for (size_t j = 0; j < hn; j++)
				assert_false(s->host[j] >= 'A' && s->host[j] <= 'Z');
			assert_true(s->port >= 1 && s->port <= 65535);
			assert_true(strnlen(s->auth, sizeof(s->auth)) < sizeof(s->auth));
			assert_true(s->proto <= AC_POP3 && s->socket <= AC_SOCKET_SSL);
		}
	}
	free(buf);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(realistic_file),
	    T(order_kept),
	    T(two_providers),
	    T(unknown_types_skipped),
	    T(server_types),
	    T(socket_types),
	    T(ports),
	    T(hostnames),
	    T(authentication),
	    T(value_too_long),
	    T(bad_server_does_not_fail_file),
	    T(servers_out_of_place),
	    T(servers_bound),
	    T(billion_laughs_refused),
	    T(external_entity_never_read),
	    T(not_well_formed),
	    T(wrong_root),
	    T(size_bound),
	    T(nul_bytes),
	    T(encodings),
	    T(arguments),
	    T(why_is_censored),
	    T(every_prefix),
	    T(mutations),
	};
	return cmocka_run_group_tests_name("autoconfig", tests, NULL, NULL);
}
