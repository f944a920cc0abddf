#!/bin/sh
# bench/single.sh [N] - one server, checked N times (default 200) one after another, by
# mailtls and by posttls-finger: same lab listener, same host name, same CA file.
# Prints wall and CPU seconds (user+sys of the client processes) of each, and the ratios;
# openssl s_client is shown as the floor (its row includes one extra sh per run).
# The lab's Postfix serves both; its smtpd CPU is not counted (it is not the client).
set -eu
cd "$(dirname "$0")/.."
N=${1:-200}
LAB=${LAB:-build/lab}
BIN=${BIN:-build/mailtls}
CA=$LAB/pki/ca.pem
HOST=good.mail.test
ADDR=127.0.0.10

[ -x "$BIN" ] || make -s build/mailtls
command -v posttls-finger >/dev/null || { echo "bench: posttls-finger not installed (apt-get install postfix)" >&2; exit 1; }
# A Postfix this script starts is stopped at its end (a test lab left running on the same
# loopback ports stops a later `make test` at "ports in use"); one already running, as
# after `make demo`, is used and left running.
if bash tests/lab/postfix.sh status "$LAB"; then
	echo "bench: using the lab Postfix already running in $LAB" >&2
else
	trap 'bash tests/lab/postfix.sh stop "$LAB" >/dev/null 2>&1 || true' EXIT
	bash tests/lab/postfix.sh start "$LAB" >/dev/null
fi

# Both must agree the listener is fine before they are timed.
"$BIN" check --host "$HOST" --address "$ADDR" --ca-file "$CA" >/dev/null ||
	{ echo "bench: mailtls does not pass the good listener" >&2; exit 1; }
posttls-finger -c -l secure -F "$CA" -s "$HOST" "[$ADDR]:25" "$HOST" 2>&1 | grep -q "Verified TLS connection" ||
	{ echo "bench: posttls-finger does not verify the good listener" >&2; exit 1; }

measure() { # name command... ; prints "name wall user sys"
	name=$1
	shift
	/usr/bin/time -f "$name %e %U %S" sh -c '
		n=$1; shift
		i=0
		while [ $i -lt "$n" ]; do "$@" >/dev/null 2>&1 || true; i=$((i + 1)); done
	' sh "$N" "$@" 2>&1 | tail -1
}

m=$(measure mailtls "$BIN" check --host "$HOST" --address "$ADDR" --ca-file "$CA")
p=$(measure posttls-finger posttls-finger -c -l secure -F "$CA" -s "$HOST" "[$ADDR]:25" "$HOST")
# The floor: a bare handshake that judges nothing beyond OpenSSL's verify.
o=$(measure s_client sh -c "openssl s_client -starttls smtp -connect $ADDR:25 -servername $HOST -CAfile $CA </dev/null")

echo "$m
$p
$o" | awk -v n="$N" '
	{ wall[$1] = $2; cpu[$1] = $3 + $4 }
	END {
		printf "%-15s %8s %8s %12s %12s\n", "client", "wall s", "cpu s", "wall ms/chk", "cpu ms/chk"
		for (k in wall)
			printf "%-15s %8.2f %8.2f %12.2f %12.2f\n", k, wall[k], cpu[k], 1000 * wall[k] / n, 1000 * cpu[k] / n
		printf "ratio s_client/mailtls: wall %.2fx, cpu %.2fx\n", wall["s_client"] / wall["mailtls"], cpu["s_client"] / cpu["mailtls"]
		printf "ratio posttls-finger/mailtls: wall %.2fx, cpu %.2fx (above 1: mailtls is faster)\n",
			wall["posttls-finger"] / wall["mailtls"], cpu["posttls-finger"] / cpu["mailtls"]
	}'
