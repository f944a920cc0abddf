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
#   autoconfig.*               leaf for the autoconfig hosts of nginx-https.sh
#                              (autoconfig.{ports,acfg,acplain}.dom.test)
#
# Revocation lab (OCSP, CRLs, AIA chain repair, trust anchors). Served by
# tests/lab/ocsp.sh (OCSP responder), nginx-http.sh (CRLs, CA certificates),
# postfix.sh (listeners 127.0.0.70-84) and staple.sh (stapling, 127.0.0.90-93).
# URLs in the certificates:
#   OCSP     http://ocsp.lab.test:8080/       127.0.0.62 (ocsp.sh)
#   OCSP     http://ocsp-down.lab.test:8080/  127.0.0.63, nothing listens (ocspdown only)
#   CA       http://pki.lab.test/rev-int.der  127.0.0.61 (nginx-http.sh), rev-int as DER
#   CRL      http://pki.lab.test/rev-int.crl  rev-int's CRL (DER)
# CAs:
#   rev-int.pem .key .der      mailtls Test Revocation Intermediate CA, under ca
#                              (pathlen:0; CRL point http://pki.lab.test/ca.crl,
#                              caIssuers http://pki.lab.test/ca.der)
#   rev-ocsp.pem .key          mailtls Test OCSP Responder: rev-int's delegated OCSP
#                              signer (EKU OCSPSigning, ocsp-nocheck)
#   rev-int-impostor.pem .key  self-signed, rev-int's subject name AND subject key
#                              identifier, another key: signs rev-int-badsig.crl
#   aia-root.pem .key .der     mailtls AIA Root CA: self-signed, not in ca.pem
#   noaia-root.pem .key        mailtls Unpublished Root CA: self-signed, not in ca.pem
#   ncx-ca.pem .key            mailtls Test Name-Constrained CA, under ca (pathlen:0),
#                              nameConstraints critical, excluded DNS:bar.ncx.mail.test
#   weak-ca.pem .key           mailtls Weak Root CA (RSA-1024): self-signed, not in
#                              ca.pem; weak-ca.pem is its trust file (--ca-file)
#   int-only.pem               a trust file holding only int.pem (no root)
#   ca.der                     the lab root as DER
# Leaves (CASE.key .crt .chain.pem; RSA-2048, valid from 30 days ago for 120 days,
# host name CASE.rev.mail.test unless said otherwise; "AIA" = OCSP
# http://ocsp.lab.test:8080/ + caIssuers http://pki.lab.test/rev-int.der, "CDP" =
# http://pki.lab.test/rev-int.crl). Issued by rev-int and sent with it unless said:
#   revgood         AIA, CDP; good (OCSP good, not on the CRL)
#   revoked         AIA, CDP; revoked keyCompromise (OCSP and CRL)
#   crlonly         CDP only (no AIA at all); revoked superseded (on the CRL; OCSP
#                   would say revoked too if asked)
#   unknown         AIA, CDP; not in the OCSP index: OCSP "unknown"; not on the CRL
#   ocspdown        OCSP http://ocsp-down.lab.test:8080/ (refused) + caIssuers, CDP;
#                   good on the CRL
#   staple-good     AIA, CDP; good        (staple.sh staples staple-good.ocsp.der)
#   staple-revoked  AIA, CDP; revoked keyCompromise (staples staple-revoked.ocsp.der)
#   staple-mismatch AIA, CDP; good (staple.sh staples revgood.ocsp.der: another serial)
#   muststaple      AIA, CDP, TLS feature status_request (RFC 7633); good; names
#                   muststaple.rev.mail.test and muststaple-ok.rev.mail.test
#   aiamissing      AIA, CDP; good; chain.pem is the leaf ALONE (rev-int only at
#                   the caIssuers URL)
#   stalecrl        CDP http://pki.lab.test/rev-int-stale.crl only (no AIA); good
#   badcrl          CDP http://pki.lab.test/rev-int-badsig.crl only (no AIA); good
#                   (that CRL, with a bad signature, lists it as revoked)
# Issued by other CAs, no revocation data:
#   aiaroot         by aia-root; caIssuers http://pki.lab.test/aia-root.der only;
#                   sent alone
#   noaia           by noaia-root; no AIA, no CDP; sent alone
#   nameconstraint  by ncx-ca, CN and SAN *.ncx.mail.test, served as
#                   bar.ncx.mail.test (excluded, but OpenSSL's check does not see
#                   it: a wildcard is not within the excluded subtree); + ncx-ca
#   ncxdirect       by ncx-ca, SAN direct.ncx.mail.test and bar.ncx.mail.test,
#                   served as direct.ncx.mail.test: OpenSSL says "excluded subtree
#                   violation" (48); + ncx-ca
#   weakanchor      by weak-ca (RSA-1024 root), leaf RSA-2048; sent alone; with
#                   --ca-file weak-ca.pem OpenSSL at security level 2 says "CA
#                   certificate key too weak" (67) at depth 1
#   intanchor       by int, sent with int; against int-only.pem: "unable to get
#                   issuer certificate" (2) unless partial chains are allowed
# Revocation data (revocation dates 20 days back):
#   rev-int.db.txt             rev-int's `openssl ca` database (every rev-int leaf
#                              and rev-ocsp)
#   rev-int.index (.attr)      the OCSP responder's index: rev-int.db.txt less unknown
#   rev-int.crl                DER, CRL number 2, lastUpdate now, nextUpdate +7 days:
#                              revoked, staple-revoked (keyCompromise), crlonly (superseded)
#   rev-int-stale.crl          DER, CRL number 1, the same entries, lastUpdate -10 days,
#                              nextUpdate -3 days (expired)
#   rev-int-badsig.crl         DER, issuer name and authority key id of rev-int, signed
#                              by rev-int-impostor: revokes badcrl (keyCompromise);
#                              OpenSSL: "CRL signature failure" (8)
#   ca.crl                     DER, the lab root's CRL, nothing revoked
#   CASE.ocsp.der              for every rev-int leaf: the responder's answer as made
#                              at generation (successful, signed by rev-ocsp with its
#                              certificate, thisUpdate then, nextUpdate +7 days, no
#                              nonce): the staples of staple.sh
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
mkdir -p "$WORK"
LOG="$WORK/openssl.log"
: >"$LOG"

