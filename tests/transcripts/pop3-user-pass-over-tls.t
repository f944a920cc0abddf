# POP3 USER and PASS (RFC 1939 7) when no SASL mechanism fits, only over TLS.
protocol pop3
mode implicit
auth any
TLS
S: +OK ready
C: CAPA
S: +OK
S: USER
S: .
C: USER alice
S: +OK
C: PASS lab-secret-1
S: +OK Logged in.
C: QUIT
S: +OK bye
expect finding AUTH_SUCCEEDED
expect message AUTH_SUCCEEDED USER/PASS
expect status ok
