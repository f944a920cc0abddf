#!/usr/bin/env bash
# dovecot.sh start|stop|status LABDIR
#
# Runs one private Dovecot (IMAP and POP3, nothing else) for the mailtls lab,
# serving the test PKI made by pki.sh (LABDIR/pki, case "good") on loopback only:
#
#   127.0.0.40:143  IMAP, STARTTLS offered; LOGINDISABLED before it
#   127.0.0.40:993  IMAPS (implicit TLS)
#   127.0.0.40:110  POP3, STLS offered; no USER/PASS, AUTH PLAIN before it
#   127.0.0.40:995  POP3S (implicit TLS)
#   127.0.0.41:143  IMAP, ssl = no: no STARTTLS at all (LOGINDISABLED)
#   127.0.0.42:143  IMAP, STARTTLS offered, but AUTH=PLAIN and LOGIN accepted
#                   before it (disable_plaintext_auth = no)
#   127.0.0.42:110  POP3, STLS offered, but USER/PASS and AUTH PLAIN before it
#   LABDIR/postfix/spool/private/dovecot-auth
#                   auth service socket for Postfix's smtpd (SASL, see postfix.sh)
#
# Names (tests/lab/zones/mail.test.zone): imap.good.mail.test = 127.0.0.40,
# plain.good.mail.test = 127.0.0.42.
#
# Certificate: LABDIR/pki/good.chain.pem (good.mail.test, *.good.mail.test, leaf +
# intermediate), key good.key; TLS 1.2 and 1.3 only.
#
# One user logs in: alice@good.mail.test, password lab-secret-1 (also in
# LABDIR/dovecot/alice.password), with PLAIN, LOGIN, SCRAM-SHA-1 or
# SCRAM-SHA-256 (SCRAM also before TLS: not a plaintext mechanism). A failed
# login is answered within 0.5 s and does not slow down later ones. Mail is
# stored (Maildir) and can be read back over IMAP and POP3.
#
# Everything lives under LABDIR/dovecot:
#   dovecot.conf    generated config
#   dovecot.log     Dovecot's log (log_path and info_log_path; no syslog needed)
#   dovecot.out     what `dovecot -c` prints itself (fatal config errors)
#   users           passwd-file: alice's password as a SCRAM-SHA-256 hash
#   users-sha1      the same as a SCRAM-SHA-1 hash (see write_users)
#   alice.password  alice's password in clear (0600, one line ending in newline)
#   run/            base_dir: master.pid, sockets, the login chroot (but see
#                   pick_base_dir: it may be elsewhere, then run is a symlink to it)
#   state/          state_dir
#   mail/           the users' homes and mail, mail/DOMAIN/USER/Maildir (but see
#                   pick_mail_dir: it may be elsewhere, then mail is a symlink to it)
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
USERS="$DV/users"
PWFILE="$DV/alice.password"
# Postfix's smtpd (postfix.sh: smtpd_sasl_path = private/dovecot-auth) asks
# Dovecot's auth service here. See sasl_socket_dir.
SASL_SOCKET="$LAB/postfix/spool/private/dovecot-auth"
# Mail processes (imap, pop3 after login) run as this user: Dovecot refuses
# uid 0 for mail access, and the lab runs as root.
MAIL_USER=dovecot
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
127.0.0.42 143 imap starttls
127.0.0.42 110 pop3 starttls
EOF
}

# Addresses whose clients may log in with a plaintext password before TLS
# (disable_plaintext_auth = no in a `local` block). Everywhere else the default
# disable_plaintext_auth = yes holds: IMAP says LOGINDISABLED and offers no
# AUTH=PLAIN before STARTTLS, POP3 refuses USER/PASS and AUTH PLAIN.
plain_auth_addrs() { echo 127.0.0.42; }

# The one user (passwd-file USERS), and where their password is written in clear.
LAB_USER=alice@good.mail.test
LAB_PASSWORD=lab-secret-1

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

# Where mail goes (MAILDIR, mail_location and the users' homes). The imap and
# pop3 processes of a logged-in user run as MAIL_USER and open the mail by path:
# under a LABDIR that MAIL_USER cannot traverse (a clone in /root) keep it in
# /var/lib, one directory per LABDIR, with LABDIR/dovecot/mail a symlink to it.
pick_mail_dir() {
    MAILDIR="$DV/mail"
    if ! runuser -u "$MAIL_USER" -- test -x "$DV" 2>/dev/null; then
        MAILDIR="/var/lib/mailtls-lab-dovecot-$(printf '%s' "$LAB" | cksum | cut -d' ' -f1)"
    fi
    if [ "$MAILDIR" = "$DV/mail" ]; then
        if [ -L "$DV/mail" ]; then rm -f "$DV/mail"; fi
    else
        if [ ! -L "$DV/mail" ]; then rm -rf "$DV/mail"; fi
        ln -sfn "$MAILDIR" "$DV/mail"
    fi
    mkdir -p "$MAILDIR"
    chown "$MAIL_USER:$MAIL_USER" "$MAILDIR"
    chmod 700 "$MAILDIR"
}

