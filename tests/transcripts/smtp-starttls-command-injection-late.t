# The injected NOOP's answer comes after the wait, just ahead of the EHLO reply: read as
# EHLO's one-line reply, it is followed at once by the real one, which is the same proof.
# Only when both arrive in one read (split no): a late answer read on its own looks like a
# one-line EHLO reply, which is legal; the 1 s wait is what catches a server that late.
protocol smtp
split no
mode starttls
starttls-tests
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
C: NOOP
S: 220 2.0.0 go
TLS
TIMEOUT
C: EHLO client.test
S: 250 2.0.0 Ok
S: 250-mx.example.test
S: 250 8BITMIME
C: QUIT
S: 221 bye
expect finding STARTTLS_COMMAND_INJECTION
expect no PROTOCOL_ERROR
expect status crit
