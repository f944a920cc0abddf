# RFC 2449 5 and RFC 1939 3: a CAPA answer that starts ("+OK" and lines) but never reaches its
# "." line never completes; at the reply bound: TIMEOUT, the session ends without QUIT.
protocol pop3
mode starttls
S: +OK ready
C: CAPA
S: +OK
S: STLS
TIMEOUT
expect finding TIMEOUT
expect no TLS_ESTABLISHED STARTTLS_NOT_OFFERED PROTOCOL_ERROR
expect status crit
