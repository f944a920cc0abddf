# RFC 5321 4.2: Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code
# [ SP textstring ] CRLF, and clients SHOULD "process the code alone (with or without a
# trailing space character)". A final line of just "250" ends the EHLO reply; the keywords
# before it count.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250-STARTTLS
S: 250-PIPELINING
S: 250
C: STARTTLS
S: 220 Ready
TLS
C: EHLO client.test
S: 250-mx.example.test
S: 250-PIPELINING
S: 250 
C: QUIT
S: 221
expect finding TLS_ESTABLISHED
expect no PROTOCOL_ERROR STARTTLS_NOT_OFFERED
expect status ok
expect capa plain STARTTLS PIPELINING
expect capa tls PIPELINING
