/*
 * staple_server.c - a small SMTP server that staples OCSP responses (RFC 6066 8,
 * status_request), for the mailtls lab: run by tests/lab/staple.sh, which builds it.
 * Postfix, Dovecot and nginx's mail module cannot staple; `openssl s_server
 * -status_file` staples but speaks no SMTP.
 *
 *   staple-server CONFIG PIDFILE
 *
 * CONFIG has one listener a line (blank lines and # comments skipped):
 *
 *   ADDR PORT starttls|implicit HOSTNAME CHAIN.pem KEY.pem OCSP.der|-
 *
 * starttls: "220 HOSTNAME ESMTP" banner, EHLO offers STARTTLS; implicit: TLS first
 * (465), then the banner. The TLS server sends CHAIN.pem as it is (leaf first) and,
 * when the client asks for certificate status, staples the DER OCSPResponse read
 * from OCSP.der at start (its bytes as they are, whatever they say); "-" staples
 * nothing. TLS 1.2 and 1.3. After STARTTLS, bytes the client sent with the command
 * are discarded (no command injection, CVE-2011-0411). Commands: EHLO, HELO, STARTTLS,
 * NOOP, RSET, QUIT; MAIL, RCPT, DATA get 554 (the lab accepts no mail); anything
 * else 502. A session ends after 30 s.
 *
 * Binds every listener, then forks into the background (own session), writes the
 * child's pid to PIDFILE and exits 0; exits 1 with a message if any listener fails.
 * One process per connection. Log (stderr), one line per TLS handshake:
 *
 *   2026-12-03T08:00:00Z 127.0.0.90:25 peer=127.0.0.1 starttls TLSv1.3
 *       status_request=yes stapled=1523          (one line)
 *
 * status_request=no: the client did not ask (nothing stapled, stapled=0); a failed
 * handshake logs "handshake failed".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTENERS 64
#define SESSION_SECONDS 30

struct listener {
	char addr[64];
	int port;
	int implicit;
	char host[256];
	char chain[1024], key[1024], ocsp[1024];
	unsigned char *resp; /* the staple; NULL: none */
	long resp_len;
	SSL_CTX *ctx;
	int fd;
};

static struct listener ls[MAX_LISTENERS];
static int nls;

/* Per connection (one process each). */
static int asked;
static long stapled;

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("staple-server: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ERR_print_errors_fp(stderr);
	exit(1);
}

/* One log line in one write(2): several processes share the file. */
static void logline(const struct listener *l, const char *peer, const char *fmt, ...)
{
	char buf[1024], when[32];
	time_t t = time(NULL);
	struct tm tm;
	va_list ap;
	int n;

	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(buf, sizeof buf, "%s %s:%d peer=%s %s ", when, l->addr, l->port, peer,
	    l->implicit ? "implicit" : "starttls");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	if (write(2, buf, (size_t)n) < 0) {
		/* nowhere to say it */
	}
}

