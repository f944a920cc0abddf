#!/usr/bin/env python3
"""seeds.py - write the small seed corpora of tests/fuzz/corpus/ (run from anywhere; the
files it writes are committed). Certificates come from the lab PKI (build/lab/pki, made by
tests/lab/pki.sh) when it exists. Every seed is a well-formed case of its target's input
layout (see the comment at the top of each target), so the fuzzer starts from inputs that
reach deep into the parser rather than from nothing.
"""
import base64
import os
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PKI = os.path.join(ROOT, "build/lab/pki")


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# ---- reply grammars: a selector byte, then lines
put("reply_smtp", "greeting", b"\x00220 mx.example.test ESMTP\r\n")
put("reply_smtp", "ehlo", b"\x01250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
put("reply_smtp", "starttls-refused", b"\x02454 4.7.0 TLS not available\r\n")
put("reply_imap", "greeting", b"\x00* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n")
put("reply_imap", "capability", b"\x01* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\nC OK done\r\n")
put("reply_imap", "starttls", b"\x02* OK [ALERT] hello\r\nS OK begin TLS\r\n")
put("reply_pop3", "greeting", b"\x00+OK POP3 ready\r\n")
put("reply_pop3", "capa", b"\x01+OK\r\nTOP\r\nSTLS\r\nUSER\r\n..dot\r\n.\r\n")
put("reply_pop3", "stls-temp", b"\x02-ERR [SYS/TEMP] later\r\n")

# ---- line reader: max selector, split seed, stream
put("lines", "short", b"\x03\x07ab\r\ncd\nefgh\r\nijklm\r\n")
put("lines", "crlf-at-max", b"\x03\x01abcd\r\nefgh\r\n")
put("lines", "long", b"\x80\x05" + b"220 " + b"x" * 4092 + b"\r\n")

# ---- the list reader: a seed byte (where the pipe's pieces are cut), then the list
put("list", "plain", b"\x07a.test\r\n# comment\n\n  b.test  # and one\nlast.test")
put("list", "hostile", b"\x2a" + b"c.test\x00d.test\ne\x1b[31m.test\ncaf\xc3\xa9.test\n\t\n")
put("list", "idn", b"\x11" + "bücher.test\nFaß.DE\n中国.cn\ni♥.test\n".encode() + b"caf\xe9.test\ne\x1b.f\xc3\xa9\n")
put("list", "long", b"\x05" + b"x" * 3000 + b"\nok.test\n" + b"y" * 1022 + b"\n" + b"z" * 1023 + b"\n")


# ---- session: head byte (dialect, mode), then events
def deliver(text):
    out = b""
    for i in range(0, len(text), 32):
        chunk = text[i:i + 32]
        out += bytes([((len(chunk) - 1) << 3) | 0]) + chunk
    return out


TLS, CLOSE, TIMER = b"\x05", b"\x06", b"\x07"
put("session", "smtp-starttls", b"\x00" + deliver(b"220 mx ESMTP\r\n") + deliver(b"250-mx\r\n250 STARTTLS\r\n")
    + deliver(b"220 go ahead\r\n") + TLS + deliver(b"250-mx\r\n250 8BITMIME\r\n") + deliver(b"221 bye\r\n"))
put("session", "smtp-implicit", b"\x04" + TLS + deliver(b"220 mx ESMTP\r\n") + deliver(b"250 mx\r\n") + deliver(b"221 bye\r\n"))
put("session", "smtp-injection", b"\x00" + deliver(b"220 mx ESMTP\r\n") + deliver(b"250-mx\r\n250 STARTTLS\r\n")
    + deliver(b"220 go\r\n250 PIPELINING\r\n") + TLS + deliver(b"250 mx\r\n") + CLOSE)
put("session", "smtp-timeout", b"\x00" + deliver(b"220 mx ESMTP\r\n") + TIMER)
put("session", "imap-starttls", b"\x01" + deliver(b"* OK ready\r\n") + deliver(b"* CAPABILITY IMAP4rev1 STARTTLS\r\nC OK done\r\n")
    + deliver(b"S OK begin\r\n") + TLS + deliver(b"* CAPABILITY IMAP4rev1\r\nC OK\r\n") + deliver(b"* BYE\r\nL OK\r\n"))
put("session", "pop3-stls", b"\x02" + deliver(b"+OK ready\r\n") + deliver(b"+OK\r\nSTLS\r\nUSER\r\n.\r\n")
    + deliver(b"+OK go\r\n") + TLS + deliver(b"+OK\r\nUSER\r\n.\r\n") + deliver(b"+OK bye\r\n"))


# ---- DNS packets: a DNSSEC byte, then the answer
def name(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".") if l) + b"\x00"


def packet(qname, qtype, answers, rcode=0):
    hdr = struct.pack(">HHHHHH", 0x1234, 0x8180 | rcode, 1, len(answers), 0, 0)
    q = name(qname) + struct.pack(">HH", qtype, 1)
    rrs = b""
    for rtype, rdata in answers:
        rrs += b"\xc0\x0c" + struct.pack(">HHIH", rtype, 1, 300, len(rdata)) + rdata
    return hdr + q + rrs


put("dns", "mx-two", b"\x02" + packet("example.test", 15, [(15, b"\x00\x0a" + name("mx1.example.test")),
                                                          (15, b"\x00\x14" + name("mx2.example.test"))]))
