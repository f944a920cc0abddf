# RFC 9051 6.2.1 (Result: OK / NO / BAD) and 7.1.2: STARTTLS advertised but answered with a
# tagged NO: STARTTLS_REJECTED, then LOGOUT.
protocol imap
mode starttls
S: * OK ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 STARTTLS
S: C OK done
C: S STARTTLS
S: S NO TLS is temporarily unavailable
C: L LOGOUT
S: * BYE
S: L OK
expect finding STARTTLS_REJECTED
expect message STARTTLS_REJECTED TLS is temporarily unavailable
expect no TLS_ESTABLISHED PROTOCOL_ERROR
expect status crit
