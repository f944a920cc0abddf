#!/usr/bin/env bash
# pki.sh OUTDIR -- generate the mailtls test PKI under OUTDIR.
#
# Idempotent: exits at once if OUTDIR/.done is newer than this script and
# younger than 12 hours (all validity periods are relative to "now", so a
# stale PKI would drift: "soon" would expire, "good" would eventually expire).
#
# Produces (all in OUTDIR):
#   ca.pem ca.key              mailtls Test Root CA (the --ca-file trust anchor)
#   int.pem int.key            mailtls Test Intermediate CA (pathlen:0)
#   rogue-ca.pem rogue-ca.key  unrelated root   (not in ca.pem)
#   rogue-int.pem rogue-int.key  intermediate under rogue-ca
#   expired-int.pem expired-int.key  intermediate under root, expired 5 days ago
#   CASE.key CASE.crt CASE.chain.pem   for every CASE in $CASES below;
#                              CASE.chain.pem is exactly what the server sends.
#                              (badipsan: good.mail.test with a 0-byte iPAddress SAN)
#   spare.key                  a key with no certificate (DANE "next key" TLSA)
set -eu

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
[ -n "$1" ] || usage

SELF="$(cd "$(dirname "$0")" && pwd -P)/$(basename "$0")"
OUT=$1

fresh() {
    [ -f "$OUT/.done" ] && [ "$OUT/.done" -nt "$SELF" ] &&
        [ -n "$(find "$OUT/.done" -mmin -720 2>/dev/null)" ]
}
fresh && exit 0

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd -P)"
# Concurrent callers (parallel test runners) wait for one generator.
exec 9>"$OUT/.lock"
flock -w 120 9 || { echo "pki.sh: timed out waiting for $OUT/.lock" >&2; exit 1; }
fresh && exit 0
rm -f "$OUT/.done"

# Scratch area for the throwaway `openssl ca` database, CSRs and ext files.
WORK="$OUT/.work"
rm -rf "$WORK"
mkdir -p "$WORK/newcerts"
: >"$WORK/index.txt"
LOG="$WORK/openssl.log"
: >"$LOG"

CASES="good ec expired notyet soon selfsigned wrongname wildcard noint order
rsa1024 noserverauth cnonly sha1 untrusted expiredint bulk dane mtasts
badipsan"

# Run openssl quietly; on failure show what it said and stop.
ossl() {
    if ! openssl "$@" >>"$LOG" 2>&1; then
        echo "pki.sh: openssl $1 failed:" >&2
        tail -n 20 "$LOG" >&2
        exit 1
    fi
}

NOW=$(date -u +%s)
DAY=86400
# ts OFFSET_SECONDS -> GeneralizedTime accepted by `openssl ca -startdate/-enddate`
ts() { date -u -d "@$((NOW + $1))" +%Y%m%d%H%M%SZ; }

# genkey FILE rsa2048|rsa1024|ec
genkey() {
    case $2 in
        ec)    ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
        rsa*)  ossl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2#rsa}" -out "$1" ;;
        *)     echo "pki.sh: bad key type $2" >&2; exit 1 ;;
    esac
    chmod 600 "$1"
}

# Minimal throwaway CA config: `openssl ca` is the only OpenSSL 3.0 command that
# takes explicit -startdate/-enddate (x509 has no -not_before before 3.4).
cat >"$WORK/ca.cnf" <<EOF
[ ca ]
default_ca = lab
[ lab ]
dir = $WORK
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
rand_serial = yes
unique_subject = no
default_md = sha256
policy = policy_anything
copy_extensions = none
email_in_dn = no
[ policy_anything ]
organizationName = optional
commonName = supplied
EOF

# exts FILE: write the common [ext] section header pieces.
# ext_ca FILE [pathlen]
ext_ca() {
    {
        echo "[ ext ]"
        if [ -n "${2:-}" ]; then
            echo "basicConstraints = critical,CA:TRUE,pathlen:$2"
        else
            echo "basicConstraints = critical,CA:TRUE"
        fi
        echo "keyUsage = critical,keyCertSign,cRLSign"
        echo "subjectKeyIdentifier = hash"
        echo "authorityKeyIdentifier = keyid:always"
    } >"$1"
}

# ext_leaf FILE SAN|- EKU [selfsigned]
ext_leaf() {
    {
        echo "[ ext ]"
        echo "basicConstraints = critical,CA:FALSE"
        echo "keyUsage = critical,digitalSignature,keyEncipherment"
        echo "extendedKeyUsage = $3"
        [ "$2" = "-" ] || echo "subjectAltName = $2"
        echo "subjectKeyIdentifier = hash"
        echo "authorityKeyIdentifier = keyid:always"
    } >"$1"
}

# sign NAME CN ISSUER|self FROM_OFFSET TO_OFFSET EXTFILE [MD]
#   Uses $OUT/NAME.key; writes $OUT/NAME.crt (leaf) or caller renames.
sign() {
    local name=$1 cn=$2 issuer=$3 from=$4 to=$5 ext=$6 md=${7:-sha256}
    local csr="$WORK/$name.csr"
    ossl req -new -config "$WORK/ca.cnf" -key "$OUT/$name.key" \
        -subj "/CN=$cn" -out "$csr"
    local signer
    if [ "$issuer" = self ]; then
        signer=(-selfsign -keyfile "$OUT/$name.key")
    else
        signer=(-cert "$OUT/$issuer.pem" -keyfile "$OUT/$issuer.key")
    fi
    ossl ca -batch -config "$WORK/ca.cnf" -notext -preserveDN -md "$md" \
        "${signer[@]}" -startdate "$(ts "$from")" -enddate "$(ts "$to")" \
        -extfile "$ext" -extensions ext -in "$csr" -out "$WORK/$name.out"
}

