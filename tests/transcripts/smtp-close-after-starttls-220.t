# RFC 3207 4: after "220 Ready to start TLS" the client starts the handshake at once; the
# server closes instead of answering it: the TLS handshake failed (TLS_HANDSHAKE_FAILED),
# and the session ends without QUIT.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
S: 220 2.0.0 Ready to start TLS
CLOSE
expect finding TLS_HANDSHAKE_FAILED
expect no TLS_ESTABLISHED STARTTLS_REJECTED STARTTLS_INJECTION
expect stale 0
expect status crit
