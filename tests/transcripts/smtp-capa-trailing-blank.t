# RFC 5321 4.1.1.1 (ehlo-line = ehlo-keyword *( SP ehlo-param )) and 4.2 (the client decides
# by the keyword): a trailing blank after "STARTTLS" is noise, the keyword is STARTTLS.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S~ 250-STARTTLS \r\n
S: 250 8BITMIME
C: STARTTLS
S: 220 Ready
TLS
C: EHLO client.test
S: 250 mx.example.test
C: QUIT
S: 221 Bye
expect finding TLS_ESTABLISHED
expect no STARTTLS_NOT_OFFERED PROTOCOL_ERROR
expect status ok
expect capa plain STARTTLS 8BITMIME
