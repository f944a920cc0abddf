"""hostile.py - a deliberately misbehaving SMTP server for mailtls end-to-end tests.

It serves the cases a real Postfix will not produce (and, in modes 20-28, a
few IMAP and POP3 ones Dovecot will not).  Python 3 standard library only.

Usage:
    python3 tests/e2e/hostile.py --cert CHAIN.pem --key KEY.pem \
        [--badipsan-cert CHAIN.pem --badipsan-key KEY.pem] \
        [--base-port 2500] [--addr 127.0.0.50] [--capture-dir DIR] [-v]
    python3 tests/e2e/hostile.py --list  [--base-port N]   # human-readable table
    python3 tests/e2e/hostile.py --modes [--base-port N]   # JSON {"mode": port}

It listens on ONE loopback address (default 127.0.0.50) on consecutive TCP
ports, one per mode, starting at --base-port.  When every socket is
listening it prints exactly one line "ready" on stdout (flushed), then
serves until killed; SIGTERM/SIGINT exit cleanly with status 0.  Every
connection is handled in its own daemon thread, so a stuck mode never
blocks another.  Nothing else is ever written to stdout; -v logs to stderr.
Non-loopback addresses are refused.

Port table (offset from --base-port):

  off  mode           behaviour
  ---  -------------  ------------------------------------------------------
   0   nobanner       accept, read and discard, never send anything; close
                      after 120 s
   1   garbage        send 4 KiB of random binary (with NULs, never a valid
                      reply line), then hold the connection open 30 s
   2   endless        send "220-" then an endless line of 'A' (no CRLF) in
                      4 KiB chunks, up to 10 MiB or until the peer closes
   3   dropstarttls   normal banner/EHLO offering STARTTLS; STARTTLS is
                      answered "220 2.0.0 Ready to start TLS", then the
                      socket is closed immediately
   4   starttls454    normal banner/EHLO offering STARTTLS; STARTTLS is
                      answered "454 4.7.0 TLS not available due to local
                      problem"; the session goes on (QUIT -> 221)
   5   inject         normal banner/EHLO offering STARTTLS; STARTTLS is
                      answered, in ONE sendall, with
                      "220 2.0.0 Ready to start TLS\r\n250-injected\r\n
                      250 PIPELINING\r\n", then real TLS (--cert/--key);
                      EHLO over TLS -> "250-hostile.test / 250 8BITMIME"
   6   nostarttls     banner; EHLO without STARTTLS ("250-hostile.test /
                      250-PIPELINING / 250 8BITMIME"); STARTTLS -> 502
   7   banner554      "554 5.7.1 hostile.test no service for you"; QUIT ->
                      221 and close, other commands -> 503; closes after
                      10 s of silence
   8   trickle        "220 " then one banner byte per second, forever, never
                      a CRLF (stops only when the peer goes away)
   9   badmultiline   banner ok; EHLO reply "250-hostile.test\r\n
                      251-STARTTLS\r\n250 8BITMIME\r\n" (code changes on a
                      continuation line, RFC 5321 4.2.1); a STARTTLS that
                      follows anyway gets a real TLS session
  10   manylines      banner ok; EHLO reply of 100000 "250-X\r\n" lines and
                      never a final line; then holds the connection (no
                      more output) until the peer closes or 120 s pass
  11   good           well-behaved control case: banner, EHLO with STARTTLS,
                      real TLS, EHLO after TLS, QUIT -> 221
  12   tlsgarbage     banner, EHLO with STARTTLS, STARTTLS -> 220, then (once
                      the ClientHello arrives, or after 10 s) 4 KiB of random
                      bytes instead of a ServerHello; held open 10 s
  13   ipv4banner-lf  like "good" but every reply line ends in a bare LF
                      ("220 hostile.test ESMTP\n"), before and after TLS
  14   badipsan       like "good" but TLS presents --badipsan-cert/--badipsan-key
                      (tests/lab/pki.sh "badipsan": leaf + intermediate; the
                      leaf's subjectAltName is DNS:good.mail.test and an
                      iPAddress of 0 bytes).  Started without those options,
                      this mode greets "421 4.3.0 ..." and closes instead
  15   split4096      like "good" but the greeting is one line of exactly
                      4096 bytes ("220 hostile.test ESMTP " and printable
                      filler, no continuation), then "\r" in a segment of its
                      own, 0.2 s pause, then "\n" in another
  16   split4097      the same with 4097 bytes before the "\r" (one over the
                      4096-byte line limit of clients like mailtls)
  17   trailing       greets "220 hostile.test ESMTP" and "250 bogus" in one
                      segment (data before the client has spoken), then
                      behaves like "good" (EHLO offers STARTTLS)
  18   slowgreet      like "good" but the greeting comes 3 s after the
                      connect (Exim's connect-ACL delay, Sendmail's
                      greet_pause)
  19   pieces         like "good" but Nagle stays on and every reply line is
                      written in two pieces (as GNU Mailutils and Perdition
                      write): a client that delays its ACKs waits ~40 ms for
                      the second piece of each line
  20   injectsmtp     CVE-2011-0411 (STARTTLS command injection), SMTP: what
                      the client sent behind "STARTTLS" in the same read is
                      KEPT and answered over TLS right after the handshake,
                      unasked (NOOP -> "250 2.0.0 Ok"); then serves on over
                      TLS.  "220 hostile.test ESMTP"; EHLO -> "250-hostile.test
                      / 250-PIPELINING / 250-STARTTLS / 250 8BITMIME"; over TLS
                      "250-hostile.test / 250-PIPELINING / 250 8BITMIME"
  21   injectimap     the same bug, IMAP: "* OK [CAPABILITY IMAP4rev1 STARTTLS
                      LOGINDISABLED] hostile ready"; "T CAPABILITY" -> "*
                      CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED / T OK done"
                      (over TLS "* CAPABILITY IMAP4rev1 AUTH=PLAIN / T OK
                      done"); "T STARTTLS" -> "T OK Begin TLS negotiation now";
                      "T NOOP" -> "T OK NOOP completed"; "T LOGOUT" -> "* BYE
                      hostile logging out / T OK LOGOUT completed"
  22   injectpop3     the same bug, POP3: "+OK hostile ready"; CAPA -> "+OK /
                      STLS / ." (over TLS "+OK / USER / SASL PLAIN / ."); STLS
                      -> "+OK Begin TLS"; NOOP -> "+OK"; QUIT -> "+OK bye"
  23   safesmtp       injectsmtp done right: the input behind STARTTLS is
                      discarded, nothing comes after the handshake unasked
                      ("good" discards too; this one has injectsmtp's replies
                      and --capture-dir)
  24   safeimap       injectimap done right (input behind STARTTLS discarded)
  25   safepop3       injectpop3 done right (input behind STLS discarded)
  26   preauth        IMAP greeting "* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS]
                      logged in as nobody"; "T STARTTLS" -> "T BAD STARTTLS not
                      allowed now" (RFC 3501 6.2.1: not in the authenticated
                      state); CAPABILITY ("* CAPABILITY IMAP4rev1 STARTTLS"),
                      NOOP, LOGOUT as in injectimap, all in plaintext
  27   authplain587   SMTP submission that does not require TLS: EHLO ->
                      "250-hostile.test / 250-PIPELINING / 250-AUTH PLAIN LOGIN
                      / 250-STARTTLS / 250 8BITMIME"; AUTH and MAIL work before
                      TLS ("AUTH PLAIN" -> "334 ", "*" -> "501 5.7.0
                      Authentication aborted"; "MAIL FROM:<..>" -> "250 2.1.0
                      Ok"); STARTTLS -> 220, TLS (input behind it discarded);
                      EHLO over TLS lists AUTH PLAIN LOGIN
  28   authreq587     its correct variant: EHLO before TLS has STARTTLS and no
                      AUTH; AUTH, MAIL, RCPT before TLS -> "530 5.7.0 Must
                      issue a STARTTLS command first"; over TLS EHLO lists
                      "AUTH PLAIN LOGIN"

"Normal" SMTP handling (modes 3-6, 9-19): lines end in CRLF or bare LF;
EHLO/HELO, STARTTLS, QUIT (221, close), NOOP/RSET (250); anything else
"502 5.5.2 unknown".  After TLS: EHLO without STARTTLS, STARTTLS -> 503.
Input lines are limited to 4096 bytes (longer -> 500 and close).  Data the
client pipelined after STARTTLS is discarded before the TLS handshake.
Idle sessions are closed after 60 s.  Per-connection exceptions (reset,
broken pipe, TLS errors, timeouts) are swallowed.

Modes 20-28 have the same line, idle and handshake bounds, and besides end
every connection after 300 s, or after 1 MiB of plaintext input.  SMTP there:
HELO, NOOP/RSET ("250 2.0.0 Ok"), QUIT ("221 2.0.0 Bye"), MAIL ("250 2.1.0
Ok"), RCPT after MAIL ("250 2.1.5 Ok"), STARTTLS over TLS -> 503, else "502
5.5.2 Error: command not recognized"; AUTH -> 503 in 20 and 23.  AUTH in 27
and 28: PLAIN (initial response or "334 ") and LOGIN ("334 VXNlcm5hbWU6",
"334 UGFzc3dvcmQ6"); "*" aborts (501); "235 2.7.0 Authentication successful"
only for the user "alice", password "lab-secret-1" (AUTH PLAIN of
"\0alice\0lab-secret-1"), else "535 5.7.8 Error: authentication failed".
STARTTLS resets MAIL and AUTH state.  IMAP there: other commands "T BAD
unknown command" (LOGIN/AUTHENTICATE: NO before TLS, NO after, BAD in
preauth); POP3: "-ERR unknown command" (USER/PASS/APOP/AUTH: -ERR).

--capture-dir DIR: each connection to modes 20-28 writes DIR/<mode>-<n>.plain
(created 0600, truncated if it exists; n counts that mode's connections from
1, in accept order), holding every byte the client sent in plaintext, raw as
received: everything read before the TLS handshake (STARTTLS and what came
with it included), plaintext found ahead of the ClientHello, and, for a
session that never starts TLS, what arrives until the close.  The file exists
before the greeting is sent.  If it cannot be written the connection is closed
without a greeting (and a line on stderr).
"""