# ---- CAs -------------------------------------------------------------------
# mkca NAME CN ISSUER|self FROM TO [pathlen]  -> NAME.pem NAME.key
mkca() {
    genkey "$OUT/$1.key" rsa2048
    ext_ca "$WORK/$1.ext" "${6:-}"
    sign "$1" "$2" "$3" "$4" "$5" "$WORK/$1.ext"
    mv "$WORK/$1.out" "$OUT/$1.pem"
}

# The CAs start 400 days back so that --at can look into the past without the
# anchors themselves being "not yet valid".
mkca ca          "mailtls Test Root CA"               self  $((-400 * DAY)) $((3652 * DAY))
mkca int         "mailtls Test Intermediate CA"       ca    $((-400 * DAY)) $((1825 * DAY)) 0
mkca rogue-ca    "mailtls Rogue Root CA"              self  $((-400 * DAY)) $((3652 * DAY))
mkca rogue-int   "mailtls Rogue Intermediate CA"      rogue-ca $((-400 * DAY)) $((1825 * DAY)) 0
mkca expired-int "mailtls Test Expired Intermediate CA" ca  $((-400 * DAY)) $((-5 * DAY)) 0

# ---- leaves ------------------------------------------------------------------
for c in $CASES; do
    # defaults
    cn="$c.mail.test"; san="DNS:$c.mail.test"; eku=serverAuth
    issuer=int; chain=int; key=rsa2048; md=sha256
    from=$((-DAY)); to=$((90 * DAY))
    case $c in
        # *.good.mail.test: names under good (multi.good, shared.good, ...) are
        # MX hosts in tests/lab/zones served by the good listeners.
        good)         san='DNS:good.mail.test,DNS:*.good.mail.test' ;;
        ec)           key=ec ;;
        expired)      from=$((-100 * DAY)); to=$((-10 * DAY)) ;;
        notyet)       from=$((30 * DAY)); to=$((120 * DAY)) ;;
        soon)         to=$((10 * DAY + 13 * 3600)) ;; # 10 whole days left for the 12 h the PKI is cached
        selfsigned)   issuer=self; chain= ;;
        wrongname)    cn=other.example.test
                      san="DNS:other.example.test,DNS:www.other.example.test" ;;
        wildcard)     cn='*.wild.mail.test'; san='DNS:*.wild.mail.test' ;;
        noint)        chain= ;;
        order)        chain="ca int" ;;
        rsa1024)      key=rsa1024 ;;
        noserverauth) eku=clientAuth ;;
        cnonly)       san=- ;;
        sha1)         md=sha1 ;;
        untrusted)    issuer=rogue-int; chain=rogue-int ;;
        expiredint)   issuer=expired-int; chain=expired-int; to=$((60 * DAY)) ;;
        # Every MX of the bulk.test benchmark zone (tests/lab/nginx-mail.sh).
        bulk)         cn='*.bulk.test'; san='DNS:*.bulk.test' ;;
        # Every MX of the DNSSEC-signed dane.test zone (TLSA records made
        # from this certificate by tests/lab/zones/mkzones.sh).
        dane)         cn='*.dane.test'; san='DNS:*.dane.test' ;;
        # The MTA-STS policy hosts of tests/lab/nginx-https.sh; deliberately
        # not mta-sts.badcert.sts.test (served with the wrongname cert).
        mtasts)       cn=mta-sts.enforce.sts.test
                      san=$(printf 'DNS:mta-sts.%s.sts.test,' enforce testing \
                          notcovered redirect notfound big malformed certinvalid \
                          wildmx badtype nul)
                      san=${san%,} ;;
        # Like good, but the subjectAltName also holds an iPAddress of length 0
        # (served by tests/e2e/hostile.py, mode badipsan). The config syntax
        # cannot write that, so the extension is raw DER:
        #   30 12                     SEQUENCE, 18 bytes
        #      82 0e good.mail.test   [2] dNSName, 14 bytes
        #      87 00                  [7] iPAddress, 0 bytes
        badipsan)     cn=good.mail.test
                      san=DER:30:12:82:0e:67:6f:6f:64:2e:6d:61:69:6c:2e:74:65:73:74:87:00 ;;
    esac
    genkey "$OUT/$c.key" "$key"
    ext_leaf "$WORK/$c.ext" "$san" "$eku"
    sign "$c" "$cn" "$issuer" "$from" "$to" "$WORK/$c.ext" "$md"
    mv "$WORK/$c.out" "$OUT/$c.crt"
    {
        cat "$OUT/$c.crt"
        for ca in $chain; do cat "$OUT/$ca.pem"; done
    } >"$OUT/$c.chain.pem"
done

# ---- bare keys ---------------------------------------------------------------
# spare.key: no certificate; its SPKI is the published "next key" of DANE TLSA
# sets (a key rollover in waiting, tests/lab/zones/mkzones.sh).
genkey "$OUT/spare.key" ec

# ---- sanity check --------------------------------------------------------------
if ! openssl verify -CAfile "$OUT/ca.pem" -untrusted "$OUT/int.pem" \
        "$OUT/good.crt" >>"$LOG" 2>&1; then
    echo "pki.sh: good.crt does not verify against ca.pem:" >&2
    tail -n 5 "$LOG" >&2
    exit 1
fi

touch "$OUT/.done"
echo "pki.sh: test PKI ready in $OUT ($(echo "$CASES" | wc -w) leaf cases)"
