# RFC 9051 6.2.1 and RFC 2595 3.1: without STARTTLS in the CAPABILITY list the client must
# not send it: STARTTLS_NOT_OFFERED, then LOGOUT; the plaintext capabilities are recorded.
protocol imap
mode starttls
S: * OK ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE
S: C OK done
C: L LOGOUT
S: * BYE
S: L OK
expect finding STARTTLS_NOT_OFFERED
expect no TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_REJECTED
expect status crit
expect capa plain IMAP4rev1 AUTH=PLAIN IDLE