put("dns", "mx-null", b"\x01" + packet("example.test", 15, [(15, b"\x00\x00\x00")]))
put("dns", "a-cname", b"\x01" + packet("mx.example.test", 1, [(5, name("real.example.test")), (1, bytes([192, 0, 2, 25]))]))
put("dns", "aaaa", b"\x02" + packet("mx.example.test", 28, [(28, bytes(15) + b"\x01")]))
put("dns", "tlsa", b"\x02" + packet("_25._tcp.mx.example.test", 52, [(52, b"\x03\x01\x01" + bytes(range(32)))]))
put("dns", "txt", b"\x00" + packet("example.test", 16, [(16, b"\x06v=spf1\x05 -all")]))
put("dns", "nxdomain", b"\x01" + packet("nx.example.test", 15, [], rcode=3))

# ---- TXT records, as C strings
put("spf", "typical", "v=spf1 mx a:mail.example.org ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.net ~all")
put("spf", "redirect-macro", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} redirect=_spf.example.org")
put("dmarc", "typical", "v=DMARC1; p=reject; sp=quarantine; pct=50; rua=mailto:d@example.org,mailto:e@example.net")
key = b""
try:
    pem = subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
                         capture_output=True, check=True).stdout
    key = subprocess.run(["openssl", "pkey", "-pubout", "-outform", "DER"], input=pem, capture_output=True,
                         check=True).stdout
except (OSError, subprocess.CalledProcessError):
    pass
if key:
    put("dkim", "rsa2048", "v=DKIM1; k=rsa; p=" + base64.b64encode(key).decode())
put("dkim", "ed25519", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
put("dkim", "revoked", "v=DKIM1; p=")
put("tlsrpt", "typical", "v=TLSRPTv1; rua=mailto:tlsrpt@example.org,https://report.example.org/v1")

# ---- json_stream: a small program of values (see the target's comment)
def jstr(b):
    return bytes([0, len(b)]) + b


put("json_stream", "record", bytes([5]) + jstr(b"domain") + jstr(b"example.test") + jstr(b"ms") + bytes([2])
    + struct.pack(">d", 0.2789350003004074) + jstr(b"probes") + bytes([4, 5]) + jstr(b"port") + bytes([1])
    + struct.pack(">q", 25) + jstr(b"ok") + bytes([3, 0]) + bytes([6, 6, 6]))
put("json_stream", "escapes", jstr(b'a"b\\c\x01\x1f\t\n\r\x08\x0c') + jstr("caf\u00e9 \u20ac \U0001f512".encode()))
put("json_stream", "numbers", bytes([1]) + struct.pack(">q", -2**63) + bytes([2]) + struct.pack(">d", 1e21)
    + bytes([2]) + struct.pack(">d", 5e-324) + bytes([2]) + struct.pack(">d", -0.0))
put("sts_txt", "typical", "v=STSv1; id=20261123T1;")
put("sts_txt", "extension", "v=STSv1;id=abc123 ; ext-field=value")

# ---- MTA-STS policy: host line, body
POLICY = b"version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmx: *.example.test\r\nmax_age: 86400\r\n"
put("sts_policy", "enforce", b"mx1.example.test\n" + POLICY)
put("sts_policy", "testing-lf", b"a.example.test\nversion: STSv1\nmode: testing\nmx: *.example.test\nmax_age: 604800\n")

# ---- MTA-STS fetch: flags, nmx, content type, (facts, host)*, body
put("sts_fetch", "enforce-two-mx", b"\x00\x02text/plain; charset=utf-8\n\x0fmx1.example.test\n\x03mx2.example.test\n" + POLICY)
put("sts_fetch", "redirect", b"\x04\x01text/html\n\x0fmx1.example.test\n<html>moved</html>")

# ---- certificates
def der(path):
    return subprocess.run(["openssl", "x509", "-in", path, "-outform", "DER"], capture_output=True,
                          check=True).stdout


if os.path.isdir(PKI):
    for case in ("good", "expired", "selfsigned", "noint", "rsa1024", "sha1", "cnonly", "badipsan"):
        crt = os.path.join(PKI, case + ".crt")
        if os.path.exists(crt):
            chain = der(crt) + (der(os.path.join(PKI, "int.pem")) if case not in ("selfsigned", "noint") else b"")
            put("cert_der", case, b"\x01" + case.encode() + b".mail.test\n" + chain)

# cert_fields: flags key digest before after ku eku nsan, CN, SANs, permit, exclude, host, tlsa
put("cert_fields", "good-under-intermediate",
    b"\x01\x00\x00\x80\x50\x00\x00\x02good.mail.test\n\x01good.mail.test\n\x00\x04\xc0\x00\x02\x19\n\ngood.mail.test\n\x01")
put("cert_fields", "wildcard-excluded",
    b"\x01\x00\x00\x80\x50\x00\x00\x01*.example.test\n\x01*.example.test\n\nbar.example.test\nbar.example.test\n\x00")
put("cert_fields", "self-signed-rsa1024-sha1",
    b"\x08\x02\x01\x80\x50\x00\x00\x00self.example.test\n\n\nself.example.test\n\x00")
put("cert_fields", "zero-length-ip-san",
    b"\x01\x00\x00\x80\x50\x00\x00\x02good.mail.test\n\x00\x00\x01good.mail.test\n\n\ngood.mail.test\n\x00")
