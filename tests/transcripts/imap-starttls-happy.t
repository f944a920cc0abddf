# RFC 9051 6.2.1 (and RFC 2595 3.1): greeting, CAPABILITY listing STARTTLS, "S OK", TLS, and
# CAPABILITY again because "the client MUST discard cached information about server
# capabilities" once TLS has started; then LOGOUT, whose "* BYE" and tagged OK end it
# (RFC 9051 6.1.3). Capabilities before and after TLS are recorded apart.
protocol imap
mode starttls
S: * OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] imap.example.test ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 SASL-IR LITERAL+ STARTTLS LOGINDISABLED
S: C OK Pre-login capabilities listed
C: S STARTTLS
S: S OK Begin TLS negotiation now
TLS
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN
S: C OK Capability completed
C: L LOGOUT
S: * BYE Logging out
S: L OK Logout completed
expect finding TLS_ESTABLISHED
expect no STARTTLS_NOT_OFFERED STARTTLS_REJECTED STARTTLS_INJECTION PROTOCOL_ERROR TIMEOUT BANNER_REJECTED
expect status ok
expect stale 0
expect capa plain IMAP4rev1 SASL-IR LITERAL+ STARTTLS LOGINDISABLED
expect capa tls IMAP4rev1 SASL-IR AUTH=PLAIN
