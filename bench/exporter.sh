#!/bin/sh
# bench/exporter.sh [SCRAPES] - mailtls serve under load, on the lab (Postfix, NSD):
#   1. cached scrapes: wrk against one cached target in rounds of 5 s until SCRAPES
#      (default 100000) are done: scrapes/s, the exporter's CPU per scrape, and its
#      resident memory after each round (it must stay flat);
#   2. uncached: 100 concurrent scrapes of 100 different domains (s1..s100.dom.test, one
#      MX each): the wall time until all are answered, the errors, the peak memory.
# The exporter is one process with one event loop: everything it does runs on one core.
# BIN (default build/mailtls), LAB (default build/lab). Needs wrk and curl
# (sh scripts/deps.sh bench).
set -eu
cd "$(dirname "$0")/.."
N=${1:-100000}
LAB=${LAB:-build/lab}
BIN=${BIN:-build/mailtls}
LISTEN=127.0.0.1:9595

[ -x "$BIN" ] || make -s build/mailtls
command -v wrk >/dev/null && command -v curl >/dev/null || sh scripts/deps.sh bench
bash tests/lab/postfix.sh start "$LAB" >/dev/null
bash tests/lab/nsd.sh start "$LAB" >/dev/null
"$BIN" serve --listen $LISTEN --ca-file "$LAB/pki/ca.pem" --resolver 127.0.0.53@5300 \
	--trust-anchor none --no-dns-records --no-mta-sts --timeout 10 --cache-ttl 3600 \
	--max-probes 200 2>/dev/null &
srv=$!
trap 'kill $srv 2>/dev/null' EXIT
for _ in 1 2 3 4 5 6 7 8 9 10; do
	curl -s -o /dev/null "http://$LISTEN/metrics" && break
	sleep 0.2
done

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$srv/status"; }
cpu() { awk '{ print $14 + $15 }' "/proc/$srv/stat"; } # clock ticks
hz=$(getconf CLK_TCK)

url="http://$LISTEN/probe?host=good.mail.test&port=25"
curl -s -o /dev/null -w "first (uncached) scrape: %{http_code} in %{time_total} s\n" "$url"
echo "cached target, at least $N scrapes in rounds of 5 s (wrk, 20 connections):"
printf '  %-8s %10s %12s %14s %10s\n' round scrapes scrapes/s "CPU us/scrape" "RSS KiB"
printf '  %-8s %10s %12s %14s %10s\n' start 0 - - "$(rss)"
done_n=0
round=1
while [ "$done_n" -lt "$N" ]; do
	c0=$(cpu)
	out=$(wrk -t1 -c20 -d5s "$url" 2>&1)
	c1=$(cpu)
	n=$(echo "$out" | awk '/requests in/ { print $1 }')
	rate=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
	done_n=$((done_n + n))
	printf '  %-8s %10s %12s %14s %10s\n' "$round" "$n" "$rate" \
		"$(awk -v c="$((c1 - c0))" -v h="$hz" -v n="$n" 'BEGIN { printf "%.1f", c / h / n * 1e6 }')" "$(rss)"
	round=$((round + 1))
done

echo "uncached: 100 concurrent scrapes of 100 domains (one check each):"
t0=$(date +%s%N)
seq 1 100 | xargs -P 100 -I{} curl -s -o /dev/null -w "%{http_code}\n" \
	"http://$LISTEN/probe?target=s{}.dom.test" >/tmp/mailtls-exporter-codes.$$
t1=$(date +%s%N)
ok=$(grep -c '^200$' /tmp/mailtls-exporter-codes.$$ || true)
rm -f /tmp/mailtls-exporter-codes.$$
awk -v a="$t0" -v b="$t1" -v ok="$ok" 'BEGIN { printf "  %d of 100 answered 200 in %.2f s wall\n", ok, (b - a) / 1e9 }'
echo "  RSS after: $(rss) KiB"
curl -s "http://$LISTEN/metrics" | grep -v '^#' | sed 's/^/  /'
