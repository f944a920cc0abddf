# RFC 3207 4: the success reply to STARTTLS is 220; a 250 is not an invitation to start the
# handshake: STARTTLS_REJECTED (only 220 starts TLS), then QUIT.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
S: 250 2.0.0 OK
C: QUIT
S: 221 Bye
expect finding STARTTLS_REJECTED
expect message STARTTLS_REJECTED only 220 starts TLS
expect no TLS_ESTABLISHED PROTOCOL_ERROR
expect status crit