CASES="good ec expired notyet soon selfsigned wrongname wildcard noint order
rsa1024 noserverauth cnonly sha1 untrusted expiredint bulk dane mtasts
badipsan autoconfig dualec dualrsa sni"

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

# ca_db DIR CNF: an empty `openssl ca` database in DIR and its config CNF.
# `openssl ca` is the only OpenSSL 3.0 command that takes explicit
# -startdate/-enddate (x509 has no -not_before before 3.4); the crlnumber and
# [ crl_ext ] serve the databases whose index later becomes a CRL.
ca_db() {
    mkdir -p "$1/newcerts"
    : >"$1/index.txt"
    echo 01 >"$1/crlnumber"
    cat >"$2" <<EOF
[ ca ]
default_ca = lab
[ lab ]
dir = $1
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
crlnumber = \$dir/crlnumber
rand_serial = yes
unique_subject = no
default_md = sha256
policy = policy_anything
copy_extensions = none
email_in_dn = no
[ policy_anything ]
organizationName = optional
commonName = supplied
[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF
}
ca_db "$WORK" "$WORK/ca.cnf"

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
        # The mail client autoconfig hosts of tests/lab/nginx-https.sh
        # (https://autoconfig.DOMAIN/mail/config-v1.1.xml).
        autoconfig)   cn=autoconfig.ports.dom.test
                      san=$(printf 'DNS:autoconfig.%s.dom.test,' ports acfg acplain)
                      san=${san%,} ;;
        # Like good, but the subjectAltName also holds an iPAddress of length 0
        # (served by tests/e2e/hostile.py, mode badipsan). The config syntax
        # cannot write that, so the extension is raw DER:
        #   30 12                     SEQUENCE, 18 bytes
        #      82 0e good.mail.test   [2] dNSName, 14 bytes
        #      87 00                  [7] iPAddress, 0 bytes
        badipsan)     cn=good.mail.test
                      san=DER:30:12:82:0e:67:6f:6f:64:2e:6d:61:69:6c:2e:74:65:73:74:87:00 ;;
        # The TLS map's two-chain server (postfix.sh, 127.0.0.86): a valid ECDSA
        # certificate and an expired RSA one for the same name.
        dualec)       cn=dual.mail.test; san=DNS:dual.mail.test; key=ec ;;
        dualrsa)      cn=dual.mail.test; san=DNS:dual.mail.test
                      from=$((-100 * DAY)); to=$((-10 * DAY)) ;;
        # sni.mail.test's certificate, shown only to clients that ask for that
        # name (127.0.0.87: tls_server_sni_maps; without SNI, wrongname's).
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

