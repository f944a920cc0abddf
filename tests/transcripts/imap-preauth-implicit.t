# PREAUTH over implicit TLS (993) exposes nothing: the session was encrypted before the
# greeting. Not IMAP_PREAUTH; the capabilities are read as usual.
protocol imap
mode implicit
TLS
S: * PREAUTH imap.example.test logged in as bob
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1
S: C OK done
C: L LOGOUT
S: * BYE
S: L OK
expect finding TLS_ESTABLISHED
expect no IMAP_PREAUTH BANNER_REJECTED PROTOCOL_ERROR
expect status ok
