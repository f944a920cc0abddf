# RFC 2449 5: "-ERR" to CAPA means the server does not implement it, so it cannot announce
# STLS (RFC 2595 4: STLS is a CAPA tag): STARTTLS_NOT_OFFERED, then QUIT.
protocol pop3
mode starttls
S: +OK ready
C: CAPA
S: -ERR unknown command
C: QUIT
S: +OK bye
expect finding STARTTLS_NOT_OFFERED
expect no TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_REJECTED
expect status crit
