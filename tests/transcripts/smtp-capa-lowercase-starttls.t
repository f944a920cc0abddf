# RFC 5321 2.4: "Verbs and argument values (e.g., "TO:" or "to:" in the RCPT command and
# extension name keywords) are not case sensitive". "250-starttls" offers STARTTLS.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S~ 250-starttls\r\n
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
