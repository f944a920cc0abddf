# CVE-2011-0411: STARTTLS and NOOP go out in one segment; a server that keeps what followed
# STARTTLS in its buffer answers the NOOP over TLS, unasked, as soon as the handshake is
# done: STARTTLS_COMMAND_INJECTION, then QUIT (the replies are out of step from there).
protocol smtp
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
S: 250 2.0.0 Ok
C: QUIT
S: 221 bye
expect finding STARTTLS_COMMAND_INJECTION TLS_ESTABLISHED
expect message STARTTLS_COMMAND_INJECTION "250 2.0.0 Ok"
expect no PROTOCOL_ERROR STARTTLS_INJECTION
expect status crit
