# RFC 9051 2.2.2: the completion result "is tagged with the same tag as the client command".
# A line tagged "X" while only "C" is in flight is neither untagged data nor our result:
# PROTOCOL_ERROR, and the session ends at once without LOGOUT.
protocol imap
mode starttls
S: * OK ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 STARTTLS
S: X OK done
expect finding PROTOCOL_ERROR
expect no TLS_ESTABLISHED STARTTLS_NOT_OFFERED
expect status crit