static int status_cb(SSL *s, void *arg)
{
	struct listener *l = arg;
	unsigned char *copy;

	asked = 1;
	if (l->resp == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	copy = OPENSSL_memdup(l->resp, (size_t)l->resp_len);
	if (copy == NULL)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	if (!SSL_set_tlsext_status_ocsp_resp(s, copy, l->resp_len)) {
		OPENSSL_free(copy);
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	stapled = l->resp_len;
	return SSL_TLSEXT_ERR_OK;
}

static void load(struct listener *l)
{
	FILE *f;

	l->ctx = SSL_CTX_new(TLS_server_method());
	if (l->ctx == NULL)
		die("SSL_CTX_new failed");
	SSL_CTX_set_min_proto_version(l->ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(l->ctx, l->chain) != 1)
		die("%s: cannot load the certificate chain", l->chain);
	if (SSL_CTX_use_PrivateKey_file(l->ctx, l->key, SSL_FILETYPE_PEM) != 1)
		die("%s: cannot load the key", l->key);
	if (SSL_CTX_check_private_key(l->ctx) != 1)
		die("%s does not match %s", l->key, l->chain);
	SSL_CTX_set_tlsext_status_cb(l->ctx, status_cb);
	SSL_CTX_set_tlsext_status_arg(l->ctx, l);
	if (strcmp(l->ocsp, "-") == 0)
		return;
	f = fopen(l->ocsp, "rb");
	if (f == NULL)
		die("%s: %s", l->ocsp, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (l->resp_len = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		die("%s: empty or unreadable", l->ocsp);
	l->resp = malloc((size_t)l->resp_len);
	if (l->resp == NULL || fread(l->resp, 1, (size_t)l->resp_len, f) != (size_t)l->resp_len)
		die("%s: read failed", l->ocsp);
	fclose(f);
}

static void bind_listener(struct listener *l)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	int one = 1, v6 = strchr(l->addr, ':') != NULL;

	l->fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (l->fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (v6) {
		memset(&a6, 0, sizeof a6);
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons((unsigned short)l->port);
		if (inet_pton(AF_INET6, l->addr, &a6.sin6_addr) != 1)
			die("bad address %s", l->addr);
		setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
		if (bind(l->fd, (struct sockaddr *)&a6, sizeof a6) != 0)
			die("bind [%s]:%d: %s", l->addr, l->port, strerror(errno));
	} else {
		memset(&a4, 0, sizeof a4);
		a4.sin_family = AF_INET;
		a4.sin_port = htons((unsigned short)l->port);
		if (inet_pton(AF_INET, l->addr, &a4.sin_addr) != 1)
			die("bad address %s", l->addr);
		if (bind(l->fd, (struct sockaddr *)&a4, sizeof a4) != 0)
			die("bind %s:%d: %s", l->addr, l->port, strerror(errno));
	}
	if (listen(l->fd, 128) != 0)
		die("listen %s:%d: %s", l->addr, l->port, strerror(errno));
}

static void read_config(const char *path)
{
	char line[4096], mode[32];
	FILE *f = fopen(path, "r");
	int lineno = 0;

	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		struct listener *l = &ls[nls];
		char *p = line + strspn(line, " \t");

		lineno++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		if (nls == MAX_LISTENERS)
			die("%s: more than %d listeners", path, MAX_LISTENERS);
		if (sscanf(p, "%63s %d %31s %255s %1023s %1023s %1023s", l->addr, &l->port, mode,
		        l->host, l->chain, l->key, l->ocsp) != 7 ||
		    l->port < 1 || l->port > 65535)
			die("%s:%d: want ADDR PORT starttls|implicit HOST CHAIN KEY OCSP|-", path,
			    lineno);
		if (strcmp(mode, "implicit") == 0)
			l->implicit = 1;
		else if (strcmp(mode, "starttls") != 0)
			die("%s:%d: mode %s is not starttls or implicit", path, lineno, mode);
		nls++;
	}
	fclose(f);
	if (nls == 0)
		die("%s: no listeners", path);
}

/* ---- one SMTP session ------------------------------------------------------ */

struct conn {
	int fd;
	SSL *ssl;
	char buf[4096];
	size_t len;
};

static void say(struct conn *c, const char *s)
{
	size_t n = strlen(s);
	if (c->ssl != NULL) {
		if (SSL_write(c->ssl, s, (int)n) <= 0)
			exit(0);
	} else if (write(c->fd, s, n) != (ssize_t)n) {
		exit(0);
	}
}

/* The next line (CRLF or LF stripped) into line; 0 at EOF or error. */
static int getline_smtp(struct conn *c, char *line, size_t size)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		ssize_t n;

		if (nl != NULL) {
			size_t k = (size_t)(nl - c->buf) + 1, m = k - 1;
			if (m > 0 && c->buf[m - 1] == '\r')
				m--;
			if (m >= size)
				m = size - 1;
			memcpy(line, c->buf, m);
			line[m] = '\0';
			memmove(c->buf, c->buf + k, c->len - k);
			c->len -= k;
			return 1;
		}
		if (c->len == sizeof c->buf)
			c->len = 0; /* an overlong line: drop it */
		if (c->ssl != NULL)
			n = SSL_read(c->ssl, c->buf + c->len, (int)(sizeof c->buf - c->len));
		else
			n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
		if (n <= 0)
			return 0;
		c->len += (size_t)n;
	}
}

static void start_tls(struct listener *l, struct conn *c, const char *peer)
{
	const char *ver;

	c->ssl = SSL_new(l->ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1)
		exit(1);
	if (SSL_accept(c->ssl) != 1) {
		logline(l, peer, "handshake failed");
		exit(0);
	}
	ver = SSL_get_version(c->ssl);
	logline(l, peer, "%s status_request=%s stapled=%ld", ver, asked ? "yes" : "no", stapled);
}

static void session(struct listener *l, int fd, const char *peer)
{
	struct conn c = {.fd = fd};
	char line[1024], reply[600];
	int tls = 0;

	if (l->implicit) {
		start_tls(l, &c, peer);
		tls = 1;
	}
	snprintf(reply, sizeof reply, "220 %s ESMTP mailtls lab stapling server\r\n", l->host);
	say(&c, reply);
	while (getline_smtp(&c, line, sizeof line)) {
		char verb[16] = "";
		sscanf(line, "%15s", verb);
		if (strcasecmp(verb, "EHLO") == 0) {
			snprintf(reply, sizeof reply, "250-%s\r\n%s250 8BITMIME\r\n", l->host,
			    tls ? "" : "250-STARTTLS\r\n");
			say(&c, reply);
		} else if (strcasecmp(verb, "HELO") == 0) {
			snprintf(reply, sizeof reply, "250 %s\r\n", l->host);
			say(&c, reply);
		} else if (strcasecmp(verb, "STARTTLS") == 0) {
			if (tls) {
				say(&c, "503 5.5.1 TLS already active\r\n");
				continue;
			}
			say(&c, "220 2.0.0 Ready to start TLS\r\n");
			c.len = 0; /* what came with STARTTLS is not carried into TLS */
			start_tls(l, &c, peer);
			tls = 1;
		} else if (strcasecmp(verb, "NOOP") == 0 || strcasecmp(verb, "RSET") == 0) {
			say(&c, "250 2.0.0 OK\r\n");
		} else if (strcasecmp(verb, "QUIT") == 0) {
			say(&c, "221 2.0.0 Bye\r\n");
			break;
		} else if (strcasecmp(verb, "MAIL") == 0 || strcasecmp(verb, "RCPT") == 0 ||
		    strcasecmp(verb, "DATA") == 0) {
			say(&c, "554 5.7.1 this lab server accepts no mail\r\n");
		} else {
			say(&c, "502 5.5.2 Command not recognized\r\n");
		}
	}
	if (c.ssl != NULL)
		SSL_shutdown(c.ssl);
}

static void serve(void)
{
	struct pollfd pf[MAX_LISTENERS];
	int i;

	for (i = 0; i < nls; i++) {
		pf[i].fd = ls[i].fd;
		pf[i].events = POLLIN;
	}
	for (;;) {
		if (poll(pf, (nfds_t)nls, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		for (i = 0; i < nls; i++) {
			struct sockaddr_storage sa;
			socklen_t salen = sizeof sa;
			char peer[INET6_ADDRSTRLEN] = "?";
			int fd, j;
			pid_t pid;

			if (!(pf[i].revents & POLLIN))
				continue;
			fd = accept4(ls[i].fd, (struct sockaddr *)&sa, &salen, SOCK_CLOEXEC);
			if (fd < 0)
				continue; /* EAGAIN: another wakeup took it; or a transient error */
			if (sa.ss_family == AF_INET6)
				inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr, peer,
				    sizeof peer);
			else
				inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr, peer,
				    sizeof peer);
			pid = fork();
			if (pid == 0) {
				for (j = 0; j < nls; j++)
					close(ls[j].fd);
				signal(SIGALRM, SIG_DFL);
				alarm(SESSION_SECONDS);
				session(&ls[i], fd, peer);
				_exit(0);
			}
			close(fd);
		}
	}
}

int main(int argc, char **argv)
{
	FILE *pf;
	pid_t pid;
	int i;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CONFIG PIDFILE\n", argv[0]);
		return 2;
	}
	read_config(argv[1]);
	for (i = 0; i < nls; i++) {
		load(&ls[i]);
		bind_listener(&ls[i]);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid > 0) {
		pf = fopen(argv[2], "w");
		if (pf == NULL || fprintf(pf, "%ld\n", (long)pid) < 0 || fclose(pf) != 0) {
			kill(pid, SIGTERM);
			die("%s: cannot write the pid", argv[2]);
		}
		return 0;
	}
	setsid();
	if (chdir("/") != 0) {
		/* paths in CONFIG are absolute: nothing depends on it */
	}
	serve();
	return 0;
}
