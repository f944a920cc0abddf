# RFC 3207 4 and RFC 5321 4.5.3.2: STARTTLS is never answered: TIMEOUT, no QUIT.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
TIMEOUT
expect finding TIMEOUT
expect no TLS_ESTABLISHED STARTTLS_REJECTED PROTOCOL_ERROR
expect status crit
