# RFC 5321 4.3.2 ("502 (permitted only with an old-style server that does not support
# EHLO)") and 3.2 (fall back to HELO): EHLO answered 502, HELO accepted.
# STARTTLS_NOT_OFFERED whose message says HELO was accepted; then QUIT.
protocol smtp
mode starttls
S: 220 old.example.test SMTP
C: EHLO client.test
S: 502 5.5.2 Command not implemented
C: HELO client.test
S: 250 old.example.test Hello client.test
C: QUIT
S: 221 Bye
expect finding STARTTLS_NOT_OFFERED
expect message STARTTLS_NOT_OFFERED HELO accepted
expect no TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_REJECTED
expect status crit
