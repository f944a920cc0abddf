# RFC 9051 6.1.1 (capability names are case-insensitive; RFC 5234 2.3: ABNF literal text
# such as "CAPABILITY" is case-insensitive too): "* capability imap4rev1 starttls" offers
# STARTTLS.
protocol imap
mode starttls
S: * OK ready
C: C CAPABILITY
S: * capability imap4rev1 starttls logindisabled
S: C OK done
C: S STARTTLS
S: S OK go
TLS
C: C CAPABILITY
S: * capability imap4rev1
S: C OK done
C: L LOGOUT
S: * BYE
S: L OK
expect finding TLS_ESTABLISHED
expect no STARTTLS_NOT_OFFERED PROTOCOL_ERROR
expect status ok
expect capa plain STARTTLS IMAP4rev1 LOGINDISABLED
