# RFC 9051 7.1 (the ALERT response code) and 6.2.1: an untagged "* OK [ALERT] ..." before
# "S OK" belongs to the STARTTLS reply; it is not plaintext after it, so the handshake
# starts on "S OK" with nothing discarded (no STARTTLS_INJECTION).
protocol imap
mode starttls
S: * OK imap.example.test ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED
S: C OK done
C: S STARTTLS
S: * OK [ALERT] Maintenance tonight at 22:00
S: S OK Begin TLS negotiation now
TLS
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 AUTH=PLAIN
S: C OK done
C: L LOGOUT
S: * BYE
S: L OK
expect finding TLS_ESTABLISHED
expect no STARTTLS_INJECTION STARTTLS_REJECTED PROTOCOL_ERROR
expect stale 0
expect status ok
