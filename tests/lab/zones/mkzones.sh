#!/usr/bin/env bash
# mkzones.sh PKIDIR KEYDIR ZONESDIR DSFILE -- the zone data made from keys.
#
# Run by tests/lab/nsd.sh start, after it copied tests/lab/zones/*.zone to
# ZONESDIR; the TLSA digests follow the certificates of pki.sh (PKIDIR), which
# are remade every 12 hours, so this runs at every start.
#
#   ZONESDIR/dane.test.zone   dane.test.zone.in with the digests filled in,
#                             signed with ldns-signzone (NSEC, valid from a day
#                             ago for 30 days); the RRSIG of the TLSA RRset of
#                             _25._tcp.mx-bad.dane.test comes from a second
#                             signing that expired on 2020-01-01: that answer
#                             is bogus, the rest of the zone is secure.
#   DSFILE                    "dane.test. IN DS ..." (SHA-256) of the KSK: the
#                             trust anchor for dane.test (test. is not signed).
#   ZONESDIR/mail.test.zone   + _25._tcp.good TLSA 3 1 1 (in an unsigned zone)
#   ZONESDIR/sts.test.zone    + sel1._domainkey.enforce (RSA-2048) and
#                               sel1._domainkey.testing (RSA-1024) DKIM keys
#
# KEYDIR keeps the keys across starts (made once): dane.test-ksk.{key,private},
# dane.test-zsk.{key,private} (ECDSAP256SHA256), dkim2048.key, dkim1024.key.
# So the DS stays the same until KEYDIR is removed.
set -eu

