#!/usr/bin/env python3
"""End-to-end tests: mailtls against real Postfix (tests/lab) and the hostile server.

Each case is data: the arguments, the exit code expected, the finding codes that must and
must not appear, and optional checks on the JSON. One line per case: PASS/FAIL name.
The last line is "e2e: N passed, N failed".

    python3 tests/e2e/run.py --bin build/asan/mailtls [--lab build/lab] [-k substring]
"""
import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

ap = argparse.ArgumentParser()
ap.add_argument("--bin", default=os.path.join(ROOT, "build/asan/mailtls"))
ap.add_argument("--lab", default=os.path.join(ROOT, "build/lab"))
ap.add_argument("-k", default="", help="run only cases whose name contains this")
ap.add_argument("--keep", action="store_true", help="leave the lab running afterwards")
args = ap.parse_args()

BIN = os.path.abspath(args.bin)
LAB = os.path.abspath(args.lab)
PKI = os.path.join(LAB, "pki")
CA = os.path.join(PKI, "ca.pem")
HOSTILE_ADDR = "127.0.0.50"
CAPTURE = os.path.join(LAB, "capture")
# The revocation lab: CRLs and CA certificates over HTTP, the OCSP responder, stapling servers.
LAB_REVOCATION = ("nginx-http.sh", "ocsp.sh", "staple.sh")  # the hostile server's record of pre-TLS bytes
HOSTILE_BASE = "2600"

results = {"pass": 0, "fail": 0}


def sanitizer_env(extra=None):
    e = dict(os.environ)
    e.update(extra or {})
    # ASan/UBSan must make a broken run fail loudly, never pass silently.
    e.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=99")
    e.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:exitcode=98")
    return e


def run(argv, env=None):
    p = subprocess.run([BIN] + argv, capture_output=True, text=True, env=sanitizer_env(env), timeout=120)
    return p.returncode, p.stdout, p.stderr


def selected(names):
    return not args.k or args.k in names


def report(name, ok, why=""):
    if ok:
        results["pass"] += 1
        print(f"PASS {name}", flush=True)
    else:
        results["fail"] += 1
        print(f"FAIL {name}: {why}", flush=True)


def codes(probe):
    return [f["code"] for f in probe["findings"]]


def find(probe, code):
    return [f for f in probe["findings"] if f["code"] == code]


def run_json(name, argv):
    """Run mailtls; return (exit code, parsed JSON), or report the case failed and return None."""
    try:
        rc, out, err = run(argv)
    except subprocess.TimeoutExpired:
        report(name, False, "mailtls did not finish within 120 s")
        return None
    if rc >= 90:
        report(name, False, f"sanitizer or crash (exit {rc}): {err[-2000:]}")
        return None
    try:
        return rc, json.loads(out)
    except ValueError:
        report(name, False, f"not JSON (exit {rc}): {out[:300]!r} {err[:300]!r}")
        return None


def case(name, argv, exit, has=(), lacks=(), check=None, ca=True):
    """Run mailtls --json with argv; assert exit code, findings, and check(json)."""
    if args.k and args.k not in name:
        return
    got_json = run_json(name, ["check", "--json"] + (["--ca-file", CA] if ca else []) + argv)
    if got_json is None:
        return
    rc, j = got_json
    probes = j.get("probes", [])
    if len(probes) != 1:
        report(name, False, f"expected one probe, got {len(probes)}")
        return
    p = probes[0]
    got = codes(p)
    problems = []
    if rc != exit:
        problems.append(f"exit {rc}, expected {exit}")
    if j["status"] != ["ok", "warn", "crit", "unknown"][exit]:
        problems.append(f"status {j['status']}")
    for c in has:
        if c not in got:
            problems.append(f"missing {c}")
    for c in lacks:
        if c not in got:
            continue
        problems.append(f"unexpected {c}")
    if check and not problems:
        try:
            why = check(p)
        except Exception as ex:  # a failed lookup in the JSON is a failed case
            why = f"check raised {ex!r}"
        if why:
            problems.append(why)
    report(name, not problems, "; ".join(problems) + f"  findings={got}")


def lab(host, addr, port=25, *extra):
    return ["--host", f"{host}:{port}", "--address", addr] + list(extra)


WARN_CRIT = ("CERT_EXPIRED", "CERT_NOT_YET_VALID", "CERT_EXPIRES_SOON", "CERT_SELF_SIGNED",
             "CERT_UNTRUSTED_ROOT", "CERT_CHAIN_INCOMPLETE", "CERT_CHAIN_ORDER",
             "CERT_HOSTNAME_MISMATCH", "CERT_CN_ONLY", "CERT_NO_SERVER_AUTH", "CERT_WEAK_KEY",
             "CERT_WEAK_SIGNATURE", "CERT_VERIFY_ERROR")


def openssl_fp(path):
    out = subprocess.run(["openssl", "x509", "-in", path, "-noout", "-fingerprint", "-sha256"],
                         capture_output=True, text=True).stdout
    return out.strip().split("=", 1)[1]


def openssl_spki(path):
    pub = subprocess.run(["openssl", "x509", "-in", path, "-noout", "-pubkey"], capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub, capture_output=True).stdout
    return subprocess.run(["openssl", "dgst", "-sha256", "-r"], input=der, capture_output=True, text=False).stdout.decode().split()[0]


def check_good(p):
    c0 = p["chain"][0]
    if not p["tls"] or not p["tls"]["version"].startswith("TLS"):
        return f"tls {p['tls']}"
    if len(p["chain"]) != 2:
        return f"chain length {len(p['chain'])}"
    if "good.mail.test" not in c0["subject"] or "DNS:good.mail.test" not in c0["san"]:
        return f"leaf {c0['subject']} {c0['san']}"
    if "Intermediate" not in p["chain"][1]["subject"]:
        return "second certificate is not the intermediate"
    if not 87 <= c0["days_left"] <= 89:
        return f"days_left {c0['days_left']}"
    if c0["sha256"] != openssl_fp(os.path.join(PKI, "good.crt")):
        return "sha256 differs from openssl x509 -fingerprint"
    if c0["spki_sha256"].lower() != openssl_spki(os.path.join(PKI, "good.crt")):
        return f"spki_sha256 {c0['spki_sha256']} differs from openssl's"
    if c0["tlsa"] != "3 1 1 " + openssl_spki(os.path.join(PKI, "good.crt")) or not p["chain"][1]["tlsa"].startswith("2 1 1 "):
        return f"tlsa {c0['tlsa']}"
    if not any(c.upper().startswith("STARTTLS") for c in p["capabilities"]["plain"]):
        return "STARTTLS not in plaintext capabilities"
    if any(c.upper().startswith("STARTTLS") for c in p["capabilities"]["tls"]):
        return "STARTTLS still offered over TLS"
    v = p["verification"]
    if not (v["trusted"] and v["name_matched"] and v["dates_ok"]):
        return f"verification {v}"
    if "Root" not in (v["trust_anchor"] or ""):
        return f"trust anchor {v['trust_anchor']}"
    return None


def cert_index(code, idx):
    def check(p):
        f = find(p, code)
        if not f or any(x.get("cert") != idx for x in f):
            return f"{code} should be about certificate #{idx}: {f}"
    return check


def severity(code, sev):
    def check(p):
        f = find(p, code)
        if not f or f[0]["severity"] != sev:
            return f"{code} severity should be {sev}: {f}"
    return check


def message(code, needle):
    def check(p):
        f = find(p, code)
        if not f or needle not in f[0]["message"]:
            return f"{code} message should mention {needle!r}: {f}"
    return check


def all_of(*checks):
    def check(p):
        for c in checks:
            why = c(p)
            if why:
                return why
    return check


def start_lab():
    shutil.rmtree(CAPTURE, ignore_errors=True)
    os.makedirs(CAPTURE, mode=0o700)
    subprocess.run(["bash", os.path.join(ROOT, "tests/lab/postfix.sh"), "start", LAB], check=True)
    subprocess.run(["bash", os.path.join(ROOT, "tests/lab/nsd.sh"), "start", LAB], check=True)
    subprocess.run(["bash", os.path.join(ROOT, "tests/lab/nginx-https.sh"), "start", LAB], check=True)
    subprocess.run(["bash", os.path.join(ROOT, "tests/lab/dovecot.sh"), "start", LAB], check=True)
    for s in LAB_REVOCATION:
        subprocess.run(["bash", os.path.join(ROOT, "tests/lab", s), "start", LAB], check=True)
    # A hostile server left by an earlier run that died would hold the ports: end it.
    pidfile = os.path.join(LAB, "hostile.pid")
    try:
        old = int(open(pidfile).read())
        if "hostile.py" in open(f"/proc/{old}/cmdline").read():
            os.kill(old, signal.SIGTERM)
            for _ in range(100):
                if not os.path.exists(f"/proc/{old}"):
                    break
                time.sleep(0.02)
    except (OSError, ValueError):
        pass
    hostile = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "hostile.py"), "--addr", HOSTILE_ADDR, "--base-port", HOSTILE_BASE,
         "--cert", os.path.join(PKI, "good.chain.pem"), "--key", os.path.join(PKI, "good.key"),
         "--badipsan-cert", os.path.join(PKI, "badipsan.chain.pem"), "--badipsan-key", os.path.join(PKI, "badipsan.key"),
         "--capture-dir", CAPTURE],
        stdout=subprocess.PIPE, text=True)
    with open(pidfile, "w") as f:
        f.write(str(hostile.pid))
    line = hostile.stdout.readline()
    if line.strip() != "ready":
        raise SystemExit("hostile server did not become ready")
    modes = json.loads(subprocess.run([sys.executable, os.path.join(HERE, "hostile.py"), "--modes", "--base-port", HOSTILE_BASE],
                                      capture_output=True, text=True, check=True).stdout)
    return hostile, modes


def stop_lab(hostile):
    hostile.send_signal(signal.SIGTERM)
    try:
        hostile.wait(5)
    except subprocess.TimeoutExpired:
        hostile.kill()
    if not args.keep:
        subprocess.run(["bash", os.path.join(ROOT, "tests/lab/postfix.sh"), "stop", LAB])
        subprocess.run(["bash", os.path.join(ROOT, "tests/lab/nsd.sh"), "stop", LAB])
        subprocess.run(["bash", os.path.join(ROOT, "tests/lab/nginx-https.sh"), "stop", LAB])
        subprocess.run(["bash", os.path.join(ROOT, "tests/lab/dovecot.sh"), "stop", LAB])
        for s in LAB_REVOCATION:
            subprocess.run(["bash", os.path.join(ROOT, "tests/lab", s), "stop", LAB])


def lab_cases():
    case("good-25", lab("good.mail.test", "127.0.0.10"), 0,
         has=("CERT_TRUSTED", "CERT_HOSTNAME_OK", "CERT_DATES_OK", "TLS_ESTABLISHED"),
         lacks=WARN_CRIT, check=check_good)
    case("good-587-starttls", lab("good.mail.test", "127.0.0.10", 587), 0,
         has=("CERT_TRUSTED",), lacks=WARN_CRIT,
         check=lambda p: None if p["tls_mode"] == "starttls" and p["capabilities"]["plain"] else "not STARTTLS")
    case("good-465-implicit", lab("good.mail.test", "127.0.0.10", 465), 0,
         has=("CERT_TRUSTED", "TLS_ESTABLISHED"), lacks=WARN_CRIT,
         check=lambda p: None if p["tls_mode"] == "implicit" and p["banner"].startswith("220")
         and not p["capabilities"]["plain"] and p["capabilities"]["tls"] else f"mode {p['tls_mode']} banner {p['banner']}")
    case("good-ipv6", ["--host", "good.mail.test", "--address", "::1", "-6"], 0,
         has=("CERT_TRUSTED",), lacks=WARN_CRIT,
         check=lambda p: None if p["address"] == "::1" else p["address"])
    case("ec-key", lab("ec.mail.test", "127.0.0.25"), 0, lacks=WARN_CRIT,
         check=lambda p: None if p["chain"][0]["key"]["type"] == "EC" and p["chain"][0]["key"]["bits"] == 256 else p["chain"][0]["key"])
    case("expired", lab("expired.mail.test", "127.0.0.11"), 2,
         has=("CERT_EXPIRED", "CERT_TRUSTED", "CERT_HOSTNAME_OK"), lacks=("CERT_DATES_OK",),
         check=all_of(cert_index("CERT_EXPIRED", 0),
                      lambda p: None if p["chain"][0]["days_left"] < 0 else "days_left not negative"))
    case("not-yet-valid", lab("notyet.mail.test", "127.0.0.12"), 2,
         has=("CERT_NOT_YET_VALID",), check=cert_index("CERT_NOT_YET_VALID", 0))
    case("expires-soon-warn", lab("soon.mail.test", "127.0.0.13"), 1,
         has=("CERT_EXPIRES_SOON",), lacks=("CERT_EXPIRED",),
         check=all_of(severity("CERT_EXPIRES_SOON", "warn"), message("CERT_EXPIRES_SOON", "10 days")))
    case("expires-soon-crit-days", lab("soon.mail.test", "127.0.0.13", 25, "--crit-days", "15"), 2,
         has=("CERT_EXPIRES_SOON",), check=severity("CERT_EXPIRES_SOON", "crit"))
    case("expires-soon-below-threshold", lab("soon.mail.test", "127.0.0.13", 25, "--warn-days", "5", "--crit-days", "2"), 0,
         lacks=("CERT_EXPIRES_SOON",), has=("CERT_DATES_OK",))
    case("self-signed", lab("selfsigned.mail.test", "127.0.0.14"), 2,
         has=("CERT_SELF_SIGNED", "CERT_HOSTNAME_OK"), lacks=("CERT_CHAIN_INCOMPLETE", "CERT_TRUSTED"),
         check=cert_index("CERT_SELF_SIGNED", 0))
    case("wrong-name", lab("wrongname.mail.test", "127.0.0.15"), 2,
         has=("CERT_HOSTNAME_MISMATCH", "CERT_TRUSTED"), lacks=("CERT_HOSTNAME_OK",),
         check=message("CERT_HOSTNAME_MISMATCH", "other.example.test, www.other.example.test"))
    case("wildcard-match", lab("mx.wild.mail.test", "127.0.0.16"), 0,
         has=("CERT_HOSTNAME_OK",), lacks=WARN_CRIT,
         check=lambda p: None if p["verification"]["matched_name"] == "*.wild.mail.test" else p["verification"])
    case("wildcard-two-labels", lab("a.b.wild.mail.test", "127.0.0.16"), 2,
         has=("CERT_HOSTNAME_MISMATCH",))
    case("wildcard-bare-domain", lab("wild.mail.test", "127.0.0.16"), 2,
         has=("CERT_HOSTNAME_MISMATCH",))
    case("missing-intermediate", lab("noint.mail.test", "127.0.0.17"), 2,
         has=("CERT_CHAIN_INCOMPLETE",), lacks=("CERT_UNTRUSTED_ROOT", "CERT_TRUSTED"),
         check=all_of(message("CERT_CHAIN_INCOMPLETE", "Intermediate"),
                      lambda p: None if len(p["chain"]) == 1 else "chain length"))
    case("chain-order", lab("order.mail.test", "127.0.0.18"), 1,
         has=("CERT_CHAIN_ORDER", "CERT_TRUSTED"), lacks=("CERT_CHAIN_INCOMPLETE",),
         check=lambda p: None if len(p["chain"]) == 3 and "Root" in p["chain"][1]["subject"] else "chain not as sent")
    case("rsa-1024", lab("rsa1024.mail.test", "127.0.0.19"), 2,
         has=("CERT_WEAK_KEY", "CERT_TRUSTED", "CERT_HOSTNAME_OK"),
         check=all_of(cert_index("CERT_WEAK_KEY", 0), message("CERT_WEAK_KEY", "1024-bit RSA")))
    case("no-server-auth", lab("noserverauth.mail.test", "127.0.0.20"), 2,
         has=("CERT_NO_SERVER_AUTH", "CERT_TRUSTED"),
         check=message("CERT_NO_SERVER_AUTH", "Client Authentication"))
    case("cn-only", lab("cnonly.mail.test", "127.0.0.21"), 1,
         has=("CERT_CN_ONLY", "CERT_TRUSTED"), lacks=("CERT_HOSTNAME_MISMATCH", "CERT_HOSTNAME_OK"),
         check=lambda p: None if p["chain"][0]["san"] == [] and p["verification"]["name_by_cn_only"] else "san/name facts")
    case("sha1-signature", lab("sha1.mail.test", "127.0.0.22"), 2,
         has=("CERT_WEAK_SIGNATURE", "CERT_TRUSTED"),
         check=all_of(cert_index("CERT_WEAK_SIGNATURE", 0), message("CERT_WEAK_SIGNATURE", "sha1")))
    case("untrusted-root", lab("untrusted.mail.test", "127.0.0.23"), 2,
         has=("CERT_UNTRUSTED_ROOT",), lacks=("CERT_CHAIN_INCOMPLETE", "CERT_TRUSTED"),
         check=cert_index("CERT_UNTRUSTED_ROOT", 1))
    case("expired-intermediate", lab("expiredint.mail.test", "127.0.0.24"), 2,
         has=("CERT_EXPIRED", "CERT_TRUSTED"),
         check=all_of(cert_index("CERT_EXPIRED", 1),
                      lambda p: None if p["chain"][0]["days_left"] > 0 else "leaf blamed"))
    case("no-starttls-offered", lab("notls.mail.test", "127.0.0.26"), 2,
         has=("STARTTLS_NOT_OFFERED",), lacks=("TLS_ESTABLISHED",),
         check=lambda p: None if p["chain"] == [] and p["tls"] is None else "chain without TLS")
    case("at-future-expired", lab("good.mail.test", "127.0.0.10", 25, "--at", "+100d"), 2,
         has=("CERT_EXPIRED",), check=cert_index("CERT_EXPIRED", 0))
    case("at-past-valid", lab("expired.mail.test", "127.0.0.11", 25, "--at", "-30d", "--warn-days", "10"), 0,
         has=("CERT_DATES_OK",), lacks=("CERT_EXPIRED",),
         check=lambda p: None if p["chain"][0]["days_left"] >= 19 else f"days_left {p['chain'][0]['days_left']}")
    case("system-store-does-not-trust-lab", lab("good.mail.test", "127.0.0.10"), 2,
         has=("CERT_UNTRUSTED_ROOT",), lacks=("CERT_TRUSTED",), ca=False)
    case("connect-refused", lab("down.mail.test", "127.0.0.9"), 2,
         has=("CONNECT_FAILED",), check=message("CONNECT_FAILED", "refused"))


def mailbox_cases():
    """IMAP and POP3 against real Dovecot: the same session machine, other dialect rows."""
    def proto(mode, protocol):
        def check(p):
            if p["protocol"] != protocol or p["tls_mode"] != mode:
                return f"protocol {p['protocol']} {p['tls_mode']}"
            if mode == "starttls" and not any(c.upper() == ("STLS" if protocol == "pop3" else "STARTTLS")
                                              for c in p["capabilities"]["plain"]):
                return f"plain capabilities {p['capabilities']['plain']}"
            if not p["capabilities"]["tls"] or not p["banner"]:
                return f"tls capabilities {p['capabilities']['tls']} banner {p['banner']}"
            return None
        return check
    case("imap-143-starttls", lab("good.mail.test", "127.0.0.40", 143), 0, has=("CERT_TRUSTED", "CERT_HOSTNAME_OK"),
         lacks=WARN_CRIT, check=proto("starttls", "imap"))
    case("imap-993-implicit", lab("good.mail.test", "127.0.0.40", 993), 0, has=("CERT_TRUSTED",), lacks=WARN_CRIT,
         check=proto("implicit", "imap"))
    case("pop3-110-stls", lab("good.mail.test", "127.0.0.40", 110), 0, has=("CERT_TRUSTED",), lacks=WARN_CRIT,
         check=proto("starttls", "pop3"))
    case("pop3-995-implicit", lab("good.mail.test", "127.0.0.40", 995), 0, has=("CERT_TRUSTED",), lacks=WARN_CRIT,
         check=proto("implicit", "pop3"))
    case("imap-no-starttls", lab("good.mail.test", "127.0.0.41", 143), 2, has=("STARTTLS_NOT_OFFERED",),
         lacks=("TLS_ESTABLISHED",))
    # --protocol overrides the port: POP3 spoken at IMAP's port is a protocol error, not a hang.
    case("protocol-mismatch-is-an-error", lab("good.mail.test", "127.0.0.40", 143, "--protocol", "pop3"), 2,
         has=("PROTOCOL_ERROR",), check=lambda p: None if "malformed POP3 reply" in find(p, "PROTOCOL_ERROR")[0]["message"]
         else find(p, "PROTOCOL_ERROR"))
    cli_case("cli-protocol-needs-host", ["check", "example.test", "--protocol", "imap"], 3, err_re=r"name an IMAP or POP3 server with --host")
    cli_case("cli-bad-protocol", ["check", "--host", "x.test", "--protocol", "nntp"], 3, err_re=r"\"nntp\" is not smtp, imap or pop3")


