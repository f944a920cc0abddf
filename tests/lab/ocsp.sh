#!/usr/bin/env bash
# ocsp.sh start|stop|status LABDIR
#
# Runs the lab's OCSP responder (RFC 6960) for the certificates of the lab's
# revocation intermediate "rev-int" (tests/lab/pki.sh), on loopback only:
#
#   127.0.0.62:8080   ocsp.lab.test (tests/lab/zones/lab.test.zone), the OCSP URL
#                     of the rev-int leaves: http://ocsp.lab.test:8080/
#   127.0.0.63:8080   ocsp-down.lab.test: nothing listens there (connection
#                     refused): the OCSP URL of the "ocspdown" leaf
#
# The responder is tests/lab/ocsp_responder.py (HTTP, one thread per request),
# which answers each request with OpenSSL's own responder:
#   openssl ocsp -index LABDIR/pki/rev-int.index -CA LABDIR/pki/rev-int.pem \
#       -rsigner LABDIR/pki/rev-ocsp.pem -rkey LABDIR/pki/rev-ocsp.key -ndays 1 \
#       -reqin REQUEST -respout RESPONSE
# POST (DER body) and GET (/base64, RFC 6960 A.1) both work, nonces are echoed.
# Responses are signed by the delegated responder certificate rev-ocsp (issued by
# rev-int, EKU OCSPSigning, id-pkix-ocsp-nocheck; included in every response),
# thisUpdate now, nextUpdate now + 1 day.
#
# Answers (the index is rev-int's `openssl ca` database less the "unknown" line;
# see pki.sh for every certificate):
#   revoked, staple-revoked          revoked, keyCompromise, 20 days ago
#   crlonly                          revoked, superseded (its certificate names no
#                                    OCSP URL; asked directly all the same)
#   unknown                          unknown (serial not in the index)
#   every other rev-int leaf         good
#   a certificate of another issuer  unknown
#   bytes that are no OCSPRequest    the OCSP response "malformedRequest"
#
# Trap (OpenSSL 3.0): `openssl ocsp -port N` takes a port number only and binds
# [::]:N, every address of the host; hence the wrapper bound to 127.0.0.62. It is
# also single-threaded: one client that connects and sends nothing holds up every
# other one (-timeout bounds that; -multi forks, still on [::]).
#
# Everything lives under LABDIR/ocsp:
#   ocsp.log     "ready 127.0.0.62:8080", then one line per certificate asked about:
#                "2026-12-03T08:00:00Z 127.0.0.1 POST / serial=HEX status=good"
#                (serial upper-case hex as in `openssl x509 -serial`; status good,
#                revoked, unknown, or malformed with serial=-). Count the requests
#                for a certificate: grep -c "serial=$(openssl x509 -noout -serial
#                -in LABDIR/pki/revgood.crt | cut -d= -f2) " LABDIR/ocsp/ocsp.log
#                The readiness probe of this script is not logged. Rotated to
#                ocsp.log.old at each start.
#   ocsp.pid     the responder's pid
#   tmp/         one directory per request while openssl runs
#
# Ask it:
#   openssl ocsp -issuer LABDIR/pki/rev-int.pem -cert LABDIR/pki/revoked.crt \
#       -url http://127.0.0.62:8080/ -CAfile LABDIR/pki/ca.pem
set -eu

HERE="$(cd "$(dirname "$0")" && pwd -P)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
PROG=ocsp.sh

lab_args "$@"

PKI="$LAB/pki"
ODIR="$LAB/ocsp"
PIDFILE="$ODIR/ocsp.pid"
LOG="$ODIR/ocsp.log"
OUT="$LOG"
LAB_LOGS=("$LOG")
ADDR=127.0.0.62
PORT=8080

ours() { lab_is_ours "$1" ocsp_responder.py; }

is_running() { ours "$(lab_pid_from "$PIDFILE")"; }

do_stop() {
    local pid
    pid=$(lab_pid_from "$PIDFILE")
    if ours "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        lab_wait_or_kill "$pid"
    fi
    rm -f "$PIDFILE"
    return 0
}

# Listeners that would collide with ours: our address or a wildcard, on 8080.
conflicting_listeners() {
    printf "%s:$PORT\n" "$ADDR" "0.0.0.0" "*" "[::]" | lab_tcp_listening
}

# Poll until the responder answers a real request (about the responder's own
# certificate, so that no leaf's count in ocsp.log moves) with a successful OCSP
# response. No fixed sleeps: 50 ms steps, 10 s overall (lab_poll_checks).
wait_ready() {
    openssl ocsp -issuer "$PKI/rev-int.pem" -cert "$PKI/rev-ocsp.pem" -no_nonce \
        -reqout "$ODIR/ready.req" >/dev/null 2>&1 || return 1
    lab_python "$ADDR" "$PORT" "$PIDFILE" "$ODIR/ready.req" <<'EOF'
import http.client, sys
addr, port, pidfile, reqfile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
req = open(reqfile, "rb").read()

def answers():
    c = http.client.HTTPConnection(addr, port, timeout=5)
    try:
        c.request("POST", "/lab-ready", req, {"Content-Type": "application/ocsp-request"})
        r = c.getresponse()
        body = r.read()
        # OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED successful(0), ... }
        return r.status == 200 and body[:1] == b"\x30" and b"\x0a\x01\x00" in body[:8]
    finally:
        c.close()

lab_poll_checks("ocsp responder", pidfile, [("OCSP answer on %s:%d" % (addr, port), answers)])
EOF
}

do_start() {
    local f pid
    command -v openssl >/dev/null 2>&1 || lab_die "openssl not installed"
    "$HERE/pki.sh" "$PKI" >/dev/null
    for f in rev-int.index rev-int.pem rev-ocsp.pem rev-ocsp.key; do
        [ -f "$PKI/$f" ] || lab_die "$PKI/$f missing: pki.sh makes no revocation lab"
    done
    do_stop
    lab_wait_ports_free 40
    rm -rf "$ODIR/tmp"
    mkdir -p "$ODIR/tmp"
    lab_rotate "$LOG"
    # setsid: out of the caller's process group (a Ctrl-C there must not take
    # it down). 9>&-: it must not hold our lock. Output to the log, never to our
    # stdout (a caller reading it through a pipe would wait for the responder).
    setsid python3 "$HERE/ocsp_responder.py" --addr "$ADDR" --port "$PORT" \
        --index "$PKI/rev-int.index" --ca "$PKI/rev-int.pem" \
        --rsigner "$PKI/rev-ocsp.pem" --rkey "$PKI/rev-ocsp.key" --tmp "$ODIR/tmp" \
        </dev/null >"$LOG" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$PIDFILE"
    if ! wait_ready; then
        lab_fail "OCSP responder did not become ready within 10 s"
    fi
    echo "$PROG: OCSP responder up (http://ocsp.lab.test:8080/ = $ADDR port $PORT;" \
         "log $LOG) in $(lab_elapsed_ms) ms"
}

# Serialize start/stop on one LABDIR (several runners may share build/lab).
lab_main ocsp "$ODIR"
