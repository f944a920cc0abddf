# RFC 2595 4 and RFC 2449 5: greeting, CAPA listing STLS, "+OK", TLS, CAPA again ("the client
# MUST discard cached information about server capabilities and SHOULD re-issue the CAPA
# command"), then QUIT (RFC 1939 6). Capabilities before and after TLS are recorded apart.
protocol pop3
mode starttls
S: +OK POP3 server ready <1896.697170952@pop.example.test>
C: CAPA
S: +OK Capability list follows
S: TOP
S: UIDL
S: RESP-CODES
S: PIPELINING
S: STLS
S: IMPLEMENTATION Example-POP3
S: .
C: STLS
S: +OK Begin TLS negotiation now
TLS
C: CAPA
S: +OK Capability list follows
S: TOP
S: UIDL
S: USER
S: SASL PLAIN
S: .
C: QUIT
S: +OK Bye
expect finding TLS_ESTABLISHED
expect no STARTTLS_NOT_OFFERED STARTTLS_REJECTED STARTTLS_INJECTION PROTOCOL_ERROR TIMEOUT BANNER_REJECTED
expect status ok
expect stale 0
expect capa plain TOP UIDL RESP-CODES PIPELINING STLS IMPLEMENTATION
expect capa tls TOP UIDL USER SASL
