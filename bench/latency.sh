#!/usr/bin/env bash
# bench/latency.sh [N] [MXHOSTS] [PF_N] - mailtls at internet-like latency: N generated
# domains (default 100000) over MXHOSTS MX hosts (default 1000), every packet between the
# client and the servers held 50 ms each way with up to 10 ms of jitter (100 ms round
# trips) and 1% of them dropped; then domains/s, CPU per domain and peak RSS for
# --concurrency 200 and 1000 on one loop and on two workers, and PF_N of the same domains
# (default 2000) through posttls-finger under xargs -P 200.
#
# The kernel here has no sch_netem ("Specified qdisc kind is unknown"), so the delay is
# bench/delayproxy.c, a userspace forwarder (built here) between the client's addresses and
# the servers, and the loss an nft rule (numgen random) on those addresses alone. The
# servers: nginx's mail module (tests/lab/nginx-mail.sh, 127.0.1.1-8:25, *.bulk.test)
# behind 127.3.0.1-8:25, and an NSD of this script's own (bulk.test: lNNNNNN MX
# mx-lNNNN, mx-lNNNN A 127.3.0.K) behind 127.0.0.53 ports 5300 (mailtls) and 53
# (posttls-finger, through a private /etc/resolv.conf). All in a private network
# namespace. Needs root and `scripts/deps.sh bench` (nftables among it). DELAY, JITTER
# (ms each way) and LOSS (percent) change the path; CONCS the --concurrency values
# (default "200 1000"), WORKERS_LIST the --workers values (default "1 2"); MT_EXTRA adds
# options to every mailtls run; PF_N 0 leaves posttls-finger out; LAT_SHELL=CMD runs CMD
# in the lab.
#
# Each run's "peak conns" is counted from outside: the most TCP connections established
# from mailtls to the servers' addresses at once, sampled with ss every 0.2 s. For 10,000
# in flight, give as many MX hosts as connections, and fewer DNS queries in flight than
# connections where descriptors are short (CONCS=10000 MT_EXTRA="--dns-concurrency 2000"
# bench/latency.sh 100000 100000 0); the descriptor limits are raised as far as root may.
set -eu
cd "$(dirname "$0")/.."
N=${1:-100000}
MX=${2:-1000}
PFN=${3:-2000}
LAB=${LAB:-build/latency-lab}
BIN=${BIN:-build/mailtls}
PROG=latency.sh
die() { echo "$PROG: $*" >&2; exit 1; }
for v in "$N" "$MX" "$PFN"; do case $v in '' | *[!0-9]*) die "not a number: $v" ;; esac; done
[ "$(id -u)" = 0 ] || die "needs root (unshare, nft)"
for c in nsd nginx posttls-finger nft cc unshare; do
	command -v "$c" >/dev/null 2>&1 || die "$c not installed"
done
if [ -z "${LAT_IN_NETNS:-}" ]; then
	exec env LAT_IN_NETNS=1 unshare -n bash bench/latency.sh "$@"
fi
ip link set lo up
# mailtls, the delay proxy and nginx each hold a descriptor or two per connection.
ulimit -Hn 1048576 2>/dev/null || ulimit -Hn 65536 2>/dev/null || true
ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
CONCS=${CONCS:-200 1000}
WORKERS_LIST=${WORKERS_LIST:-1 2}
for v in $CONCS $WORKERS_LIST; do case $v in '' | *[!0-9]* | 0) die "CONCS and WORKERS_LIST take numbers >= 1: $v" ;; esac; done
maxconc=$(echo "$CONCS" | tr ' ' '\n' | sort -n | tail -n 1)

[ -x "$BIN" ] || make -s build/mailtls >/dev/null
mkdir -p "$LAB"
LAB=$(cd "$LAB" && pwd -P)
W=$LAB/run
NS=$LAB/nsd
mkdir -p "$W" "$NS/zones" "$NS/tmp"
CA=$LAB/pki/ca.pem
cc -std=c11 -D_GNU_SOURCE -O2 -o "$W/delayproxy" bench/delayproxy.c -levent ||
	die "cannot build bench/delayproxy.c"