PROG=mkzones.sh
die() { echo "$PROG: $*" >&2; exit 1; }
[ $# -eq 4 ] || { echo "usage: $0 PKIDIR KEYDIR ZONESDIR DSFILE" >&2; exit 2; }
HERE="$(cd "$(dirname "$0")" && pwd -P)"
PKI=$1 KEYS=$2 ZONES=$3 DSFILE=$4

for f in dane.crt int.pem spare.key selfsigned.crt good.crt; do
    [ -f "$PKI/$f" ] || die "$PKI/$f missing (run tests/lab/pki.sh $PKI)"
done
for f in mail.test.zone sts.test.zone; do
    [ -f "$ZONES/$f" ] || die "$ZONES/$f missing"
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Run a tool quietly; on failure show what it said and stop.
run() {
    if ! "$@" >"$WORK/out" 2>&1; then
        echo "$PROG: $1 failed:" >&2
        tail -n 20 "$WORK/out" >&2
        exit 1
    fi
}

# ---- keys (once) ---------------------------------------------------------------
mkdir -p "$KEYS"
# newkey NAME [-k]: an ECDSAP256SHA256 key for dane.test as KEYS/NAME.{key,private}
newkey() {
    local base
    [ -f "$KEYS/$1.private" ] && [ -f "$KEYS/$1.key" ] && return 0
    base=$(cd "$WORK" && ldns-keygen -a ECDSAP256SHA256 "${@:2}" -r /dev/urandom dane.test) ||
        die "ldns-keygen failed"
    mv -f "$WORK/$base.key" "$KEYS/$1.key"
    mv -f "$WORK/$base.private" "$KEYS/$1.private"
    chmod 600 "$KEYS/$1.private"
}
newkey dane.test-ksk -k
newkey dane.test-zsk
for b in 2048 1024; do
    if [ ! -f "$KEYS/dkim$b.key" ]; then
        run openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$b" \
            -out "$KEYS/dkim$b.key.tmp"
        chmod 600 "$KEYS/dkim$b.key.tmp"
        mv -f "$KEYS/dkim$b.key.tmp" "$KEYS/dkim$b.key"
    fi
done

# ---- digests ---------------------------------------------------------------------
sha256() { openssl dgst -sha256 -r | cut -d' ' -f1; }
cert_spki() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | sha256; }
key_spki() { openssl pkey -in "$1" -pubout -outform DER | sha256; }
DANE_SPKI=$(cert_spki "$PKI/dane.crt")
DANE_CERT=$(openssl x509 -in "$PKI/dane.crt" -outform DER | sha256)
INT_SPKI=$(cert_spki "$PKI/int.pem")
SPARE_SPKI=$(key_spki "$PKI/spare.key")
SELF_SPKI=$(cert_spki "$PKI/selfsigned.crt")
GOOD_SPKI=$(cert_spki "$PKI/good.crt")
for v in "$DANE_SPKI" "$DANE_CERT" "$INT_SPKI" "$SPARE_SPKI" "$SELF_SPKI" "$GOOD_SPKI"; do
    [ ${#v} -eq 64 ] || die "could not compute a SHA-256 digest (openssl)"
done

# ---- dane.test (signed) ------------------------------------------------------------
sed -e "s/@DANE_SPKI@/$DANE_SPKI/g" -e "s/@DANE_CERT@/$DANE_CERT/g" \
    -e "s/@INT_SPKI@/$INT_SPKI/g" -e "s/@SPARE_SPKI@/$SPARE_SPKI/g" \
    -e "s/@SELF_SPKI@/$SELF_SPKI/g" \
    "$HERE/dane.test.zone.in" >"$WORK/dane.test"
if grep -q '@[A-Z_]*@' "$WORK/dane.test"; then
    die "unfilled placeholder in dane.test.zone.in: $(grep -o '@[A-Z_]*@' "$WORK/dane.test" | head -n 1)"
fi

NOW=$(date -u +%s)
# Dates as seconds since the epoch: no time zone to get wrong.
run ldns-signzone -i $((NOW - 86400)) -e $((NOW + 30 * 86400)) \
    -f "$WORK/dane.test.signed" "$WORK/dane.test" \
    "$KEYS/dane.test-ksk" "$KEYS/dane.test-zsk"
# 2019-01-01 .. 2020-01-01 UTC
run ldns-signzone -i 1546300800 -e 1577836800 \
    -f "$WORK/dane.test.expired" "$WORK/dane.test" \
    "$KEYS/dane.test-ksk" "$KEYS/dane.test-zsk"

# Splice: the TLSA RRSIGs of BOGUS from the expired copy replace the valid ones.
BOGUS=_25._tcp.mx-bad.dane.test.
awk -v bogus="$BOGUS" '
    function is_sig(owner, type, covered) {
        return owner == bogus && type == "RRSIG" && covered == "TLSA"
    }
    FNR == NR { if (is_sig($1, $4, $5)) old[++n] = $0; next }
    is_sig($1, $4, $5) { if (!done) { for (i = 1; i <= n; i++) print old[i]; done = 1 }
                         replaced++; next }
    { print }
    END { if (n != 1 || replaced != 1) {
              printf "expected one TLSA RRSIG of %s, found %d expired and %d valid\n",
                  bogus, n, replaced > "/dev/stderr"
              exit 1 } }
' "$WORK/dane.test.expired" "$WORK/dane.test.signed" >"$WORK/dane.test.zone" ||
    die "could not splice the expired RRSIG"
mv -f "$WORK/dane.test.zone" "$ZONES/dane.test.zone"

# DS of the KSK (SHA-256), as a zone-file line without TTL.
ldns-key2ds -n -2 "$KEYS/dane.test-ksk.key" |
    awk '$0 !~ /^;/ && NF >= 7 { print "dane.test. IN DS", $(NF-3), $(NF-2), $(NF-1), $NF }' \
    >"$DSFILE.tmp"
[ "$(wc -l <"$DSFILE.tmp")" -eq 1 ] || die "ldns-key2ds gave no single DS"
mv -f "$DSFILE.tmp" "$DSFILE"

# ---- mail.test: a TLSA record in an unsigned zone ----------------------------------
cat >>"$ZONES/mail.test.zone" <<EOF

; Added by tests/lab/zones/mkzones.sh: DANE-EE for good.mail.test in this
; unsigned zone (insecure: no DANE, RFC 7672 2.2).
_25._tcp.good   TLSA    3 1 1 $GOOD_SPKI
EOF

# ---- sts.test: DKIM keys --------------------------------------------------------------
# dkim_txt KEYFILE: the TXT data of a DKIM key record, in strings of at most
# 255 characters (one DNS character-string each).
dkim_txt() {
    local b64
    b64=$(openssl pkey -in "$1" -pubout -outform DER | base64 -w0)
    printf 'v=DKIM1; k=rsa; p=%s' "$b64" |
        awk '{ s = $0; out = ""
               while (length(s) > 0) { out = out (out == "" ? "" : " ") "\"" substr(s, 1, 255) "\""
                                       s = substr(s, 256) }
               print "( " out " )" }'
}
{
    echo
    echo "; Added by tests/lab/zones/mkzones.sh: DKIM keys (RSA-2048 fine, RSA-1024 weak)."
    printf 'sel1._domainkey.enforce TXT %s\n' "$(dkim_txt "$KEYS/dkim2048.key")"
    printf 'sel1._domainkey.testing TXT %s\n' "$(dkim_txt "$KEYS/dkim1024.key")"
} >>"$ZONES/sts.test.zone"
