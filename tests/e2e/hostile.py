"""hostile.py - a deliberately misbehaving SMTP server for mailtls end-to-end tests.

It serves the cases a real Postfix will not produce.  Python 3 standard
library only.

Usage:
    python3 tests/e2e/hostile.py --cert CHAIN.pem --key KEY.pem \
        [--badipsan-cert CHAIN.pem --badipsan-key KEY.pem] \
        [--base-port 2500] [--addr 127.0.0.50] [-v]
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

"Normal" SMTP handling (modes 3-6, 9-19): lines end in CRLF or bare LF;
EHLO/HELO, STARTTLS, QUIT (221, close), NOOP/RSET (250); anything else
"502 5.5.2 unknown".  After TLS: EHLO without STARTTLS, STARTTLS -> 503.
Input lines are limited to 4096 bytes (longer -> 500 and close).  Data the
client pipelined after STARTTLS is discarded before the TLS handshake.
Idle sessions are closed after 60 s.  Per-connection exceptions (reset,
broken pipe, TLS errors, timeouts) are swallowed.
"""

import argparse
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
            data = self.sock.recv(4096)
            if not data:
                raise PeerClosed()
            self.buf += data

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


def graceful_close(sock):
    """Close after QUIT: TLS close_notify if TLS, else FIN and a short drain
    so that unread client data does not turn our FIN into a RST."""
    try:
        sock.settimeout(1.0)
        if isinstance(sock, ssl.SSLSocket):
            try:
                sock = sock.unwrap()
            except Exception:
                pass
        try:
            sock.shutdown(socket.SHUT_WR)
            end = time.monotonic() + 1.0
            while time.monotonic() < end and sock.recv(4096):
                pass
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
}
assert [m for m, _ in MODES] == list(HANDLERS)


def serve_conn(mode, sock, peer, ctx):
    log("%s: connection from %s", mode, peer)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        HANDLERS[mode](sock, ctx).run()
    except PeerClosed:
        log("%s: peer closed", mode)
    except Exception as e:                # peer gone, reset, TLS error, ...
        log("%s: %s: %s", mode, type(e).__name__, e)
    finally:
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
            threading.Thread(target=serve_conn,
                             args=(key.data, conn, peer, contexts.get(key.data, ctx)),
                             name="hostile-" + key.data, daemon=True).start()

    for s in listeners:
        s.close()
    sel.close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
