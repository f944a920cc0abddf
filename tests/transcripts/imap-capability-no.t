# RFC 9051 6.1.1 and 7.1.2: a tagged NO to CAPABILITY refuses it; no capability list, so
# STARTTLS cannot be seen as offered: STARTTLS_NOT_OFFERED, then LOGOUT.
protocol imap
mode starttls
S: * OK ready
C: C CAPABILITY
S: C NO not now
C: L LOGOUT
S: * BYE
S: L OK
expect finding STARTTLS_NOT_OFFERED
expect no TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_REJECTED
expect status crit
