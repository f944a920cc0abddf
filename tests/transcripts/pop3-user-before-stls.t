# RFC 2449 6.5: USER in CAPA before STLS means USER/PASS work in plaintext, and SASL PLAIN
# sends the password too (RFC 5034): PLAINTEXT_AUTH_OFFERED names both. After TLS they
# are what a client should use, and nothing is said of them.
protocol pop3
mode starttls
S: +OK ready
C: CAPA
S: +OK
S: USER
S: SASL PLAIN SCRAM-SHA-1
S: STLS
S: .
C: STLS
S: +OK go
TLS
C: CAPA
S: +OK
S: USER
S: SASL PLAIN
S: .
C: QUIT
S: +OK bye
expect finding PLAINTEXT_AUTH_OFFERED TLS_ESTABLISHED
expect message PLAINTEXT_AUTH_OFFERED USER SASL PLAIN:
expect status crit
