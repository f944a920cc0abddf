#!/bin/sh
# make demo: bring up the local mail lab (real Postfix on loopback, a generated test PKI)
# and check it the way a mail administrator would, one listener per kind of fault.
# The lab stays up for you to explore; `bash tests/lab/postfix.sh stop build/lab` ends it.
set -u
cd "$(dirname "$0")/.."
LAB=build/lab
BIN=build/mailtls
CA=$LAB/pki/ca.pem

bash tests/lab/postfix.sh start "$LAB" || exit 1
echo

run() {
	echo "\$ mailtls check $*"
	"$BIN" check "$@"
	echo "(exit $?)"
	echo
}

run --host good.mail.test --address 127.0.0.10 --ca-file "$CA" --show-chain
run --host good.mail.test:465 --address 127.0.0.10 --ca-file "$CA"
for c in expired:11 soon:13 selfsigned:14 wrongname:15 noint:17 order:18 rsa1024:19 cnonly:21; do
	run --host "${c%%:*}.mail.test" --address "127.0.0.${c#*:}" --ca-file "$CA"
done
run --host good.mail.test --address 127.0.0.10 --ca-file "$CA" --at +100d
echo "The lab is still running: try 'build/mailtls check --help', or --json on any of the above."
echo "Stop it with: bash tests/lab/postfix.sh stop $LAB"
