# RFC 1939 3: every response starts with "+OK" or "-ERR". A CAPA answer starting "OK" is
# neither: PROTOCOL_ERROR, and the session ends at once without QUIT.
protocol pop3
mode starttls
S: +OK ready
C: CAPA
S: OK here you go
expect finding PROTOCOL_ERROR
expect no TLS_ESTABLISHED STARTTLS_NOT_OFFERED
expect status crit