import argparse
import base64
import binascii
import ipaddress
import json
import os
import selectors
import signal
import socket
import ssl
import sys
import threading
import time

HOST = "hostile.test"
BANNER = "220 %s ESMTP" % HOST
LINE_LIMIT = 4096
IDLE_TIMEOUT = 60.0
HANDSHAKE_TIMEOUT = 30.0

MODES = [
    ("nobanner", "accept, read and discard, never send anything (120 s)"),
    ("garbage", "4 KiB random binary incl. NULs, no valid reply, hold 30 s"),
    ("endless", "'220-' + endless line of 'A', no CRLF, up to 10 MiB"),
    ("dropstarttls", "STARTTLS -> 220, then the socket is closed at once"),
    ("starttls454", "STARTTLS -> 454 4.7.0, session continues, QUIT -> 221"),
    ("inject", "STARTTLS -> 220 + injected 250 lines in one send, then TLS"),
    ("nostarttls", "EHLO reply without STARTTLS, QUIT -> 221"),
    ("banner554", "554 banner, QUIT -> 221, close after 10 s silence"),
    ("trickle", "'220 ' then one banner byte per second forever, no CRLF"),
    ("badmultiline", "EHLO reply 250-/251-/250 (inconsistent codes)"),
    ("manylines", "EHLO reply of 100000 '250-X' lines, never a final line"),
    ("good", "well-behaved: banner, EHLO, STARTTLS, TLS, EHLO, QUIT"),
    ("tlsgarbage", "STARTTLS -> 220, then random bytes instead of ServerHello"),
    ("ipv4banner-lf", "like good, but all replies end in bare LF"),
    # Append new modes here: the offsets of the ones above must not move.
    ("badipsan", "like good, with --badipsan-cert (0-byte iPAddress SAN)"),
    ("split4096", "like good, greeting of 4096 bytes, then CR, 0.2 s, LF"),
    ("split4097", "like good, greeting of 4097 bytes, then CR, 0.2 s, LF"),
    ("trailing", "greeting followed by '250 bogus' unasked, then like good"),
    ("slowgreet", "like good, the greeting 3 s after the connect"),
    ("pieces", "like good, Nagle on, each reply line in two writes"),
    ("injectsmtp", "SMTP, input behind STARTTLS answered over TLS (CVE-2011-0411)"),
    ("injectimap", "IMAP, input behind STARTTLS answered over TLS (CVE-2011-0411)"),
    ("injectpop3", "POP3, input behind STLS answered over TLS (CVE-2011-0411)"),
    ("safesmtp", "SMTP, input behind STARTTLS discarded (correct)"),
    ("safeimap", "IMAP, input behind STARTTLS discarded (correct)"),
    ("safepop3", "POP3, input behind STLS discarded (correct)"),
    ("preauth", "IMAP PREAUTH greeting; STARTTLS -> BAD (RFC 3501 6.2.1)"),
    ("authplain587", "SMTP submission, AUTH PLAIN LOGIN and MAIL allowed before TLS"),
    ("authreq587", "SMTP submission, AUTH/MAIL before TLS -> 530; AUTH after TLS"),
    ("busy421twice", "421 'too many connections' to the first two connections, then like good"),
    ("busy421", "421 'too many connections' to every connection"),
]

