# Port 25 is MTA to MTA: no AUTH or MAIL FROM is tried before TLS there (only submission
# owes 530). AUTH PLAIN offered before TLS is still a password a client could send in
# the clear: PLAINTEXT_AUTH_OFFERED.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250-AUTH=PLAIN
S: 250-STARTTLS
S: 250 8BITMIME
C: STARTTLS
S: 220 2.0.0 go
TLS
C: EHLO client.test
S: 250 mx.example.test
C: QUIT
S: 221 bye
expect finding PLAINTEXT_AUTH_OFFERED TLS_ESTABLISHED
expect no TLS_NOT_REQUIRED
expect status crit
