# RFC 9051 6.1.1: CAPABILITY must be answered; untagged data without the tagged result, then
# silence until the reply bound runs out: TIMEOUT, and the session ends without LOGOUT.
protocol imap
mode starttls
S: * OK ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 STARTTLS
TIMEOUT
expect finding TIMEOUT
expect no TLS_ESTABLISHED STARTTLS_NOT_OFFERED PROTOCOL_ERROR
expect status crit
