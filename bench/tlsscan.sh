#!/bin/sh
# bench/tlsscan.sh [TOOLS] - a full TLS map of one lab server by mailtls --tls-scan, sslscan
# and testssl.sh, one after another on the same listeners: wall seconds, CPU seconds of
# the tool and its children, and the connections the server saw (its maillog's "connect
# from" lines). Listeners: the lab's legacy Postfix (127.0.0.85: TLS 1.0-1.2, 3 suites)
# and dual (127.0.0.86: Postfix defaults, ECDSA and RSA chains, ~110 suites over four
# versions). TOOLS: any of mailtls sslscan testssl (default: all three); testssl.sh takes
# minutes per server. Needs the lab's postfix (started here) and `scripts/deps.sh bench`.
set -eu
cd "$(dirname "$0")/.."
LAB=${LAB:-build/lab}
BIN=${BIN:-build/mailtls}
TOOLS=${*:-mailtls sslscan testssl}
[ -x "$BIN" ] || make -s build/mailtls
bash tests/lab/postfix.sh start "$LAB" >/dev/null
LOG="$LAB/postfix/maillog"
CA="$LAB/pki/ca.pem"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# connects LABEL: the server's "connect from" lines so far (the listener's myhostname label).
connects() { grep -c " $1 postfix/smtpd\[[0-9]*\]: connect from" "$LOG" || true; }

run() { # label addr name tool...
	label=$1 addr=$2 name=$3
	shift 3
	before=$(connects "$label")
	sleep 0.2 # the previous tool's last log line
	/usr/bin/time -f "%e %U %S" -o "$out" "$@" >/dev/null 2>&1 || true
	sleep 0.5
	after=$(connects "$label")
	# time's last line ("Command exited with non-zero status" may come first)
	tail -n 1 "$out" | awk -v l="$label" -v n="$name" -v c="$((after - before))" \
		'{ printf "%-8s %-8s wall %7.3f s  cpu %7.3f s  connections %4d\n", l, n, $1, $2 + $3, c }'
}

for t in legacy:127.0.0.85:legacy.good.mail.test dual:127.0.0.86:dual.mail.test; do
	label=${t%%:*} rest=${t#*:}
	addr=${rest%%:*} host=${rest#*:}
	for tool in $TOOLS; do
		case $tool in
		mailtls) run "$label" "$addr" mailtls "$BIN" check --host "$host" --address "$addr" \
			--ca-file "$CA" --tls-scan --no-dane --revocation none ;;
		sslscan) run "$label" "$addr" sslscan sslscan --starttls-smtp --no-colour "$addr:25" ;;
		testssl) run "$label" "$addr" testssl testssl --quiet --warnings off --color 0 \
			--starttls smtp "$addr:25" ;;
		*) echo "tlsscan.sh: unknown tool $tool" >&2; exit 2 ;;
		esac
	done
done
