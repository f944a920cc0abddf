# No credential before TLS: a server that offers AUTH PLAIN and no STARTTLS gets no login at
# all (the session ends at STARTTLS_NOT_OFFERED; the command adds AUTH_NOT_ATTEMPTED).
protocol smtp
mode starttls
auth PLAIN
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 AUTH PLAIN LOGIN
C: QUIT
S: 221 bye
expect finding STARTTLS_NOT_OFFERED PLAINTEXT_AUTH_OFFERED
expect no AUTH_SUCCEEDED AUTH_FAILED
expect status crit
