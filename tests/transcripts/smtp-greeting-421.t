# RFC 5321 3.8 and 4.2.3: a 421 greeting means "Service not available, closing transmission
# channel": the server refused the session (BANNER_REJECTED). The client still says QUIT
# (RFC 5321 4.1.1.10: it must not close before sending QUIT); the server's close ends it.
protocol smtp
mode starttls
S: 421 4.3.2 mx.example.test too busy, try later
C: QUIT
CLOSE
expect finding BANNER_REJECTED
expect no TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_NOT_OFFERED
expect message BANNER_REJECTED 421 4.3.2 mx.example.test too busy
expect status crit
expect banner 421 4.3.2 mx.example.test too busy, try later
