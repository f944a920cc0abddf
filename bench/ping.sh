#!/bin/sh
# bench/ping.sh [N] - mailtls ping measured against smtpping and against itself.
#  1. Side by side on the same plaintext listener (the lab's Postfix, 127.0.0.10:25):
#     smtpping and `mailtls ping --no-tls`, N transactions each (default 50), 20 ms apart;
#     the average of each phase both report (connect, greeting, EHLO/HELO, MAIL FROM), and
#     the CPU each client spent per transaction. (The listener refuses RCPT: both stop
#     there, which is enough to compare the phases.)
#  2. Open-loop throughput against nginx's mail module (127.0.1.1:25, STARTTLS, the bulk
#     certificate): --rate 50 for 10 s with 50 in flight, the rate achieved against the rate
#     asked; then a rate the client cannot meet with one connection in flight: starts are
#     missed and counted, the rate of those made does not fall.
set -eu
cd "$(dirname "$0")/.."
N=${1:-50}
LAB=${LAB:-build/lab}
BIN=${BIN:-build/mailtls}
[ -x "$BIN" ] || make -s build/mailtls
command -v smtpping >/dev/null || { echo "bench: smtpping not installed (sh scripts/deps.sh bench)" >&2; exit 1; }
bash tests/lab/postfix.sh start "$LAB" >/dev/null
bash tests/lab/nginx-mail.sh start "$LAB" >/dev/null

echo "== side by side, plaintext, $N transactions, averages in ms =="
sp=$( { /usr/bin/time -f "cpu %U %S" smtpping -c "$N" -w 20 -s 1 alice@good.mail.test @127.0.0.10; } 2>&1 || true)
mt=$( { /usr/bin/time -f "cpu %U %S" "$BIN" ping 127.0.0.10:25 --no-tls -c "$N" -i 0.02 --from a@good.mail.test \
	--to alice@good.mail.test --json; } 2>&1 || true)
echo "$sp" | awk -v n="$N" '
	/^(connect|banner|helo|mailfrom) min/ { split($4, a, "/"); printf "smtpping  %-9s %6.3f\n", $1, a[2] }
	/^cpu/ { printf "smtpping  cpu/txn   %6.3f ms\n", ($2 + $3) * 1000 / n }'
echo "$mt" | python3 -c '
import json, sys
text = sys.stdin.read()
j = json.loads(text[:text.rindex("}") + 1])
cpu = [l for l in text.splitlines() if l.startswith("cpu ")][0].split()
for name, key in (("connect", "connect"), ("banner", "greeting"), ("helo", "ehlo"), ("mailfrom", "mailfrom")):
    print("mailtls   %-9s %6.3f" % (name, j["summary_ms"][key]["avg"]))
print("mailtls   cpu/txn   %6.3f ms" % ((float(cpu[1]) + float(cpu[2])) * 1000 / j["transactions"]))'

echo "== open loop against nginx mail (STARTTLS) =="
"$BIN" ping bulk.bulk.test --address 127.0.1.1 --ca-file "$LAB/pki/ca.pem" --rate 50 --duration 10 \
	--concurrency 50 --force | grep -E "transactions|^total "
"$BIN" ping bulk.bulk.test --address 127.0.1.1 --ca-file "$LAB/pki/ca.pem" --rate 2000 --duration 3 \
	--concurrency 1 --force | grep -E "transactions|^total "