# ---- servers -------------------------------------------------------------------------
# The domains live under bulk.test too: posttls-finger's "secure" level matches the
# certificate (*.bulk.test) against the domain's name.
{
	echo '$ORIGIN bulk.test.'
	echo '$TTL 3600'
	echo '@ SOA ns.bulk.test. h.bulk.test. 1 3600 600 86400 3600'
	echo '@ NS ns.bulk.test.'
	echo 'ns A 127.0.0.53'
	awk -v m="$MX" 'BEGIN { for (i = 1; i <= m; i++)
		printf "mx-l%04d A 127.3.0.%d\n", i, (i - 1) % 8 + 1 }'
	awk -v n="$N" -v m="$MX" 'BEGIN { for (i = 1; i <= n; i++)
		printf "l%06d MX 10 mx-l%04d.bulk.test.\n", i, (i - 1) % m + 1 }'
} >"$NS/zones/bulk.test.zone"
cat >"$NS/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.53@5301
    server-count: 1
    username: ""
    chroot: ""
    database: ""
    zonesdir: "$NS/zones"
    zonelistfile: "$NS/zone.list"
    xfrdfile: "$NS/xfrd.state"
    xfrdir: "$NS/tmp"
    pidfile: "$NS/nsd.pid"
    logfile: "$NS/nsd.log"
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: "bulk.test"
    zonefile: "bulk.test.zone"
EOF
nsd -c "$NS/nsd.conf" || die "nsd did not start: $(tail -n 3 "$NS/nsd.log")"
# Room in nginx for every connection the largest run holds (in either worker: which one
# accepts a connection is up to the kernel).
NGINX_CONNS=$((maxconc > 3072 ? maxconc + 1024 : 4096)) bash tests/lab/nginx-mail.sh start "$LAB" >/dev/null
specs=(udp:127.0.0.53:5300=127.0.0.53:5301 udp:127.0.0.53:53=127.0.0.53:5301)
for k in 1 2 3 4 5 6 7 8; do specs+=("tcp:127.3.0.$k:25=127.0.1.$k:25"); done
# A proxy process per path: each holds two descriptors a connection, and one process for
# all would run out of them (or of its one core) first at 10,000 in flight.
PROXIES=()
rm -f "$W"/proxy.*.out
for i in "${!specs[@]}"; do
	"$W/delayproxy" "${DELAY:-50}" "${JITTER:-10}" "${specs[$i]}" >"$W/proxy.$i.out" 2>&1 &
	PROXIES+=($!)
done
cleanup() {
	kill "${PROXIES[@]}" 2>/dev/null || true
	kill "$(cat "$NS/nsd.pid" 2>/dev/null)" 2>/dev/null || true
	bash tests/lab/nginx-mail.sh stop "$LAB" >/dev/null 2>&1 || true
}
trap cleanup EXIT
for i in "${!specs[@]}"; do
	for _ in $(seq 100); do grep -q ready "$W/proxy.$i.out" 2>/dev/null && break; sleep 0.05; done
	grep -q ready "$W/proxy.$i.out" || die "delayproxy ${specs[$i]}: $(cat "$W/proxy.$i.out")"
done
nft add table inet lat
nft add chain inet lat out '{ type filter hook output priority 0; }'
LOSS=${LOSS:-1}
if [ "$LOSS" != 0 ]; then
	nft add rule inet lat out ip daddr 127.3.0.0/16 numgen random mod 100 lt "$LOSS" drop
	nft add rule inet lat out ip saddr 127.3.0.0/16 numgen random mod 100 lt "$LOSS" drop
	nft add rule inet lat out udp dport '{ 53, 5300 }' numgen random mod 100 lt "$LOSS" drop
	nft add rule inet lat out udp sport '{ 53, 5300 }' numgen random mod 100 lt "$LOSS" drop
fi

awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "l%06d.bulk.test\n", i }' >"$W/all.list"
head -n "$PFN" "$W/all.list" >"$W/pf.list"
MT=("$BIN" check --jsonl --trust-anchor none --resolver 127.0.0.53@5300 --ca-file "$CA"
	--no-mta-sts --no-dns-records --timeout 10 ${MT_EXTRA:-})
"${MT[@]}" l000001.bulk.test >"$W/sample" 2>&1 || die "mailtls does not pass a sample: $(head -c 400 "$W/sample")"

