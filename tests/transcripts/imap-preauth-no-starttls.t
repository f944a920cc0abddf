# RFC 9051 7.1.4 and 6.2.1: a PREAUTH greeting whose CAPABILITY (correctly) leaves out
# STARTTLS, which is invalid in the authenticated state: the session can never reach TLS:
# STARTTLS_NOT_OFFERED, then LOGOUT.
protocol imap
mode starttls
S: * PREAUTH imap.example.test logged in as bob
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 IDLE
S: C OK done
C: L LOGOUT
S: * BYE
S: L OK
expect finding STARTTLS_NOT_OFFERED
expect no BANNER_REJECTED TLS_ESTABLISHED PROTOCOL_ERROR
expect status crit
expect capa plain IMAP4rev1 IDLE
