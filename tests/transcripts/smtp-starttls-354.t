# RFC 3207 4: only "220 Ready to start TLS" starts the negotiation. 354 is not an error
# class, but it does not start TLS either, and a client that began a handshake on it would
# be out of step: STARTTLS_REJECTED, whose message says only 220 starts TLS; then QUIT.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
S: 354 go ahead
C: QUIT
S: 221 Bye
expect finding STARTTLS_REJECTED
expect message STARTTLS_REJECTED only 220 starts TLS
expect no TLS_ESTABLISHED PROTOCOL_ERROR
expect status crit
