# RFC 9051 6.1.1 and 7.1.3: a tagged BAD to CAPABILITY (even if untagged CAPABILITY data came
# first, the command failed): STARTTLS_NOT_OFFERED, no STARTTLS sent, then LOGOUT.
protocol imap
mode starttls
S: * OK ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 STARTTLS
S: C BAD command unknown
C: L LOGOUT
S: * BYE
S: L OK
expect finding STARTTLS_NOT_OFFERED
expect no TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_REJECTED
expect status crit
