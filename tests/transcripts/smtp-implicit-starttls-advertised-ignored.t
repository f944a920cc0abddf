# RFC 3207 4.2 (and RFC 8314 3.3): once TLS is up the client must not issue STARTTLS again,
# even if a server on an implicit-TLS port (465) wrongly advertises it. The client quits
# after the EHLO over TLS; nothing is wrong with the TLS session itself.
protocol smtp
mode implicit
TLS
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250-STARTTLS
S: 250 8BITMIME
C: QUIT
S: 221 2.0.0 Bye
expect finding TLS_ESTABLISHED
expect no STARTTLS_REJECTED STARTTLS_INJECTION PROTOCOL_ERROR TIMEOUT
expect status ok
expect capa tls STARTTLS 8BITMIME
