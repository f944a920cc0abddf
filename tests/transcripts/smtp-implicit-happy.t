# Implicit TLS on 465 (RFC 8314 3.3): the handshake comes first, then the 220 greeting and
# EHLO, all over TLS, and no STARTTLS is sent. The EHLO answer is recorded as the
# capabilities over TLS.
protocol smtp
mode implicit
TLS
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250-AUTH PLAIN
S: 250-SIZE 10240000
S: 250 8BITMIME
C: QUIT
S: 221 2.0.0 Bye
expect finding TLS_ESTABLISHED
expect no STARTTLS_NOT_OFFERED STARTTLS_REJECTED STARTTLS_INJECTION PROTOCOL_ERROR TIMEOUT BANNER_REJECTED
expect status ok
expect stale 0
expect banner 220 mx.example.test ESMTP
expect capa tls AUTH SIZE 8BITMIME