VERBOSE = False


def log(fmt, *args):
    if VERBOSE:
        try:
            sys.stderr.write("hostile: " + (fmt % args) + "\n")
            sys.stderr.flush()
        except Exception:
            pass


# ---------------------------------------------------------------- helpers


class LineTooLong(Exception):
    pass


class PeerClosed(Exception):
    pass


class LineReader:
    """Bounded line reader over a plain or TLS socket (CRLF or bare LF)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def readline(self):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 1:]
                if len(line) > LINE_LIMIT:
                    raise LineTooLong()
                return line[:-1] if line.endswith(b"\r") else line
            if len(self.buf) > LINE_LIMIT:
                raise LineTooLong()
            data = self.recv()
            if not data:
                raise PeerClosed()
            self.buf += data

    def recv(self):
        return self.sock.recv(4096)

    def discard(self):
        """Drop anything already read but not consumed (STARTTLS pipelining)."""
        self.buf = b""


def random_garbage(n):
    """n random bytes that contain NULs and cannot parse as an SMTP reply
    (no line starts with a digit) nor as a TLS record: content type 0x00 and a
    major version of 0x00, so a client refuses the header at once instead of
    waiting for a record length the random bytes might announce."""
    b = bytearray(os.urandom(n))
    for i in range(0, n, 97):
        b[i] = 0
    if n > 1:
        b[1] = 0
    for i in range(1, n):
        if b[i - 1] == 0x0A and 0x30 <= b[i] <= 0x39:
            b[i] = 0
    return bytes(b)


def hold(sock, seconds):
    """Keep the connection open for up to `seconds`, reading and discarding
    whatever arrives; return early when the peer closes."""
    deadline = time.monotonic() + seconds
    sock.setblocking(True)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        sock.settimeout(left)
        try:
            if not sock.recv(65536):
                return
        except socket.timeout:
            return


def wait_input(sock, wait):
    """Wait up to `wait` seconds for the first input on a plain socket and
    discard it.  Returns "data", "eof" or "timeout"."""
    sel = selectors.DefaultSelector()
    try:
        sel.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            if sel.select(left):
                try:
                    data = sock.recv(65536, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    continue
                return "data" if data else "eof"
    finally:
        sel.close()


def graceful_close(sock, tap=None):
    """Close after QUIT: TLS close_notify if TLS, else FIN and a short drain
    so that unread client data does not turn our FIN into a RST.  `tap` (if
    given) sees what the drain reads from a connection that never had TLS."""
    try:
        sock.settimeout(1.0)
        if isinstance(sock, ssl.SSLSocket):
            tap = None
            try:
                sock = sock.unwrap()
            except Exception:
                pass
        try:
            sock.shutdown(socket.SHUT_WR)
            end = time.monotonic() + 1.0
            while time.monotonic() < end:
                data = sock.recv(4096)
                if not data:
                    break
                if tap is not None:
                    tap(data)
        except Exception:
            pass
    finally:
        try:
            sock.close()
        except Exception:
            pass


# ---------------------------------------------------------------- sessions


class Session:
    """Scripted SMTP session.  Behaviour knobs are set per mode below."""

    # pre-TLS EHLO reply (lines without line ending), or raw bytes
    ehlo_lines = [HOST, "STARTTLS", "8BITMIME"]
    ehlo_raw = None
    tls_ehlo_lines = [HOST, "8BITMIME"]
    # what STARTTLS does before TLS: "tls", "drop", "454", "inject",
    # "garbage", "none"
    starttls = "tls"
    eol = "\r\n"

    def __init__(self, sock, ctx):
        self.sock = sock
        self.ctx = ctx
        self.tls = False
        self.reader = LineReader(sock)

    # -- output
    def send(self, text):
        self.sock.sendall(text.encode("latin-1"))

    def reply(self, *lines):
        self.send(self.eol.join(lines) + self.eol)

    def multiline(self, code, items):
        out = []
        for i, item in enumerate(items):
            sep = " " if i == len(items) - 1 else "-"
            out.append("%d%s%s" % (code, sep, item))
        self.reply(*out)

    # -- flow
    def run(self):
        self.sock.settimeout(IDLE_TIMEOUT)
        self.greet()
        self.loop()

    def greet(self):
        self.reply(BANNER)

    def loop(self):
        while True:
            try:
                line = self.reader.readline()
            except LineTooLong:
                self.reply("500 5.5.2 line too long")
                graceful_close(self.sock)
                return
            words = line.split(None, 1)
            verb = words[0].upper() if words else b""
            log("%s: %r", type(self).__name__, line[:80])
            if self.command(verb, line) == "stop":
                return

    def command(self, verb, line):
        if verb == b"EHLO":
            self.do_ehlo()
        elif verb == b"HELO":
            self.reply("250 " + HOST)
        elif verb == b"STARTTLS":
            return self.do_starttls()
        elif verb == b"QUIT":
            self.reply("221 2.0.0 " + HOST + " closing connection")
            graceful_close(self.sock)
            return "stop"
        elif verb in (b"NOOP", b"RSET"):
            self.reply("250 2.0.0 OK")
        else:
            self.reply("502 5.5.2 unknown")
        return None

    def do_ehlo(self):
        if self.tls:
            self.multiline(250, self.tls_ehlo_lines)
        elif self.ehlo_raw is not None:
            self.sock.sendall(self.ehlo_raw)
        else:
            self.multiline(250, self.ehlo_lines)

    def do_starttls(self):
        if self.tls:
            self.reply("503 5.5.1 TLS already active")
            return None
        mode = self.starttls
        if mode == "none":
            self.reply("502 5.5.1 STARTTLS not supported")
            return None
        if mode == "454":
            self.reply("454 4.7.0 TLS not available due to local problem")
            return None
        self.reader.discard()
        if mode == "drop":
            self.reply("220 2.0.0 Ready to start TLS")
            self.sock.close()
            return "stop"
        if mode == "inject":
            # One sendall, one write(): on loopback this is one TCP segment.
            self.sock.sendall(b"220 2.0.0 Ready to start TLS\r\n"
                              b"250-injected\r\n250 PIPELINING\r\n")
        else:
            self.reply("220 2.0.0 Ready to start TLS")
        if mode == "garbage":
            wait_input(self.sock, 10.0)       # wait for the ClientHello
            self.sock.sendall(random_garbage(4096))
            hold(self.sock, 10.0)
            self.sock.close()
            return "stop"
        # real TLS
        self.sock.settimeout(HANDSHAKE_TIMEOUT)
        self.sock = self.ctx.wrap_socket(self.sock, server_side=True)
        self.sock.settimeout(IDLE_TIMEOUT)
        self.tls = True
        self.reader = LineReader(self.sock)
        log("%s: TLS up (%s, %s)", type(self).__name__,
            self.sock.version(), self.sock.cipher()[0])
        return None


class NoBanner(Session):
    def run(self):
        hold(self.sock, 120.0)


class Garbage(Session):
    def run(self):
        self.sock.settimeout(IDLE_TIMEOUT)
        self.sock.sendall(random_garbage(4096))
        hold(self.sock, 30.0)


class Endless(Session):
    def run(self):
        self.sock.settimeout(120.0)       # bound a peer that stops reading
        self.sock.sendall(b"220-")
        chunk = b"A" * 4096
        for _ in range((10 * 1024 * 1024) // len(chunk)):
            self.sock.sendall(chunk)
        graceful_close(self.sock)


class DropStartTLS(Session):
    starttls = "drop"


class StartTLS454(Session):
    starttls = "454"


class Inject(Session):
    starttls = "inject"


class NoStartTLS(Session):
    starttls = "none"
    ehlo_lines = [HOST, "PIPELINING", "8BITMIME"]


class Banner554(Session):
    def greet(self):
        self.reply("554 5.7.1 %s no service for you" % HOST)

    def run(self):
        self.sock.settimeout(10.0)
        self.greet()
        self.loop()

    def command(self, verb, line):
        if verb == b"QUIT":
            return Session.command(self, verb, line)
        self.reply("503 5.5.1 no service, only QUIT")
        return None


class Busy421(Session):
    """A server at its connection limit: 421 at once, then close (RFC 5321 3.8)."""
    LIMIT = None  # connections refused before it serves; None: all of them
    seen = 0
    lock = threading.Lock()

    def run(self):
        cls = type(self)
        with Busy421.lock:
            cls.seen += 1
            n = cls.seen
        if self.LIMIT is None or n <= self.LIMIT:
            self.reply("421 4.7.0 %s Error: too many connections, try again later" % HOST)
            return
        Session.run(self)


class Busy421Twice(Busy421):
    LIMIT = 2
    seen = 0


class Trickle(Session):
    def run(self):
        self.sock.sendall(b"220 ")
        text = (HOST + " ESMTP trickle ").encode()
        i = 0
        while True:
            self.sock.sendall(text[i % len(text):i % len(text) + 1])
            i += 1
            due = time.monotonic() + 1.0
            while True:
                left = due - time.monotonic()
                if left <= 0:
                    break
                if wait_input(self.sock, left) == "eof":
                    return


class BadMultiline(Session):
    ehlo_raw = ("250-%s\r\n251-STARTTLS\r\n250 8BITMIME\r\n" % HOST).encode()


class ManyLines(Session):
    def do_ehlo(self):
        block = b"250-X\r\n" * 1000
        for _ in range(100):              # 100 x 1000 = 100000 lines
            self.sock.sendall(block)
        hold(self.sock, 120.0)
        raise PeerClosed()


class Good(Session):
    pass


class TLSGarbage(Session):
    starttls = "garbage"


class BareLF(Session):
    eol = "\n"


class BadIPSAN(Session):
    """Good, over the badipsan context (main() hands it in); None if not loaded."""

    def run(self):
        if self.ctx is None:
            self.reply("421 4.3.0 %s badipsan mode needs --badipsan-cert/--badipsan-key"
                       % HOST)
            graceful_close(self.sock)
            return
        Session.run(self)


def long_greeting(n):
    """One 220 reply line of exactly n bytes (line ending not counted):
    "220 hostile.test ESMTP " and then printable filler, no blanks at the end."""
    head = BANNER + " "
    fill = "0123456789abcdefghijklmnopqrstuvwxyz"
    body = (fill * (n // len(fill) + 1))[:n - len(head)]
    return head + body


class SplitCRLF(Session):
    """Greeting of `length` bytes; its CR and LF in two segments 0.2 s apart
    (TCP_NODELAY is set on every connection, serve_conn)."""
    length = LINE_LIMIT

    def greet(self):
        line = long_greeting(self.length)
        assert len(line) == self.length
        self.send(line)
        self.send("\r")
        time.sleep(0.2)
        self.send("\n")


class SplitCRLF4096(SplitCRLF):
    length = 4096


class SplitCRLF4097(SplitCRLF):
    length = 4097


class Trailing(Session):
    """A line nobody asked for, right behind the greeting, in the same segment."""

    def greet(self):
        self.send(BANNER + "\r\n250 bogus\r\n")


class Pieces(Session):
    """Replies in small writes with Nagle on: the second write of a line waits for the
    client's ACK of the first."""

    def run(self):
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
        super().run()

    def reply(self, *lines):
        for line in lines:
            data = (line + self.eol).encode("latin-1")
            self.sock.sendall(data[:4])
            self.sock.sendall(data[4:])


