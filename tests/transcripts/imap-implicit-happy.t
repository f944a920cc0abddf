# RFC 8314 3.3 (IMAP on 993) and RFC 9051 7.1.1: the handshake first, then the "* OK"
# greeting, CAPABILITY (recorded as over TLS), LOGOUT. No STARTTLS is ever sent.
protocol imap
mode implicit
TLS
S: * OK imap.example.test ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev2 IMAP4rev1 AUTH=PLAIN AUTH=SCRAM-SHA-256 IDLE
S: C OK done
C: L LOGOUT
S: * BYE bye
S: L OK done
expect finding TLS_ESTABLISHED
expect no STARTTLS_NOT_OFFERED STARTTLS_REJECTED PROTOCOL_ERROR TIMEOUT BANNER_REJECTED
expect status ok
expect capa tls IMAP4rev2 IMAP4rev1 AUTH=PLAIN AUTH=SCRAM-SHA-256 IDLE
