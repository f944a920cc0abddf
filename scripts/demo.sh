#!/bin/sh
# make demo: bring up the local mail lab (real Postfix, Dovecot, an authoritative NSD with a
# DNSSEC-signed zone, nginx serving MTA-STS policies, a generated test PKI; all on loopback)
# and check it the way a mail administrator would: single servers, then whole domains.
# The lab stays up for you to explore; `sh scripts/demo.sh stop` ends it.
set -u
cd "$(dirname "$0")/.."
LAB=build/lab
BIN=build/mailtls
CA=$LAB/pki/ca.pem

if [ "${1:-}" = stop ]; then
	for s in postfix nsd nginx-https dovecot nginx-http ocsp staple; do bash "tests/lab/$s.sh" stop "$LAB"; done
	exit 0
fi
# Run directly rather than by `make demo`, the binary may not be built yet.
sh scripts/deps.sh || exit 1
make --no-print-directory "$BIN" || exit 1
for s in postfix nsd nginx-https dovecot nginx-http ocsp staple; do
	bash "tests/lab/$s.sh" start "$LAB" || exit 1
done
echo

run() {
	echo "\$ mailtls check $*"
	"$BIN" check "$@"
	echo "(exit $?)"
	echo
}

echo "== one server, by name and address, with the lab's CA =="
run --host good.mail.test --address 127.0.0.10 --ca-file "$CA" --show-chain
run --host good.mail.test:465 --address 127.0.0.10 --ca-file "$CA"
for c in expired:11 soon:13 selfsigned:14 wrongname:15 noint:17 order:18 rsa1024:19 cnonly:21; do
	run --host "${c%%:*}.mail.test" --address "127.0.0.${c#*:}" --ca-file "$CA"
done
run --host good.mail.test --address 127.0.0.10 --ca-file "$CA" --at +100d

echo "== the same session machine speaking IMAP and POP3 (Dovecot) =="
for p in 143 993 110 995; do
	run --host "good.mail.test:$p" --address 127.0.0.40 --ca-file "$CA"
done

echo "== whole domains: MX, every address, DANE, MTA-STS, TLS-RPT, SPF, DMARC, DKIM =="
DNS="--resolver 127.0.0.53@5300 --trust-anchor $LAB/nsd/dane.test.ds --ca-file $CA"
# shellcheck disable=SC2086
run prio.dom.test multi.dom.test nullmx.dom.test $DNS
# shellcheck disable=SC2086
run ee.dane.test selfee.dane.test single.dane.test nomatch.dane.test $DNS
# shellcheck disable=SC2086
run enforce.sts.test notcovered.sts.test --dkim-selector sel1 $DNS
echo "== the organisation's own rules (--policy), the audit trail (--log), the Nagios line =="
POLICY=$LAB/demo-policy.yml
AUDIT=$LAB/demo-audit.log
cat >"$POLICY" <<'EOF'
rules:
  - match: "*.mail.test"
    issuers: ["CN=mailtls Test Intermediate CA"]
    min_tls: "1.2"
    warn_days: 14
  - match: soon.mail.test          # the most specific rule wins: this one alone judges it
    must_staple: true
EOF
rm -f "$AUDIT"
echo "\$ cat $POLICY"
cat "$POLICY"
echo
run --host good.mail.test --address 127.0.0.10 --ca-file "$CA" --policy "$POLICY" --log "$AUDIT"
run --host soon.mail.test --address 127.0.0.13 --ca-file "$CA" --policy "$POLICY" --log "$AUDIT" --nagios
echo "\$ mailtls log summary $AUDIT"
"$BIN" log summary "$AUDIT"
echo
echo "== every mail port of a domain (RFC 6186 SRV, autoconfig), the STARTTLS injection test =="
# shellcheck disable=SC2086
run --all-ports ports.dom.test --no-dns-records $DNS
# shellcheck disable=SC2086
run --ports 587,143 plainauth.dom.test --no-dns-records $DNS
echo "== what a server negotiates: versions, suites, groups, each certificate it holds =="
run --host dual.mail.test --address 127.0.0.86 --ca-file "$CA" --tls-scan --no-dane
run --host legacy.good.mail.test --address 127.0.0.85 --ca-file "$CA" --tls-profile ncsc --no-dane
echo "== does a login work, over TLS only (the password from a 0600 file, never argv) =="
for p in 587 993 995; do
	echo "\$ mailtls auth --host good.mail.test:$p --address ... --user alice@good.mail.test --password-file $LAB/dovecot/alice.password"
	"$BIN" auth --host "good.mail.test:$p" --address "$([ "$p" = 587 ] && echo 127.0.0.10 || echo 127.0.0.40)" \
	    --user alice@good.mail.test --password-file "$LAB/dovecot/alice.password" --ca-file "$CA"
	echo "(exit $?)"
	echo
done
echo "The lab is still running: try 'build/mailtls check --help', or --json on any of the above."
echo "Stop it with: sh scripts/demo.sh stop"
