# RFC 5321 3.2: "if the server returns a 'command not recognized' response to EHLO, the
# client SHOULD be able to fall back and send HELO". EHLO answered 500, HELO accepted: an
# old-style server, which cannot offer any extension (RFC 3207 4: STARTTLS is an EHLO
# keyword), so STARTTLS_NOT_OFFERED, saying HELO was accepted; then QUIT.
protocol smtp
mode starttls
S: 220 old.example.test SMTP
C: EHLO client.test
S: 500 5.5.1 Command unrecognized
C: HELO client.test
S: 250 old.example.test
C: QUIT
S: 221 Bye
expect finding STARTTLS_NOT_OFFERED
expect message STARTTLS_NOT_OFFERED HELO accepted
expect no TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_REJECTED
expect status crit