# ---- DH parameters -----------------------------------------------------------
# dh1024.pem: a 1024-bit group for the TLS map's legacy listener (postfix.sh,
# 127.0.0.85), which must show TLS_WEAK_DH: RFC 2409's Oakley group 2, g = 2,
# as PKCS#3 DHParameter (openssl dhparam -dsaparam writes X9.42, which Postfix
# does not read, and a fresh safe prime takes seconds).
cat >"$OUT/dh1024.pem" <<'EOF'
-----BEGIN DH PARAMETERS-----
MIGHAoGBAP//////////yQ/aoiFowjTExmKLgNwc0SkCTgiKZ8x0Agu+pjsTmyJR
Sgh5jjQE3e+VGbPNOkMbMCsKbfJfFDdP4TVtbVHCReSFtXZiXn7G9ExC6aY37WsL
/1y29Aa37e44a/taiZ+lrp8kEXxLH+ZJKGZR7OZTgf//////////AgEC
-----END DH PARAMETERS-----
EOF

# ---- bare keys ---------------------------------------------------------------
# spare.key: no certificate; its SPKI is the published "next key" of DANE TLSA
# sets (a key rollover in waiting, tests/lab/zones/mkzones.sh).
genkey "$OUT/spare.key" ec

# ---- revocation lab: OCSP, CRLs, AIA chain repair ------------------------------
# What each piece is for, the URLs and who serves them: see the header. Every
# revocation date is 20 days back, before every CRL's lastUpdate; the leaves
# below start 30 days back.
OCSP_URL=http://ocsp.lab.test:8080/
OCSP_DOWN_URL=http://ocsp-down.lab.test:8080/
PKI_URL=http://pki.lab.test
REV_FROM=$((-30 * DAY))
REV_TO=$((90 * DAY))
REVOKED_AT=$((-20 * DAY))

# tsu OFFSET_SECONDS -> UTCTime (YYMMDDHHMMSSZ), the form of index.txt dates.
tsu() { date -u -d "@$((NOW + $1))" +%y%m%d%H%M%SZ; }

# cadb NAME: an `openssl ca` database of its own (WORK/db-NAME) and its config
# WORK/NAME.cnf, for a CA whose index becomes an OCSP index or a CRL.
cadb() { ca_db "$WORK/db-$1" "$WORK/$1.cnf"; }

# csign CNF NAME CN ISSUER|self FROM TO EXTFILE: sign() with the database of
# config CNF. Uses OUT/NAME.key; writes WORK/NAME.out.
csign() {
    local cnf=$1 name=$2 cn=$3 issuer=$4 from=$5 to=$6 ext=$7
    local csr="$WORK/$name.csr" signer
    ossl req -new -config "$cnf" -key "$OUT/$name.key" -subj "/CN=$cn" -out "$csr"
    if [ "$issuer" = self ]; then
        signer=(-selfsign -keyfile "$OUT/$name.key")
    else
        signer=(-cert "$OUT/$issuer.pem" -keyfile "$OUT/$issuer.key")
    fi
    ossl ca -batch -config "$cnf" -notext -preserveDN -md sha256 \
        "${signer[@]}" -startdate "$(ts "$from")" -enddate "$(ts "$to")" \
        -extfile "$ext" -extensions ext -in "$csr" -out "$WORK/$name.out"
}

