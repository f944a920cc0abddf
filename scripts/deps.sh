#!/bin/sh
# Install what building and testing mailtls needs, on Debian, when it is missing
# (`deps.sh fuzz`: and what fuzzing needs; `deps.sh bench`: what bench/exporter.sh needs).
# Quiet and quick when everything is there; needs root (or sudo) only when it is not.
set -eu

PKGS="gcc make pkg-config libc6-dev libssl-dev libevent-dev libunbound-dev libjansson-dev
libcmocka-dev libcurl4-openssl-dev libyaml-dev libexpat1-dev libgsasl-dev libidn2-dev
openssl ca-certificates postfix python3 iproute2
nsd ldnsutils nginx libnginx-mod-mail time parallel dovecot-imapd dovecot-pop3d icinga2-bin
icinga2-common prometheus sslscan"
# `deps.sh fuzz`: what `make fuzz` needs besides (libFuzzer comes with clang's runtime).
[ "${1:-}" = fuzz ] && PKGS="$PKGS clang libclang-rt-14-dev"
# `deps.sh bench`: what the benchmarks need besides (bench/exporter.sh, tlsscan.sh, latency.sh).
[ "${1:-}" = bench ] && PKGS="$PKGS wrk curl smtpping testssl.sh nftables"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing packages:$missing; install them with your package manager" >&2
	exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "deps: need root to install:$missing" >&2; exit 1; }
	SUDO=sudo
fi
echo "deps: installing:$missing"
# Postfix must not configure itself as a system mailer: the lab runs its own instance.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The packaged daemons are not used; the lab starts its own instances on loopback.
for svc in postfix nsd nginx dovecot icinga2 prometheus; do
	if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
	$SUDO service "$svc" stop >/dev/null 2>&1 || true
done
echo "deps: done"
