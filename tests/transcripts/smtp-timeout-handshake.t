# RFC 3207 4: after the 220 the client starts the TLS handshake; the server never completes
# it within the handshake bound: TIMEOUT, the session ends without QUIT.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
S: 220 Ready to start TLS
TIMEOUT
expect finding TIMEOUT
expect no TLS_ESTABLISHED STARTTLS_REJECTED PROTOCOL_ERROR
expect status crit
