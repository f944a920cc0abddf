# RFC 9051 7.1.4 (PREAUTH: the connection is already authenticated) and 6.2.1 (STARTTLS "is
# only valid in Not Authenticated state"). A PREAUTH greeting is accepted as a greeting (not
# BANNER_REJECTED), the capabilities are read, but STARTTLS cannot follow: this server
# answers it BAD, so STARTTLS_REJECTED, and the client logs out.
protocol imap
mode starttls
S: * PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] imap.example.test logged in as bob
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 STARTTLS
S: C OK done
C: S STARTTLS
S: S BAD STARTTLS not valid in authenticated state
C: L LOGOUT
S: * BYE
S: L OK
expect finding STARTTLS_REJECTED
expect message STARTTLS_REJECTED BAD
expect no BANNER_REJECTED TLS_ESTABLISHED PROTOCOL_ERROR
expect status crit
