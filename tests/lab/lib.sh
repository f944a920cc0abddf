# shellcheck shell=bash
# lib.sh -- process management shared by the lab scripts (postfix.sh, nsd.sh,
# nginx-https.sh, nginx-mail.sh, nginx-http.sh, ocsp.sh, staple.sh, dovecot.sh).
# Sourced, never run:
#
#   HERE="$(cd "$(dirname "$0")" && pwd -P)"
#   . "$HERE/lib.sh"
#
# What a script provides, and which lab_ functions use it:
#   PROG                     its name, for messages (lab_die)
#   do_start do_stop         lab_main; do_stop also lab_fail
#   is_running               lab_main (status)
#   wait_ready               lab_launch: poll until the daemon serves
#   conflicting_listeners    lab_wait_ports_free: sockets in the way, one a line
#   PORT                     lab_wait_ports_free's message
#   OUT                      lab_launch: the daemon's stdout/stderr
#   LAB_LOGS                 array, lab_fail: the logs to show when start fails
#   NGDIR CONF PIDFILE LOG   lab_nginx_*: nginx's directory, config, pid file, log

# Start of the script (sourced first thing), for the "lab up in N ms" line.
LAB_T0=$(date +%s%N)

# ---- arguments, messages, locking ------------------------------------------------

# lab_usage: print the usage line every lab script shares and exit 2 (bad command line).
lab_usage() { echo "usage: $0 start|stop|status LABDIR" >&2; exit 2; }

# lab_die MSG: "PROG: MSG" on stderr and exit 1, so that callers see which lab script failed.
lab_die() { echo "$PROG: $*" >&2; exit 1; }

# lab_args "$@": check start|stop|status LABDIR and set ACTION and LAB (made, absolute, no symlinks).
lab_args() {
    [ $# -eq 2 ] || lab_usage
    ACTION=$1
    [ -n "$2" ] || lab_usage
    case $ACTION in start|stop|status) ;; *) lab_usage ;; esac
    mkdir -p "$2"
    LAB="$(cd "$2" && pwd -P)"
}

# lab_lock NAME [DIR]: make DIR, hold LABDIR/.NAME.lock on fd 9: starts/stops on one LABDIR take turns.
# Trap: several test runners share build/lab, and concurrent postfix.sh starts
# raced each other ("unable to set exclusive lock" on master.pid, with the loser
# reporting the winner's listeners as its own). Daemons are started with 9>&-.
lab_lock() {
    if [ -n "${2:-}" ]; then mkdir -p "$2"; fi
    exec 9>"$LAB/.$1.lock"
    flock -w 60 9 || lab_die "timed out waiting for $LAB/.$1.lock"
}

# lab_main NAME [DIR]: run ACTION (the script's do_start/do_stop/is_running), start/stop under lab_lock.
lab_main() {
    case $ACTION in
        start)  lab_lock "$@"; do_start ;;
        stop)   lab_lock "$@"; do_stop ;;
        status) is_running ;;
    esac
}

# lab_elapsed_ms: milliseconds since the script started, for its "lab up in N ms" line.
lab_elapsed_ms() { echo $(( ($(date +%s%N) - LAB_T0) / 1000000 )); }

# ---- processes -------------------------------------------------------------------

# lab_pid_from FILE: the number in a pid file, or nothing if it is missing or empty (no error).
lab_pid_from() {
    local p
    p=$(tr -dc 0-9 2>/dev/null <"$1") || true
    echo "${p:-}"
}

# lab_alive PID: true if PID exists and is not a zombie, i.e. has really not exited yet.
# Trap: in this container PID 1 reaps orphans slowly, so a stopped daemon
# lingers as a zombie for a second or two and `kill -0` still succeeds.
lab_alive() {
    local st
    st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "${st%% *}" != Z ]
}

