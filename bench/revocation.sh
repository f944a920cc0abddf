#!/bin/sh
# bench/revocation.sh [N] - what revocation costs. One server (the lab's revgood: an OCSP
# responder and a CRL named in its certificate) checked N times (default 20) one after
# another with --revocation none, ocsp, crl and auto: wall and CPU seconds of the client.
# Then one run over the lab's five certificates of one CA with --revocation crl: how many
# times the CRL was fetched (once per run, whatever the number of certificates), from
# nginx's access log. Needs the lab's postfix, nsd, nginx-http and ocsp (started here).
set -eu
cd "$(dirname "$0")/.."
N=${1:-20}
LAB=${LAB:-build/lab}
BIN=${BIN:-build/mailtls}
[ -x "$BIN" ] || make -s build/mailtls
for s in postfix nsd nginx-http ocsp; do bash "tests/lab/$s.sh" start "$LAB" >/dev/null; done
R="--resolver 127.0.0.53@5300 --trust-anchor none --ca-file $LAB/pki/ca.pem"

echo "one check, $N times: mode wall_s user_s sys_s"
for mode in none ocsp crl auto; do
	# shellcheck disable=SC2086
	/usr/bin/time -f "$mode %e %U %S" sh -c '
		n=$1; shift
		i=0
		while [ $i -lt "$n" ]; do "$@" >/dev/null || true; i=$((i + 1)); done
	' sh "$N" "$BIN" check --host revgood.rev.mail.test --address 127.0.0.70 $R --revocation "$mode" 2>&1 | tail -1
done

list=$(mktemp)
trap 'rm -f "$list"' EXIT
printf '%s.rev.mail.test\n' revgood revoked crlonly muststaple unknown >"$list"
before=$(grep -c '"GET /rev-int.crl ' "$LAB/nginx-http/access.log" || true)
# shellcheck disable=SC2086
"$BIN" check -f "$list" $R --revocation crl --no-mta-sts --no-dns-records --jsonl >/dev/null || true
after=$(grep -c '"GET /rev-int.crl ' "$LAB/nginx-http/access.log" || true)
echo "five certificates of one CA, --revocation crl: $((after - before)) CRL fetch(es)"
