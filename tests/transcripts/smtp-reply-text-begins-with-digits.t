# RFC 5321 4.2.1's own example: "250-234 Text beginning with numbers". Only the first three
# characters are the code; text that starts with digits must not be read as a changed code.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250-234 Text beginning with numbers
S: 250 STARTTLS
C: STARTTLS
S: 220 Ready
TLS
C: EHLO client.test
S: 250 mx.example.test
C: QUIT
S: 221 Bye
expect finding TLS_ESTABLISHED
expect no PROTOCOL_ERROR STARTTLS_NOT_OFFERED
expect status ok
expect capa plain STARTTLS
