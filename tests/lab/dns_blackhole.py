#!/usr/bin/env python3
"""A name server that never answers (mailtls test lab).

    python3 tests/lab/dns_blackhole.py [--addr 127.0.0.54] [--port 5300]

Binds UDP and TCP on ADDR:PORT, reads every query and answers none: UDP datagrams are
read and dropped, TCP connections are accepted and held open (their bytes read and
dropped) until the client closes them. Prints "ready" on stdout once both sockets are
bound. SIGTERM or SIGINT end it. Python standard library only.

Resolvers pointed at it see timeouts, not errors (no ICMP port unreachable, no RST).
Started and stopped by tests/lab/nsd.sh.
"""
import argparse
import selectors
import signal
import socket

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--addr", default="127.0.0.54")
ap.add_argument("--port", type=int, default=5300)
args = ap.parse_args()

# Held TCP connections beyond this many are closed oldest first, so a client that
# leaks connections cannot exhaust our descriptors (they still never get an answer).
MAX_HELD = 512

family = socket.AF_INET6 if ":" in args.addr else socket.AF_INET
sel = selectors.DefaultSelector()

udp = socket.socket(family, socket.SOCK_DGRAM)
udp.bind((args.addr, args.port))
udp.setblocking(False)
sel.register(udp, selectors.EVENT_READ, "udp")

tcp = socket.socket(family, socket.SOCK_STREAM)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind((args.addr, args.port))
tcp.listen(128)
tcp.setblocking(False)
sel.register(tcp, selectors.EVENT_READ, "listen")

held = []


def stop(signum, frame):
    raise SystemExit(0)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)

print("ready", flush=True)

while True:
    for key, _ in sel.select():
        sock = key.fileobj
        if key.data == "udp":
            try:
                while True:
                    sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                pass
        elif key.data == "listen":
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ, "conn")
            held.append(conn)
            if len(held) > MAX_HELD:
                old = held.pop(0)
                sel.unregister(old)
                old.close()
        else:
            try:
                data = sock.recv(65535)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                sel.unregister(sock)
                held.remove(sock)
                sock.close()
