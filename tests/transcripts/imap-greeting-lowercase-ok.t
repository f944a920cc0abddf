# RFC 9051 9 ("the ABNF ... literal strings are case-insensitive", RFC 5234 2.3): "* ok"
# is an OK greeting like "* OK"; the session goes on to TLS.
protocol imap
mode starttls
S: * ok imap.example.test ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED
S: C ok done
C: S STARTTLS
S: S ok go
TLS
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1
S: C ok done
C: L LOGOUT
S: * BYE
S: L ok
expect finding TLS_ESTABLISHED
expect no BANNER_REJECTED PROTOCOL_ERROR STARTTLS_REJECTED
expect status ok
