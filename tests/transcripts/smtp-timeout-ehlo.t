# RFC 5321 4.5.3.2: the server greets, then never answers EHLO: TIMEOUT, and the session
# ends at once without QUIT.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
TIMEOUT
expect finding TIMEOUT
expect no TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_NOT_OFFERED
expect status crit
