#!/bin/sh
# bench/logsummary.sh [LINES] - mailtls log summary and changes over an audit log of LINES
# lines (default 1,000,000): 1,000 servers checked hourly, each renewing its certificate
# once; wall time, CPU and peak memory of each. The log is generated (lines of the shape
# check --log writes), so no lab is needed.
set -eu
cd "$(dirname "$0")/.."
N=${1:-1000000}
BIN=${BIN:-build/mailtls}
LOG=${LOG:-build/bench-audit.log}

[ -x "$BIN" ] || make -s build/mailtls
python3 - "$N" "$LOG" <<'PY'
import sys, time
n, path = int(sys.argv[1]), sys.argv[2]
servers = 1000
t0 = 1800000000
with open(path, "w") as f:
    for i in range(n):
        s, round_ = i % servers, i // servers
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t0 + round_ * 3600))
        renewed = round_ >= (n // servers) // 2
        sha = ("B" if renewed else "A") * 2 + ":" + "%062X" % s
        days = 60 - round_ // 24 + (90 if renewed else 0)
        status = "ok" if days > 30 else "warn"
        f.write('{"time":"%s","checked_at":"%s","mailtls":"0.2.0","domain":"d%d.example",'
                '"host":"mx%d.example","address":"192.0.2.%d","port":25,"protocol":"smtp",'
                '"status":"%s","tls":"TLSv1.3","findings":["TLS_ESTABLISHED","CERT_TRUSTED"%s],'
                '"certificate":{"subject":"CN=mx%d.example","issuer":"CN=R11, O=Let\'s Encrypt, C=US",'
                '"serial":"%X","not_before":"%s","not_after":"%s","days_left":%d,"sha256":"%s",'
                '"spki_sha256":"%064X"},"options":{"warn_days":30,"crit_days":7,"trust":null,"at":null}}\n'
                % (when, when, s, s, s % 250, status, ',"CERT_EXPIRES_SOON"' if status == "warn" else "",
                   s, s * 7 + (1 if renewed else 0), when, when, days, sha, s * 3 + (1 if renewed else 0)))
PY
echo "log: $N lines, $(du -h "$LOG" | cut -f1)"
for what in summary changes; do
	/usr/bin/time -f "$what: %e s wall, %U s user, %S s sys, %M KiB peak" \
		"$BIN" log $what "$LOG" >/dev/null 2>/tmp/mailtls-logbench.$$ || true
	tail -1 /tmp/mailtls-logbench.$$
	grep -v " KiB peak" /tmp/mailtls-logbench.$$ | sed 's/^/  /'
done
rm -f /tmp/mailtls-logbench.$$
