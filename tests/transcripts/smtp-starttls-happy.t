# RFC 3207: greeting, EHLO offering STARTTLS, 220, TLS, EHLO again (no STARTTLS any more), QUIT.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-STARTTLS
S: 250 8BITMIME
C: STARTTLS
S: 220 2.0.0 Ready to start TLS
TLS
C: EHLO client.test
S: 250-mx.example.test
S: 250 8BITMIME
C: QUIT
S: 221 2.0.0 Bye
expect finding TLS_ESTABLISHED
expect no STARTTLS_NOT_OFFERED STARTTLS_REJECTED STARTTLS_INJECTION PROTOCOL_ERROR TIMEOUT
expect status ok
expect stale 0
expect banner 220 mx.example.test ESMTP
expect capa plain STARTTLS PIPELINING 8BITMIME
expect capa tls 8BITMIME
