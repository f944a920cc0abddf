# RFC 2595 4 (STLS: +OK or -ERR) and RFC 3206 4 ([SYS/TEMP]: a transient system problem):
# STLS advertised, then refused: STARTTLS_REJECTED, then QUIT.
protocol pop3
mode starttls
S: +OK ready
C: CAPA
S: +OK
S: RESP-CODES
S: STLS
S: .
C: STLS
S: -ERR [SYS/TEMP] TLS not available right now
C: QUIT
S: +OK bye
expect finding STARTTLS_REJECTED
expect message STARTTLS_REJECTED [SYS/TEMP]
expect no TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_NOT_OFFERED
expect status crit
