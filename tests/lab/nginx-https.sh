#!/usr/bin/env bash
# nginx-https.sh start|stop|status LABDIR
#
# Runs one private nginx (HTTPS only) for the mailtls lab: the MTA-STS policy
# hosts (RFC 8461) of the sts.test zone (tests/lab/zones/sts.test.zone) and the
# mail client autoconfig hosts autoconfig.DOMAIN.dom.test
# (tests/lab/zones/dom.test.zone), on loopback only:
#
#   127.0.0.60:443   HTTPS, TLSv1.2 and TLSv1.3, one server block per SNI name;
#                    an unknown or missing SNI name is refused in the handshake
#                    (unrecognized_name alert).
#
# Every host mta-sts.CASE.sts.test serves GET /.well-known/mta-sts.txt as:
#
#   CASE         certificate  answer
#   enforce      mtasts       200 text/plain  enforce; mx good.mail.test, *.good.mail.test; max_age 86400
#   testing      mtasts       200 text/plain  testing; mx good.mail.test; max_age 604800
#   notcovered   mtasts       200 text/plain  enforce; mx other.mail.test (the MX is good.mail.test)
#   certinvalid  mtasts       200 text/plain  enforce; mx expired.mail.test (its certificate expired)
#   wildmx       mtasts       200 text/plain  enforce; mx *.good.mail.test (the MX is multi.good.mail.test)
#   redirect     mtasts       301 to https://mta-sts.enforce.sts.test/.well-known/mta-sts.txt
#   notfound     mtasts       404
#   big          mtasts       200 text/plain  valid fields, padded with mx lines to over 64 KiB
#   malformed    mtasts       200 text/plain  "version: STSv2", "mode: enforce-ish", "max_age: lots"
#   nul          mtasts       200 text/plain  valid enforce policy (mx good.mail.test; max_age 86400), but
#                                             a NUL byte at offset 16, right after "version: STSv1\r\n"
#   badtype      mtasts       200 application/octet-stream  valid policy
#   badcert      wrongname    200 text/plain  valid policy; the certificate does not name the host
#
# Certificates from pki.sh (LABDIR/pki): "mtasts" (leaf + intermediate) names
# every policy host above but mta-sts.badcert.sts.test.
#
# Mail client autoconfig (Thunderbird clientConfig 1.1): every host
# autoconfig.DOMAIN.dom.test (tests/lab/zones/dom.test.zone) serves
# GET /mail/config-v1.1.xml as 200 text/xml, certificate "autoconfig" (leaf +
# intermediate; it names the three hosts). Each server there has
# <authentication>password-cleartext</authentication> and
# <username>%EMAILADDRESS%</username>, and <emailProvider id="DOMAIN.dom.test">
# has <domain>DOMAIN.dom.test</domain>:
#
#   DOMAIN   SRV records  servers in the file, in document order (type host port socketType)
#   ports    yes (6186)   imap imap.good.mail.test 993 SSL
#                         smtp good.mail.test 587 STARTTLS   (the hosts its SRV records name)
#   acfg     none         imap imap.good.mail.test 993 SSL
#                         pop3 imap.good.mail.test 995 SSL
#                         smtp good.mail.test 465 SSL
#                         smtp good.mail.test 587 STARTTLS
#   acplain  none         imap plain.good.mail.test 143 plain   (plain: no TLS at all)
#                         smtp sub.good.mail.test 587 plain
#
# Any other path on those hosts: 404.
#
# Everything lives under LABDIR/nginx-https:
#   nginx.conf              generated config
#   www/CASE/.well-known/mta-sts.txt   the policies
#   www/autoconfig/DOMAIN/mail/config-v1.1.xml   the autoconfig files
#   nginx.pid nginx.lock    master pid, accept mutex
#   error.log access.log    nginx's logs (access.log: SNI name, request, status)
#   nginx.out               anything nginx prints on stdout/stderr
#   tmp/                    nginx's temp paths (request bodies; never used)
#
# Try it:
#   curl --resolve mta-sts.enforce.sts.test:443:127.0.0.60 --cacert LABDIR/pki/ca.pem \
#        https://mta-sts.enforce.sts.test/.well-known/mta-sts.txt
#   curl --resolve autoconfig.acfg.dom.test:443:127.0.0.60 --cacert LABDIR/pki/ca.pem \
#        https://autoconfig.acfg.dom.test/mail/config-v1.1.xml
set -eu

HERE="$(cd "$(dirname "$0")" && pwd -P)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
PROG=nginx-https.sh

lab_args "$@"
lab_nginx_check_labdir

