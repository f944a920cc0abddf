#!/usr/bin/env bash
# postfix.sh start|stop|status LABDIR
#
# Runs one private Postfix instance for the mailtls lab, serving the test PKI
# made by pki.sh (in LABDIR/pki) on loopback addresses only:
#
#   LABDIR/postfix/etc      config_directory (main.cf, master.cf)
#   LABDIR/postfix/spool    queue_directory
#   LABDIR/postfix/data     data_directory
#   LABDIR/postfix/maillog  log (maillog_file via postlogd; no syslog needed)
#
# Listener table: see lab_listeners below. 127.0.0.70-84 are the revocation
# and trust-anchor cases (pki.sh "revocation lab"; OCSP responder ocsp.sh, CRLs
# and CA certificates nginx-http.sh, stapling servers staple.sh); their maillog
# host field is the first label of the host name (revgood, ..., "bar" for
# 127.0.0.79, "direct" for 127.0.0.84). Submission (587 STARTTLS, 465 TLS
# first, 127.0.0.29:587 AUTH without TLS) authenticates through Dovecot's auth
# service: start tests/lab/dovecot.sh on the same LABDIR too (after this script
# is fine).
#
# Talk to it: openssl s_client -starttls smtp -connect 127.0.0.10:587 \
#   -servername good.mail.test -CAfile LABDIR/pki/ca.pem
set -eu

HERE="$(cd "$(dirname "$0")" && pwd -P)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
PROG=postfix.sh

lab_args "$@"
# The paths end up in master.cf "-o name=value" words and in the comma/space
# separated smtpd_tls_chain_files list: neither can quote.
case $LAB in
    *[[:space:],\$\{\}]*) lab_die "LABDIR path must not contain blanks, commas, \$ or braces: $LAB" ;;
esac

PKI="$LAB/pki"
PF="$LAB/postfix"
ETC="$PF/etc"
SPOOL="$PF/spool"
DATA="$PF/data"
MAILLOG="$PF/maillog"
DEFAULT_ETC=/etc/postfix
LAB_LOGS=("$MAILLOG")

# address port case [wrapper] [host=NAME] [sasl=tls|sasl=any]
#   case = PKI leaf name; "notls" = no TLS at all
#   wrapper = TLS first (smtpd_tls_wrappermode, submissions on 465)
#   host=NAME overrides the announced name (myhostname, see case_hostname)
#   sasl=tls: submission. SMTP AUTH (PLAIN, LOGIN, SCRAM-*: what Dovecot's auth
#       service offers, see dovecot.sh) only over TLS (smtpd_tls_auth_only):
#       EHLO lists no AUTH before STARTTLS. Without wrapper also TLS required
#       (smtpd_tls_security_level=encrypt): MAIL FROM before STARTTLS gets
#       "530 5.7.0 Must issue a STARTTLS command first".
#   tls=legacy|dual|sni|13: the TLS map's servers (check --tls-scan):
#       legacy: TLS 1.0 to 1.2 only, the server's order, ECDHE and DHE with a
#         1024-bit prime (pki dh1024.pem), 3DES, at SECLEVEL=0;
#       dual: two chains, ECDSA (dualec, valid) and RSA (dualrsa, expired);
#       sni: the case's certificate without SNI, sni.mail.test's to clients
#         that ask for that name (tls_server_sni_maps, built with postmap -F);
#       13: TLS 1.3 only.
#   sasl=any: SMTP AUTH offered and accepted before STARTTLS too, TLS optional
#       (STARTTLS offered), MAIL FROM accepted without TLS.
#   With sasl=, an authenticated client may send to any address (RCPT TO is
#   accepted, the message queued, then discarded: see default_transport);
#   unauthenticated clients are refused at RCPT TO ("554 5.7.1 <RCPT>: Recipient
#   address rejected: Access denied"). Authentication needs dovecot.sh running
#   in the same LABDIR (its user alice@good.mail.test, password in
#   LABDIR/dovecot/alice.password; socket LABDIR/postfix/spool/private/
#   dovecot-auth). Without it a new smtpd drops the connection where SASL
#   starts: at connect on 465 and 127.0.0.29, after STARTTLS on 587 (see
#   sasl_at_connect). Elsewhere every recipient is refused.
lab_listeners() {
    cat <<'EOF'
127.0.0.10 25  good
127.0.0.10 587 good sasl=tls
127.0.0.10 465 good wrapper sasl=tls
::1        25  good
::1        587 good sasl=tls
::1        465 good wrapper sasl=tls
127.0.0.11 25  expired
127.0.0.12 25  notyet
127.0.0.13 25  soon
127.0.0.14 25  selfsigned
127.0.0.15 25  wrongname
127.0.0.16 25  wildcard
127.0.0.17 25  noint
127.0.0.18 25  order
127.0.0.19 25  rsa1024
127.0.0.20 25  noserverauth
127.0.0.21 25  cnonly
127.0.0.22 25  sha1
127.0.0.23 25  untrusted
127.0.0.24 25  expiredint
127.0.0.25 25  ec
127.0.0.26 25  notls
127.0.0.27 25  good host=shared.good.mail.test
127.0.0.28 25  dane host=mx.dane.test
127.0.0.29 587 good host=sub.good.mail.test sasl=any
127.0.0.70 25  revgood host=revgood.rev.mail.test
127.0.0.71 25  revoked host=revoked.rev.mail.test
127.0.0.72 25  crlonly host=crlonly.rev.mail.test
127.0.0.73 25  unknown host=unknown.rev.mail.test
127.0.0.74 25  ocspdown host=ocspdown.rev.mail.test
127.0.0.75 25  muststaple host=muststaple.rev.mail.test
127.0.0.76 25  aiamissing host=aiamissing.rev.mail.test
127.0.0.77 25  aiaroot host=aiaroot.rev.mail.test
127.0.0.78 25  noaia host=noaia.rev.mail.test
127.0.0.79 25  nameconstraint host=bar.ncx.mail.test
127.0.0.80 25  weakanchor host=weakanchor.rev.mail.test
127.0.0.81 25  intanchor host=intanchor.rev.mail.test
127.0.0.82 25  stalecrl host=stalecrl.rev.mail.test
127.0.0.83 25  badcrl host=badcrl.rev.mail.test
127.0.0.84 25  ncxdirect host=direct.ncx.mail.test
127.0.0.85 25  good host=legacy.good.mail.test tls=legacy
127.0.0.86 25  dualec host=dual.mail.test tls=dual
127.0.0.87 25  wrongname host=sni.mail.test tls=sni
127.0.0.88 25  good host=tls13.good.mail.test tls=13
EOF
}