# The socket Postfix's smtpd authenticates through goes into Postfix's queue
# directory, as on a packaged system (/var/spool/postfix/private/auth): smtpd
# runs as postfix with its working directory there (master chdirs as root), so
# the relative smtpd_sasl_path works even below a LABDIR that postfix cannot
# traverse. Dovecot's master creates the socket as root, owned by postfix. Make
# private/ the way Postfix itself would (postfix:root 0700) if postfix.sh has
# not run yet in this LABDIR; Postfix starting later keeps it and the socket.
sasl_socket_dir() {
    local d=${SASL_SOCKET%/*}
    if [ ! -d "$d" ]; then
        mkdir -p "${d%/*}"
        install -d -o postfix -g root -m 700 "$d"
    fi
}

# The passwd-file: one user, password hashed with SCRAM-SHA-256, from which
# Dovecot serves PLAIN, LOGIN and SCRAM-SHA-256. SCRAM-SHA-1 needs its own
# hash (SCRAM keys are per hash function: "Requested SCRAM-SHA-1 scheme, but we
# have only SCRAM-SHA-256"), so a second passwd-file holds that one. The clear
# password goes to PWFILE (0600, one line, newline at the end) for the tests.
write_users() {
    local h256 h1
    h256=$(doveadm pw -s SCRAM-SHA-256 -p "$LAB_PASSWORD") || lab_die "doveadm pw failed"
    h1=$(doveadm pw -s SCRAM-SHA-1 -p "$LAB_PASSWORD") || lab_die "doveadm pw failed"
    (umask 077
     printf '%s\n' "$LAB_PASSWORD" >"$PWFILE.tmp"
     printf '%s:%s\n' "$LAB_USER" "$h256" >"$USERS.tmp"
     printf '%s:%s\n' "$LAB_USER" "$h1" >"$USERS-sha1.tmp")
    mv -f "$PWFILE.tmp" "$PWFILE"
    mv -f "$USERS.tmp" "$USERS"
    mv -f "$USERS-sha1.tmp" "$USERS-sha1"
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
    local addr uid gid
    mkdir -p "$DV/state"
    chmod 755 "$DV"
    pick_base_dir
    pick_mail_dir
    sasl_socket_dir
    write_users
    uid=$(id -u "$MAIL_USER") gid=$(id -g "$MAIL_USER")
    if [ "$BASE" = "$RUN" ]; then
        if [ -L "$RUN" ]; then rm -f "$RUN"; fi
    else
        rm -rf "$RUN"
        ln -s "$BASE" "$RUN"
    fi
    mkdir -p "$BASE"
    chmod 755 "$BASE"
    # Left by an older lab (see service anvil below): the auth process would log
    # "net_connect_unix(anvil-auth-penalty) failed: Connection refused".
    rm -f "$BASE/anvil-auth-penalty"
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

# One user, $LAB_USER (password in $PWFILE). Plaintext
# passwords (PLAIN, LOGIN) only over TLS, except on the addresses of the
# local blocks at the end (disable_plaintext_auth = no).
auth_mechanisms = plain login scram-sha-1 scram-sha-256
disable_plaintext_auth = yes
# A failed login is answered by the next run of the auth process's 500 ms
# failure timer (hard-coded), not after the default 2 s.
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = $USERS
}
# The same password hashed for SCRAM-SHA-1. Dovecot tries the passdbs in turn:
# for SCRAM-SHA-1 the first has no credentials ("Requested SCRAM-SHA-1 scheme,
# but we have only SCRAM-SHA-256") and this one answers; a wrong password
# fails in both.
passdb {
  driver = passwd-file
  args = $USERS-sha1
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$MAILDIR/%d/%n
}
mail_location = maildir:~/Maildir
# The mail user ($MAIL_USER) is a system account below the default 500.
first_valid_uid = $uid
last_valid_uid = $uid
first_valid_gid = $gid
last_valid_gid = $gid

# Trap: after a failed login Dovecot delays the next ones from the same client
# address (2, 4, 8, up to 15 s: the auth penalty kept by anvil; every lab client
# comes from 127.0.0.1), so a test with a wrong password slowed down all logins
# after it ("client didn't finish SASL auth, waited 4 secs"). The auth process
# skips the penalty when it cannot connect to anvil's anvil-auth-penalty
# socket; mode 0 leaves that socket out.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

# user: the auth process reads the passwd-files by path (and again whenever
# they change), as root here: as dovecot it could not below a LABDIR that
# dovecot cannot traverse (a clone in /root).
# unix_listener: Postfix's smtpd authenticates its clients through this socket
# (postfix.sh: smtpd_sasl_type = dovecot, smtpd_sasl_path = private/dovecot-auth).
service auth {
  user = root
  unix_listener $SASL_SOCKET {
    mode = 0600
    user = postfix
    group = postfix
  }
}

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
        # Plaintext logins before TLS allowed (STARTTLS/STLS still offered).
        for addr in $(plain_auth_addrs); do
            printf 'local %s {\n  disable_plaintext_auth = no\n}\n' "$addr"
        done
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