# gencrl CNF CA OUTFILE [ca -gencrl options]: a DER CRL of CNF's database, signed by CA.
gencrl() {
    local cnf=$1 ca=$2 out=$3
    shift 3
    ossl ca -gencrl -config "$cnf" -cert "$OUT/$ca.pem" -keyfile "$OUT/$ca.key" \
        -crlexts crl_ext -md sha256 "$@" -out "$WORK/crl.pem"
    ossl crl -in "$WORK/crl.pem" -outform DER -out "$out"
}

# backdate_revocations CNF: every revocation in CNF's index happened REVOKED_AT.
backdate_revocations() {
    local idx="$WORK/db-$1/index.txt"
    awk -F'\t' -v OFS='\t' -v when="$(tsu "$REVOKED_AT")" '
        $1 == "R" { n = index($3, ","); $3 = when (n ? substr($3, n) : "") } { print }
    ' "$idx" >"$idx.new"
    mv -f "$idx.new" "$idx"
}

# serial_of CERT: its serial as index.txt writes it (upper-case hex).
serial_of() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//'; }

cadb root
cadb rev
cadb impostor

# ---- revocation CAs
# rev-int: the lab root's second intermediate; its own CRL point is the root's CRL.
genkey "$OUT/rev-int.key" rsa2048
ext_ca "$WORK/rev-int.ext" 0
{
    echo "crlDistributionPoints = URI:$PKI_URL/ca.crl"
    echo "authorityInfoAccess = caIssuers;URI:$PKI_URL/ca.der"
} >>"$WORK/rev-int.ext"
csign "$WORK/ca.cnf" rev-int "mailtls Test Revocation Intermediate CA" ca \
    $((-400 * DAY)) $((1825 * DAY)) "$WORK/rev-int.ext"
mv "$WORK/rev-int.out" "$OUT/rev-int.pem"

# rev-ocsp: the OCSP responder's delegated signing certificate (RFC 6960 4.2.2.2).
genkey "$OUT/rev-ocsp.key" rsa2048
{
    echo "[ ext ]"
    echo "basicConstraints = critical,CA:FALSE"
    echo "keyUsage = critical,digitalSignature"
    echo "extendedKeyUsage = OCSPSigning"
    echo "noCheck = ignored"
    echo "subjectKeyIdentifier = hash"
    echo "authorityKeyIdentifier = keyid:always"
} >"$WORK/rev-ocsp.ext"
csign "$WORK/rev.cnf" rev-ocsp "mailtls Test OCSP Responder" rev-int \
    $((-400 * DAY)) $((1825 * DAY)) "$WORK/rev-ocsp.ext"
mv "$WORK/rev-ocsp.out" "$OUT/rev-ocsp.pem"

# Roots that are not in ca.pem: aia-root (its DER is published), noaia-root
# (published nowhere), weak-ca (RSA-1024, trusted only through weak-ca.pem).
for r in aia-root noaia-root weak-ca; do
    case $r in
        aia-root)   cn="mailtls AIA Root CA"; key=rsa2048 ;;
        noaia-root) cn="mailtls Unpublished Root CA"; key=rsa2048 ;;
        weak-ca)    cn="mailtls Weak Root CA (RSA-1024)"; key=rsa1024 ;;
    esac
    genkey "$OUT/$r.key" "$key"
    ext_ca "$WORK/$r.ext"
    csign "$WORK/ca.cnf" "$r" "$cn" self $((-400 * DAY)) $((3652 * DAY)) "$WORK/$r.ext"
    mv "$WORK/$r.out" "$OUT/$r.pem"
done

# ncx-ca: under the lab root, names under bar.ncx.mail.test excluded.
genkey "$OUT/ncx-ca.key" rsa2048
ext_ca "$WORK/ncx-ca.ext" 0
echo "nameConstraints = critical,excluded;DNS:bar.ncx.mail.test" >>"$WORK/ncx-ca.ext"
csign "$WORK/ca.cnf" ncx-ca "mailtls Test Name-Constrained CA" ca \
    $((-400 * DAY)) $((1825 * DAY)) "$WORK/ncx-ca.ext"
