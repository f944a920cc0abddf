# RFC 9051 7.2.2 and 2.2.2: CAPABILITY data is carried by untagged responses; a server that
# splits its list over several "* CAPABILITY" lines offers every word of all of them, so
# STARTTLS on the second line counts and every capability of both lines is recorded.
protocol imap
mode starttls
S: * OK ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 LITERAL+ ID
S: * CAPABILITY STARTTLS LOGINDISABLED
S: C OK done
C: S STARTTLS
S: S OK go
TLS
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1
S: * CAPABILITY AUTH=PLAIN
S: C OK done
C: L LOGOUT
S: * BYE
S: L OK
expect finding TLS_ESTABLISHED
expect no STARTTLS_NOT_OFFERED PROTOCOL_ERROR
expect status ok
expect capa plain IMAP4rev1 LITERAL+ ID STARTTLS LOGINDISABLED
expect capa tls IMAP4rev1 AUTH=PLAIN