PKI="$LAB/pki"
NGDIR="$LAB/nginx-https"
CONF="$NGDIR/nginx.conf"
WWW="$NGDIR/www"
PIDFILE="$NGDIR/nginx.pid"
LOG="$NGDIR/error.log"
ALOG="$NGDIR/access.log"
OUT="$NGDIR/nginx.out"
LAB_LOGS=("$OUT" "$LOG")
ADDR=127.0.0.60
PORT=443
DOMAIN=sts.test
CASES="enforce testing notcovered certinvalid wildmx redirect notfound big
malformed nul badtype badcert"
# autoconfig.DOMAIN.dom.test hosts (see the table above).
AC_DOMAINS="ports acfg acplain"
AC_PATH=/mail/config-v1.1.xml

# ---- content -------------------------------------------------------------------

# policy MODE MAX_AGE MX...: an RFC 8461 policy body (CRLF line ends).
policy() {
    local mode=$1 age=$2 mx
    shift 2
    printf 'version: STSv1\r\nmode: %s\r\n' "$mode"
    for mx in "$@"; do printf 'mx: %s\r\n' "$mx"; done
    printf 'max_age: %s\r\n' "$age"
}

write_policies() {
    local c d
    rm -rf "$WWW"
    for c in $CASES; do
        d="$WWW/$c/.well-known"
        mkdir -p "$d"
        # redirect and notfound have no file: nginx.conf answers for them.
        case $c in redirect|notfound) continue ;; esac
        case $c in
            enforce)     policy enforce 86400 good.mail.test '*.good.mail.test' ;;
            testing)     policy testing 604800 good.mail.test ;;
            notcovered)  policy enforce 86400 other.mail.test ;;
            certinvalid) policy enforce 86400 expired.mail.test ;;
            wildmx)      policy enforce 86400 '*.good.mail.test' ;;
            badtype|badcert) policy enforce 86400 good.mail.test ;;
            # 2600 extra mx lines of 29 bytes: ~74 KiB, over the 64 KiB limit.
            big)         policy enforce 86400 good.mail.test
                         awk 'BEGIN { for (i = 1; i <= 2600; i++)
                             printf "mx: pad%05d.good.mail.test\r\n", i }' ;;
            malformed)   printf 'version: STSv2\nmode: enforce-ish\nmax_age: lots\n' ;;
            # A valid policy with one NUL at offset 16, after the 16 bytes
            # "version: STSv1\r\n"; valid lines follow it (68 bytes in all).
            nul)         printf 'version: STSv1\r\n\000mode: enforce\r\nmx: good.mail.test\r\nmax_age: 86400\r\n' ;;
        esac >"$d/mta-sts.txt"
    done
}

# ac_server TYPE HOST PORT SOCKETTYPE: one <incomingServer>/<outgoingServer> element.
ac_server() {
    local el=incomingServer
    if [ "$1" = smtp ]; then el=outgoingServer; fi
    cat <<EOF
    <$el type="$1">
      <hostname>$2</hostname>
      <port>$3</port>
      <socketType>$4</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </$el>
EOF
}

# write_autoconfig: www/autoconfig/DOMAIN/mail/config-v1.1.xml for every AC_DOMAINS.
write_autoconfig() {
    local d dom
    for d in $AC_DOMAINS; do
        dom=$d.dom.test
        mkdir -p "$WWW/autoconfig/$d${AC_PATH%/*}"
        {
            cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="$dom">
    <domain>$dom</domain>
    <displayName>mailtls lab ($dom)</displayName>
    <displayShortName>$d</displayShortName>
EOF
            case $d in
                ports)   ac_server imap imap.good.mail.test 993 SSL
                         ac_server smtp good.mail.test 587 STARTTLS ;;
                acfg)    ac_server imap imap.good.mail.test 993 SSL
                         ac_server pop3 imap.good.mail.test 995 SSL
                         ac_server smtp good.mail.test 465 SSL
                         ac_server smtp good.mail.test 587 STARTTLS ;;
                acplain) ac_server imap plain.good.mail.test 143 plain
                         ac_server smtp sub.good.mail.test 587 plain ;;
            esac
            cat <<EOF
  </emailProvider>
</clientConfig>
EOF
        } >"$WWW/autoconfig/$d$AC_PATH"
    done
}

# ---- config --------------------------------------------------------------------

