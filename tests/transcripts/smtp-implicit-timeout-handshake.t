# RFC 8314 3.3: on 465 the handshake comes first; it never completes: TIMEOUT, nothing sent.
protocol smtp
mode implicit
TIMEOUT
expect finding TIMEOUT
expect no TLS_ESTABLISHED PROTOCOL_ERROR
expect status crit
