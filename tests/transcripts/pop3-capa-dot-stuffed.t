# RFC 1939 3: in a multi-line response a line starting with "." is byte-stuffed with one more
# "."; the client strips it, and only a line of exactly "." ends the response. "..x" is the
# capability ".x" (not the end), and STLS after it still counts.
protocol pop3
mode starttls
S: +OK ready
C: CAPA
S: +OK
S: ..x
S: TOP
S: STLS
S: .
C: STLS
S: +OK go
TLS
C: CAPA
S: +OK
S: USER
S: .
C: QUIT
S: +OK bye
expect finding TLS_ESTABLISHED
expect no PROTOCOL_ERROR STARTTLS_NOT_OFFERED
expect status ok
expect capa plain .x TOP STLS
expect capa tls USER
