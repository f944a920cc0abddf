# RFC 8314 3.3: on 465 the server closes during the handshake (a plaintext-only server or a
# TLS failure): TLS_HANDSHAKE_FAILED, nothing sent.
protocol smtp
mode implicit
CLOSE
expect finding TLS_HANDSHAKE_FAILED
expect no TLS_ESTABLISHED PROTOCOL_ERROR
expect status crit
