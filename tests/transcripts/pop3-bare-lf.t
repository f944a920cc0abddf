# RFC 1939 3 asks for CRLF; a server ending lines in bare LF is read the same (LF cannot be
# misread as anything but an end of line). Greeting, multi-line CAPA with its "." line, STLS
# and QUIT all in bare LF: the session works as with CRLF.
protocol pop3
mode starttls
S~ +OK ready\n
C: CAPA
S~ +OK\nTOP\nSTLS\n.\n
C: STLS
S~ +OK go\n
TLS
C: CAPA
S~ +OK\nUSER\n.\n
C: QUIT
S~ +OK bye\n
expect finding TLS_ESTABLISHED
expect no PROTOCOL_ERROR STARTTLS_NOT_OFFERED STARTTLS_INJECTION
expect status ok
expect capa plain TOP STLS
expect capa tls USER
