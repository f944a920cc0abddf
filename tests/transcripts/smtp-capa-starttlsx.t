# RFC 5321 4.1.1.1: ehlo-keyword is a whole word; "STARTTLSX" is another (unknown) keyword,
# not STARTTLS with something after it. The client must not send STARTTLS:
# STARTTLS_NOT_OFFERED, then QUIT.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250-STARTTLSX
S: 250-XSTARTTLS
S: 250 8BITMIME
C: QUIT
S: 221 Bye
expect finding STARTTLS_NOT_OFFERED
expect no TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_REJECTED
expect status crit
expect capa plain STARTTLSX 8BITMIME
