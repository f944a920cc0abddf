#!/usr/bin/env python3
"""ocsp_responder.py -- the lab's OCSP responder (RFC 6960), run by tests/lab/ocsp.sh.

    ocsp_responder.py --addr 127.0.0.62 --port 8080 --index INDEX --ca CA.pem \
        --rsigner SIGNER.pem --rkey SIGNER.key --tmp DIR [--ndays N]

HTTP/1.0 on ADDR:PORT only. Each request is one OCSPRequest: POST with the DER as the
body (any path), or GET /<url-encoded base64 of the DER> (RFC 6960 A.1). The answer is
made by `openssl ocsp -index INDEX -CA CA -rsigner SIGNER -rkey KEY -ndays N -reqin REQ
-respout RESP`, OpenSSL's own responder (the same code as `openssl ocsp -port`), run once
per request, so INDEX is read afresh every time. Reply: 200 application/ocsp-response;
a request openssl cannot read gets the OCSP response "malformedRequest" (30 03 0a 01 01).

Why not `openssl ocsp -port` itself: in OpenSSL 3.0 -port takes a number only and the
responder binds [::]:PORT, every address of the host, where the lab must stay on
loopback. It is also one process answering one connection at a time (-multi forks
several, but still on [::]).

Log (stdout): "ready ADDR:PORT" once bound, then one line per certificate asked about:
    2026-12-03T08:00:00Z 127.0.0.1 POST / serial=230CF2...8E status=good
(status good, revoked or unknown, as openssl answered; "status=malformed" with
serial=- for an unreadable request). A POST to /lab-ready is ocsp.sh's readiness probe:
answered the same way, never logged.
"""
import argparse
import base64
import binascii
import http.server
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

MAX_REQUEST = 64 * 1024           # bytes of DER; real requests are ~100
MALFORMED = bytes.fromhex("3003 0a01 01")  # OCSPResponse { responseStatus malformedRequest }
READY_PATH = "/lab-ready"

ap = argparse.ArgumentParser()
ap.add_argument("--addr", required=True)
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--index", required=True)
ap.add_argument("--ca", required=True)
ap.add_argument("--rsigner", required=True)
ap.add_argument("--rkey", required=True)
ap.add_argument("--tmp", required=True)
ap.add_argument("--ndays", type=int, default=1)
args = ap.parse_args()

log_lock = threading.Lock()
# At most this many openssl processes at once (2 cores).
slots = threading.BoundedSemaphore(4)


def log(line):
    with log_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def respond(der):
    """(DER OCSPResponse, [(serial, status)]) for a DER OCSPRequest, via openssl ocsp."""
    with slots, tempfile.TemporaryDirectory(dir=args.tmp) as d:
        req, resp = os.path.join(d, "req.der"), os.path.join(d, "resp.der")
        with open(req, "wb") as f:
            f.write(der)
        try:
            p = subprocess.run(
                ["openssl", "ocsp", "-index", args.index, "-CA", args.ca,
                 "-rsigner", args.rsigner, "-rkey", args.rkey, "-ndays", str(args.ndays),
                 "-reqin", req, "-respout", resp, "-resp_text"],
                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
        except subprocess.TimeoutExpired:
            return MALFORMED, [("-", "malformed")]
        if p.returncode != 0 or not os.path.exists(resp):
            return MALFORMED, [("-", "malformed")]
        with open(resp, "rb") as f:
            body = f.read()
    # The single responses come first; the signer's certificate (its own "Serial
    # Number:") follows under "Certificate:".
    text = p.stdout.split("\nCertificate:", 1)[0]
    serials = re.findall(r"Serial Number: ([0-9A-Fa-f]+)", text)
    states = re.findall(r"Cert Status: (\w+)", text)
    return body, list(zip(serials, states)) or [("-", "none")]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server_version = "mailtls-lab-ocsp"
    sys_version = ""
    timeout = 10  # seconds a client may take to send its request

    def log_message(self, fmt, *a):  # no http.server access log: ours is above
        pass

    def reply(self, code, body=b"", ctype="application/ocsp-response"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def answer(self, der):
        body, items = respond(der)
        if self.path != READY_PATH:
            when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            for serial, status in items:
                log("%s %s %s %s serial=%s status=%s" % (when, self.client_address[0], self.command,
                                                          self.path, serial.upper(), status))
        self.reply(200, body)

    def do_POST(self):
        try:
            n = int(self.headers.get("Content-Length", ""))
        except ValueError:
            n = -1
        if n < 0 or n > MAX_REQUEST:
            self.reply(400, b"need a Content-Length of at most 65536\n", "text/plain")
            return
        self.answer(self.rfile.read(n))

    def do_GET(self):
        # RFC 6960 A.1: GET {url}/{url-encoding of base-64 encoding of the DER}.
        b64 = urllib.parse.unquote(self.path.rsplit("/", 1)[-1])
        try:
            der = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            der = b""
        if self.path == READY_PATH or not der or len(der) > MAX_REQUEST:
            self.reply(400, b"GET /<base64 OCSP request>\n", "text/plain")
            return
        self.answer(der)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


srv = Server((args.addr, args.port), Handler)
log("ready %s:%d" % (args.addr, args.port))
try:
    srv.serve_forever()
except KeyboardInterrupt:
    pass
