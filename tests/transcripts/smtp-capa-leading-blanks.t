# RFC 5321 4.1.1.1: the keyword is the first word of an ehlo-line. "250-  STARTTLS" has
# blanks before it, which the grammar does not allow, but the only word on the line is
# STARTTLS; a tolerant client (Postfix, Exim) reads it as offered.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S~ 250-  STARTTLS\r\n
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