def hostile_cases(modes):
    def h(mode, *extra):
        return ["--host", "good.mail.test", "--address", HOSTILE_ADDR, "--port", str(modes[mode])] + list(extra)

    case("hostile-no-banner-timeout", h("nobanner", "--timeout", "1"), 2,
         has=("TIMEOUT",), check=message("TIMEOUT", "greeting"))
    case("hostile-trickle-timeout", h("trickle", "--timeout", "1.5"), 2,
         has=("TIMEOUT",), check=message("TIMEOUT", "greeting"))
    case("hostile-garbage", h("garbage", "--timeout", "2"), 2,
         has=("PROTOCOL_ERROR",), check=message("PROTOCOL_ERROR", "malformed"))
    case("hostile-endless-line", h("endless", "--timeout", "2"), 2,
         has=("PROTOCOL_ERROR",), check=message("PROTOCOL_ERROR", "line longer than"))
    case("hostile-many-lines", h("manylines", "--timeout", "2"), 2,
         has=("PROTOCOL_ERROR",), check=message("PROTOCOL_ERROR", "lines"))
    case("hostile-bad-multiline", h("badmultiline"), 2,
         has=("PROTOCOL_ERROR",), check=message("PROTOCOL_ERROR", "code changed"))
    case("hostile-drop-after-starttls", h("dropstarttls"), 2,
         has=("TLS_HANDSHAKE_FAILED",), lacks=("TLS_ESTABLISHED",))
    case("hostile-starttls-454", h("starttls454"), 2,
         has=("STARTTLS_REJECTED",), check=message("STARTTLS_REJECTED", "454"))
    case("hostile-no-starttls", h("nostarttls"), 2, has=("STARTTLS_NOT_OFFERED",))
    case("hostile-banner-554", h("banner554"), 2,
         has=("BANNER_REJECTED",), lacks=("STARTTLS_NOT_OFFERED",),
         check=message("BANNER_REJECTED", "554"))
    case("hostile-tls-garbage", h("tlsgarbage", "--timeout", "3"), 2,
         has=("TLS_HANDSHAKE_FAILED",))
    # The injected "250 PIPELINING" must never be read as the reply to EHLO over TLS.
    case("hostile-plaintext-injection", h("inject"), 2,
         has=("STARTTLS_INJECTION", "TLS_ESTABLISHED", "CERT_TRUSTED"),
         check=lambda p: None if p["capabilities"]["tls"] == ["8BITMIME"] else f"tls capabilities {p['capabilities']['tls']}")
    if selected("hostile-interrupt-mid-session"):
        p = subprocess.Popen([BIN, "check", "--json"] + h("nobanner", "--timeout", "30"), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=sanitizer_env())
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        j = json.loads(out) if out.startswith("{") else {}
        report("hostile-interrupt-mid-session", p.returncode == 3 and j.get("probes") == [] and j.get("status") == "unknown"
               and "interrupted before" in err,
               f"exit {p.returncode} out {out[:200]!r} err {err[-400:]!r}")
    if selected("verbose-dialogue-on-stderr"):
        rc, out, err = run(["check", "--ca-file", CA, "-v"] + h("inject"))
        lines = err.splitlines()
        want = [" -- connected", " C: STARTTLS", " S: 220 2.0.0 Ready to start TLS", " -- 30 plaintext bytes after the STARTTLS reply, discarded",
                " -- TLS established", " S: 250 8BITMIME"]
        missing = [w for w in want if not any(l.endswith(w) or w in l for l in lines)]
        report("verbose-dialogue-on-stderr", rc == 2 and not missing and out.startswith("CRITICAL"),
               f"missing {missing} in {err[-600:]!r}")
    if selected("verbose-censors-server-text"):
        rc, out, err = run(["check", "--ca-file", CA, "-v", "--timeout", "2"] + h("garbage"))
        report("verbose-censors-server-text", "S: " in err and all(32 <= ord(ch) < 127 for ch in err.replace("\n", "")),
               f"stderr {err[:200]!r}")
    case("hostile-control-good", h("good"), 0, has=("CERT_TRUSTED",), lacks=WARN_CRIT + ("STARTTLS_INJECTION",))
    case("hostile-bare-lf", h("ipv4banner-lf"), 0, has=("CERT_TRUSTED",), lacks=WARN_CRIT)
    # A subjectAltName iPAddress of 0 bytes (pki.sh "badipsan") is shown as invalid, never
    # read as an address; the check goes on and the DNS name still matches.
    case("hostile-zero-length-ip-san", h("badipsan"), 0, has=("CERT_TRUSTED", "CERT_HOSTNAME_OK"), lacks=WARN_CRIT,
         check=lambda p: None if p["chain"][0]["san"] == ["DNS:good.mail.test", "IP:(invalid: 0 bytes)"]
         else f"leaf san {p['chain'][0]['san']}")

    # A greeting line of exactly the 4096-byte limit, its CR and LF in two TCP segments
    # 0.2 s apart: the CR alone must not count as a 4097th byte of the line.
    def long_banner(n):
        def check(p):
            b = p["banner"]
            if not b.startswith("220 ") or len(b) != n:
                return f"banner of {len(b)} bytes, expected {n}: {b[:40]!r}...{b[-20:]!r}"
        return check
    case("hostile-4096-byte-greeting-split-crlf", h("split4096"), 0, has=("CERT_TRUSTED",),
         lacks=WARN_CRIT + ("PROTOCOL_ERROR",), check=long_banner(4096))
    # Control: one byte more, split the same way, is over the limit.
    case("hostile-4097-byte-greeting-split-crlf", h("split4097"), 2, has=("PROTOCOL_ERROR",),
         check=message("PROTOCOL_ERROR", "line longer than 4096 bytes"))
    # "220 hi" and "250 bogus" in one segment: the second line must not answer our EHLO
    # (it would say STARTTLS is not offered); it is a protocol error that names it.
    case("hostile-data-before-the-client-spoke", h("trailing"), 2, has=("PROTOCOL_ERROR",),
         lacks=("STARTTLS_NOT_OFFERED", "TLS_ESTABLISHED"),
         check=message("PROTOCOL_ERROR", '"250 bogus" after its reply, before the client\'s next command'))
    # A greeting held back 3 s: waited for (RFC 5321 4.5.3.2.1), judged, and said.
    def slow(p):
        t = p["timing_ms"]
        if not 2900 <= t["banner"] - t["connect"] <= 6000:
            return f"timing {t}"
        return None
    case("hostile-delayed-greeting-is-waited-for", h("slowgreet"), 0, has=("SLOW_GREETING", "CERT_TRUSTED"),
         lacks=WARN_CRIT + ("TIMEOUT",), check=all_of(severity("SLOW_GREETING", "info"), message("SLOW_GREETING", "after 3."), slow))
    case("hostile-delayed-greeting-past-its-bound", h("slowgreet", "--greeting-timeout", "1"), 2, has=("TIMEOUT",),
         check=all_of(message("TIMEOUT", "greeting within 1 s"),
                      lambda p: None if p["timing_ms"]["banner"] is None and p["timing_ms"]["tls"] is None
                      and p["timing_ms"]["connect"] is not None else f"timing {p['timing_ms']}"))
    # Replies written in pieces with Nagle on are read whole (the time they cost is
    # bench/pieces.sh's business, not a test's).
    case("hostile-replies-in-pieces", h("pieces"), 0, has=("CERT_TRUSTED", "TLS_ESTABLISHED"), lacks=WARN_CRIT,
         check=lambda p: None if "STARTTLS" in p["capabilities"]["plain"] and p["capabilities"]["tls"] == ["8BITMIME"]
         else f"capabilities {p['capabilities']}")
    # --timeout bounds every wait, but a phase named on its own keeps its bound.
    case("hostile-greeting-timeout-beats-timeout", h("slowgreet", "--timeout", "1", "--greeting-timeout", "10"), 0,
         has=("SLOW_GREETING",), lacks=("TIMEOUT",))


DNS = ["--resolver", "127.0.0.53@5300", "--trust-anchor", "none"]


def dcase(name, domains, exit, check=None, extra=(), has=(), lacks=()):
    """mailtls check DOMAIN... --json against the lab's NSD; has/lacks are domain findings."""
    if args.k and args.k not in name:
        return
    got_json = run_json(name, ["check", "--json", "--ca-file", CA] + DNS + list(extra) + list(domains))
    if got_json is None:
        return
    rc, j = got_json
    problems = []
    if rc != exit:
        problems.append(f"exit {rc}, expected {exit}")
    if len(j.get("domains", [])) != len(domains):
        problems.append(f"{len(j.get('domains', []))} domain records for {len(domains)} domains")
    d = j["domains"][0] if j.get("domains") else {"findings": [], "probes": [], "mx": []}
    got = [f["code"] for f in d["findings"]]
    problems += [f"missing {c}" for c in has if c not in got]
    problems += [f"unexpected {c}" for c in lacks if c in got]
    if check and not problems:
        try:
            why = check(d, j)
        except Exception as ex:
            why = f"check raised {ex!r}"
        if why:
            problems.append(why)
    report(name, not problems, "; ".join(problems) + f"  findings={got}")


def probes_at(d):
    return {(p["mx"], p["address"]): p for p in d["probes"]}


def shared_connects():
    """Sessions the 127.0.0.27 listener ("shared" in the log) has seen so far."""
    try:
        with open(os.path.join(LAB, "postfix/maillog")) as f:
            return sum(1 for line in f if "shared postfix/smtpd" in line and ": connect from" in line)
    except OSError:
        return 0


def shared_disconnects():
    """The 127.0.0.27 listener's disconnect lines so far (what each session said)."""
    try:
        with open(os.path.join(LAB, "postfix/maillog")) as f:
            return [line for line in f if "shared postfix/smtpd" in line and ": disconnect from" in line]
    except OSError:
        return []


def domain_cases():
    def prio(d, j):
        if [(m["host"], m["preference"]) for m in d["mx"]] != [("ec.mail.test", 10), ("good.mail.test", 10), ("expired.mail.test", 20)]:
            return f"mx order {d['mx']}"
        ps = probes_at(d)
        if set(ps) != {("ec.mail.test", "127.0.0.25"), ("good.mail.test", "127.0.0.10"), ("good.mail.test", "::1"), ("expired.mail.test", "127.0.0.11")}:
            return f"probes {sorted(ps)}"
        if "CERT_EXPIRED" not in codes(ps[("expired.mail.test", "127.0.0.11")]):
            return "expired backup not reported"
        if any(p["domain"] != "prio.dom.test" for p in d["probes"]):
            return "probes do not name their domain"
        if d["status"] != "crit" or "backup MX expired.mail.test" not in find(d, "MX_PARTIAL")[0]["message"]:
            return "partial finding does not name the backup"
    dcase("dom-priorities-backup-broken", ["prio.dom.test"], 2, prio, has=("MX_PARTIAL",))

    def multi(d, j):
        ps = probes_at(d)
        if sorted(d["mx"][0]["addresses"]) != ["127.0.0.10", "127.0.0.9", "::1"]:
            return f"addresses {d['mx'][0]['addresses']}"
        bad = [a for (_, a), p in ps.items() if p["status"] != "ok"]
        if bad != ["127.0.0.9"] or "CONNECT_FAILED" not in codes(ps[("multi.good.mail.test", "127.0.0.9")]):
            return f"broken addresses {bad}"
    dcase("dom-one-address-of-three-down", ["multi.dom.test"], 2, multi)
    dcase("dom-ipv4-only", ["multi.dom.test"], 2,
          lambda d, j: None if sorted(p["address"] for p in d["probes"]) == ["127.0.0.10", "127.0.0.9"] else "IPv6 probed with -4",
          extra=["-4"])
    dcase("dom-null-mx", ["nullmx.dom.test"], 0,
          lambda d, j: None if d["probes"] == [] and d["status"] == "ok" else "null MX probed", has=("MX_NULL",))
    dcase("dom-implicit-mx", ["good.mail.test"], 0,
          lambda d, j: None if d["mx"][0]["implicit"] and len(d["probes"]) == 2 else d["mx"], has=("MX_IMPLICIT",))
    dcase("dom-nxdomain", ["nonexistent.dom.test"], 2, has=("DNS_NXDOMAIN",),
          lacks=("MX_IMPLICIT", "SPF_MISSING", "MTASTS_NO_TXT"))
    dcase("dom-mx-cname", ["cname.dom.test"], 2,
          lambda d, j: None if d["mx"][0]["cname"] == "good.mail.test" else d["mx"], has=("MX_CNAME",))
    dcase("dom-mx-ip-literal", ["iplit.dom.test"], 2,
          lambda d, j: None if d["probes"][0]["address"] == "127.0.0.10" else d["probes"], has=("MX_IP_LITERAL",))
    dcase("dom-backup-down", ["backupdown.dom.test"], 2,
          lambda d, j: None if "down.mail.test" in find(d, "MX_PARTIAL")[0]["message"] else "backup not named",
          has=("MX_PARTIAL",))
    dcase("dom-only-ipv6-broken", ["v6.dom.test"], 2,
          lambda d, j: None if "only IPv6" in find(d, "MX_PARTIAL")[0]["message"] else "IPv6 not named",
          has=("MX_PARTIAL",))
    dcase("dom-no-address", ["emptymx.dom.test"], 2, has=("MX_NO_ADDRESS", "MX_IMPLICIT"))
    dcase("dom-all-bad-not-partial", ["allbad.dom.test"], 2, lacks=("MX_PARTIAL",),
          check=lambda d, j: None if d["status"] == "crit" else d["status"])
    dcase("dom-invalid-name-still-a-record", ["bad_name!"], 2, has=("DNS_FAILED",))
    # A name in other scripts is asked by its A-label, and shown as both.
    dcase("dom-idn-asked-by-a-label", ["b\u00fccher.dom.test"], 0,
          lambda d, j: None if (d["domain"], d.get("unicode"), d["status"], d["probes"][0]["host"]) ==
          ("xn--bcher-kva.dom.test", "b\u00fccher.dom.test", "ok", "good.mail.test") else
          (d["domain"], d.get("unicode"), d["status"]))
    if selected("dom-idn-text-and-no-script"):
        rc, out, err = run(["check", "--ca-file", CA] + DNS + ["b\u00fccher.dom.test", "xn--bcher-kva.dom.test"])
        rc2, out2, err2 = run(["check", "--json", "--ca-file", CA] + DNS + ["i\u2665.dom.test"])
        j2 = json.loads(out2) if out2.startswith("{") else {}
        f2 = j2.get("domains", [{}])[0].get("findings", [])
        report("dom-idn-text-and-no-script",
               rc == 0 and out.count("xn--bcher-kva.dom.test [b\u00fccher.dom.test]") == 2 and
               rc2 == 2 and any(x["code"] == "DNS_FAILED" and "not a domain name in any script (IDNA: " in x["message"]
                                for x in f2),
               f"exit {rc}/{rc2}: {out[:300]!r} {f2}")
    if selected("dom-silent-nameserver"):
        rc, out, err = run(["check", "--json", "--resolver", "127.0.0.54@5300", "--trust-anchor", "none",
                            "--timeout", "1.5", "silent.dom.test"])
        j = json.loads(out) if out.startswith("{") else {}
        f = j.get("domains", [{}])[0].get("findings", [])
        report("dom-silent-nameserver", rc == 2 and any(x["code"] == "DNS_FAILED" and "no answer" in x["message"] for x in f), f"{rc} {f}")

    # Fifty domains behind one MX: one connection, fifty records that share its result.
    if selected("dom-shared-mx-connected-once"):
        before = shared_connects()
        names = [f"s{i}.dom.test" for i in range(1, 51)]
        # Four worker threads: the probe is still made once, on one of them, and shared.
        rc, out, err = run(["check", "--json", "--workers", "4", "--ca-file", CA] + DNS + names)
        j = json.loads(out)
        # Postfix writes its log asynchronously (postlogd); wait for the line, bounded.
        deadline = time.time() + 5
        while shared_connects() == before and time.time() < deadline:
            time.sleep(0.05)
        conns = shared_connects() - before
        recs = j["domains"]
        ok = (rc == 0 and len(recs) == 50 and all(len(d["probes"]) == 1 and d["probes"][0]["address"] == "127.0.0.27" for d in recs)
              and sorted(d["domain"] for d in recs) == sorted(names))
        report("dom-shared-mx-connected-once", ok and conns == 1,
               f"exit {rc}, {len(recs)} records, connections {conns}")

    # A bulk run closes once QUIT has left, without waiting for the 221: the server must
    # still have read the QUIT (Postfix counts it: quit=1), never "lost connection".
    if selected("dom-bulk-quit-reaches-the-server"):
        before = len(shared_disconnects())
        rc, out, err = run(["check", "--jsonl", "--ca-file", CA] + DNS + ["s1.dom.test", "s2.dom.test"])
        deadline = time.time() + 5
        while len(shared_disconnects()) == before and time.time() < deadline:
            time.sleep(0.05)
        new = shared_disconnects()[before:]
        report("dom-bulk-quit-reaches-the-server", rc == 0 and len(new) == 1 and "ehlo=2 starttls=1 quit=1" in new[0],
               f"exit {rc}, {new}")

    # --jsonl: one line per input domain, whatever became of it; -f with comments.
    if selected("dom-jsonl-one-line-per-domain dom-stdin"):
        lst = os.path.join(LAB, "domains.txt")
        names = ["prio.dom.test", "nullmx.dom.test", "nonexistent.dom.test", "bad_name!", "good.mail.test", "s7.dom.test"]
        with open(lst, "w") as f:
            f.write("# lab domains\n\n" + "\n".join(n + ("   # trailing comment" if i == 1 else "") for i, n in enumerate(names)) + "\n")
        rc, out, err = run(["check", "--jsonl", "--ca-file", CA] + DNS + ["-f", lst])
        lines = [json.loads(l) for l in out.splitlines()]
        report("dom-jsonl-one-line-per-domain", rc == 2 and sorted(l["domain"] for l in lines) == sorted(names)
               and all("status" in l and "probes" in l for l in lines), f"exit {rc}: {[l.get('domain') for l in lines]}")
        p = subprocess.run([BIN, "check", "--jsonl", "-f", "-", "--ca-file", CA] + DNS, input="nullmx.dom.test\ngood.mail.test\n",
                           capture_output=True, text=True, timeout=60)
        got = sorted(json.loads(l)["domain"] for l in p.stdout.splitlines())
        report("dom-stdin", p.returncode == 0 and got == ["good.mail.test", "nullmx.dom.test"], f"exit {p.returncode} {got}")

    # On a terminal, a progress line on stderr; util-linux script(1) provides the terminal.
    if selected("dom-progress-line-on-a-tty") and shutil.which("script"):
        cmd = " ".join([BIN, "check", "--resolver", "127.0.0.54@5300", "--trust-anchor", "none",
                        "--timeout", "1.2", "a.test", "b.test"])
        p = subprocess.run(["script", "-qc", cmd, "/dev/null"], capture_output=True, text=True, timeout=60,
                           env=sanitizer_env())
        report("dom-progress-line-on-a-tty", re.search(r"[\r\n]\d/2 domains, \d+/s, \d+ failing, \d+ inconclusive, \d+ domains and \d+ connections in flight", p.stdout) is not None,
               f"no progress line in {p.stdout[:300]!r}")
        rc, out, err = run(["check", "--resolver", "127.0.0.54@5300", "--trust-anchor", "none", "--timeout", "1.2", "a.test"])
        report("dom-no-progress-line-without-tty", "domains," not in err, f"stderr {err[:200]!r}")

    # Ctrl-C: what is done is printed, the run says how much was left, and it still frees
    # everything it held (LeakSanitizer is on).
    if selected("dom-interrupt-says-what-was-left"):
        p = subprocess.Popen([BIN, "check", "--jsonl", "--resolver", "127.0.0.54@5300", "--trust-anchor", "none",
                              "--timeout", "30", "a.test", "b.test", "c.test"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=sanitizer_env())
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        report("dom-interrupt-says-what-was-left", p.returncode == 3 and "3 in flight dropped" in err and out == "",
               f"exit {p.returncode} {err[-600:]!r}")
    # The same with six workers, each resolving on its own context: every query, wherever
    # it was (with libunbound, queued on a worker, answered and on its way back), ends once.
    if selected("dom-interrupt-spread-resolvers"):
        names = [f"{c}.test" for c in "abcdefghijkl"]
        p = subprocess.Popen([BIN, "check", "--jsonl", "--workers", "6", "--resolver", "127.0.0.54@5300",
                              "--trust-anchor", "none", "--timeout", "30"] + names, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=sanitizer_env())
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        report("dom-interrupt-spread-resolvers", p.returncode == 3 and "12 in flight dropped" in err and out == ""
               and "Sanitizer" not in err, f"exit {p.returncode} {err[-600:]!r}")

    # A run whose loops fall a second behind says that its timeouts may be its own: here
    # the process is stopped for 1.5 s (as a machine with too few CPUs would hold it); the
    # same run left alone says nothing of it.
    if selected("dom-machine-fell-behind-said"):
        argv = [BIN, "check", "--jsonl", "--resolver", "127.0.0.54@5300", "--trust-anchor", "none",
                "--timeout", "3", "a.test", "b.test"]
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=sanitizer_env())
        time.sleep(0.5)
        p.send_signal(signal.SIGSTOP)
        time.sleep(1.5)
        p.send_signal(signal.SIGCONT)
        out, err = p.communicate(timeout=30)
        m = re.search(r"this machine fell behind: its event loops ran up to (\d+\.\d) s late, so timeouts "
                      r"and SERVFAIL answers in this run may be its own", err)
        late = float(m.group(1)) if m else 0
        q = subprocess.run(argv, capture_output=True, text=True, env=sanitizer_env(), timeout=30)
        report("dom-machine-fell-behind-said", m is not None and 1.0 <= late <= 3.0 and len(out.splitlines()) == 2
               and "fell behind" not in q.stderr and len(q.stdout.splitlines()) == 2,
               f"stopped: {err[-300:]!r} {len(out.splitlines())} lines; left alone: {q.stderr[-300:]!r}")


