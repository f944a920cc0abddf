# RFC 3207 4.2: "A server MUST NOT return the STARTTLS extension in response to an EHLO
# command received after a TLS handshake has completed", and a client in TLS never sends
# STARTTLS again. A server that re-advertises it gets QUIT, not a second STARTTLS.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
S: 220 Ready
TLS
C: EHLO client.test
S: 250-mx.example.test
S: 250-STARTTLS
S: 250 8BITMIME
C: QUIT
S: 221 Bye
expect finding TLS_ESTABLISHED
expect no STARTTLS_REJECTED STARTTLS_INJECTION PROTOCOL_ERROR TIMEOUT
expect capa tls 8BITMIME
