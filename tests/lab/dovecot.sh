#!/usr/bin/env bash
# dovecot.sh start|stop|status LABDIR
#
# Runs one private Dovecot (IMAP and POP3, nothing else) for the mailtls lab,
# serving the test PKI made by pki.sh (LABDIR/pki, case "good") on loopback only:
#
#   127.0.0.40:143  IMAP, STARTTLS offered
#   127.0.0.40:993  IMAPS (implicit TLS)
#   127.0.0.40:110  POP3, STLS offered
#   127.0.0.40:995  POP3S (implicit TLS)
#   127.0.0.41:143  IMAP, ssl = no: no STARTTLS at all
#
# Certificate: LABDIR/pki/good.chain.pem (good.mail.test, *.good.mail.test, leaf +
# intermediate), key good.key; TLS 1.2 and 1.3 only. Nobody can log in (the only
# passdb denies everyone); the greeting, CAPABILITY/CAPA, STARTTLS/STLS and
# LOGOUT/QUIT are all a TLS check needs.
#
# Everything lives under LABDIR/dovecot:
#   dovecot.conf    generated config
#   dovecot.log     Dovecot's log (log_path and info_log_path; no syslog needed)
#   dovecot.out     what `dovecot -c` prints itself (fatal config errors)
#   run/            base_dir: master.pid, sockets, the login chroot (but see
#                   pick_base_dir: it may be elsewhere, then run is a symlink to it)
#   state/          state_dir
#   mail/           mail_location (stays empty)
#
# Talk to it: openssl s_client -starttls imap -connect 127.0.0.40:143 \
#   -servername good.mail.test -CAfile LABDIR/pki/ca.pem
set -eu

HERE="$(cd "$(dirname "$0")" && pwd -P)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
PROG=dovecot.sh

