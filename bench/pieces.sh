#!/bin/sh
# bench/pieces.sh [N] - a server that writes each reply line in two pieces with Nagle on
# (as GNU Mailutils and Perdition write), checked N times (default 30) one after another:
# wall milliseconds per check. A client that delays its ACKs waits ~40 ms for the second
# piece of every line; mailtls sets TCP_QUICKACK after each of its sends. BIN picks the
# binary (default build/mailtls); BIN2 adds a second row (an older build, to compare).
# The server is tests/e2e/hostile.py's "pieces" mode on 127.0.0.51 (the e2e suite uses .50).
set -eu
cd "$(dirname "$0")/.."
N=${1:-30}
LAB=${LAB:-build/lab}
BIN=${BIN:-build/mailtls}
ADDR=127.0.0.51
BASE=2700

[ -x "$BIN" ] || make -s build/mailtls
bash tests/lab/pki.sh "$LAB/pki" >/dev/null
port=$(python3 tests/e2e/hostile.py --modes --base-port $BASE | python3 -c 'import json,sys; print(json.load(sys.stdin)["pieces"])')
fifo=$(mktemp -u)
mkfifo "$fifo"
python3 tests/e2e/hostile.py --addr $ADDR --base-port $BASE --cert "$LAB/pki/good.chain.pem" \
	--key "$LAB/pki/good.key" >"$fifo" &
srv=$!
trap 'kill $srv 2>/dev/null; rm -f "$fifo"' EXIT
read -r ready <"$fifo"
[ "$ready" = ready ] || { echo "bench: hostile server did not start" >&2; exit 1; }

row() { # name binary
	"$2" check --host good.mail.test --address $ADDR --port "$port" --ca-file "$LAB/pki/ca.pem" \
		>/dev/null || { echo "bench: $1 does not pass the pieces server" >&2; exit 1; }
	t0=$(date +%s%N)
	i=0
	while [ $i -lt "$N" ]; do
		"$2" check --host good.mail.test --address $ADDR --port "$port" \
			--ca-file "$LAB/pki/ca.pem" >/dev/null
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	awk -v n="$1" -v a="$t0" -v b="$t1" -v c="$N" 'BEGIN { printf "%-12s %8.1f ms per check (%d checks)\n", n, (b - a) / 1e6 / c, c }'
}

row mailtls "$BIN"
[ -z "${BIN2:-}" ] || row "${BIN2_NAME:-other}" "$BIN2"
