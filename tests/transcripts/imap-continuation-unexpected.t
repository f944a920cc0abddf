# RFC 9051 7.5: a command continuation request ("+ ...") is sent only when the server waits
# for the rest of a command (a literal); CAPABILITY has none. A "+" line there is neither
# untagged data nor the tagged result: PROTOCOL_ERROR, the session ends without LOGOUT.
protocol imap
mode starttls
S: * OK ready
C: C CAPABILITY
S: + go ahead
expect finding PROTOCOL_ERROR
expect no TLS_ESTABLISHED STARTTLS_NOT_OFFERED
expect status crit