# lab_is_ours PID TEXT: PID is alive and its command line holds TEXT (pid files go stale, pids get reused).
lab_is_ours() {
    [ -n "$1" ] && lab_alive "$1" || return 1
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# lab_children PID: the processes whose parent is PID (nginx workers), so that stop can wait for them too.
lab_children() {
    local d
    for d in /proc/[0-9]*; do
        [ "$(awk '{ print $4 }' "$d/stat" 2>/dev/null)" = "$1" ] && echo "${d#/proc/}"
    done
    return 0
}

# lab_poll TRIES CMD...: run CMD every 50 ms until it succeeds, TRIES times at most: waits without fixed sleeps.
lab_poll() {
    local n=$1
    shift
    for _ in $(seq "$n"); do
        "$@" && return 0
        sleep 0.05
    done
    return 1
}

# lab_silent CMD...: true if CMD prints nothing, for lab_poll ("no conflicting listeners left").
lab_silent() { [ -z "$("$@")" ]; }

# lab_none_alive PID...: true if no PID is alive (zombies count as gone), for lab_poll.
lab_none_alive() {
    local p
    for p in "$@"; do
        if lab_alive "$p"; then return 1; fi
    done
    return 0
}

# lab_wait_or_kill PID...: after a stop signal, wait up to 10 s for the PIDs to exit, then SIGKILL the rest.
lab_wait_or_kill() {
    local p
    lab_poll 200 lab_none_alive "$@" && return 0
    for p in "$@"; do
        if lab_alive "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
    done
    return 0
}

# ---- ports -----------------------------------------------------------------------

# lab_tcp_listening <ADDR:PORT lines (ss spelling: "*:25", "[::1]:25"): those a TCP socket listens on.
lab_tcp_listening() {
    local want
    want=$(cat)
    ss -Hltn 2>/dev/null | awk '{ print $4 }' | grep -Fx -f <(echo "$want") || true
}

# lab_wait_ports_free TRIES: poll until conflicting_listeners prints nothing, else die naming what holds PORT.
lab_wait_ports_free() {
    lab_poll "$1" lab_silent conflicting_listeners ||
        lab_die "port $PORT in use by something else: $(conflicting_listeners | tr -s ' \n' ' ')"
}

# ---- starting --------------------------------------------------------------------

# lab_rotate FILE...: move last run's logs to FILE.old, so that a failure shows only this run's lines.
lab_rotate() {
    local f
    for f in "$@"; do
        if [ -f "$f" ]; then mv -f "$f" "$f.old"; fi
    done
}

# lab_log_tails FILE...: the last 25 lines of each non-empty FILE on stderr, to show why a start failed.
lab_log_tails() {
    local f
    for f in "$@"; do
        [ -s "$f" ] || continue
        echo "---- last lines of $f ----" >&2
        tail -n 25 "$f" >&2
    done
}

# lab_fail MSG: a start went wrong: show LAB_LOGS, stop what did start (do_stop), die with MSG.
lab_fail() {
    lab_log_tails "${LAB_LOGS[@]}"
    do_stop
    lab_die "$1"
}

# lab_launch WHAT CMD...: start a self-daemonizing server, then wait_ready (10 s); lab_fail if either fails.
lab_launch() {
    local what=$1
    shift
    # 9>&-: the daemon must not inherit (and hold) our lock. Output goes to a
    # file, never to our stdout: a caller reading our output through a pipe
    # (e.g. subprocess.run(capture_output=True)) would otherwise wait for the daemon.
    if ! "$@" </dev/null >"$OUT" 2>&1 9>&-; then
        lab_fail "$what failed to start"
    fi
    if ! wait_ready; then
        lab_fail "$what did not become ready within 10 s"
    fi
}

# lab_python ARG... <<'EOF': python3 on stdin's code (argv[1:] = ARGs) with the readiness helpers below.
lab_python() {
    python3 -c "$(cat <<'EOF'
import socket, sys, time

def lab_recv_line(s):
    """What s sends up to and including its first newline (or until it closes)."""
    data = b""
    while b"\n" not in data:
        chunk = s.recv(512)
        if not chunk:
            break
        data += chunk
    return data


def lab_greets(addr, port, want, bye, tls=None):
    """The server at addr:port greets with want (TLS first if tls, an SSLContext); then bye."""
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect((addr, int(port)))
        if tls:
            s = tls.wrap_socket(s)
        data = lab_recv_line(s)
        s.sendall(bye)
        return data.startswith(want)


def lab_smtp_banner(addr, port, tls=None):
    """SMTP server at addr:port greets "220 " (TLS first if tls is given); QUIT."""
    return lab_greets(addr, port, b"220 ", b"QUIT\r\n", tls)

def lab_died(pidfile):
    """The daemon in pidfile exited (or is a zombie): stop waiting for it. False until written."""
    try:
        pid = int(open(pidfile).read().strip())
    except (OSError, ValueError):
        return False          # not written yet
    try:
        st = open("/proc/%d/stat" % pid).read()
    except OSError:
        return True
    return st.rsplit(")", 1)[1].split()[0] == "Z"

def lab_poll_checks(what, pidfile, checks, seconds=10):
    """Retry (name, fn) checks in 50 ms rounds until all pass: exit 0, else 1 naming the rest."""
    deadline = time.monotonic() + seconds
    while checks and time.monotonic() < deadline:
        t = time.monotonic()
        left = []
        for name, fn in checks:
            try:
                ok = fn()
            except (OSError, IndexError):
                ok = False
            if not ok:
                left.append((name, fn))
        checks = left
        if checks:
            if lab_died(pidfile):
                print("%s exited" % what, file=sys.stderr)
                break
            time.sleep(max(0, 0.05 - (time.monotonic() - t)))
    for name, _ in checks:
        print("not ready: %s" % name, file=sys.stderr)
    sys.exit(1 if checks else 0)
EOF
)
$(cat)" "$@"
}

