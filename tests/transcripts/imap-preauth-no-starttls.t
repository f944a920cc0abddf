# RFC 9051 7.1.4 and 6.2.1: a PREAUTH greeting before TLS logs the client in, and STARTTLS is
# valid only in the Not Authenticated state: the session can never reach TLS. IMAP_PREAUTH,
# and the client logs out at once (no CAPABILITY, no STARTTLS it knows must fail).
protocol imap
mode starttls
S: * PREAUTH imap.example.test logged in as bob
C: L LOGOUT
S: * BYE
S: L OK
expect finding IMAP_PREAUTH
expect message IMAP_PREAUTH PREAUTH imap.example.test logged in as bob
expect no BANNER_REJECTED TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_NOT_OFFERED
expect status crit