def cli_case(name, argv, exit, out_re=None, err_re=None, env=None):
    if args.k and args.k not in name:
        return
    rc, out, err = run(argv, env)
    problems = []
    if rc != exit:
        problems.append(f"exit {rc}, expected {exit}")
    if out_re and not re.search(out_re, out, re.M):
        problems.append(f"stdout lacks /{out_re}/: {out[:300]!r}")
    if err_re and not re.search(err_re, err, re.M):
        problems.append(f"stderr lacks /{err_re}/: {err[:300]!r}")
    report(name, not problems, "; ".join(problems))


def cli_cases():
    cli_case("cli-nothing-to-check", ["check"], 3, err_re=r"name a DOMAIN, -f FILE, or --host HOST")
    cli_case("cli-bad-timeout", ["check", "--host", "x.test", "--timeout", "soon"], 3,
             err_re=r"--timeout: \"soon\" is not a number of seconds")
    cli_case("cli-bad-date", ["check", "--host", "x.test", "--at", "someday"], 3, err_re=r"--at: \"someday\" is not a date")
    cli_case("cli-all-errors-reported", ["check", "--host", "x.test", "--timeout", "0", "--port", "99999"], 3,
             err_re=r"(?s)--port.*--timeout|--timeout.*--port")
    cli_case("cli-unknown-option", ["check", "--frobnicate"], 3, err_re=r"unknown option --frobnicate")
    cli_case("cli-bad-address", ["check", "--host", "x.test", "--address", "not-an-ip"], 3, err_re=r"not an IPv4 or IPv6")
    cli_case("cli-help", ["check", "--help"], 0, out_re=r"--ca-file FILE")
    cli_case("cli-missing-trust-anchor", ["check", "x.test", "--trust-anchor", "/nonexistent/anchor"], 3,
             err_re=r"--trust-anchor /nonexistent/anchor: No such file")
    cli_case("cli-bad-resolver", ["check", "x.test", "--resolver", "dns.example"], 3,
             err_re=r"--resolver: \"dns.example\" is not an IP address")
    cli_case("cli-host-and-domains", ["check", "x.test", "--host", "mx.test"], 3, err_re=r"--host checks one server")
    cli_case("cli-top-help", ["--help"], 0, out_re=r"^  check ")
    cli_case("cli-unknown-command", ["frob"], 3, err_re=r"unknown command")
    cli_case("cli-dns-failure-is-a-result", ["check", "--host", "nonexistent.invalid", "--json"], 2,
             out_re=r'"code": "DNS_FAILED"')
    # Text view: verdict first, no colour when piped.
    cli_case("text-verdict-first", ["check", "--ca-file", CA] + lab("expired.mail.test", "127.0.0.11"), 2,
             out_re=r"\ACRITICAL expired\.mail\.test 127\.0\.0\.11:25")
    rc, out, _ = run(["check", "--ca-file", CA] + lab("good.mail.test", "127.0.0.10"))
    report("text-no-colour-on-pipe", rc == 0 and "\033[" not in out and out.startswith("OK"), out[:200])
    # --pem prints what openssl x509 reads back, with the fingerprint the JSON reports.
    rc, out, _ = run(["check", "--ca-file", CA, "--pem"] + lab("good.mail.test", "127.0.0.10"))
    pem = out[out.find("-----BEGIN CERTIFICATE-----"):]
    fp = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256"], input=pem,
                        capture_output=True, text=True).stdout.strip().split("=", 1)[-1]
    report("pem-readable-by-openssl", rc == 0 and fp == openssl_fp(os.path.join(PKI, "good.crt")), f"fp {fp}")


DS = os.path.join(LAB, "nsd", "dane.test.ds")


def pcase(name, domain, exit, has=(), lacks=(), check=None, extra=(), probe_has=(), anchor=True):
    """A domain's policies (DANE, MTA-STS, TLS-RPT, SPF, DMARC, DKIM) against the lab."""
    if not selected(name):
        return
    ta = ["--trust-anchor", DS] if anchor else ["--trust-anchor", "none"]
    got_json = run_json(name, ["check", "--json", "--ca-file", CA, "--resolver", "127.0.0.53@5300"] + ta
                        + list(extra) + [domain])
    if got_json is None:
        return
    rc, j = got_json
    if not j.get("domains"):
        report(name, False, f"no domain record (exit {rc})")
        return
    d = j["domains"][0]
    got = [f["code"] for f in d["findings"]]
    pgot = [c for p in d["probes"] for c in codes(p)]
    problems = [] if rc == exit else [f"exit {rc}, expected {exit}"]
    problems += [f"missing {c}" for c in has if c not in got]
    problems += [f"unexpected {c}" for c in lacks if c in got or c in pgot]
    problems += [f"probe lacks {c}" for c in probe_has if c not in pgot]
    if check and not problems:
        try:
            why = check(d)
        except Exception as ex:
            why = f"check raised {ex!r}"
        if why:
            problems.append(why)
    report(name, not problems, "; ".join(problems) + f"  domain={got} probes={pgot}")


def pfind(d, code):
    return [f for p in d["probes"] for f in p["findings"] if f["code"] == code]


def dane_cases():
    dane_only = ["--no-mta-sts", "--no-dns-records"]
    pcase("dane-ee-valid-next-key-published", "ee.dane.test", 0, probe_has=("DANE_VALID",),
          lacks=("DANE_ROLLOVER_RISK", "DANE_NOT_DNSSEC"),
          extra=dane_only,
          check=lambda d: None if d["dnssec"] == "secure" and d["probes"][0]["dane"]["state"] == "secure"
          and d["probes"][0]["dane"]["matched_usage"] == 3 and d["dane"]["published"]
          and len(d["dane"]["mx"][0]["tlsa"]["records"]) == 3 else f"dnssec {d['dnssec']} dane {d['probes'][0]['dane']} {d['dane']}")
    pcase("dane-ta-via-intermediate", "ta.dane.test", 0, probe_has=("DANE_VALID",), lacks=("DANE_ROLLOVER_RISK",),
          extra=dane_only,
          check=lambda d: None if "2 of 2 usable records match" in pfind(d, "DANE_VALID")[0]["message"] else pfind(d, "DANE_VALID"))
    pcase("dane-no-match", "nomatch.dane.test", 2, probe_has=("DANE_NO_MATCH",), lacks=("DANE_VALID",), extra=dane_only)
    pcase("dane-rollover-risk", "single.dane.test", 1, probe_has=("DANE_VALID", "DANE_ROLLOVER_RISK"), extra=dane_only)
    pcase("dane-usage-1-unusable", "pkix.dane.test", 1, probe_has=("DANE_UNUSABLE_RECORD", "DANE_VALID"), extra=dane_only,
          check=lambda d: None if "PKIX-EE(1)" in pfind(d, "DANE_UNUSABLE_RECORD")[0]["message"] else "usage not named")
    pcase("dane-bogus-tlsa", "bogus.dane.test", 2, probe_has=("DANE_BOGUS",), lacks=("DANE_VALID",), extra=dane_only)
    pcase("dane-secure-without-tlsa", "notlsa.dane.test", 0,
          lacks=("DANE_VALID", "DANE_NO_MATCH", "DANE_BOGUS", "DANE_NOT_DNSSEC"),
          extra=dane_only, check=lambda d: None if d["probes"][0]["dane"]["state"] == "none" else d["probes"][0]["dane"])
    # RFC 7672 3.1.1: a DANE-EE match makes a self-signed certificate fine for mail.
    pcase("dane-ee-self-signed-is-fine-for-mail", "selfee.dane.test", 0, probe_has=("DANE_VALID", "CERT_SELF_SIGNED"),
          extra=dane_only,
          check=lambda d: None if d["status"] == "ok" and pfind(d, "CERT_SELF_SIGNED")[0]["severity"] == "info"
          and "DANE-EE" in pfind(d, "CERT_SELF_SIGNED")[0]["message"] else f"status {d['status']}")
    pcase("dane-tlsa-in-unsigned-zone", "good.mail.test", 0, probe_has=("DANE_NOT_DNSSEC",), lacks=("DANE_VALID",),
          has=("DANE_NOT_DNSSEC",),
          extra=dane_only, check=lambda d: None if d["dnssec"] == "insecure" else d["dnssec"])
    pcase("dane-off", "ee.dane.test", 0, lacks=("DANE_VALID",), extra=dane_only + ["--no-dane"],
          check=lambda d: None if d["probes"][0]["dane"] is None else "TLSA looked up with --no-dane")
    pcase("tlsrpt-missing-warns-with-dane", "ta.dane.test", 1, has=("TLSRPT_MISSING",), extra=["--no-dns-records"],
          check=lambda d: None if find(d, "TLSRPT_MISSING")[0]["severity"] == "warn" else find(d, "TLSRPT_MISSING"))


def sts_cases():
    sts = ["--no-dane"]
    pcase("sts-enforce-valid", "enforce.sts.test", 0, has=("MTASTS_VALID", "TLSRPT_OK", "SPF_OK", "DMARC_OK", "DKIM_OK"),
          extra=sts + ["--dkim-selector", "sel1"], anchor=False,
          check=lambda d: None if d["mta_sts"]["policy"]["mode"] == "enforce" and d["spf"]["all"] == "-"
          and d["dmarc"]["p"] == "reject" and d["dkim"][0]["bits"] == 2048 and d["tls_rpt"]["rua"].startswith("mailto:")
          else f"{d.get('mta_sts')} {d.get('spf')} {d.get('dmarc')} {d.get('dkim')}")
    pcase("sts-testing-and-broken-records", "testing.sts.test", 1,
          has=("MTASTS_TESTING", "MTASTS_VALID", "TLSRPT_INVALID", "SPF_MULTIPLE", "DMARC_INVALID", "DKIM_OK"),
          extra=sts + ["--dkim-selector", "sel1"], anchor=False,
          check=lambda d: None if d["dkim"][0]["bits"] == 1024 and "RFC 8301" in find(d, "DKIM_OK")[0]["message"]
          and "mode testing" in find(d, "MTASTS_VALID")[0]["message"] else d["dkim"])
    pcase("sts-mx-not-covered", "notcovered.sts.test", 2, has=("MTASTS_MX_NOT_COVERED",), extra=sts, anchor=False)
    pcase("sts-cert-invalid-in-enforce", "certinvalid.sts.test", 2, has=("MTASTS_CERT_INVALID",), extra=sts, anchor=False,
          check=lambda d: None if find(d, "MTASTS_CERT_INVALID")[0]["severity"] == "crit" else "not crit")
    pcase("sts-wildcard-mx-pattern", "wildmx.sts.test", 2, has=("MTASTS_CERT_INVALID",), lacks=("MTASTS_MX_NOT_COVERED",),
          extra=sts, anchor=False,
          check=lambda d: None if len(find(d, "MTASTS_CERT_INVALID")) == 1 and "127.0.0.9" in find(d, "MTASTS_CERT_INVALID")[0]["message"]
          else find(d, "MTASTS_CERT_INVALID"))
    for case_name, domain, needle in (("sts-redirect-not-followed", "redirect.sts.test", "30"),
                                      ("sts-404", "notfound.sts.test", "404"),
                                      ("sts-policy-over-64k", "big.sts.test", "larger than"),
                                      ("sts-wrong-media-type", "badtype.sts.test", "media type"),
                                      ("sts-policy-host-bad-certificate", "badcert.sts.test", "SSL")):
        pcase(case_name, domain, 1, has=("MTASTS_POLICY_FETCH_FAILED",), lacks=("MTASTS_VALID",), extra=sts, anchor=False,
              check=lambda d, n=needle: None if n in find(d, "MTASTS_POLICY_FETCH_FAILED")[0]["message"] else find(d, "MTASTS_POLICY_FETCH_FAILED"))
    pcase("sts-malformed-policy", "malformed.sts.test", 1, has=("MTASTS_POLICY_INVALID",), extra=sts, anchor=False)
    # A valid policy but for one NUL byte at offset 16: not text, so no policy; the reader
    # must stop at the NUL and never read past the body it was given.
    pcase("sts-policy-nul-byte", "nul.sts.test", 1, has=("MTASTS_POLICY_INVALID",), lacks=("MTASTS_VALID",),
          extra=sts, anchor=False, check=message("MTASTS_POLICY_INVALID", "NUL byte at offset 16"))
    pcase("sts-none-published", "nosts.sts.test", 1, has=("MTASTS_NO_TXT", "TLSRPT_MISSING", "SPF_MISSING", "DMARC_MISSING", "DKIM_MISSING"),
          extra=sts + ["--dkim-selector", "sel1"], anchor=False)
    pcase("sts-bad-txt-id", "badtxt.sts.test", 1, has=("MTASTS_TXT_INVALID",), extra=sts, anchor=False)
    pcase("sts-two-txt-records", "twotxt.sts.test", 1, has=("MTASTS_TXT_INVALID",), extra=sts, anchor=False,
          check=lambda d: None if "2 v=STSv1 records" in find(d, "MTASTS_TXT_INVALID")[0]["message"] else "count not said")
    pcase("sts-off", "enforce.sts.test", 0, lacks=("MTASTS_VALID", "TLSRPT_OK"), extra=sts + ["--no-mta-sts"], anchor=False,
          check=lambda d: None if "mta_sts" not in d else "mta_sts looked up with --no-mta-sts")


def peer(tool, name, addr):
    """The verdict of posttls-finger or openssl s_client on a lab listener, as one word."""
    host = f"{name}.mail.test"
    if tool == "posttls-finger":
        out = subprocess.run(["posttls-finger", "-c", "-l", "secure", "-F", CA, "-s", host, f"[{addr}]:25", host],
                             capture_output=True, text=True, timeout=30).stdout
        m = re.search(r"(Verified|Trusted|Untrusted|Anonymous) TLS connection", out)
        return m.group(1) if m else "none"
    out = subprocess.run(["openssl", "s_client", "-starttls", "smtp", "-connect", f"{addr}:25", "-servername", host,
                          "-verify_hostname", host, "-CAfile", CA], input="", capture_output=True, text=True,
                         timeout=30).stdout
    m = re.search(r"Verify return code: (\d+)", out)
    return m.group(1) if m else "none"


def peer_case(name, lab_case, addr, peers, code, why):
    """Where a peer tool and mailtls disagree: assert both verdicts, so a change on either side shows.
    why: who is right, and by which rule."""
    if not selected(name):
        return
    got = {t: peer(t, lab_case, addr) for t in peers}
    rc, out, _ = run(["check", "--json", "--ca-file", CA, "--host", f"{lab_case}.mail.test", "--address", addr])
    mine = codes(json.loads(out)["probes"][0])
    ok = got == peers and code in mine
    report(name, ok, f"peers {got} (expected {peers}); mailtls {mine}; {why}")


def peer_cases():
    # RFC 9525 6.3 drops the CN-ID: a name only in the CN is not a reference identity.
    # Both peers accept it silently; mailtls accepts the name but warns, since stricter
    # clients (and the RFC) refuse it.
    peer_case("peer-cn-only-accepted-silently-by-peers", "cnonly", "127.0.0.21",
              {"posttls-finger": "Verified", "s_client": "0"}, "CERT_CN_ONLY", "RFC 9525 6.3")
    # posttls-finger lowers OpenSSL's security level and calls a 1024-bit key Verified;
    # s_client at Debian's level 2 fails with error 66. mailtls names the fault (and still
    # reports that the chain and name are fine): the key is below NIST's 112-bit floor.
    peer_case("peer-rsa1024-verified-by-posttls-finger", "rsa1024", "127.0.0.19",
              {"posttls-finger": "Verified", "s_client": "66"}, "CERT_WEAK_KEY", "SP 800-57: RSA < 2048 is < 112 bits")
    # Both peers build the path whatever the order; RFC 5246 7.4.2 requires each certificate
    # to certify the one before it (RFC 8446 4.4.2 relaxes it), so mailtls warns.
    peer_case("peer-chain-order-ignored-by-peers", "order", "127.0.0.18",
              {"posttls-finger": "Verified", "s_client": "0"}, "CERT_CHAIN_ORDER", "RFC 5246 7.4.2")
    # Agreement: SHA-1 below the anchor is rejected by both peers (error 68); mailtls says which certificate.
    peer_case("peer-sha1-agreed", "sha1", "127.0.0.22",
              {"posttls-finger": "Untrusted", "s_client": "68"}, "CERT_WEAK_SIGNATURE", "agreement")


def docs_cases():
    """The option table, --help and the man page must name the same options."""
    rc, out, _ = run(["check", "--help"])
    helped = set(re.findall(r"--([a-z0-9-]+)", out))
    man = open(os.path.join(ROOT, "docs/mailtls.1")).read().replace("\\-", "-")
    manned = set(re.findall(r"--([a-z0-9-]+)", man))
    missing = sorted(o for o in helped if o not in manned)
    report("docs-man-page-lists-every-option", not missing, f"not in docs/mailtls.1: {missing}")
    codes_out = run(["findings"])[1]
    table = re.findall(r"^([A-Z_]+)\s", codes_out, re.M)
    schema = open(os.path.join(ROOT, "docs/json.md")).read()
    missing = [c for c in table if c not in man or c not in schema]
    report("docs-list-every-finding", table and not missing, f"codes missing from docs: {missing}")


NAGIOS_STATUS = re.compile(r"^MAILTLS (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+( \| (.*))?$")
NAGIOS_PERF = re.compile(r"'(?:[^']|'')+'=-?[0-9]+(?:\.[0-9]+)?(?:s|%|B|KB|MB|TB|c)?(?:;[0-9.:~@-]*){0,4}")


def nagios_check(out, rc):
    """Why out is not plugin output by the monitoring-plugins guidelines, or None."""
    lines = out.splitlines()
    if not lines:
        return "no output"
    m = NAGIOS_STATUS.match(lines[0])
    if not m:
        return f"status line {lines[0][:200]!r}"
    if ["OK", "WARNING", "CRITICAL", "UNKNOWN"].index(m.group(1)) != rc:
        return f"status {m.group(1)} but exit {rc}"
    perf = m.group(3) or ""
    rest = NAGIOS_PERF.sub("", perf).strip()
    if rest:
        return f"perfdata not in the guidelines' grammar: {rest[:120]!r}"
    if any("|" in l for l in lines[1:]):
        return "a '|' in the long output"
    return None


def nagios_cases():
    """--nagios on every kind of lab server: the guidelines' grammar, and the same verdict
    as --json; an Icinga 2 configuration of docs/ that icinga2 itself accepts."""
    targets = [("good.mail.test", "127.0.0.10", 25), ("good.mail.test", "127.0.0.10", 465),
               ("expired.mail.test", "127.0.0.11", 25), ("soon.mail.test", "127.0.0.13", 25),
               ("selfsigned.mail.test", "127.0.0.14", 25), ("wrongname.mail.test", "127.0.0.15", 25),
               ("noint.mail.test", "127.0.0.17", 25), ("order.mail.test", "127.0.0.18", 25),
               ("rsa1024.mail.test", "127.0.0.19", 25), ("cnonly.mail.test", "127.0.0.21", 25),
               ("untrusted.mail.test", "127.0.0.23", 25), ("notls.mail.test", "127.0.0.26", 25),
               ("down.mail.test", "127.0.0.9", 25), ("good.mail.test", "127.0.0.40", 993),
               ("good.mail.test", "127.0.0.40", 110)]
    if selected("nagios-every-lab-server"):
        problems = []
        for host, addr, port in targets:
            argv = ["check", "--ca-file", CA] + lab(host, addr, port)
            rc, out, err = run(argv + ["--nagios"])
            jrc, _, _ = run(argv + ["--json"])
            why = nagios_check(out, rc)
            if why or rc != jrc:
                problems.append(f"{host} {addr}:{port}: {why or f'exit {rc}, --json exit {jrc}'}")
        report("nagios-every-lab-server", not problems, "; ".join(problems))
    if selected("nagios-domain-names-the-worst-probe"):
        rc, out, _ = run(["check", "--nagios", "--ca-file", CA] + DNS + ["prio.dom.test"])
        why = nagios_check(out, rc) or (None if rc == 2 and out.startswith(
            "MAILTLS CRITICAL - expired.mail.test [127.0.0.11]:25: certificate") else f"exit {rc}: {out[:300]!r}")
        report("nagios-domain-names-the-worst-probe", why is None, why or "")
    if selected("nagios-bad-arguments-unknown"):
        rc, out, err = run(["check", "--nagios", "--warn-days", "soon", "x.test"])
        report("nagios-bad-arguments-unknown", rc == 3 and out.startswith("MAILTLS UNKNOWN - ") and "--warn-days" in err,
               f"exit {rc} out {out!r} err {err!r}")
    if selected("nagios-icinga2-accepts-the-docs"):
        # icinga2 drops to its own user before it reads a file, and that user may not
        # traverse the clone (a fresh root's /root is 0700): hand it copies it can read.
        tmp = tempfile.mkdtemp(prefix="mailtls-icinga2-")
        os.chmod(tmp, 0o755)
        shutil.copy(os.path.join(ROOT, "docs/monitoring/icinga2-mailtls.conf"), tmp)
        conf = os.path.join(tmp, "validate.conf")
        with open(conf, "w") as f:
            f.write('include <itl>\ninclude "icinga2-mailtls.conf"\n')
            f.write('object Host "mx.example.test" {\n  address = "192.0.2.25"\n  check_command = "dummy"\n'
                    '  vars.mailtls_domain = "example.test"\n  vars.imap = true\n}\n')
        for name in os.listdir(tmp):
            os.chmod(os.path.join(tmp, name), 0o644)
        p = subprocess.run(["icinga2", "daemon", "-C", "-c", conf], capture_output=True, text=True)
        shutil.rmtree(tmp, ignore_errors=True)
        ok = p.returncode == 0 and "Instantiated 2 Services" in p.stdout
        report("nagios-icinga2-accepts-the-docs", ok, (p.stdout + p.stderr)[-600:])