# LAT_SHELL=CMD: run CMD in the lab instead of the benchmark (to look around).
if [ -n "${LAT_SHELL:-}" ]; then
	eval "$LAT_SHELL"
	exit
fi

summary() { # name list
	python3 - "$2" "$W/$1.jsonl" <<-'EOF'
	import collections, json, sys
	want = sum(1 for l in open(sys.argv[1]) if l.strip())
	st, seen = collections.Counter(), set()
	for l in open(sys.argv[2]):
	    d = json.loads(l)
	    st[d["status"]] += 1
	    seen.add(d["domain"])
	print(f"{len(seen)}/{want} domains once, ok {st['ok']} warn {st['warn']} crit {st['crit']} unknown {st['unknown']}")
	EOF
}

# peak_conns FILE: sample, until FILE exists, the TCP connections established to the
# servers' (delayed) addresses; print the most seen at once.
peak_conns() {
	local most=0 n
	while [ ! -e "$1" ]; do
		n=$(ss -Htn state established dst 127.3.0.0/16 2>/dev/null | wc -l)
		[ "$n" -le "$most" ] || most=$n
		sleep 0.2
	done
	echo "$most"
}

echo "latency lab: $N domains over $MX MX hosts, ${DELAY:-50}+-${JITTER:-10} ms each way, $LOSS% loss; $(nproc) CPUs; descriptors $(ulimit -Sn)"
printf '%-34s %8s %10s %9s %11s %9s %6s  %s\n' run wall_s domains/s CPU_s CPU_ms/dom peak_MiB peak_conns result
for workers in $WORKERS_LIST; do
	for conc in $CONCS; do
		name=w${workers}c$conc
		rm -f "$W/$name.done"
		peak_conns "$W/$name.done" >"$W/$name.peak" &
		sampler=$!
		/usr/bin/time -f "%e %U %S %M" -o "$W/$name.time" "${MT[@]}" --workers "$workers" \
			--concurrency "$conc" --per-host "$conc" -f "$W/all.list" >"$W/$name.jsonl" 2>"$W/$name.err" || true
		touch "$W/$name.done"
		wait "$sampler"
		read -r wall user sys rss < <(tail -n 1 "$W/$name.time")
		printf '%-34s %8.1f %10.1f %9.1f %11.3f %9.1f %6s  %s\n' "mailtls --workers $workers --concurrency $conc" \
			"$wall" "$(echo "$N $wall" | awk '{ print $1 / $2 }')" "$(echo "$user $sys" | awk '{ print $1 + $2 }')" \
			"$(echo "$user $sys $N" | awk '{ print 1000 * ($1 + $2) / $3 }')" "$(echo "$rss" | awk '{ print $1 / 1024 }')" \
			"$(cat "$W/$name.peak")" "$(summary "$name" "$W/all.list")"
		grep -v '^$' "$W/$name.err" | sed 's/^/    /' | head -n 3
	done
done
[ "$PFN" -gt 0 ] || exit 0

echo "nameserver 127.0.0.53" >"$W/resolv.conf"
# shellcheck disable=SC2016 # expanded by the inner sh
unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' sh "$W/resolv.conf" \
	/usr/bin/time -f "%e %U %S %M" -o "$W/pf.time" \
	sh -c 'exec xargs -P 200 -n 1 posttls-finger -c -l secure -F "$1" <"$2" >"$3" 2>&1' sh \
	"$CA" "$W/pf.list" "$W/pf.out" || true
read -r wall user sys rss < <(tail -n 1 "$W/pf.time")
printf '%-34s %8.1f %10.1f %9.1f %11.3f %9.1f %6s  %s\n' "posttls-finger xargs -P 200 ($PFN)" "$wall" \
	"$(echo "$PFN $wall" | awk '{ print $1 / $2 }')" "$(echo "$user $sys" | awk '{ print $1 + $2 }')" \
	"$(echo "$user $sys $PFN" | awk '{ print 1000 * ($1 + $2) / $3 }')" "$(echo "$rss" | awk '{ print $1 / 1024 }')" - \
	"$(grep -c 'Verified TLS connection established' "$W/pf.out" || true)/$PFN verified"
