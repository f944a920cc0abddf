# RFC 2595 4: after "+OK" to STLS the handshake begins at once; the server closes instead:
# TLS_HANDSHAKE_FAILED, no QUIT.
protocol pop3
mode starttls
S: +OK ready
C: CAPA
S: +OK
S: STLS
S: .
C: STLS
S: +OK Begin TLS
CLOSE
expect finding TLS_HANDSHAKE_FAILED
expect no TLS_ESTABLISHED STARTTLS_REJECTED
expect status crit
