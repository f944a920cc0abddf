# RFC 9051 7.1.5 and 13 (greeting = "*" SP (resp-cond-auth / resp-cond-bye)): "* BYE" as the
# greeting means the server rejects the connection: BANNER_REJECTED. The client logs out
# (harmless) and the server's close ends the session.
protocol imap
mode starttls
S: * BYE imap.example.test too many connections from your address
C: L LOGOUT
CLOSE
expect finding BANNER_REJECTED
expect message BANNER_REJECTED too many connections
expect no TLS_ESTABLISHED PROTOCOL_ERROR
expect status crit