# Name the server announces (banner, EHLO) for a case without host=NAME.
# Its first label is also the host field of the listener's maillog lines
# ("Nov 23 20:02:45 shared postfix/smtpd[15252]: connect from ..."), which is
# how tests tell listeners apart in the log (127.0.0.27 logs as "shared").
case_hostname() {
    case $1 in
        wildcard) echo mx.wild.mail.test ;;   # matched by *.wild.mail.test
        *)        echo "$1.mail.test" ;;
    esac
}

is_running() {
    [ -f "$ETC/main.cf" ] && postfix -c "$ETC" status >/dev/null 2>&1
}

do_stop() {
    local pid
    pid=$(lab_pid_from "$SPOOL/pid/master.pid")
    # `postfix stop` and `postfix abort` send master the same SIGTERM (master
    # then SIGTERMs its process group); `stop` only adds a wait loop with 1 s
    # sleeps, which made every restart ~1 s slower. So: abort, then poll here
    # until master (and with it its children) are gone and the ports are free.
    if is_running; then
        postfix -c "$ETC" abort >/dev/null 2>&1 || true
    fi
    # (A zombie master counts as gone: see lab_alive.)
    if [ -n "$pid" ] && lab_alive "$pid" &&
       [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = master ]; then
        lab_wait_or_kill "$pid"
    fi
    return 0
}

# Lines of `ss` for listeners on our ports that would collide with ours:
# one of our addresses or a wildcard address.
conflicting_listeners() {
    lab_listeners | awk '{ a = ($1 ~ /:/) ? "[" $1 "]" : $1
        print a ":" $2; print "0.0.0.0:" $2; print "*:" $2; print "[::]:" $2 }' |
        sort -u | lab_tcp_listening
}

# A system-wide Postfix (e.g. started by the package) may hold *:25.
free_ports() {
    [ -n "$(conflicting_listeners)" ] || return 0
    if [ -f "$DEFAULT_ETC/main.cf" ] &&
       postfix -c "$DEFAULT_ETC" status >/dev/null 2>&1; then
        echo "$PROG: stopping the system Postfix instance, it holds our ports" >&2
        if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
            systemctl stop postfix || true
        fi
        postfix -c "$DEFAULT_ETC" stop >/dev/null 2>&1 || true
        lab_poll 200 lab_silent conflicting_listeners && return 0
    fi
    lab_die "ports in use by something else: $(conflicting_listeners | tr '\n' ' ')"
}

