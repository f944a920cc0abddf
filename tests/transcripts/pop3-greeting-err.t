# A refusal for now ("too many connections", 421, 450) says nothing of TLS: with no retries
# left (none in a transcript) it is TEMPORARILY_REFUSED, and the verdict is unknown.
# RFC 1939 4 (the greeting is a positive response) and 3 (-ERR is a negative one): a "-ERR"
# greeting refuses the session: BANNER_REJECTED; the client quits, the close ends it.
protocol pop3
mode starttls
S: -ERR [SYS/TEMP] too many connections
C: QUIT
CLOSE
expect finding TEMPORARILY_REFUSED
expect message TEMPORARILY_REFUSED too many connections
expect no TLS_ESTABLISHED PROTOCOL_ERROR
expect status unknown
