# RFC 5321 3.2 and 4.3.2: EHLO refused (500), HELO refused too (501): the server accepts no
# session opening at all, which no client can work with: PROTOCOL_ERROR. Both replies were
# well formed, so the client still says QUIT (RFC 5321 4.1.1.10: it "MUST NOT
# intentionally close the transmission channel until it sends a QUIT command ... even if
# there was an error response to a previous command").
protocol smtp
mode starttls
S: 220 odd.example.test SMTP
C: EHLO client.test
S: 500 5.5.1 Command unrecognized
C: HELO client.test
S: 501 5.5.4 Syntax error
C: QUIT
S: 221 Bye
expect finding PROTOCOL_ERROR
expect no TLS_ESTABLISHED STARTTLS_REJECTED
expect status crit
