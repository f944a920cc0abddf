# RFC 8314 3.3 and RFC 5321 4.5.3.2.1: on 465 the handshake completes but no greeting follows
# within the greeting bound: TLS_ESTABLISHED is recorded, then TIMEOUT; nothing is sent.
protocol smtp
mode implicit
TLS
TIMEOUT
expect finding TLS_ESTABLISHED TIMEOUT
expect no PROTOCOL_ERROR BANNER_REJECTED
expect status crit
