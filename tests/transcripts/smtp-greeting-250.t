# RFC 5321 4.3.2: at connection establishment the server answers 220 (or 554). A "250"
# greeting is of the success class but is not a greeting: PROTOCOL_ERROR, and no EHLO is
# sent. The reply itself was well formed, so the dialogue is still in step and the client
# says QUIT as RFC 5321 4.1.1.10 asks ("MUST NOT intentionally close the transmission
# channel until it sends a QUIT command"); the server's 221 ends it.
protocol smtp
mode starttls
S: 250 mx.example.test hello
C: QUIT
S: 221 Bye
expect finding PROTOCOL_ERROR
expect no TLS_ESTABLISHED BANNER_REJECTED STARTTLS_NOT_OFFERED
expect message PROTOCOL_ERROR 250 mx.example.test hello
expect status crit
