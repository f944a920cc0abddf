# RFC 5321 2.3.8 asks for CRLF, but many servers end reply lines with a bare LF, and reading
# LF as the end of a line cannot be misread (RFC 5321 4.5.3.1 and 2.3.8's robustness
# concern is about bare CR/LF inside text). A whole session in bare LF works like CRLF.
protocol smtp
mode starttls
S~ 220 mx.example.test ESMTP\n
C: EHLO client.test
S~ 250-mx.example.test\n250-PIPELINING\n250 STARTTLS\n
C: STARTTLS
S~ 220 Ready\n
TLS
C: EHLO client.test
S~ 250-mx.example.test\n250 8BITMIME\n
C: QUIT
S~ 221 Bye\n
expect finding TLS_ESTABLISHED
expect no PROTOCOL_ERROR STARTTLS_NOT_OFFERED STARTTLS_INJECTION
expect status ok
expect banner 220 mx.example.test ESMTP
expect capa plain PIPELINING STARTTLS
expect capa tls 8BITMIME
