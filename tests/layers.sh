#!/bin/sh
# layers.sh - the include rules of ARCHITECTURE.md, checked: every source file lives in a
# layer folder, every project include names its folder, and a layer includes only the
# layers below it (plus the two sideways steps proto -> tls and pki -> tls). Exceptions
# still being paid off are listed in tests/layers.allow, one "FILE HEADER # why" per line;
# an exception that no longer occurs is an error too, so the list only shrinks.
# Prints one PASS/FAIL line; exits non-zero on a violation.
set -u
cd "$(dirname "$0")/.."

allowed() { # layer -> layers it may include
	case $1 in
	base) echo "base" ;;
	conf) echo "base conf" ;;
	model) echo "base conf model" ;; # the verdict reads the context the user gave
	net) echo "base conf net" ;;
	tls) echo "base conf model net tls" ;;
	proto) echo "base conf model net tls proto" ;;
	pki) echo "base conf model net tls pki" ;;
	mailpolicy) echo "base conf model net mailpolicy" ;;
	engine) echo "base conf model net tls proto pki mailpolicy engine" ;;
	out) echo "base conf model out" ;;
	cmd) echo "base conf model net tls proto pki mailpolicy engine out cmd" ;;
	main) echo "base cmd" ;;
	*) echo "" ;;
	esac
}

bad=$(mktemp)
trap 'rm -f "$bad"' EXIT
for f in src/*.c src/*.h src/*/*.c src/*/*.h; do
	[ -f "$f" ] || continue
	case $f in
	src/main.c) layer=main ;;
	src/*/*) layer=${f#src/}; layer=${layer%%/*} ;;
	*) echo "$f: not in a layer folder" >>"$bad"; continue ;;
	esac
	ok=$(allowed "$layer")
	[ -n "$ok" ] || { echo "$f: $layer is not a layer of ARCHITECTURE.md" >>"$bad"; continue; }
	grep -o '^#include "[^"]*"' "$f" | sed 's/^#include "//; s/"$//' | while read -r h; do
		case $h in
		*/*) ;;
		*) echo "$f $h # the include does not name its folder" ; continue ;;
		esac
		to=${h%%/*}
		case " $ok " in
		*" $to "*) ;;
		*) echo "$f $h" ;;
		esac
	done >>"$bad"
done

# The credential's corner (ARCHITECTURE.md): only the login code and its command hold it;
# nothing that logs, prints or judges may reach it, even through a header.
for f in $(grep -l '^#include "\(conf/cred\|proto/sasl\|proto/auth\)\.h"' src/*/*.c src/*/*.h 2>/dev/null); do
	case $f in
	src/conf/cred.[ch] | src/proto/sasl.[ch] | src/proto/auth.[ch] | src/proto/session.c | src/cmd/auth.c | src/cmd/ping.c) ;;
	*) echo "$f conf/cred.h # the credential's corner: only the login code includes it" >>"$bad" ;;
	esac
done
# proto/session.c runs the exchange but sees only opaque lines: never the credential.
if grep -q '^#include "\(conf/cred\|proto/sasl\)\.h"' src/proto/session.c; then
	echo "src/proto/session.c conf/cred.h # the session moves lines; it never holds the credential" >>"$bad"
fi

allow=tests/layers.allow
fail=0
# Violations not excused...
while read -r line; do
	file=${line%% *} rest=${line#* }
	hdr=${rest%% *}
	if ! grep -q "^$file $hdr " "$allow" 2>/dev/null; then
		echo "layers: $line" >&2
		fail=1
	fi
done <"$bad"
# ...and excuses no longer needed.
stale=$(grep -v '^#' "$allow" 2>/dev/null | grep . | while read -r file hdr _; do
	grep -q "^$file $hdr\$" "$bad" || echo "layers: $file no longer includes $hdr: remove it from $allow"
done)
[ -z "$stale" ] || { echo "$stale" >&2; fail=1; }
n=$(grep -vc "^#" "$allow" 2>/dev/null || true)
if [ "$fail" -eq 0 ]; then
	echo "PASS layers: every include follows the layer table ($n exceptions listed in $allow)"
else
	echo "FAIL layers: an include breaks the layer table (see above)"
fi
exit "$fail"
