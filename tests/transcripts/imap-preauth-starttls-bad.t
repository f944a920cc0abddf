# RFC 9051 7.1.4 and 6.2.1: a PREAUTH greeting that still advertises STARTTLS (in its
# response code) is no invitation: STARTTLS is invalid once authenticated, and a client
# that sent it would be answered BAD. IMAP_PREAUTH, the client logs out without trying.
protocol imap
mode starttls
S: * PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] imap.example.test logged in as bob
C: L LOGOUT
S: * BYE
S: L OK
expect finding IMAP_PREAUTH
expect no BANNER_REJECTED TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_REJECTED
expect status crit
