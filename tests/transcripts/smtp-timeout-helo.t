# RFC 5321 3.2 and 4.5.3.2: EHLO refused (502), HELO sent, and HELO never answered: TIMEOUT,
# the session ends without QUIT.
protocol smtp
mode starttls
S: 220 old.example.test SMTP
C: EHLO client.test
S: 502 5.5.2 Command not implemented
C: HELO client.test
TIMEOUT
expect finding TIMEOUT
expect no TLS_ESTABLISHED PROTOCOL_ERROR
expect status crit
