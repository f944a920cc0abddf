# RFC 5321 4.2.2/4.2.3: 421 "may be a reply to any command if the service knows it must shut
# down". It is a 4yz (transient) answer, not "command not recognized", so there is no HELO
# fallback (RFC 5321 3.2 falls back on 5yz only). STARTTLS could not be seen; the client
# quits and the server's close ends the session.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 421 4.3.2 Service shutting down
C: QUIT
CLOSE
expect no TLS_ESTABLISHED
expect status crit
