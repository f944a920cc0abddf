# A refusal for now ("too many connections", 421, 450) says nothing of TLS: with no retries
# left (none in a transcript) it is TEMPORARILY_REFUSED, and the verdict is unknown.
# RFC 5321 3.8 and 4.2.3: a 421 greeting means "Service not available, closing transmission
# channel": the server refused the session (BANNER_REJECTED). The client still says QUIT
# (RFC 5321 4.1.1.10: it must not close before sending QUIT); the server's close ends it.
protocol smtp
mode starttls
S: 421 4.3.2 mx.example.test too busy, try later
C: QUIT
CLOSE
expect finding TEMPORARILY_REFUSED
expect no TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_NOT_OFFERED
expect message TEMPORARILY_REFUSED 421 4.3.2 mx.example.test too busy
expect status unknown
expect banner 421 4.3.2 mx.example.test too busy, try later