write_config() {
    local c
    mkdir -p "$NGDIR/tmp"
    {
        lab_nginx_conf_head nginx-https.sh "$NGDIR" "$PIDFILE" "$LOG"
        cat <<EOF

    log_format sni '\$remote_addr [\$time_local] \$ssl_server_name "\$request" \$status \$body_bytes_sent';
    access_log $ALOG sni;
    server_tokens off;
    types { }
    default_type text/plain;

    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $PKI/mtasts.chain.pem;
    ssl_certificate_key $PKI/mtasts.key;

    # No SNI, or a name served by none of the blocks below: refuse the handshake.
    server {
        listen $ADDR:$PORT ssl default_server;
        ssl_reject_handshake on;
    }
EOF
        for c in $CASES; do
            printf '\n    server {\n        listen %s:%s ssl;\n' "$ADDR" "$PORT"
            printf '        server_name mta-sts.%s.%s;\n' "$c" "$DOMAIN"
            printf '        root %s/%s;\n' "$WWW" "$c"
            case $c in
                redirect)
                    printf '        location = /.well-known/mta-sts.txt {\n'
                    printf '            return 301 https://mta-sts.enforce.%s/.well-known/mta-sts.txt;\n' "$DOMAIN"
                    printf '        }\n' ;;
                notfound)
                    printf '        location / { return 404; }\n' ;;
                badtype)
                    printf '        default_type application/octet-stream;\n' ;;
                badcert)
                    printf '        ssl_certificate %s/wrongname.chain.pem;\n' "$PKI"
                    printf '        ssl_certificate_key %s/wrongname.key;\n' "$PKI" ;;
            esac
            printf '    }\n'
        done
        for c in $AC_DOMAINS; do
            printf '\n    server {\n        listen %s:%s ssl;\n' "$ADDR" "$PORT"
            printf '        server_name autoconfig.%s.dom.test;\n' "$c"
            printf '        ssl_certificate %s/autoconfig.chain.pem;\n' "$PKI"
            printf '        ssl_certificate_key %s/autoconfig.key;\n' "$PKI"
            printf '        root %s/autoconfig/%s;\n' "$WWW" "$c"
            printf '        location = %s {\n            default_type text/xml;\n        }\n' "$AC_PATH"
            printf '        location / { return 404; }\n'
            printf '    }\n'
        done
        echo "}"
    } >"$CONF"
}

# ---- processes -------------------------------------------------------------------

do_stop() { lab_nginx_stop; }

# Listeners that would collide with ours: our address or a wildcard, on 443.
conflicting_listeners() {
    printf "%s:$PORT\n" "$ADDR" "0.0.0.0" "*" | lab_tcp_listening
}

# Poll until every policy host answers its policy URL with the expected status
# (TLS handshake with its SNI name, certificate not checked here). No fixed
# sleeps: 50 ms steps, 10 s overall (lab_poll_checks, in lab_python).
wait_ready() {
    # shellcheck disable=SC2086  # one argument per case
    lab_python "$ADDR" "$PORT" "$PIDFILE" "$DOMAIN" "$AC_PATH" "$AC_DOMAINS" $CASES <<'EOF'
import socket, ssl, sys
addr, port, pidfile, domain, ac_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
# host -> (path, wanted status)
want = {"mta-sts.%s.%s" % (c, domain):
        ("/.well-known/mta-sts.txt", {"redirect": b"301", "notfound": b"404"}.get(c, b"200"))
        for c in sys.argv[7:]}
want.update({"autoconfig.%s.dom.test" % d: (ac_path, b"200") for d in sys.argv[6].split()})
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

def status(host):
    path, code = want[host]
    with socket.create_connection((addr, port), timeout=2) as raw:
        with ctx.wrap_socket(raw, server_hostname=host) as s:
            s.sendall(b"HEAD %s HTTP/1.1\r\nHost: %s\r\n"
                      b"Connection: close\r\n\r\n" % (path.encode(), host.encode()))
            return lab_recv_line(s).split(b" ")[1:2] == [code]

lab_poll_checks("nginx", pidfile,
                [("%s (want %s)" % (h, w[1].decode()), lambda h=h: status(h))
                 for h, w in want.items()])
EOF
}

do_start() {
    command -v nginx >/dev/null 2>&1 || lab_die "nginx not installed (apt-get install nginx)"
    "$HERE/pki.sh" "$PKI" >/dev/null
    [ -f "$PKI/mtasts.chain.pem" ] || lab_die "$PKI/mtasts.chain.pem missing: pki.sh has no mtasts case"
    [ -f "$PKI/autoconfig.chain.pem" ] || lab_die "$PKI/autoconfig.chain.pem missing: pki.sh has no autoconfig case"
    do_stop
    lab_wait_ports_free 40
    mkdir -p "$NGDIR"
    write_policies
    write_autoconfig
    write_config
    lab_nginx_start "$LOG" "$ALOG" "$OUT"
    echo "$PROG: nginx https lab up ($ADDR port $PORT, $(echo "$CASES" | wc -w) policy hosts," \
         "$(echo "$AC_DOMAINS" | wc -w) autoconfig hosts;" \
         "config $CONF) in $(lab_elapsed_ms) ms"
}

is_running() {
    lab_is_ours "$(lab_pid_from "$PIDFILE")" "-c $CONF"
}

# Serialize start/stop on one LABDIR (several runners may share build/lab).
lab_main nginx-https "$NGDIR"