lab_args "$@"
# The paths go unquoted into dovecot.conf, where blanks, quotes, # and braces
# have meaning, and % and $ are expanded in some settings (mail_location).
case $LAB in
    *[[:space:]\"\'\\\#\{\}\$%]*) lab_die "LABDIR path must not contain blanks, quotes, backslashes, #, braces, \$ or %: $LAB" ;;
esac

PKI="$LAB/pki"
DV="$LAB/dovecot"
CONF="$DV/dovecot.conf"
LOG="$DV/dovecot.log"
OUT="$DV/dovecot.out"
RUN="$DV/run"
LAB_LOGS=("$OUT" "$LOG")
PORT="143/993/110/995"

# address port protocol tls
#   tls = starttls (offered after the greeting), implicit (TLS first), none (ssl = no)
lab_listeners() {
    cat <<'EOF'
127.0.0.40 143 imap starttls
127.0.0.40 993 imap implicit
127.0.0.40 110 pop3 starttls
127.0.0.40 995 pop3 implicit
127.0.0.41 143 imap none
EOF
}

# Where base_dir goes. Dovecot's processes run as dovenull (imap-login,
# pop3-login) and dovecot (auth, anvil, stats) and reach each other through unix
# sockets in base_dir. Measured with a LABDIR in /root (mode 700, as root on a
# fresh Debian): greeting, STARTTLS and a failed LOGIN work even with base_dir
# there, because the login processes chroot into base_dir/login as root before
# they drop privileges and the others connect to stats-writer before theirs; and
# ssl_cert = <FILE is read by the config process, as root, which hands the
# contents to the login processes. What would fail is any later connect by path
# as dovecot: auth to auth-worker (a blocking passdb), a reconnect to a restarted
# stats process. Socket paths are also limited to 107 bytes, which a deep LABDIR
# can exceed. In either case keep base_dir (sockets, master.pid, the login chroot;
# nothing else) in /run, one directory per LABDIR, with LABDIR/dovecot/run a
# symlink to it.
pick_base_dir() {
    BASE="$RUN"
    if [ ${#BASE} -gt 70 ] ||
       ! runuser -u dovenull -- test -x "$DV" 2>/dev/null ||
       ! runuser -u dovecot -- test -x "$DV" 2>/dev/null; then
        BASE="/run/mailtls-lab-dovecot-$(printf '%s' "$LAB" | cksum | cut -d' ' -f1)"
    fi
}

# base_dir of the running (or last) instance: from its config, so that stop
# finds it even if pick_base_dir would now choose differently.
conf_base_dir() {
    sed -n 's/^base_dir = //p' "$CONF" 2>/dev/null | head -n 1
}

# listeners PROTO: the inet_listener blocks of PROTO's login service.
# Trap: Dovecot's built-in services already define inet_listener imap and imaps
# (pop3, pop3s) on ports 143 and 993 (110, 995) of `listen`; one of another
# name is added to them and both bind ("listen(127.0.0.40, 143) failed: Address
# already in use"). So the first plain and the first TLS listener take the
# built-in names, the rest PROTO-ADDR-PORT.
listeners() {
    local addr port proto tls name plain='' tlsname=''
    while read -r addr port proto tls; do
        [ "$proto" = "$1" ] || continue
        if [ "$tls" = implicit ] && [ -z "$tlsname" ]; then
            name=${1}s tlsname=$name
        elif [ "$tls" != implicit ] && [ -z "$plain" ]; then
            name=$1 plain=$name
        else
            name=$1-$addr-$port
        fi
        printf '  inet_listener %s {\n    address = %s\n    port = %s\n' "$name" "$addr" "$port"
        if [ "$tls" = implicit ]; then printf '    ssl = yes\n'; fi
        printf '  }\n'
    done < <(lab_listeners)
    # A built-in name we did not use would still listen: switch it off.
    if [ -z "$plain" ]; then printf '  inet_listener %s {\n    port = 0\n  }\n' "$1"; fi
    if [ -z "$tlsname" ]; then printf '  inet_listener %ss {\n    port = 0\n  }\n' "$1"; fi
}

write_config() {
    local addr
    mkdir -p "$DV/state" "$DV/mail"
    chmod 755 "$DV"
    pick_base_dir
    if [ "$BASE" = "$RUN" ]; then
        if [ -L "$RUN" ]; then rm -f "$RUN"; fi
    else
        rm -rf "$RUN"
        ln -s "$BASE" "$RUN"
    fi
    mkdir -p "$BASE"
    chmod 755 "$BASE"
    {
        cat <<EOF
# Generated by tests/lab/dovecot.sh -- mailtls test lab, loopback only.
protocols = imap pop3
# Every listener below names its address; this only covers any that would not.
listen = 127.0.0.40
# Process titles: "dovecot-mailtls-lab/imap-login".
instance_name = mailtls-lab
base_dir = $BASE
state_dir = $DV/state
default_login_user = dovenull
default_internal_user = dovecot

# No syslog in the lab.
log_path = $LOG
info_log_path = $LOG
debug_log_path = $LOG

ssl = yes
ssl_cert = <$PKI/good.chain.pem
ssl_key = <$PKI/good.key
ssl_min_protocol = TLSv1.2

# Nobody logs in: the only passdb denies every user.
passdb {
  driver = static
  deny = yes
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$DV/mail/%n
}
mail_location = maildir:$DV/mail/%n

# Benchmark friendly: login processes serve many clients each and are started
# with the master (high-performance mode), so no fork per connection.
service imap-login {
EOF
        listeners imap
        cat <<'EOF'
  service_count = 0
  process_min_avail = 2
}
service pop3-login {
EOF
        listeners pop3
        cat <<'EOF'
  service_count = 0
  process_min_avail = 2
}
EOF
        # Listeners without TLS: login processes look settings up by local
        # address, and there see ssl = no (no STARTTLS/STLS, no TLS at all).
        lab_listeners | awk '$4 == "none" { print $1 }' | sort -u |
            while read -r addr; do printf 'local %s {\n  ssl = no\n}\n' "$addr"; done
    } >"$CONF"
}

# ---- processes -------------------------------------------------------------------

pidfile() {
    local base
    base=$(conf_base_dir)
    [ -n "$base" ] && echo "$base/master.pid"
}

is_running() {
    local pf
    pf=$(pidfile) || return 1
    lab_is_ours "$(lab_pid_from "$pf")" "-c $CONF"
}

# SIGTERM to the master (what `doveadm stop` sends), then wait for it and its
# children: the login processes hold the listening sockets until they are gone.
# Trap: once its children have exited, Dovecot's master sleeps a fixed 1 s
# (services_monitor_wait_and_kill: "wait a little bit" after SIGQUITting the
# ones left, which always includes the log process) and only then closes its own
# copies of the listening sockets and exits: every stop, and so every restart,
# took 1.3 s. When every child but the log process is gone, the master has
# nothing left to do: SIGKILL it (it would only unlink master.pid, done here).
# Its log process then reads EOF on its pipes, writes what is left, and exits.
do_stop() {
    local pf pid p children=() workers=()
    pf=$(pidfile) || return 0
    pid=$(lab_pid_from "$pf")
    if lab_is_ours "$pid" "-c $CONF"; then
        mapfile -t children < <(lab_children "$pid")
        for p in "${children[@]}"; do
            if [ "$(cat "/proc/$p/comm" 2>/dev/null)" != log ]; then workers+=("$p"); fi
        done
        kill -TERM "$pid" 2>/dev/null || true
        lab_wait_or_kill "${workers[@]}"
        if lab_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
        lab_wait_or_kill "$pid" "${children[@]}"
    fi
    rm -f "$pf"
    return 0
}

# Listeners that would collide with ours: one of our addresses or a wildcard
# (a packaged Dovecot listens on *:143 and [::]:143 and so on).
conflicting_listeners() {
    lab_listeners | awk '{ print $1 ":" $2; print "0.0.0.0:" $2; print "*:" $2; print "[::]:" $2 }' |
        sort -u | lab_tcp_listening
}

# Poll until every listener greets ("* OK" for IMAP, "+OK" for POP3; TLS first
# on 993/995, unverified), then LOGOUT/QUIT. No fixed sleeps: 50 ms steps, 10 s
# overall (lab_poll_checks, in lab_python).
wait_ready() {
    local table
    mapfile -t table < <(lab_listeners)
    lab_python "$(pidfile)" "${table[@]}" <<'EOF'
import socket, ssl, sys
pidfile, table = sys.argv[1], [l.split() for l in sys.argv[2:] if l.strip()]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
GREET = {"imap": (b"* OK", b"a LOGOUT\r\n"), "pop3": (b"+OK", b"QUIT\r\n")}

def greets(addr, port, proto, tls):
    want, bye = GREET[proto]
    return lab_greets(addr, port, want, bye, ctx if tls == "implicit" else None)

lab_poll_checks("dovecot", pidfile,
                [("%s port %s (%s, %s)" % tuple(t), lambda t=t: greets(*t)) for t in table])
EOF
}

do_start() {
    command -v dovecot >/dev/null 2>&1 || lab_die "dovecot not installed (apt-get install dovecot-imapd dovecot-pop3d)"
    if ! getent passwd dovenull >/dev/null || ! getent passwd dovecot >/dev/null; then
        lab_die "users dovenull and dovecot missing (installed with dovecot-core)"
    fi
    "$HERE/pki.sh" "$PKI" >/dev/null
    do_stop
    lab_wait_ports_free 200
    write_config
    lab_rotate "$LOG" "$OUT"
    # Dovecot daemonizes once its listeners are bound; bind and config errors
    # make it exit non-zero with the reason on stderr (OUT).
    lab_launch dovecot dovecot -c "$CONF"
    echo "$PROG: dovecot lab up ($(lab_listeners | wc -l) listeners, config $CONF) in $(lab_elapsed_ms) ms"
}

# Start and stop hold LABDIR/.dovecot.lock: see lab_lock for the race it prevents.
lab_main dovecot "$DV"