# put_file DEST: write stdin to DEST, but only touch DEST if the content changed.
# Trap: Postfix refuses to trust a main.cf younger than ~2 s (it re-reads it in
# 300 ms steps until the mtime is old enough, "file is being written"), which
# added 2+ s to every start. We write atomically (tmp + mv), so backdating the
# mtime is safe.
put_file() {
    local tmp="$1.tmp.$$"
    cat >"$tmp"
    if cmp -s "$tmp" "$1"; then
        rm -f "$tmp"
    else
        mv -f "$tmp" "$1"
        backdate "$1"
    fi
}
backdate() { touch -d "@$(( $(date +%s) - 10 ))" "$1"; }

# Trap: `postfix -c DIR` is refused unless the *default* main.cf lists DIR in
# alternate_config_directories. With main_mailer_type "No configuration"
# there is no default main.cf at all, so create a minimal one.
register_config_dir() {
    local main="$DEFAULT_ETC/main.cf" cur
    if [ ! -f "$main" ]; then
        put_file "$main" <<'EOF'
# Minimal main.cf created by mailtls tests/lab/postfix.sh: it exists only so
# that `postfix -c DIR` accepts lab instances (alternate_config_directories).
compatibility_level = 3.6
# Keep the system instance (Debian's default master.cf) off every network
# port should anybody start it.
master_service_disable = inet
EOF
    fi
    cur=$(postconf -c "$DEFAULT_ETC" -h alternate_config_directories 2>/dev/null) || cur=
    case " $(echo "$cur" | tr ',' ' ') " in
        *" $ETC "*) ;;
        *) postconf -c "$DEFAULT_ETC" -e \
               "alternate_config_directories = ${cur:+$cur, }$ETC"
           backdate "$main" ;;
    esac
}

# Trap: master opens data_directory/master.lock as mail_owner (postfix), not as
# root (tlsmgr and verify use that directory as postfix too). Below a LABDIR that
# postfix cannot traverse -- a clone in /root (mode 700), as root on a fresh
# Debian -- the start fails: "open lock file .../master.lock: Permission denied".
# Then keep data_directory (a lock file and the PRNG seed, nothing else) in
# Postfix's own /var/lib/postfix, one directory per LABDIR.
pick_data_dir() {
    if ! runuser -u postfix -- test -x "$PF" 2>/dev/null; then
        DATA="/var/lib/postfix/mailtls-lab-$(printf '%s' "$LAB" | cksum | cut -d' ' -f1)"
    fi
}

