# A refusal for now ("too many connections", 421, 450) says nothing of TLS: with no retries
# left (none in a transcript) it is TEMPORARILY_REFUSED, and the verdict is unknown.
# RFC 9051 7.1.5 and 13 (greeting = "*" SP (resp-cond-auth / resp-cond-bye)): "* BYE" as the
# greeting means the server rejects the connection: BANNER_REJECTED. The client logs out
# (harmless) and the server's close ends the session.
protocol imap
mode starttls
S: * BYE imap.example.test too many connections from your address
C: L LOGOUT
CLOSE
expect finding TEMPORARILY_REFUSED
expect message TEMPORARILY_REFUSED too many connections
expect no TLS_ESTABLISHED PROTOCOL_ERROR
expect status unknown
