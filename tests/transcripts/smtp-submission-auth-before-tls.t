# RFC 8314 3 and RFC 4954 4: a submission server that offers AUTH PLAIN before TLS, and takes
# it. The client asks AUTH with the first mechanism offered and no initial response, so no
# credential exists to send; the 334 shows the server would go on in plaintext
# (TLS_NOT_REQUIRED), and "*" cancels the exchange (501). Then STARTTLS as usual.
protocol smtp
mode starttls
service submission
S: 220 submit.example.test ESMTP
C: EHLO client.test
S: 250-submit.example.test
S: 250-AUTH PLAIN LOGIN
S: 250-STARTTLS
S: 250 8BITMIME
C: AUTH PLAIN
S: 334 
C: *
S: 501 5.7.0 Authentication aborted
C: STARTTLS
S: 220 2.0.0 go
TLS
C: EHLO client.test
S: 250-submit.example.test
S: 250 AUTH PLAIN LOGIN
C: QUIT
S: 221 bye
expect finding PLAINTEXT_AUTH_OFFERED TLS_NOT_REQUIRED TLS_ESTABLISHED
expect message PLAINTEXT_AUTH_OFFERED AUTH PLAIN AUTH LOGIN
expect message TLS_NOT_REQUIRED "AUTH PLAIN" with "334 "
expect no PROTOCOL_ERROR
expect status crit
