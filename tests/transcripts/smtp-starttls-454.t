# RFC 3207 4: "454 TLS not available due to temporary reason"; "If the client receives the
# 454 response, the client must decide whether or not to continue". For a checker TLS was
# not available: STARTTLS_REJECTED, then QUIT.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
S: 454 4.7.0 TLS not available due to temporary reason
C: QUIT
S: 221 Bye
expect finding STARTTLS_REJECTED
expect message STARTTLS_REJECTED 454 4.7.0
expect no TLS_ESTABLISHED STARTTLS_NOT_OFFERED PROTOCOL_ERROR
expect status crit
