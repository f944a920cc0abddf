# RFC 8314 3.3 (POP3 on 995) and RFC 2449 5: handshake first, then "+OK" greeting, CAPA
# (recorded as over TLS), QUIT. No STLS is sent.
protocol pop3
mode implicit
TLS
S: +OK ready
C: CAPA
S: +OK
S: USER
S: SASL PLAIN
S: UIDL
S: .
C: QUIT
S: +OK bye
expect finding TLS_ESTABLISHED
expect no STARTTLS_NOT_OFFERED STARTTLS_REJECTED PROTOCOL_ERROR TIMEOUT BANNER_REJECTED
expect status ok
expect capa tls USER SASL UIDL