write_config() {
    mkdir -p "$ETC" "$SPOOL"
    pick_data_dir
    mkdir -p "$DATA"
    # data_directory must belong to mail_owner; queue_directory to root
    # (postfix check/create-missing makes the subdirectories).
    chown root:root "$SPOOL"
    chown postfix:postfix "$DATA"
    chmod 755 "$SPOOL" "$DATA"

    put_file "$ETC/main.cf" <<EOF
# Generated by tests/lab/postfix.sh -- mailtls test lab, loopback only.
compatibility_level = 3.6
queue_directory = $SPOOL
data_directory = $DATA
mail_owner = postfix
setgid_group = postdrop

# No syslog in the lab: log to a file through postlogd (postlog in master.cf).
# Without this Postfix's fatal start-up errors are invisible.
maillog_file = $MAILLOG
maillog_file_prefixes = $PF

myhostname = lab.mail.test
mydomain = mail.test
myorigin = \$myhostname
# Same for every listener; myhostname differs per listener (master.cf -o).
smtpd_banner = \$myhostname ESMTP
# Trap: inet_interfaces may only name addresses configured on an interface
# ("no local interface found for 127.0.0.10"; lo only has 127.0.0.1/8), so
# it cannot list the lab addresses. Every smtpd in master.cf binds an explicit
# loopback address instead; inet_interfaces only covers services without one
# (there are none) and is kept on loopback for safety.
inet_interfaces = loopback-only
inet_protocols = all

# Accept and relay nothing, except from clients that authenticated on a
# listener with SASL (sasl= in lab_listeners, master.cf -o overrides).
mydestination =
relay_domains =
relayhost =
mynetworks = 127.0.0.0/8
local_recipient_maps =
alias_maps =
alias_database =
smtpd_relay_restrictions = reject
smtpd_recipient_restrictions = reject
# What an authenticated client sends is queued, then dropped by the discard
# transport (maillog: "status=sent (mailtls lab delivers nothing)").
default_transport = discard:mailtls lab delivers nothing
local_transport = discard:mailtls lab delivers nothing
biff = no

# SMTP AUTH through Dovecot's auth service (dovecot.sh makes the socket),
# enabled per listener (sasl= in lab_listeners). The path is relative to
# queue_directory, smtpd's working directory, so it works even when postfix
# cannot traverse LABDIR. smtpd connects to it only when a session starts SASL
# (see sasl_at_connect), so Postfix starts fine before Dovecot.
smtpd_sasl_auth_enable = no
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/dovecot-auth
smtpd_sasl_security_options = noanonymous

# TLS (per-listener certificates come from master.cf -o overrides)
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PKI/good.key, $PKI/good.chain.pem
smtpd_tls_loglevel = 1
smtpd_tls_session_cache_database =

# Benchmark friendly: no rate limits, no tarpits, no DNS for clients.
default_process_limit = 200
# An smtpd that dies at start (see sasl_at_connect) blocks its listener for 1 s
# rather than 60 s.
service_throttle_time = 1s
smtpd_client_connection_rate_limit = 0
smtpd_client_connection_count_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_client_new_tls_session_rate_limit = 0
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_junk_command_limit = 1000
smtpd_peername_lookup = no
smtpd_timeout = 60s
EOF

    {
        cat <<'EOF'
# Generated by tests/lab/postfix.sh -- mailtls test lab.
# service type  private unpriv  chroot  wakeup  maxproc command + args
EOF
        local addr port case extra svc host wrapper sasl tls w
        while read -r addr port case extra; do
            case $addr in *:*) svc="[$addr]:$port" ;; *) svc="$addr:$port" ;; esac
            host=$(case_hostname "$case")
            wrapper='' sasl='' tls=''
            for w in $extra; do
                case $w in
                    wrapper) wrapper=yes ;;
                    tls=*)   tls=${w#tls=} ;;
                    host=*)  host=${w#host=} ;;
                    sasl=*)  sasl=${w#sasl=} ;;
                esac
            done
            printf '%s inet n - n - - smtpd\n' "$svc"
            printf '  -o myhostname=%s\n' "$host"
            if [ "$case" = notls ]; then
                printf '  -o smtpd_tls_security_level=none\n'
                continue
            fi
            if [ "$sasl" = tls ] && [ -z "$wrapper" ]; then
                printf '  -o smtpd_tls_security_level=encrypt\n'
            else
                printf '  -o smtpd_tls_security_level=may\n'
            fi
            if [ "$tls" = dual ]; then
                printf '  -o smtpd_tls_chain_files=%s/dualec.key,%s/dualec.chain.pem,%s/dualrsa.key,%s/dualrsa.chain.pem\n' \
                    "$PKI" "$PKI" "$PKI" "$PKI"
            else
                printf '  -o smtpd_tls_chain_files=%s/%s.key,%s/%s.chain.pem\n' \
                    "$PKI" "$case" "$PKI" "$case"
            fi
            case $tls in
                ''|dual) ;;
                legacy)
                    printf '  -o smtpd_tls_protocols=!SSLv2,!SSLv3,!TLSv1.3\n'
                    printf '  -o smtpd_tls_ciphers=medium\n'
                    printf '  -o tls_medium_cipherlist=ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:DHE-RSA-AES128-SHA:DES-CBC3-SHA:@SECLEVEL=0\n'
                    printf '  -o tls_preempt_cipherlist=yes\n'
                    printf '  -o smtpd_tls_dh1024_param_file=%s/dh1024.pem\n' "$PKI"
                    ;;
                sni)
                    printf '  -o tls_server_sni_maps=hash:%s/sni_maps\n' "$ETC"
                    ;;
                13)
                    printf '  -o smtpd_tls_protocols=!SSLv2,!SSLv3,!TLSv1,!TLSv1.1,!TLSv1.2\n'
                    ;;
                *) lab_die "listener $svc: unknown tls=$tls" ;;
            esac
            if [ -n "$wrapper" ]; then
                printf '  -o smtpd_tls_wrappermode=yes\n'
            fi
            case $sasl in
                '') ;;
                tls|any)
                    printf '  -o smtpd_sasl_auth_enable=yes\n'
                    printf '  -o smtpd_tls_auth_only=%s\n' "$([ "$sasl" = tls ] && echo yes || echo no)"
                    printf '  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n'
                    printf '  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject\n'
                    ;;
                *) lab_die "listener $svc: unknown sasl=$sasl" ;;
            esac
        done < <(lab_listeners)
        # Internal services (no chroot: nothing to copy into the spool).
        cat <<'EOF'
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    } | put_file "$ETC/master.cf"
    # tls=sni: postmap -F stores each file's content (base64) in the table, as
    # tls_server_sni_maps wants; rebuilt with its source.
    printf 'sni.mail.test %s/sni.key %s/sni.chain.pem\n' "$PKI" "$PKI" | put_file "$ETC/sni_maps"
    if [ ! -f "$ETC/sni_maps.db" ] || [ "$ETC/sni_maps" -nt "$ETC/sni_maps.db" ] ||
       [ "$PKI/sni.chain.pem" -nt "$ETC/sni_maps.db" ]; then
        postmap -c "$ETC" -F "hash:$ETC/sni_maps"
    fi
}

