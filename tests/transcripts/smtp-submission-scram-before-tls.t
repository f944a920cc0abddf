# RFC 5802: SCRAM sends no password, so offering it before TLS is no PLAINTEXT_AUTH_OFFERED;
# AUTH SCRAM-SHA-256 is refused with 538 (RFC 4954 6: encryption required), as it should.
protocol smtp
mode starttls
service submission
S: 220 submit.example.test ESMTP
C: EHLO client.test
S: 250-submit.example.test
S: 250-AUTH SCRAM-SHA-256 CRAM-MD5
S: 250-STARTTLS
S: 250 8BITMIME
C: AUTH SCRAM-SHA-256
S: 538 5.7.11 Encryption required for requested authentication mechanism
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
