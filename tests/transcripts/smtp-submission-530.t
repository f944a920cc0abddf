# RFC 3207 4: "530 Must issue a STARTTLS command first" is the answer a submission server
# owes MAIL FROM before TLS. Nothing is said; the check goes on to TLS.
protocol smtp
mode starttls
service submission
S: 220 submit.example.test ESMTP
C: EHLO client.test
S: 250-submit.example.test
S: 250-STARTTLS
S: 250 8BITMIME
C: MAIL FROM:<>
S: 530 5.7.0 Must issue a STARTTLS command first
C: STARTTLS
S: 220 2.0.0 go
TLS
C: EHLO client.test
S: 250 submit.example.test
C: QUIT
S: 221 bye
expect finding TLS_ESTABLISHED
expect no TLS_NOT_REQUIRED PLAINTEXT_AUTH_OFFERED PROTOCOL_ERROR
expect status ok
