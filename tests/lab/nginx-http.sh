#!/usr/bin/env bash
# nginx-http.sh start|stop|status LABDIR
#
# Runs one private nginx (plain HTTP, no TLS) for the mailtls lab's revocation
# cases: the CRLs and the CA certificates (caIssuers) that the certificates of
# tests/lab/pki.sh point to, on loopback only:
#
#   127.0.0.61:80   pki.lab.test (tests/lab/zones/lab.test.zone), any Host header
#
# GET http://pki.lab.test/NAME serves LABDIR/pki/NAME for NAME = letters, digits,
# - and _ ending in .crl (application/pkix-crl) or .der (application/pkix-cert),
# with no further dot (so the pre-made staples CASE.ocsp.der are not served);
# everything else is 404 (the keys in LABDIR/pki never leave). What is there:
#
#   URL path             what                                   named by
#   /rev-int.crl         rev-int's CRL (DER), CRL number 2,     CDP of every rev-int leaf
#                        lastUpdate now, nextUpdate +7 days;    but stalecrl and badcrl
#                        revokes revoked and staple-revoked
#                        (keyCompromise) and crlonly (superseded)
#   /rev-int-stale.crl   the same entries, CRL number 1,        CDP of stalecrl
#                        lastUpdate -10 days, nextUpdate -3 days
#   /rev-int-badsig.crl  issuer name and authority key id of    CDP of badcrl
#                        rev-int, but signed by another key
#                        (rev-int-impostor); revokes badcrl
#   /ca.crl              the lab root's CRL: nothing revoked    CDP of rev-int itself
#   /rev-int.der         rev-int's certificate (DER)            caIssuers of the rev-int leaves
#   /aia-root.der        the untrusted root aia-root (DER)      caIssuers of aiaroot
#   /ca.der              the lab root (DER)                     caIssuers of rev-int
#
# Everything lives under LABDIR/nginx-http:
#   nginx.conf              generated config
#   nginx.pid nginx.lock    master pid, accept mutex
#   error.log               nginx's error log
#   access.log              one line per request:
#                             127.0.0.1 [03/Dec/2026:08:00:00 +0000] "GET /rev-int.crl HTTP/1.1" 200 712 "curl/7.88.1"
#                           count fetches of a file:
#                             grep -c '"GET /rev-int.crl ' LABDIR/nginx-http/access.log
#                           rotated to access.log.old at each start; the readiness
#                           probe (/lab-ready) is not logged.
#   nginx.out               anything nginx prints on stdout/stderr
#   tmp/                    nginx's temp paths (never used)
#
# Try it:
#   curl -s http://127.0.0.61/rev-int.crl | openssl crl -inform DER -noout -text
set -eu

HERE="$(cd "$(dirname "$0")" && pwd -P)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
PROG=nginx-http.sh

lab_args "$@"
lab_nginx_check_labdir

PKI="$LAB/pki"
NGDIR="$LAB/nginx-http"
CONF="$NGDIR/nginx.conf"
PIDFILE="$NGDIR/nginx.pid"
LOG="$NGDIR/error.log"
ALOG="$NGDIR/access.log"
OUT="$NGDIR/nginx.out"
LAB_LOGS=("$OUT" "$LOG")
ADDR=127.0.0.61
PORT=80
# What pki.sh publishes (see the table above); start checks they exist.
FILES="rev-int.crl rev-int-stale.crl rev-int-badsig.crl ca.crl rev-int.der aia-root.der ca.der"

write_config() {
    mkdir -p "$NGDIR/tmp"
    {
        lab_nginx_conf_head nginx-http.sh "$NGDIR" "$PIDFILE" "$LOG"
        cat <<EOF

    log_format fetch '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent "\$http_user_agent"';
    access_log $ALOG fetch;
    server_tokens off;
    types {
        application/pkix-crl  crl;
        application/pkix-cert der;
    }
    default_type application/octet-stream;

    server {
        listen $ADDR:$PORT default_server;
        server_name pki.lab.test;
        root $PKI;
        location ~ "^/[A-Za-z0-9_-]+\.(crl|der)\$" { }
        location = /lab-ready {
            access_log off;
            return 204;
        }
        location / { return 404; }
    }
}
EOF
    } >"$CONF"
}

do_stop() { lab_nginx_stop; }

# Listeners that would collide with ours: our address or a wildcard, on 80.
conflicting_listeners() {
    printf "%s:$PORT\n" "$ADDR" "0.0.0.0" "*" "[::]" | lab_tcp_listening
}

# Poll until /lab-ready answers 204 (not logged). No fixed sleeps: 50 ms steps,
# 10 s overall (lab_poll_checks, in lab_python).
wait_ready() {
    lab_python "$ADDR" "$PORT" "$PIDFILE" <<'EOF'
import http.client, sys
addr, port, pidfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def ready():
    c = http.client.HTTPConnection(addr, port, timeout=2)
    try:
        c.request("GET", "/lab-ready", headers={"Host": "pki.lab.test"})
        return c.getresponse().status == 204
    finally:
        c.close()

lab_poll_checks("nginx", pidfile, [("http://%s:%d/lab-ready (want 204)" % (addr, port), ready)])
EOF
}

do_start() {
    local f
    command -v nginx >/dev/null 2>&1 || lab_die "nginx not installed (apt-get install nginx)"
    "$HERE/pki.sh" "$PKI" >/dev/null
    for f in $FILES; do
        [ -f "$PKI/$f" ] || lab_die "$PKI/$f missing: pki.sh makes no revocation lab"
    done
    do_stop
    lab_wait_ports_free 40
    mkdir -p "$NGDIR"
    write_config
    lab_nginx_start "$LOG" "$ALOG" "$OUT"
    echo "$PROG: nginx http lab up (http://pki.lab.test/ = $ADDR port $PORT;" \
         "access log $ALOG) in $(lab_elapsed_ms) ms"
}

is_running() {
    lab_is_ours "$(lab_pid_from "$PIDFILE")" "-c $CONF"
}

# Serialize start/stop on one LABDIR (several runners may share build/lab).
lab_main nginx-http "$NGDIR"