class SlowGreet(Session):
    """The greeting held back, as a connect-ACL delay or greet_pause does."""
    delay = 3.0

    def greet(self):
        time.sleep(self.delay)
        self.reply(BANNER)


# ------------------------------------------- STARTTLS upgrades (modes 20-28)


SESSION_LIMIT = 300.0          # a whole connection of modes 20-28, seconds
PLAIN_LIMIT = 1 << 20          # plaintext input per connection of modes 20-28
CREDENTIALS = b"\0alice\0lab-secret-1"    # the AUTH PLAIN that passes (235)


class TooMuchInput(Exception):
    pass


def b64(text):
    """base64 to bytes; None when it is not base64."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


class Capture:
    """--capture-dir: DIR/<mode>-<n>.plain (0600), the raw bytes a client sent
    before its TLS handshake, written as they are read."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC
                          | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        os.fchmod(self.fd, 0o600)

    def write(self, data):
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def close(self):
        try:
            os.close(self.fd)
        except OSError:
            pass


class TapReader(LineReader):
    """LineReader under a session deadline; what it reads is shown to `tap`
    (set while the connection is plaintext)."""

    def __init__(self, sock, deadline, tap=None):
        LineReader.__init__(self, sock)
        self.deadline = deadline
        self.tap = tap

    def recv(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("session time limit")
        self.sock.settimeout(min(IDLE_TIMEOUT, left))
        data = self.sock.recv(4096)
        if data and self.tap is not None:
            self.tap(data)
        return data


class Upgrade(Session):
    """Base of modes 20-28: a session bounded by SESSION_LIMIT whose plaintext
    input is counted (PLAIN_LIMIT) and copied to the --capture-dir file, and
    whose STARTTLS/STLS upgrade either drops what the client sent behind the
    command in the same read (correct: RFC 3207 4.2, RFC 2595 3.1) or keeps it
    and answers it over TLS (the CVE-2011-0411 bug)."""

    captured = True            # main(): --capture-dir applies to this mode
    keep_plaintext = False
    too_long = "500 5.5.2 line too long"

    def __init__(self, sock, ctx, capture=None):
        Session.__init__(self, sock, ctx)
        self.capture = capture
        self.plain = 0
        self.deadline = time.monotonic() + SESSION_LIMIT
        self.reader = TapReader(sock, self.deadline, self.tap)

    def tap(self, data):
        self.plain += len(data)
        if self.plain > PLAIN_LIMIT:
            raise TooMuchInput("more than %d plaintext bytes" % PLAIN_LIMIT)
        if self.capture is not None:
            self.capture.write(data)

    def close(self):
        graceful_close(self.sock, None if self.tls else self.tap)

    def loop(self):
        while True:
            try:
                line = self.reader.readline()
            except LineTooLong:
                self.reply(self.too_long)
                self.close()
                return
            log("%s%s: %r", type(self).__name__, " (TLS)" if self.tls else "",
                line[:80])
            if self.command(line) == "stop":
                return

    def upgrade(self, *lines):
        """Send the STARTTLS/STLS answer `lines`, then the TLS handshake."""
        kept = self.reader.buf if self.keep_plaintext else b""
        self.reader.discard()
        self.reply(*lines)
        left = min(HANDSHAKE_TIMEOUT, self.deadline - time.monotonic())
        if self.capture is not None:
            start = time.monotonic()
            self.peek_plaintext(left)
            left -= time.monotonic() - start
        if left <= 0:
            raise socket.timeout("no ClientHello")
        self.sock.settimeout(left)
        self.sock = self.ctx.wrap_socket(self.sock, server_side=True)
        self.tls = True
        self.reader = TapReader(self.sock, self.deadline)
        self.reader.buf = kept
        log("%s: TLS up (%s, %s), %d plaintext bytes kept", type(self).__name__,
            self.sock.version(), self.sock.cipher()[0], len(kept))

    def peek_plaintext(self, wait):
        """Capture plaintext sent after our answer but ahead of the ClientHello
        (a TLS record starts with 0x16 0x03).  It stays in the socket, so the
        handshake still sees it and fails as it would anyway."""
        sel = selectors.DefaultSelector()
        try:
            sel.register(self.sock, selectors.EVENT_READ)
            if not sel.select(max(wait, 0)):
                return
        finally:
            sel.close()
        try:
            data = self.sock.recv(65536, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            return
        end = data.find(b"\x16\x03")
        if end != 0:
            self.capture.write(data if end < 0 else data[:end])


class Smtp(Upgrade):
    """SMTP of modes 20, 23, 27, 28.  auth: "never" (AUTH -> 503), "always"
    (offered and usable before TLS too), "tls" (offered after TLS only; AUTH,
    MAIL and RCPT before it -> 530)."""

    auth = "never"

    def __init__(self, sock, ctx, capture=None):
        Upgrade.__init__(self, sock, ctx, capture)
        self.mail = False
        self.authed = False

    def ehlo_items(self):
        items = [HOST, "PIPELINING"]
        if self.auth == "always" or (self.auth == "tls" and self.tls):
            items.append("AUTH PLAIN LOGIN")
        if not self.tls:
            items.append("STARTTLS")
        return items + ["8BITMIME"]

    def command(self, line):
        words = line.split(None, 1)
        verb = words[0].upper() if words else b""
        arg = words[1] if len(words) > 1 else b""
        if verb == b"EHLO":
            self.mail = False
            self.multiline(250, self.ehlo_items())
        elif verb == b"HELO":
            self.mail = False
            self.reply("250 " + HOST)
        elif verb == b"STARTTLS":
            if self.tls:
                self.reply("503 5.5.1 Error: TLS already active")
            else:
                self.upgrade("220 2.0.0 Ready to start TLS")
                self.mail = self.authed = False       # RFC 3207 4.2
        elif verb in (b"NOOP", b"RSET"):
            if verb == b"RSET":
                self.mail = False
            self.reply("250 2.0.0 Ok")
        elif verb == b"QUIT":
            self.reply("221 2.0.0 Bye")
            self.close()
            return "stop"
        elif verb in (b"AUTH", b"MAIL", b"RCPT") and self.auth == "tls" \
                and not self.tls:
            self.reply("530 5.7.0 Must issue a STARTTLS command first")
        elif verb == b"AUTH":
            self.do_auth(arg)
        elif verb == b"MAIL":
            if self.mail:
                self.reply("503 5.5.1 Error: nested MAIL command")
            else:
                self.mail = True
                self.reply("250 2.1.0 Ok")
        elif verb == b"RCPT":
            if self.mail:
                self.reply("250 2.1.5 Ok")
            else:
                self.reply("503 5.5.1 Error: need MAIL command")
        else:
            self.reply("502 5.5.2 Error: command not recognized")
        return None

    def challenge(self, text):
        """334 `text`; the client's answer, or None after "*" (501 sent)."""
        self.reply("334 " + text)
        answer = self.reader.readline().strip()
        if answer == b"*":
            self.reply("501 5.7.0 Authentication aborted")
            return None
        return answer

    def do_auth(self, arg):
        if self.auth == "never":
            self.reply("503 5.5.1 Error: authentication not enabled")
            return
        if self.authed:
            self.reply("503 5.5.1 Error: already authenticated")
            return
        words = arg.split()
        mech = words[0].upper() if words else b""
        if mech == b"PLAIN":
            answer = words[1] if len(words) > 1 else self.challenge("")
            if answer is None:
                return
            ok = b64(answer) == CREDENTIALS
        elif mech == b"LOGIN":
            user = words[1] if len(words) > 1 else self.challenge("VXNlcm5hbWU6")
            if user is None:
                return
            password = self.challenge("UGFzc3dvcmQ6")
            if password is None:
                return
            ok = b"\0" + (b64(user) or b"") + b"\0" + (b64(password) or b"") \
                == CREDENTIALS
        else:
            self.reply("535 5.7.8 Error: authentication failed: "
                       "Invalid authentication mechanism")
            return
        if ok:
            self.authed = True
            self.reply("235 2.7.0 Authentication successful")
        else:
            self.reply("535 5.7.8 Error: authentication failed")


class Imap(Upgrade):
    """IMAP of modes 21, 24, 26."""

    preauth = False
    too_long = "* BAD line too long"

    def greet(self):
        if self.preauth:
            self.reply("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] "
                       "logged in as nobody")
        else:
            self.reply("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] "
                       "hostile ready")

    def capabilities(self):
        if self.tls:
            return "IMAP4rev1 AUTH=PLAIN"
        if self.preauth:
            return "IMAP4rev1 STARTTLS"
        return "IMAP4rev1 STARTTLS LOGINDISABLED"

    def command(self, line):
        words = line.split(None, 2)
        if len(words) < 2:
            self.reply("* BAD missing tag or command")
            return None
        tag = words[0].decode("latin-1")
        verb = words[1].upper()
        if verb == b"CAPABILITY":
            self.reply("* CAPABILITY " + self.capabilities(), tag + " OK done")
        elif verb == b"NOOP":
            self.reply(tag + " OK NOOP completed")
        elif verb == b"LOGOUT":
            self.reply("* BYE hostile logging out", tag + " OK LOGOUT completed")
            self.close()
            return "stop"
        elif verb == b"STARTTLS":
            if self.tls:
                self.reply(tag + " BAD TLS already active")
            elif self.preauth:                    # RFC 3501 6.2.1
                self.reply(tag + " BAD STARTTLS not allowed now")
            else:
                self.upgrade(tag + " OK Begin TLS negotiation now")
        elif verb in (b"LOGIN", b"AUTHENTICATE"):
            if self.preauth:
                self.reply(tag + " BAD already authenticated")
            elif not self.tls:
                self.reply(tag + " NO [PRIVACYREQUIRED] LOGINDISABLED, "
                           "STARTTLS first")
            else:
                self.reply(tag + " NO [AUTHENTICATIONFAILED] not here")
        else:
            self.reply(tag + " BAD unknown command")
        return None


class Pop3(Upgrade):
    """POP3 of modes 22, 25."""

    too_long = "-ERR line too long"

    def greet(self):
        self.reply("+OK hostile ready")

    def command(self, line):
        words = line.split(None, 1)
        verb = words[0].upper() if words else b""
        if verb == b"CAPA":
            if self.tls:
                self.reply("+OK", "USER", "SASL PLAIN", ".")
            else:
                self.reply("+OK", "STLS", ".")
        elif verb == b"STLS":
            if self.tls:
                self.reply("-ERR TLS already active")
            else:
                self.upgrade("+OK Begin TLS")
        elif verb == b"NOOP":
            self.reply("+OK")
        elif verb == b"QUIT":
            self.reply("+OK bye")
            self.close()
            return "stop"
        elif verb in (b"USER", b"PASS", b"APOP", b"AUTH"):
            self.reply("-ERR not here" if self.tls else "-ERR STLS first")
        else:
            self.reply("-ERR unknown command")
        return None


class InjectSmtp(Smtp):
    keep_plaintext = True


class SafeSmtp(Smtp):
    pass


class InjectImap(Imap):
    keep_plaintext = True


class SafeImap(Imap):
    pass


class InjectPop3(Pop3):
    keep_plaintext = True


class SafePop3(Pop3):
    pass


class PreAuth(Imap):
    preauth = True


class AuthPlain587(Smtp):
    auth = "always"


class AuthReq587(Smtp):
    auth = "tls"


HANDLERS = {
    "nobanner": NoBanner,
    "garbage": Garbage,
    "endless": Endless,
    "dropstarttls": DropStartTLS,
    "starttls454": StartTLS454,
    "inject": Inject,
    "nostarttls": NoStartTLS,
    "banner554": Banner554,
    "trickle": Trickle,
    "badmultiline": BadMultiline,
    "manylines": ManyLines,
    "good": Good,
    "tlsgarbage": TLSGarbage,
    "ipv4banner-lf": BareLF,
    "badipsan": BadIPSAN,
    "split4096": SplitCRLF4096,
    "split4097": SplitCRLF4097,
    "trailing": Trailing,
    "slowgreet": SlowGreet,
    "pieces": Pieces,
    "injectsmtp": InjectSmtp,
    "injectimap": InjectImap,
    "injectpop3": InjectPop3,
    "safesmtp": SafeSmtp,
    "safeimap": SafeImap,
    "safepop3": SafePop3,
    "preauth": PreAuth,
    "authplain587": AuthPlain587,
    "authreq587": AuthReq587,
    "busy421twice": Busy421Twice,
    "busy421": Busy421,
}
assert [m for m, _ in MODES] == list(HANDLERS)


def serve_conn(mode, sock, peer, ctx, capture_path=None):
    log("%s: connection from %s", mode, peer)
    capture = None
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if capture_path is None:
            HANDLERS[mode](sock, ctx).run()
        else:
            try:
                capture = Capture(capture_path)
            except OSError as e:          # no capture, no session: say so
                sys.stderr.write("hostile: %s: cannot write %s: %s\n"
                                 % (mode, capture_path, e))
                sys.stderr.flush()
                return
            log("%s: capturing plaintext to %s", mode, capture_path)
            HANDLERS[mode](sock, ctx, capture).run()
    except PeerClosed:
        log("%s: peer closed", mode)
    except Exception as e:                # peer gone, reset, TLS error, ...
        log("%s: %s: %s", mode, type(e).__name__, e)
    finally:
        if capture is not None:
            capture.close()
        try:
            sock.close()
        except Exception:
            pass
        log("%s: done %s", mode, peer)


# ---------------------------------------------------------------- main


def port_table(base):
    return {name: base + i for i, (name, _) in enumerate(MODES)}


def main(argv=None):
    global VERBOSE
    ap = argparse.ArgumentParser(
        description="Misbehaving SMTP server for mailtls e2e tests.")
    ap.add_argument("--cert", help="server certificate chain (PEM)")
    ap.add_argument("--key", help="server private key (PEM)")
    ap.add_argument("--badipsan-cert",
                    help='certificate chain (PEM) of mode "badipsan" '
                    '(pki.sh: badipsan.chain.pem)')
    ap.add_argument("--badipsan-key",
                    help='private key (PEM) of mode "badipsan" (pki.sh: badipsan.key)')
    ap.add_argument("--base-port", type=int, default=2500)
    ap.add_argument("--addr", default="127.0.0.50",
                    help="loopback address to listen on (default 127.0.0.50)")
    ap.add_argument("--list", action="store_true",
                    help="print the mode/port table and exit")
    ap.add_argument("--modes", action="store_true",
                    help='print {"mode": port, ...} as JSON and exit')
    ap.add_argument("--capture-dir",
                    help="write what clients of modes 20-28 send before TLS to "
                    "DIR/<mode>-<n>.plain (0600, n counts from 1 per mode)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="log connections to stderr")
    args = ap.parse_args(argv)
    VERBOSE = args.verbose

    if not 1 <= args.base_port <= 65535 - (len(MODES) - 1):
        ap.error("--base-port out of range")
    table = port_table(args.base_port)
    if args.modes:
        print(json.dumps(table))
        return 0
    if args.list:
        for i, (name, desc) in enumerate(MODES):
            print("%2d  %5d  %-14s %s" % (i, table[name], name, desc))
        return 0

    if not args.cert or not args.key:
        ap.error("--cert and --key are required to serve")
    try:
        ip = ipaddress.ip_address(args.addr)
    except ValueError:
        ap.error("--addr must be a literal IP address")
    if not ip.is_loopback:
        ap.error("--addr must be a loopback address")
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET

    if bool(args.badipsan_cert) != bool(args.badipsan_key):
        ap.error("--badipsan-cert and --badipsan-key go together")
    if args.capture_dir is not None and not (
            os.path.isdir(args.capture_dir)
            and os.access(args.capture_dir, os.W_OK | os.X_OK)):
        ap.error("--capture-dir must be a writable directory")
    captures = {}                     # mode -> connections so far

    def context(cert, key):
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        c.load_cert_chain(cert, key)
        return c

    try:
        ctx = context(args.cert, args.key)
        # Per-mode TLS contexts; every other mode uses ctx.
        contexts = {"badipsan": None}
        if args.badipsan_cert:
            contexts["badipsan"] = context(args.badipsan_cert, args.badipsan_key)
    except (OSError, ssl.SSLError) as e:
        sys.stderr.write("hostile: cannot load cert/key: %s\n" % e)
        return 2

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)

    sel = selectors.DefaultSelector()
    listeners = []
    try:
        for name, port in table.items():
            s = socket.socket(family, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((args.addr, port))
            s.listen(64)
            s.setblocking(False)
            listeners.append(s)
            sel.register(s, selectors.EVENT_READ, name)
    except OSError as e:
        sys.stderr.write("hostile: cannot listen on %s: %s\n" % (args.addr, e))
        for s in listeners:
            s.close()
        return 2

    try:
        sys.stdout.write("ready\n")
        sys.stdout.flush()
    except Exception:
        pass

    while not stop.is_set():
        for key, _ in sel.select(timeout=0.5):
            try:
                conn, peer = key.fileobj.accept()
            except (BlockingIOError, InterruptedError, ConnectionError):
                continue
            except OSError as e:          # e.g. EMFILE: back off briefly
                log("accept: %s", e)
                time.sleep(0.1)
                continue
            conn.setblocking(True)
            path = None
            if args.capture_dir is not None and getattr(HANDLERS[key.data],
                                                        "captured", False):
                captures[key.data] = captures.get(key.data, 0) + 1
                path = os.path.join(args.capture_dir, "%s-%d.plain"
                                    % (key.data, captures[key.data]))
            threading.Thread(target=serve_conn,
                             args=(key.data, conn, peer, contexts.get(key.data, ctx),
                                   path),
                             name="hostile-" + key.data, daemon=True).start()

    for s in listeners:
        s.close()
    sel.close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
