# RFC 9051 2.2.2 and 7 ("the server ... can send data ... at any time", as untagged
# responses): unlike SMTP and POP3, an untagged line right behind the IMAP greeting is not
# an unasked reply; it is data that precedes the next tagged result. No PROTOCOL_ERROR,
# however the bytes are cut.
protocol imap
mode starttls
S: * OK imap.example.test ready
S: * OK [ALERT] System going down for maintenance at 22:00
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED
S: C OK done
C: S STARTTLS
S: S OK go
TLS
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 AUTH=PLAIN
S: C OK done
C: L LOGOUT
S: * BYE
S: L OK
expect finding TLS_ESTABLISHED
expect no PROTOCOL_ERROR STARTTLS_NOT_OFFERED
expect status ok
expect capa plain STARTTLS