mv "$WORK/ncx-ca.out" "$OUT/ncx-ca.pem"

# rev-int-impostor: rev-int's name and subject key identifier, another key.
genkey "$OUT/rev-int-impostor.key" rsa2048
ext_ca "$WORK/rev-int-impostor.ext"
sed -i '/^subjectKeyIdentifier/d; /^authorityKeyIdentifier/d' "$WORK/rev-int-impostor.ext"
echo "subjectKeyIdentifier = $(openssl x509 -in "$OUT/rev-int.pem" -noout \
    -ext subjectKeyIdentifier | tail -n 1 | tr -d ' ')" >>"$WORK/rev-int-impostor.ext"
csign "$WORK/impostor.cnf" rev-int-impostor "mailtls Test Revocation Intermediate CA" self \
    $((-400 * DAY)) $((1825 * DAY)) "$WORK/rev-int-impostor.ext"
mv "$WORK/rev-int-impostor.out" "$OUT/rev-int-impostor.pem"

# ---- revocation leaves
# Issued by rev-int (its database: the OCSP index and the CRLs).
REV_CASES="revgood revoked crlonly unknown ocspdown staple-good staple-revoked
staple-mismatch muststaple aiamissing stalecrl badcrl"
# Issued by other CAs (no revocation data).
TRUST_CASES="aiaroot noaia nameconstraint ncxdirect weakanchor intanchor"
for c in $REV_CASES $TRUST_CASES; do
    cn="$c.rev.mail.test"; san="DNS:$c.rev.mail.test"
    issuer=rev-int; chain=rev-int; cnf="$WORK/rev.cnf"; feature=
    aia="OCSP;URI:$OCSP_URL,caIssuers;URI:$PKI_URL/rev-int.der"
    cdp="URI:$PKI_URL/rev-int.crl"
    case $c in
        crlonly)    aia= ;;
        ocspdown)   aia="OCSP;URI:$OCSP_DOWN_URL,caIssuers;URI:$PKI_URL/rev-int.der" ;;
        muststaple) feature=status_request
                    san="DNS:muststaple.rev.mail.test,DNS:muststaple-ok.rev.mail.test" ;;
        aiamissing) chain= ;;
        stalecrl)   aia=; cdp="URI:$PKI_URL/rev-int-stale.crl" ;;
        badcrl)     aia=; cdp="URI:$PKI_URL/rev-int-badsig.crl" ;;
    esac
    case " $TRUST_CASES " in *" $c "*)
        cnf="$WORK/ca.cnf"; aia=; cdp=; chain= ;;
    esac
    case $c in
        aiaroot)    issuer="aia-root"; aia="caIssuers;URI:$PKI_URL/aia-root.der" ;;
        noaia)      issuer="noaia-root" ;;
        nameconstraint) issuer=ncx-ca; chain=ncx-ca
                    cn='*.ncx.mail.test'; san='DNS:*.ncx.mail.test' ;;
        ncxdirect)  issuer=ncx-ca; chain=ncx-ca; cn=direct.ncx.mail.test
                    san='DNS:direct.ncx.mail.test,DNS:bar.ncx.mail.test' ;;
        weakanchor) issuer="weak-ca" ;;
        intanchor)  issuer=int; chain=int ;;
    esac
    genkey "$OUT/$c.key" rsa2048
    ext_leaf "$WORK/$c.ext" "$san" serverAuth
    {
        if [ -n "$aia" ]; then echo "authorityInfoAccess = $aia"; fi
        if [ -n "$cdp" ]; then echo "crlDistributionPoints = $cdp"; fi
        if [ -n "$feature" ]; then echo "tlsfeature = $feature"; fi
    } >>"$WORK/$c.ext"
    csign "$cnf" "$c" "$cn" "$issuer" "$REV_FROM" "$REV_TO" "$WORK/$c.ext"
    mv "$WORK/$c.out" "$OUT/$c.crt"
    {
        cat "$OUT/$c.crt"
        for ca in $chain; do cat "$OUT/$ca.pem"; done
    } >"$OUT/$c.chain.pem"
