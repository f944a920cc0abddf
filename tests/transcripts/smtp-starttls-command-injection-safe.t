# A server that discards what followed STARTTLS (Postfix, since 2.8.4) says nothing over TLS
# until asked; after the bounded wait the capabilities are read as usual.
protocol smtp
mode starttls
starttls-tests
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
C: NOOP
S: 220 2.0.0 go
TLS
TIMEOUT
C: EHLO client.test
S: 250-mx.example.test
S: 250 8BITMIME
C: QUIT
S: 221 bye
expect finding TLS_ESTABLISHED
expect no STARTTLS_COMMAND_INJECTION PROTOCOL_ERROR TIMEOUT
expect status ok
expect capa tls 8BITMIME
