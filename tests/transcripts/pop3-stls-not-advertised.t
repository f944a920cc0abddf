# RFC 2595 4 and RFC 2449 5: a CAPA list without STLS: the client must not send it:
# STARTTLS_NOT_OFFERED, then QUIT; the plaintext capabilities are recorded.
protocol pop3
mode starttls
S: +OK ready
C: CAPA
S: +OK
S: USER
S: UIDL
S: TOP
S: .
C: QUIT
S: +OK bye
expect finding STARTTLS_NOT_OFFERED
expect no TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_REJECTED
expect status crit
expect capa plain USER UIDL TOP