done

# ---- revocations, OCSP index, CRLs
for c in revoked:keyCompromise staple-revoked:keyCompromise crlonly:superseded; do
    ossl ca -config "$WORK/rev.cnf" -cert "$OUT/rev-int.pem" -keyfile "$OUT/rev-int.key" \
        -revoke "$OUT/${c%%:*}.crt" -crl_reason "${c#*:}"
done
backdate_revocations rev
cp "$WORK/db-rev/index.txt" "$OUT/rev-int.db.txt"
# The responder does not know "unknown".
grep -v -P "\t$(serial_of "$OUT/unknown.crt")\t" "$WORK/db-rev/index.txt" >"$OUT/rev-int.index"
# An empty attribute file: openssl ocsp -index looks for INDEX.attr.
echo "unique_subject = no" >"$OUT/rev-int.index.attr"

# CRL number 1: expired 3 days ago; 2: the current one.
gencrl "$WORK/rev.cnf" rev-int "$OUT/rev-int-stale.crl" \
    -crl_lastupdate "$(ts $((-10 * DAY)))" -crl_nextupdate "$(ts $((-3 * DAY)))"
gencrl "$WORK/rev.cnf" rev-int "$OUT/rev-int.crl" -crldays 7
# The impostor's CRL: rev-int's name and key identifier, revokes badcrl.
grep -P "\t$(serial_of "$OUT/badcrl.crt")\t" "$WORK/db-rev/index.txt" |
    awk -F'\t' -v OFS='\t' -v when="$(tsu "$REVOKED_AT"),keyCompromise" \
        '{ $1 = "R"; $3 = when; print }' >"$WORK/db-impostor/index.txt"
gencrl "$WORK/impostor.cnf" rev-int-impostor "$OUT/rev-int-badsig.crl" -crldays 7
# The lab root's CRL: nothing revoked (the CRL point of rev-int).
gencrl "$WORK/root.cnf" ca "$OUT/ca.crl" -crldays 30

# DER for the caIssuers URLs; trust files of their own.
for f in ca rev-int aia-root; do
    ossl x509 -in "$OUT/$f.pem" -outform DER -out "$OUT/$f.der"
done
cp "$OUT/int.pem" "$OUT/int-only.pem"

# Pre-made OCSP responses (what the responder would answer now, valid 7 days),
# for the stapling servers (tests/lab/staple.sh).
for c in $REV_CASES; do
    ossl ocsp -issuer "$OUT/rev-int.pem" -cert "$OUT/$c.crt" -no_nonce \
        -reqout "$WORK/$c.ocspreq"
    ossl ocsp -index "$OUT/rev-int.index" -CA "$OUT/rev-int.pem" \
        -rsigner "$OUT/rev-ocsp.pem" -rkey "$OUT/rev-ocsp.key" -ndays 7 \
        -reqin "$WORK/$c.ocspreq" -respout "$OUT/$c.ocsp.der"
done

# ---- sanity check --------------------------------------------------------------
if ! openssl verify -CAfile "$OUT/ca.pem" -untrusted "$OUT/int.pem" \
        "$OUT/good.crt" >>"$LOG" 2>&1; then
    echo "pki.sh: good.crt does not verify against ca.pem:" >&2
    tail -n 5 "$LOG" >&2
    exit 1
fi

for c in revgood aiamissing; do
    if ! openssl verify -CAfile "$OUT/ca.pem" -untrusted "$OUT/rev-int.pem" \
            "$OUT/$c.crt" >>"$LOG" 2>&1; then
        echo "pki.sh: $c.crt does not verify against ca.pem and rev-int.pem:" >&2
        tail -n 5 "$LOG" >&2
        exit 1
    fi
done

touch "$OUT/.done"
echo "pki.sh: test PKI ready in $OUT ($(echo "$CASES $REV_CASES $TRUST_CASES" | wc -w) leaf cases)"