# ---- nginx (nginx-https.sh, nginx-mail.sh, nginx-http.sh) ---------------------------

# lab_nginx_check_labdir: die unless LAB can stand in nginx.conf, where the paths go unquoted.
lab_nginx_check_labdir() {
    case $LAB in
        *[[:space:]\"\'\\\;\{\}\$]*) lab_die "LABDIR path must not contain blanks, quotes, backslashes, ; { } or \$: $LAB" ;;
    esac
}

# lab_nginx_stop: stop this lab's nginx (PIDFILE, master of CONF) and wait for its workers too.
lab_nginx_stop() {
    local pid workers
    pid=$(lab_pid_from "$PIDFILE")
    # The master keeps its arguments in its title: "nginx: master process nginx -c CONF ...".
    if lab_is_ours "$pid" "-c $CONF"; then
        mapfile -t workers < <(lab_children "$pid")
        # SIGTERM is nginx's fast shutdown: workers close their connections at once.
        kill -TERM "$pid" 2>/dev/null || true
        lab_wait_or_kill "$pid" "${workers[@]}"
    fi
    rm -f "$PIDFILE"
    return 0
}

# lab_nginx_start LOG...: nginx -t CONF (clear message), lab_rotate LOGs, start nginx and wait_ready.
lab_nginx_start() {
    local out
    if ! out=$(nginx -t -q -c "$CONF" -p "$NGDIR/" -e "$LOG" 2>&1); then
        lab_die "nginx -t $CONF: $out"
    fi
    lab_rotate "$@"
    # -e: the log for errors before the config's error_log is open.
    lab_launch nginx nginx -c "$CONF" -p "$NGDIR/" -e "$LOG"
}

# The head of a lab nginx.conf, up to and into its http block: who runs the workers, the
# pid, lock and error files, and the temp paths kept under NGDIR. The caller writes the
# rest of the http block (logs, types, servers) and closes it.
lab_nginx_conf_head() { # SCRIPT NGDIR PIDFILE LOG
    local user=""
    # Workers read LABDIR files. As root, nginx would run them as nobody, who cannot
    # read a LABDIR below /root (mode 700, e.g. a clone there).
    if [ "$(id -u)" = 0 ]; then user="user root root;"; fi
    cat <<EOF
# Generated by tests/lab/$1 -- mailtls test lab, loopback only.
$user
worker_processes 1;
daemon on;
pid $3;
lock_file $2/nginx.lock;
error_log $4 warn;

events {
    worker_connections 256;
}

http {
    # Debian's nginx keeps temp files in /var/lib/nginx: ours stay here.
    client_body_temp_path $2/tmp/body;
    proxy_temp_path $2/tmp/proxy;
    fastcgi_temp_path $2/tmp/fastcgi;
    uwsgi_temp_path $2/tmp/uwsgi;
    scgi_temp_path $2/tmp/scgi;
EOF
}
