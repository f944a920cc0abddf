# RFC 8314 3: a submission server without AUTH before TLS that still takes MAIL FROM in
# plaintext (Postfix's smtpd_tls_security_level = may on 587): TLS_NOT_REQUIRED; RSET
# forgets the transaction, then STARTTLS. Nothing is offered that sends a password.
protocol smtp
mode starttls
service submission
S: 220 submit.example.test ESMTP
C: EHLO client.test
S: 250-submit.example.test
S: 250-STARTTLS
S: 250 8BITMIME
C: MAIL FROM:<>
S: 250 2.1.0 Ok
C: RSET
S: 250 2.0.0 Ok
C: STARTTLS
S: 220 2.0.0 go
TLS
C: EHLO client.test
S: 250-submit.example.test
S: 250 AUTH PLAIN
C: QUIT
S: 221 bye
expect finding TLS_NOT_REQUIRED TLS_ESTABLISHED
expect no PLAINTEXT_AUTH_OFFERED PROTOCOL_ERROR
expect status warn
