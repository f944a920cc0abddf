# A refusal for now ("too many connections", 421, 450) says nothing of TLS: with no retries
# left (none in a transcript) it is TEMPORARILY_REFUSED, and the verdict is unknown.
# RFC 5321 4.3.2 allows only 220 or 554 at connection establishment, and 4.2.1 makes any 4yz
# a transient negative completion: a 450 greeting refuses the session (BANNER_REJECTED), not
# a greeting to carry on from. The client quits; the server's 221 ends it.
protocol smtp
mode starttls
S: 450 4.7.1 greylisted, come back later
C: QUIT
S: 221 2.0.0 Bye
expect finding TEMPORARILY_REFUSED
expect no TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_NOT_OFFERED
expect message TEMPORARILY_REFUSED 450 4.7.1 greylisted
expect status unknown
expect banner 450 4.7.1 greylisted, come back later
