# RFC 1939 4 (the greeting is a positive response) and 3 (-ERR is a negative one): a "-ERR"
# greeting refuses the session: BANNER_REJECTED; the client quits, the close ends it.
protocol pop3
mode starttls
S: -ERR [SYS/TEMP] too many connections
C: QUIT
CLOSE
expect finding BANNER_REJECTED
expect message BANNER_REJECTED too many connections
expect no TLS_ESTABLISHED PROTOCOL_ERROR
expect status crit