# Listeners whose smtpd asks Dovecot for its SASL mechanisms as soon as a client
# connects (before the banner): TLS first (wrapper) or SMTP AUTH before TLS
# (sasl=any). On 587 with sasl=tls that waits for STARTTLS.
# Trap: when Dovecot's auth socket does not answer, such an smtpd dies ("warning:
# SASL: Connect to Dovecot auth socket 'private/dovecot-auth' failed", "fatal: no
# SASL authentication mechanisms") and master throttles the listener ("bad command
# startup -- throttling"): it accepts nothing for service_throttle_time (default
# 60 s, 1 s here). The lab is started Postfix first, Dovecot last (e2e run.py), so
# wait_ready must not connect to these: it waits until they are bound instead.
sasl_at_connect() {
    lab_listeners | awk '/ sasl=any/ || (/ sasl=tls/ && / wrapper/)'
}

# "ADDR:PORT" (ss spelling) of each listener on stdin.
ss_addrs() { awk '{ print ($1 ~ /:/ ? "[" $1 "]" : $1) ":" $2 }'; }

# True when every sasl_at_connect listener is bound.
sasl_listeners_bound() {
    local want
    want=$(sasl_at_connect | ss_addrs)
    [ "$(echo "$want" | lab_tcp_listening | sort -u | wc -l)" -eq "$(echo "$want" | wc -l)" ]
}

# Poll until every listener answers "220 " (465: after the TLS handshake), but
# for sasl_at_connect ones until they are bound. No fixed sleeps: 50 ms poll
# interval, 15 s overall limit.
wait_ready() {
    local table
    mapfile -t table < <(lab_listeners | grep -vxF -f <(sasl_at_connect))
    lab_poll 300 sasl_listeners_bound || {
        echo "not ready (not bound): $(sasl_at_connect | ss_addrs | tr '\n' ' ')" >&2
        return 1
    }
    lab_python "${table[@]}" <<'EOF'
import ssl, sys, threading, time
targets = [l.split() for l in sys.argv[1:] if l.strip()]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
# One thread per listener: the first connection to each service makes master
# spawn its smtpd (~25 ms each), so probing in parallel is much quicker.
deadline = time.monotonic() + 15
def probe(t):
    while time.monotonic() < deadline:
        try:
            if lab_smtp_banner(t[0], t[1], ctx if "wrapper" in t[3:] else None):
                return
        except OSError:
            pass
        time.sleep(0.05)
    pending.append(t)
pending = []
threads = [threading.Thread(target=probe, args=(t,)) for t in targets]
for th in threads:
    th.start()
for th in threads:
    th.join()
for t in pending:
    print("not ready: %s port %s (%s)" % (t[0], t[1], t[2]), file=sys.stderr)
sys.exit(1 if pending else 0)
EOF
}

# Trap: the postfix command writes its fatal errors only to syslog and, if
# stderr is a terminal, to stderr -- not to maillog_file when the error comes
# while reading the configuration. Without syslog a failed start is silent, so
# re-run the config check under script(1) to give it a terminal.
show_fatal() {
    command -v script >/dev/null 2>&1 || return 0
    echo "---- postfix -c $ETC check ----" >&2
    script -qec "postfix -c '$ETC' check" /dev/null | tr -d '\r' >&2 || true
}

do_start() {
    local out
    "$HERE/pki.sh" "$PKI" >/dev/null
    do_stop
    free_ports
    write_config
    register_config_dir
    lab_rotate "$MAILLOG"

    # 9>&-: the daemons must not inherit (and hold) our lock.
    if ! out=$(postfix -c "$ETC" start 2>&1 9>&-); then
        [ -z "$out" ] || echo "$out" >&2
        lab_log_tails "$MAILLOG"
        show_fatal
        lab_die "postfix failed to start"
    fi
    if ! wait_ready; then
        lab_fail "postfix did not become ready within 15 s"
    fi
    echo "$PROG: postfix lab up ($(lab_listeners | wc -l) listeners, config $ETC) in $(lab_elapsed_ms) ms"
}

# Start and stop hold LABDIR/.postfix.lock: see lab_lock for the race it prevents.
lab_main postfix