EXPORTER = "127.0.0.1:9586"
PROMETHEUS = "127.0.0.1:9587"


def http_get(url, headers=None, timeout=30):
    """(status, body) of a GET; errors are statuses too."""
    import urllib.error
    import urllib.request
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, OSError) as e:
        return 0, str(e)


def prom_value(text, name, **labels):
    """The value of the first sample of name whose labels include labels, or None."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def serve_cases(modes):
    """mailtls serve against the lab: metrics kept when verification fails, the cache, one
    check for concurrent scrapes of a target, bounds and errors, a clean SIGTERM under
    LeakSanitizer, and a real Prometheus scraping it with the docs' rules."""
    if not selected("serve"):
        return
    mods = os.path.join(LAB, "serve-modules.yml")
    with open(mods, "w") as f:
        f.write("modules:\n  quick:\n    protocol: smtp\n    timeout: 1\n")
    bad = os.path.join(LAB, "serve-modules-bad.yml")
    with open(bad, "w") as f:
        f.write("modules:\n  quick:\n    protocol: smtp\n    timout: 1\n")
    p = subprocess.run([BIN, "serve", "--listen", EXPORTER, "--modules", bad], capture_output=True, text=True,
                       env=sanitizer_env(), timeout=20)
    report("serve-bad-modules-file-refused", p.returncode == 3 and "line 4: module quick: unknown setting \"timout\"" in p.stderr
           and "listening" not in p.stderr, f"exit {p.returncode} {p.stderr!r}")
    ex = subprocess.Popen([BIN, "serve", "--listen", EXPORTER, "--ca-file", CA, "--resolver", "127.0.0.53@5300",
                           "--trust-anchor", DS, "--timeout", "5", "--cache-ttl", "60", "--modules", mods],
                          stderr=subprocess.PIPE, text=True, env=sanitizer_env())
    line = ex.stderr.readline()
    if "listening" not in line:
        report("serve-starts", False, line)
        ex.kill()
        return
    base = f"http://{EXPORTER}"
    try:
        st, good = http_get(base + "/probe?host=good.mail.test&port=25")
        report("serve-probe-one-server", st == 200 and prom_value(good, "probe_success") == 1
               and prom_value(good, "mailtls_status") == 0
               and prom_value(good, "mailtls_cert_trusted", address="127.0.0.10") == 1
               and 86 * 86400 < prom_value(good, "mailtls_cert_path_expires_in_seconds", address="127.0.0.10") < 90 * 86400,
               f"{st} {good[:300]!r}")
        st, prio = http_get(base + "/probe?target=prio.dom.test")
        report("serve-expired-backup-keeps-its-certificate-metrics", st == 200
               and prom_value(prio, "mailtls_status") == 2
               and prom_value(prio, "mailtls_probe_status", mx="expired.mail.test") == 2
               and prom_value(prio, "mailtls_cert_path_expires_in_seconds", mx="expired.mail.test") < 0
               and prom_value(prio, "mailtls_finding", mx="expired.mail.test", code="CERT_EXPIRED") == 1
               and prom_value(prio, "mailtls_probe_status", mx="good.mail.test") == 0,
               prio[:400])
        st, dane = http_get(base + "/probe?target=nomatch.dane.test")
        report("serve-dane-mismatch", prom_value(dane, "mailtls_finding", code="DANE_NO_MATCH") == 1
               and prom_value(dane, "mailtls_dane_match", tlsa="secure") == 0, dane[:400])
        # A target in other scripts is checked by its A-label.
        st, idn = http_get(base + "/probe?target=b%C3%BCcher.dom.test")
        report("serve-idn-target", st == 200 and prom_value(idn, "probe_success") == 1
               and prom_value(idn, "mailtls_status") == 0, f"{st} {idn[:300]!r}")
        lint = [subprocess.run(["promtool", "check", "metrics"], input=m, capture_output=True, text=True)
                for m in (good, prio, dane, idn)]
        report("serve-promtool-accepts-the-metrics", all(p.returncode == 0 for p in lint),
               " ".join(p.stdout + p.stderr for p in lint))
        # The cache: the second scrape within --cache-ttl makes no second check.
        _, m1 = http_get(base + "/metrics")
        http_get(base + "/probe?host=good.mail.test&port=25")
        _, m2 = http_get(base + "/metrics")
        report("serve-cache", prom_value(m2, "mailtls_exporter_probes_total") == prom_value(m1, "mailtls_exporter_probes_total")
               and prom_value(m2, "mailtls_exporter_cache_hits_total") == prom_value(m1, "mailtls_exporter_cache_hits_total") + 1,
               f"{m1!r} {m2!r}")
        # Three scrapes of a target being checked (a greeting 3 s late): one check.
        import threading
        url = base + f"/probe?host={HOSTILE_ADDR}:{modes['slowgreet']}"
        got = []
        ts = [threading.Thread(target=lambda: got.append(http_get(url))) for _ in range(3)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        _, m3 = http_get(base + "/metrics")
        report("serve-concurrent-scrapes-one-check", len(got) == 3 and all(s == 200 and "SLOW_GREETING" not in b
               and prom_value(b, "mailtls_phase_seconds", phase="greeting") > 2.5 for s, b in got)
               and prom_value(m3, "mailtls_exporter_probes_total") == prom_value(m2, "mailtls_exporter_probes_total") + 1
               and prom_value(m3, "mailtls_exporter_joined_total") == 2, f"{[s for s, _ in got]} {m3!r}")
        # A module of the file: every wait 1 s, so a greeting 3 s late is a timeout.
        t0 = time.time()
        st, quick = http_get(base + f"/probe?host={HOSTILE_ADDR}:{modes['slowgreet']}&module=quick")
        report("serve-module-from-the-file", st == 200 and time.time() - t0 < 2.5
               and prom_value(quick, "mailtls_finding", code="TIMEOUT") == 1, f"{st} {time.time() - t0:.1f} s {quick[:300]!r}")
        errs = [(base + "/probe?target=bad..name", 400), (base + "/probe?target=x.test&module=nntp", 400),
                (base + "/probe?target=caf%E9.dom.test", 400),
                (base + "/probe", 400), (base + "/nowhere", 404), (base + "/probe?target=" + "a" * 3000, 414)]
        bad = [(u[:60], s) for u, want in errs for s, _ in [http_get(u)] if s != want]
        report("serve-bad-requests", not bad, f"{bad}")
        # A real Prometheus scrapes it, with the docs' rules loaded.
        promdir = os.path.join(LAB, "prometheus")
        shutil.rmtree(promdir, ignore_errors=True)
        os.makedirs(promdir)
        with open(os.path.join(promdir, "prometheus.yml"), "w") as f:
            f.write(f"""global:
  scrape_interval: 1s
  scrape_timeout: 1s
rule_files: [{os.path.join(ROOT, "docs/prometheus/mailtls-rules.yml")}]
scrape_configs:
  - job_name: mailtls
    metrics_path: /probe
    static_configs: [{{targets: [prio.dom.test, nomatch.dane.test]}}]
    relabel_configs:
      - {{source_labels: [__address__], target_label: __param_target}}
      - {{source_labels: [__param_target], target_label: instance}}
      - {{target_label: __address__, replacement: "{EXPORTER}"}}
""")
        prom = subprocess.Popen(["prometheus", "--config.file", os.path.join(promdir, "prometheus.yml"),
                                 "--storage.tsdb.path", os.path.join(promdir, "data"), "--web.listen-address", PROMETHEUS],
                                stdout=subprocess.DEVNULL, stderr=open(os.path.join(promdir, "log"), "w"))
        try:
            got = {}
            for _ in range(150):
                time.sleep(0.2)
                st, body = http_get(f"http://{PROMETHEUS}/api/v1/query?query=mailtls_status", timeout=2) if prom.poll() is None else (0, "")
                if st == 200:
                    got = {r["metric"]["instance"]: float(r["value"][1]) for r in json.loads(body)["data"]["result"]}
                    if len(got) == 2:
                        break
            _, exp = http_get(f"http://{PROMETHEUS}/api/v1/query?query=" +
                              "min%28mailtls_cert_path_expires_in_seconds%7Bmx%3D%22expired.mail.test%22%7D%29")
            _, goodq = http_get(f"http://{PROMETHEUS}/api/v1/query?query=" +
                                "min%28mailtls_cert_path_expires_in_seconds%7Bmx%3D%22good.mail.test%22%7D%29")
            _, daneq = http_get(f"http://{PROMETHEUS}/api/v1/query?query=" +
                                "mailtls_dane_match%7Binstance%3D%22nomatch.dane.test%22%7D")
            _, rules = http_get(f"http://{PROMETHEUS}/api/v1/rules")
            dash = json.load(open(os.path.join(ROOT, "docs/prometheus/grafana-dashboard.json")))
            import urllib.parse
            panels_bad = [p["title"] for p in dash["panels"] for t in p["targets"]
                          if http_get(f"http://{PROMETHEUS}/api/v1/query?query=" + urllib.parse.quote(t["expr"]))[0] != 200]
            expv = json.loads(exp)["data"]["result"]
            goodv = json.loads(goodq)["data"]["result"]
            danev = json.loads(daneq)["data"]["result"]
            report("prometheus-scrapes-the-exporter", got == {"prio.dom.test": 2.0, "nomatch.dane.test": 2.0}
                   and expv and float(expv[0]["value"][1]) < 0
                   and goodv and 86 * 86400 < float(goodv[0]["value"][1]) < 90 * 86400
                   and danev and all(float(v["value"][1]) == 0 for v in danev)
                   and json.loads(rules)["status"] == "success"
                   and len(json.loads(rules)["data"]["groups"][0]["rules"]) == 5 and not panels_bad,
                   f"status {got} expired {exp[:200]} good {goodq[:200]} dane {daneq[:200]} "
                   f"dashboard panels with bad queries {panels_bad}")
        finally:
            prom.terminate()
            prom.wait(10)
        for conf in ("prometheus.yml", "mailtls-rules.yml"):
            what = ["check", "config"] if conf == "prometheus.yml" else ["check", "rules"]
            p = subprocess.run(["promtool"] + what + [os.path.join(ROOT, "docs/prometheus", conf)], capture_output=True, text=True)
            report(f"promtool-accepts-docs-{conf}", p.returncode == 0, p.stdout + p.stderr)
        # SIGTERM with a check in flight: its scrape gets 503, the exporter ends cleanly.
        slow = []
        t = threading.Thread(target=lambda: slow.append(  # not cached: another module, another key
            http_get(base + f"/probe?host={HOSTILE_ADDR}:{modes['slowgreet']}&module=submission")))
        t.start()
        time.sleep(0.5)
    finally:
        ex.send_signal(signal.SIGTERM)
        try:
            out, err = ex.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            ex.kill()
            out, err = ex.communicate()
    t.join(10)
    report("serve-sigterm-ends-cleanly", ex.returncode == 0 and slow and slow[0][0] == 503,
           f"exit {ex.returncode} scrape {slow} {err[-800:]!r}")


def log_cases():
    """The audit log: concurrent writers never tear a line, a run killed with SIGKILL leaves a
    file mailtls log reads, and a certificate swapped between two runs is a change."""
    if not selected("log"):
        return
    logdir = os.path.join(LAB, "audit")
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    domains = os.path.join(logdir, "domains.txt")
    with open(domains, "w") as f:
        f.write("".join(f"s{i % 100 + 1}.dom.test\n" for i in range(1000)))
    shared = os.path.join(logdir, "shared.log")
    argv = [BIN, "check", "--log", shared, "--jsonl", "--ca-file", CA, "--no-mta-sts", "--no-dns-records",
            "--no-dane"] + DNS + ["-f", domains]
    procs = [subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=sanitizer_env())
             for _ in range(8)]
    errs = [p.communicate(timeout=180)[1] for p in procs]
    lines = open(shared, "rb").read().split(b"\n")
    whole = 0
    for l in lines[:-1]:
        try:
            whole += json.loads(l)["host"] == "shared.good.mail.test"
        except ValueError:
            pass
    report("log-eight-writers-whole-lines", lines[-1] == b"" and whole == 8000 and len(lines) == 8001
           and all(p.returncode == 0 for p in procs), f"{whole} whole of {len(lines) - 1} {[p.returncode for p in procs]} {errs[0][-300:]!r}")

    killed = os.path.join(logdir, "killed.log")
    p = subprocess.Popen(argv[:3] + [killed] + argv[4:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    p.kill()
    p.wait()
    with open(killed, "a") as f:
        f.write('{"time": "2026-12-02T00:00:00Z", "host": "torn.exam')  # what a crash mid-write leaves
    rc, out, err = run(["log", "summary", killed])
    report("log-read-after-sigkill", rc == 0 and "1 torn at the end of a file" in err and "0 not JSON" in err,
           f"exit {rc} {err!r}")

    # A line a disk damaged (NULs) is skipped and counted; the line after it is read.
    damaged = os.path.join(logdir, "damaged.log")
    one = json.loads(lines[0])
    other = dict(one, host="after.damage.test")
    with open(damaged, "wb") as f:
        f.write(lines[0] + b"\n" + lines[0][:30] + b"\0" * 40 + b"\n" + json.dumps(other).encode() + b"\n")
    rc, out, err = run(["log", "summary", "--json", damaged])
    hosts = sorted(x["host"] for x in json.loads(out)) if rc == 0 and out.startswith("[") else []
    report("log-damaged-line-keeps-the-next", hosts == sorted([one["host"], "after.damage.test"])
           and "1 not JSON" in err, f"exit {rc} {hosts} {err!r}")

    renew = os.path.join(logdir, "renew.log")
    base_port = 2800
    port = json.loads(subprocess.run([sys.executable, os.path.join(HERE, "hostile.py"), "--modes", "--base-port",
                                      str(base_port)], capture_output=True, text=True, check=True).stdout)["good"]
    for chain, key in (("good.chain.pem", "good.key"), ("badipsan.chain.pem", "badipsan.key")):
        srv = subprocess.Popen([sys.executable, os.path.join(HERE, "hostile.py"), "--addr", "127.0.0.51",
                                "--base-port", str(base_port), "--cert", os.path.join(PKI, chain),
                                "--key", os.path.join(PKI, key)], stdout=subprocess.PIPE, text=True)
        try:
            srv.stdout.readline()
            run(["check", "--log", renew, "--ca-file", CA, "--host", "good.mail.test", "--address", "127.0.0.51",
                 "--port", str(port)])
        finally:
            srv.terminate()
            srv.wait(10)
        time.sleep(1.1)  # the two lines a second apart, as two cron runs would be
    rc, out, err = run(["log", "summary", "--json", renew])
    s = json.loads(out) if rc == 0 else []
    rc2, ch, _ = run(["log", "changes", renew])
    report("log-renewal-is-a-change", rc == 0 and len(s) == 1 and s[0]["certificate_changes"] == 1
           and s[0]["checks"] == 2 and s[0]["last_change"] == s[0]["certificate_since"] and s[0]["last_change"] == s[0]["last_checked"]
           and "certificate changed" in ch and "key changed" in ch and "issuer changed" not in ch,
           f"{out!r} {ch!r}")
    rc, out, err = run(["log", "changes", "--since", "+1d", renew])
    report("log-changes-since", rc == 0 and out == "", f"{out!r}")


def policy_cases():
    """--policy: every rule kept and broken on lab servers, overrides changing the exit code,
    thresholds per rule, and a bad file refused with its line before any connection."""
    if not selected("policy"):
        return
    good_spki = openssl_spki(os.path.join(PKI, "good.crt"))
    pol = os.path.join(LAB, "policy.yml")
    with open(pol, "w") as f:
        f.write(f"""rules:
  - match: good.mail.test
    issuers: ["CN=mailtls Test Intermediate CA"]
    pins: [{good_spki}]
    names: [good.mail.test]
    min_tls: "1.2"
    min_rsa_bits: 2048
  - match: soon.mail.test
    issuers: ["CN=Somebody Else CA"]
    pins: ["{'0' * 64}"]
    names: [other.mail.test]
    min_rsa_bits: 4096
    must_staple: true
    warn_days: 5
  - match: cnonly.mail.test
    severity: {{CERT_CN_ONLY: crit}}
  - match: expired.mail.test
    severity: {{CERT_EXPIRED: ignore}}
  - match: ee.dane.test
    dane: required
  - match: prio.dom.test
    dane: required
  - match: enforce.sts.test
    mta_sts: enforce
  - match: testing.sts.test
    mta_sts: enforce
""")
    pp = ["--policy", pol]
    case("policy-every-rule-kept", lab("good.mail.test", "127.0.0.10", 25, *pp), 0, has=("CERT_TRUSTED",),
         lacks=WARN_CRIT + ("POLICY_ISSUER_UNEXPECTED", "POLICY_PIN_MISMATCH", "POLICY_NAME_MISSING",
                            "POLICY_TLS_VERSION", "POLICY_KEY_SIZE"))
    case("policy-every-rule-broken", lab("soon.mail.test", "127.0.0.13", 25, *pp), 2,
         has=("POLICY_ISSUER_UNEXPECTED", "POLICY_PIN_MISMATCH", "POLICY_NAME_MISSING", "POLICY_KEY_SIZE",
              "POLICY_MUST_STAPLE"),
         lacks=("CERT_EXPIRES_SOON",),  # the rule's warn_days: 5, and 10 days are left
         check=all_of(message("POLICY_ISSUER_UNEXPECTED", "rule soon.mail.test, line 8"),
                      message("POLICY_MUST_STAPLE", "no TLS Feature status_request"),
                      message("POLICY_NAME_MISSING", "other.mail.test"),
                      message("POLICY_KEY_SIZE", "2048-bit RSA key")))
    case("policy-override-raises", lab("cnonly.mail.test", "127.0.0.21", 25, *pp), 2, has=("CERT_CN_ONLY",),
         check=all_of(severity("CERT_CN_ONLY", "crit"), message("CERT_CN_ONLY", "crit by the policy")))
    case("policy-override-ignores", lab("expired.mail.test", "127.0.0.11", 25, *pp), 0, has=("CERT_EXPIRED",),
         check=all_of(severity("CERT_EXPIRED", "ok"), message("CERT_EXPIRED", "ignored by the policy")))
    case("policy-absent-changes-nothing", lab("expired.mail.test", "127.0.0.11"), 2, has=("CERT_EXPIRED",))
    pcase("policy-dane-required-kept", "ee.dane.test", 0, lacks=("POLICY_DANE_REQUIRED",),
          extra=["--no-mta-sts", "--no-dns-records"] + pp)
    pcase("policy-dane-required-broken", "prio.dom.test", 2, has=("POLICY_DANE_REQUIRED",),
          extra=["--no-mta-sts", "--no-dns-records"] + pp, anchor=False)
    pcase("policy-mta-sts-enforce-kept", "enforce.sts.test", 0, lacks=("POLICY_MTA_STS_REQUIRED",),
          extra=["--no-dane"] + pp, anchor=False)
    pcase("policy-mta-sts-enforce-broken", "testing.sts.test", 2, has=("POLICY_MTA_STS_REQUIRED",),
          extra=["--no-dane"] + pp, anchor=False)
    if selected("policy-bad-file-no-connection"):
        bad = os.path.join(LAB, "policy-bad.yml")
        with open(bad, "w") as f:
            f.write("rules:\n  - match: s1.dom.test\n    min_tls: \"1.2\"\n    dane: sometimes\n")
        before = shared_connects()
        rc, out, err = run(["check", "--policy", bad, "--ca-file", CA] + DNS + ["s1.dom.test"])
        time.sleep(0.5)  # Postfix logs a connection a moment after it
        report("policy-bad-file-no-connection", rc == 3 and "line 4: dane \"sometimes\" is not required or optional" in err
               and shared_connects() == before, f"exit {rc} {err!r} connects {before} -> {shared_connects()}")
        rc, out, err = run(["policy", "check", pol, bad])
        report("policy-check-command", rc == 3 and f"{pol}: 8 rules, ok" in out and "line 4" in err,
               f"exit {rc} {out!r} {err!r}")


def ports_cases(modes):
    """Every mail port of a domain (RFC 6186 SRV), the client-port findings on real Postfix and
    Dovecot and on the hostile server, and the STARTTLS command injection test."""
    def services(d):
        return {s["service"]: s for s in d["services"]}

    def by_service(d):
        out = {}
        for p in d["probes"]:
            out.setdefault(p["service"], []).append(p)
        return out

    def every_port(d, j):
        sv, ps = services(d), by_service(d)
        if [(s["service"], s["state"]) for s in d["services"]] != [
                ("submissions", "found"), ("submission", "found"), ("imap", "found"), ("imaps", "found"),
                ("pop3", "not offered"), ("pop3s", "found")]:
            return f"services {[(s['service'], s['state']) for s in d['services']]}"
        if [h["host"] for h in sv["imap"]["hosts"]] != ["imap.good.mail.test"] or sv["imap"]["srv"] != "_imap._tcp.ports.dom.test":
            return f"imap service {sv['imap']}"
        if sorted(ps) != ["imap", "imaps", "pop3s", "smtp", "submission", "submissions"]:
            return f"probe services {sorted(ps)}"
        for name, port, proto, mode in (("submission", 587, "smtp", "starttls"), ("submissions", 465, "smtp", "implicit"),
                                        ("imap", 143, "imap", "starttls"), ("imaps", 993, "imap", "implicit"),
                                        ("pop3s", 995, "pop3", "implicit"), ("smtp", 25, "smtp", "starttls")):
            for p in ps[name]:
                if (p["port"], p["protocol"], p["tls_mode"]) != (port, proto, mode) or p["status"] != "ok":
                    return f"{name} probe {p['host']} {p['address']}:{p['port']} {p['protocol']} {p['tls_mode']} {p['status']} {codes(p)}"
                if "CERT_TRUSTED" not in codes(p) or "CERT_HOSTNAME_OK" not in codes(p):
                    return f"{name} probe not judged: {codes(p)}"
                if mode == "starttls" and "STARTTLS_INJECTION_SAFE" not in codes(p):
                    return f"{name} {p['address']}: no injection test result: {codes(p)}"
        if ps["imap"][0]["mx"] is not None or ps["smtp"][0]["mx"] != "good.mail.test":
            return "probes name the wrong mx"
        # Dovecot hangs up on a command pipelined behind STARTTLS: safe, and checked again.
        if "failed the handshake" not in find(ps["imap"][0], "STARTTLS_INJECTION_SAFE")[0]["message"]:
            return f"imap injection message {find(ps['imap'][0], 'STARTTLS_INJECTION_SAFE')}"
        if [m["host"] for m in d["mx"]] != ["good.mail.test"]:
            return f"mx {d['mx']}"
        # The autoconfig file names the same imaps and submission hosts: one host, both sources.
        if not d["autoconfig"]["parsed"] or [h["sources"] for h in sv["imaps"]["hosts"]] != [["srv", "autoconfig"]]:
            return f"autoconfig {d['autoconfig']} imaps hosts {sv['imaps']['hosts']}"
        if [h["sources"] for h in sv["imap"]["hosts"]] != [["srv"]]:
            return f"imap hosts {sv['imap']['hosts']}"
    dcase("ports-every-port-of-a-domain", ["ports.dom.test"], 0, every_port, extra=["--all-ports", "--no-mta-sts"],
          has=("SRV_NOT_OFFERED", "SRV_NAME_INSECURE", "AUTOCONFIG_OK"), lacks=("SRV_MISSING", "MX_PARTIAL", "AUTOCONFIG_INVALID"))

    def autoconfig_only(d, j):
        ps = by_service(d)
        if sorted(ps) != ["imaps", "pop3s", "submission", "submissions"]:
            return f"probe services {sorted(ps)}"
        if any(p["status"] != "ok" for p in d["probes"]):
            return f"probes {[(p['host'], p['port'], codes(p)) for p in d['probes'] if p['status'] != 'ok']}"
        hosts = {s["service"]: [(h["host"], h["port"], h["sources"]) for h in s["hosts"]] for s in d["services"]}
        if hosts["submissions"] != [("good.mail.test", 465, ["autoconfig"])] or hosts["imaps"] != [("imap.good.mail.test", 993, ["autoconfig"])]:
            return f"hosts {hosts}"
        if [(x["protocol"], x["socket"]) for x in d["autoconfig"]["servers"]] != [("imap", "SSL"), ("pop3", "SSL"), ("smtp", "SSL"), ("smtp", "STARTTLS")]:
            return f"autoconfig servers {d['autoconfig']['servers']}"
    dcase("ports-autoconfig-without-srv", ["acfg.dom.test"], 0, autoconfig_only,
          extra=["--ports", "465,587,993,995", "--no-mta-sts", "--no-dns-records"], has=("SRV_MISSING", "AUTOCONFIG_OK"))
    dcase("ports-autoconfig-says-no-tls", ["acplain.dom.test"], 2,
          lambda d, j: None if len(find(d, "AUTOCONFIG_PLAINTEXT")) == 2 and "plain.good.mail.test:143" in
          find(d, "AUTOCONFIG_PLAINTEXT")[0]["message"] + find(d, "AUTOCONFIG_PLAINTEXT")[1]["message"]
          and any("PLAINTEXT_AUTH_OFFERED" in codes(p) for p in d["probes"]) else find(d, "AUTOCONFIG_PLAINTEXT"),
          extra=["--ports", "143,587", "--no-mta-sts", "--no-dns-records"], has=("AUTOCONFIG_PLAINTEXT",))
    dcase("ports-no-autoconfig-flag", ["acfg.dom.test"], 0,
          lambda d, j: None if d["probes"] == [] and d["autoconfig"] is None else f"{d['probes']} {d['autoconfig']}",
          extra=["--ports", "993", "--no-autoconfig", "--no-mta-sts", "--no-dns-records"],
          has=("SRV_MISSING",), lacks=("AUTOCONFIG_OK", "AUTOCONFIG_MISSING"))
    dcase("ports-autoconfig-missing", ["prio.dom.test"], 0,
          lambda d, j: None if d["autoconfig"]["address"] is None else d["autoconfig"],
          extra=["--ports", "993", "--no-mta-sts", "--no-dns-records"], has=("AUTOCONFIG_MISSING", "SRV_MISSING"))

    def plainauth(d, j):
        ps = by_service(d)
        sub, imap = ps.get("submission", [None])[0], ps.get("imap", [None])[0]
        if sub is None or imap is None or "smtp" in ps:
            return f"probes {sorted(ps)}"
        if not {"PLAINTEXT_AUTH_OFFERED", "TLS_NOT_REQUIRED"} <= set(codes(sub)):
            return f"submission {codes(sub)}"
        if "AUTH PLAIN" not in find(sub, "TLS_NOT_REQUIRED")[0]["message"] or "sent no credential" not in find(sub, "TLS_NOT_REQUIRED")[0]["message"]:
            return f"TLS_NOT_REQUIRED says {find(sub, 'TLS_NOT_REQUIRED')}"
        if "LOGIN (no LOGINDISABLED)" not in find(imap, "PLAINTEXT_AUTH_OFFERED")[0]["message"]:
            return f"imap {find(imap, 'PLAINTEXT_AUTH_OFFERED')}"
        if "CERT_TRUSTED" not in codes(sub) or "CERT_TRUSTED" not in codes(imap):
            return "certificates not judged"
    dcase("ports-plaintext-logins-before-tls", ["plainauth.dom.test"], 2, plainauth,
          extra=["--ports", "587,143", "--no-mta-sts", "--no-dns-records"])

    def required(d, j):
        sub = [p for p in d["probes"] if p["service"] == "submission"]
        if len(sub) != 2 or any(set(codes(p)) & {"TLS_NOT_REQUIRED", "PLAINTEXT_AUTH_OFFERED"} for p in sub):
            return f"submission probes {[(p['address'], codes(p)) for p in sub]}"
    dcase("ports-submission-requires-tls", ["ports.dom.test"], 0, required,
          extra=["--ports", "587", "--no-mta-sts", "--no-dns-records"], lacks=("SRV_MISSING",))
    dcase("ports-no-srv-record", ["prio.dom.test"], 0,
          lambda d, j: None if d["probes"] == [] and d["services"][0]["state"] == "no SRV record" else d["services"],
          extra=["--ports", "993", "--no-mta-sts", "--no-dns-records"], has=("SRV_MISSING",))
    if selected("ports-policy-rule"):
        pol = os.path.join(LAB, "policy-ports.yml")
        with open(pol, "w") as f:
            f.write("rules:\n  - match: ports.dom.test\n    ports: [993]\n")
        got = run_json("ports-policy-rule", ["check", "--json", "--ca-file", CA, "--policy", pol, "--no-mta-sts",
                                             "--no-dns-records"] + DNS + ["ports.dom.test", "prio.dom.test"])
        if got:
            rc, j = got
            a, b = j["domains"]
            ok = (rc == 2 and {p["service"] for p in a["probes"]} == {"imaps"} and a["mx"] == []
                  and {p["service"] for p in b["probes"]} == {"smtp"})
            report("ports-policy-rule", ok, f"exit {rc}: {[(p['service'], p['port']) for p in a['probes']]} "
                   f"{[(p['service'], p['port']) for p in b['probes']]}")
    case("ports-host-any-port", ["--host", "good.mail.test", "--address", "127.0.0.40", "--ports", "995"], 0,
         has=("CERT_TRUSTED",), check=lambda p: None if (p["port"], p["protocol"], p["service"], p["tls_mode"]) ==
         (995, "pop3", "pop3s", "implicit") else f"{p['port']} {p['protocol']} {p['service']} {p['tls_mode']}")
    case("ports-pop3-user-before-stls", ["--host", "plain.good.mail.test", "--address", "127.0.0.42", "--ports", "110"], 2,
         has=("PLAINTEXT_AUTH_OFFERED", "CERT_TRUSTED"), check=message("PLAINTEXT_AUTH_OFFERED", "USER"))
    case("ports-dovecot-requires-tls", ["--host", "good.mail.test", "--address", "127.0.0.40", "--ports", "143"], 0,
         has=("CERT_TRUSTED",), lacks=("PLAINTEXT_AUTH_OFFERED",))

    def h(mode, proto, *extra):
        return ["--host", "good.mail.test", "--address", HOSTILE_ADDR, "--port", str(modes[mode]),
                "--protocol", proto, "--timeout", "5"] + list(extra)
    for proto, answer in (("smtp", "250 2.0.0 Ok"), ("imap", "N OK NOOP completed"), ("pop3", "+OK")):
        case(f"injection-{proto}-vulnerable", h("inject" + proto, proto, "--starttls-tests"), 2,
             has=("STARTTLS_COMMAND_INJECTION", "TLS_ESTABLISHED"), lacks=("PROTOCOL_ERROR", "STARTTLS_INJECTION_SAFE"),
             check=message("STARTTLS_COMMAND_INJECTION", f'("{answer}")'))
        case(f"injection-{proto}-safe", h("safe" + proto, proto, "--starttls-tests"), 0,
             has=("STARTTLS_INJECTION_SAFE", "CERT_TRUSTED"), lacks=("STARTTLS_COMMAND_INJECTION",))
        # Without --starttls-tests nothing is sent behind STARTTLS, and nothing is claimed.
        case(f"injection-{proto}-not-asked", h("inject" + proto, proto), 0,
             has=("CERT_TRUSTED",), lacks=("STARTTLS_COMMAND_INJECTION", "STARTTLS_INJECTION_SAFE"))
    case("imap-preauth-before-tls", h("preauth", "imap"), 2, has=("IMAP_PREAUTH",),
         lacks=("STARTTLS_REJECTED", "TLS_ESTABLISHED"), check=message("IMAP_PREAUTH", "logged in as nobody"))


def auth_cases(modes):
    """mailtls auth: every protocol and mechanism of the lab with the right and a wrong
    password, the refusals (an untrusted certificate, no TLS), and the credential nowhere
    but inside TLS: not in the bytes sent before the handshake, nor in any output."""
    if not selected("auth"):
        return
    pwfile = os.path.join(LAB, "dovecot", "alice.password")
    wrong = os.path.join(LAB, "wrong.password")
    with open(os.open(wrong, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write("not-the-password\n")
    secret = "lab-secret-1"
    user = "alice@good.mail.test"
    forms = [secret, base64.b64encode(secret.encode()).decode()] + [
        base64.b64encode(f"\0{u}\0{secret}".encode()).decode() for u in (user, "alice")]

    def leaks(text):
        return [x for x in forms if x in text]

    def auth_case(name, argv, exit, has=(), lacks=(), msg=None, pw=pwfile, env=None, who=user):
        if not selected(name):
            return
        argv = ["auth", "--user", who, "--ca-file", CA, "--timeout", "5"] + (["--password-file", pw] if pw else []) + argv
        rc, out, err = run(argv + ["--json", "--verbose"], env=env)
        problems = []
        try:
            j = json.loads(out)
            got = codes(j["probes"][0])
        except (ValueError, KeyError, IndexError):
            j, got = None, []
            problems.append(f"not JSON: {out[:200]!r} {err[-300:]!r}")
        if rc != exit:
            problems.append(f"exit {rc}, expected {exit}")
        problems += [f"missing {c}" for c in has if c not in got]
        problems += [f"unexpected {c}" for c in lacks if c in got]
        if msg and j and msg[1] not in " ".join(f["message"] for f in j["probes"][0]["findings"] if f["code"] == msg[0]):
            problems.append(f"{msg[0]} does not say {msg[1]!r}")
        rc2, text, err2 = run(argv, env=env)
        for where, t in (("JSON", out), ("--verbose", err), ("text", text), ("stderr", err2)):
            if leaks(t):
                problems.append(f"the credential appears in {where}: {leaks(t)}")
        report(name, not problems, "; ".join(problems) + f"  findings={got}")

    for addr, port, proto in (("127.0.0.10", 587, "smtp"), ("127.0.0.10", 465, "smtp"), ("127.0.0.40", 143, "imap"),
                              ("127.0.0.40", 993, "imap"), ("127.0.0.40", 110, "pop3"), ("127.0.0.40", 995, "pop3")):
        where = ["--host", f"good.mail.test:{port}", "--address", addr]
        for mech in ("PLAIN", "LOGIN", "SCRAM-SHA-1", "SCRAM-SHA-256"):
            auth_case(f"auth-{proto}-{port}-{mech}-right", where + ["--mech", mech], 0, has=("AUTH_SUCCEEDED", "CERT_TRUSTED"),
                      msg=("AUTH_SUCCEEDED", f"logged in with {mech} over TLS"))
            auth_case(f"auth-{proto}-{port}-{mech}-wrong", where + ["--mech", mech], 2, has=("AUTH_FAILED",),
                      lacks=("AUTH_SUCCEEDED",), pw=wrong)
        # No --mech: the strongest offered over TLS.
        auth_case(f"auth-{proto}-{port}-strongest", where, 0, has=("AUTH_SUCCEEDED",),
                  msg=("AUTH_SUCCEEDED", "SCRAM-SHA-256"))
    auth_case("auth-pop3-user-pass", ["--host", "plain.good.mail.test:110", "--address", "127.0.0.42", "--mech", "USER"], 2,
              has=("AUTH_SUCCEEDED", "PLAINTEXT_AUTH_OFFERED"), msg=("AUTH_SUCCEEDED", "USER/PASS"))
    auth_case("auth-password-from-environment", ["--host", "good.mail.test:993", "--address", "127.0.0.40"], 0,
              has=("AUTH_SUCCEEDED",), pw=None, env=sanitizer_env({"MAILTLS_PASSWORD": secret}))
    auth_case("auth-mech-not-offered", ["--host", "good.mail.test:993", "--address", "127.0.0.40", "--mech", "CRAM-MD5"], 2,
              has=("AUTH_NO_MECHANISM",), lacks=("AUTH_SUCCEEDED", "AUTH_FAILED"))
    auth_case("auth-refused-over-untrusted-certificate", ["--host", "selfsigned.mail.test:25", "--address", "127.0.0.14"], 2,
              has=("AUTH_NOT_ATTEMPTED", "CERT_SELF_SIGNED"), lacks=("AUTH_SUCCEEDED", "AUTH_FAILED"),
              msg=("AUTH_NOT_ATTEMPTED", "--insecure-login"))
    auth_case("auth-refused-without-tls", ["--host", "good.mail.test:143", "--address", "127.0.0.41"], 2,
              has=("AUTH_NOT_ATTEMPTED", "STARTTLS_NOT_OFFERED"), lacks=("AUTH_SUCCEEDED", "AUTH_FAILED"))
    if selected("auth-no-credential-in-argv"):
        rc, out, err = run(["auth", "--host", "good.mail.test:587", "--user", user, secret])
        report("auth-no-credential-in-argv", rc == 3 and secret not in err + out and "takes no operands" in err,
               f"exit {rc} {err!r}")
    if selected("auth-world-readable-file-refused"):
        loose = os.path.join(LAB, "loose.password")
        with open(loose, "w") as f:
            f.write(secret + "\n")
        os.chmod(loose, 0o644)
        rc, out, err = run(["auth", "--host", "good.mail.test:587", "--address", "127.0.0.10", "--user", user,
                            "--password-file", loose])
        report("auth-world-readable-file-refused", rc == 3 and loose in err and secret not in err + out,
               f"exit {rc} {err!r}")
    # The hostile server keeps every byte a client sent before its handshake: a server that
    # offers AUTH PLAIN before TLS, and one that requires TLS, both see the login only inside.
    for mode, exit, has in (("authplain587", 2, ("PLAINTEXT_AUTH_OFFERED",)), ("authreq587", 0, ("AUTH_SUCCEEDED",))):
        name = f"auth-nothing-before-tls-{mode}"
        if not selected(name):
            continue
        before = set(os.listdir(CAPTURE))
        auth_case(name + "-run", ["--host", "good.mail.test", "--address", HOSTILE_ADDR, "--port", str(modes[mode]),
                                  "--protocol", "smtp", "--mech", "PLAIN"], exit, has=has, who="alice")
        new = sorted(set(os.listdir(CAPTURE)) - before)
        seen = b"".join(open(os.path.join(CAPTURE, n), "rb").read() for n in new)
        bad = [x for x in forms + [user] if x.encode() in seen]
        # Two sessions: auth_case runs mailtls twice (--json --verbose, then text).
        report(name, len(new) == 2 and seen.count(b"STARTTLS") == 2 and not bad,
               f"captures {new}: {seen[:200]!r}, credential forms found: {bad}")


def revocation_cases():
    """--revocation: staples, OCSP, CRLs against the lab's responder, nginx and stapling
    servers; one CRL fetch for many certificates; --offline fetches nothing."""
    if not selected("revocation"):
        return
    R = ["--resolver", "127.0.0.53@5300", "--trust-anchor", "none", "--timeout", "5"]

    def rcase(name, case_, addr, exit, has=(), lacks=(), check=None, extra=()):
        case(f"revocation-{name}", ["--host", f"{case_}.rev.mail.test", "--address", addr] + R + list(extra),
             exit, has=has, lacks=lacks, check=check)

    def rev(status, method, **more):
        def check(p):
            r = p["chain"][0]["revocation"]
            if r is None or r["status"] != status or r["method"] != method:
                return f"revocation {r}"
            for k, v in more.items():
                if r.get(k) != v:
                    return f"revocation {k} = {r.get(k)!r}, expected {v!r}"
        return check
    ocsp_url, crl_url = "http://ocsp.lab.test:8080/", "http://pki.lab.test/rev-int.crl"
    rcase("good-by-ocsp", "revgood", "127.0.0.70", 0, has=("CERT_NOT_REVOKED", "OCSP_NOT_STAPLED"),
          lacks=("CERT_REVOKED",), check=rev("good", "ocsp", url=ocsp_url, stapled=False))
    rcase("revoked-by-ocsp", "revoked", "127.0.0.71", 2, has=("CERT_REVOKED",),
          check=all_of(rev("revoked", "ocsp", reason="keyCompromise"), message("CERT_REVOKED", "keyCompromise")))
    rcase("revoked-by-crl-only", "crlonly", "127.0.0.72", 2, has=("CERT_REVOKED",),
          check=all_of(rev("revoked", "crl", reason="superseded", url=crl_url), message("CERT_REVOKED", crl_url)))
    rcase("revoked-by-crl-when-asked", "revoked", "127.0.0.71", 2, has=("CERT_REVOKED",),
          check=rev("revoked", "crl"), extra=["--revocation", "crl"])
    rcase("unknown-to-responder", "unknown", "127.0.0.73", 1, has=("OCSP_UNKNOWN",), lacks=("CERT_REVOKED",),
          check=rev("unknown", "ocsp"))
    # The responder is down: the CRL answers instead (auto); with --revocation ocsp it is a warning.
    rcase("responder-down-crl-answers", "ocspdown", "127.0.0.74", 0, has=("CERT_NOT_REVOKED",),
          check=rev("good", "crl"))
    rcase("responder-down", "ocspdown", "127.0.0.74", 1, has=("OCSP_UNREACHABLE",), lacks=("CERT_NOT_REVOKED",),
          check=rev("unreachable", "ocsp"), extra=["--revocation", "ocsp"])
    rcase("must-staple-without-staple", "muststaple", "127.0.0.75", 2, has=("CERT_MUST_STAPLE_MISSING",))
    rcase("stale-crl", "stalecrl", "127.0.0.82", 1, has=("CRL_INVALID",), check=message("CRL_INVALID", "stale"))
    rcase("crl-signed-by-another-key", "badcrl", "127.0.0.83", 1, has=("CRL_INVALID",), lacks=("CERT_REVOKED",),
          check=message("CRL_INVALID", "signature does not verify"))
    rcase("staple-good", "staple-good", "127.0.0.90", 0, has=("OCSP_STAPLED", "CERT_NOT_REVOKED"),
          check=rev("good", "ocsp-staple", stapled=True, url=None))
    rcase("staple-revoked", "staple-revoked", "127.0.0.91", 2, has=("OCSP_STAPLED", "CERT_REVOKED"),
          check=rev("revoked", "ocsp-staple", reason="keyCompromise"))
    rcase("staple-for-another-certificate", "staple-mismatch", "127.0.0.93", 1, has=("OCSP_RESPONSE_INVALID",),
          lacks=("CERT_NOT_REVOKED",), check=message("OCSP_RESPONSE_INVALID", "another certificate"))
    rcase("staple-on-465", "staple-good", "127.0.0.90", 0, has=("OCSP_STAPLED", "CERT_NOT_REVOKED"),
          extra=["--port", "465"])
    rcase("chain-depth", "revgood", "127.0.0.70", 0, has=("CERT_NOT_REVOKED",),
          check=lambda p: None if p["chain"][1]["revocation"] and p["chain"][1]["revocation"]["status"] == "good"
          and p["chain"][1]["revocation"]["method"] == "crl" else f"intermediate {p['chain'][1]['revocation']}",
          extra=["--revocation-depth", "chain"])
    rcase("none", "revoked", "127.0.0.71", 0, lacks=("CERT_REVOKED", "OCSP_NOT_STAPLED"),
          check=lambda p: None if p["chain"][0]["revocation"] is None else p["chain"][0]["revocation"],
          extra=["--revocation", "none"])
    access = os.path.join(LAB, "nginx-http", "access.log")
    ocsplog = os.path.join(LAB, "ocsp", "ocsp.log")

    def count(path, needle):
        try:
            return sum(1 for line in open(path) if needle in line)
        except OSError:
            return 0
    if selected("revocation-one-crl-fetch-for-many"):
        # Four servers whose certificates name the same CRL (and, with --revocation crl, only
        # it): one run fetches it once.
        before = count(access, "GET /rev-int.crl ")
        doms = []
        rc, out, err = run(["check", "--json", "--ca-file", CA, "--revocation", "crl"] + R +
                           ["--host", "revoked.rev.mail.test", "--address", "127.0.0.71"])
        one = count(access, "GET /rev-int.crl ") - before
        # Many certificates in one run: the domains of the lab that share rev-int.
        listfile = os.path.join(LAB, "revdomains.txt")
        with open(listfile, "w") as f:
            for c in ("revgood", "revoked", "crlonly", "muststaple", "unknown"):
                f.write(f"{c}.rev.mail.test\n")
                doms.append(c)
        before = count(access, "GET /rev-int.crl ")
        rc2, out2, err2 = run(["check", "--jsonl", "--ca-file", CA, "--revocation", "crl", "--no-mta-sts",
                               "--no-dns-records", "-f", listfile] + R)
        many = count(access, "GET /rev-int.crl ") - before
        lines = [json.loads(x) for x in out2.splitlines() if x.startswith("{")]
        revoked = sorted(d["domain"] for d in lines if any("CERT_REVOKED" in codes(p) for p in d["probes"]))
        report("revocation-one-crl-fetch-for-many", one == 1 and many == 1 and len(lines) == 5
               and revoked == ["crlonly.rev.mail.test", "revoked.rev.mail.test"],
               f"fetches: {one} for one, {many} for five; revoked {revoked}; {err2[-300:]!r}")
    if selected("revocation-offline-fetches-nothing"):
        before = (count(access, "GET "), count(ocsplog, "serial="))
        rc, out, err = run(["check", "--json", "--ca-file", CA, "--offline"] + R +
                           ["--host", "revoked.rev.mail.test", "--address", "127.0.0.71"])
        time.sleep(0.3)
        after = (count(access, "GET "), count(ocsplog, "serial="))
        j = json.loads(out) if out.startswith("{") else {}
        r = j.get("probes", [{}])[0].get("chain", [{}])[0].get("revocation", "missing")
        report("revocation-offline-fetches-nothing", before == after and r is None and rc == 0,
               f"requests {before} -> {after}, revocation {r}, exit {rc}")


def pki_cases():
    """Chain repair through caIssuers (AIA) and the four gaps: name constraints held against
    the host, the anchor's key, a non-root anchor, and messages that say what is known."""
    if not selected("pki"):
        return
    R = ["--resolver", "127.0.0.53@5300", "--trust-anchor", "none", "--timeout", "5"]
    der = "http://pki.lab.test/rev-int.der"

    def pcase_(name, host, addr, exit, has=(), lacks=(), check=None, extra=(), ca=CA):
        case(f"pki-{name}", ["--host", host, "--address", addr, "--ca-file", ca] + R + list(extra), exit,
             has=has, lacks=lacks, check=check, ca=False)
    fp = openssl_fp(os.path.join(PKI, "rev-int.pem"))
    pcase_("aia-missing-intermediate-named", "aiamissing.rev.mail.test", "127.0.0.76", 2,
           has=("CERT_CHAIN_INCOMPLETE", "CERT_NOT_REVOKED"), lacks=("CERT_UNTRUSTED_ROOT",),
           check=all_of(message("CERT_CHAIN_INCOMPLETE", "Revocation Intermediate CA"),
                        message("CERT_CHAIN_INCOMPLETE", fp), message("CERT_CHAIN_INCOMPLETE", der),
                        message("CERT_CHAIN_INCOMPLETE", "append it to the chain file after the server certificate")))
    pcase_("aia-untrusted-root", "aiaroot.rev.mail.test", "127.0.0.77", 2, has=("CERT_UNTRUSTED_ROOT",),
           lacks=("CERT_CHAIN_INCOMPLETE",),
           check=all_of(message("CERT_UNTRUSTED_ROOT", "AIA Root CA"), message("CERT_UNTRUSTED_ROOT", "aia-root.der")))
    pcase_("no-aia-said-honestly", "noaia.rev.mail.test", "127.0.0.78", 2, has=("CERT_CHAIN_INCOMPLETE",),
           check=message("CERT_CHAIN_INCOMPLETE", "a missing intermediate, or an untrusted root"))
    pcase_("aia-offline-not-fetched", "aiamissing.rev.mail.test", "127.0.0.76", 2, has=("CERT_CHAIN_INCOMPLETE",),
           check=message("CERT_CHAIN_INCOMPLETE", "a missing intermediate, or an untrusted root"), extra=["--offline"])
    pcase_("name-constraints-hold-against-the-host", "bar.ncx.mail.test", "127.0.0.79", 2,
           has=("CERT_NAME_CONSTRAINT_VIOLATION", "CERT_HOSTNAME_OK"),
           check=message("CERT_NAME_CONSTRAINT_VIOLATION", "excludes"))
    pcase_("weak-anchor", "weakanchor.rev.mail.test", "127.0.0.80", 2, has=("CERT_WEAK_KEY", "CERT_TRUSTED"),
           check=message("CERT_WEAK_KEY", "the trust anchor"), ca=os.path.join(PKI, "weak-ca.pem"))
    if selected("pki-sent-issuer-cannot-be"):
        # The server sends a certificate under its issuer's name that did not sign it.
        # (Made here: a CA of the intermediate's name with its own key and key identifier.)
        fake = os.path.join(LAB, "fake-int.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", fake + ".key",
                        "-out", fake, "-days", "30", "-subj", "/CN=mailtls Test Intermediate CA"],
                       capture_output=True, check=True)
        bad = os.path.join(LAB, "impostor.chain.pem")
        with open(bad, "w") as f:
            f.write(open(os.path.join(PKI, "good.crt")).read() + open(fake).read())
        case("pki-sent-issuer-cannot-be", ["--chain", bad, "--host", "good.mail.test", "--offline"] + R, 2,
             has=("CERT_CHAIN_INCOMPLETE",),
             check=all_of(message("CERT_CHAIN_INCOMPLETE", "(#1) as the issuer of its certificate, but it cannot be"),
                          message("CERT_CHAIN_INCOMPLETE", "key identifier")))
    if selected("pki-store-root-rejected"):
        # The store holds a root of the right name and another key.
        fake = os.path.join(LAB, "fake-root.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", fake + ".key",
                        "-out", fake, "-days", "30", "-subj", "/CN=mailtls Test Root CA"], capture_output=True, check=True)
        case("pki-store-root-rejected", ["--chain", os.path.join(PKI, "good.chain.pem"), "--host", "good.mail.test",
                                         "--ca-file", fake] + R, 2, has=("CERT_UNTRUSTED_ROOT",), ca=False,
             check=message("CERT_UNTRUSTED_ROOT", "the trust store holds \"CN=mailtls Test Root CA\", but it did not issue"))
    pcase_("intermediate-as-anchor", "intanchor.rev.mail.test", "127.0.0.81", 0, has=("CERT_TRUSTED",),
           lacks=WARN_CRIT, check=message("CERT_TRUSTED", "not a root"), ca=os.path.join(PKI, "int-only.pem"))


def chain_file_cases():
    """check --chain FILE: the certificate verdict of a chain before it is deployed is the
    live one; --key; a TLSA mismatch of a new key caught before the reload."""
    if not selected("chain-file"):
        return
    # Lab case, host, address: the file pki/CASE.chain.pem is what the listener serves.
    live = (("good", "good.mail.test", "127.0.0.10"), ("ec", "ec.mail.test", "127.0.0.25"),
            ("expired", "expired.mail.test", "127.0.0.11"), ("notyet", "notyet.mail.test", "127.0.0.12"),
            ("soon", "soon.mail.test", "127.0.0.13"), ("selfsigned", "selfsigned.mail.test", "127.0.0.14"),
            ("wrongname", "wrongname.mail.test", "127.0.0.15"), ("wildcard", "mx.wild.mail.test", "127.0.0.16"),
            ("noint", "noint.mail.test", "127.0.0.17"), ("order", "order.mail.test", "127.0.0.18"),
            ("rsa1024", "rsa1024.mail.test", "127.0.0.19"), ("noserverauth", "noserverauth.mail.test", "127.0.0.20"),
            ("cnonly", "cnonly.mail.test", "127.0.0.21"), ("sha1", "sha1.mail.test", "127.0.0.22"),
            ("untrusted", "untrusted.mail.test", "127.0.0.23"), ("expiredint", "expiredint.mail.test", "127.0.0.24"),
            ("revoked", "revoked.rev.mail.test", "127.0.0.71"), ("aiamissing", "aiamissing.rev.mail.test", "127.0.0.76"))
    R = ["--resolver", "127.0.0.53@5300", "--trust-anchor", "none", "--timeout", "5"]

    def cert_codes(j):
        p = j["probes"][0]
        return sorted(f["code"] + ":" + f["severity"] for f in p["findings"]
                      if f["code"].startswith(("CERT_", "DANE_")) and f["code"] != "CERT_KEY_MATCHES")
    for name, host, addr in live:
        tname = f"chain-file-same-verdict-{name}"
        if not selected(tname):
            continue
        a = run_json(tname, ["check", "--json", "--ca-file", CA, "--host", host, "--address", addr] + R)
        b = run_json(tname, ["check", "--json", "--ca-file", CA, "--host", host, "--chain",
                             os.path.join(PKI, f"{name}.chain.pem")] + R)
        if a and b:
            report(tname, a[0] == b[0] and cert_codes(a[1]) == cert_codes(b[1]) and cert_codes(a[1]),
                   f"live exit {a[0]} {cert_codes(a[1])}; file exit {b[0]} {cert_codes(b[1])}")
    good = os.path.join(PKI, "good.chain.pem")
    case("chain-file-key-matches", ["--chain", good, "--host", "good.mail.test", "--key",
                                    os.path.join(PKI, "good.key")] + R, 0, has=("CERT_KEY_MATCHES", "CERT_TRUSTED"))
    case("chain-file-key-mismatch", ["--chain", good, "--host", "good.mail.test", "--key",
                                     os.path.join(PKI, "ec.key")] + R, 2, has=("CERT_KEY_MISMATCH",))
    DS = ["--resolver", "127.0.0.53@5300", "--trust-anchor", os.path.join(LAB, "nsd", "dane.test.ds"), "--timeout", "5"]
    spki = openssl_spki(os.path.join(PKI, "good.crt"))
    case("chain-file-new-key-breaks-dane", ["--chain", good, "--host", "mx-ee.dane.test"] + DS, 2,
         has=("DANE_NO_MATCH",), check=all_of(message("DANE_NO_MATCH", f'publish "3 1 1 {spki.upper()}"'),
                                              message("DANE_NO_MATCH", "wait two TTLs")))
    case("chain-file-published-key-passes-dane", ["--chain", os.path.join(PKI, "dane.chain.pem"), "--host",
                                                  "mx-ee.dane.test"] + DS, 0, has=("DANE_VALID",))
    if selected("chain-file-refusals"):
        rc, out, err = run(["check", "--chain", os.path.join(PKI, "good.key"), "--host", "good.mail.test"])
        rc2, out2, err2 = run(["check", "--chain", good])
        report("chain-file-refusals", rc == 3 and "no PEM certificate" in err and rc2 == 3 and "--host NAME" in err2,
               f"{rc} {err!r} {rc2} {err2!r}")


def retry_cases(modes):
    """A server refusing for now (421 "too many connections") is tried again after a back-off
    and judged; one that always refuses ends inconclusive (exit 3) with its words."""
    if not selected("retry"):
        return
    def h(mode, *extra):
        return ["--host", "good.mail.test", "--address", HOSTILE_ADDR, "--port", str(modes[mode])] + list(extra)
    if selected("retry-421-twice-then-judged"):
        t0 = time.time()
        case("retry-421-twice-then-judged", h("busy421twice"), 0, has=("CERT_TRUSTED", "TLS_ESTABLISHED"),
             lacks=("TEMPORARILY_REFUSED", "BANNER_REJECTED"))
        took = time.time() - t0
        report("retry-421-backs-off", 2.8 <= took < 20, f"took {took:.1f} s (1 s, then 2 s)")
    case("retry-always-421-is-inconclusive", h("busy421", "--retries", "1"), 3, has=("TEMPORARILY_REFUSED",),
         lacks=("BANNER_REJECTED", "CERT_TRUSTED"),
         check=all_of(severity("TEMPORARILY_REFUSED", "unknown"), message("TEMPORARILY_REFUSED", "2 times"),
                      message("TEMPORARILY_REFUSED", "too many connections")))
    case("retry-none-asked", h("busy421", "--retries", "0"), 3, has=("TEMPORARILY_REFUSED",),
         check=message("TEMPORARILY_REFUSED", "1 time "))


def scale_cases():
    """--resume after a kill -9 (and a line it left half written) checks every domain exactly
    once; two shards run by GNU parallel cover the input exactly once."""
    if not selected("scale"):
        return
    names = [f"s{i}.dom.test" for i in range(1, 101)]
    listfile = os.path.join(LAB, "s100.txt")
    with open(listfile, "w") as f:
        f.write("\n".join(names) + "\n")
    R = ["--ca-file", CA, "--no-mta-sts", "--no-dns-records"] + DNS

    def domains(path):
        out = []
        for line in open(path):
            out.append(json.loads(line)["domain"])  # every line whole JSON
        return out
    if selected("scale-resume-after-kill-9"):
        out = os.path.join(LAB, "resume.jsonl")
        if os.path.exists(out):
            os.unlink(out)
        # A pipe is read without blocking the loop: the 50 are checked while it waits for
        # more, and it is killed there.
        p = subprocess.Popen([BIN, "check", "--jsonl", "--workers", "3", "--resume", out, "-f", "-",
                              "--concurrency", "10"] + R,
                             stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True, env=sanitizer_env())
        p.stdin.write("\n".join(names[:50]) + "\n")
        p.stdin.flush()
        for _ in range(200):  # the 50 written, then it waits for more input
            if os.path.exists(out) and sum(1 for _ in open(out)) >= 50:
                break
            time.sleep(0.1)
        p.kill()  # SIGKILL: nothing of it runs after
        p.wait()
        first = len(domains(out))
        with open(out, "a") as f:  # as a kill in the middle of a write would leave it
            f.write('{"domain": "s99.dom.test", "status": "o')
        rc, o2, err = run(["check", "--jsonl", "--resume", out, "-f", listfile] + R)
        got = domains(out)
        report("scale-resume-after-kill-9", first == 50 and rc == 0 and sorted(got) == sorted(names)
               and f"{first} domains done before" in err,
               f"first run {first} lines; then exit {rc}, {len(got)} lines, {len(set(got))} distinct; {err[-200:]!r}")
    # A machine without an IPv6 route (a private network namespace: lo only) cannot test an
    # MX's IPv6 address: the connect fails at once, before any packet. That is no verdict on
    # the server (ADDRESS_UNROUTED, unknown); the domain stands on the addresses that were
    # tested (ADDRESSES_UNTESTED), and only when none was is it unknown. The MX hosts'
    # AAAA records are of the documentation prefix (tests/lab/nsd.sh, bulk.test).
    if selected("scale-no-route-from-here"):
        nl = os.path.join(LAB, "noroute")
        lab = os.path.join(ROOT, "tests", "lab")
        script = (f'ip link set lo up && bash {lab}/nsd.sh start {nl} >/dev/null && '
                  f'bash {lab}/nginx-mail.sh start {nl} >/dev/null && '
                  f'{{ {BIN} check --jsonl --ca-file {nl}/pki/ca.pem --trust-anchor none --no-mta-sts '
                  f'--no-dns-records --resolver 127.0.0.53@5300 dual.bulk.test v6only.bulk.test '
                  f'v4bad.bulk.test; echo "rc=$?" >&2; }}; '
                  # The exporter leaves the unrouted address out of probe_success too.
                  f'{BIN} serve --listen 127.0.0.1:9599 --ca-file {nl}/pki/ca.pem --trust-anchor none '
                  f'--resolver 127.0.0.53@5300 --timeout 5 2>/dev/null & sp=$!; sleep 1; '
                  f'python3 -c "import urllib.request as u; '
                  f'print(u.urlopen(\'http://127.0.0.1:9599/probe?target=dual.bulk.test\', timeout=30).read().decode())" '
                  f'| grep -E \'^(probe_success|mailtls_status) \' | sed \'s/^/PROM /\' >&2; kill $sp; wait $sp; '
                  f'bash {lab}/nginx-mail.sh stop {nl} >/dev/null 2>&1; bash {lab}/nsd.sh stop {nl} >/dev/null 2>&1')
        pr = subprocess.run(["unshare", "-n", "bash", "-c", script], capture_output=True, text=True,
                            env=sanitizer_env(), timeout=180)
        got = {}
        for line in pr.stdout.splitlines():
            d = json.loads(line)
            got[d["domain"]] = d
        problems = []

        def dom(name, status, has=(), lacks=()):
            d = got.get(name)
            if d is None:
                problems.append(f"{name}: no line")
                return
            codes = [f["code"] for f in d["findings"]]
            if d["status"] != status:
                problems.append(f"{name}: status {d['status']}, expected {status}")
            problems.extend(f"{name}: lacks {c}" for c in has if c not in codes)
            problems.extend(f"{name}: has {c}" for c in lacks if c in codes)
            for p in (p for p in d["probes"] if ":" in p["address"]):
                pc = [(f["code"], f["severity"]) for f in p["findings"]]
                if ("ADDRESS_UNROUTED", "unknown") not in pc or p["status"] != "unknown":
                    problems.append(f"{name} [{p['address']}]: {p['status']} {pc}")
        # IPv4 works: ok, and the untested IPv6 is said, not taken for broken.
        dom("dual.bulk.test", "ok", has=("ADDRESSES_UNTESTED",), lacks=("MX_PARTIAL",))
        # Nothing could be tested: no verdict.
        dom("v6only.bulk.test", "unknown", lacks=("ADDRESSES_UNTESTED", "MX_PARTIAL"))
        # IPv4 is refused: crit, and never "only IPv4 is broken; IPv6 works".
        dom("v4bad.bulk.test", "crit", has=("ADDRESSES_UNTESTED",), lacks=("MX_PARTIAL",))
        # ok, unknown and crit: the run is crit (a crit is never hidden behind an unknown).
        if "rc=2" not in pr.stderr or "3 domains had addresses this machine has no route to" not in pr.stderr:
            problems.append(f"stderr: {pr.stderr[-400:]!r}")
        if "PROM probe_success 1" not in pr.stderr or "PROM mailtls_status 0" not in pr.stderr:
            problems.append(f"exporter: {pr.stderr[-300:]!r}")
        report("scale-no-route-from-here", not problems, "; ".join(problems))
    # A connect this machine's own policy forbids fails at once (here a "prohibit" route in
    # a network namespace of the test's own, which no packet leaves: EACCES): the server
    # was not tested, so LOCAL_LIMIT and unknown, never CONNECT_FAILED and crit.
    if selected("scale-connect-prohibited-here"):
        script = ('ip link set lo up && ip route add prohibit 192.0.2.0/24 && '
                  f'{BIN} check --json --host mx.prohibited.test --address 192.0.2.25; echo "rc=$?" >&2')
        pr = subprocess.run(["unshare", "-n", "bash", "-c", script], capture_output=True, text=True,
                            env=sanitizer_env(), timeout=60)
        j = json.loads(pr.stdout) if pr.stdout.startswith("{") else {}
        p = (j.get("probes") or [{}])[0]
        pf = [(f["code"], f["severity"], f["message"]) for f in p.get("findings", [])]
        report("scale-connect-prohibited-here", "rc=3" in pr.stderr and p.get("status") == "unknown"
               and any(c == "LOCAL_LIMIT" and sev == "unknown" and "Permission denied" in m
                       and "own policy forbids" in m for c, sev, m in pf)
               and not any(c == "CONNECT_FAILED" for c, _, _ in pf), f"{pr.stderr[-200:]!r} {pf}")
    # Port 25 blocked on the way out (most clouds block it) looks like every server down:
    # when no port-25 connect was answered, the run says what that may mean. Two listeners
    # (blocked25.dom.test's MX) are filled and never accept, so the next SYNs go unanswered.
    if selected("scale-port-25-silent-said"):
        held = []
        try:
            for a in ("127.0.3.1", "127.0.3.2"):
                ls = socket.socket()
                ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                ls.bind((a, 25))
                ls.listen(0)
                filler = socket.create_connection((a, 25), timeout=2)  # the queue's one place
                held += [ls, filler]
            rc, out, err = run(["check", "--jsonl", "--connect-timeout", "1", "blocked25.dom.test"] + R)
            d = json.loads(out) if out.startswith("{") else {}
            ok = rc == 2 and d.get("status") == "crit" and \
                "no connection to port 25 was answered (2 addresses tried)" in err
            # Two domains behind one silent address: one address tried, too few to say.
            rc3, _, err3 = run(["check", "--jsonl", "--connect-timeout", "1", "blocked25one.dom.test",
                                "blocked25one.dom.test"] + R)
            ok = ok and rc3 == 2 and "port 25 was answered" not in err3
            # One that connects: nothing to say.
            rc2, out2, err2 = run(["check", "--jsonl", "--connect-timeout", "1", "blocked25.dom.test",
                                   "s1.dom.test"] + R)
            ok = ok and "port 25 was answered" not in err2
            report("scale-port-25-silent-said", ok,
                   f"exit {rc} {d.get('status')} {err[-300:]!r} / {err3[-200:]!r} / {err2[-200:]!r}")
        finally:
            for x in held:
                x.close()
    # --resume appends to a file of results only: not to the input, nor to a file with a
    # whole line that is not one (a domain list named by mistake); either is left as it was.
    if selected("scale-resume-refuses-other-files"):
        problems = []
        mine = os.path.join(LAB, "resume-list-copy.txt")
        shutil.copyfile(listfile, mine)
        before = open(mine, "rb").read()
        rc, o2, err = run(["check", "--jsonl", "--resume", mine, "-f", mine] + R)
        if rc != 3 or "it is the input (-f)" not in err or open(mine, "rb").read() != before:
            problems.append(f"input as --resume: exit {rc}, {err[-200:]!r}")
        rc, o2, err = run(["check", "--jsonl", "--resume", mine, "-f", listfile] + R)
        if rc != 3 or "line 1 is not a line mailtls check --jsonl writes" not in err or \
                open(mine, "rb").read() != before:
            problems.append(f"a list as --resume: exit {rc}, {err[-200:]!r}")
        report("scale-resume-refuses-other-files", not problems, "; ".join(problems))
    # A line's domain is read from its start, or, when the name holds an escape, from the
    # whole line parsed: both count as done.
    if selected("scale-resume-reads-escaped-names"):
        res = os.path.join(LAB, "resume-escaped.jsonl")
        lst = os.path.join(LAB, "resume-escaped.txt")
        with open(res, "w") as f:
            f.write('{"domain":"s1.dom.test","status":"ok"}\n{"domain":"q\\"uote.dom.test","status":"crit"}\n')
        with open(lst, "w") as f:
            f.write('s1.dom.test\nq"uote.dom.test\ns2.dom.test\n')
        rc, o2, err = run(["check", "--jsonl", "--resume", res, "-f", lst] + R)
        got = domains(res)
        report("scale-resume-reads-escaped-names", rc == 0 and got == ["s1.dom.test", 'q"uote.dom.test', "s2.dom.test"]
               and "2 domains done before" in err, f"exit {rc} {got} {err[-200:]!r}")
    # Nor do standard output or --log go to the input: its own lines would be read back.
    if selected("scale-output-is-not-the-input"):
        problems = []
        mine = os.path.join(LAB, "output-list-copy.txt")
        shutil.copyfile(listfile, mine)
        before = open(mine, "rb").read()
        with open(mine, "ab") as out:
            pr = subprocess.run([BIN, "check", "--jsonl", "-f", mine] + R, stdout=out,
                                stderr=subprocess.PIPE, env=sanitizer_env(), timeout=120)
        if pr.returncode != 3 or b"standard output is the input file" not in pr.stderr:
            problems.append(f"stdout: exit {pr.returncode}, {pr.stderr[-200:]!r}")
        rc, o2, err = run(["check", "--jsonl", "--log", mine, "-f", mine] + R)
        if rc != 3 or "--log" not in err or "it is the input (-f)" not in err:
            problems.append(f"--log: exit {rc}, {err[-200:]!r}")
        if open(mine, "rb").read() != before:
            problems.append("the input was written to")
        report("scale-output-is-not-the-input", not problems, "; ".join(problems))
    # A list is untrusted bytes: a NUL, a terminal's escape codes, UTF-8 and Latin-1, CRLF, a line
    # longer than the reader's buffer, no newline at the end. Each line is one result, a
    # bad one shown with '?' for what is not printable ASCII; none swallows the next; a
    # file and a pipe agree.
    if selected("scale-hostile-list-lines"):
        raw = (b"s1.dom.test\r\n"
               b"s2.dom.test\x00s3.dom.test\n"
               b"red\x1b[31m.dom.test  # a comment\n"
               + b"x" * 5000 + b"\n"
               b"s4.dom.test..\n"
               b"b\xc3\xbccher.dom.test\n"
               b"caf\xe9.dom.test\n"
               b"\n   \t\n"
               b"s5.dom.test")
        hostile = os.path.join(LAB, "hostile-list.txt")
        with open(hostile, "wb") as f:
            f.write(raw)
        want = {"s1.dom.test": None,
                "s2.dom.test?s3.dom.test": "not a domain name",
                "red?[31m.dom.test": "not a domain name",
                "x" * 60 + "...": "the line is longer than any domain name",
                "s4.dom.test..": "empty label",
                "xn--bcher-kva.dom.test": None,
                "caf?.dom.test": "not a domain name in any script (IDNA: ",
                "s5.dom.test": None}
        problems = []
        for how in ("file", "pipe"):
            argv = [BIN, "check", "--jsonl", "-f", hostile if how == "file" else "-"] + R
            pr = subprocess.run(argv, input=raw if how == "pipe" else None, capture_output=True,
                                env=sanitizer_env(), timeout=120)
            if b"\x1b" in pr.stdout or b"\x00" in pr.stdout:
                problems.append(f"{how}: raw control bytes in the output")
            got = {}
            lines = pr.stdout.decode().splitlines()
            for line in lines:
                d = json.loads(line)
                msg = " ".join(f["message"] for f in d["findings"] if f["code"] == "DNS_FAILED")
                got[d["domain"]] = msg
            if len(lines) != len(want) or sorted(got) != sorted(want):
                problems.append(f"{how}: {len(lines)} lines, domains {sorted(got)}")
                continue
            for name, why in want.items():
                if (why is None) != (got[name] == "") or (why and why not in got[name]):
                    problems.append(f"{how}: {name}: {got[name]!r}")
            if pr.returncode != 2:
                problems.append(f"{how}: exit {pr.returncode}")
            # The run's tally on standard error: the three good names, the five bad ones.
            if not re.search(rb"8 domains in [0-9.]+ s \([0-9]+ a second\): 3 ok, 0 warn, 5 crit, 0 unknown",
                             pr.stderr):
                problems.append(f"{how}: no tally: {pr.stderr[-300:]!r}")
        report("scale-hostile-list-lines", not problems, "; ".join(problems))
    # --ordered: lines in input order, whatever finishes first (a bad name is done before it
    # is fed; a domain behind the shared MX takes a connection); on 3 workers.
    if selected("scale-ordered-jsonl"):
        mixed = []
        for i in range(1, 31):
            mixed += [f"s{i}.dom.test", f"bad_{i}!"]
        olist = os.path.join(LAB, "ordered.txt")
        with open(olist, "w") as f:
            f.write("\n".join(mixed) + "\n")
        rc, out, err = run(["check", "--jsonl", "--ordered", "--workers", "3", "--concurrency", "8", "-f", olist] + R)
        got = [json.loads(x)["domain"] for x in out.splitlines()]
        rc2, out2, _ = run(["check", "--jsonl", "--workers", "3", "--concurrency", "8", "-f", olist] + R)
        plain = [json.loads(x)["domain"] for x in out2.splitlines()]
        report("scale-ordered-jsonl", rc == 2 and got == mixed and sorted(plain) == sorted(mixed),
               f"exit {rc}, {len(got)} lines, in order: {got == mixed}; without --ordered in order: {plain == mixed}")
    cli_case("scale-ordered-needs-jsonl", ["check", "--ordered", "example.org"], 3, err_re=r"--ordered orders the lines of --jsonl")
    # The same 100 domains on one loop, on four (the main loop resolves) and on six (each
    # worker resolves): the same records, field for field (but time).
    if selected("scale-workers-same-records"):
        def records(n):
            rc, out, _ = run(["check", "--jsonl", "--workers", str(n), "-f", listfile] + R)
            recs = {}
            for line in out.splitlines():
                d = json.loads(line)
                for p in d.get("probes", []):
                    p.pop("timing_ms", None)
                d.pop("timing_ms", None)
                d.pop("checked_at", None)
                recs[d["domain"]] = d
            return rc, recs
        rc1, one = records(1)
        rc4, four = records(4)
        rc6, six = records(6)
        diff = [k for k in one if one[k] != four.get(k) or one[k] != six.get(k)]
        report("scale-workers-same-records", rc1 == rc4 == rc6 == 0 and len(one) == 100 and not diff,
               f"exit {rc1}/{rc4}/{rc6}, {len(one)}/{len(four)}/{len(six)} records, differing: {diff[:3]}")
    # A list runs its handshakes in tls/libctx.c's context (only the decoders a certificate's
    # key needs), one domain in OpenSSL's default one: every certificate case, revocation
    # case and DANE domain of the lab gives the same record either way.
    if selected("scale-lean-context-same-verdicts"):
        zone = open(os.path.join(ROOT, "tests/lab/zones/mail.test.zone")).read()
        cases = sorted({m + ".mail.test" for m in re.findall(r"^([a-z0-9.-]+)\s+A\s", zone, re.M)})
        cases += [f"{d}.dane.test" for d in ("ee", "ta", "nomatch", "single", "pkix", "bogus", "notlsa")]
        clist = os.path.join(LAB, "cases.txt")
        with open(clist, "w") as f:
            f.write("\n".join(cases) + "\n")
        L = ["--ca-file", CA, "--resolver", "127.0.0.53@5300", "--trust-anchor", DS, "--no-mta-sts",
             "--no-dns-records", "--timeout", "5"]

        # What may differ from run to run: times and durations, the OCSP responder's fresh
        # dates, and the order of a name's addresses (NSD rotates them) and so of its probes.
        def untimed(v):
            if isinstance(v, dict):
                return {k: untimed(x) for k, x in v.items() if k not in ("timing_ms", "checked_at", "ms")}
            if isinstance(v, list):
                v = [untimed(x) for x in v]
                if all(isinstance(x, str) for x in v):
                    return sorted(v)
                if all(isinstance(x, dict) and "address" in x for x in v):
                    return sorted(v, key=lambda x: (x.get("host") or "", x["address"], x.get("port") or 0))
                return v
            if isinstance(v, str):
                return re.sub(r"\d+ ms\b", "N ms", re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\dZ", "T", v))
            return v

        def norm(line):
            return untimed(json.loads(line))
        # The two --tls-scan listeners are mapped as well: the map's handshakes and its three
        # OpenSSL ones (ECDSA only, RSA only, no SNI) run in the same context.
        scanned = ("legacy.good.mail.test", "tls13.good.mail.test")
        # Six workers: from DNS_SPREAD_WORKERS on, each resolves (and validates) the names
        # that hash to it on its own libunbound context, where one domain resolves on one.
        rc, out, err = run(["check", "--jsonl", "--workers", "6", "-f", clist] + L)
        listed = {d["domain"]: d for d in map(norm, out.splitlines())}
        slist = os.path.join(LAB, "scanned.txt")
        with open(slist, "w") as f:
            f.write("\n".join(scanned) + "\n")
        _, sout, _ = run(["check", "--jsonl", "--tls-scan", "-f", slist] + L)
        for d in map(norm, sout.splitlines()):
            listed[d["domain"]] = d
        diff, codes_seen = [], set()
        for name in cases:
            _, o1, _ = run(["check", "--jsonl"] + (["--tls-scan"] if name in scanned else []) + L + [name])
            one = norm(o1.splitlines()[0]) if o1.strip() else None
            codes_seen |= {f["code"] for p in (one or {}).get("probes", []) for f in p["findings"]}
            if one != listed.get(name):
                diff.append(name)
        wanted = {"CERT_EXPIRED", "CERT_SELF_SIGNED", "CERT_HOSTNAME_MISMATCH", "CERT_WEAK_KEY", "CERT_REVOKED",
                  "DANE_VALID", "DANE_NO_MATCH", "CERT_CHAIN_INCOMPLETE", "TLS_MAP", "TLS_WEAK_DH"}
        report("scale-lean-context-same-verdicts", len(listed) == len(cases) and not diff and wanted <= codes_seen,
               f"exit {rc}, {len(listed)}/{len(cases)} records, differing: {diff[:4]}; "
               f"not seen: {sorted(wanted - codes_seen)}")
    if selected("scale-two-shards-by-parallel"):
        merged = os.path.join(LAB, "shards.jsonl")
        cmd = ["parallel", "--will-cite", BIN, "check", "--jsonl", "--shard", "{}/2", "-f", listfile] + R + [":::", "0", "1"]
        with open(merged, "w") as f:
            rc = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE, env=sanitizer_env()).returncode
        got = domains(merged)
        report("scale-two-shards-by-parallel", rc == 0 and sorted(got) == sorted(names) and len(got) == 100,
               f"exit {rc}, {len(got)} lines, {len(set(got))} distinct")
    if selected("scale-fd-limit-said"):
        import resource

        def low():
            resource.setrlimit(resource.RLIMIT_NOFILE, (200, 200))
        p = subprocess.run([BIN, "check", "--jsonl", "--concurrency", "10000", "-f", listfile] + R,
                           capture_output=True, text=True, env=sanitizer_env(), preexec_fn=low, timeout=120)
        got = [json.loads(x)["domain"] for x in p.stdout.splitlines()]
        report("scale-fd-limit-said", p.returncode == 0 and "checking with --concurrency 36" in p.stderr
               and sorted(got) == sorted(names), f"exit {p.returncode} {p.stderr[-300:]!r} {len(got)} lines")
    # --dns-concurrency: fewer queries in flight still resolve every domain; the fd budget
    # counts them instead of --concurrency's worth.
    if selected("scale-dns-concurrency"):
        rc, out, err = run(["check", "--jsonl", "--dns-concurrency", "2", "-f", listfile] + R)
        got = sorted(json.loads(x)["domain"] for x in out.splitlines())
        import resource

        def low():
            resource.setrlimit(resource.RLIMIT_NOFILE, (200, 200))
        p = subprocess.run([BIN, "check", "--jsonl", "--concurrency", "10000", "--dns-concurrency", "50",
                            "-f", listfile] + R, capture_output=True, text=True, env=sanitizer_env(),
                           preexec_fn=low, timeout=120)
        report("scale-dns-concurrency", rc == 0 and got == sorted(names) and p.returncode == 0
               and "checking with --concurrency 22" in p.stderr,
               f"exit {rc}, {len(got)} lines; fd limit: {p.returncode} {p.stderr[-200:]!r}")
    if selected("scale-per-ip-rate"):
        # Three connections to one address at 60 a minute: a second apart, so two seconds at
        # least; unbounded, the same three take milliseconds.
        argv = ["check", "--json", "--host", "good.mail.test", "--address", "127.0.0.10", "--ports",
                "25,587,465", "--ca-file", CA]
        t0 = time.time()
        rc1, _, _ = run(argv)
        free = time.time() - t0
        t0 = time.time()
        rc2, out, err = run(argv + ["--per-ip-rate", "60/min"])
        paced = time.time() - t0
        report("scale-per-ip-rate", rc1 == 0 and rc2 == 0 and paced >= 1.9 and paced > free + 1.5,
               f"exit {rc1}/{rc2}, {free:.2f} s free, {paced:.2f} s at 60/min {err[-200:]!r}")
    if selected("scale-shard-from-the-environment"):
        env = sanitizer_env({"JOB_COMPLETION_INDEX": "1"})
        env.pop("SLURM_ARRAY_TASK_ID", None)
        a = run(["check", "--jsonl", "--shard", "2", "-f", listfile] + R, env=env)
        b = run(["check", "--jsonl", "--shard", "1/2", "-f", listfile] + R)
        env.pop("JOB_COMPLETION_INDEX")
        c = run(["check", "--jsonl", "--shard", "2", "-f", listfile] + R, env=env)
        da = sorted(json.loads(x)["domain"] for x in a[1].splitlines())
        db = sorted(json.loads(x)["domain"] for x in b[1].splitlines())
        report("scale-shard-from-the-environment", a[0] == 0 and da == db and 20 < len(da) < 80 and c[0] == 3
               and "JOB_COMPLETION_INDEX" in c[2], f"{a[0]} {b[0]} {c[0]} {len(da)} {c[2]!r}")


def trust_store_cases():
    """Without --ca-file: the system store as a hashed directory (SSL_CERT_DIR, else
    OpenSSL's default), read a root at a time; SSL_CERT_FILE, when set, is honoured."""
    if not selected("trust-store"):
        return
    d = os.path.join(LAB, "hashed-ca")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    shutil.copy(CA, os.path.join(d, "lab-root.pem"))
    subprocess.run(["openssl", "rehash", d], check=True, capture_output=True)
    argv = ["check", "--json", "--host", "good.mail.test", "--address", "127.0.0.10"]
    # (SSL_CERT_FILE empty counts as unset: the directory alone is read.)
    for name, env in (("trust-store-hashed-dir", {"SSL_CERT_DIR": d, "SSL_CERT_FILE": ""}),
                      ("trust-store-ssl-cert-file", {"SSL_CERT_FILE": CA, "SSL_CERT_DIR": "/nonexistent"})):
        rc, out, err = run(argv, env=env)
        try:
            codes_ = codes(json.loads(out)["probes"][0])
        except ValueError:
            codes_ = []
        report(name, rc == 0 and "CERT_TRUSTED" in codes_, f"exit {rc} {codes_} {err[-200:]!r}")


def ping_cases(modes):
    """mailtls ping: phases present and in order, counts right, logins, the message only when
    asked and marked as a test, plaintext for comparison, open-loop starts missed (not a
    lower rate) when the server is slow, and Ctrl-C's summary."""
    if not selected("ping"):
        return
    pw = os.path.join(LAB, "dovecot", "alice.password")
    user = "alice@good.mail.test"
    order = {"smtp": ["connect", "greeting", "ehlo", "starttls", "tls", "ehlo2"],
             "imap": ["connect", "greeting", "capability", "starttls", "tls", "capability2"],
             "pop3": ["connect", "greeting", "capa", "stls", "tls", "capa2"]}

    def pcheck(name, argv, exit, n, proto, more=(), extra_check=None):
        if not selected(name):
            return
        got = run_json(name, ["ping", "--json", "--ca-file", CA, "-i", "0.05", "-c", str(n)] + argv)
        if got is None:
            return
        rc, j = got
        problems = []
        if rc != exit:
            problems.append(f"exit {rc}, expected {exit}")
        if j["transactions"] != n or len(j["samples"]) != n or [x["seq"] for x in j["samples"]] != list(range(1, n + 1)):
            problems.append(f"{j['transactions']} transactions, samples {[x['seq'] for x in j['samples']]}")
        for x in j["samples"]:
            ph = x["phases_ms"]
            want = [p for p in order[proto] if proto != "x"] + list(more)
            if "--tls" in argv or argv[0].endswith((":465", ":993", ":995")):
                want = [p for p in want if p not in ("starttls", "stls", order[proto][2])]
            if "--no-tls" in argv:
                want = order[proto][:3] + list(more)
            missing = [p for p in want if p not in ph]
            times = [ph[p] for p in want if p in ph and p not in ("greeting",)]
            if missing:
                problems.append(f"seq {x['seq']}: missing {missing}")
            elif times != sorted(times) or ph["total"] < max(times):
                problems.append(f"seq {x['seq']}: phases out of order {ph}")
        if j["summary_ms"].get("total", {}).get("n", 0) != sum(1 for x in j["samples"] if "total" in x["phases_ms"]):
            problems.append(f"summary {j['summary_ms'].get('total')}")
        if extra_check and not problems:
            why = extra_check(j)
            if why:
                problems.append(why)
        report(name, not problems, "; ".join(problems))

    pcheck("ping-smtp-587-phases", ["good.mail.test:587", "--address", "127.0.0.10"], 0, 3, "smtp", ("noop", "quit"))
    pcheck("ping-smtp-465-login", ["good.mail.test:465", "--address", "127.0.0.10", "--user", user,
                                   "--password-file", pw], 0, 2, "smtp", ("auth", "noop", "quit"))
    pcheck("ping-imap-143-login", ["good.mail.test:143", "--address", "127.0.0.40", "--user", user,
                                   "--password-file", pw], 0, 2, "imap", ("login", "noop", "logout"))
    pcheck("ping-imap-993", ["good.mail.test:993", "--address", "127.0.0.40"], 0, 2, "imap", ("noop", "logout"))
    pcheck("ping-pop3-110-login", ["good.mail.test:110", "--address", "127.0.0.40", "--user", user,
                                   "--password-file", pw], 0, 2, "pop3", ("auth", "noop", "quit"))
    pcheck("ping-pop3-995", ["good.mail.test:995", "--address", "127.0.0.40"], 0, 2, "pop3", ("quit",))
    pcheck("ping-refused-recipient-is-a-failure", ["good.mail.test:25", "--address", "127.0.0.10", "--from",
                                                   "a@example.test", "--to", "b@example.test"], 2, 2, "smtp",
           ("mailfrom", "rcptto"),
           lambda j: None if j["failed"] == 2 and "TRANSACTION_REFUSED" in j["samples"][0]["error"] else j["samples"][0])
    maillog = os.path.join(LAB, "postfix", "maillog")

    def messages():
        try:
            return sum(1 for line in open(maillog) if "message-id=<mailtls-ping-" in line)
        except OSError:
            return 0
    if selected("ping-message-only-when-asked"):
        before = messages()
        base = ["ping", "good.mail.test:587", "--address", "127.0.0.10", "--ca-file", CA, "-i", "0.05", "--user", user,
                "--password-file", pw, "--from", user, "--to", user]
        rc1, out1, err1 = run(base + ["-c", "2"])
        time.sleep(0.5)
        mid = messages()
        rc2, out2, err2 = run(base + ["-c", "3", "--data", "--size", "4000"])
        time.sleep(1.0)
        after = messages()
        report("ping-message-only-when-asked", rc1 == 0 and rc2 == 0 and mid == before and after == before + 3,
               f"exit {rc1}/{rc2}; messages {before} -> {mid} (no --data) -> {after} (--data -c 3); {err2[-200:]!r}")
    if selected("ping-data-needs-a-recipient"):
        rc, out, err = run(["ping", "good.mail.test:587", "--data", "--from", user])
        report("ping-data-needs-a-recipient", rc == 3 and "--from and --to go together" in err, f"{rc} {err!r}")
    pcheck("ping-no-tls-as-smtpping", ["good.mail.test:25", "--address", "127.0.0.10", "--no-tls"], 0, 2, "smtp",
           (), lambda j: None if not j["tls"] and all("tls" not in x["phases_ms"] for x in j["samples"]) else "TLS used")
    if selected("ping-open-loop-misses-not-slows"):
        # A greeting held back 3 s, one connection allowed, 2 starts a second for 2 s: the
        # starts that find the one connection busy are missed and counted.
        rc, out, err = run(["ping", "--json", "good.mail.test", "--address", HOSTILE_ADDR, "--port",
                            str(modes["slowgreet"]), "--rate", "2", "--duration", "2", "--concurrency", "1",
                            "--ca-file", CA])
        j = json.loads(out) if out.startswith("{") else {}
        r = j.get("rate", {})
        report("ping-open-loop-misses-not-slows", rc == 0 and j.get("transactions") == 1 and r.get("missed", 0) >= 2
               and j["samples"][0]["phases_ms"]["greeting"] >= 2900, f"exit {rc} {r} {out[:300]!r}")
    if selected("ping-interrupt-prints-summary"):
        p = subprocess.Popen([BIN, "ping", "good.mail.test:587", "--address", "127.0.0.10", "--ca-file", CA, "-c", "100",
                              "-i", "0.3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=sanitizer_env())
        time.sleep(1.2)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        n = out.count("\nseq=")
        report("ping-interrupt-prints-summary", p.returncode == 0 and "(interrupted)" in out and "phase (ms)" in out
               and 2 <= n < 100, f"exit {p.returncode}, {n} lines, {out[-300:]!r} {err[-200:]!r}")


def vmap(p):
    """--tls-scan's versions as {"TLSv1.2": entry}."""
    return {v["version"]: v for v in p["tls_map"]["versions"]}


def accepted_suites(p):
    """{(version, OpenSSL name)} the map says the server accepts."""
    return {(v["version"], s["openssl"]) for v in p["tls_map"]["versions"] for s in v["suites"]}


def sslscan_suites(addr):
    """sslscan's accepted suites at addr:25 as {(version, name)}; its TLSv1.0 is our TLSv1."""
    out = subprocess.run(["sslscan", "--starttls-smtp", "--no-colour", "--no-heartbleed", "--no-renegotiation",
                          "--no-compression", "--no-fallback", "--no-groups", "--no-check-certificate",
                          "--xml=-", f"{addr}:25"], capture_output=True, text=True, timeout=120).stdout
    got = set()
    for m in re.finditer(r'<cipher status="(?:accepted|preferred)" sslversion="([^"]+)"[^>]* cipher="([^"]+)"', out):
        got.add(("TLSv1" if m.group(1) == "TLSv1.0" else m.group(1), m.group(2)))
    return got


def openssl_accepts(addr, version, name):
    """Whether openssl s_client completes a handshake with this one suite at this version."""
    flag = {"TLSv1": "-tls1", "TLSv1.1": "-tls1_1", "TLSv1.2": "-tls1_2", "TLSv1.3": "-tls1_3"}[version]
    sel = ["-ciphersuites", name] if version == "TLSv1.3" else ["-cipher", name + ":@SECLEVEL=0"]
    p = subprocess.run(["openssl", "s_client", "-starttls", "smtp", "-connect", f"{addr}:25", flag] + sel,
                       input="", capture_output=True, text=True, timeout=30)
    # "New, SSLv3, Cipher is DHE-RSA-AES128-SHA" names the suite's first version, not the session's.
    return re.search(r"^New, \S+, Cipher is (?!\(NONE\))", p.stdout, re.M) is not None


def scan_cases(modes):
    """check --tls-scan against Postfix listeners built for it (postfix.sh tls=...), with sslscan and
    openssl s_client as the second opinions."""
    def scan(host, addr, *extra):
        return ["--host", host, "--address", addr, "--tls-scan", "--no-dane", "--revocation", "none"] + list(extra)

    def legacy(p):
        v = vmap(p)
        ms = [c for c in p["tls_map"]["clients"] if c["name"] == "microsoft-365"][0]
        if (ms["ok"], ms["version"], ms["suite"]) != (True, "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"):
            return f"microsoft-365 {ms}"
        want = ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA", "DHE-RSA-AES128-SHA"]
        got = [s["openssl"] for s in v["TLSv1.2"]["suites"]]
        if got != want or v["TLSv1.2"]["order"] != "server":
            return f"TLSv1.2 {got} order {v['TLSv1.2']['order']}"
        if [s["openssl"] for s in v["TLSv1"]["suites"]] != want[1:]:
            return f"TLSv1 {v['TLSv1']['suites']}"
        if v["TLSv1.3"]["accepted"] is not False or "protocol_version" not in v["TLSv1.3"]["refusal"]:
            return f"TLSv1.3 {v['TLSv1.3']}"
        if v["SSLv3"]["accepted"] is not False or v["TLSv1.2"]["dhe_bits"] != 1024:
            return f"SSLv3 {v['SSLv3']} dhe {v['TLSv1.2']['dhe_bits']}"
        if v["TLSv1.2"]["ecdhe_group"] != "x25519":
            return f"ecdhe group {v['TLSv1.2']['ecdhe_group']}"
        if p["tls_map"]["certificates"]["ecdsa"]["chain"] != []:
            return "an ECDSA certificate where the server has none"
        return None
    case("tls-scan-legacy", scan("legacy.good.mail.test", "127.0.0.85"), 1,
         has=("TLS_MAP", "TLS_LEGACY_VERSION", "TLS_NO_TLS13", "TLS_WEAK_DH", "CERT_TRUSTED"),
         lacks=("TLS_WEAK_CIPHER", "TLS_MAP_INCOMPLETE", "CERT_ALT_CHAIN_PROBLEM", "TLS_NO_SECURE_RENEGOTIATION"),
         check=all_of(legacy, severity("TLS_WEAK_DH", "warn"), message("TLS_WEAK_DH", "1024-bit prime"),
                      message("TLS_LEGACY_VERSION", "TLSv1.1")))

    def dual(p):
        cl = {c["name"]: c for c in p["tls_map"]["clients"]}
        # The OpenSSL 1.0 MTA prefers RSA suites: it is the sender given the expired chain.
        if (cl["openssl-1.0"]["version"], cl["openssl-1.0"]["suite"], cl["openssl-1.0"]["certificate"]) != \
                ("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384", "rsa"):
            return f"openssl-1.0 {cl['openssl-1.0']}"
        if (cl["postfix"]["version"], cl["postfix"]["certificate"], cl["postfix"]["group"]) != ("TLSv1.3", "ecdsa", "x25519"):
            return f"postfix {cl['postfix']}"
        c = p["tls_map"]["certificates"]
        if not c["ecdsa"]["same_as_check"] or c["rsa"]["same_as_check"]:
            return f"same_as_check ecdsa {c['ecdsa']['same_as_check']} rsa {c['rsa']['same_as_check']}"
        if c["rsa"]["status"] != "crit" or "CERT_EXPIRED" not in codes(c["rsa"]):
            return f"rsa certificate {c['rsa']['status']} {codes(c['rsa'])}"
        if c["rsa"]["chain"][0]["key"]["type"] != "RSA" or p["chain"][0]["key"]["type"] != "EC":
            return f"keys {c['rsa']['chain'][0]['key']} {p['chain'][0]['key']}"
        return None
    case("tls-scan-dual-chain-rsa-expired", scan("dual.mail.test", "127.0.0.86"), 2,
         has=("CERT_ALT_CHAIN_PROBLEM", "CERT_TRUSTED", "CERT_DATES_OK"), lacks=("CERT_EXPIRED",),
         check=all_of(dual, message("CERT_ALT_CHAIN_PROBLEM", "RSA certificate"),
                      message("CERT_ALT_CHAIN_PROBLEM", "expired")))

    def sni(p):
        c = p["tls_map"]["certificates"]["no-sni"]
        if "other.example.test" not in c["chain"][0]["subject"] or "CERT_HOSTNAME_MISMATCH" not in codes(c):
            return f"no-sni {c['chain'][0]['subject']} {codes(c)}"
        if not p["tls_map"]["certificates"]["rsa"]["same_as_check"]:
            return "the RSA handshake (with SNI) should get the SNI certificate"
        return None
    case("tls-scan-sni-default-differs", scan("sni.mail.test", "127.0.0.87"), 1,
         has=("CERT_NO_SNI_DIFFERENT", "CERT_HOSTNAME_OK"), lacks=("CERT_HOSTNAME_MISMATCH",),
         check=all_of(sni, severity("CERT_NO_SNI_DIFFERENT", "warn"), message("CERT_NO_SNI_DIFFERENT", "other.example.test")))

    def tls13(p):
        v = vmap(p)
        acc = [n for n, e in v.items() if e["accepted"]]
        if acc != ["TLSv1.3"] or len(v["TLSv1.3"]["suites"]) != 3:
            return f"accepted {acc} {v['TLSv1.3']['suites']}"
        if not {"x25519", "secp256r1", "secp384r1"} <= set(p["tls_map"]["groups_tls13"]):
            return f"groups {p['tls_map']['groups_tls13']}"
        if "protocol_version" not in v["TLSv1.2"]["refusal"]:
            return f"TLSv1.2 refusal {v['TLSv1.2']['refusal']}"
        return None
    # An OpenSSL 1.0 MTA speaks no TLS 1.3: against a TLS 1.3-only server it fails (and says so).
    case("tls-scan-tls13-only", scan("tls13.good.mail.test", "127.0.0.88"), 1,
         has=("TLS_MAP", "TLS_CLIENT_FAILS"), lacks=("TLS_LEGACY_VERSION", "TLS_NO_TLS13", "TLS_WEAK_CIPHER"),
         check=all_of(tls13, message("TLS_CLIENT_FAILS", "OpenSSL 1.0.2 (medium grade) would fail: no version in common")))

    # Postfix's defaults: TLS 1.0 up, client order, anonymous suites for opportunistic TLS
    # (warn, not crit: only a client that offers them gets them). No certificate without SNI
    # when the check names an address: no SNI was sent in the first place.
    def good(p):
        v = vmap(p)
        if v["TLSv1.2"]["order"] != "client" or not any(s["auth"] == "none" for s in v["TLSv1.2"]["suites"]):
            return f"TLSv1.2 order {v['TLSv1.2']['order']}"
        if p["tls_map"]["certificates"]["no-sni"] is not None:
            return "a no-SNI handshake for an address"
        if p["tls_map"]["secure_renegotiation"] is not True or p["tls_map"]["extended_master_secret"] is not True:
            return "renegotiation_info and EMS expected"
        return None
    case("tls-scan-postfix-defaults", scan("127.0.0.10", "127.0.0.10"), 2,
         has=("TLS_WEAK_CIPHER", "TLS_LEGACY_VERSION", "CERT_HOSTNAME_MISMATCH"), lacks=("TLS_NO_TLS13",),
         check=all_of(good, severity("TLS_WEAK_CIPHER", "warn"), message("TLS_WEAK_CIPHER", "ADH-AES128-SHA in TLSv1.2")))

    # Agreement: every suite sslscan finds, mailtls finds, and no other, on two listeners;
    # and each suite mailtls lists on the legacy one completes a real handshake in s_client.
    for name, host, addr in (("legacy", "legacy.good.mail.test", "127.0.0.85"), ("good", "good.mail.test", "127.0.0.10")):
        if not selected(f"tls-scan-agrees-with-sslscan-{name}"):
            continue
        rc, out, _ = run(["check", "--json", "--ca-file", CA] + scan(host, addr))
        try:
            mine = accepted_suites(json.loads(out)["probes"][0])
        except Exception as ex:
            report(f"tls-scan-agrees-with-sslscan-{name}", False, f"no map: {ex!r}")
            continue
        theirs = sslscan_suites(addr)
        report(f"tls-scan-agrees-with-sslscan-{name}", mine == theirs and len(mine) > 5,
               f"only mailtls {sorted(mine - theirs)}; only sslscan {sorted(theirs - mine)}")
        if name == "legacy" and selected("tls-scan-agrees-with-s_client"):
            bad = [(v, s) for v, s in sorted(mine) if not openssl_accepts(addr, v, s)]
            # ... and a suite it refuses, to show s_client can fail here
            control = openssl_accepts(addr, "TLSv1.2", "AES256-SHA")
            report("tls-scan-agrees-with-s_client", not bad and not control,
                   f"s_client refused {bad}; control AES256-SHA accepted: {control}")

    # Hostile: random bytes where the ServerHello belongs, and a close after STARTTLS's 220.
    def refused_all(why):
        def check(p):
            v = vmap(p)
            if any(e["accepted"] is not False for e in v.values()):
                return f"versions {[(n, e['accepted']) for n, e in v.items()]}"
            if not all(e["refusal"] and re.search(why, e["refusal"]) for e in v.values()):
                return f"refusals {[e['refusal'] for e in v.values()]}"
            return None
        return check
    base = ["--host", "good.mail.test", "--address", HOSTILE_ADDR, "--timeout", "5", "--tls-scan", "--no-dane",
            "--revocation", "none"]
    case("tls-scan-hostile-garbage-hello", base + ["--port", str(modes["tlsgarbage"])], 2,
         has=("TLS_HANDSHAKE_FAILED", "TLS_MAP"), check=all_of(refused_all(""), message("TLS_MAP", "no version accepted")))
    # The server closes at once after its 220: a hello that reaches it first turns the close
    # into a reset (RFC 1122 4.2.2.13), so either is the server ending the connection.
    case("tls-scan-hostile-close-after-starttls", base + ["--port", str(modes["dropstarttls"])], 2,
         has=("TLS_HANDSHAKE_FAILED", "TLS_MAP"), check=refused_all("closed by server|reset by peer"))
    case("tls-scan-not-without-tls", base + ["--port", str(modes["nostarttls"])], 2,
         has=("STARTTLS_NOT_OFFERED",), lacks=("TLS_MAP",), check=lambda p: None if "tls_map" not in p else "a map")
    # Profiles as data: the legacy listener fails the NCSC guidelines on its versions, CBC with
    # SHA-1 and its 1024-bit DH; the TLS 1.3-only one is "sufficient" (TLS_AES_128_GCM_SHA256);
    # Mozilla's modern profile sees the lab's x448 and secp521r1 outside its curves.
    def graded(profile, grade):
        def check(p):
            g = p["tls_map"]["profile"]
            if g["name"] != profile or g["grade"] != grade:
                return f"profile {g}"
            return None
        return check
    case("tls-profile-ncsc-legacy", scan("legacy.good.mail.test", "127.0.0.85", "--tls-profile", "ncsc"), 2,
         has=("TLS_PROFILE",), check=all_of(graded("ncsc", "insufficient"), severity("TLS_PROFILE", "crit"),
                                             message("TLS_PROFILE", "TLSv1.1, TLSv1, ECDHE-RSA-AES128-SHA"),
                                             message("TLS_PROFILE", "DHE 1024 bits"),
                                             lambda p: None if [s["grade"] for s in vmap(p)["TLSv1.2"]["suites"]] ==
                                             ["sufficient", "insufficient", "insufficient"] else vmap(p)["TLSv1.2"]))
    case("tls-profile-ncsc-tls13", scan("tls13.good.mail.test", "127.0.0.88", "--tls-profile", "ncsc"), 1,
         has=("TLS_PROFILE", "TLS_CLIENT_FAILS"), check=all_of(graded("ncsc", "sufficient"), severity("TLS_PROFILE", "ok"),
                                                              message("TLS_PROFILE", "TLS_AES_128_GCM_SHA256")))
    case("tls-profile-mozilla-modern", scan("tls13.good.mail.test", "127.0.0.88", "--tls-profile", "mozilla-modern"), 1,
         has=("TLS_PROFILE",), check=all_of(graded("mozilla-modern", "outside"), message("TLS_PROFILE", "x448")))
    cli_case("tls-profile-unknown", ["check", "--host", "good.mail.test", "--tls-profile", "nsa"], 3,
             err_re=r"--tls-profile nsa: no such profile; there are: ncsc, mozilla-intermediate, mozilla-modern")
    badprof = os.path.join(LAB, "bad-profiles.yml")
    with open(badprof, "w") as f:
        f.write("profiles:\n  - name: mine\n    grades: [{name: ok, severity: ok}]\n    suites:\n"
                "      - {enc: [AES, ROT13], grade: ok}\n")
    cli_case("tls-profiles-file-refused-with-line", ["check", "--host", "good.mail.test", "--tls-profile", "mine",
                                                      "--tls-profiles", badprof], 3,
             err_re=r"bad-profiles.yml: line 5: enc: \"ROT13\" is unknown")
    cli_case("tls-scan-pause-needs-scan", ["check", "--host", "good.mail.test", "--scan-pause", "0.1"], 3,
             err_re=r"--scan-pause spaces the connections of --tls-scan; add --tls-scan")
    cli_case("tls-scan-not-with-chain", ["check", "--host", "good.mail.test", "--tls-scan", "--chain",
                                         os.path.join(PKI, "good.chain.pem")], 3, err_re=r"--tls-scan maps a server")


def main():
    hostile, modes = start_lab()
    try:
        lab_cases()
        hostile_cases(modes)
        mailbox_cases()
        domain_cases()
        peer_cases()
        dane_cases()
        sts_cases()
        cli_cases()
        docs_cases()
        nagios_cases()
        serve_cases(modes)
        log_cases()
        policy_cases()
        ports_cases(modes)
        auth_cases(modes)
        revocation_cases()
        pki_cases()
        chain_file_cases()
        ping_cases(modes)
        retry_cases(modes)
        scale_cases()
        trust_store_cases()
        scan_cases(modes)
    finally:
        stop_lab(hostile)
    print(f"e2e: {results['pass']} passed, {results['fail']} failed")
    return 1 if results["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
